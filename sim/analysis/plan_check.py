"""Does a plan's recommendation hold over the plausible effect of what it cuts? A check of ``sim optimise``'s results.

The plan search (:mod:`sim.experiment.optimise`) writes, per future, the sampled assumptions and what the chosen
allocation and the scenario give in it (``futures.csv``, paired by replication). For the budget lever the plan
cuts most, the check takes the futures' assumptions of the mechanism that says how much that lever buys
(:data:`sim.experiment.assumptions.LEVER_MECHANISMS`: for the incentive fund, the incentive's pull and the
withdrawals when a promise is broken), fits the plan's advantage over the futures against each of them (a straight
line, each on the scale of its sampled range) and predicts the advantage at the end of the range least favourable
to the plan, with a 95% t-interval. The recommendation *holds* when that interval lies above 0, *fails* when it
lies below 0 and is *not shown to hold* otherwise.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as st

from sim.experiment.assumptions import LEVER_MECHANISMS, group_of
from sim.model.registry import higher_is_better
from sim.stats import CI_LEVEL

VERDICTS = ("holds", "fails", "not_shown")


def _line(u: np.ndarray, a: np.ndarray, at: float) -> tuple[float, float, float]:
    """Prediction of ``a`` at ``u = at`` from the least-squares line on ``u``, with its 95% t half-width and the
    slope."""
    x = np.column_stack([np.ones(len(u)), u])
    coef, *_ = np.linalg.lstsq(x, a, rcond=None)
    dof = len(a) - 2
    resid = a - x @ coef
    s2 = float(resid @ resid) / dof if dof > 0 else float("nan")
    v = np.array([1.0, at])
    se = math.sqrt(max(0.0, s2 * float(v @ np.linalg.pinv(x.T @ x) @ v))) if dof > 0 else float("nan")
    half = float(st.t.ppf(0.5 + CI_LEVEL / 2, dof)) * se if dof > 0 else float("nan")
    return float(v @ coef), half, float(coef[1])


def lever_check(opt_dir: str | Path) -> dict | None:
    """The check of the lever the plan in ``opt_dir`` cuts most: the lever, its cut in 万元 a year, the objective,
    the futures, the assumption whose least favourable end gives the lowest predicted advantage, that end's value,
    the predicted difference (optimum minus scenario, in the objective's unit) with its 95% interval, the share of
    futures where the plan is no worse (overall and in the unfavourable half of that assumption's range), and the
    verdict (one of :data:`VERDICTS`). None when the results lack the tables, the plan cuts no lever with a mechanism, or the
    futures vary none of its assumptions."""
    opt_dir = Path(opt_dir)
    files = [opt_dir / n for n in ("summary.json", "allocation.csv", "futures.csv")]
    if not all(f.is_file() for f in files):
        return None
    summ = json.loads(files[0].read_text(encoding="utf-8"))
    alloc, fut = pd.read_csv(files[1]), pd.read_csv(files[2])
    obj = summ["objectives"][0]
    alloc = alloc[alloc["lever"].isin(list(LEVER_MECHANISMS))].copy()
    if alloc.empty:
        return None
    alloc["delta"] = alloc["wan_yuan_per_year"] - alloc["scenario_wan_yuan_per_year"]
    cut = alloc.sort_values("delta").iloc[0]
    if not cut["delta"] < 0:
        return None
    mechanism = LEVER_MECHANISMS[str(cut["lever"])]
    keys = [k for k in fut.columns if group_of(k) == mechanism and fut[k].nunique() > 1]
    adv_col = f"optimum_minus.{obj}"
    if not keys or adv_col not in fut or len(fut) < 3:
        return None
    sign = 1.0 if higher_is_better(obj) else -1.0  # the advantage, larger = better
    a = sign * fut[adv_col].to_numpy(float)
    best = None
    for k in keys:
        x = fut[k].to_numpy(float)
        lo, hi = float(x.min()), float(x.max())
        u = (x - lo) / (hi - lo)
        _, _, slope = _line(u, a, 0.0)
        end = 1.0 if slope < 0 else 0.0  # the end of the range where the plan does worse
        pred, half, _ = _line(u, a, end)
        if best is None or pred < best["prediction"]:
            worse_half = u >= 0.5 if end == 1.0 else u <= 0.5
            best = {"parameter": k, "value": hi if end == 1.0 else lo, "low": lo, "high": hi, "prediction": pred,
                    "half_width": half, "slope_over_range": slope,
                    "share_not_worse_there": float(np.mean(a[worse_half] >= 0))}
    assert best is not None
    lo_ci, hi_ci = best["prediction"] - best["half_width"], best["prediction"] + best["half_width"]
    verdict = "holds" if lo_ci > 0 else ("fails" if hi_ci < 0 else "not_shown")
    ends = sorted((sign * lo_ci, sign * hi_ci))
    return {"lever": str(cut["lever"]), "cut_wan_yuan_per_year": float(-cut["delta"]), "mechanism": mechanism,
            "objective": obj, "futures": int(len(fut)), "share_not_worse": float(np.mean(a >= 0)), **best,
            "optimum_minus": sign * best["prediction"], "ci_low": ends[0], "ci_high": ends[1], "verdict": verdict}
