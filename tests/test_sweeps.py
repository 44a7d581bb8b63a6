"""A sweep is reported as a sweep: every design point named by the values it sets, effects per point, a response
curve whose points are the per-point effects, findings that never mix points, and the same adequacy count in
'sim analyse' and in the briefing. Sample designs keep their pooled treatment and say what they pool.

The fixture is a 3-point sweep of the promised incentive (0%, 2%, 6% of capital) on the baseline and the city-park
strategy: 3 replications of 800 investors over 36 months.
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from test_analysis_experiments import ROOT, draws_results, morris_results, run_toml  # noqa: F401

from sim.analysis import analyse, load_analysis
from sim.analysis.effects import curve_axes, response_curve
from sim.cli import main as sim_main
from sim.paramdoc import param_label
from sim.report import numbers as nb
from sim.report.figures import Figures
from sim.report.findings import Findings

SWEPT = "policy.incentive_rate"
VALUES = (0.0, 2.0, 6.0)
HEADLINE = ("cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m", "jobs")


def sweep_toml(name: str = "sweep3") -> str:
    """Baseline and city park at three promised incentives (a factorial design of one parameter)."""
    files = ", ".join(f'"{ROOT / "scenarios" / (s + ".toml")}"' for s in ("baseline", "platforms"))
    return f"""[experiment]
name = "{name}"
title = {{ zh = "优惠政策力度扫描", en = "Incentive sweep" }}
scenarios = [{files}]
replications = 3
root_seed = 5
horizon_months = 36
record = "summary"
[overrides]
"run.n_investors" = 800
[design]
kind = "factorial"
[design.values]
"{SWEPT}" = [{", ".join(str(v) for v in VALUES)}]
"""


@pytest.fixture(scope="session")
def sweep_results(tmp_path_factory) -> Path:
    """The stored 3-point sweep (not analysed: the tests run 'sim analyse' on it)."""
    return run_toml(sweep_toml(), tmp_path_factory.mktemp("sweep"), "sweep3")


@pytest.fixture(scope="session")
def sweep_analysed(sweep_results: Path) -> tuple[Path, str]:
    """The sweep analysed by 'sim analyse' and its printed summary."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert sim_main(["analyse", str(sweep_results)]) == 0
    return sweep_results, printed.getvalue()


@pytest.fixture(scope="session")
def sweep_brief(sweep_analysed: tuple[Path, str], tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep_brief")
    assert sim_main(["brief", str(sweep_analysed[0]), "--lang", "both", "--out", str(out)]) == 0
    return out


def names(lang: str) -> list[str]:
    """The points' names as the parameter's label and value: '承诺优惠比例（占投资额）2%'."""
    label = param_label(SWEPT, lang)
    return [f"{label}{'' if lang == 'zh' else ' '}{v:g}%" for v in VALUES]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


# ----------------------------------------------------------------------------- the analysis
def test_every_point_of_a_sweep_is_named_by_its_values(sweep_analysed) -> None:
    folder = sweep_analysed[0] / "analysis"
    an = load_analysis(folder)
    assert [p["name"]["zh"] for p in an["points"]] == names("zh")
    assert [p["name"]["en"] for p in an["points"]] == names("en")
    assert [p["values"][SWEPT] for p in an["points"]] == list(VALUES)
    eff = pd.read_parquet(folder / "effects.parquet")
    named = eff.drop_duplicates("point_id").sort_values("point_id")
    assert list(named["point_name_en"]) == names("en")
    assert an["reference_point"] == 1, "the baseline promises 3%: 2% is the nearest point"


def test_the_response_curve_joins_the_per_point_effects(sweep_analysed) -> None:
    folder = sweep_analysed[0] / "analysis"
    an = load_analysis(folder)
    curve = pd.read_parquet(folder / "response.parquet")
    eff = pd.read_parquet(folder / "effects.parquet")
    eff = eff[eff["source"] == "summary"]
    assert an["response"]["x"] == SWEPT and an["response"]["x_values"] == list(VALUES)
    got = curve[curve["measure"] == "effect"].merge(eff, on=["scenario", "point_id", "output"])
    assert len(got) == len(eff) > 0, "one curve point per effect of the analysis"
    for a, b in (("mean", "effect"), ("ci_low_x", "ci_low_y"), ("ci_high_x", "ci_high_y"), ("n_x", "n_y")):
        assert (got[a] == got[b]).all(), a
    assert list(got.drop_duplicates("point_id").sort_values("point_id")["x"]) == list(VALUES)
    lv = pd.read_parquet(folder / "levels.parquet")
    lev = curve[curve["measure"] == "level"].merge(lv, on=["scenario", "point_id", "output"])
    assert len(lev) == len(lv) and (lev["mean_x"] == lev["mean_y"]).all()
    rows = an["response"]["rows"]  # the JSON carries the same points for the briefing's outputs
    for r in (r for r in rows if r["measure"] == "effect" and r["output"] in HEADLINE):
        e = eff[(eff["scenario"] == r["scenario"]) & (eff["point_id"] == r["point_id"]) & (eff["output"] == r["output"])]
        assert r["mean"] == pytest.approx(float(e["effect"].iloc[0]), rel=1e-12)


def test_the_mechanisms_are_decomposed_point_by_point(sweep_analysed) -> None:
    dec = pd.read_parquet(sweep_analysed[0] / "analysis" / "decomposition.parquet")
    eff = pd.read_parquet(sweep_analysed[0] / "analysis" / "effects.parquet")
    total = dec[(dec["kind"] == "total") & (dec["measure"] == "cohort_fulfilment_rate_24m")].set_index("point_id")["mean"]
    fr = eff[(eff["source"] == "summary") & (eff["output"] == "cohort_fulfilment_rate_24m")].set_index("point_id")["effect"]
    assert sorted(total.index) == [0, 1, 2]
    for pid in total.index:  # each point's total is that point's effect (in percentage points), not the pooled one
        assert total[pid] == pytest.approx(100 * fr[pid], abs=1e-9)


def test_the_curve_runs_along_the_parameter_with_most_values() -> None:
    pts = pd.DataFrame({"point_id": range(6), "a": [0.0, 0.0, 1.0, 1.0, 2.0, 2.0], "b": [1, 2, 1, 2, 1, 2]})
    assert curve_axes(pts, ["b", "a"]) == ("a", ["b"])
    joint = pd.DataFrame({"point_id": range(3), "a": [0.1, 0.2, 0.3], "b": [5.0, 6.0, 7.0]})
    assert curve_axes(joint, ["a", "b"]) is None, "parameters that move together make points, not a curve"
    assert response_curve(pd.DataFrame(), pd.DataFrame(), joint, ["a", "b"]).empty


def test_sample_designs_pool_their_points_and_say_so(morris_results: Path) -> None:  # noqa: F811
    an = load_analysis(morris_results)
    assert an["pooled_points"] and an["points"] == [] and an["response"] is None
    assert "pool" in an["pooled"]["en"] and "合并" in an["pooled"]["zh"]
    assert Findings(an, "en").design_note() == an["pooled"]["en"]


# ----------------------------------------------------------------------------- the briefing
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brief_reports_every_point_labelled_by_value(sweep_analysed, sweep_brief: Path, lang: str) -> None:
    an = load_analysis(sweep_analysed[0])
    html = (sweep_brief / f"brief_{lang}.html").read_text(encoding="utf-8")
    title = next(s["title"][lang] for s in an["scenarios"] if s["name"] == "platforms")
    rows = re.findall(r'<tr><td class="name">([^<]*)</td>((?:<td[^>]*>.*?</td>)+)</tr>', html)
    effect_rows = {name: cells for name, cells in rows if "[" in cells}
    for pid, name in enumerate(names(lang)):
        row = f"{title} · {name}"
        assert row in effect_rows, f"no effects row for {row}"
        e = next(x for x in an["effects"] if x["scenario"] == "platforms" and x["point_id"] == pid
                 and x["output"] == "cohort_fulfilment_rate_24m" and x["source"] == "summary")
        assert f"{round(100 * e['effect'], 1):+.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0") in effect_rows[row]
    assert 'src="charts_' + lang + '/response.png"' in html and "comparison.png" not in html
    assert not re.search(r"\bp[0-2]\b", pdf_text(sweep_brief / f"brief_{lang}.pdf")), "points named p0..p2"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_finding_mixes_points(sweep_analysed, lang: str) -> None:
    """Every sentence of what the sweep found names its point or speaks across the points; the memo's explanations
    read the tables of one point only (the one nearest today's settings, which the memo names)."""
    an = load_analysis(sweep_analysed[0])
    f = Findings(an, lang)
    across = "个设计点" if lang == "zh" else "design points"
    assert f.sweep_sentences()
    for s in f.sweep_sentences():
        assert any(n in s or n[:1].lower() + n[1:] in s for n in names(lang)) or across in s, s
    fg = Figures(an, sweep_analysed[0] / "analysis", lang)
    assert fg.point == an["reference_point"]
    read = [t for t in ("decomposition", "yearly", "risks", "money_by_government", "government_results")
            if not fg.table(t).empty]
    assert "decomposition" in read and "risks" in read
    for table in read:
        assert set(fg.table(table)["point_id"]) == {fg.point}, table


def test_the_curve_sentence_names_the_points_at_both_ends(sweep_analysed) -> None:
    an = load_analysis(sweep_analysed[0])
    f = Findings(an, "en")
    recs = [e for e in an["effects"] if e["output"] == "jobs" and e["source"] == "summary"]
    lo, hi = min(recs, key=lambda e: e["effect"]), max(recs, key=lambda e: e["effect"])
    text = f.curve_sentence("jobs")
    for e in (lo, hi):
        assert f.change(e) + " " + f"at {names('en')[e['point_id']][:1].lower()}{names('en')[e['point_id']][1:]}" in text
    fr = [r for r in an["levels"] if r["scenario"] == "baseline" and r["output"] == "cohort_fulfilment_rate_24m"]
    low, high = min(fr, key=lambda r: r["mean"]), max(fr, key=lambda r: r["mean"])
    level = f.sweep_sentences()[0]  # what the swept settings do to the baseline itself comes first
    for r, word in ((low, "lowest"), (high, "highest")):
        name = names("en")[r["point_id"]]
        assert f"{word} at {name[:1].lower()}{name[1:]}: {nb.fmt('cohort_fulfilment_rate_24m', r['mean'], 'en')}" in level
    base = copy.deepcopy(an)  # a sweep of the baseline alone speaks of its level along the curve
    base["effects"], base["response"]["rows"] = [], [r for r in base["response"]["rows"] if r["measure"] == "level"]
    assert "the baseline's" in Findings(base, "en").curve_sentence("jobs")


def test_adequacy_counts_agree_between_analyse_and_the_brief(sweep_analysed, sweep_brief: Path) -> None:
    folder, printed = sweep_analysed
    ok, total = map(int, re.search(r"(\d+)/(\d+) headline intervals narrow enough over 3 design points", printed).groups())
    assert total == 9, "3 headline outputs at 3 points"
    zh = pdf_text(sweep_brief / "brief_zh.pdf").replace("\n", "")
    en = " ".join(pdf_text(sweep_brief / "brief_en.pdf").split())
    assert f"{total} 项核心效应中有 {ok} 项" in zh
    assert f"{ok} of {total} headline intervals are narrow enough over 3 design points" in en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_list_design_without_a_curve_names_its_points(draws_results: Path, tmp_path: Path, lang: str) -> None:  # noqa: F811
    """Three parameter sets that move together make points, not a curve: every sentence and the comparison chart's
    title name the point they speak of by its own label."""
    data = analyse(draws_results, out=tmp_path / "analysis")
    assert data["response"] is None and [p["name"][lang] for p in data["points"]] == ["draw 1", "draw 2", "draw 3"]
    f = Findings(data, lang)
    assert f.sweep
    across = "个设计点" if lang == "zh" else "design points"
    for s in f.sweep_sentences():
        assert "draw " in s or across in s, s
    ref = f"draw {data['reference_point'] + 1}"
    assert (f"设计点「{ref}」下" if lang == "zh" else f"At design point '{ref}'") in f.title_comparison()


def test_analysing_again_gives_the_same_points(sweep_results: Path, tmp_path: Path) -> None:
    data = analyse(sweep_results, out=tmp_path)
    assert [p["name"]["en"] for p in data["points"]] == names("en")
    assert (tmp_path / "points.csv").is_file() and (tmp_path / "response.csv").is_file()
