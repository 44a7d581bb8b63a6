"""docs/ODD.md section 8 generated from a measurement: the table and the sentences that explain it.

``experiments/directions.py --odd`` runs the baseline, every strategy and three more arms on common seeds, keeps
every run's figures and every scenario's own parameters as ``docs/directions.json``, and writes the section's
block from that record. Each sentence states a direction only when the measured effects bear it out, so a record
with the opposite signs gives the opposite sentences.
"""

from __future__ import annotations

import json

import pytest
from modelkit import experiment_script

SEEDS = 6


@pytest.fixture(scope="module")
def script():
    return experiment_script("directions")


def _parameters(arm: str) -> dict:
    """Parameters of a constructed arm: the baseline's promising rule and fund share, smaller funds elsewhere."""
    strict = arm in ("soft_environment", "neutral_soft_environment", "combined", "neutral_combined")
    return {"budget.base_transfer": 30000.0 if arm.startswith("neutral_") or arm == "baseline" else 37500.0,
            "budget.shares": {"incentive_fund": 0.55 if arm == "baseline" else 0.40, "channels": 0.25,
                              "park": 0.0 if arm == "baseline" else 0.15},
            "policy.honouring_discipline": 0.95 if strict else 0.45, "policy.incentive_rate": 3.0,
            "policy.assessment_signed_weight": 0.2 if arm in ("leadership", "combined", "assessment_only") else 0.8,
            "policy.persistence": 0.8, "policy.leader_rotation": 0.28,
            "platform.financing_leverage": 2.0 if arm in ("platforms", "combined") else 1.0,
            "platform.loan_term_years": 10, "platform.county_land_mu_per_year": 5000.0}


BASE = {"cohort_fulfilment_rate_24m": 0.5, "cohort_start_rate_24m": 0.7, "cohort_capital_arrival_rate_24m": 0.3,
        "jobs": 20000.0, "honouring_rate": 0.9, "signed_projects": 1000.0, "cohort_projects_24m": 600.0,
        "cohort_projects_fulfilled_24m": 300.0, "arrived_capital": 1e6, "promises_due": 200.0,
        "promises_broken": 20.0, "mean_approval_months": 6.0, "handoff_share": 0.9, "budget_borrowed": 0.0,
        "budget_debt": 0.0, "stop_go_years": 0.2, "withdrawals_after_signing_by_reason.no_land": 5.0,
        "withdrawals_after_signing_by_reason.delay": 10.0, "withdrawals_after_signing_by_reason.loan_refused": 20.0,
        "withdrawals_after_signing_by_reason.not_serious": 100.0,
        "withdrawals_after_signing_by_reason.incentive_broken": 8.0, "promises_dropped_by_successors": 40.0}


def constructed(script, sign: float, quiet: tuple[str, ...] = (), shifts: dict | None = None) -> dict:
    """A record whose every arm differs from its base by ``sign`` times one set of shifts (the same on every seed,
    so each interval is its mean); arms in ``quiet`` do not differ. Projects signed and fulfilled of the cohort
    change so that 履约率 rises (``sign`` +1) because fewer are signed."""
    shifts = shifts or {"cohort_projects_24m": -100.0, "cohort_projects_fulfilled_24m": -10.0, "jobs": 2000.0,
                        "signed_projects": -50.0, "honouring_rate": -0.1, "cohort_start_rate_24m": 0.02,
                        "cohort_capital_arrival_rate_24m": 0.02, "arrived_capital": 1e4,
                        "mean_approval_months": -1.0, "handoff_share": -0.2,
                        "withdrawals_after_signing_by_reason.no_land": -2.0,
                        "withdrawals_after_signing_by_reason.delay": -3.0,
                        "withdrawals_after_signing_by_reason.loan_refused": 5.0,
                        "withdrawals_after_signing_by_reason.not_serious": -20.0}
    plan = script.arms()
    arms = {}
    for name, arm in plan.items():
        k = 0.0 if arm["base"] is None or name in quiet else sign
        run = {key: v + k * shifts.get(key, 0.0) for key, v in BASE.items()}
        run["cohort_fulfilment_rate_24m"] = run["cohort_projects_fulfilled_24m"] / run["cohort_projects_24m"]
        if _parameters(name)["platform.financing_leverage"] > 1:
            run["budget_borrowed"], run["budget_debt"] = 40000.0, 30000.0
        arms[name] = {**arm, "parameters": _parameters(name), "runs": {key: [v] * SEEDS for key, v in run.items()}}
    return {"written": "2026-12-06", "code_version": "0123456789abcdef", "seeds": list(range(SEEDS)),
            "horizon_months": 60, "spinup_months": 120, "arms": arms}


def test_the_odd_carries_the_directions_block_generated_from_its_record(script):
    """docs/ODD.md section 8's block is what the script writes from docs/directions.json, and the record holds every
    arm the script measures with the parameters of the shipped scenario files (re-run
    ``python experiments/directions.py --odd`` after changing the model, the calibration or a scenario)."""
    record = json.loads(script.RECORD.read_text(encoding="utf-8"))
    plan = script.arms()
    assert set(record["arms"]) == set(plan)
    for name, arm in plan.items():
        assert record["arms"][name]["overrides"] == arm["overrides"], name
        assert record["arms"][name]["parameters"] == json.loads(json.dumps(script.parameters(arm))), name
    assert script.odd_block(record) in script.ODD.read_text(encoding="utf-8")


def test_the_block_states_the_seeds_and_code_version_of_its_record(script):
    block = script.odd_block(constructed(script, 1.0))
    assert f"{SEEDS} common seeds (0 to {SEEDS - 1})" in block
    assert "code 0123456789ab, 2026-12-06" in block


def test_c2_says_when_broken_promises_take_back_what_its_land_gives(script):
    """Where C2 cuts no-land withdrawals but 履约率 does not rise and broken-promise withdrawals rise, the C2 sentence
    says the broken promises take the gain back, with their rise; where they do not rise, it does not say so."""
    offset = {"withdrawals_after_signing_by_reason.no_land": -2.0, "jobs": 2000.0,
              "withdrawals_after_signing_by_reason.incentive_broken": 3.0}
    said = script.platforms_bullet(constructed(script, 1.0, shifts=offset))
    assert "C2 does not move 履约率 distinguishably" in said
    assert "What the land gains, broken promises take back" in said and "rise by 0.3 [0.3, 0.3] per 100 signed" in said
    kept = script.platforms_bullet(constructed(
        script, 1.0, shifts={**offset, "withdrawals_after_signing_by_reason.incentive_broken": 0.0}))
    assert "broken promises take back" not in kept


def test_honouring_that_falls_without_a_smaller_fund_is_shown_with_its_counts(script):
    """A strategy that lowers honouring while promising only what its fund carries is not explained by the fund rule;
    the sentence gives the counts behind the rate (promises unpaid of those due, per run) for it and the baseline."""
    bullet = script.honouring_bullet(constructed(script, 1.0, shifts={"honouring_rate": -0.1, "promises_due": -150.0}))
    strict = [s for s in script.STRATEGIES if script._param(constructed(script, 1.0), s, "policy.honouring_discipline")
              > script._param(constructed(script, 1.0), "baseline", "policy.honouring_discipline")]
    assert strict
    assert "honouring is the share of the promises falling due that are paid" in bullet
    assert "the baseline 20 of 200" in bullet and f"{script.NAMES[strict[0]]} 20 of 50" in bullet


def test_a_rate_that_rises_because_fewer_are_signed_is_said_so_and_the_opposite_is_not(script):
    """The assessment sentence follows the measured Shapley split: fewer signed and a rate up (said so), more signed
    and a rate down (said so, not the other), and a rate up through more projects fulfilled with as many signed."""
    fewer = script.assessment_bullet(constructed(script, 1.0))
    more = script.assessment_bullet(constructed(script, -1.0))
    built = script.assessment_bullet(constructed(script, 1.0, shifts={"cohort_projects_fulfilled_24m": 30.0}))
    assert fewer.startswith("- **A rate can rise because fewer projects are signed.**")
    assert "points from fewer signings" in fewer and "fewer projects fulfilled" in fewer
    assert more.startswith("- **Assessment on landed capital alone lowers 履约率.**")
    assert "points from more signings" in more and "more projects fulfilled" in more
    assert built.startswith("- **Assessment on landed capital alone raises 履约率 mostly through more projects fulfilled")
    assert "do not move distinguishably" in built  # jobs: no shift


def test_honouring_falls_are_stated_with_the_baseline_honouring_and_the_fund_shares(script):
    down = script.honouring_bullet(constructed(script, 1.0))
    up = script.honouring_bullet(constructed(script, -1.0))
    assert "lower honouring** (C1 -10.0, C2 -10.0" in down and "honours 90.0% of the promises that fall due (1,080 of 1,200" in down
    assert "fund (55% of the shares in the baseline; 40% in C1" in down and "discipline 0.45: promises up to 2.2" in down
    assert "the combined strategy less (-10.0 [-10.0, -10.0])" in down
    assert "**No strategy lowers honouring distinguishably**" in up and "the combined strategy more" in up


def test_moves_neither_is_said_only_when_both_intervals_contain_zero(script):
    quiet = script.platforms_bullet(constructed(script, 1.0, shifts={"handoff_share": -0.2}))
    jobs = script.platforms_bullet(constructed(script, 1.0, shifts={"handoff_share": -0.2, "jobs": 500.0}))
    assert quiet.startswith("- **C2 moves neither 履约率 nor jobs distinguishably**")
    assert "is not what holds projects back" in quiet and "hand-offs fall by 20.0 points" in quiet
    assert "borrows 1 yuan per yuan of park money: about 40,000" in quiet and "does not borrow" in quiet
    assert jobs.startswith("- **C2 does not move 履约率 distinguishably; jobs rise**")
    land = script.platforms_bullet(constructed(script, 1.0))
    assert "Serviced land holds some projects back" in land and "which C2 lowers" in land


def test_persistence_money_combined_and_same_money_sentences_follow_their_signs(script):
    plus = constructed(script, 1.0, quiet=("neutral_positioning",))
    minus = constructed(script, -1.0)
    assert script.positioning_bullet(plus).startswith("- **C1's gains are its money, not persistence.**")
    assert "25% more money" in script.positioning_bullet(plus)
    assert script.positioning_bullet(minus).startswith("- **Persistence alone moves jobs, arrived capital, 履约率.**")
    assert script.combined_bullet(plus).startswith("- **The combined strategy signs fewer projects** (50 fewer [50, 50])")
    assert script.combined_bullet(minus).startswith("- **The combined strategy does not sign fewer projects**")
    assert script.same_money_bullet(plus).startswith("- **At the same money, platforms, soft environment, channels, "
                                                     "leadership and combined add jobs** (platforms +2,000")
    assert "fewer jobs" not in script.same_money_bullet(plus)
    assert script.same_money_bullet(minus).startswith("- **Same money, fewer jobs** for same-money persistence (-2,000 [")
    assert "persistence does not move jobs distinguishably (persistence +0 [+0, +0])" in script.same_money_bullet(plus)
    assert "sign fewer projects" not in script.same_money_bullet(minus)
    assert "the start rate rises by 2.0 points" in script.channels_bullet(plus)
    assert "the start rate falls by 2.0 points" in script.channels_bullet(minus)


def test_persistence_under_monthly_leaders_says_why_honouring_falls_only_when_measured(script):
    """Where leaders change every month, the sentence on the promises the successors drop is stated only when the
    kept strategy signs more, more promises are dropped and honouring falls."""
    shifts = {"signed_projects": 50.0, "promises_dropped_by_successors": 30.0, "honouring_rate": -0.1,
              "stop_go_years": -3.0}
    kept = script.positioning_bullet(constructed(script, 1.0, shifts=shifts))
    assert "every leader is replaced every month" in kept
    assert "signs more projects (+50 [+50, +50]) on more promises" in kept
    assert "successors drop more of them (+30 [+30, +30]): honouring falls by 10.0 points" in kept
    assert "successors drop" not in script.positioning_bullet(constructed(script, -1.0, shifts=shifts))


def test_every_scenario_file_carries_the_figures_generated_from_its_parameters_and_the_record():
    """The figures in each shipped scenario file's header are those experiments/scenario_headers.py generates from
    the file's own parameters and docs/directions.json (rerun it after changing a scenario, the model or the record)."""
    headers = experiment_script("scenario_headers")
    record = json.loads(headers.RECORD.read_text(encoding="utf-8"))
    for path in headers.files():
        assert headers.generated(path, record) in path.read_text(encoding="utf-8"), path.name


def test_a_headers_first_year_costs_add_up_to_its_budget():
    """Running costs first, then the levers by their shares of what remains: together the year's budget (less what
    shares below one leave unallotted), for every shipped scenario."""
    headers = experiment_script("scenario_headers")
    for path in headers.files():
        b = headers.year_one(path)
        rest = b["total"] - sum(b["running"].values())
        assert sum(b["levers"].values()) == pytest.approx(rest * sum(b["shares"].values())), path.name
        assert rest > 0, path.name
