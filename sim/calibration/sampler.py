"""A pyabc sampler that runs its simulations on the project's executors (serial, process pool or Dask).

pyabc hands a sampler one function, ``simulate_one``, that draws a parameter from the proposal, simulates
and decides acceptance. This sampler numbers the calls of a generation 0, 1, 2, ... and gives call ``j`` of
generation ``t`` its own seed (``SeedSequence(root_seed, spawn_key=(t + 1, j))``) for pyabc's draws; the
model then draws its own run seed from them. Calls are sent to the executor in order and results come back
in any order; the sample is the calls in index order up to the one that brings the ``n``-th acceptance,
so it does not depend on the number of workers, on their speed or on the engine (no bias toward fast
simulations, and the same root seed gives the same posterior). Calls beyond that index that were already
running are discarded and not counted.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import cloudpickle
import numpy as np
import pyabc

_LOADED: dict[int, Callable] = {}


def call_seed(root_seed: int, t: int, j: int) -> int:
    """Seed of call ``j`` of generation ``t`` (``t = -1`` is pyabc's calibration sample)."""
    return int(np.random.SeedSequence(root_seed, spawn_key=(t + 1, j)).generate_state(1)[0])


def run_call(task: tuple[bytes, int, int, int]):
    """Executor task: one call of ``simulate_one`` (pickled by cloudpickle in this session) with its seed."""
    blob, _t, _j, seed = task
    key = hash(blob)
    fn = _LOADED.get(key)
    if fn is None:
        _LOADED.clear()
        fn = _LOADED[key] = cloudpickle.loads(blob)
    np.random.seed(seed)
    random.seed(seed)
    return fn()


class ExecutorSampler(pyabc.sampler.Sampler):
    """Runs pyabc's simulations on an executor of :mod:`sim.experiment.executors`, reproducibly."""

    def __init__(self, executor, root_seed: int, progress: Callable[[int, int, int, int], None] | None = None):
        super().__init__()
        self.executor = executor
        self.root_seed = int(root_seed)
        self.progress = progress
        self.evaluated_ = 0  # calls actually run, including discarded ones (cost, not statistics)

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        blob = cloudpickle.dumps(simulate_one)
        state = {"next": 0, "stop": False}
        results: dict[int, object] = {}
        accepted = 0

        def tasks():
            while not state["stop"] and state["next"] < max_eval:
                j = state["next"]
                state["next"] += 1
                yield (blob, t, j, call_seed(self.root_seed, t, j))

        for task, res in self.executor.imap_unordered(run_call, tasks()):
            if isinstance(res, Exception):
                state["stop"] = True
                raise RuntimeError(f"a simulation of generation {t} failed: {type(res).__name__}: {res}") from res
            results[task[2]] = res
            self.evaluated_ += 1
            if res.accepted:
                accepted += 1
                if accepted >= n:
                    state["stop"] = True
            if self.progress:
                self.progress(t, len(results), min(accepted, n), n)
        sample = self._create_empty_sample()
        got = used = 0
        for j in sorted(results):
            if got >= n:
                break
            particle = results[j]
            sample.append(particle)
            used += 1
            got += bool(particle.accepted)
        self.nr_evaluations_ = used
        if got < n:
            sample.ok = False
        return sample


class ResumableQuantileEpsilon(pyabc.QuantileEpsilon):
    """pyabc's quantile threshold with a fixed first value; on resuming after generation ``t - 1`` it takes the
    quantile of that stored generation, as an uninterrupted run does (pyabc itself would restart from the first
    value, and a resumed run would differ from an uninterrupted one)."""

    def initialize(self, t, get_weighted_distances, get_all_records, max_nr_populations, acceptor_config):
        if t > 0:
            self._update(t, get_weighted_distances())
