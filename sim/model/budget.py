"""Money in a loop: the yearly attraction budget and every yuan spent.

Yearly budget = base transfer + a share of the tax paid by operating firms the
year before (success feeds the budget), less interest on park borrowing. The
running costs of institutions the strategy switches on (one-stop service
centre, complaint centre) come off first; the rest is allotted to the levers
by the strategy's shares. Some allotments are spent at once (park building,
idle-asset revitalisation, training, legal environment, encouragement of local
firms, forums), some as used through the year (channels, tracking), and the
incentive fund carries over and pays promises when projects start building.
Unused allotments go back to the treasury and are not counted as spent, so
``spent <= budget`` always and cost-effectiveness is exact.

A strategy with persistence below one may suffer a stop-go year (leadership
turnover): half the lever money, and old promises neglected.
"""

from __future__ import annotations

import numpy as np

from sim.model import beliefs
from sim.model.agents import NEGOTIATING, SIGNED
from sim.params import BUDGET_LEVERS

SPEND_KEYS = (*BUDGET_LEVERS, "institutions", "park_interest")


class Ledger:
    """The region's attraction budget: allotments by lever and spending, year by year."""

    def __init__(self, m):
        self.m = m
        self.year = -1
        self.budget_total = 0.0  # cumulative budget made available
        self.budget_year = 0.0
        self.allotment: dict[str, float] = {}
        self.spent_year: dict[str, float] = {}
        self.spent = dict.fromkeys(SPEND_KEYS, 0.0)  # cumulative by lever
        self.incentive_fund = 0.0
        self.debt = 0.0
        self.tax_this_year = 0.0
        self.tax_total = 0.0
        self.idle_left = m.p.platform.idle_stock_mu * m.p.scale
        self.tracking_slots = 0
        self.cum_legal = 0.0
        self._training: list[float] = []
        m.forum_contacts_due = False

    # ------------------------------------------------------------------ accounting
    @property
    def spent_total(self) -> float:
        """All money spent so far, 万元."""
        return float(sum(self.spent.values()))

    def remaining(self, lever: str) -> float:
        """Money left this year in a lever's allotment."""
        return self.allotment.get(lever, 0.0) - self.spent_year.get(lever, 0.0)

    def spend(self, lever: str, amount: float) -> float:
        """Spend up to ``amount`` from this year's allotment of ``lever``; return what was spent."""
        amount = max(0.0, min(amount, self.remaining(lever))) if lever != "incentive_fund" else amount
        self.spent_year[lever] = self.spent_year.get(lever, 0.0) + amount
        self.spent[lever] += amount
        return amount

    def collect_tax(self, amount: float) -> None:
        """Tax paid this month by operating firms (万元)."""
        self.tax_this_year += amount
        self.tax_total += amount

    # ------------------------------------------------------------------ the year
    def start_year(self) -> None:
        """Set this year's budget and allot it to the levers (a Mesa event at each turn of the year)."""
        m, p = self.m, self.m.p
        s = p.scale
        self.year += 1
        budget = p.budget.base_transfer * s + p.budget.tax_share * self.tax_this_year
        self.tax_this_year = 0.0
        self.budget_year = budget
        self.budget_total += budget
        self.allotment, self.spent_year = {}, {}
        left = budget
        interest = min(left, p.platform.interest_rate * self.debt)
        self._fixed("park_interest", interest)
        left -= interest
        m.stop_go = self.year > 0 and m.streams["politics"].random() >= p.policy.persistence
        # Institutions switched on by the strategy, if the money covers them.
        m.one_stop_on = p.service.one_stop_centre and left >= p.service.one_stop_cost * s
        cost = p.service.one_stop_cost * s if m.one_stop_on else 0.0
        m.complaint_centre_on = p.service.complaint_centre and left - cost >= p.service.complaint_cost * s
        cost += p.service.complaint_cost * s if m.complaint_centre_on else 0.0
        self._fixed("institutions", cost)
        left -= cost
        factor = 0.5 if m.stop_go else 1.0
        for lever in BUDGET_LEVERS:
            self.allotment[lever] = p.budget.shares.get(lever, 0.0) * left * factor
        self._spend_now()

    def _fixed(self, key: str, amount: float) -> None:
        self.allotment[key] = amount
        self.spend(key, amount)

    def _spend_now(self) -> None:
        m, p = self.m, self.m.p
        s = p.scale
        # Forums: bank-enterprise, tax-enterprise, then investor forum, as far as the money goes.
        money = self.allotment["forums"]
        for name in ("bank", "tax", "investor"):
            cost = p.policy.forum_cost * s
            m.forums[name] = money >= cost and cost > 0
            if m.forums[name]:
                money -= self.spend("forums", cost)
        m.forum_contacts_due = m.forums["investor"]
        # City industrial park: serviced land after the build lag; borrowing multiplies the money.
        park = self.spend("park", self.allotment["park"])
        raised = park * p.platform.financing_leverage
        self.debt += raised - park
        m.city.order_land(raised / p.platform.park_cost_per_mu, p.platform.park_build_months)
        # Idle assets: cheap, fast, finite.
        mu = min(self.idle_left, self.allotment["idle_assets"] / p.platform.idle_cost_per_mu)
        self.idle_left -= mu
        self.spend("idle_assets", mu * p.platform.idle_cost_per_mu)
        counties = m.governments[:-1]
        for g in counties:
            g.order_land(mu / len(counties), p.platform.idle_lag_months)
        # Counties' own yearly land supply, outside the strategy, at the turn of the year.
        for g in counties:
            g.free_land += p.platform.county_land_mu_per_year * s / len(counties)
        # Training shows after a lag.
        tr = self.spend("training", self.allotment["training"])
        if tr > 0:
            self._training.append(tr)
            m.schedule_event(self.apply_training, after=max(p.service.training_lag_months, 1e-9))
        # Legal environment, local-firm encouragement, atmosphere campaign.
        self.cum_legal += self.spend("legal", self.allotment["legal"])
        m.legal_insecurity = p.policy.legal_insecurity * float(np.exp(-p.policy.legal_effect * self.cum_legal / 1000.0 / s))
        m.cum_encouragement += self.spend("local_firms", self.allotment["local_firms"])
        self.spend("atmosphere", self.allotment["atmosphere"])
        self.incentive_fund += self.allotment["incentive_fund"]
        self.tracking_slots = int(self.allotment["tracking"] / p.policy.tracking_cost)

    def apply_training(self) -> None:
        """Training paid a lag ago now raises department efficiency (saturating)."""
        m, sv = self.m, self.m.p.service
        m.cum_training += self._training.pop(0)
        gain = 1.0 - np.exp(-sv.training_effect * m.cum_training / 1000.0 / m.p.scale)
        for d in m.departments:
            d.efficiency = d.base_efficiency + (max(sv.training_max_efficiency, d.base_efficiency) - d.base_efficiency) * gain

    # ------------------------------------------------------------------ monthly
    def update_tracking(self) -> None:
        """The key-project library tracks the largest negotiating and signed projects, as many as funded."""
        m = self.m
        m.tracked[:] = False
        if self.tracking_slots <= 0:
            return
        cand = np.flatnonzero((m.stage == NEGOTIATING) | (m.stage == SIGNED))
        if cand.size == 0:
            return
        k = min(self.tracking_slots, cand.size)
        top = cand[np.argpartition(-m.pop.announced[cand], k - 1)[:k]]
        cost = self.spend("tracking", k * m.p.policy.tracking_cost / 12.0)
        m.tracked[top[: int(round(cost / (m.p.policy.tracking_cost / 12.0)))]] = True

    def pay_incentives(self, idx: np.ndarray) -> None:
        """Projects starting to build claim their promised incentive: paid if funded and delivered, else broken."""
        m, pol = self.m, self.m.p.policy
        u = m.streams["honour"].random((2, m.n))
        uc = m.streams["complaint"].random(m.n)
        due = m.promised[idx]
        claim = idx[due > 0]
        if claim.size == 0:
            return
        claim = claim[np.argsort(u[0, claim], kind="stable")]
        funded = np.cumsum(m.promised[claim]) <= self.incentive_fund + 1e-9
        discipline = min(1.0, pol.honouring_discipline + (pol.tax_forum_gain if m.forums["tax"] else 0.0))
        if m.stop_go:
            discipline *= 0.6
        delivered = funded & (u[1, claim] < discipline)
        late = funded & ~delivered & m.complaint_centre_on & (uc[claim] < m.p.service.complaint_resolution)
        paid = claim[delivered | late]
        amount = float(m.promised[paid].sum())
        self.incentive_fund -= amount
        self.spend("incentive_fund", amount)
        m.paid[paid] = m.promised[paid]
        beliefs.on_honoured_promise(m, paid)
        broken = claim[~(delivered | late)]
        m.broken[broken] = True
        m.ev_broken[broken] = True
        beliefs.on_broken_promise(m, broken)
        m.counters.note_promises(paid.size, broken.size)
