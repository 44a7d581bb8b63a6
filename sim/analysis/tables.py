"""Run every analysis of a results folder and write the tables to ``<results>/analysis/``.

Files (each table as CSV for people and Parquet for programs):

==========================  =======================================================================
effects                     paired effect of each scenario vs the baseline, every numeric output, at
                            the horizon (source "summary") and at months 12/24/36/48/60 for headline
                            monthly outputs (source "monthly"); columns in :func:`effects.paired_effects`
levels                      each scenario's mean, 95% interval and 5/50/95% quantiles of every output
costs                       cost-effectiveness per scenario (:func:`costs.cost_effectiveness`)
spending_by_lever           spending per lever and scenario (:func:`costs.spending_by_lever`)
funnel                      projects reaching each pipeline stage (:func:`pipeline.funnel`)
withdrawals                 withdrawals by reason and stage (:func:`pipeline.withdrawals`)
monthly_bands               monthly means with 95% interval and 5-95% range (:func:`effects.monthly_bands`)
sensitivity                 Sobol'/Morris indices (sample designs only; :func:`sensitivity.indices`)
sensitivity_second_order    Sobol' S2 (with second order only)
robustness                  whether each headline effect keeps its sign across posterior draws (with
                            ``--draws``; :func:`uncertainty.robustness`)
money_by_government, ...    what the decision memo reads: money by government and source, effects by
                            assessment year, monitoring bands, risks, each government's results (:mod:`memo`)
analysis.json               provenance, rules, scenario labels and the subsets the briefing prints
==========================  =======================================================================

Values keep the model's units: money in 万元, rates as fractions (0.274 =
27.4%), effects of rates as fraction differences (0.123 = 12.3 percentage points).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis import costs, decompose, effects, memo, pipeline, sensitivity, uncertainty
from sim.analysis.data import (
    MONTHLY_HEADLINE,
    AnalysisError,
    Results,
    definition,
    load_results,
)
from sim.errors import one_line
from sim.files import atomic_write, atomic_write_text, read_json_object
from sim.stats import CI_LEVEL, HEADLINE_OUTPUTS, AdequacyRule

SCHEMA_VERSION = 1
ANALYSIS_DIR = "analysis"
JSON_NAME = "analysis.json"
BRIEF_OUTPUTS = (*HEADLINE_OUTPUTS, "arrived_capital", "signed_capital", "signed_projects", "budget_spent",
                 "cohort_start_rate_12m", "cohort_completion_rate_24m", "cohort_capital_arrival_rate_12m",
                 "share_building_or_operating_now", "large_share_started", "large_share_completed",
                 "industrial_share_started", "industrial_share_completed", "cost_per_job",
                 "jobs_per_10k_spent", "arrived_per_10k_spent", "operating_projects", "prospects_contacted")
"""Outputs whose effects and levels the JSON carries for the briefing (the CSV tables carry every output)."""


def _clean(value: Any) -> Any:
    """JSON-safe value: NaN and infinities become null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(df: pd.DataFrame) -> list[dict]:
    """A table as JSON-safe records."""
    if df is None or df.empty:
        return []
    return [_clean(r) for r in df.to_dict(orient="records")]


def _write(df: pd.DataFrame, folder: Path, name: str) -> list[str]:
    if df is None or df.empty:
        return []
    folder.mkdir(parents=True, exist_ok=True)

    atomic_write_text(folder / f"{name}.csv", df.to_csv(index=False))
    atomic_write(folder / f"{name}.parquet", lambda fh: df.to_parquet(fh, index=False))
    return [f"{name}.csv", f"{name}.parquet"]


def provenance(results: Results) -> dict[str, Any]:
    """What ties an analysis to its runs: experiment hash, code version, seed, counts and times."""
    m = results.manifest
    d = m.get("design", {})
    return {
        "experiment": results.name, "title": m.get("title"), "description": m.get("description"),
        "experiment_file": m.get("experiment_file"), "experiment_sha256": m.get("experiment_sha256"),
        "code_version": m.get("code_version"), "root_seed": m.get("root_seed"),
        "replications": m.get("replications"), "horizon_months": results.horizon, "record": m.get("record"),
        "design_kind": d.get("kind"), "design_parameters": d.get("parameters", []), "design_points": d.get("n_points"),
        "n_scenarios": len(results.scenarios),
        "runs_planned": m.get("runs_planned"), "runs_done": len(results.runs), "runs_failed": results.n_failed,
        "status": m.get("status"), "started": m.get("started"), "finished": m.get("finished"),
        "overrides": m.get("overrides", {}),
    }


def analyse(results_dir: str | Path, out: str | Path | None = None, baseline: str | None = None,
            rule: AdequacyRule | None = None, months: tuple[int, ...] = effects.MONTHLY_HORIZONS,
            log=None, draws: str | Path | None = None, also: tuple[str | Path, ...] = (),
            draws_also: tuple[str | Path, ...] = ()) -> dict[str, Any]:
    """Analyse the stored runs of ``results_dir``; write the tables and ``analysis.json`` to ``out``
    (default ``<results_dir>/analysis``) and return the JSON content. ``draws`` names the results of the same
    comparison re-run on posterior draws (``experiments/main_uncertainty.toml``): whether each headline
    effect keeps its sign across them (:mod:`sim.analysis.uncertainty`). ``also`` (and ``draws_also``) name
    results folders run in the same setting whose strategies join the comparison (the draws), paired with the
    same baseline runs (:func:`sim.analysis.memo.join_runs`)."""
    rule = rule or AdequacyRule()
    # only the monthly columns the tables compare (all of them are more than five times as much to read)
    columns = list(dict.fromkeys([*MONTHLY_HEADLINE, *effects.BAND_OUTPUTS, *memo.MONTHLY]))
    results = load_results(results_dir, baseline=baseline, monthly=columns)
    for extra in also:
        results = memo.join_runs(results, load_results(extra, monthly=columns))
    folder = Path(out) if out else Path(results_dir) / ANALYSIS_DIR
    files: list[str] = []

    levels = effects.levels(results)
    eff = effects.paired_effects(results, rule=rule)
    mon_eff = effects.monthly_effects(results, MONTHLY_HEADLINE, months, rule)
    all_eff = pd.concat([eff, mon_eff], ignore_index=True) if not mon_eff.empty else eff
    bands = effects.monthly_bands(results)
    cost = costs.cost_effectiveness(results)
    levers = costs.spending_by_lever(results)
    fun = pipeline.funnel(results)
    wd = pipeline.withdrawals(results)
    sens = sens2 = pd.DataFrame()
    sens_design: dict | None = None
    sens_error = None
    if results.design_kind in sensitivity.METHODS:
        try:
            sens, sens2, sens_design = sensitivity.indices(results)
        except AnalysisError as exc:
            sens_error = str(exc)
            if log:
                log(f"warning: {exc}")

    robust = pd.DataFrame()
    robust_info = None
    if draws is not None:
        dres = load_results(draws, baseline=results.baseline, monthly=False)
        for extra in draws_also:
            dres = memo.join_runs(dres, load_results(extra, monthly=False))
        robust = uncertainty.robustness(dres, eff)
        robust_info = {"results_dir": str(Path(draws)), "experiment": dres.name, "joined": dres.manifest.get("joined", []),
                       "experiment_sha256": dres.manifest.get("experiment_sha256"),
                       "draws": int(dres.runs["point_id"].nunique()), "replications": dres.manifest.get("replications"),
                       "horizon_months": dres.horizon, "overrides": dres.manifest.get("overrides", {}),
                       "holds_share": uncertainty.HOLDS_SHARE,
                       "rule": {"zh": uncertainty.rule_text("zh"), "en": uncertainty.rule_text("en")}}

    adaptive = results.manifest.get("adaptive")
    if adaptive and not all_eff.empty:  # why each comparison has the replications it has
        why = {(c["scenario"], int(c["point_id"])): c["stopped"] for c in adaptive.get("comparisons", [])}
        all_eff = all_eff.assign(stopped=[why.get((s, int(p))) for s, p in zip(all_eff["scenario"], all_eff["point_id"],
                                                                               strict=True)])
        eff = all_eff[all_eff["source"] == "summary"]
    for df, name in ((all_eff, "effects"), (levels, "levels"), (cost, "costs"), (levers, "spending_by_lever"),
                     (fun, "funnel"), (wd, "withdrawals"), (bands, "monthly_bands"), (sens, "sensitivity"),
                     (sens2, "sensitivity_second_order"), (robust, "robustness")):
        files += _write(df, folder, name)
    for name, df in memo.tables(results).items():
        files += _write(df, folder, name)
    dec = decompose.decompose(results) if decompose.has_accounts(results) else pd.DataFrame()
    if not dec.empty:  # effects explained by mechanism (results of this version only)
        for df, name in ((dec, "decomposition"), (decompose.context(results), "decomposition_context")):
            files += _write(df, folder, name)

    brief_eff = all_eff[all_eff["output"].isin(BRIEF_OUTPUTS)] if not all_eff.empty else all_eff
    paths = {s.get("name"): s.get("path") for s in results.manifest.get("scenarios", [])}
    headline_eff = eff[eff["output"].isin(HEADLINE_OUTPUTS)] if not eff.empty else eff
    data = {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "results_dir": str(Path(results_dir)),
        "provenance": provenance(results),
        "baseline": results.baseline,
        "pooled_points": results.pooled,
        "joined": results.manifest.get("joined", []),
        "scenarios": [{"name": s.name, "index": s.index, "file": s.file, "path": paths.get(s.name), "title": s.title,
                       "description": s.description} for s in results.scenarios],
        "headline_outputs": list(HEADLINE_OUTPUTS),
        "definitions": {o: {lang: definition(o, lang, results.horizon) for lang in ("zh", "en")}
                        for o in HEADLINE_OUTPUTS},
        "rules": {
            "ci_level": CI_LEVEL,
            "interval": {"en": "95% t-interval on paired differences (replication r of a scenario minus replication r "
                               "of the baseline at the same design point: common random numbers)",
                         "zh": "按重复配对（共同随机数：同一重复编号、同一设计点与基线相减）的差值的 95% t 置信区间"},
            "adequacy": {"en": rule.text("en"), "zh": rule.text("zh"), "relative": rule.relative,
                         "rate_tolerance": rule.rate_tolerance, "level_tolerance": rule.level_tolerance},
            "funnel": "building = share_started_to_date * signed_projects; operating = share_completed_to_date * "
                      "signed_projects; negotiating = negotiations_started",
            "units": "money in 万元 (10,000 yuan); rates as fractions; effects of rates as fraction differences",
        },
        "adequacy_summary": {
            "headline_intervals": len(headline_eff),
            "adequate": int(headline_eff["adequate"].sum()) if len(headline_eff) else 0,
            "max_n_needed": (int(headline_eff["n_needed"].dropna().max())
                             if len(headline_eff) and headline_eff["n_needed"].notna().any() else None),
        },
        "replications": _replications(adaptive, results),
        "effects": records(brief_eff),
        "levels": records(levels[levels["output"].isin(BRIEF_OUTPUTS)] if not levels.empty else levels),
        "costs": records(cost),
        "spending_by_lever": records(levers),
        "funnel": records(fun),
        "decomposition": records(dec[~dec["kind"].eq("residual")]) if not dec.empty else [],
        "withdrawals": records(wd[wd["stage"].isin(("after_signing", "all"))] if not wd.empty else wd),
        "sensitivity": {"available": not sens.empty, "design": sens_design, "error": sens_error,
                        "indices": records(sens)},
        "robustness": {"available": not robust.empty, "design": robust_info, "effects": records(robust)},
        "files": files + [JSON_NAME],
    }
    data = _clean(data)

    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / JSON_NAME, json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    return data


def _replications(adaptive: dict | None, results: Results) -> dict[str, Any]:
    """How many replications each comparison took and why it stopped (adaptive), or the fixed number."""
    if not adaptive:
        return {"adaptive": False, "replications": results.manifest.get("replications")}
    comps = adaptive.get("comparisons", [])
    return {"adaptive": True, "min": adaptive.get("min"), "max": adaptive.get("max"), "step": adaptive.get("step"),
            "complete": adaptive.get("complete"), "comparisons": comps,
            "adequate": sum(1 for c in comps if c.get("stopped") == "adequate"),
            "capped": sum(1 for c in comps if c.get("stopped") == "cap"),
            "runs": len(results.runs), "runs_fixed_at_max": results.manifest.get("runs_grid")}


def load_analysis(path: str | Path) -> dict[str, Any]:
    """``analysis.json`` of a results folder (or of an analysis folder, or the file itself)."""
    p = Path(path)
    for cand in (p, p / JSON_NAME, p / ANALYSIS_DIR / JSON_NAME):
        if cand.is_file():
            return read_json_object(cand, "the JSON that 'sim analyse' writes", "run 'sim analyse' again",
                                    AnalysisError)
    raise AnalysisError(f"{p}: key '{JSON_NAME}': expected an analysis (run 'sim analyse {p}'), found none")


def read_table(analysis_dir: str | Path, name: str) -> pd.DataFrame:
    """One table of an analysis folder (Parquet), or an empty frame if it was not written."""
    p = Path(analysis_dir) / f"{name}.parquet"
    if not p.is_file():
        return pd.DataFrame()
    try:
        return pd.read_parquet(p)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise AnalysisError(f"{p}: expected a table that 'sim analyse' writes, found {one_line(exc)}; "
                            f"run 'sim analyse' again") from None
