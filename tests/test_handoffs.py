"""Hand-offs (docs/ODD.md 7.1 and 7.5): city contacts the park cannot take are handed to counties, less as the park
grows, and projects moved to another county for land wait through a late hand-off.
"""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import mean_summary, paired, small, wd


def test_p2_a_city_park_keeps_city_contacts_and_cuts_handoff_withdrawals():
    shares = {"budget.shares.park": 0.5, "budget.shares.incentive_fund": 0.05}
    none, park = paired(small(), small(platform__park_build_months=0).with_overrides(shares))
    assert park["handoff_share"] < none["handoff_share"] - 0.1
    assert wd(park, "handoff") < wd(none, "handoff")


def test_handoffs_fall_smoothly_as_park_land_grows():
    """Catches a hand-off switch (any park land stopping all hand-offs): the share of city contacts handed to
    counties falls monotonically over five park sizes, with no step larger than 0.2."""
    shares = []
    for park in (0.0, 0.05, 0.1, 0.2, 0.4):
        spec = small(platform__park_build_months=0).with_overrides(
            {"budget.shares.park": park, "budget.shares.incentive_fund": 0.55 - park})
        shares.append(mean_summary(spec, seeds=(51, 52))["handoff_share"])
    steps = np.diff(shares)
    assert shares[0] == pytest.approx(1.0)
    assert np.all(steps <= 1e-9), shares
    assert np.all(-steps < 0.2), shares
    assert shares[-1] < shares[0] - 0.05, shares


def test_projects_moved_to_another_county_for_land_are_late_handoffs():
    """Catches a free move between counties: with land scarce at home, projects moved elsewhere wait through
    a late hand-off and may waver away."""
    s = mean_summary(small(platform__county_land_mu_per_year=600.0, platform__initial_land_mu=200.0))
    assert s["late_handoffs"] > 0
