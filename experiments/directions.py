"""Which way each shipped strategy moves the headline outcomes against the baseline, with 95% intervals.

Usage: python experiments/directions.py [--seeds 12]

Runs the baseline and every strategy at full size on common seeds and prints a Markdown table of the paired
differences (mean and 95% t-interval) in the cohort 履约率 (projects building or operating 24 months after
signing, in points), the cohort 开工率 (projects started within 24 months of signing, points), the cohort
capital-arrival rate at 24 months (points), jobs at the horizon, the honouring rate (points) and projects signed. docs/ODD.md section 8 records its output; rerun it after a model or
calibration change.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import stats

from sim.model import simulate
from sim.scenario import load_scenario

STRATEGIES = ("positioning", "platforms", "soft_environment", "channels", "leadership", "combined",
              "neutral_positioning", "neutral_platforms", "neutral_soft_environment", "neutral_channels",
              "neutral_leadership", "neutral_combined")
OUTCOMES = (("cohort_fulfilment_rate_24m", "履约率 24m (pp)", 100.0), ("cohort_start_rate_24m", "开工率 24m (pp)", 100.0),
            ("cohort_capital_arrival_rate_24m", "capital arrival 24m (pp)", 100.0),
            ("jobs", "jobs", 1.0), ("honouring_rate", "honouring (pp)", 100.0), ("signed_projects", "signed", 1.0))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=12, help="paired replications (seeds 0..N-1)")
    args = ap.parse_args(argv)
    seeds = range(args.seeds)
    base = [simulate(load_scenario("scenarios/baseline.toml"), seed=s).summary for s in seeds]
    print("| strategy | " + " | ".join(label for _, label, _ in OUTCOMES) + " |")
    print("|---" * (len(OUTCOMES) + 1) + "|")
    print("| baseline (level) | " + " | ".join(f"{np.mean([b[k] for b in base]) * f:.1f}" for k, _, f in OUTCOMES) + " |")
    for name in STRATEGIES:
        runs = [simulate(load_scenario(f"scenarios/{name}.toml"), seed=s).summary for s in seeds]
        cells = []
        for key, _, f in OUTCOMES:
            d = np.array([r[key] - b[key] for r, b in zip(runs, base, strict=True)]) * f
            half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
            cells.append(f"{d.mean():+.1f} [{d.mean() - half:+.1f}, {d.mean() + half:+.1f}]")
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
