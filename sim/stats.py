"""Statistics that both the experiments and the analysis need: t-intervals, quantiles, the adequacy rule, effects.

Effects are paired: replication *r* of every scenario and design point uses the same seed (common random
numbers), so the effect of a scenario is estimated from the paired differences ``d_r = y(scenario, point, r)
- y(baseline, point, r)`` by the t-interval ``mean(d) +- t(0.975, n - 1) * sd(d) / sqrt(n)``.

Replication check (:class:`AdequacyRule`): an interval is *adequate* when its half-width is at most
``target = max(relative * |effect|, tolerance)``, the tolerance being ``rate_tolerance`` (in rate units:
0.01 = 1 percentage point) for rates and shares, and ``level_tolerance * |baseline mean|`` for counts and
money. Otherwise about ``n_needed = ceil(n * (half_width / target)^2)`` pairs would be needed (the
half-width shrinks like ``1 / sqrt(n)``). The adaptive replications of an experiment apply it to the
headline outputs after each round; the analysis reports it for every output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from sim.model import registry

CI_LEVEL = 0.95
"""Confidence level of every interval the simulator reports."""

FULFILMENT = registry.FULFILMENT
"""履约率, the headline rate of signed cohorts (``sim.model.registry``)."""
START_RATE = registry.START_RATE
"""开工率 of the same cohort (``sim.model.registry``)."""
CAPITAL_ARRIVAL = registry.CAPITAL_ARRIVAL
"""资金到位率 of the same cohort (``sim.model.registry``)."""
HEADLINE_OUTPUTS = registry.HEADLINE
"""The outputs the briefing leads with (``sim.model.registry``)."""


def is_rate(output: str) -> bool:
    """True for outputs on a 0-1 scale (rates, shares, indices): shown in percent, compared in percentage points.
    The registry says which they are (``sim.model.registry``), not the output's name."""
    return registry.is_rate(output)


@dataclass(frozen=True)
class AdequacyRule:
    """When are there enough replications? Half-width at most max(relative * |effect|, tolerance)."""

    relative: float = 0.5
    rate_tolerance: float = 0.01
    level_tolerance: float = 0.05

    def text(self, lang: str = "en") -> str:
        """The rule in words."""
        if lang == "zh":
            return (f"置信区间半宽不超过 max({self.relative:.0%} × |效应|, 容差) 即视为重复次数足够；容差对比率为 "
                    f"{self.rate_tolerance * 100:g} 个百分点，对数量和金额为基线均值的 {self.level_tolerance:.0%}；"
                    f"否则所需配对数约为 n × (半宽 / 目标)²。")
        return (f"replications suffice when the 95% half-width is at most max({self.relative:.0%} of |effect|, "
                f"tolerance); tolerance = {self.rate_tolerance * 100:g} percentage point(s) for rates and shares, "
                f"{self.level_tolerance:.0%} of the baseline mean for counts and money; otherwise about "
                f"n_needed = ceil(n * (half_width / target)^2) pairs are needed")

    def target(self, output: str, effect: float, baseline_mean: float) -> float:
        """The half-width the interval of ``output`` should not exceed."""
        tol = self.rate_tolerance if is_rate(output) else self.level_tolerance * abs(baseline_mean)
        return max(self.relative * abs(effect), tol)


def t_interval(x: np.ndarray, level: float = CI_LEVEL) -> dict[str, float]:
    """Mean, standard deviation, standard error, t-interval and two-sided p-value (mean = 0) of a sample."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    nan = float("nan")
    if n == 0:
        return {"n": 0, "mean": nan, "sd": nan, "se": nan, "half_width": nan, "ci_low": nan, "ci_high": nan, "p_value": nan}
    mean = float(x.mean())
    if n < 2:
        return {"n": n, "mean": mean, "sd": nan, "se": nan, "half_width": nan, "ci_low": nan, "ci_high": nan, "p_value": nan}
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(n)
    # scipy.stats.t's ppf and sf are these special functions behind much argument checking (thousands of calls).
    half = float(special.stdtrit(n - 1, 0.5 + level / 2) * se)
    if se > 0:
        p = float(2 * special.stdtr(n - 1, -(abs(mean) / se)))
    else:
        p = 1.0 if mean == 0 else 0.0
    return {"n": n, "mean": mean, "sd": sd, "se": se, "half_width": half, "ci_low": mean - half,
            "ci_high": mean + half, "p_value": p}


def column_intervals(x: np.ndarray, level: float = CI_LEVEL) -> dict[str, np.ndarray]:
    """:func:`t_interval` of every column of ``x`` (rows x columns) over its finite values: the same numbers,
    column by column, as arrays (the mean and standard deviation of a column are taken over its values in
    the same order, so equal to the last bit). Columns without missing values are done together."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"column_intervals: expected a 2-D array (rows x columns), found {x.ndim} dimension(s)")
    rows, cols = x.shape
    out = {k: np.full(cols, np.nan) for k in ("mean", "sd", "se", "half_width", "ci_low", "ci_high", "p_value")}
    out["n"] = np.isfinite(x).sum(axis=0)
    full = np.flatnonzero(out["n"] == rows)
    for j in np.flatnonzero(out["n"] < rows):  # a column with missing values: its finite values alone
        for k, v in t_interval(x[:, j], level).items():
            out[k][j] = v
    if rows == 0 or not full.size:
        return out
    xt = np.ascontiguousarray(x[:, full].T)  # one column per row, its values in order: as t_interval sums them
    mean = xt.mean(axis=1)
    out["mean"][full] = mean
    if rows < 2:
        return out
    sd = xt.std(axis=1, ddof=1)
    se = sd / math.sqrt(rows)
    half = special.stdtrit(rows - 1, 0.5 + level / 2) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(se > 0, 2 * special.stdtr(rows - 1, -(np.abs(mean) / se)), np.where(mean == 0, 1.0, 0.0))
    for k, v in (("sd", sd), ("se", se), ("half_width", half), ("ci_low", mean - half), ("ci_high", mean + half),
                 ("p_value", p)):
        out[k][full] = v
    return out


def quantiles(x: np.ndarray, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> list[float]:
    """Empirical quantiles of the finite values of ``x`` (NaN when there are none)."""
    x = x[np.isfinite(x)]
    if not x.size:
        return [float("nan")] * len(qs)
    return [float(v) for v in np.quantile(x, qs)]


def column_quantiles(x: np.ndarray, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> np.ndarray:
    """:func:`quantiles` of every column of ``x`` (len(qs) x columns): the same numbers, columns without missing
    values done together."""
    x = np.asarray(x, dtype=float)
    out = np.full((len(qs), x.shape[1]), np.nan)
    whole = np.isfinite(x).all(axis=0)
    full = np.flatnonzero(whole)
    if full.size and len(x):
        out[:, full] = np.quantile(np.ascontiguousarray(x[:, full].T), qs, axis=1)
    for j in np.flatnonzero(~whole):
        out[:, j] = quantiles(x[:, j], qs)
    return out


def effect_rows(scenario: str, pid: int, label: str, outputs: list[str], a: np.ndarray, b: np.ndarray,
                rule: AdequacyRule, horizon: int, source: str) -> list[dict]:
    """Effect records of one scenario and point from paired arrays ``a`` (scenario) and ``b`` (baseline)."""
    a = np.asarray(a, dtype=float).reshape(len(a), len(outputs))
    b = np.asarray(b, dtype=float).reshape(len(b), len(outputs))
    d = a - b
    st = column_intervals(d)
    ok = np.isfinite(d)
    whole = ok.all(axis=0)
    nan = float("nan")
    # Means and variances of each side over the pairs whose difference is finite (all pairs in most columns).
    base_mean, scen_mean, unpaired = (np.full(len(outputs), nan) for _ in range(3))
    full = np.flatnonzero(whole)
    if full.size and len(d):
        at, bt = np.ascontiguousarray(a[:, full].T), np.ascontiguousarray(b[:, full].T)
        base_mean[full], scen_mean[full] = bt.mean(axis=1), at.mean(axis=1)
        if len(d) > 1:
            unpaired[full] = at.var(axis=1, ddof=1) + bt.var(axis=1, ddof=1)
    for j in np.flatnonzero(~whole):
        k = ok[:, j]
        if k.any():
            base_mean[j], scen_mean[j] = float(np.mean(b[k, j])), float(np.mean(a[k, j]))
        if k.sum() > 1:
            unpaired[j] = float(np.var(a[k, j], ddof=1) + np.var(b[k, j], ddof=1))
    rows = []
    for j, out in enumerate(outputs):
        mean, half, sd = float(st["mean"][j]), float(st["half_width"][j]), float(st["sd"][j])
        target = rule.target(out, mean, float(base_mean[j])) if np.isfinite(mean) else nan
        adequate = bool(np.isfinite(half) and half <= target + 1e-12)
        n = int(st["n"][j])
        if adequate:
            n_needed = n
        elif np.isfinite(half) and target > 0:
            n_needed = int(math.ceil(n * (half / target) ** 2))
        else:
            n_needed = None
        up = float(unpaired[j])
        vr = sd ** 2 / up if np.isfinite(up) and up > 0 else nan
        bm = float(base_mean[j])
        rel = abs(half / mean) if np.isfinite(half) and mean not in (0.0,) and np.isfinite(mean) else nan
        lo, hi = float(st["ci_low"][j]), float(st["ci_high"][j])
        rows.append({
            "scenario": scenario, "point_id": pid, "point_label": label, "output": out,
            "horizon_months": horizon, "source": source, "rate": is_rate(out),
            "n": n, "mean_scenario": float(scen_mean[j]), "mean_baseline": bm,
            "effect": mean, "sd_diff": sd, "se": float(st["se"][j]), "ci_low": lo, "ci_high": hi,
            "half_width": half, "p_value": float(st["p_value"][j]),
            "relative_effect": mean / bm if bm not in (0.0,) and np.isfinite(bm) else nan,
            "significant": bool(np.isfinite(lo) and (lo > 0 or hi < 0)),
            "rel_half_width": rel, "target_half_width": target, "adequate": adequate, "n_needed": n_needed,
            "variance_ratio": vr,
        })
    return rows


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """Quantile ``q`` of ``x`` under weights ``w`` (the smallest x whose cumulative weight reaches q)."""
    order = np.argsort(x, kind="stable")
    cw = np.cumsum(np.asarray(w, float)[order])
    cw /= cw[-1]
    return float(np.asarray(x)[order][np.searchsorted(cw, q - 1e-12)])


def systematic_resample(weights: np.ndarray, k: int, seed) -> np.ndarray:
    """Rows of ``k`` draws from a weighted sample (a posterior's particles) by their weights: systematic
    resampling, in shuffled order, reproducible from ``seed`` (an integer or a ``numpy.random.SeedSequence``)."""
    rng = np.random.default_rng(seed)
    w = np.asarray(weights, float)
    w = w / w.sum()
    u = (rng.random() + np.arange(k)) / k
    idx = np.minimum(np.searchsorted(np.cumsum(w), u), len(w) - 1)
    rng.shuffle(idx)
    return idx
