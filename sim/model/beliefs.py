"""Perception: what investors believe of the region, and how beliefs move.

Investors act on beliefs, not on the true states. Five beliefs per investor:
hard environment (serviced land, infrastructure; 0-1), soft environment
(service attitude, atmosphere; 0-1), credibility of promises (0-1), expected
approval delay (months) and legal insecurity (0-1).

- A newly contacted prospect starts from the region's public reputation,
  pulled toward what its informed ties believe (word of mouth).
- Each month own experience pulls a belief toward what was met (from signing
  on, the region's serviced land and service as they are):
  ``b <- (1 - lambda) b + lambda * experienced``.
- Ties pull beliefs toward informed neighbours' beliefs.
- A broken promise cuts credibility at once (quick to lose); honoured
  promises rebuild it at the slow experience rate (slow to build).
- The public reputation follows, slowly, the beliefs of the investors who
  signed in the last ``reputation_years`` (staying or gone).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from sim.model import kernels
from sim.model.state import ModelState
from sim.model.units import MONTHS_PER_YEAR
from sim.params import BELIEF_KEYS

BELIEFS = BELIEF_KEYS
"""The columns of the investors' beliefs (``m.investors.beliefs``, investors x beliefs)."""
CREDIBILITY = BELIEFS.index("credibility")


def init_reputation(m: ModelState) -> None:
    """The public reputation the region starts with (``m.reputation``, region-level; the investors' own beliefs are
    the investor table's ``beliefs``, zero until a prospect is first contacted)."""
    b = m.p.behaviour
    # The track record the region starts with, not the strategy's true states: reputation must be earned.
    m.reputation = {"hard": b.reputation_hard, "soft": b.reputation_soft, "credibility": b.reputation_credibility,
                    "delay": m.p.population.patience_months, "risk": m.p.policy.legal_insecurity}
    m.actual = dict(m.reputation)


def initialise(m: ModelState, idx: np.ndarray) -> None:
    """Beliefs of prospects contacted this month: reputation, ties' word of mouth and individual noise
    (:func:`sim.model.kernels.first_beliefs`)."""
    if idx.size == 0:
        return
    noise = special.ndtri(np.stack([m.streams.uniform("belief_noise", idx, m.t, j) for j in range(len(BELIEFS))]))
    b = m.p.behaviour
    ties = m.pop.ties
    inv = m.investors
    kernels.first_beliefs(inv.beliefs, np.asarray(idx, dtype=np.int64), noise,
                          np.array([m.reputation[name] for name in BELIEFS]),
                          np.array([b.belief_noise[name] for name in BELIEFS]), inv.pipeline.signed_month, ties.indptr,
                          ties.indices, ties.data, b.initial_word_of_mouth, inv.partner_lead[idx], b.partner_vouching)


def mean_of(values: list[float]) -> float:
    """``np.mean`` of a short list of numbers (a few governments or departments), to the last bit (the same
    pairwise sum divided by the count) without its wrappers, which cost more than the sum."""
    a = np.array(values, dtype=np.float64)
    return float(np.add.reduce(a) / a.size)


def actual_environment(m: ModelState) -> dict[str, float]:
    """The true states investors meet: serviced land, service, honouring, delay, legal insecurity."""
    free = sum(g.free_land for g in m.governments)
    waiting = m.ready_for_land_rows()
    demand = float(m.pop.land_need[waiting].sum()) + 1e-9
    hard = free / (free + demand)
    wa = m.p.behaviour.attitude_weight_in_service
    service = mean_of([d.effort * (1.0 - wa + wa * d.proactiveness) for d in m.departments])
    ws = m.p.behaviour.service_weight_in_soft
    soft = ws * service + (1.0 - ws) * m.atmosphere
    c = m.counters
    honoured, broken = c.honoured_recent(), c.broken_recent()
    cred = honoured / (honoured + broken) if honoured + broken > 0 else m.reputation["credibility"]
    recent = c.approval_months[-m.p.behaviour.delay_memory_projects:]
    delay = sum(recent) / len(recent) if recent else m.reputation["delay"]  # whole months: an exact sum
    return {"hard": float(hard), "soft": float(soft), "credibility": float(cred), "delay": delay, "risk": m.legal_insecurity}


def update(m: ModelState) -> None:
    """A month of own experience and word of mouth (:func:`sim.model.kernels.learn`, one pass over the
    pipeline's rows: the rules are in this module's docstring and the kernel's); then the reputation follows."""
    b = m.p.behaviour
    act = m.actual = actual_environment(m)
    lam = b.experience_weight
    ties = m.pop.ties
    inv = m.investors
    pl = inv.pipeline
    known = kernels.learn(
        inv.beliefs, pl.stage, pl.approved_month, pl.signed_month, pl.start_month, inv.land.ready_month,
        inv.approvals.pre_start, inv.approvals.done, inv.land.granted, m.pop.serious, m.pop.patience, m.t, float(m.p.construction.land_wait_tolerance), lam,
        lam * b.risk_learning_share, act["hard"], act["soft"], act["risk"], ties.indptr, ties.indices, ties.data,
        b.word_of_mouth_weight, m.t - b.reputation_years * MONTHS_PER_YEAR)
    # Reputation follows, slowly, what the investors who signed in the last reputation_years believe.
    mem = b.reputation_memory
    if known.shape[0]:
        means = known.mean(axis=0)  # each belief's mean over the recent signers, added in their rows' order
        for j, name in enumerate(BELIEFS):
            m.reputation[name] = mem * m.reputation[name] + (1 - mem) * float(means[j])


def on_broken_promise(m: ModelState, idx: np.ndarray) -> None:
    """A broken promise: credibility drops at once (quick to lose)."""
    m.investors.beliefs[idx, CREDIBILITY] *= 1.0 - m.p.behaviour.credibility_shock


def on_honoured_promise(m: ModelState, idx: np.ndarray) -> None:
    """An honoured promise rebuilds credibility at the slow experience rate."""
    beliefs = m.investors.beliefs
    beliefs[idx, CREDIBILITY] += m.p.behaviour.experience_weight * (1.0 - beliefs[idx, CREDIBILITY])


def satisfaction(m: ModelState, idx: np.ndarray) -> np.ndarray:
    """Investor satisfaction in [0, 1] (:func:`sim.model.kernels.satisfaction`): mean of believed hard, soft,
    credibility, security and speed."""
    return kernels.satisfaction(m.investors.beliefs, np.asarray(idx, dtype=np.int64), m.p.behaviour.satisfaction_delay_months)
