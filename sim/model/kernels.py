"""Compiled loops of the month (numba): lead generation, the part whose work grows with the whole market,
and the small per-row loops that numpy would run as a dozen passes (uniforms, word of mouth).

Every month each government that buys contacts draws them from every prospect in the market: one
counter-based uniform per prospect and government (:mod:`sim.model.streams`), the prospect's selection
weight (the government's mixture of channel targeting weights) and the Gumbel top-k choice
(:func:`sim.model.channels.draw_top_k`). In numpy that is some twenty passes over the market per
government, each a temporary array; here it is one loop that keeps only a short list of prospects that can
be among the k chosen. The exact keys of that short list, and the choice, are then computed in numpy by the
same formula as the full computation, so the contacts chosen are the ones the full computation gives.

The uniforms are bit for bit those of :meth:`sim.model.streams.Streams.uniform` (integer hashing and an
exact conversion; a test compares them). Sums of weights are taken in a fixed sequential order, whatever the
engine or the number of workers.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.model.streams import _CENTRE, _GOLDEN, _M1, _M2, _S11, _S27, _S30, _S31, _UNIT

_G = np.uint64(_GOLDEN)
MARGIN = 1e-9  # relative slack on the short list's bound: far above rounding, far below any gap between keys that matters


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


@numba.njit(cache=True, nogil=True)
def row_totals(weight, rows, cols):
    """The sums of rows ``rows`` of ``weight`` over its columns ``cols``, each in the columns' order (0 for other
    rows)."""
    out = np.zeros(weight.shape[0])
    for j in rows:
        s = 0.0
        for c in cols:
            s += weight[j, c]
        out[j] = s
    return out


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
def rows_between(values, lo, hi):
    """Rows whose value is from ``lo`` to ``hi`` (ascending, int64): ``np.flatnonzero((values >= lo) & (values <=
    hi))`` in one pass instead of four over the market (the month asks it of the stages a dozen times)."""
    out = np.empty(values.size, dtype=np.int64)
    k = 0
    for i in range(values.size):
        v = values[i]
        if v >= lo and v <= hi:
            out[k] = i
            k += 1
    return out[:k].copy()


@numba.njit(cache=True, nogil=True)
def counts(values, n):
    """How many of ``values`` (integers in 0..n-1) equal each of 0..n-1 (``np.bincount(values, minlength=n)``
    without converting a small integer type to the platform's first: 40 us a month on the stages)."""
    out = np.zeros(n, dtype=np.int64)
    for v in values:
        out[v] += 1
    return out


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
            for i in range(n):
                # its bound rest / w is (up to rounding) below the k-th smallest so far; never for w = 0 (inf * 0 is
                # nan, and rest * 0 is below no bound)
                if rest[i] < heap[0] * w_g[i]:
                    _heap_replace(heap, hpos, k, rest[i] / w_g[i], i)
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


LOOPS = (uniforms, neighbour_sums, row_totals, service_queue, rows_between, counts, group_by_key, shortlists)
"""The compiled loops the model calls (the others are inlined into them)."""


def compiled() -> bool:
    """Whether every loop the model calls has been compiled in this process (or loaded from numba's cache)."""
    return all(f.signatures for f in LOOPS)
