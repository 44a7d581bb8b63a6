"""Pipeline stages of a project (客商 lifecycle) and the reasons a project leaves: names shared by the model,
the analysis and the briefing (this module imports nothing, so reading results does not load the model)."""

from __future__ import annotations

# Pipeline stages (客商 lifecycle).
# STALLED (烂尾): started, half-built, no capital arriving; neither finished nor withdrawn.
PROSPECT, CONTACTED, NEGOTIATING, SIGNED, BUILDING, OPERATING, WITHDRAWN, EXITED, DECLINED, STALLED = range(10)
STAGE_NAMES = ("prospect", "contacted", "negotiating", "signed", "building", "operating", "withdrawn", "exited", "declined",
               "stalled")
# Why a project left (recorded at every withdrawal and exit).
# ``no_agreement``: a negotiation that ended without a signature.
REASONS = ("no_land", "delay", "loan_refused", "incentive_broken", "outside_offer", "handoff", "insecurity", "not_serious",
           "no_agreement")
REASON_NAMES_ZH = {
    "no_land": "无可用熟地",
    "delay": "审批拖延",
    "loan_refused": "贷款未获批",
    "incentive_broken": "优惠未兑现",
    "outside_offer": "外地条件更优",
    "handoff": "市县转交摇摆",
    "insecurity": "法治与治安不安",
    "not_serious": "项目不实",
    "no_agreement": "谈判未达成",
}
