"""The slow states settle under a steady policy: none grows with the stock of firms or with money spent long ago.

Each test pins one rule that keeps the status quo in balance (docs/ODD.md, sections 5 and 7): the atmosphere fed
by the share of satisfied firms, legal insecurity that returns without effort, training that fades, referrals by
young firms, a reputation of recent signers, investors who learn the region's serviced land from signing on,
counties that service land only as far as their reserve, funds that carry over at most a year's allotment, and the
mean wait for land that counts the projects that gave up waiting.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from modelkit import small

from sim.model import build_model, kernels
from sim.model.beliefs import BELIEFS
from sim.model.stages import BUILDING, OPERATING, SIGNED
from sim.model.units import MONTHS_PER_YEAR, PER_THOUSAND


def _model(years: int = 0, **overrides):
    spec = small(**overrides)
    m = build_model(spec.params, seed=5)
    if years:
        m.run_for(years * MONTHS_PER_YEAR)
    return m


def test_the_atmosphere_from_success_is_bounded_by_the_share_of_firms_satisfied() -> None:
    """Without campaign money the atmosphere settles at most at atmosphere_from_success / atmosphere_decay (every
    operating firm satisfied), however many firms operate: with many firms after twenty years it stays under that
    bound each month, and near the gain of the share satisfied it holds. A gain per satisfied firm would grow with
    their number and pass the bound."""
    gain, decay = 0.08, 0.2
    m = _model(policy__atmosphere_effect=0.0, policy__atmosphere_from_success=gain, policy__atmosphere_decay=decay,
               policy__atmosphere=0.0, run__horizon_months=240, budget__tax_share=0.0)
    seen = []
    for _ in range(240):
        m.run_for(1)
        seen.append(m.atmosphere)
    assert m.stage_count(OPERATING) > 300, "enough firms that a count would matter"
    assert max(seen) <= gain / decay + 1e-9
    assert seen[-1] > 0.3 * gain / decay, "satisfied firms do lift it"


def test_legal_insecurity_settles_where_spending_and_its_return_balance() -> None:
    """Under a steady legal budget, insecurity settles where the month's removal (exp(-effect x money)) and the
    return toward its level without effort (legal_renewal) balance, not at zero; with no return it keeps falling."""
    kw = dict(budget__tax_share=0.0, run__horizon_months=360, policy__legal_insecurity=0.4, policy__legal_effect=0.5,
              policy__legal_renewal=0.4)
    m = _model(years=30, **kw)
    pol = m.p.policy
    money = m.ledger.allotment["legal"] / PER_THOUSAND / m.p.scale
    kept = math.exp(-pol.legal_effect * money / MONTHS_PER_YEAR)
    r = pol.legal_renewal / MONTHS_PER_YEAR
    balance = r * pol.legal_insecurity / (1.0 - kept + r)
    assert money > 0
    assert m.legal_insecurity == pytest.approx(balance, rel=1e-6)
    assert 0.05 < m.legal_insecurity < pol.legal_insecurity
    gone = _model(years=30, **{**kw, "policy__legal_renewal": 0.0})
    assert gone.legal_insecurity < 0.01


def test_training_fades_so_its_stock_settles() -> None:
    """Training paid every year settles at the stock where a year's fade (training_fade) takes what a year adds:
    just after a year's training arrives the stock is T / (1 - exp(-fade)), not twenty years of T."""
    fade = 0.4
    m = _model(years=20, **{"budget.shares.training": 0.1, "budget.shares.incentive_fund": 0.5, "service.training_fade": fade, "budget.tax_share": 0.0,
                            "run.horizon_months": 240})
    yearly = m.ledger.allotment["training"]
    assert yearly > 0
    top = yearly / (1.0 - math.exp(-fade))
    assert top * math.exp(-fade) * 0.99 <= m.cum_training <= top * 1.01
    assert m.cum_training < 5 * yearly


def _satisfied_beliefs(n: int) -> np.ndarray:
    b = np.zeros((n, len(BELIEFS)))
    for name in ("hard", "soft", "credibility"):
        b[:, BELIEFS.index(name)] = 1.0
    return b


def test_only_building_and_young_firms_refer_their_ties() -> None:
    """Three fully satisfied firms, each with one tie to an available prospect, and a referral chance of 1: the
    firm building and the one operating for a year refer; the one operating for ten years, past a three-year
    window, does not."""
    # rows 0-2 firms, rows 3-5 their prospects
    stage = np.array([BUILDING, OPERATING, OPERATING, 0, 0, 0], dtype=np.int8)
    operate = np.array([-1, 108, 0, -1, -1, -1], dtype=np.int32)
    src = np.array([0, 1, 2], dtype=np.int64)
    dst = np.array([3, 4, 5], dtype=np.int64)
    order, start = kernels.group_by_key(src, stage.size)
    available = np.array([False, False, False, True, True, True])
    hits, referrer = kernels.referrals(order, start, src, dst, stage, operate, 120, 36.0, available,
                                       _satisfied_beliefs(stage.size), 24.0, 1.0, 7)
    assert hits.tolist() == [3, 4]
    assert referrer.tolist() == [0, 1]


def test_a_prospect_referred_by_several_firms_is_passed_on_by_its_first_tie_in_the_list() -> None:
    """Catches the referrer taken in the order firms are visited (by row) instead of the tie list's, or another
    row's satisfaction: prospect 4 is tied to firms 2, 0 and 1 by ties 0, 1 and 2; firm 2 is wholly dissatisfied
    and never refers, the others always do (chance 1), so its referrer is firm 0, whose tie comes next; prospect 3,
    tied to firm 1 by tie 3 and to firm 0 by tie 4, goes to firm 1. Each is referred once, and a tie to a prospect
    not available passes no one on."""
    stage = np.array([BUILDING, BUILDING, BUILDING, 0, 0, 0], dtype=np.int8)
    operate = np.full(stage.size, -1, dtype=np.int32)
    src = np.array([2, 0, 1, 1, 0, 2], dtype=np.int64)
    dst = np.array([4, 4, 4, 3, 3, 5], dtype=np.int64)
    order, start = kernels.group_by_key(src, stage.size)
    available = np.array([False, False, False, True, True, False])
    beliefs = _satisfied_beliefs(stage.size)
    beliefs[2] = 0.0
    beliefs[2, BELIEFS.index("risk")] = 1.0
    beliefs[2, BELIEFS.index("delay")] = 100.0
    hits, referrer = kernels.referrals(order, start, src, dst, stage, operate, 120, 36.0, available, beliefs, 24.0,
                                       1.0, 7)
    assert hits.tolist() == [3, 4]
    assert referrer.tolist() == [1, 0]


def test_the_reputation_follows_only_the_recent_signers() -> None:
    """Rewriting the beliefs of investors who signed before the reputation's window changes nothing in the next
    month's reputation (word of mouth off, so they reach no one else); rewriting a recent signer's does."""
    from sim.model import beliefs

    m = _model(years=8, behaviour__word_of_mouth_weight=0.0, behaviour__reputation_years=2.0, run__horizon_months=120)
    pl = m.investors.pipeline
    old = (pl.signed_month >= 0) & (pl.signed_month < m.t - 2 * MONTHS_PER_YEAR)
    recent = pl.signed_month >= m.t - 2 * MONTHS_PER_YEAR + 1
    assert old.sum() > 20 and recent.sum() > 20
    before = dict(m.reputation)
    saved = m.investors.beliefs.copy()
    j = BELIEFS.index("credibility")
    m.investors.beliefs[old, j] = 0.0
    beliefs.update(m)
    assert m.reputation["credibility"] == pytest.approx(_next_reputation(m, saved, before), rel=1e-12)
    m.reputation = dict(before)
    m.investors.beliefs[:] = saved
    m.investors.beliefs[recent, j] = 0.0
    beliefs.update(m)
    assert m.reputation["credibility"] < _next_reputation(m, saved, before) - 1e-3


def _next_reputation(m, saved: np.ndarray, before: dict) -> float:
    """The credibility reputation after a month from the untouched beliefs ``saved`` (a copy of the model)."""
    from sim.model import beliefs

    current = (m.investors.beliefs.copy(), dict(m.reputation))
    m.investors.beliefs[:] = saved
    m.reputation = dict(before)
    beliefs.update(m)
    out = m.reputation["credibility"]
    m.investors.beliefs[:], m.reputation = current
    return out


def test_signed_investors_learn_the_regions_serviced_land() -> None:
    """A signed investor who is not waiting for land (approvals pending) moves its belief about the hard environment
    a month's share toward the region's serviced land against demand (hard_met), so scarce land shows in what
    signers believe and in the reputation."""
    n = 1
    beliefs = np.full((n, len(BELIEFS)), 0.5)
    stage = np.array([SIGNED], dtype=np.int8)
    never = np.full(n, -1, dtype=np.int32)
    zero = np.zeros(n, dtype=np.int64)
    indptr = np.zeros(n + 1, dtype=np.int32)
    args = (stage, never, np.array([10], dtype=np.int32), never, never, np.array([1], dtype=np.int64), zero,
            np.zeros(n, dtype=bool), np.ones(n, dtype=bool), np.full(n, 6.0), 20, 12.0, 0.3, 0.1, 0.1, 0.5, 0.0,
            indptr, np.zeros(0, dtype=np.int32), np.zeros(0), 0.0)
    recent = kernels.learn(beliefs, *args, 10.0)  # signed in month 10: among the recent signers from month 10
    assert beliefs[0, BELIEFS.index("hard")] == pytest.approx(0.5 + 0.3 * (0.1 - 0.5))
    np.testing.assert_array_equal(recent, beliefs)  # what they believe after the month, for the reputation
    assert kernels.learn(beliefs.copy(), *args, 10.5).shape == (0, len(BELIEFS))  # not from month 11


def test_counties_service_land_only_up_to_their_reserve() -> None:
    """With no project taking land, a county's free land rises by its monthly part until it holds
    county_land_reserve_years of its yearly part, and no further."""
    m = _model(platform__initial_land_mu=0.0, platform__county_land_reserve_years=1.5)
    weight, total = m.land_added_split
    for _ in range(5 * MONTHS_PER_YEAR):
        m._county_land()
    for g in m.counties:
        yearly = m.p.platform.county_land_mu_per_year * m.p.scale * weight[g.index] / total
        assert g.free_land == pytest.approx(1.5 * yearly, rel=1e-9)


def test_a_fund_carries_over_at_most_its_allotment_and_the_rest_goes_back() -> None:
    """At a budget year's start the incentive fund keeps at most fund_carryover times last year's allotment; what
    it held beyond that is returned to the treasury (and the money still adds up)."""
    m = _model(years=1, budget__fund_carryover=0.5)
    led = m.ledger
    last = led.allotment["incentive_fund"]
    assert last > 0
    led.fund["incentive_fund"] = 3 * last
    returned = led.returned
    led.start_year()
    assert led.returned - returned >= 2.5 * last - 1e-6
    assert led.fund["incentive_fund"] <= 0.5 * last + led.allotment["incentive_fund"] + 1e-6


def test_the_wait_for_land_counts_projects_that_never_got_any() -> None:
    """With no serviced land at all no project is granted land, yet every project that gave up waiting leaves its
    wait (months from ready to build to withdrawal) in the record, and the mean wait is over those and the waits
    still running at the end: not zero, and not only of projects granted land."""
    from sim.model.outputs import summary
    from sim.model.stages import WITHDRAWN

    m = _model(platform__initial_land_mu=0.0, platform__county_land_mu_per_year=0.0)
    m.run_for(48)
    inv = m.investors
    pl = inv.pipeline
    gave_up = (pl.stage == WITHDRAWN) & (pl.end_stage == SIGNED) & (inv.land.ready_month >= 0) & ~inv.land.granted
    assert not inv.land.granted.any()
    assert gave_up.sum() > 10
    waits = sorted(m.counters.land_wait_months)
    assert waits == sorted((pl.end_month[gave_up] - inv.land.ready_month[gave_up]).tolist())
    still = inv.land.ready_month[m.ready_for_land_rows()]
    expected = np.mean(waits + (m.t - still[still >= 0]).tolist())
    assert summary(m)["mean_land_wait_months"] == pytest.approx(expected) and expected > 1.0


def test_only_firms_in_their_first_years_expand() -> None:
    """Over a year, firms operating for longer than reinvest_years keep their capital; some younger firms expand
    (at a high expansion chance, so the contrast is not luck)."""
    m = _model(years=8, population__reinvest_per_year=1.0, population__reinvest_years=2.0, run__horizon_months=120)
    pl, cap = m.investors.pipeline, m.investors.capital
    t0 = m.t
    op = pl.stage == OPERATING
    old = op & (pl.operate_month <= t0 - 2 * MONTHS_PER_YEAR - 12)
    young = op & (pl.operate_month > t0 - 12)
    before = cap.operating.copy()
    m.run_for(12)
    still = pl.stage == OPERATING
    assert (old & still).sum() > 20 and (young & still).sum() > 10
    assert np.array_equal(cap.operating[old & still], before[old & still])
    assert (cap.operating[young & still] > before[young & still]).sum() >= 5
