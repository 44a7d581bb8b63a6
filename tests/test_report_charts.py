"""Charts of an experiment: every chart draws in Chinese and English without missing glyphs, shows data, its
title states the finding computed from the analysis, and an official can read it: no text overlaps another or
hides a marker, type is at least 7 pt at the width it is printed at, every strategy has its own colour and
marker (also with 14 strategies)."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import pandas as pd
import pytest
from chartkit import Drawn
from test_analysis_experiments import ROOT, morris_results, small_results, sobol_results  # noqa: F401
from test_sweeps import sweep_analysed, sweep_results  # noqa: F401

from sim.analysis import load_analysis
from sim.analysis.tables import read_table
from sim.report import experiment_charts as ec
from sim.report import numbers as nb
from sim.report import style
from sim.report.experiment_charts import all_charts, sensitivity_chart, wrap
from sim.report.findings import Findings
from sim.scenario import load_scenario


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
    assert set(charts) == {"comparison", "funnel", "capital", "costs", "sensitivity", "sobol"}
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
        best = max(f.effects("cohort_fulfilment_rate_24m"), key=lambda e: e["effect"])
        title = f.title_comparison()
        assert f.label(best["scenario"]) in title
        assert nb.fmt("cohort_fulfilment_rate_24m", abs(best["effect"]), lang, effect=True, with_unit=False).lstrip("+") in title
        assert ("个百分点" if lang == "zh" else "percentage points") in title


def test_titles_follow_the_data_not_a_script(small_results: Path) -> None:  # noqa: F811
    """Change the numbers and the titles change with them."""
    an = copy.deepcopy(load_analysis(small_results))
    for e in an["effects"]:
        if e["output"] == "cohort_fulfilment_rate_24m" and e["source"] == "summary":
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
        if e["output"] == "cohort_fulfilment_rate_24m":
            e["significant"] = False
    assert Findings(an, "zh").title_comparison().endswith("（不显著）")


@pytest.mark.parametrize(("output", "value", "lang", "effect", "text"), [
    ("cohort_fulfilment_rate_24m", 0.4273, "zh", False, "42.7%"),
    ("cohort_fulfilment_rate_24m", 0.1049, "zh", True, "+10.5个百分点"),
    ("cohort_fulfilment_rate_24m", -0.083, "en", True, "-8.3 percentage points"),
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


class CountingRenderer:
    """A renderer that measures a line's width by its characters (one pixel for a Latin character, two for a Chinese
    one) and keeps the lines it measured."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def get_text_width_height_descent(self, line, props, ismath=False):
        self.lines.append(line)
        return sum(2.0 if ord(c) > 0x2E80 else 1.0 for c in line), 10.0, 2.0


def _fit_by_every_width(raw: str, width_px: float, lang: str, renderer) -> str:
    """The wrap of ``fit_text`` found by trying every width in turn and measuring every line of each try."""
    lines = []
    for part in raw.split("\n"):
        candidate = part
        for chars in range(len(part), 3, -1):
            candidate = wrap(part, lang, chars) if len(part) > chars else part
            if max(renderer.get_text_width_height_descent(x, None)[0] for x in candidate.split("\n")) <= width_px:
                break
        lines.append(candidate)
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_title_is_wrapped_as_by_trying_every_width_with_each_line_measured_once(lang) -> None:
    """Catches a faster wrap of a chart's title or note that breaks it elsewhere than trying every width in turn
    would, or that measures the same lines again (English words wrap the same over many widths: trying each width
    measured the same lines over and over, chart after chart, and made the English charts twice as slow to draw as
    the Chinese)."""
    from matplotlib.text import Text

    raw = ({"en": "Change from the baseline; whiskers: 95% confidence intervals (paired by replication), 10-80 "
                  "replications per strategy; hollow: not distinguishable from the baseline\nA second line of its own",
            "zh": "横线为 95% 置信区间（与基线按重复配对），每个策略重复10–80次；空心点：与基线差异不显著\n另起一行的说明"})[lang]
    for width in (30.0, 55.0, 80.0, 140.0, 400.0):
        reference = _fit_by_every_width(raw, width, lang, CountingRenderer())
        renderer = CountingRenderer()
        text = Text(text=raw)
        ec.fit_text(text, width, lang, renderer)
        assert text.get_text() == reference, width
        assert renderer.lines and len(renderer.lines) == len(set(renderer.lines)), width


# ----------------------------------------------------------------------------- readable by an official
def many_strategies(an: dict, bands: pd.DataFrame, k: int = 14) -> tuple[dict, pd.DataFrame]:
    """The small comparison made into ``k`` strategies with the shipped scenarios' titles (and two longer ones),
    each a copy of a strategy with its numbers scaled a little: crowded rows, long names, near markers."""
    an = copy.deepcopy(an)
    titles = [load_scenario(f).title for f in sorted((ROOT / "scenarios").glob("*.toml"))
              if not f.name.startswith("baseline")]
    titles += [{"zh": "同样的钱：招商引资专班与首席服务官制度并行推进", "en": "Same money: a promotion task force with chief "
                                                                 "service officers for every project"},
               {"zh": "园区标准地出让与承诺制审批", "en": "Standard land plots and approval by commitment"}]
    sources = [s["name"] for s in an["scenarios"] if s["name"] != an["baseline"]]
    keep = ("point_id", "n", "order", "horizon_months", "replications", "draws")
    scenarios = [s for s in an["scenarios"] if s["name"] == an["baseline"]]
    copies = {}
    for i in range(k - 1):
        name, src, factor = f"s{i + 1}", sources[i % len(sources)], 0.7 + 0.05 * i
        scenarios.append({"name": name, "index": i + 1, "file": "", "title": titles[i % len(titles)]})
        copies[name] = (src, factor)
    an["scenarios"] = scenarios
    for table in ("effects", "levels", "costs", "funnel", "withdrawals"):
        base = [r for r in an[table] if r["scenario"] == an["baseline"]]
        for name, (src, factor) in copies.items():
            base += [{**{key: (v * factor if isinstance(v, float) and key not in keep else v) for key, v in r.items()},
                      "scenario": name} for r in an[table] if r["scenario"] == src]
        an[table] = base
    frames = [bands[bands["scenario"] == an["baseline"]]]
    for name, (src, factor) in copies.items():
        b = bands[bands["scenario"] == src].copy()
        b[["mean", "ci_low", "ci_high", "p05", "p95"]] *= factor
        frames.append(b.assign(scenario=name))
    return an, pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_text_overlaps_in_any_chart_of_the_briefing(small_results: Path, morris_results: Path,  # noqa: F811
                                                      sobol_results: Path, sweep_analysed, tmp_path: Path,  # noqa: F811
                                                      monkeypatch, lang: str) -> None:
    """Every chart the briefing draws (a comparison of 3 and of 14 strategies, a sweep's response curve, both
    sensitivity designs) in both languages: no text artist (title, panel titles, tick and axis labels, notes,
    annotations, legends) overlaps another, leaves the figure or covers a marker, and its type is at least
    ``style.MIN_PRINT_PT`` at the width it is printed at (the text width)."""
    drawn = Drawn(monkeypatch)
    an = load_analysis(small_results)
    all_charts(an, small_results / "analysis", tmp_path / "small", lang, sens=load_analysis(morris_results))
    sensitivity_chart(load_analysis(sobol_results), tmp_path / "sobol.png", lang)
    sweep = sweep_analysed[0]
    assert "response" in all_charts(load_analysis(sweep), sweep / "analysis", tmp_path / "sweep", lang)
    many, bands = many_strategies(an, read_table(small_results / "analysis", "monthly_bands"))
    ec.comparison_chart(many, tmp_path / "many_comparison.png", lang)
    ec.funnel_chart(many, tmp_path / "many_funnel.png", lang)
    ec.cost_chart(many, tmp_path / "many_costs.png", lang)
    ec.capital_chart(many, bands, tmp_path / "many_capital.png", lang)
    ec.capital_chart(many, pd.DataFrame(), tmp_path / "many_capital_levels.png", lang)
    assert len(drawn.figures) == 15
    for name, d in drawn.figures.items():
        assert not d["problems"], f"{name}: {d['problems']}"
        assert d["pt"] >= style.MIN_PRINT_PT, f"{name}: {d['pt']:.1f} pt at print size"
        assert d["width"] == pytest.approx(ec.TEXT_WIDTH), name


def test_every_strategy_has_its_own_colour_and_marker(small_results: Path, tmp_path: Path,  # noqa: F811
                                                      monkeypatch) -> None:
    styles = [style.strategy_style(k) for k in range(30)] + [style.strategy_style(0, baseline=True)]
    assert len(set(styles)) == len(styles), "no two strategies share colour and marker"
    first = styles[:14] + styles[-1:]
    assert len({c for c, _ in first}) == len({m for _, m in first}) == 15, "up to 14 strategies: colour and marker each"
    drawn = Drawn(monkeypatch)
    an = load_analysis(small_results)
    many, _ = many_strategies(an, read_table(small_results / "analysis", "monthly_bands"))
    ec.cost_chart(many, tmp_path / "costs.png", "en")
    (marks,) = [m for m in next(iter(drawn.figures.values()))["markers"] if m]
    assert len(marks) == 14 and len({c for c, _ in marks}) == 14 and len({m for _, m in marks}) == 14


def test_the_overlap_check_sees_overlapping_texts_and_hidden_markers() -> None:
    fig, (ax,) = ec.new_figure(1)
    ax.plot([1.0], [1.0], "o", ms=8)
    ax.set_title("Fulfilment (24 months) and a long title")
    ax.annotate("1", (1.0, 1.0))
    fig.text(0.3, 0.9, "Fulfilment (24 months) and a long title")
    problems = style.text_overlaps(fig)
    assert any("hides a marker" in p for p in problems)
    fig.text(0.95, 0.5, "runs off the edge of the figure")
    assert any("leaves the figure" in p for p in style.text_overlaps(fig))


def test_the_funnel_is_printed_at_the_text_width(small_results: Path, tmp_path: Path) -> None:  # noqa: F811
    """The funnel (with the withdrawals) is one chart of the text width, not half of a pair at half size."""
    from sim.report.brief import write_brief

    write_brief(small_results, tmp_path, "zh")
    html = (tmp_path / "brief_zh.html").read_text(encoding="utf-8")
    assert "funnel.png" in html and "withdrawals.png" not in html
    assert '<div class="pair"><figure><img src="charts_zh/funnel.png"' not in html
