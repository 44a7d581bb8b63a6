"""Charts of an experiment for the briefing: effects, funnel, capital over time, withdrawals, costs, sensitivity.

Every chart reads an analysis (``analysis.json`` and the tables next to it,
written by ``sim analyse``), never the runs; its title is the finding, computed
by :class:`sim.report.findings.Findings`; axes carry units; uncertainty is
drawn (95% intervals as whiskers or bands). Chinese by default, English with
``lang="en"``. Capital and budgets are shown in 亿元 (100 million yuan).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.tables import read_table
from sim.model import registry
from sim.model.vocabulary import FUNNEL, REASON_NAMES, month_axis, pick
from sim.paramdoc import param_label
from sim.report import numbers as nb
from sim.report import style
from sim.report.findings import Findings
from sim.stats import HEADLINE_OUTPUTS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH = 7.2  # inches: the text width of an A4 page with 1.6 cm margins
DPI = 200
REASON_COLOURS = ("#8c510a", "#d8b365", "#5ab4ac", "#01665e", "#b2abd2", "#5e3c99", "#e08214", "#999999")
STAGE_COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#2171b5", "#08306b")
MARKERS = ("o", "s", "^", "D")


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
            while 0 < cut < len(rest) and (rest[cut - 1].isdigit() or rest[cut - 1] in ".,") and (
                    rest[cut].isdigit() or rest[cut] in ".,"):
                cut -= 1
        else:
            cut += 1
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    lines.append(rest)
    return "\n".join(lines)


def _short(name: str, lang: str) -> str:
    return wrap(name, lang, 14 if lang == "zh" else 34)


def _row_height(lang: str) -> float:
    """Height per strategy row (inches): English names wrap to two lines more often."""
    return 0.27 if lang == "zh" else 0.33


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
    return fig, axes[0]


def save_chart(fig: Figure, path: Path, title: str, lang: str) -> Path:
    """Give ``fig`` its title (the finding, wrapped), leave room for its note, write it to ``path`` as PNG and close it."""
    import matplotlib.pyplot as plt

    fig.suptitle(wrap(title, lang, 40 if lang == "zh" else 66), fontsize=11.5, fontweight="bold", x=0.01, ha="left")
    lines = getattr(fig, "_note_lines", 0)
    bottom = (0.05 + 0.14 * lines) / fig.get_size_inches()[1] if lines else 0.0
    fig.tight_layout(rect=(0, bottom, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, facecolor="white", pil_kwargs=style.PNG_FAST)
    plt.close(fig)
    return path


def add_note(fig: Figure, text: str) -> None:
    """A note in small grey type under the chart (what it counts, what the whiskers are)."""
    fig.text(0.01, 0.01, text, fontsize=7.5, color="#555555", ha="left", va="bottom")
    fig._note_lines = text.count("\n") + 1


def _ci_note(lang: str, n: str | None) -> str:
    """The note under the effects chart; ``n`` the replications the comparisons took ("30", "10–80")."""
    reps = f"，每个策略重复{n}次" if (lang == "zh" and n) else (f", {n} replications per strategy" if n else "")
    return (f"横线为 95% 置信区间（与基线按重复配对）{reps}；空心点：与基线差异不显著"
            if lang == "zh" else f"Change from the baseline; whiskers: 95% confidence intervals (paired by replication)"
                                  f"{reps};\nhollow: not distinguishable from the baseline")


# ----------------------------------------------------------------------------- 1 effects of strategies
def comparison_chart(an: dict, path: Path, lang: str = "zh",
                     outputs: tuple[str, ...] = HEADLINE_OUTPUTS) -> Path:
    """Effect of each strategy on the headline outputs against the baseline, with 95% intervals."""
    f = Findings(an, lang)
    first = f.effects(outputs[0])
    order = [e["scenario"] for e in sorted(first, key=lambda e: e["effect"] if e["effect"] is not None else -1e99)]
    n = len(order)
    fig, axes = new_figure(n, len(outputs), height_per_row=_row_height(lang) + 0.03, extra=1.8)
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
            ax.plot([v], [i], "o", ms=7, color=colour, mfc=colour if e["significant"] else "white", mew=1.8)
        ax.axvline(0, color="#333333", lw=0.9)
        ax.set_yticks(y)
        ax.set_yticklabels([_short(f.label(s), lang) for s in order] if ax is axes[0] else [], fontsize=8.5)
        ax.set_title(panel_title(out, lang), fontsize=10, fontweight="normal")
        unit = nb.short_unit(out, lang, effect=True)
        ax.set_xlabel((f"与基线之差（{unit}）" if lang == "zh" else f"Change ({unit})"), fontsize=9)
        if nb.kind(out) == "count":
            ax.xaxis.set_major_formatter(_thousands())
        ax.grid(axis="y", alpha=0)
        ax.set_ylim(-0.6, n - 0.4)
    add_note(fig, _ci_note(lang, reps) + "\n" + _definitions(an, outputs, lang))
    return save_chart(fig, path, f.title_comparison(), lang)


def _definitions(an: dict, outputs: tuple[str, ...], lang: str) -> str:
    """One line per cohort output saying what it counts (from the analysis)."""
    defs = an.get("definitions", {})
    return "\n".join(wrap(defs[o][lang], lang, 90 if lang == "zh" else 150) for o in outputs
                     if o.startswith("cohort_") and o in defs)


# ----------------------------------------------------------------------------- 2 funnel
def funnel_chart(an: dict, path: Path, lang: str = "zh") -> Path:
    """The pipeline per strategy: nested bars of projects signed, started and operating (with 95% intervals),
    and the whole funnel from contact to operation written beside them."""
    f = Findings(an, lang)
    rows = pd.DataFrame([r for r in an.get("funnel", []) if r["point_id"] == f.point])
    order = [s for s in f.scenarios() if s in set(rows["scenario"])][::-1] if not rows.empty else []
    fig, axes = new_figure(len(order), 1, height_per_row=_row_height(lang), extra=1.5)
    ax = axes[0]
    bars = (("signed", 0.72, STAGE_COLOURS[2]), ("building", 0.52, STAGE_COLOURS[3]), ("operating", 0.32, STAGE_COLOURS[4]))
    top = 0.0
    texts = []
    for i, s in enumerate(order):
        sub = rows[rows["scenario"] == s].set_index("stage")
        for st, h, colour in bars:
            if st not in sub.index:
                continue
            r = sub.loc[st]
            ax.barh(i, r["mean"], height=h, color=colour, label=pick(FUNNEL[st], lang) if i == 0 else None)
            if math.isfinite(r["ci_low"]):
                ax.errorbar(r["mean"], i, xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]], fmt="none",
                            ecolor="#c00000" if st == "operating" else "#333333", capsize=2.5, lw=1)
            top = max(top, r["ci_high"] if math.isfinite(r["ci_high"]) else r["mean"])
        chain = " → ".join(nb.number(sub.loc[st, "mean"], 0) for st in ("contacted", "negotiating", "signed",
                                                                         "building", "operating") if st in sub.index)
        texts.append((i, chain))
    ax.set_xlim(0, top * 1.04 if top > 0 else 1)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([_short(f.label(s), lang) for s in order], fontsize=8.5)
    ax.set_ylim(-0.6, len(order) - 0.4)
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks([i for i, _ in texts])
    right.set_yticklabels([c for _, c in texts], fontsize=7.5, color="#333333")
    right.tick_params(axis="y", length=0)
    right.grid(False)
    right.spines["right"].set_visible(False)
    ax.xaxis.set_major_formatter(_thousands())
    ax.set_xlabel(f"项目数（个，第 {f.horizon} 个月前累计）" if lang == "zh"
                  else f"Projects (cumulative to month {f.horizon})")
    ax.grid(axis="y", alpha=0)
    ax.legend(ncol=3, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=8, borderaxespad=0.3)
    chain_head = " → ".join(pick(FUNNEL[st], lang) for st in FUNNEL)
    add_note(fig, f"误差线：95% 置信区间；右侧数字为平均数：{chain_head}" if lang == "zh"
          else f"Error bars: 95% confidence intervals; right, mean counts: {chain_head}")
    return save_chart(fig, path, f.title_funnel(), lang)


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}")


# ----------------------------------------------------------------------------- 3 capital over time
def capital_chart(an: dict, bands: pd.DataFrame, path: Path, lang: str = "zh", n_best: int = 2) -> Path:
    """Signed and arrived capital over time (亿元), mean with 95% band, for the baseline and the best strategies."""
    f = Findings(an, lang)
    fig, axes = new_figure(1, 1, height_per_row=0.0, extra=3.3)
    ax = axes[0]
    if bands is not None and not bands.empty:
        b = bands[bands["point_id"] == f.point]
        last = b[(b["output"] == "arrived_capital") & (b["month"] == b["month"].max())]
        ranked = [s for s in last.sort_values("mean", ascending=False)["scenario"] if s != f.baseline]
        show = [f.baseline, *ranked[:n_best]]
        for k, s in enumerate(show):
            colour = "#555555" if s == f.baseline else style.PALETTE[k - 1 if k else 0]
            for out, ls, tag in (("signed_capital", "--", "签约" if lang == "zh" else "signed"),
                                 ("arrived_capital", "-", "到位" if lang == "zh" else "arrived")):
                d = b[(b["scenario"] == s) & (b["output"] == out)].sort_values("month")
                if d.empty:
                    continue
                m = d["month"].to_numpy()
                unit = nb.large_unit(lang)[0]
                ax.plot(m, d["mean"] / unit, ls=ls, color=colour, lw=2 if ls == "-" else 1.5,
                        label=f"{f.label(s)}：{tag}" if lang == "zh" else f"{f.label(s)}: {tag}")
                ax.fill_between(m, d["ci_low"] / unit, d["ci_high"] / unit, color=colour, alpha=0.18, lw=0)
        ax.set_xlabel(month_axis(lang))
        ax.set_xticks(np.arange(0, int(b["month"].max()) + 1, 12))
        note = ("实线：到位资金；虚线：签约资金；阴影为均值的 95% 置信区间" if lang == "zh"
                else "Solid: arrived capital; dashed: signed capital; shading: 95% confidence interval of the mean")
    else:
        show = f.scenarios()
        x = np.arange(len(show))
        for j, (out, colour) in enumerate((("signed_capital", "#9ecae1"), ("arrived_capital", "#08519c"))):
            lv = [f.level(s, out) or {} for s in show]
            unit = nb.large_unit(lang)[0]
            mean = np.array([r.get("mean", np.nan) for r in lv], float) / unit
            lo = np.array([r.get("ci_low", np.nan) for r in lv], float) / unit
            hi = np.array([r.get("ci_high", np.nan) for r in lv], float) / unit
            ax.bar(x + (j - 0.5) * 0.38, mean, 0.38, color=colour, yerr=[mean - lo, hi - mean], capsize=2,
                   label=registry.label(out, lang))
        ax.set_xticks(x)
        ax.set_xticklabels([_short(f.label(s), lang) for s in show], rotation=30, ha="right", fontsize=8)
        note = "误差线为 95% 置信区间（未记录逐月数据）" if lang == "zh" else "Error bars: 95% intervals (no monthly series stored)"
    ax.set_ylabel("资金（亿元）" if lang == "zh" else "Capital (bn yuan)")
    ax.legend(fontsize=8, loc="upper left")
    add_note(fig, note)
    return save_chart(fig, path, f.title_capital(), lang)


# ----------------------------------------------------------------------------- 4 withdrawals
def withdrawals_chart(an: dict, path: Path, lang: str = "zh", stage: str = "after_signing") -> Path:
    """Withdrawals after signing per 100 signed projects, stacked by reason, with the 95% interval of the total."""
    f = Findings(an, lang)
    rows = pd.DataFrame([w for w in an.get("withdrawals", []) if w["point_id"] == f.point and w["stage"] == stage])
    order = [s for s in f.scenarios() if not rows.empty and s in set(rows["scenario"])][::-1]
    reasons = [r for r in REASON_NAMES if not rows.empty and (rows.loc[rows["reason"] == r, "mean"] > 0).any()]
    fig, axes = new_figure(len(order), 1, height_per_row=_row_height(lang), extra=1.9)
    ax = axes[0]
    left = np.zeros(len(order))
    for k, r in enumerate(reasons):
        vals = np.array([float(rows[(rows["scenario"] == s) & (rows["reason"] == r)]["per_100_signed"].iloc[0])
                         for s in order])
        ax.barh(range(len(order)), vals, left=left, color=REASON_COLOURS[k % len(REASON_COLOURS)],
                label=pick(REASON_NAMES[r], lang), height=0.62)
        left += np.nan_to_num(vals)
    tot = rows[rows["reason"] == "total"] if not rows.empty else rows
    for i, s in enumerate(order):
        t = tot[tot["scenario"] == s]
        if len(t) and math.isfinite(t["per_100_signed_ci_low"].iloc[0]):
            ax.errorbar(t["per_100_signed"].iloc[0], i, xerr=[[t["per_100_signed"].iloc[0] - t["per_100_signed_ci_low"].iloc[0]],
                        [t["per_100_signed_ci_high"].iloc[0] - t["per_100_signed"].iloc[0]]], fmt="none",
                        ecolor="black", capsize=3, lw=1)
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels([_short(f.label(s), lang) for s in order], fontsize=8.5)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlabel("每 100 个签约项目中签约后撤出的项目（个）" if lang == "zh"
                  else "Projects withdrawn after signing per 100 signed (projects)")
    ax.grid(axis="y", alpha=0)
    ax.legend(ncol=4 if lang == "zh" else 3, loc="upper left", bbox_to_anchor=(0, -0.14 if len(order) > 6 else -0.22),
              fontsize=8)
    add_note(fig, "误差线：撤出总数的 95% 置信区间" if lang == "zh" else "Error bars: 95% interval of the total")
    return save_chart(fig, path, f.title_withdrawals(), lang)


# ----------------------------------------------------------------------------- 5 costs
def cost_chart(an: dict, path: Path, lang: str = "zh") -> Path:
    """Budget spent (亿元) against jobs per strategy, with 95% intervals on both."""
    f = Findings(an, lang)
    rows = [f.cost(s) for s in f.scenarios()]
    rows = [r for r in rows if r]
    fig, axes = new_figure(1, 1, height_per_row=0.0, extra=3.4)
    ax = axes[0]
    handles = []
    for k, r in enumerate(rows):
        colour = "#555555" if r["scenario"] == f.baseline else style.PALETTE[(k - 1) % len(style.PALETTE)]
        unit = nb.large_unit(lang)[0]
        x, y = r["budget_spent"] / unit, r["jobs"]
        xe = [[x - r["budget_spent_ci_low"] / unit], [r["budget_spent_ci_high"] / unit - x]]
        ye = [[y - r["jobs_ci_low"]], [r["jobs_ci_high"] - y]]
        h = ax.errorbar(x, y, xerr=xe, yerr=ye, fmt=MARKERS[k // len(style.PALETTE) % len(MARKERS)], color=colour,
                        ms=7, capsize=2, lw=1.1, label=f"{k + 1}. {f.label(r['scenario'])}")
        ax.annotate(str(k + 1), (x, y), xytext=(5, 4), textcoords="offset points", fontsize=8, fontweight="bold",
                    color=colour)
        handles.append(h)
    ax.set_xlabel("支出（亿元）" if lang == "zh" else "Budget spent (bn yuan)")
    ax.set_ylabel("就业岗位（个）" if lang == "zh" else "Jobs")
    ax.yaxis.set_major_formatter(_thousands())
    ax.legend(handles=handles, fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    add_note(fig, "误差线为 95% 置信区间；越靠左上越省钱" if lang == "zh"
          else "Error bars: 95% confidence intervals; further up and left is cheaper per job")
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
    fig, axes = new_figure(len(params), len(outputs), height_per_row=0.36, extra=1.7)
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
            ax.set_xlabel("方差贡献（0-1）" if lang == "zh" else "Share of variance (0-1)", fontsize=9)
            ax.set_xlim(left=min(0.0, np.nanmin(np.concatenate([s1 - s1c, [0]]))))
        else:
            sc = nb.scale(out, lang)
            mu = np.array([sub.loc[p, "mu_star"] if p in sub.index else np.nan for p in params], float) * sc
            muc = np.array([sub.loc[p, "mu_star_conf"] if p in sub.index else np.nan for p in params], float) * sc
            sg = np.array([sub.loc[p, "sigma"] if p in sub.index else np.nan for p in params], float) * sc
            ax.barh(y, mu, 0.55, xerr=muc, color=style.PALETTE[0], capsize=2, label="μ*")
            ax.plot(sg, y, "D", color=style.PALETTE[1], ms=5, label="σ")
            u = nb.short_unit(out, lang, effect=True)
            ax.set_xlabel(f"基本效应（{u}）" if lang == "zh" else f"Elementary effect ({u})", fontsize=9)
        ax.set_title(panel_title(out, lang), fontsize=10, fontweight="normal")
        ax.set_yticks(y)
        ax.set_yticklabels([_short(param_label(p, lang), lang) for p in params] if ax is axes[0] else [], fontsize=8.5)
        ax.grid(axis="y", alpha=0)
        ax.set_ylim(-0.6, len(params) - 0.4)
    axes[-1].legend(fontsize=8, loc="lower right")
    design = sens.get("sensitivity", {}).get("design") or {}
    runs = design.get("runs")
    if method == "sobol":
        note = (f"Sobol' 指数，误差线为 95% 自助法区间；设计 {design.get('formula', '')} 个点，共 {runs} 次运行" if lang == "zh"
                else f"Sobol' indices, whiskers: 95% bootstrap intervals; design {design.get('formula', '')} points, {runs} runs")
    else:
        note = (f"Morris 筛选：μ* 为平均绝对基本效应（误差线 95% 区间），σ 表示非线性或交互；设计 {design.get('formula', '')} 个点，共 {runs} 次运行"
                if lang == "zh" else f"Morris screening: μ* mean absolute elementary effect (95% whiskers), σ non-linearity "
                                     f"or interaction; design {design.get('formula', '')} points, {runs} runs")
    add_note(fig, wrap(note, lang, 70 if lang == "zh" else 140))
    return save_chart(fig, path, f.title_sensitivity(outputs[0]), lang)


def all_charts(an: dict, analysis_dir: Path, out: Path, lang: str = "zh", sens: dict | None = None) -> dict[str, Path]:
    """Draw every chart of the briefing into ``out``; returns name -> file."""
    bands = read_table(analysis_dir, "monthly_bands")
    charts = {
        "comparison": comparison_chart(an, out / "comparison.png", lang),
        "funnel": funnel_chart(an, out / "funnel.png", lang),
        "capital": capital_chart(an, bands, out / "capital.png", lang),
        "withdrawals": withdrawals_chart(an, out / "withdrawals.png", lang),
        "costs": cost_chart(an, out / "costs.png", lang),
    }
    if sens and sens.get("sensitivity", {}).get("available"):
        charts["sensitivity"] = sensitivity_chart(sens, out / "sensitivity.png", lang)
    return charts
