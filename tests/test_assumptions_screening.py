"""Effects under every assumption: the screening design reads its ranges and groups from the parameters, runs every
strategy of the main comparison at every point, and its analysis ranks the groups per strategy effect, says how
often an effect keeps its sign and where it changes sign; the briefing says it in plain words.

The session fixture runs ``experiments/assumptions.toml`` itself at CI size (a file that extends it: five of its
strategies, 1,500 investors over 36 months, 2 trajectories and 12 member points: 52 points x 5 scenarios = 260
runs, under a minute serially on an idle machine).
"""

from __future__ import annotations

import fnmatch
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import analyse, load_analysis
from sim.analysis.screening import forward_select, hinge_rows, sign_change
from sim.errors import ScenarioError
from sim.experiment import assumptions
from sim.experiment.spec import load_experiment
from sim.paramdoc import param_doc, parameters
from sim.params import calibration_record

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "experiments" / "assumptions.toml"
CI_SCENARIOS = ("baseline", "platforms", "soft_environment", "channels", "leadership")
CI_TOML = f"""[experiment]
extends = "{FULL}"
name = "assumptions_ci"
scenarios = [{", ".join(f'"{ROOT / "scenarios" / s}.toml"' for s in CI_SCENARIOS)}]
horizon_months = 36
[overrides]
"run.n_investors" = 1500
[design]
trajectories = 2
[design.members]
samples = 12
"""
NO_PARK = ("soft_environment", "channels", "leadership")
"""Strategies that build no park and revitalise no idle land (nor does the baseline)."""


@pytest.fixture(scope="session")
def screened(tmp_path_factory) -> Path:
    """The screening of assumptions at CI size, run and analysed."""
    from sim.experiment.runner import run_experiment

    folder = tmp_path_factory.mktemp("assumptions")
    path = folder / "assumptions_ci.toml"
    path.write_text(CI_TOML, encoding="utf-8")
    out = folder / "assumptions_ci"
    report = run_experiment(load_experiment(path), out, engine="serial", progress=False)
    assert report.complete, report.text()
    analyse(out)
    return out


# ----------------------------------------------------------------------------- the design
def test_every_varied_parameter_belongs_to_a_mechanism_and_a_table_of_shares_to_one():
    ranges, _ = assumptions.varied_ranges()
    groups = assumptions.grouping(list(ranges))
    assert len(ranges) == sum(1 for k in assumptions.VARIED_KINDS for d in parameters(k) if d.range is not None)
    assert set(groups.values()) == set(assumptions.MECHANISM_NAMES), "every mechanism holds a parameter"
    for pattern in assumptions.SHARE_TABLES:
        assert len({g for k, g in groups.items() if fnmatch.fnmatchcase(k, pattern)}) == 1, pattern
    assert groups["policy.screening_strict"] == groups["policy.screening_lax"] == "screening"
    assert groups["behaviour.b_incentive"] == groups["hazards.incentive_broken"] == "promises"
    assert groups["policy.bank_forum_gain"] == groups["policy.investor_forum_contacts"] == "forums"


def test_the_design_reads_every_range_from_the_parameters_and_calibrated_ones_from_the_posterior():
    exp = load_experiment(FULL)
    problem = exp.design.problem
    bounds = dict(zip(problem["names"], problem["bounds"], strict=True))
    kinds = {d.key: d for k in assumptions.VARIED_KINDS for d in parameters(k)}
    assert set(bounds) == {k for k, d in kinds.items() if d.range is not None}
    post = {r["parameter"]: r for r in calibration_record()["posterior"]}
    for key, (lo, hi) in bounds.items():
        d = kinds[key]
        if d.kind == "calibrated":
            assert lo == pytest.approx(min(post[key]["p05"], d.default)) and hi == pytest.approx(max(post[key]["p95"], d.default))
        else:
            assert (lo, hi) == pytest.approx(d.range), key
    assert problem["groups"] == [assumptions.group_of(k) for k in problem["names"]]


def test_each_step_of_a_trajectory_moves_one_mechanism_and_members_follow_one_by_one():
    exp = load_experiment(FULL)
    d, opts = exp.design, exp.design.options
    x, groups = d.sample, np.array(d.problem["groups"])
    size = len(opts["groups"]) + 1
    assert opts["morris_points"] == opts["trajectories"] * size
    for t in range(opts["trajectories"]):
        moved = [set(groups[~np.isclose(x[i + 1], x[i])]) for i in range(t * size, (t + 1) * size - 1)]
        assert all(len(m) == 1 for m in moved) and len(set.union(*moved)) == size - 1
    members = opts["members"]["parameters"]
    assert {assumptions.group_of(k) for k in members} == set(opts["members"]["groups"])
    assert members == [k for k in d.parameters if assumptions.group_of(k) in opts["members"]["groups"]]
    for point in d.points[opts["morris_points"]:]:
        assert set(point) == set(members), "the others keep the scenario's values"
    assert exp.n_runs == len(exp.scenarios) * (opts["morris_points"] + opts["members"]["samples"])


def test_shares_that_add_up_to_one_are_rescaled_at_every_point():
    exp = load_experiment(FULL)
    for point in exp.design.points[:40]:
        assert math.fsum(v for k, v in point.items() if fnmatch.fnmatchcase(k, "population.sectors.*.share")) == \
            pytest.approx(1.0)
        assert math.fsum(v for k, v in point.items() if k.startswith("population.origin_shares.")) == pytest.approx(1.0)


def test_the_screening_runs_every_strategy_of_the_main_comparison_and_the_briefing_size_extends_it():
    main, full = load_experiment(ROOT / "experiments" / "main.toml"), load_experiment(FULL)
    brief = load_experiment(ROOT / "experiments" / "assumptions_brief.toml")
    assert [e.name for e in full.scenarios] == [e.name for e in main.scenarios] == [e.name for e in brief.scenarios]
    assert brief.name == "assumptions_brief" and brief.overrides["run.n_investors"] == 4000
    assert brief.design.problem == full.design.problem and brief.design.options["trajectories"] < 12
    assert brief.sha256 != full.sha256 and full.text in brief.text


@pytest.mark.parametrize("design, key", [
    ('vary = ["assumption", "levers"]', "design.vary[1]"),
    ('vary = ["assumption"]\ncalibrated = "guess"', "design.calibrated"),
    ('calibrated = "prior"\n[design.parameters]\n"hazards.no_land" = [0.01, 0.2]', "design.calibrated"),
    ('vary = ["assumption"]\ngroups = "sections"', "design.groups"),
    ('vary = ["assumption"]\ngroups = "mechanisms"\n[design.members]\ngroups = ["parks"]\nsamples = 4',
     "design.members.groups[0]"),
    ('vary = ["assumption"]\ngroups = "mechanisms"\n[design.members]\ngroups = ["park"]\nsample = 4',
     "design.members.sample"),
])
def test_a_bad_screening_design_is_one_line_naming_the_key(tmp_path: Path, design: str, key: str):
    path = tmp_path / "bad.toml"
    path.write_text(f"""[experiment]
scenarios = ["{ROOT / 'scenarios' / 'baseline.toml'}"]
replications = 1
root_seed = 1
[design]
kind = "morris"
trajectories = 2
{design}
""", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    assert f"key '{key}'" in str(err.value) and "\n" not in str(err.value)


def test_groups_are_for_morris_designs_only(tmp_path: Path):
    path = tmp_path / "lhs.toml"
    path.write_text(f"""[experiment]
scenarios = ["{ROOT / 'scenarios' / 'baseline.toml'}"]
replications = 1
root_seed = 1
[design]
kind = "lhs"
samples = 4
vary = ["sourced"]
groups = "mechanisms"
""", encoding="utf-8")
    with pytest.raises(ScenarioError, match="key 'design.groups': expected one of kind, .*found unknown key 'groups'"):
        load_experiment(path)


def test_an_extends_cycle_is_one_line(tmp_path: Path):
    (tmp_path / "a.toml").write_text('[experiment]\nextends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[experiment]\nextends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="key 'experiment.extends': expected a chain of files without a cycle"):
        load_experiment(tmp_path / "a.toml")


# ----------------------------------------------------------------------------- the analysis
def test_the_analysis_ranks_every_group_for_every_strategy_effect(screened: Path):
    an = load_analysis(screened)
    sc = an["screening"]
    assert sc["available"]
    groups = pd.DataFrame(sc["groups"])
    strategies = [s["name"] for s in an["scenarios"] if s["name"] != "baseline"]
    outputs = sc["design"]["outputs"]
    assert set(groups["scenario"]) == set(strategies) and len(outputs) >= 4
    assert len(groups) == len(strategies) * len(outputs) * len(assumptions.MECHANISMS)
    for _, g in groups.groupby(["scenario", "output"]):
        assert sorted(g["rank"]) == list(range(1, len(assumptions.MECHANISMS) + 1))
        assert (g["mu_star"].dropna() >= 0).all() and (g["mu_star_conf"].dropna() >= 0).all()
    signs = pd.DataFrame(sc["signs"])
    assert len(signs) == len(strategies) * len(outputs)
    assert signs["share_same_sign"].dropna().between(0, 1).all()
    for name in ("groups", "signs", "hinges", "summary"):
        assert (screened / "analysis" / f"screening_{name}.csv").is_file()


def test_a_group_a_strategy_does_not_use_moves_its_effect_not_at_all(screened: Path):
    groups = pd.DataFrame(load_analysis(screened)["screening"]["groups"])
    park = groups[groups["group"] == "park"]
    assert (park[park["scenario"].isin(NO_PARK)]["mu_star"] == 0).all()
    assert park[park["scenario"] == "platforms"]["mu_star"].max() > 0, "the park strategy builds on the park's costs"
    moved = groups[(groups["scenario"].isin(NO_PARK)) & (groups["group"] != "park")]
    assert (moved.groupby(["scenario", "output"])["mu_star"].max() > 0).all()


# ----------------------------------------------------------------------------- the sign change
def test_the_sign_change_of_a_hand_built_effect_is_found_where_it_is():
    rng = np.random.default_rng(3)
    n, k = 80, 6
    low, high = np.zeros(k), np.full(k, 2.0)
    shipped = np.full(k, 0.5)
    u = (rng.uniform(low, high, (n, k)) - shipped) / (high - low)
    # the effect is 0.3 at the shipped values and falls by 0.6 over the first parameter's range: it is 0 at
    # u = 0.5, the value 0.5 + 0.5 * 2 = 1.5; the second parameter adds a little, the others nothing
    y = 0.3 - 0.6 * u[:, 0] + 0.1 * u[:, 1] + rng.normal(0, 0.01, n)
    rows = hinge_rows(u, y, [f"p{j}" for j in range(k)], shipped, low, high, list(range(k)))
    assert [r["parameter"] for r in rows] == ["p0", "p1"]
    first = rows[0]
    assert first["sign_change"] == pytest.approx(1.5, abs=0.03) and first["direction"] == "above"
    assert first["sign_change_low"] < 1.5 < first["sign_change_high"] and first["sign_change_share"] > 0.95
    assert first["swing"] == pytest.approx(-0.6, abs=0.02) and first["effect_at_shipped"] == pytest.approx(0.3, abs=0.01)
    assert math.isnan(rows[1]["sign_change"]), "the second parameter cannot turn the effect inside its range"
    assert sign_change(0.3, -0.6) == pytest.approx(0.5)
    assert forward_select(u, rng.normal(0, 1, n), list(range(k))) == [], "noise names nothing"


# ----------------------------------------------------------------------------- in words
def _screening(mean: float, share: float, root: float) -> dict:
    return {"scenarios": [{"name": "baseline", "title": {}}, {"name": "leadership",
                                                          "title": {"zh": "强化领导", "en": "C5 Leadership"}}],
            "screening": {"available": True, "design": {"parameters": 277, "groups": ["screening", "market"],
                                                        "runs": 100, "trajectories": 2, "member_points": 16},
                          "groups": [{"scenario": "leadership", "output": "cohort_fulfilment_rate_24m", "group": "screening",
                                      "label_zh": "考核与项目甄别", "label_en": "Assessment and screening of projects",
                                      "mu_star": 0.1, "rank": 1},
                                     {"scenario": "leadership", "output": "cohort_fulfilment_rate_24m", "group": "market",
                                      "label_zh": "客商群体", "label_en": "The market of prospects",
                                      "mu_star": 0.05, "rank": 2}],
                          "hinges": [{"scenario": "leadership", "output": "cohort_fulfilment_rate_24m", "rank": 1,
                                      "parameter": "policy.screening_strict", "group": "screening", "swing": 0.2,
                                      "effect_at_shipped": mean, "sign_change": root, "sign_change_low": 0.55,
                                      "sign_change_high": 0.68, "direction": "below", "low": 0.5, "high": 0.95}],
                          "summary": [{"scenario": "leadership", "output": "cohort_fulfilment_rate_24m", "mean": mean,
                                       "share_same_sign": share}]}}


def test_the_sentences_say_what_an_effect_hinges_on_and_where_it_turns():
    from sim.report.hinges import hinge_sentences, key_assumptions_html

    an = _screening(0.069, 0.86, 0.62)
    (_, _, zh), = hinge_sentences(an, "zh")
    assert zh.startswith("「强化领导」的履约率效果") and "主要取决于「考核与项目甄别」「客商群体」两类假设" in zh
    assert "「按到位考核时的项目甄别力度」低于0.620（95%区间 0.550 至 0.680），效果将转为负" in zh
    (_, _, en), = hinge_sentences(an, "en")
    assert "hinges mainly on assessment and screening of projects and the market of prospects" in en
    assert "falls below 0.620 (95% interval 0.550 to 0.680), the effect turns negative" in en
    robust = hinge_sentences(_screening(0.069, 0.95, float("nan")), "zh")[0][2]
    assert "转为" not in robust and "方向稳定" in robust
    html = key_assumptions_html(an, "zh")
    assert "277" in html and "<b>强化领导</b>" in html


def test_the_briefing_says_what_each_strategy_effect_hinges_on(screened: Path, tmp_path: Path):
    from test_analysis_experiments import run_toml, strategies_toml

    from sim.cli import main as sim_main
    from sim.report.hinges import Hinges

    main = run_toml(strategies_toml(), tmp_path / "m", "small")
    assert sim_main(["brief", str(main), "--lang", "both", "--out", str(tmp_path / "brief"),
                     "--sensitivity", str(screened)]) == 0
    for lang, mark in (("zh", "主要取决于"), ("en", "hinges mainly on")):
        text = (tmp_path / "brief" / f"brief_{lang}.html").read_text(encoding="utf-8")
        h = Hinges(load_analysis(screened), lang)
        assert mark in text and h.intro()[:30] in text
        assert all(h.label(s) in text for s in h.strategies())


def test_the_screening_names_every_parameter_it_varies_with_its_documented_default():
    ranges, _ = assumptions.varied_ranges()
    for key, (lo, hi) in ranges.items():
        d = param_doc(key)
        assert lo <= d["default"] <= hi, key


# ----------------------------------------------------------------------------- sim main and the plan
def test_sim_main_screens_every_assumption_at_the_briefing_size():
    from sim.report.cli import MAIN_SENSITIVITY

    exp = load_experiment(ROOT / MAIN_SENSITIVITY)
    assert exp.design.options.get("groups") and exp.design.options["trajectories"] < load_experiment(FULL).design.options["trajectories"]


def test_the_plan_futures_span_the_assumptions_behind_the_levers_it_moves():
    from sim.experiment.optimise import load_optimise

    spec = load_optimise(ROOT / "experiments" / "optimise" / "plan.toml")
    ranges, whole = assumptions.varied_ranges(groups=["promises"])
    for key in ("behaviour.b_incentive", "hazards.incentive_broken"):
        assert spec.future_ranges[key] == ranges[key]
        values = [f[key] for f in spec.futures]
        assert ranges[key][0] <= min(values) < max(values) <= ranges[key][1]
    assert spec.future_ranges["behaviour.outside_option"] == (0.59, 1.79), "a range written in the file wins"
    assert all(isinstance(f[k], int) for f in spec.futures for k in whole & set(f))


def _plan_results(folder: Path, slope: float, noise: float = 50.0) -> Path:
    """A finished plan search's tables, hand-built: the plan cuts the incentive fund by 8,000 万元 a year; its
    advantage in jobs over the scenario is 400 where the incentive pulls least and ``400 + slope`` where it pulls
    most, in 12 futures."""
    import json

    rng = np.random.default_rng(5)
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({"objectives": ["jobs"], "scenario": "baseline"}), encoding="utf-8")
    pd.DataFrame({"lever": ["incentive_fund", "channels"], "wan_yuan_per_year": [8000.0, 15000.0],
                  "scenario_wan_yuan_per_year": [16000.0, 7000.0]}).to_csv(folder / "allocation.csv", index=False)
    b = np.linspace(0.014, 0.0315, 12)
    u = (b - b[0]) / (b[-1] - b[0])
    pd.DataFrame({"future": range(12), "behaviour.b_incentive": b, "hazards.incentive_broken": rng.uniform(0.2, 0.7, 12),
                  "behaviour.outside_growth": rng.uniform(0, 0.08, 12),
                  "optimum_minus.jobs": 400.0 + slope * u + rng.normal(0, noise, 12)}).to_csv(folder / "futures.csv",
                                                                                               index=False)
    return folder


@pytest.mark.parametrize("slope, noise, verdict, words", [(200.0, 50.0, "holds", "成立。"),
                                                          (-1200.0, 50.0, "fails", "不成立"),
                                                          (-420.0, 400.0, "not_shown", "未能证明成立")])
def test_the_plan_check_says_whether_the_cut_holds_where_incentives_pull_most(tmp_path: Path, slope: float, noise: float,
                                                                             verdict: str, words: str):
    from sim.analysis.plan_check import lever_check
    from sim.report.hinges import plan_check_sentence

    folder = _plan_results(tmp_path / "plan", slope, noise)
    c = lever_check(folder)
    assert c["lever"] == "incentive_fund" and c["mechanism"] == "promises" and c["verdict"] == verdict
    if slope < 0:
        assert c["parameter"] == "behaviour.b_incentive" and c["value"] == pytest.approx(0.0315)
        assert c["optimum_minus"] == pytest.approx(400 + slope, abs=3 * noise)
    assert c["ci_low"] <= c["optimum_minus"] <= c["ci_high"]
    zh, en = plan_check_sentence(folder, "zh"), plan_check_sentence(folder, "en")
    from sim.model import vocabulary

    assert vocabulary.lever("incentive_fund", "zh") in zh and words in zh and "8,000" in zh
    assert {"holds": "holds over", "fails": "does not hold", "not_shown": "not shown to hold"}[verdict] in en
