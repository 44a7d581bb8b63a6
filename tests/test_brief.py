"""The policy briefing: 2-4 pages, Chinese font embedded, no blank page, and every printed number taken from
the analysis (checked on the PDF text with poppler's pdftotext), in Chinese and in English."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_analysis_experiments import (  # noqa: F401
    draws_results,
    draws_toml,
    morris_results,
    morris_toml,
    run_toml,
    small_results,
    strategies_toml,
)

from sim.analysis import load_analysis
from sim.cli import main as sim_main


@pytest.fixture(autouse=True, scope="module")
def _poppler():
    """The PDF checks need poppler (pdftotext, pdffonts, pdftoppm): scripts/install-system.sh installs it."""
    missing = [t for t in ("pdftotext", "pdffonts", "pdftoppm") if not shutil.which(t)]
    assert not missing, f"{', '.join(missing)} missing: run scripts/setup.sh (installs poppler-utils)"

NUMBER = re.compile(r"(?<![A-Za-z0-9_.,])[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![A-Za-z0-9_])")
FOOTER = re.compile(r"sha256|^第 ?\d+ ?/ ?\d+ ?页$|^page \d+ of \d+$")
SCALES = (1.0, 100.0, 1e-4, 1e4)


@pytest.fixture(scope="session")
def briefs(small_results: Path, morris_results: Path, tmp_path_factory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("brief")
    code = sim_main(["brief", str(small_results), "--lang", "both", "--out", str(out),
                     "--sensitivity", str(morris_results)])
    assert code == 0
    return out


def pdf_text(pdf: Path, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def json_numbers(obj, out: list[float]) -> list[float]:
    """Every number in the analysis JSON, including those inside its texts (formulas, rules)."""
    if isinstance(obj, dict):
        for v in obj.values():
            json_numbers(v, out)
    elif isinstance(obj, list):
        for v in obj:
            json_numbers(v, out)
    elif isinstance(obj, bool):
        pass
    elif isinstance(obj, int | float):
        out.append(float(obj))
    elif isinstance(obj, str):
        out += [float(x) for x in re.findall(r"\d+(?:\.\d+)?", obj)]
    return out


def printable(values: list[float], places: int) -> set[str]:
    """Each value in each display scale (x1, percent, 亿元, yuan) rounded to ``places`` decimals."""
    return {f"{abs(v * s):.{places}f}" for v in values for s in SCALES}


def body_numbers(text: str) -> list[str]:
    lines = [ln.strip() for ln in text.splitlines() if not FOOTER.search(ln.strip())]
    return NUMBER.findall("\n".join(lines))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_has_two_to_four_pages_and_embeds_the_chinese_font(briefs: Path, lang: str) -> None:
    pdf = briefs / f"brief_{lang}.pdf"
    assert 2 <= page_count(pdf) <= 4
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [ln for ln in fonts.splitlines() if "NotoSansCJKSC" in ln.replace("-", "").replace(" ", "")]
    assert rows, fonts
    assert all(ln.split()[-5] == "yes" for ln in rows), "Noto Sans CJK SC is embedded"
    html = (briefs / f"brief_{lang}.html").read_text(encoding="utf-8")
    assert html.count('"Noto Sans CJK SC"') >= 3, "font on the body and in the page-margin boxes"
    for img in re.findall(r'<img src="([^"]+)"', html):
        assert (briefs / img).is_file(), img


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_is_blank(briefs: Path, lang: str, tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    subprocess.run(["pdftoppm", "-r", "50", "-png", str(briefs / f"brief_{lang}.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p*.png"))
    assert 2 <= len(pages) <= 4
    for p in pages:
        grey = mpimg.imread(p)[..., :3].mean(axis=2)
        assert grey.var() > 0.001 and (grey < 0.8).mean() > 0.003, p.name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_printed_number_comes_from_the_analysis(briefs: Path, small_results: Path,  # noqa: F811
                                                     morris_results: Path, lang: str) -> None:  # noqa: F811
    values = json_numbers(load_analysis(small_results), []) + json_numbers(load_analysis(morris_results), [])
    allowed = {d: printable(values, d) for d in range(4)}
    text = pdf_text(briefs / f"brief_{lang}.pdf")
    found = body_numbers(text)
    assert len(found) > 60, "the briefing prints its numbers as text"
    stray = []
    for raw in found:
        num = raw.lstrip("+-−").replace(",", "")
        places = len(num.split(".")[1]) if "." in num else 0
        if num not in allowed[min(places, 3)]:
            stray.append(raw)
    assert not stray, f"numbers not in the analysis: {stray[:20]}"


def test_effects_table_equals_the_analysis(briefs: Path, small_results: Path) -> None:  # noqa: F811
    an = load_analysis(small_results)
    titles = {s["name"]: s["title"]["zh"] for s in an["scenarios"]}
    text = pdf_text(briefs / "brief_zh.pdf", layout=True)
    for scen in ("platforms", "soft_environment"):
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(titles[scen][:6]) and "[" in ln)
        got = NUMBER.findall(line)
        want = []
        for out in ("cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m", "jobs"):
            e = next(x for x in an["effects"] if x["scenario"] == scen and x["output"] == out
                     and x["source"] == "summary")
            for v in (e["effect"], e["ci_low"], e["ci_high"]):
                if out == "jobs":
                    want.append(f"{round(v, 0 if abs(e['effect']) >= 100 else 1):+,.{0 if abs(e['effect']) >= 100 else 1}f}")
                else:
                    want.append(f"{round(100 * v, 1):+.1f}")
        norm = [w.replace("+0.0", "0.0").replace("-0.0", "0.0") for w in want]
        assert [g.replace("−", "-") for g in got[:9]] == norm, line


def _money(v: float | None, sign: bool = False) -> str | None:
    if v is None:
        return None
    d = 1 if abs(v) >= 10 else 2
    return f"{v:+,.{d}f}" if sign else f"{v:,.{d}f}"


def test_cost_table_equals_the_analysis(briefs: Path, small_results: Path) -> None:  # noqa: F811
    an = load_analysis(small_results)
    titles = {s["name"]: s["title"]["zh"] for s in an["scenarios"]}
    text = pdf_text(briefs / "brief_zh.pdf", layout=True)
    block = text[text.index("策略的成本"):]
    for c in an["costs"]:
        line = next(ln for ln in block.splitlines() if ln.strip().startswith(titles[c["scenario"]][:6]))
        base = c["scenario"] == an["baseline"]
        jobs_d = 0 if c["jobs"] >= 100 else 1
        inc = c["incremental_cost_per_job"]
        borrowed = (c["budget_borrowed"] or 0) > 0
        want = [_money(c["budget_spent"] / 1e4), _money(c["budget_held"] / 1e4), _money(c["budget_returned"] / 1e4),
                *((_money(c["budget_borrowed"] / 1e4), _money(c["budget_debt"] / 1e4)) if borrowed else ()),
                f"{c['jobs']:,.{jobs_d}f}", _money(c["cost_per_job"]),
                None if base else _money(c["d_spent"] / 1e4, sign=True), None if base else _money(inc)]
        assert NUMBER.findall(line) == [w for w in want if w is not None], line
        if not base and inc is None:  # no cost per extra job: the cell says why
            why = {"spending_not_higher": "支出未增加", "jobs_not_higher": "岗位未确定增加"}[c["cost_per_job_note"]]
            assert why in line, line


def test_footer_ties_the_briefing_to_the_manifest(briefs: Path, small_results: Path) -> None:  # noqa: F811
    from sim.experiment.store import load_manifest

    m = load_manifest(small_results)
    for lang in ("zh", "en"):
        text = pdf_text(briefs / f"brief_{lang}.pdf")
        assert m["experiment_sha256"][:12] in text
        assert m["code_version"][:12] in text
        assert text.count(m["experiment_sha256"][:12]) == page_count(briefs / f"brief_{lang}.pdf"), "on every page"
    zh = pdf_text(briefs / "brief_zh.pdf")
    assert "主要结论" in zh and "关键假设" in zh and re.search(r"第 ?1 ?/ ?\d ?页", zh)


def test_key_assumptions_come_from_the_sensitivity_ranking(briefs: Path, morris_results: Path) -> None:  # noqa: F811
    from sim.paramdoc import param_label

    sens = load_analysis(morris_results)
    idx = [r for r in sens["sensitivity"]["indices"] if r["output"] == "cohort_fulfilment_rate_24m"]
    top = min(idx, key=lambda r: r["rank"])["parameter"]
    text = pdf_text(briefs / "brief_zh.pdf")
    block = text[text.index("关键假设"):]
    first = min((block.find(param_label(r["parameter"], "zh")) for r in idx), key=lambda i: i if i >= 0 else 10**9)
    assert block.find(param_label(top, "zh")) == first


def test_brief_of_a_folder_without_results_is_one_line(tmp_path: Path, capsys) -> None:
    assert sim_main(["brief", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "manifest.json" in err[0]


def test_sim_main_runs_and_briefs_in_both_languages(tmp_path: Path, monkeypatch, capsys) -> None:
    exp = tmp_path / "experiments"
    exp.mkdir()
    main = strategies_toml("main").replace('record = "monthly"', 'record = "monthly"\nparameters = "posterior"')
    (exp / "main.toml").write_text(main, encoding="utf-8")
    (exp / "morris.toml").write_text(morris_toml("morris"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = sim_main(["main", "--experiment", "experiments/main.toml", "--sensitivity", "experiments/morris.toml",
                     "--engine", "serial", "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    for lang in ("zh", "en"):
        pdf = tmp_path / "results" / "main" / "brief" / f"brief_{lang}.pdf"
        assert pdf.is_file() and str(pdf.relative_to(tmp_path)) in out
        assert 2 <= page_count(pdf) <= 4
    data = json.loads((tmp_path / "results" / "main" / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    assert data["provenance"]["runs_done"] == 12
    # Resuming runs nothing new and writes the same numbers.
    post = data["posterior"]
    assert post["available"] and 1 < post["design"]["draws"] <= 4 and post["design"]["replications"] == 4
    assert {(r["scenario"], r["output"]) for r in post["effects"]} == {
        (s, o) for s in ("platforms", "soft_environment") for o in data["headline_outputs"]}
    html = (tmp_path / "results" / "main" / "brief" / "brief_en.html").read_text(encoding="utf-8")
    assert "Parameter uncertainty is included" in html
    assert sim_main(["main", "--experiment", "experiments/main.toml", "--sensitivity", "none",
                     "--engine", "serial", "-q"]) == 0
    again = json.loads((tmp_path / "results" / "main" / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    assert again["effects"] == data["effects"]
    assert np.isfinite([e["effect"] for e in again["effects"] if e["effect"] is not None]).all()


def test_the_image_scale_search_finds_the_largest_fitting_scale_without_laying_out_twice() -> None:
    """Each layout of the briefing takes a second or two, so the scale is searched from a guess: whatever the
    guess, the answer must be the first step that fits (the largest charts), or the smallest scale when none
    does, and no step is laid out twice; a right guess costs at most two layouts."""
    import math

    from sim.report.brief import first_fitting

    for steps in range(1, 14):
        for first in range(1, steps + 2):  # first = steps + 1: no scale fits
            for guess in range(-1, steps + 3):
                tried: list[int] = []

                def fits(k: int, first: int = first, tried: list[int] = tried, steps: int = steps) -> bool:
                    assert 1 <= k <= steps
                    tried.append(k)
                    return k >= first

                assert first_fitting(fits, guess, steps) == min(first, steps)
                assert len(tried) == len(set(tried)) <= 2 * math.ceil(math.log2(steps + 1)) + 2
                if guess == first <= steps:
                    assert len(tried) <= 2


BRIEFING_WORKERS = """
import sys
from pathlib import Path

from sim.report import brief, cli


def spy(analysis_dir, out, lang, **kwargs):
    from sim.report import style

    return lang, all(m in sys.modules for m in ("weasyprint", "scipy.special", "sim.report.policy")), style._done


if __name__ == "__main__":
    brief.write_brief = spy
    print(cli.write_briefs(Path(sys.argv[1]), Path(sys.argv[2]), ("zh", "en")))
"""


def test_briefing_workers_start_with_the_libraries_loaded(small_results: Path, tmp_path: Path) -> None:  # noqa: F811
    """Both languages' briefings run in workers forked after this process loaded WeasyPrint, scipy and the page
    modules and set the chart style up during the analysis (a fresh process, which has loaded none before)."""
    import sys

    script = tmp_path / "briefing_workers.py"
    script.write_text(BRIEFING_WORKERS)
    folder = tmp_path / "results"
    shutil.copytree(small_results, folder)
    done = subprocess.run([sys.executable, str(script), str(folder), str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=300, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[('zh', True, True), ('en', True, True)]", done.stdout
