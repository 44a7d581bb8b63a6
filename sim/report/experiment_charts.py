"""Charts of an experiment for the briefing: effects (or a sweep's response curve), funnel and withdrawals, capital
over time, costs, sensitivity.

Every chart reads an analysis (``analysis.json`` and the tables next to it,
written by ``sim analyse``), never the runs; its title is the finding, computed
by :class:`sim.report.findings.Findings`; axes carry units; uncertainty is
drawn (95% intervals as whiskers or bands). Chinese by default, English with
``lang="en"``. Capital and budgets are shown in 亿元 (bn yuan in English).

Readable by an official: each chart is drawn at the width it is printed at
(the text width of an A4 page), so its type sizes are the printed ones, none
below ``style.MIN_PRINT_PT``; :func:`layout` wraps titles to the width they
have, keeps rows as tall as their labels need, moves a legend that would hide
data and thins crowded numeric ticks, and the tests check every chart with
``style.text_overlaps``. Each strategy keeps one colour and one marker
(``style.strategy_style``) in every chart.
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.tables import read_table
from sim.experiment.assumptions import assumption_label as param_label
from sim.model import registry
from sim.model.vocabulary import FUNNEL, REASON_NAMES, month_axis, pick
from sim.report import numbers as nb
from sim.report import style
from sim.report.findings import Findings
from sim.stats import HEADLINE_OUTPUTS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TEXT_WIDTH = 7.0
"""Inches: the text width of an A4 page with 1.6 cm margins (17.8 cm), the width the briefing prints a chart at."""
WIDTH = TEXT_WIDTH
"""Every chart of the briefing is drawn at the width it is printed at, so its type sizes are the printed ones (at
least ``style.MIN_PRINT_PT``)."""
DPI = 200
REASON_COLOURS = ("#8c510a", "#d8b365", "#5ab4ac", "#01665e", "#b2abd2", "#5e3c99", "#e08214", "#999999", "#c7eae5")
OTHER_COLOUR = "#d9d9d9"
STAGE_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#2171b5", "#08306b")
TICK_PT, LABEL_PT, NOTE_PT, LEGEND_PT, PANEL_PT, TITLE_PT = 8.0, 8.5, 7.5, 7.5, 9.5, 11.0
"""Type sizes (points, as printed): tick labels, axis labels, notes, legends, panel titles, the chart's title."""
TOP_REASONS = 5
"""Withdrawal reasons drawn one by one; the others are summed as one segment."""


def wrap(text: str, lang: str, width: int | None = None) -> str:
    """Break a title or label into lines: Chinese after punctuation where possible, never inside a number;
    English by words."""
    if lang != "zh":
        return textwrap.fill(text, width or 64)
    width = width or 30
    lines = []
    rest = text
    while len(rest) > width:
        cut = max((rest.rfind(p, 0, width) for p in "，：；、）」 "), default=-1)
        if cut < width // 2:
            cut = width
            while 0 < cut < len(rest) and (rest[cut - 1].isdigit() or rest[cut - 1] in ".,%") and (
                    rest[cut].isdigit() or rest[cut] in ".,%"):
                cut -= 1
        else:
            cut += 1
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    lines.append(rest)
    return "\n".join(lines)


def _short(name: str, lang: str) -> str:
    return wrap(name, lang, 14 if lang == "zh" else 30)


def _row_height(labels: list[str], size: float = TICK_PT, least: float = 0.24) -> float:
    """Height per row (inches) at which no two neighbouring ``labels`` (in the order of their rows, lines of
    ``size`` points, each centred on its row) touch: a long name needs room from its neighbours only."""
    lines = [lab.count("\n") + 1 for lab in labels] or [1]
    pairs = [(a + b) / 2 for a, b in zip(lines, lines[1:], strict=False)] or lines
    return max(least, max(pairs) * size * 1.25 / 72 + 0.06)


def panel_title(output: str, lang: str) -> str:
    """Name of an output above a chart panel (its label in ``sim.model.registry``)."""
    return registry.label(output, lang)


def new_figure(n_rows: int, ncols: int = 1, height_per_row: float = 0.42, extra: float = 1.6,
               width: float = WIDTH) -> tuple[Figure, np.ndarray]:
    """A chart of ``ncols`` panels side by side, the text width wide and tall enough for ``n_rows`` rows (inches:
    ``extra + height_per_row * n_rows``, at least 2.6): the figure and its row of axes."""
    style.setup()
    import matplotlib.pyplot as plt

    h = max(2.6, extra + height_per_row * n_rows)
    fig, axes = plt.subplots(1, ncols, figsize=(width, h), squeeze=False)
    for ax in axes[0]:
        ax.tick_params(labelsize=TICK_PT)
        ax.xaxis.label.set_size(LABEL_PT)
        ax.yaxis.label.set_size(LABEL_PT)
    return fig, axes[0]


def panels_with_legend(height: float, ncols: int, legend_lines: int,
                       width: float = WIDTH) -> tuple[Figure, list, object]:
    """A chart of ``ncols`` panels side by side with a row below them for a legend of ``legend_lines`` lines (so
    the legend covers neither data nor labels): the figure (``height`` inches plus the legend's), its panels and
    the legend's axes (no frame, no ticks)."""
    style.setup()
    import matplotlib.pyplot as plt

    legend_h = max(legend_lines, 1) * LEGEND_PT * 1.5 / 72
    fig = plt.figure(figsize=(width, height + legend_h))
    grid = fig.add_gridspec(2, ncols, height_ratios=(height, legend_h))
    axes = [fig.add_subplot(grid[0, j]) for j in range(ncols)]
    for ax in axes:
        ax.tick_params(labelsize=TICK_PT)
    lax = fig.add_subplot(grid[1, :])
    lax.axis("off")
    return fig, axes, lax


def fit_text(text, width_px: float, lang: str, renderer) -> None:
    """Wrap a text artist (a title) into lines no wider than ``width_px`` pixels, measured in its own font."""
    raw = getattr(text, "_raw", None)
    if raw is None:
        raw = text.get_text()
        text._raw = raw
    if not raw:
        return
    props = text.get_fontproperties()
    measured: dict[str, float] = {}  # each line measured once: narrower wraps share most of their lines

    def widest(candidate: str) -> float:
        for line in candidate.split("\n"):
            if line not in measured:
                measured[line] = renderer.get_text_width_height_descent(line, props, ismath=False)[0]
        return max(measured[line] for line in candidate.split("\n"))

    lines = []
    for part in raw.split("\n"):  # the text's own line breaks stay; each line is wrapped to the width
        candidate = part
        tried = set()  # wraps already found too wide (English words wrap the same over several widths)
        for chars in range(len(part), 3, -1):
            candidate = wrap(part, lang, chars) if len(part) > chars else part
            if candidate in tried:
                continue
            tried.add(candidate)
            if widest(candidate) <= width_px:
                break
        lines.append(candidate)
    text.set_text("\n".join(lines))


def layout(fig: Figure, lang: str) -> None:
    """Lay a chart out: its title, panel titles and note wrapped to the width they have, room for each (the figure
    grows until every panel is as tall as the chart asked, ``fig._panel_height`` inches: a long title does not
    squeeze the rows), then the steps that need the final positions (labels placed beside markers)."""
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    note = getattr(fig, "_note", None)
    for _ in range(2):
        if fig._suptitle is not None:
            fit_text(fig._suptitle, fig.bbox.width * 0.97, lang, renderer)
        if note is not None:
            fit_text(note, fig.bbox.width * 0.97, lang, renderer)
        for ax in fig.axes:
            if ax.get_visible() and ax.axison and ax.get_title():
                fit_text(ax.title, ax.get_window_extent(renderer).width, lang, renderer)
        for _grow in range(4):
            bottom = 0.0
            if note is not None:
                bottom = (note.get_window_extent(renderer).height + 0.08 * dpi) / fig.bbox.height
            fig.tight_layout(rect=(0, bottom, 1, 1))
            if clear_legends(fig, renderer):
                continue
            need = getattr(fig, "_panel_height", 0.0)
            panels = [ax.get_position().height * fig.get_size_inches()[1] for ax in fig.axes if ax.axison]
            if not panels or min(panels) >= need - 0.01:
                break
            w, h = fig.get_size_inches()
            fig.set_size_inches(w, h + need - min(panels))
    for ax in fig.axes:
        if ax.get_visible() and ax.axison:
            thin_ticks(ax.xaxis, renderer)
    for step in getattr(fig, "_after_layout", []):
        step(renderer)


LEGEND_PLACES = ("upper right", "lower right", "upper left", "lower left", "center right", "center left",
                 "upper center", "lower center")
"""Corners and sides of a panel where a legend may sit when where it was put would hide data."""


def clear_legends(fig: Figure, renderer) -> bool:
    """Move any legend placed inside a panel that would hide a marker, a bar or a label there: to the first free
    place of ``LEGEND_PLACES`` inside the panel, else beside it (right of it, top-aligned). True when one moved
    (the chart is then laid out again). A legend never covers data."""
    moved = False
    for ax in fig.axes:
        lg = ax.get_legend()
        if (lg is None or not lg.get_visible() or not ax.axison
                or lg.get_bbox_to_anchor().bounds != ax.bbox.bounds):
            continue  # none, in a row of its own (no axes drawn), or placed on purpose outside the panel
        labels = [t.get_window_extent(renderer) for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts)
                  if t.get_visible() and t.get_text()]

        def hides(legend=lg, axes=ax, labels=labels) -> bool:
            box = legend.get_window_extent(renderer)
            inside = axes.get_window_extent(renderer)
            return (style.covered(box, axes, renderer, bars=True) or any(style.overlap(box, b) for b in labels)
                    or box.x0 < inside.x0 - 1 or box.x1 > inside.x1 + 1)

        if not hides():
            continue
        moved = True
        for place in LEGEND_PLACES:
            lg.set_loc(place)
            if not hides():
                break
        else:
            lg.set_bbox_to_anchor((1.02, 1.0), transform=ax.transAxes)
            lg.set_loc("upper left")
    return moved


NUMBER_TICK = re.compile(r"^[-+−]?[\d,.]+\s*\S{0,3}$")


def thin_ticks(axis, renderer) -> None:
    """Hide numeric tick labels that would run into their neighbour (the ends are kept): values crowded at one end
    of a sweep ("0% 1% 2%") stay legible. Labels that name things are never hidden."""
    labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
    if len(labels) < 3 or not all(NUMBER_TICK.match(t.get_text()) for t in labels):
        return
    boxes = [t.get_window_extent(renderer) for t in labels]
    order = sorted(range(len(labels)), key=lambda i: boxes[i].x0)
    kept = [order[0]]
    for i in order[1:]:
        if boxes[i].x0 > boxes[kept[-1]].x1 + 2:
            kept.append(i)
        elif i == order[-1] and len(kept) > 1:  # the last value is shown rather than the one before it
            kept[-1] = i
    for i, t in enumerate(labels):
        t.set_visible(i in kept)


def save_chart(fig: Figure, path: Path, title: str, lang: str) -> Path:
    """Give ``fig`` its title (the finding), lay it out (:func:`layout`), write it to ``path`` as PNG and close it."""
    import matplotlib.pyplot as plt

    fig.suptitle(title, fontsize=TITLE_PT, fontweight="bold", x=0.01, ha="left")
    fig.set_dpi(DPI)  # laid out at the resolution it is saved at: text is measured as it will be drawn
    layout(fig, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, facecolor="white", pil_kwargs=style.PNG_FAST)
    plt.close(fig)
    return path


def add_note(fig: Figure, text: str) -> None:
    """A note in small grey type under the chart (what it counts, what the whiskers are)."""
    fig._note = fig.text(0.01, 0.01, text, fontsize=NOTE_PT, color="#555555", ha="left", va="bottom")


def _ci_note(lang: str, n: str | None) -> str:
    """The note under the effects chart; ``n`` the replications the comparisons took ("30", "10–80")."""
    reps = f"，每个策略重复{n}次" if (lang == "zh" and n) else (f", {n} replications per strategy" if n else "")
    return (f"横线为 95% 置信区间（与基线按重复配对）{reps}；空心点：与基线差异不显著"
            if lang == "zh" else f"Change from the baseline; whiskers: 95% confidence intervals (paired by replication)"
                                  f"{reps}; hollow: not distinguishable from the baseline")


def _few_ticks(ax, axis: str = "x", n: int = 4) -> None:
    """At most ``n`` ticks on an axis of a narrow panel (their labels never run into each other)."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(nbins=n, min_n_ticks=2))


def strategy_styles(f: Findings) -> dict[str, tuple[str, str]]:
    """Colour and marker of every strategy, the same in every chart (``style.strategy_style``); every region's
    baseline has the baseline's."""
    others = f.scenarios(include_baseline=False)
    out = {s: style.strategy_style(k) for k, s in enumerate(others)}
    out.update({s: style.strategy_style(0, baseline=True) for s in f.scenarios() if f.is_baseline(s)})
    return out


# ----------------------------------------------------------------------------- 1 effects of strategies
def comparison_chart(an: dict, path: Path, lang: str = "zh",
                     outputs: tuple[str, ...] = HEADLINE_OUTPUTS) -> Path:
    """Effect of each strategy on the headline outputs against the baseline, with 95% intervals (at the briefing's
    design point)."""
    f = Findings(an, lang)
    first = f.effects(outputs[0])
    order = [e["scenario"] for e in sorted(first, key=lambda e: e["effect"] if e["effect"] is not None else -1e99)]
    n = len(order)
    labels = [_short(f.label(s), lang) for s in order]
    fig, axes = new_figure(n, len(outputs), height_per_row=_row_height(labels), extra=2.0)
    fig._panel_height = _row_height(labels) * (n + 0.2)
    y = np.arange(n)
    used = sorted({int(e["n"]) for o in outputs for e in f.effects(o) if e.get("n")})
    reps = (f"{used[0]}" if used[0] == used[-1] else f"{used[0]}–{used[-1]}") if used else None
    for ax, out in zip(axes, outputs, strict=True):
        recs = {e["scenario"]: e for e in f.effects(out)}
        for i, s in enumerate(order):
            e = recs.get(s)
            if not e or e["effect"] is None:
                continue
            v = nb.display(out, e["effect"], lang)
            lo = nb.display(out, e["ci_low"], lang)
            hi = nb.display(out, e["ci_high"], lang)
            colour = style.PALETTE[0] if v >= 0 else style.PALETTE[1]
            if lo is not None:
                ax.plot([lo, hi], [i, i], color=colour, lw=2.2, solid_capstyle="butt")
            ax.plot([v], [i], "o", ms=6.5, color=colour, mfc=colour if e["significant"] else "white", mew=1.6)
        ax.axvline(0, color="#333333", lw=0.9)
        ax.set_yticks(y)
        ax.set_yticklabels(labels if ax is axes[0] else [], fontsize=TICK_PT)
        ax.set_title(panel_title(out, lang), fontsize=PANEL_PT, fontweight="normal")
        unit = nb.short_unit(out, lang, effect=True)
        ax.set_xlabel((f"与基线之差（{unit}）" if lang == "zh" else f"Change ({unit})"), fontsize=LABEL_PT)
        _few_ticks(ax)
        if nb.kind(out) == "count":
            ax.xaxis.set_major_formatter(_thousands())
        ax.grid(axis="y", alpha=0)
        ax.set_ylim(-0.6, n - 0.4)
    add_note(fig, _ci_note(lang, reps) + "\n" + _definitions(an, outputs, lang))
    return save_chart(fig, path, f.title_comparison(), lang)


def _definitions(an: dict, outputs: tuple[str, ...], lang: str) -> str:
    """One line per cohort output saying what it counts (from the analysis)."""
    defs = an.get("definitions", {})
    return "\n".join(defs[o][lang] for o in outputs if o.startswith("cohort_") and o in defs)


# ----------------------------------------------------------------------------- 1b a sweep's response curve
def _value_text(value: float, unit: str) -> str:
    text = f"{value:,.4g}"
    return f"{text}{unit}" if unit == "%" else (f"{text} {unit}" if unit else text)


def response_lines(an: dict, lang: str) -> tuple[str, list[tuple[str, int, str]], pd.DataFrame]:
    """What a response chart draws: the measure ("effect" against the baseline, or the baseline's "level" when the
    sweep compares no strategy), its curves as (scenario, series, name in the legend) and the rows of the
    analysis' response curve that make them."""
    f = Findings(an, lang)
    resp = an.get("response") or {}
    rows = pd.DataFrame(resp.get("rows") or [])
    if rows.empty:
        return "effect", [], rows
    measure = "effect" if (rows["measure"] == "effect").any() else "level"
    rows = rows[rows["measure"] == measure]
    if measure == "level":
        rows = rows[rows["scenario"] == f.baseline]
    scenarios = [s for s in f.scenarios() if s in set(rows["scenario"])]
    series = sorted(set(rows["series"]))
    lines = []
    for s in scenarios:
        for k in series:
            sub = rows[(rows["scenario"] == s) & (rows["series"] == k)]
            if sub.empty:
                continue
            part = str(sub[f"series_name_{lang}"].iloc[0] or "")
            name = f.label(s) if len(series) == 1 else (part if len(scenarios) == 1 else f"{f.label(s)} · {part}")
            lines.append((s, int(k), name))
    return measure, lines, rows


def response_chart(an: dict, path: Path, lang: str = "zh", outputs: tuple[str, ...] = HEADLINE_OUTPUTS) -> Path:
    """A sweep's response curve: each strategy's effect on the headline outputs (or the baseline's level when the
    sweep has no other strategy) against the swept value, one curve per setting of the other varied parameters,
    each point with its 95% interval as a band; the points are the analysis' per-point effects."""

    f = Findings(an, lang)
    resp = an.get("response") or {}
    measure, lines, rows = response_lines(an, lang)
    names = [wrap(n, lang, 34 if lang == "zh" else 60) for _, _, n in lines]
    ncol = 2 if len(lines) > 1 else 1
    fig, axes, lax = panels_with_legend(3.4, len(outputs),
                                        math.ceil(len(lines) / ncol) * max(n.count("\n") + 1 for n in names or [""]))
    fig._panel_height = 1.9
    unit_x = (resp.get("x_unit") or {}).get(lang, "")
    xs = sorted(set(rows["x"])) if not rows.empty else []
    handles = []
    for ax, out in zip(axes, outputs, strict=True):
        ax.tick_params(labelsize=TICK_PT)
        for k, (s, series, _) in enumerate(lines):
            d = rows[(rows["scenario"] == s) & (rows["series"] == series) & (rows["output"] == out)].sort_values("x")
            if d.empty:
                continue
            colour, marker = style.strategy_style(k)
            sc = nb.scale(out, lang)
            x, mean = d["x"].to_numpy(float), d["mean"].to_numpy(float) * sc
            lo, hi = d["ci_low"].to_numpy(float) * sc, d["ci_high"].to_numpy(float) * sc
            ax.fill_between(x, lo, hi, color=colour, alpha=0.12 if len(lines) > 1 else 0.16, lw=0)
            sig = d["significant"].fillna(True).astype(bool).to_numpy() if measure == "effect" else np.ones(len(d), bool)
            h, = ax.plot(x, mean, color=colour, lw=1.6, marker=marker, ms=5.5, mfc=colour, mec=colour)
            ax.plot(x[~sig], mean[~sig], ls="none", marker=marker, ms=5.5, mfc="white", mec=colour, mew=1.3)
            if ax is axes[0]:
                handles.append(h)
        if measure == "effect":
            ax.axhline(0, color="#333333", lw=0.9)
        ax.set_title(panel_title(out, lang), fontsize=PANEL_PT, fontweight="normal")
        unit = nb.short_unit(out, lang, effect=measure == "effect")
        ylab = (("与基线之差" if measure == "effect" else "水平") if lang == "zh"
                else ("Change" if measure == "effect" else "Level"))
        ax.set_ylabel(f"{ylab}（{unit}）" if lang == "zh" and unit else (f"{ylab} ({unit})" if unit else ylab),
                      fontsize=LABEL_PT)
        ax.set_xticks(xs)
        ax.set_xticklabels([_value_text(v, unit_x) for v in xs], fontsize=TICK_PT)
        _few_ticks(ax, "y", 5)
        if nb.kind(out) == "count":
            ax.yaxis.set_major_formatter(_thousands())
        ax.set_xlabel(wrap((resp.get("x_label") or {}).get(lang, ""), lang, 12 if lang == "zh" else 24),
                      fontsize=LABEL_PT)
    if handles:
        lax.legend(handles, names[:len(handles)], loc="upper left", ncol=ncol, fontsize=LEGEND_PT, frameon=False,
                   borderaxespad=0, handlelength=2.2, columnspacing=1.5)
    n = int(rows["n"].max()) if not rows.empty else None
    if lang == "zh":
        note = (f"每个点为一个设计点（与基线按重复配对，每点 {n} 次重复）；阴影为 95% 置信区间；空心点：与基线差异不显著"
                if measure == "effect" else f"每个点为一个设计点（每点 {n} 次重复）；阴影为 95% 置信区间")
    else:
        note = (f"Each point is a design point (paired with the baseline by replication, {n} replications each); shading: "
                f"95% confidence interval; hollow: not distinguishable from the baseline" if measure == "effect" else
                f"Each point is a design point ({n} replications each); shading: 95% confidence interval")
    add_note(fig, note)
    return save_chart(fig, path, f.title_response(outputs[0]), lang)


# ----------------------------------------------------------------------------- 2 funnel and withdrawals
def funnel_chart(an: dict, path: Path, lang: str = "zh", stage: str = "after_signing") -> Path:
    """The pipeline per strategy, two panels on one row of strategies: projects signed, started and operating
    (nested bars with 95% intervals), and withdrawals after signing per 100 signed, stacked by reason (the
    largest reasons one by one, the rest together) with the 95% interval of the total. Drawn at the text width,
    every type size at least ``style.MIN_PRINT_PT`` as printed."""
    import matplotlib.pyplot as plt

    style.setup()
    f = Findings(an, lang)
    rows = pd.DataFrame([r for r in an.get("funnel", []) if r["point_id"] == f.point])
    wd = pd.DataFrame([w for w in an.get("withdrawals", []) if w["point_id"] == f.point and w["stage"] == stage])
    have = set(rows["scenario"]) if not rows.empty else set()
    order = [s for s in f.scenarios() if s in have][::-1]
    labels = [wrap(f.label(s), lang, 12 if lang == "zh" else 26) for s in order]
    row_h = _row_height(labels)
    reasons = _top_reasons(wd)
    legend_rows = math.ceil((len(reasons) + 1) / 2)
    fig = plt.figure(figsize=(WIDTH, 1.9 + legend_rows * LEGEND_PT * 1.5 / 72 + row_h * len(order)))
    fig._panel_height = row_h * (len(order) + 0.2)
    grid = fig.add_gridspec(1, 2, width_ratios=(1.0, 1.15))
    ax = fig.add_subplot(grid[0, 0])
    ax2 = fig.add_subplot(grid[0, 1], sharey=ax)
    y = np.arange(len(order))
    bars = (("signed", 0.72, STAGE_COLOURS[2]), ("building", 0.5, STAGE_COLOURS[3]), ("operating", 0.28, STAGE_COLOURS[4]))
    top = 0.0
    for i, s in enumerate(order):
        sub = rows[rows["scenario"] == s].set_index("stage")
        for st, h, colour in bars:
            if st not in sub.index:
                continue
            r = sub.loc[st]
            ax.barh(i, r["mean"], height=h, color=colour, label=pick(FUNNEL[st], lang) if i == 0 else None)
            if math.isfinite(r["ci_low"]):
                ax.errorbar(r["mean"], i, xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]], fmt="none",
                            ecolor="#c00000" if st == "operating" else "#333333", capsize=2, lw=0.9)
            top = max(top, r["ci_high"] if math.isfinite(r["ci_high"]) else r["mean"])
    ax.set_xlim(0, top * 1.04 if top > 0 else 1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=TICK_PT)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.xaxis.set_major_formatter(_thousands())
    _few_ticks(ax)
    ax.set_xlabel(wrap(f"项目数（个，第 {f.horizon} 个月前累计）" if lang == "zh"
                       else f"Projects (cumulative to month {f.horizon})", lang, 40), fontsize=LABEL_PT)
    ax.grid(axis="y", alpha=0)
    ax.legend(ncol=3, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=LEGEND_PT, borderaxespad=0.3,
              handlelength=1.2, columnspacing=0.8)
    _withdrawal_bars(ax2, wd, order, reasons, lang)
    ax2.tick_params(labelleft=False)
    ax2.set_xlabel(wrap("每 100 个签约项目中签约后撤出的项目（个）" if lang == "zh"
                        else "Withdrawn after signing per 100 signed (projects)", lang, 40), fontsize=LABEL_PT)
    for a in (ax, ax2):
        a.tick_params(labelsize=TICK_PT)
    second = f.title_withdrawals(named=False)
    title = (f"{f.title_funnel()}；{second}" if lang == "zh" else f"{f.title_funnel()}; {second[:1].lower()}{second[1:]}")
    add_note(fig, "误差线：95% 置信区间（右图为撤出总数）；接洽与洽谈的项目数见分析表 funnel" if lang == "zh"
             else "Error bars: 95% confidence intervals (right: of the total withdrawn); contacts and negotiations: "
                  "table funnel of the analysis")
    return save_chart(fig, path, title, lang)


def _top_reasons(wd: pd.DataFrame) -> list[str]:
    """The withdrawal reasons drawn one by one: the ``TOP_REASONS`` largest over every strategy, in the order of
    the vocabulary."""
    if wd.empty:
        return []
    totals = wd[wd["reason"] != "total"].groupby("reason")["per_100_signed"].sum()
    big = [r for r in totals.sort_values(ascending=False).index if totals[r] > 0][:TOP_REASONS]
    return [r for r in REASON_NAMES if r in big]


def _withdrawal_bars(ax, wd: pd.DataFrame, order: list[str], reasons: list[str], lang: str) -> None:
    """Withdrawals after signing per 100 signed, stacked by ``reasons`` and the rest, with the total's interval."""
    if wd.empty:
        return
    left = np.zeros(len(order))

    def per_100(s: str, keep) -> float:
        sel = wd[(wd["scenario"] == s) & wd["reason"].map(keep)]
        return float(np.nansum(sel["per_100_signed"].to_numpy(float)))

    others = [r for r in REASON_NAMES if r not in reasons]
    segments = [(r, REASON_COLOURS[k % len(REASON_COLOURS)], wrap(pick(REASON_NAMES[r], lang), lang, 10 if lang == "zh" else 18),
                 {r}) for k, r in enumerate(reasons)]  # two columns of the legend fit above the panel
    if any(per_100(s, lambda r: r in others) > 0 for s in order):
        segments.append(("other", OTHER_COLOUR, "其他原因" if lang == "zh" else "Other reasons", set(others)))
    for _, colour, name, keys in segments:
        vals = np.array([per_100(s, lambda r, k=keys: r in k) for s in order])
        ax.barh(range(len(order)), vals, left=left, color=colour, label=name, height=0.62)
        left += vals
    tot = wd[wd["reason"] == "total"]
    for i, s in enumerate(order):
        t = tot[tot["scenario"] == s]
        if len(t) and math.isfinite(t["per_100_signed_ci_low"].iloc[0]):
            m = t["per_100_signed"].iloc[0]
            ax.errorbar(m, i, xerr=[[m - t["per_100_signed_ci_low"].iloc[0]], [t["per_100_signed_ci_high"].iloc[0] - m]],
                        fmt="none", ecolor="black", capsize=2, lw=0.9)
    ax.set_xlim(left=0)
    _few_ticks(ax)
    ax.grid(axis="y", alpha=0)
    ax.legend(ncol=2, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=LEGEND_PT, borderaxespad=0.3,
              handlelength=1.2, columnspacing=0.8)


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}")


# ----------------------------------------------------------------------------- 3 capital over time
def capital_chart(an: dict, bands: pd.DataFrame, path: Path, lang: str = "zh", n_best: int = 2) -> Path:
    """Signed and arrived capital over time (亿元), mean with 95% band, for the baseline and the best strategies."""
    f = Findings(an, lang)
    styles = strategy_styles(f)
    monthly = bands is not None and not bands.empty
    unit = nb.large_unit(lang)[0]
    show = f.scenarios()[::-1]
    labels = [_short(f.label(s), lang) for s in show]
    fig, axes = new_figure(1, 1, height_per_row=0.0, extra=3.5) if monthly else \
        new_figure(len(show), 1, height_per_row=_row_height(labels, least=0.3), extra=1.8)
    ax = axes[0]
    if monthly:
        b = bands[bands["point_id"] == f.point]
        last = b[(b["output"] == "arrived_capital") & (b["month"] == b["month"].max())]
        ranked = [s for s in last.sort_values("mean", ascending=False)["scenario"] if s != f.baseline]
        show = [f.baseline, *ranked[:n_best]]
        for s in show:
            colour = styles[s][0]
            for out, ls, tag in (("signed_capital", "--", "签约" if lang == "zh" else "signed"),
                                 ("arrived_capital", "-", "到位" if lang == "zh" else "arrived")):
                d = b[(b["scenario"] == s) & (b["output"] == out)].sort_values("month")
                if d.empty:
                    continue
                m = d["month"].to_numpy()
                ax.plot(m, d["mean"] / unit, ls=ls, color=colour, lw=2 if ls == "-" else 1.5,
                        label=f"{f.label(s)}：{tag}" if lang == "zh" else f"{f.label(s)}: {tag}")
                ax.fill_between(m, d["ci_low"] / unit, d["ci_high"] / unit, color=colour, alpha=0.16, lw=0)
        ax.set_xlabel(month_axis(lang), fontsize=LABEL_PT)
        ax.set_xticks(np.arange(0, int(b["month"].max()) + 1, 12))
        note = ("实线：到位资金；虚线：签约资金；阴影为均值的 95% 置信区间" if lang == "zh"
                else "Solid: arrived capital; dashed: signed capital; shading: 95% confidence interval of the mean")
    else:  # no monthly series: signed and arrived capital at the horizon, one row per strategy
        y = np.arange(len(show))
        for j, (out, colour) in enumerate((("signed_capital", "#9ecae1"), ("arrived_capital", "#08519c"))):
            lv = [f.level(s, out) or {} for s in show]
            mean = np.array([r.get("mean", np.nan) for r in lv], float) / unit
            lo = np.array([r.get("ci_low", np.nan) for r in lv], float) / unit
            hi = np.array([r.get("ci_high", np.nan) for r in lv], float) / unit
            ax.barh(y + (0.5 - j) * 0.38, mean, 0.38, color=colour, xerr=[mean - lo, hi - mean], capsize=2,
                    label=registry.label(out, lang))
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=TICK_PT)
        ax.set_ylim(-0.6, len(show) - 0.4)
        ax.grid(axis="y", alpha=0)
        fig._panel_height = _row_height(labels, least=0.3) * (len(show) + 0.2)
        note = "误差线为 95% 置信区间（未记录逐月数据）" if lang == "zh" else "Error bars: 95% intervals (no monthly series stored)"
    axis = ax.yaxis if monthly else ax.xaxis
    axis.set_label_text("资金（亿元）" if lang == "zh" else f"Capital ({nb.large_unit(lang)[1]})", fontsize=LABEL_PT)
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles, [wrap(n, lang, 30 if lang == "zh" else 52) for n in names], fontsize=LEGEND_PT,
              loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    add_note(fig, note)
    return save_chart(fig, path, f.title_capital(), lang)


# ----------------------------------------------------------------------------- 5 costs
LABEL_OFFSETS = ((6, 4), (6, -11), (-13, 4), (-13, -11), (-3, 9), (-3, -17), (9, -4), (-17, -4))
"""Where a strategy's number may go beside its marker (points right and up), tried in this order, then twice as
far."""


def place_labels(ax, points: list[tuple[float, float, str, str]], renderer) -> None:
    """Write each strategy's number beside its marker where it covers no marker, no legend, no other number and
    stays in the panel: the first free place of ``LABEL_OFFSETS`` (then twice as far, with a thin leader), else the
    one that covers least."""
    marks = _marker_boxes(ax, renderer)
    legend = ax.get_legend()
    if legend is not None and legend.get_visible():
        marks.append(legend.get_window_extent(renderer))
    inside = ax.get_window_extent(renderer)
    placed = []
    for x, y, text, colour in points:
        best, best_cost = None, None
        for scale in (1, 2, 3):
            for dx, dy in LABEL_OFFSETS:
                a = ax.annotate(text, (x, y), xytext=(dx * scale, dy * scale), textcoords="offset points",
                                fontsize=TICK_PT, fontweight="bold", color=colour,
                                arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6, "shrinkA": 0,
                                            "shrinkB": 3} if scale > 1 else None)
                box = a.get_window_extent(renderer)
                cost = sum(_area(box, m) for m in marks) + sum(_area(box, p) for p in placed)
                cost += box.width * box.height - _area(box, inside)
                if best_cost is None or cost < best_cost:
                    if best is not None:
                        best.remove()
                    best, best_cost = a, cost
                else:
                    a.remove()
                if cost == 0:
                    break
            if best_cost == 0:
                break
        placed.append(best.get_window_extent(renderer))


def _marker_boxes(ax, renderer) -> list:
    from matplotlib.transforms import Bbox

    out = []
    for line in ax.lines:
        if line.get_marker() in (None, "", " ", "None", "none", "|", "_"):
            continue
        r = line.get_markersize() * renderer.points_to_pixels(1.0) / 2 + 1
        out += [Bbox([[px - r, py - r], [px + r, py + r]]) for px, py in line.get_transform().transform(line.get_xydata())
                if np.isfinite(px) and np.isfinite(py)]
    return out


def _area(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def cost_chart(an: dict, path: Path, lang: str = "zh") -> Path:
    """Budget spent (亿元) against jobs per strategy, with 95% intervals on both; each strategy its own colour and
    marker, and its number beside the marker where it hides nothing."""
    f = Findings(an, lang)
    styles = strategy_styles(f)
    rows = [r for s in f.scenarios() if (r := f.cost(s))]
    labels = [wrap(f"{k + 1}. {f.label(r['scenario'])}", lang, 18 if lang == "zh" else 34) for k, r in enumerate(rows)]
    legend_h = sum(1.25 * (lab.count("\n") + 1) + 0.35 for lab in labels) * LEGEND_PT / 72  # beside the panel, at
    # matplotlib's line spacing of about 1.2 times the type size, so the panel is at least as tall as the legend
    fig, axes = new_figure(1, 1, height_per_row=0.0, extra=max(3.6, legend_h + 1.6))
    ax = axes[0]
    handles, points = [], []
    unit = nb.large_unit(lang)[0]
    for k, r in enumerate(rows):
        colour, marker = styles[r["scenario"]]
        x, y = r["budget_spent"] / unit, r["jobs"]
        xe = [[x - r["budget_spent_ci_low"] / unit], [r["budget_spent_ci_high"] / unit - x]]
        ye = [[y - r["jobs_ci_low"]], [r["jobs_ci_high"] - y]]
        h = ax.errorbar(x, y, xerr=xe, yerr=ye, fmt=marker, color=colour, ms=6.5, capsize=2, lw=1.0, mec="white",
                        mew=0.6)
        handles.append(h)
        points.append((x, y, str(k + 1), colour))
    ax.set_xlabel("支出（亿元）" if lang == "zh" else f"Budget spent ({nb.large_unit(lang)[1]})", fontsize=LABEL_PT)
    ax.set_ylabel("就业岗位（个）" if lang == "zh" else "Jobs", fontsize=LABEL_PT)
    ax.yaxis.set_major_formatter(_thousands())
    _few_ticks(ax, "x", 5)
    ax.legend(handles=handles, labels=labels, fontsize=LEGEND_PT, loc="upper left", bbox_to_anchor=(1.02, 1.0),
              borderaxespad=0, handletextpad=0.4, labelspacing=0.35)
    fig._after_layout = [lambda renderer: place_labels(ax, points, renderer)]
    add_note(fig, "误差线为 95% 置信区间；越靠左上越省钱；未花出的钱（基金留存、退回财政）不是节约" if lang == "zh"
             else "Error bars: 95% confidence intervals; further up and left is cheaper per job; money not spent (held "
                  "in the funds or returned) is not a saving")
    return save_chart(fig, path, f.title_costs(), lang)


# ----------------------------------------------------------------------------- 6 sensitivity
def sensitivity_chart(sens: dict, path: Path, lang: str = "zh",
                      outputs: tuple[str, ...] = HEADLINE_OUTPUTS,
                      scenario: str | None = None) -> Path:
    """Sensitivity indices per parameter for each headline output (Sobol' S1 and ST, or Morris mu*), with 95% intervals."""
    f = Findings(sens, lang, sensitivity=sens)
    idx = pd.DataFrame(sens.get("sensitivity", {}).get("indices", []))
    scenario = scenario or sens.get("baseline")
    if not idx.empty and scenario not in set(idx["scenario"]):
        scenario = idx["scenario"].iloc[0]
    idx = idx[idx["scenario"] == scenario] if not idx.empty else idx
    params = list(dict.fromkeys(idx["parameter"])) if not idx.empty else []
    method = idx["method"].iloc[0] if not idx.empty else "sobol"
    first = idx[idx["output"] == outputs[0]] if not idx.empty else idx
    key = "ST" if method == "sobol" else "mu_star"
    if not first.empty:
        params = list(first.sort_values(key)["parameter"])
    labels = [_short(param_label(p, lang), lang) for p in params]
    fig, axes, lax = panels_with_legend(1.7 + _row_height(labels, least=0.3) * len(params), len(outputs), 1)
    fig._panel_height = _row_height(labels, least=0.3) * (len(params) + 0.2)
    y = np.arange(len(params))
    for ax, out in zip(axes, outputs, strict=True):
        sub = idx[idx["output"] == out].set_index("parameter") if not idx.empty else idx
        if method == "sobol":
            st = np.array([sub.loc[p, "ST"] if p in sub.index else np.nan for p in params], float)
            stc = np.array([sub.loc[p, "ST_conf"] if p in sub.index else np.nan for p in params], float)
            s1 = np.array([sub.loc[p, "S1"] if p in sub.index else np.nan for p in params], float)
            s1c = np.array([sub.loc[p, "S1_conf"] if p in sub.index else np.nan for p in params], float)
            ax.barh(y + 0.18, st, 0.36, xerr=stc, color=style.PALETTE[0], capsize=2,
                    label="总效应 ST" if lang == "zh" else "Total order ST")
            ax.barh(y - 0.18, s1, 0.36, xerr=s1c, color="#9ecae1", capsize=2,
                    label="一阶 S1" if lang == "zh" else "First order S1")
            ax.set_xlabel("方差贡献（0-1）" if lang == "zh" else "Share of variance (0-1)", fontsize=LABEL_PT)
            ax.set_xlim(left=min(0.0, np.nanmin(np.concatenate([s1 - s1c, [0]]))))
        else:
            sc = nb.scale(out, lang)
            mu = np.array([sub.loc[p, "mu_star"] if p in sub.index else np.nan for p in params], float) * sc
            muc = np.array([sub.loc[p, "mu_star_conf"] if p in sub.index else np.nan for p in params], float) * sc
            sg = np.array([sub.loc[p, "sigma"] if p in sub.index else np.nan for p in params], float) * sc
            ax.barh(y, mu, 0.55, xerr=muc, color=style.PALETTE[0], capsize=2, label="μ*")
            ax.plot(sg, y, "D", color=style.PALETTE[1], ms=5, label="σ")
            u = nb.short_unit(out, lang, effect=True)
            ax.set_xlabel(f"基本效应（{u}）" if lang == "zh" else f"Elementary effect ({u})", fontsize=LABEL_PT)
        ax.set_title(panel_title(out, lang), fontsize=PANEL_PT, fontweight="normal")
        ax.set_yticks(y)
        ax.set_yticklabels(labels if ax is axes[0] else [], fontsize=TICK_PT)
        _few_ticks(ax)
        ax.grid(axis="y", alpha=0)
        ax.set_ylim(-0.6, len(params) - 0.4)
    lax.legend(*axes[0].get_legend_handles_labels(), fontsize=LEGEND_PT, loc="upper left", ncol=2, frameon=False,
               borderaxespad=0)
    design = sens.get("sensitivity", {}).get("design") or {}
    runs = design.get("runs")
    if method == "sobol":
        note = (f"Sobol' 指数，误差线为 95% 自助法区间；设计 {design.get('formula', '')} 个点，共 {runs} 次运行" if lang == "zh"
                else f"Sobol' indices, whiskers: 95% bootstrap intervals; design {design.get('formula', '')} points, {runs} runs")
    else:
        note = (f"Morris 筛选：μ* 为平均绝对基本效应（误差线 95% 区间），σ 表示非线性或交互；设计 {design.get('formula', '')} 个点，共 {runs} 次运行"
                if lang == "zh" else f"Morris screening: μ* mean absolute elementary effect (95% whiskers), σ non-linearity "
                                     f"or interaction; design {design.get('formula', '')} points, {runs} runs")
    add_note(fig, note)
    return save_chart(fig, path, f.title_sensitivity(outputs[0]), lang)


def all_charts(an: dict, analysis_dir: Path, out: Path, lang: str = "zh", sens: dict | None = None) -> dict[str, Path]:
    """Draw every chart of the briefing into ``out``; returns name -> file. A sweep gets its response curve
    ("response") instead of the comparison at one point; "funnel" holds the funnel and the withdrawals."""
    bands = read_table(analysis_dir, "monthly_bands")
    f = Findings(an, lang)
    charts = {}
    if f.sweep and an.get("response"):
        charts["response"] = response_chart(an, out / "response.png", lang)
    else:
        charts["comparison"] = comparison_chart(an, out / "comparison.png", lang)
    charts |= {
        "funnel": funnel_chart(an, out / "funnel.png", lang),
        "capital": capital_chart(an, bands, out / "capital.png", lang),
        "costs": cost_chart(an, out / "costs.png", lang),
    }
    if sens and sens.get("sensitivity", {}).get("available"):
        charts["sensitivity"] = sensitivity_chart(sens, out / "sensitivity.png", lang)
    return charts
