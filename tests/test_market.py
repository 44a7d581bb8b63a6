"""The market (docs/ODD.md 7.10): prospects arrive and return, so no strategy exhausts it."""

from __future__ import annotations

import pytest
from modelkit import SCENARIOS

from sim.model import simulate
from sim.scenario import load_scenario


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_market_renews_and_no_strategy_exhausts_it(name):
    """Catches a closed prospect pool that runs out: under every shipped strategy (full size) at most 80% of the
    prospects that were ever in the market get contacted, and declined prospects come back."""
    s = simulate(load_scenario(f"scenarios/{name}.toml"), seed=3).summary
    assert s["prospects_available"] > load_scenario(f"scenarios/{name}.toml").params.run.n_investors
    assert s["prospects_contacted"] / s["prospects_available"] <= 0.8, s["prospects_contacted"] / s["prospects_available"]
    assert s["prospects_returned"] > 0
