"""For any valid setting of the parameters, the stock-flow invariants hold every month (Hypothesis).

Settings are drawn from the parameter schema (tests/propkit.py): a few
parameters and share groups at a time, anywhere in their documented ranges,
on a small population over one to two years. After every month,
``sim.model.outputs.check_invariants`` must find nothing (stage counts add
up, arrived capital within signed capital, no negative land or incentive
fund, every withdrawal with a reason, spending within the budget), and so
must the checks below that it does not make yet.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from propkit import examples, valid_data

from sim.model import build_model, simulate
from sim.model.agents import EXITED, WITHDRAWN
from sim.model.outputs import check_invariants
from sim.params import Params
from sim.scenario import deep_merge, default_spec


def params_of(data: dict, n: int, horizon: int) -> Params:
    tree = deep_merge(Params().model_dump(mode="python"), data)
    return Params.model_validate(deep_merge(tree, {"run": {"n_investors": n, "horizon_months": horizon}}))


class Flows:
    """What must only grow from one month to the next."""

    def __init__(self, m):
        self.arrived = m.investors.capital.arrived.copy()
        self.spent = dict(m.ledger.spent)

    def check(self, m) -> list[str]:
        bad = []
        stage, capital, pr = m.investors.pipeline.stage, m.investors.capital, m.investors.promises
        gone = int(((stage == WITHDRAWN) | (stage == EXITED)).sum())
        recorded = int(m.counters.by_reason_stage.sum())
        if gone != recorded:
            bad.append(f"{gone} projects withdrew or closed but {recorded} withdrawals have a recorded reason")
        if np.any(capital.arrived < self.arrived - 1e-6):
            bad.append("a project's arrived capital went down")
        for lever, spent in m.ledger.spent.items():
            if spent < -1e-9 or spent < self.spent.get(lever, 0.0) - 1e-6:
                bad.append(f"spending on {lever} is negative or went down ({self.spent.get(lever)} -> {spent})")
        if np.any(pr.paid > pr.promised + 1e-6):
            bad.append("a project was paid more incentive than it was promised")
        # The incentive fund carries over from year to year; every other lever spends this year's money.
        this_year = sum(v for k, v in m.ledger.spent_year.items() if k != "incentive_fund")
        if this_year > m.ledger.budget_year + 1e-6:
            bad.append(f"spent {this_year:.1f} this year, more than the year's budget {m.ledger.budget_year:.1f}")
        self.arrived = capital.arrived.copy()
        self.spent = dict(m.ledger.spent)
        return bad


@settings(max_examples=examples(12))
@given(data=valid_data(max_leaves=10), n=st.integers(1000, 3000), horizon=st.integers(12, 24),
       seed=st.integers(0, 2**32 - 1))
def test_stock_flow_invariants_hold_every_month(data, n, horizon, seed):
    m = build_model(params_of(data, n, horizon), seed=seed)
    flows = Flows(m)
    assert check_invariants(m) + flows.check(m) == [], "month 0"
    for month in range(1, horizon + 1):
        m.step()
        assert check_invariants(m) + flows.check(m) == [], f"month {month}"


EDGES = {
    # Settings at the edges of their documented ranges that once stopped the model.
    "no_local_firms": {"local_firms.count": 0},  # a region without local firms to partner with
    "nearly_free_contacts": {"channels.door_to_door.cost_per_contact": 5e-324},  # contacts capped by the population
}


@pytest.mark.parametrize("overrides", [pytest.param(over, id=name) for name, over in sorted(EDGES.items())])
def test_settings_at_the_edges_of_their_ranges_run(overrides):
    spec = default_spec().with_overrides({"run.n_investors": 1000, "run.horizon_months": 12, **overrides})
    assert simulate(spec, seed=1).summary["months"] == 12
