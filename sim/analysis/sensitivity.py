"""Global sensitivity of headline outputs to uncertain parameters: Sobol' and Morris indices (SALib).

Reads a results folder whose design is a Sobol' or Morris sample
(``[design] kind = "sobol"`` or ``"morris"``; SALib's ``problem`` and the
sample matrix are stored with the results). The output at each design point
is the mean over its replications (replications share seeds across points,
so the noise is common to all points), per scenario.

What a design costs, in design points (runs = points x replications x scenarios):

- Sobol' (Saltelli scheme): ``N * (D + 2)`` points for first and total order,
  ``N * (2D + 2)`` with second order (N a power of 2, D parameters);
- Morris: ``r * (D + 1)`` points for r trajectories.

Sobol' gives S1 (share of output variance due to the parameter alone) and ST
(including its interactions), with bootstrap 95% intervals; Morris gives mu*
(mean absolute elementary effect, in output units, with a bootstrap 95%
interval) and sigma (non-linearity or interactions), a cheap screening.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.data import AnalysisError, Results
from sim.experiment.store import load_problem
from sim.paramdoc import param_doc
from sim.stats import CI_LEVEL, HEADLINE_OUTPUTS

METHODS = ("sobol", "morris")


def design_points(kind: str, n_params: int, samples: int | None = None, second_order: bool = False,
                  trajectories: int | None = None) -> int:
    """Design points of a Sobol' (``samples`` = N) or Morris (``trajectories`` = r) design over D parameters."""
    if kind == "sobol":
        return int(samples) * ((2 * n_params + 2) if second_order else (n_params + 2))
    if kind == "morris":
        return int(trajectories) * (n_params + 1)
    raise AnalysisError(f"design: key 'kind': expected sobol or morris, found '{kind}'")


def design_cost(kind: str, n_params: int, options: dict[str, Any], replications: int = 1, scenarios: int = 1) -> dict:
    """Points and runs a sensitivity design costs, with the formula in words."""
    if kind == "sobol":
        n, second = int(options.get("samples", 0)), bool(options.get("calc_second_order", False))
        points = design_points("sobol", n_params, samples=n, second_order=second)
        formula = f"N*(2D+2) = {n}*(2*{n_params}+2)" if second else f"N*(D+2) = {n}*({n_params}+2)"
    elif kind == "morris":
        r = int(options.get("trajectories", 0))
        points = design_points("morris", n_params, trajectories=r)
        formula = f"r*(D+1) = {r}*({n_params}+1)"
    else:
        raise AnalysisError(f"design: key 'kind': expected sobol or morris, found '{kind}'")
    return {"kind": kind, "parameters": n_params, "points": points, "replications": replications,
            "scenarios": scenarios, "runs": points * replications * scenarios, "formula": formula}


def parameter_docs(problem: dict) -> list[dict]:
    """The sampled parameters with their documented meaning, unit, default and source (``sim.params``)
    and the sampled range."""
    out = []
    for name, (lo, hi) in zip(problem["names"], problem["bounds"], strict=True):
        doc = param_doc(name)
        m, u, d, src = doc.get("meaning", ""), doc.get("unit", ""), doc.get("default"), doc.get("source", "")
        out.append({"parameter": name, "meaning": m, "unit": u, "default": d if isinstance(d, int | float) else None,
                    "source": src, "low": float(lo), "high": float(hi)})
    return out


def point_means(results: Results, scenario: str, output: str, n_points: int, undefined: bool = False) -> np.ndarray:
    """The mean of ``output`` over replications at each design point of ``scenario`` (ordered by point_id); with
    ``undefined``, NaN where the output is (a rate without a cohort), not only where a run is missing."""
    sel = results.runs[results.runs["scenario"] == scenario]
    y = sel.groupby("point_id")[output].mean().reindex(range(n_points))
    missing_runs = set(range(n_points)) - set(sel["point_id"])
    if missing_runs or (y.isna().any() and not undefined):
        missing = len(missing_runs) if undefined else int(y.isna().sum())
        raise AnalysisError(f"{results.root}: key 'runs': expected every one of the {n_points} design points of "
                            f"'{scenario}' done, found {missing} without a done run (resume the experiment)")
    return y.to_numpy(float)


def indices(results: Results, outputs: tuple[str, ...] | list[str] = HEADLINE_OUTPUTS,
            seed: int = 20240601, num_resamples: int = 1000) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Sensitivity indices of ``outputs`` per scenario from a stored Sobol' or Morris design.

    Returns (indices, second_order, design): ``indices`` has one row per (scenario, output, parameter) with
    columns scenario, output, method, parameter, S1, S1_conf, ST, ST_conf (Sobol') or mu, mu_star,
    mu_star_conf, sigma (Morris) and rank (1 = most influential by ST or mu*); ``second_order`` holds
    S2 and S2_conf per parameter pair (Sobol' with second order only); ``design`` is :func:`design_cost`
    with ``parameter_docs`` (:func:`parameter_docs`).
    ``*_conf`` are half-widths of 95% bootstrap intervals.
    """
    kind = results.design_kind
    if kind not in METHODS:
        raise AnalysisError(f"{results.root}: key 'design.kind': expected a sobol or morris design, found '{kind}'")
    problem, x = load_problem(results.root)
    options = results.manifest.get("design", {}).get("options", {})
    if problem.get("groups"):
        return grouped_indices(results, problem, x, options, outputs, seed)
    n_points = x.shape[0]
    cost = design_cost(kind, int(problem["num_vars"]), options, int(results.manifest.get("replications", 1)),
                       len(results.scenarios))
    cost["parameter_docs"] = parameter_docs(problem)
    rows, rows2 = [], []
    names = list(problem["names"])
    for s in results.scenarios:
        if not (results.runs["scenario"] == s.name).any():
            continue
        for out in outputs:
            y = point_means(results, s.name, out, n_points)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if kind == "sobol":
                    from SALib.analyze import sobol

                    second = bool(options.get("calc_second_order", False))
                    res = sobol.analyze(problem, y, calc_second_order=second, num_resamples=num_resamples,
                                        conf_level=CI_LEVEL, seed=seed)
                    for j, name in enumerate(names):
                        rows.append({"scenario": s.name, "output": out, "method": "sobol", "parameter": name,
                                     "S1": float(res["S1"][j]), "S1_conf": float(res["S1_conf"][j]),
                                     "ST": float(res["ST"][j]), "ST_conf": float(res["ST_conf"][j])})
                    if second:
                        for i in range(len(names)):
                            for j in range(i + 1, len(names)):
                                rows2.append({"scenario": s.name, "output": out, "parameter_1": names[i],
                                              "parameter_2": names[j], "S2": float(res["S2"][i, j]),
                                              "S2_conf": float(res["S2_conf"][i, j])})
                else:
                    from SALib.analyze import morris

                    res = morris.analyze(problem, x, y, num_resamples=num_resamples, conf_level=CI_LEVEL,
                                         num_levels=int(options.get("num_levels", 4)), seed=seed)
                    for j, name in enumerate(names):
                        rows.append({"scenario": s.name, "output": out, "method": "morris", "parameter": name,
                                     "mu": float(res["mu"][j]), "mu_star": float(res["mu_star"][j]),
                                     "mu_star_conf": float(res["mu_star_conf"][j]), "sigma": float(res["sigma"][j])})
    table = pd.DataFrame(rows)
    if not table.empty:
        key = "ST" if kind == "sobol" else "mu_star"
        table["rank"] = (table.groupby(["scenario", "output"])[key]
                         .rank(ascending=False, method="first").astype(int))
    return table, pd.DataFrame(rows2), cost


def grouped_indices(results: Results, problem: dict, x: np.ndarray, options: dict,
                    outputs: tuple[str, ...] | list[str], seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Morris indices of each scenario's outputs per *group* of a grouped design (parameter = the group's name):
    mu* and sigma of the sizes of its elementary effects (:mod:`sim.analysis.screening`), on the trajectories'
    points only (a design's member points follow them)."""
    from sim.analysis.screening import elementary_effects, group_bootstrap, size_stats

    morris_points = int(options.get("morris_points") or x.shape[0])
    groups = list(dict.fromkeys(problem["groups"]))
    cost = design_cost("morris", len(groups), options, int(results.manifest.get("replications", 1)),
                       len(results.scenarios))
    members = int((options.get("members") or {}).get("samples", 0))
    r = int(options.get("trajectories", 0))
    cost.update(points=x.shape[0], runs=x.shape[0] * cost["replications"] * cost["scenarios"], grouped=True,
                groups=len(groups), parameters=int(problem["num_vars"]), parameter_docs=parameter_docs(problem),
                formula=f"r*(G+1) = {r}*({len(groups)}+1)" + (f" + {members}" if members else ""))
    rng = np.random.default_rng(seed)
    rows = []
    for s in results.scenarios:
        if not (results.runs["scenario"] == s.name).any():
            continue
        for out in outputs:
            y = point_means(results, s.name, out, x.shape[0], undefined=True)[:morris_points]
            names, ee = elementary_effects(x[:morris_points], y, problem["groups"], morris_points,
                                           int(options.get("num_levels", 4)))
            mu_c, _ = group_bootstrap(ee, rng)
            for g, row, mc in zip(names, ee, mu_c, strict=True):
                mu, sigma = size_stats(row)
                rows.append({"scenario": s.name, "output": out, "method": "morris", "parameter": g,
                             "mu": float("nan"), "mu_star": mu, "mu_star_conf": float(mc), "sigma": sigma})
    table = pd.DataFrame(rows)
    if not table.empty:
        table["rank"] = (table.groupby(["scenario", "output"])["mu_star"]
                         .rank(ascending=False, method="first", na_option="bottom").astype(int))
    return table, pd.DataFrame(), cost
