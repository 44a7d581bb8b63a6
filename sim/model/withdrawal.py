"""Withdrawal as competing risks: why investors leave.

Each month every negotiating, signed or building project faces a hazard from
each cause, and every operating firm an exit hazard. The total hazard
``1 - prod(1 - h_k)`` decides whether it leaves; the shares ``h_k / sum(h)``
decide the recorded reason. "Why investors left" is therefore an output of
the mechanisms, not an annotation.

Causes: no serviced land; approval delay beyond patience; loan refused;
promised incentive not honoured; better offer elsewhere; city-to-county
hand-off uncertainty; legal insecurity or harassment; not a serious project.
Tracking in the key-project library cuts the land, delay and hand-off hazards.
"""

from __future__ import annotations

import numpy as np

from sim.model import kernels
from sim.model.agents import BUILDING, EXITED, NEGOTIATING, OPERATING, REASONS, SIGNED, WITHDRAWN
from sim.model.state import ModelState

REASON_INDEX = {r: i for i, r in enumerate(REASONS)}


def apply(m: ModelState) -> None:
    """Draw this month's withdrawals and exits and record their reasons (:func:`sim.model.kernels.withdrawals`:
    one pass over the negotiating to operating projects)."""
    inv = m.investors
    pl, ap, ev = inv.pipeline, inv.approvals, inv.events
    idx = kernels.rows_between(pl.stage, NEGOTIATING, OPERATING)
    if idx.size == 0:
        return
    h, b = m.p.hazards, m.p.behaviour
    rates = np.array([getattr(h, r) if r in _RATED else 0.0 for r in REASONS])
    insecure = h.insecurity * m.legal_insecurity
    leave, reason = kernels.withdrawals(
        idx, pl.stage, m.go_on_probability(idx), m.t, pl.signed_month, m.pop.patience, ap.pre_start, ap.done,
        pl.approved_month, inv.land.granted, m.pop.serious, inv.tracked, pl.handoff_until, ev.loan_refused, ev.broken,
        m.pop.size_weight, inv.beliefs, rates, m.p.policy.tracking_hazard_cut, h.delay_excess_cap,
        h.delay_building_share, b.building_sunk_share, insecure, insecure * h.insecurity_operating_share,
        h.exit_operating, b.satisfaction_delay_months, m.streams.base("withdraw", m.t), m.streams.base("reason", m.t))
    record(m, leave, reason)


_RATED = ("no_land", "delay", "loan_refused", "incentive_broken", "outside_offer", "handoff", "not_serious")
"""Causes whose hazard is a rate of the hazards section times the project's exposure (insecurity scales with
the actual legal insecurity, and a negotiation that ends without agreement is no hazard)."""


def record(m: ModelState, idx: np.ndarray, reason: np.ndarray) -> None:
    """Withdraw (or, for operating firms, exit) ``idx`` with the given reasons."""
    if idx.size == 0:
        return
    inv = m.investors
    pl = inv.pipeline
    was = pl.stage[idx].copy()
    pl.end_stage[idx] = was
    pl.reason[idx] = reason
    pl.end_month[idx] = m.t
    inv.set_stage(idx, np.where(was == OPERATING, EXITED, WITHDRAWN), m.t)
    np.add.at(m.counters.by_reason_stage, (reason, was), 1)
    # A project that leaves while it waits for land (ready, none granted) waited until now: its wait counts.
    ready = inv.land.ready_month[idx]
    gave_up = (was == SIGNED) & (ready >= 0) & ~inv.land.granted[idx]
    if gave_up.any():
        m.counters.land_wait_months.extend((m.t - ready[gave_up]).tolist())
    inv.promises.open[idx] = False
    # A project that leaves before building gives its unused land back to its government; the land and
    # half-built plant of one that leaves while building, and the plant of a firm that closes, lie idle until revitalised (盘活闲置资产).
    gov = pl.gov
    back = idx[inv.land.granted[idx] & (was == SIGNED)]
    if back.size:  # (most months no one: the checks below are skipped, not the arithmetic changed)
        for g in np.unique(gov[back]):
            sel = back[gov[back] == g]
            m.governments[int(g)].free_land += float(m.pop.land_need[sel].sum())
    left_built = idx[(was == BUILDING) | (was == OPERATING)]
    if left_built.size:
        for g in np.unique(gov[left_built]):
            sel = left_built[gov[left_built] == g]
            m.governments[int(g)].idle_mu += float(m.pop.land_need[sel].sum())
        m.counters.idle_created += float(m.pop.land_need[left_built].sum())
    # Money the investment fund put into a project that leaves is lost.
    lost = idx[inv.capital.fund_stake[idx] > 0]
    if lost.size:
        m.ledger.settle_fund_stakes(idx[:0], lost)
