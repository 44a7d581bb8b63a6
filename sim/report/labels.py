"""Bilingual labels for outputs, stages, reasons, levers and units."""

from __future__ import annotations

from sim.model.agents import REASON_NAMES_ZH, REASONS
from sim.params import CHANNEL_NAMES_ZH

OUTPUT_LABELS = {
    "signed_projects": ("签约项目", "Signed projects", "个", "projects"),
    "signed_capital": ("签约资金", "Signed capital", "亿元", "100 million yuan"),
    "arrived_capital": ("到位资金", "Arrived capital", "亿元", "100 million yuan"),
    "start_rate": ("开工率", "Start rate", "%", "%"),
    "fulfilment_rate": ("履约率", "Fulfilment rate", "%", "%"),
    "completion_rate": ("投产率", "Completion rate", "%", "%"),
    "capital_arrival_rate": ("资金到位率", "Capital-arrival rate", "%", "%"),
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
}

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

CHANNEL_LABELS = {k: (v, k.replace("_", " ").capitalize()) for k, v in CHANNEL_NAMES_ZH.items()}


def pick(pair: tuple[str, ...], lang: str) -> str:
    """The Chinese or English member of a label pair."""
    return pair[0] if lang == "zh" else pair[1]


def month_axis(lang: str) -> str:
    """Label of a time axis in months."""
    return "月份（自策略实施起）" if lang == "zh" else "Month since the strategy began"
