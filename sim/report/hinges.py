"""What each strategy's effect hinges on, in plain words: the sentences of the memo's "how sure we are" part (the
one place the memo says what its results hinge on), and whether the plan's biggest cut holds over the plausible
effect of what it cuts.

Reads the ``screening`` of an analysed screening of assumptions (``sim analyse`` of a grouped Morris design run on
every strategy, :mod:`sim.analysis.screening`): for each strategy and headline effect, how often the effect keeps
its sign over the assumptions' ranges, the groups of assumptions (mechanisms) that move it most, the parameters of
those groups it hinges on and, where it changes sign inside a parameter's range, the value at which it does. The
Chinese is written in the register of a 决策参考 ("该结论主要取决于……；若……低于……，效果将转为负").

Without such a screening, a sensitivity screening of the baseline's levels (Sobol' or Morris over a few
parameters, :func:`sensitivity_sentences`) says which assumption moves each headline output most, set beside the
size of the effect of the strategy the memo leads with.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any

from sim.analysis.plan_check import lever_check
from sim.model import registry, vocabulary
from sim.paramdoc import param_label, param_unit
from sim.report import numbers as nb
from sim.report.figures import Figures

ROBUST_SHARE = 0.9
"""An effect that keeps its sign at this share of the design points or more is called robust."""
GROUPS_NAMED = 2
"""Groups named per effect (and the group of each parameter named, if it is another)."""
SHOWN_UNITS = frozenset(("months", "万元", "万元 / year", "万元 / mu", "万元 / contact", "mu", "mu / year",
                         "% of capital", "approvals", "investors", "ties", "prospects / month"))
"""Units printed after a value (shares, probabilities, utilities and weights are read as numbers)."""
COUNT_ZH = {1: "", 2: "两", 3: "三", 4: "四"}


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def value_text(key: str, value: float, lang: str) -> str:
    """A parameter's value as printed: rounded to its magnitude, with its unit."""
    ref = abs(value)
    places = 0 if ref >= 100 else (1 if ref >= 10 else (2 if ref >= 1 else max(3, 2 - math.floor(math.log10(ref)))
                                                       if ref > 0 else 3))
    unit = param_unit(key, lang) if param_unit(key, "en") in SHOWN_UNITS else ""
    unit = {"月": "个月"}.get(unit, unit)
    text = nb.number(value, places)
    return f"{text} {unit}" if unit else text


def _quoted(name: str, lang: str) -> str:
    return f"「{name}」" if lang == "zh" else name.lower() if name[:1].isupper() and not name[:2].isupper() else name


def _effect_words(output: str, lang: str) -> str:
    name = registry.phrase(output, lang)
    return f"{name}效果" if lang == "zh" else f"effect on {name}"


class Hinges:
    """The screening of one analysis (``analysis.json`` content with ``screening``) in words, in one language."""

    def __init__(self, analysis: dict, lang: str = "zh"):
        self.an = analysis
        self.lang = lang
        self.zh = lang == "zh"
        sc = analysis.get("screening") or {}
        self.design = sc.get("design") or {}
        self.groups = sc.get("groups") or []
        self.hinges = sc.get("hinges") or []
        self.summary = {(r["scenario"], r["output"]): r for r in sc.get("summary") or []}
        self.titles = {s["name"]: (s.get("title") or {}) for s in analysis.get("scenarios", [])}

    @property
    def available(self) -> bool:
        """Whether the analysis holds a screening of effects."""
        return bool((self.an.get("screening") or {}).get("available"))

    def strategies(self) -> list[str]:
        """The strategies screened, in the experiment's order."""
        seen = dict.fromkeys(s for s, _ in self.summary)
        return [s["name"] for s in self.an.get("scenarios", []) if s["name"] in seen]

    def outputs(self) -> list[str]:
        """The headline effects screened (the registry's headline outputs the screening holds)."""
        have = {o for _, o in self.summary}
        return [o for o in registry.HEADLINE if o in have]

    def label(self, scenario: str) -> str:
        """A strategy's name."""
        t = self.titles.get(scenario) or {}
        return t.get(self.lang) or t.get("en") or scenario

    def top_groups(self, scenario: str, output: str, k: int = GROUPS_NAMED) -> list[dict]:
        """The ``k`` groups that move the effect most (rank by mu*), with a mu* above 0."""
        rows = [g for g in self.groups if g["scenario"] == scenario and g["output"] == output
                and _finite(g.get("mu_star")) and g["mu_star"] > 0]
        return sorted(rows, key=lambda g: g["rank"])[:k]

    def hinge_rows(self, scenario: str, output: str) -> list[dict]:
        """The parameters the effect hinges on, in order."""
        return sorted((h for h in self.hinges if h["scenario"] == scenario and h["output"] == output),
                      key=lambda h: h["rank"])

    # ------------------------------------------------------------------ pieces
    def _share(self, row: dict, output: str, short: bool = False) -> str:
        mean, share = row.get("mean"), row.get("share_same_sign")
        if not (_finite(mean) and _finite(share)):
            return ""
        m = nb.fmt(output, mean, self.lang, effect=True)
        pct = f"{100 * share:.0f}%"
        if self.zh:
            sign = "为正" if mean > 0 else "为负"
            return (f"平均{m}，{pct}的组合下{sign}" if short
                    else f"在全部假设的取值范围内平均{m}，{pct}的取值组合下{sign}")
        sign = "positive" if mean > 0 else "negative"
        return (f"{m} on average, {sign} at {pct} of the combinations" if short
                else f"{m} on average over the assumptions' ranges, {sign} at {pct} of their combinations")

    def named_groups(self, scenario: str, output: str) -> list[dict]:
        """The groups a sentence names: the top ones, then the group of each parameter it names, if another."""
        top = self.top_groups(scenario, output)
        names = [g["group"] for g in top]
        extra = [h["group"] for h in self.hinge_rows(scenario, output) if h.get("group") not in names]
        rows = {g["group"]: g for g in self.groups if g["scenario"] == scenario and g["output"] == output}
        return top + [rows[g] for g in dict.fromkeys(extra) if g in rows]

    def _groups(self, scenario: str, output: str) -> str:
        names = [g["label_zh"] if self.zh else g["label_en"] for g in self.named_groups(scenario, output)]
        if not names:
            return ""
        if self.zh:
            return "".join(f"「{n}」" for n in names) + f"{COUNT_ZH.get(len(names), '几')}类假设"
        names = [n[0].lower() + n[1:] for n in names]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def _params(self, rows: list[dict]) -> str:
        parts = []
        for h in rows:
            name = param_label(h["parameter"], self.lang)
            up = h["swing"] > 0
            if self.zh:
                parts.append(f"「{name}」（取值越高，效果{'越大' if up else '越小'}）")
            else:
                parts.append(f"{_quoted(name, 'en')} (the higher, the {'larger' if up else 'smaller'} the effect)")
        return ("、" if self.zh else ", ").join(parts)

    def _bound(self, h: dict, value: float) -> str:
        """A bound of a sign change's interval: its value, or words for one beyond the parameter's range."""
        if value < h["low"]:
            return "取值范围以下" if self.zh else "below the range"
        if value > h["high"]:
            return "取值范围以上" if self.zh else "above the range"
        return value_text(h["parameter"], value, self.lang)

    def _changes(self, rows: list[dict]) -> list[str]:
        out = []
        for h in rows:
            if not _finite(h.get("sign_change")):
                continue
            name = param_label(h["parameter"], self.lang)
            v = value_text(h["parameter"], h["sign_change"], self.lang)
            ci = ""
            if _finite(h.get("sign_change_low")) and _finite(h.get("sign_change_high")):
                lo, hi = (self._bound(h, h[k]) for k in ("sign_change_low", "sign_change_high"))
                ci = f"（95%区间 {lo} 至 {hi}）" if self.zh else f" (95% interval {lo} to {hi})"
            below = h["direction"] == "below"
            positive = h["effect_at_shipped"] > 0
            if self.zh:
                out.append(f"若「{name}」{'低于' if below else '高于'}{v}{ci}，效果将转为{'负' if positive else '正'}")
            else:
                out.append(f"if {_quoted(name, 'en')} {'falls below' if below else 'rises above'} {v}{ci}, the "
                           f"effect turns {'negative' if positive else 'positive'}")
        return out

    # ------------------------------------------------------------------ sentences
    def sentence(self, scenario: str, output: str, name_strategy: bool = True) -> str:
        """What the strategy's effect on ``output`` hinges on, one sentence ('' when not screened)."""
        row = self.summary.get((scenario, output))
        if row is None:
            return ""
        share, groups = self._share(row, output, short=not name_strategy), self._groups(scenario, output)
        rows = self.hinge_rows(scenario, output)
        params, changes = self._params(rows), self._changes(rows)
        robust = _finite(row.get("share_same_sign")) and row["share_same_sign"] >= ROBUST_SHARE and not changes
        if self.zh:
            head = f"「{self.label(scenario)}」的{_effect_words(output, 'zh')}" if name_strategy else \
                registry.phrase(output, "zh")
            s = f"{head}（{share}）" if share else head
            s += f"主要取决于{groups}" if groups else "不受所列假设左右"
            if params:
                s += f"，其中关键是{params}"
            if changes:
                s += "；" + "；".join(changes)
            elif robust:
                s += "；在各假设取值下方向稳定"
            return s + "。"
        if name_strategy:
            s = f"For {self.label(scenario)}, the {_effect_words(output, 'en')}"
            s = f"{s} ({share})" if share else s
        else:  # within a strategy's item: "On jobs: +1,407 jobs on average, ...; it hinges mainly on ..."
            s = f"On {registry.phrase(output, 'en')}: {share};" if share else f"On {registry.phrase(output, 'en')}: it"
            s = s if not share else s + " it"
        s += f" hinges mainly on {groups}" if groups else " moves with none of the assumptions screened"
        if params:
            s += f", above all on {params}"
        if changes:
            s += "; " + "; ".join(changes)
        elif robust:
            s += "; it keeps its direction across the assumptions"
        return s + "."

    def sentences(self, outputs: list[str] | None = None) -> list[tuple[str, str, str]]:
        """(strategy, output, sentence) for every strategy and headline effect screened."""
        outs = outputs or self.outputs()
        return [(s, o, self.sentence(s, o)) for s in self.strategies() for o in outs if self.sentence(s, o)]

    def intro(self) -> str:
        """How the screening was made, one sentence."""
        d = self.design
        n, g, runs = d.get("parameters", 0), len(d.get("groups") or []), d.get("runs", 0)
        r, m = d.get("trajectories", 0), d.get("member_points", 0)
        if self.zh:
            return (f"以下判断来自对全部 {n} 项假设、文献参数与校准参数（按机制分为 {g} 类）的全局筛选：每组取值下各策略都与"
                    f"基线用相同随机种子配对比较（{r} 条 Morris 轨迹，另有 {m} 组逐项抽样用于识别关键参数，共 {runs:,} 次运行）。"
                    "“平均”为各效果在全部假设取值组合上的平均；“转为负”的取值由效果对关键参数的回归估计，其余假设取默认值。")
        return (f"These statements come from a global screening of all {n} assumptions, sourced and calibrated "
                f"parameters ({g} groups by mechanism): at every setting each strategy is compared with the baseline "
                f"on the same seed ({r} Morris trajectories, plus {m} settings sampled parameter by parameter to find "
                f"the key ones; {runs:,} runs). \"On average\" is over every combination of the assumptions; where an "
                "effect changes sign, the value comes from a regression of the effect on its key parameters, the other "
                "assumptions at their defaults.")


def hinge_sentences(analysis: dict, lang: str = "zh", outputs: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(strategy, output, sentence) for every strategy and headline effect of a screening of assumptions: what
    the effect hinges on and, where it changes sign inside a range, the value at which it does."""
    return Hinges(analysis, lang).sentences(outputs)


def key_assumptions_html(analysis: dict, lang: str = "zh", outputs: list[str] | None = None) -> str:
    """The briefing's section on key assumptions from a screening of assumptions: one item per strategy, its
    headline effects' sentences ('' when the analysis holds no screening)."""
    h = Hinges(analysis, lang)
    if not h.available:
        return ""
    outs = outputs or h.outputs()
    items = []
    for s in h.strategies():
        parts = [h.sentence(s, o, name_strategy=False) for o in outs]
        parts = [p for p in parts if p]
        if parts:
            sep = "" if lang == "zh" else " "
            items.append(f"<li><b>{html.escape(h.label(s))}</b>{'：' if lang == 'zh' else ': '}"
                         f"{html.escape(sep.join(parts))}</li>")
    return f'<p>{html.escape(h.intro())}</p><ul class="assumptions">{"".join(items)}</ul>'


# ----------------------------------------------------------------------------- a screening of the baseline
def top_assumptions(sens: dict | None, output: str) -> list[dict]:
    """The screening's rows for ``output`` at its baseline, most influential first ([] without a screening)."""
    if not sens or not sens.get("sensitivity", {}).get("available"):
        return []
    rows = [r for r in sens["sensitivity"].get("indices", []) if r["output"] == output]
    base = sens.get("baseline")
    rows = [r for r in rows if r.get("scenario") == base] or rows
    key = "ST" if rows and rows[0].get("method") == "sobol" else "mu_star"
    return sorted(rows, key=lambda r: -(r.get(key) or 0.0))


def _range(sens: dict, parameter: str) -> tuple[float, float] | None:
    for d in (sens["sensitivity"].get("design") or {}).get("parameter_docs", []):
        if d.get("parameter") == parameter and d.get("low") is not None:
            return float(d["low"]), float(d["high"])
    return None


def sensitivity_sentences(sens: dict | None, fg: Figures, lead: str | None, lang: str, lead_label: str = "") -> list[str]:
    """For each headline output, the assumption it depends on most and how far it moves the output across its
    plausible range, beside the effect of ``lead`` (named ``lead_label``, HTML) on the output (HTML, one sentence
    each)."""
    out = []
    zh = lang == "zh"
    for o in fg.an.get("headline_outputs", []):
        rows = top_assumptions(sens, o)
        if not rows:
            continue
        r = rows[0]
        name = html.escape(param_label(r["parameter"], lang))
        oname = html.escape(registry.phrase(o, lang))
        rng = _range(sens, r["parameter"])
        span = (f"（在{nb.number(rng[0], 2)}至{nb.number(rng[1], 2)}之间）" if zh else
                f" (from {nb.number(rng[0], 2)} to {nb.number(rng[1], 2)})") if rng else ""
        if r.get("method") == "sobol":
            size = fg.number(f"hinge/{o}/{r['parameter']}", r["ST"], 2)
            text = (f"{oname}的波动中，「{name}」的总效应指数为{size}，在所有不确定假设中最大。" if zh else
                    f"Of the variation in {oname}, {name.lower()} accounts for a total-order index of {size}, "
                    "the largest of the uncertain assumptions.")
        else:
            mu = r.get("mu_star")
            if mu is None or not math.isfinite(mu):
                continue
            size = fg.fmt(f"hinge/{o}/{r['parameter']}", o, mu, effect=True, sign=False)
            text = (f"{oname}最受「{name}」影响：这一假设在合理范围内{span}变动，{oname}平均变动约{size}" if zh else
                    f"What moves {oname} most is {name.lower()}: across its plausible range{span}, it moves "
                    f"{oname} by about {size} on average")
            e = fg.effect(lead, o) if lead else None
            if e and e.get("effect") and abs(e["effect"]) > 0 and mu > 0:
                ratio = mu / abs(e["effect"])
                if ratio >= 1:
                    times = fg.number(f"hinge/{o}/{r['parameter']}/ratio", ratio, 0 if ratio >= 10 else 1)
                    text += (f"，是{lead_label}效果的{times}倍" if zh else f", {times} times the effect of {lead_label}")
                else:
                    pct = fg.number(f"hinge/{o}/{r['parameter']}/percent", 100 * ratio, 0)
                    text += (f"，相当于{lead_label}效果的{pct}%" if zh else f", {pct}% of the effect of {lead_label}")
            text += "。" if zh else "."
        out.append(text)
    return out


# ----------------------------------------------------------------------------- the plan
def plan_check_sentence(opt_dir: str | Path, lang: str = "zh") -> str:
    """Whether the plan's biggest cut holds over the plausible effect of what it cuts, said plainly (from
    :func:`sim.analysis.plan_check.lever_check`; '' when the plan's results cannot tell)."""
    c = lever_check(opt_dir)
    if c is None:
        return ""
    zh = lang == "zh"
    lever = vocabulary.lever(c["lever"], lang)
    cut = nb.money(c["cut_wan_yuan_per_year"], lang)
    name = param_label(c["parameter"], lang)
    at = value_text(c["parameter"], c["value"], lang)
    obj = c["objective"]
    diff = nb.fmt(obj, c["optimum_minus"], lang, effect=True)
    size = nb.fmt(obj, abs(c["optimum_minus"]), lang)
    ci = nb.fmt_ci(obj, c["ci_low"], c["ci_high"], lang, ref=c["optimum_minus"])
    n, share = c["futures"], f"{100 * c['share_not_worse']:.0f}%"
    oname = registry.phrase(obj, lang)
    if zh:
        head = f"推荐方案每年少投{lever}{cut}，在{n}个未来情景中有{share}不差于现行配置；"
        if c["verdict"] == "holds":
            return head + (f"即使「{name}」取合理范围内最不利的 {at}，{oname}仍比现行配置多 {size}（95%区间 {ci}）："
                           "这一建议在其合理取值范围内成立。")
        if c["verdict"] == "fails":
            return head + (f"但若「{name}」接近 {at}，{oname}比现行配置少 {size}（95%区间 {ci}）："
                           f"这一建议在其合理取值范围内不成立，削减{lever}不宜采纳。")
        return head + (f"但若「{name}」接近 {at}，{oname}与现行配置之差为 {diff}（95%区间 {ci}），不能排除更差："
                       f"这一建议在其合理取值范围内未能证明成立。")
    count = nb.fmt(obj, abs(c["optimum_minus"]), lang, with_unit=False)
    head = (f"The plan spends {cut} a year less on {lever.lower()}; it is no worse than today's "
            f"allocation in {share} of {n} futures. ")
    if c["verdict"] == "holds":
        return head + (f"Even with {_quoted(name, 'en')} at the least favourable end of its plausible range ({at}) it "
                       f"gives {count} more {oname} (95% interval of the difference {ci}): the recommendation holds "
                       "over that range.")
    if c["verdict"] == "fails":
        return head + (f"But with {_quoted(name, 'en')} near {at} it gives {count} fewer {oname} (95% interval of the "
                       f"difference {ci}): the recommendation does not hold over the plausible range; do not cut "
                       f"{lever.lower()} on it.")
    return head + (f"But with {_quoted(name, 'en')} near {at} the difference in {oname} is {diff} (95% interval {ci}) "
                   "and may be a loss: the recommendation is not shown to hold over the plausible range.")
