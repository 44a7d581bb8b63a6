"""Leads (docs/ODD.md 7.1) in whole runs: targeting brings the prospects a channel seeks, coordination removes
duplicated contacts, satisfied firms refer their ties. Unit tests of the channel model: tests/test_channel_model.py.
"""

from __future__ import annotations

from modelkit import paired, small


def test_p3_targeting_large_industrial_prospects_raises_their_share():
    plain, targeted = paired(small(), small().with_overrides({
        "channels.key_project_library.share": 0.5, "channels.door_to_door.share": 0.1, "channels.online.share": 0.0,
        "channels.leading_industry.share": 0.0, "channels.small_team.share": 0.1, "channels.agency.share": 0.1,
        "channels.liaison_office.share": 0.2}))
    assert targeted["large_project_share"] > plain["large_project_share"]
    assert targeted["industrial_share"] > plain["industrial_share"]


def test_p6_city_coordination_removes_duplicated_contacts():
    """Coordination leaves no prospect courted twice in a month. (The prospects reached do not rise
    distinguishably: in the shipped baseline duplicated contacts are a few dozen of some 2,500 prospects.)"""
    apart, coordinated = paired(small(policy__city_coordination=False), small(policy__city_coordination=True))
    assert apart["duplicated_contacts"] > 0
    assert coordinated["duplicated_contacts"] == 0


def test_referrals_come_from_satisfied_firms_and_grow_with_rewards():
    plain, rewarded = paired(small(), small().with_overrides({"channels.referral.share": 0.1, "channels.online.share": 0.0}))
    assert plain["referral_leads"] > 0
    assert rewarded["referral_leads"] > plain["referral_leads"]
