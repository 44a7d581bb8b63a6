"""Times one generation of the calibration and extrapolates to the full setting; says which patterns the prior meets.

Usage: python benchmarks/bench_calibration.py [--population 60] [--investors 12000 4000] [--horizon 48]
                                             [--workers 2] [--setting experiments/calibration/full.toml]

For each market size it runs generation 0 of ABC-SMC (the prior predictive sample: every draw accepted, so its
cost is exactly ``population`` simulations) with the given population on the process pool, and reports the wall
time per simulation and the CPU seconds per simulation. It extrapolates the full setting's cost from them: the
simulations of later generations are ``population / acceptance`` each, the acceptance of generation ``g >= 1``
taken from the shipped calibration record's generations (about 0.4 at a threshold quantile of 0.5), at most the
setting's ``max_simulations``. ``--horizon`` times longer runs (a warm-started model runs more months per
particle). The same runs give the share of prior draws that meet each pattern of sim/calibration/patterns.py:
a pattern no prior draw meets cannot be reached by the calibration's parameters alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FULL = ROOT / "experiments" / "calibration" / "full.toml"
FALLBACK_ACCEPTANCE = 0.4


def acceptance_of_later_generations() -> float:
    """Mean acceptance of generations 1, 2, ... in the shipped calibration record (a fallback when none)."""
    from sim.params import calibration_record

    src = calibration_record().get("source", {})
    gens = calibration_record().get("generations") or []
    acc = [g["acceptance"] for g in gens[1:] if g.get("acceptance")]
    if not acc and src.get("population") and src.get("simulations_stored") and src.get("generations", 0) > 1:
        pop = src["population"]
        acc = [pop * (src["generations"] - 1) / max(src["simulations_stored"] - pop, 1)]
    return float(np.mean(acc)) if acc else FALLBACK_ACCEPTANCE


def one_generation(population: int, investors: int, horizon: int, workers: int) -> dict:
    """Generation 0 of a calibration at this market size: wall and CPU seconds, and the pattern statistics."""
    import pyabc

    from sim.calibration import patterns, targets
    from sim.calibration.inference import load_setting, run_abc
    from sim.experiment.executors import make_executor

    logging.getLogger("ABC").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.toml"
        path.write_text(f"""[calibration]
name = "bench"
scenario = "{(ROOT / 'scenarios' / 'baseline.toml').as_posix()}"
population = {population}
generations = 1
max_simulations = {population}
quantile = 0.5
kernel_scaling = 2.0
root_seed = 11
ppc_draws = 2
point_replications = 2
uncertainty_draws = 1
[overrides]
"run.n_investors" = {investors}
""", encoding="utf-8")
        setting = load_setting(path)
        if horizon != targets.HORIZON:
            targets.HORIZON = horizon  # the runs' length only: the measurement windows stay
        ex = make_executor("process", workers)
        t0 = time.perf_counter()
        try:
            run = run_abc(setting, Path(tmp) / "out", ex, log=lambda m: None)
        finally:
            ex.close()
        wall = time.perf_counter() - t0
        h = pyabc.History(f"sqlite:///{run.db.resolve()}")
        h.id = run.run_id
        _, stats = h.get_weighted_sum_stats(t=0)
    cpu = float(np.mean([s["cpu_seconds"] for s in stats]))
    prefix = targets.REPORTED_PREFIX + patterns.PREFIX
    met = {p.key: float(np.mean([p.met(s[prefix + p.key]) for s in stats])) for p in patterns.PATTERNS}
    every = float(np.mean([all(p.met(s[prefix + p.key]) for p in patterns.PATTERNS) for s in stats]))
    return {"investors": investors, "population": population, "wall_seconds": wall,
            "wall_per_simulation": wall / population, "cpu_per_simulation": cpu, "prior_meets": met,
            "prior_meets_every_pattern": every}


def extrapolate(per_sim_wall: float, setting, acceptance: float) -> dict:
    """Simulations and wall minutes of the full setting at this cost per simulation."""
    sims = setting.population * (1 + (setting.generations - 1) / acceptance)
    sims = min(sims, setting.max_simulations + setting.population / acceptance)
    extra = setting.ppc_draws + setting.point_replications
    return {"simulations": sims, "minutes": (sims + extra) * per_sim_wall / 60}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=60, help="particles of the timed generation (default 60)")
    ap.add_argument("--investors", type=int, nargs="+", default=[12000, 4000], help="market sizes to time")
    ap.add_argument("--horizon", type=int, default=48, help="months per run (default 48, the calibration's)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--setting", default=str(FULL), help="the setting to extrapolate to")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)
    from sim.calibration.inference import load_setting

    setting = load_setting(args.setting)
    acc = acceptance_of_later_generations()
    print(f"extrapolating to {setting.describe()}; acceptance of later generations {acc:.2f} "
          f"(from the shipped record)")
    out = []
    for n in args.investors:
        r = one_generation(args.population, n, args.horizon, args.workers)
        r.update(extrapolate(r["wall_per_simulation"], setting, acc))
        out.append(r)
        print(f"{n:>6,} prospects x {args.horizon} months: {r['wall_per_simulation']:.3f} s wall and "
              f"{r['cpu_per_simulation']:.3f} CPU s per simulation on {args.workers} workers; full setting about "
              f"{r['simulations']:,.0f} simulations, {r['minutes']:.0f} minutes")
        print("  share of prior draws meeting each pattern: " + ", ".join(
            f"{k} {100 * v:.0f}%" for k, v in r["prior_meets"].items())
            + f"; every pattern {100 * r['prior_meets_every_pattern']:.0f}%")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
