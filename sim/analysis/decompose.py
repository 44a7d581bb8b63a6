"""Every effect explained by mechanism: exact decompositions of a strategy's change against the baseline.

Two headline effects are decomposed, replication by replication on the pairs
of common random numbers, then averaged with 95% t-intervals:

- **Cohort 履约率** (``cohort_fulfilment_rate_24m``: signed projects building or
  operating 24 months after signing / signed). By the run's accounts
  (:func:`sim.model.outputs.mechanism_accounts`) ``rate = 1 - sum_c N_c / N``,
  where ``N`` is the cohort and ``N_c`` its projects that were not building or
  operating 24 months after signing because they had withdrawn or closed for
  reason ``c`` (before or after starting), were still ``waiting`` to start or
  were ``stalled`` (烂尾). So ``delta rate = - sum_c delta(N_c / N)``: in
  percentage points, each component is the change in projects not fulfilled of
  that kind per 100 signed, with the sign of its effect on the rate.
- **Arrived capital** (万元). ``arrived = signed capital - sum_g gap_g`` where
  ``gap_g`` is the capital signed but not arrived of the projects in group
  ``g`` at the horizon (withdrawn or exited for each reason, stalled 烂尾,
  still building, waiting to start, operating). Signed capital is the product
  contacts x signings per contact x capital per signing, whose change is split
  among the three factors by the Shapley rule (each factor's average marginal
  change over the orders in which the factors can change), which adds up
  exactly. So ``delta arrived = volume components - sum_g delta gap_g``.

Both are identities: the components add up to the total effect (the stored
``cohort_fulfilment_rate_24m`` and ``arrived_capital``) in every pair, up to
floating-point rounding, and so do their means; the table carries the
residual. The decomposition knows nothing of the model beyond the stored
summary columns.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from sim.analysis.data import Results, pair_keys_of, pair_positions
from sim.stats import FULFILMENT, column_intervals, t_interval

RATE = FULFILMENT
CAPITAL = "arrived_capital"
COHORT_PREFIX = "cohort_not_fulfilled_24m."
COHORT_SIZE = "cohort_projects_24m"
GAP_PREFIX = "capital_gap."
VOLUME_FACTORS = ("contacts", "signings_per_contact", "capital_per_signing")
"""The factors of signed capital: prospects contacted x signed projects per contact x signed capital per project."""
STALL = "stalled"
ESSAY_EXPECTS = {RATE: +1, CAPITAL: +1}
"""The essay's countermeasures all aim at more signed projects actually built and more capital arriving
(docs/ODD.md section 8): an effect whose interval lies wholly below zero goes against it."""
TOL = 1e-9
"""Largest relative residual of an identity tolerated as floating-point rounding."""


class DecompositionError(ValueError):
    """The results lack the accounts the decomposition needs (results of an older version); one line."""


def categories(columns, prefix: str) -> list[str]:
    """The account categories stored under ``prefix`` (withdrawal reasons, waiting, stalled...), in column order."""
    return [c[len(prefix):] for c in columns if c.startswith(prefix)]


def shapley_product(base: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Shapley split of the change of a product of factors: ``base``, ``new`` of shape (pairs, factors).

    Returns (pairs, factors) contributions whose row sums equal ``prod(new) - prod(base)`` exactly
    up to rounding: each factor's change averaged over every order in which the factors change.
    """
    base = np.asarray(base, dtype=float)
    new = np.asarray(new, dtype=float)
    k = base.shape[1]
    out = np.zeros_like(base)
    for i in range(k):
        others = [j for j in range(k) if j != i]
        for size in range(k):
            w = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for changed in itertools.combinations(others, size):
                fac = np.ones(base.shape[0])
                for j in others:
                    fac = fac * (new[:, j] if j in changed else base[:, j])
                out[:, i] += w * fac * (new[:, i] - base[:, i])
    return out


def ratio_split(num_base: np.ndarray, den_base: np.ndarray, num_new: np.ndarray,
                den_new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shapley split of the change of a rate ``S / N`` (per pair) into the part from the change of its numerator
    ``S`` (projects fulfilled, started...) and the part from the change of its denominator ``N`` (projects signed):
    each part is that count's change averaged over the two orders in which the counts can change,

    ``from_S = (S1 - S0) (1/N0 + 1/N1) / 2``,  ``from_N = (S0 + S1) (1/N1 - 1/N0) / 2``,

    which add up to ``S1/N1 - S0/N0`` exactly (up to rounding). A rate that rises with fewer projects fulfilled has a
    negative numerator part and a larger positive denominator part: it rose because fewer were signed. NaN where a
    denominator is zero (no rate)."""
    s0, n0, s1, n1 = (np.asarray(x, dtype=float) for x in (num_base, den_base, num_new, den_new))
    ok = (n0 > 0) & (n1 > 0)
    inv0 = np.divide(1.0, n0, out=np.full(n0.shape, np.nan), where=ok)
    inv1 = np.divide(1.0, n1, out=np.full(n1.shape, np.nan), where=ok)
    return 0.5 * (s1 - s0) * (inv0 + inv1), 0.5 * (s0 + s1) * (inv1 - inv0)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b > 0)


def _volume(runs: pd.DataFrame) -> np.ndarray:
    contacts = runs["prospects_contacted"].to_numpy(dtype=float)
    signed = runs["signed_projects"].to_numpy(dtype=float)
    cap = runs["signed_capital"].to_numpy(dtype=float)
    return np.column_stack([contacts, _ratio(signed, contacts), _ratio(cap, signed)])


def pair_components(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per-pair components of both effects: ``a`` strategy runs, ``b`` baseline runs, aligned row by row.

    Returns ``{measure: frame}`` with one column per component plus ``total`` (from the stored output) and
    ``residual`` (total - sum of components). Rate components are in percentage points (per 100 signed of the
    cohort); capital components in 万元.
    """
    need = [RATE, COHORT_SIZE, CAPITAL, "signed_capital", "signed_projects", "prospects_contacted"]
    missing = [c for c in need if c not in a.columns]
    reasons = categories(a.columns, COHORT_PREFIX)
    groups = categories(a.columns, GAP_PREFIX)
    if missing or not reasons or not groups:
        raise DecompositionError(
            f"results: expected the mechanism accounts (columns {COHORT_PREFIX}*, {GAP_PREFIX}*, "
            f"{', '.join(need)}), found {'none of ' if not reasons else ''}"
            f"{', '.join(missing) or 'no account columns'}; rerun the experiment with this version")
    out = {}
    na, nb = a[COHORT_SIZE].to_numpy(dtype=float), b[COHORT_SIZE].to_numpy(dtype=float)
    rate = {}
    for c in reasons:
        col = COHORT_PREFIX + c
        rate[c] = -100.0 * (_ratio(a[col].to_numpy(dtype=float), na) - _ratio(b[col].to_numpy(dtype=float), nb))
    frame = pd.DataFrame(rate)
    frame["total"] = 100.0 * (a[RATE].to_numpy(dtype=float) - b[RATE].to_numpy(dtype=float))
    frame["residual"] = frame["total"] - frame[reasons].sum(axis=1)
    out[RATE] = frame
    cap = pd.DataFrame(shapley_product(_volume(b), _volume(a)), columns=list(VOLUME_FACTORS))
    for g in groups:
        col = GAP_PREFIX + g
        cap[g] = -(a[col].to_numpy(dtype=float) - b[col].to_numpy(dtype=float))
    comps = [*VOLUME_FACTORS, *groups]
    cap["total"] = a[CAPITAL].to_numpy(dtype=float) - b[CAPITAL].to_numpy(dtype=float)
    cap["residual"] = cap["total"] - cap[comps].sum(axis=1)
    out[CAPITAL] = cap
    return out


def _kind(measure: str, component: str) -> str:
    if component in VOLUME_FACTORS:
        return "volume"
    if component == STALL:
        return "stall"
    if component in ("waiting", "building", "operating"):
        return "pipeline"
    return "withdrawal"


def _paired(results: Results, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = ["point_id", "replication"]
    cols = [c for c in results.runs.columns if c.startswith((COHORT_PREFIX, GAP_PREFIX, "withdrawals_after_signing_by_reason."))
            or c in (RATE, COHORT_SIZE, CAPITAL, "signed_capital", "signed_projects", "prospects_contacted", "scenario", *keys)]
    runs = results.runs[cols]
    names = runs["scenario"].to_numpy()
    pa, pb = np.flatnonzero(names == scenario), np.flatnonzero(names == results.baseline_of(scenario))
    keys_of = pair_keys_of(runs)
    ia, ib = pair_positions(keys_of[pa], keys_of[pb])
    return runs.iloc[pa[ia]].reset_index(drop=True), runs.iloc[pb[ib]].reset_index(drop=True)


def _strategy_pairs(results: Results):
    """(scenario, its runs, the baseline's runs on the same points and replications) for every strategy with pairs."""
    for s in results.scenarios:
        if results.is_baseline(s.name):
            continue
        a, b = _paired(results, s.name)
        if not a.empty:
            yield s.name, a, b


def decompose(results: Results) -> pd.DataFrame:
    """The mechanism decomposition of every strategy's effect on cohort 履约率 and arrived capital.

    Columns: scenario, measure, component, kind (withdrawal, pipeline, stall, volume, total, residual), unit
    (pp or 万元), n (pairs), mean, ci_low, ci_high, share (of the total effect's mean), baseline_per_100
    (for rate components: the baseline's projects not fulfilled of that kind per 100 signed of the cohort).
    Rows ``total`` (the stored output's paired difference) and ``residual`` (total - sum of components)
    close every block.
    """
    rows = []
    for name, a, b in _strategy_pairs(results):
        comps = pair_components(a, b)
        for measure, frame in comps.items():
            unit = "pp" if measure == RATE else "万元"
            total_mean = float(frame["total"].mean())
            stats = column_intervals(frame.to_numpy(dtype=float))
            for i, col in enumerate(frame.columns):
                st = {k: (int(v[i]) if k == "n" else float(v[i])) for k, v in stats.items()}
                kind = col if col in ("total", "residual") else _kind(measure, col)
                base = float("nan")
                if measure == RATE and col not in ("total", "residual"):
                    base = float(np.mean(100.0 * _ratio(b[COHORT_PREFIX + col].to_numpy(dtype=float),
                                                        b[COHORT_SIZE].to_numpy(dtype=float))))
                rows.append({"scenario": name, "measure": measure, "component": col, "kind": kind, "unit": unit,
                             "n": st["n"], "mean": st["mean"], "ci_low": st["ci_low"], "ci_high": st["ci_high"],
                             "share": st["mean"] / total_mean if total_mean else float("nan"),
                             "baseline_per_100": base})
    return pd.DataFrame(rows)


def _block(table: pd.DataFrame, scenario: str, measure: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A scenario's and measure's component rows and its total row."""
    rows = table[(table["scenario"] == scenario) & (table["measure"] == measure)]
    return rows[~rows["kind"].isin(["total", "residual"])], rows[rows["kind"] == "total"]


def carriers(table: pd.DataFrame, scenario: str, measure: str, k: int = 2) -> list[dict]:
    """The ``k`` components that carry a headline effect: largest contributions with the total's sign."""
    sel, total = _block(table, scenario, measure)
    if sel.empty or total.empty:
        return []
    sign = 1.0 if float(total["mean"].iloc[0]) >= 0 else -1.0
    ranked = sel.assign(signed=sel["mean"] * sign).sort_values("signed", ascending=False)
    ranked = ranked[ranked["signed"] > 0]
    return ranked.head(k).drop(columns="signed").to_dict("records")


def headline(table: pd.DataFrame, scenario: str, measure: str) -> dict | None:
    """The total effect row of a scenario and measure, with ``against``: its interval lies wholly against the
    essay's expected direction."""
    total = _block(table, scenario, measure)[1]
    if total.empty:
        return None
    row = total.iloc[0].to_dict()
    want = ESSAY_EXPECTS.get(measure, 0)
    row["against"] = bool(want and ((want > 0 and row["ci_high"] < 0) or (want < 0 and row["ci_low"] > 0)))
    return row


def context(results: Results) -> pd.DataFrame:
    """What moved around the effects, per pair averaged: % change in contacts and in signings, and withdrawals
    after signing per 100 signed by reason (strategy minus baseline)."""
    rows = []
    reasons = categories(results.runs.columns, "withdrawals_after_signing_by_reason.")
    for scen, a, b in _strategy_pairs(results):
        for col, name in (("prospects_contacted", "contacts"), ("signed_projects", "signings")):
            x = a[col].to_numpy(dtype=float)
            y = b[col].to_numpy(dtype=float)
            st = t_interval(100.0 * _ratio(x - y, y))
            rows.append({"scenario": scen, "item": name, "unit": "%", **{k: st[k] for k in ("n", "mean", "ci_low", "ci_high")}})
        for r in reasons:
            col = "withdrawals_after_signing_by_reason." + r
            d = (100.0 * _ratio(a[col].to_numpy(dtype=float), a["signed_projects"].to_numpy(dtype=float))
                 - 100.0 * _ratio(b[col].to_numpy(dtype=float), b["signed_projects"].to_numpy(dtype=float)))
            st = t_interval(d)
            rows.append({"scenario": scen, "item": f"withdrawn_{r}", "unit": "per 100 signed",
                         **{k: st[k] for k in ("n", "mean", "ci_low", "ci_high")}})
    return pd.DataFrame(rows)


def has_accounts(results: Results) -> bool:
    """Whether the stored runs carry the mechanism accounts and more than the baseline."""
    cols = results.runs.columns
    return (bool(categories(cols, COHORT_PREFIX)) and bool(categories(cols, GAP_PREFIX))
            and len(results.scenarios) > 1)
