"""The decision memo (决策参考): what to do, with how much money, who does it, what it buys and when, what can go wrong.

Read by a deputy county head in charge of attraction or a city's investment-promotion bureau director, it leads
with a recommendation and gives what they need to defend it: a summary box (内容提要), the recommendations with
their lead and responsible units (牵头单位, 责任单位) and money, the expected results by assessment year, the money
by item, by level (city and each county) and by source, the risks with what the model says of each, quarterly
monitoring ranges, the counter-intuitive results explained, the strategies compared, how sure we are, the
model against the region's statistics and the limitations; then an annex of what each strategy contains, one
page per county, the charts, and the technical appendix (method, replications, hashes). Page 1 carries no
technical detail.

The recommendation is the allocation ``sim optimise`` chose, run in the main comparison as one more strategy,
``recommended`` (``sim.experiment.recommended``; or joined to it, ``sim brief --join``); it is recommended
only when it can be shown to help on the search's objective. Every number comes from the analysis through
:class:`sim.report.figures.Figures` (one baseline, one set of numbers); nothing is typed. The Chinese is written
as officials write; the English says the same in plain English.

The memo's title, issuing unit, series and issue come from a small file (``experiments/memo/brief.toml``, table
``[brief]``), with defaults.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError, describe, error, one_of
from sim.experiment.assumptions import assumption_label, group_of
from sim.experiment.recommended import NAME as RECOMMENDED
from sim.model import registry, vocabulary
from sim.model.vocabulary import LEVERS
from sim.paramdoc import param_label, param_unit
from sim.region import Region, default_region, load_region
from sim.report import numbers as nb
from sim.report.explain import explanations, lever_spent
from sim.report.figures import Figures, finite
from sim.report.findings import Findings, counts_words
from sim.report.hinges import Hinges, plan_check_sentence, sensitivity_sentences, top_assumptions
from sim.report.strategies import Change, by_lever, contents, value_text
from sim.scenario import read_toml
from sim.stats import FULFILMENT

# ----------------------------------------------------------------------------- the memo's settings
CONFIG_KEYS = ("series", "title", "issuer", "issue", "region", "date")


@dataclass(frozen=True)
class MemoConfig:
    """The memo's masthead: its series (决策参考), title, issuing unit, issue (期号), region and date, each a
    ``{zh, en}`` text (the date one text, ISO; the day the memo is written when empty)."""

    series: dict[str, str] = field(default_factory=lambda: {"zh": "决策参考", "en": "Decision memo"})
    title: dict[str, str] = field(default_factory=lambda: {
        "zh": "关于优化招商引资资金安排的建议", "en": "Recommendations on the investment-attraction budget"})
    issuer: dict[str, str] = field(default_factory=lambda: {
        "zh": "招商引资策略模拟课题组", "en": "Investment-attraction simulation team"})
    issue: dict[str, str] = field(default_factory=lambda: {"zh": "", "en": ""})
    region: dict[str, str] = field(default_factory=lambda: {"zh": "", "en": ""})
    """The region's name as the memo writes it; empty: the name in the region's files."""
    date: str = ""

    def text(self, key: str, lang: str) -> str:
        """A masthead text in ``lang``."""
        value = getattr(self, key)
        return value if isinstance(value, str) else value.get(lang, "")


def load_config(path: str | Path) -> MemoConfig:
    """The memo's masthead from a TOML file with a ``[brief]`` table (keys of :data:`CONFIG_KEYS`, each a table
    ``{ zh = ..., en = ... }``, the date a text); missing keys keep their defaults. Any problem is one line."""
    path = Path(path)
    raw = read_toml(path)
    brief = raw.get("brief")
    if not isinstance(brief, dict):
        raise error(path, "brief", "a table [brief] with the memo's series, title, issuer, issue, region or date",
                    describe(brief) if brief is not None else "none")
    for k in raw:
        if k != "brief":
            raise error(path, k, one_of(k, ("brief",)), f"unknown key '{k}'")
    cfg = MemoConfig()
    for k, v in brief.items():
        if k not in CONFIG_KEYS:
            raise error(path, f"brief.{k}", one_of(k, CONFIG_KEYS), f"unknown key '{k}'")
        if k == "date":
            if not isinstance(v, str):
                raise error(path, "brief.date", "a date as text (2026-12-06)", describe(v))
            cfg = replace(cfg, date=v)
            continue
        if not (isinstance(v, dict) and v and set(v) <= {"zh", "en"} and all(isinstance(x, str) for x in v.values())):
            raise error(path, f"brief.{k}", "a table { zh = \"...\", en = \"...\" } of text", describe(v))
        cfg = replace(cfg, **{k: {**getattr(cfg, k), **v}})
    return cfg


# ----------------------------------------------------------------------------- small helpers
def _e(text: Any) -> str:
    return html.escape(str(text))


def _cap(text: str) -> str:
    """English text with its first letter (after any markup) in capitals."""
    i = 0
    while i < len(text) and text[i] == "<":
        i = text.find(">", i) + 1 or len(text)
    return text[:i] + text[i:i + 1].upper() + text[i + 1:]


QUARTERS_SHOWN = (1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20)
"""Quarters the monitoring table shows: every quarter of the first two years, then each year's last."""
PRICED = ("leadership_attention", "persistence", "city_coordination", "vertical_coordination")
"""Levers charged partly or wholly as leaders' attention and staff time at their shadow price, not as cash."""
SMALL_SHARE = 0.005
"""A lever's yearly money change below this share of the yearly total (or 50万元) is not a recommendation."""
SMALL_MONEY = 50.0
SMALL_SETTING = 0.02
"""A setting in shares (leaders' attention, the team's professionalism...) moved by less than this (two percentage
points) with no money move is not a recommendation: the memo says it is kept about as now (:func:`kept_as_now`).
An assumption of the memo: a search's choice that close to the present is within its own noise."""
HEADLINE_EXTRA = ("arrived_capital", "signed_projects")
"""Outputs the results table shows after the headline ones."""


def kept_as_now(item: dict) -> bool:
    """Whether a lever a strategy moves (an item of :meth:`Memo.measures`) is in fact kept about as it is: no money
    move, and each setting it changes a number in shares moved by less than :data:`SMALL_SETTING`."""
    cs = item["changes"]
    if item["money"] or not cs:
        return False
    for c in cs:
        if isinstance(c.after, bool) or not isinstance(c.after, int | float) or not isinstance(c.before, int | float):
            return False
        try:
            unit = param_unit(c.key, "en")
        except KeyError:
            return False
        if unit != "share" or abs(float(c.after) - float(c.before)) >= SMALL_SETTING:
            return False
    return True


class Memo:
    """The memo of one analysis in one language: every section as HTML, built from the stored results."""

    def __init__(self, analysis: dict, folder: str | Path, lang: str = "zh", config: MemoConfig | None = None,
                 sensitivity: dict | None = None, policy_dir: str | Path | None = None,
                 discoveries: list[dict] | None = None, point: int | None = None):
        self.an = analysis
        self.lang = lang
        self.zh = lang == "zh"
        self.cfg = config or MemoConfig()
        self.fg = Figures(analysis, folder, lang, point)
        self.sens = sensitivity if sensitivity is not None else (
            analysis if analysis.get("sensitivity", {}).get("available") else None)
        self.f = Findings(analysis, lang, sensitivity=self.sens)
        self.f.point = self.fg.point
        self.base = analysis["baseline"]
        self.region = _region(next((x.get("region") for x in analysis.get("scenarios", []) if x["name"] == self.base),
                                   None))
        if not any(self.cfg.region.values()) and self.region is not None:
            self.cfg = replace(self.cfg, region={lang: self.region.name(lang) for lang in ("zh", "en")})
        self.discoveries = discoveries or []
        self.policy_dir = Path(policy_dir) if policy_dir else None
        self.opt = _optimiser(self.policy_dir) if self.policy_dir else None
        self.objective = (self.opt or {}).get("objective", "jobs")
        paths = {s["name"]: s.get("path") or s.get("file") for s in analysis.get("scenarios", [])}
        used = {s["name"]: s.get("settings_sha256") for s in analysis.get("scenarios", [])}
        self.contents, self.unread = contents({k: v for k, v in paths.items() if v}, self.base, used)
        self.unread.update({k: f"no scenario file recorded for {k}" for k, v in paths.items() if not v and k != self.base})
        self.recommended = RECOMMENDED if RECOMMENDED in self.fg.scenarios() else None
        self.rec_helps = bool(self.recommended and self.helps(self.recommended))
        self.lead = self.recommended if self.rec_helps else self._best_shipped()
        self.subject = self.lead or self.base
        """The strategy the sections on results, money, risks and monitoring describe: the lead, else the status
        quo (what to expect, spend and watch if nothing changes)."""
        self.compare = self.subject != self.base
        self.years = self.fg.years

    # ------------------------------------------------------------------ names
    def t(self, zh: str, en: str) -> str:
        """The text in the memo's language."""
        return zh if self.zh else en

    def title_of(self, s: str) -> str:
        """A strategy's name (plain text): its scenario's title, or its name in the vocabulary."""
        t = next((x.get("title") or {} for x in self.an.get("scenarios", []) if x["name"] == s), {})
        return t.get(self.lang) or vocabulary.name(vocabulary.STRATEGIES, s, self.lang)

    def label(self, s: str) -> str:
        """A strategy's name inside a sentence (HTML): 「...」 in Chinese."""
        name = _e(self.title_of(s))
        if self.zh:
            return f"「{name}」"
        return "the recommended allocation" if s == RECOMMENDED else name

    def government_name(self, gov: str) -> str:
        """A government (a county, a district or the city) by the names of the region's files (its id without them)."""
        if self.region is not None and gov in self.region.governments:
            return self.region.government_name(gov, self.lang)
        return gov

    def lever_name(self, lever: str) -> str:
        """A lever or measure in words."""
        return vocabulary.measure(lever, self.lang)

    def _more(self, cells: str) -> str:
        """Table cells of the strategy described beside the status quo's ('' when that is the status quo)."""
        return cells if self.compare else ""

    # ------------------------------------------------------------------ which strategy leads
    def helps(self, s: str) -> bool:
        """Whether a strategy can be shown to help on the objective: its interval lies on the better side."""
        e = self.fg.effect(s, self.objective)
        if not e or not finite(e.get("ci_low")):
            return False
        return e["ci_low"] > 0 if registry.higher_is_better(self.objective) else e["ci_high"] < 0

    def _best_shipped(self) -> str | None:
        """Without a recommendation that helps: the shipped strategy that helps most for no more money (else the
        one that helps most), the memo's lead."""
        cands = [s for s in self.fg.scenarios() if s not in (self.base, RECOMMENDED)
                 and self.fg.baseline_of(s) == self.base and self.helps(s)]
        if not cands:
            return None
        sign = 1.0 if registry.higher_is_better(self.objective) else -1.0
        spent = self.fg.base("budget_spent")
        same = [s for s in cands if (e := self.fg.effect(s, "budget_spent")) and e["effect"] <= 0.01 * spent]
        return max(same or cands, key=lambda s: sign * self.fg.effect(s, self.objective)["effect"])

    # ------------------------------------------------------------------ money of a strategy
    def per_year(self, s: str, lever: str) -> float:
        """A strategy's money for a lever a year (万元)."""
        return self.fg.per_year(lever_spent(self.fg, s, lever))

    def measures(self, s: str) -> list[dict]:
        """What a strategy does differently from the baseline, lever by lever: its yearly money before and after
        and the settings it changes; money moves first, largest first."""
        changes = by_lever(self.contents.get(s, []))
        total = self.fg.per_year(self.fg.base("budget_spent"))
        floor = max(SMALL_MONEY, SMALL_SHARE * total)
        items = []
        for lever in LEVERS:
            a, b = self.per_year(self.base, lever), self.per_year(s, lever)
            if not (finite(a) and finite(b)):
                continue
            setting = [c for c in changes.get(lever, []) if not c.key.startswith("budget.shares.")]
            if abs(b - a) >= floor or setting:
                items.append({"lever": lever, "before": a, "after": b, "delta": b - a, "changes": setting,
                              "money": abs(b - a) >= floor})
        items.sort(key=lambda i: (not i["money"], -abs(i["delta"])))
        for lever, cs in changes.items():
            if lever and lever not in LEVERS:
                items.append({"lever": lever, "before": float("nan"), "after": float("nan"), "delta": 0.0,
                              "changes": cs, "money": False})
        return items

    # ------------------------------------------------------------------ pieces of sentences
    def _money_move(self, s: str, item: dict) -> str:
        lever, a, b = item["lever"], item["before"], item["after"]
        name = _e(self.lever_name(lever))
        ka = self.fg.money(f"{self.base}/{lever}/per_year", a)
        kb = self.fg.money(f"{s}/{lever}/per_year", b)
        if self.zh:
            money = name if name.endswith(("资金", "基金", "精力")) else f"{name}投入"
            if a < 1:
                return f"每年安排{money}约{kb}"
            return f"{money}由每年约{ka}{'增至' if b > a else '减至'}约{kb}"
        if a < 1:
            return f"{name.lower()}: about {kb} a year (none now)"
        return f"{name.lower()}: from about {ka} to about {kb} a year"

    def _setting_moves(self, item: dict, limit: int = 3) -> list[str]:
        cs: list[Change] = item["changes"]
        words = [_e(c.prose(self.lang)) for c in cs[:limit]]
        if len(cs) > limit:
            words.append(self.t(f"等{len(cs)}项", f"and {len(cs) - limit} more"))
        return words

    def moves(self, s: str, k: int = 3) -> str:
        """The largest moves of money and settings of a strategy, in a clause."""
        items = self.measures(s)
        money = [self._money_move(s, i) for i in items if i["money"]][:k]
        staff = [w for i in items if i["lever"] in ("team", "leadership_attention") and not kept_as_now(i)
                 for w in self._setting_moves(i, 1)]
        return ("，" if self.zh else "; ").join(money + staff)

    def owners_text(self, lever: str) -> str:
        """牵头单位 and 责任单位 of a lever, in a clause."""
        lead, rest = vocabulary.owners(lever, self.lang)
        if self.zh:
            return f"牵头单位：{_e(lead)}" + (f"；责任单位：{_e('、'.join(rest))}" if rest else "")
        return f"Lead: {_e(lead)}" + (f"; also responsible: {_e(', '.join(rest))}" if rest else "")

    def effect_text(self, s: str, output: str, with_ci: bool = True) -> str:
        """A strategy's effect on an output as a clause: direction in words, size, interval."""
        e = self.fg.effect(s, output)
        if not e or not finite(e.get("effect")):
            return ""
        up = e["effect"] >= 0
        if nb.kind(output) == "count":
            size = self.fg.fmt(f"{s}/{output}/effect", output, abs(e["effect"]), with_unit=False)
        elif nb.kind(output) == "capital":
            size = self.fg.money(f"{s}/{output}/effect", abs(e["effect"]))
        else:
            size = self.fg.fmt(f"{s}/{output}/effect", output, abs(e["effect"]), effect=True, sign=False)
        ci = self.fg.ci(f"{s}/{output}/ci", output, e["ci_low"], e["ci_high"], ref=e["effect"]) if with_ci else ""
        name = _e(registry.phrase(output, self.lang))
        if self.zh:
            unit = "个" if nb.kind(output) == "count" else ""
            verb = ("提高" if up else "降低") if nb.kind(output) == "rate" else ("多" if up else "少")
            text = f"{name}{verb}{'约' if nb.kind(output) == 'count' else ''}{size}{unit}"
            return text + (f"（95%置信区间{ci}）" if ci else "")
        verb = "up" if up else "down"
        return f"{name} {verb} {'about ' if nb.kind(output) == 'count' else ''}{size}" + (f" (95% CI {ci})" if ci else "")

    # ================================================================== sections
    def masthead(self) -> str:
        """The series, issue, issuing unit and date, the title (page 1's top)."""
        date = self.cfg.date or datetime.now(UTC).date().isoformat()
        if self.zh:
            try:
                y, m, d = (int(x) for x in date.split("-"))
                date = f"{y}年{m}月{d}日"
            except ValueError:
                pass
        issue = self.cfg.text("issue", self.lang)
        return (f'<div class="masthead"><div class="series">{_e(self.cfg.text("series", self.lang))}</div>'
                f'<div class="issue">{_e(issue)}</div>'
                f'<table class="mast"><tr><td class="left">{_e(self.cfg.text("issuer", self.lang))}</td>'
                f'<td class="right">{_e(date)}</td></tr></table></div>'
                f'<h1>{_e(self.cfg.text("title", self.lang))}</h1>')

    def summary(self) -> str:
        """内容提要: what to do, what it buys with ranges, how sure, what it costs, the main risk."""
        sents = [s for s in (self._summary_do(), self._summary_buys(), self._summary_sure(), self._summary_costs(),
                             self._summary_risk()) if s]
        head = self.t("内容提要", "Summary")
        return f'<div class="summary"><div class="head">{head}</div>' + "".join(f"<p>{s}</p>" for s in sents) + "</div>"

    def _summary_do(self) -> str:
        region = _e(self.cfg.text("region", self.lang))
        parts = []
        if self.recommended and not self.rec_helps:
            e = self.fg.effect(self.recommended, self.objective)
            name = _e(registry.phrase(self.objective, self.lang))
            if e:
                eff = self.fg.fmt(f"{RECOMMENDED}/{self.objective}/effect", self.objective, e["effect"], effect=True,
                                  with_unit=False)
                ci = self.fg.ci(f"{RECOMMENDED}/{self.objective}/ci", self.objective, e["ci_low"], e["ci_high"],
                                ref=e["effect"])
                parts.append(self.t(
                    f"优化搜索选出的预算分配（{self.moves(RECOMMENDED)}）在主对比中与各方案同样测算，{name}的变化为{eff}"
                    f"（95%置信区间{ci}），不能证明优于现状，不作推荐。",
                    f"The allocation the search chose ({self.moves(RECOMMENDED)}), run in the main comparison like "
                    f"every strategy, changes {name} by {eff} (95% CI {ci}): it cannot be shown to beat the status quo and "
                    "is not recommended."))
        if self.lead is None:
            parts.append(self.t("在已测算的方案中，没有一个能确定地改善" + _e(registry.phrase(self.objective, "zh")) + "，暂不建议调整。",
                                "None of the strategies tested improves " + _e(registry.phrase(self.objective, "en"))
                                + " for certain; no change is recommended yet."))
            return "".join(parts)
        if self.lead == RECOMMENDED:
            a = self.fg.per_year(self.fg.base("budget_spent"))
            b = self.fg.per_year(self.fg.level(self.lead, "budget_spent"))
            ka = self.fg.money(f"{self.base}/budget_spent/per_year", a)
            kb = self.fg.money(f"{self.lead}/budget_spent/per_year", b)
            if abs(b - a) < 0.02 * a:
                frame = self.t(f"在每年招商投入（约{ka}）基本不变的前提下调整资金投向",
                               f"keep its yearly attraction spending (about {ka}) and change what it buys")
            else:
                frame = self.t(f"调整招商资金投向，每年实际支出由约{ka}{'增至' if b > a else '降至'}约{kb}",
                               f"change what its attraction money buys, its yearly spending going from about {ka} to "
                               f"about {kb}")
            parts.append(self.t(f"建议{region}{frame}，实施推荐方案：{self.moves(self.lead)}。",
                                f"We recommend that {region} {frame}, as in the recommended allocation: "
                                f"{self.moves(self.lead)}."))
        else:
            desc = _e(next(((x.get("description") or {}).get(self.lang, "") for x in self.an["scenarios"]
                            if x["name"] == self.lead), ""))
            parts.append(self.t(f"在已测算的方案中，建议{region}考虑实施{self.label(self.lead)}：{desc}",
                                f"Of the strategies tested, {region} should consider {self.label(self.lead)}: {desc}"))
        return "".join(parts)

    def _bad_case(self, s: str, output: str = "jobs") -> str:
        sp = self.fg.spread(s, output)
        if not sp or not finite(sp.get("d_p05")):
            return ""
        v = sp["d_p05"]
        size = self.fg.fmt(f"{s}/{output}/effect_p05", output, abs(v), with_unit=False, sign=False)  # direction in words
        if self.zh:
            return f"遇到不利情况（约二十次中有一次）时，就业岗位{'仍多约' if v > 0 else '可能比现状少约'}{size}个"
        return (f"in a bad case (about 1 in 20) it {'still has' if v > 0 else 'may have'} about {size} "
                f"{'more' if v > 0 else 'fewer'} jobs than the status quo")

    def _summary_buys(self) -> str:
        if self.lead is None:
            return ""
        s = self.lead
        clauses = [c for c in (self.effect_text(s, "jobs"), self.effect_text(s, FULFILMENT, with_ci=False),
                               self.effect_text(s, "arrived_capital", with_ci=False)) if c]
        bad = self._bad_case(s)
        if self.zh:
            return "据模拟测算，实施五年后，与维持现状相比：" + "，".join(clauses) + (f"；{bad}" if bad else "") + "。"
        return "After five years, against the status quo: " + "; ".join(clauses) + (f"; {bad}" if bad else "") + "."

    def robust_record(self, s: str, output: str) -> dict | None:
        """A strategy's effect at the land-scarce and land-rich ends of the posterior when it differs between them
        beyond their intervals (None otherwise, or when the runs were not made over the posterior)."""
        return self.f.robust(s, output)

    def _posterior_design(self) -> dict | None:
        """How the runs cover the calibration's posterior (None when they ran at the one shipped point)."""
        post = self.an.get("posterior") or {}
        return post.get("design") if post.get("available") else None

    def _futures_text(self) -> str:
        if not self.opt or self.lead != RECOMMENDED:
            return ""
        share = self.opt.get("not_worse_share")
        n = self.opt.get("futures")
        if share is None or not n:
            return ""
        names = ("、" if self.zh else ", ").join(_e(x) for x in future_names(self.opt.get("future_keys", []), self.lang))
        m = self.fg.number(f"{RECOMMENDED}/futures_not_worse", share * n, 0)
        nn = self.fg.number("optimiser/futures", n, 0)
        every = share >= 1.0
        if self.zh:
            return f"在优化搜索设想的{nn}种外部环境（{names}不同）中，推荐方案{'均' if every else f'有{m}种'}不差于现状"
        return (f"in {'all ' + nn if every else m + ' of the ' + nn} futures the search tried (differing in "
                f"{names}), it did no worse than the status quo")

    def _summary_sure(self) -> str:
        if self.lead is None:
            return ""
        d = self._posterior_design()
        parts = []
        if d:
            n = self.fg.number("draws/count", d["draws"], 0)
            r = self.robust_record(self.lead, "jobs")
            parts.append(self.t(f"各次模拟取自校准得到的{n}组合理参数，区间已含参数的不确定性"
                                + (f"；但就业效果取决于用地：{_e(self.f.ends_text(r))}" if r else ""),
                                f"the runs draw {n} plausible parameter sets from the calibration, so the ranges carry "
                                "parameter uncertainty" + (f"; but the jobs effect depends on land: {_e(self.f.ends_text(r))}"
                                                           if r else "")))
        fut = self._futures_text()
        if fut:
            parts.append(fut)
        if not parts:
            return ""
        return ("；".join(parts) + "。") if self.zh else (parts[0][0].upper() + "; ".join(parts)[1:] + ".")

    def _summary_costs(self) -> str:
        if self.lead is None:
            return ""
        s = self.lead
        total = self.fg.money(f"{s}/budget_spent/level", self.fg.level(s, "budget_spent"))
        d = self.fg.effect(s, "budget_spent")
        same = d is None or abs(d["effect"]) < 0.01 * self.fg.base("budget_spent")
        diff = self.fg.money(f"{s}/budget_spent/effect", abs(d["effect"])) if d else ""
        rec = self.fg.cost_record(s) or {}
        unspent = rec.get("same_budget") and d is not None and d["effect"] < 0 and not same
        city = self._gov_total(s, "city")
        counties = sum(self._gov_total(s, g) for g in self._governments() if g != "city")
        if unspent:  # the same money, part of it not spent: never a saving
            parts = [self.t(f"预算与现状相同；五年实际支出约{total}（含按影子价格折算的人员和领导精力），比现状少约{diff}，"
                            "这部分钱留在基金中或退回财政，不是节约",
                            f"It has the status quo's budget and spends about {total} of it over five years (staff time "
                            f"and leaders' attention included at their shadow prices): {diff} less, left in the funds or "
                            "returned, which is money not spent, not a saving")]
        else:
            parts = [self.t(f"五年共投入约{total}（含按影子价格折算的人员和领导精力）" + ("，与现状基本持平" if same else
                            f"，比现状{'多' if d['effect'] > 0 else '少'}约{diff}"),
                            f"It spends about {total} over five years (staff time and leaders' attention included at "
                            f"their shadow prices), " + ("about what the status quo spends" if same else
                                                         f"{diff} {'more' if d['effect'] > 0 else 'less'} than the "
                                                         "status quo"))]
        if finite(city) and city > 0:
            c = self.fg.money(f"{s}/city/total", city)
            k = self.fg.money(f"{s}/counties/total", counties)
            parts.append(self.t(f"其中市级约{c}，各县区合计约{k}", f"of which the city about {c} and the counties together {k}"))
        lent, owed = self.borrowed(s)
        if finite(lent) and lent > 0.5:
            a, b = self.fg.money(f"{s}/borrowing/level", lent), self.fg.money(f"{s}/debt/level", owed)
            parts.append(self.t(f"另为园区借款约{a}，到第五年末尚欠约{b}，由以后年度的预算还本付息",
                                f"besides, it borrows about {a} for the park and still owes {b} at the end of year five, "
                                "repaid with interest from later budgets"))
        ret = self.fg.paired_level("risks", s, "budget_returned")
        if finite(ret) and ret > 0.01 * self.fg.level(s, "budget_spent"):
            r = self.fg.money(f"{s}/budget_returned/level", ret)
            parts.append(self.t(f"五年合计约{r}按份额安排但未能用出、退回财政",
                                f"in all, {r} allotted by the shares over the five years could not be used and went "
                                "back to the treasury"))
        return ("；".join(parts) + "。") if self.zh else ("; ".join(parts) + ".")

    def risk_rows(self, s: str) -> list[dict]:
        """The risks a strategy runs, each with the baseline's and the strategy's level and whether it is worse for
        certain (from the risks table)."""
        out = []
        for item in ("promises_broken", "unserious_signings", "stalled", "debt", "stop_go_years", "leader_rotations"):
            b = self.fg.paired("risks", self.base, item)
            r = self.fg.paired("risks", s, item)
            if b is None or r is None:
                continue
            if item != "debt" and max(abs(float(b["mean"])), abs(float(b["mean"]) + float(r["effect"]))) < 1e-9:
                continue
            out.append({"item": item, "base": float(b["mean"]), "level": float(b["mean"]) + float(r["effect"]),
                        "effect": float(r["effect"]), "low": float(r["effect_ci_low"]),
                        "high": float(r["effect_ci_high"]), "worse": bool(r["effect_ci_low"] > 0)})
        return out

    def _risk_name(self, item: str) -> str:
        return {
            "promises_broken": self.t("未兑现的优惠承诺（每百个签约项目）", "Promises broken (per 100 signed)"),
            "unserious_signings": self.t("签约后查实不实而撤出的项目（每百个签约项目）",
                                         "Signed projects found not serious (per 100 signed)"),
            "stalled": self.t("停工烂尾项目（每百个签约项目）", "Stalled projects (per 100 signed)"),
            "debt": self.t("园区借款余额（第五年末）", "Park debt at the end of year five"),
            "stop_go_years": self.t("预算被削减的政策中断年份（五年内）", "Stop-go years with the budget cut (in five years)"),
            "leader_rotations": self.t("各级主要领导调整（五年内合计，次）", "Leaders replaced, all governments (in five years)"),
        }[item]

    def _risk_value(self, item: str, key: str, v: float) -> str:
        if item == "debt":
            return self.fg.money(key, v) if abs(v) >= 0.5 else self.fg.show(key, self.t("无", "none"), v)
        return self.fg.number(key, v, 1)

    def _summary_risk(self) -> str:
        if self.lead is None:
            return ""
        worse = [r for r in self.risk_rows(self.lead) if r["worse"]]
        if not worse:
            return ""
        r = max(worse, key=lambda r: r["effect"] / max(abs(r["base"]), 1.0))
        a = self._risk_value(r["item"], f"{self.base}/risk/{r['item']}", r["base"])
        b = self._risk_value(r["item"], f"{self.lead}/risk/{r['item']}", r["level"])
        name = _e(self._risk_name(r["item"]))
        if abs(r["base"]) < 0.05:
            return self.t(f"需要注意的主要风险：{name}由现状的几乎没有增至约{b}（见第四部分）。",
                          f"The main risk to watch: {name.lower()} rises from almost none to about {b} (part 4).")
        return self.t(f"需要注意的主要风险：{name}由现状的约{a}增至约{b}（见第四部分）。",
                      f"The main risk to watch: {name.lower()} rises from about {a} to about {b} (part 4).")

    # ------------------------------------------------------------------ 1 recommendations
    def recommendations(self) -> str:
        """一、建议: one item per lever the lead strategy moves, with its money and owners, then monitoring; the
        levers it leaves about as they are (:func:`kept_as_now`) in one line after them."""
        head = self.t("一、建议", "1. Recommendations")
        items = []
        kept, moved = [], []
        for i in (self.measures(self.lead) if self.lead else []):
            (kept if kept_as_now(i) else moved).append(i)
        for i in moved:
            lever = i["lever"]
            name = _e(self.lever_name(lever))
            parts = []
            if i["money"]:
                up = i["delta"] > 0
                verb = (self.t("启动", "start funding") if i["before"] < 1 else self.t("加大", "spend more")) if up else \
                    (self.t("基本停用", "wind down") if i["after"] < 0.05 * i["before"] else self.t("压减", "spend less"))
                five = self.fg.money(f"{self.lead}/{lever}/five_years", i["after"] * self.years)
                noun = name if (not up or i["before"] < 1 or name.endswith(("资金", "基金"))) else f"{name}投入"
                # English: the lever as a heading, then what to do with its money ("Promotion team: spend more"),
                # which needs no article whatever the lever's name
                first = f"{verb}{noun}" if self.zh else f"{name}: {verb}"
                priced = self.t("（按影子价格折算）", " (at shadow prices)") if lever in PRICED else ""
                parts.append(f"<b>{first}。</b>" if self.zh else f"<b>{first}.</b>")
                parts.append(self.t(f"{self._money_move(self.lead, i)}{priced}，五年合计约{five}。",
                                    _cap(f"{self._money_move(self.lead, i)}{priced}, about {five} over five years.")))
            else:
                parts.append(f"<b>{name}。</b>" if self.zh else f"<b>{name}.</b>")
            settings = self._setting_moves(i)
            if settings:
                parts.append(("；".join(settings) + "。") if self.zh else _cap("; ".join(settings) + "."))
            parts.append(f'<span class="owners">{self.owners_text(lever)}。</span>' if self.zh else
                         f'<span class="owners">{self.owners_text(lever)}.</span>')
            items.append(("" if self.zh else " ").join(parts))
        mon = self.t("<b>建立季度监测。</b>按第五部分的指标和区间逐季对照，连续两个季度低于区间下限即组织复盘、调整措施。",
                     "<b>Monitor every quarter.</b> Compare the indicators of part 5 with their ranges each quarter; "
                     "two quarters in a row below the range call for a review.")
        items.append(mon + self.t("", " ") + f'<span class="owners">{self.owners_text("monitoring")}{self.t("。", ".")}</span>')
        nums = "一二三四五六七八九十"
        if self.zh:
            lis = "".join(f"<p class='rec'>（{nums[k] if k < 10 else k + 1}）{x}</p>" for k, x in enumerate(items))
        else:
            lis = "".join(f"<p class='rec'>({k + 1}) {x}</p>" for k, x in enumerate(items))
        intro = ""
        if self.lead is None:
            intro = f"<p>{self.t('暂不建议调整现行做法；先按第五部分的指标和区间开展监测。', 'Keep the present course for now and monitor it as in part 5.')}</p>"
        elif self.lead != RECOMMENDED:
            intro = f"<p>{self.t('以下为', 'Below are the measures of ')}{self.label(self.lead)}{self.t('包含的措施：', ':')}</p>"
        if kept:
            small = [w for i in kept for w in self._setting_moves(i)]
            lis += self.t(f"<p>基本维持现状（调整不足{SMALL_SETTING * 100:.0f}个百分点，不作为建议）：{'；'.join(small)}。</p>",
                          f"<p>Kept about as now (moved by less than {SMALL_SETTING * 100:.0f} percentage points, "
                          f"not a recommendation): {'; '.join(small)}.</p>")
        return f"<h2>{head}</h2>{intro}{lis}"

    # ------------------------------------------------------------------ 2 results and timeline
    def results(self) -> str:
        """二、预期效果和见效时间: the results at the horizon against the status quo, and year by year."""
        head = self.t("二、预期效果和见效时间", "2. What it buys, and when")
        s = self.subject
        rows = []
        for o in (*self.an.get("headline_outputs", []), *HEADLINE_EXTRA):
            e = self.fg.effect(s, o)
            if not self.compare:
                if finite(self.fg.base(o)):
                    rows.append(f"<tr><td class='name'>{_e(registry.label(o, self.lang))}</td>"
                                f"<td>{self._level(self.base, o)}</td></tr>")
                continue
            if not e:
                continue
            base = self._level(self.base, o)
            lvl = self._level(s, o)
            eff = self.fg.fmt(f"{s}/{o}/effect", o, e["effect"], effect=True, with_unit=False) if nb.kind(o) != "capital" \
                else self.fg.money(f"{s}/{o}/effect", e["effect"], sign=True)
            ci = self.fg.ci(f"{s}/{o}/ci", o, e["ci_low"], e["ci_high"], ref=e["effect"])
            sp = self.fg.spread(s, o)
            bad = "–"
            if sp and finite(sp.get("d_p05")):
                bad = (self.fg.fmt(f"{s}/{o}/effect_p05", o, sp["d_p05"], effect=True, with_unit=False)
                       if nb.kind(o) != "capital" else self.fg.money(f"{s}/{o}/effect_p05", sp["d_p05"], sign=True))
            cls = ' class="sig"' if e.get("significant") else ""
            rows.append(f"<tr><td class='name'>{_e(registry.label(o, self.lang))}</td><td>{base}</td><td>{lvl}</td>"
                        f"<td{cls}>{eff}</td><td>{ci}</td><td>{bad}</td></tr>")
        h = self.fg.horizon
        more = (f"<th>{_e(self.title_of(s))}</th><th>{self.t('变化', 'Change')}</th><th>{self.t('95%置信区间', '95% CI')}</th>"
                f"<th>{self.t('不利情况下的变化（二十次中有一次）', 'Change in a bad case (1 in 20)')}</th>") if self.compare else ""
        table = (f"<table><thead><tr><th class='name'>{self.t('指标', 'Indicator')}</th><th>{self.t('维持现状', 'Status quo')}</th>"
                 f"{more}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        intro = self.t(f"按模拟测算，第{h}个月末（五年后）与维持现状相比：",
                       f"At the end of month {h} (five years on), against the status quo:") if self.compare else \
            self.t(f"按模拟测算，维持现状到第{h}个月末（五年后）：", f"Keeping the present course, at the end of month {h} (five years on):")
        note = self.t("就业岗位只计招商项目投产后带来的岗位；“不利情况”指在模拟的各种随机情形中，效果最差的二十分之一。",
                      "Jobs count only those in attracted projects that have started operating; a bad case is the worst "
                      "twentieth of the simulated chance outcomes.")
        return f"<h2>{head}</h2><p>{intro}</p>{table}<p class='note'>{note}</p>{self.timeline()}{self.structure()}"

    def structure(self) -> str:
        """What kind of projects the lead strategy brings: industrial and large projects' shares, beside the
        province's; and what the model cannot say about which industries to target."""
        s = self.subject
        parts = []
        for o in ("industrial_share_signed_capital", "industrial_share_arrived_capital", "large_share_completed"):
            if not finite(self.fg.level(s, o)):
                continue
            a = self.fg.fmt(f"{self.base}/{o}/level", o, self.fg.base(o))
            b = self.fg.fmt(f"{s}/{o}/level", o, self.fg.level(s, o))
            ref = next((f for f in (self.region.figures if self.region else ()) if f.statistic == o), None)
            prov = ""
            if ref is not None:  # the region's reported structure (its figures file)
                pv = self.fg.fmt(f"reported/{o}", o, ref.value)
                prov = self.t(f"；{_e(ref.label_zh)}为{pv}", f"; {_e(ref.label_en)}: {pv}")
            name = _e(registry.label(o, self.lang))
            if self.compare:
                parts.append(self.t(f"{name}{b}（现状{a}{prov}）", f"{name[0].lower()}{name[1:]} {b} (status quo {a}{prov})"))
            else:
                parts.append(self.t(f"{name}{a}{prov.replace('；', '（', 1) + '）' if prov else ''}",
                                    f"{name[0].lower()}{name[1:]} {a}{' (' + prov[2:] + ')' if prov else ''}"))
        if not parts:
            return ""
        sectors = ("、" if self.zh else ", ").join(_e(self.region.sector_name(k, self.lang))
                                                   for k in (self.region.sectors if self.region else ()))
        text = self.t("项目结构：" + "，".join(parts) + f"。模型把项目分为{sectors}等行业，但只报告工业与非工业、大项目与小项目的结构，"
                      "不能据此排出具体产业的先后；重点产业链宜结合本地主导产业另行研究确定。",
                      "What kind of projects: " + "; ".join(parts) + f". The model's projects belong to sectors ({sectors}), "
                      "but it reports only industrial against other and large against small projects: it cannot rank "
                      "industries to target, which needs a study of the region's leading chains.")
        return f"<p>{text}</p>"

    def _level(self, s: str, o: str) -> str:
        v = self.fg.level(s, o)
        return self.fg.money(f"{s}/{o}/level", v) if nb.kind(o) == "capital" else \
            self.fg.fmt(f"{s}/{o}/level", o, v, with_unit=nb.kind(o) == "rate")

    def timeline(self) -> str:
        """The lead strategy's results by assessment year against the status quo, and when each effect shows."""
        s = self.subject
        y = self.fg.table("yearly")
        if y.empty:
            return ""
        outs = ("signed_projects", "arrived_capital", "jobs")
        rows = []
        for year in sorted(set(y["year"])):
            cells = []
            for o in outs:
                r = self.fg.yearly_effect(s, o, year)
                lvl = self.fg.yearly_level(s, o, year)
                if r is None:
                    cells.append("<td>–</td>")
                    continue
                if not self.compare:
                    a = (self.fg.money_in(f"{s}/{o}/year{year}/level", lvl, "yi") if nb.kind(o) == "capital" else
                         self.fg.fmt(f"{s}/{o}/year{year}/level", o, lvl, with_unit=False))
                    cells.append(f"<td>{a}</td>")
                    continue
                if nb.kind(o) == "capital":
                    a = self.fg.money_in(f"{s}/{o}/year{year}/level", lvl, "yi")
                    d = self.fg.change(f"{s}/{o}/year{year}/effect", nb.money_in(r["effect"], self.lang, "yi", sign=True),
                                       r["effect"])
                else:
                    a = self.fg.fmt(f"{s}/{o}/year{year}/level", o, lvl, with_unit=False)
                    d = self.fg.change(f"{s}/{o}/year{year}/effect",
                                       nb.fmt(o, r["effect"], self.lang, effect=True, with_unit=False), r["effect"])
                cls = ' class="sig"' if r.get("significant") else ""
                cells.append(f"<td{cls}>{a}（{d}）</td>" if self.zh else f"<td{cls}>{a} ({d})</td>")
            rows.append(f"<tr><td class='name'>{self.t(f'第{year}年', f'Year {year}')}</td>{''.join(cells)}</tr>")
        heads = [self.t("当年新签约项目（个）", "Projects signed in the year"),
                 self.t(f"当年到位资金（{nb.money_unit('zh', 'yi')}）", f"Capital arrived in the year ({nb.money_unit('en', 'yi')})"),
                 self.t("年末就业岗位（个）", "Jobs at the year's end")]
        table = (f"<table><thead><tr><th class='name'>{self.t('考核年度', 'Assessment year')}</th>"
                 + "".join(f"<th>{h}</th>" for h in heads) + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        shows = []
        for o in (outs if self.compare else ()):
            final = self.fg.yearly_effect(s, o, max(y["year"]))
            floor = 0.05 * abs(final["effect"]) if final else 0.0
            first = next((yr for yr in sorted(set(y["year"])) if (r := self.fg.yearly_effect(s, o, yr))
                          and r.get("significant") and r["effect"] > floor), None)
            name = _e(registry.phrase(o, self.lang))
            shows.append(self.t(f"{name}第{first}年起增加" if first else f"{name}五年内未见确定增加",
                                f"{name}: up from year {first}" if first else f"{name}: no certain rise in five years"))
        jobs_start = next((yr for yr in sorted(set(y["year"])) if self.fg.yearly_level(self.base, "jobs", yr)
                           > 0.05 * max(self.fg.yearly_level(self.base, "jobs", max(y["year"])), 1.0)), None)
        lag = self.t(f"（现状下，招商项目的就业岗位在第{jobs_start}年才开始明显出现：项目从签约到投产需要时间）",
                     f" (in the status quo, jobs from attracted projects appear only in year {jobs_start}: projects take "
                     "time from signing to operation)") if jobs_start else ""
        when = self.t("见效时间：" + "，".join(shows) + lag + "。", "When it shows: " + "; ".join(shows) + lag + ".") \
            if shows else self.t("见效时间：" + lag.strip("（）") + "。", "When it shows: " + lag.strip(" ()") + ".")
        note = self.t("括号内为与维持现状之差；加粗表示差异确定（95%置信区间不含零）。",
                      "In brackets: the difference from the status quo; bold: certain (the 95% interval excludes zero).") \
            if self.compare else ""
        return f"<h3>{self.t('分年度看', 'Year by year')}</h3>{table}<p class='note'>{note}</p><p>{when}</p>"

    # ------------------------------------------------------------------ 3 money
    def _governments(self) -> list[str]:
        """The governments of the memo's region that the runs booked money to (the region's order)."""
        t = self.fg.table("money_by_government")
        if t.empty:
            return []
        have = list(dict.fromkeys(t[t["scenario"] == self.base].dropna(subset=["mean"])["government"]))
        order = list(self.region.governments) if self.region else []
        return [g for g in order if g in have] + [g for g in have if g not in order]

    def _gov_total(self, s: str, gov: str) -> float:
        return self.fg.paired_level("money_by_government", s, f"{gov}.total")

    def money(self) -> str:
        """三、资金安排: by item, by level (city and each county) and by source, a year and over five years; and what
        the model can say if part of the money does not come."""
        head = self.t("三、资金安排", "3. Money")
        s = self.subject
        unit = nb.money_unit(self.lang, "wan")
        # by item
        rows, tot_a, tot_b = [], 0.0, 0.0
        for lever in LEVERS:
            a, b = self.per_year(self.base, lever), self.per_year(s, lever)
            if not (finite(a) and finite(b)) or max(abs(a), abs(b)) < 0.5:
                continue
            tot_a, tot_b = tot_a + a, tot_b + b
            lead, _ = vocabulary.owners(lever, self.lang)
            mark = "*" if lever in PRICED else ""
            rows.append(f"<tr><td class='name'>{_e(self.lever_name(lever))}{mark}</td>"
                        f"<td>{self.fg.money_in(f'{self.base}/{lever}/per_year', a, 'wan')}</td>"
                        + self._more(f"<td>{self.fg.money_in(f'{s}/{lever}/per_year', b, 'wan')}</td>"
                                     f"<td>{self.fg.money_in(f'{s}/{lever}/per_year_change', b - a, 'wan', sign=True)}</td>")
                        + f"<td>{self.fg.money_in(f'{s}/{lever}/five_years', b * self.years, 'yi')}</td>"
                        f"<td class='name'>{_e(lead)}</td></tr>")
        rows.append(f"<tr class='total'><td class='name'>{self.t('合计', 'Total')}</td>"
                    f"<td>{self.fg.money_in(f'{self.base}/budget_spent/per_year@wan', tot_a, 'wan')}</td>"
                    + self._more(f"<td>{self.fg.money_in(f'{s}/budget_spent/per_year@wan', tot_b, 'wan')}</td>"
                                 f"<td>{self.fg.money_in(f'{s}/budget_spent/per_year_change', tot_b - tot_a, 'wan', sign=True)}</td>")
                    + f"<td>{self.fg.money_in(f'{s}/budget_spent/level@yi', tot_b * self.years, 'yi')}</td><td></td></tr>")
        yi = nb.money_unit(self.lang, "yi")
        items = (f"<h3>{self.t('（一）按用途', '(a) By item')}</h3><table><thead><tr><th class='name'>{self.t('用途', 'Item')}</th>"
                 f"<th>{self.t(f'现状（{unit}/年）', f'Status quo ({unit} a year)')}</th>"
                 + self._more(f"<th>{_e(self.title_of(s))}{self.t(f'（{unit}/年）', f' ({unit} a year)')}</th>"
                              f"<th>{self.t('变化', 'Change')}</th>")
                 + f"<th>{self.t(f'五年合计（{yi}）', f'Five years ({yi})')}</th>"
                 f"<th class='name'>{self.t('牵头单位', 'Lead unit')}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
                 f"<p class='note'>{self.t('*按影子价格折算的领导精力和人员时间，不是现金支出。', '*Leaders’ attention and staff time at their shadow prices, not cash.')}</p>")
        return f"<h2>{head}</h2>{items}{self.money_by_level(s)}{self.money_by_source(s)}{self.shortfall()}"

    def money_by_level(self, s: str) -> str:
        """The money of the city and of each county, a year and over five years."""
        govs = self._governments()
        if not govs:
            return ""
        unit = nb.money_unit(self.lang, "wan")
        yi = nb.money_unit(self.lang, "yi")
        rows, ta, tb = [], 0.0, 0.0
        for g in govs:
            a, b = self._gov_total(self.base, g), self._gov_total(s, g)
            ta, tb = ta + a, tb + b
            rows.append(f"<tr><td class='name'>{_e(self.government_name(g))}</td>"
                        f"<td>{self.fg.money_in(f'{self.base}/{g}/per_year', a / self.years, 'wan')}</td>"
                        + self._more(f"<td>{self.fg.money_in(f'{s}/{g}/per_year', b / self.years, 'wan')}</td>"
                                     f"<td>{self.fg.money_in(f'{s}/{g}/per_year_change', (b - a) / self.years, 'wan', sign=True)}</td>")
                        + f"<td>{self.fg.money_in(f'{s}/{g}/total@yi', b, 'yi')}</td></tr>")
        rows.append(f"<tr class='total'><td class='name'>{self.t('全市合计', 'Whole region')}</td>"
                    f"<td>{self.fg.money_in(f'{self.base}/region/per_year', ta / self.years, 'wan')}</td>"
                    + self._more(f"<td>{self.fg.money_in(f'{s}/region/per_year', tb / self.years, 'wan')}</td>"
                                 f"<td>{self.fg.money_in(f'{s}/region/per_year_change', (tb - ta) / self.years, 'wan', sign=True)}</td>")
                    + f"<td>{self.fg.money_in(f'{s}/region/total@yi', tb, 'yi')}</td></tr>")
        note = self.t("按模型的记账规则分到各级：接洽费用记在购买渠道的县区，优惠兑现记在作出承诺的政府，项目跟踪和基金损失记在项目所在县区，"
                      "领导精力按各级领导平均分摊；园区、座谈会、培训、法治和人文环境、服务中心、招商队伍和统筹机构等全市统一运行的项目记在市级。",
                      "Booked to each government by the model's ledger: contacts to the county that bought them, "
                      "incentives to the government that promised them, tracking and fund losses to the project's "
                      "county, leaders' attention equally to every leader; what the city runs for the whole region (the "
                      "park, forums, training, the legal environment and atmosphere, the centres, the promotion team, "
                      "the coordination offices) to the city.")
        return (f"<h3>{self.t('（二）按层级', '(b) By level')}</h3><table><thead><tr><th class='name'>{self.t('层级', 'Government')}</th>"
                f"<th>{self.t(f'现状（{unit}/年）', f'Status quo ({unit} a year)')}</th>"
                + self._more(f"<th>{_e(self.title_of(s))}{self.t(f'（{unit}/年）', f' ({unit} a year)')}</th>"
                             f"<th>{self.t('变化', 'Change')}</th>")
                + f"<th>{self.t(f'五年合计（{yi}）', f'Five years ({yi})')}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
                f"<p class='note'>{note}</p>")

    def _source_name(self, source: str) -> str:
        return {"base_transfer": self.t("年度招商经费（财政安排的基本经费）", "Yearly attraction budget (base transfer)"),
                "tax_returned": self.t("税收返还（招商项目上年税收按比例返还）", "Tax fed back (a share of last year's tax "
                                                                "from attracted firms)"),
                "borrowing": self.t("园区融资借款（利息由招商经费支付）", "Park borrowing (interest paid from the budget)")}[source]

    def money_by_source(self, s: str) -> str:
        """Where the money comes from: base transfer, tax fed back, borrowing; and what stays unspent."""
        t = self.fg.table("money_by_source")
        if t.empty:
            return ""
        unit = nb.money_unit(self.lang, "wan")
        yi = nb.money_unit(self.lang, "yi")
        rows = []
        for src in ("base_transfer", "tax_returned", "borrowing"):
            a, b = self.fg.paired_level("money_by_source", self.base, src), self.fg.paired_level("money_by_source", s, src)
            if not (finite(a) and finite(b)) or max(abs(a), abs(b)) < 0.5:
                continue
            rows.append(f"<tr><td class='name'>{_e(self._source_name(src))}</td>"
                        f"<td>{self.fg.money_in(f'{self.base}/source/{src}/per_year', a / self.years, 'wan')}</td>"
                        + self._more(f"<td>{self.fg.money_in(f'{s}/source/{src}/per_year', b / self.years, 'wan')}</td>")
                        + f"<td>{self.fg.money_in(f'{s}/source/{src}/total@yi', b, 'yi')}</td></tr>")
        for item, zh, en in (("budget_held", "其中：期末留存在两项基金中的资金", "Of which held in the two funds at the end"),
                             ("budget_returned", "其中：未用完、退回财政的资金", "Of which unspent and returned to the treasury")):
            a, b = self.fg.paired_level("risks", self.base, item), self.fg.paired_level("risks", s, item)
            if finite(a) and finite(b) and max(a, b) >= 0.5:
                rows.append(f"<tr><td class='name'>{self.t(zh, en)}</td>"
                            f"<td>{self.fg.money_in(f'{self.base}/{item}/per_year', a / self.years, 'wan')}</td>"
                            + self._more(f"<td>{self.fg.money_in(f'{s}/{item}/per_year', b / self.years, 'wan')}</td>")
                            + f"<td>{self.fg.money_in(f'{s}/{item}/total@yi', b, 'yi')}</td></tr>")
        return (f"<h3>{self.t('（三）按来源', '(c) By source')}</h3><table><thead><tr><th class='name'>{self.t('来源', 'Source')}</th>"
                f"<th>{self.t(f'现状（{unit}/年）', f'Status quo ({unit} a year)')}</th>"
                + self._more(f"<th>{_e(self.title_of(s))}{self.t(f'（{unit}/年）', f' ({unit} a year)')}</th>")
                + f"<th>{self.t(f'五年合计（{yi}）', f'Five years ({yi})')}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def budget_pairs(self) -> list[tuple[str, str]]:
        """Pairs of strategies that differ only in their yearly budget: (more money, less money)."""
        out = []
        for a, ca in self.contents.items():
            for b, cb in self.contents.items():
                if a == b:
                    continue
                ka = {c.key: c.after for c in ca if c.key != "budget.base_transfer"}
                kb = {c.key: c.after for c in cb if c.key != "budget.base_transfer"}
                ba = next((c.after for c in ca if c.key == "budget.base_transfer"), None)
                bb = next((c.after for c in cb if c.key == "budget.base_transfer"), None)
                base_b = next((c.before for c in ca if c.key == "budget.base_transfer"), None)
                ba = ba if ba is not None else base_b
                bb = bb if bb is not None else base_b
                if ka == kb and ba is not None and bb is not None and ba > bb:
                    out.append((a, b))
        return out

    def shortfall(self) -> str:
        """What the model can say if part of the money does not come: the jobs lost between strategies that differ
        only by their yearly budget, per the money missing."""
        pairs = self.budget_pairs()
        zh = self.zh
        lim = self.t("模型不区分上级转移支付和本级财政资金。经费不足时，模型先保机构、人员和领导精力等运行费用，再按比例压缩各项投入。",
                     "The model does not tell provincial transfers from the city's own money. When money is short, it "
                     "pays the running costs first (institutions, staff, leaders' attention) and cuts every lever in "
                     "proportion.")
        if not pairs:
            return f"<h3>{self.t('（四）资金不到位怎么办', '(d) If part of the money does not come')}</h3><p>{lim}" + \
                self.t("本次测算没有只差经费的方案对比，无法估计少到位资金的影响。", " This comparison has no strategies that "
                       "differ only by their money, so the effect of a shortfall cannot be estimated.") + "</p>"
        losses, money = [], []
        for hi, lo in pairs:
            d_jobs = self.fg.level(hi, "jobs") - self.fg.level(lo, "jobs")
            d_money = self.fg.per_year(self.fg.level(hi, "budget_spent") - self.fg.level(lo, "budget_spent"))
            if finite(d_jobs) and finite(d_money) and d_money > 0:
                losses.append(d_jobs)
                money.append(d_money)
        if not losses:
            return ""
        lo_j, hi_j = min(losses), max(losses)
        m = self.fg.money("shortfall/money_per_year", sum(money) / len(money))
        a = self.fg.fmt("shortfall/jobs_low", "jobs", lo_j, with_unit=False, sign=False)
        b = self.fg.fmt("shortfall/jobs_high", "jobs", hi_j, with_unit=False, sign=False)
        n = len(losses)
        names = ("、" if zh else ", ").join(f"{self.label(h)}{self.t('与', ' and ')}{self.label(lo)}" for h, lo in pairs[:2])
        text = self.t(f"{n}组只差经费的方案（如{names}）对比显示：每年少到位约{m}，五年后的就业岗位少约{a}至{b}个。"
                      f"若上级资金部分不到位，可按这一幅度估计影响；不宜按比例外推到更大的缺口。",
                      f"{n} pairs of strategies that differ only by their money (such as {names}) show that about {m} a "
                      f"year less leaves about {a} to {b} fewer jobs after five years. If provincial money does not all "
                      f"come, expect a loss of this order; do not stretch it to much larger gaps.")
        return f"<h3>{self.t('（四）资金不到位怎么办', '(d) If part of the money does not come')}</h3><p>{lim}{text}</p>"

    # ------------------------------------------------------------------ 4 risks
    def risks(self) -> str:
        """四、风险及应对: what the model says of each risk, and who answers it."""
        head = self.t("四、风险及应对", "4. Risks")
        s = self.subject
        remedy = {"promises_broken": "promise_vetting", "unserious_signings": "assessment", "stalled": "tracking",
                  "debt": "park_interest", "stop_go_years": "persistence", "leader_rotations": "persistence"}
        answer = {
            "promises_broken": self.t("承诺前核实优惠兑现资金，量入为出，不开空头支票", "Promise only what the incentive fund can pay"),
            "unserious_signings": self.t("考核看到位资金而非签约额，由专业队伍甄别项目", "Assess on landed capital, not signed amounts; let a professional team screen projects"),
            "stalled": self.t("重点项目跟踪服务，及时协调用地、审批和资金", "Track key projects; clear land, approvals and money in time"),
            "debt": self.t("园区按需分期建设，借款与招商进度挂钩", "Build the park in stages; tie borrowing to demand"),
            "stop_go_years": self.t("以制度固定招商策略，换届不换方向", "Make the strategy an institution that outlasts leaders"),
            "leader_rotations": self.t("以制度固定招商策略，换届不换方向", "Make the strategy an institution that outlasts leaders"),
        }
        rows = []
        for r in self.risk_rows(s):
            a = self._risk_value(r["item"], f"{self.base}/risk/{r['item']}", r["base"])
            b = self._risk_value(r["item"], f"{s}/risk/{r['item']}", r["level"])
            lead, _ = vocabulary.owners(remedy[r["item"]], self.lang)
            cls = ' class="worse"' if r["worse"] else ""
            who = f"（{_e(lead)}）" if self.zh else f" ({_e(lead)})"
            rows.append(f"<tr><td class='name'>{_e(self._risk_name(r['item']))}</td><td>{a}</td>"
                        + self._more(f"<td{cls}>{b}</td>")
                        + f"<td class='name'>{_e(answer[r['item']])}{who}</td></tr>")
        outside = self._outside_row()
        if outside:
            rows.append(outside)
        table = (f"<table><thead><tr><th class='name'>{self.t('风险', 'Risk')}</th><th>{self.t('维持现状', 'Status quo')}</th>"
                 + self._more(f"<th>{_e(self.title_of(s))}</th>")
                 + f"<th class='name'>{self.t('应对（牵头单位）', 'Answer (lead unit)')}</th></tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody></table>")
        note = self.t("加粗红字表示比现状确定地变差（95%置信区间不含零）。", "Bold red: worse than the status quo for certain (the 95% interval excludes zero).")
        return f"<h2>{head}</h2>{table}<p class='note'>{note}</p>"

    def _outside_row(self) -> str:
        """Competing regions: how far their pull moves jobs, from the sensitivity screening of the baseline (the pull
        itself, or the mechanism it belongs to in a screening by groups)."""
        rows = top_assumptions(self.sens, "jobs")
        key = "behaviour.outside_option"
        row = next((r for r in rows if r["parameter"] == key), None)
        group = None
        if row is None:  # a screening by groups: the group that holds the pull
            group = group_of(key)
            row = next((r for r in rows if r["parameter"] == group), None)
        if row is None or row.get("mu_star") is None:
            return ""
        mu = self.fg.fmt(f"hinge/jobs/{row['parameter']}", "jobs", row["mu_star"], effect=True, sign=False)
        e = self.fg.effect(self.lead, "jobs") if self.lead else None
        times = ""  # how it compares with the lead strategy's effect, when there is one
        if e and abs(e["effect"]) > 0:
            ratio = row["mu_star"] / abs(e["effect"])
            times = self.t(f"，是本方案效果的{nb.number(ratio, 0 if ratio >= 10 else 1)}倍",
                           f", {nb.number(ratio, 0 if ratio >= 10 else 1)} times this strategy's effect")
        if group is None:
            text = self.t(f"周边地区竞争加剧：「外地竞争拉力」在合理范围内变动，就业岗位平均变动约{mu}{times}",
                          f"Competing regions pull harder: their pull, moved across its plausible range, moves jobs by "
                          f"about {mu}{times}")
        else:
            g = _e(assumption_label(group, self.lang))
            text = self.t(f"周边地区竞争加剧：「外地竞争拉力」所属的「{g}」一类假设在合理范围内变动，现状的就业岗位平均变动约{mu}{times}",
                          f"Competing regions pull harder: the assumptions of {g.lower()}, to which their pull belongs, "
                          f"moved across their plausible ranges, move the status quo's jobs by about {mu}{times}")
        span = 2 if self.compare else 1
        return (f"<tr><td class='name'>{self.t('周边地区竞争', 'Competing regions')}</td><td colspan='{span}' class='name'>{text}</td>"
                f"<td class='name'>{self.t('无直接手段；按季度监测，提前调整（市投资促进局）', 'No direct lever; watch every quarter and adjust early (City investment-promotion bureau)')}</td></tr>")

    # ------------------------------------------------------------------ 5 monitoring
    def monitoring(self) -> str:
        """五、监测指标: the range each indicator should be in at the end of each quarter for the plan to be on
        track (the middle 80% of the strategy's runs)."""
        head = self.t("五、监测指标", "5. What to watch each quarter")
        t = self.fg.table("monitoring")
        s = self.subject
        if t.empty:
            return ""
        t = t[t["scenario"] == s]
        outs = [o for o in ("contacted_total", "signed_projects", "signed_capital", "arrived_capital", "jobs")
                if o in set(t["output"])]
        rows = []
        for q in QUARTERS_SHOWN:
            sel = t[t["quarter"] == q]
            if sel.empty:
                continue
            cells = []
            for o in outs:
                r = sel[sel["output"] == o]
                if r.empty:
                    cells.append("<td>–</td>")
                    continue
                lo, hi = float(r["low"].iloc[0]), float(r["high"].iloc[0])
                if nb.kind(o) == "capital":
                    a = self.fg.money_in(f"{s}/monitor/{o}/q{q}/low", lo, "yi")
                    b = self.fg.money_in(f"{s}/monitor/{o}/q{q}/high", hi, "yi")
                else:
                    a = self.fg.show(f"{s}/monitor/{o}/q{q}/low", nb.number(nb.rounded_count(lo), 0), lo)
                    b = self.fg.show(f"{s}/monitor/{o}/q{q}/high", nb.number(nb.rounded_count(hi), 0), hi)
                cells.append(f"<td>{a}–{b}</td>")
            year, quarter = (q - 1) // 4 + 1, (q - 1) % 4 + 1
            rows.append(f"<tr><td class='name'>{self.t(f'第{year}年第{quarter}季度', f'Y{year} Q{quarter}')}</td>"
                        f"{''.join(cells)}</tr>")
        yi = nb.money_unit(self.lang, "yi")
        names = {"contacted_total": self.t("累计接洽（次）", "Contacts"), "signed_projects": self.t("累计签约项目（个）", "Projects signed"),
                 "signed_capital": self.t(f"累计签约资金（{yi}）", f"Capital signed ({yi})"),
                 "arrived_capital": self.t(f"累计到位资金（{yi}）", f"Capital arrived ({yi})"),
                 "jobs": self.t("就业岗位（个）", "Jobs")}
        table = (f"<table><thead><tr><th class='name'>{self.t('季度末', 'End of')}</th>"
                 + "".join(f"<th>{names[o]}</th>" for o in outs) + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        intro = self.t(f"{'实施' + self.label(s) + '后' if self.compare else '维持现状时'}，下列指标（就业岗位为季度末在岗数，其余自实施起累计）落在区间内即为正常；低于下限说明进度落后，连续两个季度低于下限应查找原因。",
                       f"{'Under ' + self.label(s) if self.compare else 'Keeping the present course'}, each indicator (jobs as they stand at the quarter's end, the others counted from the start) inside its range means on track; "
                       "below it means behind, and two quarters in a row below it call for a review.")
        note = self.t("区间为模拟中居中80%情形的范围（第10至第90百分位）。", "Ranges: the middle 80% of the simulated outcomes (10th to 90th percentile).")
        return f"<h2>{head}</h2><p>{intro}</p>{table}<p class='note'>{note}</p>"

    # ------------------------------------------------------------------ 6 explanations
    def explained(self) -> str:
        """六、几个需要说明的结果: every counter-intuitive result in one sentence with its mechanism."""
        items = explanations(self.fg, self.contents, self.label)
        if not items:
            return ""
        head = self.t("六、几个需要说明的结果", "6. Results that need explaining")
        return f"<h2>{head}</h2><ul class='explain'>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"

    # ------------------------------------------------------------------ 7 comparison
    def comparison(self) -> str:
        """七、各方案比较: every strategy's money (with what it left unspent and borrowed), headline results with the
        counts beside each rate, and cost per job, from one set of numbers; for a sweep, every design point; for an
        experiment of several regions, each region's spending by government."""
        head = self.t("七、各方案比较", "7. The strategies compared")
        outs = list(self.an.get("headline_outputs", []))
        yi = nb.money_unit(self.lang, "yi")
        why = {"spending_not_higher": self.t("支出未确定增加", "spending not clearly higher"),
               "jobs_not_higher": self.t("岗位未确定增加", "jobs not clearly higher")}
        rows = []
        for s in self.fg.scenarios():
            base = self.fg.is_baseline(s)
            spent = self.fg.money_in(f"{s}/budget_spent/level@yi", self.fg.level(s, "budget_spent"), "yi")
            cells = [f"<td>{spent}{self._money_notes(s)}</td>"]
            for o in outs:
                lvl = self._level(s, o)
                e = None if base else self.fg.effect(s, o)
                if not e:
                    cells.append(f"<td>{lvl}</td>")
                    continue
                d = self.fg.change(f"{s}/{o}/effect", nb.fmt(o, e["effect"], self.lang, effect=True, with_unit=False),
                                   e["effect"])
                counts = counts_words(e, self.lang, short=True)
                counts = f"<br><small>{_e(counts)}</small>" if counts else ""
                r = self.robust_record(s, o)
                rob = f"<br><small class='uncertain'>{_e(self.f.ends_text(r))}</small>" if r else ""
                cls = "sig" if e.get("significant") else ""
                cells.append(f"<td class='{cls}'>{lvl}（{d}）{counts}{rob}</td>" if self.zh else
                             f"<td class='{cls}'>{lvl} ({d}){counts}{rob}</td>")
            cpj = self.fg.cost_per_job(s)
            cells.append(f"<td>{self.fg.fmt(f'{s}/cost_per_job', 'cost_per_job', cpj, with_unit=False)}</td>")
            extra = self.fg.extra_cost_per_job(s)
            if extra is not None:
                cells.append(f"<td>{self.fg.fmt(f'{s}/extra_cost_per_job', 'incremental_cost_per_job', extra, with_unit=False)}</td>")
            else:
                note = why.get(self.fg.why_no_extra_cost(s) or "", "")
                cells.append(f"<td>{f'<small>{_e(note)}</small>' if note else '–'}</td>")
            rows.append(f"<tr><td class='name'>{_e(self.title_of(s))}</td>{''.join(cells)}</tr>")
        money_unit = self.t("万元", "yuan")
        heads = [self.t(f"五年投入（{yi}）", f"Spent in five years ({yi})"),
                 *(_e(registry.label(o, self.lang)) for o in outs),
                 self.t(f"每个岗位成本（{money_unit}）", f"Cost per job ({money_unit})"),
                 self.t(f"每个新增岗位成本（{money_unit}）", f"Cost per extra job ({money_unit})")]
        table = (f"<table class='compare'><thead><tr><th class='name'>{self.t('方案', 'Strategy')}</th>"
                 + "".join(f"<th>{h}</th>" for h in heads) + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        draws = (self._posterior_design() or {}).get("draws")
        note = self.t(f"金额单位为{yi}。括号内为与现状之差，加粗表示差异确定；比率下方为其分子和分母的变化（个）。"
                      "“预算相同”：预算与借款合计与现状相差不到1%；没有花出的钱（留在基金中或退回财政）不是节约；园区借款由以后年度的预算还本付息。"
                      "每个新增岗位成本 = 比现状多支出 ÷ 比现状多创造的岗位，只在支出和岗位都确定增加时给出，否则注明原因。",
                      f"Sums in {yi}. In brackets: the difference from the status quo, bold when certain; under a rate, "
                      "the changes of "
                      "its numerator and denominator. 'Same budget': budget and borrowing within 1% of the status quo's; "
                      "money not spent (held in the funds or returned) is not a saving; park borrowing is repaid with "
                      "interest from later budgets. Cost per extra job = extra spending / extra jobs, given only when both "
                      "rise for certain; otherwise the cell says why.")
        if draws:
            note += self.t(f"每次重复取校准后验的一组参数（共{draws}组，同一重复的各方案相同），区间已含参数的不确定性；"
                           "效果在缺地与地多两端明显不同时，其下注明两端。",
                           f" Each replication runs at a parameter set drawn from the calibration's posterior ({draws} "
                           "sets, the same for every strategy of a replication), so the intervals carry parameter "
                           "uncertainty; an effect that differs clearly between land-scarce and land-rich draws shows "
                           "both under it.")
        defs = self.definitions()
        return (f"<h2>{head}</h2>{table}<p class='note'>{note}{defs}</p>{self.sweep()}{self.government_tables()}")

    def _money_notes(self, s: str) -> str:
        """Under a strategy's spending: 'same budget', the money it left unspent (held, returned) when it has the
        baseline's money and spends less, and what it borrowed for the park and still owes ('' when none)."""
        c = self.fg.cost_record(s)
        if not c:
            return ""
        lines = []
        d = self.fg.effect(s, "budget_spent")
        if not self.fg.is_baseline(s) and c.get("same_budget"):
            held = self.fg.paired_level("risks", s, "budget_held")
            if d and finite(d.get("effect")) and d["effect"] < 0 and finite(held):
                v = self.fg.money_in(f"{s}/budget_held/total@yi", held, "yi")
                lines.append(self.t(f"预算相同，基金中尚余{v}", f"same budget; {v} left in the funds"))
            else:
                lines.append(self.t("预算相同", "same budget"))
        lent, owed = self.borrowed(s)
        if finite(lent) and lent > 0.5:
            a = self.fg.money_in(f"{s}/source/borrowing/total@yi", lent, "yi")
            b = self.fg.money_in(f"{s}/debt/level@yi", owed, "yi")
            lines.append(self.t(f"园区借款{a}，期末尚欠{b}", f"borrowed {a}, owes {b}"))
        return "".join(f"<br><small>{x}</small>" for x in lines)

    def borrowed(self, s: str) -> tuple[float, float]:
        """What a strategy borrowed for the park over the horizon and still owes at its end (万元; NaN unknown), by
        the one set of numbers (the baseline's mean plus the paired change)."""
        return (self.fg.paired_level("money_by_source", s, "borrowing"), self.fg.paired_level("risks", s, "debt"))

    def sweep(self) -> str:
        """For a sweep (several design points kept apart): what it did with its points, what it found (sentences
        that never mix points), and every strategy's effects at every point, each row named by its point's values
        ('' for one point)."""
        f = self.f
        if not f.sweep:
            return ""
        outs = list(self.an.get("headline_outputs", []))
        head = "".join(f"<th>{_e(registry.label(o, self.lang))}<br><small>({_e(nb.short_unit(o, self.lang, effect=True))})"
                       f"</small></th>" for o in outs)
        rows = []
        for s, point in f.rows(include_baseline=False):
            cells = []
            for o in outs:
                e = f.effect(s, o, point)
                if not e or not finite(e.get("effect")):
                    cells.append("<td>–</td>")
                    continue
                v = nb.fmt(o, e["effect"], self.lang, effect=True, with_unit=False)
                lo = nb.fmt(o, e["ci_low"], self.lang, effect=True, with_unit=False, ref=e["effect"])
                hi = nb.fmt(o, e["ci_high"], self.lang, effect=True, with_unit=False, ref=e["effect"])
                counts = counts_words(e, self.lang, short=True)
                counts = f"<br><small>{_e(counts)}</small>" if counts else ""
                cls = ' class="sig"' if e.get("significant") else ""
                cells.append(f"<td{cls}>{v} <small>[{lo}, {hi}]</small>{counts}</td>")
            rows.append(f'<tr><td class="name">{_e(f.row_label(s, point))}</td>{"".join(cells)}</tr>')
        table = (f"<table class='compare'><thead><tr><th class='name'>{self.t('方案 · 设计点', 'Strategy · design point')}</th>"
                 f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        found = "".join(f"<li>{_e(x)}</li>" for x in f.sweep_sentences())
        title = self.t("各设计点的结果", "Every design point")
        at = self.t(f"以上各节按最接近现行设置的设计点「{f.point_name(self.fg.point)}」测算。",
                    f"The sections above describe the design point nearest today's settings, "
                    f"'{f.point_name(self.fg.point)}'.")
        note = self.t("每格为与现状之差，方括号内为95%置信区间；加粗表示差异确定。",
                      "Each cell: the difference from the status quo, its 95% interval in brackets; bold: certain.")
        return (f"<h3>{title}</h3><p>{_e(f.design_note())} {_e(at)}</p><ul>{found}</ul>{table}"
                f"<p class='note'>{note}</p>")

    def government_tables(self) -> str:
        """In an experiment of several regions: each region's spending a year by government (its district and
        counties and the city, by the names of its files), its baseline's beside the range of its other strategies
        ('' for one region)."""
        rows = [r for r in self.an.get("spending_by_government") or [] if r["point_id"] == self.fg.point]
        regions = list(dict.fromkeys(r["region"] for r in rows))
        if len(regions) < 2:
            return ""
        parts = []
        for region in regions:
            mine = [r for r in rows if r["region"] == region]
            base = next((s for s in self.fg.scenarios() if self.fg.is_baseline(s) and any(r["scenario"] == s for r in mine)),
                        mine[0]["scenario"])
            reg = _region(region)
            name = reg.name(self.lang) if reg else region
            body = []
            for g in dict.fromkeys(r["government"] for r in mine):
                b = next((r for r in mine if r["government"] == g and r["scenario"] == base), None)
                others = [r["spent_per_year"] for r in mine if r["government"] == g and r["scenario"] != base]
                lo, hi = (nb.number(min(others), 0), nb.number(max(others), 0)) if others else ("–", "–")
                span = lo if lo == hi else f"{lo}–{hi}"
                gname = reg.government_name(g, self.lang) if reg and g in reg.governments else g
                body.append(f'<tr><td class="name">{_e(gname)}</td>'
                            f'<td>{nb.number(b["spent_per_year"], 0) if b else "–"}</td>'
                            f'<td>{nb.fmt("share", b["share"], self.lang) if b else "–"}</td><td>{span}</td></tr>')
            unit = nb.money_unit(self.lang, "wan")
            parts.append(f"<h3>{_e(self.t(f'{name}：各县区与市本级的支出', f'{name}: spending by government'))}</h3>"
                         f"<table><thead><tr><th class='name'>{self.t('政府', 'Government')}</th>"
                         f"<th>{_e(self.title_of(base))}{self.t(f'（{unit}/年）', f' ({unit} a year)')}</th>"
                         f"<th>{self.t('占比', 'Share')}</th>"
                         f"<th>{self.t(f'其他方案（{unit}/年）', f'Other strategies ({unit} a year)')}</th></tr></thead>"
                         f"<tbody>{''.join(body)}</tbody></table>")
        note = self.t("每个政府每年的支出，来自各次模拟的账目；“其他方案”为本地区其余方案中最少与最多者。",
                      "Each government's spending a year from the runs' ledgers; 'other strategies': the least and the "
                      "most among the region's other strategies.")
        return "".join(parts) + f"<p class='note'>{note}</p>"

    def definitions(self) -> str:
        """What each headline output counts, one clause each."""
        defs = self.an.get("definitions", {})
        sep = "；" if self.zh else "; "
        text = sep.join(_e(d[self.lang]) for o in self.an.get("headline_outputs", []) if (d := defs.get(o)))
        return (" " + text + ("。" if self.zh else ".")) if text else ""

    # ------------------------------------------------------------------ 8 how sure
    def how_sure(self) -> str:
        """八、把握有多大: the effect across plausible parameters and across the futures of the search, what the
        results hinge on, and when a strategy fails."""
        head = self.t("八、把握有多大", "8. How sure we are")
        paras = []
        s = self.lead
        d = self._posterior_design()
        if s and d:
            n = self.fg.number("draws/count", d["draws"], 0)
            ends = [f"{_e(registry.phrase(o, self.lang))}{self.t('：', ': ')}{_e(self.f.ends_text(r))}"
                    for o in self.an.get("headline_outputs", []) if (r := self.robust_record(s, o))]
            paras.append(self.t(f"参数不确定：模型中有些参数是按统计数据校准的，本身有误差。每次重复都取校准后验的一组参数（共{n}组），"
                                "上文每个效果及其区间都已包含这一不确定性"
                                + ("；其中" + self.label(s) + "的" + "，".join(ends) + "。" if ends
                                   else "；缺地与地多两端的效果没有明显不同。"),
                                f"Uncertain parameters: some of the model's parameters are calibrated on statistics and "
                                f"carry error. Every replication runs at a parameter set drawn from the calibration's "
                                f"posterior ({n} sets), so every effect and range above carries that uncertainty"
                                + (f"; for {self.label(s)}, " + "; ".join(ends) + "." if ends
                                   else "; no effect differs clearly between land-scarce and land-rich draws.")))
        fut = self._futures_text()
        if fut:
            paras.append(self.t(f"外部环境：{fut}。", f"Outside conditions: {fut}."))
        paras += self.hinges(s)
        if self.policy_dir is not None and s == RECOMMENDED:
            check = plan_check_sentence(self.policy_dir, self.lang)
            if check:
                paras.append(self.t("削减是否站得住：", "Does the cut hold: ") + _e(check))
        if self.discoveries:
            from sim.report.policy import failure_sentences

            found = failure_sentences(self.discoveries, {}, self.lang)
            paras.append(self.t("何时失效：", "When it fails: ") + " ".join(_e(x) for x in found))
        paras.append(self.t("统计精度：各方案与现状的比较按需增加模拟次数，直到区间足够窄（详见附录）。",
                            "Precision: each comparison with the status quo was simulated as often as needed for narrow "
                            "intervals (see the appendix)."))
        return f"<h2>{head}</h2>" + "".join(f"<p>{p}</p>" for p in paras)

    def hinges(self, lead: str | None) -> list[str]:
        """What the results hinge on (HTML paragraphs), the one place the memo says it: with a screening of every
        assumption on every strategy's effect, how it was made and, strategy by strategy (the lead first), what each
        headline effect hinges on and where it would change sign; with a screening of the baseline's levels, the
        assumption that moves each headline output most beside the lead's effect."""
        h = Hinges(self.sens, self.lang) if self.sens else None
        if h is not None and h.available:
            order = sorted(h.strategies(), key=lambda x: x != lead)
            items = []
            for x in order:
                parts = [p for o in h.outputs() if (p := h.sentence(x, o, name_strategy=False))]
                if parts:
                    items.append(f"<li><b>{_e(h.label(x))}</b>{self.t('：', ': ')}{_e(('' if self.zh else ' ').join(parts))}</li>")
            head = self.t("结果最依赖的假设：", "What the results hinge on: ")
            return [head + _e(h.intro()) + (f"<ul class='assumptions'>{''.join(items)}</ul>" if items else "")]
        sentences = sensitivity_sentences(self.sens, self.fg, lead, self.lang, self.label(lead) if lead else "")
        return [self.t("结果最依赖的假设：", "What the results hinge on: ") + " ".join(sentences)] if sentences else []

    # ------------------------------------------------------------------ 9 statistics
    def statistics(self) -> str:
        """九、模型与统计数据对照: the status quo's yearly figures (its last year, when its pipeline runs) beside the
        yearly figures the region reports (its ``figures.toml``, ``[[reported]]``), with the over-reporting caveat."""
        head = self.t("九、模型与统计数据对照", "9. The model against the region's statistics")
        y = self.fg.table("yearly")
        reported = self.region.reported if self.region else ()
        if y.empty or not reported:
            return ""
        last = int(max(y["year"]))
        yi = nb.money_unit(self.lang, "yi")
        names = {"signed_projects": self.t("签约项目（个/年）", "Projects signed a year"),
                 "signed_capital": self.t(f"签约资金（{yi}/年）", f"Capital signed a year ({yi})"),
                 "arrived_capital": self.t(f"到位资金（{yi}/年）", f"Capital arrived a year ({yi})"),
                 "jobs_added": self.t("新增就业岗位（个/年）", "New jobs a year")}
        rows = []
        for rep in reported:
            o = "jobs" if rep.output == "jobs_added" else rep.output
            if rep.output == "jobs_added":
                v = self.fg.yearly_level(self.base, "jobs", last) - self.fg.yearly_level(self.base, "jobs", last - 1)
                key = f"{self.base}/jobs/year{last}/added"
            else:
                v = self.fg.yearly_level(self.base, o, last)
                key = f"{self.base}/{o}/year{last}/level"
            if not finite(v):
                continue
            if nb.kind(o) == "capital":
                model = self.fg.money_in(key + "@yi", v, "yi")
                stat = self.fg.money_in(f"reported/{rep.key}", rep.value, "yi")
            else:
                model = self.fg.fmt(key, o, v, with_unit=False)
                stat = self.fg.fmt(f"reported/{rep.key}", o, rep.value, with_unit=False)
            share = self.fg.number(f"reported/{rep.key}/ratio", 100 * v / rep.value, 0) if rep.value else "–"
            source = rep.source.removeprefix("docs/SOURCES.md#")
            rows.append(f"<tr><td class='name'>{names[rep.output]}</td><td>{model}</td><td>{stat}</td><td>{share}%</td>"
                        f"<td class='name'>{_e(rep.basis(self.lang))}{self.t('；来源：', '; source: ')}{_e(source)}</td></tr>")
        if not rows:
            return ""
        region = _e(self.cfg.text("region", self.lang))
        table = (f"<table><thead><tr><th class='name'>{self.t('指标', 'Figure')}</th>"
                 f"<th>{self.t(f'模型（现状第{last}年）', f'Model (status quo, year {last})')}</th>"
                 f"<th>{self.t(f'{region}统计（折合全年）', f'{region} reported (a year)')}</th>"
                 f"<th>{self.t('模型 ÷ 统计', 'Model / reported')}</th><th class='name'>{self.t('口径与来源', 'Basis and source')}</th>"
                 f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        caveat = self.t("统计数据只宜作为上限参照：2016年《人民日报》调查发现，同一项目重复签约多达五次、意向书按合同统计、金额虚报"
                        "（docs/SOURCES.md#over-reporting-2016）；年度到位资金还包括往年签约的项目，新增就业包括招商以外的全部岗位。"
                        "模型低于统计数据，多半是这些口径造成的，不宜据此把模型调高。",
                        "Reported figures are upper bounds: a 2016 People's Daily investigation found the same project "
                        "signed up to five times, letters of intent counted as contracts and amounts inflated "
                        "(docs/SOURCES.md#over-reporting-2016); yearly arrivals also include projects signed in earlier "
                        "years, and new jobs count every job, not only those of attracted projects. The model lying "
                        "below the reported figures is mostly these differences, not a reason to raise it.")
        return f"<h2>{head}</h2>{table}<p class='note'>{caveat}</p>"

    # ------------------------------------------------------------------ 10 limitations
    def limitations(self) -> str:
        """十、局限: what the model does not tell, in plain words."""
        head = self.t("十、局限", "10. Limitations")
        items = [
            self.t("模型是对招商过程的简化：客商、部门、银行和各级政府按设定的规则行动，数字表示方向和量级，不是精确预测。",
                   "The model simplifies attraction: investors, departments, banks and governments act by stated rules; "
                   "its numbers give direction and size, not a forecast."),
            self.t("就业岗位只计招商项目投产后的岗位，不是全社会新增就业；模拟从没有在途项目的状态开始，前两年的就业偏少。",
                   "Jobs count only those in attracted projects that operate, not all new jobs; the runs start with no "
                   "projects under way, so the first two years show few jobs."),
            self.t("模型不区分上级转移支付和本级资金，也不计招商以外的财政收支。", "The model does not tell provincial "
                   "transfers from the city's own money, nor count public money beyond attraction."),
            self.t("各县区的金额按模型的记账规则分摊（渠道经费均分、考核压力、客商和闲置土地所在地），不是各县区的实际预算。",
                   "Each county's money follows the model's ledger (channel money split equally, courting pressure, where "
                   "prospects and idle land are), not the counties' actual budgets."),
            self.t("统计数据存在高报，校准时把报表的履约率当作上限使用。", "Reported figures are inflated; the calibration "
                   "treats reported fulfilment as an upper bound."),
        ]
        if self.opt:
            items.append(self.t(f"优化搜索的规模有限（{self.opt['candidates']}个候选方案、{self.opt['futures']}种外部环境、每种{self.opt['replications']}次模拟，"
                                "在三分之一规模的市场上进行），找到的是较好而不一定是最好的分配；决策前可用完整设置（experiments/optimise/allocation.toml）复核。",
                                f"The search was small ({self.opt['candidates']} candidates, {self.opt['futures']} futures, "
                                f"{self.opt['replications']} runs each, on a third-size market): it finds a good allocation, "
                                "not necessarily the best; check it with the full setting "
                                "(experiments/optimise/allocation.toml) before deciding."))
        return f"<h2>{head}</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>"

    # ------------------------------------------------------------------ annexes
    def annex_strategies(self) -> str:
        """附件一: what each strategy contains, its money a year and who carries it out."""
        head = self.t("附件一　各方案包含的措施", "Annex 1. What each strategy contains")
        unit = nb.money_unit(self.lang, "wan")
        rows = []
        for s in self.fg.scenarios():
            if s == self.base or (s not in self.contents and s not in self.unread):
                continue
            per_year = self.fg.money_in(f"{s}/budget_spent/per_year@wan", self.fg.per_year(self.fg.level(s, "budget_spent")), "wan")
            if s in self.unread:  # its money is known from the runs, its settings are not: say so
                why = self.t(f"无法读取该方案的设置（{self.unread[s]}），此处不列出；其投入和效果来自已完成的模拟。",
                             f"Its settings could not be read ({self.unread[s]}) and are not listed here; its money "
                             "and effects come from the finished runs.")
                rows.append(f"<tr><td class='name'>{_e(self.title_of(s))}</td><td class='name wide'>{_e(why)}</td>"
                            f"<td>{per_year}</td><td class='name'></td></tr>")
                continue
            groups = by_lever(self.contents[s])
            lines, owners = [], []
            for lever, cs in groups.items():
                name = self.lever_name(lever) if lever else self.t("其他设置", "Other settings")
                if lever == "":
                    words = [_e(c.words(self.lang)) for c in cs]
                elif len(cs) == 1 and not cs[0].key.startswith("budget.shares."):
                    lines.append(_e(cs[0].words(self.lang)))
                    owners.append(vocabulary.owners(lever, self.lang)[0])
                    continue
                else:
                    shown = [c for c in cs if not c.key.startswith("budget.shares.")]
                    share = next((c for c in cs if c.key.startswith("budget.shares.")), None)
                    words = [_e(c.words(self.lang)) for c in shown[:3]]
                    if len(shown) > 3:
                        words.append(self.t(f"等{len(shown)}项", f"and {len(shown) - 3} more"))
                    if share is not None:
                        words.insert(0, self.t("预算份额", "budget share") + " " + _e(value_text(share.key, share.before, self.lang))
                                     + ("→" if self.zh else " -> ") + _e(value_text(share.key, share.after, self.lang)))
                    lead, _ = vocabulary.owners(lever, self.lang)
                    owners.append(lead)
                lines.append(f"<b>{_e(name)}</b>{'：' if self.zh else ': '}" + ("；" if self.zh else "; ").join(words))
            rows.append(f"<tr><td class='name'>{_e(self.title_of(s))}</td><td class='name wide'>{'<br>'.join(lines)}</td>"
                        f"<td>{per_year}</td><td class='name'>{_e(('、' if self.zh else ', ').join(dict.fromkeys(owners)))}</td></tr>")
        base_y = self.fg.money_in(f"{self.base}/budget_spent/per_year@wan", self.fg.per_year(self.fg.base("budget_spent")), "wan")
        intro = self.t(f"各方案与现状不同的设置（现状每年投入约{base_y}万元，含按影子价格折算的人员和领导精力）：",
                       f"The settings in which each strategy differs from the status quo (which spends about {base_y} "
                       "million yuan a year, staff time and attention at shadow prices included):")
        return (f"<div class='annex'><h2>{head}</h2><p>{intro}</p><table class='contents'><thead><tr>"
                f"<th class='name'>{self.t('方案', 'Strategy')}</th><th class='name'>{self.t('措施（现状→方案）', 'Measures (status quo -> strategy)')}</th>"
                f"<th>{self.t(f'每年投入（{unit}）', f'A year ({unit})')}</th><th class='name'>{self.t('牵头单位', 'Lead units')}</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>")

    def annex_governments(self) -> str:
        """附件二: one page per government (each county and the city): its money, expected results and risks."""
        s = self.subject
        govs = self._governments()
        if not govs:
            return ""
        pages = []
        n = len(govs)
        for k, g in enumerate(govs, 1):
            pages.append(self.government_page(s, g, k, n))
        return "".join(pages)

    def government_page(self, s: str, g: str, k: int, n: int) -> str:
        """One government's page: money by lever, results and risks, against the status quo."""
        name = _e(self.government_name(g))
        head = self.t(f"附件二之{k}　{name}", f"Annex 2.{k} {name}")
        unit = nb.money_unit(self.lang, "wan")
        rows = []
        for lever in LEVERS:
            if self.fg.paired("money_by_government", self.base, f"{g}.{lever}") is None:
                continue
            a = self.fg.paired_level("money_by_government", self.base, f"{g}.{lever}")
            b = self.fg.paired_level("money_by_government", s, f"{g}.{lever}")
            if max(abs(a), abs(b)) < 0.5:
                continue
            rows.append(f"<tr><td class='name'>{_e(self.lever_name(lever))}</td>"
                        f"<td>{self.fg.money_in(f'{self.base}/{g}/{lever}/per_year', a / self.years, 'wan')}</td>"
                        + self._more(f"<td>{self.fg.money_in(f'{s}/{g}/{lever}/per_year', b / self.years, 'wan')}</td>"
                                     f"<td>{self.fg.money_in(f'{s}/{g}/{lever}/per_year_change', (b - a) / self.years, 'wan', sign=True)}</td>")
                        + "</tr>")
        a, b = self._gov_total(self.base, g), self._gov_total(s, g)
        rows.append(f"<tr class='total'><td class='name'>{self.t('合计', 'Total')}</td>"
                    f"<td>{self.fg.money_in(f'{self.base}/{g}/per_year', a / self.years, 'wan')}</td>"
                    + self._more(f"<td>{self.fg.money_in(f'{s}/{g}/per_year', b / self.years, 'wan')}</td>"
                                 f"<td>{self.fg.money_in(f'{s}/{g}/per_year_change', (b - a) / self.years, 'wan', sign=True)}</td>")
                    + "</tr>")
        five = self.fg.money(f"{s}/{g}/total", b)
        money = (f"<h3>{self.t('资金', 'Money')}</h3><p>{self.t(f'五年合计约{five}。', f'About {five} over five years.')}</p>"
                 f"<table><thead><tr><th class='name'>{self.t('用途', 'Item')}</th><th>{self.t(f'现状（{unit}/年）', f'Status quo ({unit} a year)')}</th>"
                 + self._more(f"<th>{_e(self.title_of(s))}{self.t(f'（{unit}/年）', f' ({unit} a year)')}</th><th>{self.t('变化', 'Change')}</th>")
                 + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        res = []
        for o in ("signed_projects", "arrived_capital", "jobs"):
            base_row = self.fg.paired("government_results", self.base, f"{g}.{o}")
            r = self.fg.paired("government_results", s, f"{g}.{o}")
            if base_row is None or r is None:
                continue
            lvl_a, lvl_b = float(base_row["mean"]), float(base_row["mean"]) + float(r["effect"])
            if nb.kind(o) == "capital":
                va, vb = self.fg.money(f"{self.base}/{g}/{o}", lvl_a), self.fg.money(f"{s}/{g}/{o}", lvl_b)
                ci = self.fg.ci(f"{s}/{g}/{o}/ci", o, r["effect_ci_low"], r["effect_ci_high"], ref=r["effect"])
            else:
                va = self.fg.fmt(f"{self.base}/{g}/{o}", o, lvl_a, with_unit=False)
                vb = self.fg.fmt(f"{s}/{g}/{o}", o, lvl_b, with_unit=False)
                ci = self.fg.ci(f"{s}/{g}/{o}/ci", o, r["effect_ci_low"], r["effect_ci_high"], ref=r["effect"])
            cls = ' class="sig"' if r.get("significant") else ""
            res.append(f"<tr><td class='name'>{_e(registry.label(o, self.lang))}</td><td>{va}</td>"
                       + self._more(f"<td{cls}>{vb}</td><td>{ci}</td>") + "</tr>")
        results = ""
        if res:
            results = (f"<h3>{self.t('预期效果（五年累计，就业为第五年末）', 'Expected results (five years; jobs at the end)')}</h3>"
                       f"<table><thead><tr><th class='name'>{self.t('指标', 'Indicator')}</th><th>{self.t('维持现状', 'Status quo')}</th>"
                       + self._more(f"<th>{_e(self.title_of(s))}</th><th>{self.t('变化的95%置信区间', '95% CI of the change')}</th>")
                       + f"</tr></thead><tbody>{''.join(res)}</tbody></table>")
        risks = self.government_risks(s, g)
        lm = self._leader_months(s)
        leader = f"<p>{lm}</p>" if lm else ""
        return f"<div class='annex'><h2>{head}</h2>{money}{results}{risks}{leader}</div>"

    def government_risks(self, s: str, g: str) -> str:
        """A government's risks: its broken promises, and a cut of its own money."""
        items = []
        b = self.fg.paired("government_results", self.base, f"{g}.promises_broken")
        r = self.fg.paired("government_results", s, f"{g}.promises_broken")
        if b is not None and r is not None:
            va = self.fg.fmt(f"{self.base}/{g}/promises_broken", "promises_broken", b["mean"], with_unit=False)
            vb = self.fg.fmt(f"{s}/{g}/promises_broken", "promises_broken", b["mean"] + r["effect"], with_unit=False)
            items.append(self.t(f"本地作出而未兑现的优惠承诺：现状约{va}项，方案约{vb}项。",
                                f"Promises made here and broken: about {va} now, about {vb} under the strategy."))
        a, c = self._gov_total(self.base, g), self._gov_total(s, g)
        if finite(a) and finite(c) and c < 0.8 * a:
            items.append(self.t("本级经费明显减少，需防止已作出的承诺因缺钱而不能兑现。",
                                "Its own money falls markedly: promises already made must still be paid."))
        if not items:
            items.append(self.t("模型未显示本地风险明显高于现状。", "The model shows no risk here markedly above the status quo."))
        return f"<h3>{self.t('风险', 'Risks')}</h3><ul>" + "".join(f"<li>{x}</li>" for x in items) + "</ul>"

    def _leader_months(self, s: str) -> str:
        item = next((i for i in self.measures(s) if i["lever"] == "leadership_attention"), None)
        if not item:
            return ""
        c = next((c for c in item["changes"] if c.key == "policy.leadership_attention"), None)
        if c is None:
            return ""
        a = self.fg.number(f"{self.base}/leader_months", 12 * c.before, 1)
        b = self.fg.number(f"{s}/leader_months", 12 * c.after, 1)
        return self.t(f"主要领导用于招商的时间：由每年约{a}个月增至约{b}个月。",
                      f"The leader's time for attraction: from about {a} to about {b} months a year.")

    def annex_charts(self, charts: dict[str, str]) -> str:
        """附件三: the charts, with captions generated from the data."""
        if not charts:
            return ""
        head = self.t("附件三　图表", "Annex 3. Charts")
        names = {"comparison": self.t("各方案与现状之差", "Each strategy against the status quo"),
                 "response": self.t("效果随设计点的变化", "The effects across the design points"),
                 "funnel": self.t("从接洽到投产", "From contact to operation"),
                 "capital": self.t("签约和到位资金", "Capital signed and arrived"),
                 "withdrawals": self.t("签约后撤出的原因", "Why projects left after signing"),
                 "costs": self.t("支出与就业", "Spending and jobs"),
                 "sensitivity": self.t("关键假设的影响", "What the key assumptions move"),
                 "levers": self.t("各项投入买到了什么", "Which lever bought what")}
        figs = "".join(f'<h3>{names.get(k, _e(k))}</h3><figure><img src="{_e(p)}" alt="{_e(k)}"></figure>'
                       for k, p in charts.items())
        return f"<div class='annex charts'><h2>{head}</h2>{figs}</div>"

    def appendix(self) -> str:
        """附录: the method, replications, adequacy, the search, the draws and the screening, and the hashes that
        tie the memo to its runs."""
        head = self.t("附录　技术说明", "Appendix. Technical notes")
        p = self.an.get("provenance", {})
        rules = self.an.get("rules", {})
        items = [self.t("共同随机数：同一重复编号的各方案使用相同随机种子，与现状之差按重复配对计算。",
                        "Common random numbers: replication r of every strategy uses the same seed; differences from "
                        "the status quo are paired by replication."),
                 _e(rules.get("interval", {}).get(self.lang, "")), _e(rules.get("adequacy", {}).get(self.lang, "")),
                 self.t("同一套数字：现状的各项指标取其全部模拟的平均；各方案的水平 = 现状水平 + 配对差值，因此全文各处的现状数字一致，水平与差值相加吻合。",
                        "One set of numbers: the status quo's figures are the mean of all its runs; a strategy's level is "
                        "that plus its paired difference, so every section states the same status quo and levels and "
                        "differences add up.")]
        adequacy = self.f.adequacy_sentence()
        if adequacy:
            items.append(_e(adequacy))
        rep = self.an.get("replications") or {}
        comps = rep.get("comparisons") or []
        if comps:
            names = {s["name"]: s for s in self.an.get("scenarios", [])}
            comps = [c for c in comps if int(c.get("point_id", 0)) == self.fg.point]
            cells = "".join(f"<tr><td class='name'>{_e(self.title_of(c['scenario']))}</td><td>{c.get('replications')}</td>"
                            f"<td>{_e(self.t('足够精确' if c.get('stopped') == 'adequate' else '达到上限', 'precise enough' if c.get('stopped') == 'adequate' else 'cap'))}</td></tr>"
                            for c in comps if c.get("scenario") in names)
            items.append(self.t("各方案的模拟次数：", "Replications per comparison:") +
                         f"<table class='small'><tbody>{cells}</tbody></table>")
        for j in self.an.get("joined", []):
            items.append(self.t(f"推荐方案按主对比的设置重新模拟（{j['runs']}次，与现状的各次模拟一一配对）：{_e(j['results_dir'])}。",
                                f"The recommended allocation re-run in the main comparison's setting ({j['runs']} runs, each "
                                f"paired with a run of the status quo): {_e(j['results_dir'])}."))
        if self.opt:
            items.append(self.t(f"优化搜索：{_e(self.opt['describe'])}；实际{self.opt['runs']}次模拟；以{_e(registry.phrase(self.objective, 'zh'))}"
                                f"在各外部环境中较差的{self.opt['quantile']:.0%}分位为目标；文件 {_e(self.opt['file'])}。",
                                f"The search: {_e(self.opt['describe'])}; {self.opt['runs']} runs; objective: the "
                                f"{self.opt['quantile']:.0%} quantile of {_e(registry.phrase(self.objective, 'en'))} over the "
                                f"futures; file {_e(self.opt['file'])}."))
        rob = self._posterior_design()
        if rob:
            items.append(_e(rob["rule"][self.lang]) + self.t(f"（校准后验的{rob['draws']}组参数，{rob['replications']}次重复）。",
                                                             f" ({rob['draws']} parameter sets of the calibration's "
                                                             f"posterior over {rob['replications']} replications)."))
        if self.sens:
            d = self.sens["sensitivity"].get("design") or {}
            items.append(self.t(f"敏感性筛选：{_e(d.get('kind', ''))}设计，{d.get('runs', 0)}次模拟。",
                                f"Sensitivity screening: a {_e(d.get('kind', ''))} design of {d.get('runs', 0)} runs."))
        code = str(p.get("code_version") or "unknown")
        items.append(self.t(f"实验 {_e(p.get('experiment', ''))}（{_e(p.get('experiment_file', ''))}，sha256 {_e(str(p.get('experiment_sha256') or '')[:12])}），"
                            f"共{p.get('runs_done', 0):,}次模拟，模拟{p.get('horizon_months')}个月；代码版本 {_e(code[:20])}；"
                            f"分析结果在 {_e(self.an.get('results_dir', ''))}/analysis/。",
                            f"Experiment {_e(p.get('experiment', ''))} ({_e(p.get('experiment_file', ''))}, sha256 "
                            f"{_e(str(p.get('experiment_sha256') or '')[:12])}), {p.get('runs_done', 0):,} runs of "
                            f"{p.get('horizon_months')} months; code {_e(code[:20])}; tables in "
                            f"{_e(self.an.get('results_dir', ''))}/analysis/."))
        return f"<div class='annex'><h2>{head}</h2><ul class='tech'>" + "".join(f"<li>{x}</li>" for x in items if x) + "</ul></div>"

    # ------------------------------------------------------------------ the document
    def html(self, charts: dict[str, str] | None = None) -> str:
        """The memo as one HTML document; ``charts`` maps chart names to image paths (relative to the HTML)."""
        from sim.report.pages import memo_css

        lang = "zh-CN" if self.zh else "en"
        body = "".join([self.masthead(), self.summary(), self.recommendations(), self.results(), self.money(),
                        self.risks(), self.monitoring(), self.explained(), self.comparison(), self.how_sure(),
                        self.statistics(), self.limitations(), self.annex_strategies(), self.annex_governments(),
                        self.annex_charts(charts or {}), self.appendix()])
        page = '"— " counter(page) " —"'
        return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{_e(self.cfg.text("title", self.lang))}'
                f'</title><style>{memo_css(page, self.zh)}</style></head><body>{body}</body></html>\n')


FUTURE_NAMES = 4
"""The assumptions a future differs in that the memo names one by one; more are named by their mechanisms."""


def future_names(keys: list[str], lang: str) -> list[str]:
    """What the search's futures differ in, in words: each assumption when there are few, else the mechanisms
    (groups of assumptions, :data:`sim.experiment.assumptions.MECHANISMS`) they belong to, with how many."""
    if len(keys) <= FUTURE_NAMES:
        return [param_label(k, lang) for k in keys]
    groups: dict[str, int] = {}
    for k in keys:
        g = group_of(k) or ""
        groups[g] = groups.get(g, 0) + 1
    out = [f"{assumption_label(g, lang)}（{n}项）" if lang == "zh" else f"{assumption_label(g, lang).lower()} ({n})"
           for g, n in sorted(groups.items(), key=lambda x: -x[1]) if g]
    if groups.get(""):
        out.append(f"其他{groups['']}项" if lang == "zh" else f"{groups['']} others")
    return out


def _optimiser(folder: Path) -> dict | None:
    """What the memo says of a finished ``sim optimise``: its objective, size, and in how many futures the chosen
    allocation did no worse than the strategy it re-allocates (None without it)."""
    try:
        summ = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        meta = json.loads((folder / "optimise.json").read_text(encoding="utf-8"))
        cmp = pd.read_csv(folder / "comparison.csv")
    except (OSError, ValueError):
        return None
    obj = summ["objectives"][0]
    row = cmp[(cmp["strategy"] == summ["scenario"]) & (cmp["objective"] == obj)]
    keys = []
    for f in meta.get("futures") or []:
        keys = list(f)
        break
    return {"objective": obj, "futures": int(summ["futures"]), "replications": int(summ["replications"]),
            "candidates": int(summ["candidates"]), "runs": int(summ["runs"]), "describe": summ.get("describe", ""),
            "quantile": float(summ.get("quantile", 0.25)), "file": meta.get("file", ""),
            "not_worse_share": float(row["optimum_not_worse_share_of_futures"].iloc[0]) if len(row) else None,
            "future_keys": keys}


def check(memo: Memo) -> list[str]:
    """What is wrong with a memo's numbers: quantities shown from two values (one line each)."""
    return [f"{k}: shown as {a!r} and {b!r}" for k, a, b in memo.fg.conflicts]



def _region(name: str | None) -> Region | None:
    """The region of the memo's baseline, read from its files (None for results of a region no longer on this
    machine: its governments are then named by their ids)."""
    try:
        return load_region(name or default_region())
    except ScenarioError:
        return None
