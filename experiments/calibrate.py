"""Calibrate the baseline to the pipeline rates of the Lanzhou fair cohorts (CALIBRATION.md, section A).

Usage:
    python experiments/calibrate.py [--seeds 8] [--evaluations 150] [--out results/calibration]
    python experiments/calibrate.py --check [--seeds 20]   # measure the current defaults only

Fits the parameters that no source pins down (sim.calibration.FREE) with scipy's
bounded Nelder-Mead on common seeds, then writes results/calibration/fit.json
(fitted values, error before and after in percentage points, the seeds, model
rates against targets) and prints a report. The same seeds give the same fit.
Copy the fitted values into sim/params.py (their source says "calibrated").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.calibration import FREE, TARGETS, calibrate, check_report, write_fit
from sim.scenario import load_scenario


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="scenarios/baseline.toml")
    ap.add_argument("--seeds", type=int, default=8, help="replications per evaluation (common seeds 1..N)")
    ap.add_argument("--evaluations", type=int, default=150, help="largest number of objective evaluations")
    ap.add_argument("--out", default="results/calibration")
    ap.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a parameter first (e.g. run.n_investors=3000)")
    ap.add_argument("--check", action="store_true", help="only measure the scenario against the targets (no fitting)")
    args = ap.parse_args(argv)
    from sim.cli import parse_sets

    spec = load_scenario(args.scenario, overrides=parse_sets(args.set, "--set"))
    seeds = list(range(1, args.seeds + 1))
    if args.check:
        print(check_report(spec, seeds))
        return 0
    print(f"calibrating {', '.join(FREE)} on {len(seeds)} seeds, at most {args.evaluations} evaluations", file=sys.stderr)

    def progress(n: int, err: float) -> None:
        print(f"  evaluation {n:>4}: error {err:6.2f} pp", file=sys.stderr)

    fit = calibrate(spec, seeds, args.evaluations, progress=progress)
    write_fit(fit, Path(args.out))
    print(f"objective {fit.error_before:.2f} -> rate error {fit.error_after:.2f} pp (root mean square over {len(TARGETS)} rates), "
          f"{fit.evaluations} evaluations, {fit.seconds:.0f} s")
    for k, v in fit.values.items():
        print(f"  {k:<32} {fit.start[k]:>8.4f} -> {v:>8.4f}")
    for k, r in fit.rates.items():
        print(f"  {k:<28} model {100 * r['model_mean']:5.1f}% (sd {100 * r['model_sd']:4.1f})  target {100 * r['target']:5.1f}%")
    print(f"  diagnosis penalty {fit.penalty_after:.2f} pp; post-signing withdrawal shares of serious projects: "
          + ", ".join(f"{k} {100 * v:.0f}%" for k, v in (fit.withdrawal_shares or {}).items()))
    print(f"written {Path(args.out) / 'fit.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
