"""Counties, departments and leaders decide; the market renews; common random numbers hold in every scenario.

Each test says what it would catch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from modelkit import paired, small

from sim.model import build_model, simulate
from sim.model.agents import Department, Government
from sim.model.streams import STREAM_NAMES
from sim.scenario import load_scenario

SCENARIOS = sorted(p.stem for p in Path("scenarios").glob("*.toml"))


def test_counties_under_pressure_outbid_each_other_unless_the_city_coordinates():
    """Catches bidding wars that are drawn, not chosen: a county behind the others offers a markup to a prospect
    a rival courts, which raises what is promised above the single-county level; coordination stops it."""
    m = build_model(small().params, seed=5)
    county = m.governments[0]
    county.pressure = 0.0
    m.winning_markup = 0.0
    county.decide()
    assert county.markup == 0.0
    county.pressure = 0.5
    county.decide()
    assert county.markup == pytest.approx(0.5 * m.p.policy.max_bid_markup)
    m_coord = build_model(small(policy__city_coordination=True).params, seed=5)
    m_coord.governments[0].pressure = 0.5
    m_coord.governments[0].decide()
    assert m_coord.governments[0].markup == 0.0
    apart, coordinated = paired(small(), small(policy__city_coordination=True))
    assert apart["prospects_courted_by_several"] > 0 and apart["bidding_extra_promised"] > 0
    assert coordinated["prospects_courted_by_several"] == 0 == coordinated["bidding_extra_promised"]


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


def test_governments_are_stepped_agents_with_their_own_leaders():
    """Catches governments as passive containers: each has a leader who may rotate and whose attention differs."""
    m = build_model(small(policy__leader_rotation=1.0).params, seed=9)
    m.run_for(36)
    govs = list(m.agents_by_type[Government])
    assert sum(g.rotations for g in govs) > 0
    assert len({round(g.attention, 6) for g in govs}) > 1


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_market_renews_and_no_strategy_exhausts_it(name):
    """Catches a closed prospect pool that runs out: under every shipped strategy (full size) at most 80% of the
    prospects that were ever in the market get contacted, and declined prospects come back."""
    s = simulate(load_scenario(f"scenarios/{name}.toml"), seed=3).summary
    assert s["prospects_available"] > load_scenario(f"scenarios/{name}.toml").params.run.n_investors
    assert s["prospects_contacted"] / s["prospects_available"] <= 0.8, s["prospects_contacted"] / s["prospects_available"]
    assert s["prospects_returned"] > 0


CRN_SCENARIOS = {
    "forums": {"budget.shares.forums": 0.1, "budget.shares.incentive_fund": 0.45},
    "one_stop": {"service.one_stop_centre": True},
    "coordination": {"policy.city_coordination": True},
    "park_and_shares": {"budget.shares.park": 0.2, "budget.shares.channels": 0.35, "budget.shares.incentive_fund": 0.25},
    "local_firms": {"budget.shares.local_firms": 0.1, "local_firms.proactiveness": 0.4, "budget.shares.incentive_fund": 0.45},
}


def _stream_states(spec, months=(1, 12, 36, 60)) -> dict[int, dict[str, dict]]:
    m = build_model(spec.params, seed=17)
    out = {}
    for t in range(1, max(months) + 1):
        m.step()
        if t in months:
            out[t] = {name: m.streams[name].bit_generator.state["state"] for name in STREAM_NAMES}
    return out


@pytest.mark.parametrize("case", sorted(CRN_SCENARIOS))
def test_every_stream_draws_the_same_numbers_whatever_the_strategy(case):
    """Catches broken pairing: every stateful stream (and Mesa's own) has drawn exactly as many numbers, in the same
    order, at months 1, 12, 36 and 60 under the baseline and under a strategy with forums, one-stop service, city
    coordination, other budget shares or proactive local firms; so each draw meets the same investor in both."""
    spec = small(run__horizon_months=60)
    base = _stream_states(spec)
    other = _stream_states(spec.with_overrides(CRN_SCENARIOS[case]))
    for t in base:
        differ = [name for name in STREAM_NAMES if base[t][name] != other[t][name]]
        assert differ == [], (t, differ)


def test_counter_based_draws_depend_only_on_stream_month_decision_and_row():
    """Catches per-investor draws that shift when other rows are drawn for: the uniform a row meets is the same
    whether drawn alone or with every other row, differs by month, decision and stream, and is uniform and
    uncorrelated across them (a broken hash would show in the mean, the spread or the correlations)."""
    from sim.model.streams import Streams

    s = Streams(42)
    rows = np.arange(20000)
    u = s.uniform("sign", rows, 7)
    pick = np.array([5, 999, 12345])
    assert np.array_equal(s.uniform("sign", pick, 7), u[pick])
    assert np.array_equal(Streams(42).uniform("sign", rows, 7), u)
    assert not np.array_equal(Streams(43).uniform("sign", rows, 7), u)
    assert 0 < u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.003
    for other in (s.uniform("sign", rows, 8), s.uniform("sign", rows, 7, 1), s.uniform("negotiate", rows, 7),
                  s.uniform("sign", rows + 1, 7)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.03


def test_counties_behind_court_harder_within_their_money():
    """Catches courting that ignores the assessment or overdraws: a county under pressure buys more contacts this
    month than one that is not, and no month buys more than the channel money left can pay for."""
    m = build_model(small().params, seed=6)
    m.governments[0].pressure = 1.0
    m.governments[1].pressure = 0.0
    want = m.channel_model.contacts_wanted()
    assert want[0].sum() > want[1].sum()
    m.ledger.spent_year["channels"] = m.ledger.allotment["channels"] - 5.0  # five 万元 left this year
    from sim.params import CHANNELS
    cost = np.array([m.p.channels[c].cost_per_contact for c in CHANNELS])
    assert float((m.channel_model.contacts_wanted() * cost).sum()) <= 5.0 + 1e-9
