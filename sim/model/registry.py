"""What each output of a run is: name, kind, unit, Chinese and English label and definition, and how it is compared.

Every monthly column (``MONTHLY_COLUMNS``) and every key of the end-of-run summary, flattened with dots as the
results store keeps it (``withdrawals_by_reason.no_land``), is described here once. The model takes its column
list from here; the analysis reads which outputs are rates and which it compares; the briefing, the policy
page and the explorer read labels, units and definitions. Nothing else keeps a table of outputs.

The headline rates follow signing cohorts, as provincial reports count them: each project is observed a fixed
number of months after its own signing, so recent signings that have not had time to start do not drag the
rate down (no calendar artefact). For ``k`` of 12, 24 and 36 the cohort is every project signed early enough to
be followed ``k`` months (signed in months 1 to t - k); ``cohorts_by_year`` gives the same rates per signing
year. A project counts as fulfilled (履约) when it had started building within ``k`` months of signing and was
still building or operating at its follow-up month (``k`` months after signing): one withdrawn or closed by then,
or stalled (烂尾) at that month, is not fulfilled, one that stalled and resumed is. Every project that began
building within ``k`` months, whatever became of it, counts in the cohort's 开工率 (start rate), the rate the
Lanzhou fair reports count and the calibration compares. Beside every cohort rate the summary keeps the counts it
divides (``cohort_projects_fulfilled_24m`` / ``cohort_projects_24m``...): a rate can rise because more projects
are fulfilled or because fewer are signed. Terms follow the reports (docs/SOURCES.md). Stock measures (``share_*_to_date``,
``share_building_or_operating_now``) move with the calendar and say so in their names. "Started" means
construction began, "completed" that the project reached operation.

Definitions speak of the end of the run, as the summary does; a monthly column gives the same quantity in each
month. Money is in 万元 (10,000 yuan), land in mu (亩), rates and shares are fractions (0.274 = 27.4%).
This module imports neither Mesa nor matplotlib.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.model.stages import REASONS
from sim.model.units import COHORT_MONTHS, HEADLINE_COHORT_MONTHS, MONTHS_PER_YEAR
from sim.model.vocabulary import (
    LEVERS,
    PLACES,
    REASON_NAMES,
    SOURCES,
    STAGES,
    Pair,
    pick,
)
from sim.params import BUDGET_LEVERS

KINDS: dict[str, str] = {
    "rate": "a rate of a cohort or a stock of signed projects, 0-1",
    "share": "a share of a whole, 0-1",
    "index": "an index from 0 to 1 (conditions, beliefs, satisfaction)",
    "count": "a number of projects, prospects, contacts, leads or events",
    "jobs": "a number of jobs",
    "money": "an amount of money, 万元",
    "money_per_unit": "money per job, per project or per 万元 arrived, 万元",
    "ratio": "jobs or money obtained per 万元 spent",
    "months": "a length of time, months",
    "land": "an area of land, mu",
    "month": "the month of the run",
}
"""Kinds of output: what a value measures, which sets its unit, its formatting and how its effects are judged."""

RATE_KINDS = frozenset(("rate", "share", "index"))
"""Kinds on a 0-1 scale: shown in percent, compared in percentage points."""

UNITS: dict[str, Pair] = {
    "rate": ("0-1", "0-1"), "share": ("0-1", "0-1"), "index": ("0-1", "0-1"), "jobs": ("个", "jobs"),
    "money": ("万元", "10,000 yuan"), "months": ("月", "months"), "land": ("亩", "mu"), "month": ("月", "month"),
}
"""Unit of the stored value for kinds that have one unit; counts, money per unit and ratios state theirs."""

PROJECTS: Pair = ("个", "projects")
PROSPECTS: Pair = ("个", "prospects")


@dataclass(frozen=True)
class Output:
    """One output: its name (a monthly column or a flattened summary key), kind (one of :data:`KINDS`), label
    and definition as (zh, en) pairs, unit of the stored value (zh, en), and where and how it is used.

    ``monthly``: a column of the monthly table; ``summary``: a key of the end-of-run summary; ``effect``: the
    analysis compares it between strategies (paired effects, levels); ``phrase``: its name inside a sentence
    when that differs from the label; ``lower_is_better``: a smaller value is the better one (costs); ``parts``:
    for a rate that is one stored output over another (a cohort rate), the names of its numerator and its
    denominator (the counts shown beside the rate, and the two parts its change splits into)."""

    name: str
    kind: str
    label: Pair
    definition: Pair
    unit: Pair
    monthly: bool = False
    summary: bool = True
    effect: bool = True
    phrase: Pair | None = None
    lower_is_better: bool = False
    parts: tuple[str, str] | None = None

    @property
    def is_rate(self) -> bool:
        """True for outputs on a 0-1 scale (rates, shares, indices)."""
        return self.kind in RATE_KINDS

    @property
    def headline(self) -> bool:
        """True for the outputs the briefing leads with."""
        return self.name in HEADLINE


_ENTRIES: list[Output] = []


def _add(name: str, kind: str, label: Pair, definition: Pair, unit: Pair | None = None, **how) -> None:
    _ENTRIES.append(Output(name, kind, label, definition, unit or UNITS[kind], **how))


def _monthly(name: str, kind: str, label: Pair, definition: Pair, unit: Pair | None = None, **how) -> None:
    _add(name, kind, label, definition, unit, monthly=True, summary=False, **how)


def _both(name: str, kind: str, label: Pair, definition: Pair, unit: Pair | None = None, **how) -> None:
    _add(name, kind, label, definition, unit, monthly=True, **how)


def _lower(text: str) -> str:
    return text[0].lower() + text[1:]


# ----------------------------------------------------------------------------- the monthly table, in column order
_monthly("month", "month", ("月份", "Month"),
         ("模拟的第几个月（0 为策略开始时）", "month of the run (0 when the strategy begins)"), effect=False)
_monthly("contacted_total", "count", ("累计接洽次数", "Contacts made"),
         ("至今接洽客商的次数（再次被接洽的客商再计一次）", "contacts with prospects made so far (a prospect courted "
                                                   "again counts again)"), ("次", "contacts"))
_both("duplicated_contacts", "count", ("重复接洽", "Duplicated contacts"),
      ("同月被几个政府同时接洽的客商多出的接洽次数", "contacts of a prospect that other governments also made in the "
                                          "same month (one for each government beyond the first)"), ("次", "contacts"))
_both("partner_leads", "count", ("本地企业合作线索", "Partner leads from local firms"),
      ("本地企业寻找外地合作方带来的客商", "prospects that local firms brought in by finding outside partners"),
      ("条", "leads"))
_both("referral_leads", "count", ("以商招商线索", "Referral leads"),
      ("投产企业通过关系介绍来的客商（以商招商）", "prospects that operating firms referred through their ties (以商招商)"),
      ("条", "leads"))
for _stage, _zh, _en in (("contacted", "已接洽、尚未洽谈的客商", "Prospects contacted, not yet negotiating"),
                         ("negotiating", "洽谈中的项目", "Projects in negotiation"),
                         ("signed", "已签约、尚未开工的项目", "Signed projects not yet started"),
                         ("building", "在建项目", "Projects building"),
                         ("operating", "投产项目", "Operating projects"),
                         ("stalled", "停工烂尾项目", "Stalled projects"),
                         ("withdrawn", "已撤出的项目", "Withdrawn projects"),
                         ("exited", "已关停的企业", "Closed firms"),
                         ("declined", "未进入洽谈或被筛除的客商", "Prospects that declined or were screened out")):
    _monthly(f"n_{_stage}", "count", (_zh, _en),
             (f"当月处于“{STAGES[_stage][0]}”阶段的项目", f"projects at the stage '{_lower(STAGES[_stage][1])}' in the month"),
             PROJECTS)
_both("signed_projects", "count", ("签约项目", "Signed projects"),
      ("至今签约的项目（含后来撤出的）", "projects signed so far (including those that left later)"), PROJECTS,
      phrase=("签约项目", "signed projects"))
_both("signed_capital", "money", ("签约资金", "Signed capital"),
      ("至今签约项目写入合同的资金", "capital written into the contracts of every project signed so far"),
      phrase=("签约资金", "signed capital"))
_both("arrived_capital", "money", ("到位资金", "Arrived capital"),
      ("签约项目至今实际到位的资金", "capital of signed projects that has actually arrived so far"),
      phrase=("到位资金", "arrived capital"))
_both("share_started_to_date", "rate", ("至今已开工项目占比", "Share started to date"),
      ("至今开工的签约项目 ÷ 至今签约的项目", "signed projects that began building by now / every project signed so far"))
_both("share_building_or_operating_now", "rate", ("当前在建或投产项目占比", "Share building or operating now"),
      ("当前在建或投产的签约项目 ÷ 至今签约的项目", "signed projects building or operating now / every project signed so far"))
_both("share_completed_to_date", "rate", ("至今已投产项目占比", "Share completed to date"),
      ("至今建成投产的签约项目 ÷ 至今签约的项目", "signed projects that reached operation by now / every project signed so far"))
_both("share_capital_arrived_to_date", "rate", ("至今到位资金占签约资金比例", "Share of signed capital arrived to date"),
      ("至今到位资金 ÷ 至今签约资金", "capital arrived by now / capital signed so far"))

_COHORT_RATES: dict[str, tuple[Pair, Pair, Pair | None]] = {
    "fulfilment_rate": (("履约率（{k}个月）", "Fulfilment ({k} months)"),
                        ("履约率 = 签约后第 {k} 个月时在建或已投产的项目 ÷ 签约项目（{k} 个月内开工、到第 {k} 个月仍未撤出、"
                         "关停或停工烂尾；停工后复工的算履约）",
                         "fulfilment (履约率) = projects building or operating {k} months after signing / projects "
                         "signed (started within {k} months and, at that month, not withdrawn, closed or stalled "
                         "(烂尾); a project that stalled and resumed counts)"),
                        ("履约率", "fulfilment")),
    "start_rate": (("开工率（{k}个月）", "Start rate ({k} months)"),
                   ("开工率 = 签约后 {k} 个月内开工的项目 ÷ 签约项目（开工后停工烂尾或撤出的也计入；兰州投洽会报告的口径）",
                    "start rate (开工率) = projects that began building within {k} months of signing / projects "
                    "signed (those that stalled or left after starting count too; as the Lanzhou fair reports count)"),
                   ("开工率", "the start rate")),
    "completion_rate": (("投产率（{k}个月）", "Completion ({k} months)"),
                        ("投产率 = 签约后 {k} 个月内建成投产的项目 ÷ 签约项目",
                         "completion = projects operating within {k} months of signing / projects signed"),
                        ("投产率", "the completion rate")),
    "capital_arrival_rate": (("资金到位率（{k}个月）", "Capital arrival ({k} months)"),
                             ("资金到位率 = 签约后第 {k} 个月时到位资金 ÷ 签约资金",
                              "capital arrival (资金到位率) = capital arrived {k} months after signing / capital signed"),
                             ("资金到位率", "the capital-arrival rate")),
}
"""The cohort rates: label, definition and name in a sentence, with ``{k}`` the months after signing."""

_COHORT_COUNTS: dict[str, tuple[str, Pair, Pair, Pair]] = {
    "projects_fulfilled": ("count", ("履约项目（{k}个月）", "Projects fulfilled ({k} months)"),
                           ("签约后第 {k} 个月时在建或已投产的项目（履约率的分子）",
                            "projects building or operating {k} months after signing (the numerator of fulfilment)"),
                           ("履约项目", "projects fulfilled")),
    "projects_started": ("count", ("开工项目（{k}个月）", "Projects started ({k} months)"),
                         ("签约后 {k} 个月内开工的项目（开工率的分子）",
                          "projects that began building within {k} months of signing (the numerator of the start rate)"),
                         ("开工项目", "projects started")),
    "projects_completed": ("count", ("投产项目（{k}个月）", "Projects completed ({k} months)"),
                           ("签约后 {k} 个月内建成投产的项目（投产率的分子）",
                            "projects operating within {k} months of signing (the numerator of completion)"),
                           ("投产项目", "projects completed")),
    "capital_signed": ("money", ("随访{k}个月的签约资金", "Capital signed, followed {k} months"),
                       ("可随访 {k} 个月的项目写入合同的资金（资金到位率的分母）",
                        "capital in the contracts of the projects followed {k} months (the denominator of capital "
                        "arrival)"),
                       ("签约资金", "capital signed")),
    "capital_arrived": ("money", ("签约{k}个月时到位资金", "Capital arrived at {k} months"),
                        ("可随访 {k} 个月的项目在签约后第 {k} 个月时到位的资金（资金到位率的分子）",
                         "capital the projects followed {k} months had brought {k} months after signing (the numerator "
                         "of capital arrival)"),
                        ("到位资金", "capital arrived")),
}
"""The counts of a cohort beside its rates: kind, label, definition and name in a sentence (``{k}`` as above)."""
_RATE_PARTS: dict[str, tuple[str, str]] = {
    "fulfilment_rate": ("projects_fulfilled", "projects"), "start_rate": ("projects_started", "projects"),
    "completion_rate": ("projects_completed", "projects"), "capital_arrival_rate": ("capital_arrived", "capital_signed"),
}
"""Each cohort rate's numerator and denominator, as keys of :func:`sim.model.outputs.cohort_rates`."""


def _fill(pair: Pair, **kw) -> Pair:
    return pair[0].format(**kw), pair[1].format(**kw)


for _k in COHORT_MONTHS:
    for _r in ("fulfilment_rate", "start_rate", "completion_rate", "capital_arrival_rate"):
        _label, _definition, _phrase = _COHORT_RATES[_r]
        _num, _den = _RATE_PARTS[_r]
        # The sentence names (履约率, 开工率) belong to the headline cohort; the others are named by their label.
        _both(f"cohort_{_r}_{_k}m", "rate", _fill(_label, k=_k), _fill(_definition, k=_k),
              phrase=_phrase if _k == HEADLINE_COHORT_MONTHS else None,
              parts=(f"cohort_{_num}_{_k}m", f"cohort_{_den}_{_k}m"))
_both("large_project_share", "share", ("大项目占比", "Share of large projects"),
      ("签约项目中大项目（合同资金达到大项目标准）的比例", "signed projects that are large (contract capital at or above "
                                               "the large-project line) / projects signed"))
_both("industrial_share", "share", ("工业项目占比", "Share of industrial projects"),
      ("签约项目中工业项目的比例", "signed projects that are industrial / projects signed"))
_both("jobs", "jobs", ("就业岗位", "Jobs"),
      ("就业岗位 = 模拟期末投产企业的岗位数", "jobs = jobs in operating firms at the end of the period simulated"),
      phrase=("就业岗位", "jobs"))
_monthly("tax_month", "money", ("当月税收", "Tax this month"),
         ("投产企业当月缴纳的税收", "tax paid by operating firms in the month"))
_both("tax_revenue", "money", ("累计税收", "Tax revenue"),
      ("投产企业至今缴纳的税收", "tax paid by operating firms so far"), phrase=("累计税收", "tax revenue"))
_both("mean_approval_months", "months", ("平均审批时间", "Mean approval time"),
      ("审批全部办完的签约项目从签约到办完的平均月数（无需审批的计 0）", "mean months from signing to the last "
       "approval, over the signed projects whose approvals are all done (0 for those that need none)"))
_both("satisfaction", "index", ("客商满意度", "Investor satisfaction"),
      ("已签约、在建和投产客商的平均满意度（对硬环境、软环境、信用、安全和办事速度看法的平均）",
       "mean satisfaction of the investors with projects signed, building or operating (the mean of what they "
       "believe of the hard and soft environment, credibility, security and speed)"))
for _what, _zh, _en in (("hard", "硬环境", "hard environment"), ("soft", "软环境", "soft environment"),
                        ("credibility", "政府信用", "credibility")):
    _both(f"perceived_{_what}", "index", (f"外界眼中的{_zh}", f"Perceived {_en}"),
          (f"本地区在客商中的{_zh}口碑（0-1）", f"the region's public reputation for its {_en} among investors (0-1)"))
for _what, _zh, _en in (("hard", "硬环境", "hard environment"), ("soft", "软环境", "soft environment"),
                        ("credibility", "政府信用", "credibility")):
    _both(f"actual_{_what}", "index", (f"实际{_zh}", f"Actual {_en}"),
          (f"本地区{_zh}的实际水平（0-1）", f"the region's {_en} as it actually is (0-1)"))
_both("legal_insecurity", "index", ("法治不安程度", "Legal insecurity"),
      ("法治与治安方面的不安程度（0-1，越低越好）", "legal and public-order insecurity (0-1, lower is better)"))
_both("atmosphere", "index", ("人文环境", "Pro-business atmosphere"),
      ("亲商、重商的人文环境（0-1）", "pro-business atmosphere (0-1)"))
_monthly("free_land_mu", "land", ("可用熟地", "Free serviced land"),
         ("各级政府手中尚未出让的熟地（三通一平）", "serviced land (三通一平) the governments hold and have not yet granted"))
_both("budget_total", "money", ("可用预算", "Budget available"),
      ("至今拨付的招商经费（含税收返还）", "money for attraction allotted so far (base transfers and tax returned)"))
_both("budget_spent", "money", ("支出", "Budget spent"),
      ("至今的全部支出（含折价计入的人员时间和领导精力）", "everything spent so far (with staff time and leaders' "
                                               "attention at their shadow prices)"),
      phrase=("总支出", "money spent"), lower_is_better=True)
_both("budget_held", "money", ("基金留存", "Money held in the funds"),
      ("已拨付未花出的钱：两项基金的余额和仍被占用的担保与投资", "money allotted but not spent: the two funds' balances and "
                                                     "guarantees or stakes still tied up"))
_both("budget_returned", "money", ("退回财政的预算", "Budget returned"),
      ("当年未用完、退回财政的拨款（含本年尚未使用的部分）", "allotments not used within their year and returned to the "
                                                "treasury (with this year's not yet used)"))
_both("budget_debt", "money", ("园区借款余额", "Park debt outstanding"),
      ("园区借款尚未偿还的本金（含未能按期支付而计入本金的利息），留给以后年度的预算偿还",
       "park borrowing not yet repaid (principal, and interest the budget could not pay added to it): what later "
       "budgets must still repay"), phrase=("园区借款余额", "park debt outstanding"), lower_is_better=True)
_monthly("incentive_fund", "money", ("优惠兑现资金余额", "Incentive fund balance"),
         ("招商专项资金（兑现优惠）的余额", "balance of the fund that pays promised incentives"))
_monthly("investment_fund", "money", ("产业引导基金余额", "Investment fund balance"),
         ("产业引导基金的余额", "balance of the investment fund that backs refused loans"))
_both("idle_land_mu", "land", ("闲置土地", "Idle land"),
      ("尚未盘活的闲置土地和厂房", "idle land and plant not yet revitalised"))
for _r in REASONS:
    _monthly(f"withdrawn_{_r}", "count", (f"撤出：{REASON_NAMES[_r][0]}", f"Withdrawn: {_lower(REASON_NAMES[_r][1])}"),
             (f"至今因“{REASON_NAMES[_r][0]}”撤出或关停的项目（各阶段）",
              f"projects that left so far for the reason '{_lower(REASON_NAMES[_r][1])}' (every stage)"), PROJECTS)
for _lever, (_zh, _en) in LEVERS.items():
    _monthly(f"spent_{_lever}", "money", (f"支出：{_zh}", f"Spent: {_lower(_en)}"),
             (f"至今用于“{_zh}”的支出", f"money spent so far on {_lower(_en)}"))

MONTHLY_COLUMNS: tuple[str, ...] = tuple(o.name for o in _ENTRIES if o.monthly)
"""The columns of the monthly table, in order (the model's DataCollector collects these)."""

# ----------------------------------------------------------------------------- the summary's own keys
_add("months", "months", ("模拟月数", "Months simulated"), ("模拟的月数", "months simulated"), effect=False)
_add("prospects_contacted", "count", ("接洽客商", "Prospects contacted"),
     ("至今被接洽过的客商", "prospects contacted at least once"), PROSPECTS)
_add("contacts_made", "count", ("累计接洽次数", "Contacts made"),
     ("至今接洽客商的次数（再次被接洽的客商再计一次）", "contacts with prospects made so far (a prospect courted again "
                                              "counts again)"), ("次", "contacts"))
_add("prospects_available", "count", ("市场上的客商", "Prospects in the market"),
     ("至今进入市场的潜在客商", "prospects that have entered the market so far"), PROSPECTS)
_add("prospects_returned", "count", ("回流客商", "Prospects back in the market"),
     ("未进入洽谈或被筛除的客商冷却期后重回市场的次数", "times a prospect that declined (or was screened out) came back "
                                             "into the market after a cool-down"), ("次", "returns"))
_add("negotiations_started", "count", ("进入洽谈的客商", "Negotiations started"),
     ("被接洽后进入洽谈的次数", "contacted prospects that entered negotiation"), ("次", "negotiations"))
_add("operating_projects", "count", ("投产项目", "Operating projects"),
     ("模拟期末投产的项目", "projects operating at the end of the run"), PROJECTS)
for _what, _zh, _en in (("large", "大项目", "large"), ("industrial", "工业项目", "industrial")):
    _add(f"{_what}_share_started", "share", (f"开工项目中{_zh}占比", f"Share of {_en} projects among those started"),
         (f"至今开工的签约项目中{_zh}的比例", f"started projects that are {_en} / projects started"))
    _add(f"{_what}_share_completed", "share", (f"投产项目中{_zh}占比", f"Share of {_en} projects among those completed"),
         (f"至今投产的签约项目中{_zh}的比例", f"completed projects that are {_en} / projects completed"))
for _what, _zh, _en in (("large", "大项目", "large"), ("industrial", "工业项目", "industrial")):
    _add(f"{_what}_share_prospects", "share", (f"客商中{_zh}占比", f"Share of {_en} projects among prospects"),
         (f"至今进入市场的潜在客商中{_zh}的比例（由地区的行业构成和项目规模分布决定）",
          f"prospects that entered the market so far that are {_en} / prospects in the market (set by the region's "
          f"sector shares and project sizes)"), effect=False)
_add("industrial_share_signed_capital", "share", ("工业项目占签约资金比例", "Industrial share of signed capital"),
     ("工业项目的签约资金 ÷ 签约资金", "capital signed by industrial projects / capital signed"))
_add("signed_capital_share_1bn_plus", "share", ("10亿元以上项目占签约资金比例", "Share of signed capital in projects of 1 bn yuan and more"),
     ("合同资金 10 亿元及以上项目的签约资金 ÷ 签约资金", "capital signed by projects of 1 bn yuan and more / capital signed"))
_add("industrial_share_arrived_capital", "share", ("工业项目占到位资金比例", "Industrial share of arrived capital"),
     ("工业项目的到位资金 ÷ 到位资金", "capital arrived in industrial projects / capital arrived"))
_add("incentives_promised", "money", ("承诺的优惠", "Incentives promised"),
     ("签约时向签约项目承诺的优惠", "incentives promised at signing to the projects signed"))
_add("incentives_paid", "money", ("兑现的优惠", "Incentives paid"), ("实际兑现的优惠", "incentives actually paid"))
_add("promises_due", "count", ("到期的优惠承诺", "Promises due"),
     ("已开工、应当兑现优惠的项目", "projects that started building and were due their promised incentive"), PROJECTS)
_add("promises_broken", "count", ("未兑现的优惠承诺", "Promises broken"),
     ("应当兑现而未兑现优惠的项目", "projects due an incentive that was not paid"), PROJECTS)
_add("promises_paid_late", "count", ("申诉后兑现的承诺", "Promises paid late"),
     ("经申诉后才兑现优惠的项目", "projects whose incentive was paid late, after an appeal"), PROJECTS)
_add("promises_dropped_by_successors", "count", ("新官不理旧账的承诺", "Promises dropped by successors"),
     ("新任领导不再认账的前任承诺（新官不理旧账）", "a predecessor's promises a new leader dropped (新官不理旧账)"),
     ("项", "promises"))
_add("promises_unfunded", "count", ("因缺钱未兑现的承诺", "Promises unfunded"),
     ("因资金不足（而非新官不认账）未兑现优惠的项目", "projects whose incentive was not paid for want of money (not "
                                              "dropped by a new leader)"), PROJECTS)
_add("honouring_rate", "rate", ("优惠兑现率", "Incentives honoured"),
     ("兑现了优惠的项目 ÷ 应当兑现的项目", "projects paid their incentive / projects due one"))
_add("leader_rotations", "count", ("领导调动", "Leader rotations"),
     ("各级政府主要领导的调动次数", "times a government's leader was replaced"), ("次", "rotations"))
_add("stop_go_years", "count", ("政策中断的年份", "Stop-go years"),
     ("新任市级领导改变策略、预算削减的年份", "years in which a new city leader changed course and the budget was cut"),
     ("年", "years"))
_add("stalled_projects", "count", ("停工烂尾项目", "Stalled projects"),
     ("模拟期末停工烂尾的项目", "projects stalled half-built at the end of the run"), PROJECTS)
_add("stalls", "count", ("停工次数", "Stalls"),
     ("在建项目停工（烂尾）的次数（复工后再停工再计一次）", "times a project under construction stalled (a project "
                                               "that resumed and stalled again counts again)"), ("次", "stalls"))
_add("idle_created_mu", "land", ("新增闲置土地", "Idle land created"),
     ("建成后撤出或关停的项目留下的闲置土地", "land left idle by projects that withdrew or closed after building"))
_add("idle_revitalised_mu", "land", ("盘活的闲置土地", "Idle land revitalised"),
     ("盘活后重新投入使用的闲置土地和厂房", "idle land and plant brought back into use"))
_add("late_handoffs", "count", ("签约后转交区县", "Late hand-offs"),
     ("签约后因市级园区无地而转交区县的项目", "signed projects handed to a county because the city park had no land"),
     PROJECTS)
_add("handoff_share", "share", ("市级接洽转交区县比例", "Share of city contacts handed to a county"),
     ("市级接洽后转交区县的客商 ÷ 市级接洽的客商", "city contacts handed to a county / prospects the city contacted"))
_add("prospects_courted_by_several", "count", ("被多个区县争抢的客商", "Prospects courted by several counties"),
     ("同月被两个以上区县接洽的客商", "prospects that two or more counties contacted in the same month"), PROSPECTS)
_add("bidding_extra_promised", "money", ("争抢多承诺的优惠", "Extra incentive promised in bidding"),
     ("区县为争抢客商在标准之外多承诺的优惠", "incentive promised beyond the published rate to outbid another county"))
_add("bidding_extra_per_courted_signing", "money_per_unit", ("每个被争抢签约项目多承诺的优惠", "Extra incentive per courted signing"),
     ("争抢多承诺的优惠 ÷ 被争抢后签约的项目", "extra incentive promised in bidding / courted prospects that signed"),
     ("万元/个", "10,000 yuan per project"))
_add("bidding_extra_paid", "money", ("争抢多兑现的优惠", "Extra incentive paid for bidding"),
     ("实际兑现的优惠中为争抢而多给的部分", "the part of the incentives paid that outbid another county"))
_add("bidding_extra_paid_per_project", "money_per_unit", ("每个兑现项目多兑现的优惠", "Extra incentive paid per project"),
     ("争抢多兑现的优惠 ÷ 兑现了优惠的项目", "extra incentive paid for bidding / projects paid an incentive"),
     ("万元/个", "10,000 yuan per project"))
_add("courted_lost", "count", ("被争抢而流失的客商", "Courted prospects lost"),
     ("被多个区县争抢、最终未签约离开的客商", "prospects courted by several counties that left without signing"), PROSPECTS)
_add("fund_backed_loans", "count", ("基金担保的贷款", "Fund-backed loans"),
     ("银行拒贷后由产业引导基金担保或投资的项目", "projects whose refused loan the investment fund guaranteed or "
                                         "replaced"), PROJECTS)
_add("budget_held_at_start", "money", ("期初基金留存", "Money held in the funds at the start"),
     ("第0月（预热结束时）两项基金的余额和仍被占用的担保与投资：期内的预算之外、由预热期结转而来的钱",
      "the two funds' balances and the guarantees or stakes still tied up at month 0 (the end of the spin-up): money "
      "carried over from before month 0, on top of the budget since"))
_add("budget_tax_fed_back", "money", ("税收返还的预算", "Budget from tax fed back"),
     ("第0月以来各年预算中由新投产企业税收按比例返还的部分（其余为财政基数拨款）",
      "the part of each year's budget since month 0 that came back from the tax of young firms (the rest is the base "
      "transfer)"))
_add("budget_borrowed", "money", ("园区借款", "Park borrowing"),
     ("至今为建设园区借入的本金（融资杠杆大于 1 时）；按期限分年等额还本，利息按余额计，均从预算中先行支付",
      "principal borrowed for the park so far (with a financing leverage above 1), repaid in equal yearly "
      "instalments over the loan term with interest on what is outstanding, both paid from the budget first"),
     phrase=("园区借款", "park borrowing"))
_add("screened_out", "count", ("被甄别剔除的项目", "Screened out"),
     ("洽谈中被甄别为不实而剔除的项目", "negotiations ended because screening found the project not serious"), PROJECTS)
_add("declined", "count", ("未进入洽谈的客商", "Declined"),
     ("被接洽后不愿进入洽谈的次数", "contacted prospects that did not go on to negotiate"), ("次", "contacts"))
_add("handoffs", "count", ("市县转交", "Hand-offs"),
     ("市级接洽后转交区县的客商", "city contacts handed to a county"), PROSPECTS)
_add("reinvested_capital", "money", ("追加投资", "Reinvested capital"),
     ("投产企业的追加投资", "capital operating firms added by expanding"))
_add("mean_land_wait_months", "months", ("平均等地时间", "Mean wait for land"),
     ("签约项目从需要用地起等待熟地的平均月数（拿到地、放弃或至期末为止）",
      "mean months a signed project ready to build waited for serviced land (until it got land, gave up, or the run ended)"))
_add("cost_per_job", "money_per_unit", ("每个岗位成本", "Cost per job"),
     ("总支出 ÷ 就业岗位", "money spent / jobs"), ("万元/个岗位", "10,000 yuan per job"),
     phrase=("每个岗位成本", "cost per job"), lower_is_better=True)
_add("cost_per_10k_arrived", "money_per_unit", ("每万元到位资金的成本", "Cost per 10,000 yuan arrived"),
     ("总支出 ÷ 到位资金（万元）", "money spent / capital arrived (万元)"), ("万元/万元", "yuan per yuan"),
     lower_is_better=True)
_add("jobs_per_10k_spent", "ratio", ("每万元支出带来的岗位", "Jobs per 10,000 yuan spent"),
     ("就业岗位 ÷ 总支出（万元）", "jobs / money spent (万元)"), ("个/万元", "jobs per 10,000 yuan"))
_add("arrived_per_10k_spent", "ratio", ("每万元支出带来的到位资金", "Arrived capital per 10,000 yuan spent"),
     ("到位资金 ÷ 总支出", "capital arrived / money spent"), ("万元/万元", "yuan per yuan"))

# ----------------------------------------------------------------------------- nested summary tables, flattened
_STAGES_LEFT_FROM = ("negotiating", "signed", "building", "operating")
"""The stages a withdrawal is recorded from (``withdrawals_by_reason_and_stage``)."""

for _r in REASONS:
    _zh, _en = REASON_NAMES[_r][0], _lower(REASON_NAMES[_r][1])
    _add(f"withdrawals_by_reason.{_r}", "count", (f"撤出：{_zh}", f"Withdrawn: {_en}"),
         (f"因“{_zh}”撤出或关停的项目（各阶段）", f"projects that left for the reason '{_en}' (every stage)"), PROJECTS)
for _r in REASONS:
    _zh, _en = REASON_NAMES[_r][0], _lower(REASON_NAMES[_r][1])
    _add(f"withdrawals_after_signing_by_reason.{_r}", "count", (f"签约后撤出：{_zh}", f"Withdrawn after signing: {_en}"),
         (f"签约后因“{_zh}”撤出或关停的项目", f"signed projects that left for the reason '{_en}'"), PROJECTS)
for _r in REASONS:
    _zh, _en = REASON_NAMES[_r][0], _lower(REASON_NAMES[_r][1])
    for _s in _STAGES_LEFT_FROM:
        _add(f"withdrawals_by_reason_and_stage.{_r}.{_s}", "count",
             (f"{STAGES[_s][0]}阶段撤出：{_zh}", f"Withdrawn while {_lower(STAGES[_s][1])}: {_en}"),
             (f"在“{STAGES[_s][0]}”阶段因“{_zh}”撤出或关停的项目",
              f"projects that left at the stage '{_lower(STAGES[_s][1])}' for the reason '{_en}'"), PROJECTS)
for _lever, (_zh, _en) in LEVERS.items():
    _add(f"spent_by_lever.{_lever}", "money", (f"支出：{_zh}", f"Spent: {_lower(_en)}"),
         (f"用于“{_zh}”的支出", f"money spent on {_lower(_en)}"))
for _lever in BUDGET_LEVERS:
    _zh, _en = LEVERS[_lever]
    _add(f"allotted_by_lever.{_lever}", "money", (f"拨付：{_zh}", f"Allotted: {_lower(_en)}"),
         (f"分配给“{_zh}”的资金（含尚未支出的）", f"money allotted to {_lower(_en)}, spent or not"))
    _add(f"held_by_lever.{_lever}", "money", (f"结存：{_zh}", f"Held: {_lower(_en)}"),
         (f"分配给“{_zh}”但期末尚未支出的资金（基金余额及仍投在项目中的资金）",
          f"money allotted to {_lower(_en)} and not yet paid out at the end (fund balances and stakes in projects)"))
for _k in COHORT_MONTHS:
    _add(f"cohort_projects_{_k}m", "count", (f"随访{_k}个月的签约项目", f"Signed projects followed {_k} months"),
         (f"签约后可随访 {_k} 个月的项目（第 1 至 t-{_k} 个月签约；随访 {_k} 个月各比率的分母）",
          f"projects signed early enough to be followed {_k} months (signed in months 1 to t - {_k}; the "
          f"denominator of the {_k}-month cohort rates)"), PROJECTS, phrase=("签约项目", "projects signed"))
    for _c, (_kind, _label, _definition, _phrase) in _COHORT_COUNTS.items():
        _add(f"cohort_{_c}_{_k}m", _kind, _fill(_label, k=_k), _fill(_definition, k=_k),
             PROJECTS if _kind == "count" else None, phrase=_phrase)
for _source, (_zh, _en) in SOURCES.items():
    _add(f"signed_by_source.{_source}", "count", (f"签约项目来源：{_zh}", f"Signed through: {_lower(_en)}"),
         (f"线索来自“{_zh}”的签约项目", f"signed projects whose lead came from {_lower(_en)}"), PROJECTS)
_A = HEADLINE_COHORT_MONTHS
for _r in (*REASONS, "waiting", "stalled"):
    _zh, _en = (REASON_NAMES[_r][0], _lower(REASON_NAMES[_r][1])) if _r in REASON_NAMES else PLACES[_r]
    _what = (f"因“{_zh}”撤出或关停", f"had left for the reason '{_en}' (before or after starting)") \
        if _r in REASON_NAMES else {
            "waiting": ("仍在等待开工（等地、等审批或等资金）", "were still waiting to start (for land, approvals or money)"),
            "stalled": ("停工烂尾", "were stalled (烂尾)")}[_r]
    _add(f"cohort_not_fulfilled_{_A}m.{_r}", "count", (f"{_A}个月未履约：{_zh}", f"Not fulfilled at {_A} months: {_en}"),
         (f"签约后第 {_A} 个月时未在建也未投产的项目中{_what[0]}的", f"projects of the {_A}-month cohort that were "
                                                        f"neither building nor operating {_A} months after signing "
                                                        f"and {_what[1]}"), PROJECTS)
for _r in (*REASONS, "waiting"):
    _zh, _en = (REASON_NAMES[_r][0], _lower(REASON_NAMES[_r][1])) if _r in REASON_NAMES else PLACES[_r]
    _what = (f"因“{_zh}”撤出", f"had left for the reason '{_en}'") if _r in REASON_NAMES else \
        ("仍在等待开工（等地、等审批或等资金）", "were still waiting to start (for land, approvals or money)")
    _add(f"cohort_not_started_{_A}m.{_r}", "count", (f"{_A}个月未开工：{_zh}", f"Not started at {_A} months: {_en}"),
         (f"签约后 {_A} 个月仍未开工的项目中{_what[0]}的", f"projects of the {_A}-month cohort that had not started "
                                                    f"{_A} months after signing and {_what[1]}"), PROJECTS)
for _g in (*REASONS, *PLACES):
    _zh, _en = (REASON_NAMES[_g][0], _lower(REASON_NAMES[_g][1])) if _g in REASON_NAMES else PLACES[_g]
    _where = (f"因“{_zh}”撤出或关停的", f"that left for the reason '{_en}'") if _g in REASON_NAMES else \
        (f"期末{_zh}的", f"{_en} at the end of the run")
    _add(f"capital_gap.{_g}", "money", (f"未到位资金：{_zh}", f"Capital not arrived: {_en}"),
         (f"{_where[0]}签约项目签约而未到位的资金", f"capital signed but not arrived, of signed projects {_where[1]}"))
    _add(f"capital_gap_projects.{_g}", "count", (f"签约项目：{_zh}", f"Signed projects: {_en}"),
         (f"{_where[0]}签约项目", f"signed projects {_where[1]}"), PROJECTS)

_add("capital_gap.signed_before", "money", ("未到位资金：此前签约项目本期到位（负值）", "Capital not arrived: projects signed before month 0 (arrived since, negative)"),
     ("月 0 之前签约的项目自月 0 起到位的资金，记为负值（它加入到位资金）",
      "capital that arrived since month 0 in projects signed before it, as a negative gap (it adds to arrived capital)"))
_add("capital_gap_projects.signed_before", "count", ("签约项目：月 0 之前签约、此后到位", "Signed projects: before month 0, capital arriving since"),
     ("月 0 之前签约、自月 0 起有资金到位的项目", "projects signed before month 0 whose capital arrived since"), PROJECTS)

OUTPUTS: dict[str, Output] = {o.name: o for o in _ENTRIES}
"""Every output by name: the monthly columns and the flattened summary keys, except the families whose keys
depend on the run, described by :func:`describe`: ``cohorts_by_year`` (its years depend on the horizon),
``spent_by_government`` and ``results_by_government`` (their governments on the region)."""

BY_GOVERNMENT = "spent_by_government."
_BY_GOVERNMENT = re.compile(r"spent_by_government\.(?P<gov>[^.]+)\.(?P<lever>[^.]+)")


def _by_government(name: str) -> Output | None:
    """A key of ``spent_by_government`` (``spent_by_government.<government>.channels``): what one government spent on
    one lever. An account, not compared between strategies (the analysis compares ``spent_by_lever``)."""
    m = _BY_GOVERNMENT.fullmatch(name)
    if not m or m["lever"] not in LEVERS:
        return None
    gzh = gen = m["gov"]  # a government's id: its names are the region's (sim.region)
    zh, en = LEVERS[m["lever"]]
    return Output(name, "money", (f"{gzh}支出：{zh}", f"{gen}, spent: {_lower(en)}"),
                  (f"{gzh}用于“{zh}”的支出", f"money {gen} spent on {_lower(en)}"), UNITS["money"], effect=False)


RESULTS_BY_GOVERNMENT = "results_by_government."
_RESULTS_BY_GOVERNMENT = re.compile(r"results_by_government\.(?P<gov>[^.]+)\.(?P<what>[a-z_]+)")
_GOVERNMENT_RESULTS: dict[str, tuple[str, Pair, Pair]] = {
    "signed_projects": ("count", ("签约项目", "signed projects"), PROJECTS),
    "arrived_capital": ("money", ("到位资金", "arrived capital"), UNITS["money"]),
    "jobs": ("jobs", ("就业岗位", "jobs"), UNITS["jobs"]),
    "promises_broken": ("count", ("未兑现的优惠承诺", "promises broken"), PROJECTS),
}
"""What ``results_by_government`` counts (``sim.model.outputs.GOVERNMENT_RESULTS``): kind, name, unit."""


def _results_by_government(name: str) -> Output | None:
    """A key of ``results_by_government`` (``results_by_government.<government>.jobs``): what one government's projects
    brought (signed projects, arrived capital and jobs by the government whose land the project uses; promises
    broken by the government that made them). An account, not compared between strategies by default."""
    m = _RESULTS_BY_GOVERNMENT.fullmatch(name)
    if not m or m["what"] not in _GOVERNMENT_RESULTS:
        return None
    gzh = gen = m["gov"]  # a government's id: its names are the region's (sim.region)
    kind, (zh, en), unit = _GOVERNMENT_RESULTS[m["what"]]
    return Output(name, kind, (f"{gzh}：{zh}", f"{gen}: {en}"),
                  (f"{gzh}的{zh}（按项目用地所在政府计；未兑现承诺按作出承诺的政府计）",
                   f"{en} of {gen} (by the government whose land the project uses; promises by the government that "
                   "made them)"), unit, effect=False)


COHORTS_BY_YEAR = "cohorts_by_year."
_BY_YEAR = re.compile(r"cohorts_by_year\.year_(?P<year>\d+)\."
                      r"(?P<what>projects|capital_signed|(?P<rate>" + "|".join((*_COHORT_RATES, *_COHORT_COUNTS))
                      + r")_(?P<k>\d+)m)")


def _by_year(name: str) -> Output | None:
    """A key of ``cohorts_by_year`` (``cohorts_by_year.year_2.fulfilment_rate_24m``): a cohort rate or count of one
    signing year, or the projects it signed and their capital."""
    m = _BY_YEAR.fullmatch(name)
    if not m:
        return None
    year = int(m["year"])
    lo, hi = MONTHS_PER_YEAR * (year - 1) + 1, MONTHS_PER_YEAR * year
    prefix = f"{COHORTS_BY_YEAR}year_{year}."
    window = (f"（第 {lo}-{hi} 个月签约的项目）", f" (projects signed in months {lo}-{hi})")
    if m["what"] == "projects":
        return Output(name, "count", (f"第{year}年签约项目", f"Projects signed in year {year}"),
                      (f"第 {lo}-{hi} 个月签约的项目", f"projects signed in months {lo}-{hi}"), PROJECTS,
                      phrase=("签约项目", "projects signed"))
    if m["what"] == "capital_signed":
        return Output(name, "money", (f"第{year}年签约资金", f"Capital signed in year {year}"),
                      (f"第 {lo}-{hi} 个月签约的项目写入合同的资金", f"capital in the contracts of the projects signed "
                                                          f"in months {lo}-{hi}"), UNITS["money"],
                      phrase=("签约资金", "capital signed"))
    if m["rate"] in _COHORT_COUNTS:
        kind, label, definition, phrase = _COHORT_COUNTS[m["rate"]]
        zh, en = _fill(label, k=m["k"])
        dzh, den = _fill(definition, k=m["k"])
        return Output(name, kind, (f"第{year}年签约：{zh}", f"Signed in year {year}: {_lower(en)}"),
                      (dzh + window[0], den + window[1]), PROJECTS if kind == "count" else UNITS[kind], phrase=phrase)
    label, definition, _ = _COHORT_RATES[m["rate"]]
    zh, en = _fill(label, k=m["k"])
    dzh, den = _fill(definition, k=m["k"])
    num, den_key = _RATE_PARTS[m["rate"]]
    parts = tuple(prefix + (p if p in ("projects", "capital_signed") else f"{p}_{m['k']}m") for p in (num, den_key))
    return Output(name, "rate", (f"第{year}年签约：{zh}", f"Signed in year {year}: {_lower(en)}"),
                  (dzh + window[0], den + window[1]), UNITS["rate"], parts=parts)


FULFILMENT = f"cohort_fulfilment_rate_{HEADLINE_COHORT_MONTHS}m"
"""履约率: projects building or operating 24 months after their signing (started and not withdrawn, closed or
stalled then), over the projects signed (every signing that can be followed 24 months by the horizon)."""
START_RATE = f"cohort_start_rate_{HEADLINE_COHORT_MONTHS}m"
"""开工率 of the same cohort, as the Lanzhou fair reports count it: projects that began building within 24 months
of signing, whatever became of them, over the projects signed (the rate the calibration compares)."""
CAPITAL_ARRIVAL = f"cohort_capital_arrival_rate_{HEADLINE_COHORT_MONTHS}m"
"""资金到位率 of the same cohort: capital arrived 24 months after signing over the capital signed."""
HEADLINE: tuple[str, ...] = (FULFILMENT, CAPITAL_ARRIVAL, "jobs")
"""The three outputs the briefing leads with: the cohort 履约率 and 资金到位率 (no calendar artefact: each project
is observed 24 months after its own signing), and jobs."""

DERIVED: dict[str, Output] = {o.name: o for o in (
    Output("incremental_cost_per_job", "money_per_unit", ("每个新增岗位的成本", "Cost per extra job"),
           ("比基线多支出 ÷ 比基线多创造的岗位（仅在支出和岗位都确定增加时给出）",
            "extra spending against the baseline / extra jobs (given only where both spending and jobs rise for certain)"),
           ("万元/个岗位", "10,000 yuan per job"), summary=False, effect=False, lower_is_better=True),
    Output("incremental_arrived_per_10k", "ratio", ("每万元新增支出带来的新增到位资金", "Extra capital per extra 10,000 yuan"),
           ("比基线多到位的资金 ÷ 比基线多支出（仅在支出和到位资金都确定增加时给出）",
            "extra capital arrived against the baseline / extra spending (given only where both spending and arrived "
            "capital rise for certain)"),
           ("万元/万元", "yuan per yuan"), summary=False, effect=False),
    Output("share", "share", ("占比", "Share"), ("占同类合计的比例", "share of the total of its kind"), UNITS["share"],
           summary=False, effect=False),
)}
"""Quantities the analysis derives from outputs and the briefing prints (not produced by a run)."""


def describe(name: str) -> Output | None:
    """The description of an output (a monthly column, a flattened summary key or a quantity the analysis derives),
    or None for a name this version does not know (a column stored by another version)."""
    return (OUTPUTS.get(name) or DERIVED.get(name) or _by_year(name) or _by_government(name)
            or _results_by_government(name))


def kind(name: str) -> str | None:
    """The kind of an output (one of :data:`KINDS`), None when unknown."""
    o = describe(name)
    return o.kind if o else None


def is_rate(name: str) -> bool:
    """True for outputs on a 0-1 scale (rates, shares, indices): shown in percent, compared in percentage points."""
    o = describe(name)
    return bool(o and o.is_rate)


def label(name: str, lang: str) -> str:
    """The output's label (tables, axes, legends), or its name when unknown."""
    o = describe(name)
    return pick(o.label, lang) if o else name


def phrase(name: str, lang: str) -> str:
    """The output's name inside a sentence (履约率, "the capital-arrival rate"), else its label, else its name."""
    o = describe(name)
    if o is None:
        return name
    return pick(o.phrase or o.label, lang)


def unit(name: str, lang: str) -> str:
    """The unit of the stored value ("万元", "0-1", "projects"...), '' when unknown."""
    o = describe(name)
    return pick(o.unit, lang) if o else ""


def definition(name: str, lang: str) -> str:
    """The output's definition in one line, or its name when unknown."""
    o = describe(name)
    return pick(o.definition, lang) if o else name


def compared(name: str) -> bool:
    """True when the analysis compares the output between strategies (every output a version does not know is)."""
    o = describe(name)
    return o.effect if o else True


def higher_is_better(name: str) -> bool:
    """True unless a smaller value of the output is the better one (costs)."""
    o = describe(name)
    return not (o and o.lower_is_better)
