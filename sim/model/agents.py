"""The Mesa agents of the simulator: investors, departments, governments and local firms.

Population-wide state (stages, beliefs, hazards) lives in numpy arrays owned
by the model's investor table (``model.investors``, see ``investors.py``) and
is computed in whole-population operations; an :class:`Investor` carries
identity and reads its row. Departments, governments and local firms are few,
so they act as ordinary Mesa agents with their own behaviour.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent

from sim.model import kernels
from sim.model.stages import (  # noqa: F401  (re-exported: the model's modules import them from here)
    BUILDING,
    CONTACTED,
    DECLINED,
    EXITED,
    NEGOTIATING,
    OPERATING,
    PROSPECT,
    REASONS,
    SIGNED,
    STAGE_NAMES,
    STALLED,
    WITHDRAWN,
)
from sim.model.state import ModelState
from sim.model.units import MONTHS_PER_YEAR, PER_THOUSAND
from sim.params import BELIEF_KEYS


class Investor:
    """A view of one prospect or project owner (客商 / 项目业主): a row of the investor table (``model.investors``).

    Investors are many and simple, so they are not Mesa agents and are not stepped one by one: their
    state and decisions are computed on the arrays, one row per investor, each with its own beliefs and
    draws. This view reads a row for inspection (``model.investor(i)``)."""

    def __init__(self, model: ModelState, row: int):
        self.model = model
        self.row = row

    @property
    def stage(self) -> str:
        """Current lifecycle stage, by name."""
        return STAGE_NAMES[int(self.model.investors.pipeline.stage[self.row])]

    @property
    def sector(self) -> str:
        """The project's sector (an id of the region's sectors)."""
        return self.model.p.sector_ids[int(self.model.pop.sector[self.row])]

    @property
    def capital(self) -> float:
        """Capital written into the contract, 万元."""
        return float(self.model.pop.announced[self.row])

    @property
    def withdrawal_reason(self) -> str | None:
        """Why this investor left, if it did."""
        r = int(self.model.investors.pipeline.reason[self.row])
        return REASONS[r] if r >= 0 else None

    @property
    def beliefs(self) -> dict[str, float]:
        """What this investor believes of the region: hard, soft, credibility, delay (months), risk."""
        row = self.model.investors.beliefs[self.row]
        return {name: float(row[j]) for j, name in enumerate(BELIEF_KEYS)}

    def utility(self) -> float:
        """Perceived value of the local offer (before the outside option)."""
        return float(self.model.utility(np.array([self.row]))[0])


class Department(Agent):
    """A functional department (职能部门) or a vertically managed unit (条管单位) working an approval queue."""

    def __init__(self, model: ModelState, index: int, name: str, spec, is_bank: bool):
        super().__init__(model)
        self.index = index
        self.name = name
        self.derive(spec)
        self.efficiency = spec.efficiency
        self.is_bank = is_bank
        self.carry = 0.0
        self.served = 0
        self.effort = model.p.service.base_effort
        self.complaints = 0.0

    def derive(self, spec) -> None:
        """Its settings from its entry of ``service.departments`` (capacity at the model's scale); its efficiency
        after training is the ledger's to set (:meth:`~sim.model.budget.Ledger.derive_training`)."""
        self.name_zh = spec.name_zh
        self.vertical = spec.vertical
        self.capacity = spec.capacity * self.model.p.scale
        self.base_efficiency = spec.efficiency
        self.proactiveness = spec.proactiveness
        self.alignment = spec.alignment

    @property
    def effective_alignment(self) -> float:
        """Alignment with local leadership after joint meetings with vertical units."""
        c = self.model.p.service.vertical_coordination if self.vertical else 0.0
        return self.alignment + (1.0 - self.alignment) * c

    def decide(self, attention: float | None = None) -> None:
        """Choose this month's effort: base effort plus what the department is pushed and rewarded for (leaders'
        attention, assessment on landed capital and service, complaints that reach its leaders through a complaint
        centre, time to approve in the one-stop centre), scaled by how much local leaders move it (alignment).
        ``attention``: the leaders' mean attention this month (:meth:`AttractionModel.mean_attention`), if known."""
        m = self.model
        s = m.p.service
        attention = m.mean_attention() if attention is None else attention
        push = attention + s.assessment_effort_push * (1.0 - m.p.policy.assessment_signed_weight)
        if m.complaint_centre_on:
            push += s.complaint_effort_gain * self.complaints
        if self.in_one_stop_centre:
            push += s.one_stop_effort_gain
        self.effort = s.base_effort + (1.0 - s.base_effort) * min(1.0, push) * self.effective_alignment

    @property
    def speed(self) -> float:
        """Chance a month that a waiting request is dealt with: efficiency x effort (passive service is slow)."""
        return self.efficiency * self.effort

    @property
    def in_one_stop_centre(self) -> bool:
        """Whether this department works in the one-stop centre this year: every government department does when
        the centre runs; the bank never does (its loan decision and its timing stay its own)."""
        return self.model.one_stop_on and not self.is_bank

    @property
    def monthly_capacity(self) -> float:
        """Most requests cleared a month: capacity x efficiency (x one-stop gain, in the centre)."""
        gain = 1.0 + (self.model.p.service.one_stop_capacity_gain if self.in_one_stop_centre else 0.0)
        return self.capacity * self.efficiency * gain

    def serve(self) -> None:
        """Deal with the requests handled this month (each with chance ``speed``), at most the capacity,
        oldest requests first and tracked projects ahead. A request waits at this department when its earlier
        approvals are done (the chain), or at once in the one-stop centre, which takes the government's approvals
        in parallel; the bank, last in the chain, serves a loan request after every local approval, with or
        without the centre."""
        m = self.model
        inv = m.investors
        # The queue, its share waiting past the investors' patience (complaints) and the requests dealt with this
        # month, in one compiled pass over the signed and building projects.
        queue, queued, late = kernels.service_queue(m.service_rows, inv.approvals.need, inv.approvals.done,
                                                    np.int32(1 << self.index), self.in_one_stop_centre,
                                                    inv.events.overdue, m.streams.base("approval", m.t, self.index),
                                                    self.speed)
        self.complaints = late / queued if queued else 0.0
        if queue.size == 0:
            self.carry = 0.0
            self.served = 0
            return
        budget = self.monthly_capacity + self.carry
        k = int(budget)
        self.carry = budget - k if queue.size > k else 0.0
        done = kernels.queue_head(queue, inv.tracked, inv.approvals.since, m.pop.priority, k)
        self.served = done.size
        if self.is_bank:
            m.decide_loans(done)
        m.complete_requests(done, self.index)


class Government(Agent):
    """The city (市) or a county/district government (区县): a pool of serviced land, idle assets, its
    promotion contacts and a leader who may be rotated out."""

    def __init__(self, model: ModelState, index: int, name: str, is_city: bool, attention_factor: float = 1.0):
        super().__init__(model)
        self.index = index
        self.name = name
        self.is_city = is_city
        self.attention_factor = attention_factor  # its leader's attention relative to the strategy's (region file)
        self.free_land = 0.0
        self.land_built = 0.0
        self.idle_mu = 0.0  # idle land and half-built plant that revitalisation can bring back
        self._deliveries: list[float] = []
        self.contacts = 0
        self.leader_since = 0
        self.rotations = 0
        self.attention_draw: float | None = None  # the leader's own multiple of the strategy's attention (drawn at rotation)
        self.attention = model.p.policy.leadership_attention * attention_factor
        self.pressure = 0.0  # how far behind the other counties it stands in this year's assessment (0-1)
        self.markup = 0.0  # extra incentive it offers a prospect a rival also courts
        self.score_year = 0.0  # this year's assessed achievement, 万元

    def decide(self) -> None:
        """Choose how much to promise a prospect that a rival county also courts: from how far behind the other
        counties it stands in the assessment (pressure) and what it believes rivals offer (last month's winning
        bids). With city coordination promises are capped region-wide: no markup. (How hard it courts, its pace
        of channel spending, follows the same pressure: ``ChannelModel.pace``.)"""
        m = self.model
        pol = m.p.policy
        if self.is_city or pol.city_coordination:
            self.markup = 0.0
            return
        believed = m.winning_markup / pol.max_bid_markup if pol.max_bid_markup > 0 else 0.0
        self.markup = pol.max_bid_markup * min(1.0, self.pressure + pol.bid_follow * believed)

    def assess(self, mean_score: float) -> None:
        """Standing in the assessment against the counties' mean: signed amounts weighted by
        ``assessment_signed_weight``, landed capital by the rest."""
        self.pressure = min(1.0, max(0.0, 1.0 - self.score_year / mean_score)) if mean_score > 0 else 0.0

    def rotate_leader(self, u_rotate: float, u_keep: float, u_attention: float) -> None:
        """A month of politics: the leader may be rotated out (yearly hazard ``policy.leader_rotation``).
        A successor drops a share of the predecessor's open promises; a new city leader keeps the
        strategy with chance ``policy.persistence``, else next year is a stop-go year. The leader's draw is kept
        until the budget year's turn (``city_keep_draw``, the highest of the year's new city leaders), where the
        strategy then in force is judged by it at its own persistence (``AttractionModel.stop_go_pending``)."""
        m = self.model
        pol = m.p.policy
        if u_rotate >= 1.0 - (1.0 - pol.leader_rotation) ** (1.0 / MONTHS_PER_YEAR):
            return
        self.rotations += 1
        self.leader_since = m.t
        self.attention_draw = 1.0 + pol.leader_attention_spread * (2 * u_attention - 1)
        self.derive()
        m.ledger.drop_promises(self.index)
        if self.is_city:
            m.city_keep_draw = max(m.city_keep_draw, float(u_keep))

    def derive(self) -> None:
        """The leader's attention to attraction from the strategy's (``policy.leadership_attention``), the region's
        factor for this government and, after a rotation, the leader's own multiple of it (at most 1)."""
        base = self.model.p.policy.leadership_attention * self.attention_factor
        self.attention = base if self.attention_draw is None else float(np.clip(base * self.attention_draw, 0.0, 1.0))

    def order_land(self, mu: float, lag: int) -> None:
        """Commission serviced land: it becomes free after ``lag`` months (三通一平 build lag)."""
        if mu <= 0:
            return
        if lag <= 0:
            self.free_land += mu
            self.land_built += mu
            return
        self._deliveries.append(mu)
        self.model.schedule_event(self.deliver_land, after=lag)

    def deliver_land(self) -> None:
        """A build lag has passed: the oldest order of serviced land becomes free."""
        mu = self._deliveries.pop(0)
        self.free_land += mu
        self.land_built += mu


class LocalFirm(Agent):
    """A local enterprise (本地企业): when proactive, it seeks outside partners and brings leads (以商招商, joint ventures).

    Its own disposition is row ``row`` of the model's ``firm_base_proactiveness``; every month all firms search at
    once (:func:`partner_searches`), each with two draws of its own."""

    def __init__(self, model: ModelState, row: int):
        super().__init__(model)
        self.row = row

    @property
    def base_proactiveness(self) -> float:
        """Own disposition to seek partners, before the atmosphere and encouragement."""
        return float(self.model.firm_base_proactiveness[self.row])

    @property
    def proactiveness(self) -> float:
        """Chance a month of seeking a partner: own disposition x atmosphere, plus encouragement."""
        return float(firm_proactiveness(self.model)[self.row])

    def seek_partner(self) -> None:
        """Look for an outside partner this month (two draws of its own every month, whatever it decides);
        a success becomes a partner lead."""
        m = self.model
        u = m.firm_draws[:, self.row]
        if u[0] < self.proactiveness and u[1] < m.p.local_firms.partner_success:
            m.partner_requests += 1


def firm_proactiveness(m: ModelState) -> np.ndarray:
    """Every local firm's chance this month of seeking a partner: own disposition x atmosphere, plus encouragement."""
    lf = m.p.local_firms
    own = m.firm_base_proactiveness * (lf.atmosphere_floor + m.atmosphere)
    boost = 1.0 - np.exp(-lf.encouragement_effect * m.cum_encouragement / PER_THOUSAND / m.p.scale)
    return np.minimum(1.0, own + (1.0 - own) * boost * lf.encouragement_max)


def partner_searches(m: ModelState) -> int:
    """This month's partner searches of all local firms at once (each firm's two draws in ``m.firm_draws``, as
    :meth:`LocalFirm.seek_partner` would make them one by one): how many found an interested prospect."""
    if m.n_firms == 0:
        return 0
    u = m.firm_draws
    return int(np.count_nonzero((u[0] < firm_proactiveness(m)) & (u[1] < m.p.local_firms.partner_success)))
