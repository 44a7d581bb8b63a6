"""Does the baseline settle? Its yearly figures over a long run, and after a spin-up: the measurement that sets
``run.spinup_months`` (docs/ODD.md, Initialisation).

For each setting, the shipped baseline (full size) runs on paired seeds; the table gives per year the mean signings,
signed capital, arrived capital (亿元), jobs added, the budget (万元) and the tax paid, and the ratio of year 5 to
year 1 of the first four with its 95% interval over the seeds (the steady-state test asks at most 10% apart).

  python experiments/steady_state.py                         # the shipped setting, years 1-5, 12 seeds
  python experiments/steady_state.py --spinup 0 --years 20   # a cold start over twenty years
  python experiments/steady_state.py --set budget.tax_years=50 --set behaviour.outside_growth=0
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.cli import parse_sets  # noqa: E402
from sim.experiment.seeds import replication_seed  # noqa: E402
from sim.model import simulate  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.stats import t_interval  # noqa: E402

FIGURES = ("signings", "signed_capital", "arrived_capital", "jobs_added")
"""The yearly figures the steady-state test compares (year 5 against year 1)."""
ROOT_SEED = 20261201


def yearly(monthly: dict[str, np.ndarray], years: int) -> dict[str, np.ndarray]:
    """Each year's signings, signed and arrived capital (亿元), jobs added, budget (万元) and tax (万元) of a monthly
    table that starts at month 0."""
    ends = np.arange(years + 1) * 12

    def per_year(col: str) -> np.ndarray:
        return np.diff(np.asarray(monthly[col], dtype=float)[ends])

    return {"signings": per_year("signed_projects"), "signed_capital": per_year("signed_capital") / 1e4,
            "arrived_capital": per_year("arrived_capital") / 1e4, "jobs_added": per_year("jobs"),
            "budget": per_year("budget_total"), "tax": per_year("tax_revenue")}


def run(args: tuple[dict, int, int]) -> dict[str, np.ndarray]:
    """One paired seed of the shipped baseline with ``overrides``, its yearly figures."""
    overrides, years, r = args
    spec = load_scenario(ROOT / "scenarios" / "baseline.toml", {**overrides, "run.horizon_months": 12 * years})
    return yearly(simulate(spec, seed=replication_seed(ROOT_SEED, r)).monthly, years)


def measure(overrides: dict, years: int, seeds: int, workers: int = 2) -> dict[str, np.ndarray]:
    """Yearly figures (seeds x years) of the baseline with ``overrides``."""
    with ProcessPoolExecutor(workers) as pool:
        runs = list(pool.map(run, [(overrides, years, r) for r in range(seeds)]))
    return {k: np.array([x[k] for x in runs]) for k in runs[0]}


def ratios(y: dict[str, np.ndarray], last: int = 5) -> dict[str, tuple[float, float, float]]:
    """Year ``last`` over year 1 of each figure of :data:`FIGURES`: the ratio of the means and its 95% interval
    (a t-interval of the paired differences, divided by the mean of year 1)."""
    out = {}
    for k in FIGURES:
        first, other = y[k][:, 0], y[k][:, last - 1]
        d = t_interval(other - first)
        base = float(first.mean())
        out[k] = (1 + d["mean"] / base, 1 + d["ci_low"] / base, 1 + d["ci_high"] / base)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spinup", type=int, default=None, help="run.spinup_months (default: the shipped value)")
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=12)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    overrides = parse_sets(args.set, "--set")
    if args.spinup is not None:
        overrides["run.spinup_months"] = args.spinup
    y = measure(overrides, args.years, args.seeds, args.workers)
    print(f"baseline, {overrides or 'shipped'}, {args.seeds} seeds: mean per year")
    print("year " + " ".join(f"{k:>15}" for k in y))
    for i in range(args.years):
        print(f"{i + 1:>4} " + " ".join(f"{y[k][:, i].mean():15.1f}" for k in y))
    if args.years >= 5:
        for k, (mid, lo, hi) in ratios(y).items():
            print(f"year 5 / year 1, {k}: {mid:.3f} ({lo:.3f}-{hi:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
