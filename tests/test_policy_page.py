"""The policy pages: page one fits on one page, and every number it prints is read from the stored tables
(checked on the PDF text with pdftotext), in Chinese and in English."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from chartkit import Drawn
from modelkit import TEST_WORLD
from test_optimise import _file, toy_simulate

from sim.analysis.decompose import CAPITAL, RATE, carriers, headline
from sim.cli import main as sim_main
from sim.experiment import optimise as opt
from sim.experiment import runner
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment
from sim.report.policy import _signed, decomposition_chart, fmt, lever_chart, optimise_chart

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"


def _world(skip: tuple[str, ...] = ()) -> str:
    """The test world's parameter values as lines of an [overrides] table (tests/modelkit.py): the failure search
    below needs futures where C4 keeps the baseline's honouring and futures where it does not, which the test
    world's promises give; in the shipped baseline C4 lowers honouring in every future."""
    return "".join(f'"{k}" = {v}\n' for k, v in TEST_WORLD.items() if k not in skip)


def _exp(folder: Path, name: str, body: str) -> Path:
    f = folder / f"{name}.toml"
    f.write_text(body)
    run_experiment(load_experiment(f), folder / name, engine="serial", progress=False, log=lambda m: None)
    return folder / name


def discover_text(name: str) -> str:
    """A tiny failure search of C4 in the test world: 12 futures over two assumptions, one replication."""
    return f"""
[experiment]
name = "{name}"
scenarios = ["{SCEN / 'baseline.toml'}", "{SCEN / 'channels.toml'}"]
replications = 1
root_seed = 9
horizon_months = 18
record = "summary"
[overrides]
"run.n_investors" = 500
{_world(("platform.county_land_mu_per_year",))}[design]
kind = "lhs"
samples = 12
[design.parameters]
"behaviour.outside_growth" = [0.0, 0.08]
"platform.county_land_mu_per_year" = [500.0, 7500.0]
"""


def sobol_text(name: str) -> str:
    """A tiny Sobol' design over two budget shares."""
    return f"""
[experiment]
name = "{name}"
scenarios = ["{SCEN / 'baseline.toml'}"]
replications = 1
root_seed = 10
horizon_months = 12
record = "summary"
[overrides]
"run.n_investors" = 300
"budget.shares.incentive_fund" = 0.3
[design]
kind = "sobol"
samples = 4
[design.parameters]
"budget.shares.channels" = [0.0, 0.2]
"budget.shares.park" = [0.0, 0.2]
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    assert shutil.which("pdftotext"), "pdftotext missing: run scripts/setup.sh (installs poppler-utils)"
    tmp = tmp_path_factory.mktemp("policy")
    mp = pytest.MonkeyPatch()
    mp.setattr(runner, "simulate", toy_simulate)
    spec = opt.load_optimise(_file(tmp))
    spec.generations = 3
    opt.optimise(spec, tmp / "opt", engine="serial", progress=False, log=lambda m: None)
    mp.undo()
    strat = _exp(tmp, "strat", f"""
[experiment]
name = "strat"
scenarios = ["{SCEN / 'baseline.toml'}", "{SCEN / 'soft_environment.toml'}", "{SCEN / 'leadership.toml'}"]
replications = 3
root_seed = 8
horizon_months = 36
record = "summary"
[overrides]
"run.n_investors" = 1500
""")
    assert sim_main(["analyse", str(strat)]) == 0
    disc = _exp(tmp, "disc", discover_text("disc"))
    assert sim_main(["discover", str(disc), "--strategy", "channels", "--output", "honouring_rate"]) == 0
    sob = _exp(tmp, "sob", sobol_text("sob"))
    out = tmp / "pages"
    code = sim_main(["policy", str(tmp / "opt"), "--main", str(strat), "--discover",
                     str(disc / "analysis" / "discovery_channels_honouring_rate.json"), "--sobol", str(sob),
                     "--out", str(out)])
    assert code == 0
    return {"out": out, "opt": tmp / "opt", "strat": strat, "disc": disc, "sob": sob}


def text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-f", str(first), "-l", str(last)] if first else []), str(pdf), "-"]
    return re.sub(r"\s+", " ", subprocess.run(args, capture_output=True, text=True, check=True).stdout)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_one_holds_allocation_what_it_buys_failures_and_certainty(pages, lang):
    pdf = pages["out"] / f"policy_{lang}.pdf"
    p1 = text(pdf, 1, 1)
    heads = (["推荐配置", "能买到什么", "何时失效", "把握有多大"] if lang == "zh"
             else ["Recommended allocation", "What it buys", "When it fails", "How sure we are"])
    for h in heads:
        assert h in p1, h
    alloc = pd.read_csv(pages["opt"] / "allocation.csv")
    for _, r in alloc.iterrows():
        if str(r["lever"]).startswith("promise"):
            continue
        for col in ("wan_yuan_per_year", "scenario_wan_yuan_per_year"):
            assert fmt(r[col]) in p1, (r["lever"], col, fmt(r[col]))
        assert fmt(r["wan_yuan_per_year"] - r["scenario_wan_yuan_per_year"]) in p1
    check_county_rows(pages["opt"], p1)
    cmp = pd.read_csv(pages["opt"] / "comparison.csv")
    for _, r in cmp.iterrows():
        for col in ("mean", "ci_low", "ci_high", "future_p05"):
            assert fmt(r[col]) in p1, (r["strategy"], col)
        if r["strategy"] != "optimum":
            assert f"{fmt(r['optimum_minus'])} ({fmt(r['optimum_minus_low'])} … {fmt(r['optimum_minus_high'])})" in p1
            assert f"{r['optimum_not_worse_share_of_futures']:.0%}" in p1
    summ = json.loads((pages["opt"] / "summary.json").read_text())
    assert str(summ["runs"]) in p1 and str(summ["futures"]) in p1
    d = json.loads((pages["disc"] / "analysis" / "discovery_channels_honouring_rate.json").read_text())
    assert 0 < d["failing"] < d["futures"], "the setting must have failing and holding futures"
    assert f"{d['failing']}" in p1 and f"{d['futures']}" in p1
    for w in d["words"][lang][:2]:
        assert re.sub(r"\s+", " ", w)[:40].replace(" ", "") in p1.replace(" ", "")


def check_county_rows(opt_dir: Path, page: str) -> None:
    """Every government's row of the allocation by government shows its stored totals, now and recommended."""
    by_gov = pd.read_csv(opt_dir / "allocation_by_government.csv")
    assert by_gov["government"].nunique() == 8
    flat = page.replace(" ", "")
    for _gov, g in by_gov.groupby("government"):
        now, rec = g["scenario_wan_yuan_per_year"].sum(), g["wan_yuan_per_year"].sum()
        assert f"{fmt(now)}{fmt(rec)}{fmt(rec - now)}".replace(" ", "") in flat, (_gov, now, rec)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_memo_says_how_the_plan_was_searched_and_shows_which_lever_bought_what(pages, lang, tmp_path):
    disc = pages["disc"] / "analysis" / "discovery_channels_honouring_rate.json"
    assert sim_main(["brief", str(pages["strat"]), "--lang", lang, "--out", str(tmp_path), "--discover", str(disc),
                     "--policy", str(pages["opt"]), "--levers", str(pages["sob"])]) == 0
    body = text(tmp_path / f"brief_{lang}.pdf")
    summ = json.loads((pages["opt"] / "summary.json").read_text())
    assert ("优化搜索" if lang == "zh" else "The search") in body and str(summ["runs"]) in body
    assert ("各项投入买到了什么" if lang == "zh" else "Which lever bought what") in body
    assert (tmp_path / f"charts_{lang}" / f"sobol_{lang}.png").is_file()
    assert ("何时失效" if lang == "zh" else "When it fails") in body
    d = json.loads(disc.read_text())
    assert d["words"][lang] and d["words"][lang][0].replace(" ", "")[:60] in body.replace(" ", "")
    assert sim_main(["brief", str(pages["strat"]), "--lang", lang, "--out", str(tmp_path / "plain")]) == 0
    plain = text(tmp_path / "plain" / f"brief_{lang}.pdf")
    for absent in ("Which lever bought what", "各项投入买到了什么", "When it fails", "何时失效", "优化搜索", "The search"):
        assert absent not in plain, absent


def test_a_policy_folder_without_an_optimisation_is_one_line(pages, tmp_path, capsys):
    code = sim_main(["brief", str(pages["strat"]), "--lang", "en", "--out", str(tmp_path), "--policy", str(pages["strat"])])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "summary.json" in err and "--policy" in err and "\n" not in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mechanisms_named_with_the_numbers_of_the_decomposition(pages, lang):
    pdf = pages["out"] / f"policy_{lang}.pdf"
    allp = text(pdf).replace(" ", "")
    table = pd.read_csv(pages["strat"] / "analysis" / "decomposition.csv")
    for s in ("soft_environment", "leadership"):
        for m, digits in ((RATE, 1), (CAPITAL, 0)):
            h = headline(table, s, m)
            assert f"{_signed(h['mean'], digits)}".replace(" ", "") in allp, (s, m)
            assert f"[{_signed(h['ci_low'], digits)},{_signed(h['ci_high'], digits)}]" in allp
            for c in carriers(table, s, m, 2):
                assert f"{_signed(c['mean'], digits)}" in allp, (s, m, c["component"])
            if h["against"]:
                assert ("与文章预期相反" if lang == "zh" else "against the essay's expectation") in text(pdf)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_text_overlaps_in_the_policy_page_charts(pages, lang, tmp_path, monkeypatch):
    """The policy page's charts (the allocation, the mechanisms, which lever bought what): no text overlaps another,
    leaves the figure or hides a marker."""
    drawn = Drawn(monkeypatch)
    optimise_chart(pages["opt"], lang)
    table = pd.read_csv(pages["strat"] / "analysis" / "decomposition.csv")
    decomposition_chart(table, {}, tmp_path / "decomposition.png", lang)
    lever_chart(pages["sob"], tmp_path, lang)
    assert len(drawn.figures) == 3
    assert not drawn.problems()


def test_lever_indices_are_stored_and_drawn(pages):
    idx = pd.read_csv(pages["sob"] / "analysis" / "lever_sobol.csv")
    assert set(idx["output"]) == {"jobs", "arrived_capital"}
    assert set(idx["parameter"]) == {"budget.shares.channels", "budget.shares.park"}
    assert (pages["out"] / "sobol_zh.png").is_file() and (pages["out"] / "sobol_en.png").is_file()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_memo_explains_each_effect_against_its_aim_by_its_mechanism(pages, lang, tmp_path):
    """Every strategy that lowers 履约率 for certain is explained in the memo with the withdrawal reason that
    carries the fall, per 100 signed projects (the decomposition's number), and no other is."""
    from sim.model.vocabulary import reason

    assert sim_main(["brief", str(pages["strat"]), "--lang", lang, "--out", str(tmp_path)]) == 0
    body = text(tmp_path / f"brief_{lang}.pdf").replace(" ", "")
    table = pd.read_csv(pages["strat"] / "analysis" / "decomposition.csv")
    an = json.loads((pages["strat"] / "analysis" / "analysis.json").read_text())
    titles = {s["name"]: s["title"][lang] for s in an["scenarios"]}
    block = body[body.index("六、" if lang == "zh" else "6.Results"):] if ("六、" in body or "6.Results" in body) else ""
    block = block[:block.index("七、" if lang == "zh" else "7.Thestrategies")] if block else ""
    for s in ("soft_environment", "leadership"):
        h = headline(table, s, RATE)
        named = f"{titles[s].replace(' ', '')}{'」使履约率降低' if lang == 'zh' else 'lowersfulfilment'}" in block
        assert named == bool(h["against"]), s
        if h["against"]:
            top = carriers(table, s, RATE, 1)[0]
            assert reason(top["component"], lang).replace(" ", "") in block
            assert f"{abs(top['mean']):.1f}" in block


def test_a_missing_discovery_file_is_one_line(pages, tmp_path, capsys):
    code = sim_main(["brief", str(pages["strat"]), "--lang", "en", "--out", str(tmp_path), "--discover",
                     str(tmp_path / "nope.json")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "nope.json" in err and "expected" in err and "\n" not in err


def test_sim_main_with_a_plan_briefs_the_allocation_levers_and_failures(tmp_path, monkeypatch, capsys):
    """``sim main --plan`` runs the allocation search, the Sobol' design over budget shares and the failure search
    next to the comparison, and the briefing shows all three (tiny settings of the shipped files' shape)."""
    from test_analysis_experiments import strategies_toml

    exp = tmp_path / "experiments"
    (exp / "optimise").mkdir(parents=True)
    (exp / "main.toml").write_text(strategies_toml("main"), encoding="utf-8")
    plan = _file(tmp_path).read_text().replace('name = "toy"', 'name = "plan"')
    plan = plan.replace("population = 16, generations = 14", "population = 4, generations = 2").replace(
        "replications = 2", "replications = 1")
    (exp / "optimise" / "plan.toml").write_text(plan, encoding="utf-8")
    (exp / "sobol_budget.toml").write_text(sobol_text("sobol_budget"), encoding="utf-8")
    (exp / "discover_channels.toml").write_text(discover_text("discover_channels"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = sim_main(["main", "--experiment", "experiments/main.toml", "--sensitivity", "none",
                     "--plan", "experiments/optimise/plan.toml", "--extras", "--engine", "serial", "--quiet"])
    assert code == 0, capsys.readouterr().err
    opt_dir = tmp_path / "results" / "optimise" / "plan"
    assert (opt_dir / "allocation_by_government.csv").is_file()
    disc = tmp_path / "results" / "discover_channels" / "analysis" / "discovery_channels_jobs.json"
    assert disc.is_file()
    assert (tmp_path / "results" / "sobol_budget" / "analysis" / "lever_sobol.csv").is_file()
    for lang in ("zh", "en"):
        pdf = tmp_path / "results" / "main" / "brief" / f"brief_{lang}.pdf"
        body = text(pdf)
        assert ("推荐方案" if lang == "zh" else "Recommended allocation") in body
        assert ("各项投入买到了什么" if lang == "zh" else "Which lever bought what") in body
        assert ("何时失效" if lang == "zh" else "When it fails") in body
        summ = json.loads((opt_dir / "summary.json").read_text())
        assert str(summ["runs"]) in body
