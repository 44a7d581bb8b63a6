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

from sim.model import beliefs, kernels
from sim.model.agents import BUILDING, EXITED, NEGOTIATING, OPERATING, REASONS, SIGNED, WITHDRAWN

REASON_INDEX = {r: i for i, r in enumerate(REASONS)}


def hazards(m) -> tuple[np.ndarray, np.ndarray]:
    """Monthly hazards (causes x candidates) and the candidates' rows."""
    h, t = m.p.hazards, m.t
    idx = kernels.rows_between(m.stage, NEGOTIATING, OPERATING)
    st = m.stage[idx]
    H = np.zeros((len(REASONS), idx.size))
    signed = st == SIGNED
    pending = m.approvals_pending(idx)
    serious = m.pop.serious[idx]
    cut = np.where(m.tracked[idx], 1.0 - m.p.policy.tracking_hazard_cut, 1.0)
    land_wait = m.ready_for_land_among(idx)
    H[REASON_INDEX["no_land"]] = h.no_land * land_wait * cut
    wait = t - m.signed_month[idx]
    patience = m.pop.patience[idx]
    excess = np.clip((wait - patience) / patience, 0.0, h.delay_excess_cap)
    H[REASON_INDEX["delay"]] = h.delay * excess * pending * cut * np.where(st == BUILDING, h.delay_building_share, 1.0)
    H[REASON_INDEX["loan_refused"]] = h.loan_refused * m.ev_loan_refused[idx]
    # Large projects weigh promises more (P3): a broken promise drives them away more often.
    H[REASON_INDEX["incentive_broken"]] = h.incentive_broken * m.ev_broken[idx] * m.pop.size_weight[idx]
    active = st != OPERATING
    p_go = m.go_on_probability(idx)
    sunk = np.where(st == BUILDING, m.p.behaviour.building_sunk_share, 1.0)
    H[REASON_INDEX["outside_offer"]] = h.outside_offer * (1.0 - p_go) * sunk * active
    # Wavering while a city contact is handed to a county, or a signed project is moved to another county for land.
    H[REASON_INDEX["handoff"]] = h.handoff * (((st == NEGOTIATING) | signed) & (m.handoff_until[idx] > t)) * cut
    building = (st == BUILDING) | signed
    H[REASON_INDEX["insecurity"]] = h.insecurity * m.legal_insecurity * building
    H[REASON_INDEX["not_serious"]] = h.not_serious * (signed & ~serious)
    # Operating firms: exit when dissatisfied (reason: better offer elsewhere) or harassed (insecurity).
    op = st == OPERATING
    if op.any():
        sat = beliefs.satisfaction(m, idx[op])
        H[REASON_INDEX["outside_offer"], op] = h.exit_operating * (1.0 - sat)
        H[REASON_INDEX["insecurity"], op] = h.insecurity * m.legal_insecurity * h.insecurity_operating_share
    return np.clip(H, 0.0, 1.0), idx


def apply(m) -> None:
    """Draw this month's withdrawals and exits and record their reasons."""
    H, idx = hazards(m)
    if idx.size == 0:
        return
    total = 1.0 - np.prod(1.0 - H, axis=0)
    leave = m.streams.uniform("withdraw", idx, m.t) < total
    if not leave.any():
        return
    Hl = H[:, leave]
    shares = np.cumsum(Hl / Hl.sum(axis=0), axis=0)
    v = m.streams.uniform("reason", idx[leave], m.t)
    reason = np.minimum((v[None, :] > shares).sum(axis=0), len(REASONS) - 1)
    record(m, idx[leave], reason)


def record(m, idx: np.ndarray, reason: np.ndarray) -> None:
    """Withdraw (or, for operating firms, exit) ``idx`` with the given reasons."""
    if idx.size == 0:
        return
    was = m.stage[idx].copy()
    m.end_stage[idx] = was
    m.reason[idx] = reason
    m.end_month[idx] = m.t
    m.stage[idx] = np.where(was == OPERATING, EXITED, WITHDRAWN)
    m.stage_month[idx] = m.t
    np.add.at(m.counters.by_reason_stage, (reason, was), 1)
    m.promise_open[idx] = False
    # A project that leaves before building gives its unused land back to its government; the land and
    # half-built plant of one that leaves while building, and the plant of a firm that closes, lie idle until revitalised (盘活闲置资产).
    back = idx[m.land_granted[idx] & (was == SIGNED)]
    if back.size:  # (most months no one: the checks below are skipped, not the arithmetic changed)
        for g in np.unique(m.gov[back]):
            sel = back[m.gov[back] == g]
            m.governments[int(g)].free_land += float(m.pop.land_need[sel].sum())
    left_built = idx[(was == BUILDING) | (was == OPERATING)]
    if left_built.size:
        for g in np.unique(m.gov[left_built]):
            sel = left_built[m.gov[left_built] == g]
            m.governments[int(g)].idle_mu += float(m.pop.land_need[sel].sum())
        m.counters.idle_created += float(m.pop.land_need[left_built].sum())
    # Money the investment fund put into a project that leaves is lost.
    lost = idx[m.fund_stake[idx] > 0]
    if lost.size:
        m.ledger.settle_fund_stakes(idx[:0], lost)
