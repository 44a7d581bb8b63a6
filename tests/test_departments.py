"""Departments and vertical units (docs/ODD.md 7.4): the effort they choose, their efficiency and training, complaints
that reach them, and what slow service does to approvals and delay withdrawals.

Runs are paired on the same seeds (common random numbers), so differences come from the mechanism.
"""

from __future__ import annotations

import numpy as np
from modelkit import paired, small, wd

from sim.model import build_model
from sim.model.agents import Department


def test_p1_slower_departments_mean_longer_approvals_and_more_delay_withdrawals():
    """Slow service lengthens approvals, drives delay withdrawals and costs jobs.

    The fulfilment rate is not asserted: with serviced land scarce in the baseline, faster approvals
    move the queue from the departments to the land pool (more 'no land' withdrawals), so fulfilment
    barely moves. The model's answer to "why did a faster service centre not raise fulfilment?" is land.
    """
    slow_eff = {f"service.departments.{d}.efficiency": 0.25 for d in
                ("development_reform", "natural_resources", "power_supply", "ecology_environment",
                 "housing_construction", "tax", "market_regulation", "bank")}
    fast_eff = {k: 0.9 for k in slow_eff}
    # a cold small world at the pull of 0.8 of the cold-start fit (at the warm-calibrated pull it signs too little)
    fast, slow = paired(small(behaviour__outside_option=0.8).with_overrides(fast_eff),
                        small(behaviour__outside_option=0.8).with_overrides(slow_eff))
    assert slow["mean_approval_months"] > fast["mean_approval_months"] + 1.0
    assert wd(slow, "delay") > 1.5 * wd(fast, "delay")
    assert slow["jobs"] < fast["jobs"]
    assert wd(fast, "no_land") > wd(slow, "no_land")


def test_p1_vertical_units_respond_weakly_unless_coordinated():
    weak, coordinated = paired(small(policy__leadership_attention=1.0),
                               small(policy__leadership_attention=1.0, service__vertical_coordination=1.0))
    assert coordinated["mean_approval_months"] < weak["mean_approval_months"]
    assert wd(coordinated, "delay") < wd(weak, "delay")


def test_departments_choose_effort_from_assessment_and_vertical_units_respond_less():
    """Catches a fixed effort: assessing officials on landed capital and service raises departments' chosen
    effort and shortens approvals; vertical units (low alignment) raise theirs less."""
    efforts = {}
    for w in (0.9, 0.1):
        m = build_model(small(policy__assessment_signed_weight=w).params, seed=7)
        m.run_for(6)
        efforts[w] = {d.name: d.effort for d in m.agents_by_type[Department]}
    rise = {k: efforts[0.1][k] - efforts[0.9][k] for k in efforts[0.9]}
    vertical = [k for k, d in build_model(small().params, seed=7).p.service.departments.items() if d.vertical]
    local = [k for k in rise if k not in vertical]
    assert min(rise[k] for k in local) > max(rise[k] for k in vertical) > 0
    pushed, relaxed = paired(small(policy__assessment_signed_weight=0.1), small(policy__assessment_signed_weight=0.9))
    assert pushed["mean_approval_months"] < relaxed["mean_approval_months"]


def test_complaints_reach_departments_only_through_a_complaint_centre():
    """Catches a complaint centre that is a constant: departments add effort in proportion to the overdue requests
    in their queue, and only when a centre carries the complaints to their leaders."""
    with_centre = build_model(small(service__complaint_centre=True).params, seed=8)
    without = build_model(small().params, seed=8)
    with_centre.run_for(18)
    without.run_for(18)
    d1 = [d for d in with_centre.agents_by_type[Department] if not d.vertical]
    d0 = [d for d in without.agents_by_type[Department] if not d.vertical]
    assert any(d.complaints > 0 for d in d1)
    assert np.mean([d.effort for d in d1]) > np.mean([d.effort for d in d0])


def test_training_raises_efficiency_after_a_lag():
    none, trained = paired(small().with_overrides({"budget.shares.training": 0.0, "budget.shares.incentive_fund": 0.6}),
                           small().with_overrides({"budget.shares.training": 0.3, "budget.shares.incentive_fund": 0.3}))
    assert trained["mean_approval_months"] < none["mean_approval_months"]
