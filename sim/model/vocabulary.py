"""Names shown to people, in Chinese and English: stages, withdrawal reasons, levers, lead sources, mechanisms.

One place for every name that is not an output (outputs are described in :mod:`sim.model.registry`) or a
parameter. Each table maps a key the model or the analysis uses to a ``(zh, en)`` pair; the model, the
analysis, the briefing, the policy page and the explorer all read them from here. Channel names
stay next to their definitions in :mod:`sim.params` and are gathered here; the names of a region's governments
and sectors come from its files (:mod:`sim.region`). This module imports neither Mesa
nor matplotlib, so reading stored results does not load the model.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.params import CHANNEL_NAMES

Pair = tuple[str, str]
LANGS = ("zh", "en")


def pick(pair: tuple[str, ...], lang: str) -> str:
    """The Chinese or English member of a label pair (``lang`` "zh" or "en")."""
    return pair[0] if lang == "zh" else pair[1]


def name(table: Mapping[str, Pair], key: str, lang: str) -> str:
    """``key`` in words from one of this module's tables, or the key itself when the table does not know it
    (a name stored by another version)."""
    pair = table.get(key)
    return pick(pair, lang) if pair else key


STAGES: dict[str, Pair] = {
    "prospect": ("潜在客商", "Prospect"),
    "contacted": ("接洽", "Contacted"),
    "negotiating": ("洽谈", "Negotiating"),
    "signed": ("签约", "Signed"),
    "building": ("在建", "Building"),
    "operating": ("投产", "Operating"),
    "withdrawn": ("撤出", "Withdrawn"),
    "exited": ("关停", "Closed"),
    "declined": ("未签约离开", "Declined"),
    "stalled": ("停工烂尾", "Stalled"),
}
"""Where a project stands in a month (``sim.model.stages.STAGE_NAMES``)."""

FUNNEL: dict[str, Pair] = {
    "contacted": ("接洽", "Contacted"),
    "negotiating": ("洽谈", "Negotiated"),
    "signed": ("签约", "Signed"),
    "building": ("开工", "Started"),
    "operating": ("投产", "Operating"),
}
"""The stages of the funnel, as stages ever reached by the horizon (``sim.analysis.pipeline.FUNNEL_STAGES``)."""

REASON_NAMES: dict[str, Pair] = {
    "no_land": ("无可用熟地", "No serviced land"),
    "delay": ("审批拖延", "Approval delay"),
    "loan_refused": ("贷款未获批", "Loan refused"),
    "incentive_broken": ("优惠未兑现", "Incentive not honoured"),
    "outside_offer": ("外地条件更优", "Better offer elsewhere"),
    "handoff": ("市县转交摇摆", "City-to-county hand-off"),
    "insecurity": ("法治与治安不安", "Legal insecurity"),
    "not_serious": ("项目不实", "Project not serious"),
    "no_agreement": ("谈判未达成", "No agreement"),
}
"""Why a project left (``sim.model.stages.REASONS``, in that order)."""

LEVERS: dict[str, Pair] = {
    "channels": ("招商渠道", "Promotion channels"),
    "park": ("工业园区建设", "Industrial park"),
    "idle_assets": ("盘活闲置资产", "Idle-asset revitalisation"),
    "incentive_fund": ("优惠兑现资金", "Incentives paid"),
    "investment_fund": ("产业引导基金", "Investment fund"),
    "training": ("干部培训", "Staff training"),
    "tracking": ("项目跟踪", "Project tracking"),
    "forums": ("政银企、政税企座谈会", "Forums"),
    "local_firms": ("扶持本地企业", "Local-firm encouragement"),
    "legal": ("法治环境", "Legal environment"),
    "atmosphere": ("人文环境", "Pro-business atmosphere"),
    "park_interest": ("园区融资利息", "Park loan interest"),
    "park_repayment": ("园区借款还本", "Park loan repayment"),
    "one_stop_centre": ("政务服务中心", "One-stop service centre"),
    "complaint_centre": ("投诉中心", "Complaint centre"),
    "team": ("专业招商队伍", "Promotion team"),
    "city_coordination": ("市级统筹办公室", "City coordination office"),
    "vertical_coordination": ("条管单位联席办公室", "Joint office with vertical units"),
    "leadership_attention": ("领导精力", "Leaders' attention"),
    "persistence": ("政策延续（制度化）", "Persistence (institutionalised)"),
    "promise_vetting": ("优惠承诺审核", "Vetting promises"),
}
"""What money (and priced staff time and attention) is spent on, in the ledger's order
(``sim.model.budget.SPEND_KEYS``: the budget shares, then the running costs, then the vetting of promises)."""

CHANNELS: dict[str, Pair] = dict(CHANNEL_NAMES)
"""Promotion channels (``sim.params.CHANNELS``)."""

SOURCES: dict[str, Pair] = {
    **CHANNELS,
    "partner_lead": ("本地企业合作线索", "Partner leads from local firms"),
    "forum": ("政银企、政税企座谈会", "Forums"),
}
"""Where a lead came from: the promotion channels (``sim.params.CHANNELS``), then local firms' partner leads and
the forums (``sim.model.channels.SOURCES``, in that order)."""

PLACES: dict[str, Pair] = {
    "operating": ("投产", "operating"),
    "building": ("在建", "building"),
    "stalled": ("停工烂尾", "stalled"),
    "waiting": ("等待开工", "waiting to start"),
}
"""Where a signed project stands at the horizon when it has neither withdrawn nor closed (the groups of the
capital accounts, ``sim.model.outputs.CAPITAL_STATUSES``)."""

COMPONENTS: dict[str, Pair] = {
    "waiting": ("24个月仍未开工的项目", "projects still waiting at 24 months"),
    "stalled": ("停工烂尾项目", "stalled half-built projects"),
    "building": ("在建项目未到位资金", "capital still to come from projects building"),
    "operating": ("投产项目未到位资金", "capital never coming from operating projects"),
    "contacts": ("接洽客商数", "contacts"),
    "signings_per_contact": ("每次接洽的签约", "signings per contact"),
    "capital_per_signing": ("每个项目的签约资金", "capital per signing"),
    **{r: (f"“{zh}”撤资", f"'{r.replace('_', ' ')}' withdrawals") for r, (zh, _) in REASON_NAMES.items()},
}
"""The mechanisms of the decomposition of an effect (``sim.analysis.decompose``): withdrawals for each reason,
projects waiting or stalled, capital still to come, and the three factors of signed capital."""

STRATEGIES: dict[str, Pair] = {
    "optimum": ("优化配置", "robust allocation"),
    "baseline": ("现状基线", "baseline"),
}
"""Strategies named by the analysis rather than by a scenario file's title: the optimiser's robust allocation
and the baseline (used when no title is at hand)."""

TABLES: dict[str, dict[str, Pair]] = {
    "stages": STAGES, "funnel": FUNNEL, "reasons": REASON_NAMES, "levers": LEVERS, "channels": CHANNELS,
    "sources": SOURCES, "places": PLACES, "components": COMPONENTS,
    "strategies": STRATEGIES,
}
"""Every table of names, by what it names (for checks and for listing the vocabulary)."""

def stage(key: str, lang: str) -> str:
    """A pipeline stage in words."""
    return name(STAGES, key, lang)


def reason(key: str, lang: str) -> str:
    """A withdrawal reason in words."""
    return name(REASON_NAMES, key, lang)


def lever(key: str, lang: str) -> str:
    """A lever (a budget share, an institution's running cost, staff or leaders' attention) in words."""
    return name(LEVERS, key, lang)


def component(key: str, lang: str) -> str:
    """A mechanism of the decomposition in words."""
    return name(COMPONENTS, key, lang)


def month_axis(lang: str) -> str:
    """Label of a time axis in months."""
    return "月份（自策略实施起）" if lang == "zh" else "Month since the strategy began"
