"""Named random streams for common random numbers (CRN).

Every kind of stochastic decision draws from its own stream, spawned from one
``SeedSequence`` in a fixed order. Two kinds:

- Decisions about individual investors (and ties) use counter-based draws
  (:meth:`Streams.uniform`): the uniform that row *i* meets in month *t* for
  decision *k* of a stream is a hash of (stream key, month, k, i) with the
  SplitMix64 finaliser. It is the same number in every scenario, whether or
  not the row is drawn for, so only the rows a decision concerns are computed
  (work proportional to the active pipeline) and no policy can shift the draws
  of an unrelated decision.
- Draws at set-up and the few per government or firm each month use ordinary
  numpy Generators (:meth:`Streams.__getitem__`), always the same number of
  values in the same order.

Paired comparisons across scenarios therefore have low variance.
"""

from __future__ import annotations

import functools

import numpy as np

from sim.model.kernels import uniforms

STREAM_NAMES = (
    "mesa",  # Mesa's own model.rng / model.random (agent shuffling)
    "population",
    "network",
    "contact",
    "channel_pick",
    "negotiate",
    "screening",
    "sign",
    "approval",
    "bank",
    "honour",
    "complaint",
    "withdraw",
    "reason",
    "handoff",
    "referral",
    "local_firms",
    "politics",
    "belief_noise",
    "reinvest",
    "exit",
    "forum",
    "partner",
    "rotation",
    "stall",
    "fund",
    "arrivals",
    "market",
)


def seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """A SeedSequence from an integer seed, or a copy of the sequence (spawning streams from it leaves the caller's
    sequence as it was, so the same seed object gives the same model twice)."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size,
                                      n_children_spawned=seed.n_children_spawned)
    return np.random.SeedSequence(int(seed))


_MASK = (1 << 64) - 1


def _mix_int(x: int) -> int:
    """SplitMix64 finaliser on a Python integer."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@functools.lru_cache(maxsize=1 << 14)
def _counter(month: int, k: int) -> int:
    """The month and decision's part of a draw's base, the same for every stream and seed (kept: some forty a
    month, in every run of a process)."""
    return _mix_int((month << 16) + k + 1)


class Streams:
    """One numpy Generator and one counter key per decision kind, spawned in a fixed order from one seed."""

    def __init__(self, seed: int | np.random.SeedSequence):
        children = seed_sequence(seed).spawn(len(STREAM_NAMES))
        self._gens = {name: np.random.default_rng(child) for name, child in zip(STREAM_NAMES, children, strict=True)}
        # The counter key of a stream: a word of its child sequence's state beyond what the Generator uses.
        self._keys = {name: int(child.generate_state(5, dtype=np.uint64)[4])
                      for name, child in zip(STREAM_NAMES, children, strict=True)}

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._gens[name]

    def base(self, name: str, month: int, k: int = 0) -> np.uint64:
        """The part of a counter-based draw that depends on the stream, the month and the decision, not the row."""
        return np.uint64(_mix_int(self._keys[name] ^ _counter(month, k)))

    def uniform(self, name: str, rows: np.ndarray, month: int, k: int = 0) -> np.ndarray:
        """Uniforms in (0, 1) that rows ``rows`` meet in ``month`` for decision ``k`` of stream ``name``:
        the same numbers whichever other rows are drawn for, in any scenario: the row times the golden-ratio
        constant plus :meth:`base`, through the SplitMix64 finaliser, the top 53 bits centred in their cell.
        Computed in one compiled pass (:func:`sim.model.kernels.uniforms`; some thirty draws a month, each a
        dozen numpy operations otherwise)."""
        if len(rows) == 0:
            return np.zeros(0)
        return uniforms(np.asarray(rows, dtype=np.int64), self.base(name, month, k))
