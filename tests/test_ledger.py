"""Unit tests of the ledger (docs/ODD.md 7.7 and 7.9, ``sim/model/budget.py``) on constructed inputs: a small model is
built but never run, the ledger's money and the investors' promises are set by hand, and each test drives one
account (万元) and checks it against the rule written out.

Each test says what it would catch.
"""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import small

from sim.model import build_model
from sim.model.budget import FUNDS, RUNNING_KEYS, SPEND_KEYS
from sim.params import BUDGET_LEVERS

TINY = {"run.n_investors": 600, "run.horizon_months": 12}
EVERY_RUNNING_COST = {"service.one_stop_centre": True, "service.complaint_centre": True, "policy.team_quality": 1.0,
                      "policy.city_coordination": True, "service.vertical_coordination": 1.0,
                      "policy.leadership_attention": 1.0, "policy.persistence": 1.0}


def built(**overrides):
    """A small model with its first year started (as built) and never stepped."""
    return build_model(small().with_overrides({**TINY, **overrides}).params, seed=1)


def unaccounted(led) -> float:
    """Budget made available less what is spent, held in the funds, returned and not yet used this year, 万元."""
    return led.budget_total - (led.spent_total + led.held + led.returned + led.pending)


def turn_year(led) -> None:
    """The end of a year as the model runs it: the twelve monthly instalments into the funds, then the next year."""
    for _ in range(12):
        led.monthly_inflow()
    led.start_year()


def set_budget(m, amount: float) -> None:
    """Make next year's budget ``amount`` 万元 in a model without base transfer: last year's tax, of which the budget
    takes ``budget.tax_share`` (all of it paid by firms in their first ``budget.tax_years``)."""
    m.ledger.tax_this_year = 0.0
    m.ledger.collect_tax(amount / m.p.budget.tax_share, amount / m.p.budget.tax_share)


def test_the_years_budget_is_the_base_transfer_and_a_share_of_last_years_tax():
    """Catches a budget that ignores tax, counts it twice or keeps counting last year's: the year's budget is the
    base transfer (at the market's scale) plus ``tax_share`` of the tax paid in the year before by firms in their
    first ``budget.tax_years`` of operation (the rest of the tax is counted, not fed back), and the cumulative budget
    adds the years."""
    m = built()
    led, p = m.ledger, m.p
    base = p.budget.base_transfer * p.scale
    assert led.budget_year == pytest.approx(base) and led.budget_total == pytest.approx(base)
    led.collect_tax(100.0, 100.0)
    led.collect_tax(50.0, 50.0)
    led.collect_tax(80.0, 0.0)  # tax of older firms: counted, not rewarded
    led.start_year()
    assert led.budget_year == pytest.approx(base + p.budget.tax_share * 150.0)
    assert led.tax_total == 230.0 and led.tax_this_year == 0.0
    led.start_year()
    assert led.budget_year == pytest.approx(base)
    assert led.budget_total == pytest.approx(3 * base + p.budget.tax_share * 150.0)


def test_running_costs_come_first_in_their_order_as_far_as_the_money_goes():
    """Catches running costs paid after the levers, in another order, or all or nothing: with every institution,
    staff body and use of attention switched on and a budget of 60 万元, each running cost in its order is paid if
    what is left covers it and is off this year otherwise (a later, cheaper one may still be paid); the levers share
    what is left. (In another order the same budget would pay for other running costs.)"""
    m = built(**{"budget.base_transfer": 0.0}, **EVERY_RUNNING_COST)
    led = m.ledger
    costs = led.running_costs()
    assert list(costs) == list(RUNNING_KEYS)
    set_budget(m, 60.0)
    turn_year(led)
    left, on = 60.0, {}
    for key in RUNNING_KEYS:  # the rule, written out
        on[key] = costs[key] <= left
        if on[key]:
            assert led.allotment[key] == pytest.approx(costs[key]), key
            left -= costs[key]
        else:
            assert led.allotment[key] == 0.0, key
    assert m.levers_on == on
    # the budget chosen leaves some on and some off, with a cheaper one paid after one that was not
    assert not on["team"] and on["city_coordination"] and not on["leadership_attention"] and on["persistence"]
    assert m.one_stop_on and m.complaint_centre_on
    for lever in BUDGET_LEVERS:
        assert led.allotment[lever] == pytest.approx(m.p.budget.shares.get(lever, 0.0) * left), lever
    assert unaccounted(led) == pytest.approx(0.0, abs=1e-9)


def test_a_stop_go_year_cuts_the_levers_and_returns_the_cut():
    """Catches a stop-go year that cuts nothing, or whose cut money vanishes from the accounts: in a year after a new
    city leader shelved the strategy the levers get ``stop_go_share`` of what they would have had, the running costs
    are paid in full, and the cut goes back to the treasury."""
    m = built()
    led, p = m.ledger, m.p
    normal = dict(led.allotment)
    for _ in range(12):
        led.monthly_inflow()
    returned = led.returned + sum(led.remaining(lever) for lever in BUDGET_LEVERS if lever not in FUNDS)
    m.city_keep_draw = 1.0  # a new city leader who shelves whatever the persistence
    led.start_year()
    assert m.stop_go and m.counters.stop_go_years == 1
    for key in RUNNING_KEYS:
        assert led.allotment[key] == pytest.approx(normal[key]), key
    for lever in BUDGET_LEVERS:
        assert led.allotment[lever] == pytest.approx(p.policy.stop_go_share * normal[lever]), lever
    cut = (1.0 - p.policy.stop_go_share) * sum(normal[lever] for lever in BUDGET_LEVERS)
    assert led.returned - returned == pytest.approx(cut)
    assert unaccounted(led) == pytest.approx(0.0, abs=1e-9)


def test_the_funds_fill_in_twelve_instalments_and_carry_over_while_other_money_goes_back():
    """Catches a fund paid in at once, a fund whose balance is returned at the turn of the year, or an unused
    allotment of another lever that stays available: each fund receives a twelfth of its allotment a month, its
    balance carries into the next year, and what the other levers did not use in their year is returned."""
    m = built(**{"budget.shares.investment_fund": 0.1, "budget.shares.incentive_fund": 0.45})
    led = m.ledger
    allotted = {f: led.allotment[f] for f in FUNDS}
    assert all(a > 0 for a in allotted.values()) and all(led.fund[f] == 0.0 for f in FUNDS)
    for month in range(1, 13):
        led.monthly_inflow()
        for f in FUNDS:
            assert led.fund[f] == pytest.approx(allotted[f] * month / 12), (f, month)
    assert led.spend("channels", 10.0) == 10.0
    assert led.vet_promises(2) == 2  # vetting paid from the incentive fund
    unused = {lever: led.allotment[lever] - led.spent_year.get(lever, 0.0) for lever in BUDGET_LEVERS if lever not in FUNDS}
    assert unused["channels"] > 0
    balance, returned = dict(led.fund), led.returned
    assert unaccounted(led) == pytest.approx(0.0, abs=1e-9)
    led.start_year()
    assert led.fund == balance  # carried over, not returned
    assert led.returned - returned == pytest.approx(sum(unused.values()))
    led.monthly_inflow()
    for f in FUNDS:
        assert led.fund[f] == pytest.approx(balance[f] + led.allotment[f] / 12), f
    assert unaccounted(led) == pytest.approx(0.0, abs=1e-9)


def test_park_borrowing_is_repaid_in_equal_instalments_from_the_next_year_with_interest_on_what_is_owed():
    """Catches borrowing never repaid, repaid at once or in the year it was raised, or interest on the principal
    first raised rather than on what is still owed: each year's park money raises as much again by borrowing; every
    tranche is repaid by a tenth (the loan term) a year from the year after, and each year pays ``interest_rate`` on
    the debt at the turn of the year. Debt = borrowed - repaid at every turn."""
    m = built(**{"budget.shares.park": 0.2, "budget.shares.incentive_fund": 0.35, "platform.financing_leverage": 2.0})
    led, pf = m.ledger, m.p.platform
    tranches = [led.borrowed]
    assert tranches[0] == pytest.approx(led.spent["park"]) and tranches[0] > 0
    for year in range(1, 5):
        owed = led.debt
        repaid, interest = led.repaid, led.spent["park_interest"]
        turn_year(led)
        assert led.spent["park_interest"] - interest == pytest.approx(pf.interest_rate * owed), year
        due = sum(t / pf.loan_term_years for t in tranches)
        assert led.repaid - repaid == pytest.approx(due), year
        assert led.spent["park_repayment"] == pytest.approx(led.repaid)
        tranches.append(led.borrowed - sum(tranches))
        assert led.debt == pytest.approx(led.borrowed - led.repaid)
        assert led.debt == pytest.approx(sum(owed for owed, _ in led.loans))
    assert unaccounted(led) == pytest.approx(0.0, abs=1e-6)


def test_debt_service_the_budget_cannot_cover_stays_owed():
    """Catches debt service switched off like an institution, or unpaid interest forgotten: when the year's budget
    is less than the interest due, the whole budget goes to interest, the rest of it is added to the debt
    (capitalised), no principal is repaid and every other running cost and lever is off this year."""
    m = built(**{"budget.shares.park": 0.9, "budget.shares.incentive_fund": 0.0, "budget.shares.channels": 0.0,
                 "budget.shares.training": 0.0, "budget.shares.legal": 0.0, "budget.shares.atmosphere": 0.1,
                 "platform.financing_leverage": 5.0, "platform.interest_rate": 0.5})
    led = m.ledger
    borrowed = led.borrowed
    interest = m.p.platform.interest_rate * led.debt
    budget = m.p.budget.base_transfer * m.p.scale
    assert interest > budget > 0
    turn_year(led)
    assert led.allotment["park_interest"] == pytest.approx(budget)
    assert led.capitalised == pytest.approx(interest - budget)
    assert led.repaid == 0.0 and led.allotment["park_repayment"] == 0.0
    assert led.debt == pytest.approx(borrowed + interest - budget)
    assert led.debt == pytest.approx(led.borrowed + led.capitalised - led.repaid)
    assert led.debt == pytest.approx(sum(owed for owed, _ in led.loans))
    assert all(led.allotment[lever] == 0.0 for lever in BUDGET_LEVERS)
    assert not any(m.levers_on[key] for key in RUNNING_KEYS if key not in ("park_interest", "park_repayment")
                   and led.running_costs()[key] > 0)
    assert unaccounted(led) == pytest.approx(0.0, abs=1e-6)


def test_the_promising_rule_allows_the_funds_means_over_discipline_less_what_was_promised():
    """Catches a promising rule that reads the wrong window or ignores discipline: with 100 万元 in the incentive
    fund, 10 flowing in a month, a three-month window and discipline 0.5, the region may promise (100 + 3 x 10) /
    0.5 = 260, less the 55 promised in the last three months (not the 50 before them): 205."""
    m = built(**{"policy.promise_horizon_months": 3.0, "policy.honouring_discipline": 0.5})
    led = m.ledger
    led.fund["incentive_fund"], led.fund_inflow["incentive_fund"] = 100.0, 10.0
    led.promised_by_month = []
    for amount in (50.0, 5.0, 20.0, 30.0):
        led.note_promised(amount)
    assert led.promise_room() == pytest.approx(205.0)


def test_vetting_promises_is_paid_from_the_fund_as_far_as_it_goes():
    """Catches free vetting or vetting that overdraws the fund: each promise vetted costs ``promise_vetting_months x
    honouring_discipline`` staff-months from the incentive fund, booked to the city as promise vetting, and an empty
    fund vets none."""
    m = built()
    led, pol = m.ledger, m.p.policy
    unit = pol.promise_vetting_months * pol.honouring_discipline * m.p.costs.staff_month
    led.fund["incentive_fund"] = 3.5 * unit
    assert led.vet_promises(10) == 3
    assert led.fund["incentive_fund"] == pytest.approx(0.5 * unit)
    assert led.spent["promise_vetting"] == pytest.approx(3 * unit)
    assert led.by_government[m.city.index, SPEND_KEYS.index("promise_vetting")] == pytest.approx(3 * unit)
    assert led.vet_promises(10) == 0


def test_incentives_are_paid_while_the_fund_holds_and_dropped_or_unfunded_promises_are_broken():
    """Catches a promise paid twice, paid when a successor dropped it, paid beyond the fund, or left neither paid
    nor broken: of twenty projects breaking ground, eighteen with a promise (two dropped by a new leader), the fund
    pays claims in its order while it holds, and every other claim is broken; the money paid leaves the fund and is
    booked to the government that promised it."""
    m = built()
    led, pr = m.ledger, m.investors.promises
    rows = np.arange(20)
    promised = np.r_[np.linspace(10.0, 95.0, 18), 0.0, 0.0]
    pr.promised[rows], pr.gov[rows], pr.open[rows] = promised, rows % 3, promised > 0
    pr.dropped[[3, 7]] = True
    live = (promised > 0) & ~pr.dropped[rows]
    fund = 0.5 * promised[live].sum()
    led.fund["incentive_fund"] = fund
    spent = led.by_government[:, SPEND_KEYS.index("incentive_fund")].copy()
    led.pay_incentives(rows)
    paid = pr.paid[rows] > 0
    assert not pr.open[rows].any()
    np.testing.assert_array_equal(pr.paid[rows][paid], promised[paid])
    assert not (paid & pr.dropped[rows]).any() and pr.broken[[3, 7]].all()
    assert (paid ^ pr.broken[rows])[promised > 0].all() and not pr.broken[rows][promised == 0].any()
    assert 0 < promised[paid].sum() <= fund
    left = fund - promised[paid].sum()
    assert led.fund["incentive_fund"] == pytest.approx(left)
    assert (promised[live & ~paid] > left).any()  # a claim went unpaid because the fund could not cover it
    by_gov = np.bincount(rows[paid] % 3, weights=promised[paid], minlength=len(m.governments))
    np.testing.assert_allclose(led.by_government[:, SPEND_KEYS.index("incentive_fund")] - spent, by_gov)
    # with money enough, every live claim is paid and only the dropped ones are broken
    m = built()
    pr = m.investors.promises
    pr.promised[rows], pr.gov[rows], pr.open[rows] = promised, rows % 3, promised > 0
    pr.dropped[[3, 7]] = True
    m.ledger.fund["incentive_fund"] = promised.sum()
    m.ledger.pay_incentives(rows)
    assert (pr.paid[rows] > 0).sum() == 16 and np.flatnonzero(pr.broken[rows]).tolist() == [3, 7]


def test_the_investment_fund_backs_refused_loans_while_its_money_lasts_and_settles_its_stakes():
    """Catches a fund that backs without money, backs every unserious applicant, or loses stakes without booking
    them: it stakes ``fund_exposure x capital`` in the projects it backs, in order while its money lasts, turns
    down unserious applicants whose diligence draw falls below ``fund_due_diligence``; stakes of projects that
    operate come back, stakes of projects that failed are spent. Money only moves between the fund, the stakes
    and spending."""
    m = built(**{"budget.shares.investment_fund": 0.1, "budget.shares.incentive_fund": 0.45})
    led, pol, pop = m.ledger, m.p.policy, m.pop
    serious, unserious = np.flatnonzero(pop.serious)[:30], np.flatnonzero(~pop.serious)[:10]
    idx = np.r_[unserious, serious]
    u = np.r_[np.full(5, 0.0), np.full(5, 0.99), np.full(30, 0.5)]  # five unserious fail diligence, five pass
    gov = m.investors.pipeline.gov
    gov[idx] = np.arange(idx.size) % 3  # the projects' governments
    stakes = pol.fund_exposure * pop.capital[idx]
    eligible = np.ones(40, dtype=bool)
    eligible[:5] = False
    fund = 0.6 * stakes[eligible].sum()
    led.fund["investment_fund"] = fund
    before = unaccounted(led)
    backed = led.back_loans(idx, u)
    expect = idx[eligible][np.cumsum(stakes[eligible]) <= fund + 1e-9]
    np.testing.assert_array_equal(backed, expect)
    assert 0 < backed.size < eligible.sum()
    staked = pol.fund_exposure * pop.capital[backed].sum()
    assert led.fund["investment_fund"] == pytest.approx(fund - staked) and led.fund_exposed == pytest.approx(staked)
    assert unaccounted(led) == pytest.approx(before)
    lost, recovered = backed[:2], backed[2:]
    loss = pol.fund_exposure * pop.capital[lost].sum()
    spent = led.spent["investment_fund"]
    led.settle_fund_stakes(recovered, lost)
    assert led.fund["investment_fund"] == pytest.approx(fund - loss)
    assert led.fund_exposed == pytest.approx(0.0, abs=1e-9)
    assert led.spent["investment_fund"] - spent == pytest.approx(loss)
    by_gov = np.bincount(gov[lost], weights=pol.fund_exposure * pop.capital[lost], minlength=len(m.governments))
    np.testing.assert_allclose(led.by_government[:, SPEND_KEYS.index("investment_fund")], by_gov)
    assert (m.investors.capital.fund_stake[backed] == 0).all()
    assert unaccounted(led) == pytest.approx(before)


def test_spending_is_booked_to_the_government_that_spent_it_or_to_the_city():
    """Catches spending lost between the lever's account and the governments': an amount booked to a government
    index lands there, one booked with weights is split in proportion, one booked with none lands at the city, and
    the governments' accounts add up to each lever's."""
    m = built()
    led = m.ledger
    k = SPEND_KEYS.index("channels")
    before = led.by_government[:, k].copy()
    led.spend("channels", 12.0, 2)
    weights = np.zeros(len(m.governments))
    weights[[0, 1]] = (1.0, 3.0)
    led.spend("channels", 8.0, weights)
    led.spend("channels", 5.0)
    assert led.spend("channels", 1e9) == pytest.approx(led.allotment["channels"] - 25.0)  # no more than the allotment
    assert led.remaining("channels") == pytest.approx(0.0)
    added = led.by_government[:, k] - before
    expect = np.zeros(len(m.governments))
    expect[2], expect[0], expect[1] = 12.0, 2.0, 6.0
    expect[m.city.index] = 5.0 + led.allotment["channels"] - 25.0
    np.testing.assert_allclose(added, expect)
    np.testing.assert_allclose(led.by_government.sum(axis=0), [led.spent[key] for key in SPEND_KEYS], atol=1e-9)
