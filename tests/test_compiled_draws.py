"""The compiled lead-generation draw (sim/model/kernels.py) chooses what the full computation would choose.

The kernel keeps a short list of candidates per draw; these tests compare its choices with the plain numpy
computation of every candidate's Gumbel key, and its uniforms with the counter-based streams', on generated
weights (zeros, ties of weight, huge and tiny weights, more contacts wanted than candidates).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import kernels
from sim.model.channels import _ONE, draw_top_k, gumbel
from sim.model.kernels import _CENTRE, _GOLDEN, _M1, _M2, _S11, _S27, _S30, _S31, _UNIT
from sim.model.streams import Streams


def full_top_k(rows, cols, weight_t, coefs, bases, ks, streams_base_uniform, open_=None):
    """Every candidate's key log(w) + gumbel(u), the k largest (weight 0, or not open, never), positions ascending."""
    out = []
    for g, k in enumerate(ks):
        w = weight_t[cols] @ coefs[g] if weight_t.size else np.zeros(rows.size)
        if open_ is not None:
            w = w * open_
        u = streams_base_uniform(rows, bases[g])
        with np.errstate(divide="ignore"):
            keys = np.log(w) + gumbel(u)
        valid = np.flatnonzero(w > 0)
        if valid.size <= k:
            out.append(valid)
        else:
            out.append(np.sort(valid[np.argsort(-keys[valid], kind="stable")[:k]]))
    return out


def numpy_uniforms(rows, base):
    """The streams' formula in numpy, written out here as the definition the compiled draws are checked
    against: the row spread over the counter space (times the golden-ratio constant), plus the draw's base,
    through the SplitMix64 finaliser (wrapping arithmetic); the top 53 bits, centred in their cell."""
    x = np.asarray(rows).astype(np.uint64) * np.uint64(_GOLDEN) + base
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    x >>= _S11
    return (x.astype(np.float64) + _CENTRE) * _UNIT


def test_kernel_uniforms_are_the_streams_uniforms_bit_for_bit():
    """Catches a compiled hash that drifts from the streams' (a wrong constant, shift or float conversion): the
    kernel's uniform of every row equals Streams.uniform's for several streams, months and decisions, rows up to
    the largest populations."""
    s = Streams(2026)
    rows = np.concatenate([np.arange(5000), np.array([2**20, 2**31 - 1, 10**7 + 3])]).astype(np.int64)
    for name, month, k in (("contact", 1, 0), ("contact", 37, 7), ("partner", 120, 0), ("forum", 5, 3)):
        expected = numpy_uniforms(rows, s.base(name, month, k))
        # every draw of the model (Streams.uniform, compiled) and the numpy formula: the same numbers
        assert np.array_equal(s.uniform(name, rows, month, k), expected), (name, month, k)
        assert np.array_equal(s.uniform(name, rows[::-7].astype(np.int32), month, k), expected[::-7])
        # a draw taking every candidate returns them all, with their uniforms
        pos, _, got, _ = kernels.shortlists(rows, np.arange(rows.size), np.ones((1, rows.size)), np.array([0]), np.ones((1, 1)),
                                            np.array([s.base(name, month, k)]), np.array([rows.size]),
                                            np.zeros(0, dtype=bool))
        assert np.array_equal(pos, np.arange(rows.size))
        assert np.array_equal(got, expected), (name, month, k)


def test_row_totals_sum_each_chosen_row_over_the_columns():
    """Catches totals over the wrong rows or columns, or summed in another order (the numbers would move with
    the engine's blocking of rows): for every number of rows asked for, each sum is the one added up column by
    column in the columns' order, to the bit, and the rows not asked for are 0."""
    rng = np.random.default_rng(3)
    w = rng.exponential(size=(9, 500)) * np.exp(rng.normal(scale=8, size=500))  # magnitudes far apart: order shows
    cols = np.sort(rng.choice(500, 300, replace=False))
    for n_rows in range(10):
        rows = np.sort(rng.choice(9, n_rows, replace=False))
        got = kernels.row_totals(w, rows, cols)
        for j in range(9):
            expected = 0.0
            for c in cols.tolist() if j in rows else []:
                expected += float(w[j, c])
            assert got[j] == expected, (n_rows, j)


draw_settings = st.fixed_dictionaries({
    "n": st.integers(0, 400),
    "terms": st.integers(1, 4),
    "draws": st.integers(1, 5),
    "k": st.lists(st.integers(0, 60), min_size=5, max_size=5),
    "zero_share": st.floats(0, 1),
    "spread": st.floats(0, 30),  # log-scale spread of the weights: up to e^30 between candidates
    "seed": st.integers(0, 2**32 - 1),
    "subset": st.booleans(),
    "closed_share": st.sampled_from([None, 0.0, 0.2, 0.9]),  # candidates already taken (coordinated draws)
    "alike": st.booleans(),  # every other draw weighs as the first (counties buying the same channels alike)
})


@settings(max_examples=150, deadline=None)
@given(draw_settings)
def test_compiled_draw_chooses_what_every_key_would(case):
    """Catches a short list that can miss one of the k (a wrong bound, limit or margin, a heap that keeps the wrong
    candidates), weights mixed in the wrong way, draws weighing alike that share more than their weights, draws
    that share uniforms, weight-0 candidates chosen, or taken candidates drawn again: for generated weights, wants
    and masks of candidates already taken, each draw's choice equals the k largest Gumbel keys over every open
    candidate."""
    rng = np.random.default_rng(case["seed"])
    n_pop = case["n"] + 50
    rows = np.sort(rng.choice(n_pop, case["n"], replace=False)).astype(np.int64) if case["subset"] \
        else np.arange(case["n"], dtype=np.int64)
    weight_t = np.exp(rng.normal(scale=case["spread"] / 3, size=(n_pop, case["terms"] + 1)))
    weight_t[rng.random(n_pop) < case["zero_share"]] = 0.0
    coefs = rng.exponential(size=(case["draws"], case["terms"] + 1))
    coefs[:, 0] = 0.0  # a channel nobody buys
    coefs[rng.random(coefs.shape) < 0.3] = 0.0
    if case["alike"]:
        coefs[2::2] = coefs[0]
    ks = np.array(case["k"][:case["draws"]], dtype=np.int64)
    bases = rng.integers(0, 2**63, size=case["draws"]).astype(np.uint64)
    open_ = None if case["closed_share"] is None else rng.random(rows.size) >= case["closed_share"]
    got = draw_top_k(rows, rows, np.ascontiguousarray(weight_t.T), coefs, bases, ks, lambda pos, mix: np.log(mix), open_)
    expected = full_top_k(rows, rows, weight_t, coefs, bases, ks, numpy_uniforms, open_)
    assert len(got) == len(expected)
    for g, (a, b) in enumerate(zip(got, expected, strict=True)):
        assert np.array_equal(a, b), (g, a, b)
        drawable = (weight_t[rows] @ coefs[g] > 0) & (True if open_ is None else open_)
        assert a.size == min(ks[g], int(np.count_nonzero(drawable)))
        assert open_ is None or open_[a].all()


def test_a_single_weight_column_draws_in_proportion_to_it():
    """Catches a draw that ignores the weights: with one weight column (the forums' and partners' draws), over many
    months a candidate of weight 4 is chosen about four times as often as one of weight 1."""
    rows = np.arange(200, dtype=np.int64)
    w = np.ones((1, 200))
    w[0, :100] = 4.0
    s = Streams(11)
    heavy = 0
    for month in range(300):
        pos, = draw_top_k(rows, rows, w, _ONE, np.array([s.base("forum", month)]), np.array([1]),
                          lambda pos, mix: np.log(mix))
        heavy += int(pos[0] < 100)
    assert 0.74 < heavy / 300 < 0.86  # expected 0.8


def test_the_short_list_is_short():
    """Catches a short list that silently grows towards every candidate (a heap that keeps the largest bounds, a
    loose limit): the work of the exact keys must stay near k, not the market. With 20,000 candidates of
    log-normal weights and k = 20, each draw's short list holds fewer than 200."""
    rng = np.random.default_rng(5)
    rows = np.arange(20000, dtype=np.int64)
    weight = np.exp(rng.normal(size=(2, 20000)))
    coefs = np.array([[1.0, 0.5], [0.2, 1.0], [1.0, 0.0]])
    ks = np.array([20, 20, 20])
    bases = np.array([11, 12, 13], dtype=np.uint64)
    pos, mix, u, starts = kernels.shortlists(rows, rows, weight, np.array([0, 1]), coefs, bases, ks,
                                            np.zeros(0, dtype=bool))
    sizes = np.diff(starts)
    assert np.all(sizes >= 20) and np.all(sizes < 200), sizes


def test_contacts_are_charged_to_the_channels_that_bought_them():
    """Catches contacts charged to the wrong channel (an off-by-one in the cumulative shares, a channel its government
    did not buy): over a year, each channel's share of the contacts the governments bought is its share of the
    contacts bought (referrals come from ties, not from this draw)."""
    from modelkit import small

    from sim.model import build_model
    from sim.model.channels import SOURCE_INDEX, ChannelModel

    m = build_model(small().params, seed=4)
    cm = m.channel_model
    bought, seen = np.zeros(len(cm.cost)), np.zeros(len(cm.cost))
    real_wanted = ChannelModel.contacts_wanted

    def wanted(self):
        want = real_wanted(self)
        bought[:] += want.sum(axis=0)
        return want

    cm.contacts_wanted = wanted.__get__(cm)
    for _ in range(12):
        m.step()
        pl = m.investors.pipeline
        new = np.flatnonzero((pl.contact_month == m.t) & (pl.channel < len(cm.cost)))
        seen += np.bincount(pl.channel[new[pl.channel[new] != SOURCE_INDEX["referral"]]], minlength=len(cm.cost))
    share_bought, share_seen = bought / bought.sum(), seen / seen.sum()
    assert seen.sum() > 500
    assert np.all(share_seen[bought == 0] == 0)
    assert np.allclose(share_seen, share_bought, atol=0.05), (share_seen, share_bought)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 3000), st.integers(0, 7), st.floats(0.0, 12.0), st.integers(0, 2**32 - 1))
def test_the_compiled_sum_is_numpys_to_the_last_bit(n, offset, spread, seed):
    """numpy sums a contiguous array in blocks (eight running sums, halves above 128 values); the compiled loops
    that replace a numpy sum must add in that order: values spread over many orders of magnitude, where any other
    order rounds differently."""
    rng = np.random.default_rng(seed)
    a = rng.random(n + offset) * np.exp(rng.normal(0.0, spread, n + offset))
    assert kernels._pairwise_sum(a, offset, n, np.empty(kernels._LANES)) == a[offset:].sum()


def numpy_running_shares(want, by, pull):
    """Each channel's running share of the pull on each contact (channels x contacts), as numpy computed it: the
    government's contacts bought times the exponentiated weight, over the column's sum, added down the channels."""
    with np.errstate(invalid="ignore"):  # every pull 0: shares nan
        pulls = want[by].T * pull
        return np.cumsum(pulls / pulls.sum(axis=0), axis=0)


def numpy_channel_picks(want, sizes, pull, u):
    """The charge of the contacts as numpy computed it: the first channel whose running share reaches the uniform
    (at most the government's last channel bought)."""
    by = np.repeat(np.arange(len(sizes)), sizes)
    first = (u[None, :] > numpy_running_shares(want, by, pull)).sum(axis=0)
    last_bought = want.shape[1] - 1 - np.argmax(want[:, ::-1] > 0, axis=1)
    return np.minimum(first, last_bought[by])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9), st.integers(2, 12), st.integers(0, 400), st.integers(0, 2**32 - 1))
def test_contacts_are_charged_as_numpy_charged_them(n_gov, n_ch, n, seed):
    """The compiled charge (each contact's channel and each government's spending) equals numpy's formula bit for
    bit: channels some governments do not buy (pull 0), pulls over many orders of magnitude, contacts whose every
    pull is below the smallest double, uniforms exactly on a running share, fewer and more than eight channels."""
    rng = np.random.default_rng(seed)
    want = np.floor(rng.random((n_gov, n_ch)) * 30) * (rng.random((n_gov, n_ch)) < 0.6)
    want[np.arange(n_gov), rng.integers(0, n_ch, n_gov)] += 1  # a government with contacts bought some
    sizes = rng.multinomial(n, np.full(n_gov, 1.0 / n_gov)).astype(np.int64)
    by = np.repeat(np.arange(n_gov), sizes)
    logw = rng.normal(0.0, 6.0, (n_ch, 500))
    logw[:, rng.random(500) < 0.05] = -800.0  # every pull of such a prospect below the smallest double: shares nan
    idx = rng.integers(0, 500, n)  # the contacts' prospects
    norms = np.where(want > 0, rng.normal(0.0, 3.0, want.shape), np.inf)
    pull = np.exp(logw[:, idx] - norms[by].T)  # as the model computes it: Fortran-ordered, so numpy's column sums
    assert pull.flags.f_contiguous  # add a column's values in blocks of eight, which the compiled sum must do too
    u = rng.random(n)
    edge = rng.random(n) < 0.5  # half the uniforms exactly on a running share: the last bit decides
    u[edge] = numpy_running_shares(want, by, pull)[rng.integers(0, n_ch, n), np.arange(n)][edge]
    u = np.nan_to_num(u, nan=0.5)
    cost = rng.random(n_ch) * 5
    pick, spent = kernels.channel_picks(want, by, np.ascontiguousarray(pull.T), u, cost, sizes)
    expected = numpy_channel_picks(want, sizes, pull, u)
    assert np.array_equal(pick, expected)
    bounds = np.cumsum([0, *sizes])
    assert spent.tolist() == [float(cost[expected[lo:hi]].sum()) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]


def numpy_neighbour_sums(ties, receivers, informed, beliefs):
    """Word of mouth as numpy computes it: the receivers' ties to informed investors gathered, then summed per
    receiver with bincount (weights, and weight x belief), in the tie matrix's order."""
    lo = ties.indptr[receivers]
    count = ties.indptr[receivers + 1] - lo
    n = int(count.sum())
    at = np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(n)
    owner = np.repeat(np.arange(receivers.size), count)
    other = ties.indices[at]
    keep = informed[other]
    owner, other, weight = owner[keep], other[keep], ties.data[at[keep]].astype(np.float64)
    weight_sum = np.bincount(owner, weights=weight, minlength=receivers.size)
    total = np.stack([np.bincount(owner, weights=weight * beliefs[other, j], minlength=receivers.size)
                      for j in range(beliefs.shape[1])], axis=1)
    return total, weight_sum


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.floats(0.0, 8.0), st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_word_of_mouth_sums_are_numpys_to_the_last_bit(n, ties_per, informed_share, seed):
    """The compiled word-of-mouth sums (kernels.neighbour_sums) equal numpy's gather-and-bincount on random tie
    networks: float32 weights (duplicate ties summed to 2), receivers without ties or without informed ties,
    receivers repeated, beliefs of very different sizes."""
    from scipy import sparse

    rng = np.random.default_rng(seed)
    m = int(n * ties_per)
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    ties = sparse.csr_matrix((np.ones(m, dtype=np.float32), (src, dst)), shape=(n, n))
    informed = rng.random(n) < informed_share
    beliefs = rng.lognormal(0.0, 3.0, (n, 5))
    receivers = rng.integers(0, n, rng.integers(0, 2 * n)).astype(np.int64)
    total, weight = kernels.neighbour_sums(ties.indptr, ties.indices, ties.data, receivers, informed, beliefs)
    want_total, want_weight = numpy_neighbour_sums(ties, receivers, informed, beliefs)
    assert np.array_equal(weight, want_weight)
    assert np.array_equal(total, want_total)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 200), st.integers(0, 600), st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_ties_grouped_by_referrer_as_a_stable_sort_groups_them(n_rows, n_ties, spread, seed):
    """kernels.group_by_key gives numpy's stable argsort of the referrers and each referrer's first position in
    it (rows without ties, all ties on a few rows, none at all), as int64 (the referral draw indexes with it)."""
    rng = np.random.default_rng(seed)
    n_rows = max(n_rows, 1)
    keys = rng.integers(0, max(1, int(n_rows * spread)), n_ties).astype(np.int32) if n_ties else np.zeros(0, np.int32)
    order, start = kernels.group_by_key(keys, n_rows)
    want = np.argsort(keys, kind="stable")
    assert order.dtype == np.int64 and np.array_equal(order, want)
    assert np.array_equal(start, np.searchsorted(keys[want], np.arange(n_rows + 1)))


def test_the_loops_warm_up_compiles_are_every_loop_the_model_calls():
    """kernels.LOOPS, which warm_up compiles before workers fork and ``kernels.compiled()`` checks, names exactly
    the compiled functions the code calls from Python. One missing would be compiled again by each worker of each
    pool; one that only other loops call (word of mouth's sums) never reports compiled in a process that loaded
    its callers from numba's cache, so the warm-up would never know the workers were ready. (The module's plain
    numpy helpers, such as rows_between, compile nothing.)"""
    import re
    from pathlib import Path

    import numba

    called = set()
    for path in Path("sim").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        called |= set(re.findall(r"\bkernels\.(\w+)\(", text))
        called |= set(re.findall(r"from sim\.model\.kernels import (\w+)", text))
    called.discard("compiled")
    called = {name for name in called if isinstance(getattr(kernels, name), numba.core.registry.CPUDispatcher)}
    loops = {f.__name__ for f in kernels.LOOPS}
    assert called == loops
    assert all(isinstance(f, numba.core.registry.CPUDispatcher) for f in kernels.LOOPS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(-1, 30), st.integers(-1, 30), st.integers(-1, 30),
                          st.booleans(), st.booleans()), max_size=200), st.integers(0, 31))
def test_the_census_is_numpys_count_of_each_head(rows, since):
    """Catches a month's census that miscounts (a stage, the signed since month ``since``, the started, building or
    operating, completed, large or industrial projects) or lists the wrong rows: it equals numpy's counts and
    masks, with stages nobody is in and no one at all."""
    from sim.model.stages import BUILDING, OPERATING, SIGNED, STAGE_NAMES

    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    stage = np.array(cols[0], dtype=np.int8)
    signed_m, start_m, operate_m = (np.array(c, dtype=np.int32) for c in cols[1:4])
    large, industrial = (np.array(c, dtype=bool) for c in cols[4:6])
    counts, signed, heads, op, pipe = kernels.census(stage, len(STAGE_NAMES), signed_m, since, start_m, operate_m,
                                                     large, industrial)
    s = np.flatnonzero(signed_m >= since)
    assert np.array_equal(counts, np.bincount(stage.astype(np.int64), minlength=len(STAGE_NAMES)))
    assert np.array_equal(signed, s)
    assert heads.tolist() == [int((start_m[s] >= 0).sum()), int(np.isin(stage[s], [BUILDING, OPERATING]).sum()),
                              int((operate_m[s] >= 0).sum()), int(large[s].sum()), int(industrial[s].sum())]
    assert np.array_equal(op, np.flatnonzero(stage == OPERATING))
    assert np.array_equal(pipe, np.flatnonzero((stage >= SIGNED) & (stage <= OPERATING)))


def numpy_service_queue(rows, need, done, bit, any_order, overdue, base, speed):
    """A department's month at the counter as numpy computed it before it was compiled: the queue (the lowest
    approval still to do is this one, or any with a one-stop centre), its overdue count, and the requests whose
    uniform falls below the department's speed."""
    remaining = need[rows] & ~done[rows]
    queue = rows[(remaining & bit) != 0] if any_order else rows[(remaining & -remaining) == bit]
    dealt = queue[numpy_uniforms(queue, base) < speed]
    return dealt, queue.size, int(np.count_nonzero(overdue[queue]))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 300), st.integers(0, 7), st.booleans(), st.floats(0.0, 1.0), st.integers(0, 2**64 - 1),
       st.integers(0, 2**32 - 1))
def test_a_departments_queue_is_numpys(n, dept, any_order, speed, base, seed):
    """kernels.service_queue (one department's queue, overdue count and requests dealt with) equals the numpy
    computation on random approval needs and progress: projects with nothing left, with this approval and
    others still to do, in and out of the signed and building rows, with and without a one-stop centre."""
    rng = np.random.default_rng(seed)
    need = rng.integers(0, 256, n).astype(np.int32)
    done = (need & rng.integers(0, 256, n)).astype(np.int32)
    rows = np.flatnonzero(rng.random(n) < 0.7).astype(np.int64)
    overdue = rng.random(n) < 0.3
    bit, base = np.int32(1 << dept), np.uint64(base)
    got = kernels.service_queue(rows, need, done, bit, any_order, overdue, base, speed)
    want = numpy_service_queue(rows, need, done, bit, any_order, overdue, base, speed)
    assert np.array_equal(got[0], want[0]) and got[1:] == want[1:]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=400), st.integers(0, 9), st.integers(0, 9))
def test_rows_between_two_stages_are_numpys(values, lo, hi):
    """kernels.rows_between gives np.flatnonzero of the range mask (ascending int64 rows; empty ranges, lo > hi,
    no rows at all)."""
    values = np.array(values, dtype=np.int8)
    got = kernels.rows_between(values, lo, hi)
    assert got.dtype == np.int64 and np.array_equal(got, np.flatnonzero((values >= lo) & (values <= hi)))


def test_the_pipeline_stages_are_consecutive_codes_in_order():
    """The model asks for rows by ranges of stage codes (negotiating to operating, signed or building, building
    or operating...): the pipeline's stages must keep consecutive codes in their order."""
    from sim.model.stages import BUILDING, CONTACTED, NEGOTIATING, OPERATING, PROSPECT, SIGNED

    assert [PROSPECT, CONTACTED, NEGOTIATING, SIGNED, BUILDING, OPERATING] == list(range(PROSPECT, OPERATING + 1))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 60), st.integers(0, 70), st.integers(0, 2**32 - 1))
def test_the_service_queue_is_served_tracked_first_then_oldest_then_by_priority(n, k, seed):
    """Catches a counter that serves in the wrong order (untracked projects ahead, newest requests first, ties
    broken otherwise than by the fixed priority and then the rows' order): the compiled queue's head is
    numpy's lexsort of (priority, months waiting since, untracked), ties included."""
    rng = np.random.default_rng(seed)
    pop = 200
    rows = np.sort(rng.choice(pop, n, replace=False)).astype(np.int64)
    tracked = rng.random(pop) < 0.3
    since = rng.integers(0, 4, pop).astype(np.int32)  # few months: many ties
    priority = rng.choice([0.1, 0.5, 0.9], pop)  # few values: ties left to the rows' order
    expected = rows[np.lexsort((priority[rows], since[rows], ~tracked[rows]))[:k]]
    assert np.array_equal(kernels.queue_head(rows, tracked, since, priority, k), expected)

