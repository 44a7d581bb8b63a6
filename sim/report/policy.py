"""Charts and the one-page policy brief of choosing an allocation, reading only stored tables.

- :func:`optimise_chart`: the robust allocation against the scenario it re-allocates (万元 a year per lever) and
  what it delivers against the shipped strategies on the same futures (mean with 95% interval over paired
  replications, and the spread over futures);
- :func:`decomposition_chart`: which mechanisms carry each strategy's effect on cohort 履约率 (fulfilment);
- :func:`policy_page`: one page (HTML and PDF) in Chinese or English: the recommended allocation, what it buys
  with intervals, when it fails, how sure we are; every title states a finding.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import sensitivity
from sim.analysis.data import load_results
from sim.analysis.decompose import CAPITAL, RATE, carriers, headline
from sim.analysis.tables import ANALYSIS_DIR
from sim.errors import ScenarioError
from sim.experiment.optimise import load_optimise
from sim.files import atomic_write, atomic_write_text, read_json_object
from sim.model import registry, vocabulary
from sim.report.experiment_charts import add_note, new_figure, save_chart
from sim.report.findings import split_words
from sim.report.hinges import plan_check_sentence
from sim.report.pages import css, local_fetcher
from sim.report.style import PALETTE
from sim.scenario import load_scenario


def obj_label(name: str, lang: str, unit: bool = False) -> str:
    """An objective (an output of ``sim.model.registry``) in words, as inside a sentence (with its unit)."""
    text = registry.phrase(name, lang)
    if not unit:
        return text
    u = registry.unit(name, lang)
    return f"{text}（{u}）" if lang == "zh" else f"{text} ({u})"


def lever_name(key: str, lang: str) -> str:
    """A lever (budget share or running cost) in words."""
    return vocabulary.lever(key, lang)


def strategy_label(name: str, lang: str, titles: dict[str, dict[str, str]] | None = None) -> str:
    """A strategy in words: the optimum, or a scenario's title (its name in the vocabulary, or the name itself,
    when there is no title)."""
    t = (titles or {}).get(name) or {}
    return (name != "optimum" and t.get(lang)) or vocabulary.name(vocabulary.STRATEGIES, name, lang)


def fmt(x: float, unit: str = "", digits: int = 0) -> str:
    """A number for officials: thousands separated, rounded."""
    if unit == "%":
        return f"{x * 100:.1f}%"
    return f"{x:,.{digits}f}"


def scenario_titles(paths: list[str]) -> dict[str, dict[str, str]]:
    """Scenario name -> its title {zh, en}, from the scenario files."""
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
    fig, (ax1, ax2) = new_figure(max(len(money), len(c)), ncols=2, height_per_row=0.36, extra=2.2)
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
    add_note(fig, note)
    del opt
    return save_chart(fig, folder / f"optimise_{lang}.png", title, lang)


def decomposition_chart(table: pd.DataFrame, scenario_titles_: dict[str, dict[str, str]], path: Path,
                        lang: str = "zh", measure: str = RATE, top: int = 4) -> Path:
    """Stacked contributions of the largest mechanisms to each strategy's effect on ``measure``."""
    blk = table[table["measure"] == measure]
    scen = list(dict.fromkeys(blk["scenario"]))
    fig, (ax,) = new_figure(len(scen), height_per_row=0.45, extra=2.2)
    comps = (blk[~blk["kind"].isin(["total", "residual"])].groupby("component")["mean"]
             .apply(lambda s: s.abs().mean()).sort_values(ascending=False).index[:top].tolist())

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
                    label=component_label(comp, lang) if i == 0 else None, height=0.6)
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
    comp = component_label(c[0]["component"], lang) if c else ""
    if lang == "zh":
        title = f"{strategy_label(best, lang, scenario_titles_)}对{registry.phrase(measure, lang)}的影响最大，主要来自{comp}的变化"
    else:
        title = f"{strategy_label(best, lang, scenario_titles_)} moves {registry.phrase(measure, lang)} most, mainly through {comp}"
    add_note(fig, "各段为各类原因的贡献，合计等于总效应（恒等式）。" if lang == "zh" else
          "Segments: contribution of each mechanism; they add up exactly to the total effect.")
    return save_chart(fig, path, title, lang)


def component_label(name: str, lang: str) -> str:
    """A mechanism of the decomposition in words."""
    return vocabulary.component(name, lang)


def esc(x: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(x))


# ----------------------------------------------------------------------------- which lever bought what
LEVER_SOBOL = "lever_sobol.csv"


def lever_indices(sobol_dir: str | Path, outputs: tuple[str, ...] = ("jobs", "arrived_capital")) -> pd.DataFrame:
    """Sobol' indices of ``outputs`` over the budget shares of a stored Sobol' design (the project's own
    :func:`sim.analysis.sensitivity.indices`), written to ``<sobol_dir>/analysis/lever_sobol.csv``."""
    table, _, _ = sensitivity.indices(load_results(sobol_dir, monthly=False), outputs=outputs)
    folder = Path(sobol_dir) / ANALYSIS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / LEVER_SOBOL, table.to_csv(index=False))
    return table

def sobol_chart(indices: pd.DataFrame, path: Path, lang: str = "zh",
                outputs: tuple[str, ...] = ("jobs", "arrived_capital")) -> Path:
    """First-order and total Sobol' indices per lever's budget share, for jobs and arrived capital."""
    idx = indices[indices["output"].isin(outputs)]
    first = idx[idx["output"] == outputs[0]].sort_values("ST")
    params = list(first["parameter"])
    fig, axes = new_figure(len(params), len(outputs), height_per_row=0.42, extra=2.0)
    y = np.arange(len(params))
    for ax, out in zip(axes, outputs, strict=True):
        sub = idx[idx["output"] == out].set_index("parameter").reindex(params)
        ax.barh(y + 0.18, sub["ST"], 0.36, xerr=sub["ST_conf"], color=PALETTE[0], capsize=2,
                label="总效应 ST" if lang == "zh" else "total order ST")
        ax.barh(y - 0.18, sub["S1"], 0.36, xerr=sub["S1_conf"], color="#9ecae1", capsize=2,
                label="一阶 S1" if lang == "zh" else "first order S1")
        ax.set_yticks(y, [lever_name(p.split(".")[-1], lang) for p in params] if ax is axes[0] else [])
        ax.set_xlabel("方差贡献（0-1）" if lang == "zh" else "share of variance (0-1)")
        ax.set_title(obj_label(out, lang))
    axes[-1].legend(loc="lower right", fontsize=8)
    top = first.iloc[-1]
    top2 = idx[idx["output"] == outputs[1]].sort_values("ST").iloc[-1] if len(outputs) > 1 else top
    a, b = lever_name(top["parameter"].split(".")[-1], lang), lever_name(top2["parameter"].split(".")[-1], lang)
    if lang == "zh":
        title = (f"{a}的投入决定了就业岗位差异的 {top['ST']:.0%}，{b}的投入决定了到位资金差异的 {top2['ST']:.0%}"
                 if a != b else f"{a}的投入最能左右就业岗位（{top['ST']:.0%}）和到位资金（{top2['ST']:.0%}）")
        note = "各项预算份额在 0 至 13% 之间独立变化；误差线为 95% 自助法区间。"
    else:
        title = (f"Money for {a.lower()} explains {top['ST']:.0%} of the variation in jobs, "
                 f"money for {b.lower()} {top2['ST']:.0%} of that in arrived capital" if a != b else
                 f"Money for {a.lower()} drives both jobs ({top['ST']:.0%}) and arrived capital ({top2['ST']:.0%})")
        note = "Each lever's share varies independently from 0 to 13% of the budget; whiskers: 95% bootstrap intervals."
    add_note(fig, note)
    return save_chart(fig, path, title, lang)


# ----------------------------------------------------------------------------- the policy page
TEXT = {
    "zh": {"alloc": "推荐配置", "buys": "能买到什么", "fails": "何时失效", "sure": "把握有多大", "why": "效应从何而来",
           "lever": "投入项", "now": "现状（万元/年）", "rec": "推荐（万元/年）", "change": "变化", "pm": "人月/年",
           "strategy": "策略", "mean": "平均（95% 区间）", "diff": "推荐配置比它多（95% 区间）",
           "worst": "不利情况下（二十种情景中最差的一种）",
           "levers": "各项投入买到了什么", "gov": "区县", "lm": "每位领导用于招商的月数/年",
           "county_note": "份额按全市决定；各区县的金额由模型规则产生：区县渠道经费均分、考核压力、客商与闲置土地所在地；市级含全市统一运行的项目。",
           "page": '"第 " counter(page) " / " counter(pages) " 页"'},
    "en": {"alloc": "Recommended allocation", "buys": "What it buys", "fails": "When it fails", "sure": "How sure we are",
           "why": "Where the effects come from", "lever": "lever", "now": "now (10,000 yuan a year)",
           "rec": "recommended (10,000 yuan a year)", "change": "change", "pm": "person-months a year",
           "strategy": "strategy", "mean": "mean (95% interval)", "diff": "the recommendation's gain over it (95% interval)",
           "worst": "in a bad future (1 in 20)", "levers": "Which lever bought what", "gov": "government",
           "lm": "each leader's months a year for attraction",
           "county_note": "Shares are decided for the region; how they fall on each county follows the model's rules "
                          "(county channel money split equally, courting pressure, where prospects and idle land are); "
                          "the city carries what it runs for the whole region.",
           "page": '"page " counter(page) " of " counter(pages)'},
}


def _iv(lo: float, hi: float, unit: str = "", digits: int = 0) -> str:
    return f"{fmt(lo, unit, digits)} … {fmt(hi, unit, digits)}"


def _signed(x: float, digits: int = 1) -> str:
    return f"{x:+,.{digits}f}"


def carrier_words(c: dict, lang: str, digits: int) -> str:
    """A mechanism carrying an effect, with the direction it moved: a positive contribution is fewer withdrawals
    (stalls, waiting projects) of that kind, or more contacts, signings or capital per signing."""
    more = (c["mean"] > 0) == (c["kind"] == "volume")
    label = component_label(c["component"], lang)
    if lang == "zh":
        return f"{label}{'增加' if more else '减少'}（{_signed(c['mean'], digits)}）"
    return f"{'more' if more else 'fewer'} {label} ({_signed(c['mean'], digits)})"


def mechanism_sentences(table: pd.DataFrame, titles: dict[str, dict[str, str]], lang: str,
                        effects: list[dict] | None = None) -> list[str]:
    """For every strategy and headline effect: the effect, the two mechanisms that carry it, and whether it goes
    against the essay's expectation; for 履约率, with ``effects`` (effect records of the analysis), whether it moved
    through more projects fulfilled or fewer signed (:func:`sim.report.findings.split_words`)."""
    by_scenario = {e["scenario"]: e for e in effects or [] if e["output"] == RATE}
    out = []
    for s in dict.fromkeys(table["scenario"]):
        parts = []
        for m in (RATE, CAPITAL):
            h = headline(table, s, m)
            if h is None or (h["mean"] == 0 and not h["ci_high"] > h["ci_low"]):
                continue  # no cohort followed long enough (short horizons): nothing to explain
            cs = carriers(table, s, m, 2)
            if m == RATE:
                eff = f"{_signed(h['mean'])} {'个百分点' if lang == 'zh' else 'points'} [{_signed(h['ci_low'])}, {_signed(h['ci_high'])}]"
                cw = [carrier_words(c, lang, 1) for c in cs]
            else:
                eff = f"{_signed(h['mean'], 0)} {'万元' if lang == 'zh' else '10,000 yuan'} [{_signed(h['ci_low'], 0)}, {_signed(h['ci_high'], 0)}]"
                cw = [carrier_words(c, lang, 0) for c in cs]
            name = registry.phrase(m, lang)
            if m == RATE and (split := split_words(by_scenario.get(s, {"output": RATE}), lang)):
                eff += f"（{split}）" if lang == "zh" else f" ({split})"
            carried = ("、".join(cw) if lang == "zh" else " and ".join(cw)) or ("—")
            against = ""
            if h["against"]:
                against = "（与文章预期相反）" if lang == "zh" else " (against the essay's expectation)"
            parts.append(f"{name} {eff}{against}，主要来自{carried}" if lang == "zh" else
                         f"{name} {eff}{against}, carried by {carried}")
        if parts:
            lab = strategy_label(s, lang, titles)
            out.append(f"{lab}：" + "；".join(parts) + "。" if lang == "zh" else f"{lab}: " + "; ".join(parts) + ".")
    return out


def read_discovery(path: str | Path) -> dict:
    """A discovery summary written by ``sim discover`` (with the scenario titles of its experiment), or one line."""
    path = Path(path)
    d = read_json_object(path, "a discovery summary written by sim discover", "run sim discover again", ScenarioError)
    for key in ("strategy", "output", "futures", "failing", "words"):
        if key not in d:
            raise ScenarioError(f"{path}: key '{key}': expected a discovery summary written by sim discover, found none")
    man = path.resolve().parent.parent / "manifest.json"
    try:
        d["titles"] = {s["name"]: s.get("title") or {} for s in json.loads(man.read_text(encoding="utf-8"))["scenarios"]}
    except (OSError, ValueError, KeyError, TypeError):
        d["titles"] = {}
    return d


def failure_sentences(discoveries: list[dict], titles: dict[str, dict[str, str]], lang: str) -> list[str]:
    """'When it fails' in plain words: for each discovery, how often the strategy fails and its first boxes."""
    out = []
    for d in discoveries:
        words = d.get("words", {}).get(lang, [])
        lab = strategy_label(d["strategy"], lang, {**titles, **d.get("titles", {})})
        if lang == "zh":
            head = (f"{lab}在 {d['futures']} 个未来情景中有 {d['failing']} 个{obj_label(d['output'], lang)}"
                    f"{'低于目标' if d.get('target') is not None else '不如现状基线'}。")
        else:
            head = (f"{lab} does worse than {'its target' if d.get('target') is not None else 'the baseline'} on "
                    f"{obj_label(d['output'], lang)} in {d['failing']} of {d['futures']} futures.")
        out.append(" ".join([head, *words[:2]]))
    return out


def county_table(opt_dir: Path, lang: str) -> str:
    """The recommended allocation per government (each county and the city): 万元 a year now and recommended,
    and each leader's months a year for attraction, from ``allocation_by_government.csv`` ('' without it)."""
    f = opt_dir / "allocation_by_government.csv"
    if not f.is_file():
        return ""
    df = pd.read_csv(f)
    if df.empty:
        return ""
    t = TEXT[lang]
    rows = []
    for gov, g in df.groupby("government", sort=False):
        now, rec = float(g["scenario_wan_yuan_per_year"].sum()), float(g["wan_yuan_per_year"].sum())
        lm = g.dropna(subset=["leader_months_per_year"])
        months = (f"{fmt(lm['scenario_leader_months_per_year'].iloc[0], digits=1)} → "
                  f"{fmt(lm['leader_months_per_year'].iloc[0], digits=1)}") if len(lm) else "–"
        name = g["government_zh" if lang == "zh" else "government_en"].iloc[0] if f"government_{lang}" in g else str(gov)
        rows.append(f"<tr><td class='name'>{esc(name)}</td><td>{fmt(now)}</td><td>{fmt(rec)}</td>"
                    f"<td>{fmt(rec - now)}</td><td>{esc(months)}</td></tr>")
    return (f"<table><tr><th class='name'>{t['gov']}</th><th>{t['now']}</th><th>{t['rec']}</th><th>{t['change']}</th>"
            f"<th>{t['lm']}</th></tr>{''.join(rows)}</table><p class='note'>{esc(t['county_note'])}</p>")


def policy_section(opt_dir: str | Path, out: str | Path, lang: str = "zh",
                   discover: list[str | Path] | None = None) -> tuple[str, Path]:
    """The policy page's first page as HTML (the recommended allocation, by lever and by government, what it buys,
    when it fails, how sure we are), and the optimiser's chart copied into ``out``; the briefing shows it as
    its policy page."""
    opt_dir, out = Path(opt_dir), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t = TEXT[lang]
    summ = json.loads((opt_dir / "summary.json").read_text(encoding="utf-8"))
    cmp = pd.read_csv(opt_dir / "comparison.csv")
    alloc = pd.read_csv(opt_dir / "allocation.csv")
    titles = _opt_titles(opt_dir)
    base = summ["scenario"]
    obj = summ["objectives"][0]
    chart = optimise_chart(opt_dir, lang)
    shutil_copy(chart, out / chart.name)
    b = cmp[(cmp["strategy"] == base) & (cmp["objective"] == obj)].iloc[0]
    sure = b["optimum_minus_low"] > 0 or b["optimum_minus_high"] < 0
    # Allocation: the biggest moves of money.
    money = alloc[~alloc["lever"].astype(str).str.startswith("promise")].copy()
    money["delta"] = money["wan_yuan_per_year"] - money["scenario_wan_yuan_per_year"]
    up = money.sort_values("delta", ascending=False).iloc[0]
    down = money.sort_values("delta").iloc[0]
    better = sure and (b["optimum_minus"] > 0) == (b["sense"] == "max")
    if lang == "zh":
        h1 = (f"把{lever_name(down['lever'], lang)}每年少投{fmt(-down['delta'])}万元、"
              f"{lever_name(up['lever'], lang)}多投{fmt(up['delta'])}万元，"
              + (f"{obj_label(obj, lang)}{'多' if b['optimum_minus'] > 0 else '少'}{fmt(abs(b['optimum_minus']))}"
                 if sure else f"{obj_label(obj, lang)}的差异尚不确定")
              + ("" if better else "：不能证明优于现状，不作推荐"))
    else:
        h1 = (f"{fmt(-down['delta'] / 100, digits=1)} million yuan a year less on {lever_name(down['lever'], lang).lower()} "
              f"and {fmt(up['delta'] / 100, digits=1)} million more on {lever_name(up['lever'], lang).lower()} "
              + (f"gives {fmt(abs(b['optimum_minus']))} {'more' if b['optimum_minus'] > 0 else 'fewer'} {obj_label(obj, lang)}"
                 if sure else f"changes {obj_label(obj, lang)} by an amount not yet distinguishable from zero")
              + ("" if better else ": it cannot be shown to beat the status quo and is not recommended"))
    rows = []
    for _, r in money.iterrows():
        pm = "" if pd.isna(r["person_months_per_year"]) else f"{fmt(r['scenario_person_months_per_year'], digits=1)} → {fmt(r['person_months_per_year'], digits=1)}"
        rows.append(f"<tr><td class='name'>{esc(lever_name(r['lever'], lang))}</td><td>{fmt(r['scenario_wan_yuan_per_year'])}</td>"
                    f"<td>{fmt(r['wan_yuan_per_year'])}</td><td>{fmt(r['delta'])}</td><td>{esc(pm)}</td></tr>")
    alloc_html = (f"<table><tr><th class='name'>{t['lever']}</th><th>{t['now']}</th><th>{t['rec']}</th><th>{t['change']}</th>"
                  f"<th>{t['pm']}</th></tr>{''.join(rows)}</table>")
    buy_rows = []
    for _, r in cmp.iterrows():
        unit = "%" if registry.is_rate(r["objective"]) else ""
        diff = "—" if r["strategy"] == "optimum" else f"{fmt(r['optimum_minus'], unit)} ({_iv(r['optimum_minus_low'], r['optimum_minus_high'], unit)})"
        buy_rows.append(f"<tr><td class='name'>{esc(strategy_label(r['strategy'], lang, titles))}</td>"
                        f"<td class='name'>{esc(obj_label(r['objective'], lang))}</td>"
                        f"<td>{fmt(r['mean'], unit)} ({_iv(r['ci_low'], r['ci_high'], unit)})</td><td>{diff}</td>"
                        f"<td>{fmt(r['future_p05'], unit)}</td></tr>")
    buys_html = (f"<table><tr><th class='name'>{t['strategy']}</th><th class='name'></th><th>{t['mean']}</th>"
                 f"<th>{t['diff']}</th><th>{t['worst']}</th></tr>{''.join(buy_rows)}</table>")
    fails = [f"<li>{esc(x)}</li>" for x in failure_sentences([read_discovery(f) for f in discover or []], titles, lang)]
    fails += [f"<li><b>{esc(x)}</b></li>" for x in (plan_check_sentence(opt_dir, lang),) if x]  # does the cut hold?
    opt_wins = cmp[(cmp["strategy"] != "optimum") & (cmp["objective"] == obj)]
    for _, r in opt_wins.iterrows():
        share = r["optimum_not_worse_share_of_futures"]
        if lang == "zh":
            fails.append(f"<li>推荐配置在 {share:.0%} 的未来情景中不差于{esc(strategy_label(r['strategy'], lang, titles))}。</li>")
        else:
            fails.append(f"<li>The recommended allocation is no worse than {esc(strategy_label(r['strategy'], lang, titles))} "
                         f"in {share:.0%} of the futures.</li>")
    meta = json.loads((opt_dir / "optimise.json").read_text(encoding="utf-8"))
    posterior = "posterior" in meta.get("file_text", "")
    if lang == "zh":
        sure_txt = (f"每个候选方案在 {summ['futures']} 个未来情景（{'来自校准后验样本' if posterior else '在给定范围内抽样'}）"
                    f"和 {summ['replications']} 次配对重复（共同随机数）下运行，共 {summ['runs']} 次模拟；"
                    f"稳健性按{'最差 ' + format(summ['quantile'], '.0%') + ' 分位' if summ['robustness'] == 'quantile' else '最大遗憾'}评价。"
                    f"区间为配对重复的 95% t 区间。")
    else:
        sure_txt = (f"Every candidate ran in {summ['futures']} futures ({'drawn from the calibration posterior' if posterior else 'sampled within stated ranges'}) "
                    f"and {summ['replications']} paired replications (common random numbers): {summ['runs']} simulations; "
                    f"robustness is the {format(summ['quantile'], '.0%') + ' quantile over futures' if summ['robustness'] == 'quantile' else 'largest regret'}. "
                    f"Intervals: 95% t-intervals over paired replications.")
    try:
        pool = load_optimise(meta["file"]).overrides.get("run.n_investors")
    except (ScenarioError, OSError, KeyError):
        pool = None
    if pool:
        sure_txt += (f"“能买到什么”中的数字来自{int(pool):,}个客商规模的市场，只宜用于方案之间的比较；与主对比同一规模的结果见决策参考（sim main）。"
                     if lang == "zh" else f" The figures of 'What it buys' come from a market of {int(pool):,} prospects "
                     "and only compare the plans with each other; the decision memo (sim main) states them at the main "
                     "comparison's size.")
    section = f"""<h1>{esc(h1)}</h1>
<h2>{t['alloc']}</h2>{alloc_html}{county_table(opt_dir, lang)}
<h2>{t['buys']}</h2>{buys_html}
<h2>{t['fails']}</h2><ul>{''.join(fails)}</ul>
<h2>{t['sure']}</h2><p>{esc(sure_txt)}</p>"""
    return section, chart


def policy_page(opt_dir: str | Path, out: str | Path, lang: str = "zh", main_dir: str | Path | None = None,
                discover: list[str | Path] | None = None, sobol_dir: str | Path | None = None) -> dict[str, Path]:
    """Write ``policy_<lang>.html`` and ``.pdf``: the recommended allocation, what it buys, when it fails, how sure
    we are (page 1), and where the strategies' effects come from and which lever bought what (page 2)."""
    import weasyprint


    opt_dir, out = Path(opt_dir), Path(out)
    t = TEXT[lang]
    section, chart = policy_section(opt_dir, out, lang, discover)
    summ = json.loads((opt_dir / "summary.json").read_text(encoding="utf-8"))
    titles = _opt_titles(opt_dir)
    page2 = [f"<figure style='break-before: page'><img src='{chart.name}' style='width:80%'></figure>"]
    if main_dir is not None:
        dec_file = Path(main_dir) / ANALYSIS_DIR / "decomposition.csv"
        if dec_file.is_file():
            table = pd.read_csv(dec_file)
            man = json.loads((Path(main_dir) / "manifest.json").read_text(encoding="utf-8"))
            mt = {s["name"]: s.get("title") or {} for s in man.get("scenarios", [])}
            effects_file = Path(main_dir) / ANALYSIS_DIR / "effects.csv"
            effects = pd.read_csv(effects_file).to_dict("records") if effects_file.is_file() else None
            if effects:
                effects = [e for e in effects if e["source"] == "summary"]
            sent = mechanism_sentences(table, {**titles, **mt}, lang, effects)
            dchart = decomposition_chart(table, {**titles, **mt}, out / f"decomposition_{lang}.png", lang)
            page2.append(f"<h2>{t['why']}</h2><ul>" + "".join(f"<li>{esc(s)}</li>" for s in sent)
                         + f"</ul><figure><img src='{dchart.name}' style='width:88%'></figure>")
    if sobol_dir is not None:
        sc = lever_chart(sobol_dir, out, lang)
        page2.append(f"<h2>{t['levers']}</h2><figure><img src='{sc.name}' style='width:88%'></figure>")
    footer = (f"sim optimise {summ['name']} · {summ['runs']} runs" if lang == "en" else f"sim optimise {summ['name']} · {summ['runs']} 次模拟")
    doc = f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><style>{css(footer, t['page'], 0.8)}</style></head><body>
{section}
{''.join(page2)}
</body></html>"""
    html_path, pdf_path = out / f"policy_{lang}.html", out / f"policy_{lang}.pdf"
    rendered = weasyprint.HTML(string=doc, base_url=str(out) + "/", url_fetcher=local_fetcher()).render()
    atomic_write_text(html_path, doc)
    atomic_write(pdf_path, rendered.write_pdf)
    return {"html": html_path, "pdf": pdf_path, "pages": len(rendered.pages)}


def lever_chart(sobol_dir: str | Path, out: Path, lang: str) -> Path:
    """The chart of which lever bought what (Sobol' indices over budget shares, computed once and stored in the
    design's analysis folder), drawn into ``out``."""
    sfile = Path(sobol_dir) / ANALYSIS_DIR / LEVER_SOBOL
    if not sfile.is_file():
        lever_indices(sobol_dir)
    return sobol_chart(pd.read_csv(sfile), Path(out) / f"sobol_{lang}.png", lang)


def shutil_copy(src: Path, dst: Path) -> None:
    """Copy a chart next to the page that shows it (no-op when it is already there)."""
    import shutil

    if Path(src).resolve() != Path(dst).resolve():
        shutil.copyfile(src, dst)
