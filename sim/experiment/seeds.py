"""Seeds of an experiment's runs: one root seed, common random numbers across scenarios and points.

Every run's seed is a node of one ``numpy.random.SeedSequence`` tree rooted at
the experiment's ``root_seed``: replication *r* uses child *r* of the root,

    SeedSequence(root_seed).spawn(replications)[r]  ==  SeedSequence(root_seed, spawn_key=(r,))

whatever the scenario or design point. So replication *r* of every scenario
and every design point meets the same population of investors and the same
random draws (common random numbers, CRN): the model splits that seed into
one stream per kind of decision (``sim.model.streams``), so a policy change
does not shift the draws of an unrelated decision, and paired differences
between scenarios have far less noise than independent runs would.

The seed of each run is stored with its results as its entropy (the root
seed) and spawn key, enough to rebuild the exact ``SeedSequence``.
"""

from __future__ import annotations

import numpy as np

MAX_ROOT_SEED = 2**63 - 1  # stored as a signed 64-bit integer column


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication`` (from 0), shared by every scenario and design point (CRN)."""
    return np.random.SeedSequence(int(root_seed), spawn_key=(int(replication),))


def seed_record(seed: np.random.SeedSequence) -> dict[str, object]:
    """What is stored about a run's seed: ``seed_entropy`` (the root seed) and ``seed_spawn_key``."""
    return {"seed_entropy": int(seed.entropy), "seed_spawn_key": [int(k) for k in seed.spawn_key]}


def rebuild_seed(entropy: int, spawn_key: list[int] | tuple[int, ...]) -> np.random.SeedSequence:
    """The exact ``SeedSequence`` of a stored run, from its ``seed_entropy`` and ``seed_spawn_key``."""
    return np.random.SeedSequence(int(entropy), spawn_key=tuple(int(k) for k in spawn_key))


def sampler_seed(root_seed: int) -> int:
    """A 32-bit seed for the design sampler (Latin hypercube, Sobol, Morris), derived from the root seed.

    It uses a spawn key no replication uses, so the design sample and the model draws are independent.
    """
    return int(np.random.SeedSequence(int(root_seed), spawn_key=(2**32,)).generate_state(1)[0])
