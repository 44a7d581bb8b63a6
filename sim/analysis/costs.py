"""What strategies cost: jobs and arrived capital per 10,000 yuan spent, by strategy and by lever.

All money is in 万元 (10,000 yuan), as in the model. Per strategy the table
gives the mean (with 95% t-interval over replications) of the budget spent,
jobs, arrived capital and the per-run ratios the model reports
(``jobs_per_10k_spent``, ``arrived_per_10k_spent``, ``cost_per_job``), and,
against the baseline, the paired extra spending, extra jobs and extra arrived
capital with the incremental ratios ``extra spending / extra jobs`` (万元 per
additional job) and ``extra arrived capital / extra spending``.

By lever (``spent_by_lever.*``): the mean spending on each lever, its share
of the strategy's spending and the paired change against the baseline, so
one sees what the extra jobs were bought with. Attributing jobs to single
levers needs a design that varies lever shares (a Sobol' or Morris design on
``budget.shares.*``), not a comparison of strategies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.data import Results
from sim.analysis.effects import paired_effects
from sim.stats import t_interval

COST_OUTPUTS = ("budget_spent", "budget_total", "jobs", "arrived_capital", "signed_capital", "jobs_per_10k_spent",
                "arrived_per_10k_spent", "cost_per_job")
LEVER_PREFIX = "spent_by_lever."


def cost_effectiveness(results: Results) -> pd.DataFrame:
    """One row per scenario and design point: costs and results, with intervals and increments over the baseline.

    Columns: scenario, point_id, n, and for each of budget_spent, budget_total, jobs, arrived_capital,
    signed_capital, jobs_per_10k_spent, arrived_per_10k_spent, cost_per_job: ``<x>``, ``<x>_ci_low``,
    ``<x>_ci_high``; then d_spent, d_jobs, d_arrived (paired effects, with ``_ci_low``/``_ci_high``),
    incremental_cost_per_job (万元 per additional job; NaN unless jobs rise) and
    incremental_arrived_per_10k (万元 arrived per extra 万元 spent; NaN unless spending rises).
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
    eff = paired_effects(results, [o for o in ("budget_spent", "jobs", "arrived_capital") if o in outs])
    for col, out in (("d_spent", "budget_spent"), ("d_jobs", "jobs"), ("d_arrived", "arrived_capital")):
        e = eff[eff["output"] == out].set_index(["scenario", "point_id"]) if not eff.empty else None
        for suffix, src in (("", "effect"), ("_ci_low", "ci_low"), ("_ci_high", "ci_high")):
            vals = []
            for _, r in table.iterrows():
                if r["scenario"] == results.baseline:
                    vals.append(0.0)
                elif e is not None and (r["scenario"], r["point_id"]) in e.index:
                    vals.append(float(e.loc[(r["scenario"], r["point_id"]), src]))
                else:
                    vals.append(np.nan)
            table[col + suffix] = vals
    with np.errstate(divide="ignore", invalid="ignore"):
        table["incremental_cost_per_job"] = np.where(table["d_jobs"] > 0, table["d_spent"] / table["d_jobs"], np.nan)
        table["incremental_arrived_per_10k"] = np.where(table["d_spent"] > 0, table["d_arrived"] / table["d_spent"], np.nan)
    return table


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
            if s.name == results.baseline:
                row.update(d_spent=0.0, d_spent_ci_low=0.0, d_spent_ci_high=0.0)
            else:
                e = found.get((s.name, int(pid), col), (np.nan, np.nan, np.nan))
                row.update(d_spent=float(e[0]), d_spent_ci_low=float(e[1]), d_spent_ci_high=float(e[2]))
            rows.append(row)
    return pd.DataFrame(rows)
