"""Do the strategies' effects hold under plausible parameters? The main comparison re-run on posterior draws.

Reads a second experiment (``experiments/main_uncertainty.toml``, written by ``experiments/calibrate.py``):
every scenario of the main comparison at parameter sets drawn from the calibration's posterior (one design
point per draw), paired across scenarios by seed. For each scenario and headline output:

- ``d`` per draw: the scenario's value minus the baseline's at that draw (mean over replications);
- ``share_same_sign``: the share of draws whose ``d`` has the sign of the main effect (the effect at the
  calibrated central point, from the main experiment); for an effect whose 95% interval covers zero, the
  share of draws whose ``d`` is positive (``reference_sign`` 0);
- ``holds``: the share is at least :data:`HOLDS_SHARE` (90%) for an effect distinguishable from zero.
  An effect that does not hold is reported as uncertain: under some plausible parameter sets it goes the
  other way.

A draw's difference carries the noise of its replications as well as the parameters' uncertainty, so
``share_same_sign`` understates how robust an effect is; it cannot overstate it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.data import Results
from sim.stats import HEADLINE_OUTPUTS

HOLDS_SHARE = 0.9


def rule_text(lang: str = "en") -> str:
    """The rule in words."""
    if lang == "zh":
        return (f"在校准后验的各组参数下重算与基线之差：同向的组数不少于 {HOLDS_SHARE:.0%} 视为稳健，"
                "否则视为方向不确定（每组差值还含一次重复的随机误差，因此这一比例偏保守）。")
    return (f"the difference from the baseline re-computed at each posterior draw of the parameters: an effect holds "
            f"when at least {HOLDS_SHARE:.0%} of the draws go its way, else its direction is uncertain (each draw's "
            f"difference also carries the noise of its replication, so the share is conservative)")


def draw_differences(draws: Results, outputs: tuple[str, ...] | list[str] = HEADLINE_OUTPUTS) -> pd.DataFrame:
    """Per scenario, draw (design point) and output: scenario minus baseline, averaged over paired replications.

    Columns: scenario, point_id, output, d, n_pairs."""
    outputs = [o for o in outputs if o in draws.runs.columns]
    keys = ["point_id", "replication"]
    runs = draws.runs[["scenario", *keys, *outputs]]  # the columns needed, not the whole summary
    rows = []
    for s in draws.scenarios:
        if draws.is_baseline(s.name):
            continue
        base = runs[runs["scenario"] == draws.baseline_of(s.name)].set_index(keys)[outputs]
        a = runs[runs["scenario"] == s.name].set_index(keys)[outputs]
        common = a.index.intersection(base.index)
        if not len(common):
            continue
        diff = (a.loc[common] - base.loc[common]).groupby(level="point_id")
        mean, count = diff.mean(), diff.count()
        means, counts = mean[outputs].to_numpy(float), count[outputs].reindex(mean.index).to_numpy()
        for i, pid in enumerate(mean.index):
            for j, o in enumerate(outputs):
                rows.append({"scenario": s.name, "point_id": int(pid), "output": o, "d": float(means[i, j]),
                             "n_pairs": int(counts[i, j])})
    return pd.DataFrame(rows)


def robustness(draws: Results, main_effects: pd.DataFrame, outputs: tuple[str, ...] | list[str] = HEADLINE_OUTPUTS,
               point_id: int | None = None) -> pd.DataFrame:
    """Whether each main effect keeps its sign across the posterior draws.

    ``main_effects`` is :func:`sim.analysis.effects.paired_effects` of the main experiment (its first design
    point unless ``point_id``). Columns: scenario, output, effect, significant, reference_sign, draws,
    share_same_sign, n_same_sign, d_median, d_p10, d_p90, holds.
    """
    diffs = draw_differences(draws, outputs)
    if diffs.empty or main_effects is None or main_effects.empty:
        return pd.DataFrame()
    eff = main_effects[(main_effects["source"] == "summary") & main_effects["output"].isin(outputs)]
    pid = point_id if point_id is not None else int(eff["point_id"].min())
    eff = eff[eff["point_id"] == pid].set_index(["scenario", "output"])
    rows = []
    for (scen, out), g in diffs.groupby(["scenario", "output"], sort=False):
        d = g["d"].to_numpy(float)
        d = d[np.isfinite(d)]
        if (scen, out) not in eff.index or not d.size:
            continue
        e = eff.loc[(scen, out)]
        significant = bool(e["significant"])
        ref = int(np.sign(e["effect"])) if significant else 0
        same = int(np.sum(np.sign(d) == ref)) if ref else int(np.sum(d > 0))
        share = same / d.size
        rows.append({"scenario": scen, "output": out, "effect": float(e["effect"]), "significant": significant,
                     "reference_sign": ref, "draws": int(d.size), "n_same_sign": same, "share_same_sign": share,
                     "d_median": float(np.median(d)), "d_p10": float(np.quantile(d, 0.1)),
                     "d_p90": float(np.quantile(d, 0.9)), "holds": bool(significant and share >= HOLDS_SHARE)})
    return pd.DataFrame(rows)
