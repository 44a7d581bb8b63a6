"""The decision memo: every section in both languages (checked on the PDF text with poppler's pdftotext), one page
per government whose money adds up to the region's, a summary that names the optimiser's allocation, and one set
of numbers: no quantity printed with two values, no 万元 figure of six digits, no negative cost, no cause that
rounds to zero. Also the tables the memo reads (money by government and source, years, monitoring bands, risks,
each government's results) and the recommended allocation as one more strategy of the comparison."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_analysis_experiments import morris_toml, strategies_toml
from test_optimise import _file

from sim.analysis import memo as amemo
from sim.analysis.data import AnalysisError, load_results
from sim.analysis.tables import load_analysis
from sim.cli import main as sim_main
from sim.experiment.recommended import NAME as RECOMMENDED
from sim.model import simulate
from sim.region import load_region
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")

SECTIONS = {
    "zh": ("决策参考", "内容提要", "一、建议", "牵头单位", "责任单位", "二、预期效果和见效时间", "分年度看", "见效时间",
           "三、资金安排", "按用途", "按层级", "按来源", "资金不到位", "四、风险及应对", "未兑现的优惠承诺",
           "五、监测指标", "七、各方案比较", "八、把握有多大", "九、模型与统计数据对照", "十、局限",
           "附件一", "各方案包含的措施", "附件二", "附录", "技术说明"),
    "en": ("Decision memo", "Summary", "1. Recommendations", "Lead:", "also responsible", "2. What it buys, and when",
           "Year by year", "When it shows", "3. Money", "By item", "By level", "By source",
           "If part of the money does not come", "4. Risks", "Promises broken", "5. What to watch each quarter",
           "7. The strategies compared", "8. How sure we are", "9. The model against the region's statistics",
           "10. Limitations", "Annex 1", "What each strategy contains", "Annex 2", "Appendix"),
}


def plan_text(tmp: Path) -> str:
    """A tiny allocation search of the shipped plan's shape (real model, a few hundred investors, one year)."""
    text = _file(tmp).read_text().replace('name = "toy"', 'name = "plan"')
    return text.replace("population = 16, generations = 14", "population = 4, generations = 2").replace(
        "replications = 2", "replications = 1").replace("horizon_months = 12", "horizon_months = 36")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """``sim main`` run end to end in a scratch project: a small comparison over the posterior, a Morris screening and a
    tiny allocation search whose choice runs in the comparison as one more strategy; the memo in both languages."""
    assert shutil.which("pdftotext"), "pdftotext missing: run scripts/setup.sh (installs poppler-utils)"
    tmp = tmp_path_factory.mktemp("memo")
    exp = tmp / "experiments"
    (exp / "optimise").mkdir(parents=True)
    main = strategies_toml("main").replace('record = "monthly"', 'record = "monthly"\nparameters = "posterior"')
    (exp / "main.toml").write_text(main, encoding="utf-8")
    (exp / "morris.toml").write_text(morris_toml("morris"), encoding="utf-8")
    (exp / "optimise" / "plan.toml").write_text(plan_text(tmp), encoding="utf-8")
    (exp / "memo").mkdir()
    (exp / "memo" / "brief.toml").write_text('[brief]\ntitle = { zh = "测试用建议", en = "A memo for the tests" }\n'
                                    'issuer = { zh = "测试课题组", en = "The test team" }\ndate = "2026-01-02"\n',
                                    encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.chdir(tmp)
    code = sim_main(["main", "--experiment", "experiments/main.toml", "--sensitivity", "experiments/morris.toml",
                     "--plan", "experiments/optimise/plan.toml",
                     "--brief-config", "experiments/memo/brief.toml", "--engine", "serial", "--quiet"])
    mp.undo()
    assert code == 0
    return tmp


def pdf_text(pdf: Path, layout: bool = False, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []),
            *(["-f", str(first), "-l", str(last)] if first else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    """PDF text with line breaks and spaces between Chinese characters removed (lines wrap anywhere)."""
    text = re.sub(r"\s*\n\s*", "\n", text)
    return re.sub(r"(?<=[^\x00-\x7f])\n|\n(?=[^\x00-\x7f])", "", text).replace("\n", " ")


class Spans(HTMLParser):
    """The figures of a memo's HTML: (quantity, value, text) of every ``<span data-q>``."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, float | None, str]] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "span" and "data-q" in a:
            self._open = [a["data-q"], float(a["data-v"]) if "data-v" in a else None, ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag == "span" and self._open is not None:
            self.found.append(tuple(self._open))
            self._open = None


def spans(html: str) -> list[tuple[str, float | None, str]]:
    p = Spans()
    p.feed(html)
    return p.found


def memo_files(project: Path, lang: str) -> tuple[Path, str]:
    brief = project / "results" / "main" / "brief"
    return brief / f"brief_{lang}.pdf", (brief / f"brief_{lang}.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the checks of one set of numbers
def two_values(html: str) -> list[str]:
    """Quantities the memo shows from two different values."""
    seen: dict[str, float] = {}
    bad = []
    for key, value, _ in spans(html):
        if value is None:
            continue
        if key in seen and not np.isclose(seen[key], value, rtol=1e-9, atol=1e-12):
            bad.append(f"{key}: {seen[key]} and {value}")
        seen.setdefault(key, value)
    return bad


def wan_yuan_too_long(text: str) -> list[str]:
    """万元 figures with more than five digits before the decimal point (they belong in 亿元)."""
    return [m.group(0) for m in re.finditer(r"([\d,]+)(?:\.\d+)?\s*万元", text)
            if len(m.group(1).replace(",", "")) > 5]


def negative_costs(text: str) -> list[str]:
    """A negative cost per job, in a sentence or in the comparison's cost columns."""
    bad = re.findall(r"[-−]\d[\d,.]*\s*(?:万元/个|yuan per (?:extra )?job)", text)
    block = text[text.find("七、各方案比较"):text.find("八、把握有多大")] if "七、各方案比较" in text else \
        text[text.find("7. The strategies compared"):text.find("8. How sure we are")]
    for line in block.splitlines():
        tokens = line.split()
        if len(NUMBER.findall(line)) >= 5 and "%" in line:  # a strategy's row: its last two cells are the costs
            bad += [t for t in tokens[-2:] if NUMBER.fullmatch(t) and t.startswith(("-", "−"))]
    return bad


def zero_causes(text: str) -> list[str]:
    """Causes listed with a size that rounds to zero ('约0.0个', '(+0.0)', '0.0 more')."""
    return re.findall(r"约[+\-−]?0(?:\.0+)?(?:个|亿元|万元)(?!\d)|[（(][+\-−]?0\.0[）)]|\b0\.0 (?:more|fewer|less)\b", text)


def test_the_checks_catch_what_they_look_for() -> None:
    """Each check finds its fault in a sample text (a check that cannot fail is no check)."""
    a = '<span class="q" data-q="baseline/jobs/level" data-v="15774.0">15,800</span>'
    b = '<span class="q" data-q="baseline/jobs/level" data-v="16709.0">16,700</span>'
    assert two_values(a + a) == [] and two_values(a + b)
    assert wan_yuan_too_long("到位资金 +1,311,840 万元") and not wan_yuan_too_long("每年约2,291万元")
    assert negative_costs("每个新增岗位 -3.05万元/个岗位") and not negative_costs("每个岗位 9.12万元/个岗位")
    row = "七、各方案比较\n同样的钱强化领导与考核   13.5   88.6%（+14.7）   37.5%（+6.4）  18,800（+3,100）   7.14   {}\n八、把握有多大"
    assert negative_costs(row.format("-3.05")) and not negative_costs(row.format("–"))
    assert zero_causes("主要来自“法治与治安不安”撤出减少（+0.0）") and zero_causes("每百个签约项目少约0.0个")
    assert not zero_causes("每百个签约项目多约6.7个")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_set_of_numbers(project: Path, lang: str) -> None:
    """No quantity has two values (in the HTML the PDF is made from, and each figure's text is in the PDF), no 万元
    figure has six digits, no cost is negative, no listed cause rounds to zero."""
    pdf, html = memo_files(project, lang)
    assert two_values(html) == []
    text = pdf_text(pdf)
    compact = re.sub(r"\s+", "", text)
    missing = [t for _, _, t in spans(html) if t and re.sub(r"\s+", "", t) not in compact]
    assert not missing, missing[:10]
    layout = pdf_text(pdf, layout=True)
    assert wan_yuan_too_long(flat(text)) == []
    assert negative_costs(flat(text)) == [] and negative_costs(layout) == []
    assert zero_causes(flat(text)) == []


# ----------------------------------------------------------------------------- structure
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_is_there_and_page_one_carries_no_technical_detail(project: Path, lang: str) -> None:
    pdf, _ = memo_files(project, lang)
    text = flat(pdf_text(pdf))
    missing = [s for s in SECTIONS[lang] if s not in text]
    assert not missing, missing
    assert ("测试用建议" if lang == "zh" else "A memo for the tests") in text
    assert ("测试课题组" if lang == "zh" else "The test team") in text
    page1 = flat(pdf_text(pdf, first=1, last=1))
    manifest = json.loads((project / "results" / "main" / "manifest.json").read_text(encoding="utf-8"))
    for technical in ("sha256", manifest["experiment_sha256"][:12], "r*(D+1)", "Morris", "μ*"):
        assert technical not in page1, technical
    assert manifest["experiment_sha256"][:12] in text, "the appendix ties the memo to its runs"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_model_is_set_beside_every_figure_the_region_reports(project: Path, lang: str) -> None:
    """Section 9 shows each yearly figure of the region's figures.toml ([[reported]]) at its value, beside the status
    quo's last year by the memo's one set of numbers, with the over-reporting caveat."""
    pdf, html = memo_files(project, lang)
    found = {k: v for k, v, _ in spans(html) if v is not None}
    reported = load_region("dingxi").reported
    assert {r.output for r in reported} == {"signed_projects", "signed_capital", "arrived_capital", "jobs_added"}
    for r in reported:
        assert found[f"reported/{r.key}"] == pytest.approx(r.value, rel=1e-12), r.key
    an = load_analysis(project / "results" / "main")
    y = pd.read_csv(project / "results" / "main" / "analysis" / "yearly.csv")
    last = int(y["year"].max())
    row = y[(y["scenario"] == an["baseline"]) & (y["output"] == "signed_projects") & (y["year"] == last)]
    assert found[f"{an['baseline']}/signed_projects/year{last}/level"] == pytest.approx(float(row["mean"].iloc[0]))
    text = flat(pdf_text(pdf))
    assert "overreporting2016" in re.sub(r"[\s\-‐]", "", text), "the caveat names its source"
    assert ("上限" in text) if lang == "zh" else ("upper bounds" in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_risk_of_competing_regions_is_how_far_their_pull_moves_jobs(project: Path, lang: str) -> None:
    """The risks table's row on competing regions gives the screening's mu* of the pull of competing regions on the
    status quo's jobs (the screening of the memo's sensitivity experiment), in its own row with its answer."""
    from sim.report.hinges import top_assumptions

    sens = load_analysis(project / "results" / "morris")
    row = next(r for r in top_assumptions(sens, "jobs") if r["parameter"] == "behaviour.outside_option")
    pdf, html = memo_files(project, lang)
    name = "周边地区竞争" if lang == "zh" else "Competing regions"
    risk_row = next(tr for tr in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if f"<td class='name'>{name}</td>" in tr)
    found = {k: v for k, v, _ in spans(risk_row) if v is not None}
    assert found == {"hinge/jobs/behaviour.outside_option": pytest.approx(row["mu_star"], rel=1e-9)}
    text = flat(pdf_text(pdf))
    assert ("周边地区竞争加剧" in text) if lang == "zh" else ("Competing regions pull harder" in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_government_has_a_page_and_their_money_adds_up_to_the_whole(project: Path, lang: str) -> None:
    """Each government has its annex page; in the money-by-level table the governments' money adds up to the
    region's and to the money-by-item total, for the status quo and for the strategy the memo describes. The test
    project's small comparison may show no strategy that helps (the memo then describes the status quo), so the
    table is also drawn for a strategy beside the status quo and checked the same way."""
    from sim.report.memo import Memo

    pdf, html = memo_files(project, lang)
    text = flat(pdf_text(pdf))
    found = {k: v for k, v, _ in spans(html) if v is not None}
    t = pd.read_csv(project / "results" / "main" / "analysis" / "money_by_government.csv")
    govs = list(dict.fromkeys(t["government"]))
    region = load_region("dingxi")
    assert govs == list(region.governments)
    an = load_analysis(project / "results" / "main")
    for k, g in enumerate(govs, 1):
        name = region.government_name(g, lang)
        head = f"附件二之{k} {name}" if lang == "zh" else f"Annex 2.{k} {name}"
        assert head in text, head
    described = [k.split("/")[0] for k in found if k.endswith("/region/per_year")]
    assert an["baseline"] in described
    for s in described:
        parts = sum(found[f"{s}/{g}/per_year"] for g in govs)
        assert parts == pytest.approx(found[f"{s}/region/per_year"], rel=1e-9)
        assert parts == pytest.approx(found[f"{s}/budget_spent/per_year@wan"], rel=1e-9)
        spent = found.get(f"{s}/budget_spent/level@yi")
        assert spent == pytest.approx(parts * 3, rel=1e-9), "three budget years of a 36-month run"
    memo = Memo(an, project / "results" / "main" / "analysis", lang)
    memo.compare = True
    table = {k: v for k, v, _ in spans(memo.money_by_level("platforms")) if v is not None}
    for s in (an["baseline"], "platforms"):
        parts = sum(table[f"{s}/{g}/per_year"] for g in govs)
        assert parts == pytest.approx(table[f"{s}/region/per_year"], rel=1e-9)
        assert parts * 3 == pytest.approx(memo.fg.level(s, "budget_spent"), rel=1e-9), s
    change = table["platforms/region/per_year_change"]
    assert change == pytest.approx(abs(table["platforms/region/per_year"] - table[f"{an['baseline']}/region/per_year"]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_strategy_whose_file_cannot_be_read_is_named_with_why_not_dropped(project: Path, lang: str) -> None:
    """A strategy's file moved or deleted since its runs (results copied from elsewhere): the annex of what each
    strategy contains names it, says its settings could not be read and why, and keeps its money; the others still
    list their settings."""
    from sim.report.memo import Memo

    an = load_analysis(project / "results" / "main")
    gone = next(s["name"] for s in an["scenarios"] if s["name"] not in (an["baseline"], RECOMMENDED))
    kept = next(s["name"] for s in an["scenarios"] if s["name"] not in (an["baseline"], RECOMMENDED, gone))
    missing = project / "moved_away" / f"{gone}.toml"
    for s in an["scenarios"]:
        if s["name"] == gone:
            s["path"] = str(missing)
    memo = Memo(an, project / "results" / "main" / "analysis", lang)
    assert gone in memo.unread and str(missing) in memo.unread[gone] and gone not in memo.contents
    annex = memo.annex_strategies()
    row = next(r for r in annex.split("<tr>") if memo.title_of(gone) in r)
    assert ("无法读取该方案的设置" if lang == "zh" else "could not be read") in row and str(missing) in row
    assert f"{gone}/budget_spent/per_year@wan" in row, "its money a year is still shown"
    other = next(r for r in annex.split("<tr>") if memo.title_of(kept) in r)
    assert memo.contents[kept] and "could not be read" not in other and "无法读取" not in other


def test_a_strategy_whose_file_changed_since_its_runs_is_named_not_described_as_it_is_now(project: Path,
                                                                                          tmp_path: Path) -> None:
    """A strategy's file edited after its runs: a comment changes nothing, but a setting changed makes the annex say
    the file changed since instead of listing settings its runs did not use (the analysis keeps the hash of the
    settings each file held when its runs read it)."""
    from sim.report.memo import Memo

    an = load_analysis(project / "results" / "main")
    row = next(s for s in an["scenarios"] if s["name"] not in (an["baseline"], RECOMMENDED))
    assert row["settings_sha256"], "the analysis records the settings each file's runs read"
    copy = tmp_path / "scenarios"
    shutil.copytree(Path(row["path"]).parent, copy)  # the files it extends beside it, as they were
    file = copy / Path(row["path"]).name
    row["path"] = str(file)
    file.write_text(file.read_text(encoding="utf-8") + "\n# a comment added after the runs\n", encoding="utf-8")
    memo = Memo(an, project / "results" / "main" / "analysis", "en")
    assert row["name"] not in memo.unread and memo.contents[row["name"]], "a comment is not a change of settings"
    text = file.read_text(encoding="utf-8").replace("\n[scenario]\n", "\n[run]\nn_investors = 4321\n\n[scenario]\n", 1)
    assert "n_investors = 4321" in text
    file.write_text(text, encoding="utf-8")
    memo = Memo(an, project / "results" / "main" / "analysis", "en")
    assert "found the file changed since" in memo.unread[row["name"]] and row["name"] not in memo.contents
    assert "found the file changed since" in memo.annex_strategies()


def test_the_summary_names_the_optimisers_allocation(project: Path) -> None:
    """The recommendation is the allocation the search chose (its shares and staff settings), run in the
    comparison; the summary names it and says whether it is recommended."""
    opt = project / "results" / "optimise" / "plan"
    chosen = json.loads((opt / "summary.json").read_text())["chosen"]
    row = pd.read_csv(opt / "evaluations.csv").set_index("candidate").loc[chosen]
    rec = load_scenario(opt / f"{RECOMMENDED}.toml")
    for lever, share in rec.params.budget.shares.items():
        assert share == pytest.approx(row[f"share.{lever}"]), lever
    an = load_analysis(project / "results" / "main")
    assert RECOMMENDED in [s["name"] for s in an["scenarios"]]
    pdf, html = memo_files(project, "zh")
    box = html[html.index('class="summary"'):html.index("一、建议")]
    helps = next(e for e in an["effects"] if e["scenario"] == RECOMMENDED and e["output"] == "jobs")["ci_low"] > 0
    assert ("实施推荐方案" if helps else "不作推荐") in box
    moved = [k for k, _, _ in spans(box) if k.startswith(f"{RECOMMENDED}/") and k.endswith("/per_year")]
    assert moved, "the summary states the allocation's money"
    lever_spent = pd.read_csv(project / "results" / "main" / "analysis" / "spending_by_lever.csv")
    base = lever_spent[lever_spent["scenario"] == an["baseline"]].set_index("lever")
    mine = lever_spent[lever_spent["scenario"] == RECOMMENDED].set_index("lever")
    found = {k: v for k, v, _ in spans(box)}
    for k in moved:
        lever = k.split("/")[1]
        if lever in mine.index:
            assert found[k] == pytest.approx(abs(base.loc[lever, "spent"] + mine.loc[lever, "d_spent"]) / 3, rel=1e-9)


def test_the_recommendation_is_paired_with_the_same_baseline(project: Path) -> None:
    """The recommendation runs in the main comparison as one more strategy: each of its runs has the seed and the
    posterior draw of the baseline's run of the same replication, its replications are the baseline's first ones
    (decided like every strategy's), and no separate re-run is made. Catches a recommendation left out of the
    comparison (run apart, or not at all). Joining a folder of another setting (the screening's root seed) is
    refused."""
    main = project / "results" / "main"
    alone = load_results(main, monthly=False)
    b = alone.runs[alone.runs["scenario"] == "baseline"].set_index("replication")
    r = alone.runs[alone.runs["scenario"] == RECOMMENDED].set_index("replication")
    assert len(r) and set(r.index) <= set(b.index)
    assert sorted(r.index) == list(range(len(r)))
    assert (r["seed_entropy"] == b.loc[r.index, "seed_entropy"]).all()
    assert (r["posterior_draw"] == b.loc[r.index, "posterior_draw"]).all()
    assert not (project / "results" / f"main_{RECOMMENDED}").exists()
    other = load_results(project / "results" / "morris", monthly=False)
    with pytest.raises(AnalysisError, match="root_seed"):
        amemo.join_runs(alone, other)


def test_a_strategy_run_on_its_own_in_the_same_setting_joins_the_comparison(project: Path, tmp_path: Path) -> None:
    """``sim brief --join``: a strategy run apart in the comparison's setting (an experiment extending it) joins it,
    each run paired with the baseline's run of its replication (seed and posterior draw), the baseline's runs left
    as they were; the same strategy run at the scenarios' own parameters (no posterior draws) is refused."""
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment

    main_exp = project / "experiments" / "main.toml"
    (tmp_path / "alone.toml").write_text(
        f'[scenario]\nname = "alone"\nextends = "{project / "results" / "optimise" / "plan" / "recommended.toml"}"\n',
        encoding="utf-8")
    folders = {}
    for name, extra in (("alone", ""), ("own", 'parameters = "scenario"\n')):
        (tmp_path / f"{name}_exp.toml").write_text(
            f'[experiment]\nextends = "{main_exp}"\nname = "{name}"\nscenarios = ["alone.toml"]\n'
            f'replications = 2\n{extra}', encoding="utf-8")
        folders[name] = tmp_path / "results" / name
        assert run_experiment(load_experiment(tmp_path / f"{name}_exp.toml"), folders[name], engine="serial",
                              progress=False).complete
    main = load_results(project / "results" / "main", monthly=False)
    joined = amemo.join_runs(main, load_results(folders["alone"], monthly=False))
    b = main.runs[main.runs["scenario"] == "baseline"].set_index("replication")
    r = joined.runs[joined.runs["scenario"] == "alone"].set_index("replication")
    assert sorted(r.index) == [0, 1]
    assert (r["seed_entropy"] == b.loc[r.index, "seed_entropy"]).all()
    assert (r["posterior_draw"] == b.loc[r.index, "posterior_draw"]).all()
    assert joined.runs[joined.runs["scenario"] == "baseline"].equals(main.runs[main.runs["scenario"] == "baseline"])
    with pytest.raises(AnalysisError, match="key 'posterior'"):
        amemo.join_runs(main, load_results(folders["own"], monthly=False))


def test_the_comparison_starts_over_when_it_holds_another_choice(project: Path, tmp_path: Path, capsys) -> None:
    """Catches a comparison resumed with a recommended allocation the search no longer chooses (or skipped): its
    runs would mix two allocations under one name. Without the search (``--plan none``) the comparison made with
    the search's choice starts over and holds no recommendation."""
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    shutil.rmtree(copy / "results" / "main" / "brief")
    mp = pytest.MonkeyPatch()
    mp.chdir(copy)
    capsys.readouterr()
    code = sim_main(["main", "--experiment", "experiments/main.toml", "--sensitivity", "experiments/morris.toml",
                     "--plan", "none", "--brief-config", "experiments/memo/brief.toml", "--engine", "serial",
                     "--quiet"])
    mp.undo()
    assert code == 0
    assert "holds another recommended allocation (or none); starting over" in capsys.readouterr().err
    runs = load_results(copy / "results" / "main", monthly=False).runs
    assert RECOMMENDED not in set(runs["scenario"])


# ----------------------------------------------------------------------------- the tables behind the memo
def test_money_tables_add_up_to_what_the_runs_spent(project: Path) -> None:
    folder = project / "results" / "main" / "analysis"
    runs = load_results(project / "results" / "main", monthly=False).runs
    gov = pd.read_csv(folder / "money_by_government.csv")
    tot = gov[gov["lever"] == "total"].groupby("scenario")["mean"].sum()
    spent = runs.groupby("scenario")["budget_spent"].mean()
    for s in spent.index:
        assert tot[s] == pytest.approx(spent[s], rel=1e-9), s
    src = pd.read_csv(folder / "money_by_source.csv")
    made = src[src["source"].isin(["base_transfer", "tax_returned"])].groupby("scenario")["mean"].sum()
    total = runs.groupby("scenario")["budget_total"].mean()
    for s in total.index:
        assert made[s] == pytest.approx(total[s], rel=1e-9), s
    base = src[(src["source"] == "base_transfer")].set_index("scenario")["mean"]
    assert base["soft_environment"] > base["baseline"], "a quarter more money for the soft environment"


def test_yearly_flows_add_up_to_the_horizon_and_bands_are_ordered(project: Path) -> None:
    folder = project / "results" / "main" / "analysis"
    y = pd.read_csv(folder / "yearly.csv")
    runs = load_results(project / "results" / "main", monthly=False).runs
    for s, g in y[(y["output"] == "signed_projects") & y["scenario"].isin(set(runs["scenario"]))].groupby("scenario"):
        assert g["mean"].sum() == pytest.approx(runs.loc[runs["scenario"] == s, "signed_projects"].mean(), rel=1e-9)
    jobs = y[(y["output"] == "jobs") & (y["year"] == y["year"].max())].set_index("scenario")
    eff = pd.read_csv(folder / "effects.csv")
    e = eff[(eff["source"] == "summary") & (eff["output"] == "jobs")].set_index("scenario")
    for s in e.index:
        assert jobs.loc[s, "effect"] == pytest.approx(e.loc[s, "effect"], rel=1e-9, abs=1e-9), s
    m = pd.read_csv(folder / "monitoring.csv")
    assert (m["low"] <= m["middle"]).all() and (m["middle"] <= m["high"]).all()
    # each band is the 10%, 50% and 90% of its strategy's runs at that month, the count the runs'
    mon = load_results(project / "results" / "main").monthly
    for row in m.sample(n=min(len(m), 60), random_state=1).itertuples():
        values = mon.loc[(mon["scenario"] == row.scenario) & (mon["point_id"] == row.point_id)
                         & (mon["month"] == row.month), row.output].dropna().to_numpy(float)
        assert row.n == values.size > 0 and row.quarter * 3 == row.month, row
        assert [row.low, row.middle, row.high] == pytest.approx(np.quantile(values, amemo.BAND), rel=1e-9, abs=1e-9), row
    for (_, output), g in m.groupby(["scenario", "output"]):
        if output in amemo.FLOWS:  # jobs are a stock: firms that exit take theirs
            assert g.sort_values("month")["middle"].is_monotonic_increasing, f"cumulative {output} only grows"


@pytest.mark.parametrize("spinup", [0, 36])
def test_each_governments_results_add_up_to_the_regions(spinup: int) -> None:
    """Cold and warm-started: after a spin-up, a government's projects, capital and broken promises count from
    month 0 as the region's do (the spin-up's projects are not the strategy's), so they still add up to them."""
    from modelkit import scenario

    out = simulate(scenario("channels", run__horizon_months=36, run__n_investors=1500, run__spinup_months=spinup),
                   seed=3).summary
    by = out["results_by_government"]
    assert set(by) == set(load_region("dingxi").governments)
    for what in ("signed_projects", "arrived_capital", "jobs", "promises_broken"):
        assert sum(v[what] for v in by.values()) == pytest.approx(out[what], rel=1e-9), what
    assert max(v["signed_projects"] for v in by.values()) < out["signed_projects"], "spread over governments"


# ----------------------------------------------------------------------------- the masthead file
def test_a_bad_brief_file_is_one_line(project: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "brief.toml"
    bad.write_text('[brief]\ntitel = { zh = "x", en = "y" }\n', encoding="utf-8")
    code = sim_main(["brief", str(project / "results" / "main"), "--config", str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "brief.titel" in err and "title" in err and "\n" not in err


def test_a_level_is_the_baseline_over_all_its_runs_plus_the_paired_effect(tmp_path: Path) -> None:
    """In an adaptive experiment a comparison pairs only some of the baseline's runs: its own means differ from
    the baseline's. The memo states one baseline (all its runs) and each strategy as that plus its paired effect."""
    from sim.report.figures import Figures

    pd.DataFrame([{"scenario": "baseline", "point_id": 0, "output": "jobs", "mean": 100.0},
                  {"scenario": "s", "point_id": 0, "output": "jobs", "mean": 130.0}]).to_parquet(tmp_path / "levels.parquet")
    pd.DataFrame([{"scenario": "s", "point_id": 0, "output": "jobs", "source": "summary", "effect": 25.0,
                   "mean_baseline": 105.0, "mean_scenario": 130.0}]).to_parquet(tmp_path / "effects.parquet")
    fg = Figures({"baseline": "baseline", "scenarios": [{"name": "baseline"}, {"name": "s"}]}, tmp_path, "zh")
    assert fg.base("jobs") == 100.0 and fg.level("s", "jobs") == 125.0 and fg.level("baseline", "jobs") == 100.0
    fg.fmt("baseline/jobs/level", "jobs", fg.base("jobs"))
    fg.fmt("baseline/jobs/level", "jobs", 105.0)
    assert fg.conflicts == [("baseline/jobs/level", 100.0, 105.0)]


# ----------------------------------------------------------------------------- explanations and futures
def _figures_with(effects: dict[str, dict], tmp_path: Path, lang: str):
    """Figures of an analysis without tables, holding the given 履约率 effect records (scenario -> record)."""
    from sim.report.figures import Figures
    from sim.stats import FULFILMENT

    an = {"baseline": "baseline", "scenarios": [{"name": n} for n in ("baseline", *effects)],
          "provenance": {"horizon_months": 60}}
    fg = Figures(an, tmp_path, lang)
    fg._effects = {(s, FULFILMENT): {"scenario": s, "output": FULFILMENT, **r} for s, r in effects.items()}
    return fg


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_rate_that_rises_through_fewer_signings_is_explained_by_its_counts(tmp_path: Path, lang: str) -> None:
    """Catches a rise of 履约率 reported as more projects done when it comes from fewer signings: the strategy whose
    rise the denominator carries is explained with both counts; one whose rise comes from more projects fulfilled,
    or whose rise is not certain, is not."""
    from sim.report.explain import rate_through_fewer_signings

    counts = {"numerator": "cohort_fulfilled_projects_24m", "denominator": "cohort_projects_24m"}
    fg = _figures_with({
        "fewer": {"effect": 0.21, "ci_low": 0.2, "ci_high": 0.22, "significant": True, "numerator_effect": -22.0,
                  "denominator_effect": -183.0, "from_numerator": -0.052, "from_denominator": 0.262, **counts},
        "more": {"effect": 0.03, "ci_low": 0.02, "ci_high": 0.04, "significant": True, "numerator_effect": 42.0,
                 "denominator_effect": 45.0, "from_numerator": 0.074, "from_denominator": -0.044, **counts},
        "unsure": {"effect": 0.05, "ci_low": -0.01, "ci_high": 0.11, "significant": False, "numerator_effect": -5.0,
                   "denominator_effect": -50.0, "from_numerator": -0.01, "from_denominator": 0.06, **counts}},
        tmp_path, lang)
    found = rate_through_fewer_signings(fg, lambda s: s)
    assert len(found) == 1
    text = found[0][1]
    assert text.startswith("fewer") and "180" in text and "22" in text and "5.2" in text
    assert ("反而降低" in text) if lang == "zh" else ("fall by" in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_fall_carried_by_projects_left_waiting_names_what_acts_on_waiting(tmp_path: Path, lang: str) -> None:
    """Catches a memo sentence ending "... make up for it. ." (the leading component, projects still waiting to
    start, had no levers listed, so an empty remedy was printed) and withdrawal wording for projects that did not
    withdraw: a fall of 履约率 carried by projects left waiting names serviced land and the approval counters, and a
    strategy taking one of them without more projects waiting; with no remedy, the sentence ends once."""
    from sim.model.vocabulary import measure
    from sim.report.explain import against_expectation
    from sim.report.strategies import Change
    from sim.stats import FULFILMENT

    fg = _figures_with({
        "chan": {"effect": -0.063, "ci_low": -0.08, "ci_high": -0.046, "significant": True},
        "park": {"effect": 0.12, "ci_low": 0.1, "ci_high": 0.14, "significant": True}}, tmp_path, lang)
    parts = {"waiting": -6.09, "outside_offer": -1.48, "not_serious": 0.79, "delay": 0.66}

    def rows(s: str, comps: dict[str, float]) -> list[dict]:
        kinds = {"waiting": "pipeline"}
        out = [{"scenario": s, "point_id": 0, "measure": FULFILMENT, "component": c, "kind": kinds.get(c, "withdrawal"),
                "mean": v} for c, v in comps.items()]
        return out + [{"scenario": s, "point_id": 0, "measure": FULFILMENT, "component": "total", "kind": "total",
                       "mean": sum(comps.values())}]

    table = pd.DataFrame(rows("chan", parts) + rows("park", {"waiting": 2.0, "no_land": 1.0}))
    table.to_parquet(tmp_path / "decomposition.parquet")
    park = [Change("budget.shares.park", 0.0, 0.3, "park")]
    found = [text for _, text in against_expectation(fg, {"chan": [], "park": park}, lambda s: s)]
    assert len(found) == 1, found
    text = found[0]
    assert ". ." not in text and "。。" not in text, text
    assert "6.1" in text and "1.5" in text and "0.8" in text, text
    named = [measure(k, lang) for k in ("park", "idle_assets", "one_stop_centre", "vertical_coordination")]
    assert all((n if lang == "zh" else n.lower()) in text for n in named), (named, text)
    assert ("未开工的项目没有增加" if lang == "zh" else "sees no more projects left waiting") in text, text
    assert "withdrawals" not in text.split("act on it")[-1] and "撤出没有增加" not in text, text

    fg = _figures_with({"chan": {"effect": -0.063, "ci_low": -0.08, "ci_high": -0.046, "significant": True}},
                       tmp_path, lang)
    pd.DataFrame(rows("chan", {"stalled": -6.0, "delay": 0.7})).to_parquet(tmp_path / "decomposition.parquet")
    text = against_expectation(fg, {"chan": []}, lambda s: s)[0][1]
    assert text.endswith("。" if lang == "zh" else ".") and ". ." not in text and "。。" not in text, text


def test_the_futures_are_named_by_their_mechanisms_when_they_are_many() -> None:
    """Catches a sentence listing a hundred assumptions: a few keys are named one by one, many by their groups."""
    from sim.paramdoc import param_label
    from sim.report.memo import FUTURE_NAMES, future_names

    few = ["behaviour.b_incentive", "hazards.incentive_broken"]
    assert future_names(few, "zh") == [param_label(k, "zh") for k in few]
    many = [*few, "behaviour.outside_option", "behaviour.outside_growth", "platform.park_build_months"]
    assert len(many) > FUTURE_NAMES
    names = future_names(many, "en")
    assert len(names) < len(many) and all("(" in n for n in names), names
    assert sum(int(n.rsplit("(", 1)[1].rstrip(")")) for n in names) == len(many)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_case_says_its_direction_in_words_not_with_a_minus_sign(lang: str) -> None:
    """Catches "about -990 fewer jobs": the bad case (what one run in twenty falls to) is stated as a size with its
    direction in words, fewer or still more jobs than the status quo, never as a negative number after "fewer"."""
    import re
    from types import SimpleNamespace

    from sim.report.figures import Figures
    from sim.report.memo import Memo

    def bad_case(d_p05: float) -> str:
        fg = Figures.__new__(Figures)
        fg.lang, fg.seen, fg.conflicts = lang, {}, []
        fg.spread = lambda scenario, output: {"d_p05": d_p05}
        return re.sub(r"<[^>]+>", "", Memo._bad_case(SimpleNamespace(fg=fg, zh=lang == "zh"), "plan"))

    worse, better = bad_case(-990.0), bad_case(480.0)
    assert "990" in worse and "-" not in worse, worse
    assert ("少约" in worse) if lang == "zh" else ("fewer" in worse), worse
    assert "480" in better and "-" not in better and (("仍多约" in better) if lang == "zh" else ("more" in better)), better


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_small_share_a_strategy_gives_a_lever_is_not_shown_as_nil(lang: str) -> None:
    """Catches "forums: budget share 0% -> 0%" beside 1.4 million yuan a year: a share that is not nil but under one
    percent keeps a decimal; whole percents and nil stay as they were."""
    from sim.report.strategies import Change, value_text

    key = "budget.shares.forums"
    assert value_text(key, 0.003, lang) == "0.3%" and value_text(key, 0.0, lang) == "0%"
    assert value_text(key, 0.25, lang) == "25%" and value_text(key, 0.04, lang) == "4%"
    moved = Change(key, 0.0, 0.003, "forums").prose(lang)
    assert "0%" in moved and "0.3%" in moved, moved


def test_a_setting_moved_by_a_point_is_kept_as_now_not_recommended() -> None:
    """Catches "(7) Leaders' attention. Leaders' attention from 20% to 19%" as a recommendation with its owners: a
    lever whose only change is a share moved by less than two points, with no money move, is kept about as now; a
    larger move, a money move, a switch or a setting not in shares stays a recommendation."""
    from sim.report.memo import SMALL_SETTING, kept_as_now
    from sim.report.strategies import Change

    def item(*changes: Change, money: bool = False) -> dict:
        return {"lever": "x", "changes": list(changes), "money": money}

    attention = "policy.leadership_attention"
    assert kept_as_now(item(Change(attention, 0.2, 0.19, "leadership_attention")))
    assert not kept_as_now(item(Change(attention, 0.2, 0.2 - 1.5 * SMALL_SETTING, "leadership_attention")))
    assert not kept_as_now(item(Change(attention, 0.2, 0.19, "leadership_attention"), money=True))
    assert not kept_as_now(item(Change(attention, 0.2, 0.19, "leadership_attention"),
                                Change("policy.team_quality", 0.3, 0.59, "team")))
    assert not kept_as_now(item(Change("policy.city_coordination", False, True, "city_coordination")))
    assert not kept_as_now(item(Change("policy.incentive_rate", 3.0, 2.99, "incentives")))
    assert not kept_as_now(item())


def recommendations_of(items: list[dict], lang: str = "en") -> str:
    """The recommendations section (``Memo.recommendations``) of a lead strategy whose lever moves are ``items``
    (as ``Memo.measures`` gives them), each lever named by its key with spaces, capitalised."""
    from types import SimpleNamespace

    from sim.experiment.recommended import NAME
    from sim.report.memo import Memo

    ns = SimpleNamespace(zh=lang == "zh", lang=lang, lead=NAME, years=5.0, t=lambda zh, en: zh if lang == "zh" else en,
                         measures=lambda s: items, lever_name=lambda lever: lever.replace("_", " ").capitalize(),
                         owners_text=lambda lever: f"Lead: {lever} office", label=lambda s: s,
                         fg=SimpleNamespace(money=lambda key, v, sign=False: f"{v:.0f}"))
    ns._money_move = lambda s, i: f"{i['lever']}: {i['after']:.0f} a year"
    ns._setting_moves = lambda i, limit=3: Memo._setting_moves(ns, i, limit)
    return Memo.recommendations(ns)


def test_each_money_move_is_headed_by_its_lever_and_what_to_do_with_its_money() -> None:
    """Catches English headings made of a verb and a bare lever name ("Start funding industrial park", "Raise
    promotion team"): each reads as the lever, then what to do with its money, by how the money moves."""
    import re

    def move(lever: str, before: float, after: float) -> dict:
        return {"lever": lever, "changes": [], "money": True, "before": before, "after": after, "delta": after - before}

    html = recommendations_of([move("industrial_park", 0.0, 900.0), move("promotion_team", 300.0, 600.0),
                               move("forums", 400.0, 200.0), move("investment_fund", 500.0, 10.0)])
    heads = re.findall(r"<b>(.*?)</b>", html)
    assert heads[:4] == ["Industrial park: start funding.", "Promotion team: spend more.", "Forums: spend less.",
                         "Investment fund: wind down."], heads
    zh = re.findall(r"<b>(.*?)</b>", recommendations_of([move("park", 0.0, 900.0)], "zh"))
    assert zh[0] == "启动Park。", zh


def test_the_recommendations_list_a_lever_kept_as_now_once_after_the_numbered_items() -> None:
    """Catches the memo numbering a lever it keeps about as now among its recommendations (with owners), or
    dropping it without a word: it is named once, after the numbered items, with its small move."""
    import re

    from sim.report.strategies import Change

    items = [{"lever": "idle_assets", "changes": [], "money": True, "before": 0.0, "after": 11000.0, "delta": 11000.0},
             {"lever": "leadership_attention", "money": False, "before": 380.0, "after": 360.0, "delta": -20.0,
              "changes": [Change("policy.leadership_attention", 0.2, 0.19, "leadership_attention")]}]
    html = recommendations_of(items)
    numbered = re.findall(r"<p class='rec'>\((\d+)\) (.*?)</p>", html)
    assert [n for n, _ in numbered] == ["1", "2"], numbered  # the idle assets, then monitoring
    assert not any("attention" in text for _, text in numbered), numbered
    tail = html.split("</p>")[-2]
    assert "Kept about as now" in tail and "from 20% to 19%" in tail, html
