"""The investor table: every investor's changing state, one row per investor, and the one way a project changes stage.

Investors are many and simple (see ``agents.py``): their state is numpy arrays, one row per investor, computed
in whole-population operations. The table owns those arrays, in groups named for what they record:

- ``pipeline``: the stage (客商 lifecycle), the month of each transition, the government and source of the lead,
  why and from which stage a project left, the end of a city-to-county hand-off, and the stage each signed
  project was in at each follow-up month of its signing cohort;
- ``approvals``: approvals needed and done (bits by department), the oldest open request, the loan decision;
- ``land``: serviced land granted, the month a project was first ready for it;
- ``promises``: incentives promised at signing (by which government), open, dropped, paid, paid late, broken;
- ``capital``: capital arrived and operating, months built, the month of the last stall, the investment fund's
  stake, the snapshots that follow signing cohorts;
- ``competition``: courted by several counties (bidding war) and the markup won;
- ``events``: this month's loan refusals, broken promises and requests waiting past patience (they feed hazards
  and complaints, and are cleared each month);
- ``beliefs`` (investors x :data:`sim.model.beliefs.BELIEFS`), ``partner_lead`` and ``tracked`` (in the
  key-project library this month).

Every change of ``pipeline.stage`` goes through :meth:`InvestorTable.set_stage`, which also records the month in
``pipeline.stage_month``. With ``checked = True`` the two arrays are read-only outside that method, so a
change that bypasses it fails where it is made (the tests run whole scenarios so); off, the check costs nothing.

What the table does not own: the population's fixed attributes (``model.pop``, drawn at the start) and the
per-investor constants the model derives from them (month of arrival, sector weights, jobs and tax per unit of
capital); region-level states (atmosphere, legal insecurity, reputation, forums, institutions switched on) stay
on the model, money on the ledger (``budget.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.stages import PROSPECT
from sim.model.units import COHORT_MONTHS
from sim.params import BELIEF_KEYS

NOT_YET = -1
"""A month (or government, channel, reason, stage) not reached or not known yet."""


def _months(n: int) -> np.ndarray:
    return np.full(n, NOT_YET, dtype=np.int32)


def _codes(n: int) -> np.ndarray:
    return np.full(n, NOT_YET, dtype=np.int8)


@dataclass(slots=True, eq=False)
class Pipeline:
    """Where each investor stands in the pipeline and when it got there (model months; -1: not yet)."""

    stage: np.ndarray  # int8: stage code (sim.model.stages); changed only through InvestorTable.set_stage
    stage_month: np.ndarray  # int32: month of the last change of stage
    contact_month: np.ndarray  # int32: last contacted
    signed_month: np.ndarray  # int32: signed the contract
    approved_month: np.ndarray  # int32: every approval done
    start_month: np.ndarray  # int32: ground-breaking (开工)
    operate_month: np.ndarray  # int32: construction finished, operating (投产)
    end_month: np.ndarray  # int32: withdrew or exited
    reason: np.ndarray  # int8: why it left (index into REASONS), -1 while it stays
    end_stage: np.ndarray  # int8: the stage it left from
    gov: np.ndarray  # int8: government whose land pool the project uses (the city is the last), -1 none yet
    channel: np.ndarray  # int8: source of its lead (index into sim.model.channels.SOURCES)
    handoff_until: np.ndarray  # int32: month a city-to-county hand-off ends (negotiation and building wait for it)
    stage_at: dict[int, np.ndarray]  # months after signing -> int8 stage at the end of that month (-1: not followed that long)

    @classmethod
    def new(cls, n: int) -> Pipeline:
        """``n`` prospects, none contacted yet, followed after signing at :data:`sim.model.units.COHORT_MONTHS`."""
        return cls(stage=np.full(n, PROSPECT, dtype=np.int8), stage_month=np.zeros(n, dtype=np.int32),
                   contact_month=_months(n), signed_month=_months(n), approved_month=_months(n), start_month=_months(n),
                   operate_month=_months(n), end_month=_months(n), reason=_codes(n), end_stage=_codes(n), gov=_codes(n),
                   channel=_codes(n), handoff_until=np.zeros(n, dtype=np.int32),
                   stage_at={k: _codes(n) for k in COHORT_MONTHS})


@dataclass(slots=True, eq=False)
class Approvals:
    """Each signed project's approvals: bit d stands for department d (the bank is the last)."""

    need: np.ndarray  # int32: approvals (and the loan) the project needs
    done: np.ndarray  # int32: approvals granted so far
    pre_start: np.ndarray  # int32: approvals needed before ground-breaking
    since: np.ndarray  # int32: month its oldest open request has waited since (the service queue's order)
    loan_refused: np.ndarray  # bool: the bank refused its loan and the investment fund did not back it
    fund_backed: np.ndarray  # bool: the investment fund backed the loan the bank refused

    @classmethod
    def new(cls, n: int) -> Approvals:
        """``n`` projects with nothing requested."""
        return cls(need=np.zeros(n, dtype=np.int32), done=np.zeros(n, dtype=np.int32),
                   pre_start=np.zeros(n, dtype=np.int32), since=np.zeros(n, dtype=np.int32),
                   loan_refused=np.zeros(n, dtype=bool), fund_backed=np.zeros(n, dtype=bool))


@dataclass(slots=True, eq=False)
class Land:
    """Serviced land (熟地) for each project."""

    granted: np.ndarray  # bool: land granted from its government's pool
    ready_month: np.ndarray  # int32: month it was first ready for land (pre-start approvals done), -1 not yet

    @classmethod
    def new(cls, n: int) -> Land:
        """``n`` projects without land."""
        return cls(granted=np.zeros(n, dtype=bool), ready_month=_months(n))


@dataclass(slots=True, eq=False)
class Promises:
    """The incentive promised to each project at signing and what became of it (万元)."""

    promised: np.ndarray  # float: 万元 promised at signing
    gov: np.ndarray  # int8: government that made the promise
    open: np.ndarray  # bool: promised and not yet due (due at ground-breaking)
    dropped: np.ndarray  # bool: dropped by a new leader (新官不理旧账)
    paid: np.ndarray  # float: 万元 actually paid
    paid_late: np.ndarray  # bool: paid after an appeal
    broken: np.ndarray  # bool: not paid when due

    @classmethod
    def new(cls, n: int) -> Promises:
        """``n`` projects promised nothing."""
        return cls(promised=np.zeros(n), gov=_codes(n), open=np.zeros(n, dtype=bool), dropped=np.zeros(n, dtype=bool),
                   paid=np.zeros(n), paid_late=np.zeros(n, dtype=bool), broken=np.zeros(n, dtype=bool))


@dataclass(slots=True, eq=False)
class Capital:
    """Capital each project brought and how its construction went (万元, months)."""

    arrived: np.ndarray  # float: 万元 arrived (资金到位)
    operating: np.ndarray  # float: 万元 operating, with reinvestments
    months_built: np.ndarray  # float: months of construction done (at full speed; slower without approvals or loan)
    stall_month: np.ndarray  # int32: month of its last stall (烂尾), -1 never
    fund_stake: np.ndarray  # float: 万元 the investment fund has in the project
    arrived_year_start: np.ndarray  # float: 万元 arrived by the start of this year (the counties' assessment)
    arrived_at: dict[int, np.ndarray]  # months after signing -> 万元 arrived by then (NaN: not followed that long)

    @classmethod
    def new(cls, n: int) -> Capital:
        """``n`` projects with nothing arrived, followed at :data:`sim.model.units.COHORT_MONTHS`."""
        return cls(arrived=np.zeros(n), operating=np.zeros(n), months_built=np.zeros(n), stall_month=_months(n),
                   fund_stake=np.zeros(n), arrived_year_start=np.zeros(n),
                   arrived_at={k: np.full(n, np.nan) for k in COHORT_MONTHS})


@dataclass(slots=True, eq=False)
class Competition:
    """The counties' competition for each prospect (P6)."""

    courted: np.ndarray  # bool: contacted by two or more counties (a bidding war)
    bid_markup: np.ndarray  # float: extra incentive (relative) the winning county offered

    @classmethod
    def new(cls, n: int) -> Competition:
        """``n`` prospects no county has fought over."""
        return cls(courted=np.zeros(n, dtype=bool), bid_markup=np.zeros(n))


@dataclass(slots=True, eq=False)
class Events:
    """What happened to each project this month (cleared at the start of every month)."""

    loan_refused: np.ndarray  # bool: its loan was refused this month (a withdrawal hazard)
    broken: np.ndarray  # bool: its promise was broken this month (a withdrawal hazard)
    overdue: np.ndarray  # bool: its approvals have waited past its patience (complaints at the counters)

    @classmethod
    def new(cls, n: int) -> Events:
        """``n`` projects with nothing happened."""
        return cls(loan_refused=np.zeros(n, dtype=bool), broken=np.zeros(n, dtype=bool), overdue=np.zeros(n, dtype=bool))

    def clear(self) -> None:
        """A new month: no refusal, no broken promise yet (overdue requests are found after the month's decisions)."""
        self.loan_refused[:] = False
        self.broken[:] = False


class InvestorTable:
    """The state of every investor (客商), one row each, in groups (see the module's docstring), and the one
    method that changes a stage."""

    __slots__ = ("n", "pipeline", "approvals", "land", "promises", "capital", "competition", "events", "beliefs",
                 "partner_lead", "tracked", "_checked")

    def __init__(self, n: int):
        self.n = n
        self.pipeline = Pipeline.new(n)
        self.approvals = Approvals.new(n)
        self.land = Land.new(n)
        self.promises = Promises.new(n)
        self.capital = Capital.new(n)
        self.competition = Competition.new(n)
        self.events = Events.new(n)
        self.beliefs = np.zeros((n, len(BELIEF_KEYS)))  # what each investor believes of the region, by column
        self.partner_lead = np.zeros(n, dtype=bool)  # brought by a local firm's partner search (以商招商)
        self.tracked = np.zeros(n, dtype=bool)  # in the key-project library this month
        self._checked = False

    def set_stage(self, rows: np.ndarray, stage: int | np.ndarray, month: int) -> None:
        """Move investors ``rows`` to ``stage`` (one code, or one per row) in ``month``, which becomes their
        ``stage_month``: the only way a stage changes."""
        pl = self.pipeline
        if self._checked:
            pl.stage.flags.writeable = pl.stage_month.flags.writeable = True
            try:
                pl.stage[rows] = stage
                pl.stage_month[rows] = month
            finally:
                pl.stage.flags.writeable = pl.stage_month.flags.writeable = False
            return
        pl.stage[rows] = stage
        pl.stage_month[rows] = month

    @property
    def checked(self) -> bool:
        """Whether stages are checked: ``stage`` and ``stage_month`` are read-only outside :meth:`set_stage`, so a
        change that bypasses it raises ``ValueError`` where it is made."""
        return self._checked

    @checked.setter
    def checked(self, on: bool) -> None:
        self._checked = bool(on)
        self.pipeline.stage.flags.writeable = self.pipeline.stage_month.flags.writeable = not self._checked
