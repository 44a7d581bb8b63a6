"""What a calibration's posterior says: identifiability (contraction and verdict per parameter), correlations,
the posterior predictive check against every figure, and why serious signed projects withdrew.

Contraction of a parameter = 1 - posterior variance / prior variance (on the prior's scale, log10 for log priors): 1 when the
figures pin it down, 0 when the posterior is the prior. Verdicts: "pinned down" at 0.75 or more, "narrowed"
from 0.3, "not identified" below (the data say little; the default rests on the prior's middle).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration import priors, targets
from sim.calibration.inference import Posterior
from sim.model.stages import REASONS
from sim.stats import weighted_quantile

PINNED = 0.75
NARROWED = 0.3
STRONG_CORRELATION = 0.4


def verdict(contraction: float) -> str:
    """'pinned down', 'narrowed' or 'not identified'."""
    if contraction >= PINNED:
        return "pinned down"
    return "narrowed" if contraction >= NARROWED else "not identified"


def identifiability(post: Posterior) -> pd.DataFrame:
    """Prior and posterior of each parameter, the contraction and the verdict."""
    z = post.prior_scale()
    w = post.weights / post.weights.sum()
    rows = []
    for p in priors.PRIORS:
        lo, hi = p.bounds
        prior_var = (hi - lo) ** 2 / 12.0
        x = z[p.key].to_numpy(float)
        mean = float(np.sum(w * x))
        var = float(np.sum(w * (x - mean) ** 2))
        v = post.values[p.key].to_numpy(float)
        c = 1.0 - var / prior_var
        rows.append({"parameter": p.key, "prior": p.describe(), "prior_low": p.low, "prior_high": p.high,
                     "median": weighted_quantile(v, post.weights, 0.5), "p05": weighted_quantile(v, post.weights, 0.05),
                     "p95": weighted_quantile(v, post.weights, 0.95), "contraction": c, "verdict": verdict(c),
                     "reason": p.reason})
    return pd.DataFrame(rows)


def correlations(post: Posterior) -> pd.DataFrame:
    """Weighted correlation matrix of the posterior on the priors' scales (parameters x parameters)."""
    z = post.prior_scale()[[p.key for p in priors.PRIORS]].to_numpy(float)
    w = post.weights / post.weights.sum()
    mean = w @ z
    d = z - mean
    cov = (d * w[:, None]).T @ d
    sd = np.sqrt(np.maximum(np.diag(cov), 1e-300))
    keys = [p.key for p in priors.PRIORS]
    return pd.DataFrame(cov / np.outer(sd, sd), index=keys, columns=keys)


def strong_pairs(corr: pd.DataFrame, threshold: float = STRONG_CORRELATION) -> list[dict]:
    """Pairs of parameters whose posterior correlation is at least ``threshold`` in size, strongest first."""
    keys = list(corr.index)
    out = [{"a": a, "b": b, "r": float(corr.loc[a, b])} for i, a in enumerate(keys) for b in keys[i + 1:]
           if abs(corr.loc[a, b]) >= threshold]
    return sorted(out, key=lambda r: -abs(r["r"]))


def ppc_table(draw_stats: list[dict], point_stats: list[dict]) -> pd.DataFrame:
    """Every target against the model on the reported scale: 90% interval over posterior draws, the central
    point's mean and standard deviation, and whether the figure lies in the interval."""
    rows = []
    for t in targets.TARGETS:
        k = targets.REPORTED_PREFIX + t.key
        d = np.array([s[k] for s in draw_stats if k in s], float)
        c = np.array([s[k] for s in point_stats if k in s], float)
        true_key = targets.MODEL_KEY[t.key]
        tr = np.array([s[true_key] for s in point_stats if true_key in s], float)
        lo, hi = (float(np.quantile(d, 0.05)), float(np.quantile(d, 0.95))) if d.size else (np.nan, np.nan)
        rows.append({
            "target": t.key, "label_en": t.label_en, "label_zh": t.label_zh, "value": t.value, "unit": t.unit,
            "fitted": t.fitted, "upper_bound": t.upper_bound, "tolerance": t.tolerance, "source": t.source, "note": t.note,
            "predictive_mean": float(d.mean()) if d.size else np.nan, "predictive_p05": lo, "predictive_p95": hi,
            "covered": bool(lo <= t.value <= hi) if d.size else False,
            "central_mean": float(c.mean()) if c.size else np.nan,
            "central_sd": float(c.std(ddof=1)) if c.size > 1 else np.nan,
            "central_true_mean": float(tr.mean()) if tr.size else np.nan,
            "central_z": float((c.mean() - t.value) / t.tolerance) if c.size else np.nan,
        })
    return pd.DataFrame(rows)


def withdrawal_finding(draw_stats: list[dict]) -> pd.DataFrame:
    """Why serious signed projects withdrew, over posterior draws: mean share and 90% interval per reason."""
    rows = []
    for r in REASONS:
        x = np.array([s.get(f"withdrawal_share_{r}", np.nan) for s in draw_stats], float)
        x = x[np.isfinite(x)]
        if x.size:
            rows.append({"reason": r, "share_mean": float(x.mean()), "share_p05": float(np.quantile(x, 0.05)),
                         "share_p95": float(np.quantile(x, 0.95))})
    return pd.DataFrame(rows).sort_values("share_mean", ascending=False).reset_index(drop=True)
