"""Compiled loops of the month (numba): lead generation, the part whose work grows with the whole market,
and the per-row rules that numpy would run as dozens of passes over the pipeline, each a temporary array
(uniforms, first beliefs, learning and word of mouth, the offer's value, the competing risks of withdrawal,
referrals, the charge of contacts to channels, the service counters, the land queue, the month's head counts and
cohorts).

Every month each government that buys contacts draws them from every prospect in the market: one
counter-based uniform per prospect and government (:mod:`sim.model.streams`), the prospect's selection
weight (the government's mixture of channel targeting weights) and the Gumbel top-k choice
(:func:`sim.model.channels.draw_top_k`). In numpy that is some twenty passes over the market per
government, each a temporary array; here it is one loop that keeps only a short list of prospects that can
be among the k chosen. The exact keys of that short list, and the choice, are then computed in numpy by the
same formula as the full computation, so the contacts chosen are the ones the full computation gives.

The uniforms are bit for bit those of :meth:`sim.model.streams.Streams.uniform` (integer hashing and an
exact conversion; a test compares them). Sums of weights are taken in a fixed sequential order, whatever the
engine or the number of workers. The per-row rules use only the four exactly rounded operations, in the
order the numpy formulas they replaced used (the model's numbers did not change by a bit); exponentials and
logarithms stay in numpy, whose vectorised versions need not round as the compiled ones do.

numba caches the compiled loops on disk and checks only this file before loading them; the constants taken
from :mod:`sim.model.stages` and :mod:`sim.params` are frozen into the cache, so ``scripts/setup.sh`` clears
it when any of those files changes. The hash constants of the counter-based uniforms live here, below the
streams that call :func:`uniforms`.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.model.stages import BUILDING, CONTACTED, NEGOTIATING, OPERATING, REASONS, SIGNED
from sim.params import BELIEF_KEYS

# SplitMix64 over the row times the golden-ratio constant: the streams' counter-based uniforms.
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = (np.uint64(k) for k in (30, 27, 31, 11))
_UNIT = 1.0 / (1 << 53)
_CENTRE = 0.5  # a uniform is the centre of one of 2**53 equal cells: never 0 or 1
_G = np.uint64(_GOLDEN)
MARGIN = 1e-9  # relative slack on the short list's bound: far above rounding, far below any gap between keys that matters
_HARD, _SOFT, _CREDIBILITY, _EXPECTED_DELAY, _RISK = (BELIEF_KEYS.index(b)
                                                     for b in ("hard", "soft", "credibility", "delay", "risk"))
"""The columns of the beliefs (investors x beliefs)."""


@numba.njit(inline="always")
def _uniform(row, base):
    x = np.uint64(row) * _G + base
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return (np.float64(np.int64(x >> _S11)) + _CENTRE) * _UNIT  # below 2**53: the signed conversion is exact


@numba.njit(cache=True, nogil=True)
def uniforms(rows, base):
    """The counter-based uniform of every row of ``rows`` (int64) for one draw's ``base``
    (:meth:`sim.model.streams.Streams.uniform`)."""
    out = np.empty(rows.size)
    for i in range(rows.size):
        out[i] = _uniform(rows[i], base)
    return out


@numba.njit(cache=True, nogil=True)
def neighbour_sums(indptr, indices, data, receivers, informed, beliefs):
    """Word of mouth: for each of ``receivers``, the weight of its ties (a CSR matrix ``indptr``, ``indices``,
    ``data``) to investors in the mask ``informed`` and the weighted sums of their ``beliefs`` (rows x beliefs),
    each tie's weight times a belief added in the tie matrix's order."""
    n, k = receivers.size, beliefs.shape[1]
    count = np.zeros(n)
    total = np.zeros((n, k))
    for r in range(n):
        i = receivers[r]
        for t in range(indptr[i], indptr[i + 1]):
            o = indices[t]
            if informed[o]:
                w = np.float64(data[t])
                count[r] += w
                for j in range(k):
                    total[r, j] += w * beliefs[o, j]
    return total, count


@numba.njit(inline="always")
def _waits_for_land(stage, pre, done, granted, serious):
    """A signed serious project with the approvals it needs before breaking ground (bits ``pre``) done and no
    land yet."""
    return stage == SIGNED and (done & pre) == pre and not granted and serious


@numba.njit(inline="always")
def _pending(stage, approved_month):
    """A signed or building project still waiting for some approval."""
    return (stage == SIGNED or stage == BUILDING) and approved_month < 0


@numba.njit(cache=True, nogil=True)
def waiting_for_land(rows, stage, appr_pre, appr_done, land_granted, serious):
    """Those of ``rows`` that wait for land (signed, serious, pre-start approvals done, no land yet), in order."""
    out = np.empty(rows.size, dtype=np.int64)
    k = 0
    for i in rows:
        if _waits_for_land(stage[i], appr_pre[i], appr_done[i], land_granted[i], serious[i]):
            out[k] = i
            k += 1
    return out[:k].copy()


@numba.njit(cache=True, nogil=True)
def learn(beliefs, stage, approved_month, signed_month, start_month, land_ready, appr_pre, appr_done, land_granted,
          serious, patience, t, tol, lam, lam_risk, hard_met, soft_met, risk_met, indptr, indices, data, word_of_mouth,
          since):
    """A month of learning (:func:`sim.model.beliefs.update`) on the rows of ``beliefs`` (investors x hard, soft,
    credibility, delay, risk) in the pipeline (contacted to operating) or approved in month ``t``, in place.

    Own experience first, each belief pulled a share (``lam``, ``lam_risk`` for risk) toward what was met:
    hard, where waiting for land (1 less the wait over ``tol`` months, at least 0), given land this month (1), else
    from signing on the region's serviced land against what waits for it (``hard_met``); soft, from signing on (``soft_met``, cut by the wait past patience while approvals are pending); the delay,
    where the wait so far exceeds the belief or the last approval came this month (the wait, or the approval
    time); risk, while building and operating (``risk_met``). Then word of mouth: each pipeline row is pulled a
    share ``word_of_mouth`` toward the tie-weighted mean beliefs of its ties who went through signing (ties in
    CSR ``indptr``, ``indices``, ``data``), all means taken after the month's experience. Returns what the
    investors who signed in month ``since`` or later believe after the month, a row each in their rows' order."""
    n = stage.size
    rows = np.empty(n, dtype=np.int64)
    m = 0
    informed = np.empty(n, dtype=np.bool_)
    n_recent = 0
    for i in range(n):
        informed[i] = signed_month[i] >= 0
        n_recent += informed[i] and signed_month[i] >= since
        s = stage[i]
        if (s >= CONTACTED and s <= OPERATING) or approved_month[i] == t:
            rows[m] = i
            m += 1
    receivers = np.empty(m, dtype=np.int64)
    k = 0
    for q in range(m):
        i = rows[q]
        s = stage[i]
        pending = _pending(s, approved_month[i])
        wait = np.float64(t - signed_month[i])
        pipe = s >= CONTACTED and s <= OPERATING
        if _waits_for_land(s, appr_pre[i], appr_done[i], land_granted[i], serious[i]):
            beliefs[i, _HARD] += lam * (1.0 - min(1.0, np.float64(t - land_ready[i]) / tol) - beliefs[i, _HARD])
        elif s == BUILDING and start_month[i] == t:
            beliefs[i, _HARD] += lam * (1.0 - beliefs[i, _HARD])
        elif pipe and s >= SIGNED:
            beliefs[i, _HARD] += lam * (hard_met - beliefs[i, _HARD])
        if pipe and s >= SIGNED:
            met = soft_met
            if pending:
                met = soft_met * (1.0 - min(max((wait - patience[i]) / patience[i], 0.0), 1.0))
            beliefs[i, _SOFT] += lam * (met - beliefs[i, _SOFT])
        approved = approved_month[i]
        if (pending and wait > beliefs[i, _EXPECTED_DELAY]) or approved == t:
            met = wait if pending else np.float64(approved - signed_month[i])
            beliefs[i, _EXPECTED_DELAY] += lam * (met - beliefs[i, _EXPECTED_DELAY])
        if s == BUILDING or s == OPERATING:
            beliefs[i, _RISK] += lam_risk * (risk_met - beliefs[i, _RISK])
        if pipe:
            receivers[k] = i
            k += 1
    receivers = receivers[:k]
    total, count = neighbour_sums(indptr, indices, data, receivers, informed, beliefs)
    for r in range(k):
        if count[r] > 0:
            i = receivers[r]
            for j in range(beliefs.shape[1]):
                beliefs[i, j] += word_of_mouth * (total[r, j] / count[r] - beliefs[i, j])
    # what the recent signers now believe, a row each (for the reputation's means)
    known = np.empty((n_recent, beliefs.shape[1]))
    q = 0
    for i in range(n):
        if informed[i] and signed_month[i] >= since:
            for j in range(beliefs.shape[1]):
                known[q, j] = beliefs[i, j]
            q += 1
    return known


@numba.njit(cache=True, nogil=True)
def first_beliefs(beliefs, rows, noise, reputation, spread, signed_month, indptr, indices, data, word_of_mouth,
                  vouched, vouching):
    """The beliefs of prospects ``rows`` contacted for the first time (:func:`sim.model.beliefs.initialise`), in
    place: the public ``reputation`` (one value per belief), pulled a share ``word_of_mouth`` toward the
    tie-weighted mean beliefs of their ties who went through signing, plus ``spread`` (per belief) times their
    standard normal ``noise`` (beliefs x rows); a local partner's lead (``vouched``, per row) adds ``vouching`` to
    credibility and the soft environment. Shares are kept in [0, 1], the expected delay at least 0."""
    informed = signed_month >= 0
    k = reputation.size
    base = np.empty((rows.size, k))
    total, count = neighbour_sums(indptr, indices, data, rows, informed, beliefs)
    for r in range(rows.size):
        for j in range(k):
            base[r, j] = reputation[j]
            if count[r] > 0:  # ties who went through signing
                base[r, j] += word_of_mouth * (total[r, j] / count[r] - base[r, j])
    for r in range(rows.size):
        i = rows[r]
        for j in range(k):
            own = base[r, j] + spread[j] * noise[j, r]
            if vouched[r] and (j == _CREDIBILITY or j == _SOFT):
                own += vouching
            own = max(own, 0.0)
            if j != _EXPECTED_DELAY:
                own = min(own, 1.0)
            beliefs[i, j] = own


@numba.njit(cache=True, nogil=True)
def utilities(rows, beliefs, incentive, incentive_rate, bid_markup, size_weight, appeal, env_weight, b_incentive,
              b_soft, b_risk, b_hard, b_delay):
    """The perceived value of the local offer for ``rows`` (:meth:`sim.model.model.AttractionModel.utility`): the
    sector's appeal plus its weight on the environment times the believed environment (the incentive, in percent
    of capital, times believed credibility, the soft environment and legal risk, these three weighted by
    project size, and the hard environment), less the believed delay. ``incentive`` per row, or empty for the
    published rate raised by each row's ``bid_markup``."""
    out = np.empty(rows.size)
    headline = incentive.size == 0
    for r in range(rows.size):
        i = rows[r]
        inc = incentive_rate * (1.0 + bid_markup[i]) if headline else incentive[r]
        env = (size_weight[i] * (b_incentive * inc * beliefs[i, _CREDIBILITY] + b_soft * beliefs[i, _SOFT]
                                 - b_risk * beliefs[i, _RISK]) + b_hard * beliefs[i, _HARD])
        out[r] = appeal[i] + env_weight[i] * env - b_delay * beliefs[i, _EXPECTED_DELAY]
    return out


@numba.njit(inline="always")
def _satisfied(beliefs, i, delay_months):
    speed = 1.0 - min(1.0, beliefs[i, _EXPECTED_DELAY] / delay_months)
    return (beliefs[i, _HARD] + beliefs[i, _SOFT] + beliefs[i, _CREDIBILITY] + (1.0 - beliefs[i, _RISK]) + speed
            ) / len(BELIEF_KEYS)


@numba.njit(cache=True, nogil=True)
def satisfaction(beliefs, rows, delay_months):
    """Satisfaction of ``rows`` in [0, 1]: the mean of their believed hard and soft environment, credibility,
    security (1 - risk) and speed (1 - the expected delay over ``delay_months``, at least 0)."""
    out = np.empty(rows.size)
    for r in range(rows.size):
        out[r] = _satisfied(beliefs, rows[r], delay_months)
    return out


_NO_LAND, _DELAY, _LOAN, _BROKEN, _OUTSIDE, _HANDOFF, _INSECURITY, _NOT_SERIOUS, _NO_AGREEMENT = (
    REASONS.index(r) for r in ("no_land", "delay", "loan_refused", "incentive_broken", "outside_offer", "handoff",
                               "insecurity", "not_serious", "no_agreement"))


@numba.njit(cache=True, nogil=True)
def withdrawals(rows, stage, p_go, t, signed_month, patience, appr_pre, appr_done, approved_month, land_granted,
                serious, tracked, handoff_until, loan_refused, broken, size_weight, beliefs, rates, tracking_cut,
                excess_cap, building_delay_share, building_sunk_share, insecure, insecure_operating, exit_operating,
                delay_months, base_leave, base_reason):
    """The month's competing risks (:mod:`sim.model.withdrawal`) for ``rows`` (negotiating to operating, with
    their go-on probabilities ``p_go``): each row's hazard from each cause (``rates`` in the order of the
    reasons, each times the row's exposure to it), clipped to [0, 1]; it leaves if its uniform of ``base_leave``
    is below ``1 - prod(1 - h)``, for the cause its uniform of ``base_reason`` falls on in the cumulative shares
    ``h / sum(h)``. Returns (the rows that leave, their reasons)."""
    n_causes = len(REASONS)
    h = np.zeros(n_causes)
    leave = np.empty(rows.size, dtype=np.int64)
    why = np.empty(rows.size, dtype=np.int64)
    k = 0
    for q in range(rows.size):
        i = rows[q]
        s = stage[i]
        signed = s == SIGNED
        building = s == BUILDING
        cut = 1.0 - tracking_cut if tracked[i] else 1.0
        land_wait = _waits_for_land(s, appr_pre[i], appr_done[i], land_granted[i], serious[i])
        h[_NO_LAND] = rates[_NO_LAND] * np.float64(land_wait) * cut
        excess = min(max((np.float64(t - signed_month[i]) - patience[i]) / patience[i], 0.0), excess_cap)
        pending = _pending(s, approved_month[i])
        h[_DELAY] = rates[_DELAY] * excess * np.float64(pending) * cut * (building_delay_share if building else 1.0)
        h[_LOAN] = rates[_LOAN] * np.float64(loan_refused[i])
        h[_BROKEN] = rates[_BROKEN] * np.float64(broken[i]) * size_weight[i]  # large projects weigh promises more
        if s == OPERATING:  # exit when dissatisfied (counted as a better offer elsewhere) or harassed
            h[_OUTSIDE] = exit_operating * (1.0 - _satisfied(beliefs, i, delay_months))
            h[_INSECURITY] = insecure_operating
        else:
            h[_OUTSIDE] = rates[_OUTSIDE] * (1.0 - p_go[q]) * (building_sunk_share if building else 1.0)
            h[_INSECURITY] = insecure * np.float64(building or signed)
        h[_HANDOFF] = rates[_HANDOFF] * np.float64((s == NEGOTIATING or signed) and handoff_until[i] > t) * cut
        h[_NOT_SERIOUS] = rates[_NOT_SERIOUS] * np.float64(signed and not serious[i])
        h[_NO_AGREEMENT] = 0.0  # recorded when a negotiation ends, not a hazard
        stay = 1.0
        for c in range(n_causes):
            h[c] = min(max(h[c], 0.0), 1.0)
            stay *= 1.0 - h[c]
        if _uniform(i, base_leave) < 1.0 - stay:
            total = 0.0
            for c in range(n_causes):
                total += h[c]
            v = _uniform(i, base_reason)
            share = 0.0
            reason = 0
            for c in range(n_causes):
                share += h[c] / total
                if v > share:
                    reason += 1
            leave[k] = i
            why[k] = min(reason, n_causes - 1)
            k += 1
    return leave[:k].copy(), why[:k].copy()


@numba.njit(cache=True, nogil=True)
def row_totals(weight, rows, cols):
    """The sums of rows ``rows`` of ``weight`` over its columns ``cols``, each in the columns' order (0 for other
    rows)."""
    out = np.zeros(weight.shape[0])
    q = 0
    while q + 4 <= rows.size:  # four rows' sums side by side in registers: independent chains of additions
        w0, w1, w2, w3 = weight[rows[q]], weight[rows[q + 1]], weight[rows[q + 2]], weight[rows[q + 3]]
        a0 = a1 = a2 = a3 = 0.0
        for c in cols:
            a0 += w0[c]
            a1 += w1[c]
            a2 += w2[c]
            a3 += w3[c]
        out[rows[q]], out[rows[q + 1]], out[rows[q + 2]], out[rows[q + 3]] = a0, a1, a2, a3
        q += 4
    for r in rows[q:]:
        a = 0.0
        w = weight[r]
        for c in cols:
            a += w[c]
        out[r] = a
    return out


_LANES, _BLOCK, _DEPTH = 8, 128, 192
"""numpy's summation of contiguous values: eight running sums, in blocks of at most 128 values (halves above), and
the depth of the stack that walks the halves here (arithmetic, not behaviour)."""


@numba.njit(inline="always")
def _block_sum(a, lo, n, r):
    """numpy's sum of at most 128 contiguous values ``a[lo:lo + n]``: below 8 one after the other from 0, else eight
    running sums (value i into sum i mod 8) added as ((0+1)+(2+3))+((4+5)+(6+7)), then the rest one after the other.
    ``r`` holds the eight running sums (scratch, allocated once by the caller)."""
    if n < _LANES:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    for j in range(_LANES):
        r[j] = a[lo + j]
    i = _LANES
    while i < n - (n % _LANES):
        for j in range(_LANES):
            r[j] += a[lo + i + j]
        i += _LANES
    width = _LANES
    while width > 1:  # neighbours added in pairs, then pairs of pairs
        width //= 2
        for j in range(width):
            r[j] = r[2 * j] + r[2 * j + 1]
    res = r[0]
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@numba.njit
def _pairwise_sum(a, lo, n, r):
    """numpy's sum of the ``n`` contiguous float64 values ``a[lo:lo + n]``, to the bit: up to 128 values
    :func:`_block_sum`; above, the sum of the first half (a multiple of 8 long) plus that of the second, each summed
    so. Without recursion (numba's cache does not keep recursive loops): the halves' tree walked with a stack.
    ``r``: scratch of eight values (:data:`_LANES`)."""
    if n <= _BLOCK:
        return _block_sum(a, lo, n, r)
    seg_lo = np.empty(_DEPTH, dtype=np.int64)
    seg_n = np.empty(_DEPTH, dtype=np.int64)
    seg_done = np.zeros(_DEPTH, dtype=np.bool_)
    vals = np.empty(_DEPTH)
    n_vals = 0
    seg_lo[0], seg_n[0], seg_done[0] = lo, n, False
    top = 1
    while top > 0:
        top -= 1
        s_lo, s_n, done = seg_lo[top], seg_n[top], seg_done[top]
        if s_n <= _BLOCK:
            vals[n_vals] = _block_sum(a, s_lo, s_n, r)
            n_vals += 1
        elif done:  # both halves summed: the second on top of the first
            n_vals -= 1
            vals[n_vals - 1] = vals[n_vals - 1] + vals[n_vals]
        else:
            half = s_n // 2
            half -= half % _LANES
            seg_lo[top], seg_n[top], seg_done[top] = s_lo, s_n, True
            seg_lo[top + 1], seg_n[top + 1], seg_done[top + 1] = s_lo + half, s_n - half, False
            seg_lo[top + 2], seg_n[top + 2], seg_done[top + 2] = s_lo, half, False  # the first half first
            top += 3
    return vals[0]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def channel_picks(want, by, pull, u, cost, sizes):
    """The channel each contact is put down to, and what each government's contacts cost. Contact i was bought by
    government ``by[i]``; ``pull[i, j]`` is the exponential of channel j's targeting weight on its prospect over the
    government's normaliser (numpy's). Channel j's share of the pull is ``want[g, j] * pull[i, j]`` over their sum,
    summed as numpy sums a column of a Fortran-ordered array (eight running sums); the contact goes to the first
    channel whose running share (added one after the other) reaches its uniform ``u[i]``, or to the government's
    last channel bought if rounding leaves them all below it. Returns (each contact's channel, each government's
    cost: the channels' ``cost`` per contact summed over its ``sizes[g]`` contacts as numpy sums them). Division by a
    sum of 0 (every pull below the smallest double) gives nan, as in numpy, not an error: the contact then goes to
    channel 0."""
    n, n_ch = pull.shape
    n_gov = want.shape[0]
    last = np.full(n_gov, n_ch - 1)
    for g in range(n_gov):
        for j in range(n_ch - 1, -1, -1):
            if want[g, j] > 0:
                last[g] = j
                break
    pick = np.empty(n, dtype=np.int64)
    p = np.empty(n_ch)
    lanes = np.empty(_LANES)
    for i in range(n):
        g = by[i]
        for j in range(n_ch):
            p[j] = want[g, j] * pull[i, j]
        total = _pairwise_sum(p, 0, n_ch, lanes)
        cum = 0.0
        first = 0
        for j in range(n_ch):
            cum += p[j] / total
            first += u[i] > cum
        pick[i] = min(first, last[g])
    spent = np.empty(n_gov)
    each = np.empty(n)
    for i in range(n):
        each[i] = cost[pick[i]]
    lo = 0
    for g in range(n_gov):
        spent[g] = _pairwise_sum(each, lo, sizes[g], lanes)
        lo += sizes[g]
    return pick, spent


@numba.njit(cache=True, nogil=True)
def service_queue(rows, need, done, bit, any_order, overdue, base, speed):
    """One department's month at the counter: of ``rows`` (the signed and building projects, ascending), those
    whose request waits at the department of approval ``bit`` (the lowest approval still to do, or any with
    ``any_order``: a one-stop centre takes them all at once), how many of them wait past their patience
    (``overdue``), and those dealt with this month: the ones whose counter-based uniform of ``base`` is below
    ``speed``. Returns (dealt with, in the rows' order; queue length; overdue count)."""
    out = np.empty(rows.size, dtype=np.int64)
    queued = 0
    late = 0
    dealt = 0
    for r in rows:
        left = need[r] & ~done[r]
        if any_order:
            waits = (left & bit) != 0
        else:
            waits = (left & -left) == bit
        if waits:
            queued += 1
            if overdue[r]:
                late += 1
            if _uniform(r, base) < speed:
                out[dealt] = r
                dealt += 1
    return out[:dealt], queued, late


@numba.njit(cache=True, nogil=True)
def queue_head(rows, tracked, since, priority, k):
    """The first ``k`` of ``rows`` in queue order: tracked projects first, then by the month ``since`` (oldest
    first), then by ``priority``, ties kept in the rows' order (``np.lexsort((priority, since, ~tracked))``, by
    three stable sorts from the last key to the first)."""
    order = np.argsort(priority[rows], kind="mergesort")
    order = order[np.argsort(since[rows[order]], kind="mergesort")]
    untracked = np.empty(rows.size, dtype=np.int8)
    for q in range(rows.size):
        untracked[q] = not tracked[rows[order[q]]]
    order = order[np.argsort(untracked, kind="mergesort")]
    return rows[order[:k]]


@numba.njit(cache=True, nogil=True)
def complete(rows, bit, need, done, since, approved_month, t):
    """Approval ``bit`` done in month ``t`` for ``rows`` (their request answered: the next waits from now); those
    with every approval they need done are approved this month. Returns those approved."""
    out = np.empty(rows.size, dtype=np.int64)
    k = 0
    for i in rows:
        done[i] |= bit
        since[i] = t
        if need[i] & ~done[i] == 0:
            approved_month[i] = t
            out[k] = i
            k += 1
    return out[:k].copy()


def rows_between(values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Rows whose stage code (int8) is from ``lo`` to ``hi`` (ascending, int64): ``np.flatnonzero((values >= lo) &
    (values <= hi))`` in two passes instead of four over the market (the month asks it of the stages a dozen times).
    Plain numpy: its comparison and its nonzero are vectorised, which a compiled loop over int8 codes is not (twice
    as fast at 42,000 rows)."""
    if lo > hi:
        return np.zeros(0, dtype=np.int64)
    if lo == hi:
        return (values == lo).nonzero()[0]
    return ((values.view(np.uint8) - np.uint8(lo)) <= np.uint8(hi - lo)).nonzero()[0]


@numba.njit(cache=True, nogil=True)
def census(stage, n_stages, signed_month, since, start_month, operate_month, large, industrial):
    """The month's head counts in one pass over the market: how many are in each stage (0..``n_stages`` - 1);
    the projects signed in month ``since`` or later (ascending) and how many of them have started, are building or operating now,
    have been completed, are large, are industrial; and the rows now operating and those from signed to
    operating (ascending)."""
    by_stage = np.zeros(n_stages, dtype=np.int64)
    n = stage.size
    signed = np.empty(n, dtype=np.int64)
    op = np.empty(n, dtype=np.int64)
    pipe = np.empty(n, dtype=np.int64)
    n_signed = n_op = n_pipe = 0
    started = now_on = done = n_large = n_industrial = 0
    for i in range(n):
        s = stage[i]
        by_stage[s] += 1
        if s >= SIGNED and s <= OPERATING:
            pipe[n_pipe] = i
            n_pipe += 1
            if s == OPERATING:
                op[n_op] = i
                n_op += 1
        if signed_month[i] >= since:
            signed[n_signed] = i
            n_signed += 1
            started += start_month[i] >= 0
            now_on += s == BUILDING or s == OPERATING
            done += operate_month[i] >= 0
            n_large += large[i]
            n_industrial += industrial[i]
    heads = np.array([started, now_on, done, n_large, n_industrial])
    return by_stage, signed[:n_signed].copy(), heads, op[:n_op].copy(), pipe[:n_pipe].copy()


@numba.njit(cache=True, nogil=True)
def cohort(signed, signed_month, start_month, operate_month, lo, hi, after):
    """The projects of ``signed`` (ascending) signed in months ``lo`` to ``hi``, and how many of them had started
    and had been completed ``after`` months after signing."""
    rows = np.empty(signed.size, dtype=np.int64)
    k = started = completed = 0
    for i in signed:
        sm = signed_month[i]
        if sm >= lo and sm <= hi:
            rows[k] = i
            k += 1
            by = sm + after
            started += start_month[i] >= 0 and start_month[i] <= by
            completed += operate_month[i] >= 0 and operate_month[i] <= by
    return rows[:k].copy(), started, completed


@numba.njit(inline="always")
def _refers(stage, operate_month, i, t, window):
    return stage[i] == BUILDING or (stage[i] == OPERATING and t - operate_month[i] < window)


@numba.njit(cache=True, nogil=True)
def referrals(order, start, src, dst, stage, operate_month, t, window, available, beliefs, delay_months, rate, base):
    """Word-of-mouth leads: every tie from a firm building, or operating for less than ``window`` months (at month
    ``t``), to a prospect still ``available`` passes the prospect on with chance ``rate`` times the firm's
    satisfaction (the tie's counter-based uniform of ``base``, by its position in the tie list). Ties are grouped
    by first end (``order``, ``start`` of :func:`group_by_key`). Returns the prospects referred (ascending, each
    once) and, for each, the firm of its first referring tie in the tie list's order.

    Each firm's ties are tried together (its satisfaction worked out once), and each prospect keeps the earliest
    of its referring ties: the same ties pass as when every tie is tried in the tie list's order, without sorting
    them (some 3,500 a month at full size, sorting was the larger part of the month's referrals)."""
    n = stage.size
    first = np.full(n, -1, dtype=np.int64)  # each prospect's earliest referring tie so far
    hits = np.empty(n, dtype=np.int64)
    n_hits = 0
    for i in range(n):
        if not _refers(stage, operate_month, i, t, window):
            continue
        chance = rate * _satisfied(beliefs, i, delay_months)  # src[e] == i for every tie e of the group
        for p in range(start[i], start[i + 1]):
            e = order[p]
            d = dst[e]
            if available[d] and _uniform(e, base) < chance:
                if first[d] < 0:
                    hits[n_hits] = d
                    n_hits += 1
                    first[d] = e
                elif e < first[d]:
                    first[d] = e
    hits = np.sort(hits[:n_hits])
    return hits, src[first[hits]]


@numba.njit(cache=True, nogil=True)
def year_scores(gov, n_gov, announced, signed_month, year_start, arrived, arrived_year_start):
    """Each government's signed amounts this year (projects signed from month ``year_start``) and capital landed
    since the year began, over the projects located with a government (``gov`` >= 0), each added in the rows'
    order (``np.bincount`` with weights)."""
    signed = np.zeros(n_gov)
    landed = np.zeros(n_gov)
    for i in range(gov.size):
        g = gov[i]
        if g >= 0:
            signed[g] += announced[i] * np.float64(signed_month[i] >= year_start)
            landed[g] += arrived[i] - arrived_year_start[i]
    return signed, landed


@numba.njit(cache=True, nogil=True)
def first_fit(rows, need, left, slack):
    """Of ``rows`` in queue order, those that get land from ``left``: each takes its ``need`` if it fits (within
    ``slack``), so a large project that does not fit does not block smaller ones behind it."""
    out = np.empty(rows.size, dtype=rows.dtype)
    k = 0
    for j in range(rows.size):
        if need[j] <= left + slack:
            out[k] = rows[j]
            k += 1
            left -= need[j]
    return out[:k].copy()


@numba.njit(cache=True, nogil=True)
def group_by_key(keys, n):
    """Positions of ``keys`` (integers in 0..n-1) grouped by key in ascending order, each group in the keys'
    own order (what ``np.argsort(keys, kind="stable")`` gives, by counting instead of sorting), and where each
    key's group starts (``n + 1`` offsets: key i's positions are ``order[start[i]:start[i + 1]]``)."""
    start = np.zeros(n + 1, dtype=np.int64)
    for p in range(keys.size):
        start[keys[p] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = start[:n].copy()
    order = np.empty(keys.size, dtype=np.int64)
    for p in range(keys.size):
        k = keys[p]
        order[fill[k]] = p
        fill[k] += 1
    return order, start


@numba.njit(cache=True, nogil=True)
def shortlists(rows, cols, weight, terms, coefs, bases, ks, open_):
    """For each of several weighted draws without replacement (Gumbel top-k) from the same candidates, the
    candidates that can be among its k.

    Candidate i is prospect ``rows[i]``. In draw g its selection weight is ``sum_j coefs[g, j] * weight[j,
    cols[i]]`` over the terms ``j in terms`` (summed in their order; a term of coefficient 0 adds exactly 0 and is
    skipped) and its counter-based uniform of ``rows[i]`` and ``bases[g]`` (:meth:`sim.model.streams.Streams.uniform`'s);
    draw g takes ``ks[g]`` candidates. Where ``open_`` (one flag per candidate; empty: all open) is false the
    weight is 0 in every draw. The Gumbel key of candidate i falls as ``q_i = -log(u_i) / w_i`` rises, and ``(1 -
    u_i) / w_i <= q_i``: the k smallest such bounds give an upper limit on the k-th smallest q, and only
    candidates whose bound is within it can be chosen. If at most k candidates have a positive weight, the short
    list is all of them.

    Returns (positions, weights, uniforms, starts): draw g's short list is ``positions[starts[g]:starts[g + 1]]``
    (ascending), with the candidates' weights and uniforms beside it."""
    n = rows.size
    n_draws = coefs.shape[0]
    n_terms = terms.size
    # Each term's weights over the candidates, gathered once (0 where closed).
    term_w = np.empty((n_terms, n))
    for t in range(n_terms):
        src = weight[terms[t]]
        for i in range(n):
            term_w[t, i] = src[cols[i]]
    if open_.size > 0:
        for i in range(n):
            if not open_[i]:
                for t in range(n_terms):
                    term_w[t, i] = 0.0
    # Every draw's weights, one row per distinct set of coefficients (counties buying alike share it), summed a
    # term at a time over all candidates: the additions per candidate are in the terms' order, as in one sum.
    row_of = np.empty(n_draws, dtype=np.int64)
    first = np.empty(n_draws, dtype=np.int64)  # the first draw of each distinct row
    n_rows = 0
    for g in range(n_draws):
        row_of[g] = n_rows
        for r in range(n_rows):
            if _same_coefs(coefs, terms, g, first[r]):
                row_of[g] = r
                break
        if row_of[g] == n_rows:
            first[n_rows] = g
            n_rows += 1
    mix = np.zeros((n_rows, n))
    for r in range(n_rows):
        g = first[r]
        w_g = mix[r]
        for t in range(n_terms):
            c = coefs[g, terms[t]]
            if c != 0.0:
                src = term_w[t]
                for i in range(n):
                    w_g[i] += c * src[i]
    # Then each draw on its own: bounds, the k smallest of them, the limit and the short list.
    starts = np.zeros(n_draws + 1, dtype=np.int64)
    found = np.empty(n, dtype=np.int64)
    rest = np.empty(n)  # 1 - u: a candidate's bound is rest / w
    lists = [found[:0].copy() for _ in range(n_draws)]
    for g in range(n_draws):
        k = ks[g]
        if k == 0:  # nothing drawn: an empty short list
            starts[g + 1] = starts[g]
            continue
        base = bases[g]
        w_g = mix[row_of[g]]
        valid = 0
        for i in range(n):  # loops without branches, which the compiler vectorises
            rest[i] = 1.0 - _uniform(rows[i], base)
        for i in range(n):
            valid += w_g[i] > 0.0
        count = 0
        if valid <= k:  # a draw of no more valid candidates than it takes keeps all of them
            for i in range(n):
                if w_g[i] > 0.0:
                    found[count] = i
                    count += 1
        else:
            heap = np.full(k, np.inf)  # the k smallest bounds so far (a max-heap) and their positions
            hpos = np.zeros(k, dtype=np.int64)
            kth = np.inf  # the k-th smallest bound so far (heap[0]), kept in a register
            for i in range(n):
                # its bound rest / w is (up to rounding) below the k-th smallest so far; never for w = 0 (inf * 0 is
                # nan, and rest * 0 is below no bound)
                if rest[i] < kth * w_g[i]:
                    _heap_replace(heap, hpos, k, rest[i] / w_g[i], i)
                    kth = heap[0]
            limit = 0.0
            for h in range(k):
                p = hpos[h]
                q = -np.log(_uniform(rows[p], base)) / w_g[p]
                if q > limit:
                    limit = q
            limit *= 1.0 + MARGIN
            for i in range(n):
                if rest[i] <= limit * w_g[i]:
                    found[count] = i
                    count += 1
        lists[g] = found[:count].copy()
        starts[g + 1] = starts[g] + count
    positions = np.empty(starts[-1], dtype=np.int64)
    weights = np.empty(starts[-1])
    uniforms = np.empty(starts[-1])
    for g in range(n_draws):
        at = starts[g]
        w_g = mix[row_of[g]]
        for p in lists[g]:
            positions[at] = p
            weights[at] = w_g[p]
            uniforms[at] = _uniform(rows[p], bases[g])
            at += 1
    return positions, weights, uniforms, starts


@numba.njit(inline="always")
def _same_coefs(coefs, terms, g, h):
    for t in range(terms.size):
        if coefs[g, terms[t]] != coefs[h, terms[t]]:
            return False
    return True


@numba.njit(inline="always")
def _heap_replace(heap, hpos, size, value, pos):
    heap[0] = value
    hpos[0] = pos
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        big = left
        if left + 1 < size and heap[left + 1] > heap[left]:
            big = left + 1
        if heap[i] >= heap[big]:
            break
        heap[big], heap[i] = heap[i], heap[big]
        hpos[big], hpos[i] = hpos[i], hpos[big]
        i = big


LOOPS = (uniforms, group_by_key, census, cohort, row_totals, channel_picks, shortlists, referrals,
         first_beliefs, learn, utilities, satisfaction, withdrawals, service_queue, queue_head, complete, year_scores,
         first_fit, waiting_for_land)
"""The compiled loops the model calls from Python (the others are called from these: a loop loaded from the
cache does not compile them in the process, so they cannot tell whether it is ready)."""


def compiled() -> bool:
    """Whether every loop the model calls has been compiled in this process (or loaded from numba's cache)."""
    return all(f.signatures for f in LOOPS)
