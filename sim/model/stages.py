"""Pipeline stages of a project (客商 lifecycle) and the reasons a project leaves: keys shared by the model,
the analysis and the briefing (this module imports nothing, so reading results does not load the model); their
names in words are in :mod:`sim.model.vocabulary`."""

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
