"""Every countermeasure is a costed mechanism: levers cost money, staff time or leaders' attention; broken
promises, hand-offs, large projects falling away, idle land and stalled projects arise from mechanisms.

Each test says what it would catch. Runs are paired on common seeds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from modelkit import in_test_world, mean_summary, paired, scenario, shipped, small
from scipy import stats

from sim.model import simulate
from sim.scenario import default_spec, load_scenario

SCENARIOS = sorted(p.stem for p in Path("scenarios").glob("*.toml"))
NEUTRAL = [s for s in SCENARIOS if s.startswith("neutral_")]


# --- 1. every lever costs something, in one currency -------------------------------------------------
def money_used(s: dict) -> float:
    """What a strategy used, 万元: spent on every lever (staff time and attention priced), held in the funds,
    returned unspent, and borrowed and still owed at the end (park debt, which later budgets repay)."""
    return sum(s["spent_by_lever"].values()) + s["budget_held"] + s["budget_returned"] + s["budget_debt"]


@pytest.mark.parametrize("name", NEUTRAL)
def test_budget_neutral_variants_cost_what_the_baseline_costs(name):
    """Catches a "same money" variant that gets more money than the baseline: through borrowing (debt left for
    later budgets), a larger transfer, or staff, attention or institutions that are not booked to a lever. On the
    shipped baseline (paired seeds), the money it used (spent on every lever, held in the funds, returned and
    still owed) is the baseline's within 1%, every yuan of its budget is booked to a lever, held or returned, and
    its budget plus its debt at the end is the baseline's budget within 1%."""
    base, variant = paired(shipped("baseline"), shipped(name), seeds=(31, 32))
    assert money_used(variant) == pytest.approx(money_used(base), rel=0.01)
    booked = sum(variant["spent_by_lever"].values()) + variant["budget_held"] + variant["budget_returned"]
    assert booked == pytest.approx(variant["budget_total"], rel=1e-9)
    assert variant["budget_total"] + variant["budget_debt"] == pytest.approx(base["budget_total"], rel=0.01)


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
    m.run_for(m.horizon)
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


def test_investment_fund_backs_refused_loans_and_can_lose_money():
    """Catches a fund that exists only in words: with a share of the budget it backs loans the bank refused
    (fewer loan withdrawals) and loses money on projects that withdraw or stall."""
    shares = {"budget.shares.investment_fund": 0.2, "budget.shares.incentive_fund": 0.35}
    plain, fund = paired(small(), small().with_overrides(shares))
    assert fund["fund_backed_loans"] > 0 == plain["fund_backed_loans"]
    assert fund["withdrawals_by_reason"]["loan_refused"] < plain["withdrawals_by_reason"]["loan_refused"]
    assert fund["spent_by_lever"]["investment_fund"] > 0


# --- 2. broken promises arise from the fund and from rotation -----------------------------------------
def test_promises_are_kept_with_money_in_the_fund_and_no_rotation():
    """Catches honouring as a coin: with a rich fund, disciplined promising and no leader rotation nearly every
    promise is paid; the baseline's shortfall disappears when its two causes are removed. In the test world
    (:data:`modelkit.TEST_WORLD`), whose baseline has a shortfall to remove: more of its projects start, so more
    promises fall due than its fund carries (the shipped baseline pays about 98% of them)."""
    rich = {"budget.base_transfer": 90000.0, "policy.leader_rotation": 0.0, "policy.honouring_discipline": 1.0}
    base, ideal = paired(in_test_world(), in_test_world().with_overrides(rich))
    assert ideal["honouring_rate"] > 0.97
    assert base["honouring_rate"] < ideal["honouring_rate"] - 0.1


def test_the_fund_and_rotation_each_cause_broken_promises():
    """Catches a shortfall with no cause, in both directions: without rotation, a poorer fund breaks more
    promises; with a full fund, rotation breaks promises (a successor drops them). In the baseline both occur.
    (Without a full fund, removing rotation need not raise honouring: dropped promises leave money for others.)
    In the test world (:data:`modelkit.TEST_WORLD`), where promises outrun the baseline's fund (the shipped
    baseline's fund carries nearly every promise, so a poorer fund has nothing to break)."""
    rich, poor = paired(in_test_world(budget__base_transfer=90000.0, policy__leader_rotation=0.0),
                        in_test_world(policy__leader_rotation=0.0))
    assert poor["honouring_rate"] < rich["honouring_rate"] and poor["promises_unfunded"] > rich["promises_unfunded"]
    full, rotating = paired(in_test_world(budget__base_transfer=90000.0, policy__leader_rotation=0.0),
                            in_test_world(budget__base_transfer=90000.0, policy__leader_rotation=0.8))
    assert rotating["promises_dropped_by_successors"] > 0 == full["promises_dropped_by_successors"]
    assert rotating["honouring_rate"] < full["honouring_rate"]
    base = mean_summary(in_test_world())
    assert base["promises_unfunded"] > 0 and base["promises_dropped_by_successors"] > 0


def test_discipline_means_promising_only_what_the_fund_can_carry():
    """Catches discipline as the chance a promise is kept: it acts on what is promised, so with a generous
    incentive the disciplined region promises less and keeps far more of it."""
    lax, strict = paired(small(policy__honouring_discipline=0.2, policy__incentive_rate=8.0, policy__incentive_cap=2000.0),
                         small(policy__honouring_discipline=1.0, policy__incentive_rate=8.0, policy__incentive_cap=2000.0))
    assert strict["incentives_promised"] < lax["incentives_promised"]
    assert strict["honouring_rate"] > lax["honouring_rate"] + 0.2


# --- 3. graded hand-off ------------------------------------------------------------------------------
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


# --- 4. large and industrial projects fall away more, for stated reasons -------------------------------
def test_large_projects_fall_away_more_by_completion_through_the_size_mechanisms():
    """Catches size mechanisms with no effect on outcomes, with unserious projects' inflated amounts ruled out: on the
    shipped baseline with the capital in the contract equal to the real capital (population.unserious_inflation = 1,
    so no project crosses the large-project line by exaggerating), among serious projects signed in the first three
    years large ones are a smaller share of those completed than of those signed (eight seeds, every one), and the
    gap is wider with the size mechanisms (more approvals, more loans, more weight on service and promises) than
    without them (paired seeds, 95% interval above zero). Before ground-breaking large projects do not fall away
    more in the shipped baseline (serviced land is not scarce there): the share of large projects among those
    started is not distinguishably below their share among those signed."""
    from sim.model import build_model

    honest = {"population.unserious_inflation": 1.0}
    off = {"population.large_extra_approvals": 0, "population.loan_size_elasticity": 0.0,
           "population.size_env_elasticity": 0.0}
    gaps: dict[str, list[float]] = {"on": [], "off": []}
    start_gap = []
    for label, ov in (("on", {}), ("off", off)):
        spec = load_scenario("scenarios/baseline.toml", {**honest, **ov})
        for seed in range(8):
            m = build_model(spec.params, seed=seed)
            m.run_for(60)
            big = m.pop.capital >= m.p.run.large_threshold
            pl = m.investors.pipeline
            signed = (pl.signed_month >= 0) & (pl.signed_month <= 36) & m.pop.serious
            done = signed & (pl.operate_month >= 0)
            gaps[label].append(big[signed].mean() - big[done].mean())
            if label == "on":
                every = pl.signed_month >= 0
                start_gap.append(big[every].mean() - big[every & (pl.start_month >= 0)].mean())
    d = np.array(gaps["on"]) - np.array(gaps["off"])
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    assert min(gaps["on"]) > 0
    assert d.mean() - half > 0, (d.mean(), half)
    s = np.array(start_gap)
    assert s.mean() - stats.t.ppf(0.975, s.size - 1) * s.std(ddof=1) / np.sqrt(s.size) <= 0, s


def test_size_raises_approvals_loans_and_the_weight_on_service_and_promises():
    """Catches size that only adds land: large projects need more approvals, borrow more often and weigh the
    soft environment and promises more."""
    from sim.model import build_model
    m = build_model(small().params, seed=3)
    pop = m.pop
    big = pop.capital >= m.p.run.large_threshold
    assert pop.approvals[big].mean() > pop.approvals[~big].mean() + 1
    assert pop.needs_loan[big].mean() > pop.needs_loan[~big].mean()
    assert pop.size_weight[big].mean() > 1.0 > pop.size_weight[~big].mean()


# --- 6. idle assets and stalled projects are made by the model --------------------------------------------
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


def test_stalled_projects_exist_and_receive_no_capital_while_stalled():
    """Catches a pipeline where nothing stalls, or where a stalled project keeps receiving capital: on the shipped
    baseline, projects stall half-built (烂尾), a project stalled in two consecutive months received nothing between
    them, and (at 84 months, three paired seeds) less of the signed capital has arrived than with no stalls."""
    from sim.model import build_model
    from sim.model.stages import STALLED

    m = build_model(load_scenario("scenarios/baseline.toml").params, seed=61)
    stage, arrived = m.investors.pipeline.stage, m.investors.capital.arrived
    still = 0
    for _ in range(m.horizon):
        was, before = stage == STALLED, arrived.copy()
        m.step()
        kept = was & (stage == STALLED)
        still += int(kept.sum())
        np.testing.assert_array_equal(arrived[kept], before[kept])
    assert still > 100 and m.stage_count(STALLED) > 0
    at = {}
    for label, ov in (("stalls", {}), ("none", {"hazards.stall": 0.0})):
        spec = load_scenario("scenarios/baseline.toml", {"run.horizon_months": 84, **ov})
        at[label] = [simulate(spec, seed=s).summary for s in (61, 62, 63)]
    assert all(s["stalled_projects"] > 0 for s in at["stalls"]) and all(s["stalls"] == 0 for s in at["none"])
    for a, b in zip(at["stalls"], at["none"], strict=True):
        assert a["share_capital_arrived_to_date"] < b["share_capital_arrived_to_date"]


# --- 7. no behavioural constant outside sim/params.py ----------------------------------------------------
# Numbers allowed in sim/model/, each with its reason. Anything else is a behavioural constant that
# belongs in sim/params.py with a meaning, unit, default and source.
ALLOWED_VALUES = {
    0: "zero", 1: "one", -1: "minus one (not yet)",
    2: "array shapes of two draws per row; halving undirected ties", 3: "array shape of three draws per row",
    1e-3: "numerical clip keeping log-odds finite", 1e-6: "numerical tolerance", 1e-9: "numerical tolerance",
    1e-12: "numerical floor before a logarithm",
}
ALLOWED_FILES = {"units.py": "unit conversions and reporting horizons, named once",
                 "streams.py": "constants of the SplitMix64 hash behind the counter-based draws"}
ALLOWED_LINES = {("stages.py", "range(10)"): "the number of pipeline stages in the stage enumeration",
                 ("kernels.py", "q + 4 <= rows.size"): "the channel totals' four accumulators (speed, not behaviour)",
                 ("kernels.py", "q += 4"): "the channel totals' four accumulators (speed, not behaviour)",
                 ("kernels.py", "_LANES, _BLOCK, _DEPTH = 8, 128, 192"): "numpy's order of summation (arithmetic)",
                 **{("kernels.py", text): "the SplitMix64 hash behind the counter-based draws (beside the loops that "
                                          "hash, below the streams)"
                    for text in ("_GOLDEN = 0x9E3779B97F4A7C15", "_M1 = np.uint64(0xBF58476D1CE4E5B9)",
                                 "_M2 = np.uint64(0x94D049BB133111EB)", "_S30, _S27, _S31, _S11 = (np.uint64(k)",
                                 "_UNIT = 1.0 / (1 << 53)", "_CENTRE = 0.5")}}


def test_no_behavioural_constant_in_the_model_code():
    """Catches a number hidden in the model's code (a bonus, a factor, a window) instead of a documented parameter."""
    found = []
    for path in sorted(Path("sim/model").glob("*.py")):
        if path.name in ALLOWED_FILES:
            continue
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Constant) or isinstance(node.value, bool) or not isinstance(node.value, int | float):
                continue
            if node.value in ALLOWED_VALUES:
                continue
            line = lines[node.lineno - 1]
            if any(f == path.name and text in line for f, text in ALLOWED_LINES):
                continue
            found.append(f"{path.name}:{node.lineno}: {node.value!r}: {line.strip()}")
    assert found == []


# --- spending booked to the government that spent it ---------------------------------------------------
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
