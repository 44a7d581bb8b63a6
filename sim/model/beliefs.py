"""Perception: what investors believe of the region, and how beliefs move.

Investors act on beliefs, not on the true states. Five beliefs per investor:
hard environment (serviced land, infrastructure; 0-1), soft environment
(service attitude, atmosphere; 0-1), credibility of promises (0-1), expected
approval delay (months) and legal insecurity (0-1).

- A newly contacted prospect starts from the region's public reputation,
  pulled toward what its informed ties believe (word of mouth).
- Each month own experience pulls a belief toward what was met:
  ``b <- (1 - lambda) b + lambda * experienced``.
- Ties pull beliefs toward informed neighbours' beliefs.
- A broken promise cuts credibility at once (quick to lose); honoured
  promises rebuild it at the slow experience rate (slow to build).
- The public reputation follows the beliefs of investors who went through
  signing (the experienced), slowly.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from sim.model import kernels
from sim.model.agents import BUILDING, CONTACTED, OPERATING, SIGNED

BELIEFS = ("hard", "soft", "credibility", "delay", "risk")


def init_arrays(m, n: int) -> None:
    """Allocate belief arrays and the initial public reputation."""
    m.beliefs = np.zeros((n, len(BELIEFS)))  # one row per investor; the named arrays are its columns
    m.b_hard, m.b_soft, m.b_cred, m.b_delay, m.b_risk = (m.beliefs[:, j] for j in range(len(BELIEFS)))
    b = m.p.behaviour
    # The track record the region starts with, not the strategy's true states: reputation must be earned.
    m.reputation = {"hard": b.reputation_hard, "soft": b.reputation_soft, "credibility": b.reputation_credibility,
                    "delay": m.p.population.patience_months, "risk": m.p.policy.legal_insecurity}
    m.actual = dict(m.reputation)


def _neighbour_means(m, receivers: np.ndarray, informed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean beliefs of the informed ties (mask ``informed``) of each of ``receivers`` (receivers x 5, weighted by
    the ties' weights) and the weight of those ties. Work in proportion to the receivers' ties."""
    ties = m.pop.ties
    total, count = kernels.neighbour_sums(ties.indptr, ties.indices, ties.data, np.asarray(receivers, dtype=np.int64),
                                          informed, m.beliefs)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = total / count[:, None]
    return means, count


def initialise(m, idx: np.ndarray) -> None:
    """Beliefs of prospects contacted this month: reputation, ties' word of mouth and individual noise."""
    if idx.size == 0:
        return
    noise = special.ndtri(np.stack([m.streams.uniform("belief_noise", idx, m.t, j) for j in range(len(BELIEFS))]))
    b = m.p.behaviour
    informed = m.signed_month >= 0  # those who went through signing have something to tell
    base = np.empty((idx.size, len(BELIEFS)))
    base[:] = [m.reputation[name] for name in BELIEFS]  # the public reputation, on every row
    if informed.any():
        means, cnt = _neighbour_means(m, idx, informed)  # what the new contacts' informed ties believe
        has = cnt > 0
        base[has] += b.initial_word_of_mouth * (means[has] - base[has])
    own = base + np.array([b.belief_noise[name] for name in BELIEFS]) * noise.T
    # A local partner vouches for the region.
    vouched = m.partner_lead[idx]
    own[vouched, BELIEFS.index("credibility")] += b.partner_vouching
    own[vouched, BELIEFS.index("soft")] += b.partner_vouching
    # Shares stay in [0, 1], the expected delay at least 0.
    m.beliefs[idx] = np.clip(own, 0.0, _UPPER)


_UPPER = np.array([np.inf if name == "delay" else 1.0 for name in BELIEFS])
"""Largest value of each belief: shares are at most 1, the expected approval delay has no upper bound."""


def mean_of(values: list[float]) -> float:
    """``np.mean`` of a short list of numbers (a few governments or departments), to the last bit (the same
    pairwise sum divided by the count) without its wrappers, which cost more than the sum."""
    a = np.array(values, dtype=np.float64)
    return float(np.add.reduce(a) / a.size)


def actual_environment(m) -> dict[str, float]:
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


def update(m) -> None:
    """A month of own experience and word of mouth; then the reputation follows.

    Only investors in the pipeline (contacted to operating) and projects approved this month learn anything,
    so the work is done on their rows alone."""
    t, lam = m.t, m.p.behaviour.experience_weight
    act = m.actual = actual_environment(m)
    stage = m.stage
    rows = (((stage >= CONTACTED) & (stage <= OPERATING)) | (m.approved_month == t)).nonzero()[0]
    st = stage[rows]
    pending = m.approvals_pending(rows)
    wait = (t - m.signed_month[rows]).astype(np.float64)
    # Hard environment: waiting for land is bad news; getting it soon is good news.
    land_wait = m.ready_for_land_among(rows)
    tol = m.p.construction.land_wait_tolerance
    got_land = (st == BUILDING) & (m.start_month[rows] == t)
    exp_hard = np.where(land_wait, 1.0 - np.minimum(1.0, (t - m.land_ready[rows]) / tol), 1.0)
    _pull(m.b_hard, rows, land_wait | got_land, exp_hard, lam)
    # Soft environment: service as met, soured by waiting past patience.
    pipe = (st >= CONTACTED) & (st <= OPERATING)
    patience = m.pop.patience[rows]
    overdue = np.clip((wait - patience) / patience, 0.0, 1.0)
    exp_soft = act["soft"] * np.where(pending, 1.0 - overdue, 1.0)
    _pull(m.b_soft, rows, pipe & (st >= SIGNED), exp_soft, lam)
    # Delay: the wait experienced so far, or the final approval time.
    approved = m.approved_month[rows]
    exp_delay = np.where(pending, wait, (approved - m.signed_month[rows]).astype(np.float64))
    seen_delay = pending & (wait > m.b_delay[rows]) | (approved == t)
    _pull(m.b_delay, rows, seen_delay, exp_delay, lam)
    # Risk: the legal environment as met while building and operating.
    _pull(m.b_risk, rows, (st == BUILDING) | (st == OPERATING), np.full(rows.size, act["risk"]),
          lam * m.p.behaviour.risk_learning_share)
    # Word of mouth among ties: those who went through signing tell what they met.
    informed_mask = m.signed_month >= 0
    informed = informed_mask.nonzero()[0]
    if m.pop.edges_src.size and informed.size:
        receivers = rows[pipe]
        means, count = _neighbour_means(m, receivers, informed_mask)
        has = count > 0
        recv = receivers[has]
        means = means[has]
        w = m.p.behaviour.word_of_mouth_weight
        own = m.beliefs[recv]
        m.beliefs[recv] = own + w * (means - own)
    # Reputation follows what experienced investors believe, slowly.
    mem = m.p.behaviour.reputation_memory
    if informed.size:
        # each belief's mean over the experienced: one gather, each belief's values in order (as its own array)
        known = np.ascontiguousarray(m.beliefs[informed].T).mean(axis=1)
        for j, name in enumerate(BELIEFS):
            m.reputation[name] = mem * m.reputation[name] + (1 - mem) * float(known[j])


def _pull(arr: np.ndarray, rows: np.ndarray, mask: np.ndarray, target: np.ndarray, lam: float) -> None:
    """Move the beliefs ``arr`` of ``rows[mask]`` a share ``lam`` toward ``target[mask]`` (targets per row of ``rows``)."""
    sel = rows[mask]
    arr[sel] += lam * (target[mask] - arr[sel])


def on_broken_promise(m, idx: np.ndarray) -> None:
    """A broken promise: credibility drops at once (quick to lose)."""
    m.b_cred[idx] *= 1.0 - m.p.behaviour.credibility_shock


def on_honoured_promise(m, idx: np.ndarray) -> None:
    """An honoured promise rebuilds credibility at the slow experience rate."""
    m.b_cred[idx] += m.p.behaviour.experience_weight * (1.0 - m.b_cred[idx])


def satisfaction(m, idx: np.ndarray) -> np.ndarray:
    """Investor satisfaction in [0, 1]: mean of believed hard, soft, credibility, security and speed."""
    speed = 1.0 - np.minimum(1.0, m.b_delay[idx] / m.p.behaviour.satisfaction_delay_months)
    return (m.b_hard[idx] + m.b_soft[idx] + m.b_cred[idx] + (1.0 - m.b_risk[idx]) + speed) / len(BELIEFS)
