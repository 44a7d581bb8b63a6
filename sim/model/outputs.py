"""What every run reports: the monthly table and the end-of-run summary.

What each output means (kind, unit, labels and a definition, the cohort rates 履约率 and 资金到位率 among them)
is described once in :mod:`sim.model.registry`, which also gives the monthly table its columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from sim.model import kernels, registry
from sim.model.agents import (
    BUILDING,
    CONTACTED,
    DECLINED,
    EXITED,
    NEGOTIATING,
    OPERATING,
    REASONS,
    SIGNED,
    STAGE_NAMES,
    STALLED,
    WITHDRAWN,
)
from sim.model.beliefs import satisfaction
from sim.model.budget import SPEND_KEYS
from sim.model.channels import SOURCES
from sim.model.state import ModelState
from sim.model.units import BN_YUAN, COHORT_MONTHS, HEADLINE_COHORT_MONTHS, MONTHS_PER_YEAR


@dataclass
class Counters:
    """Running counts of events that arrays do not keep."""

    contacted: int = 0
    negotiations_started: int = 0
    declined: int = 0
    screened_out: int = 0
    duplicated_contacts: int = 0
    partner_leads: int = 0
    referral_leads: int = 0
    handoffs: int = 0
    stop_go_years: int = 0
    bidding_wars: int = 0
    bidding_extra: float = 0.0
    returned: int = 0
    late_handoffs: int = 0
    city_contacts: int = 0
    reinvested: float = 0.0
    stalled: int = 0
    resumed: int = 0
    paid_late: int = 0
    promises_dropped: int = 0
    idle_created: float = 0.0
    idle_revitalised: float = 0.0
    approval_months: list = field(default_factory=list)
    land_wait_months: list = field(default_factory=list)
    by_reason_stage: np.ndarray = field(default_factory=lambda: np.zeros((len(REASONS), len(STAGE_NAMES)), dtype=np.int64))
    honoured_by_month: list = field(default_factory=list)
    broken_by_month: list = field(default_factory=list)

    def note_promises(self, honoured: int, broken: int) -> None:
        """Promises honoured and broken in this month's batch of construction starts."""
        self.honoured_by_month.append(honoured)
        self.broken_by_month.append(broken)

    def honoured_recent(self) -> int:
        return int(sum(self.honoured_by_month[-MONTHS_PER_YEAR:]))

    def broken_recent(self) -> int:
        return int(sum(self.broken_by_month[-MONTHS_PER_YEAR:]))


COUNTS = tuple(f.name for f in fields(Counters) if f.type in ("int", "float"))
"""The running counts that are single numbers (each output counts them from month 0)."""


@dataclass(frozen=True)
class Opening:
    """The running totals at month 0, the end of the spin-up (all zero for a cold start): every flow output counts
    from them (a total since month 0 is the total now less the opening one). Stocks (jobs, operating firms, free
    land, fund balances, debt) are read as they are."""

    counts: dict[str, float]
    approvals: int  # approvals recorded before month 0 (their lengths are counted from the next)
    land_waits: int
    by_reason_stage: np.ndarray
    withdrawn: int
    exited: int
    rotations: int
    arrived: np.ndarray  # 万元 arrived in each project by month 0
    arrived_total: float
    tax_total: float
    budget_total: float
    tax_fed_back: float
    spent: dict[str, float]
    returned: float  # money returned to the treasury or not yet used at month 0
    held: float  # money held in the funds at month 0 (an opening balance: spent or still held since)
    allotted: dict[str, float]
    by_government: np.ndarray
    borrowed: float


def opening(m: ModelState) -> Opening:
    """The model's running totals now (at month 0)."""
    c, led = m.counters, m.ledger
    stage = m.investors.pipeline.stage
    arrived = m.investors.capital.arrived.copy()
    return Opening(counts={k: getattr(c, k) for k in COUNTS}, approvals=len(c.approval_months),
                   land_waits=len(c.land_wait_months), by_reason_stage=c.by_reason_stage.copy(),
                   withdrawn=int(np.count_nonzero(stage == WITHDRAWN)), exited=int(np.count_nonzero(stage == EXITED)),
                   rotations=int(sum(g.rotations for g in m.governments)), arrived=arrived,
                   arrived_total=float(arrived.sum()) if m.month0 else 0.0, tax_total=led.tax_total,
                   budget_total=led.budget_total, tax_fed_back=led.tax_fed_back, spent=dict(led.spent), returned=led.returned + led.pending,
                   held=led.held, allotted=dict(led.allotted), by_government=led.by_government.copy(), borrowed=led.borrowed)


def since0(m: ModelState, count: str) -> float:
    """A running count of :class:`Counters` since month 0."""
    return getattr(m.counters, count) - m.opening.counts[count]


def first_month(m: ModelState) -> int:
    """The model's month that is month 1 of the outputs: projects signed in it or later are counted (the spin-up's
    are not)."""
    return m.month0 + 1


MONTHLY_COLUMNS = registry.MONTHLY_COLUMNS
"""The monthly table's columns, in order (described in :mod:`sim.model.registry`)."""


MONTHLY_TABLE = "monthly"
"""The Mesa DataCollector table of the monthly outputs (one row per month, the columns ``MONTHLY_COLUMNS``)."""


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else 0.0


def observe(m: ModelState) -> dict:
    """The month's outputs from the model's arrays: stocks as they are, flows and totals since month 0, the
    projects signed from month 1 (:class:`Opening`)."""
    c, o, led = m.counters, m.opening, m.ledger
    pl, capital = m.investors.pipeline, m.investors.capital
    since = first_month(m)
    counts, signed, heads, op, pipe = kernels.census(pl.stage, len(STAGE_NAMES), pl.signed_month, since, pl.start_month,
                                                     pl.operate_month, m.pop.large, m.pop.industrial)
    started, now_on, done, n_large, n_industrial = heads.tolist()
    n_signed = signed.size
    signed_cap = float(m.pop.announced[signed].sum())
    # capital arrived since month 0 (from any project), and in the projects signed since (every project's, cold)
    arrived = float(capital.arrived.sum()) - o.arrived_total
    arrived_signed = float(np.where(pl.signed_month >= since, capital.arrived, 0.0).sum()) if m.month0 else arrived
    reasons = (c.by_reason_stage - o.by_reason_stage).sum(axis=1)
    approvals = c.approval_months[o.approvals:]
    rec = {
        "month": m.t - m.month0,
        "contacted_total": since0(m, "contacted"),
        "duplicated_contacts": since0(m, "duplicated_contacts"),
        "partner_leads": since0(m, "partner_leads"),
        "referral_leads": since0(m, "referral_leads"),
        "n_contacted": int(counts[CONTACTED]),
        "n_negotiating": int(counts[NEGOTIATING]),
        "n_signed": int(counts[SIGNED]),
        "n_building": int(counts[BUILDING]),
        "n_operating": int(counts[OPERATING]),
        "n_stalled": int(counts[STALLED]),
        "n_withdrawn": int(counts[WITHDRAWN]) - o.withdrawn,
        "n_exited": int(counts[EXITED]) - o.exited,
        "n_declined": int(counts[DECLINED]),
        "signed_projects": n_signed,
        "signed_capital": signed_cap,
        "arrived_capital": arrived,
        "share_started_to_date": _ratio(started, n_signed),
        "share_building_or_operating_now": _ratio(now_on, n_signed),
        "share_completed_to_date": _ratio(done, n_signed),
        "share_capital_arrived_to_date": _ratio(arrived_signed, signed_cap),
        "large_project_share": _ratio(n_large, n_signed),
        "industrial_share": _ratio(n_industrial, n_signed),
        "jobs": float((capital.operating[op] * m.jobs_per_capital[op]).sum()),
        "tax_month": m.tax_month if hasattr(m, "tax_month") else 0.0,
        "tax_revenue": led.tax_total - o.tax_total,
        "mean_approval_months": sum(approvals) / len(approvals) if approvals else 0.0,
        "satisfaction": float(satisfaction(m, pipe).mean()) if pipe.size else 0.0,
        "perceived_hard": m.reputation["hard"],
        "perceived_soft": m.reputation["soft"],
        "perceived_credibility": m.reputation["credibility"],
        "actual_hard": m.actual["hard"],
        "actual_soft": m.actual["soft"],
        "actual_credibility": m.actual["credibility"],
        "legal_insecurity": m.legal_insecurity,
        "atmosphere": m.atmosphere,
        "free_land_mu": float(sum(g.free_land for g in m.governments)),
        "budget_total": led.budget_total - o.budget_total,
        "budget_spent": led.spent_total - sum(o.spent.values()),
        "budget_held": led.held,
        "budget_returned": led.returned + led.pending - o.returned,
        "budget_debt": led.debt,
        "incentive_fund": led.incentive_fund,
        "investment_fund": led.fund["investment_fund"],
        "idle_land_mu": float(sum(g.idle_mu for g in m.governments)),
    }
    for k in COHORT_MONTHS:
        rates = cohort_rates(m, k, signed=signed)
        for r in COHORT_RATES:
            rec[f"cohort_{r}_{k}m"] = rates[r]
    for i, r in enumerate(REASONS):
        rec[f"withdrawn_{r}"] = int(reasons[i])
    for k in SPEND_KEYS:
        rec[f"spent_{k}"] = led.spent[k] - o.spent[k]
    return rec


COHORT_RATES = ("fulfilment_rate", "start_rate", "completion_rate", "capital_arrival_rate")
"""The rates of a signing cohort, in the monthly table's order (``cohort_<rate>_<k>m``)."""
FULFILLED_STAGES = (BUILDING, OPERATING)
"""Stages that count as fulfilled (履约) at the follow-up month: started and still building or operating. A project
withdrawn or closed by then, or stalled (烂尾) at that month, is not fulfilled; one that stalled and resumed is."""


def cohort_rates(m: ModelState, after: int, window: tuple[int, int] | None = None,
                 signed: np.ndarray | None = None) -> dict[str, float]:
    """The rates of a signing cohort ``after`` months after signing, with the counts they divide (NaN rates while
    no project of the window can be followed that long).

    The cohort is every project signed in months ``window`` (inclusive, months since month 0: the spin-up's
    signings are never in it) early enough to be followed for ``after`` months by now (signed ``after`` months ago
    or before); the window defaults to months 1 to ``t - after``. Returns ``projects`` (the cohort), ``projects_started`` and ``projects_completed`` (began
    building, reached operation within ``after`` months of signing: read from each project's months of
    ground-breaking and of operation, so any ``after`` works), ``projects_fulfilled`` (building or operating
    ``after`` months after signing, :data:`FULFILLED_STAGES`), ``capital_signed`` and ``capital_arrived`` (万元,
    arrived ``after`` months after signing), and the rates: ``fulfilment_rate`` (履约率) = fulfilled / projects,
    ``start_rate`` (开工率) = started / projects, ``completion_rate`` = completed / projects,
    ``capital_arrival_rate`` (资金到位率) = capital arrived / capital signed. What a project had become and the
    capital it had brought at its follow-up month are the snapshots the model takes then
    (``investors.pipeline.stage_at``, ``investors.capital.arrived_at``): NaN for follow-up lengths it does not
    snapshot. ``signed``, if given, are the rows of every project signed so far (ascending), found once for
    several calls.
    """
    t = m.t - m.month0  # months since month 0
    lo, hi = window if window else (1, t - after)
    hi = min(hi, t - after)
    pl = m.investors.pipeline
    if signed is None:
        signed = (pl.signed_month >= first_month(m)).nonzero()[0]
    # the cohort (ascending) and how many had started and been completed ``after`` months after signing
    rows, started, completed = kernels.cohort(signed, pl.signed_month, pl.start_month, pl.operate_month,
                                              max(lo, 1) + m.month0, hi + m.month0, after)
    n = rows.size
    snap = m.investors.capital.arrived_at.get(after)
    stage_at = pl.stage_at.get(after)
    nan = float("nan")
    cap = float(m.pop.announced[rows].sum())
    arrived = _sum_known(snap[rows]) if snap is not None else nan
    if stage_at is not None:
        at = stage_at[rows]
        fulfilled = int(np.count_nonzero((at == FULFILLED_STAGES[0]) | (at == FULFILLED_STAGES[1])))
    else:
        fulfilled = nan
    counts = {"projects": n, "projects_started": int(started), "projects_completed": int(completed),
              "projects_fulfilled": fulfilled, "capital_signed": cap, "capital_arrived": arrived}
    if n == 0:  # nothing to observe yet: not a rate of zero
        return {**counts, **dict.fromkeys(COHORT_RATES, nan)}
    return {
        **counts,
        "fulfilment_rate": _ratio(fulfilled, n) if stage_at is not None else nan,
        "start_rate": _ratio(started, n),
        "completion_rate": _ratio(completed, n),
        "capital_arrival_rate": _ratio(arrived, cap) if snap is not None else nan,
    }


def _sum_known(x: np.ndarray) -> float:
    """Sum of ``x`` with NaN counted as 0 (``np.nansum``, without its checks; ``x`` is a copy and is changed)."""
    x[np.isnan(x)] = 0.0
    return float(x.sum())


def cohorts_by_year(m: ModelState) -> dict[str, dict[str, float]]:
    """Rates and counts of each signing year (projects signed in months 1-12, 13-24, ...) at every follow-up length
    the horizon allows: ``{"year_1": {"projects": ..., "capital_signed": ..., "fulfilment_rate_12m": ...,
    "projects_fulfilled_12m": ..., ...}, ...}`` (the keys of :func:`cohort_rates`, with the follow-up length
    added to those that depend on it)."""
    out: dict[str, dict[str, float]] = {}
    year = 1
    t = m.t - m.month0
    while MONTHS_PER_YEAR * year + min(COHORT_MONTHS) <= t:
        window = (MONTHS_PER_YEAR * (year - 1) + 1, MONTHS_PER_YEAR * year)
        row: dict[str, float] = {}
        for k in COHORT_MONTHS:
            if window[1] + k > t:
                break
            rates = cohort_rates(m, k, window)
            row["projects"] = rates.pop("projects")
            row["capital_signed"] = rates.pop("capital_signed")
            for r, v in rates.items():
                row[f"{r}_{k}m"] = v
        out[f"year_{year}"] = row
        year += 1
    return out


def summary(m: ModelState) -> dict:
    """End-of-run summary (``summary.json``): stocks at the horizon, flows and totals since month 0, and the
    projects signed from month 1 (promises, shares and cohorts are theirs)."""
    rec = dict(m.record)
    o, led = m.opening, m.ledger
    inv = m.investors
    pl, pr = inv.pipeline, inv.promises
    signed = pl.signed_month >= first_month(m)
    started = signed & (pl.start_month >= 0)
    completed = signed & (pl.operate_month >= 0)
    cap_signed = float(m.pop.announced[signed].sum())
    out = {k: rec[k] for k in (
        "signed_projects", "signed_capital", "arrived_capital", "share_started_to_date",
        "share_building_or_operating_now", "share_completed_to_date", "share_capital_arrived_to_date",
        "large_project_share", "industrial_share", "jobs", "tax_revenue",
        "mean_approval_months", "budget_spent", "satisfaction", "duplicated_contacts", "partner_leads",
        "referral_leads", "perceived_hard", "perceived_soft", "perceived_credibility", "actual_hard", "actual_soft",
        "actual_credibility", "atmosphere", "legal_insecurity")}
    out["months"] = m.t - m.month0
    out["prospects_contacted"] = int((pl.contact_month >= first_month(m)).sum())
    out["contacts_made"] = rec["contacted_total"]
    out["prospects_available"] = int((m.arrival_month <= m.t).sum())
    out["prospects_returned"] = since0(m, "returned")
    out["negotiations_started"] = since0(m, "negotiations_started")
    out["budget_total"] = rec["budget_total"]
    out["operating_projects"] = rec["n_operating"]
    out["large_share_started"] = _ratio((started & m.pop.large).sum(), started.sum())
    out["large_share_completed"] = _ratio((completed & m.pop.large).sum(), completed.sum())
    out["industrial_share_started"] = _ratio((started & m.pop.industrial).sum(), started.sum())
    out["industrial_share_completed"] = _ratio((completed & m.pop.industrial).sum(), completed.sum())
    # The prospect pool the pipeline starts from (P3): its shares of large and of industrial projects, set by the
    # region's sector shares and size distribution, against which the shares of what is completed are judged.
    in_market = m.arrival_month <= m.t
    out["large_share_prospects"] = _ratio((in_market & m.pop.large).sum(), in_market.sum())
    out["industrial_share_prospects"] = _ratio((in_market & m.pop.industrial).sum(), in_market.sum())
    out["industrial_share_signed_capital"] = _ratio(m.pop.announced[signed & m.pop.industrial].sum(), cap_signed)
    # One provincial fair's projects of 1 bn yuan and more are 63% of its signed value (docs/SOURCES.md#provincial-fair-2023).
    out["signed_capital_share_1bn_plus"] = _ratio(m.pop.announced[signed & (m.pop.announced >= BN_YUAN)].sum(), cap_signed)
    arrived = inv.capital.arrived - o.arrived  # since month 0
    out["industrial_share_arrived_capital"] = _ratio(arrived[m.pop.industrial].sum(), arrived.sum())
    # Promises of the projects signed from month 1 (a promise of the spin-up paid since is money spent, not one of theirs).
    paid_amount = np.where(signed, pr.paid, 0.0)
    out["incentives_promised"] = float(pr.promised[signed].sum())
    out["incentives_paid"] = float(paid_amount.sum())
    due = (pr.promised > 0) & (pl.start_month >= 0) & signed
    paid = (pr.paid > 0) & signed
    out["promises_due"] = int(due.sum())
    out["promises_broken"] = int((due & ~paid).sum())
    out["promises_paid_late"] = int((pr.paid_late & signed).sum())
    out["promises_dropped_by_successors"] = since0(m, "promises_dropped")
    out["promises_unfunded"] = int((due & pr.broken & ~pr.dropped).sum())
    out["honouring_rate"] = _ratio(paid.sum(), due.sum())
    out["leader_rotations"] = int(sum(g.rotations for g in m.governments)) - o.rotations
    out["stop_go_years"] = since0(m, "stop_go_years")
    out["stalled_projects"] = rec["n_stalled"]
    out["stalls"] = since0(m, "stalled")
    out["idle_land_mu"] = rec["idle_land_mu"]
    out["idle_created_mu"] = since0(m, "idle_created")
    out["idle_revitalised_mu"] = since0(m, "idle_revitalised")
    out["late_handoffs"] = since0(m, "late_handoffs")
    out["handoff_share"] = _ratio(since0(m, "handoffs"), since0(m, "city_contacts"))
    # What the counties' competition costs (P6): prospects courted by several counties, the extra incentive promised
    # to outbid a rival, and courted prospects that never signed.
    courted, bid_markup = inv.competition.courted & (pl.contact_month >= first_month(m)), inv.competition.bid_markup
    out["prospects_courted_by_several"] = int(courted.sum())
    out["bidding_extra_promised"] = since0(m, "bidding_extra")
    out["bidding_extra_per_courted_signing"] = _ratio(out["bidding_extra_promised"], (courted & signed).sum())
    paid_extra = paid_amount * bid_markup / (1.0 + bid_markup)
    out["bidding_extra_paid"] = float(paid_extra.sum())
    out["bidding_extra_paid_per_project"] = _ratio(out["bidding_extra_paid"], int(paid.sum()))
    out["courted_lost"] = int((courted & ~signed & (pl.stage != CONTACTED) & (pl.stage != NEGOTIATING)).sum())
    out["fund_backed_loans"] = int((inv.approvals.fund_backed & signed).sum())
    out["budget_held"] = rec["budget_held"]
    out["budget_held_at_start"] = o.held
    out["budget_tax_fed_back"] = led.tax_fed_back - o.tax_fed_back
    out["budget_returned"] = rec["budget_returned"]
    out["budget_borrowed"] = led.borrowed - o.borrowed
    out["budget_debt"] = rec["budget_debt"]
    out["screened_out"] = since0(m, "screened_out")
    out["declined"] = since0(m, "declined")
    out["handoffs"] = since0(m, "handoffs")
    out["reinvested_capital"] = since0(m, "reinvested")
    # Waits that ended (land granted or given up) and those still running at the end (censored there).
    still = m.investors.land.ready_month[m.ready_for_land_rows()]
    waits = m.counters.land_wait_months[o.land_waits:] + (m.t - still[still >= 0]).tolist()
    out["mean_land_wait_months"] = float(np.mean(waits)) if waits else 0.0
    spent = rec["budget_spent"]
    out["cost_per_job"] = _ratio(spent, rec["jobs"])
    out["cost_per_10k_arrived"] = _ratio(spent, rec["arrived_capital"])
    out["jobs_per_10k_spent"] = _ratio(rec["jobs"], spent)
    out["arrived_per_10k_spent"] = _ratio(rec["arrived_capital"], spent)
    by_reason_stage = m.counters.by_reason_stage - o.by_reason_stage
    out["withdrawals_by_reason"] = {r: int(v) for r, v in zip(REASONS, by_reason_stage.sum(axis=1), strict=True)}
    out["withdrawals_after_signing_by_reason"] = {
        r: int(v) for r, v in zip(REASONS, by_reason_stage[:, SIGNED:].sum(axis=1), strict=True)}
    out["withdrawals_by_reason_and_stage"] = {
        r: {STAGE_NAMES[s]: int(by_reason_stage[i, s]) for s in (NEGOTIATING, SIGNED, BUILDING, OPERATING)}
        for i, r in enumerate(REASONS)}
    out["spent_by_lever"] = {k: float(v - o.spent[k]) for k, v in led.spent.items()}
    # Money allotted to each lever, paid out (spent_by_lever) and still held (the funds): a fund allotted more is not free.
    out["allotted_by_lever"] = {k: float(v - o.allotted[k]) for k, v in led.allotted.items()}
    out["held_by_lever"] = led.held_by_lever()
    by_government = led.by_government - o.by_government
    out["spent_by_government"] = {g.name: {k: float(v) for k, v in zip(SPEND_KEYS, by_government[g.index], strict=True)}
                                  for g in m.governments}
    for after in COHORT_MONTHS:
        for k, v in cohort_rates(m, after).items():
            out[f"cohort_{k}_{after}m"] = v
    out["cohorts_by_year"] = cohorts_by_year(m)
    src = pl.channel[signed]
    out["signed_by_source"] = {s: int((src == i).sum()) for i, s in enumerate(SOURCES)}
    out["results_by_government"] = results_by_government(m)
    out.update(mechanism_accounts(m))
    return out


GOVERNMENT_RESULTS = ("signed_projects", "arrived_capital", "jobs", "promises_broken")
"""What ``results_by_government`` counts for each government (registry: ``results_by_government.<gov>.<what>``)."""


def results_by_government(m: ModelState) -> dict[str, dict[str, float]]:
    """What each government's projects brought by the horizon: projects signed, capital arrived (万元) and jobs in
    operating firms, by the government whose land the project uses (where it was courted until it is granted land),
    and the promises it broke (due and not paid, by the government that made them), counted from month 0 as the
    region's figures are. Each adds up over the governments to the region's figure."""
    inv = m.investors
    pl, pr, capital = inv.pipeline, inv.promises, inv.capital
    op = pl.stage == OPERATING
    jobs = np.zeros(pl.stage.size)
    jobs[op] = capital.operating[op] * m.jobs_per_capital[op]
    # as the region's figures count them (summary): projects signed from month 1 and their promises, capital
    # arrived since month 0 (the spin-up's is not the strategy's), jobs as they stand at the horizon
    signed = pl.signed_month >= first_month(m)
    broken = (pr.promised > 0) & (pl.start_month >= 0) & ~(pr.paid > 0) & signed
    arrived = capital.arrived - m.opening.arrived
    out = {}
    for g in m.governments:
        mine = pl.gov == g.index
        out[g.name] = {"signed_projects": int((signed & mine).sum()), "arrived_capital": float(arrived[mine].sum()),
                       "jobs": float(jobs[mine].sum()), "promises_broken": int((broken & (pr.gov == g.index)).sum())}
    return out


COHORT_ACCOUNT_MONTHS = HEADLINE_COHORT_MONTHS
"""Months after signing at which the cohort accounts follow projects (as ``cohort_fulfilment_rate_24m``)."""
CAPITAL_STATUSES = ("operating", "building", "stalled", "waiting")
"""Where a signed project stands at the horizon, besides withdrawn or exited (counted by reason)."""
NOT_FULFILLED = ("waiting", "stalled")
"""Where a project of the cohort that is not fulfilled stands at its follow-up month, besides withdrawn or exited
(counted by reason): still waiting to start (signed), or stalled (烂尾)."""


SIGNED_BEFORE = "signed_before"
"""The group of ``capital_gap``: projects signed before month 0 (in the spin-up) whose capital arrived since."""


def mechanism_accounts(m: ModelState, after: int = COHORT_ACCOUNT_MONTHS) -> dict:
    """Accounts that explain the cohort fulfilment and start rates and arrived capital by mechanism, exactly.

    - ``cohort_not_fulfilled_{after}m``: the signed cohort of :func:`cohort_rates` that was not building or
      operating ``after`` months after signing, by where it stood then: withdrawn or closed for each reason (before
      or after starting), ``waiting`` (still signed, for land, approvals or money) or ``stalled`` (烂尾).
      ``cohort_fulfilment_rate`` = 1 - their sum / the cohort's projects.
    - ``cohort_not_started_{after}m``: the cohort that had not begun building ``after`` months after signing, by
      what had become of it by then: withdrawn for each reason, or ``waiting``. ``cohort_start_rate`` = 1 - their
      sum / the cohort's projects.
    - ``capital_gap``: 万元 signed but not arrived (announced - arrived) for every signed project, by where it
      stands at the horizon: withdrawn or exited for each reason, operating, building, stalled (烂尾) or
      waiting to start, each of the projects signed from month 1; and ``signed_before``, minus the capital that
      arrived since month 0 in projects signed before it. ``arrived_capital`` = ``signed_capital`` - their sum.
    - ``capital_gap_projects``: the signed projects in each of those groups.
    """
    pl = m.investors.pipeline
    stage, signed_month, reason = pl.stage, pl.signed_month, pl.reason
    first = first_month(m)
    cohort = (signed_month >= first) & (signed_month <= m.t - after)
    started = (pl.start_month >= 0) & (pl.start_month <= signed_month + after)  # as cohort_rates counts it
    not_started = cohort & ~started
    gone_by = not_started & (reason >= 0) & (pl.end_month >= 0) & (pl.end_month <= signed_month + after)
    cohort_out = {r: int((gone_by & (reason == i)).sum()) for i, r in enumerate(REASONS)}
    cohort_out["waiting"] = int((not_started & ~gone_by).sum())
    at = pl.stage_at[after]
    left = cohort & ((at == WITHDRAWN) | (at == EXITED))  # the reason is the one recorded when it left
    unfulfilled = {r: int((left & (reason == i)).sum()) for i, r in enumerate(REASONS)}
    unfulfilled["waiting"] = int((cohort & (at == SIGNED)).sum())
    unfulfilled["stalled"] = int((cohort & (at == STALLED)).sum())
    signed = signed_month >= first
    arrived = m.investors.capital.arrived
    gap = m.pop.announced - arrived
    gone = signed & ((stage == WITHDRAWN) | (stage == EXITED))
    groups = {r: gone & (reason == i) for i, r in enumerate(REASONS)}
    groups["operating"] = signed & (stage == OPERATING)
    groups["building"] = signed & (stage == BUILDING)
    groups["stalled"] = signed & (stage == STALLED)
    groups["waiting"] = signed & ~gone & (stage != OPERATING) & (stage != BUILDING) & (stage != STALLED)
    capital = {k: float(gap[g].sum()) for k, g in groups.items()}
    projects = {k: int(g.sum()) for k, g in groups.items()}
    # Capital that arrived since month 0 in projects signed before it: a gap below zero (it adds to arrived capital).
    before = (signed_month >= 0) & ~signed & (arrived > m.opening.arrived)
    capital[SIGNED_BEFORE] = 0.0 - (float(arrived[before].sum()) - float(m.opening.arrived[before].sum()))
    projects[SIGNED_BEFORE] = int(before.sum())
    return {f"cohort_not_fulfilled_{after}m": unfulfilled,
            f"cohort_not_started_{after}m": cohort_out,
            "capital_gap": capital,
            "capital_gap_projects": projects}


def check_invariants(m: ModelState) -> list[str]:
    """Stock-flow checks that must hold every month; returns the violations (empty when all hold)."""
    bad = []
    pl, arrived = m.investors.pipeline, m.investors.capital.arrived
    counts = np.bincount(pl.stage.astype(np.int64), minlength=len(STAGE_NAMES))  # counted apart from the census
    if counts.sum() != m.n:
        bad.append(f"stage counts add to {counts.sum()}, not {m.n}")
    signed = pl.signed_month >= 0
    if arrived.sum() > m.pop.announced[signed].sum() + 1e-6:
        bad.append("arrived capital exceeds signed capital")
    if np.any(arrived > m.pop.capital + 1e-6):
        bad.append("a project received more capital than it commits")
    for k in ("share_started_to_date", "share_building_or_operating_now", "share_completed_to_date",
              "share_capital_arrived_to_date", "large_project_share",
              "industrial_share", "satisfaction", "actual_hard", "actual_soft", "atmosphere", "legal_insecurity",
              *(c for c in MONTHLY_COLUMNS if c.startswith("cohort_"))):
        if np.isfinite(m.record[k]) and not 0.0 <= m.record[k] <= 1.0:
            bad.append(f"{k} = {m.record[k]} outside [0, 1]")
    if m.ledger.spent_total > m.ledger.budget_total + 1e-6:
        bad.append(f"spent {m.ledger.spent_total:.1f} exceeds budget {m.ledger.budget_total:.1f}")
    if any(g.free_land < -1e-6 for g in m.governments):
        bad.append("negative free land")
    if min(m.ledger.fund.values()) < -1e-6:
        bad.append("negative fund balance")
    led = m.ledger
    by_gov = led.by_government.sum(axis=0)
    for k, v in zip(SPEND_KEYS, by_gov, strict=True):
        if abs(v - led.spent[k]) > 1e-6 * max(1.0, led.spent[k]):
            bad.append(f"spending on {k} booked to the governments ({v:.3f}) differs from the lever's ({led.spent[k]:.3f})")
    gap = led.budget_total - (led.spent_total + led.held + led.returned + led.pending)
    if abs(gap) > 1e-6 * max(1.0, led.budget_total):
        bad.append(f"budget not accounted for: {gap:.3f} 万元 neither spent, held nor returned")
    owed = led.borrowed + led.capitalised - led.repaid
    if abs(led.debt - owed) > 1e-6 * max(1.0, led.borrowed) or led.debt < -1e-6:
        bad.append(f"park debt {led.debt:.3f} 万元 is not borrowed + capitalised - repaid ({owed:.3f})")
    if abs(led.debt - sum(owed_now for owed_now, _ in led.loans)) > 1e-6 * max(1.0, led.borrowed):
        bad.append("park debt differs from what its loans still owe")
    if abs(led.repaid - (led.spent["park_repayment"])) > 1e-6 * max(1.0, led.repaid):
        bad.append(f"park principal repaid ({led.repaid:.3f}) differs from its spending ({led.spent['park_repayment']:.3f})")
    if any(g.idle_mu < -1e-6 for g in m.governments):
        bad.append("negative idle land")
    gone = (pl.stage == WITHDRAWN) | (pl.stage == EXITED)
    if np.any(pl.reason[gone] < 0):
        bad.append("a withdrawal without a reason")
    return bad
