"""Serviced land and idle assets (docs/ODD.md 7.5): land goes first fit in queue order, scarce land drives no-land
withdrawals, a city park adds land, and idle land is made by failures and revitalised by spending.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from modelkit import in_test_world, paired, small, wd


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.5, 50.0), min_size=0, max_size=40), st.floats(0.0, 300.0), st.booleans())
def test_land_goes_in_turn_or_first_fit_in_queue_order(needs, free, in_turn):
    """Catches a land queue that grants more land than the pool holds or that breaks its order. In turn
    (``platform.land_in_turn``, the default): the queue up to the first project whose need does not fit, which
    holds up every project behind it. First fit: each project in queue order takes its need if what is left
    covers it, so a large project that does not fit does not block the smaller ones behind it."""
    from sim.model.model import _land_granted

    need = np.array(needs)
    idx = np.arange(10, 10 + need.size, dtype=np.int64)
    left, expected, blocked = free, [], False
    for j, x in enumerate(needs):  # the rule, written out
        blocked = blocked or (in_turn and x > left + 1e-9)
        if not blocked and x <= left + 1e-9:
            expected.append(idx[j])
            left -= x
    got = _land_granted(idx, need, free, in_turn)
    assert got.tolist() == expected
    assert need[got - 10].sum() <= free + 1e-6


def test_p2_more_serviced_land_means_fewer_no_land_withdrawals_and_higher_fulfilment():
    """In the test world (:data:`modelkit.TEST_WORLD`), whose projects leave readily while they wait for land
    (no-land hazard 0.065), so that the effect shows within four years of a cold start."""
    scarce, ample = paired(in_test_world(platform__county_land_mu_per_year=800.0),
                           in_test_world(platform__county_land_mu_per_year=8000.0))
    assert wd(ample, "no_land") < 0.5 * wd(scarce, "no_land")
    assert ample["cohort_start_rate_24m"] > scarce["cohort_start_rate_24m"]
    assert ample["mean_land_wait_months"] < scarce["mean_land_wait_months"]


def test_p2_a_city_park_cuts_no_land_withdrawals():
    """The city park adds serviced land: city contacts locate there instead of waiting for county land, and
    projects that find none at home may move there; with the park, fewer signed projects withdraw for want of
    land. In the test world (:data:`modelkit.TEST_WORLD`), where waiting for land drives withdrawals (no-land
    hazard 0.065)."""
    shares = {"budget.shares.park": 0.5, "budget.shares.incentive_fund": 0.05}
    none, park = paired(in_test_world(), in_test_world(platform__park_build_months=0).with_overrides(shares))

    def per_signed(s):
        return s["withdrawals_after_signing_by_reason"]["no_land"] / s["signed_projects"]

    assert per_signed(park) < 0.8 * per_signed(none)


def test_idle_land_is_created_by_withdrawals_and_reduced_by_revitalisation():
    """Catches idle assets as a fixed stock: projects that leave while building (and firms that close) add
    idle land; revitalisation spending turns it back into serviced land."""
    no_idle = {"platform.idle_stock_mu": 0.0}
    plain, revitalised = paired(small().with_overrides(no_idle), small().with_overrides(
        {**no_idle, "budget.shares.idle_assets": 0.1, "budget.shares.incentive_fund": 0.45}))
    assert plain["idle_created_mu"] > 0 and plain["idle_revitalised_mu"] == 0
    assert plain["idle_land_mu"] == pytest.approx(plain["idle_created_mu"])
    # Revitalisation takes land out of the idle stock (more land in use also means more failures to add to it).
    assert revitalised["idle_revitalised_mu"] > 0
    assert revitalised["idle_land_mu"] == pytest.approx(revitalised["idle_created_mu"] - revitalised["idle_revitalised_mu"])
    assert revitalised["idle_land_mu"] < revitalised["idle_created_mu"]


def test_p2_land_given_in_turn_makes_projects_wait_behind_a_large_one():
    """Catches a land queue in turn that behaves like first fit: where land is scarce, a project first in line
    that does not fit holds up the smaller ones behind it, so signed projects wait longer for land on average and
    more of them give up for want of it than when later projects may take land past it."""
    scarce = {"platform__county_land_mu_per_year": 2000.0}
    first_fit, in_turn = paired(small(platform__land_in_turn=False, **scarce), small(platform__land_in_turn=True, **scarce))
    assert in_turn["mean_land_wait_months"] > 1.5 * first_fit["mean_land_wait_months"]
    assert wd(in_turn, "no_land") > wd(first_fit, "no_land")


def test_p2_p6_a_project_is_offered_another_county_only_after_waiting_at_home():
    """Catches counties that pass projects on at once: with ``platform.county_search_months`` of half a year, a
    project without land at home waits there longer before another county takes it, so fewer projects are
    moved between counties and the mean wait for land is longer than when they are passed on in the month."""
    at_once, later = paired(small(platform__county_search_months=0), small(platform__county_search_months=6))
    assert later["late_handoffs"] < 0.8 * at_once["late_handoffs"]
    assert later["mean_land_wait_months"] > at_once["mean_land_wait_months"]
