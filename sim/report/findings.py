"""Findings in words, computed from an analysis: the look-ups the memo and the charts share, and the charts' titles.

Nothing here is written by hand: each title picks the strategy with the largest effect (or the largest
withdrawal reason, the most influential parameter...) from the analysis tables and states the number with its
unit. Levels follow the memo's one set of numbers (:mod:`sim.report.figures`): the baseline's mean over all its
runs, a strategy's that plus its paired effect. Numbers go through :mod:`sim.report.numbers`, the same rounding
the memo's tables use.
"""

from __future__ import annotations

import math
from typing import Any

from sim.model import registry, vocabulary
from sim.paramdoc import param_label
from sim.report import numbers as nb
from sim.stats import CAPITAL_ARRIVAL, FULFILMENT


def output_name(output: str, lang: str) -> str:
    """Short name of an output for sentences (履约率, "the capital-arrival rate"; ``sim.model.registry``)."""
    return registry.phrase(output, lang)


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


class Findings:
    """Sentences about one analysis (``analysis.json`` content) in one language."""

    def __init__(self, analysis: dict, lang: str = "zh", sensitivity: dict | None = None):
        self.an = analysis
        self.lang = lang
        self.baseline = analysis["baseline"]
        self.sens = sensitivity if sensitivity is not None else (
            analysis if analysis.get("sensitivity", {}).get("available") else None)
        self._titles = {s["name"]: s.get("title") or {} for s in analysis.get("scenarios", [])}
        points = sorted({e["point_id"] for e in analysis.get("effects", [])} |
                        {c["point_id"] for c in analysis.get("costs", [])})
        self.point = points[0] if points else 0
        self.horizon = analysis.get("provenance", {}).get("horizon_months")

    # ------------------------------------------------------------------ look-ups
    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def label(self, scenario: str) -> str:
        """The scenario's title in the briefing's language."""
        t = self._titles.get(scenario, {})
        return t.get(self.lang) or t.get("en") or scenario

    def quoted(self, scenario: str) -> str:
        """The title as it appears inside a sentence (「...」 in Chinese)."""
        return f"「{self.label(scenario)}」" if self.zh else self.label(scenario)

    def scenarios(self, include_baseline: bool = True) -> list[str]:
        """Scenario names in experiment order."""
        return [s["name"] for s in self.an.get("scenarios", []) if include_baseline or s["name"] != self.baseline]

    def effects(self, output: str, source: str = "summary", horizon: int | None = None) -> list[dict]:
        """Effect records of ``output`` at the briefing's design point."""
        return [e for e in self.an.get("effects", [])
                if e["output"] == output and e["source"] == source and e["point_id"] == self.point
                and (horizon is None or e["horizon_months"] == horizon)]

    def effect(self, scenario: str, output: str) -> dict | None:
        """The effect record of one scenario on one output at the horizon."""
        return next((e for e in self.effects(output) if e["scenario"] == scenario), None)

    def level(self, scenario: str, output: str) -> dict | None:
        """The level record (mean and interval over its own runs) of one scenario and output."""
        return next((r for r in self.an.get("levels", []) if r["scenario"] == scenario and r["output"] == output
                     and r["point_id"] == self.point), None)

    def consistent(self, scenario: str, output: str) -> float | None:
        """A strategy's level as the memo states it: the baseline's mean over all its runs plus the strategy's
        paired effect (the baseline's own mean for the baseline)."""
        base = self.level(self.baseline, output)
        if base is None:
            return None
        if scenario == self.baseline:
            return base["mean"]
        e = self.effect(scenario, output)
        return base["mean"] + e["effect"] if e and _finite(e.get("effect")) else None

    def cost(self, scenario: str) -> dict | None:
        """The cost-effectiveness record of one scenario."""
        return next((c for c in self.an.get("costs", []) if c["scenario"] == scenario
                     and c["point_id"] == self.point), None)

    def best(self, output: str) -> dict | None:
        """The strategy with the largest effect on ``output`` (smallest where lower is better)."""
        cands = [e for e in self.effects(output) if _finite(e.get("effect"))]
        if not cands:
            return None
        sign = 1 if registry.higher_is_better(output) else -1
        return max(cands, key=lambda e: sign * e["effect"])

    # ------------------------------------------------------------------ phrases
    def change(self, e: dict, with_ci: bool = True) -> str:
        """'使履约率提高 12.3 个百分点（95% 置信区间 9.1 至 15.5）' for an effect record."""
        out, eff = e["output"], e["effect"]
        up = eff >= 0
        size = nb.fmt(out, abs(eff), self.lang, effect=False if nb.kind(out) != "rate" else True)
        size = size.lstrip("+")
        name = output_name(out, self.lang)
        if out == "jobs":
            text = (f"{'多创造' if up else '减少'}约{size}" if self.zh else f"{'adds' if up else 'costs'} about {size}")
        elif self.zh:
            verb = ("提高" if up else "降低") if nb.kind(out) == "rate" else ("增加" if up else "减少")
            text = f"使{name}{verb}{size}"
        else:
            verb = "raises" if up else "lowers"
            text = f"{verb} {name} by {size}"
        if with_ci and _finite(e.get("ci_low")):
            ci = nb.fmt_ci(out, e["ci_low"], e["ci_high"], self.lang, ref=eff)
            text += f"（95%置信区间{ci}）" if self.zh else f" (95% CI {ci})"
        return text

    # ------------------------------------------------------------------ withdrawals
    def withdrawals(self, scenario: str, stage: str = "after_signing") -> list[dict]:
        """Withdrawal records of a scenario for a stage group, largest first."""
        rows = [w for w in self.an.get("withdrawals", []) if w["scenario"] == scenario and w["stage"] == stage
                and w["point_id"] == self.point and _finite(w.get("mean")) and w["reason"] != "total"]
        return sorted(rows, key=lambda w: -w["mean"])

    def top_reason(self, scenario: str | None = None) -> dict | None:
        """The most frequent reason for leaving after signing (baseline by default)."""
        rows = self.withdrawals(scenario or self.baseline)
        return rows[0] if rows and rows[0]["mean"] > 0 else None

    def reason(self, key: str) -> str:
        """A withdrawal reason in words."""
        return vocabulary.reason(key, self.lang)

    def cheapest_jobs(self) -> dict | None:
        """Among strategies that add jobs (interval above zero), the one whose extra jobs cost least; a strategy
        that adds jobs while spending no more than the baseline comes first (the one adding most jobs)."""
        rows = [c for c in self.an.get("costs", []) if c["point_id"] == self.point and c["scenario"] != self.baseline
                and _finite(c.get("incremental_cost_per_job")) and _finite(c.get("d_jobs_ci_low"))
                and c["d_jobs_ci_low"] > 0]
        saving = [c for c in rows if c["d_spent"] <= 0]
        if saving:
            return max(saving, key=lambda c: c["d_jobs"])
        return min(rows, key=lambda c: c["incremental_cost_per_job"]) if rows else None

    def top_parameter(self, output: str = FULFILMENT) -> dict | None:
        """The most influential uncertain parameter for ``output`` (rank 1 of the sensitivity indices)."""
        if not self.sens:
            return None
        rows = [r for r in self.sens.get("sensitivity", {}).get("indices", []) if r["output"] == output
                and r.get("rank") == 1]
        if not rows:
            return None
        base = self.sens.get("baseline")
        return next((r for r in rows if r["scenario"] == base), rows[0])

    # chart titles: the finding, short
    def title_comparison(self) -> str:
        e = self.best(FULFILMENT)
        if e is None:
            return "各策略的效果" if self.zh else "Effects of the strategies"
        if self.zh:
            t = f"{self.quoted(e['scenario'])}{self.change(e, with_ci=False)}"
            return t + ("" if e.get("significant") else "（不显著）")
        t = f"{self.label(e['scenario'])} {self.change(e, with_ci=False)}"
        return t + ("" if e.get("significant") else " (not significant)")

    def title_funnel(self) -> str:
        out = "operating_projects"
        rows = [(s, v) for s in self.scenarios() if (v := self.consistent(s, out)) is not None]
        if not rows:
            return "项目漏斗" if self.zh else "The project funnel"
        best, top = max(rows, key=lambda r: r[1])
        base = self.consistent(self.baseline, out)
        b = nb.fmt(out, top, self.lang, with_unit=False)
        if self.zh:
            t = f"{self.quoted(best)}建成投产的项目最多：约{b}个"
            if base is not None and best != self.baseline:
                t += f"，现状约{nb.fmt(out, base, 'zh', with_unit=False)}个"
            return t
        t = f"{self.label(best)} brings the most projects into operation: about {b}"
        if base is not None and best != self.baseline:
            t += f" (status quo about {nb.fmt(out, base, 'en', with_unit=False)})"
        return t

    def title_capital(self, bands_final: dict[str, dict[str, float]] | None = None) -> str:
        e = self.best("arrived_capital")
        h = self.horizon
        if e is None:
            lv = self.level(self.baseline, CAPITAL_ARRIVAL)
            if lv is None:
                return "签约与到位资金" if self.zh else "Signed and arrived capital"
            r = nb.fmt(CAPITAL_ARRIVAL, lv["mean"], self.lang)
            return (f"签约 24 个月时签约资金只有 {r} 到位" if self.zh
                    else f"24 months after signing only {r} of signed capital has arrived")
        new = nb.fmt("arrived_capital", self.consistent(e["scenario"], "arrived_capital"), self.lang)
        base = nb.fmt("arrived_capital", self.consistent(self.baseline, "arrived_capital"), self.lang)
        if self.zh:
            return f"第{h}个月，{self.quoted(e['scenario'])}到位资金{new}，现状{base}"
        return f"By month {h}, {self.label(e['scenario'])} has {new} of capital arrived; status quo {base}"

    def title_withdrawals(self) -> str:
        top = self.top_reason()
        if top is None:
            return "签约后撤出的原因" if self.zh else "Why investors left after signing"
        share = nb.fmt("share", top["share"], self.lang)
        if self.zh:
            return f"现状下签约后撤出的首要原因：{self.reason(top['reason'])}（占{share}）"
        return f"Baseline: {self.reason(top['reason']).lower()} is the main reason for leaving after signing ({share})"

    def title_costs(self) -> str:
        s = self.cheapest_jobs()
        if s and s["d_spent"] <= 0:
            return (f"{self.quoted(s['scenario'])}支出不多于现状，就业岗位更多" if self.zh
                    else f"{self.label(s['scenario'])} spends no more than the status quo and adds jobs")
        if s:
            cost = nb.fmt("incremental_cost_per_job", s["incremental_cost_per_job"], self.lang)
            return (f"{self.quoted(s['scenario'])}新增岗位最省钱：每个{cost}" if self.zh
                    else f"{self.label(s['scenario'])} buys extra jobs cheapest: {cost} each")
        rows = [c for c in self.an.get("costs", []) if c["point_id"] == self.point and _finite(c.get("cost_per_job"))
                and c["cost_per_job"] > 0]
        if not rows:
            return "支出与就业" if self.zh else "Spending and jobs"
        c = min(rows, key=lambda r: r["cost_per_job"])
        cost = nb.fmt("cost_per_job", c["cost_per_job"], self.lang)
        return (f"{self.quoted(c['scenario'])}每个岗位成本最低：{cost}" if self.zh
                else f"{self.label(c['scenario'])} has the lowest cost per job: {cost}")

    def title_sensitivity(self, output: str = FULFILMENT) -> str:
        r = self.top_parameter(output)
        if r is None:
            return "敏感性分析" if self.zh else "Sensitivity"
        name = param_label(r["parameter"], self.lang)
        oname = output_name(output, self.lang)
        return (f"{oname}对「{name}」最敏感" if self.zh else
                f"{oname[0].upper()}{oname[1:]} depends most on {name.lower()}")

    def stage(self, key: str) -> str:
        """A pipeline stage in words."""
        return vocabulary.stage(key, self.lang)
