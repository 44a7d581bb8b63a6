"""How stable is the Morris screening's ranking? Run it at two root seeds and compare the rankings.

Runs ``experiments/sensitivity_morris.toml`` (or ``--experiment FILE``) twice, with its own root seed and with
``--other-seed``, each into its own folder under ``results/``, computes the Morris indices of the headline outputs
(``sim.analysis.sensitivity``) and prints, for each output, the two rankings of the parameters by mu*, Spearman's
rank correlation between them and whether the most influential parameter is the same. A screening whose ranking
changes with the seed has too few trajectories; one whose ranking holds has enough.

Usage: python experiments/morris_stability.py [--experiment FILE] [--other-seed N] [--workers N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from sim.analysis.data import load_results
from sim.analysis.sensitivity import indices
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment

ROOT = Path(__file__).resolve().parent.parent


def rankings(folder: Path) -> dict[str, list[tuple[str, float]]]:
    """Per headline output: parameters by descending mu* (with mu*)."""
    table, _, _ = indices(load_results(folder))
    out = {}
    for output, grp in table.groupby("output", sort=False):
        grp = grp.sort_values("mu_star", ascending=False)
        out[str(output)] = list(zip(grp["parameter"], grp["mu_star"], strict=True))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiment", default=str(ROOT / "experiments" / "sensitivity_morris.toml"))
    ap.add_argument("--other-seed", type=int, default=20240605)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    exp = load_experiment(args.experiment)
    ranks = []
    for seed in (exp.root_seed, args.other_seed):
        text = exp.text.replace(f"root_seed = {exp.root_seed}", f"root_seed = {seed}")
        path = Path(args.experiment).with_name(f".{exp.name}_seed{seed}.toml")
        path.write_text(text, encoding="utf-8")
        try:
            e = load_experiment(path)
            out = ROOT / "results" / f"{exp.name}_seed{seed}"
            report = run_experiment(e, out, workers=args.workers, progress=False, force=True)
            print(f"seed {seed}: {e.describe()}: {report.done_now} runs in {report.seconds:.0f} s", file=sys.stderr)
        finally:
            path.unlink()
        ranks.append(rankings(out))
    stable = True
    for output in ranks[0]:
        a, b = ranks[0][output], ranks[1][output]
        names = [p for p, _ in a]
        pos_b = {p: i for i, (p, _) in enumerate(b)}
        rho = float(stats.spearmanr(np.arange(len(names)), [pos_b[p] for p in names]).statistic)
        same_top = a[0][0] == b[0][0]
        stable &= same_top
        print(f"{output}: Spearman {rho:+.2f}, same most influential parameter: {same_top}")
        for i, ((pa, ma), (pb, mb)) in enumerate(zip(a, b, strict=True)):
            print(f"  {i + 1}. {pa:<32s} {ma:10.4g}    {pb:<32s} {mb:10.4g}")
    print(f"most influential parameter the same for every output at both seeds: {stable}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
