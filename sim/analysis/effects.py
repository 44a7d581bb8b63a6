"""Effects of strategies: paired differences from the baseline with 95% t-intervals, per design point and along a sweep.

Common random numbers: replication *r* of every scenario and design point
uses the same seed (``sim.experiment.seeds``), so the effect of a scenario is
estimated from the paired differences ``d_r = y(scenario, point, r) -
y(baseline, point, r)``, which carry much less noise than two independent
samples. The t-interval, the adequacy rule and the effect records are
:mod:`sim.stats` (the adaptive replications of an experiment apply the same
rule); this module applies them to a stored experiment.

A design whose points are kept apart (a list or a factorial sweep) has an effect per point; its points are named
by the values they set (:func:`point_table`), and a sweep's effects and levels, placed at the swept value, make
its response curve (:func:`response_curve`). Sample designs (Latin hypercube, Sobol', Morris) pool every point
(:func:`pooled_text` says so).
A rate is shown with the counts it divides: for every rate the registry gives a
numerator and a denominator (``sim.model.registry.Output.parts``: projects
fulfilled over projects signed...), its effect row carries their paired changes
and the exact split of the rate's change into the part from each
(:func:`sim.analysis.decompose.ratio_split`), so a rate that rises because fewer
projects were signed says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from sim.analysis.data import MONTHLY_HEADLINE, POOLED_POINT, Results, pair_keys_of, pair_positions
from sim.analysis.decompose import ratio_split
from sim.errors import ScenarioError
from sim.model import registry
from sim.paramdoc import param_doc, param_label, param_unit
from sim.scenario import load_scenario
from sim.stats import (
    CI_LEVEL,
    FULFILMENT,
    START_RATE,
    AdequacyRule,
    column_intervals,
    column_quantiles,
    effect_rows,
    t_interval,
)

MONTHLY_HORIZONS = (12, 24, 36, 48, 60)
"""Months at which :func:`monthly_effects` gives the paired differences of monthly outputs."""


def levels(results: Results, outputs: list[str] | None = None) -> pd.DataFrame:
    """Each scenario's mean of each output with its 95% t-interval and 5/50/95% quantiles over replications.

    Columns: scenario, point_id, point_label, output, n, mean, sd, se, half_width, ci_low, ci_high, p05, p50, p95.
    For sample designs the statistics are over every design point (point_id = -1).
    """
    outputs = outputs or results.outputs
    values = results.runs[outputs].to_numpy(dtype=float)
    rows = []
    for pid, label, cells in results.cells():
        for s in results.scenarios:
            pos = cells.get(s.name)
            if pos is None:
                continue
            x = values[pos]
            st = column_intervals(x)
            q = column_quantiles(x)
            for j, out in enumerate(outputs):
                rows.append({"scenario": s.name, "point_id": pid, "point_label": label, "output": out,
                             "n": int(st["n"][j]), **{k: float(st[k][j]) for k in _LEVEL_STATS},
                             "p05": float(q[0, j]), "p50": float(q[1, j]), "p95": float(q[2, j])})
    return pd.DataFrame(rows)


_LEVEL_STATS = ("mean", "sd", "se", "half_width", "ci_low", "ci_high")


def paired_arrays(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The runs of ``a`` and ``b`` (each at most one per point and replication) that share a point and a
    replication, as two float arrays (pairs x columns) ordered by (point_id, replication)."""
    ia, ib = pair_positions(pair_keys_of(a), pair_keys_of(b))
    return a[columns].to_numpy(dtype=float)[ia], b[columns].to_numpy(dtype=float)[ib]


COUNT_COLUMNS = ("numerator", "denominator", "numerator_effect", "numerator_ci_low", "numerator_ci_high",
                 "denominator_effect", "denominator_ci_low", "denominator_ci_high", "from_numerator",
                 "from_numerator_ci_low", "from_numerator_ci_high", "from_denominator", "from_denominator_ci_low",
                 "from_denominator_ci_high")
"""Columns of a rate's effect row about the counts it divides (NaN or None for other outputs)."""


def rate_parts(outputs: list[str], columns) -> dict[str, tuple[str, str]]:
    """The rates among ``outputs`` whose numerator and denominator (``registry.Output.parts``) are stored columns."""
    out = {}
    for o in outputs:
        d = registry.describe(o)
        if d is not None and d.parts and all(p in columns for p in d.parts):
            out[o] = d.parts
    return out


def count_split(a_num: np.ndarray, a_den: np.ndarray, b_num: np.ndarray, b_den: np.ndarray,
                names: tuple[str, str]) -> dict:
    """The counts beside a rate's paired effect: the paired change of its numerator and of its denominator (with
    95% t-intervals) and the rate's change split into the part from each (:func:`ratio_split`; in rate units)."""
    from_num, from_den = ratio_split(b_num, b_den, a_num, a_den)
    out: dict = {"numerator": names[0], "denominator": names[1]}
    for key, d in (("numerator", a_num - b_num), ("denominator", a_den - b_den), ("from_numerator", from_num),
                   ("from_denominator", from_den)):
        st = t_interval(d)
        col = f"{key}_effect" if key in ("numerator", "denominator") else key
        out[col], out[f"{key}_ci_low"], out[f"{key}_ci_high"] = st["mean"], st["ci_low"], st["ci_high"]
    return out


def paired_effects(results: Results, outputs: list[str] | None = None, rule: AdequacyRule | None = None) -> pd.DataFrame:
    """Effect of every scenario on every output at the experiment horizon: paired difference from the baseline.

    One row per (scenario, design point, output); the baseline itself has no row.
    Columns: scenario, point_id, point_label, output, horizon_months, source ("summary"), rate, n,
    mean_scenario, mean_baseline, effect, sd_diff, se, ci_low, ci_high, half_width, p_value,
    relative_effect, significant, rel_half_width, target_half_width, adequate, n_needed, variance_ratio
    (variance of the paired differences over the variance of an unpaired difference, var(a) + var(b): how much
    common random numbers narrow the interval; 1 means no gain); and, for a rate whose counts are stored
    (:data:`COUNT_COLUMNS`), the names of its numerator and denominator, their paired changes and the two parts of
    the rate's change (:func:`count_split`).
    """
    outputs = outputs or results.outputs
    rule = rule or AdequacyRule()
    rows: list[dict] = []
    values = results.runs[outputs].to_numpy(dtype=float)
    parts = rate_parts(outputs, results.runs.columns)
    counts = {o: (results.runs[p[0]].to_numpy(dtype=float), results.runs[p[1]].to_numpy(dtype=float))
              for o, p in parts.items()}
    keys = pair_keys_of(results.runs)
    for pid, label, cells in results.cells():
        for s in results.scenarios:
            pos, base = cells.get(s.name), cells.get(results.baseline_of(s.name))
            if results.is_baseline(s.name) or pos is None or base is None:
                continue
            ia, ib = pair_positions(keys[pos], keys[base])
            if len(ia):
                new = effect_rows(s.name, pid, label, outputs, values[pos[ia]], values[base[ib]], rule,
                                  results.horizon, "summary")
                for row in new:
                    if row["output"] in counts:
                        num, den = counts[row["output"]]
                        row.update(count_split(num[pos[ia]], den[pos[ia]], num[base[ib]], den[base[ib]],
                                               parts[row["output"]]))
                rows += new
    return pd.DataFrame(rows)


def monthly_effects(results: Results, outputs: tuple[str, ...] | list[str] | None = None,
                    months: tuple[int, ...] = MONTHLY_HORIZONS, rule: AdequacyRule | None = None) -> pd.DataFrame:
    """Paired differences of monthly outputs at intermediate horizons (months 12, 24, ...), same columns as
    :func:`paired_effects` with ``source`` = "monthly"; empty when no monthly series were stored."""
    mon = results.monthly
    if mon is None or mon.empty:
        return pd.DataFrame()
    outputs = [o for o in (outputs or MONTHLY_HEADLINE) if o in mon.columns]
    rule = rule or AdequacyRule()
    rows: list[dict] = []
    for month in months:
        at = mon[mon["month"] == month]
        if at.empty:
            continue
        groups = [(POOLED_POINT, "all", at)] if results.pooled else [
            (int(pid), _label(results, int(pid)), g) for pid, g in at.groupby("point_id", sort=True)]
        for pid, label, g in groups:
            names = g["scenario"].to_numpy()
            for s in results.scenarios:
                if results.is_baseline(s.name):
                    continue
                pa, pb = paired_arrays(g[names == s.name], g[names == results.baseline_of(s.name)], outputs)
                if len(pa):
                    rows += effect_rows(s.name, pid, label, outputs, pa, pb, rule, int(month), "monthly")
    return pd.DataFrame(rows)


def _label(results: Results, pid: int) -> str:
    lab = results.runs.loc[results.runs["point_id"] == pid, "point_label"]
    return str(lab.iloc[0]) if len(lab) else f"p{pid}"


BAND_OUTPUTS = ("signed_capital", "arrived_capital", "cohort_fulfilment_rate_12m", FULFILMENT, START_RATE,
                "cohort_capital_arrival_rate_24m", "jobs")
"""Monthly series drawn with their bands across replications (:func:`monthly_bands`)."""


def monthly_bands(results: Results, outputs: tuple[str, ...] = BAND_OUTPUTS) -> pd.DataFrame:
    """Mean of monthly series across replications with the 95% t-interval of the mean and the 5-95% range.

    Columns: scenario, point_id, month, output, n, mean, ci_low, ci_high, p05, p95. Empty without monthly data.
    """
    mon = results.monthly
    if mon is None or mon.empty:
        return pd.DataFrame()
    outputs = tuple(o for o in outputs if o in mon.columns)
    mon = mon.copy()
    if results.pooled:
        mon["point_id"] = POOLED_POINT
    g = mon.groupby(["scenario", "point_id", "month"], sort=True)[list(outputs)]
    n = g.count()
    mean = g.mean()
    sd = g.std(ddof=1)
    q05 = g.quantile(0.05)
    q95 = g.quantile(0.95)
    frames = []
    for out in outputs:
        nn = n[out].to_numpy(float)
        tq = np.where(nn > 1, special.stdtrit(np.maximum(nn - 1, 1), 0.5 + CI_LEVEL / 2), np.nan)
        half = tq * sd[out].to_numpy(float) / np.sqrt(np.maximum(nn, 1))
        f = pd.DataFrame({"output": out, "n": nn.astype(int), "mean": mean[out].to_numpy(float)}, index=mean.index)
        f["ci_low"] = f["mean"] - half
        f["ci_high"] = f["mean"] + half
        f["p05"] = q05[out].to_numpy(float)
        f["p95"] = q95[out].to_numpy(float)
        frames.append(f.reset_index())
    return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------- design points and the response curve
BARE_UNITS = ("share", "0-1", "probability", "multiplier", "weight", "exponent", "utility", "sd", "elasticity",
              "gamma", "beta", "log", "flag", "switch", "text")
"""Parameter units shown without a unit after the value (fractions, multipliers, indices, switches); '% of capital'
is shown as %, every other unit (months, 万元, mu, persons...) follows the value."""


def value_text(key: str, value: Any, lang: str) -> str:
    """A design parameter's value as people read it, with its unit where it has one (``policy.incentive_rate``
    2.0 -> "2%", a build lag of 6 -> "6 个月" / "6 months", a share 0.45 -> "0.45", a switch -> 是 / yes)."""
    if isinstance(value, bool | np.bool_):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    text = f"{float(value):,.4g}" if abs(float(value)) < 1e4 else f"{float(value):,.0f}"
    unit = value_unit(key, lang)
    return f"{text}{unit}" if unit == "%" else (f"{text} {unit}" if unit else text)


def value_unit(key: str, lang: str) -> str:
    """The unit shown after a design parameter's value ("%", "个月" / "months", "万元"...; '' for fractions,
    multipliers, indices and switches)."""
    unit = str(param_doc(key).get("unit", ""))
    if unit.startswith("%"):
        return "%"
    if not unit or unit.startswith(BARE_UNITS):
        return ""
    return param_unit(key, lang)


def _name_part(key: str, value: Any, lang: str, first: bool = True) -> str:
    """'承诺优惠比例（占投资额）2%' / 'Incentive promised (share of capital) 2%' (in English lower case after the first
    part of a name, unless the label opens with an abbreviation)."""
    label = param_label(key, lang)
    if lang != "zh" and not first and label[1:2].islower():
        label = label[:1].lower() + label[1:]
    gap = "" if lang == "zh" and label.endswith(("）", ")")) else " "
    return f"{label}{gap}{value_text(key, value, lang)}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def point_table(results: Results) -> pd.DataFrame:
    """Every design point of a design that is not pooled, named by the values it sets, in both languages.

    Columns: point_id, point_label (as stored), name_zh, name_en, then one column per design parameter (its value
    at the point; missing where a list design leaves the scenario's value). A point's name joins the parameters
    that vary between points, each as its label (``sim.paramdoc``) and value ("承诺优惠比例（占投资额）2%",
    "Incentive promised (share of capital) 2%"); a list design's own labels are kept as names. Empty for sample
    designs (their effects pool every point) and without a design parameter.
    """
    params = [p for p in results.manifest.get("design", {}).get("parameters", []) if p in results.runs.columns]
    if results.pooled or not params:
        return pd.DataFrame()
    first = results.runs.sort_values(["point_id", "run"]).groupby("point_id", sort=True).head(1)
    varying = [p for p in params if first[p].astype(str).nunique() > 1]
    rows = []
    for _, r in first.iterrows():
        pid, label = int(r["point_id"]), str(r["point_label"])
        row: dict[str, Any] = {"point_id": pid, "point_label": label}
        for lang in ("zh", "en"):
            if label != f"p{pid}":  # a list design's own name for the point
                row[f"name_{lang}"] = label
                continue
            shown = [p for p in (varying or params) if not _missing(r[p])]
            parts = [_name_part(p, r[p], lang, first=i == 0) for i, p in enumerate(shown)]
            row[f"name_{lang}"] = ("，" if lang == "zh" else ", ").join(parts) or label
        for p in params:
            v = r[p]
            row[p] = None if _missing(v) else (v.item() if hasattr(v, "item") else v)
        rows.append(row)
    return pd.DataFrame(rows)


def reference_point(results: Results, points: pd.DataFrame) -> int | None:
    """The design point nearest the baseline scenario's own settings (each parameter's distance over its range
    in the design; a setting that differs counts 1): where the briefing draws the funnel, the withdrawals, the
    costs and capital over time of a sweep. The first point when the baseline's file cannot be read; None
    without points."""
    if points.empty:
        return None
    params = [p for p in results.manifest.get("design", {}).get("parameters", []) if p in points.columns]
    own = _baseline_values(results, params)
    if not own:
        return int(points["point_id"].iloc[0])
    dist = np.zeros(len(points))
    for p in params:
        v = points[p]
        b = own.get(p)
        if isinstance(b, bool) or not isinstance(b, int | float) or not pd.api.types.is_numeric_dtype(v):
            dist += np.array([0.0 if x == b else 1.0 for x in v])
            continue
        x = v.to_numpy(dtype=float)
        span = float(np.nanmax(x) - np.nanmin(x)) if np.isfinite(x).any() else 0.0
        d = np.abs(x - float(b)) / span if span > 0 else np.zeros(len(x))
        dist += np.where(np.isfinite(d), d, 0.0)
    return int(points["point_id"].iloc[int(np.argmin(dist))])


def _baseline_values(results: Results, params: list[str]) -> dict[str, Any]:
    """The baseline scenario's value of each design parameter ({} when its file cannot be read)."""
    entry = next((s for s in results.manifest.get("scenarios", []) if s.get("name") == results.baseline), None)
    path = entry and (entry.get("path") or entry.get("file"))
    if not path:
        return {}
    try:
        tree = load_scenario(path).params.model_dump()
    except (ScenarioError, OSError):
        return {}
    out = {}
    for p in params:
        node: Any = tree
        for part in p.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            out[p] = node
    return out


def curve_axes(points: pd.DataFrame, parameters: list[str]) -> tuple[str, list[str]] | None:
    """The swept parameter of a response curve and the parameters that tell its curves apart, or None when the
    points do not make a curve. The swept parameter is the numeric one with the most distinct values (the first
    in the design on a tie); every other parameter that varies separates one curve from another (a factorial of
    incentive x discipline gives one curve over the incentive per level of discipline). A curve needs distinct
    swept values within each curve and at least one curve of two points or more."""
    if points.empty:
        return None
    varying = [p for p in parameters if p in points.columns and points[p].astype(str).nunique() > 1]
    numeric = [p for p in varying if pd.api.types.is_numeric_dtype(points[p]) and not pd.api.types.is_bool_dtype(points[p])
               and points[p].notna().all()]
    if not numeric:
        return None
    x = max(numeric, key=lambda p: (points[p].nunique(), -varying.index(p)))
    others = [p for p in varying if p != x]
    groups = points.groupby([points[p].astype(str) for p in others], sort=False) if others else [((), points)]
    sizes = []
    for _, g in groups:
        if g[x].duplicated().any():
            return None
        sizes.append(len(g))
    return (x, others) if max(sizes) >= 2 else None


RESPONSE_COLUMNS = ("measure", "scenario", "output", "series", "series_name_zh", "series_name_en", "x_parameter", "x",
                    "point_id", "point_label", "n", "mean", "ci_low", "ci_high", "significant", "adequate")


def response_curve(eff: pd.DataFrame, levels: pd.DataFrame, points: pd.DataFrame,
                   parameters: list[str]) -> pd.DataFrame:
    """The response curve of a sweep: each scenario's effect against the baseline (``measure`` "effect", the rows
    of :func:`paired_effects` at the horizon) and each scenario's level (``measure`` "level", the rows of
    :func:`levels`) at every design point, placed at the value ``x`` of the swept parameter, one curve
    (``series``) per setting of the other varied parameters, named in both languages. Mean and 95% interval are
    the per-point values themselves: the curve joins them, it does not smooth them. Empty when the points do not
    make a curve (:func:`curve_axes`)."""
    axes = curve_axes(points, parameters)
    if axes is None:
        return pd.DataFrame(columns=list(RESPONSE_COLUMNS))
    x, others = axes
    pts = points.set_index("point_id")
    keys = [tuple(str(pts.at[pid, p]) for p in others) for pid in pts.index]
    order = {k: i for i, k in enumerate(sorted(dict.fromkeys(keys), key=_sort_key))}
    series = dict(zip(pts.index, (order[k] for k in keys), strict=True))
    names = {pid: {lang: ("，" if lang == "zh" else ", ").join(
        _name_part(p, pts.at[pid, p], lang, first=i == 0)
        for i, p in enumerate(q for q in others if not _missing(pts.at[pid, q]))) for lang in ("zh", "en")}
        for pid in pts.index}
    frames = []
    for measure, table, value in (("effect", eff[eff["source"] == "summary"] if not eff.empty else eff, "effect"),
                                  ("level", levels, "mean")):
        if table.empty:
            continue
        t = table[table["point_id"].isin(pts.index)]
        pid = t["point_id"].astype(int)
        frames.append(pd.DataFrame({
            "measure": measure, "scenario": t["scenario"].to_numpy(), "output": t["output"].to_numpy(),
            "series": pid.map(series).to_numpy(), "series_name_zh": [names[p]["zh"] for p in pid],
            "series_name_en": [names[p]["en"] for p in pid], "x_parameter": x,
            "x": pid.map(pts[x]).astype(float).to_numpy(), "point_id": pid.to_numpy(),
            "point_label": t["point_label"].to_numpy(), "n": t["n"].to_numpy(), "mean": t[value].to_numpy(),
            "ci_low": t["ci_low"].to_numpy(), "ci_high": t["ci_high"].to_numpy(),
            "significant": t["significant"].to_numpy() if "significant" in t else None,
            "adequate": t["adequate"].to_numpy() if "adequate" in t else None}))
    if not frames:
        return pd.DataFrame(columns=list(RESPONSE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["measure", "scenario", "output", "series", "x"], kind="stable").reset_index(drop=True)


def _sort_key(key: tuple[str, ...]) -> tuple:
    """Curves in the order of their parameters' values (numbers as numbers)."""
    out = []
    for text in key:
        try:
            out.append((0, float(text), ""))
        except ValueError:
            out.append((1, 0.0, text))
    return tuple(out)


def pooled_text(results: Results, lang: str) -> str | None:
    """What a sample design pools, in one sentence (None for designs whose points are kept apart)."""
    if not results.pooled:
        return None
    d = results.manifest.get("design", {})
    n = d.get("n_points") or results.runs["point_id"].nunique()
    names = ("、" if lang == "zh" else ", ").join(param_label(p, lang) for p in d.get("parameters", []))
    if lang == "zh":
        return (f"{results.design_kind} 抽样设计（{n} 个设计点，变化的参数：{names}）：各效应、水平、成本、漏斗与撤出均合并全部设计点"
                f"的运行，是在这些参数的抽样区间上的平均，而非某一组取值下的结果；参数各自的影响见敏感性指数。")
    return (f"{results.design_kind} sample design ({n} design points over {names}): every effect, level, cost, "
            f"funnel and withdrawal count pools the runs of all design points, so it is an average over the sampled "
            f"ranges of these parameters, not the result at any one setting; the sensitivity indices tell each "
            f"parameter's part.")
