"""Named random streams for common random numbers (CRN).

Every kind of stochastic decision draws from its own stream, spawned from one
``SeedSequence`` in a fixed order. Streams that decide something about
individual investors draw a full vector (one number per investor) every month,
whatever the stage of each investor, so investor *i* meets the same draw in
month *t* in every scenario: changing a policy cannot shift the draws of an
unrelated decision, and paired comparisons across scenarios have low variance.
"""

from __future__ import annotations

import numpy as np

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
)


def seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """A SeedSequence from an integer seed, or the sequence itself."""
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))


class Streams:
    """One numpy Generator per decision kind, spawned in a fixed order from one seed."""

    def __init__(self, seed: int | np.random.SeedSequence):
        children = seed_sequence(seed).spawn(len(STREAM_NAMES))
        self._gens = {name: np.random.default_rng(child) for name, child in zip(STREAM_NAMES, children, strict=True)}

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._gens[name]
