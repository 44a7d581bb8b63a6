"""The policy briefing: two to four pages (PDF and HTML) from an analysed experiment, in Chinese or English.

Contents, all computed from ``analysis.json`` and the tables next to it:
headline findings in words (:class:`sim.report.findings.Findings`), the
charts (:mod:`sim.report.experiment_charts`), a table of effects with 95%
intervals, what the strategies cost, the most influential assumptions (from
a sensitivity analysis and the parameter docs) and a footer tying the
document to the experiment (file hash, code version, date).

Every number printed goes through :mod:`sim.report.numbers`, so it equals the
analysis table value at the stated rounding. The PDF is rendered by
WeasyPrint with Noto Sans CJK SC set on the body and in the page-margin
boxes (otherwise footers lose their Chinese glyphs); charts are PNG at 200 dpi.
"""

from __future__ import annotations

import functools
import html
import math
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.analysis.tables import ANALYSIS_DIR, load_analysis
from sim.errors import ScenarioError
from sim.files import atomic_write, atomic_write_text
from sim.paramdoc import UNIT_ZH, param_label
from sim.region import load_region
from sim.report import numbers as nb
from sim.report.experiment_charts import all_charts, panel_title
from sim.report.findings import Findings, counts_words
from sim.report.hinges import key_assumptions_html
from sim.report.pages import css, local_fetcher
from sim.report.policy import (
    failure_sentences,
    lever_chart,
    mechanism_sentences,
    policy_section,
    read_discovery,
)
from sim.report.style import FontMissing, setup
from sim.stats import FULFILMENT

MAX_PAGES = 4
MIN_SCALE = 0.56
"""Charts are not drawn smaller than this share of the text width to make the briefing fit its pages."""

TEXT = {
    "zh": {
        "title": "招商引资策略模拟：政策简报", "findings": "主要结论", "effects": "各策略与现状基线的差异",
        "costs": "策略的成本", "assumptions": "关键假设", "method": "方法说明", "strategy": "策略",
        "enough": "重复次数", "ok": "足够", "need": "需约 {n} 次",
        "reps_ok": "{n} 次，足够", "reps_cap": "{n} 次（上限），需约 {m} 次", "charts_pipeline": "项目从签约到投产",
        "spent": "支出（亿元）", "jobs": "就业岗位（个）", "cost_per_job": "每个岗位（万元）",
        "d_spent": "比基线多支出（亿元）", "inc_cost": "每个新增岗位（万元）", "arrived_per": "每万元支出带来到位资金（万元）",
        "unspent": "未花出：基金留存 / 退回（亿元）", "debt": "园区借款 / 期末尚欠（亿元）",
        "why_not": {"spending_not_higher": "支出未增加", "jobs_not_higher": "岗位未确定增加",
                    "arrived_not_higher": "到位资金未确定增加", "baseline": "–"},
        "same_budget": "预算相同",
        "sub": "{k} 个策略（含现状基线）× 每个 {r} 次重复，模拟 {h} 个月；共 {n} 次运行。",
        "sub_adaptive": "{k} 个策略（含现状基线），按需重复 {lo}–{hi} 次（{a} 项对比足够精确，{c} 项达到上限），模拟 {h} 个月；共 {n} 次运行。",
        "pool": "客商池 {n} 个。", "point": "（设计点 {p}）",
        "table_note": "每格为与基线之差，方括号内为 95% 置信区间；粗体表示与基线的差异显著。",
        "cost_note": "支出与岗位为 {h} 个月累计的平均数（置信区间见上图）；未花出的钱（基金留存、退回财政）不是节约；园区借款由以后年度的预算偿还，期末尚欠部分不计入支出；新增岗位成本 = 比基线多支出 ÷ 比基线多创造的岗位，仅在支出和岗位都确定增加时给出，否则注明原因。",
        "no_sens": "本实验未做敏感性分析；运行 experiments/sensitivity_morris.toml 后用 sim brief --sensitivity 加入。",
        "sens_intro": "下列假设对核心结果影响最大（{method}，{formula} 个设计点，共 {runs} 次运行），取值区间内结论可能变化：",
        "range": "取值区间 {lo} 至 {hi}，默认 {d}", "src": {"calibrated": "校准", "source": "文献", "assumption": "假设",
                                                      "essay": "原文", "": "未注明"},
        "index_sobol": "对履约率的总效应指数 {v}", "index_morris": "对履约率的基本效应 μ* = {v} 个百分点",
        "footer": "实验 {exp} · 实验文件 sha256 {sha} · 代码版本 {code} · 生成于 {date}",
        "page": '"第 " counter(page) " / " counter(pages) " 页"',
        "method_text": "共同随机数：同一重复编号的各策略使用相同随机种子，差值按重复配对。{ci}。{adequacy}",
        "baseline": "基线", "sobol": "Sobol' 方差分解", "morris": "Morris 筛选",
        "by_gov": "各县区与市本级的支出", "by_gov_region": "{region}：各县区与市本级的支出", "gov": "政府",
        "gov_base": "{base}（万元/年）", "gov_share": "占比", "gov_range": "其他策略（万元/年）",
        "gov_note": "每个政府每年的支出（万元），来自各次运行的账目：县区为其接洽、承诺、跟踪的项目和闲置土地付出的钱及其领导的精力，"
                    "市本级还承担为全市办的园区、洽谈会、培训等；“其他策略”为本地区其余策略中最少与最多者。",
    },
    "en": {
        "title": "Investment-attraction strategies: policy briefing", "findings": "Key findings",
        "effects": "Differences from the baseline", "costs": "What the strategies cost", "assumptions": "Key assumptions",
        "method": "Method", "strategy": "Strategy", "enough": "Replications", "ok": "enough", "need": "need about {n}",
        "reps_ok": "{n}: enough", "reps_cap": "{n} (cap); need about {m}",
        "charts_pipeline": "From signing to operation",
        "spent": "Spent (100m yuan)", "jobs": "Jobs", "cost_per_job": "Per job (yuan)",
        "d_spent": "Extra spending (100m yuan)", "inc_cost": "Per extra job (yuan)",
        "arrived_per": "Arrived capital per yuan spent",
        "unspent": "Not spent: held / returned (100m yuan)", "debt": "Borrowed / owed at the end (100m yuan)",
        "why_not": {"spending_not_higher": "spending not higher", "jobs_not_higher": "jobs not clearly higher",
                    "arrived_not_higher": "arrived capital not clearly higher", "baseline": "–"},
        "same_budget": "same budget",
        "sub": "{k} strategies (baseline included) x {r} replications each, {h} months simulated; {n} runs.",
        "sub_adaptive": "{k} strategies (baseline included), {lo}-{hi} replications each as needed ({a} comparisons "
                        "precise enough, {c} at the cap), {h} months simulated; {n} runs.",
        "pool": "Prospect pool of {n}.", "point": " (design point {p})",
        "table_note": "Each cell: difference from the baseline, 95% confidence interval in brackets; bold: distinguishable from the baseline.",
        "cost_note": "Spending and jobs are means over {h} months (intervals in the chart above); money not spent (held in the funds, returned to the treasury) is not a saving; park borrowing is repaid by later budgets, and what is still owed at the end is not in the spending; cost per extra job = extra spending / extra jobs, given only when both spending and jobs rise for certain, otherwise the cell says why.",
        "no_sens": "No sensitivity analysis in this experiment; run experiments/sensitivity_morris.toml and add it with sim brief --sensitivity.",
        "sens_intro": "These assumptions move the headline results most ({method}, {formula} design points, {runs} runs); conclusions may change within their ranges:",
        "range": "range {lo} to {hi}, default {d}", "src": {"calibrated": "calibrated", "source": "published source",
                                                          "assumption": "assumption", "essay": "the essay", "": "unstated"},
        "index_sobol": "total-order index for fulfilment {v}", "index_morris": "elementary effect on fulfilment μ* = {v} pp",
        "footer": "Experiment {exp} · experiment file sha256 {sha} · code {code} · made {date}",
        "page": '"page " counter(page) " of " counter(pages)',
        "method_text": "Common random numbers: replication r of every strategy uses the same seed and differences are paired by replication. {ci}. {adequacy}",
        "baseline": "baseline", "sobol": "Sobol' variance decomposition", "morris": "Morris screening",
        "by_gov": "Spending by government", "by_gov_region": "{region}: spending by government", "gov": "Government",
        "gov_base": "{base} (10,000 yuan a year)", "gov_share": "Share", "gov_range": "Other strategies (10,000 yuan a year)",
        "gov_note": "Each government's spending a year (10,000 yuan) from the runs' ledgers: a district or county pays for "
                    "its contacts, promises, tracked projects, idle land and its leader's attention; the city also for "
                    "what it runs for the whole region (park, forums, training...). 'Other strategies': the least and "
                    "the most among the region's other strategies.",
    },
}


def _e(text: Any) -> str:
    return html.escape(str(text))


def _source_kind(src: str) -> str:
    for k in ("calibrated", "source", "assumption", "essay"):
        if src.startswith(k):
            return k
    return ""


class Briefing:
    """The briefing of one analysis in one language: HTML text, chart files, and the PDF."""

    def __init__(self, analysis: dict, analysis_dir: Path, lang: str = "zh", sensitivity: dict | None = None):
        self.an = analysis
        self.dir = Path(analysis_dir)
        self.lang = lang
        self.t = TEXT[lang]
        self.sens = sensitivity if sensitivity is not None else (
            analysis if analysis.get("sensitivity", {}).get("available") else None)
        self.f = Findings(analysis, lang, sensitivity=self.sens)

    # ------------------------------------------------------------------ pieces
    def _effect_cell(self, scenario: str, output: str, point: int | None = None) -> str:
        e = self.f.effect(scenario, output, point)
        if not e or e.get("effect") is None:
            return "<td>–</td>"
        v = nb.fmt(output, e["effect"], self.lang, effect=True, with_unit=False)
        if e.get("ci_low") is not None:
            lo = nb.fmt(output, e["ci_low"], self.lang, effect=True, with_unit=False, ref=e["effect"])
            hi = nb.fmt(output, e["ci_high"], self.lang, effect=True, with_unit=False, ref=e["effect"])
            ci = f" <small>[{lo}, {hi}]</small>"
        else:
            ci = ""
        cls = ' class="sig"' if e.get("significant") else ""
        counts = counts_words(e, self.lang, short=True)
        counts = f"<br><small>{_e(counts)}</small>" if counts else ""
        return f"<td{cls}>{v}{ci}{counts}{self._robust_mark(scenario, output)}</td>"

    def _robust_mark(self, scenario: str, output: str) -> str:
        """Under an effect that depends on land: its value at the land-scarce and land-rich ends of the posterior."""
        r = self.f.robust(scenario, output)
        return "" if r is None else f'<br><small class="uncertain">{_e(self.f.ends_text(r))}</small>'

    @functools.cached_property
    def _mechanisms(self) -> str:
        return self.mechanisms_html()

    def mechanisms(self) -> str:
        """The mechanisms section, made once (the briefing is rendered at several image scales)."""
        return self._mechanisms

    def mechanisms_html(self) -> str:
        """For every strategy, the two mechanisms that carry its effect on cohort 履约率 and arrived capital
        (sim.analysis.decompose), and where an effect goes against the essay."""
        import pandas as pd

        rows = self.an.get("decomposition") or []
        if not rows:
            return ""
        titles = {s["name"]: s.get("title") or {} for s in self.an.get("scenarios", [])}
        effects = [e for e in self.an.get("effects", []) if e.get("source") == "summary"]

        def sentences(block: list[dict]) -> list[str]:  # the decomposition at one point, with that point's effects
            points = {r.get("point_id", self.f.point) for r in block}
            return mechanism_sentences(pd.DataFrame(block), titles, self.lang,
                                       [e for e in effects if e["point_id"] in points])

        items = "".join(f"<li>{_e(x)}</li>" for x in self.f.per_point(rows, sentences))
        head = "效应从何而来" if self.lang == "zh" else "Where the effects come from"
        return f'<h2>{head}</h2><ul class="mechanisms">{items}</ul>' if items else ""

    def levers(self, charts: dict[str, str]) -> str:
        """'Which lever bought what': the Sobol' indices over budget shares (given with ``--levers``), beside the
        sensitivity chart of the key assumptions when there is one (both rank what moves the outputs)."""
        if "levers" not in charts:
            return ""
        head = "各项投入买到了什么" if self.lang == "zh" else "Which lever bought what"
        return f'<h2>{head}</h2><figure><img src="{_e(charts["levers"])}" alt="levers"></figure>'

    def sensitivity_and_levers(self, charts: dict[str, str]) -> str:
        """The key assumptions' chart and, given, the levers' chart: side by side when both are there."""
        if "levers" in charts and "sensitivity" in charts:
            head = "各项投入买到了什么" if self.lang == "zh" else "Which lever bought what"
            return (f'<div class="pair"><figure><img src="{_e(charts["sensitivity"])}" alt="sensitivity"></figure>'
                    f'<div><h3>{head}</h3><figure><img src="{_e(charts["levers"])}" alt="levers"></figure></div></div>')
        if "sensitivity" in charts:
            return f'<figure><img src="{_e(charts["sensitivity"])}" alt="sensitivity"></figure>'
        return self.levers(charts)

    def policy(self) -> str:
        """The policy page (given with ``--policy``): the recommended allocation by lever and by government, what
        it buys, when it fails and how sure we are, on a page of its own."""
        section = getattr(self, "policy_html", "")
        return f'<div class="policy" style="break-before: page">{section}</div>' if section else ""

    def when_it_fails(self) -> str:
        """'When it fails': the discovery boxes given to the briefing (sim discover), in plain words."""
        found = getattr(self, "discoveries", None) or []
        if not found:
            return ""
        titles = {s["name"]: s.get("title") or {} for s in self.an.get("scenarios", [])}
        items = "".join(f"<li>{_e(x)}</li>" for x in failure_sentences(found, titles, self.lang))
        return f'<h2>{"何时失效" if self.lang == "zh" else "When it fails"}</h2><ul>{items}</ul>'

    def effects_table(self) -> str:
        outs = list(self.an.get("headline_outputs", []))
        head = "".join(f"<th>{_e(panel_title(o, self.lang))}<br><small>({_e(nb.short_unit(o, self.lang, effect=True))})"
                       f"</small></th>" for o in outs)
        rows = []
        for s, point in self.f.rows(include_baseline=False):
            cells = "".join(self._effect_cell(s, o, point) for o in outs)
            need = [e for o in self.an.get("headline_outputs", []) if (e := self.f.effect(s, o, point))]
            reps = max((int(e["n"]) for e in need), default=0)
            adaptive = (self.an.get("replications") or {}).get("adaptive")
            if all(e.get("adequate") for e in need):
                enough = self.t["reps_ok"].format(n=reps) if adaptive else self.t["ok"]
            else:
                n = max((int(e["n_needed"]) for e in need if e.get("n_needed") is not None and not e.get("adequate")),
                        default=reps)
                enough = (self.t["reps_cap"].format(n=reps, m=f"{n:,}") if adaptive
                          else self.t["need"].format(n=f"{n:,}"))
            rows.append(f'<tr><td class="name">{_e(self.f.row_label(s, point))}</td>{cells}<td>{_e(enough)}</td></tr>')
        return (f'<table><thead><tr><th class="name">{self.t["strategy"]}</th>{head}<th>{self.t["enough"]}</th></tr>'
                '</thead><tbody>' + "".join(rows) + "</tbody></table>")

    def cost_table(self) -> str:
        """Spending, money not spent (held in the funds, returned), park borrowing and what is still owed, jobs, cost per
        job, extra spending and the cost per extra job where both rise (else why not), per strategy."""
        rows = []
        t = self.t

        def money(key: str, c: dict) -> str:
            return nb.fmt(key, c.get(key), self.lang, with_unit=False)

        for s, point in self.f.rows():
            c = self.f.cost(s, point)
            if not c:
                continue
            spent = money("budget_spent", c)
            unspent = f"{money('budget_held', c)} / {money('budget_returned', c)}"
            debt = "–" if not (c.get("budget_borrowed") or 0) > 0 else f"{money('budget_borrowed', c)} / {money('budget_debt', c)}"
            jobs = nb.fmt("jobs", c["jobs"], self.lang, with_unit=False)
            cpj = nb.fmt("cost_per_job", c.get("cost_per_job"), self.lang, with_unit=False)
            base = self.f.is_baseline(s)
            dsp = "–" if base else nb.fmt("budget_spent", c.get("d_spent"), self.lang, effect=True, with_unit=False)
            if not base and c.get("same_budget"):
                dsp += f"<br><small>{_e(t['same_budget'])}</small>"
            inc = c.get("incremental_cost_per_job")
            if base:
                inc_txt = "–"
            elif inc is not None and math.isfinite(inc):
                inc_txt = nb.fmt("incremental_cost_per_job", inc, self.lang, with_unit=False)
            else:
                inc_txt = f"<small>{_e(t['why_not'].get(c.get('cost_per_job_note') or '', '–'))}</small>"
            rows.append(f'<tr><td class="name">{_e(self.f.row_label(s, point))}</td><td>{spent}</td><td>{unspent}</td>'
                        f'<td>{debt}</td><td>{jobs}</td><td>{cpj}</td><td>{dsp}</td><td>{inc_txt}</td></tr>')
        return (f'<table><thead><tr><th class="name">{t["strategy"]}</th><th>{t["spent"]}</th><th>{t["unspent"]}</th>'
                f'<th>{t["debt"]}</th><th>{t["jobs"]}</th><th>{t["cost_per_job"]}</th><th>{t["d_spent"]}</th>'
                f'<th>{t["inc_cost"]}</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>")

    def government_tables(self) -> str:
        """Spending a year by government (each district and county, and the city, with the names of its region):
        one table per region of the experiment, its baseline's spending and share beside the range of its other
        strategies ('' for an analysis without these accounts)."""
        rows = [r for r in self.an.get("spending_by_government") or [] if r["point_id"] == self.f.point]
        if not rows:
            return ""
        t = self.t
        regions = list(dict.fromkeys(r["region"] for r in rows))
        parts = []
        for region in regions:
            mine = [r for r in rows if r["region"] == region]
            base = next((s for s in self.f.scenarios() if self.f.is_baseline(s) and any(r["scenario"] == s for r in mine)),
                        mine[0]["scenario"])
            try:
                reg = load_region(region)
                name = reg.name(self.lang)
                gov_name = functools.partial(reg.government_name, lang=self.lang)
            except ScenarioError:  # results of a region no longer on this machine: its ids
                name, gov_name = region, str
            body = []
            for g in dict.fromkeys(r["government"] for r in mine):
                b = next((r for r in mine if r["government"] == g and r["scenario"] == base), None)
                others = [r["spent_per_year"] for r in mine if r["government"] == g and r["scenario"] != base]
                lo, hi = (nb.number(min(others), 0), nb.number(max(others), 0)) if others else ("–", "–")
                span = lo if lo == hi else f"{lo}–{hi}"
                body.append(f'<tr><td class="name">{_e(gov_name(g))}</td>'
                            f'<td>{nb.number(b["spent_per_year"], 0) if b else "–"}</td>'
                            f'<td>{nb.fmt("share", b["share"], self.lang, with_unit=True) if b else "–"}</td>'
                            f"<td>{span}</td></tr>")
            head = t["by_gov_region"].format(region=name)
            parts.append(f"<h3>{_e(head)}</h3><table><thead><tr><th class='name'>{t['gov']}</th>"
                         f"<th>{_e(t['gov_base'].format(base=self.f.label(base)))}</th><th>{t['gov_share']}</th>"
                         f"<th>{t['gov_range']}</th></tr></thead><tbody>{''.join(body)}</tbody></table>")
        return "".join(parts) + f'<p class="note">{_e(t["gov_note"])}</p>'

    def assumptions(self, k: int = 5) -> str:
        if self.sens and self.sens.get("screening", {}).get("available"):  # what each strategy's effect hinges on
            return key_assumptions_html(self.sens, self.lang)
        if not self.sens:
            return f'<p class="note">{_e(self.t["no_sens"])}</p>'
        sens = self.sens["sensitivity"]
        design = sens.get("design") or {}
        base = self.sens.get("baseline")
        idx = [r for r in sens.get("indices", []) if r["scenario"] == base] or sens.get("indices", [])
        best: dict[str, int] = {}
        for r in idx:
            best[r["parameter"]] = min(best.get(r["parameter"], 10**6), int(r["rank"]))
        fr = {r["parameter"]: r for r in idx if r["output"] == FULFILMENT}
        method = idx[0]["method"] if idx else design.get("kind", "sobol")
        key = "ST" if method == "sobol" else "mu_star"
        order = sorted(best, key=lambda p: (best[p], -(fr.get(p, {}).get(key) or 0.0)))[:k]
        docs = {d["parameter"]: d for d in design.get("parameter_docs", [])}
        items = []
        for p in order:
            d = docs.get(p, {})
            unit = d.get("unit", "")
            unit = UNIT_ZH.get(unit, unit) if self.lang == "zh" else unit
            ref = max(abs(d.get("low") or 0), abs(d.get("high") or 0))
            places = 0 if ref >= 100 else (2 if ref >= 1 else 3)
            rng = self.t["range"].format(lo=nb.number(d.get("low"), places), hi=nb.number(d.get("high"), places),
                                         d=nb.number(d.get("default"), places))
            src = self.t["src"][_source_kind(d.get("source", ""))]
            r = fr.get(p)
            if r and method == "sobol":
                val = self.t["index_sobol"].format(v=nb.number(r["ST"], 2))
            elif r:
                val = self.t["index_morris"].format(v=nb.number(100 * r["mu_star"], 1))
            else:
                val = ""
            unit_txt = f"（{unit}）" if self.lang == "zh" and unit else (f" ({unit})" if unit else "")
            sep = "；" if self.lang == "zh" else "; "
            items.append(f"<li><b>{_e(param_label(p, self.lang))}</b>{_e(unit_txt)}：" if self.lang == "zh" else
                         f"<li><b>{_e(param_label(p, self.lang))}</b>{_e(unit_txt)}: ")
            items[-1] += _e(sep.join(x for x in (rng, src, val) if x)) + "</li>"
        intro = self.t["sens_intro"].format(method=self.t[method], formula=design.get("formula", ""),
                                            runs=f"{design.get('runs', 0):,}")
        return f'<p>{_e(intro)}</p><ul class="assumptions">{"".join(items)}</ul>'

    def robustness_note(self) -> str:
        """How the runs cover the posterior and when an effect is shown at the ends ('' without posterior draws)."""
        d = (self.an.get("posterior") or {}).get("design")
        if not d:
            return ""
        if self.lang == "zh":
            return f"区间已含参数不确定性（校准后验的 {d['draws']} 组参数）；{d['rule']['zh']}，此时在效果下注明两端。"
        return (f"Intervals include parameter uncertainty ({d['draws']} parameter sets from the calibration's posterior); "
                f"{d['rule']['en']}, and such an effect shows both ends under it.")

    def definitions(self) -> str:
        """What each headline output counts, from the analysis (one clause each)."""
        defs = self.an.get("definitions", {})
        sep = "；" if self.lang == "zh" else "; "
        text = sep.join(d[self.lang] for o in self.an.get("headline_outputs", []) if (d := defs.get(o)))
        return text + ("。" if self.lang == "zh" else ".") if text else ""

    def footer(self) -> str:
        p = self.an.get("provenance", {})
        date = str(self.an.get("created", ""))[:10] or datetime.now(UTC).date().isoformat()
        code = str(p.get("code_version") or "unknown")
        commit, plus, rest = code.partition("+")
        code = commit[:12] + plus + rest
        return self.t["footer"].format(exp=p.get("experiment", ""), sha=str(p.get("experiment_sha256") or "")[:12],
                                       code=code, date=date)

    def subtitle(self) -> str:
        p = self.an.get("provenance", {})
        k, h, n = p.get("n_scenarios", len(self.f.scenarios())), p.get("horizon_months"), f"{p.get('runs_done', 0):,}"
        rep = self.an.get("replications") or {}
        used = [int(c["replications"]) for c in rep.get("comparisons", []) if c.get("replications") is not None]
        if rep.get("adaptive") and used:  # a fixed number would be wrong: each comparison took what it needed
            sub = self.t["sub_adaptive"].format(k=k, lo=min(used), hi=max(used), a=rep.get("adequate", 0),
                                                c=rep.get("capped", 0), h=h, n=n)
        else:
            sub = self.t["sub"].format(k=k, r=p.get("replications"), h=h, n=n)
        n_inv = (p.get("overrides") or {}).get("run.n_investors")
        if n_inv:
            sub += " " + self.t["pool"].format(n=f"{n_inv:,}")
        return " ".join(x for x in (sub, self.f.design_note()) if x)

    def title(self) -> str:
        t = self.an.get("provenance", {}).get("title") or {}
        return t.get(self.lang) or self.t["title"]

    # ------------------------------------------------------------------ the document
    def html(self, charts: dict[str, str], image_scale: float = 1.0) -> str:
        """The briefing as one HTML document; ``charts`` maps chart names to image paths (relative to the HTML)."""
        t = self.t
        lang = "zh-CN" if self.lang == "zh" else "en"
        findings = "".join(f"<li>{_e(s)}</li>" for s in self.f.headlines())

        def fig(name: str) -> str:
            return f'<figure><img src="{_e(charts[name])}" alt="{_e(name)}"></figure>' if name in charts else ""

        def pair(a: str, b: str) -> str:  # two charts over the same strategies, side by side
            if a in charts and b in charts:
                return f'<div class="pair">{fig(a)}{fig(b)}</div>'
            return fig(a) + fig(b)

        page = t["page"]
        rules = self.an.get("rules", {})
        method = t["method_text"].format(ci=rules.get("interval", {}).get(self.lang, ""),
                                         adequacy=rules.get("adequacy", {}).get(self.lang, ""))
        h = self.an.get("provenance", {}).get("horizon_months")
        return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{_e(self.title())}</title>
<style>{css(self.footer(), page, image_scale, 9.5 if self.lang == "zh" else 9.0)}</style></head>
<body>
<h1>{_e(self.title())}</h1>
<p class="sub">{_e(self.subtitle())}</p>
<h2>{t["findings"]}</h2>
<ol class="findings">{findings}</ol>
{fig("comparison")}
{fig("response")}
<h2>{t["effects"]}</h2>
{self.effects_table()}
<p class="note">{_e(t["table_note"])} {_e(self.robustness_note())} {_e(self.definitions())}</p>
{self.mechanisms()}
{self.when_it_fails()}
{fig("capital")}
<h2>{t["charts_pipeline"]}</h2>
{pair("funnel", "withdrawals")}
<h2>{t["costs"]}</h2>
{fig("costs")}
{self.cost_table()}
<p class="note">{_e(t["cost_note"].format(h=h))}</p>
{self.government_tables()}
<h2>{t["assumptions"]}</h2>
{self.assumptions()}
{self.sensitivity_and_levers(charts)}
<h2>{t["method"]}</h2>
<p class="note">{_e(method)}</p>
{self.policy()}
</body></html>
"""


SCALE_STEP = 0.04
"""Charts shrink in steps of this share of the text width until the briefing fits its pages."""


def first_fitting(fits: Callable[[int], bool], guess: int, steps: int) -> int:
    """The smallest ``k`` in 1..``steps`` with ``fits(k)``, or ``steps`` when none does (``fits`` is monotone:
    false below some k, true from it on; k = 0 is known not to fit). Tried first at ``guess``, then in
    doubling strides away from it until the answer is bracketed, then by bisection: two or three layouts when
    the guess is right or one step off, about twice log2(steps) at worst."""
    lo, hi = 0, steps  # lo: known not to fit; hi: known to fit, or the fallback (steps) not tried yet
    k = min(max(guess, 1), steps)
    stride = 1
    if fits(k):
        hi = k
        while hi - lo > 1:  # up towards larger images until one does not fit
            k = max(hi - stride, lo + 1)
            if not fits(k):
                lo = k
                break
            hi, stride = k, stride * 2
    else:
        lo = k
        while hi - lo > 1:  # down until one fits
            k = min(lo + stride, hi)
            if fits(k):
                hi = k
                break
            lo, stride = k, stride * 2
            if k == hi:
                return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid
    return hi


def shrink_guess(doc, max_pages: int, step: float) -> int:
    """Steps of ``step`` the charts of a layout ``doc`` (at full size) are guessed to shrink for it to fit in
    ``max_pages`` pages: the height its pages fill beyond ``max_pages`` pages as full as its fullest one, over
    the charts' total height. (On the main results' briefings, at 3-5 pages, the guess was the answer or one step
    short.) 1 when it cannot be told."""
    try:
        bottoms = [content_bottom(page) for page in doc.pages]
        charts = sum(b.height for page in doc.pages for b in _boxes(page)
                     if type(b).__name__ in ("BlockReplacedBox", "InlineReplacedBox"))
        return max(1, math.ceil((sum(bottoms) - max_pages * max(bottoms)) / charts / step)) if charts > 0 else 1
    except (AttributeError, TypeError, ValueError, ZeroDivisionError):
        return 1


def _boxes(page):
    """The boxes of a laid-out page's content (not its margin boxes: header and footer)."""
    for child in page._page_box.children:
        if type(child).__name__ != "MarginBox":
            yield from child.descendants()


def content_bottom(page) -> float:
    """How far down a laid-out page its content reaches (in the layout's units)."""
    bottom = 0.0
    for b in _boxes(page):
        if type(b).__name__ in ("LineBox", "BlockReplacedBox", "InlineReplacedBox", "TableRowBox"):
            bottom = max(bottom, b.position_y + b.height)
    return bottom


def last_page_fill(doc) -> float:
    """How far down the last page its content reaches (0-1); 1.0 when it cannot be told."""
    try:
        page = doc.pages[-1]
        return content_bottom(page) / page.height
    except (AttributeError, IndexError, TypeError):
        return 1.0


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
                max_pages: int = MAX_PAGES, discover: list[str | Path] | None = None,
                policy_dir: str | Path | None = None, levers_dir: str | Path | None = None) -> dict[str, Path]:
    """Draw the charts and write ``brief_<lang>.html`` and ``brief_<lang>.pdf`` into ``out``; returns the files.

    ``analysis_dir`` is a results folder or its ``analysis`` folder (analysed by ``sim analyse``);
    ``sensitivity_dir`` optionally names another analysed results folder with a Sobol' or Morris design;
    ``policy_dir`` the results of ``sim optimise`` (the briefing then ends with the policy page, one more page);
    ``levers_dir`` a Sobol' design over budget shares (the chart of which lever bought what).
    Images shrink until the PDF fits in ``max_pages`` pages (plus the policy page).
    """
    import weasyprint

    analysis_dir = Path(analysis_dir)
    if not (analysis_dir / "analysis.json").is_file() and (analysis_dir / ANALYSIS_DIR / "analysis.json").is_file():
        analysis_dir = analysis_dir / ANALYSIS_DIR
    an = load_analysis(analysis_dir)
    sens = load_analysis(sensitivity_dir) if sensitivity_dir else None
    if sens is not None and not sens.get("sensitivity", {}).get("available"):
        sens = None
    out = Path(out)
    chart_dir = out / f"charts_{lang}"
    if chart_dir.exists():
        shutil.rmtree(chart_dir)
    files = all_charts(an, analysis_dir, chart_dir, lang, sens=sens or (an if an.get("sensitivity", {}).get("available") else None))
    if levers_dir is not None:
        files["levers"] = lever_chart(levers_dir, chart_dir, lang)
    rel = {k: f"{chart_dir.name}/{p.name}" for k, p in files.items()}
    b = Briefing(an, analysis_dir, lang, sensitivity=sens)
    if discover:
        b.discoveries = [read_discovery(f) for f in discover]
    if policy_dir is not None:
        b.policy_html, _ = policy_section(policy_dir, chart_dir, lang, discover)
        max_pages += 1

    def render(scale: float):
        text = b.html(rel, scale)
        return text, weasyprint.HTML(string=text, base_url=str(out) + "/", url_fetcher=local_fetcher()).render()

    # The largest image scale that fits in max_pages; then, if the last page holds only a few lines,
    # shrink a little more when that saves the page.
    scale = 1.0
    text, doc = render(scale)
    if len(doc.pages) > max_pages:  # scales in steps of 0.04 (each rendering takes a second or two)
        steps = int(round((1.0 - MIN_SCALE) / SCALE_STEP))
        done: dict[int, tuple] = {}

        def fits(k: int) -> bool:
            done[k] = render(1.0 - SCALE_STEP * k)
            return len(done[k][1].pages) <= max_pages

        k = first_fitting(fits, shrink_guess(doc, max_pages, SCALE_STEP), steps)
        scale = 1.0 - SCALE_STEP * k
        text, doc = done[k] if k in done else render(scale)
    if len(doc.pages) > 2 and last_page_fill(doc) < 0.3:
        for extra in (0.04, 0.08, 0.12):
            if scale - extra < MIN_SCALE:
                break
            t2, d2 = render(scale - extra)
            if len(d2.pages) < len(doc.pages):
                text, doc, scale = t2, d2, scale - extra
                break

    html_path = out / f"brief_{lang}.html"
    pdf_path = out / f"brief_{lang}.pdf"
    atomic_write_text(html_path, text)
    atomic_write(pdf_path, doc.write_pdf)
    return {"html": html_path, "pdf": pdf_path, "charts": chart_dir, "pages": len(doc.pages), "image_scale": scale}
