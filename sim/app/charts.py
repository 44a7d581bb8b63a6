"""The explorer's live charts and headline numbers, drawn from monthly outputs.

Each chart shows the current run as solid lines (or filled bars) and the
loaded scenario's baseline with the same seed as dashed lines (or dashed
outlines), in Chinese or English. Figures are built with the object API
(``matplotlib.figure.Figure``), never pyplot, because the server draws for
several browser tabs from several threads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.data import definition
from sim.model import registry, vocabulary
from sim.model.stages import REASONS
from sim.model.vocabulary import month_axis, pick
from sim.report import style

PIPELINE = ("contacted", "negotiating", "signed", "building", "operating")
RATES = ("cohort_fulfilment_rate_12m", "cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m")
"""Cohort rates: each project observed 12 or 24 months after its own signing (sim.model.outputs)."""
HEADLINES = ("signed_projects", "cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m", "jobs", "mean_approval_months")
"""Headline numbers shown as text (monthly columns, described in sim.model.registry)."""

FIGSIZE = (5.6, 3.5)
DPI = 100

TEXT = {
    "current": ("本次运行", "This run"),
    "baseline": ("基准（情景原设，同一随机种子）", "Baseline (scenario as loaded, same seed)"),
    "baseline_short": ("基准", "Baseline"),
    "pipeline": ("项目进展（在各阶段的项目数，个）", "Project pipeline (projects at each stage)"),
    "rates": ("履约率与资金到位率（%，按签约队列）", "Fulfilment and capital arrival (%, by signing cohort)"),
    "rates_note": ("履约率：签约后第12/24个月时在建或已投产的项目占比；资金到位率：签约24个月时到位资金占比",
                   "Fulfilment: share building or operating 12/24 months after signing; capital: share arrived 24 "
                   "months after"),
    "no_cohort_yet": ("本次运行第 {m} 月：尚无签约满 12 个月的项目（第 13 个月起可观察）",
                      "This run, month {m}: no project signed 12 months ago yet (observable from month 13)"),
    "withdrawals": ("撤出项目（按原因累计，个）", "Withdrawn, by reason (cumulative)"),
    "projects": ("项目数（个）", "Projects"),
    "percent": ("%", "%"),
    "month": ("第 {m} 月", "month {m}"),
    "headline": ("主要指标", "Headline numbers"),
    "indicator": ("指标", "Indicator"),
    "at_month": ("同月基准", "Baseline, same month"),
    "at_end": ("基准期末（第 {m} 月）", "Baseline at month {m}"),
}


def t(key: str, lang: str, **kw: object) -> str:
    """A fixed text of the explorer in the requested language."""
    return pick(TEXT[key], lang).format(**kw)


def _figure() -> Figure:
    style.setup(require_cjk=False)
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    return fig


def _title(fig: Figure, text: str) -> None:
    fig.suptitle(text, x=0.01, ha="left", fontsize=12, fontweight="bold")


def _style_axes(ax, horizon: int, lang: str) -> None:
    ax.set_xlim(0, max(horizon, 1))
    ax.set_xlabel(month_axis(lang))
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend_current_baseline(ax, lang: str, extra: list | None = None) -> None:
    from matplotlib.lines import Line2D

    handles = list(extra or [])
    handles += [Line2D([], [], color="#444444", lw=2, label=t("current", lang)),
                Line2D([], [], color="#444444", lw=1.4, ls="--", label=t("baseline_short", lang))]
    ax.legend(handles=handles, loc="upper left", fontsize=8, ncols=2, frameon=False)


def pipeline_figure(current: pd.DataFrame, base: pd.DataFrame, horizon: int, lang: str) -> Figure:
    """Projects at each stage (contacted, negotiating, signed, building, operating) by month."""
    from matplotlib.lines import Line2D

    fig = _figure()
    ax = fig.subplots()
    handles = []
    for i, stage in enumerate(PIPELINE):
        color = style.PALETTE[i]
        col = f"n_{stage}"
        ax.plot(base["month"], base[col], color=color, lw=1.2, ls="--", alpha=0.75)
        ax.plot(current["month"], current[col], color=color, lw=2.0)
        handles.append(Line2D([], [], color=color, lw=2, label=vocabulary.stage(stage, lang)))
    _title(fig, t("pipeline", lang))
    ax.set_ylabel(t("projects", lang))
    cols = [f"n_{s}" for s in PIPELINE]
    top = max(float(base[cols].to_numpy().max(initial=0)), float(current[cols].to_numpy().max(initial=0)))
    ax.set_ylim(0, max(10.0, top * 1.45))  # headroom for the legend
    _style_axes(ax, horizon, lang)
    _legend_current_baseline(ax, lang, handles)
    return fig


def rates_figure(current: pd.DataFrame, base: pd.DataFrame, horizon: int, lang: str) -> Figure:
    """Fulfilment rate (履约率) and capital-arrival rate (资金到位率) by month, in percent."""
    from matplotlib.lines import Line2D

    fig = _figure()
    ax = fig.subplots()
    handles = []
    for i, key in enumerate(RATES):
        color = style.PALETTE[i + 5]
        ax.plot(base["month"], 100 * base[key], color=color, lw=1.2, ls="--", alpha=0.8)
        ax.plot(current["month"], 100 * current[key], color=color, lw=2.0)
        handles.append(Line2D([], [], color=color, lw=2, label=registry.label(key, lang)))
    _title(fig, t("rates", lang))
    ax.set_title(t("rates_note", lang), fontsize=7.5, loc="left", color="#555555")
    ax.set_ylabel(t("percent", lang))
    top = max(float(np.nanmax(100 * base[list(RATES)].to_numpy(), initial=0)),
              float(np.nanmax(100 * current[list(RATES)].to_numpy(), initial=0)))
    ax.set_ylim(0, max(10.0, min(100.0, top * 1.35 + 5)))
    _style_axes(ax, horizon, lang)
    _legend_current_baseline(ax, lang, handles)
    if current[list(RATES)].isna().all().all():  # say why this run's lines are not there yet
        month = int(current["month"].max()) if len(current) else 0
        ax.text(0.5, 0.5, t("no_cohort_yet", lang, m=month), transform=ax.transAxes, ha="center", va="center",
                fontsize=8, color="#555555")
    return fig


def withdrawals_figure(current: pd.DataFrame, base: pd.DataFrame, lang: str) -> Figure:
    """Projects withdrawn so far by reason: this run (filled) beside the baseline at the same month (dashed outline)."""
    fig = _figure()
    ax = fig.subplots()
    month = int(current["month"].iloc[-1]) if len(current) else 0
    base_row = base[base["month"] <= month].iloc[-1] if len(base) else None
    now = np.array([float(current[f"withdrawn_{r}"].iloc[-1]) if len(current) else 0.0 for r in REASONS])
    ref = np.array([float(base_row[f"withdrawn_{r}"]) if base_row is not None else 0.0 for r in REASONS])
    y = np.arange(len(REASONS))
    h = 0.38
    ax.barh(y - h / 2, now, height=h, color=style.PALETTE[1], label=t("current", lang))
    ax.barh(y + h / 2, ref, height=h, fill=False, edgecolor="#444444", ls="--", lw=1.2,
            label=t("baseline_short", lang))
    ax.set_yticks(y, [vocabulary.reason(r, lang) for r in REASONS], fontsize=8)
    ax.invert_yaxis()
    _title(fig, t("withdrawals", lang) + " · " + t("month", lang, m=month))
    ax.set_xlim(0, max(5.0, float(max(now.max(initial=0), ref.max(initial=0))) * 1.15))
    ax.grid(True, axis="x", alpha=0.3)
    ax.grid(False, axis="y")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def definitions_line(lang: str) -> str:
    """What the headline rates count, in one line."""
    sep = "；" if lang == "zh" else "; "
    return sep.join(definition(k, lang) for k in HEADLINES if k.startswith("cohort_"))


def format_value(key: str, value: float, lang: str) -> str:
    """A headline number as shown on the page: rates in percent, counts whole, months to one decimal."""
    if not np.isfinite(value):
        return "–"
    if registry.is_rate(key):
        return f"{100 * value:.1f} %"
    if registry.kind(key) == "months":
        return f"{value:.1f} {registry.unit(key, lang)}"
    return f"{value:,.0f}"


def headlines(current: pd.DataFrame, base: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """Headline numbers: (this run now, baseline at the same month, baseline at the horizon) per key of HEADLINES."""
    month = int(current["month"].iloc[-1]) if len(current) else 0
    last = current.iloc[-1] if len(current) else None
    same = base[base["month"] <= month].iloc[-1] if len(base) else None
    end = base.iloc[-1] if len(base) else None
    out = {}
    for key in HEADLINES:
        out[key] = (float(last[key]) if last is not None else 0.0,
                    float(same[key]) if same is not None else 0.0,
                    float(end[key]) if end is not None else 0.0)
    return out
