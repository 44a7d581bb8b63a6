"""The budget and the cost of every lever (docs/ODD.md 7.9): levers cost money, staff time or leaders' attention in
one currency, running costs come first, park borrowing is debt repaid from later budgets, and every yuan is accounted
for and booked to the government that spent it.

Each test says what it would catch. Runs are paired on common seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import SCENARIOS, paired, scenario, shipped, small

from sim.model import build_model, simulate
from sim.scenario import default_spec, load_scenario

NEUTRAL = [s for s in SCENARIOS if s.startswith("neutral_")]


def money_used(s: dict) -> float:
    """What a strategy used, 万元: spent on every lever (staff time and attention priced), held in the funds,
    returned unspent, and borrowed and still owed at the end (park debt, which later budgets repay)."""
    return sum(s["spent_by_lever"].values()) + s["budget_held"] + s["budget_returned"] + s["budget_debt"]


@pytest.mark.parametrize("name", NEUTRAL)
def test_budget_neutral_variants_cost_what_the_baseline_costs(name):
    """Catches a "same money" variant that gets more money than the baseline: through borrowing (debt left for
    later budgets), a larger transfer, or staff, attention or institutions that are not booked to a lever. On the
    shipped baseline (paired seeds), the money it used (spent on every lever, held in the funds, returned and
    still owed) is the baseline's within 1%, every yuan of its budget since month 0 is booked to a lever, added to
    what the funds held at month 0 or returned, and
    its budget plus its debt at the end, less the tax fed back (which follows from the firms a strategy brings), is
    the baseline's."""
    base, variant = paired(shipped("baseline"), shipped(name), seeds=(31, 32))
    assert money_used(variant) == pytest.approx(money_used(base), rel=0.01)
    booked = (sum(variant["spent_by_lever"].values()) + variant["budget_held"] - variant["budget_held_at_start"]
              + variant["budget_returned"])
    assert booked == pytest.approx(variant["budget_total"], rel=1e-9)
    assert variant["budget_total"] - variant["budget_tax_fed_back"] + variant["budget_debt"] == pytest.approx(
        base["budget_total"] - base["budget_tax_fed_back"], rel=1e-9)


def test_park_borrowing_is_debt_repaid_from_later_budgets():
    """Catches borrowing that is never repaid: the platforms strategy borrows one yuan per yuan of park money; the
    principal is recorded, repaid in equal yearly instalments over the loan term from the next year (booked as
    spending on the repayment, before the levers), interest is paid on what is outstanding, and the debt at the end
    is what was borrowed less what was repaid. A shorter term repays more within the run, and interest falls with
    the debt."""
    from sim.model import build_model
    from sim.model.outputs import summary

    spec = shipped("platforms")
    m = build_model(spec.params, seed=7)
    years = []
    for _ in range(5):
        m.run_for(12)
        led = m.ledger
        years.append((led.borrowed, led.repaid, led.debt, led.spent["park_interest"]))
    s = summary(m)
    term = spec.params.platform.loan_term_years
    assert s["budget_borrowed"] > 0.2 * s["spent_by_lever"]["park"] > 0
    assert s["budget_debt"] == pytest.approx(s["budget_borrowed"] - s["spent_by_lever"]["park_repayment"], rel=1e-9)
    # each tranche raised in year y (at its start) is repaid by a tenth a year from year y + 1
    raised = np.diff([0.0] + [b for b, _, _, _ in years])
    due = [sum(raised[k] / term for k in range(y)) for y in range(5)]
    repaid = np.diff([0.0] + [r for _, r, _, _ in years])
    np.testing.assert_allclose(repaid, due, rtol=1e-9, atol=1e-6)
    interest = np.diff([0.0] + [i for _, _, _, i in years])
    owed_at_start = [0.0] + [d for _, _, d, _ in years[:-1]]
    np.testing.assert_allclose(interest, [spec.params.platform.interest_rate * d for d in owed_at_start], rtol=1e-9)
    short = summary(_run(shipped("platforms", platform__loan_term_years=5), 7))
    assert short["spent_by_lever"]["park_repayment"] > s["spent_by_lever"]["park_repayment"]
    assert short["budget_debt"] < s["budget_debt"]


def _run(spec, seed: int):
    from sim.model import build_model

    m = build_model(spec.params, seed=seed)
    m.run_until(m.horizon)
    return m


# Levers that are settings, not budget shares, and the spent_by_lever key that prices them.
SETTING_COSTS = {
    "policy.leadership_attention": (0.8, "leadership_attention"),
    "policy.team_quality": (0.9, "team"),
    "policy.city_coordination": (True, "city_coordination"),
    "service.vertical_coordination": (0.8, "vertical_coordination"),
    "policy.persistence": (1.0, "persistence"),
    "policy.honouring_discipline": (1.0, "promise_vetting"),
    "service.one_stop_centre": (True, "one_stop_centre"),
    "service.complaint_centre": (True, "complaint_centre"),
}


# Settings whose cost is not money but a reaction the model shows (tested below), or that move money
# already priced through another lever.
STATED_REASONS = {
    "policy.assessment_signed_weight": "free in money; officials push fewer signatures (test_assessment_reform_is_free_but_signs_less)",
    "policy.incentive_rate": "paid from the incentive fund (spent_by_lever.incentive_fund)",
    "platform.financing_leverage": "the debt: interest and repayment of park borrowing (spent_by_lever.park_interest, "
                                   "park_repayment; budget_debt left at the end)",
    "budget.base_transfer": "the money itself",
}


@pytest.mark.parametrize("key", sorted(SETTING_COSTS))
def test_every_setting_lever_has_a_cost_and_takes_money_from_the_others(key):
    """Catches a free lever: raising it must show a cost under its own key, and leave less money for the
    levers paid by budget shares (channels here), since running costs come off first."""
    value, cost_key = SETTING_COSTS[key]
    low = {"policy.leadership_attention": 0.0, "policy.team_quality": 0.0, "service.vertical_coordination": 0.0,
           "policy.persistence": 0.0, "policy.honouring_discipline": 0.3}.get(key, False)
    lo, hi = paired(small().with_overrides({key: low}), small().with_overrides({key: value}), seeds=(41,))
    assert hi["spent_by_lever"][cost_key] > lo["spent_by_lever"][cost_key] >= 0
    if key != "policy.honouring_discipline":  # vetting is paid from the incentive fund, not before the shares
        from sim.model import build_model
        first_year = [build_model(small().with_overrides({key: v}).params, seed=41).ledger.allotment for v in (low, value)]
        assert first_year[1]["channels"] < first_year[0]["channels"]


def test_every_lever_a_scenario_moves_is_priced_or_has_a_stated_reason():
    """Catches a shipped scenario that improves on the baseline through a setting with no cost: every setting
    a scenario changes (outside budget shares and channel shares) must be priced or carry a stated reason."""
    base = default_spec().params.model_dump()
    unpriced = []
    for name in SCENARIOS:
        spec = load_scenario(f"scenarios/{name}.toml").params.model_dump()
        for section in ("policy", "service", "platform", "budget"):
            for k, v in spec[section].items():
                key = f"{section}.{k}"
                if v == base[section][k] or k == "shares":
                    continue
                if key not in SETTING_COSTS and key not in STATED_REASONS:
                    unpriced.append(f"{name}: {key}")
    assert unpriced == []


def test_assessment_reform_is_free_but_signs_less():
    """Catches an assessment reform that is free and has no downside, or one that costs money: officials assessed
    on landed capital push fewer signatures, so fewer projects are signed (and fewer unserious ones), while the
    reform itself costs nothing (the same budget, and every running cost, staff and attention the same; less is
    paid out in incentives only because fewer projects are signed)."""
    from sim.model.budget import RUNNING_KEYS

    signed_targets, landed_targets = paired(small(policy__assessment_signed_weight=0.8),
                                            small(policy__assessment_signed_weight=0.1))
    assert landed_targets["signed_projects"] < signed_targets["signed_projects"]
    assert landed_targets["budget_total"] == pytest.approx(signed_targets["budget_total"], rel=0.01)
    for key in RUNNING_KEYS:
        assert landed_targets["spent_by_lever"][key] == pytest.approx(signed_targets["spent_by_lever"][key]), key


@pytest.mark.parametrize("name", ["baseline", "combined"])
def test_every_yuan_is_booked_to_the_government_that_spent_it(name):
    """Catches spending booked to the wrong government (e.g. all at the city, incentives to where the project now
    is rather than to whoever promised them, leaders' attention to one leader) or lost between the accounts: the
    accounts by government add up to each lever's, each government's incentive spending is what its own
    promises were paid, every leader's attention costs the same, county channel money stays with the counties
    that bought the contacts, and the park is the city's."""
    from sim.model import build_model
    from sim.model.budget import SPEND_KEYS
    from sim.model.outputs import check_invariants

    m = build_model(scenario(name).params, seed=51)
    CITY = m.city.index  # noqa: N806 (the city's row of the accounts)
    m.run_for(36)
    led = m.ledger
    k = {key: i for i, key in enumerate(SPEND_KEYS)}
    assert check_invariants(m) == []
    np.testing.assert_allclose(led.by_government.sum(axis=0), [led.spent[key] for key in SPEND_KEYS], rtol=1e-9, atol=1e-9)
    pr = m.investors.promises
    paid = pr.paid > 0
    by_promiser = np.bincount(pr.gov[paid].astype(np.int64), weights=pr.paid[paid], minlength=len(m.governments))
    np.testing.assert_allclose(led.by_government[:, k["incentive_fund"]], by_promiser, rtol=1e-9, atol=1e-6)
    attention = led.by_government[:, k["leadership_attention"]]
    assert attention.min() > 0 and np.allclose(attention, attention[0], rtol=1e-12)
    counties = led.by_government[:CITY, k["channels"]]
    assert (counties > 0).all(), "each county buys contacts with its share of the channel money"
    assert led.by_government[CITY, k["channels"]] > 0, "city-level channels are the city's"
    assert led.by_government[:CITY, k["park"]].sum() == 0 and led.by_government[CITY, k["park"]] == led.spent["park"]
    if led.spent["idle_assets"] > 0:
        assert led.by_government[:CITY, k["idle_assets"]].sum() > 0.5 * led.spent["idle_assets"], \
            "idle land lies in the counties, so most revitalisation money is theirs"


def test_money_added_to_a_lever_in_wan_yuan_is_allotted_on_top_and_reported_allotted_paid_and_held():
    """Catches a doubled incentive fund that looks free: the fund's allotment grows by the amount (scaled to the
    market), the budget by as much, and the summary shows it allotted and held even when little is paid out."""
    from sim.model import build_model
    from sim.model.outputs import check_invariants

    base = scenario("baseline").with_overrides({"run.n_investors": 1200, "run.horizon_months": 24})
    more = base.with_overrides({"budget.amounts.incentive_fund": 10000.0})
    a, b = build_model(base.params, seed=4), build_model(more.params, seed=4)
    s = base.params.scale
    assert b.ledger.allotment["incentive_fund"] == pytest.approx(a.ledger.allotment["incentive_fund"] + 10000.0 * s)
    assert b.ledger.budget_total == pytest.approx(a.ledger.budget_total + 10000.0 * s)
    assert b.ledger.allotment["channels"] == pytest.approx(a.ledger.allotment["channels"])
    b.run_for(24)
    assert check_invariants(b) == []
    ra, rb = simulate(base, seed=4).summary, simulate(more, seed=4).summary
    assert rb["allotted_by_lever"]["incentive_fund"] - ra["allotted_by_lever"]["incentive_fund"] == pytest.approx(
        2 * 10000.0 * s, rel=0.2)  # two budget years (stop-go years keep a share)
    assert rb["held_by_lever"]["incentive_fund"] > ra["held_by_lever"]["incentive_fund"]
    allotted = rb["allotted_by_lever"]["incentive_fund"]
    assert rb["spent_by_lever"]["incentive_fund"] + rb["held_by_lever"]["incentive_fund"] <= allotted + 1e-6


def test_yearly_budget_feeds_back_from_tax():
    m = build_model(small().params, seed=4)
    first = m.ledger.budget_year
    m.run_for(36)
    assert m.ledger.tax_total > 0
    assert m.ledger.budget_year > first  # year 4 budget includes a share of year 3's tax
