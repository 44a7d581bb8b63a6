"""Lead generation: promotion channels, forums, referrals and local partners.

Each channel turns money into contacts (``cost_per_contact`` 万元 each), with
its own targeting: a sector focus, a preference for size (the firm's real
capital, known from registers: ranking by size does not favour the unserious
projects that inflate the amounts they sign) and a lead quality (how
over-represented serious prospects are among its contacts). City-level channels are run by the city;
county-level ones by each county with an equal share of the money.

Without city coordination (P6) every county picks its prospects on its own:
two counties can court the same prospect (a duplicated contact, wasted money)
and then outbid each other with incentives the region must honour. With
coordination a shared lead registry gives every prospect to one government.

Referrals come free from satisfied operating firms through their ties (以商招商)
and grow with past success; funded referral rewards raise their rate. Local
firms' partner searches (P5) bring partner leads.
"""

from __future__ import annotations

import numpy as np

from sim.model import beliefs
from sim.model.agents import BUILDING, CONTACTED, OPERATING
from sim.model.units import MONTHS_PER_YEAR, SPREAD_LOW
from sim.params import CHANNELS, SECTORS

SOURCES = (*CHANNELS, "partner_lead", "forum")
SOURCE_INDEX = {s: i for i, s in enumerate(SOURCES)}


class ChannelModel:
    """Targeting weights of each channel and the monthly contact draw."""

    def __init__(self, m):
        self.m = m
        p = m.p
        pop = m.pop
        rel_size = np.log(pop.capital / np.median(pop.capital))
        s0 = p.population.serious_share
        self.logw = {}
        for name in CHANNELS:
            self.logw[name] = self._logw(p.channels[name], rel_size, s0)
        self.logw["forum"] = self._logw(p.policy.forum_leads, rel_size, s0)
        self.logw["partner_lead"] = self._logw(p.local_firms.partner_leads, rel_size, s0)
        self.carry = np.zeros((len(m.governments), len(CHANNELS)))

    def _logw(self, ch, rel_size: np.ndarray, s0: float) -> np.ndarray:
        pop = self.m.pop
        focus = np.array([ch.sector_focus.get(s, 1.0) for s in SECTORS])[pop.sector]
        q = np.clip(ch.quality, 1e-3, 1 - 1e-3)
        s0 = np.clip(s0, 1e-3, 1 - 1e-3)
        qual = np.where(pop.serious, q / s0, (1 - q) / (1 - s0))
        return np.log(np.maximum(focus, 1e-12)) + ch.size_preference * rel_size + np.log(qual)

    # ------------------------------------------------------------------ monthly
    def contacts_wanted(self) -> np.ndarray:
        """Contacts each government buys this month, per channel (governments x channels)."""
        m, p = self.m, self.m.p
        money = m.ledger.allotment.get("channels", 0.0) / MONTHS_PER_YEAR
        want = np.zeros_like(self.carry)
        n_counties = len(m.governments) - 1
        market = float(m.n)  # no channel reaches more prospects than the population holds
        for j, name in enumerate(CHANNELS):
            ch = p.channels[name]
            if name == "referral" or ch.share <= 0:
                continue
            n = min(money * ch.share / ch.cost_per_contact, market)
            if ch.city_level:
                want[-1, j] = n
            else:
                want[:-1, j] = n / n_counties * self.pace()
        # No more contacts than the year's channel money left can pay for.
        cost = np.array([p.channels[name].cost_per_contact for name in CHANNELS])
        due = float((want * cost).sum())
        left = max(0.0, m.ledger.remaining("channels"))
        if due > left:
            want *= left / due
        total = want + self.carry
        whole = np.floor(total)
        if float((whole * cost).sum()) > left + 1e-9:  # carried fractions may not overdraw the money left
            whole = np.floor(want)
        self.carry = total - whole
        return whole

    def pace(self) -> np.ndarray:
        """How hard each county courts this month: counties behind in the assessment spend their channel money
        faster (``policy.courting_push``); what the year's allotment cannot cover is not bought."""
        push = self.m.p.policy.courting_push
        return np.array([1.0 + push * g.pressure for g in self.m.governments[:-1]])

    def generate_leads(self) -> None:
        """Contact prospects this month through every source and initialise their beliefs."""
        m = self.m
        want = self.contacts_wanted()
        new = []
        chosen_by: list[np.ndarray] = []
        cand = np.flatnonzero(m.in_market())
        open_ = np.ones(cand.size, dtype=bool)
        coordinated = m.p.policy.city_coordination
        lw = {j: self.logw[name][cand] for j, name in enumerate(CHANNELS) if want[:, j].any()}
        cache: dict = {}
        for g in range(len(m.governments)):
            k = int(want[g].sum())
            if k == 0:
                chosen_by.append(np.zeros(0, dtype=np.int64))
                continue
            key = (want[g].tobytes(), coordinated and g > 0)
            if key not in cache:
                cache = {key: self._mixture(want[g], lw, open_)}
            mix, lse = cache[key]
            pos = self._top_k(mix + gumbel(m.streams.uniform("contact", cand, m.t, g)), open_, k)
            idx = cand[pos]
            chosen_by.append(idx)
            cost = self._charge(want[g], idx, lse)
            m.ledger.spend("channels", cost)
            m.governments[g].contacts += idx.size
            if coordinated:
                open_ = open_.copy()
                open_[pos] = False
        all_idx = np.concatenate(chosen_by) if chosen_by else np.zeros(0, dtype=np.int64)
        uniq, counts = np.unique(all_idx, return_counts=True)
        m.counters.duplicated_contacts += int(all_idx.size - uniq.size)
        county_hits = np.concatenate(chosen_by[:-1]) if len(chosen_by) > 1 else np.zeros(0, dtype=np.int64)
        cu, cc = np.unique(county_hits, return_counts=True)
        war = cu[cc > 1]
        m.courted[war] = True
        # Ownership: a prospect courted by several governments goes to the highest offer (each county chose its
        # markup this month); equal offers are settled in a shuffled order. The last government written wins.
        rank = m.streams["contact"].permutation(len(m.governments))
        markup = np.array([g.markup for g in m.governments])
        for g in np.lexsort((-rank, markup)):
            m.gov[chosen_by[g]] = g
        if war.size:
            m.bid_markup[war] = markup[m.gov[war]]
            m.winning_markup = float(m.bid_markup[war].mean())
            m.counters.bidding_wars += war.size
        new.append(uniq)
        new.append(self._forum_leads(available_after(m, uniq)))
        new.append(self._partner_leads(available_after(m, np.concatenate(new))))
        new.append(self._referrals(available_after(m, np.concatenate(new))))
        fresh = np.concatenate(new)
        if fresh.size == 0:
            return
        self._assign_location(fresh)
        first = fresh[m.contact_month[fresh] < 0]  # returning prospects keep the beliefs they left with
        m.stage[fresh] = CONTACTED
        m.stage_month[fresh] = m.t
        m.contact_month[fresh] = m.t
        m.counters.contacted += fresh.size
        beliefs.initialise(m, first)

    @staticmethod
    def _mixture(want_g: np.ndarray, lw: dict[int, np.ndarray], open_: np.ndarray) -> tuple[np.ndarray, dict[int, float]]:
        """Log of the selection weight (over the candidates ``lw`` is taken on) mixing this government's channels by
        contacts bought, and each channel's log normaliser over the candidates still open."""
        size = open_.size
        lse: dict[int, float] = {}
        if not open_.any():
            return np.full(size, -np.inf), lse
        mix = np.zeros(size)
        for j in np.flatnonzero(want_g > 0):
            top = float(lw[j][open_].max())
            z = np.exp(lw[j] - top) * open_
            total = float(z.sum())
            lse[int(j)] = top + np.log(total)
            mix += want_g[j] * z / total
        with np.errstate(divide="ignore"):
            return np.log(mix), lse

    @staticmethod
    def _top_k(keys: np.ndarray, available: np.ndarray, k: int) -> np.ndarray:
        """Positions of the k available entries with the largest perturbed keys (Gumbel top-k = weighted sampling)."""
        cand = np.flatnonzero(available & np.isfinite(keys))
        if cand.size <= k:
            return cand
        part = np.argpartition(-keys[cand], k - 1)[:k]
        return np.sort(cand[part])

    def _charge(self, want_g: np.ndarray, idx: np.ndarray, lse: dict[int, float]) -> float:
        """Attribute each contact to a channel (in proportion to its share of the pull) and return the money spent."""
        m = self.m
        if idx.size == 0:
            return 0.0
        js = np.flatnonzero(want_g > 0)
        pulls = np.stack([want_g[j] * np.exp(self.logw[CHANNELS[j]][idx] - lse[j]) for j in js])
        cum = np.cumsum(pulls / pulls.sum(axis=0), axis=0)
        u_pick = m.streams.uniform("channel_pick", idx, m.t)
        pick = js[np.minimum((u_pick[None, :] > cum).sum(axis=0), js.size - 1)]
        m.channel[idx] = pick
        cost = np.array([m.p.channels[name].cost_per_contact for name in CHANNELS])[pick]
        return float(cost.sum())

    def _forum_leads(self, available: np.ndarray) -> np.ndarray:
        m = self.m
        if not m.forum_contacts_due:
            return np.zeros(0, dtype=np.int64)
        m.forum_contacts_due = False
        k = int(round(m.p.policy.investor_forum_contacts * m.p.scale))
        idx = self._pick("forum", self.logw["forum"], available, k)
        m.channel[idx] = SOURCE_INDEX["forum"]
        m.gov[idx] = len(m.governments) - 1
        return idx

    def _partner_leads(self, available: np.ndarray) -> np.ndarray:
        m = self.m
        k, m.partner_requests = m.partner_requests, 0
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        idx = self._pick("partner", self.logw["partner_lead"], available, k)
        u = m.streams.uniform("partner", idx, m.t, 1)  # the county of the local partner
        m.channel[idx] = SOURCE_INDEX["partner_lead"]
        m.partner_lead[idx] = True
        counties = len(m.governments) - 1
        m.gov[idx] = np.minimum((u * counties).astype(np.int8), counties - 1)
        m.counters.partner_leads += idx.size
        return idx

    def _pick(self, stream: str, logw: np.ndarray, available: np.ndarray, k: int) -> np.ndarray:
        """k available prospects drawn with weights ``exp(logw)`` (Gumbel top-k on the stream's uniforms)."""
        m = self.m
        cand = np.flatnonzero(available)
        keys = logw[cand] + gumbel(m.streams.uniform(stream, cand, m.t, 0))
        return cand[self._top_k(keys, np.ones(cand.size, dtype=bool), k)]

    def _referrals(self, available: np.ndarray) -> np.ndarray:
        """Satisfied operating (and building) firms refer prospects among their ties."""
        m, b = self.m, self.m.p.behaviour
        src, dst = m.pop.edges_src, m.pop.edges_dst
        if src.size == 0:
            return np.zeros(0, dtype=np.int64)
        active = (m.stage[src] == OPERATING) | (m.stage[src] == BUILDING)
        e = np.flatnonzero(active & available[dst])
        if e.size == 0:
            return np.zeros(0, dtype=np.int64)
        funded = m.ledger.remaining("channels") > 0 and m.p.channels["referral"].share > 0
        rate = b.referral_rate * (1.0 + (b.referral_reward_boost if funded else 0.0))
        sat = beliefs.satisfaction(m, src[e])
        hit = e[m.streams.uniform("referral", e, m.t) < rate * sat]  # one draw per tie
        idx = np.unique(dst[hit])
        if idx.size == 0:
            return idx
        m.channel[idx] = SOURCE_INDEX["referral"]
        # The referred prospect goes where its referrer is; with city coordination, to the county with most free land.
        if m.p.policy.city_coordination:
            m.gov[idx] = max(m.governments[:-1], key=lambda g: g.free_land).index
        else:
            first = {}
            for s_, d_ in zip(src[hit].tolist(), dst[hit].tolist(), strict=True):
                first.setdefault(d_, s_)
            m.gov[idx] = m.gov[np.array([first[i] for i in idx.tolist()])]
        if funded:
            m.ledger.spend("channels", min(m.ledger.remaining("channels"),
                                           idx.size * m.p.channels["referral"].cost_per_contact))
        m.counters.referral_leads += idx.size
        return idx

    def _assign_location(self, idx: np.ndarray) -> None:
        """City contacts stay in the city park as far as its free serviced land meets demand; the others are
        handed to a county, with a delay that is longer the scarcer the park's land (graded hand-off)."""
        m = self.m
        city = len(m.governments) - 1
        at_city = idx[m.gov[idx] == city]
        if at_city.size == 0:
            return
        m.counters.city_contacts += at_city.size
        fit = park_fit(m, float(m.pop.land_need[at_city].sum()))
        u0 = m.streams.uniform("handoff", at_city, m.t, 0)
        go = u0 >= fit
        moved = at_city[go]
        if moved.size == 0:
            return
        # The same draw, rescaled, picks the county (so a larger park changes who moves, not whom they meet).
        county = np.minimum(((u0[go] - fit) / (1.0 - fit) * city).astype(np.int8), city - 1)
        m.gov[moved] = county
        months = m.p.platform.handoff_months * (1.0 - fit)
        m.handoff_until[moved] = m.t + np.ceil(months * (SPREAD_LOW + m.streams.uniform("handoff", moved, m.t, 1))).astype(np.int32)
        m.counters.handoffs += moved.size


def park_fit(m, new_demand: float) -> float:
    """Share of city contacts the city park can take: its free serviced land relative to the land its
    waiting projects and this month's city contacts need (0 without a park)."""
    free = m.city.free_land
    if free <= 0:
        return 0.0
    waiting = m.ready_for_land() & (m.gov == len(m.governments) - 1)
    demand = new_demand + float(m.pop.land_need[waiting].sum())
    return free / (free + demand)


def gumbel(u: np.ndarray) -> np.ndarray:
    """Standard Gumbel noise from uniforms (single precision is enough for ranking and twice as fast)."""
    with np.errstate(divide="ignore"):
        return -np.log(-np.log(u))


def available_after(m, taken: np.ndarray) -> np.ndarray:
    """Prospects still uncontacted once ``taken`` are removed."""
    avail = m.in_market()
    avail[taken] = False
    return avail


__all__ = ["ChannelModel", "SOURCES", "SOURCE_INDEX", "CONTACTED"]
