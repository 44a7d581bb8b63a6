"""What strategies cost: jobs and arrived capital per 10,000 yuan spent, by strategy and by lever; money left unspent.

All money is in 万元 (10,000 yuan), as in the model. Per strategy the table
gives the mean (with 95% t-interval over replications) of the budget, the money
spent, held in the funds at the end, returned to the treasury unspent, borrowed
for the park and still owed at the end, jobs, arrived capital and the per-run
ratios the model reports (``jobs_per_10k_spent``, ``arrived_per_10k_spent``,
``cost_per_job``), and, against the baseline, the paired extra spending, extra
jobs and extra arrived capital.

Unspent money is reported as unspent, never as a saving: ``same_budget`` says
whether a strategy had the baseline's money (its budget plus its debt at the
end within 1% of the baseline's budget), and its held and returned money is
shown beside its spending. The incremental ratios ``extra spending / extra
jobs`` (万元 per additional job) and ``extra arrived capital / extra
spending`` are given only where both the spending and the outcome rise (their
95% intervals above zero); otherwise ``cost_per_job_note`` and
``arrived_note`` say why not (``spending_not_higher``, ``jobs_not_higher``,
``arrived_not_higher``; ``baseline`` for the baseline).

By lever (``spent_by_lever.*``): the mean spending on each lever, its share
of the strategy's spending and the paired change against the baseline, so
one sees what the extra jobs were bought with. Attributing jobs to single
levers needs a design that varies lever shares (a Sobol' or Morris design on
``budget.shares.*``), not a comparison of strategies.

By government (``spent_by_government.*``): what each district, county and the
city spent, a year and as a share of the strategy's spending.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from sim.analysis.data import Results
from sim.analysis.effects import paired_effects
from sim.errors import ScenarioError
from sim.region import load_region
from sim.stats import t_interval

COST_OUTPUTS = ("budget_spent", "budget_total", "budget_held", "budget_returned", "budget_borrowed", "budget_debt",
                "jobs", "arrived_capital", "signed_capital", "jobs_per_10k_spent", "arrived_per_10k_spent",
                "cost_per_job")
LEVER_PREFIX = "spent_by_lever."
GOVERNMENT_PREFIX = "spent_by_government."
SAME_BUDGET = 0.01
"""A strategy has the baseline's money when its budget plus its debt at the end is within this share of the
baseline's budget (the "same money" variants)."""
NOTES = ("baseline", "spending_not_higher", "jobs_not_higher", "arrived_not_higher")
"""Why an incremental ratio is not given: the baseline itself, or spending, jobs or arrived capital that do not rise
for certain (95% interval not above zero)."""


def _rises(table: pd.DataFrame, col: str) -> np.ndarray:
    low = table[f"{col}_ci_low"].to_numpy(dtype=float)
    return np.isfinite(low) & (low > 0)


def cost_effectiveness(results: Results) -> pd.DataFrame:
    """One row per scenario and design point: costs and results, with intervals and increments over the baseline.

    Columns: scenario, point_id, n, and for each of :data:`COST_OUTPUTS` present: ``<x>``, ``<x>_ci_low``,
    ``<x>_ci_high``; then d_spent, d_jobs, d_arrived, d_budget (budget plus debt at the end) (paired effects, with
    ``_ci_low``/``_ci_high``); unspent (held in the funds plus returned, 万元); same_budget (the baseline's money:
    budget plus debt within :data:`SAME_BUDGET` of the baseline's budget); incremental_cost_per_job (万元 per
    additional job) and incremental_arrived_per_10k (万元 arrived per extra 万元 spent), each NaN unless both the
    spending and its outcome rise for certain, with cost_per_job_note and arrived_note saying why (:data:`NOTES`,
    '' when given).
    """
    outs = [o for o in COST_OUTPUTS if o in results.runs.columns]
    rows = []
    for pid, s, sel in results.scenario_groups():
        row = {"scenario": s.name, "point_id": pid, "n": len(sel)}
        for o in outs:
            st = t_interval(sel[o].to_numpy(float))
            row[o], row[f"{o}_ci_low"], row[f"{o}_ci_high"] = st["mean"], st["ci_low"], st["ci_high"]
        rows.append(row)
    table = pd.DataFrame(rows)
    paired_on = [o for o in ("budget_spent", "jobs", "arrived_capital") if o in outs]
    eff = paired_effects(results, paired_on)
    if "budget_total" in outs:  # the budget and what is still owed: the money a strategy had
        runs = results.runs[["scenario", "point_id", "point_label", "replication"]].copy()
        runs["budget_and_debt"] = results.runs["budget_total"] + (
            results.runs["budget_debt"] if "budget_debt" in outs else 0.0)
        eff = pd.concat([eff, paired_effects(replace(results, runs=runs), ["budget_and_debt"])], ignore_index=True)
    for col, out in (("d_spent", "budget_spent"), ("d_jobs", "jobs"), ("d_arrived", "arrived_capital"),
                     ("d_budget", "budget_and_debt")):
        e = eff[eff["output"] == out].set_index(["scenario", "point_id"]) if not eff.empty else None
        for suffix, src in (("", "effect"), ("_ci_low", "ci_low"), ("_ci_high", "ci_high")):
            vals = []
            for _, r in table.iterrows():
                if results.is_baseline(r["scenario"]):
                    vals.append(0.0)
                elif e is not None and (r["scenario"], r["point_id"]) in e.index:
                    vals.append(float(e.loc[(r["scenario"], r["point_id"]), src]))
                else:
                    vals.append(np.nan)
            table[col + suffix] = vals
    held = table["budget_held"] if "budget_held" in table else 0.0
    returned = table["budget_returned"] if "budget_returned" in table else 0.0
    table["unspent"] = held + returned
    if "budget_total" in table:
        base_budget = table.loc[table["scenario"] == results.baseline].set_index("point_id")["budget_total"]
        ref = table["point_id"].map(base_budget).to_numpy(dtype=float)
        table["same_budget"] = np.abs(table["d_budget"].to_numpy(dtype=float)) <= SAME_BUDGET * np.abs(ref)
    base = (table["scenario"] == results.baseline).to_numpy()
    spend_up, jobs_up, arrived_up = _rises(table, "d_spent"), _rises(table, "d_jobs"), _rises(table, "d_arrived")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["incremental_cost_per_job"] = np.where(spend_up & jobs_up, table["d_spent"] / table["d_jobs"], np.nan)
        table["incremental_arrived_per_10k"] = np.where(spend_up & arrived_up, table["d_arrived"] / table["d_spent"],
                                                        np.nan)
    table["cost_per_job_note"] = np.where(base, "baseline", np.where(~spend_up, "spending_not_higher",
                                                                     np.where(~jobs_up, "jobs_not_higher", "")))
    table["arrived_note"] = np.where(base, "baseline", np.where(~spend_up, "spending_not_higher",
                                                                np.where(~arrived_up, "arrived_not_higher", "")))
    return table


def spending_by_government(results: Results) -> pd.DataFrame:
    """Mean spending per government (each district and county of the scenario's region, and the city) and strategy:
    万元 over the horizon and a year, and the government's share of the strategy's spending, from the runs' ledgers
    (``spent_by_government.<government>.<lever>``, every lever together).

    Columns: scenario, point_id, region, government, spent, spent_ci_low, spent_ci_high, spent_per_year, share.
    Governments are those of each scenario's region, in the order of its region file (districts and counties, then
    the city)."""
    cols = [c for c in results.runs.columns if c.startswith(GOVERNMENT_PREFIX)]
    if not cols:
        return pd.DataFrame()
    govs = list(dict.fromkeys(c[len(GOVERNMENT_PREFIX):].rsplit(".", 1)[0] for c in cols))
    by_gov = {g: [c for c in cols if c.startswith(f"{GOVERNMENT_PREFIX}{g}.")] for g in govs}
    years = results.horizon / 12.0 if results.horizon else float("nan")
    rows = []
    for pid, s, sel in results.scenario_groups():
        spent = {g: sel[c].sum(axis=1, min_count=1).to_numpy(float) for g, c in by_gov.items()}
        spent = {g: v for g, v in spent.items() if np.isfinite(v).any()}  # the governments of this scenario's region
        order = _region_order(s.region)
        spent = dict(sorted(spent.items(), key=lambda kv: order.get(kv[0], len(order))))
        total = float(np.nanmean(np.sum([np.nan_to_num(v) for v in spent.values()], axis=0))) if spent else 0.0
        for g, v in spent.items():
            st = t_interval(v[np.isfinite(v)])
            rows.append({"scenario": s.name, "point_id": pid, "region": s.region, "government": g, "spent": st["mean"],
                         "spent_ci_low": st["ci_low"], "spent_ci_high": st["ci_high"],
                         "spent_per_year": st["mean"] / years, "share": st["mean"] / total if total > 0 else np.nan})
    return pd.DataFrame(rows)


def _region_order(region: str) -> dict[str, int]:
    """Position of each government in its region's file ({} when the region cannot be read here)."""
    try:
        return {g: i for i, g in enumerate(load_region(region).governments)}
    except ScenarioError:
        return {}


def spending_by_lever(results: Results) -> pd.DataFrame:
    """Mean spending per lever and strategy (万元), its share of the strategy's spending and the change vs the baseline.

    Columns: scenario, point_id, lever, spent, spent_ci_low, spent_ci_high, share, d_spent, d_spent_ci_low, d_spent_ci_high.
    """
    levers = [c for c in results.runs.columns if c.startswith(LEVER_PREFIX)]
    if not levers:
        return pd.DataFrame()
    eff = paired_effects(results, levers)
    found = {(s, int(p), o): (e, lo, hi) for s, p, o, e, lo, hi in
             zip(eff["scenario"], eff["point_id"], eff["output"], eff["effect"], eff["ci_low"], eff["ci_high"],
                 strict=True)} if len(eff) else {}
    rows = []
    for pid, s, sel in results.scenario_groups():
        total = float(sel[levers].sum(axis=1).mean())
        for col in levers:
            st = t_interval(sel[col].to_numpy(float))
            row = {"scenario": s.name, "point_id": pid, "lever": col[len(LEVER_PREFIX):], "spent": st["mean"],
                   "spent_ci_low": st["ci_low"], "spent_ci_high": st["ci_high"],
                   "share": st["mean"] / total if total > 0 else np.nan}
            if results.is_baseline(s.name):
                row.update(d_spent=0.0, d_spent_ci_low=0.0, d_spent_ci_high=0.0)
            else:
                e = found.get((s.name, int(pid), col), (np.nan, np.nan, np.nan))
                row.update(d_spent=float(e[0]), d_spent_ci_low=float(e[1]), d_spent_ci_high=float(e[2]))
            rows.append(row)
    return pd.DataFrame(rows)
