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


def test_a_strategy_adopted_at_month_0_is_judged_at_its_own_persistence_by_the_years_new_city_leader():
    """A new city leader who arrived in the spin-up's last year judges the strategy in force at the budget year's
    turn after month 0: the status quo kept, the same verdict (a stop-go year where the leader's draw reaches the
    status quo's persistence); a strategy kept through leader changes (persistence 1), never shelved. The verdict is
    the leader's draw, drawn once: a lower persistence shelves whatever a higher one shelves."""
    from sim.model import freeze, warm_start
    from sim.scenario import status_quo

    sq = small(policy__leader_rotation=1.0, run__spinup_months=24).params
    verdicts = []
    for seed in range(4):
        warm = warm_start(status_quo(sq), seed)
        assert warm.city_keep_draw >= 0.0  # a new city leader every month: one since the year's turn
        frozen = freeze(warm)
        pending = {}
        for persistence in (0.0, sq.policy.persistence, 1.0):
            params = sq.model_copy(update={"policy": sq.policy.model_copy(update={"persistence": persistence})})
            pending[persistence] = build_model(params, seed, warm=frozen).stop_go_pending
        assert pending[sq.policy.persistence] == warm.stop_go_pending == (warm.city_keep_draw >= sq.policy.persistence)
        assert pending[0.0] and not pending[1.0]
        verdicts.append(pending[sq.policy.persistence])
    assert any(verdicts)  # the status quo shelved on some seed, so persistence 1 changed a verdict
