"""What each strategy's effect hinges on: a grouped Morris screening of paired effects, the share of design points
where an effect keeps its sign, and the value of an assumption at which it changes sign.

Reads a results folder whose design is a Morris design with groups (``experiments/assumptions.toml``:
``groups = "mechanisms"``) run on several scenarios. At every design point each scenario's *effect* is its output
minus the baseline's at the same point and replication (common random numbers), averaged over replications; the
screening is of these effects, not of the baseline's levels.

- **Groups** (:func:`group_indices`): along each trajectory one mechanism's parameters move at a time (each in its
  own direction, as SALib's grouped sampler moves them), so an elementary effect is the change of an effect when a
  group moves, divided by the grid step (in output units per unit of the ranges). ``mu_star`` is the mean of its
  size over the trajectories, ``sigma`` the standard deviation of its size (a group's elementary effect has no
  meaningful sign: its members move each its own way; a large sigma against mu* says the group matters in some
  futures and not in others), each with the half-width of a 95% bootstrap interval over the trajectories.
  A group whose parameters neither the strategy nor the baseline uses has elementary effects of exactly 0.
- **Signs** (:func:`effect_signs`): over every design point, the mean effect, its 5-95% spread and the share of
  points where the effect has the sign of the mean (one replication per point: noise flips small effects too).
- **Hinges** (:func:`hinges`): on the design's member points (a Latin hypercube over the parameters of chosen
  groups, one by one, the others at their shipped values), a forward-selected least-squares line of the effect on
  at most three of those parameters, each on the scale of its range (0 at the shipped
  value, 1 = the width of the range). Its slope is the *swing* of the effect over the range; the value at which the
  line crosses zero, the others at their shipped values, is the *sign change*, kept when it lies inside the range,
  with a 95% bootstrap interval over the member points and the share of bootstrap fits that cross inside.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from sim.analysis.data import AnalysisError, Results
from sim.experiment.assumptions import group_of, mechanism
from sim.model import registry
from sim.paramdoc import param_doc
from sim.stats import CI_LEVEL, HEADLINE_OUTPUTS

EFFECT_OUTPUTS = tuple(dict.fromkeys((*HEADLINE_OUTPUTS, "arrived_capital", "signed_projects")))
"""The effects screened: the headline outputs of the registry, arrived capital and signings (a count beside the
rates)."""
TOP_GROUPS = 3
"""Groups of an effect the summary names."""
MAX_HINGES = 3
"""Parameters named per effect, at most."""
ALPHA = 0.05
"""A member joins an effect's line only if its slope differs from 0 at this level, shared among the candidates
(Bonferroni: with 25 candidates each is tested at 0.002), so that a few dozen candidates and one replication per
point do not name a parameter by chance."""
BOOTSTRAP = 400
SEED = 20240601


def applies(results: Results) -> bool:
    """Whether ``results`` hold a grouped Morris design run on a baseline and at least one strategy."""
    problem = (results.manifest.get("design") or {}).get("problem") or {}
    return results.design_kind == "morris" and bool(problem.get("groups")) and len(results.scenarios) > 1


def _options(results: Results) -> dict:
    return (results.manifest.get("design") or {}).get("options") or {}


def outputs_of(results: Results) -> list[str]:
    """The screened effects the stored runs have."""
    return [o for o in EFFECT_OUTPUTS if o in results.outputs]


def point_effects(results: Results, output: str) -> pd.DataFrame:
    """Each strategy's paired effect on ``output`` at each design point (rows: point_id in order; columns: the
    strategies), the mean over replications of the strategy's run minus the baseline's run of the same seed; NaN
    where the output is undefined (a rate of a cohort with no signing: a corner of the ranges where the region
    signs nothing)."""
    runs = results.runs
    n_points = int((results.manifest.get("design") or {}).get("n_points") or 0)
    done = runs.groupby("scenario")["point_id"].nunique()
    short = [s.name for s in results.scenarios if done.get(s.name, 0) < n_points]
    if short:
        raise AnalysisError(f"{results.root}: key 'runs': expected every one of the {n_points} design points of "
                            f"'{short[0]}' done, found {int(done.get(short[0], 0))} (resume the experiment)")
    wide = runs.pivot_table(index=["point_id", "replication"], columns="scenario", values=output, aggfunc="first",
                            dropna=False)
    diff = wide.drop(columns=[results.baseline]).sub(wide[results.baseline], axis=0)
    eff = diff.groupby(level="point_id").mean().reindex(range(n_points))
    others = [s.name for s in results.scenarios if s.name != results.baseline]
    return eff.reindex(columns=others)


def elementary_effects(x: np.ndarray, y: np.ndarray, groups: list[str], morris_points: int,
                       levels: int) -> tuple[list[str], np.ndarray]:
    """The groups (in their order of first appearance) and the elementary effects (groups x trajectories) of a
    grouped Morris design: ``x`` the sample matrix (rows = design points), ``y`` the output at each point,
    ``groups`` each column's group. Each step of a trajectory moves the columns of one group; its effect is the
    change of ``y`` divided by the grid step ``levels / (2 (levels - 1))``."""
    names = list(dict.fromkeys(groups))
    size = len(names) + 1
    if morris_points % size:
        raise AnalysisError(f"design: key 'morris_points': expected a multiple of {size} (groups + 1), "
                            f"found {morris_points}")
    delta = levels / (2.0 * (levels - 1))
    col_group = np.array([names.index(g) for g in groups])
    r = morris_points // size
    ee = np.full((len(names), r), np.nan)
    for t in range(r):
        for i in range(t * size, (t + 1) * size - 1):
            moved = np.nonzero(~np.isclose(x[i + 1], x[i]))[0]
            if moved.size == 0:
                continue
            g = np.unique(col_group[moved])
            if g.size != 1:
                raise AnalysisError(f"design: key 'sample': expected one group to move per step, found "
                                    f"{', '.join(names[k] for k in g)} at point {i + 1}")
            ee[g[0], t] = (y[i + 1] - y[i]) / delta
    return names, ee


def group_bootstrap(ee: np.ndarray, rng: np.random.Generator, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Half-widths of the 95% bootstrap intervals (normal, as SALib's) of mu* and sigma of each row's sizes (NaN
    elementary effects, where the effect is undefined, are left out)."""
    a = np.abs(ee)
    r = a.shape[1]
    idx = rng.integers(0, r, size=(n, r))
    z = st.norm.ppf(0.5 + CI_LEVEL / 2)
    mu, sd = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample of undefined effects only
        for row in a:
            s = row[idx]
            mu.append(z * np.nanstd(np.nanmean(s, axis=1), ddof=1) if r > 1 else np.nan)
            sd.append(z * np.nanstd(np.nanstd(s, axis=1, ddof=1), ddof=1) if r > 2 else np.nan)
    return np.array(mu), np.array(sd)


def size_stats(row: np.ndarray) -> tuple[float, float]:
    """mu* and sigma of one group's elementary effects (their sizes' mean and standard deviation; NaN left out)."""
    a = np.abs(row[np.isfinite(row)])
    return (float(a.mean()) if a.size else float("nan"), float(a.std(ddof=1)) if a.size > 1 else float("nan"))


def group_indices(results: Results, outputs: list[str] | None = None, seed: int = SEED) -> pd.DataFrame:
    """Per strategy, effect and group: mu*, sigma and their 95% half-widths, the group's parameters and its rank
    (1 = the group that moves the effect most)."""
    from sim.experiment.store import load_problem

    problem, x = load_problem(results.root)
    opts = _options(results)
    morris_points = int(opts.get("morris_points") or x.shape[0])
    levels = int(opts.get("num_levels", 4))
    counts = pd.Series(problem["groups"]).value_counts()
    rng = np.random.default_rng(seed)
    rows = []
    for out in outputs or outputs_of(results):
        eff = point_effects(results, out)
        for scen in eff.columns:
            y = eff[scen].to_numpy(float)
            names, ee = elementary_effects(x[:morris_points], y[:morris_points], problem["groups"], morris_points, levels)
            mu_c, sd_c = group_bootstrap(ee, rng)
            for g, row, mc, sc in zip(names, ee, mu_c, sd_c, strict=True):
                m = mechanism(g)
                mu, sigma = size_stats(row)
                rows.append({"scenario": scen, "output": out, "group": g, "label_zh": m.zh, "label_en": m.en,
                             "parameters": int(counts.get(g, 0)), "mu_star": mu, "mu_star_conf": float(mc),
                             "sigma": sigma, "sigma_conf": float(sc), "trajectories": int(np.isfinite(row).sum())})
    table = pd.DataFrame(rows)
    if not table.empty:
        table["rank"] = (table.groupby(["scenario", "output"])["mu_star"]
                         .rank(ascending=False, method="first", na_option="bottom").astype(int))
    return table


def effect_signs(results: Results, outputs: list[str] | None = None) -> pd.DataFrame:
    """Per strategy and effect, over every design point where it is defined: the mean effect, its 5%, 50% and 95%
    quantiles and the share of points where the effect has the sign of the mean (``points_undefined``: points
    where a rate has no cohort to measure)."""
    rows = []
    for out in outputs or outputs_of(results):
        eff = point_effects(results, out)
        for scen in eff.columns:
            y = eff[scen].dropna().to_numpy(float)
            if not y.size:
                continue
            mean = float(y.mean())
            sign = np.sign(mean)
            rows.append({"scenario": scen, "output": out, "points": int(y.size),
                         "points_undefined": int(eff[scen].isna().sum()), "mean": mean,
                         "q05": float(np.quantile(y, 0.05)), "q50": float(np.quantile(y, 0.5)),
                         "q95": float(np.quantile(y, 0.95)),
                         "share_same_sign": float(np.mean(np.sign(y) == sign)) if sign else float("nan")})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- hinges
def _coef(u: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least squares of ``y`` on a constant and the columns of ``u``: the coefficients, and that design matrix."""
    a = np.column_stack([np.ones(len(y)), u])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return coef, a


def _fit(u: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares of ``y`` on a constant and the columns of ``u`` (:func:`_coef`): coefficients, their standard
    errors and the residuals."""
    coef, a = _coef(u, y)
    dof = len(y) - a.shape[1]
    resid = y - a @ coef
    s2 = float(resid @ resid) / dof if dof > 0 else float("nan")
    cov = s2 * np.linalg.pinv(a.T @ a)
    return coef, np.sqrt(np.clip(np.diag(cov), 0, None)), resid


def forward_select(u: np.ndarray, y: np.ndarray, candidates: list[int], k: int = MAX_HINGES,
                   alpha: float = ALPHA) -> list[int]:
    """Columns of ``u`` chosen one at a time, each the one that most lowers the residual sum of squares, while its
    slope differs from 0 at level ``alpha`` divided among the candidates (two-sided t-test); at most ``k``."""
    chosen: list[int] = []
    for _ in range(k):
        dof = len(y) - len(chosen) - 2
        if dof < 1:
            break
        min_t = float(st.t.ppf(1 - alpha / (2 * len(candidates)), dof))
        best, best_rss = None, None
        for j in candidates:
            if j in chosen:
                continue
            cols = [*chosen, j]
            coef, se, resid = _fit(u[:, cols], y)
            if not se[-1] > 0 or abs(coef[-1]) < min_t * se[-1]:
                continue
            rss = float(np.sum(resid ** 2))
            if best_rss is None or rss < best_rss:
                best, best_rss = j, rss
        if best is None:
            break
        chosen.append(best)
    return chosen


def sign_change(b0: float, slope: float) -> float:
    """Where the line ``b0 + slope * u`` crosses 0 (``u`` on the scale of the range, 0 at the shipped value), or
    NaN for a flat line."""
    return -b0 / slope if slope else float("nan")


HINGE_COLUMNS = ("scenario", "output", "rank", "parameter", "shipped", "low", "high", "swing", "swing_se", "t",
                 "effect_at_shipped", "sign_change", "sign_change_low", "sign_change_high", "sign_change_share",
                 "direction", "group", "points")
"""The columns of :func:`hinges`' table, also when no effect hinges on any parameter (the table is then empty)."""


def hinge_rows(u: np.ndarray, y: np.ndarray, names: list[str], shipped: np.ndarray, low: np.ndarray,
               high: np.ndarray, candidates: list[int], seed: int = SEED,
               bootstrap: int = BOOTSTRAP) -> list[dict]:
    """The parameters an effect hinges on, from member points: ``u`` (points x parameters) each parameter's value
    on the scale of its range (0 at ``shipped``, 1 = ``high - low``), ``y`` the effect at each point. Returns one
    row per chosen parameter (at most :data:`MAX_HINGES`): its swing over the range with its standard error and t,
    the effect at the shipped values, and the value at which the effect changes sign when that lies inside
    ``[low, high]`` (NaN otherwise), with a 95% bootstrap interval (percentiles of the refitted lines' crossings,
    which may lie outside the range) and the share of bootstrap fits that cross inside the range."""
    chosen = forward_select(u, y, candidates)
    if not chosen:
        return []
    coef, se, _ = _fit(u[:, chosen], y)
    b0 = float(coef[0])
    rng = np.random.default_rng(seed)
    n = len(y)
    boot = np.full((bootstrap, len(chosen)), np.nan)
    for b in range(bootstrap):
        i = rng.integers(0, n, n)
        c, _ = _coef(u[i][:, chosen], y[i])  # a refit's crossings need its line only
        for m in range(len(chosen)):
            boot[b, m] = shipped[chosen[m]] + sign_change(c[0], c[m + 1]) * (high[chosen[m]] - low[chosen[m]])
    rows = []
    for m, j in enumerate(chosen):
        width = high[j] - low[j]
        root = shipped[j] + sign_change(b0, float(coef[m + 1])) * width
        inside = bool(low[j] <= root <= high[j])
        roots = boot[:, m]
        within = (roots >= low[j]) & (roots <= high[j])
        finite = roots[np.isfinite(roots)]
        lo_q, hi_q = np.quantile(finite, [0.025, 0.975]) if finite.size >= 10 else (np.nan, np.nan)
        rows.append({"rank": m + 1, "parameter": names[j], "shipped": float(shipped[j]), "low": float(low[j]),
                     "high": float(high[j]), "swing": float(coef[m + 1]), "swing_se": float(se[m + 1]),
                     "t": float(coef[m + 1] / se[m + 1]) if se[m + 1] > 0 else float("nan"),
                     "effect_at_shipped": b0, "sign_change": float(root) if inside else float("nan"),
                     "sign_change_low": float(lo_q) if inside else float("nan"),
                     "sign_change_high": float(hi_q) if inside else float("nan"),
                     "sign_change_share": float(within.mean()),
                     "direction": ("below" if root < shipped[j] else "above") if inside else ""})
    return rows


def hinges(results: Results, groups: pd.DataFrame, outputs: list[str] | None = None, seed: int = SEED) -> pd.DataFrame:
    """Per strategy and effect, the member parameters it hinges on (chosen among every member, the test level
    shared among them), with the value at which it changes sign (:func:`hinge_rows`), from the design's member
    points; empty without member points or without groups (``groups`` from :func:`group_indices`)."""
    from sim.experiment.store import load_problem

    members = (_options(results).get("members") or {}).get("parameters") or []
    if not members or groups.empty:
        return pd.DataFrame(columns=list(HINGE_COLUMNS))
    problem, x = load_problem(results.root)
    morris_points = int(_options(results).get("morris_points") or 0)
    names = list(problem["names"])
    col = [names.index(k) for k in members]
    bounds = np.array(problem["bounds"], dtype=float)[col]
    low, high = bounds[:, 0], bounds[:, 1]
    shipped = np.array([float(param_doc(k).get("default", np.nan)) for k in members])
    runs = results.runs
    at = runs.drop_duplicates("point_id").set_index("point_id")
    points = np.arange(morris_points, x.shape[0])
    # the values applied at each member point (shares rescaled), else the drawn ones
    values = np.column_stack([at[k].reindex(points).to_numpy(float) if k in at else x[points, c]
                              for k, c in zip(members, col, strict=True)])
    u = (values - shipped) / (high - low)
    rows = []
    for out in outputs or outputs_of(results):
        eff = point_effects(results, out)
        for scen in eff.columns:
            y = eff[scen].to_numpy(float)[points]
            ok = np.isfinite(y) & np.isfinite(u).all(axis=1)
            cand = list(range(len(members)))
            if ok.sum() < 8:
                continue
            for r in hinge_rows(u[ok], y[ok], members, shipped, low, high, cand, seed):
                rows.append({"scenario": scen, "output": out, **r, "group": group_of(r["parameter"]),
                             "points": int(ok.sum())})
    return pd.DataFrame(rows, columns=list(HINGE_COLUMNS))


def _g(x: float) -> str:
    """A value in a table cell: whole with thousands separators from 1,000, else three significant digits."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def summary(groups: pd.DataFrame, signs: pd.DataFrame, hinge_table: pd.DataFrame, top: int = TOP_GROUPS) -> pd.DataFrame:
    """What each effect hinges on, one row per strategy and effect: its mean over the design and the share of
    points where it keeps that sign, its top groups (by mu*, ``;``-separated, with their mu*), the parameters it
    hinges on (``;``-separated) and, for each that makes it change sign inside its range, the value and interval
    (``parameter < value [low, high]`` when it turns as the parameter falls below the value, ``>`` when it rises
    above)."""
    rows = []
    for (scen, out), g in groups.groupby(["scenario", "output"], sort=False):
        best = g.nsmallest(top, "rank")
        sign = signs[(signs["scenario"] == scen) & (signs["output"] == out)]
        h = (hinge_table[(hinge_table["scenario"] == scen) & (hinge_table["output"] == out)]
             if not hinge_table.empty else hinge_table)
        changes = [f"{r['parameter']} {'<' if r['direction'] == 'below' else '>'} {_g(r['sign_change'])} "
                   f"[{_g(r['sign_change_low'])}, {_g(r['sign_change_high'])}]"
                   for _, r in h.iterrows() if np.isfinite(r["sign_change"])] if not h.empty else []
        rows.append({"scenario": scen, "output": out,
                     "mean": float(sign["mean"].iloc[0]) if len(sign) else float("nan"),
                     "share_same_sign": float(sign["share_same_sign"].iloc[0]) if len(sign) else float("nan"),
                     "top_groups": ";".join(best["group"]),
                     "top_mu_star": ";".join(f"{v:.4g}" for v in best["mu_star"]),
                     "hinges_on": ";".join(h["parameter"]) if not h.empty else "",
                     "sign_changes": ";".join(changes)})
    return pd.DataFrame(rows)


def screening(results: Results) -> dict:
    """The screening of a grouped Morris design of effects: ``groups``, ``signs``, ``hinges`` and ``summary``
    tables and the design's facts (trajectories, groups, member points and parameters, the effects screened)."""
    outs = outputs_of(results)
    if not outs:
        raise AnalysisError(f"{results.root}: key 'outputs': expected one of {', '.join(EFFECT_OUTPUTS)}, "
                            "found none")
    groups = group_indices(results, outs)
    opts = _options(results)
    design = {"trajectories": opts.get("trajectories"), "levels": opts.get("num_levels"),
              "groups": opts.get("groups"), "morris_points": opts.get("morris_points"),
              "member_points": (opts.get("members") or {}).get("samples", 0),
              "members": (opts.get("members") or {}).get("parameters", []),
              "parameters": len(((results.manifest.get("design") or {}).get("problem") or {}).get("names", [])),
              "scenarios": len(results.scenarios), "runs": len(results.runs), "outputs": outs,
              "rates": [o for o in outs if registry.is_rate(o)]}
    signs, hinge_table = effect_signs(results, outs), hinges(results, groups, outs)
    return {"groups": groups, "signs": signs, "hinges": hinge_table, "summary": summary(groups, signs, hinge_table),
            "design": design}
