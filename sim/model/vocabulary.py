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
    **{r: (f"因“{zh}”撤出", f"withdrawals for '{en.lower()}'") for r, (zh, en) in REASON_NAMES.items()},
}
"""The mechanisms of the decomposition of an effect (``sim.analysis.decompose``): withdrawals for each reason,
projects waiting or stalled, capital still to come, and the three factors of signed capital."""

STRATEGIES: dict[str, Pair] = {
    "optimum": ("优化配置", "robust allocation"),
    "recommended": ("推荐方案", "Recommended allocation"),
    "baseline": ("现状基线", "baseline"),
}
"""Strategies named by the analysis rather than by a scenario file's title: the optimiser's robust allocation
and the baseline (used when no title is at hand)."""

MEASURES: dict[str, Pair] = {
    "budget": ("年度招商经费", "Yearly attraction budget"),
    "assessment": ("差异化考核", "Differentiated assessment"),
    "incentive_terms": ("优惠政策标准", "Terms of incentives"),
    "channel_mix": ("招商渠道组合", "Mix of promotion channels"),
    "monitoring": ("季度监测", "Quarterly monitoring"),
}
"""Measures a strategy takes that are not an item of spending (``LEVERS``): the size of the yearly budget, how
officials are assessed, the terms of incentives, the mix of channels, and the monitoring of the plan."""

OWNERS: dict[str, Pair] = {
    "leaders": ("市委、市政府", "The city's Party committee and government"),
    "government_office": ("市政府办公室", "City government office"),
    "promotion_bureau": ("市投资促进局", "City investment-promotion bureau"),
    "development_reform": ("市发展和改革委员会", "City development and reform commission"),
    "finance": ("市财政局", "City finance bureau"),
    "natural_resources": ("市自然资源局", "City natural-resources bureau"),
    "service_centre": ("市政务服务中心", "City administrative-service centre"),
    "park_committee": ("工业园区管委会", "Industrial park management committee"),
    "industry": ("市工业和信息化局", "City industry and information-technology bureau"),
    "organisation": ("市委组织部", "Organisation department of the city's Party committee"),
    "human_resources": ("市人力资源和社会保障局", "City human-resources and social-security bureau"),
    "political_legal": ("市委政法委", "Political and legal affairs commission of the city"),
    "publicity": ("市委宣传部", "Publicity department of the city's Party committee"),
    "commerce_federation": ("市工商联", "City federation of industry and commerce"),
    "statistics": ("市统计局", "City statistics bureau"),
    "banks": ("人民银行市分行及驻市各商业银行", "The central bank's city branch and the commercial banks"),
    "tax": ("市税务局", "City tax bureau"),
    "vertical_units": ("驻市条管单位", "Vertical units in the city"),
    "counties": ("各县区人民政府", "County and district governments"),
}
"""Who carries out a measure: the city's leaders and offices, its bureaus, the vertical units (条管单位: banks, the
tax bureau) and the county governments (one vocabulary for the memo's 牵头单位 and 责任单位)."""

LEVER_OWNERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "channels": ("promotion_bureau", ("counties",)),
    "park": ("development_reform", ("natural_resources", "finance", "park_committee")),
    "idle_assets": ("natural_resources", ("counties", "park_committee")),
    "incentive_fund": ("finance", ("promotion_bureau", "counties")),
    "investment_fund": ("finance", ("banks", "promotion_bureau")),
    "training": ("organisation", ("promotion_bureau", "service_centre")),
    "tracking": ("promotion_bureau", ("development_reform", "counties")),
    "forums": ("promotion_bureau", ("banks", "tax", "commerce_federation")),
    "local_firms": ("industry", ("commerce_federation", "counties")),
    "legal": ("political_legal", ("counties",)),
    "atmosphere": ("publicity", ("commerce_federation", "counties")),
    "park_interest": ("finance", ("park_committee",)),
    "one_stop_centre": ("service_centre", ("vertical_units", "counties")),
    "complaint_centre": ("service_centre", ("counties",)),
    "team": ("promotion_bureau", ("organisation", "human_resources")),
    "city_coordination": ("government_office", ("promotion_bureau", "counties")),
    "vertical_coordination": ("government_office", ("vertical_units", "tax", "banks")),
    "leadership_attention": ("leaders", ("counties",)),
    "persistence": ("leaders", ("counties",)),
    "promise_vetting": ("finance", ("promotion_bureau", "counties")),
    "budget": ("finance", ("counties",)),
    "assessment": ("organisation", ("promotion_bureau", "statistics")),
    "incentive_terms": ("finance", ("promotion_bureau",)),
    "channel_mix": ("promotion_bureau", ("counties",)),
    "monitoring": ("promotion_bureau", ("statistics", "counties")),
}
"""Lever or measure (``LEVERS``, ``MEASURES``) -> (牵头单位 lead unit, 责任单位 units responsible), keys of ``OWNERS``."""

PARAMETER_LEVERS: dict[str, str] = {
    "budget.shares.": "", "budget.base_transfer": "budget", "channels.": "channel_mix",
    "platform.financing_leverage": "park_interest", "service.one_stop_centre": "one_stop_centre",
    "service.complaint_centre": "complaint_centre", "service.vertical_coordination": "vertical_coordination",
    "policy.leadership_attention": "leadership_attention", "policy.team_quality": "team",
    "policy.city_coordination": "city_coordination", "policy.persistence": "persistence",
    "policy.honouring_discipline": "promise_vetting", "policy.assessment_signed_weight": "assessment",
    "policy.incentive_rate": "incentive_terms",
}
"""Dotted parameter key (or prefix ending in ".") -> the lever or measure it sets; "" for the budget shares, whose
entry is the lever itself (``budget.shares.park`` -> ``park``)."""

REMEDIES: dict[str, tuple[str, ...]] = {
    "no_land": ("park", "idle_assets", "tracking"),
    "delay": ("one_stop_centre", "vertical_coordination", "tracking"),
    "loan_refused": ("investment_fund", "forums"),
    "incentive_broken": ("incentive_fund", "promise_vetting"),
    "handoff": ("park", "tracking"),
    "insecurity": ("legal",),
    "not_serious": ("assessment", "team"),
    "contacts": ("channels",),
    "waiting": ("park", "idle_assets", "one_stop_centre", "vertical_coordination"),
}
"""The levers that act on each withdrawal reason in the model (and on the contacts made, and on signed projects
still waiting to start): the park and idle land on serviced land, the centres and tracking on delays, the
investment fund (which backs refused loans) and the bank-enterprise forum on loans, the incentive fund and vetting
on promises, the legal environment on insecurity, assessment on landed capital and a professional team on screening
out unserious projects, channel money on contacts; a signed project starts once its pre-start approvals are done,
its land granted and its hand-off over, so serviced land (the park, idle land), the approval counters (the one-stop
centre, coordination of vertical units) and the park's keeping city projects act on waiting (docs/ODD.md)."""


def measure(key: str, lang: str) -> str:
    """A lever or another measure of a strategy (``LEVERS``, ``MEASURES``) in words."""
    return name(LEVERS, key, lang) if key in LEVERS else name(MEASURES, key, lang)


def lever_of(parameter: str) -> str | None:
    """The lever or measure a dotted parameter key sets (``budget.shares.park`` -> ``park``), None for a setting
    that is not one."""
    best = max((p for p in PARAMETER_LEVERS if parameter == p or (p.endswith(".") and parameter.startswith(p))),
               key=len, default=None)
    if best is None:
        return None
    return PARAMETER_LEVERS[best] or parameter[len(best):]


def owners(lever: str, lang: str) -> tuple[str, list[str]]:
    """(牵头单位, [责任单位...]) of a lever or measure in words; the investment-promotion bureau leads what the table
    does not name."""
    lead, rest = LEVER_OWNERS.get(lever, ("promotion_bureau", ()))
    return name(OWNERS, lead, lang), [name(OWNERS, o, lang) for o in rest]


TABLES: dict[str, dict[str, Pair]] = {
    "stages": STAGES, "funnel": FUNNEL, "reasons": REASON_NAMES, "levers": LEVERS, "channels": CHANNELS,
    "sources": SOURCES, "places": PLACES, "components": COMPONENTS,
    "strategies": STRATEGIES, "measures": MEASURES, "owners": OWNERS,
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
