"""Leaders (docs/ODD.md 7.11): each government's leader rotates and brings an attention of their own, and a new city
leader who shelves the strategy makes a stop-go year.
"""

from __future__ import annotations

from modelkit import paired, small

from sim.model import build_model
from sim.model.agents import Government


def test_governments_are_stepped_agents_with_their_own_leaders():
    """Catches governments as passive containers: each has a leader who may rotate and whose attention differs."""
    m = build_model(small(policy__leader_rotation=1.0).params, seed=9)
    m.run_for(36)
    govs = list(m.agents_by_type[Government])
    assert sum(g.rotations for g in govs) > 0
    assert len({round(g.attention, 6) for g in govs}) > 1


def test_stop_go_years_hurt_credibility():
    """A new city leader who shelves the strategy cuts next year's lever money: fewer promises are paid and less
    incentive money reaches investors (on eight seeds). The share of promises honoured need not fall: promises
    follow the fund's means by the same rule, so a smaller fund makes fewer promises as well as paying fewer."""
    steady, stop_go = paired(small(policy__persistence=1.0, policy__leader_rotation=1.0),
                             small(policy__persistence=0.0, policy__leader_rotation=1.0), seeds=range(11, 19))
    assert stop_go["stop_go_years"] > 0 == steady["stop_go_years"]
    paid = lambda r: r["promises_due"] - r["promises_broken"]  # noqa: E731
    assert paid(stop_go) < paid(steady) and stop_go["incentives_paid"] < steady["incentives_paid"]
    assert stop_go["budget_spent"] < steady["budget_spent"]
