"""Benchmark of ``sim optimise`` (not a test): wall time of the CI-sized search, and the cost of one run of
the full setting, from which the full search's time on 2 cores (and on a Dask cluster) is estimated.

Usage: ``.venv/bin/python benchmarks/bench_optimise.py [--file experiments/optimise/ci.toml] [--workers 2]
[--full experiments/optimise/allocation.toml] [--probe-runs 4]``. The CI search must finish within two minutes on 2 cores.
Results are written to a temporary folder and printed; nothing under results/ is touched.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--file", default="experiments/optimise/ci.toml")
    ap.add_argument("--full", default="experiments/optimise/allocation.toml")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--probe-runs", type=int, default=4, help="runs of the full setting timed for the estimate")
    args = ap.parse_args()

    from sim.experiment.optimise import load_optimise, optimise
    from sim.experiment.seeds import replication_seed
    from sim.model import simulate

    spec = load_optimise(args.file)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = optimise(spec, Path(tmp) / "out", engine="process", workers=args.workers, progress=False,
                       log=lambda m: None)
        wall = time.perf_counter() - t0
    print(f"CI search {spec.name}: {res.summary['candidates']} candidates, {res.runs} runs, {wall:.1f} s wall "
          f"on {args.workers} workers ({'within' if wall <= 120 else 'OVER'} the 2-minute budget)")

    full = load_optimise(args.full)
    scen = full.scenario.with_overrides({**full.overrides, **full.decode(np.full(full.n_var, 0.5)), **full.futures[0]},
                                        source="benchmark")
    times = []
    for r in range(args.probe_runs):
        t0 = time.perf_counter()
        simulate(scen, seed=replication_seed(full.root_seed, r), horizon=full.horizon_months)
        times.append(time.perf_counter() - t0)
    per_run = float(np.median(times))
    n = full.n_runs
    print(f"full setting {full.name}: {full.describe()}")
    print(f"  one run {per_run:.2f} s (median of {len(times)}); {n} runs ~ {n * per_run / 3600:.1f} CPU-hours: "
          f"~{n * per_run / args.workers / 3600:.1f} h on {args.workers} cores; a generation's "
          f"{full.population * full.runs_per_candidate} runs spread over a Dask cluster's workers, so k workers take "
          f"about {n * per_run / 3600:.1f}/k h (generations run one after the other)")


if __name__ == "__main__":
    main()
