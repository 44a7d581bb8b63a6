"""Whether the calibration record still describes the model: a fingerprint of the model, and its fit run again.

The record (``sim/calibrated_baseline.json``) says what the posterior's central point gave on the calibration's
own seeds (``fit``: each figure's mean over the central point's replications, on the reported scale). It goes
stale when the model changes under it. Two checks, cheapest first:

1. **Fingerprint.** A hash of the model's code files and of the baseline's parameter defaults
   (:func:`model_fingerprint`; the calibrated parameters aside, since adopting a posterior sets them, and the
   record itself aside). Equal to the one the record carries: the record describes this model.
2. **Reproduction.** Otherwise (a changed file, or a record older than fingerprints), the central point is run
   again on the record's seeds (:func:`reproduce`) and every fitted figure's mean must come back within
   :data:`TOLERANCE_UNITS` of the figure's tolerance of what the record says. The same seeds give the same draws,
   so a change that keeps the numbers (a faster loop, a renamed function) reproduces the fit exactly; one that
   moves them by half a unit has moved the fit by more than the calibration can be trusted to have absorbed.

A record is stale when both fail (:func:`check_record`); the remedy is ``python experiments/calibrate.py``.
A record without a fingerprint (written before fingerprints) is checked by reproduction alone, on the seeds its
setting gave the central point (:data:`LEGACY_REPRODUCTION`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration import priors, targets

ROOT = Path(__file__).resolve().parents[2]
MODEL_FILES = ("sim/model/*.py", "sim/params.py", "sim/region.py", "sim/scenario.py", "sim/calibration/priors.py",
               "sim/calibration/targets.py", "sim/calibration/patterns.py", "regions/regions.toml",
               f"regions/{targets.CALIBRATION_REGION}/*.toml", "scenarios/baseline.toml")
"""What the fit depends on, relative to the project: the model's code, the parameters' definitions and defaults,
the region's files, the baseline scenario, and how a run is measured and compared. Not the record."""
BASELINE = "scenarios/baseline.toml"
TOLERANCE_UNITS = 0.5
"""How far a figure's mean may come back from the recorded one, in the figure's tolerance units."""
REMEDY = "re-run python experiments/calibrate.py"

LEGACY_REPRODUCTION = {
    "scenario": BASELINE, "horizon_months": 48, "overrides": {},
    "seeds": [int(np.random.SeedSequence(20240611, spawn_key=(1002, r)).generate_state(1)[0] % (2**31 - 1))
              for r in range(10)],
}
"""How a record without ``reproduction`` was made: experiments/calibration/full.toml as it then was (root seed
20240611, 10 replications of the central point, seeded as ``sim.calibration.report`` seeds them; no overrides, the
calibration's 48 months)."""


def model_fingerprint(root: Path = ROOT) -> dict[str, Any]:
    """The model's fingerprint: ``sha256`` of the files of :data:`MODEL_FILES` (each path and its bytes, in path
    order) and of the baseline's resolved parameter defaults with the calibrated ones set aside; ``files`` how
    many files it read."""
    from sim.scenario import load_scenario

    h = hashlib.sha256()
    files = sorted({p for pattern in MODEL_FILES for p in root.glob(pattern) if p.is_file()})
    for p in files:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    fixed = {p.key: p.low for p in priors.MODEL_PRIORS}
    defaults = load_scenario(root / BASELINE).with_overrides(fixed, source="fingerprint").config_hash()
    h.update(defaults.encode())
    return {"sha256": h.hexdigest(), "files": len(files), "defaults": defaults}


def reproduction_plan(record: dict) -> dict[str, Any]:
    """How to run the record's central point again: scenario, horizon, overrides and seeds (the record's own, or
    :data:`LEGACY_REPRODUCTION` for a record written before it kept them)."""
    return dict(record.get("reproduction") or LEGACY_REPRODUCTION)


def _reported_fit(stats: dict[str, float], row: dict, factor: float) -> float | None:
    """A fit row's figure measured on a run, on the scale the record compared it on (the row's ``upper_bound``)."""
    t = targets.BY_KEY.get(row["target"])
    if t is None or t.statistic not in stats:
        return None
    v = stats[t.statistic]
    if row.get("upper_bound"):
        v = v * factor
        if t.unit == "share":
            v = min(1.0, v)
    return float(v)


def reproduce(record: dict, root: Path = ROOT) -> dict[str, float]:
    """Each fitted figure of the record's ``fit``, measured again: the central point (``values``, with the
    recorded over-reporting factor) run on the plan's seeds, the mean over them (NaN where a run cannot measure
    the figure)."""
    from sim.calibration.inference import run_statistics
    from sim.scenario import load_scenario

    plan = reproduction_plan(record)
    spec = load_scenario(root / plan["scenario"], overrides=plan["overrides"] or None)
    spec = spec.with_overrides({"run.horizon_months": int(plan["horizon_months"])})
    factor = float(record.get("over_reporting") or 1.0)
    values = {k: v for k, v in record["values"].items() if k != priors.OVER_REPORTING}
    runs = [run_statistics(spec, values, int(s)) for s in plan["seeds"]]
    out: dict[str, float] = {}
    for row in record.get("fit", []):
        if not row.get("fitted"):
            continue
        got = [_reported_fit(r, row, factor) for r in runs]
        out[row["target"]] = float(np.mean(got)) if all(g is not None for g in got) else float("nan")
    return out


@dataclass
class Verdict:
    """What :func:`check_record` found: whether the fingerprint is the record's (None when the record has none),
    whether the fit was reproduced (None when it was not run), and each fitted figure's gap in tolerance units."""

    path: str
    fingerprint_same: bool | None
    reproduced: bool | None
    gaps: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # target -> (recorded, now, units)

    @property
    def stale(self) -> bool:
        """True when the model changed (or the record cannot tell) and the fit is not reproduced."""
        return not self.fingerprint_same and not self.reproduced

    def message(self) -> str:
        """One line for people: the record, what changed, the worst gap and the remedy."""
        if not self.stale:
            how = "its fingerprint matches" if self.fingerprint_same else "its fit is reproduced"
            return f"{self.path}: the calibration record describes the model ({how})"
        changed = ("the record has no fingerprint of the model" if self.fingerprint_same is None
                   else "the model changed since the calibration (its fingerprint differs)")
        key, (was, now, units) = max(self.gaps.items(), key=lambda kv: _units(kv[1][2]))
        return (f"{self.path}: key 'fit.{key}': expected the recorded {was:.4g} within {TOLERANCE_UNITS} tolerance "
                f"units, found {now:.4g} ({units:+.2f} units; {changed}); {REMEDY}")


def _units(x: float) -> float:
    return abs(x) if np.isfinite(x) else np.inf


def check_record(record: dict, path: str = "sim/calibrated_baseline.json", root: Path = ROOT) -> Verdict:
    """Is the calibration record stale? Compares fingerprints; when they differ or the record has none, runs the
    record's central point again (:func:`reproduce`) and compares every fitted figure with the record."""
    recorded = (record.get("fingerprint") or {}).get("sha256")
    same = None if recorded is None else recorded == model_fingerprint(root)["sha256"]
    if same:
        return Verdict(path, True, None)
    fresh = reproduce(record, root)
    gaps = {}
    for row in record.get("fit", []):
        if row["target"] not in fresh or row["target"] not in targets.BY_KEY:
            continue
        tol = targets.BY_KEY[row["target"]].tolerance
        gaps[row["target"]] = (row["central_mean"], fresh[row["target"]],
                               (fresh[row["target"]] - row["central_mean"]) / tol)
    ok = bool(gaps) and all(_units(g[2]) <= TOLERANCE_UNITS for g in gaps.values())
    return Verdict(path, same, ok, gaps)
