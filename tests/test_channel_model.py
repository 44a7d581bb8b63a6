"""Unit tests of the channel model (docs/ODD.md 7.1, ``sim/model/channels.py``) on constructed inputs: a small model
is built but never run, and one month's contacts are bought and drawn by hand: how many contacts each channel buys
(its reach), what they cost and whom they reach (its targeting).

Each test says what it would catch.
"""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import small

from sim.model import build_model
from sim.model.agents import SIGNED
from sim.model.budget import SPEND_KEYS
from sim.model.channels import SOURCE_INDEX, park_fit
from sim.params import CHANNELS

TINY = {"run.n_investors": 1200, "run.horizon_months": 12}
NO_CHANNEL = {f"channels.{c}.share": 0.0 for c in CHANNELS}
ONLY_DOOR_TO_DOOR = NO_CHANNEL | {"channels.door_to_door.share": 1.0, "channels.door_to_door.cost_per_contact": 0.5,
                                  "channels.door_to_door.quality": 0.3, "channels.door_to_door.size_preference": 0.0}
ONLY_KEY_PROJECTS = NO_CHANNEL | {"channels.key_project_library.share": 1.0,
                                  "channels.key_project_library.cost_per_contact": 0.5}


def built(**overrides):
    """A small model with its first year's money allotted (as built) and never stepped."""
    return build_model(small().with_overrides({**TINY, **overrides}).params, seed=2)


def one_month_of_leads(m, month: int = 1) -> np.ndarray:
    """Buy and draw month ``month``'s contacts, nothing else; return the prospects contacted."""
    m.t = month
    m.partner_requests = 0
    m.channel_model.generate_leads()
    return np.flatnonzero(m.investors.pipeline.contact_month == month)


def test_each_channel_buys_its_share_of_the_money_over_its_cost_at_the_city_or_split_among_the_counties():
    """Catches contacts bought at the wrong price, by the wrong government or with fractions lost: a month's channel
    money (a twelfth of the year's) buys ``money x share / cost`` contacts through each channel; a city-level channel's
    go to the city, a county-level channel's are split among the districts and counties by their channel share
    (equal in the default region), a county under pressure buying ``1 + courting_push x pressure`` times its part;
    whole contacts are bought and the fractions carried to the next month."""
    m = built()
    cm, p = m.channel_model, m.p
    m.counties[0].pressure = 0.5
    money = m.ledger.allotment["channels"] / 12
    expected = np.zeros((len(m.governments), len(CHANNELS)))
    for j, name in enumerate(CHANNELS):
        ch = p.channels[name]
        if name == "referral":
            continue
        n = money * ch.share / ch.cost_per_contact
        if ch.city_level:
            expected[m.city.index, j] = n
        else:
            expected[:m.city.index, j] = n / len(m.counties)
            expected[0, j] *= 1 + p.policy.courting_push * 0.5
    assert expected[:, [CHANNELS.index("liaison_office")]].sum() > 0 and expected[:m.city.index].sum() > 0
    bought = np.zeros_like(expected)
    for month in range(1, 7):
        want = cm.contacts_wanted()
        np.testing.assert_array_equal(want, np.floor(want))
        bought += want
        np.testing.assert_allclose(bought + cm.carry, month * expected, rtol=1e-9)
        assert (cm.carry >= 0).all() and (cm.carry < 1).all()


def test_no_channel_reaches_more_prospects_than_the_market_holds_or_the_money_left_pays_for():
    """Catches a channel that buys more contacts than there are prospects, or more than its money pays for: a very
    cheap channel buys at most the market's size, and with five 万元 left in the year nothing more is bought than
    they pay for."""
    m = built(**{"channels.online.cost_per_contact": 1e-6})
    cm = m.channel_model
    want = cm.contacts_wanted()
    online = CHANNELS.index("online")
    assert want[:, online].sum() <= m.n + 1 and want[:, online].sum() > 0.9 * m.n
    m = built()
    m.ledger.spent_year["channels"] = m.ledger.allotment["channels"] - 5.0
    cm = m.channel_model
    assert float((cm.contacts_wanted() * cm.cost).sum()) <= 5.0 + 1e-9


def test_a_channels_weight_follows_its_sector_focus_the_firms_real_size_and_its_lead_quality():
    """Catches targeting by the wrong sectors, by the inflated amounts of contracts rather than real capital, or lead
    quality applied the wrong way round: each prospect's log weight in a channel is the log of the channel's weight
    for its sector (its own, else the largest of its roles', else 1), plus the size preference times the log of its
    real capital over the pool's median, plus the log of ``quality / s0`` for a serious prospect and of ``(1 -
    quality) / (1 - s0)`` for an unserious one, ``s0`` the pool's serious share."""
    m = built()
    cm, p, pop = m.channel_model, m.p, m.pop
    s0 = p.population.serious_share
    size = np.log(pop.capital / np.median(pop.capital))
    sectors = list(p.population.sectors.items())

    def sector_weight(focus: dict, sector: str, roles: list[str]) -> float:
        if sector in focus:
            return focus[sector]
        return max([focus[r] for r in roles if r in focus], default=1.0)

    sources = {**{name: p.channels[name] for name in CHANNELS}, "forum": p.policy.forum_leads,
               "partner_lead": p.local_firms.partner_leads}
    for name, ch in sources.items():
        by_sector = [sector_weight(ch.sector_focus, k, [*s.roles, *(["industrial"] if s.industrial else [])])
                     for k, s in sectors]
        focus = np.array(by_sector)[pop.sector]
        quality = np.where(pop.serious, ch.quality / s0, (1 - ch.quality) / (1 - s0))
        np.testing.assert_allclose(cm.logw[name], np.log(focus) + ch.size_preference * size + np.log(quality),
                                   rtol=1e-12, atol=1e-12, err_msg=name)
    # as shipped, a sector's own weight is used over its role's (flowers and fungi in the leading-industry channel),
    # and the key-project library seeks the industrial sectors
    assert p.channels["leading_industry"].sector_focus.get("flowers_fungi") == 2.0
    industrial = np.array([s.industrial for _, s in sectors])[pop.sector]
    serious_small = pop.serious & (np.abs(size) < 0.05)
    kp = cm.logw["key_project_library"]
    assert kp[serious_small & industrial].min() > kp[serious_small & ~industrial].max()
    # size is the real capital: an unserious prospect's inflated announcement does not raise its weight
    assert not np.allclose(pop.announced, pop.capital)


def test_contacts_drawn_through_a_channel_are_the_prospects_it_targets():
    """Catches a draw that ignores the channel's weights: with door-to-door visits alone buying (lead quality 0.3, no
    preference for size or sector), about 30% of the contacts are serious although most of the market is; with the
    key-project library alone (seeking industrial sectors three times as much, and large firms), industrial and
    large firms are over-represented among its contacts."""
    # the market as drawn, with a serious share of 0.85: at the calibrated 0.95 the month's ~280 draws would use up
    # the ~200 unserious prospects in the market, and a draw without replacement could not reach 70% of them
    m = built(**ONLY_DOOR_TO_DOOR, **{"run.n_investors": 4000, "run.spinup_months": 0, "population.serious_share": 0.85})
    pop, market = m.pop, m.in_market()
    new = one_month_of_leads(m)
    assert new.size > 250  # enough contacts for their shares to be measured
    assert (m.investors.pipeline.channel[new] == SOURCE_INDEX["door_to_door"]).all()
    assert pop.serious[market].mean() > 0.6
    assert abs(pop.serious[new].mean() - 0.3) < 0.08
    m = built(**ONLY_KEY_PROJECTS, **{"run.n_investors": 4000})
    pop, market = m.pop, m.in_market()
    new = one_month_of_leads(m)
    assert new.size > 300
    assert (m.investors.pipeline.channel[new] == SOURCE_INDEX["key_project_library"]).all()
    industrial = np.array([s.industrial for s in m.p.population.sectors.values()])[pop.sector]
    assert industrial[new].mean() > industrial[market].mean() + 0.1
    assert np.median(pop.capital[new]) > 1.5 * np.median(pop.capital[market])


def test_each_contact_is_charged_at_its_channels_cost_to_the_government_that_bought_it():
    """Catches contacts that cost nothing, cost another channel's price, or are charged to the wrong government: the
    month's channel spending is the sum over the prospects contacted of their channel's cost per contact; what the
    city-level channels reached is the city's spending, the rest the counties'. (With coordination, so no prospect
    is bought twice; the city's contacts may then be handed to a county, but they were bought by the city.)"""
    cheaper = {f"channels.{c}.cost_per_contact": ch.cost_per_contact / 10 for c, ch in small().params.channels.items()}
    m = built(**cheaper, **{"policy.city_coordination": True})
    led = m.ledger
    k = SPEND_KEYS.index("channels")
    before, by_gov = led.spent["channels"], led.by_government[:, k].copy()
    new = one_month_of_leads(m)
    assert new.size > 20 and m.counters.duplicated_contacts == 0
    channel = m.investors.pipeline.channel[new]
    cost = np.array([m.p.channels[c].cost_per_contact for c in CHANNELS])[channel]
    city = np.array([m.p.channels[c].city_level for c in CHANNELS])[channel]
    assert city.any() and (~city).any()
    assert led.spent["channels"] - before == pytest.approx(cost.sum())
    added = led.by_government[:, k] - by_gov
    assert added[m.city.index] == pytest.approx(cost[city].sum())
    assert added[:m.city.index].sum() == pytest.approx(cost[~city].sum())


def test_counties_drawing_apart_court_the_same_prospects_and_a_shared_registry_stops_it():
    """Catches duplicated contacts that cannot happen, or that coordination does not remove: when every county draws
    on its own from the same market some prospects are drawn by two governments in the same month (money wasted, and
    a bidding war between counties), and with the city's shared registry none is."""
    cheap = {f"channels.{c}.cost_per_contact": 0.05 for c in ("door_to_door", "agency", "small_team", "online")}
    apart = built(**cheap)
    one_month_of_leads(apart)
    coordinated = built(**cheap, **{"policy.city_coordination": True})
    one_month_of_leads(coordinated)
    assert apart.counters.duplicated_contacts > 0 and apart.investors.competition.courted.any()
    assert coordinated.counters.duplicated_contacts == 0 and not coordinated.investors.competition.courted.any()


def test_the_city_park_takes_city_contacts_in_proportion_to_its_free_land():
    """Catches a hand-off that is all or nothing, or that ignores the city projects already waiting for land: the park
    takes the share ``F / (F + D)`` of the city's contacts, ``F`` its free serviced land and ``D`` the land the new
    contacts and the city's projects waiting for land need; none without a park."""
    m = built()
    m.city.free_land = 0.0
    assert park_fit(m, 50.0) == 0.0
    m.city.free_land = 150.0
    assert park_fit(m, 50.0) == pytest.approx(150.0 / 200.0)
    # a signed serious project of the city, its pre-start approvals done and no land yet, adds its need to D
    inv = m.investors
    row = int(np.flatnonzero(m.pop.serious)[0])
    inv.set_stage(np.array([row]), SIGNED, 0)
    inv.pipeline.gov[row] = m.city.index
    inv.approvals.done[row] = inv.approvals.pre_start[row]
    need = float(m.pop.land_need[row])
    assert need > 0
    assert park_fit(m, 50.0) == pytest.approx(150.0 / (200.0 + need))
