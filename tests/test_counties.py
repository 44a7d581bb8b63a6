"""Counties' decisions (docs/ODD.md 7.11): the yearly assessment, the pressure it puts on a county, the markup it bids
for a prospect a rival courts and how hard it courts; city coordination stops the bidding.

Each test says what it would catch.
"""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import paired, small

from sim.model import build_model


def test_the_yearly_assessment_counts_this_years_signings_and_landed_capital():
    """Catches an assessment that counts signings of earlier years, capital landed before the year began, or
    projects of other governments: each county's score in month 18 is its share-weighted sum of the capital
    signed since month 13 and the capital landed since then, recomputed here from the model's arrays."""
    m = build_model(small().params, seed=3)
    CITY = m.city.index  # noqa: N806 (the city's index, after the counties)
    m.run_for(12)
    pl, capital = m.investors.pipeline, m.investors.capital
    arrived_at_year_start = capital.arrived.copy()
    m.run_for(5)
    located = pl.gov >= 0
    signed = np.bincount(pl.gov[located], weights=(m.pop.announced * (pl.signed_month >= 13))[located],
                         minlength=CITY + 1)
    landed = np.bincount(pl.gov[located], weights=(capital.arrived - arrived_at_year_start)[located], minlength=CITY + 1)
    m.run_for(1)  # the assessment opens month 18, before its signings and arrivals
    w = m.p.policy.assessment_signed_weight
    assert signed[:CITY].sum() > 0 and landed[:CITY].sum() > 0
    for g in m.governments[:CITY]:
        assert g.score_year == pytest.approx(w * signed[g.index] + (1.0 - w) * landed[g.index], rel=1e-12)


def test_counties_under_pressure_outbid_each_other_unless_the_city_coordinates():
    """Catches bidding wars that are drawn, not chosen: a county behind the others offers a markup to a prospect
    a rival courts, which raises what is promised above the single-county level; coordination stops it."""
    m = build_model(small().params, seed=5)
    county = m.governments[0]
    county.pressure = 0.0
    m.winning_markup = 0.0
    county.decide()
    assert county.markup == 0.0
    county.pressure = 0.5
    county.decide()
    assert county.markup == pytest.approx(0.5 * m.p.policy.max_bid_markup)
    m_coord = build_model(small(policy__city_coordination=True).params, seed=5)
    m_coord.governments[0].pressure = 0.5
    m_coord.governments[0].decide()
    assert m_coord.governments[0].markup == 0.0
    apart, coordinated = paired(small(), small(policy__city_coordination=True))
    assert apart["prospects_courted_by_several"] > 0 and apart["bidding_extra_promised"] > 0
    assert coordinated["prospects_courted_by_several"] == 0 == coordinated["bidding_extra_promised"]


def test_counties_behind_court_harder_within_their_money():
    """Catches courting that ignores the assessment or overdraws: a county under pressure buys more contacts this
    month than one that is not, and no month buys more than the channel money left can pay for."""
    m = build_model(small().params, seed=6)
    m.governments[0].pressure = 1.0
    m.governments[1].pressure = 0.0
    want = m.channel_model.contacts_wanted()
    assert want[0].sum() > want[1].sum()
    m.ledger.spent_year["channels"] = m.ledger.allotment["channels"] - 5.0  # five 万元 left this year
    from sim.params import CHANNELS
    cost = np.array([m.p.channels[c].cost_per_contact for c in CHANNELS])
    assert float((m.channel_model.contacts_wanted() * cost).sum()) <= 5.0 + 1e-9
