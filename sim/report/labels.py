"""Bilingual labels for outputs, stages, reasons, levers and units."""

from __future__ import annotations

from sim.model.stages import REASON_NAMES_ZH, REASONS
from sim.params import CHANNEL_NAMES_ZH

OUTPUT_LABELS = {
    "signed_projects": ("签约项目", "Signed projects", "个", "projects"),
    "signed_capital": ("签约资金", "Signed capital", "亿元", "100 million yuan"),
    "arrived_capital": ("到位资金", "Arrived capital", "亿元", "100 million yuan"),
    **{f"cohort_start_rate_{k}m": (f"履约率（{k}个月）", f"Fulfilment ({k} months)", "%", "%") for k in (12, 24, 36)},
    **{f"cohort_completion_rate_{k}m": (f"投产率（{k}个月）", f"Completion ({k} months)", "%", "%") for k in (12, 24, 36)},
    **{f"cohort_capital_arrival_rate_{k}m": (f"资金到位率（{k}个月）", f"Capital arrival ({k} months)", "%", "%")
       for k in (12, 24, 36)},
    "share_started_to_date": ("至今已开工项目占比", "Share started to date", "%", "%"),
    "share_building_or_operating_now": ("当前在建或投产项目占比", "Share building or operating now", "%", "%"),
    "share_completed_to_date": ("至今已投产项目占比", "Share completed to date", "%", "%"),
    "share_capital_arrived_to_date": ("至今到位资金占签约资金比例", "Share of signed capital arrived to date", "%", "%"),
    "large_project_share": ("大项目占比", "Share of large projects", "%", "%"),
    "industrial_share": ("工业项目占比", "Share of industrial projects", "%", "%"),
    "jobs": ("就业岗位", "Jobs", "个", "jobs"),
    "tax_revenue": ("累计税收", "Tax revenue", "万元", "10,000 yuan"),
    "mean_approval_months": ("平均审批时间", "Mean approval time", "月", "months"),
    "budget_spent": ("支出", "Budget spent", "万元", "10,000 yuan"),
    "satisfaction": ("客商满意度", "Investor satisfaction", "0-1", "0-1"),
    "honouring_rate": ("优惠兑现率", "Incentives honoured", "%", "%"),
    "duplicated_contacts": ("重复接洽", "Duplicated contacts", "次", "contacts"),
    "partner_leads": ("本地企业合作线索", "Partner leads from local firms", "条", "leads"),
    "cost_per_job": ("每个岗位成本", "Cost per job", "万元", "10,000 yuan"),
    "budget_total": ("可用预算", "Budget available", "万元", "10,000 yuan"),
    "prospects_contacted": ("接洽客商", "Prospects contacted", "个", "prospects"),
    "operating_projects": ("投产项目", "Operating projects", "个", "projects"),
    "large_share_started": ("开工项目中大项目占比", "Share of large projects among those started", "%", "%"),
    "large_share_completed": ("投产项目中大项目占比", "Share of large projects among those completed", "%", "%"),
    "industrial_share_started": ("开工项目中工业项目占比", "Share of industrial projects among those started", "%", "%"),
    "industrial_share_completed": ("投产项目中工业项目占比", "Share of industrial projects among those completed", "%", "%"),
    "jobs_per_10k_spent": ("每万元支出带来的岗位", "Jobs per 10,000 yuan spent", "个/万元", "jobs per 10,000 yuan"),
    "arrived_per_10k_spent": ("每万元支出带来的到位资金", "Arrived capital per 10,000 yuan spent", "万元/万元",
                              "yuan per yuan"),
    "n_operating": ("投产项目", "Operating projects", "个", "projects"),
}

LEVER_LABELS = {
    "channels": ("招商渠道", "Promotion channels"),
    "park": ("工业园区建设", "Industrial park"),
    "idle_assets": ("盘活闲置资产", "Idle-asset revitalisation"),
    "incentive_fund": ("优惠兑现资金", "Incentives paid"),
    "training": ("干部培训", "Staff training"),
    "tracking": ("项目跟踪", "Project tracking"),
    "forums": ("政银企、政税企座谈会", "Forums"),
    "local_firms": ("扶持本地企业", "Local-firm encouragement"),
    "legal": ("法治环境", "Legal environment"),
    "atmosphere": ("人文环境", "Pro-business atmosphere"),
    "institutions": ("服务中心与投诉中心", "Service and complaint centres"),
    "park_interest": ("园区融资利息", "Park loan interest"),
}
"""Budget levers (``spent_by_lever`` keys, sim.model.budget.SPEND_KEYS)."""

STAGE_LABELS = {
    "contacted": ("接洽", "Contacted"),
    "negotiating": ("洽谈", "Negotiating"),
    "signed": ("签约", "Signed"),
    "building": ("在建", "Building"),
    "operating": ("投产", "Operating"),
    "withdrawn": ("撤出", "Withdrawn"),
}

REASON_LABELS = {r: (REASON_NAMES_ZH[r], r.replace("_", " ").capitalize()) for r in REASONS}
REASON_LABELS["outside_offer"] = (REASON_NAMES_ZH["outside_offer"], "Better offer elsewhere")
REASON_LABELS["handoff"] = (REASON_NAMES_ZH["handoff"], "City-to-county hand-off")
REASON_LABELS["incentive_broken"] = (REASON_NAMES_ZH["incentive_broken"], "Incentive not honoured")
REASON_LABELS["insecurity"] = (REASON_NAMES_ZH["insecurity"], "Legal insecurity")
REASON_LABELS["no_land"] = (REASON_NAMES_ZH["no_land"], "No serviced land")
REASON_LABELS["delay"] = (REASON_NAMES_ZH["delay"], "Approval delay")
REASON_LABELS["not_serious"] = (REASON_NAMES_ZH["not_serious"], "Project not serious")

CHANNEL_LABELS = {k: (v, k.replace("_", " ").capitalize()) for k, v in CHANNEL_NAMES_ZH.items()}


def pick(pair: tuple[str, ...], lang: str) -> str:
    """The Chinese or English member of a label pair."""
    return pair[0] if lang == "zh" else pair[1]


def month_axis(lang: str) -> str:
    """Label of a time axis in months."""
    return "月份（自策略实施起）" if lang == "zh" else "Month since the strategy began"
