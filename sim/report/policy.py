"""Charts and the one-page policy brief of choosing an allocation, reading only stored tables.

- :func:`optimise_chart`: the robust allocation against the scenario it re-allocates (万元 a year per lever) and
  what it delivers against the shipped strategies on the same futures (mean with 95% interval over paired
  replications, and the spread over futures);
- :func:`decomposition_chart`: which mechanisms carry each strategy's effect on cohort 履约率;
- :func:`policy_page`: one page (HTML and PDF) in Chinese or English: the recommended allocation, what it buys
  with intervals, when it fails, how sure we are; every title states a finding.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.report.experiment_charts import _figure, _note, _save, lever_label
from sim.report.labels import OUTPUT_LABELS

OBJ_LABELS = {
    "jobs": ("就业岗位", "jobs", "个", "jobs"),
    "arrived_capital": ("到位资金", "arrived capital", "万元", "10,000 yuan"),
    "cohort_start_rate_24m": ("履约率（签约后24个月内开工）", "cohort 履约率 (started within 24 months)", "%", "%"),
    "tax_revenue": ("累计税收", "tax revenue", "万元", "10,000 yuan"),
    "cost_per_job": ("每个岗位成本", "cost per job", "万元", "10,000 yuan"),
    "budget_spent": ("总支出", "money spent", "万元", "10,000 yuan"),
}
STRATEGY_ZH = {"optimum": "优化配置", "baseline": "现状基线"}


def obj_label(name: str, lang: str, unit: bool = False) -> str:
    """An objective in words (with its unit)."""
    zh, en, uz, ue = OBJ_LABELS.get(name, OUTPUT_LABELS.get(name, (name, name, "", "")))
    text = zh if lang == "zh" else en
    return f"{text}（{uz}）" if unit and lang == "zh" else (f"{text} ({ue})" if unit else text)


LEVER_EXTRA = {"team": ("专业招商队伍", "Promotion team"), "leadership_attention": ("领导精力", "Leaders' attention"),
               "persistence": ("政策延续（制度化）", "Persistence (institutionalised)"),
               "promise_vetting": ("优惠承诺审核", "Vetting promises"), "city_coordination": ("市级统筹办公室", "City coordination office"),
               "vertical_coordination": ("条管单位联席办公室", "Joint office with vertical units"),
               "one_stop_centre": ("政务服务中心", "One-stop service centre"), "complaint_centre": ("投诉中心", "Complaint centre")}


def lever_name(key: str, lang: str) -> str:
    """A lever (budget share or running cost) in words."""
    if key in LEVER_EXTRA:
        return LEVER_EXTRA[key][0 if lang == "zh" else 1]
    return lever_label(key, lang)


def strategy_label(name: str, lang: str, titles: dict[str, dict[str, str]] | None = None) -> str:
    """A strategy in words: the optimum, or a scenario's title."""
    if name == "optimum":
        return "优化配置" if lang == "zh" else "robust allocation"
    t = (titles or {}).get(name) or {}
    return t.get(lang) or (STRATEGY_ZH.get(name, name) if lang == "zh" else name)


def fmt(x: float, unit: str = "", digits: int = 0) -> str:
    """A number for officials: thousands separated, rounded."""
    if unit == "%":
        return f"{x * 100:.1f}%"
    return f"{x:,.{digits}f}"


def scenario_titles(paths: list[str]) -> dict[str, dict[str, str]]:
    """Scenario name -> its title {zh, en}, from the scenario files."""
    from sim.scenario import load_scenario

    out = {}
    for p in paths:
        try:
            s = load_scenario(p)
            out[s.name] = dict(s.title or {})
        except Exception:  # a title is decoration; a missing file must not stop the chart
            continue
    return out


def _opt_titles(folder: Path) -> dict[str, dict[str, str]]:
    meta = json.loads((folder / "optimise.json").read_text(encoding="utf-8"))
    summ = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    from sim.experiment.optimise import load_optimise

    try:
        spec = load_optimise(meta["file"])
        return scenario_titles([str(spec.scenario_path), *map(str, spec.compare)])
    except Exception:
        return {summ.get("scenario", "baseline"): {}}


def optimise_chart(folder: str | Path, lang: str = "zh") -> Path:
    """Chart of an optimiser's results folder: allocation per lever and the plan against the shipped strategies."""
    folder = Path(folder)
    cmp = pd.read_csv(folder / "comparison.csv")
    alloc = pd.read_csv(folder / "allocation.csv")
    summ = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    titles = _opt_titles(folder)
    obj = summ["objectives"][0]
    c = cmp[cmp["objective"] == obj].reset_index(drop=True)
    base = summ["scenario"]
    money = alloc[alloc["lever"].isin([r for r in alloc["lever"] if not str(r).startswith("promise")])]
    fig, (ax1, ax2) = _figure(max(len(money), len(c)), ncols=2, height_per_row=0.36, extra=2.2)
    y = np.arange(len(money))
    ax1.barh(y - 0.2, money["scenario_wan_yuan_per_year"], height=0.4, color="#a5a5a5",
             label=strategy_label(base, lang, titles))
    ax1.barh(y + 0.2, money["wan_yuan_per_year"], height=0.4, color="#1f4e79", label=strategy_label("optimum", lang))
    ax1.set_yticks(y, [lever_name(v, lang) for v in money["lever"]])
    ax1.invert_yaxis()
    ax1.set_xlabel("万元 / 年" if lang == "zh" else "10,000 yuan a year")
    ax1.set_title("各项投入" if lang == "zh" else "Money by lever")
    ax1.legend(loc="lower right")
    y2 = np.arange(len(c))
    for i, r in c.iterrows():
        colour = "#1f4e79" if r["strategy"] == "optimum" else "#7f7f7f"
        ax2.plot([r["future_p05"], r["future_p05"]], [i - 0.25, i + 0.25], color=colour, lw=1)
        ax2.errorbar(r["mean"], i, xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]], fmt="o",
                     color=colour, capsize=3)
    ax2.set_yticks(y2, [strategy_label(s, lang, titles) for s in c["strategy"]])
    ax2.invert_yaxis()
    ax2.set_xlabel(obj_label(obj, lang, unit=True))
    ax2.set_title("同一组未来情景下的结果" if lang == "zh" else "Results on the same futures")
    opt = c[c["strategy"] == "optimum"].iloc[0]
    b = c[c["strategy"] == base].iloc[0]
    sure = b["optimum_minus_low"] > 0 or b["optimum_minus_high"] < 0
    more = b["optimum_minus"] >= 0
    iv = f"{fmt(b['optimum_minus_low'])} … {fmt(b['optimum_minus_high'])}"
    if lang == "zh":
        word = ("多" if more else "少") if sure else "相差"
        title = (f"总投入不变，优化配置的{obj_label(obj, lang)}比{strategy_label(base, lang, titles)}{word} "
                 f"{fmt(abs(b['optimum_minus']))}（95% 区间 {iv}）" + ("" if sure else "，差异尚不确定"))
        note = (f"点与横线：{summ['futures']} 个未来情景的平均值及其 95% 置信区间（{summ['replications']} 次配对重复）；"
                f"竖线：最差 5% 情景的水平。")
    else:
        word = ("more" if more else "fewer") if sure else "a difference of"
        title = (f"For the same total cost, the robust allocation gives {fmt(abs(b['optimum_minus']))} {word} "
                 f"{obj_label(obj, lang)} than {strategy_label(base, lang, titles)} (95% interval {iv})"
                 + ("" if sure else ": not yet distinguishable") if sure else
                 f"For the same total cost, the robust allocation and {strategy_label(base, lang, titles)} cannot yet be "
                 f"told apart on {obj_label(obj, lang)} (difference {fmt(b['optimum_minus'])}, 95% interval {iv})")
        note = (f"Dots and whiskers: mean over {summ['futures']} futures with its 95% interval "
                f"({summ['replications']} paired replications); tick: the level of the worst 5% of futures.")
    _note(fig, note)
    del opt
    return _save(fig, folder / f"optimise_{lang}.png", title, lang)


def decomposition_chart(table: pd.DataFrame, scenario_titles_: dict[str, dict[str, str]], path: Path,
                        lang: str = "zh", measure: str = "cohort_start_rate_24m", top: int = 4) -> Path:
    """Stacked contributions of the largest mechanisms to each strategy's effect on ``measure``."""
    from sim.analysis.decompose import carriers

    blk = table[table["measure"] == measure]
    scen = list(dict.fromkeys(blk["scenario"]))
    fig, (ax,) = _figure(len(scen), height_per_row=0.45, extra=2.2)
    comps = (blk[~blk["kind"].isin(["total", "residual"])].groupby("component")["mean"]
             .apply(lambda s: s.abs().mean()).sort_values(ascending=False).index[:top].tolist())
    from sim.report.style import PALETTE

    for i, s in enumerate(scen):
        rows = blk[blk["scenario"] == s].set_index("component")
        pos = neg = 0.0
        for j, comp in enumerate([*comps, "other"]):
            if comp == "other":
                val = float(rows.loc[~rows.index.isin([*comps, "total", "residual"]), "mean"].sum())
            else:
                val = float(rows.loc[comp, "mean"]) if comp in rows.index else 0.0
            left = pos if val >= 0 else neg
            ax.barh(i, val, left=left, color=PALETTE[j % len(PALETTE)] if comp != "other" else "#d9d9d9",
                    label=_component(comp, lang) if i == 0 else None, height=0.6)
            if val >= 0:
                pos += val
            else:
                neg += val
        tot = rows.loc["total"]
        ax.errorbar(tot["mean"], i, xerr=[[tot["mean"] - tot["ci_low"]], [tot["ci_high"] - tot["mean"]]], fmt="D",
                    color="black", capsize=3, label=("总效应（95% 区间）" if lang == "zh" else "total effect (95% interval)")
                    if i == 0 else None)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(range(len(scen)), [strategy_label(s, lang, scenario_titles_) for s in scen])
    ax.invert_yaxis()
    ax.set_xlabel("百分点（每百个签约项目）" if lang == "zh" else "percentage points (per 100 signed)")
    ax.legend(loc="lower right", fontsize=7.5)
    best = max(scen, key=lambda s: abs(float(blk[(blk["scenario"] == s) & (blk["kind"] == "total")]["mean"].iloc[0])))
    c = carriers(table, best, measure, 1)
    comp = _component(c[0]["component"], lang) if c else ""
    if lang == "zh":
        title = f"{strategy_label(best, lang, scenario_titles_)}对履约率的影响最大，主要来自{comp}的变化"
    else:
        title = f"{strategy_label(best, lang, scenario_titles_)} moves 履约率 most, mainly through {comp}"
    _note(fig, "各段为各类原因的贡献，合计等于总效应（恒等式）。" if lang == "zh" else
          "Segments: contribution of each mechanism; they add up exactly to the total effect.")
    return _save(fig, path, title, lang)


COMPONENT_LABELS = {
    "waiting": ("24个月仍未开工", "still waiting at 24 months"),
    "stalled": ("停工烂尾", "stalled half-built"),
    "building": ("在建", "still building"),
    "operating": ("已投产", "operating"),
    "contacts": ("接洽客商数", "contacts"),
    "signings_per_contact": ("签约转化率", "signings per contact"),
    "capital_per_signing": ("单个项目签约额", "capital per signing"),
}


def _component(name: str, lang: str) -> str:
    from sim.model.agents import REASON_NAMES_ZH

    if name in COMPONENT_LABELS:
        zh, en = COMPONENT_LABELS[name]
    else:
        zh, en = f"“{REASON_NAMES_ZH.get(name, name)}”撤资", f"'{name.replace('_', ' ')}' withdrawals"
    return zh if lang == "zh" else en


def component_label(name: str, lang: str) -> str:
    """A mechanism of the decomposition in words."""
    return _component(name, lang)


def esc(x: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(x))
