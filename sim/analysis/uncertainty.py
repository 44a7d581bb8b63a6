"""Where an effect over the posterior depends on one parameter: the effect at its land-scarce and land-rich ends.

When an experiment runs over the calibration's posterior (``parameters = "posterior"``,
:mod:`sim.experiment.posterior`), replication r of every scenario runs at posterior draw r, so each effect and its
interval already carry parameter uncertainty. What one interval cannot show is an effect that goes one way where
land is scarce and another where it is plentiful. :func:`ends` splits the paired differences by where the
replication's draw of a parameter lies (by default ``platform.county_land_mu_per_year``, the county land quota a
year): in the posterior's lowest fifth (the land-scarce end) or its highest fifth (the land-rich end), the bounds
the manifest stores. For each scenario, design point and headline output it gives the effect with its 95%
t-interval at each end, and ``differs`` when both ends have two pairs or more and their intervals do not overlap
(the sign or the size differs between the ends beyond their intervals).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.data import Results, pair_keys_of, pair_positions
from sim.experiment.posterior import VALUE_PREFIX
from sim.stats import HEADLINE_OUTPUTS, t_interval

LAND = "platform.county_land_mu_per_year"
"""The parameter whose ends the briefing shows: the county land quota a year (亩 a year)."""
END_NAMES = ("scarce", "rich")


def applies(results: Results, key: str = LAND) -> bool:
    """True when the runs were drawn from the posterior and the manifest bounds the ends of ``key``."""
    post = results.manifest.get("posterior") or {}
    return bool(post.get("ends", {}).get(key)) and VALUE_PREFIX + key in results.runs.columns


def rule_text(lang: str = "en") -> str:
    """The rule in words."""
    if lang == "zh":
        return ("缺地与地多两端：按各次重复所抽县域年度用地指标落在后验最低或最高五分之一划分；两端的 95% 区间不重叠时"
                "视为效果取决于用地")
    return ("the land-scarce and land-rich ends: the replications whose draw of the county land quota lies in the "
            "posterior's lowest or highest fifth; an effect depends on land when the two ends' 95% intervals do not "
            "overlap")


def ends(results: Results, outputs: tuple[str, ...] | list[str] = HEADLINE_OUTPUTS, key: str = LAND) -> pd.DataFrame:
    """The effect of each scenario at the two ends of ``key``'s posterior, and whether they differ.

    Columns: scenario, point_id, output, low_bound, high_bound, then for each end (``scarce``: draws at or below
    ``low_bound``; ``rich``: at or above ``high_bound``) ``<end>_n`` (pairs), ``<end>_effect``, ``<end>_ci_low``,
    ``<end>_ci_high`` (in the output's units; rates as fraction differences); and ``differs``. Empty when the runs
    were not drawn from the posterior."""
    if not applies(results, key):
        return pd.DataFrame()
    low, high = (float(b) for b in results.manifest["posterior"]["ends"][key])
    outputs = [o for o in outputs if o in results.runs.columns]
    runs = results.runs
    value = runs[VALUE_PREFIX + key].to_numpy(float)
    masks = {"scarce": value <= low, "rich": value >= high}
    keys = pair_keys_of(runs)
    rows = []
    for pid, _, cells in results.cells():
        for s in results.scenarios:
            base_name = results.baseline_of(s.name)
            if s.name == base_name or s.name not in cells or base_name not in cells:
                continue
            a, b = cells[s.name], cells[base_name]
            ia, ib = pair_positions(keys[a], keys[b])
            pa, pb = a[ia], b[ib]
            row = {"scenario": s.name, "point_id": pid, "low_bound": low, "high_bound": high}
            for out in outputs:
                y = runs[out].to_numpy(float)
                d = y[pa] - y[pb]
                r = dict(row, output=out)
                for end in END_NAMES:
                    ci = t_interval(d[masks[end][pa]])
                    r.update({f"{end}_n": ci["n"], f"{end}_effect": ci["mean"], f"{end}_ci_low": ci["ci_low"],
                              f"{end}_ci_high": ci["ci_high"]})
                apart = r["scarce_ci_high"] < r["rich_ci_low"] or r["rich_ci_high"] < r["scarce_ci_low"]
                r["differs"] = bool(r["scarce_n"] >= 2 and r["rich_n"] >= 2 and apart)
                rows.append(r)
    return pd.DataFrame(rows)


def share_of_draws(results: Results, key: str = LAND) -> dict[str, float]:
    """The share of the replications in each end (about a fifth each, by the posterior's weights)."""
    if not applies(results, key):
        return {}
    low, high = (float(b) for b in results.manifest["posterior"]["ends"][key])
    by_rep = results.runs.groupby("replication")[VALUE_PREFIX + key].first().to_numpy(float)
    return {"scarce": float(np.mean(by_rep <= low)), "rich": float(np.mean(by_rep >= high))}
