"""Charts of an experiment: every chart draws in Chinese and English without missing glyphs, shows data,
and its title states the finding computed from the analysis."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import pytest
from test_analysis_experiments import morris_results, small_results, sobol_results  # noqa: F401

from sim.analysis import load_analysis
from sim.report import numbers as nb
from sim.report.experiment_charts import all_charts, sensitivity_chart, wrap
from sim.report.findings import Findings


def not_blank(path: Path) -> bool:
    """The image has ink: enough non-white pixels and contrast."""
    import matplotlib.image as mpimg

    img = mpimg.imread(path)[..., :3]
    grey = img.mean(axis=2)
    return grey.std() > 0.05 and (grey < 0.9).mean() > 0.01


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_draws_without_missing_glyphs(small_results: Path, morris_results: Path,  # noqa: F811
                                                  sobol_results: Path, tmp_path: Path, lang: str) -> None:  # noqa: F811
    an = load_analysis(small_results)
    sens = load_analysis(morris_results)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" becomes an error
        charts = all_charts(an, small_results / "analysis", tmp_path / lang, lang, sens=sens)
        charts["sobol"] = sensitivity_chart(load_analysis(sobol_results), tmp_path / lang / "sobol.png", lang)
    assert set(charts) == {"comparison", "funnel", "capital", "withdrawals", "costs", "sensitivity", "sobol"}
    for name, path in charts.items():
        assert path.is_file() and not_blank(path), name


def test_pipeline_chart_of_sim_run_still_works(tmp_path: Path) -> None:
    from sim.model import simulate
    from sim.report.charts import pipeline_chart
    from sim.scenario import load_scenario

    spec = load_scenario("scenarios/baseline.toml", overrides={"run.n_investors": 600, "run.horizon_months": 12})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = pipeline_chart(simulate(spec, seed=1).monthly, tmp_path / "p.png", "zh", spec.label("zh"))
    assert not_blank(path)


def test_titles_state_the_best_strategy_and_its_effect(small_results: Path) -> None:  # noqa: F811
    an = load_analysis(small_results)
    for lang in ("zh", "en"):
        f = Findings(an, lang)
        best = max(f.effects("cohort_start_rate_24m"), key=lambda e: e["effect"])
        title = f.title_comparison()
        assert f.label(best["scenario"]) in title
        assert nb.fmt("cohort_start_rate_24m", abs(best["effect"]), lang, effect=True, with_unit=False).lstrip("+") in title
        assert ("个百分点" if lang == "zh" else "percentage points") in title


def test_titles_follow_the_data_not_a_script(small_results: Path) -> None:  # noqa: F811
    """Change the numbers and the titles change with them."""
    an = copy.deepcopy(load_analysis(small_results))
    for e in an["effects"]:
        if e["output"] == "cohort_start_rate_24m" and e["source"] == "summary":
            e["effect"], e["significant"] = (0.123, True) if e["scenario"] == "soft_environment" else (-0.02, False)
    for w in an["withdrawals"]:
        if w["scenario"] == "baseline" and w["stage"] == "after_signing":
            w["mean"], w["share"] = (50.0, 0.61) if w["reason"] == "delay" else (1.0, 0.01)
    f = Findings(an, "zh")
    assert f.title_comparison() == "「优化软环境」使履约率提高12.3个百分点"
    assert f.title_withdrawals() == "现状下签约后撤出的首要原因：审批拖延（占61.0%）"
    en = Findings(an, "en")
    assert en.title_comparison().endswith("raises fulfilment by 12.3 percentage points")
    for e in an["effects"]:
        if e["output"] == "cohort_start_rate_24m":
            e["significant"] = False
    assert Findings(an, "zh").title_comparison().endswith("（不显著）")


@pytest.mark.parametrize(("output", "value", "lang", "effect", "text"), [
    ("cohort_start_rate_24m", 0.4273, "zh", False, "42.7%"),
    ("cohort_start_rate_24m", 0.1049, "zh", True, "+10.5个百分点"),
    ("cohort_start_rate_24m", -0.083, "en", True, "-8.3 percentage points"),
    ("arrived_capital", 6_092_000.0, "zh", False, "609.2亿元"),
    ("arrived_capital", 41_000.0, "zh", False, "4.1亿元"),
    ("arrived_capital", 2_291.4, "zh", False, "2,291万元"),
    ("arrived_capital", 1_311_840.0, "zh", True, "+131.2亿元"),
    ("arrived_capital", 8_624_000.0, "en", False, "86.2 bn yuan"),
    ("arrived_capital", 2_291.4, "en", False, "22.9 million yuan"),
    ("jobs", 12849.4, "zh", True, "+12,800个岗位"),
    ("jobs", 7523.0, "en", False, "7,500 jobs"),
    ("jobs", 920.4, "zh", False, "920个岗位"),
    ("cost_per_job", 2.0033, "zh", False, "2.00万元"),
    ("cost_per_job", 2.0033, "en", False, "20,033 yuan"),
    ("cost_per_job", -3.05, "zh", False, "–"),
])
def test_numbers_are_shown_in_officials_units(output, value, lang, effect, text) -> None:
    assert nb.fmt(output, value, lang, effect=effect) == text


def test_chinese_titles_wrap_outside_numbers() -> None:
    text = "「强化领导、狠抓落实」建成投产的项目最多：平均 263 个，基线 159 个以及更多文字用于测试换行"
    for width in (12, 20, 25, 31):
        lines = wrap(text, "zh", width).split("\n")
        assert all(len(line) <= width for line in lines), width
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for a, b in zip(lines, lines[1:], strict=False):
            assert not (a[-1:].isdigit() and b[:1].isdigit()), (width, a, b)
