"""Money in a loop: the yearly attraction budget, every lever's cost and the two funds.

Yearly budget = base transfer + a share of the tax paid the year before by
the firms in their first ``budget.tax_years`` years of operation (success feeds
the budget: attracting a firm is rewarded with its first years' tax, not with
its tax for ever, which made the loop of tax and budget grow without bound). Everything a strategy uses is charged
to it in one currency (万元):

- money: park building, the interest on park borrowing and its repayment,
  idle-asset revitalisation, channels,
  tracking, forums, training, the legal environment, the atmosphere campaign,
  local-firm encouragement, the one-stop and complaint centres;
- staff time at ``costs.staff_month``: the professional promotion team
  (positions and training), the city's coordination office, the joint office
  with vertical units, the vetting of promises against the fund;
- leaders' attention at its shadow value ``costs.leader_month``: attention to
  attraction, to coordination and to institutionalising the strategy
  (persistence). What goes to attraction is taken from other work, and that is
  its cost.

Running costs (debt service, institutions, staff, attention) come off first,
in that order, as far as the money goes; the rest is allotted to the levers by
the strategy's shares. Money a strategy adds to a lever in 万元
(``budget.amounts``) is new money, allotted to that lever on top of its share.
The incentive fund and the investment fund receive their
allotment in twelve monthly instalments and carry their balance over; other
allotments unused within their year go back to the treasury. Every yuan is
accounted for: ``budget_total = spent + held in the funds + returned``.

Park borrowing is debt: with ``financing_leverage`` above 1 the park's money is
multiplied by borrowing, and the principal raised (``borrowed``) is repaid in
equal yearly instalments over ``platform.loan_term_years`` from the next year,
with interest (``platform.interest_rate``) on what is outstanding; both are the
first running costs (``park_interest``, ``park_repayment``). An instalment or
interest the year's budget cannot cover stays owed: unpaid principal lengthens
its loan, unpaid interest is added to the debt (``capitalised``). So
``debt = borrowed + capitalised - repaid``, and what a strategy leaves to later
budgets is ``debt`` at the end.

Every yuan spent is also booked to the government that spent it
(``by_government``, governments x levers): channel contacts to the government
that bought them, funded referrals to the referred prospect's government,
tracking to the government of each tracked project, incentives to the
government that promised them, lost fund stakes to the project's government,
revitalised idle assets to the government whose idle land came back, and the
attention of leaders to each government's leader (in proportion to the
attention the region file gives it; equally where it says nothing), that of
institutionalising the strategy equally. What the city runs for the whole region (the park,
forums, training, the legal environment, the atmosphere campaign, local-firm
encouragement, the centres, the promotion team, coordination offices and the
vetting of promises) is booked to the city.

Broken promises arise here: incentives promised at signing fall due when
building starts and are paid from the incentive fund as far as it holds;
promises a new leader dropped (新官不理旧账) are not paid; appeals through the
complaint centre or a tax-enterprise forum may get an unpaid promise paid late.
"""

from __future__ import annotations

import numpy as np

from sim.model import beliefs, kernels
from sim.model.agents import BUILDING, NEGOTIATING, OPERATING, SIGNED
from sim.model.state import ModelState
from sim.model.units import MONTHS_PER_YEAR, PER_THOUSAND
from sim.params import BUDGET_LEVERS

# Levers paid before the shares are allotted: institutions, staff, leaders' attention.
RUNNING_KEYS = ("park_interest", "park_repayment", "one_stop_centre", "complaint_centre", "team", "city_coordination",
                "vertical_coordination", "leadership_attention", "persistence")
DEBT_SERVICE = ("park_interest", "park_repayment")
"""Running costs that are debt service: paid as far as the money goes (what is not paid stays owed), not switched off."""
SPEND_KEYS = (*BUDGET_LEVERS, *RUNNING_KEYS, "promise_vetting")
_KEY_INDEX = {k: i for i, k in enumerate(SPEND_KEYS)}
PER_LEADER = ("leadership_attention", "persistence")
"""Running costs that are the attention of every government's leader: booked to each government's leader (attention in
proportion to each leader's, institutionalising equally)."""
FUNDS = ("incentive_fund", "investment_fund")


class Ledger:
    """The region's attraction budget: allotments by lever and spending, year by year.

    It owns the money (allotments, spending, the funds, the park's debt). Each year it sets the region-level states
    that money switches on, which stay on the model: the institutions and forums of the year (``one_stop_on``,
    ``complaint_centre_on``, ``forums``, ``levers_on``), the stop-go flag, the legal insecurity and what was spent on
    encouragement and training. Investors' promises, fund stakes and tracking are rows of the investor table."""

    def __init__(self, m: ModelState):
        self.m = m
        self.year = -1
        self.budget_total = 0.0  # cumulative budget made available
        self.budget_year = 0.0
        self.allotment: dict[str, float] = {}
        self.spent_year: dict[str, float] = {}
        self.spent = dict.fromkeys(SPEND_KEYS, 0.0)  # cumulative by lever
        self.allotted = dict.fromkeys(BUDGET_LEVERS, 0.0)  # cumulative allotments of the levers (after stop-go cuts)
        self.by_government = np.zeros((len(m.governments), len(SPEND_KEYS)))  # cumulative by government and lever
        self.returned = 0.0  # allotments unused within their year, back to the treasury
        self.fund = dict.fromkeys(FUNDS, 0.0)  # balances carried over
        self.fund_inflow = dict.fromkeys(FUNDS, 0.0)  # this year's monthly instalment
        self.inflowed = dict.fromkeys(FUNDS, 0.0)  # instalments paid in so far this year
        self.fund_exposed = 0.0  # investment-fund money tied up in projects
        self.debt = 0.0  # park borrowing outstanding (principal and capitalised interest)
        self.borrowed = 0.0  # principal raised for the park so far
        self.repaid = 0.0  # principal (and capitalised interest) repaid so far
        self.capitalised = 0.0  # interest the budget could not pay, added to the debt
        self.loans: list[list[float]] = []  # each tranche: [outstanding, yearly instalment]
        self.tax_this_year = 0.0  # tax of young firms this year (the budget's reward)
        self.tax_fed_back = 0.0  # 万元 of the budgets so far that came back from that tax
        self.tax_total = 0.0
        self.tracking_slots = 0
        self.promised_by_month: list[float] = []
        self._training: list[float] = []
        m.forum_contacts_due = False

    # ------------------------------------------------------------------ accounting
    @property
    def spent_total(self) -> float:
        """All money (and priced staff time and attention) spent so far, 万元."""
        return float(sum(self.spent.values()))

    @property
    def incentive_fund(self) -> float:
        """Balance of the incentive fund, 万元."""
        return self.fund["incentive_fund"]

    @property
    def held(self) -> float:
        """Money allotted to the strategy but not yet spent: the funds' balances and investments still tied up."""
        return self.fund["incentive_fund"] + self.fund["investment_fund"] + self.fund_exposed

    def remaining(self, lever: str) -> float:
        """Money left this year in a lever's allotment (for a fund: instalments not yet paid in)."""
        used = self.inflowed[lever] if lever in FUNDS else self.spent_year.get(lever, 0.0)
        return self.allotment.get(lever, 0.0) - used

    @property
    def pending(self) -> float:
        """This year's allotments not yet used or paid into a fund."""
        return float(sum(max(0.0, self.remaining(lever)) for lever in BUDGET_LEVERS)) if self.allotment else 0.0

    def spend(self, lever: str, amount: float, where: int | np.ndarray | None = None) -> float:
        """Spend up to ``amount`` from this year's allotment of ``lever``; return what was spent. ``where`` says
        which government spent it (see :meth:`_book`)."""
        amount = max(0.0, min(amount, self.remaining(lever)))
        self._book(lever, amount, where)
        return amount

    def _book(self, lever: str, amount: float, where: int | np.ndarray | None = None) -> None:
        """Book ``amount`` on ``lever``, and on the government that spent it: ``where`` is a government's index,
        an array of weights over the governments (the amount is split in proportion), or None for the city."""
        self.spent_year[lever] = self.spent_year.get(lever, 0.0) + amount
        self.spent[lever] += amount
        if amount == 0:
            return
        k = _KEY_INDEX[lever]
        if where is None:
            self.by_government[-1, k] += amount
        elif isinstance(where, np.ndarray):
            total = float(where.sum())
            if total > 0:
                self.by_government[:, k] += amount * where / total
            else:
                self.by_government[-1, k] += amount
        else:
            self.by_government[int(where), k] += amount

    def weights_of(self, rows: np.ndarray, amounts: np.ndarray | None = None, gov: np.ndarray | None = None) -> np.ndarray:
        """Weights over the governments of the projects ``rows`` (by the government each belongs to, or ``gov``),
        each counted once or by ``amounts``: the ``where`` of :meth:`_book` for spending on projects."""
        g = (self.m.investors.pipeline.gov if gov is None else gov)[rows].astype(np.int64)
        return np.bincount(g, weights=amounts, minlength=len(self.m.governments)).astype(np.float64)

    def collect_tax(self, amount: float, rewarded: float) -> None:
        """Tax paid this month by operating firms (万元), and the part of it paid by firms in their first
        ``budget.tax_years`` years of operation, a share of which next year's budget gets back."""
        self.tax_this_year += rewarded
        self.tax_total += amount

    # ------------------------------------------------------------------ running costs
    def running_costs(self) -> dict[str, float]:
        """Yearly cost of each institution, staff body and use of leaders' attention the strategy switches on (万元)."""
        p, m = self.m.p, self.m
        s, c, pol, sv = p.scale, p.costs, p.policy, p.service
        leaders = len(m.governments)
        year_of = MONTHS_PER_YEAR * s
        staff = c.staff_month * year_of
        attention = c.leader_month * year_of
        return {
            "park_interest": p.platform.interest_rate * self.debt,
            "park_repayment": float(sum(min(instalment, owed) for owed, instalment in self.loans)),
            "one_stop_centre": sv.one_stop_cost * s if sv.one_stop_centre else 0.0,
            "complaint_centre": sv.complaint_cost * s if sv.complaint_centre else 0.0,
            "team": pol.team_quality * pol.team_size * (pol.team_salary * year_of + pol.team_training * s),
            "city_coordination": (pol.coordination_staff * staff + pol.coordination_attention * attention) if pol.city_coordination else 0.0,
            "vertical_coordination": sv.vertical_coordination * (sv.vertical_coordination_staff * staff
                                                                  + sv.vertical_coordination_attention * attention),
            "leadership_attention": pol.leadership_attention * sum(g.attention_factor for g in m.governments) * attention,
            "persistence": pol.persistence * pol.persistence_attention * leaders * attention,
        }

    # ------------------------------------------------------------------ the year
    def start_year(self) -> None:
        """Set this year's budget, pay the running costs and allot the rest to the levers (a Mesa event each year)."""
        m, p = self.m, self.m.p
        s = p.scale
        self.year += 1
        for lever in BUDGET_LEVERS:
            if lever not in FUNDS:
                self.returned += max(0.0, self.remaining(lever))
        for f in FUNDS:  # a fund carries at most fund_carryover years of last year's allotment; the rest goes back
            excess = max(0.0, self.fund[f] - p.budget.fund_carryover * self.allotment.get(f, 0.0)) if self.allotment else 0.0
            self.fund[f] -= excess
            self.returned += excess
        fed_back = p.budget.tax_share * self.tax_this_year
        budget = p.budget.base_transfer * s + fed_back
        self.tax_fed_back += fed_back
        self.tax_this_year = 0.0
        self.budget_year = budget
        self.budget_total += budget
        self.allotment, self.spent_year = {}, {}
        self.inflowed = dict.fromkeys(FUNDS, 0.0)
        m.stop_go, m.city_keep_draw = m.stop_go_pending, -1.0
        m.counters.stop_go_years += int(m.stop_go)
        left = budget
        # Running costs, in order, as far as the money goes; a lever not covered is off this year (debt service is
        # paid as far as the money goes, and the rest stays owed).
        on = {}
        for key, cost in self.running_costs().items():
            on[key] = cost <= left + 1e-9
            paid = cost if on[key] else (max(0.0, min(cost, left)) if key in DEBT_SERVICE else 0.0)
            self.allotment[key] = paid
            self._book(key, paid, self._leaders(key) if key in PER_LEADER else None)
            left -= paid
            if key == "park_interest" and paid < cost:
                self._capitalise(cost - paid)
            elif key == "park_repayment":
                self._repay(paid)
        m.one_stop_on = p.service.one_stop_centre and on["one_stop_centre"]
        m.complaint_centre_on = p.service.complaint_centre and on["complaint_centre"]
        m.levers_on = on
        factor = p.policy.stop_go_share if m.stop_go else 1.0
        for lever in BUDGET_LEVERS:
            self.allotment[lever] = p.budget.shares.get(lever, 0.0) * left * factor
        self.returned += left * (1.0 - factor) * sum(p.budget.shares.values()) + left * (1.0 - sum(p.budget.shares.values()))
        if p.budget.amounts:  # money added to levers in 万元: new money, on top of the shares
            added = {lever: amount * s for lever, amount in p.budget.amounts.items()}
            self.budget_year += sum(added.values())
            self.budget_total += sum(added.values())
            for lever, amount in added.items():
                self.allotment[lever] += amount * factor
                self.returned += amount * (1.0 - factor)
        for lever in BUDGET_LEVERS:
            self.allotted[lever] += self.allotment[lever]
        for f in FUNDS:
            self.fund_inflow[f] = self.allotment[f] / MONTHS_PER_YEAR
        self._spend_now()

    def _leaders(self, key: str) -> np.ndarray:
        """How a running cost of leaders' time falls on the governments: attention by each leader's attention,
        institutionalising the strategy equally."""
        if key == "leadership_attention":
            return np.array([g.attention_factor for g in self.m.governments])
        return np.ones(len(self.m.governments))

    def held_by_lever(self) -> dict[str, float]:
        """Money allotted to each lever and not yet paid out, 万元: the funds' balances (the investment fund's with the
        stakes still tied up in projects); 0 for the other levers, whose unused money goes back each year."""
        out = dict.fromkeys(BUDGET_LEVERS, 0.0)
        out["incentive_fund"] = self.fund["incentive_fund"]
        out["investment_fund"] = self.fund["investment_fund"] + self.fund_exposed
        return out

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
        self._borrow(raised - park)
        m.city.order_land(raised / p.platform.park_cost_per_mu, p.platform.park_build_months)
        # Idle assets: cheap and fast, but only as much as lies idle (made larger by failed projects).
        mu, by_gov = m.revitalise(self.allotment["idle_assets"] / p.platform.idle_cost_per_mu)
        self.spend("idle_assets", mu * p.platform.idle_cost_per_mu, by_gov)
        # Training shows after a lag.
        tr = self.spend("training", self.allotment["training"])
        if tr > 0:
            self._training.append(tr)
            m.schedule_event(self.apply_training, after=max(p.service.training_lag_months, 1e-9))
        # Legal environment, local-firm encouragement, atmosphere campaign.
        self.spend("legal", self.allotment["legal"])  # its effect on insecurity is spread over the year (ModelState._slow_states)
        m.cum_encouragement += self.spend("local_firms", self.allotment["local_firms"])
        self.spend("atmosphere", self.allotment["atmosphere"])
        self.tracking_slots = int(self.allotment["tracking"] / p.policy.tracking_cost)

    # ------------------------------------------------------------------ park debt
    def _borrow(self, principal: float) -> None:
        """Raise ``principal`` (万元) for the park: a tranche repaid in equal yearly instalments over the loan term,
        from next year."""
        if principal <= 0:
            return
        self.loans.append([principal, principal / self.m.p.platform.loan_term_years])
        self.borrowed += principal
        self.debt += principal

    def _repay(self, amount: float) -> None:
        """Pay ``amount`` of this year's instalments, the oldest tranches first; what is left of an instalment stays
        owed (its tranche runs a year longer)."""
        for loan in self.loans:
            if amount <= 0:
                break
            pay = min(loan[1], loan[0], amount)
            loan[0] -= pay
            amount -= pay
            self.repaid += pay
            self.debt -= pay
        self.loans = [loan for loan in self.loans if loan[0] > 1e-9]

    def _capitalise(self, interest: float) -> None:
        """Interest the year's budget could not pay is added to the debt, repaid over the loan term like a new loan."""
        self.loans.append([interest, interest / self.m.p.platform.loan_term_years])
        self.capitalised += interest
        self.debt += interest

    def apply_training(self) -> None:
        """Training paid a lag ago now raises department efficiency (saturating)."""
        self.m.cum_training += self._training.pop(0)
        self.derive_training()

    def derive_training(self) -> None:
        """Every department's efficiency from its own and the training paid so far (saturating)."""
        m, sv = self.m, self.m.p.service
        gain = 1.0 - np.exp(-sv.training_effect * m.cum_training / PER_THOUSAND / m.p.scale)
        for d in m.departments:
            d.efficiency = d.base_efficiency + (max(sv.training_max_efficiency, d.base_efficiency) - d.base_efficiency) * gain

    # ------------------------------------------------------------------ monthly
    def monthly_inflow(self) -> None:
        """This month's instalment into the incentive fund and the investment fund."""
        for f in FUNDS:
            self.fund[f] += self.fund_inflow[f]
            self.inflowed[f] += self.fund_inflow[f]

    def update_tracking(self) -> None:
        """The key-project library tracks the largest negotiating and signed projects (by the amounts in their contracts), as many as funded."""
        m = self.m
        tracked = m.investors.tracked
        tracked[:] = False
        if self.tracking_slots <= 0:
            return
        cand = kernels.rows_between(m.investors.pipeline.stage, NEGOTIATING, SIGNED)
        if cand.size == 0:
            return
        k = min(self.tracking_slots, cand.size)
        top = cand[np.argpartition(-m.pop.announced[cand], k - 1)[:k]]
        month_cost = m.p.policy.tracking_cost / MONTHS_PER_YEAR
        cost = max(0.0, min(k * month_cost, self.remaining("tracking")))  # what spend() below will pay
        rows = top[: int(round(cost / month_cost))]
        tracked[rows] = True
        self.spend("tracking", k * month_cost, self.weights_of(rows))

    # ------------------------------------------------------------------ promises
    def promise_room(self) -> float:
        """Incentives that may still be promised this month (万元): over the last ``promise_horizon_months`` the
        promises made must stay within the fund's means (its balance and that many months of inflow) divided by
        ``honouring_discipline``. At discipline 1 the region promises no faster than the fund fills."""
        m = self.m
        h = int(round(m.p.policy.promise_horizon_months))
        means = self.fund["incentive_fund"] + h * self.fund_inflow["incentive_fund"]
        made = float(sum(self.promised_by_month[-h:])) if h > 0 else 0.0
        return means / m.p.policy.honouring_discipline - made

    def note_promised(self, amount: float) -> None:
        """Record this month's new promises (万元), for the promising rule."""
        self.promised_by_month.append(amount)

    def vet_promises(self, n: int) -> int:
        """Vet ``n`` new promises against the fund, the finance bureau's staff time paid from the fund's
        administration; returns how many the fund could pay the vetting of (the others get no promise)."""
        pol, c = self.m.p.policy, self.m.p.costs
        unit = pol.promise_vetting_months * pol.honouring_discipline * c.staff_month
        if unit > 0:
            n = min(n, int(max(0.0, self.fund["incentive_fund"]) // unit))
        cost = n * unit
        self._book("promise_vetting", cost)
        self.fund["incentive_fund"] -= cost
        return n

    def pay_incentives(self, idx: np.ndarray) -> None:
        """Projects starting to build claim their promised incentive: paid while the fund holds, unless a new leader dropped it."""
        m = self.m
        pr = m.investors.promises
        claim = idx[pr.promised[idx] > 0]
        pr.open[idx] = False
        if claim.size == 0:
            return
        claim = claim[np.argsort(m.streams.uniform("honour", claim, m.t), kind="stable")]
        live = (~pr.dropped[claim]).nonzero()[0]  # positions in the claim order
        paid = live[np.cumsum(pr.promised[claim[live]]) <= self.fund["incentive_fund"] + 1e-9]
        funded = claim[paid]
        self._pay(funded)
        rest = np.ones(claim.size, dtype=bool)
        rest[paid] = False
        unpaid = np.sort(claim[rest])  # every other claim, ascending
        pr.broken[unpaid] = True
        m.investors.events.broken[unpaid] = True
        beliefs.on_broken_promise(m, unpaid)
        m.counters.note_promises(funded.size, unpaid.size)

    def _pay(self, idx: np.ndarray) -> None:
        m = self.m
        pr = m.investors.promises
        amount = float(pr.promised[idx].sum())
        self.fund["incentive_fund"] -= amount
        self._book("incentive_fund", amount, self.weights_of(idx, pr.promised[idx], pr.gov))
        pr.paid[idx] = pr.promised[idx]
        beliefs.on_honoured_promise(m, idx)

    def settle_appeals(self) -> None:
        """Unpaid promises appealed through the complaint centre or a tax-enterprise forum may be paid late, from what the fund holds."""
        m, pol, sv = self.m, self.m.p.policy, self.m.p.service
        chance = 1.0 - (1.0 - (sv.complaint_resolution if m.complaint_centre_on else 0.0)) * (
            1.0 - (pol.tax_forum_gain if m.forums["tax"] else 0.0))
        if chance <= 0:
            return
        stage, pr = m.investors.pipeline.stage, m.investors.promises
        active = (stage == BUILDING) | (stage == OPERATING)
        cand = (pr.broken & (pr.paid == 0) & active).nonzero()[0]
        cand = cand[m.streams.uniform("complaint", cand, m.t) < chance]
        if cand.size == 0:
            return
        ok = cand[np.cumsum(pr.promised[cand]) <= self.fund["incentive_fund"] + 1e-9]
        self._pay(ok)
        pr.paid_late[ok] = True
        m.counters.paid_late += ok.size

    def drop_promises(self, gov: int) -> None:
        """A new leader of government ``gov`` drops a share of the predecessor's outstanding promises (新官不理旧账)."""
        m = self.m
        pr = m.investors.promises
        open_ = (pr.open & (pr.gov == gov) & ~pr.dropped).nonzero()[0]
        dropped = open_[m.streams.uniform("rotation", open_, m.t) < m.p.policy.successor_drop]
        pr.dropped[dropped] = True
        m.counters.promises_dropped += dropped.size

    # ------------------------------------------------------------------ the investment fund
    def back_loans(self, idx: np.ndarray, u: np.ndarray) -> np.ndarray:
        """``u``: one uniform per project in ``idx`` for the fund's due diligence."""
        """The investment fund guarantees or co-invests in loans the bank refused, as far as its money goes;
        its due diligence turns some unserious applicants down. Returns the projects it backs."""
        m, pol = self.m, self.m.p.policy
        if idx.size == 0 or self.fund["investment_fund"] <= 0:
            return idx[:0]
        ok = idx[m.pop.serious[idx] | (u >= pol.fund_due_diligence)]
        stake = pol.fund_exposure * m.pop.capital[ok]
        ok = ok[np.cumsum(stake) <= self.fund["investment_fund"] + 1e-9]
        amount = float(pol.fund_exposure * m.pop.capital[ok].sum())
        self.fund["investment_fund"] -= amount
        self.fund_exposed += amount
        m.investors.capital.fund_stake[ok] = pol.fund_exposure * m.pop.capital[ok]
        return ok

    def settle_fund_stakes(self, recovered: np.ndarray, lost: np.ndarray) -> None:
        """Stakes of projects that now operate come back to the fund; stakes of projects that withdrew or stalled are lost."""
        stake = self.m.investors.capital.fund_stake
        back = float(stake[recovered].sum())
        gone = float(stake[lost].sum())
        self.fund["investment_fund"] += back
        self.fund_exposed -= back + gone
        self._book("investment_fund", gone, self.weights_of(lost, stake[lost]) if gone else None)
        stake[recovered] = 0.0
        stake[lost] = 0.0
