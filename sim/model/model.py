"""The investment-attraction model: one step is one month.

Phases of a month (see docs/ODD.md, "Process overview and scheduling"):

1. leads: promotion channels, investor forums, referrals from operating firms
   and partner leads from local firms contact prospects;
2. decisions: contacted prospects decide whether to negotiate; negotiations
   conclude with screening and a signing decision;
3. service: departments (and the bank) work their approval queues;
4. land: approved projects take serviced land from their government's pool;
5. construction: projects with approvals, land and finance start building
   (the promised incentive falls due), capital arrives in tranches, finished
   projects start operating, pay tax, create jobs and may expand;
6. perception: own experience and word of mouth move investors' beliefs, the
   region's reputation follows;
7. withdrawal: competing hazards decide who leaves and why;
8. the slow states (atmosphere, legal environment) move and outputs are recorded.

Yearly budgets, park completions and training effects are Mesa events.
"""

from __future__ import annotations

import numpy as np
from mesa import Model
from mesa.datacollection import DataCollector
from mesa.experimental.scenarios import Scenario
from mesa.time import Schedule
from scipy import stats

from sim.model import beliefs, channels, kernels, outputs, withdrawal
from sim.model.agents import (
    BUILDING,
    CONTACTED,
    DECLINED,
    NEGOTIATING,
    OPERATING,
    PROSPECT,
    SIGNED,
    STALLED,
    Department,
    Government,
    Investor,
    LocalFirm,
    partner_searches,
)
from sim.model.budget import Ledger
from sim.model.investors import InvestorTable
from sim.model.population import draw_population, market_size
from sim.model.streams import Streams
from sim.model.units import (
    CAPITAL_PER_MILLION,
    COHORT_MONTHS,
    HALF_STEP,
    MONTHS_PER_YEAR,
    PER_THOUSAND,
    PERCENT,
    SPREAD_LOW,
)
from sim.params import Params

_NO_OFFER = np.zeros(0)  # no incentive offered at the table: prospects expect the published rate


class AttractionScenario(Scenario):
    """Mesa scenario carrying the validated parameter tree of one strategy."""

    params: Params = None  # type: ignore[assignment]
    name: str = "scenario"


class AttractionModel(Model):
    """Investors, departments, governments and local firms of a prefecture: its districts and counties and the city
    itself (the governments of the region's file, in its order, the city last; ``params.governments``).

    Who owns what: every investor's changing state is the investor table ``investors``
    (:class:`~sim.model.investors.InvestorTable`; a stage changes only through its ``set_stage``); what is fixed
    from the start is the population ``pop`` and the per-investor constants drawn from it here (``arrival_month``,
    the sector weights, jobs and tax per unit of capital); money is the ledger's (``ledger``); land pools, leaders
    and assessments are the governments'. The model itself keeps the region-level states the mechanisms read and
    set: the atmosphere, legal insecurity, what was spent on encouragement and training, the institutions and
    forums switched on (set by the ledger each year), the stop-go flag, the markup counties believe rivals offer,
    the public reputation and the actual environment (``beliefs.py``), and the running counts (``counters``)."""

    def __init__(self, scenario: AttractionScenario | None = None, *, params: Params | None = None,
                 seed: int | np.random.SeedSequence = 0):
        if scenario is None:
            scenario = AttractionScenario(rng=None, params=params or Params())
        self.streams = Streams(seed)
        scenario.rng = self.streams["mesa"]
        super().__init__(scenario=scenario)
        p = self.p = scenario.params
        self.month0 = p.run.spinup_months  # the model's month that is month 0 of the outputs (the spin-up's end)
        self.horizon = self.month0 + p.run.horizon_months
        self.t = 0
        self.pop = draw_population(p, self.streams["population"], self.streams["network"], self.streams["arrivals"])
        n = self.n = self.pop.sector.size
        n0, _ = market_size(p)
        rate = p.run.arrivals_per_month * p.scale
        # Month in which each prospect enters the market: the initial pool at 0, arrivals in order after.
        self.arrival_month = np.zeros(n, dtype=np.int32)
        if n > n0:
            self.arrival_month[n0:] = 1 + (np.arange(n - n0) / rate).astype(np.int32)
        # Month in which each prospect, if not courted here first, locates elsewhere and leaves the market: after an
        # exponential search of mean pool / arrivals months, so that the pool at month 0 is the market in balance
        # (as many leave as arrive) and a region that courts it does not use up a stock of prospects.
        search = n0 / rate if rate > 0 else np.inf
        self.leave_month = self.arrival_month + np.ceil(search * self.streams["market"].exponential(size=n))
        self._init_state(n)
        self._derive()

        self._make_departments()
        self.governments = [Government(self, i, name, spec.kind == "city", spec.leader_attention)
                            for i, (name, spec) in enumerate(p.governments.items())]
        self.city = self.governments[-1]  # the city (市本级), whose land pool is the city park
        self.counties = self.governments[:-1]
        # The counties' parts of the region's land, idle stock and yearly land, as the region file shares them.
        land, land_total = p.county_split("land_share")
        idle, idle_total = p.county_split("idle_share")
        for g in self.counties:
            g.free_land = p.platform.initial_land_mu * p.scale * land[g.index] / land_total
            g.idle_mu = p.platform.idle_stock_mu * p.scale * idle[g.index] / idle_total
        self._derive_regional()
        lf = p.local_firms
        self.n_firms = int(round(lf.count * p.scale))
        a = lf.proactiveness_concentration
        # Beta spread with mean ``proactiveness``: shapes (a, a / mean - a), drawn by inverting the distribution of one
        # uniform per firm, so that the stream's use does not depend on the setting (common random numbers).
        u = self.streams["local_firms"].random(self.n_firms)
        base = stats.beta.ppf(u, a, a / max(lf.proactiveness, 1e-6) - a) if self.n_firms else []
        self.firm_base_proactiveness = np.asarray(base, dtype=np.float64)
        LocalFirm.create_agents(self, self.n_firms, row=list(range(self.n_firms)))
        self.channel_model = channels.ChannelModel(self)

        self.ledger = Ledger(self)
        # The month's outputs are one record (outputs.observe), added to Mesa's table as a row, from month 0 on.
        self.datacollector = DataCollector(tables={outputs.MONTHLY_TABLE: list(outputs.MONTHLY_COLUMNS)})
        self.opening: outputs.Opening | None = None  # the running totals at month 0 (set by begin)
        self.record: dict = {}  # the outputs of the month last observed (outputs.observe)
        self.monthly = True  # whether every month's outputs are recorded in the monthly table (begin)
        if self.month0:
            self._start_budget_years()
            self.run_for(self.month0)  # the spin-up: the status quo before month 0

    def _start_budget_years(self) -> None:
        """The first budget year now, and a new one every twelve months (a Mesa event between two months)."""
        self.ledger.start_year()
        self.schedule_recurring(self.ledger.start_year,
                                Schedule(interval=MONTHS_PER_YEAR, start=self.t + MONTHS_PER_YEAR + HALF_STEP))

    def _derive(self) -> None:
        """Per-investor constants built from the parameters: each project's sector weights, jobs and tax per unit of
        capital."""
        sectors = list(self.p.population.sectors.values())
        self.sector_env_weight = np.array([s.env_weight for s in sectors])[self.pop.sector]
        self.sector_appeal = np.array([s.appeal for s in sectors])[self.pop.sector]
        self.jobs_per_capital = np.array([s.jobs_per_million / CAPITAL_PER_MILLION for s in sectors])[self.pop.sector]
        self.tax_per_capital_month = np.array([s.tax_yield / MONTHS_PER_YEAR for s in sectors])[self.pop.sector]

    def _derive_regional(self) -> None:
        """Region-level settings built from the parameters: how the counties split the yearly land and where a
        project handed on by the city, or a partner lead, goes."""
        p = self.p
        self.land_added_split = p.county_split("land_added_share")
        focus = p.county_focus()
        # Where a project handed on by the city, or a partner lead, goes: the cumulative weights of the counties for
        # each sector (None: every county alike).
        self.county_cumulative = None if focus is None else np.cumsum(focus, axis=1) / np.sum(focus, axis=1, keepdims=True)

    def begin(self, params: Params, name: str = "scenario", monthly: bool = True) -> None:
        """Month 0: the strategy ``params`` takes over from the status quo that ran the spin-up (``run.spinup_months``
        before it; none for a cold start). The model adopts its levers and re-derives everything built from
        parameters (the departments, the leaders' attention, the channels' targeting, the per-investor constants);
        the state (pipeline, beliefs, reputation, land, funds, promises, debt) goes on. The running totals are
        taken as the opening balance every flow output counts from (:class:`sim.model.outputs.Opening`), and the
        monthly table starts with month 0. The first budget year of the strategy starts now (a cold start) or at
        the year's turn just after (the spin-up is a whole number of years). With ``monthly`` off, the months are
        not recorded: the outputs are observed at month 0 and at the horizon only (``record``, which the summary
        reads), for a run whose series nobody reads (an experiment that records summaries); the same numbers."""
        if self.opening is not None:
            raise RuntimeError("begin: expected a model at the end of its spin-up, found one that has begun")
        self.scenario = AttractionScenario(rng=self.scenario.rng, params=params, name=name)
        self.p = params
        self.horizon = self.month0 + params.run.horizon_months
        self._derive()
        self._derive_regional()
        specs = params.service.departments
        for d in self.departments:
            d.derive(specs[d.name])
        self.ledger.derive_training()
        for g in self.governments:
            g.derive()
        self.channel_model.target()
        self.opening = outputs.opening(self)
        self.monthly = monthly
        if not self.month0:
            self._start_budget_years()
        self.record = outputs.observe(self)
        if monthly:
            self.datacollector.add_table_row(outputs.MONTHLY_TABLE, self.record)

    # ------------------------------------------------------------------ state
    def _init_state(self, n: int) -> None:
        """The investor table (every investor's changing state) and the region-level states, which the model owns:
        the atmosphere, legal insecurity, what has been spent on encouragement and training, the institutions and
        forums switched on, the stop-go flag, the markup counties believe rivals offer, the public reputation
        (``beliefs.init_reputation``) and the running counts."""
        p = self.p
        self.investors = InvestorTable(n)
        beliefs.init_reputation(self)
        self.winning_markup = 0.0  # mean markup of last month's bidding wars, as counties believe it
        # Region-level states.
        self.atmosphere = p.policy.atmosphere
        self.legal_insecurity = p.policy.legal_insecurity
        self.cum_encouragement = 0.0
        self.cum_training = 0.0
        self.one_stop_on = False
        self.complaint_centre_on = False
        self.forums = {"bank": False, "tax": False, "investor": False}
        self.stop_go = False
        self.city_keep_draw = -1.0  # the highest keep draw of the new city leaders since the budget year's turn
        self.levers_on: dict[str, bool] = {}
        self.partner_requests = 0
        self.counters = outputs.Counters()

    def _make_departments(self) -> None:
        specs = self.p.service.departments
        names = [k for k in specs if k != "bank"] + ["bank"]
        self.departments = [Department(self, i, name, specs[name], name == "bank") for i, name in enumerate(names)]
        self.bank_index = len(names) - 1
        self.n_local_depts = len(names) - 1

    @property
    def stop_go_pending(self) -> bool:
        """Whether next budget year is a stop-go year: a new city leader since the turn of the year drew at least the
        persistence of the strategy in force (``city_keep_draw``; a strategy adopted at month 0 is judged at its own
        persistence, the status quo's gets the baseline's verdict)."""
        return self.city_keep_draw >= self.p.policy.persistence

    @property
    def month(self) -> int:
        """The month of the outputs: months since month 0 (negative in the spin-up)."""
        return self.t - self.month0

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """One month of the region's investment attraction."""
        self.t = self.steps
        inv = self.investors
        inv.events.clear()
        self.ledger.monthly_inflow()
        self._returns()
        self._politics()
        self._county_land()
        self._assessment()
        self.agents_by_type[Government].do("decide")
        self.firm_draws = self.streams["local_firms"].random((2, self.n_firms))
        self.partner_requests += partner_searches(self)
        self.channel_model.generate_leads()
        self._decide()
        self.ledger.update_tracking()
        # Projects at the service counters this month (stages do not change while departments serve).
        pl = inv.pipeline
        self.service_rows = kernels.rows_between(pl.stage, SIGNED, BUILDING)
        waiting = self.service_rows[pl.approved_month[self.service_rows] < 0]
        overdue = inv.events.overdue
        overdue[:] = False
        overdue[waiting[self.t - pl.signed_month[waiting] > self.pop.patience[waiting]]] = True
        self.agents_by_type[Department].do("decide", self.mean_attention())  # the leaders' attention, once
        self.agents_by_type[Department].do("serve")
        self._allocate_land()
        self._start_building()
        self._construct_and_operate()
        self.ledger.settle_appeals()
        beliefs.update(self)
        withdrawal.apply(self)
        self._slow_states()
        self._follow_cohorts()
        if self.opening is None:  # the spin-up: nothing is recorded before month 0
            return
        if self.monthly or self.t >= self.horizon:  # outputs only read, never changed: observing is skipped safely
            self.record = outputs.observe(self)
        if self.monthly:
            self.datacollector.add_table_row(outputs.MONTHLY_TABLE, self.record)
        if self.t >= self.horizon:
            self.running = False

    # ------------------------------------------------------------------ decisions
    def outside_option(self) -> float:
        """Value of the best offer elsewhere, rising from month 0 as other regions compete: ``behaviour.outside_option``
        until month 0 (the spin-up builds today's region under today's competition), then rising."""
        b = self.p.behaviour
        return b.outside_option + b.outside_growth * max(self.t - self.month0, 0) / MONTHS_PER_YEAR

    def utility(self, idx: np.ndarray, incentive: np.ndarray | None = None) -> np.ndarray:
        """Perceived value of the local offer for investors ``idx`` (their beliefs, not the true states).
        ``incentive`` is the offer in percent of capital (default: the headline rate). Larger projects weigh
        the soft environment, the credibility of promises and legal risk more (P3). Computed in one compiled
        pass (:func:`sim.model.kernels.utilities`)."""
        b = self.p.behaviour
        inv = self.investors
        return kernels.utilities(np.asarray(idx, dtype=np.int64), inv.beliefs,
                                 _NO_OFFER if incentive is None else incentive, self.p.policy.incentive_rate,
                                 inv.competition.bid_markup, self.pop.size_weight, self.sector_appeal, self.sector_env_weight,
                                 b.b_incentive, b.b_soft, b.b_risk, b.b_hard, b.b_delay)

    def go_on_probability(self, idx: np.ndarray, bonus: float | np.ndarray = 0.0,
                          incentive: np.ndarray | None = None) -> np.ndarray:
        """P(go on) = 1 / (1 + exp(-(U - U_out) / tau))."""
        z = (self.utility(idx, incentive) + bonus - self.outside_option()) / self.p.behaviour.tau
        with np.errstate(over="ignore"):  # exp(-z) = inf for a hopeless offer: the probability is 0, as it should be
            return 1.0 / (1.0 + np.exp(-z))

    def _decide(self) -> None:
        p, t = self.p, self.t
        inv = self.investors
        pl = inv.pipeline
        draw = self.streams.uniform
        # Contacted last month or earlier: enter negotiation or decline.
        c = ((pl.stage == CONTACTED) & (pl.contact_month < t)).nonzero()[0]
        if c.size:
            go = draw("negotiate", c, t, 0) < self.go_on_probability(c)
            inv.set_stage(c[go], NEGOTIATING, t)
            self.counters.negotiations_started += int(go.sum())
            declined = c[~go]
            inv.set_stage(declined, DECLINED, t)
            self.counters.declined += declined.size
        # Negotiations that conclude this month (not while a hand-off is still under way).
        neg = ((pl.stage == NEGOTIATING) & (pl.stage_month < t) & (pl.handoff_until <= t)).nonzero()[0]
        if neg.size == 0:
            return
        neg = neg[draw("negotiate", neg, t, 1) < 1.0 / p.behaviour.negotiation_months]
        w = p.policy.assessment_signed_weight
        screening = p.policy.screening_strict * (1.0 - w) + p.policy.screening_lax * w
        unserious = ~self.pop.serious[neg]
        screened = unserious & (draw("screening", neg, t) < screening)
        inv.set_stage(neg[screened], DECLINED, t)
        self.counters.screened_out += int(screened.sum())
        neg = neg[~screened]
        bonus = p.policy.signing_push * w + p.behaviour.b_team * p.policy.team_quality
        offer = self._offer(neg)
        incentive = np.divide(offer * PERCENT, self.pop.announced[neg], out=np.zeros(neg.size), where=self.pop.announced[neg] > 0)
        # Unserious prospects sign readily: the contract, not the project, is what they are after.
        p_go = self.go_on_probability(neg, bonus, incentive)
        prob = np.where(self.pop.serious[neg], p_go, np.minimum(1.0, p_go + p.behaviour.unserious_sign_bonus))
        sign = draw("sign", neg, t) < prob
        withdraw_idx = neg[~sign]
        withdrawal.record(self, withdraw_idx, np.full(withdraw_idx.size, withdrawal.REASON_INDEX["no_agreement"]))
        self._sign(neg[sign], offer[sign])

    def _offer(self, idx: np.ndarray) -> np.ndarray:
        """Incentives offered at the signing table (万元): the published rate, as long as outstanding promises stay
        within the fund's means over ``honouring_discipline`` and the fund can pay for vetting the promise."""
        pol = self.p.policy
        dup = 1.0 + self.investors.competition.bid_markup[idx]
        want = np.minimum(pol.incentive_rate / PERCENT * dup * self.pop.announced[idx], pol.incentive_cap * dup)
        order = np.argsort(self.pop.priority[idx], kind="stable")  # the queue at the signing table
        queued = want[order]
        ok = (np.cumsum(queued) <= self.ledger.promise_room()) & (queued > 0)
        chosen = ok.nonzero()[0]
        ok[chosen[self.ledger.vet_promises(chosen.size):]] = False
        fits = np.zeros(idx.size, dtype=bool)
        fits[order] = ok
        return np.where(fits, want, 0.0)

    def _sign(self, idx: np.ndarray, promise: np.ndarray) -> None:
        p, t = self.p, self.t
        inv = self.investors
        pl, ap, pr = inv.pipeline, inv.approvals, inv.promises
        inv.set_stage(idx, SIGNED, t)
        pl.signed_month[idx] = t
        ap.since[idx] = t
        k = np.minimum(self.pop.approvals[idx], self.n_local_depts).astype(np.int32)
        need = (np.left_shift(1, k) - 1).astype(np.int32)
        need |= np.where(self.pop.needs_loan[idx], 1 << self.bank_index, 0).astype(np.int32)
        ap.need[idx] = need
        ap.done[idx] = 0
        pre = np.minimum(k, p.service.pre_start_approvals)
        ap.pre_start[idx] = (np.left_shift(1, pre) - 1).astype(np.int32)
        pr.promised[idx] = promise
        self.ledger.note_promised(float(promise.sum()))
        self.counters.bidding_extra += float((promise - promise / (1.0 + inv.competition.bid_markup[idx])).sum())
        pr.open[idx] = promise > 0
        pr.gov[idx] = pl.gov[idx]
        done = idx[need == 0]
        pl.approved_month[done] = t
        self.counters.approval_months.extend([0] * done.size)

    # ------------------------------------------------------------------ service
    def decide_loans(self, idx: np.ndarray) -> None:
        """The bank's decision on loan requests: refusals leave the project to self-finance, or to leave."""
        pr = self.p.service.loan_approval + (self.p.policy.bank_forum_gain if self.forums["bank"] else 0.0)
        pr = np.where(self.pop.serious[idx], pr, pr * self.p.service.unserious_loan_factor)
        refused = idx[self.streams.uniform("bank", idx, self.t) >= np.minimum(pr, 1.0)]
        backed = self.ledger.back_loans(refused, self.streams.uniform("fund", refused, self.t))
        inv = self.investors
        inv.approvals.fund_backed[backed] = True
        if backed.size:  # (order and repeats do not matter to the flags)
            refused = np.setdiff1d(refused, backed)
        inv.approvals.loan_refused[refused] = True
        inv.events.loan_refused[refused] = True

    def complete_requests(self, idx: np.ndarray, d: int) -> None:
        """Mark approval ``d`` done for ``idx``; those with every approval done are approved."""
        inv = self.investors
        ap, pl = inv.approvals, inv.pipeline
        fin = kernels.complete(idx, np.int32(1 << d), ap.need, ap.done, ap.since, pl.approved_month, self.t)
        self.counters.approval_months.extend((self.t - pl.signed_month[fin]).tolist())

    def ready_for_land_rows(self) -> np.ndarray:
        """Rows (ascending) of signed serious projects with their pre-start approvals done and no land yet."""
        inv = self.investors
        stage = inv.pipeline.stage
        return kernels.waiting_for_land(kernels.rows_between(stage, SIGNED, SIGNED), stage, inv.approvals.pre_start,
                                        inv.approvals.done, inv.land.granted, self.pop.serious)

    # ------------------------------------------------------------------ land
    def land_queue(self, waiting: np.ndarray) -> np.ndarray:
        """The rows ``waiting`` for land (:meth:`ready_for_land_rows`) in the order land is given: tracked projects
        first, then by month of signing, ties by the prospects' fixed priority."""
        inv = self.investors
        return waiting[np.lexsort((self.pop.priority[waiting], inv.pipeline.signed_month[waiting], ~inv.tracked[waiting]))]

    def county_land_cap(self, g: Government) -> float:
        """The most free serviced land county ``g`` keeps ready (mu): it adds land only below this
        (``platform.county_land_reserve_years`` of its yearly part, :meth:`_county_land`)."""
        weight, total = self.land_added_split
        return self.p.platform.county_land_reserve_years * self._county_yearly_land(g, weight, total)

    def _county_yearly_land(self, g: Government, weight: np.ndarray, total: float) -> float:
        return self.p.platform.county_land_mu_per_year * self.p.scale * weight[g.index] / total

    def _allocate_land(self) -> None:
        inv = self.investors
        waiting = self.ready_for_land_rows()
        ready = inv.land.ready_month
        ready[waiting[ready[waiting] < 0]] = self.t
        if waiting.size == 0:
            return
        waiting = self.land_queue(waiting)
        gov = inv.pipeline.gov[waiting]
        for g in self.governments:
            self._grant(waiting[gov == g.index], g)
        # Projects that found no land at home may go elsewhere: first into the city park (a platform for the
        # whole region), then to the counties with most free land: a late hand-off, with a delay and wavering.
        # Another county is offered only a project that has waited county_search_months at home.
        others = [self.city] + sorted(self.counties, key=lambda g: -g.free_land)
        searched = self.t - ready[waiting] >= self.p.platform.county_search_months
        for g in others:
            rest = waiting[~inv.land.granted[waiting] & (searched | g.is_city)]
            if rest.size == 0 or g.free_land <= 0:
                continue
            moved = self._grant(rest, g)
            if not g.is_city and moved.size:
                months = self.p.platform.late_handoff_months * (SPREAD_LOW + self.streams.uniform("handoff", moved, self.t, 2))
                inv.pipeline.handoff_until[moved] = self.t + np.ceil(months).astype(np.int32)
                self.counters.late_handoffs += moved.size

    def _grant(self, idx: np.ndarray, g: Government) -> np.ndarray:
        """Give land from ``g``'s pool to the queue ``idx`` (first fit); granted projects locate there."""
        if idx.size == 0:
            return idx
        inv = self.investors
        granted = _land_granted(idx, self.pop.land_need[idx], g.free_land, self.p.platform.land_in_turn)
        inv.land.granted[granted] = True
        inv.pipeline.gov[granted] = g.index
        g.free_land -= float(self.pop.land_need[granted].sum())
        self.counters.land_wait_months.extend((self.t - inv.land.ready_month[granted]).tolist())
        return granted

    def revitalise(self, mu: float) -> tuple[float, np.ndarray]:
        """Bring up to ``mu`` of idle land and plant back into use (after the revitalisation lag), taken from each
        government's idle stock in proportion; returns the mu revitalised, in all and by each government."""
        total = sum(g.idle_mu for g in self.governments)
        take = min(mu, total)
        done = np.zeros(len(self.governments))
        if take <= 0:
            return 0.0, done
        for g in self.governments:
            share = g.idle_mu / total * take
            g.idle_mu -= share
            g.order_land(share, self.p.platform.idle_lag_months)
            done[g.index] = share
        self.counters.idle_revitalised += take
        return take, done

    def _county_land(self) -> None:
        """Counties service land through the year outside the strategy (it arrives monthly, not all in January), each
        its part of the region's yearly land, while their free land is below ``county_land_reserve_years`` of it."""
        p = self.p
        weight, total = self.land_added_split
        for g in self.counties:
            yearly = self._county_yearly_land(g, weight, total)
            room = p.platform.county_land_reserve_years * yearly - g.free_land
            g.free_land += max(0.0, min(yearly / MONTHS_PER_YEAR, room))

    def pick_county(self, u: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The district or county (government index) each project ``rows`` goes to, from one uniform ``u`` in [0, 1) per
        row: every county alike, or, where counties promote industries of their own, in proportion to their weight
        for the project's sector (``Params.county_focus``)."""
        k = len(self.counties)
        if self.county_cumulative is None:
            return np.minimum((u * k).astype(np.int8), k - 1)
        cum = self.county_cumulative[self.pop.sector[rows]]
        return np.minimum((u[:, None] >= cum[:, :-1]).sum(axis=1), k - 1).astype(np.int8)

    def _politics(self) -> None:
        """Leaders may be rotated out this month (one draw per government and per promise, whatever happens)."""
        u = self.streams["politics"].random((3, len(self.governments)))
        for g in self.governments:
            g.rotate_leader(u[0, g.index], u[1, g.index], u[2, g.index])

    def mean_attention(self) -> float:
        """Leaders' mean attention to attraction (each government's leader has their own)."""
        return beliefs.mean_of([g.attention for g in self.governments])

    def _assessment(self) -> None:
        """Each county's standing this year: signed amounts (weight ``assessment_signed_weight``) and landed capital."""
        w = self.p.policy.assessment_signed_weight
        year_start = (self.t - 1) // MONTHS_PER_YEAR * MONTHS_PER_YEAR + 1
        inv = self.investors
        cap = inv.capital
        if self.t == year_start:
            cap.arrived_year_start[:] = cap.arrived
        # only projects located with a government count
        signed, landed = kernels.year_scores(inv.pipeline.gov, len(self.governments), self.pop.announced,
                                             inv.pipeline.signed_month, year_start, cap.arrived, cap.arrived_year_start)
        counties = self.counties
        for g in counties:
            g.score_year = w * signed[g.index] + (1.0 - w) * landed[g.index]
        mean = beliefs.mean_of([g.score_year for g in counties])
        for g in counties:
            g.assess(mean)

    # ------------------------------------------------------------------ construction and operation
    def _start_building(self) -> None:
        inv = self.investors
        pl = inv.pipeline
        ready = ((pl.stage == SIGNED) & inv.land.granted & (pl.handoff_until <= self.t)).nonzero()[0]
        if ready.size == 0:
            return
        inv.set_stage(ready, BUILDING, self.t)
        pl.start_month[ready] = self.t
        inv.capital.arrived[ready] += self.p.construction.upfront_share * self.pop.capital[ready]
        self.ledger.pay_incentives(ready)

    def _construct_and_operate(self) -> None:
        p, c = self.p, self.p.construction
        inv = self.investors
        pl, ap, capital = inv.pipeline, inv.approvals, inv.capital
        self._stall()
        b = kernels.rows_between(pl.stage, BUILDING, BUILDING)
        if b.size:
            pending = ap.need[b] & ~ap.done[b]
            bank_only = pending == (1 << self.bank_index)
            speed = np.where(pending == 0, 1.0, np.where(bank_only, c.self_finance_speed, c.stall_speed))
            speed = np.where(ap.loan_refused[b], np.minimum(speed, c.self_finance_speed), speed)
            capital.months_built[b] += speed
            frac = np.minimum(1.0, capital.months_built[b] / self.pop.build_months[b])
            cap = self.pop.capital[b]
            capital.arrived[b] = np.maximum(capital.arrived[b], cap * (c.upfront_share + (1.0 - c.upfront_share) * frac))
            done = b[frac >= 1.0]
            inv.set_stage(done, OPERATING, self.t)
            pl.operate_month[done] = self.t
            capital.operating[done] = self.pop.capital[done]
            self.ledger.settle_fund_stakes(done[capital.fund_stake[done] > 0], done[:0])
        op = kernels.rows_between(pl.stage, OPERATING, OPERATING)
        tax = capital.operating[op] * self.tax_per_capital_month[op]
        self.tax_month = float(tax.sum())
        # The attraction budget's reward: the tax of firms in their first ``budget.tax_years`` years of operation.
        age = self.t - pl.operate_month[op]
        self.ledger.collect_tax(self.tax_month, float(tax[age < p.budget.tax_years * MONTHS_PER_YEAR].sum()))
        # Satisfied firms in their first reinvest_years may expand (a project's later phases); only they draw, so the
        # month's work does not grow with the stock of older firms (each row's draw is its own: the same numbers).
        early = op[age < p.population.reinvest_years * MONTHS_PER_YEAR]
        if early.size:
            u = self.streams.uniform("reinvest", early, self.t)
            grow = early[u < p.population.reinvest_per_year / MONTHS_PER_YEAR * beliefs.satisfaction(self, early)]
            add = p.population.reinvest_fraction * self.pop.capital[grow]
            capital.operating[grow] += add
            self.counters.reinvested += float(add.sum())

    def _stall(self) -> None:
        """Projects under construction may stall half-built (烂尾), more often without the loan they needed or after
        a broken promise; no capital arrives while stalled; a stalled project may find money and resume."""
        h = self.p.hazards
        inv = self.investors
        pl = inv.pipeline
        s = kernels.rows_between(pl.stage, STALLED, STALLED)
        resume = s[self.streams.uniform("stall", s, self.t, 1) < h.stall_resume]
        inv.set_stage(resume, BUILDING, self.t)
        self.counters.resumed += resume.size
        b = kernels.rows_between(pl.stage, BUILDING, BUILDING)
        gap = inv.approvals.loan_refused[b] | inv.promises.broken[b]
        u = self.streams.uniform("stall", b, self.t, 0)
        now = b[(u < h.stall * np.where(gap, h.stall_funding_gap, 1.0)) & (pl.start_month[b] < self.t)]
        inv.set_stage(now, STALLED, self.t)
        inv.capital.stall_month[now] = self.t
        self.counters.stalled += now.size
        self.ledger.settle_fund_stakes(now[:0], now[inv.capital.fund_stake[now] > 0])

    # ------------------------------------------------------------------ slow states
    def _slow_states(self) -> None:
        """The atmosphere, legal insecurity and the training still in effect move a month. The atmosphere rises with this year's campaign money and
        with the share of operating firms that are satisfied, and fades without them. Legal insecurity is pushed
        down at a rate set by this year's legal-environment money and drifts back toward its level without effort.
        Training fades as trained officials move on. None grows with the number of firms or with money spent long
        ago, so under a steady policy all three settle."""
        pol = self.p.policy
        per_thousand = PER_THOUSAND * self.p.scale
        spend = self.ledger.allotment.get("atmosphere", 0.0) / per_thousand
        op = kernels.rows_between(self.investors.pipeline.stage, OPERATING, OPERATING)
        share = np.count_nonzero(beliefs.satisfaction(self, op) > self.p.behaviour.satisfied_threshold) / op.size if op.size else 0.0
        gain = pol.atmosphere_effect * spend + pol.atmosphere_from_success * share
        self.atmosphere = float(np.clip(self.atmosphere + (gain - pol.atmosphere_decay * self.atmosphere) / MONTHS_PER_YEAR, 0.0, 1.0))
        if self.cum_training > 0.0:
            self.cum_training *= float(np.exp(-self.p.service.training_fade / MONTHS_PER_YEAR))
            self.ledger.derive_training()
        legal = self.ledger.allotment.get("legal", 0.0) / per_thousand
        kept = float(np.exp(-pol.legal_effect * legal / MONTHS_PER_YEAR))
        self.legal_insecurity = float(np.clip(self.legal_insecurity * kept + pol.legal_renewal / MONTHS_PER_YEAR
                                              * (pol.legal_insecurity - self.legal_insecurity), 0.0, 1.0))

    def _follow_cohorts(self) -> None:
        """Projects signed ``k`` months ago (``k`` in ``COHORT_MONTHS``) reach their follow-up month: keep the capital
        arrived by now and the stage they are in (building or operating counts as fulfilled, 履约)."""
        pl, cap = self.investors.pipeline, self.investors.capital
        for k in COHORT_MONTHS:
            idx = (pl.signed_month == self.t - k).nonzero()[0]
            if self.t - k < 0 or idx.size == 0:
                continue
            cap.arrived_at[k][idx] = cap.arrived[idx]
            pl.stage_at[k][idx] = pl.stage[idx]

    # ------------------------------------------------------------------ reporting helpers
    def investor(self, row: int) -> Investor:
        """A read-only view of investor ``row``."""
        return Investor(self, row)

    def in_market(self) -> np.ndarray:
        """Mask of prospects in the market and not being courted: arrived and not yet located elsewhere, never
        contacted or back after declining."""
        return (self.investors.pipeline.stage == PROSPECT) & (self.arrival_month <= self.t) & (self.leave_month > self.t)

    def _returns(self) -> None:
        """Prospects that declined may be courted again after a cool-down, remembering what they believed."""
        inv = self.investors
        pl = inv.pipeline
        back = ((pl.stage == DECLINED) & (pl.stage_month <= self.t - self.p.behaviour.return_months)).nonzero()[0]
        inv.set_stage(back, PROSPECT, self.t)
        self.counters.returned += back.size

    def stage_count(self, stage: int) -> int:
        """Number of investors now in ``stage``."""
        return int(np.count_nonzero(self.investors.pipeline.stage == stage))


def _land_granted(idx: np.ndarray, need: np.ndarray, free: float, in_turn: bool) -> np.ndarray:
    """Projects (in queue order) that get land from ``free``: in turn, the queue up to the first project whose need
    does not fit (it holds up those behind it); else first fit, each taking its need if it still fits, so a large
    project that does not fit does not block smaller ones behind it."""
    fits = np.cumsum(need) <= free + 1e-9
    if fits.all():
        return idx
    if in_turn:
        return idx[:int(np.argmin(fits))]
    left = free - float(need[fits].sum()) if fits[0] else free
    start = int(np.argmin(fits)) if fits[0] else 0  # the queue up to start fits whole
    return np.concatenate([idx[:start], kernels.first_fit(idx[start:], need[start:], left, 1e-9)])
