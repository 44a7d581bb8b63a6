"""Bilingual labels of parameters and of the time axis (outputs are described in sim.model.registry, other names
in sim.model.vocabulary)."""

from __future__ import annotations

from sim.model.vocabulary import pick

PARAM_LABELS = {
    "population.serious_share": ("有真实投资意向的客商比例", "Share of prospects who really mean to build"),
    "population.patience_months": ("客商可容忍的审批等待", "Months of waiting investors tolerate"),
    "population.capital_sigma": ("项目规模离散程度", "Spread of project size"),
    "population.ties_per_investor": ("客商之间的联系数", "Ties between investors"),
    "behaviour.b_incentive": ("优惠政策对客商的吸引力", "Pull of promised incentives"),
    "behaviour.b_hard": ("硬环境对客商的吸引力", "Weight investors give the hard environment"),
    "behaviour.b_soft": ("软环境对客商的吸引力", "Weight investors give the soft environment"),
    "behaviour.b_delay": ("审批拖延对客商的影响", "Weight investors give approval delay"),
    "behaviour.b_risk": ("法治风险对客商的影响", "Weight investors give legal insecurity"),
    "behaviour.tau": ("客商决策的随机性", "Randomness of investors' decisions"),
    "behaviour.outside_option": ("外地竞争条件", "Pull of competing regions"),
    "behaviour.outside_growth": ("外地竞争条件的年增长", "Yearly rise of competing regions' pull"),
    "behaviour.negotiation_months": ("洽谈时长", "Length of negotiation"),
    "behaviour.experience_weight": ("亲身经历对客商判断的影响", "Weight of investors' own experience"),
    "behaviour.word_of_mouth_weight": ("口碑传播强度", "Strength of word of mouth"),
    "behaviour.credibility_shock": ("失信对政府公信力的打击", "Credibility lost after a broken promise"),
    "behaviour.referral_rate": ("以商招商的推荐率", "Referral rate of operating firms"),
    "hazards.no_land": ("无地可用时的撤出风险", "Withdrawal hazard when no land is ready"),
    "hazards.delay": ("审批拖延时的撤出风险", "Withdrawal hazard from approval delay"),
    "hazards.loan_refused": ("贷款被拒时的撤出概率", "Withdrawal chance when the loan is refused"),
    "hazards.incentive_broken": ("优惠未兑现时的撤出概率", "Withdrawal chance when an incentive is broken"),
    "hazards.outside_offer": ("外地更优条件的撤出风险", "Hazard of leaving for a better offer"),
    "hazards.handoff": ("市县转交时的摇摆风险", "Hazard of wavering during a hand-off"),
    "hazards.insecurity": ("法治不安的撤出风险", "Hazard from legal insecurity"),
    "hazards.not_serious": ("不实项目被清理的速度", "Rate at which unserious projects drop out"),
    "hazards.exit_operating": ("投产企业关停风险", "Closure hazard of operating firms"),
    "hazards.stall": ("在建项目停工（烂尾）风险", "Hazard that a project under construction stalls"),
    "construction.size_elasticity": ("建设周期随规模的弹性", "Elasticity of construction time with size"),
    "over_reporting": ("上报比率的虚高倍数", "Over-reporting of the reported rates"),
    "construction.upfront_share": ("开工时到位资金比例", "Share of capital arriving at ground-breaking"),
    "construction.build_time_scale": ("建设周期倍数", "Construction time multiplier"),
    "construction.stall_speed": ("审批未完时的施工速度", "Construction speed while approvals are pending"),
    "construction.self_finance_speed": ("无贷款时的资金到位速度", "Capital arrival without a loan"),
    "service.loan_approval": ("银行贷款审批通过率", "Bank loan approval rate"),
    "service.loan_share": ("需要银行贷款的项目比例", "Share of projects needing a loan"),
    "service.base_effort": ("部门基础工作努力程度", "Departments' baseline effort"),
    "service.pre_start_approvals": ("开工前需完成的审批数", "Approvals needed before ground-breaking"),
    "service.one_stop_capacity_gain": ("政务服务中心提升的办理能力", "Capacity gained in the one-stop centre"),
    "service.training_effect": ("培训对部门效率的提升", "Efficiency gained from training"),
    "service.vertical_coordination": ("条管单位的协调程度", "Coordination of vertical units"),
    "platform.park_cost_per_mu": ("园区每亩“三通一平”成本", "Park cost per mu serviced"),
    "platform.park_build_months": ("园区建设周期", "Park build lag"),
    "platform.initial_land_mu": ("初始可用熟地", "Serviced land at the start"),
    "platform.county_land_mu_per_year": ("各县每年新增熟地", "Serviced land added by counties each year"),
    "platform.handoff_months": ("市县转交时长", "Length of a city-to-county hand-off"),
    "platform.idle_stock_mu": ("可盘活的闲置土地", "Idle land that can be revitalised"),
    "policy.incentive_rate": ("优惠承诺力度", "Incentive promised"),
    "policy.honouring_discipline": ("优惠承诺纪律（量入为出）", "Discipline in promising incentives"),
    "policy.leadership_attention": ("领导重视程度", "Leaders' attention"),
    "policy.team_quality": ("招商队伍专业化程度", "Professionalism of the promotion team"),
    "policy.assessment_signed_weight": ("考核中签约额的权重", "Weight of signed amounts in assessment"),
    "policy.screening_strict": ("按到位考核时的项目甄别力度", "Screening under landed-capital targets"),
    "policy.screening_lax": ("按签约考核时的项目甄别力度", "Screening under signed-amount targets"),
    "policy.signing_push": ("追求签约额的推动力", "Push to sign under signed-amount targets"),
    "policy.persistence": ("政策的连续性", "Persistence of the strategy"),
    "policy.legal_insecurity": ("初始法治不安程度", "Legal insecurity at the start"),
    "policy.atmosphere": ("初始人文环境", "Pro-business atmosphere at the start"),
    "policy.tracking_hazard_cut": ("项目跟踪降低撤出风险的程度", "Withdrawal risk cut by tracking"),
    "local_firms.proactiveness": ("本地企业的主动性", "Proactiveness of local firms"),
    "local_firms.partner_success": ("本地企业找到合作方的概率", "Success of local firms' partner search"),
    "budget.base_transfer": ("年度招商经费", "Yearly attraction budget"),
    "budget.tax_share": ("税收回流招商经费的比例", "Share of tax returned to the budget"),
}
"""Parameters that sensitivity designs usually vary; others fall back to the documented meaning (English)."""


def param_label(key: str, lang: str) -> str:
    """Name of a parameter for people: a label pair if there is one, else its documented meaning, else the key."""
    if key in PARAM_LABELS:
        return pick(PARAM_LABELS[key], lang)
    from sim.paramdoc import param_doc

    doc = param_doc(key)
    if lang == "en" and doc.get("meaning"):
        return doc["meaning"]
    return key


def month_axis(lang: str) -> str:
    """Label of a time axis in months."""
    return "月份（自策略实施起）" if lang == "zh" else "Month since the strategy began"
