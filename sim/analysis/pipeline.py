"""The project pipeline of each strategy: the funnel from contact to operation, and why investors left.

Funnel stages, counted per run from its summary (projects that *ever* reached
the stage by the horizon):

- contacted: prospects contacted (``prospects_contacted``);
- negotiating: contacted prospects that entered negotiation (``negotiations_started``);
- signed: ``signed_projects``;
- building: signed projects that began building (``share_started_to_date * signed_projects``);
- operating: signed projects that reached operation (``share_completed_to_date * signed_projects``).

Withdrawals (competing risks, one recorded reason each): counts by reason and
by the stage the investor left from, plus all stages and "after signing";
``per_100_signed`` divides a run's count by its signed projects (x 100), so
strategies that sign more are not blamed for more withdrawals in absolute
terms. The change against the baseline is paired by replication.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.data import Results, pair_keys_of, pair_positions
from sim.model.stages import REASONS
from sim.stats import AdequacyRule, column_intervals, effect_rows, t_interval

FUNNEL_STAGES = ("contacted", "negotiating", "signed", "building", "operating")
STAGES = ("negotiating", "signed", "building", "operating")
BY_STAGE = "withdrawals_by_reason_and_stage."
ALL_STAGES = "withdrawals_by_reason."
AFTER_SIGNING = "withdrawals_after_signing_by_reason."


def funnel_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run: projects that reached each funnel stage (columns ``contacted`` .. ``operating``)."""
    signed = runs["signed_projects"].astype(float)
    return pd.DataFrame({
        "contacted": runs["prospects_contacted"].astype(float),
        "negotiating": runs["negotiations_started"].astype(float),
        "signed": signed,
        "building": runs["share_started_to_date"] * signed,
        "operating": runs["share_completed_to_date"] * signed,
    }, index=runs.index)


def funnel(results: Results) -> pd.DataFrame:
    """Mean projects reaching each stage per scenario, with 95% t-interval and per 100 contacted.

    Columns: scenario, point_id, stage, order, n, mean, ci_low, ci_high, per_100_contacted.
    """
    rows = []
    for pid, g in results.point_groups():
        counts = funnel_counts(g)
        for s in results.scenarios:
            sel = counts[g["scenario"] == s.name]
            if sel.empty:
                continue
            contacted = float(sel["contacted"].mean())
            for i, stage in enumerate(FUNNEL_STAGES):
                st = t_interval(sel[stage].to_numpy(float))
                rows.append({"scenario": s.name, "point_id": pid, "stage": stage, "order": i, "n": st["n"],
                             "mean": st["mean"], "ci_low": st["ci_low"], "ci_high": st["ci_high"],
                             "per_100_contacted": 100 * st["mean"] / contacted if contacted > 0 else np.nan})
    return pd.DataFrame(rows)


def reasons_in(columns) -> list[str]:
    """Withdrawal reasons present in the stored summary, in the model's order."""
    present = {c[len(ALL_STAGES):] for c in columns if c.startswith(ALL_STAGES)}
    return [r for r in REASONS if r in present] + sorted(present - set(REASONS))


def _withdrawal_columns(runs: pd.DataFrame) -> dict[tuple[str, str], str]:
    cols: dict[tuple[str, str], str] = {}
    for r in reasons_in(runs.columns):
        for st in STAGES:
            c = f"{BY_STAGE}{r}.{st}"
            if c in runs.columns:
                cols[(r, st)] = c
        if f"{AFTER_SIGNING}{r}" in runs.columns:
            cols[(r, "after_signing")] = f"{AFTER_SIGNING}{r}"
        cols[(r, "all")] = f"{ALL_STAGES}{r}"
    return cols


TOTAL = "total"
"""``reason`` of the rows that add up every reason of a stage group."""


def _with_totals(runs: pd.DataFrame, cols: dict[tuple[str, str], str]) -> tuple[pd.DataFrame, dict]:
    runs = runs.copy()
    cols = dict(cols)
    for st in dict.fromkeys(s for _, s in cols):
        name = f"_total.{st}"
        runs[name] = runs[[c for (r, s), c in cols.items() if s == st]].sum(axis=1)
        cols[(TOTAL, st)] = name
    return runs, cols


def withdrawals(results: Results) -> pd.DataFrame:
    """Withdrawals by reason and stage per scenario: mean count and per 100 signed projects, with the change vs baseline.

    ``stage`` is one of negotiating, signed, building, operating, after_signing (signed, building or
    operating) or all; ``reason`` is a withdrawal reason or "total" (every reason). Columns: scenario, point_id, reason, stage, n, mean, ci_low, ci_high,
    share (of all withdrawals of that stage group), per_100_signed, per_100_signed_ci_low,
    per_100_signed_ci_high, d_per_100_signed, d_per_100_signed_ci_low, d_per_100_signed_ci_high.
    """
    cols = _withdrawal_columns(results.runs)
    if not cols:
        return pd.DataFrame()
    runs, cols = _with_totals(results.runs, cols)
    keys = list(cols)
    counts = runs[[cols[k] for k in keys]].to_numpy(float)
    signed = runs["signed_projects"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per100 = np.where(signed[:, None] > 0, 100 * counts / signed[:, None], np.nan)
    names = [f"_per100.{r}.{st}" for r, st in keys]
    pair_keys = pair_keys_of(runs)
    rows = []
    rule = AdequacyRule()
    for pid, _, cells in results.cells():
        for s in results.scenarios:
            pos, base = cells.get(s.name), cells.get(results.baseline_of(s.name))
            if pos is None:
                continue
            totals = {st: float(pd.Series(counts[pos, i]).mean()) for i, (r, st) in enumerate(keys) if r == TOTAL}
            eff = {}
            if not results.is_baseline(s.name) and base is not None:
                ia, ib = pair_positions(pair_keys[pos], pair_keys[base])
                if len(ia):
                    recs = effect_rows(s.name, pid, "", names, per100[pos[ia]], per100[base[ib]], rule,
                                       results.horizon, "summary")
                    eff = {r["output"]: r for r in recs}
            st, pr = column_intervals(counts[pos]), column_intervals(per100[pos])
            zero = results.is_baseline(s.name)
            for i, key in enumerate(keys):
                e = eff.get(names[i])
                mean = float(st["mean"][i])
                rows.append({
                    "scenario": s.name, "point_id": pid, "reason": key[0], "stage": key[1], "n": int(st["n"][i]),
                    "mean": mean, "ci_low": float(st["ci_low"][i]), "ci_high": float(st["ci_high"][i]),
                    "share": mean / totals[key[1]] if totals[key[1]] > 0 else np.nan,
                    "per_100_signed": float(pr["mean"][i]), "per_100_signed_ci_low": float(pr["ci_low"][i]),
                    "per_100_signed_ci_high": float(pr["ci_high"][i]),
                    "d_per_100_signed": 0.0 if zero else (e["effect"] if e else np.nan),
                    "d_per_100_signed_ci_low": 0.0 if zero else (e["ci_low"] if e else np.nan),
                    "d_per_100_signed_ci_high": 0.0 if zero else (e["ci_high"] if e else np.nan),
                })
    return pd.DataFrame(rows)
