"""Guard for speed work: the model's numbers must not change when its code is made faster.

Records the end-of-run summary (what ``summary.json`` holds) and the monthly table of the
baseline and combined scenarios for seeds 1-3 at the default size over 60 months, and checks
a later version of the code against the record: exact equality, or a relative difference
below 1e-9 for floating-point values whose summation order may change.

Usage:
  python benchmarks/regression_numbers.py record [--out FILE]   # write the reference numbers
  python benchmarks/regression_numbers.py check  [--ref FILE]   # compare the current code with them

The reference file (default ``benchmarks/regression_numbers.json``) is written by the version of
the code whose numbers are calibrated; ``check`` exits 1 and lists the differences if any.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from sim.model import simulate
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline", "combined")
SEEDS = (1, 2, 3)
MONTHS = 60
REL_TOL = 1e-9
DEFAULT_REF = ROOT / "benchmarks" / "regression_numbers.json"


def _plain(x):
    """JSON-ready copy of a summary or monthly value (floats kept exactly via repr)."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_plain(v) for v in list(x)]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    return x


def numbers() -> dict:
    """{scenario/seed: {"summary": ..., "monthly": ...}} for the guarded runs."""
    out = {}
    for name in SCENARIOS:
        spec = load_scenario(ROOT / "scenarios" / f"{name}.toml", {"run.horizon_months": MONTHS})
        for seed in SEEDS:
            res = simulate(spec, seed=seed)
            out[f"{name}/{seed}"] = {"summary": _plain(res.summary),
                                     "monthly": {k: _plain(v) for k, v in res.monthly.items()}}
    return out


def differences(ref, new, path: str = "") -> list[str]:
    """Where ``new`` differs from ``ref`` beyond the tolerance."""
    if isinstance(ref, dict):
        if not isinstance(new, dict):
            return [f"{path}: not a table"]
        gone = sorted(set(ref) - set(new))
        if gone:  # an output the reference has is missing; an output added since is not a change of numbers
            return [f"{path}: keys missing: {', '.join(gone)}"]
        return [d for k in ref for d in differences(ref[k], new[k], f"{path}.{k}" if path else k)]
    if isinstance(ref, list):
        if not isinstance(new, list) or len(ref) != len(new):
            return [f"{path}: lengths differ"]
        return [d for i, (a, b) in enumerate(zip(ref, new, strict=True)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(ref, float) or isinstance(new, float):
        if isinstance(ref, (int, float)) and isinstance(new, (int, float)):
            if ref == new or (math.isnan(ref) and math.isnan(new)):
                return []
            if abs(new - ref) <= REL_TOL * max(abs(ref), abs(new)):
                return []
        return [f"{path}: {ref!r} -> {new!r}"]
    return [] if ref == new else [f"{path}: {ref!r} -> {new!r}"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("record", "check"))
    ap.add_argument("--out", "--ref", dest="ref", type=Path, default=DEFAULT_REF)
    args = ap.parse_args()
    new = numbers()
    if args.action == "record":
        args.ref.write_text(json.dumps(new, indent=None, sort_keys=True))
        print(f"recorded {len(new)} runs in {args.ref}")
        return 0
    ref = json.loads(args.ref.read_text())
    diff = differences(ref, json.loads(json.dumps(new)))
    exact = json.dumps(ref, sort_keys=True) == json.dumps(json.loads(json.dumps(new)), sort_keys=True)
    if diff:
        print(f"{len(diff)} differences from {args.ref}:")
        for d in diff[:int(__import__("os").environ.get("SHOW", 40))]:
            print("  " + d)
        return 1
    print(f"same numbers as {args.ref}: {len(new)} runs ({'bit for bit' if exact else f'within {REL_TOL:g} relative'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
