"""Determinism, stock-flow consistency and the Mesa structure of the model."""

from __future__ import annotations

import numpy as np
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


def test_outputs_cover_the_design_brief():
    res = simulate(small(), seed=1)
    s = res.summary
    for key in ("signed_projects", "signed_capital", "arrived_capital", "start_rate", "fulfilment_rate",
                "completion_rate", "capital_arrival_rate", "large_project_share", "industrial_share", "jobs",
                "tax_revenue", "mean_approval_months", "budget_spent", "withdrawals_by_reason",
                "cost_per_job", "cost_per_10k_arrived", "satisfaction", "perceived_soft", "actual_soft"):
        assert key in s, key
    assert set(s["withdrawals_by_reason"]) == {"no_land", "delay", "loan_refused", "incentive_broken",
                                                 "outside_offer", "handoff", "insecurity", "not_serious", "no_agreement"}
    assert len(res.monthly["month"]) == 49
    # Rates agree with their definitions.
    assert s["capital_arrival_rate"] == s["arrived_capital"] / s["signed_capital"]
    assert s["completion_rate"] <= s["start_rate"]
    assert s["fulfilment_rate"] <= s["start_rate"]
    assert sum(s["spent_by_lever"].values()) == s["budget_spent"]


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
