"""Promises and the two funds (docs/ODD.md 7.7): broken promises arise from the incentive fund running short and from
new leaders dropping them, discipline limits what is promised, and the investment fund backs refused loans.

Runs are paired on the same seeds (common random numbers), so differences come from the mechanism.
"""

from __future__ import annotations

from modelkit import in_test_world, mean_summary, paired, small, wd


def test_p1_incentives_not_honoured_drive_incentive_withdrawals_and_credibility_down():
    """In the test world (:data:`modelkit.TEST_WORLD`): its projects start more often, so more promises fall due
    than the fund carries; in the shipped baseline the fund pays nearly every promise (honouring about 98%) and
    discipline has little to cut."""
    honoured, broken = paired(in_test_world(policy__honouring_discipline=1.0), in_test_world(policy__honouring_discipline=0.3))
    assert wd(broken, "incentive_broken") > 2 * wd(honoured, "incentive_broken")
    assert broken["honouring_rate"] < honoured["honouring_rate"]
    assert broken["perceived_credibility"] < honoured["perceived_credibility"]


def test_p1_promises_beyond_the_fund_are_broken():
    generous = {"policy__incentive_rate": 8.0, "policy__incentive_cap": 2000.0}
    funded, unfunded = paired(small(policy__honouring_discipline=1.0, **generous),
                              small(policy__honouring_discipline=0.2, **generous))
    assert unfunded["honouring_rate"] < funded["honouring_rate"]
    assert wd(unfunded, "incentive_broken") > wd(funded, "incentive_broken")


def test_promises_are_kept_with_money_in_the_fund_and_no_rotation():
    """Catches honouring as a coin: with a rich fund, disciplined promising and no leader rotation nearly every
    promise is paid; the baseline's shortfall disappears when its two causes are removed. In the test world
    (:data:`modelkit.TEST_WORLD`) with land by first fit, whose baseline has a shortfall to remove: more of its
    projects start within four years of a cold start, so more promises fall due than its fund carries."""
    rich = {"budget.base_transfer": 90000.0, "policy.leader_rotation": 0.0, "policy.honouring_discipline": 1.0}
    first_fit = {"platform__land_in_turn": False}
    base, ideal = paired(in_test_world(**first_fit), in_test_world(**first_fit).with_overrides(rich))
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


def test_investment_fund_backs_refused_loans_and_can_lose_money():
    """Catches a fund that exists only in words: with a share of the budget it backs loans the bank refused
    (fewer loan withdrawals) and loses money on projects that withdraw or stall."""
    shares = {"budget.shares.investment_fund": 0.2, "budget.shares.incentive_fund": 0.35}
    plain, fund = paired(small(), small().with_overrides(shares))
    assert fund["fund_backed_loans"] > 0 == plain["fund_backed_loans"]
    assert fund["withdrawals_by_reason"]["loan_refused"] < plain["withdrawals_by_reason"]["loan_refused"]
    assert fund["spent_by_lever"]["investment_fund"] > 0
