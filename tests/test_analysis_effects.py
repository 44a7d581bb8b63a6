"""Paired effects, intervals and the replication rule on small synthetic tables (no model runs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.data import Results, ScenarioInfo
from sim.analysis.effects import levels, paired_effects
from sim.report import numbers as nb
from sim.stats import AdequacyRule, is_rate, t_interval


def synthetic(n: int = 10, kind: str = "none", points: int = 1, seed: int = 0, shuffle: bool = True,
              drop: tuple[str, int] | None = None) -> Results:
    """Two scenarios sharing noise per (point, replication) (common random numbers): b = a + 0.05 + tiny noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(points):
        for r in range(n):
            common = rng.normal(0, 0.1)
            base = {"cohort_start_rate_24m": 0.3 + common, "jobs": 1000 + 500 * common}
            rows.append({"scenario": "baseline", "point_id": p, "point_label": f"p{p}", "replication": r, **base})
            rows.append({"scenario": "park", "point_id": p, "point_label": f"p{p}", "replication": r,
                         "cohort_start_rate_24m": base["cohort_start_rate_24m"] + 0.05 + rng.normal(0, 0.002),
                         "jobs": base["jobs"] + 100 + rng.normal(0, 5)})
    runs = pd.DataFrame(rows)
    if drop:
        runs = runs[~((runs["scenario"] == drop[0]) & (runs["replication"] == drop[1]))]
    if shuffle:
        runs = runs.sample(frac=1.0, random_state=seed)
    runs = runs.reset_index(drop=True)
    manifest = {"experiment": "synthetic", "design": {"kind": kind}, "horizon_months": 60}
    return Results(Path("."), manifest, runs, None, ["cohort_start_rate_24m", "jobs"],
                   [ScenarioInfo("baseline", 0, ""), ScenarioInfo("park", 1, "")], "baseline", 0)


def test_common_random_numbers_give_narrow_paired_intervals() -> None:
    res = synthetic()
    eff = paired_effects(res).set_index("output")
    fr = eff.loc["cohort_start_rate_24m"]
    assert fr["effect"] == pytest.approx(0.05, abs=0.003)
    assert fr["half_width"] < 0.005, "the shared noise (sd 0.1) cancels in the paired differences"
    lv = levels(res).set_index(["scenario", "output"])
    assert lv.loc[("baseline", "cohort_start_rate_24m"), "half_width"] > 10 * fr["half_width"]
    assert fr["significant"] and fr["ci_low"] > 0
    assert fr["mean_baseline"] == pytest.approx(lv.loc[("baseline", "cohort_start_rate_24m"), "mean"])


def test_pairing_does_not_depend_on_row_order_and_drops_unmatched() -> None:
    a = paired_effects(synthetic(shuffle=False)).set_index("output")
    b = paired_effects(synthetic(shuffle=True)).set_index("output")
    pd.testing.assert_series_equal(a["effect"], b["effect"])
    c = paired_effects(synthetic(drop=("baseline", 3))).set_index("output")
    assert (c["n"] == 9).all()


def test_effects_per_design_point_or_pooled_for_sample_designs() -> None:
    per = paired_effects(synthetic(points=3))
    assert sorted(per["point_id"].unique()) == [0, 1, 2]
    pooled = paired_effects(synthetic(points=3, kind="morris"))
    assert list(pooled["point_id"].unique()) == [-1]
    assert (pooled["n"] == 30).all()


def test_replication_rule() -> None:
    rule = AdequacyRule(relative=0.5, rate_tolerance=0.01, level_tolerance=0.05)
    assert rule.target("cohort_start_rate_24m", 0.10, 0.3) == pytest.approx(0.05)
    assert rule.target("cohort_start_rate_24m", 0.001, 0.3) == pytest.approx(0.01), "a null effect on a rate: 1 pp"
    assert rule.target("jobs", 10.0, 1000.0) == pytest.approx(50.0), "a null effect on a count: 5% of baseline"
    assert "n_needed" in rule.text("en") and "半宽" in rule.text("zh")
    res = synthetic(n=4, seed=3)
    res.runs.loc[res.runs["scenario"] == "park", "jobs"] += np.random.default_rng(1).normal(0, 400, 4)
    e = paired_effects(res, rule=rule).set_index("output").loc["jobs"]
    target = max(0.5 * abs(e["effect"]), 0.05 * abs(e["mean_baseline"]))
    assert e["target_half_width"] == pytest.approx(target)
    assert e["adequate"] == (e["half_width"] <= target)
    if not e["adequate"]:
        assert e["n_needed"] == int(np.ceil(4 * (e["half_width"] / target) ** 2))


def test_t_interval_edge_cases() -> None:
    one = t_interval(np.array([1.0]))
    assert one["n"] == 1 and np.isnan(one["half_width"])
    same = t_interval(np.array([2.0, 2.0, 2.0]))
    assert same["half_width"] == 0 and same["p_value"] == 0.0
    zero = t_interval(np.array([0.0, 0.0]))
    assert zero["p_value"] == 1.0
    assert t_interval(np.array([np.nan, 1.0, 3.0]))["n"] == 2


@pytest.mark.parametrize(("name", "rate"), [
    ("cohort_start_rate_24m", True), ("cohort_capital_arrival_rate_24m", True), ("large_share_started", True),
    ("satisfaction", True), ("cohort_start_rate_12m", True), ("jobs", False), ("signed_capital", False),
    ("jobs_per_10k_spent", False), ("withdrawals_by_reason.no_land", False), ("spent_by_lever.park", False),
    ("cost_per_job", False),
])
def test_rates_are_told_from_counts_and_money(name: str, rate: bool) -> None:
    assert is_rate(name) is rate


# ---------------------------------------------------------------- column-wise statistics
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from sim.stats import column_intervals, column_quantiles, quantiles  # noqa: E402

_values = hst.one_of(hst.floats(-1e6, 1e6, allow_nan=False), hst.just(0.0), hst.just(float("nan")),
                     hst.just(float("inf")), hst.sampled_from([0.1, 0.3, 1e-9]))


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=12), elements=_values))
def test_column_statistics_are_the_one_column_statistics_to_the_last_bit(x):
    """The analysis computes intervals and quantiles of many outputs at once; each column must give exactly
    what t_interval and quantiles give for it alone (columns with and without missing values, one row, none,
    constant columns whose standard error is zero)."""
    st = column_intervals(x)
    q = column_quantiles(x)
    for j in range(x.shape[1]):
        one = t_interval(x[:, j])
        for k, v in one.items():
            assert _same(float(st[k][j]), float(v)), (k, j, st[k][j], v)
        assert all(_same(float(a), float(b)) for a, b in zip(q[:, j], quantiles(x[:, j]), strict=True))


def test_effect_rows_of_many_outputs_are_each_outputs_own_statistics() -> None:
    """Effects are computed for every output of a comparison at once; each output's record must be its own
    pairs' statistics (a column with missing pairs among complete ones)."""
    from sim.stats import effect_rows

    rng = np.random.default_rng(3)
    a, b = rng.lognormal(size=(30, 4)), rng.lognormal(size=(30, 4))
    a[[2, 7], 1] = np.nan
    outs = ["jobs", "cohort_start_rate_24m", "signed_capital", "cohort_capital_arrival_rate_24m"]
    rows = effect_rows("s", 0, "p", outs, a, b, AdequacyRule(), 60, "summary")
    for j, out in enumerate(outs):
        ok = np.isfinite(a[:, j] - b[:, j])
        x, y = a[ok, j], b[ok, j]
        one = t_interval(x - y)
        r = rows[j]
        assert r["output"] == out and r["n"] == ok.sum()
        assert r["mean_scenario"] == np.mean(x) and r["mean_baseline"] == np.mean(y)
        assert r["effect"] == one["mean"] and r["half_width"] == one["half_width"]
        assert r["variance_ratio"] == one["sd"] ** 2 / (np.var(x, ddof=1) + np.var(y, ddof=1))


def test_unspent_money_is_not_a_saving_and_costs_per_extra_job_need_both_to_rise() -> None:
    """Catches money left unspent reported as a saving (a negative cost per extra job): of three strategies with the
    baseline's money or more, one spends more and adds jobs (its cost per extra job is given), one has the same
    budget, spends less and adds jobs (no cost per extra job: spending did not rise; it is a same-budget strategy
    with money left in the funds), one spends more and adds no jobs (none: jobs did not rise). The chart's title
    names the cheapest extra jobs, never jobs that cost no money (the memo's comparison says "same budget; X left in
    the funds": tests/test_brief.py)."""
    from sim.analysis.costs import cost_effectiveness
    from sim.report.findings import Findings

    rng = np.random.default_rng(1)
    rows = []
    for r in range(10):
        common = rng.normal(0, 1.0)
        base = {"budget_total": 150_000.0, "budget_debt": 0.0, "budget_borrowed": 0.0, "budget_spent": 140_000.0 + 100 * common,
                "budget_held": 8_000.0, "budget_returned": 2_000.0, "jobs": 16_000.0 + 50 * common,
                "arrived_capital": 500_000.0 + 10 * common, "cost_per_job": 8.75}
        for name, d_spent, d_jobs, held in (("baseline", 0, 0, 0), ("more", 10_000, 2_000, 0),
                                            ("same", -6_000, 1_500, 6_000), ("wasted", 10_000, 0, 0),
                                            ("borrows", 0, 1_000, 0)):
            row = dict(base, scenario=name, point_id=0, point_label="p0", replication=r)
            if name == "borrows":  # the baseline's budget, and a park debt later budgets repay
                row.update(budget_borrowed=20_000.0, budget_debt=15_000.0)
            row["budget_spent"] += d_spent + rng.normal(0, 10)
            row["budget_held"] += held
            row["jobs"] += d_jobs + rng.normal(0, 10)
            row["budget_total"] += max(d_spent, 0)  # "more" and "wasted" get more money; "same" has the baseline's
            rows.append(row)
    runs = pd.DataFrame(rows)
    outputs = [c for c in runs.columns if c not in ("scenario", "point_id", "point_label", "replication")]
    res = Results(Path("."), {"experiment": "synthetic", "design": {"kind": "none"}, "horizon_months": 60}, runs,
                  None, outputs, [ScenarioInfo(n, i, "") for i, n in enumerate(("baseline", "more", "same", "wasted", "borrows"))],
                  "baseline", 0)
    table = cost_effectiveness(res).set_index("scenario")
    assert table.loc["more", "incremental_cost_per_job"] == pytest.approx(
        table.loc["more", "d_spent"] / table.loc["more", "d_jobs"])
    assert np.isnan(table.loc["same", "incremental_cost_per_job"])
    assert table.loc["same", "cost_per_job_note"] == "spending_not_higher"
    assert np.isnan(table.loc["wasted", "incremental_cost_per_job"])
    assert table.loc["wasted", "cost_per_job_note"] == "jobs_not_higher"
    assert table.loc["same", "same_budget"] and not table.loc["more", "same_budget"]
    assert not table.loc["borrows", "same_budget"], "budget plus debt: borrowing is more money"
    assert table.loc["same", "unspent"] == pytest.approx(16_000.0)
    an = {"baseline": "baseline", "scenarios": [{"name": n, "title": {}} for n in table.index],
          "effects": [], "costs": table.reset_index().replace({np.nan: None}).to_dict("records")}
    zh, en = Findings(an, "zh").title_costs(), Findings(an, "en").title_costs()
    assert zh == "「more」新增岗位最省钱：每个" + nb.fmt("incremental_cost_per_job", table.loc["more", "incremental_cost_per_job"], "zh")
    assert en.startswith("more buys extra jobs cheapest") and "no extra money" not in en
