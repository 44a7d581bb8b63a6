"""What a decision memo needs beyond the comparison of strategies, from the stored runs of an experiment.

Tables (each strategy's own runs; against the baseline, paired by replication with 95% t-intervals):

- ``money_by_government``: what each government (every county and the city) spent on each lever over the
  horizon and a year (``spent_by_government``, 万元), and on all levers (lever ``total``);
- ``money_by_source``: where the strategy's money came from: the base transfer, the tax fed back into the
  budget, and what the park borrowed besides (its interest is paid from the budget);
- ``yearly``: each assessment year's flows (contacts, signings, signed and arrived capital, tax in the year) and
  the jobs and operating projects at its end, with the effect against the baseline (from the monthly series);
- ``monitoring``: the band (10%, 50% and 90% of the runs) each cumulative indicator of a strategy reached by the
  end of each quarter: the range that means "on track";
- ``risks``: broken promises, unserious signings and stalled projects per 100 signed, stop-go years, park debt,
  money left unspent, leader rotations;
- ``government_results``: each government's projects signed, capital arrived, jobs and broken promises.

Columns of the paired tables: scenario, point_id, item, n, mean, ci_low, ci_high, p10, p50, p90 (of the
strategy's runs), effect, effect_ci_low, effect_ci_high, effect_n, d_p05, d_p95 (the 5% and 95% quantiles of the
paired differences: what one run in twenty does worse or better), significant. Money is in 万元 as in the model.

:func:`join_runs` adds the runs of another results folder to a comparison, when they were run in the same
setting (root seed, horizon, overrides, posterior draws): a strategy run on its own, e.g. an allocation a search
chose after the comparison ran (``sim brief --join``), is then one more strategy paired with the same baseline
runs.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.data import AnalysisError, Results, ScenarioInfo, pair_keys_of, pair_positions
from sim.errors import ScenarioError
from sim.model.units import MONTHS_PER_YEAR
from sim.scenario import load_scenario
from sim.stats import column_intervals, column_quantiles

MONITORED = ("contacted_total", "signed_projects", "signed_capital", "arrived_capital", "jobs")
"""Indicators watched quarter by quarter: the first four cumulative since the strategy began, jobs as they stand (a
stock of every operating firm's jobs, which falls when firms exit: in a region in steady state it need not rise)."""
FLOWS = ("contacted_total", "signed_projects", "signed_capital", "arrived_capital", "tax_revenue")
"""Cumulative monthly series whose yearly flows are compared (what happened within each assessment year)."""
STOCKS = ("jobs", "n_operating")
"""Monthly series compared as they stand at the end of each assessment year."""
MONTHLY = tuple(dict.fromkeys((*MONITORED, *FLOWS, *STOCKS)))
"""The monthly columns these tables read."""
QUARTER_MONTHS = 3
BAND = (0.1, 0.5, 0.9)
"""Quantiles of a strategy's runs that make the monitoring band (its lower edge, middle and upper edge)."""
LEVEL_QUANTILES = (0.1, 0.5, 0.9)
SPREAD = (0.05, 0.95)
"""Quantiles of the paired differences: one run in twenty does worse than the first, one in twenty better than
the second."""
SOURCES = ("base_transfer", "tax_returned", "borrowing")
"""Where a strategy's money comes from: the yearly base transfer, the tax fed back into the budget, and what the
park borrows beyond the budget."""
BY_GOVERNMENT = "spent_by_government."
RESULTS_BY_GOVERNMENT = "results_by_government."
PER_SIGNED = {"promises_broken": "promises_broken",
              "unserious_signings": "withdrawals_after_signing_by_reason.not_serious",
              "stalled": "stalled_projects"}
"""Risks counted per 100 signed projects: the count each is read from."""
RISK_LEVELS = ("stop_go_years", "leader_rotations", "budget_held", "budget_returned")
"""Risks read as they are (when the summary has them)."""
DEBT = "budget_debt"
"""The park's debt at the horizon, when the summary reports it; else borrowing as the park's money times its
leverage less one."""
BORROWED = "budget_borrowed"
"""The principal borrowed for the park over the horizon, when the summary reports it (a source of money beside the
budget); else as :data:`DEBT`."""


def years(results: Results) -> int:
    """Budget years that began within the horizon (a budget at months 0, 12, 24, ...)."""
    return max(1, math.ceil(results.horizon / MONTHS_PER_YEAR))


# ----------------------------------------------------------------------------- joining another folder's runs
def join_runs(results: Results, other: Results) -> Results:
    """``results`` with the runs (and monthly series) of ``other`` added as more strategies, paired with the same
    baseline: both must have been run with the same root seed, horizon, overrides, design and posterior draws, so
    that replication r of every strategy meets the same investors (common random numbers) in the same region. One
    line on a mismatch."""
    a, b = results.manifest, other.manifest
    for key, what in (("root_seed", "the same root seed"), ("horizon_months", "the same horizon"),
                      ("overrides", "the same overrides")):
        if a.get(key) != b.get(key):
            raise AnalysisError(f"{other.root}: key '{key}': expected {what} as {results.root} ({a.get(key)!r}), "
                                f"found {b.get(key)!r}")
    if _draws(a) != _draws(b):
        raise AnalysisError(f"{other.root}: key 'posterior': expected the posterior draws of {results.root} "
                            f"{_draws(a)!r}, found {_draws(b)!r}")
    if a.get("design", {}).get("n_points") != b.get("design", {}).get("n_points"):
        raise AnalysisError(f"{other.root}: key 'design': expected the design points of {results.root}, found others")
    clash = sorted({s.name for s in results.scenarios} & {s.name for s in other.scenarios})
    if clash:
        raise AnalysisError(f"{other.root}: key 'scenarios': expected strategies {results.root} does not have, "
                            f"found '{clash[0]}' in both")
    start = len(results.scenarios)
    scenarios = [*results.scenarios, *(ScenarioInfo(s.name, start + i, s.file, s.title, s.description, s.region)
                                       for i, s in enumerate(other.scenarios))]
    runs = pd.concat([results.runs, other.runs], ignore_index=True)
    monthly = results.monthly
    if monthly is not None and other.monthly is not None:
        monthly = pd.concat([monthly, other.monthly[[c for c in monthly.columns if c in other.monthly.columns]]],
                            ignore_index=True)
    outputs = [*results.outputs, *(o for o in other.outputs if o not in results.outputs)]
    for o in outputs:
        if o in runs.columns:
            runs[o] = runs[o].astype(float)
    manifest = copy.copy(a)
    manifest["scenarios"] = [*a.get("scenarios", []), *b.get("scenarios", [])]
    manifest["joined"] = [*a.get("joined", []), {"results_dir": str(other.root), "experiment": other.name,
                                                 "experiment_sha256": b.get("experiment_sha256"),
                                                 "runs": len(other.runs)}]
    return Results(results.root, manifest, runs, monthly, outputs, scenarios, results.baseline,
                   results.n_failed + other.n_failed)


def _draws(manifest: dict) -> tuple | None:
    """What decides each replication's parameters: None at the scenarios' own, else the posterior record's hash and
    the number of draws (replication r then runs at the same draw in both)."""
    p = manifest.get("posterior")
    return None if not p else (p.get("parameters"), p.get("record_sha256"), p.get("posterior_draws"))


# ----------------------------------------------------------------------------- paired tables
def paired_table(results: Results, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Each strategy's level and its paired difference from the baseline of every per-run value in ``values``
    (item -> one value per row of ``results.runs``); columns in the module's docstring."""
    if not values:
        return pd.DataFrame()
    names = list(values)
    mat = np.column_stack([np.asarray(values[n], dtype=float) for n in names])
    keys = pair_keys_of(results.runs)
    rows = []
    for pid, _, cells in results.cells():
        for s in results.scenarios:
            pos, base = cells.get(s.name), cells.get(results.baseline_of(s.name))  # its own region's baseline
            if pos is None:
                continue
            lv, q = column_intervals(mat[pos]), column_quantiles(mat[pos], LEVEL_QUANTILES)
            if results.is_baseline(s.name) or base is None:
                diff = np.zeros((len(pos), len(names)))
            else:
                ia, ib = pair_positions(keys[pos], keys[base])
                diff = mat[pos[ia]] - mat[base[ib]]
            di = column_intervals(diff)
            dq = column_quantiles(diff, SPREAD) if len(diff) else np.full((2, len(names)), np.nan)
            for j, item in enumerate(names):
                low, high = float(di["ci_low"][j]), float(di["ci_high"][j])
                rows.append({"scenario": s.name, "point_id": pid, "item": item, "n": int(lv["n"][j]),
                             "mean": float(lv["mean"][j]), "ci_low": float(lv["ci_low"][j]),
                             "ci_high": float(lv["ci_high"][j]), "p10": float(q[0, j]), "p50": float(q[1, j]),
                             "p90": float(q[2, j]), "effect": float(di["mean"][j]), "effect_ci_low": low,
                             "effect_ci_high": high, "effect_n": int(di["n"][j]), "d_p05": float(dq[0, j]),
                             "d_p95": float(dq[1, j]),
                             "significant": bool(not results.is_baseline(s.name) and (low > 0 or high < 0))})
    return pd.DataFrame(rows)


def _at_months(results: Results, months: list[int], columns: tuple[str, ...]) -> dict[int, pd.DataFrame]:
    """The monthly values at each of ``months``, one row per run in the order of ``results.runs``."""
    mon = results.monthly
    cols = [c for c in columns if mon is not None and c in mon.columns]
    if not cols:
        return {}
    key = ["scenario", "point_id", "replication"]
    index = pd.MultiIndex.from_frame(results.runs[key])
    out = {}
    for m in months:
        at = mon[mon["month"] == m]
        if at.empty:
            continue
        out[m] = at.drop_duplicates(key).set_index(key)[cols].reindex(index).reset_index(drop=True)
    return out


def yearly(results: Results) -> pd.DataFrame:
    """Each assessment year's flows and year-end stocks with their effect against the baseline (columns of
    :func:`paired_table` plus ``year``, ``output`` and ``kind``, flow or stock); empty without monthly series."""
    n = years(results)
    ends = [MONTHS_PER_YEAR * y for y in range(n + 1) if MONTHS_PER_YEAR * y <= results.horizon]
    at = _at_months(results, ends, MONTHLY)
    if not at or 0 not in at:
        return pd.DataFrame()
    frames = []
    for y in range(1, len(ends)):
        end, start = at.get(ends[y]), at.get(ends[y - 1])
        if end is None or start is None:
            continue
        values = {o: (end[o] - start[o]).to_numpy(float) for o in FLOWS if o in end}
        values |= {o: end[o].to_numpy(float) for o in STOCKS if o in end}
        t = paired_table(results, values)
        if t.empty:
            continue
        t.insert(2, "year", y)
        t["output"] = t["item"]
        t["kind"] = np.where(t["item"].isin(FLOWS), "flow", "stock")
        frames.append(t)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def monitoring(results: Results) -> pd.DataFrame:
    """The band each cumulative indicator of each strategy reached by the end of every quarter: columns
    scenario, point_id, quarter, month, output, n, low, middle, high (the 10%, 50% and 90% of its runs)."""
    mon = results.monthly
    cols = [c for c in MONITORED if mon is not None and c in mon.columns]
    if not cols:
        return pd.DataFrame()
    at = mon[(mon["month"] > 0) & (mon["month"] % QUARTER_MONTHS == 0)]
    g = at.groupby(["scenario", "point_id", "month"], sort=True)[cols]
    q = g.quantile(list(BAND))
    n = g.count()
    # each band's values as an array in the order of the counts' rows (one lookup per band, not per value)
    low, middle, high = (q.xs(b, level=-1).reindex(n.index)[cols].to_numpy(float) for b in BAND)
    counts = n[cols].to_numpy(int)
    rows = []
    for i, (scen, pid, month) in enumerate(n.index):
        for j, o in enumerate(cols):
            rows.append({"scenario": scen, "point_id": int(pid), "quarter": int(month // QUARTER_MONTHS),
                         "month": int(month), "output": o, "n": int(counts[i, j]), "low": float(low[i, j]),
                         "middle": float(middle[i, j]), "high": float(high[i, j])})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- money
def money_by_government(results: Results) -> pd.DataFrame:
    """What each government spent on each lever (and on all, lever ``total``) over the horizon, with the paired
    change against the baseline; columns of :func:`paired_table` plus ``government``, ``lever`` and ``per_year``
    (the mean over the horizon's budget years). Empty for runs without the accounts."""
    cols = [c for c in results.runs.columns if c.startswith(BY_GOVERNMENT)]
    if not cols:
        return pd.DataFrame()
    values = {c[len(BY_GOVERNMENT):]: results.runs[c].to_numpy(float) for c in cols}
    for gov in dict.fromkeys(c.split(".")[1] for c in cols):
        values[f"{gov}.total"] = results.runs[[c for c in cols if c.split(".")[1] == gov]].sum(axis=1).to_numpy(float)
    t = paired_table(results, values)
    t["government"] = t["item"].str.split(".").str[0]
    t["lever"] = t["item"].str.split(".").str[1]
    t["per_year"] = t["mean"] / years(results)
    return t


def _scenario_params(results: Results) -> dict:
    """Each strategy's parameters as it ran: its scenario file with the experiment's overrides (None when the file
    is gone or no longer valid)."""
    out = {}
    for s in results.manifest.get("scenarios", []):
        try:
            spec = load_scenario(s.get("path") or s.get("file", ""))
            out[s["name"]] = spec.with_overrides(dict(results.manifest.get("overrides") or {})).params
        except (ScenarioError, OSError, KeyError, TypeError):
            out[s.get("name")] = None
    return out


def _borrowed(results: Results, params: dict, column: str = DEBT) -> np.ndarray:
    """What the park owes at the horizon per run (``column`` DEBT) or borrowed over it (BORROWED): the summary's
    figure when it has one, else the park's money times its leverage less one (NaN for a strategy whose parameters
    are not known)."""
    runs = results.runs
    if column in runs:
        return runs[column].to_numpy(float)
    lever = runs["scenario"].map(lambda s: params[s].platform.financing_leverage - 1.0 if params.get(s) is not None
                                 else np.nan).to_numpy(float)
    park = runs["spent_by_lever.park"].to_numpy(float) if "spent_by_lever.park" in runs else np.zeros(len(runs))
    return park * lever


def money_by_source(results: Results) -> pd.DataFrame:
    """Where each strategy's money came from over the horizon: the base transfer (its yearly transfer times the
    budget years), the tax fed back (the rest of the budget made available) and what the park borrowed besides
    (the park's debt, or its money times its leverage less one); columns of :func:`paired_table` plus
    ``source`` and ``per_year``. Strategies whose scenario file is gone have no row."""
    params = _scenario_params(results)
    runs = results.runs
    n_years = years(results)
    base = runs["scenario"].map(lambda s: params[s].budget.base_transfer * params[s].scale * n_years
                                if params.get(s) is not None else np.nan).to_numpy(float)
    if np.isnan(base).all() or "budget_total" not in runs:
        return pd.DataFrame()
    total = runs["budget_total"].to_numpy(float)
    t = paired_table(results, {"base_transfer": base, "tax_returned": total - base,
                               "borrowing": _borrowed(results, params, BORROWED)})
    t = t[np.isfinite(t["mean"])].reset_index(drop=True)
    t["source"] = t["item"]
    t["per_year"] = t["mean"] / n_years
    return t


# ----------------------------------------------------------------------------- risks and governments
def _per_signed(results: Results, column: str) -> np.ndarray:
    runs = results.runs
    signed = runs["signed_projects"].to_numpy(float)
    return np.divide(100.0 * runs[column].to_numpy(float), signed, out=np.full(len(runs), np.nan), where=signed > 0)


def risks(results: Results) -> pd.DataFrame:
    """The risks each strategy runs, with their change against the baseline: broken promises, unserious
    signings (withdrawn after signing as not serious) and stalled projects per 100 signed, stop-go years, leader
    rotations, money held in the funds or returned unspent, and park debt; columns of :func:`paired_table`."""
    runs = results.runs
    values = {name: _per_signed(results, col) for name, col in PER_SIGNED.items()
              if col in runs and "signed_projects" in runs}
    values |= {name: runs[name].to_numpy(float) for name in RISK_LEVELS if name in runs}
    debt = _borrowed(results, _scenario_params(results))
    if np.isfinite(debt).any():
        values["debt"] = debt
    return paired_table(results, values)


def government_results(results: Results) -> pd.DataFrame:
    """Each government's projects signed, capital arrived, jobs and broken promises, with their change against
    the baseline; columns of :func:`paired_table` plus ``government`` and ``output``. Empty for runs without
    ``results_by_government``."""
    cols = [c for c in results.runs.columns if c.startswith(RESULTS_BY_GOVERNMENT)]
    if not cols:
        return pd.DataFrame()
    t = paired_table(results, {c[len(RESULTS_BY_GOVERNMENT):]: results.runs[c].to_numpy(float) for c in cols})
    t["government"] = t["item"].str.split(".").str[0]
    t["output"] = t["item"].str.split(".").str[1]
    return t


TABLES = ("money_by_government", "money_by_source", "yearly", "monitoring", "risks", "government_results")
"""The tables :func:`tables` returns, written by ``sim analyse`` beside the others."""


def tables(results: Results) -> dict[str, pd.DataFrame]:
    """Every table of this module for one experiment (empty frames where the runs lack what a table reads)."""
    return {"money_by_government": money_by_government(results), "money_by_source": money_by_source(results),
            "yearly": yearly(results), "monitoring": monitoring(results), "risks": risks(results),
            "government_results": government_results(results)}


def joined_dirs(manifest: dict) -> list[Path]:
    """The results folders whose runs were joined to an analysis (:func:`join_runs`)."""
    return [Path(j["results_dir"]) for j in manifest.get("joined", [])]
