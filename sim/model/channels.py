"""Lead generation: promotion channels, forums, referrals and local partners.

Each channel turns money into contacts (``cost_per_contact`` 万元 each), with
its own targeting: a sector focus, a preference for size (the firm's real
capital, known from registers: ranking by size does not favour the unserious
projects that inflate the amounts they sign) and a lead quality (how
over-represented serious prospects are among its contacts). City-level channels are run by the city;
county-level ones by each county with its share of the money (``governments.*.channel_share`` of the region
file; equal shares where it gives none).

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

from sim.model import beliefs, kernels
from sim.model.agents import CONTACTED
from sim.model.state import ModelState
from sim.model.units import MONTHS_PER_YEAR, SPREAD_LOW
from sim.params import CHANNELS

SOURCES = (*CHANNELS, "partner_lead", "forum")
SOURCE_INDEX = {s: i for i, s in enumerate(SOURCES)}


class ChannelModel:
    """Targeting weights of each channel and the monthly contact draw."""

    def __init__(self, m: ModelState):
        self.m = m
        self.carry = np.zeros((len(m.governments), len(CHANNELS)))
        # Ties by referrer: the tie list's positions grouped by their first end, for the referral draw.
        self.edges_by_src, self.edges_start = kernels.group_by_key(m.pop.edges_src, m.n)
        self.target()

    def target(self) -> None:
        """Each channel's and source's targeting weights over the market, each county's part of the county channel
        money and the channels' costs, from the parameters (again when a strategy takes over at month 0)."""
        m = self.m
        p = m.p
        pop = m.pop
        rel_size = np.log(pop.capital / np.median(pop.capital))
        s0 = p.population.serious_share
        self.logw = {}
        for name in CHANNELS:
            self.logw[name] = self._logw(p.channels[name], rel_size, s0)
        self.logw["forum"] = self._logw(p.policy.forum_leads, rel_size, s0)
        self.logw["partner_lead"] = self._logw(p.local_firms.partner_leads, rel_size, s0)
        weight, total = p.county_split("channel_share")
        self.county_money = (np.array(weight), total)  # each county's part of the county channel money: weight / total
        # Targeting weights exponentiated once (they never change): row j is exp(logw - its largest value).
        self.top = np.array([float(self.logw[name].max()) if m.n else 0.0 for name in CHANNELS])
        self.weight = np.exp(np.stack([self.logw[name] for name in CHANNELS]) - self.top[:, None]) if m.n else np.zeros((len(CHANNELS), 0))
        self.cost = np.array([p.channels[name].cost_per_contact for name in CHANNELS])
        self.weight_source = {name: np.exp(self.logw[name] - self.logw[name].max()) if m.n else self.logw[name]
                              for name in ("forum", "partner_lead")}
        self.logw_channels = np.stack([self.logw[name] for name in CHANNELS]) if m.n else np.zeros((len(CHANNELS), 0))

    def _logw(self, ch, rel_size: np.ndarray, s0: float) -> np.ndarray:
        pop = self.m.pop
        focus = np.array(self.m.p.focus_weights(ch.sector_focus))[pop.sector]
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
        weight, total = self.county_money
        market = float(m.n)  # no channel reaches more prospects than the population holds
        pace = self.pace()
        for j, name in enumerate(CHANNELS):
            ch = p.channels[name]
            if name == "referral" or ch.share <= 0:
                continue
            n = min(money * ch.share / ch.cost_per_contact, market)
            if ch.city_level:
                want[-1, j] = n
            else:
                want[:-1, j] = n * weight / total * pace
        # No more contacts than the year's channel money left can pay for.
        due = float((want * self.cost).sum())
        left = max(0.0, m.ledger.remaining("channels"))
        if due > left:
            want *= left / due
        total = want + self.carry
        whole = np.floor(total)
        if float((whole * self.cost).sum()) > left + 1e-9:  # carried fractions may not overdraw the money left
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
        chosen_by: list[np.ndarray] = []
        market = m.in_market()
        cand = market.nonzero()[0]
        open_ = np.ones(cand.size, dtype=bool)
        coordinated = m.p.policy.city_coordination
        buying = want.any(axis=0)
        js = buying.nonzero()[0]
        picks = None
        if not coordinated and js.size:  # every government draws from the same candidates: all draws in one pass
            coefs, norms = self._mixtures(want, js, kernels.row_totals(self.weight, js, cand))
            if coefs is not None:
                ks = want.sum(axis=1).astype(np.int64)
                bases = np.array([m.streams.base("contact", m.t, g) for g in range(len(m.governments))])
                picks = draw_top_k(cand, cand, self.weight, coefs, bases, ks, _log_mix)
        totals = None  # every channel's total weight over the candidates still open, where needed
        if picks is None:  # (with picks, _mixtures gave the normalisers)
            norms = np.full(want.shape, np.inf)  # each government's log normaliser of each channel it buys
        cache: dict = {}
        for g in range(len(m.governments)):
            k = int(want[g].sum())
            if k == 0:
                chosen_by.append(np.zeros(0, dtype=np.int64))
                continue
            if picks is not None:
                pos = picks[g]
            else:  # coordinated (each government draws from the candidates the ones before left), or renormalising
                key = (want[g].tobytes(), coordinated and g > 0)
                if key not in cache:
                    if totals is None:
                        totals = kernels.row_totals(self.weight, js, cand[open_])
                    cache = {key: self._mixture(want[g], js, totals, open_, cand)}
                how, lse = cache[key]  # a government sharing the cached weighing still skips prospects taken since
                bases = np.array([m.streams.base("contact", m.t, g)])
                if how.ndim == 2:
                    pos, = draw_top_k(cand, cand, self.weight, how, bases, np.array([k]), _log_mix, open_)
                else:
                    pos, = draw_top_k(cand, np.arange(cand.size), (how * open_)[None, :], _ONE, bases, np.array([k]),
                                      _log_mix)
                norms[g, list(lse)] = list(lse.values())
            idx = cand[pos]
            chosen_by.append(idx)
            m.governments[g].contacts += idx.size
            if coordinated:
                open_ = open_.copy()
                open_[pos] = False
                totals = None
        all_idx = np.concatenate(chosen_by) if chosen_by else np.zeros(0, dtype=np.int64)
        for g, cost in enumerate(self._charge(want, chosen_by, all_idx, norms)):
            if chosen_by[g].size:
                m.ledger.spend("channels", cost, g)
        # Contacts counted per prospect (cheaper than sorting them); those of several counties are fought over.
        county_hits = np.bincount(np.concatenate([*chosen_by[:-1], all_idx[:0]]), minlength=m.n)
        hit = county_hits > 0
        hit[chosen_by[-1]] = True
        uniq = hit.nonzero()[0]
        m.counters.duplicated_contacts += int(all_idx.size - uniq.size)
        war = (county_hits > 1).nonzero()[0]
        inv = m.investors
        gov, markup_won = inv.pipeline.gov, inv.competition.bid_markup
        inv.competition.courted[war] = True
        # Ownership: a prospect courted by several governments goes to the highest offer (each county chose its
        # markup this month); equal offers are settled in a shuffled order. The last government written wins.
        rank = m.streams["contact"].permutation(len(m.governments))
        markup = np.array([g.markup for g in m.governments])
        for g in np.lexsort((-rank, markup)):
            gov[chosen_by[g]] = g
        if war.size:
            markup_won[war] = markup[gov[war]]
            m.winning_markup = float(markup_won[war].mean())
            m.counters.bidding_wars += war.size
        # The other sources draw from the prospects still in the market, each after those taken before it (the
        # market's mask, the candidates read from it, is updated in place).
        available = market
        available[uniq] = False
        forum = self._forum_leads(available)
        available[forum] = False
        partner = self._partner_leads(available)
        available[partner] = False
        fresh = np.concatenate([uniq, forum, partner, self._referrals(available)])
        if fresh.size == 0:
            return
        self._assign_location(fresh)
        first = fresh[inv.pipeline.contact_month[fresh] < 0]  # returning prospects keep the beliefs they left with
        inv.set_stage(fresh, CONTACTED, m.t)
        inv.pipeline.contact_month[fresh] = m.t
        m.counters.contacted += fresh.size
        beliefs.initialise(m, first)

    def _mixture(self, want_g: np.ndarray, js: np.ndarray, totals: np.ndarray, open_: np.ndarray,
                 cand: np.ndarray) -> tuple[np.ndarray, dict[int, float]]:
        """How this government weighs the candidates ``cand``: its channels mixed by contacts bought, each channel
        normalised over the candidates still open (``open_``), and each channel's log normaliser. ``js`` are the
        channels some government buys this month and ``totals`` the sums of every channel's weight over the open
        candidates. The weighing is a row of channel coefficients (1 x channels) for the compiled draw; where a
        channel's total underflows it is renormalised on the open candidates and the weighing is the selection
        weight over the candidates itself."""
        lse: dict[int, float] = {}
        if not open_.any():
            return np.zeros(open_.size), lse
        bought = js[want_g[js] > 0]
        small = totals[bought] < _TINY
        if not small.any():
            coef = np.zeros((1, want_g.size))
            coef[0, bought] = want_g[bought] / totals[bought]
            return coef, {int(j): float(self.top[j] + np.log(totals[j])) for j in bought}
        # all open candidates far below a channel's best: normalise that channel on the open ones instead
        w, total = self.weight[bought][:, cand], totals[bought].copy()
        for r in small.nonzero()[0]:
            lw = self.logw[CHANNELS[bought[r]]][cand]
            top = float(lw[open_].max())
            w[r] = np.exp(lw - top)
            total[r] = float(w[r][open_].sum())
            lse[int(bought[r])] = top + float(np.log(total[r]))
        for r in (~small).nonzero()[0]:
            lse[int(bought[r])] = float(self.top[bought[r]] + np.log(total[r]))
        return _mix(want_g[bought] / total, w), lse

    def _mixtures(self, want: np.ndarray, js: np.ndarray,
                  totals: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Every government's channel coefficients when all candidates are open to all (no coordination): its
        contacts bought through channel j over j's total weight on the candidates (governments x channels), and
        the log normaliser of each channel each government buys (governments x channels, inf for the others).
        (None, None) if a channel's total underflows and needs renormalising."""
        if (totals[js] < _TINY).any():
            return None, None
        coef = np.zeros_like(want)
        coef[:, js] = np.where(want[:, js] > 0, want[:, js] / totals[js], 0.0)
        norms = np.full(want.shape, np.inf)
        norms[:, js] = np.where(want[:, js] > 0, self.top[js] + np.log(totals[js]), np.inf)
        return coef, norms

    def _charge(self, want: np.ndarray, chosen_by: list[np.ndarray], idx: np.ndarray, norms: np.ndarray) -> list[float]:
        """Attribute each contact to a channel of the government that bought it, in proportion to the channel's
        share of the pull on that prospect, and return the money each government spent. ``idx`` are the contacts
        of every government in turn (``chosen_by``) and ``norms`` the governments' log normalisers of the
        channels they buy (inf for the others)."""
        m = self.m
        if idx.size == 0:
            return [0.0] * len(chosen_by)
        sizes = np.array([c.size for c in chosen_by], dtype=np.int64)
        by = np.repeat(np.arange(len(chosen_by)), sizes)
        # each channel's pull on each contact (channels x contacts): its exponentiated targeting weight over the
        # government's normaliser; a channel the government does not buy pulls exactly 0 (its normaliser is inf)
        pull = np.exp(self.logw_channels[:, idx] - norms[by].T)
        u_pick = m.streams.uniform("channel_pick", idx, m.t)
        # contacts x channels, C-ordered (numpy made the channels x contacts array Fortran-ordered: no copy)
        pick, spent = kernels.channel_picks(want, by, np.ascontiguousarray(pull.T), u_pick, self.cost, sizes)
        m.investors.pipeline.channel[idx] = pick
        return spent.tolist()

    def _forum_leads(self, available: np.ndarray) -> np.ndarray:
        m = self.m
        if not m.forum_contacts_due:
            return np.zeros(0, dtype=np.int64)
        m.forum_contacts_due = False
        k = int(round(m.p.policy.investor_forum_contacts * m.p.scale))
        idx = self._pick("forum", "forum", available, k)
        pl = m.investors.pipeline
        pl.channel[idx] = SOURCE_INDEX["forum"]
        pl.gov[idx] = len(m.governments) - 1
        return idx

    def _partner_leads(self, available: np.ndarray) -> np.ndarray:
        m = self.m
        k, m.partner_requests = m.partner_requests, 0
        if k == 0:
            return np.zeros(0, dtype=np.int64)
        idx = self._pick("partner", "partner_lead", available, k)
        u = m.streams.uniform("partner", idx, m.t, 1)  # the county of the local partner
        pl = m.investors.pipeline
        pl.channel[idx] = SOURCE_INDEX["partner_lead"]
        m.investors.partner_lead[idx] = True
        pl.gov[idx] = m.pick_county(u, idx)
        m.counters.partner_leads += idx.size
        return idx

    def _pick(self, stream: str, source: str, available: np.ndarray, k: int) -> np.ndarray:
        """k available prospects drawn with weights ``exp(logw)`` of ``source`` (Gumbel top-k on the stream's uniforms)."""
        m = self.m
        cand = available.nonzero()[0]
        logw = self.logw[source]
        bases = np.array([m.streams.base(stream, m.t, 0)])
        pos, = draw_top_k(cand, cand, self.weight_source[source][None, :], _ONE, bases, np.array([k]),
                          lambda pos, mix: logw[cand[pos]])
        return cand[pos]

    def _referrals(self, available: np.ndarray) -> np.ndarray:
        """Satisfied firms building, or in their first ``referral_years`` of operation, refer prospects among their ties."""
        m, b = self.m, self.m.p.behaviour
        src, dst = m.pop.edges_src, m.pop.edges_dst
        if src.size == 0:
            return np.zeros(0, dtype=np.int64)
        funded = m.ledger.remaining("channels") > 0 and m.p.channels["referral"].share > 0
        rate = b.referral_rate * (1.0 + (b.referral_reward_boost if funded else 0.0))
        inv = m.investors
        pl = inv.pipeline
        idx, referrer = kernels.referrals(self.edges_by_src, self.edges_start, src, dst, pl.stage, pl.operate_month,
                                          m.t, b.referral_years * MONTHS_PER_YEAR, available,
                                          inv.beliefs, b.satisfaction_delay_months, rate,
                                          m.streams.base("referral", m.t))
        if idx.size == 0:
            return idx
        pl.channel[idx] = SOURCE_INDEX["referral"]
        # The referred prospect goes where its referrer is; with city coordination, to the county with most free land.
        if m.p.policy.city_coordination:
            pl.gov[idx] = max(m.governments[:-1], key=lambda g: g.free_land).index
        else:
            pl.gov[idx] = pl.gov[referrer]
        if funded:
            m.ledger.spend("channels", min(m.ledger.remaining("channels"),
                                           idx.size * m.p.channels["referral"].cost_per_contact),
                           m.ledger.weights_of(idx))
        m.counters.referral_leads += idx.size
        return idx

    def _assign_location(self, idx: np.ndarray) -> None:
        """City contacts stay in the city park as far as its free serviced land meets demand; the others are
        handed to a county, with a delay that is longer the scarcer the park's land (graded hand-off)."""
        m = self.m
        pl = m.investors.pipeline
        city = len(m.governments) - 1
        at_city = idx[pl.gov[idx] == city]
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
        pl.gov[moved] = m.pick_county((u0[go] - fit) / (1.0 - fit), moved)
        months = m.p.platform.handoff_months * (1.0 - fit)
        pl.handoff_until[moved] = m.t + np.ceil(months * (SPREAD_LOW + m.streams.uniform("handoff", moved, m.t, 1))).astype(np.int32)
        m.counters.handoffs += moved.size


def park_fit(m: ModelState, new_demand: float) -> float:
    """Share of city contacts the city park can take: its free serviced land relative to the land its
    waiting projects and this month's city contacts need (0 without a park)."""
    free = m.city.free_land
    if free <= 0:
        return 0.0
    waiting = m.ready_for_land_rows()
    waiting = waiting[m.investors.pipeline.gov[waiting] == len(m.governments) - 1]
    demand = new_demand + float(m.pop.land_need[waiting].sum())
    return free / (free + demand)


def draw_top_k(rows: np.ndarray, cols: np.ndarray, weight: np.ndarray, coefs: np.ndarray, bases: np.ndarray,
               ks: np.ndarray, log_weight, open_: np.ndarray | None = None) -> list[np.ndarray]:
    """For each draw g, the positions (ascending) of the ``ks[g]`` candidates with the largest Gumbel keys ``log(w_i)
    + gumbel(u_i)``: weighted sampling without replacement, where candidate i is prospect ``rows[i]``, ``w_i = sum_j
    coefs[g, j] weight[j, cols[i]]`` and ``u_i`` its counter-based uniform of the draw's base ``bases[g]``.
    Candidates of weight 0, and those not ``open_`` (if given), are never chosen.

    The compiled :func:`sim.model.kernels.shortlists` keeps the few candidates that can be among the k; their keys
    are computed here, ``log(w_i)`` by ``log_weight(positions, weights)``, so the choice is the one the keys of
    every candidate would give."""
    terms = coefs.any(axis=0).nonzero()[0]
    pos, mix, u, starts = kernels.shortlists(rows, cols, weight, terms, coefs, bases, ks,
                                             _ALL_OPEN if open_ is None else open_)
    keys = log_weight(pos, mix) + gumbel(u)
    out = []
    for g, k in enumerate(ks.tolist()):
        lo, hi = starts[g], starts[g + 1]
        if hi - lo <= k:
            out.append(pos[lo:hi])
        else:
            out.append(np.sort(pos[lo:hi][np.argpartition(-keys[lo:hi], k - 1)[:k]]))
    return out


def _log_mix(pos: np.ndarray, mix: np.ndarray) -> np.ndarray:
    return np.log(mix)


_ONE = np.ones((1, 1))
_ALL_OPEN = np.zeros(0, dtype=np.bool_)  # no mask: every candidate may be drawn
_TINY = np.finfo(np.float64).tiny  # a channel normaliser below this (underflow) is recomputed on the open candidates alone


def _mix(coef: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The mixture of channel weights ``sum_j coef_j weight_j`` over the candidates (einsum's own loops, not BLAS:
    BLAS runs large products on several threads that spin on busy cores)."""
    return np.einsum("j,jn->n", coef, weight)


def gumbel(u: np.ndarray) -> np.ndarray:
    """Standard Gumbel noise from uniforms (single precision is enough for ranking and twice as fast)."""
    with np.errstate(divide="ignore"):
        return -np.log(-np.log(u))


__all__ = ["ChannelModel", "SOURCES", "SOURCE_INDEX", "CONTACTED"]
