"""The briefing of ``sim brief``: the decision memo of an analysed experiment (checked on the PDF text with
poppler's pdftotext), its fonts, its pages, and every figure it shows read from the analysis by one rule (the
baseline's mean over all its runs, a strategy's level that plus its paired effect)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
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
from test_memo import spans

from sim.analysis import load_analysis
from sim.cli import main as sim_main
from sim.paramdoc import param_label


@pytest.fixture(autouse=True, scope="module")
def _poppler():
    """The PDF checks need poppler (pdftotext, pdffonts, pdftoppm): scripts/install-system.sh installs it."""
    missing = [t for t in ("pdftotext", "pdffonts", "pdftoppm") if not shutil.which(t)]
    assert not missing, f"{', '.join(missing)} missing: run scripts/setup.sh (installs poppler-utils)"


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


def shown(briefs: Path, lang: str) -> dict[str, float]:
    """Every figure of the memo's HTML by quantity."""
    html = (briefs / f"brief_{lang}.html").read_text(encoding="utf-8")
    return {k: v for k, v, _ in spans(html) if v is not None}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_chinese_fonts_are_embedded_and_no_page_is_blank(briefs: Path, lang: str, tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    pdf = briefs / f"brief_{lang}.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [ln for ln in fonts.splitlines() if "CJKSC" in ln.replace("-", "").replace(" ", "")]
    assert rows, fonts
    assert all(ln.split()[-5] == "yes" for ln in rows), "the CJK fonts are embedded"
    html = (briefs / f"brief_{lang}.html").read_text(encoding="utf-8")
    assert html.count('"Noto Sans CJK SC"') >= 3, "font on the body, the headings and the page-margin boxes"
    for img in re.findall(r'<img src="([^"]+)"', html):
        assert (briefs / img).is_file(), img
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p*.png"))
    assert len(pages) >= 6
    for p in pages:
        grey = mpimg.imread(p)[..., :3].mean(axis=2)
        assert grey.var() > 0.001 and (grey < 0.8).mean() > 0.003, p.name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_level_is_the_baseline_plus_its_paired_effect(briefs: Path, small_results: Path, lang: str) -> None:  # noqa: F811
    """The comparison's effects are the analysis' paired effects; each level shown is the baseline's mean over all
    its runs plus that effect (one baseline for every section); cost per job is spending over jobs of those."""
    an = load_analysis(small_results)
    folder = small_results / "analysis"
    levels = pd.read_csv(folder / "levels.csv")
    base = levels[levels["scenario"] == an["baseline"]].set_index("output")["mean"]
    eff = pd.read_csv(folder / "effects.csv")
    eff = eff[eff["source"] == "summary"].set_index(["scenario", "output"])
    found = shown(briefs, lang)
    checked = 0
    for s in (x["name"] for x in an["scenarios"]):
        for o in (*an["headline_outputs"], "budget_spent"):
            key = f"{s}/{o}/level" if o != "budget_spent" else f"{s}/{o}/level@yi"
            if key not in found:
                continue
            e = 0.0 if s == an["baseline"] else eff.loc[(s, o), "effect"]
            assert found[key] == pytest.approx(abs(base[o] + e), rel=1e-9), key
            if s != an["baseline"] and f"{s}/{o}/effect" in found:
                assert found[f"{s}/{o}/effect"] == pytest.approx(abs(e), rel=1e-9), key
            checked += 1
        if f"{s}/cost_per_job" in found:
            spent = base["budget_spent"] + (0 if s == an["baseline"] else eff.loc[(s, "budget_spent"), "effect"])
            jobs = base["jobs"] + (0 if s == an["baseline"] else eff.loc[(s, "jobs"), "effect"])
            assert found[f"{s}/cost_per_job"] == pytest.approx(spent / jobs, rel=1e-9)
    assert checked >= 3 * len(an["scenarios"])


def test_the_comparison_says_what_was_left_unspent_borrowed_and_why_a_cost_is_missing(briefs: Path,
                                                                                      small_results: Path) -> None:  # noqa: F811
    """Each strategy's row of the comparison: its cost per extra job where both its spending and its jobs rise for
    certain (the cost table's), else the reason in words; 'same budget' for a strategy with the baseline's money;
    what it borrowed for the park and still owes; and the counts beside each rate."""
    an = load_analysis(small_results)
    found = shown(briefs, "zh")
    html = (briefs / "brief_zh.html").read_text(encoding="utf-8")
    html = html[html.index("七、各方案比较"):html.index("八、把握有多大")]
    titles = {s["name"]: s["title"]["zh"] for s in an["scenarios"]}
    rows = dict(re.findall(r"<tr><td class='name'>([^<]*)</td>(.*?)</tr>", html))
    for c in (c for c in an["costs"] if c["point_id"] == 0 and c["scenario"] != an["baseline"]):
        s = c["scenario"]
        row = rows[titles[s]]
        inc = c["incremental_cost_per_job"]
        if inc is not None and np.isfinite(inc):
            assert found[f"{s}/extra_cost_per_job"] == pytest.approx(inc, rel=1e-9), s
        else:
            why = {"spending_not_higher": "支出未确定增加", "jobs_not_higher": "岗位未确定增加"}[c["cost_per_job_note"]]
            assert why in row and f"{s}/extra_cost_per_job" not in found, s
        assert ("预算相同" in row) == bool(c.get("same_budget")), s
        if (c.get("budget_borrowed") or 0) > 0.5:
            assert f"{s}/source/borrowing/total@yi" in found and f"{s}/debt/level@yi" in found, s
        assert "履约项目" in row and "签约项目" in row, s


def test_the_appendix_ties_the_memo_to_its_runs_and_page_one_does_not(briefs: Path, small_results: Path) -> None:  # noqa: F811
    from sim.experiment.store import load_manifest

    m = load_manifest(small_results)
    for lang in ("zh", "en"):
        text = pdf_text(briefs / f"brief_{lang}.pdf")
        assert m["experiment_sha256"][:12] in text and m["code_version"][:12] in text
        first = text.split("\f")[0]
        assert m["experiment_sha256"][:12] not in first and "sha256" not in first


def test_what_the_results_hinge_on_names_the_screenings_top_assumption(briefs: Path, morris_results: Path) -> None:  # noqa: F811
    sens = load_analysis(morris_results)
    idx = [r for r in sens["sensitivity"]["indices"] if r["output"] == "jobs"]
    top = max(idx, key=lambda r: r["mu_star"])["parameter"]
    text = " ".join(pdf_text(briefs / "brief_zh.pdf").split())
    block = text[text.index("八、把握有多大"):text.index("九、")]
    assert param_label(top, "zh") in block.replace(" ", "")
    assert shown(briefs, "zh")[f"hinge/jobs/{top}"] == pytest.approx(max(r["mu_star"] for r in idx))


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
                     "--plan", "none", "--engine", "serial", "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    for lang in ("zh", "en"):
        pdf = tmp_path / "results" / "main" / "brief" / f"brief_{lang}.pdf"
        assert pdf.is_file() and str(pdf.relative_to(tmp_path)) in out
    data = json.loads((tmp_path / "results" / "main" / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    assert data["provenance"]["runs_done"] == 12
    # Resuming runs nothing new and writes the same numbers.
    post = data["posterior"]
    assert post["available"] and 1 < post["design"]["draws"] <= 4 and post["design"]["replications"] == 4
    assert {(r["scenario"], r["output"]) for r in post["effects"]} == {
        (s, o) for s in ("platforms", "soft_environment") for o in data["headline_outputs"]}
    html = (tmp_path / "results" / "main" / "brief" / "brief_en.html").read_text(encoding="utf-8")
    assert "carry parameter uncertainty" in html
    assert sim_main(["main", "--experiment", "experiments/main.toml", "--sensitivity", "none",
                     "--plan", "none", "--engine", "serial", "-q"]) == 0
    again = json.loads((tmp_path / "results" / "main" / "analysis" / "analysis.json").read_text(encoding="utf-8"))
    assert again["effects"] == data["effects"]
    assert np.isfinite([e["effect"] for e in again["effects"] if e["effect"] is not None]).all()


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
    """Both languages' memos run in workers forked after this process loaded WeasyPrint, scipy and the page
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
