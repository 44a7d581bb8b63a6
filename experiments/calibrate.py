"""Calibrate the baseline by ABC-SMC: the posterior of the parameters no source pins down, given the Gansu figures.

Usage:
    python experiments/calibrate.py                      # full setting (experiments/calibration/full.toml), resumes
    python experiments/calibrate.py --ci                 # the small CI setting (experiments/calibration/ci.toml)
    python experiments/calibrate.py SETTING.toml [--fresh] [--engine process|serial|dask] [--workers N]
    python experiments/calibrate.py --check [--seeds 20] # the current defaults against every figure, no fitting

Runs ABC-SMC (pyabc) on the project's executors with a progress bar; the history is a SQLite database under
results/calibration/<setting>/, so an interrupted run resumes from its last finished generation when the
same command is run again (--fresh starts over). Then it runs the posterior predictive check and writes
the posterior sample, the check (table and chart), the identifiability report and calibration.json
(provenance) into that folder. With the full setting it then adopts the posterior's central point as the
shipped baseline: sim/calibrated_baseline.json (read by sim/params.py; its posterior sample is what experiments
with parameters = "posterior", experiments/main.toml among them, draw from), docs/PARAMETERS.md and the calibration
block of docs/ODD.md. After a model change this
one command recalibrates. The same root seed gives the same posterior on any engine and number of workers.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "experiments" / "calibration" / "full.toml"
CI = ROOT / "experiments" / "calibration" / "ci.toml"
EXIT_USAGE = 2


def _progress_bar(setting, quiet: bool):
    """A tqdm bar over simulations (the budget is the total), with the generation and acceptances."""
    if quiet:
        return None, None
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the process pool may fork after the bar exists
    bar = tqdm(total=setting.max_simulations, unit="run", desc="calibration", dynamic_ncols=True)
    seen: dict[int, int] = {}

    def update(t: int, evaluated: int, accepted: int, n: int) -> None:
        step = evaluated - seen.get(t, 0)
        seen[t] = evaluated
        bar.update(step)
        bar.set_postfix_str(f"generation {t}: {accepted}/{n} accepted")

    return bar, update


def check(seeds: int, scenario: str) -> int:
    """Print the current defaults against every figure (reported scale at the recorded over-reporting factor)."""
    import numpy as np

    from sim.calibration import patterns, targets
    from sim.calibration.inference import run_statistics
    from sim.params import calibration_record
    from sim.scenario import load_scenario

    spec = load_scenario(scenario).with_overrides({"run.horizon_months": targets.HORIZON})
    factor = float(calibration_record().get("over_reporting") or 1.0)
    runs = [targets.reported(run_statistics(spec, {}, s), factor) for s in range(1, seeds + 1)]
    print(f"{spec.name}: {seeds} replications; reported scale with over-reporting factor {factor:.3f}")
    print(f"{'figure':<58} {'fitted':>6} {'target':>8} {'mean':>8} {'sd':>6} {'z':>6}")
    for t in targets.TARGETS:
        x = np.array([r[targets.REPORTED_PREFIX + t.key] for r in runs])
        f = 100.0 if t.unit == "share" else 1.0
        print(f"{t.label_en:<58} {'yes' if t.fitted else 'no':>6} {f * t.value:>8.1f} {f * x.mean():>8.1f} "
              f"{f * x.std(ddof=1):>6.1f} {(x.mean() - t.value) / t.tolerance:>+6.2f}")
    print(f"\n{'pattern (the essay diagnosis)':<70} {'bound':>13} {'mean':>12} {'met':>6}")
    for p in patterns.PATTERNS:
        x = np.array([r[targets.REPORTED_PREFIX + patterns.PREFIX + p.key] for r in runs])
        met = sum(p.met(v) for v in x)
        bound = ("≥ " if p.at_least else "≤ ") + patterns.format_value(p.threshold, p.unit)
        print(f"{p.problem + ' ' + p.label_en:<70} {bound:>13} {patterns.format_value(x.mean(), p.unit):>12} "
              f"{met:>3}/{len(x)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("setting", nargs="?", help=f"setting file (default {FULL.relative_to(ROOT)})")
    ap.add_argument("--ci", action="store_true", help=f"the small CI setting ({CI.relative_to(ROOT)}); never adopts")
    ap.add_argument("--fresh", action="store_true", help="start over instead of resuming")
    ap.add_argument("--out", help="output folder (default results/calibration/<setting name>)")
    ap.add_argument("--engine", default="process", help="serial, process (default) or dask")
    ap.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    ap.add_argument("--scheduler", help="address of a Dask scheduler (implies --engine dask)")
    ap.add_argument("--adopt", action=argparse.BooleanOptionalAction, default=None,
                    help="make the central point the shipped baseline (default: only with the full setting)")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    ap.add_argument("--check", action="store_true", help="only measure the current defaults against the figures")
    ap.add_argument("--seeds", type=int, default=20, help="replications for --check (default 20)")
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.toml"), help="scenario for --check")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.seeds, args.scenario)

    from sim.calibration import report
    from sim.calibration.inference import load_setting, run_abc
    from sim.errors import ScenarioError
    from sim.experiment.executors import make_executor

    logging.getLogger("ABC").setLevel(logging.WARNING)
    path = CI if args.ci else Path(args.setting or FULL)
    try:
        setting = load_setting(path)
    except (ScenarioError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    adopt = args.adopt if args.adopt is not None else (not args.ci and path.resolve() == FULL)
    if args.ci and args.adopt:
        print("error: --adopt: expected the full setting, found --ci (the CI posterior means nothing)", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out) if args.out else Path("results") / "calibration" / setting.name
    executor = make_executor(args.engine, args.workers, args.scheduler, scratch=out / "dask-scratch")
    if hasattr(executor, "start"):
        executor.start()
    print(f"calibration {setting.describe()}; {executor.describe()} -> {out}", file=sys.stderr)
    bar, update = _progress_bar(setting, args.quiet)
    t0 = time.perf_counter()
    try:
        run = run_abc(setting, out, executor, fresh=args.fresh, progress=update,
                      log=lambda m: print(m, file=sys.stderr))
        if bar is not None:
            bar.close()
        rec = report.finish(setting, run, out, executor, log=lambda m: print(m, file=sys.stderr))
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume from the last finished generation", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
        executor.close()
    gens = rec["generations"]
    print(f"{len(gens)} generations, {rec['simulations_stored']:,} simulations stored "
          f"({rec['simulations_evaluated']:,} evaluated), final threshold {gens[-1]['epsilon']:.3f}, "
          f"{(time.perf_counter() - t0) / 60:.1f} min this session")
    for r in rec["identifiability"]:
        print(f"  {r['parameter']:<36} median {r['median']:<10.4g} 90% {r['p05']:.4g}-{r['p95']:.4g}  {r['verdict']}")
    fitted = [r for r in rec["ppc"] if r["fitted"]]
    print(f"posterior predictive: {sum(r['covered'] for r in fitted)} of {len(fitted)} fitted figures in the 90% interval; "
          f"report {out / 'report.md'}")
    if adopt:
        for f in report.adopt(rec, out, ROOT):
            print(f"adopted: {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
