"""Observation (docs/ODD.md 4): the summary agrees with the model and with itself, and the cohort and stock rates
count what they say, checked against an observer's follow-up of each project.
"""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import small

from sim.model import build_model


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
    m.run_until(m.horizon)
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
