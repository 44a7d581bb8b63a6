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
from sim.params import SECTORS, Params

COUNTIES = ("anding", "tongwei", "longxi", "weiyuan", "lintao", "zhang", "min")
CITY = len(COUNTIES)  # index of the city government and of the city park's land pool
_NO_OFFER = np.zeros(0)  # no incentive offered at the table: prospects expect the published rate


class AttractionScenario(Scenario):
    """Mesa scenario carrying the validated parameter tree of one strategy."""

    params: Params = None  # type: ignore[assignment]
    name: str = "scenario"


class AttractionModel(Model):
    """Investors, departments, governments and local firms of a prefecture (default: Dingxi, 1 district + 6 counties)."""

    def __init__(self, scenario: AttractionScenario | None = None, *, params: Params | None = None,
                 seed: int | np.random.SeedSequence = 0):
        if scenario is None:
            scenario = AttractionScenario(rng=None, params=params or Params())
        self.streams = Streams(seed)
        scenario.rng = self.streams["mesa"]
        super().__init__(scenario=scenario)
        p = self.p = scenario.params
        self.horizon = p.run.horizon_months
        self.t = 0
        self.pop = draw_population(p, self.streams["population"], self.streams["network"], self.streams["arrivals"])
        n = self.n = self.pop.sector.size
        n0, _ = market_size(p)
        rate = p.run.arrivals_per_month * p.scale
        # Month in which each prospect enters the market: the initial pool at 0, arrivals in order after.
        self.arrival_month = np.zeros(n, dtype=np.int32)
        if n > n0:
            self.arrival_month[n0:] = 1 + (np.arange(n - n0) / rate).astype(np.int32)
        self._init_state(n)
        self.sector_env_weight = np.array([p.population.sectors[s].env_weight for s in SECTORS])[self.pop.sector]
        self.sector_appeal = np.array([p.population.sectors[s].appeal for s in SECTORS])[self.pop.sector]
        sectors = [p.population.sectors[s] for s in SECTORS]
        self.jobs_per_capital = np.array([s.jobs_per_million / CAPITAL_PER_MILLION for s in sectors])[self.pop.sector]
        self.tax_per_capital_month = np.array([s.tax_yield / MONTHS_PER_YEAR for s in sectors])[self.pop.sector]

        self._make_departments()
        self.governments = [Government(self, i, name, False) for i, name in enumerate(COUNTIES)]
        self.governments.append(Government(self, CITY, "city", True))
        for g in self.governments[:CITY]:
            g.free_land = p.platform.initial_land_mu * p.scale / len(COUNTIES)
            g.idle_mu = p.platform.idle_stock_mu * p.scale / len(COUNTIES)
        self.city = self.governments[CITY]
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
        self.ledger.start_year()
        self.schedule_recurring(self.ledger.start_year, Schedule(interval=MONTHS_PER_YEAR, start=MONTHS_PER_YEAR + HALF_STEP))

        # The month's outputs are one record (outputs.observe), added to Mesa's table as a row.
        self.datacollector = DataCollector(tables={outputs.MONTHLY_TABLE: list(outputs.MONTHLY_COLUMNS)})
        self.record = outputs.observe(self)
        self.datacollector.add_table_row(outputs.MONTHLY_TABLE, self.record)

    # ------------------------------------------------------------------ state
    def _init_state(self, n: int) -> None:
        p = self.p
        self.stage = np.full(n, PROSPECT, dtype=np.int8)
        self.stage_month = np.zeros(n, dtype=np.int32)
        self.gov = np.full(n, -1, dtype=np.int8)  # government whose land pool the project uses
        self.channel = np.full(n, -1, dtype=np.int8)
        self.courted = np.zeros(n, dtype=bool)  # contacted by two or more counties (bidding war)
        self.bid_markup = np.zeros(n)  # extra incentive (relative) the winning county offered
        self.arrived_year_start = np.zeros(n)
        self.winning_markup = 0.0  # mean markup of last month's bidding wars, as counties believe it
        self.handoff_until = np.zeros(n, dtype=np.int32)
        self.contact_month = np.full(n, -1, dtype=np.int32)
        self.signed_month = np.full(n, -1, dtype=np.int32)
        self.approved_month = np.full(n, -1, dtype=np.int32)
        self.start_month = np.full(n, -1, dtype=np.int32)
        self.operate_month = np.full(n, -1, dtype=np.int32)
        self.end_month = np.full(n, -1, dtype=np.int32)
        self.reason = np.full(n, -1, dtype=np.int8)
        self.end_stage = np.full(n, -1, dtype=np.int8)
        self.appr_need = np.zeros(n, dtype=np.int32)
        self.appr_done = np.zeros(n, dtype=np.int32)
        self.appr_pre = np.zeros(n, dtype=np.int32)  # approvals needed before ground-breaking
        self.req_since = np.zeros(n, dtype=np.int32)
        self.loan_refused = np.zeros(n, dtype=bool)
        self.land_granted = np.zeros(n, dtype=bool)
        self.land_ready = np.full(n, -1, dtype=np.int32)
        self.tracked = np.zeros(n, dtype=bool)
        self.promised = np.zeros(n)  # 万元 of incentive promised at signing
        self.promise_gov = np.full(n, -1, dtype=np.int8)  # government that made the promise
        self.promise_open = np.zeros(n, dtype=bool)  # promised and not yet due
        self.promise_dropped = np.zeros(n, dtype=bool)  # dropped by a new leader (新官不理旧账)
        self.paid = np.zeros(n)  # 万元 of incentive actually paid
        self.paid_late = np.zeros(n, dtype=bool)  # paid after an appeal
        self.broken = np.zeros(n, dtype=bool)  # not paid when due
        self.fund_stake = np.zeros(n)  # 万元 the investment fund has in the project
        self.fund_backed = np.zeros(n, dtype=bool)
        self.stall_month = np.full(n, -1, dtype=np.int32)
        self.months_built = np.zeros(n)
        self.arrived = np.zeros(n)  # 万元 arrived
        self.op_capital = np.zeros(n)  # 万元 operating (with expansions)
        self.partner_lead = np.zeros(n, dtype=bool)
        # Events of the current month that feed hazards.
        self.ev_loan_refused = np.zeros(n, dtype=bool)
        self.ev_broken = np.zeros(n, dtype=bool)
        # Cohort follow-up: capital arrived 12, 24 and 36 months after signing (starts and completions are read
        # from start_month and operate_month).
        self.arrived_at = {k: np.full(n, np.nan) for k in COHORT_MONTHS}
        beliefs.init_arrays(self, n)
        # Region-level states.
        self.atmosphere = p.policy.atmosphere
        self.legal_insecurity = p.policy.legal_insecurity
        self.cum_encouragement = 0.0
        self.cum_training = 0.0
        self.one_stop_on = False
        self.complaint_centre_on = False
        self.forums = {"bank": False, "tax": False, "investor": False}
        self.stop_go = False
        self.stop_go_pending = False
        self.levers_on: dict[str, bool] = {}
        self.partner_requests = 0
        self.counters = outputs.Counters()

    def _make_departments(self) -> None:
        specs = self.p.service.departments
        names = [k for k in specs if k != "bank"] + ["bank"]
        self.departments = [Department(self, i, name, specs[name], name == "bank") for i, name in enumerate(names)]
        self.bank_index = len(names) - 1
        self.n_local_depts = len(names) - 1

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """One month of the region's investment attraction."""
        self.t = self.steps
        self.ev_loan_refused[:] = False
        self.ev_broken[:] = False
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
        self.service_rows = kernels.rows_between(self.stage, SIGNED, BUILDING)
        waiting = self.service_rows[self.approved_month[self.service_rows] < 0]
        self.overdue = np.zeros(self.n, dtype=bool)
        self.overdue[waiting[self.t - self.signed_month[waiting] > self.pop.patience[waiting]]] = True
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
        self.record = outputs.observe(self)
        self.datacollector.add_table_row(outputs.MONTHLY_TABLE, self.record)
        if self.t >= self.horizon:
            self.running = False

    # ------------------------------------------------------------------ decisions
    def outside_option(self) -> float:
        """Value of the best offer elsewhere, rising as other regions compete."""
        b = self.p.behaviour
        return b.outside_option + b.outside_growth * self.t / MONTHS_PER_YEAR

    def utility(self, idx: np.ndarray, incentive: np.ndarray | None = None) -> np.ndarray:
        """Perceived value of the local offer for investors ``idx`` (their beliefs, not the true states).
        ``incentive`` is the offer in percent of capital (default: the headline rate). Larger projects weigh
        the soft environment, the credibility of promises and legal risk more (P3). Computed in one compiled
        pass (:func:`sim.model.kernels.utilities`)."""
        b = self.p.behaviour
        return kernels.utilities(np.asarray(idx, dtype=np.int64), self.beliefs,
                                 _NO_OFFER if incentive is None else incentive, self.p.policy.incentive_rate,
                                 self.bid_markup, self.pop.size_weight, self.sector_appeal, self.sector_env_weight,
                                 b.b_incentive, b.b_soft, b.b_risk, b.b_hard, b.b_delay)

    def go_on_probability(self, idx: np.ndarray, bonus: float | np.ndarray = 0.0,
                          incentive: np.ndarray | None = None) -> np.ndarray:
        """P(go on) = 1 / (1 + exp(-(U - U_out) / tau))."""
        z = (self.utility(idx, incentive) + bonus - self.outside_option()) / self.p.behaviour.tau
        with np.errstate(over="ignore"):  # exp(-z) = inf for a hopeless offer: the probability is 0, as it should be
            return 1.0 / (1.0 + np.exp(-z))

    def _decide(self) -> None:
        p, t = self.p, self.t
        draw = self.streams.uniform
        # Contacted last month or earlier: enter negotiation or decline.
        c = ((self.stage == CONTACTED) & (self.contact_month < t)).nonzero()[0]
        if c.size:
            go = draw("negotiate", c, t, 0) < self.go_on_probability(c)
            self._set_stage(c[go], NEGOTIATING)
            self.counters.negotiations_started += int(go.sum())
            declined = c[~go]
            self._set_stage(declined, DECLINED)
            self.counters.declined += declined.size
        # Negotiations that conclude this month (not while a hand-off is still under way).
        neg = ((self.stage == NEGOTIATING) & (self.stage_month < t) & (self.handoff_until <= t)).nonzero()[0]
        if neg.size == 0:
            return
        neg = neg[draw("negotiate", neg, t, 1) < 1.0 / p.behaviour.negotiation_months]
        w = p.policy.assessment_signed_weight
        screening = p.policy.screening_strict * (1.0 - w) + p.policy.screening_lax * w
        unserious = ~self.pop.serious[neg]
        screened = unserious & (draw("screening", neg, t) < screening)
        self._set_stage(neg[screened], DECLINED)
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
        dup = 1.0 + self.bid_markup[idx]
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
        self._set_stage(idx, SIGNED)
        self.signed_month[idx] = t
        self.req_since[idx] = t
        k = np.minimum(self.pop.approvals[idx], self.n_local_depts).astype(np.int32)
        need = (np.left_shift(1, k) - 1).astype(np.int32)
        need |= np.where(self.pop.needs_loan[idx], 1 << self.bank_index, 0).astype(np.int32)
        self.appr_need[idx] = need
        self.appr_done[idx] = 0
        pre = np.minimum(k, p.service.pre_start_approvals)
        self.appr_pre[idx] = (np.left_shift(1, pre) - 1).astype(np.int32)
        self.promised[idx] = promise
        self.ledger.note_promised(float(promise.sum()))
        self.counters.bidding_extra += float((promise - promise / (1.0 + self.bid_markup[idx])).sum())
        self.promise_open[idx] = promise > 0
        self.promise_gov[idx] = self.gov[idx]
        done = idx[need == 0]
        self.approved_month[done] = t
        self.counters.approval_months.extend([0] * done.size)

    def _set_stage(self, idx: np.ndarray, stage: int) -> None:
        self.stage[idx] = stage
        self.stage_month[idx] = self.t

    # ------------------------------------------------------------------ service
    def decide_loans(self, idx: np.ndarray) -> None:
        """The bank's decision on loan requests: refusals leave the project to self-finance, or to leave."""
        pr = self.p.service.loan_approval + (self.p.policy.bank_forum_gain if self.forums["bank"] else 0.0)
        pr = np.where(self.pop.serious[idx], pr, pr * self.p.service.unserious_loan_factor)
        refused = idx[self.streams.uniform("bank", idx, self.t) >= np.minimum(pr, 1.0)]
        backed = self.ledger.back_loans(refused, self.streams.uniform("fund", refused, self.t))
        self.fund_backed[backed] = True
        refused = np.setdiff1d(refused, backed)
        self.loan_refused[refused] = True
        self.ev_loan_refused[refused] = True

    def complete_requests(self, idx: np.ndarray, d: int) -> None:
        """Mark approval ``d`` done for ``idx``; those with every approval done are approved."""
        fin = kernels.complete(idx, np.int32(1 << d), self.appr_need, self.appr_done, self.req_since, self.approved_month,
                               self.t)
        self.counters.approval_months.extend((self.t - self.signed_month[fin]).tolist())

    def ready_for_land_rows(self) -> np.ndarray:
        """Rows (ascending) of signed serious projects with their pre-start approvals done and no land yet."""
        return kernels.waiting_for_land(kernels.rows_between(self.stage, SIGNED, SIGNED), self.stage, self.appr_pre,
                                        self.appr_done, self.land_granted, self.pop.serious)

    # ------------------------------------------------------------------ land
    def _allocate_land(self) -> None:
        waiting = self.ready_for_land_rows()
        self.land_ready[waiting[self.land_ready[waiting] < 0]] = self.t
        if waiting.size == 0:
            return
        order = np.lexsort((self.pop.priority[waiting], self.signed_month[waiting], ~self.tracked[waiting]))
        waiting = waiting[order]
        gov = self.gov[waiting]
        for g in self.governments:
            self._grant(waiting[gov == g.index], g)
        # Projects that found no land at home may go elsewhere: first into the city park (a platform for the
        # whole region), then to the counties with most free land: a late hand-off, with a delay and wavering.
        others = [self.city] + sorted(self.governments[:CITY], key=lambda g: -g.free_land)
        for g in others:
            rest = waiting[~self.land_granted[waiting]]
            if rest.size == 0 or g.free_land <= 0:
                continue
            moved = self._grant(rest, g)
            if not g.is_city and moved.size:
                months = self.p.platform.late_handoff_months * (SPREAD_LOW + self.streams.uniform("handoff", moved, self.t, 2))
                self.handoff_until[moved] = self.t + np.ceil(months).astype(np.int32)
                self.counters.late_handoffs += moved.size

    def _grant(self, idx: np.ndarray, g: Government) -> np.ndarray:
        """Give land from ``g``'s pool to the queue ``idx`` (first fit); granted projects locate there."""
        if idx.size == 0:
            return idx
        granted = _first_fit(idx, self.pop.land_need[idx], g.free_land)
        self.land_granted[granted] = True
        self.gov[granted] = g.index
        g.free_land -= float(self.pop.land_need[granted].sum())
        self.counters.land_wait_months.extend((self.t - self.land_ready[granted]).tolist())
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
        """Counties service land through the year outside the strategy (it arrives monthly, not all in January)."""
        p = self.p
        monthly = p.platform.county_land_mu_per_year * p.scale / len(COUNTIES) / MONTHS_PER_YEAR
        for g in self.governments[:CITY]:
            g.free_land += monthly

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
        if self.t == year_start:
            self.arrived_year_start[:] = self.arrived
        # only projects located with a government count
        signed, landed = kernels.year_scores(self.gov, len(self.governments), self.pop.announced, self.signed_month,
                                             year_start, self.arrived, self.arrived_year_start)
        counties = self.governments[:CITY]
        for g in counties:
            g.score_year = w * signed[g.index] + (1.0 - w) * landed[g.index]
        mean = beliefs.mean_of([g.score_year for g in counties])
        for g in counties:
            g.assess(mean)

    # ------------------------------------------------------------------ construction and operation
    def _start_building(self) -> None:
        ready = ((self.stage == SIGNED) & self.land_granted & (self.handoff_until <= self.t)).nonzero()[0]
        if ready.size == 0:
            return
        self._set_stage(ready, BUILDING)
        self.start_month[ready] = self.t
        self.arrived[ready] += self.p.construction.upfront_share * self.pop.capital[ready]
        self.ledger.pay_incentives(ready)

    def _construct_and_operate(self) -> None:
        p, c = self.p, self.p.construction
        self._stall()
        b = kernels.rows_between(self.stage, BUILDING, BUILDING)
        if b.size:
            pending = self.appr_need[b] & ~self.appr_done[b]
            bank_only = pending == (1 << self.bank_index)
            speed = np.where(pending == 0, 1.0, np.where(bank_only, c.self_finance_speed, c.stall_speed))
            speed = np.where(self.loan_refused[b], np.minimum(speed, c.self_finance_speed), speed)
            self.months_built[b] += speed
            frac = np.minimum(1.0, self.months_built[b] / self.pop.build_months[b])
            cap = self.pop.capital[b]
            self.arrived[b] = np.maximum(self.arrived[b], cap * (c.upfront_share + (1.0 - c.upfront_share) * frac))
            done = b[frac >= 1.0]
            self._set_stage(done, OPERATING)
            self.operate_month[done] = self.t
            self.op_capital[done] = self.pop.capital[done]
            self.ledger.settle_fund_stakes(done[self.fund_stake[done] > 0], done[:0])
        op = kernels.rows_between(self.stage, OPERATING, OPERATING)
        self.tax_month = float((self.op_capital[op] * self.tax_per_capital_month[op]).sum())
        self.ledger.collect_tax(self.tax_month)
        u = self.streams.uniform("reinvest", op, self.t)
        if op.size:
            grow = op[u < p.population.reinvest_per_year / MONTHS_PER_YEAR * beliefs.satisfaction(self, op)]
            add = p.population.reinvest_fraction * self.pop.capital[grow]
            self.op_capital[grow] += add
            self.counters.reinvested += float(add.sum())

    def _stall(self) -> None:
        """Projects under construction may stall half-built (烂尾), more often without the loan they needed or after
        a broken promise; no capital arrives while stalled; a stalled project may find money and resume."""
        h = self.p.hazards
        s = kernels.rows_between(self.stage, STALLED, STALLED)
        resume = s[self.streams.uniform("stall", s, self.t, 1) < h.stall_resume]
        self.stage[resume] = BUILDING
        self.counters.resumed += resume.size
        b = kernels.rows_between(self.stage, BUILDING, BUILDING)
        gap = self.loan_refused[b] | self.broken[b]
        u = self.streams.uniform("stall", b, self.t, 0)
        now = b[(u < h.stall * np.where(gap, h.stall_funding_gap, 1.0)) & (self.start_month[b] < self.t)]
        self._set_stage(now, STALLED)
        self.stall_month[now] = self.t
        self.counters.stalled += now.size
        self.ledger.settle_fund_stakes(now[:0], now[self.fund_stake[now] > 0])

    # ------------------------------------------------------------------ slow states
    def _slow_states(self) -> None:
        pol = self.p.policy
        spend = self.ledger.allotment.get("atmosphere", 0.0) / PER_THOUSAND / self.p.scale
        op = kernels.rows_between(self.stage, OPERATING, OPERATING)
        satisfied = float((beliefs.satisfaction(self, op) > self.p.behaviour.satisfied_threshold).sum()) if op.size else 0.0
        gain = pol.atmosphere_effect * spend + pol.atmosphere_from_success * satisfied / self.p.scale
        self.atmosphere = float(np.clip(self.atmosphere + (gain - pol.atmosphere_decay * self.atmosphere) / MONTHS_PER_YEAR, 0.0, 1.0))

    def _follow_cohorts(self) -> None:
        for k in COHORT_MONTHS:
            idx = (self.signed_month == self.t - k).nonzero()[0]
            if self.t - k < 0 or idx.size == 0:
                continue
            self.arrived_at[k][idx] = self.arrived[idx]

    # ------------------------------------------------------------------ reporting helpers
    def investor(self, row: int) -> Investor:
        """A read-only view of investor ``row``."""
        return Investor(self, row)

    def in_market(self) -> np.ndarray:
        """Mask of prospects in the market and not being courted: arrived, never contacted or back after declining."""
        return (self.stage == PROSPECT) & (self.arrival_month <= self.t)

    def _returns(self) -> None:
        """Prospects that declined may be courted again after a cool-down, remembering what they believed."""
        back = ((self.stage == DECLINED) & (self.stage_month <= self.t - self.p.behaviour.return_months)).nonzero()[0]
        self.stage[back] = PROSPECT
        self.counters.returned += back.size

    def stage_count(self, stage: int) -> int:
        """Number of investors now in ``stage``."""
        return int(np.count_nonzero(self.stage == stage))

    @property
    def ever_signed(self) -> np.ndarray:
        """Mask of investors who signed at any time."""
        return self.signed_month >= 0

    def in_pipeline(self) -> np.ndarray:
        """Mask of investors contacted and not (yet) gone."""
        return (self.stage >= CONTACTED) & (self.stage <= OPERATING)


def _first_fit(idx: np.ndarray, need: np.ndarray, free: float) -> np.ndarray:
    """Projects (in queue order) that get land: each takes its need if it still fits; a large project
    that does not fit does not block smaller ones behind it."""
    fits = np.cumsum(need) <= free + 1e-9
    if fits.all():
        return idx
    left = free - float(need[fits].sum()) if fits[0] else free
    start = int(np.argmin(fits)) if fits[0] else 0  # the queue up to start fits whole
    return np.concatenate([idx[:start], kernels.first_fit(idx[start:], need[start:], left, 1e-9)])
