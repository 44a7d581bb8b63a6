"""Findings in words, computed from an analysis: the look-ups the memo and the charts share, and the charts' titles.

Nothing here is written by hand: each title picks the strategy with the largest effect (or the largest
withdrawal reason, the most influential parameter...) from the analysis tables and states the number with its
unit. Levels follow the memo's one set of numbers (:mod:`sim.report.figures`): the baseline's mean over all its
runs, a strategy's that plus its paired effect. Numbers go through :mod:`sim.report.numbers`, the same rounding
the memo's tables use.

A sweep (a list or factorial design: several design points kept apart) is
reported as one: no sentence mixes points. Each names the point it speaks of
(by the values the point sets, from the analysis) or speaks of the response
curve across points; the tables have a row per strategy and point; the charts
of one point (funnel, withdrawals, costs, capital) show the point nearest the
baseline's own settings and say which.
"""

from __future__ import annotations

import math
from typing import Any

from sim.experiment.assumptions import assumption_label as param_label
from sim.model import registry, vocabulary
from sim.report import numbers as nb
from sim.stats import CAPITAL_ARRIVAL, FULFILMENT


def output_name(output: str, lang: str) -> str:
    """Short name of an output for sentences (履约率, "the capital-arrival rate"; ``sim.model.registry``)."""
    return registry.phrase(output, lang)


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def counts_words(e: dict, lang: str, short: bool = False) -> str:
    """The counts beside a rate's effect: '履约项目 -112 个，签约项目 -354 个' / 'projects fulfilled -112, projects
    signed -354' (the paired changes of its numerator and denominator; ``short``: compact units, for tables);
    '' for an output without counts."""
    num, den = e.get("numerator"), e.get("denominator")
    if not isinstance(num, str) or not isinstance(den, str) or not (
            _finite(e.get("numerator_effect")) and _finite(e.get("denominator_effect"))):
        return ""
    parts = []
    for k, side in ((num, "numerator"), (den, "denominator")):
        if short:
            unit = nb.short_unit(k, lang, effect=True)
            value = nb.fmt(k, e[f"{side}_effect"], lang, effect=True, with_unit=False) + (f" {unit}" if unit else "")
        else:
            value = nb.fmt(k, e[f"{side}_effect"], lang, effect=True)
        parts.append(f"{output_name(k, lang)} {value}")
    return ("，" if lang == "zh" else ", ").join(parts)


def split_words(e: dict, lang: str) -> str:
    """Which count moved a rate: its change split exactly into the part from the numerator and the part from the
    denominator (``sim.analysis.decompose.ratio_split``), and which carried it, e.g. '+39.1 个百分点来自签约项目减少，
    -27.3 个百分点来自履约项目减少：主要因为签约减少' / '+39.1 points from fewer projects signed, -27.3 from fewer
    projects fulfilled: mainly fewer signings'; '' for an output without counts."""
    out = e["output"]
    if not (_finite(e.get("from_numerator")) and _finite(e.get("from_denominator"))
            and _finite(e.get("numerator_effect")) and _finite(e.get("denominator_effect"))):
        return ""
    zh = lang == "zh"
    unit = nb.short_unit(out, lang, effect=True)

    def moved(side: str) -> str:
        more = e[f"{side}_effect"] >= 0
        if zh:
            return f"{output_name(e[side], lang)}{'增加' if more else '减少'}"
        fewer = "less" if nb.kind(e[side]) == "capital" else "fewer"
        return f"{'more' if more else fewer} {output_name(e[side], lang)}"

    pieces = []
    for side in ("denominator", "numerator"):
        size = f"{nb.fmt(out, e[f'from_{side}'], lang, effect=True, with_unit=False)} {unit}"
        pieces.append(f"{size}来自{moved(side)}" if zh else f"{size} from {moved(side)}")
    carried = "denominator" if abs(e["from_denominator"]) >= abs(e["from_numerator"]) else "numerator"
    tail = ""
    if (e[f"from_{carried}"] >= 0) == (e["effect"] >= 0):
        tail = f"：主要因为{moved(carried)}" if zh else f": mainly {moved(carried)}"
    return ("，" if zh else ", ").join(pieces) + tail


class Findings:
    """Sentences about one analysis (``analysis.json`` content) in one language."""

    def __init__(self, analysis: dict, lang: str = "zh", sensitivity: dict | None = None):
        self.an = analysis
        self.lang = lang
        self.baseline = analysis["baseline"]
        self.sens = sensitivity if sensitivity is not None else (
            analysis if analysis.get("sensitivity", {}).get("available") else None)
        self._titles = {s["name"]: s.get("title") or {} for s in analysis.get("scenarios", [])}
        self.point_ids = sorted({e["point_id"] for e in analysis.get("effects", [])} |
                                {c["point_id"] for c in analysis.get("costs", [])})
        self._points = {p["point_id"]: p for p in analysis.get("points") or []}
        ref = analysis.get("reference_point")  # sentences and charts of one point: the one nearest the baseline's
        self.point = ref if ref in self.point_ids else (self.point_ids[0] if self.point_ids else 0)
        self.horizon = analysis.get("provenance", {}).get("horizon_months")

    # ------------------------------------------------------------------ design points
    @property
    def sweep(self) -> bool:
        """True when the analysis keeps several design points apart (a list or factorial design): every sentence
        then names its point or speaks of the response curve."""
        return not self.an.get("pooled_points") and len(self.point_ids) > 1

    def point_name(self, pid: int | None = None) -> str:
        """A design point by the values it sets ("承诺优惠比例（占投资额）2%"), or by its list design's label."""
        pid = self.point if pid is None else pid
        p = self._points.get(pid) or {}
        return (p.get("name") or {}).get(self.lang) or p.get("label") or f"p{pid}"

    def _at(self, pid: int | None = None) -> str:
        """'承诺优惠比例（占投资额）2%时' / 'at incentive promised (share of capital) 2%': where a sentence holds."""
        pid = self.point if pid is None else pid
        p = self._points.get(pid) or {}
        name = self.point_name(pid)
        own = p.get("label") not in (None, f"p{pid}") and name == p.get("label")  # a list design's own label
        if self.zh:
            return f"设计点「{name}」下" if own else f"{name}时"
        return f"at design point '{name}'" if own else f"at {name[:1].lower()}{name[1:]}"

    def at_point(self, pid: int | None = None) -> str:
        """The opening of a sentence about one design point of a sweep ('承诺优惠比例（占投资额）2%时，' / 'At
        incentive promised (share of capital) 2%, '); '' when the analysis has one point."""
        if not self.sweep:
            return ""
        at = self._at(pid)
        return f"{at}，" if self.zh else f"{at[:1].upper()}{at[1:]}, "

    def rows(self, include_baseline: bool = True) -> list[tuple[str, int]]:
        """(scenario, design point) of each row of the briefing's tables: every point of a sweep, one per strategy
        otherwise."""
        points = self.point_ids if self.sweep else [self.point]
        return [(s, p) for s in self.scenarios(include_baseline) for p in points]

    def row_label(self, scenario: str, pid: int) -> str:
        """The name of a table row: the strategy, and in a sweep its design point."""
        return f"{self.label(scenario)} · {self.point_name(pid)}" if self.sweep else self.label(scenario)

    def design_note(self) -> str:
        """What the design did with its points, in one sentence ('' for a single point): a sweep's points are
        reported one by one; a sample design pools them (the analysis says how)."""
        pooled = self.an.get("pooled")
        if pooled:
            return pooled.get(self.lang) or ""
        if not self.sweep:
            return ""
        n = len(self.point_ids)
        resp = self.an.get("response") or {}
        if resp:
            x = resp["x_label"][self.lang]
            vals = ("、" if self.zh else ", ").join(self._x_text(v) for v in resp.get("x_values", []))
            if self.zh:
                return f"每个策略在 {n} 个设计点各运行一遍（{x}取 {vals}）；结果逐点报告，效应随取值的变化见响应曲线。"
            return (f"Every strategy ran at each of {n} design points ({x.lower()} {vals}); results are reported point "
                    f"by point, and the response curve shows how the effects change with the value.")
        return (f"每个策略在 {n} 个设计点各运行一遍；结果逐点报告。" if self.zh
                else f"Every strategy ran at each of {n} design points; results are reported point by point.")

    def _x_text(self, value: float) -> str:
        resp = self.an.get("response") or {}
        unit = (resp.get("x_unit") or {}).get(self.lang, "")
        text = f"{value:,.4g}"
        return f"{text}{unit}" if unit == "%" else (f"{text} {unit}" if unit else text)

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

    def is_baseline(self, scenario: str) -> bool:
        """True for the baseline and, in an experiment of several regions, the baseline of each other region."""
        return (self.an.get("baselines") or {}).get(scenario, self.baseline) == scenario

    def scenarios(self, include_baseline: bool = True) -> list[str]:
        """Scenario names in experiment order (without the regions' baselines unless ``include_baseline``)."""
        return [s["name"] for s in self.an.get("scenarios", []) if include_baseline or not self.is_baseline(s["name"])]

    def effects(self, output: str, source: str = "summary", horizon: int | None = None,
                point: int | None = None) -> list[dict]:
        """Effect records of ``output`` at design point ``point`` (the briefing's point by default)."""
        point = self.point if point is None else point
        return [e for e in self.an.get("effects", [])
                if e["output"] == output and e["source"] == source and e["point_id"] == point
                and (horizon is None or e["horizon_months"] == horizon)]

    def all_effects(self, output: str) -> list[dict]:
        """Effect records of ``output`` at the horizon at every design point."""
        return [e for p in self.point_ids for e in self.effects(output, point=p)]

    def effect(self, scenario: str, output: str, point: int | None = None) -> dict | None:
        """The effect record of one scenario on one output at the horizon, at a design point."""
        return next((e for e in self.effects(output, point=point) if e["scenario"] == scenario), None)

    def level(self, scenario: str, output: str, point: int | None = None) -> dict | None:
        """The level record (mean and interval) of one scenario and output at a design point."""
        point = self.point if point is None else point
        return next((r for r in self.an.get("levels", []) if r["scenario"] == scenario and r["output"] == output
                     and r["point_id"] == point), None)

    def baseline_of(self, scenario: str) -> str:
        """The baseline ``scenario`` is compared with: the experiment's, or in an experiment of several regions its
        own region's."""
        return (self.an.get("baselines") or {}).get(scenario, self.baseline)

    def consistent(self, scenario: str, output: str, point: int | None = None) -> float | None:
        """A strategy's level as the memo states it: its baseline's mean over all its runs plus the strategy's
        paired effect (the baseline's own mean for a baseline)."""
        base = self.level(self.baseline_of(scenario), output, point)
        if base is None:
            return None
        if self.is_baseline(scenario):
            return base["mean"]
        e = self.effect(scenario, output, point)
        return base["mean"] + e["effect"] if e and _finite(e.get("effect")) else None

    def cost(self, scenario: str, point: int | None = None) -> dict | None:
        """The cost-effectiveness record of one scenario at a design point."""
        point = self.point if point is None else point
        return next((c for c in self.an.get("costs", []) if c["scenario"] == scenario
                     and c["point_id"] == point), None)

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

    # ------------------------------------------------------------------ a sweep's response curve
    def curve_ends(self, output: str, level: bool = False) -> tuple[dict, dict, list[dict]] | None:
        """For a sweep: the effect records of the strategy that does best on ``output`` at any point, at its
        least and at its most favourable point, and all its records (the baseline's level records with
        ``level``, or when the experiment compares no strategy with it); None without records."""
        sign = 1 if registry.higher_is_better(output) else -1
        recs = [] if level else [e for e in self.all_effects(output) if _finite(e.get("effect"))]
        key = "effect"
        if not recs:  # the baseline's level along the curve
            recs = [r for p in self.point_ids if (r := self.level(self.baseline, output, p)) and _finite(r.get("mean"))]
            key = "mean"
        if not recs:
            return None
        best = max(recs, key=lambda e: sign * e[key])["scenario"]
        mine = [e for e in recs if e["scenario"] == best]
        return min(mine, key=lambda e: sign * e[key]), max(mine, key=lambda e: sign * e[key]), mine

    def curve_sentence(self, output: str, level: bool = False) -> str | None:
        """How the effect on ``output`` of the strategy that does best at any point changes across a sweep: its
        least and its most favourable point, each named, with the effect and 95% interval there, and at how many
        points it is distinguishable from the baseline (with ``level``, or for a sweep of the baseline alone: the
        baseline's own level at its lowest and highest point)."""
        ends = self.curve_ends(output, level)
        if ends is None:
            return None
        lo, hi, mine = ends
        n, name = len(mine), output_name(output, self.lang)
        if "effect" not in lo:
            ci = {e["point_id"]: nb.fmt_ci(output, e["ci_low"], e["ci_high"], self.lang, ref=e["mean"], effect=False)
                  for e in (lo, hi)}
            if self.zh:
                return (f"在 {n} 个设计点中，现状基线的{name}在{self._at(lo['point_id'])}最低：{nb.fmt(output, lo['mean'], 'zh')}"
                        f"（95% 置信区间 {ci[lo['point_id']]}），在{self._at(hi['point_id'])}最高："
                        f"{nb.fmt(output, hi['mean'], 'zh')}（95% 置信区间 {ci[hi['point_id']]}）。")
            return (f"Across the {n} design points, the baseline's {name} is lowest {self._at(lo['point_id'])}: "
                    f"{nb.fmt(output, lo['mean'], 'en')} (95% CI {ci[lo['point_id']]}), and highest "
                    f"{self._at(hi['point_id'])}: {nb.fmt(output, hi['mean'], 'en')} (95% CI {ci[hi['point_id']]}).")
        k = sum(1 for e in mine if e.get("significant"))
        if self.zh:
            clauses = [f"{self._at(lo['point_id'])}{self.change(lo)}"]
            if hi is not lo:
                clauses.append(f"{self._at(hi['point_id'])}{self.change(hi)}")
            return (f"在 {n} 个设计点中，{self.quoted(lo['scenario'])}" + "，".join(clauses)
                    + f"（{'最低与最高' if hi is not lo else '唯一'}）；其中 {k} 个设计点与基线的差异显著。")
        clauses = [f"{self.change(lo)} {self._at(lo['point_id'])}"]
        if hi is not lo:
            clauses.append(f"{self.change(hi)} {self._at(hi['point_id'])}")
        return (f"Across the {n} design points, {self.label(lo['scenario'])} " + " and ".join(clauses)
                + f"{' (lowest and highest)' if hi is not lo else ''}; distinguishable from the baseline at {k} of {n}.")

    def title_response(self, output: str = FULFILMENT) -> str:
        """The response chart's title: the best strategy's effect at the two ends of its range of effects."""
        ends = self.curve_ends(output)
        name = output_name(output, self.lang)
        if ends is None:
            return f"{name}的响应曲线" if self.zh else f"Response of {name} across the design points"
        lo, hi, _ = ends
        if "effect" not in lo:
            a, b = nb.fmt(output, lo["mean"], self.lang), nb.fmt(output, hi["mean"], self.lang)
            return (f"现状基线的{name}：{self._at(lo['point_id'])} {a}，{self._at(hi['point_id'])} {b}" if self.zh else
                    f"The baseline's {name}: {a} {self._at(lo['point_id'])}, {b} {self._at(hi['point_id'])}")
        if self.zh:
            return (f"{self.quoted(lo['scenario'])}{self._at(lo['point_id'])}{self.change(lo, with_ci=False)}，"
                    f"{self._at(hi['point_id'])}{self.change(hi, with_ci=False)}")
        return (f"{self.label(lo['scenario'])} {self.change(lo, with_ci=False)} {self._at(lo['point_id'])}, "
                f"{self.change(hi, with_ci=False)} {self._at(hi['point_id'])}")

    # ------------------------------------------------------------------ parameter uncertainty
    def robust(self, scenario: str, output: str) -> dict | None:
        """The effect of ``scenario`` on ``output`` at the land-scarce and land-rich ends of the posterior, when it
        differs between them beyond their intervals (None otherwise, or without runs over the posterior)."""
        rows = (self.an.get("posterior") or {}).get("effects", [])
        return next((r for r in rows if r["scenario"] == scenario and r["output"] == output
                     and r["point_id"] == self.point and r["differs"]), None)

    def ends_text(self, r: dict) -> str:
        """'缺地一端 +8.1 个百分点 [6.4, 9.8]，地多一端 ...' / '+8.1 points [6.4, 9.8] where land is scarce, ...'."""
        o = r["output"]
        part = [f"{nb.fmt(o, r[f'{e}_effect'], self.lang, effect=True)} "
                f"[{nb.fmt(o, r[f'{e}_ci_low'], self.lang, effect=True, with_unit=False, ref=r[f'{e}_effect'])}, "
                f"{nb.fmt(o, r[f'{e}_ci_high'], self.lang, effect=True, with_unit=False, ref=r[f'{e}_effect'])}]"
                for e in ("scarce", "rich")]
        return (f"缺地一端 {part[0]}，地多一端 {part[1]}" if self.zh
                else f"{part[0]} where land is scarce, {part[1]} where it is plentiful")

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

    def cheapest_jobs(self, every_point: bool = False) -> dict | None:
        """Among strategies whose spending and jobs both rise for certain (the only ones with a cost per extra job),
        the one whose extra jobs cost least. At the briefing's design point, or with ``every_point`` among the
        strategies at every point of a sweep."""
        points = set(self.point_ids) if every_point and self.sweep else {self.point}
        rows = [c for c in self.an.get("costs", []) if c["point_id"] in points and not self.is_baseline(c["scenario"])
                and _finite(c.get("incremental_cost_per_job"))]
        return min(rows, key=lambda c: c["incremental_cost_per_job"]) if rows else None

    def same_budget_jobs(self) -> dict | None:
        """Among strategies with the baseline's money (budget plus debt within 1%) that add jobs for certain, the one
        that adds most."""
        rows = [c for c in self.an.get("costs", []) if c["point_id"] == self.point and not self.is_baseline(c["scenario"])
                and c.get("same_budget") and _finite(c.get("d_jobs_ci_low")) and c["d_jobs_ci_low"] > 0]
        return max(rows, key=lambda c: c["d_jobs"]) if rows else None

    def adequacy_sentence(self) -> str | None:
        """Whether the replications suffice for the headline effects, and how many would."""
        rows = [e for o in self.an.get("headline_outputs", []) for e in self.effects(o)]
        if not rows:
            return None
        ok = sum(1 for e in rows if e.get("adequate"))
        n = max(int(e["n"]) for e in rows)
        rep = self.an.get("replications") or {}
        if rep.get("adaptive"):
            comps = rep.get("comparisons", [])
            used = [int(c["replications"]) for c in comps if c.get("stopped") == "adequate"]
            span = (f"{min(used)}" if min(used) == max(used) else f"{min(used)}-{max(used)}") if used else ""
            if self.zh:
                return (f"重复次数按需分配：每轮 {rep['step']} 次，从 {rep['min']} 次起，直到核心区间足够窄（上限 {rep['max']} 次）；"
                        f"{len(comps)} 项比较中 {rep['adequate']} 项达到标准" + (f"（用 {span.replace('-', '–')} 次）" if span else "")
                        + f"，{rep['capped']} 项止于上限；"
                        f"共 {rep['runs']:,} 次运行（固定 {rep['max']} 次需 {rep['runs_fixed_at_max']:,} 次）。")
            return (f"Replications were spent where needed: rounds of {rep['step']} from {rep['min']} until the headline "
                    f"intervals were narrow enough (cap {rep['max']}); {rep['adequate']} of {len(comps)} comparisons "
                    f"met the rule" + (f" ({span} replications)" if span else "") + f", {rep['capped']} stopped at the cap; {rep['runs']:,} runs in "
                    f"all ({rep['runs_fixed_at_max']:,} at a fixed {rep['max']}).")
        need = [int(e["n_needed"]) for e in rows if not e.get("adequate") and e.get("n_needed") is not None]
        total, most = len(rows), max(need) if need else None
        ad = self.an.get("adequacy_summary") or {}
        if ad.get("headline_intervals"):  # the analysis' own count, over every design point: as 'sim analyse' says
            total, ok, most = int(ad["headline_intervals"]), int(ad["adequate"]), ad.get("max_n_needed")
            n = int(ad.get("max_n") or n)
        points = len(self.point_ids) if self.sweep else 1
        if self.zh:
            where = f"（{points} 个设计点，每个策略每点 {n} 次重复）" if points > 1 else f"（每个策略 {n} 次重复）"
            s = f"{total} 项核心效应中有 {ok} 项的置信区间足够窄{where}"
            if most and ok < total:
                s += f"；其余要达到判定标准约需 {int(most):,} 次重复"
            return s + "。"
        where = (f"over {points} design points ({n} replications per strategy and point)" if points > 1
                 else f"({n} replications per strategy)")
        s = f"{ok} of {total} headline intervals are narrow enough {where}"
        if most and ok < total:
            s += f"; the others would need about {int(most):,} replications"
        return s + "."

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

    def sweep_sentences(self) -> list[str]:
        """What a sweep found, sentence by sentence, none mixing points: what the swept settings do to the baseline's
        履约率 itself (at its lowest and highest point, each named), then for each headline output how the effect of
        the strategy that does best at any point changes across the points ([] for one point)."""
        if not self.sweep:
            return []
        out = [self.curve_sentence(FULFILMENT, level=True)] if self.all_effects(FULFILMENT) else []
        out += [self.curve_sentence(o) for o in self.an.get("headline_outputs", [])]
        return [s for s in out if s]

    # chart titles: the finding, short
    def title_comparison(self) -> str:
        """The comparison chart's title: the strategy that raises 履约率 most (at the briefing's point, named in a
        sweep whose points make no curve)."""
        e = self.best(FULFILMENT)
        at = self.at_point()
        if e is None:
            return f"{at}各策略的效果" if self.zh else f"{at}{'e' if at else 'E'}ffects of the strategies"
        if self.zh:
            t = f"{at}{self.quoted(e['scenario'])}{self.change(e, with_ci=False)}"
            return t + ("" if e.get("significant") else "（不显著）")
        t = f"{at}{self.label(e['scenario'])} {self.change(e, with_ci=False)}"
        return t + ("" if e.get("significant") else " (not significant)")

    def title_funnel(self) -> str:
        """The strategy that brings the most projects into operation (its point named in a sweep)."""
        out = "operating_projects"
        rows = [(s, v) for s in self.scenarios() if (v := self.consistent(s, out)) is not None]
        if not rows:
            return "项目漏斗" if self.zh else "The project funnel"
        best, top = max(rows, key=lambda r: r[1])
        base = self.consistent(self.baseline, out)
        b = nb.fmt(out, top, self.lang, with_unit=False)
        if self.zh:
            t = f"{self.at_point()}{self.quoted(best)}建成投产的项目最多：约{b}个"
            if base is not None and best != self.baseline:
                t += f"，现状约{nb.fmt(out, base, 'zh', with_unit=False)}个"
            return t
        t = f"{self.at_point()}{self.label(best)} brings the most projects into operation: about {b}"
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
            return (f"{self.at_point()}签约24个月时签约资金只有{r}到位" if self.zh
                    else f"{self.at_point()}24 months after signing only {r} of signed capital has arrived")
        new = nb.fmt("arrived_capital", self.consistent(e["scenario"], "arrived_capital"), self.lang)
        base = nb.fmt("arrived_capital", self.consistent(self.baseline, "arrived_capital"), self.lang)
        if self.zh:
            return f"{self.at_point()}第{h}个月，{self.quoted(e['scenario'])}到位资金{new}，现状{base}"
        where = f" {self._at()}" if self.sweep else ""
        return f"By month {h}{where}, {self.label(e['scenario'])} has {new} of capital arrived; status quo {base}"

    def title_withdrawals(self, named: bool = True) -> str:
        """The baseline's main reason for leaving after signing (its point named in a sweep, unless not ``named``)."""
        top = self.top_reason()
        if top is None:
            return "签约后撤出的原因" if self.zh else "Why investors left after signing"
        share = nb.fmt("share", top["share"], self.lang)
        if self.zh:
            at = self.at_point() if named else ""
            return f"{at}现状下签约后撤出的首要原因：{self.reason(top['reason'])}（占{share}）"
        where = f" {self._at()}" if self.sweep and named else ""
        return (f"Status quo{where}: {self.reason(top['reason']).lower()} is the main reason for leaving after signing "
                f"({share})")

    def title_costs(self) -> str:
        at = self.at_point()
        s = self.cheapest_jobs()
        if s:
            cost = nb.fmt("incremental_cost_per_job", s["incremental_cost_per_job"], self.lang)
            return (f"{at}{self.quoted(s['scenario'])}新增岗位最省钱：每个{cost}" if self.zh
                    else f"{at}{self.label(s['scenario'])} buys extra jobs cheapest: {cost} each")
        same = self.same_budget_jobs()
        if same:
            jobs = nb.fmt("jobs", same["d_jobs"], self.lang)
            return (f"{at}{self.quoted(same['scenario'])}预算相同、就业岗位多{jobs}" if self.zh
                    else f"{at}{self.label(same['scenario'])}: same budget, {jobs} more")
        rows = [c for c in self.an.get("costs", []) if c["point_id"] == self.point and _finite(c.get("cost_per_job"))
                and c["cost_per_job"] > 0]
        if not rows:
            return f"{at}支出与就业" if self.zh else f"{at}{'s' if at else 'S'}pending and jobs"
        c = min(rows, key=lambda r: r["cost_per_job"])
        cost = nb.fmt("cost_per_job", c["cost_per_job"], self.lang)
        return (f"{at}{self.quoted(c['scenario'])}每个岗位成本最低：{cost}" if self.zh
                else f"{at}{self.label(c['scenario'])} has the lowest cost per job: {cost}")

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
