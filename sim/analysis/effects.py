"""Effects of strategies: paired differences from the baseline with 95% t-intervals, and whether runs suffice.

Common random numbers: replication *r* of every scenario and design point
uses the same seed (``sim.experiment.seeds``), so the effect of a scenario is
estimated from the paired differences ``d_r = y(scenario, point, r) -
y(baseline, point, r)``, which carry much less noise than two independent
samples. The t-interval, the adequacy rule and the effect records are
:mod:`sim.stats` (the adaptive replications of an experiment apply the same
rule); this module applies them to a stored experiment.

A rate is shown with the counts it divides: for every rate the registry gives a
numerator and a denominator (``sim.model.registry.Output.parts``: projects
fulfilled over projects signed...), its effect row carries their paired changes
and the exact split of the rate's change into the part from each
(:func:`sim.analysis.decompose.ratio_split`), so a rate that rises because fewer
projects were signed says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from sim.analysis.data import MONTHLY_HEADLINE, POOLED_POINT, Results, pair_keys_of, pair_positions
from sim.analysis.decompose import ratio_split
from sim.model import registry
from sim.stats import (
    CI_LEVEL,
    FULFILMENT,
    START_RATE,
    AdequacyRule,
    column_intervals,
    column_quantiles,
    effect_rows,
    t_interval,
)

MONTHLY_HORIZONS = (12, 24, 36, 48, 60)
"""Months at which :func:`monthly_effects` gives the paired differences of monthly outputs."""


def levels(results: Results, outputs: list[str] | None = None) -> pd.DataFrame:
    """Each scenario's mean of each output with its 95% t-interval and 5/50/95% quantiles over replications.

    Columns: scenario, point_id, point_label, output, n, mean, sd, se, half_width, ci_low, ci_high, p05, p50, p95.
    For sample designs the statistics are over every design point (point_id = -1).
    """
    outputs = outputs or results.outputs
    values = results.runs[outputs].to_numpy(dtype=float)
    rows = []
    for pid, label, cells in results.cells():
        for s in results.scenarios:
            pos = cells.get(s.name)
            if pos is None:
                continue
            x = values[pos]
            st = column_intervals(x)
            q = column_quantiles(x)
            for j, out in enumerate(outputs):
                rows.append({"scenario": s.name, "point_id": pid, "point_label": label, "output": out,
                             "n": int(st["n"][j]), **{k: float(st[k][j]) for k in _LEVEL_STATS},
                             "p05": float(q[0, j]), "p50": float(q[1, j]), "p95": float(q[2, j])})
    return pd.DataFrame(rows)


_LEVEL_STATS = ("mean", "sd", "se", "half_width", "ci_low", "ci_high")


def paired_arrays(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The runs of ``a`` and ``b`` (each at most one per point and replication) that share a point and a
    replication, as two float arrays (pairs x columns) ordered by (point_id, replication)."""
    ia, ib = pair_positions(pair_keys_of(a), pair_keys_of(b))
    return a[columns].to_numpy(dtype=float)[ia], b[columns].to_numpy(dtype=float)[ib]


COUNT_COLUMNS = ("numerator", "denominator", "numerator_effect", "numerator_ci_low", "numerator_ci_high",
                 "denominator_effect", "denominator_ci_low", "denominator_ci_high", "from_numerator",
                 "from_numerator_ci_low", "from_numerator_ci_high", "from_denominator", "from_denominator_ci_low",
                 "from_denominator_ci_high")
"""Columns of a rate's effect row about the counts it divides (NaN or None for other outputs)."""


def rate_parts(outputs: list[str], columns) -> dict[str, tuple[str, str]]:
    """The rates among ``outputs`` whose numerator and denominator (``registry.Output.parts``) are stored columns."""
    out = {}
    for o in outputs:
        d = registry.describe(o)
        if d is not None and d.parts and all(p in columns for p in d.parts):
            out[o] = d.parts
    return out


def count_split(a_num: np.ndarray, a_den: np.ndarray, b_num: np.ndarray, b_den: np.ndarray,
                names: tuple[str, str]) -> dict:
    """The counts beside a rate's paired effect: the paired change of its numerator and of its denominator (with
    95% t-intervals) and the rate's change split into the part from each (:func:`ratio_split`; in rate units)."""
    from_num, from_den = ratio_split(b_num, b_den, a_num, a_den)
    out: dict = {"numerator": names[0], "denominator": names[1]}
    for key, d in (("numerator", a_num - b_num), ("denominator", a_den - b_den), ("from_numerator", from_num),
                   ("from_denominator", from_den)):
        st = t_interval(d)
        col = f"{key}_effect" if key in ("numerator", "denominator") else key
        out[col], out[f"{key}_ci_low"], out[f"{key}_ci_high"] = st["mean"], st["ci_low"], st["ci_high"]
    return out


def paired_effects(results: Results, outputs: list[str] | None = None, rule: AdequacyRule | None = None) -> pd.DataFrame:
    """Effect of every scenario on every output at the experiment horizon: paired difference from the baseline.

    One row per (scenario, design point, output); the baseline itself has no row.
    Columns: scenario, point_id, point_label, output, horizon_months, source ("summary"), rate, n,
    mean_scenario, mean_baseline, effect, sd_diff, se, ci_low, ci_high, half_width, p_value,
    relative_effect, significant, rel_half_width, target_half_width, adequate, n_needed, variance_ratio
    (variance of the paired differences over the variance of an unpaired difference, var(a) + var(b): how much
    common random numbers narrow the interval; 1 means no gain); and, for a rate whose counts are stored
    (:data:`COUNT_COLUMNS`), the names of its numerator and denominator, their paired changes and the two parts of
    the rate's change (:func:`count_split`).
    """
    outputs = outputs or results.outputs
    rule = rule or AdequacyRule()
    rows: list[dict] = []
    values = results.runs[outputs].to_numpy(dtype=float)
    parts = rate_parts(outputs, results.runs.columns)
    counts = {o: (results.runs[p[0]].to_numpy(dtype=float), results.runs[p[1]].to_numpy(dtype=float))
              for o, p in parts.items()}
    keys = pair_keys_of(results.runs)
    for pid, label, cells in results.cells():
        base = cells.get(results.baseline)
        if base is None:
            continue
        for s in results.scenarios:
            pos = cells.get(s.name)
            if s.name == results.baseline or pos is None:
                continue
            ia, ib = pair_positions(keys[pos], keys[base])
            if len(ia):
                new = effect_rows(s.name, pid, label, outputs, values[pos[ia]], values[base[ib]], rule,
                                  results.horizon, "summary")
                for row in new:
                    if row["output"] in counts:
                        num, den = counts[row["output"]]
                        row.update(count_split(num[pos[ia]], den[pos[ia]], num[base[ib]], den[base[ib]],
                                               parts[row["output"]]))
                rows += new
    return pd.DataFrame(rows)


def monthly_effects(results: Results, outputs: tuple[str, ...] | list[str] | None = None,
                    months: tuple[int, ...] = MONTHLY_HORIZONS, rule: AdequacyRule | None = None) -> pd.DataFrame:
    """Paired differences of monthly outputs at intermediate horizons (months 12, 24, ...), same columns as
    :func:`paired_effects` with ``source`` = "monthly"; empty when no monthly series were stored."""
    mon = results.monthly
    if mon is None or mon.empty:
        return pd.DataFrame()
    outputs = [o for o in (outputs or MONTHLY_HEADLINE) if o in mon.columns]
    rule = rule or AdequacyRule()
    rows: list[dict] = []
    for month in months:
        at = mon[mon["month"] == month]
        if at.empty:
            continue
        groups = [(POOLED_POINT, "all", at)] if results.pooled else [
            (int(pid), _label(results, int(pid)), g) for pid, g in at.groupby("point_id", sort=True)]
        for pid, label, g in groups:
            names = g["scenario"].to_numpy()
            b = g[names == results.baseline]
            for s in results.scenarios:
                if s.name == results.baseline:
                    continue
                pa, pb = paired_arrays(g[names == s.name], b, outputs)
                if len(pa):
                    rows += effect_rows(s.name, pid, label, outputs, pa, pb, rule, int(month), "monthly")
    return pd.DataFrame(rows)


def _label(results: Results, pid: int) -> str:
    lab = results.runs.loc[results.runs["point_id"] == pid, "point_label"]
    return str(lab.iloc[0]) if len(lab) else f"p{pid}"


BAND_OUTPUTS = ("signed_capital", "arrived_capital", "cohort_fulfilment_rate_12m", FULFILMENT, START_RATE,
                "cohort_capital_arrival_rate_24m", "jobs")
"""Monthly series drawn with their bands across replications (:func:`monthly_bands`)."""


def monthly_bands(results: Results, outputs: tuple[str, ...] = BAND_OUTPUTS) -> pd.DataFrame:
    """Mean of monthly series across replications with the 95% t-interval of the mean and the 5-95% range.

    Columns: scenario, point_id, month, output, n, mean, ci_low, ci_high, p05, p95. Empty without monthly data.
    """
    mon = results.monthly
    if mon is None or mon.empty:
        return pd.DataFrame()
    outputs = tuple(o for o in outputs if o in mon.columns)
    mon = mon.copy()
    if results.pooled:
        mon["point_id"] = POOLED_POINT
    g = mon.groupby(["scenario", "point_id", "month"], sort=True)[list(outputs)]
    n = g.count()
    mean = g.mean()
    sd = g.std(ddof=1)
    q05 = g.quantile(0.05)
    q95 = g.quantile(0.95)
    frames = []
    for out in outputs:
        nn = n[out].to_numpy(float)
        tq = np.where(nn > 1, special.stdtrit(np.maximum(nn - 1, 1), 0.5 + CI_LEVEL / 2), np.nan)
        half = tq * sd[out].to_numpy(float) / np.sqrt(np.maximum(nn, 1))
        f = pd.DataFrame({"output": out, "n": nn.astype(int), "mean": mean[out].to_numpy(float)}, index=mean.index)
        f["ci_low"] = f["mean"] - half
        f["ci_high"] = f["mean"] + half
        f["p05"] = q05[out].to_numpy(float)
        f["p95"] = q95[out].to_numpy(float)
        frames.append(f.reset_index())
    return pd.concat(frames, ignore_index=True)
