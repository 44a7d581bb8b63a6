"""The briefing of an analysed experiment: the decision memo (:mod:`sim.report.memo`) as PDF and HTML, in Chinese
or English, with its charts.

:func:`write_brief` draws the charts (:mod:`sim.report.experiment_charts`, and with ``levers_dir`` the chart of
which lever bought what), builds the memo from the analysis (with the optimiser's folder, the recommendation
leads it), and renders it with WeasyPrint, the CJK fonts set on the body and in the page-margin boxes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.analysis.data import AnalysisError
from sim.analysis.tables import ANALYSIS_DIR, load_analysis
from sim.files import atomic_write, atomic_write_text
from sim.report.experiment_charts import all_charts
from sim.report.memo import Memo, MemoConfig, check, load_config
from sim.report.pages import local_fetcher
from sim.report.policy import lever_chart, read_discovery
from sim.report.style import FontMissing, setup


class MemoError(AnalysisError):
    """The memo would print a quantity with two values (one line per quantity)."""


def load_briefing() -> None:
    """Import what a briefing needs beyond this module's own imports (matplotlib, scipy, the analysis and chart
    modules: WeasyPrint; 3-4 s in all in a fresh process on the project's machine) and register the chart style,
    so that workers forked afterwards start with them. (Fonts are parsed again in each worker: matplotlib empties
    its font cache in a forked child.) Only a head start: a missing font is reported by the briefing itself."""
    import weasyprint  # noqa: F401

    try:
        setup()
    except FontMissing:
        pass


def write_brief(analysis_dir: str | Path, out: str | Path, lang: str = "zh", sensitivity_dir: str | Path | None = None,
                discover: list[str | Path] | None = None, policy_dir: str | Path | None = None,
                levers_dir: str | Path | None = None, config: str | Path | MemoConfig | None = None) -> dict:
    """Draw the charts and write ``brief_<lang>.html`` and ``brief_<lang>.pdf`` (the memo) into ``out``; returns
    the files and the page count.

    ``analysis_dir`` is a results folder or its ``analysis`` folder (analysed by ``sim analyse``; a recommended
    allocation among its strategies, or joined to it, leads the memo); ``sensitivity_dir`` optionally names
    another analysed results folder with a Sobol' or Morris design (what the results hinge on); ``policy_dir`` the results of ``sim optimise``
    (how the recommendation was searched); ``levers_dir`` a Sobol' design over budget shares; ``config`` the
    memo's masthead (a file of :func:`sim.report.memo.load_config`, or its settings).
    """
    import weasyprint

    analysis_dir = Path(analysis_dir)
    if not (analysis_dir / "analysis.json").is_file() and (analysis_dir / ANALYSIS_DIR / "analysis.json").is_file():
        analysis_dir = analysis_dir / ANALYSIS_DIR
    an = load_analysis(analysis_dir)
    sens = load_analysis(sensitivity_dir) if sensitivity_dir else None
    if sens is not None and not (sens.get("sensitivity", {}).get("available") or sens.get("screening", {}).get("available")):
        sens = None
    if sens is None and an.get("sensitivity", {}).get("available"):
        sens = an
    cfg = config if isinstance(config, MemoConfig) else (load_config(config) if config else MemoConfig())
    out = Path(out)
    chart_dir = out / f"charts_{lang}"
    if chart_dir.exists():
        shutil.rmtree(chart_dir)
    files = all_charts(an, analysis_dir, chart_dir, lang, sens=sens)
    if levers_dir is not None:
        files["levers"] = lever_chart(levers_dir, chart_dir, lang)
    rel = {k: f"{chart_dir.name}/{p.name}" for k, p in files.items()}
    memo = Memo(an, analysis_dir, lang, cfg, sensitivity=sens, policy_dir=policy_dir,
                discoveries=[read_discovery(f) for f in discover or []])
    text = memo.html(rel)
    problems = check(memo)
    if problems:
        raise MemoError(f"{analysis_dir}: key 'figures': expected one value per quantity, found {problems[0]}"
                        + (f" and {len(problems) - 1} more" if len(problems) > 1 else ""))
    doc = weasyprint.HTML(string=text, base_url=str(out) + "/", url_fetcher=local_fetcher()).render()
    html_path = out / f"brief_{lang}.html"
    pdf_path = out / f"brief_{lang}.pdf"
    atomic_write_text(html_path, text)
    atomic_write(pdf_path, doc.write_pdf)
    return {"html": html_path, "pdf": pdf_path, "charts": chart_dir, "pages": len(doc.pages)}
