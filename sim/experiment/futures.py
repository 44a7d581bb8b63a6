"""Futures: samples of the uncertain assumptions a plan must hold up under.

A future is a set of overrides of uncertain parameters (the outside option's
growth, the bank's refusals, competing regions, land supply...). Futures come
from stated ranges (a Latin hypercube, seeded) or from a calibration posterior
sample: a CSV file whose columns are dotted parameter keys plus a ``weight``
column (``results/calibration/<name>/posterior.csv``), resampled with
probability proportional to the weights (seeded). With both, each future takes
one posterior row and one point of the ranges.

The CSV is read as text numbers (no evaluation of its content); a bad file
stops with one line naming the file, the column or row, what was expected and
what was found.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from scipy.stats import qmc

from sim.errors import error

WEIGHT = "weight"
MAX_POSTERIOR_ROWS = 1_000_000


def read_posterior(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The parameter keys, values (rows x keys) and normalised weights of a posterior sample CSV."""
    if not path.is_file():
        raise error(path, "-", "an existing CSV file (columns: dotted parameter keys and weight)", "no such file")
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError:
        raise error(path, "-", "UTF-8 text", "undecodable bytes") from None
    if not rows:
        raise error(path, "-", "a header row of dotted parameter keys and weight", "an empty file")
    header = [h.strip() for h in rows[0]]
    if WEIGHT not in header:
        raise error(path, WEIGHT, "a 'weight' column", f"columns {', '.join(header[:6])}")
    keys = [h for h in header if h != WEIGHT]
    if not keys:
        raise error(path, "-", "at least one parameter column besides weight", "only weight")
    if len(set(header)) != len(header):
        raise error(path, "-", "distinct column names", "a repeated column")
    body = rows[1:]
    if not body:
        raise error(path, "-", "at least one sample row", "only the header")
    if len(body) > MAX_POSTERIOR_ROWS:
        raise error(path, "-", f"at most {MAX_POSTERIOR_ROWS} rows", f"{len(body)}")
    values = np.empty((len(body), len(keys)))
    weights = np.empty(len(body))
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise error(path, f"row {i}", f"{len(header)} cells", f"{len(row)}")
        for j, h in enumerate(header):
            try:
                x = float(row[j])
            except ValueError:
                raise error(path, f"{h} (row {i})", "a number", repr(row[j][:30])) from None
            if not math.isfinite(x):
                raise error(path, f"{h} (row {i})", "a finite number", row[j])
            if h == WEIGHT:
                if x < 0:
                    raise error(path, f"{h} (row {i})", "a weight >= 0", row[j])
                weights[i - 2] = x
            else:
                values[i - 2, keys.index(h)] = x
    if weights.sum() <= 0:
        raise error(path, WEIGHT, "weights with a positive sum", "all zero")
    return keys, values, weights / weights.sum()


def sample_futures(n: int, ranges: dict[str, tuple[float, float]], seed: int,
                   posterior: Path | None = None) -> list[dict[str, float]]:
    """``n`` futures: overrides drawn from ``ranges`` (Latin hypercube) and/or resampled from a posterior CSV."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    futures: list[dict[str, float]] = [{} for _ in range(n)]
    if posterior is not None:
        keys, values, w = read_posterior(posterior)
        rows = rng.choice(len(w), size=n, replace=True, p=w)
        for f, r in zip(futures, rows, strict=True):
            f.update({k: float(values[r, j]) for j, k in enumerate(keys)})
    if ranges:
        names = list(ranges)
        unit = qmc.LatinHypercube(d=len(names), rng=rng).random(n)
        lo = np.array([ranges[k][0] for k in names])
        hi = np.array([ranges[k][1] for k in names])
        pts = qmc.scale(unit, lo, hi)
        for f, row in zip(futures, pts, strict=True):
            f.update({k: float(v) for k, v in zip(names, row, strict=True)})
    return futures
