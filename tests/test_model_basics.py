"""Determinism, stock-flow consistency and the Mesa structure of the model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from modelkit import small

from sim.model import build_model, simulate
from sim.model.agents import Department, Government, Investor, LocalFirm
from sim.model.outputs import MONTHLY_COLUMNS, check_invariants


def test_same_seed_same_numbers_and_different_seeds_differ():
    spec = small()
    a, b, c = simulate(spec, seed=5), simulate(spec, seed=5), simulate(spec, seed=6)
    for k in MONTHLY_COLUMNS:
        np.testing.assert_array_equal(a.monthly[k], b.monthly[k], err_msg=k)
    assert a.summary == b.summary
    assert a.summary["signed_projects"] != c.summary["signed_projects"] or a.summary["jobs"] != c.summary["jobs"]


def test_stock_flow_checks_hold_every_month():
    for name in ("baseline", "combined", "platforms"):
        from modelkit import scenario

        m = build_model(scenario(name).params, seed=3)
        assert check_invariants(m) == []
        for _ in range(m.horizon):
            m.step()
            assert check_invariants(m) == [], (name, m.t)


def test_the_summary_agrees_with_the_model_and_with_itself():
    """Catches an output that counts something other than it says, or a rate that is not its count over its
    denominator: withdrawals by reason add up to the projects withdrawn or closed, spending by lever to the spending,
    every rate with counts beside it (the cohort rates, by signing year too) is its numerator over its denominator,
    and the signing years add up to the cohorts they make (a 48-month run: years 1-3 followed 12 months, years 1-2
    also 24 and 36)."""
    from sim.experiment.store import flatten_summary
    from sim.model import registry
    from sim.model.agents import EXITED, WITHDRAWN
    from sim.model.outputs import summary

    m = build_model(small().params, seed=1)
    m.run_for(m.horizon)
    s = summary(m)
    stage = m.investors.pipeline.stage
    assert sum(s["withdrawals_by_reason"].values()) == int(((stage == WITHDRAWN) | (stage == EXITED)).sum()) > 0
    assert set(s["withdrawals_by_reason"]) == {"no_land", "delay", "loan_refused", "incentive_broken",
                                                 "outside_offer", "handoff", "insecurity", "not_serious", "no_agreement"}
    assert sum(s["spent_by_lever"].values()) == s["budget_spent"]
    flat = flatten_summary(s)
    with_parts = [k for k in flat if (o := registry.describe(k)) and o.parts]
    assert len(with_parts) >= 4 * 3 + 4 * 6, with_parts  # every cohort rate, by signing year too
    for k in with_parts:
        num, den = registry.describe(k).parts
        assert flat[den] > 0 and flat[k] == pytest.approx(flat[num] / flat[den], rel=1e-12), k
    years = s["cohorts_by_year"]
    assert set(years) == {"year_1", "year_2", "year_3"} and "start_rate_24m" not in years["year_3"]
    for k, in_years in ((12, ("year_1", "year_2", "year_3")), (24, ("year_1", "year_2")), (36, ("year_1",))):
        assert sum(years[y]["projects"] for y in in_years) == s[f"cohort_projects_{k}m"]
        for c in ("projects_fulfilled", "projects_started", "projects_completed"):
            assert sum(years[y][f"{c}_{k}m"] for y in in_years) == s[f"cohort_{c}_{k}m"], (c, k)
        for c, by_year in (("capital_signed", "capital_signed"), ("capital_arrived", f"capital_arrived_{k}m")):
            got = sum(years[y][by_year] for y in in_years)
            assert got == pytest.approx(s[f"cohort_{c}_{k}m"], rel=1e-12), (c, k)
    assert not any(k.endswith("_built") for k in s), "'built' meant 'started': the keys say started or completed"


def _followed(spec, seed: int):
    """Run month by month and keep, for every project, its stage, arrived capital and operating capital each
    month: an observer's record, independent of how the model counts its cohorts."""
    m = build_model(spec.params, seed=seed)
    pl, capital = m.investors.pipeline, m.investors.capital
    stage, arrived, operating = [pl.stage.copy()], [capital.arrived.copy()], [capital.operating.copy()]
    for _ in range(m.horizon):
        m.step()
        stage.append(pl.stage.copy())
        arrived.append(capital.arrived.copy())
        operating.append(capital.operating.copy())
    return m, np.array(stage), np.array(arrived), np.array(operating)


def test_cohort_rates_equal_an_observers_follow_up_of_each_project():
    """履约率, 开工率, completion and capital arrival k months after signing, counted by an observer who looked at
    each project every month k months after its signing (fulfilled if building or operating then, started once
    capital had arrived, completed once it had operating capital), equal the model's cohort outputs for every
    horizon and cohort length."""
    from sim.model.agents import BUILDING, OPERATING

    m, stage, arrived, operating = _followed(small(), 7)
    signed_at = m.investors.pipeline.signed_month
    s = m.record
    for k in (12, 24, 36):
        for horizon in range(k + 1, m.horizon + 1):  # every month a cohort can be followed (its edges too)
            cohort = (signed_at >= 1) & (signed_at <= horizon - k)
            idx = np.flatnonzero(cohort)
            got = m.datacollector.tables["monthly"]
            if idx.size == 0:  # nobody to follow yet: no rate, not a rate of zero
                assert np.isnan(got[f"cohort_start_rate_{k}m"][horizon]), (k, horizon)
                continue
            at = signed_at[idx] + k
            started = arrived[at, idx] > 0
            completed = operating[at, idx] > 0
            fulfilled = np.isin(stage[at, idx], (BUILDING, OPERATING))
            capital = arrived[at, idx].sum() / m.pop.announced[idx].sum()
            assert got[f"cohort_fulfilment_rate_{k}m"][horizon] == pytest.approx(fulfilled.mean()), (k, horizon)
            assert got[f"cohort_start_rate_{k}m"][horizon] == pytest.approx(started.mean()), (k, horizon)
            assert got[f"cohort_completion_rate_{k}m"][horizon] == pytest.approx(completed.mean()), (k, horizon)
            assert got[f"cohort_capital_arrival_rate_{k}m"][horizon] == pytest.approx(capital), (k, horizon)
    assert s["cohort_start_rate_24m"] == m.datacollector.tables["monthly"]["cohort_start_rate_24m"][-1]
    # the rates differ: some projects that started had left or stalled by their follow-up month
    assert s["cohort_fulfilment_rate_24m"] < s["cohort_start_rate_24m"]


def test_stock_shares_equal_the_stages_seen_now():
    """The stock measures count what they say: projects building or operating now, and projects that ever
    started or completed, over every project signed so far."""
    m, stage, arrived, operating = _followed(small(), 8)
    from sim.model.agents import BUILDING, OPERATING

    ever = m.investors.pipeline.signed_month >= 0
    r = m.record
    assert r["share_building_or_operating_now"] == pytest.approx(np.isin(stage[-1][ever], (BUILDING, OPERATING)).mean())
    assert r["share_started_to_date"] == pytest.approx((arrived[-1][ever] > 0).mean())
    assert r["share_completed_to_date"] == pytest.approx((operating[-1][ever] > 0).mean())


def test_agents_are_mesa_agents_reading_the_model_arrays():
    m = build_model(small().params, seed=2)
    m.run_for(24)
    assert Investor not in m.agents_by_type  # investors are array rows, not stepped agents
    assert len(m.agents_by_type[Government]) == 8  # one district, six counties and the city
    assert len(m.agents_by_type[Department]) == len(m.p.service.departments)
    assert len(m.agents_by_type[LocalFirm]) > 0
    views = [m.investor(i) for i in range(m.n)]
    signed = [a for a in views if a.stage in ("signed", "building", "operating")]
    assert signed, "some projects should be under way after two years"
    a = signed[0]
    assert a.capital > 0 and a.sector in {"potato", "herbs", "flowers_fungi", "manufacturing", "energy_materials", "services"}
    assert set(a.beliefs) == {"hard", "soft", "credibility", "delay", "risk"}
    gone = [a for a in views if a.stage in ("withdrawn", "exited")]
    assert gone and all(g.withdrawal_reason is not None for g in gone)


def test_yearly_budget_feeds_back_from_tax():
    m = build_model(small().params, seed=4)
    first = m.ledger.budget_year
    m.run_for(36)
    assert m.ledger.tax_total > 0
    assert m.ledger.budget_year > first  # year 4 budget includes a share of year 3's tax


def test_a_finished_run_is_freed_at_once_not_left_to_the_garbage_collector(monkeypatch):
    """Catches a run whose model outlives simulate(): the model, its ledger, agents and channel model refer to each
    other, and a worker then holds about a hundred dead runs until the cyclic collector comes (its memory grew
    1.36x from 100 to 2,000 runs). With the collector off, the ledger must be gone when simulate returns."""
    import gc
    import weakref

    import sim.model as sm

    seen = []

    def building(*args, **kw):
        model = build_model(*args, **kw)
        seen.append(weakref.ref(model.ledger))
        return model

    monkeypatch.setattr(sm, "build_model", building)
    gc.collect()
    gc.disable()
    try:
        res = sm.simulate(small().with_overrides({"run.n_investors": 500, "run.horizon_months": 6}), seed=3)
        assert seen and seen[0]() is None, "the finished run's ledger is still alive"
    finally:
        gc.enable()
    assert res.summary["months"] == 6 and len(res.monthly["jobs"]) >= 6


def test_a_hopeless_offer_has_probability_zero_without_a_warning():
    """Catches the logistic overflowing into a RuntimeWarning (the property tests met it with extreme settings)."""
    import warnings

    m = build_model(small().with_overrides({"run.n_investors": 300}).params, seed=1)
    m.run_for(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = m.go_on_probability(np.arange(5), bonus=-1e6)
    assert (p == 0).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=20))
def test_the_mean_of_a_few_numbers_is_numpys_to_the_last_bit(values):
    """beliefs.mean_of (the leaders' mean attention, the counties' mean score, the departments' mean service)
    gives np.mean's number exactly, for the short lists whose pairwise sum numpy unrolls (8 and more) too."""
    from sim.model.beliefs import mean_of

    assert mean_of(values) == float(np.mean(values))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.5, 50.0), min_size=0, max_size=40), st.floats(0.0, 300.0))
def test_land_goes_first_fit_in_queue_order(needs, free):
    """Catches a land queue where a large project that does not fit blocks the smaller ones behind it, one that
    grants more land than the pool holds, or one that skips a project that still fits: each project in queue
    order takes its need if what is left covers it."""
    from sim.model.model import _first_fit

    need = np.array(needs)
    idx = np.arange(10, 10 + need.size, dtype=np.int64)
    left, expected = free, []
    for j, x in enumerate(needs):  # the rule, written out
        if x <= left + 1e-9:
            expected.append(idx[j])
            left -= x
    got = _first_fit(idx, need, free)
    assert got.tolist() == expected
    assert need[got - 10].sum() <= free + 1e-6


def test_the_yearly_assessment_counts_this_years_signings_and_landed_capital():
    """Catches an assessment that counts signings of earlier years, capital landed before the year began, or
    projects of other governments: each county's score in month 18 is its share-weighted sum of the capital
    signed since month 13 and the capital landed since then, recomputed here from the model's arrays."""
    m = build_model(small().params, seed=3)
    CITY = m.city.index  # noqa: N806 (the city's index, after the counties)
    m.run_for(12)
    pl, capital = m.investors.pipeline, m.investors.capital
    arrived_at_year_start = capital.arrived.copy()
    m.run_for(5)
    located = pl.gov >= 0
    signed = np.bincount(pl.gov[located], weights=(m.pop.announced * (pl.signed_month >= 13))[located],
                         minlength=CITY + 1)
    landed = np.bincount(pl.gov[located], weights=(capital.arrived - arrived_at_year_start)[located], minlength=CITY + 1)
    m.run_for(1)  # the assessment opens month 18, before its signings and arrivals
    w = m.p.policy.assessment_signed_weight
    assert signed[:CITY].sum() > 0 and landed[:CITY].sum() > 0
    for g in m.governments[:CITY]:
        assert g.score_year == pytest.approx(w * signed[g.index] + (1.0 - w) * landed[g.index], rel=1e-12)
