"""Run every analysis of a results folder and write the tables to ``<results>/analysis/``.

Files (each table as CSV for people and Parquet for programs):

==========================  =======================================================================
effects                     paired effect of each scenario vs the baseline, every numeric output, at
                            the horizon (source "summary") and at months 12/24/36/48/60 for headline
                            monthly outputs (source "monthly"); columns in :func:`effects.paired_effects`
levels                      each scenario's mean, 95% interval and 5/50/95% quantiles of every output
costs                       cost-effectiveness per scenario (:func:`costs.cost_effectiveness`)
spending_by_lever           spending per lever and scenario (:func:`costs.spending_by_lever`)
spending_by_government      spending per government (district, county, city) and scenario
                            (:func:`costs.spending_by_government`)
funnel                      projects reaching each pipeline stage (:func:`pipeline.funnel`)
withdrawals                 withdrawals by reason and stage (:func:`pipeline.withdrawals`)
monthly_bands               monthly means with 95% interval and 5-95% range (:func:`effects.monthly_bands`)
points                      every design point of a list or factorial design, named by its values
                            (:func:`effects.point_table`)
response                    a sweep's response curve: each effect and level at the swept value, one curve per
                            setting of the other parameters (:func:`effects.response_curve`)
sensitivity                 Sobol'/Morris indices (sample designs only; :func:`sensitivity.indices`)
sensitivity_second_order    Sobol' S2 (with second order only)
land_ends                   for runs over the posterior: each headline effect at the land-scarce and land-rich
                            ends of the posterior and whether they differ (:func:`uncertainty.ends`)
screening_groups            for a grouped Morris design run on several scenarios: each strategy's effect's
                            mu* and sigma per group of assumptions, ranked (:func:`screening.group_indices`)
screening_signs             share of design points where each effect keeps its sign (:func:`screening.effect_signs`)
screening_hinges            the parameters each effect hinges on and where it changes sign (:func:`screening.hinges`)
screening_summary           what each effect hinges on, one row per strategy and effect (:func:`screening.summary`)
money_by_government, ...    what the decision memo reads: money by government and source, effects by
                            assessment year, monitoring bands, risks, each government's results (:mod:`memo`)
analysis.json               provenance, rules, scenario labels and the subsets the briefing prints
==========================  =======================================================================

Values keep the model's units: money in 万元, rates as fractions (0.274 =
27.4%), effects of rates as fraction differences (0.123 = 12.3 percentage points).

Points: a list or factorial design keeps its points apart: every table has a row per design point (effects and
levels name it in both languages, ``point_name_zh``/``point_name_en``), the decomposition too, and a sweep has its
response curve. A sample design (Latin hypercube, Sobol', Morris) pools them (``pooled`` in ``analysis.json``
says what that means). The adequacy counts cover every point.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis import (
    costs,
    decompose,
    effects,
    memo,
    pipeline,
    screening,
    sensitivity,
    uncertainty,
)
from sim.analysis.data import (
    MONTHLY_HEADLINE,
    POOLED_POINT,
    AnalysisError,
    Results,
    definition,
    load_results,
)
from sim.errors import one_line
from sim.experiment.posterior import DRAW_COLUMN
from sim.experiment.spec import content_hash
from sim.files import atomic_write, atomic_write_text, read_json_object
from sim.paramdoc import param_label
from sim.stats import CI_LEVEL, HEADLINE_OUTPUTS, START_RATE, AdequacyRule

SCHEMA_VERSION = 1
ANALYSIS_DIR = "analysis"
JSON_NAME = "analysis.json"
BRIEF_OUTPUTS = (*HEADLINE_OUTPUTS, "arrived_capital", "signed_capital", "signed_projects", "budget_spent",
                 "cohort_fulfilment_rate_12m", START_RATE, "cohort_completion_rate_24m", "cohort_capital_arrival_rate_12m",
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


def _settings_of(text: str | None) -> str | None:
    """The content hash (:func:`sim.experiment.spec.content_hash`: comments and layout aside) of a scenario file's
    text as its runs read it (kept in the manifest), for the memo to tell a file changed since; None without it."""
    if not text:
        return None
    try:
        return content_hash(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        return None


def _write(df: pd.DataFrame, folder: Path, name: str, keep_empty: bool = False) -> list[str]:
    """Writes ``name``.csv and .parquet; an empty table only with ``keep_empty`` (a finding that nothing was found,
    such as an effect that hinges on no parameter)."""
    if df is None or (df.empty and not (keep_empty and len(df.columns))):
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
            log=None, also: tuple[str | Path, ...] = ()) -> dict[str, Any]:
    """Analyse the stored runs of ``results_dir``; write the tables and ``analysis.json`` to ``out``
    (default ``<results_dir>/analysis``) and return the JSON content. Runs over the calibration's posterior also
    give each headline effect at the land-scarce and land-rich ends (:mod:`sim.analysis.uncertainty`). ``also``
    names results folders run in the same setting whose strategies join the comparison, paired with the same
    baseline runs (:func:`sim.analysis.memo.join_runs`)."""
    rule = rule or AdequacyRule()
    # only the monthly columns the tables compare (all of them are more than five times as much to read)
    columns = list(dict.fromkeys([*MONTHLY_HEADLINE, *effects.BAND_OUTPUTS, *memo.MONTHLY]))
    results = load_results(results_dir, baseline=baseline, monthly=columns)
    for extra in also:
        results = memo.join_runs(results, load_results(extra, monthly=columns))
    folder = Path(out) if out else Path(results_dir) / ANALYSIS_DIR
    files: list[str] = []

    points = effects.point_table(results)
    parameters = [p for p in results.manifest.get("design", {}).get("parameters", []) if p in points.columns]
    levels = _named(effects.levels(results), points)
    eff = effects.paired_effects(results, rule=rule)
    mon_eff = effects.monthly_effects(results, MONTHLY_HEADLINE, months, rule)
    all_eff = pd.concat([eff, mon_eff], ignore_index=True) if not mon_eff.empty else eff
    bands = effects.monthly_bands(results)
    cost = costs.cost_effectiveness(results)
    levers = costs.spending_by_lever(results)
    by_gov = costs.spending_by_government(results)
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

    screened: dict[str, Any] = {}
    screen_error = None
    if screening.applies(results):  # the effects of every strategy under every assumption
        try:
            screened = screening.screening(results)
        except AnalysisError as exc:
            screen_error = str(exc)
            if log:
                log(f"warning: {exc}")
        for name in ("groups", "signs", "hinges", "summary") if screened else ():
            files += _write(screened[name], folder, f"screening_{name}", keep_empty=True)

    land = uncertainty.ends(results)
    post = results.manifest.get("posterior")
    posterior = {"available": bool(post), "effects": records(land), "design": None if not post else {
        "record": post.get("record"), "record_sha256": post.get("record_sha256"), "key": uncertainty.LAND,
        "draws": int(results.runs[DRAW_COLUMN].nunique()) if DRAW_COLUMN in results.runs else None,
        "replications": int(results.runs["replication"].nunique()), "particles": post.get("particles"),
        "effective_sample": post.get("effective_sample"), "bounds": (post.get("ends") or {}).get(uncertainty.LAND),
        "shares": uncertainty.share_of_draws(results),
        "rule": {"zh": uncertainty.rule_text("zh"), "en": uncertainty.rule_text("en")}}}

    adaptive = results.manifest.get("adaptive")
    if adaptive and not all_eff.empty:  # why each comparison has the replications it has
        why = {(c["scenario"], int(c["point_id"])): c["stopped"] for c in adaptive.get("comparisons", [])}
        all_eff = all_eff.assign(stopped=[why.get((s, int(p))) for s, p in zip(all_eff["scenario"], all_eff["point_id"],
                                                                               strict=True)])
        eff = all_eff[all_eff["source"] == "summary"]
    all_eff = _named(all_eff, points)
    curve = effects.response_curve(eff, levels, points, parameters)
    for df, name in ((all_eff, "effects"), (levels, "levels"), (cost, "costs"), (levers, "spending_by_lever"),
                     (by_gov, "spending_by_government"),
                     (fun, "funnel"), (wd, "withdrawals"), (bands, "monthly_bands"), (points, "points"),
                     (curve, "response"), (sens, "sensitivity"), (sens2, "sensitivity_second_order"),
                     (land, "land_ends")):
        files += _write(df, folder, name)
    for name, df in memo.tables(results).items():
        files += _write(df, folder, name)
    dec, dec_context = _decomposition(results)
    if not dec.empty:  # effects explained by mechanism (results of this version only)
        for df, name in ((dec, "decomposition"), (dec_context, "decomposition_context")):
            files += _write(df, folder, name)

    brief_eff = all_eff[all_eff["output"].isin(BRIEF_OUTPUTS)] if not all_eff.empty else all_eff
    paths = {s.get("name"): s.get("path") for s in results.manifest.get("scenarios", [])}
    used = {s.get("name"): _settings_of(s.get("text")) for s in results.manifest.get("scenarios", [])}
    headline_eff = eff[eff["output"].isin(HEADLINE_OUTPUTS)] if not eff.empty else eff
    data = {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "results_dir": str(Path(results_dir)),
        "provenance": provenance(results),
        "baseline": results.baseline,
        "baselines": results.baselines,
        "pooled_points": results.pooled,
        "pooled": {lang: effects.pooled_text(results, lang) for lang in ("zh", "en")} if results.pooled else None,
        "points": _points(points, parameters),
        "reference_point": effects.reference_point(results, points),
        "response": _response(curve),
        "joined": results.manifest.get("joined", []),
        "scenarios": [{"name": s.name, "index": s.index, "file": s.file, "path": paths.get(s.name), "title": s.title,
                       "description": s.description, "region": s.region, "settings_sha256": used.get(s.name)}
                      for s in results.scenarios],
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
            "design_points": int(headline_eff["point_id"].nunique()) if len(headline_eff) else 0,
            "max_n": int(headline_eff["n"].max()) if len(headline_eff) else 0,
        },
        "replications": _replications(adaptive, results),
        "effects": records(brief_eff),
        "levels": records(levels[levels["output"].isin(BRIEF_OUTPUTS)] if not levels.empty else levels),
        "costs": records(cost),
        "spending_by_lever": records(levers),
        "spending_by_government": records(by_gov),
        "funnel": records(fun),
        "decomposition": records(dec[~dec["kind"].eq("residual")]) if not dec.empty else [],
        "withdrawals": records(wd[wd["stage"].isin(("after_signing", "all"))] if not wd.empty else wd),
        "sensitivity": {"available": not sens.empty, "design": sens_design, "error": sens_error,
                        "indices": records(sens)},
        "posterior": posterior,
        "screening": {"available": bool(screened), "design": screened.get("design"), "error": screen_error,
                      **{name: records(screened.get(name)) for name in ("groups", "signs", "hinges", "summary")}},
        "files": files + [JSON_NAME],
    }
    data = _clean(data)

    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / JSON_NAME, json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    return data


def _named(df: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """A table with each row's design point named in both languages (``point_name_zh``, ``point_name_en``)."""
    if df.empty or points.empty:
        return df
    names = points.set_index("point_id")
    pid = df["point_id"]
    return df.assign(point_name_zh=pid.map(names["name_zh"]).to_numpy(),
                     point_name_en=pid.map(names["name_en"]).to_numpy())


def _points(points: pd.DataFrame, parameters: list[str]) -> list[dict[str, Any]]:
    """The design points for ``analysis.json``: id, stored label, name in both languages and the values set."""
    return [{"point_id": int(r["point_id"]), "label": r["point_label"], "name": {"zh": r["name_zh"], "en": r["name_en"]},
             "values": {p: r[p] for p in parameters}} for r in records(points)]


def _response(curve: pd.DataFrame) -> dict[str, Any] | None:
    """A sweep's response curve for ``analysis.json``: the swept parameter (labels and unit in both languages),
    the parameters that separate its curves, and the curve's rows of the outputs the briefing shows."""
    if curve.empty:
        return None
    x = str(curve["x_parameter"].iloc[0])
    return {"x": x, "x_label": {lang: param_label(x, lang) for lang in ("zh", "en")},
            "x_unit": {lang: effects.value_unit(x, lang) for lang in ("zh", "en")},
            "x_values": sorted({float(v) for v in curve["x"]}),
            "series": int(curve["series"].nunique()),
            "rows": records(curve[curve["output"].isin(BRIEF_OUTPUTS)])}


def _decomposition(results: Results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The mechanism decomposition and its context (:mod:`sim.analysis.decompose`) with the design point of each
    row: per point when the design keeps its points apart (a sweep's effects differ from point to point), over
    every point for a sample design (``point_id`` -1). Empty frames without the accounts."""
    if not decompose.has_accounts(results):
        return pd.DataFrame(), pd.DataFrame()
    groups = [(POOLED_POINT, results)] if results.pooled else [
        (int(pid), dataclasses.replace(results, runs=g.reset_index(drop=True)))
        for pid, g in results.runs.groupby("point_id", sort=True)]
    dec, ctx = [], []
    for pid, sub in groups:
        for out, table in ((dec, decompose.decompose(sub)), (ctx, decompose.context(sub))):
            if not table.empty:
                table.insert(1, "point_id", pid)
                out.append(table)
    return (pd.concat(dec, ignore_index=True) if dec else pd.DataFrame(),
            pd.concat(ctx, ignore_index=True) if ctx else pd.DataFrame())


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
