"""The Mesa model of investment attraction and the one-call entry point ``simulate``."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.params import Params

if TYPE_CHECKING:
    from sim.model.model import AttractionModel

# The Mesa model is imported when first used, not with the package: reading stored results (the analysis, the
# briefing) uses the stage and reason names of sim.model.stages without loading Mesa.
_LAZY = {"AttractionModel": "sim.model.model", "AttractionScenario": "sim.model.model",
         "MONTHLY_COLUMNS": "sim.model.registry"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")


@dataclass
class RunResult:
    """Outputs of one run: the monthly table (column -> array; None for a run that did not record its months) and
    the end-of-run summary."""

    monthly: dict[str, np.ndarray] | None
    summary: dict


def warm_start(status_quo: Params, seed: int | np.random.SeedSequence = 0) -> AttractionModel:
    """The region at month 0: a model of ``status_quo`` (the levers at the region's baseline,
    :func:`sim.scenario.status_quo`) that has run its spin-up (``run.spinup_months``), waiting for a strategy
    (:meth:`AttractionModel.begin`). Scenarios whose status quo is the same start from copies of one warm state."""
    from sim.model.model import AttractionModel, AttractionScenario

    return AttractionModel(AttractionScenario(rng=None, params=status_quo, name="status_quo"), seed=seed)


def freeze(warm: AttractionModel) -> bytes:
    """A warm state (:func:`warm_start`) frozen for copying into many runs (``warm`` of :func:`build_model`): the
    model pickled once in memory, so that each copy is one unpickling (about 3 ms at 4,000 prospects against 14 ms
    for a deep copy). The bytes never leave the process that made them or the task they travel with."""
    return pickle.dumps(warm, protocol=pickle.HIGHEST_PROTOCOL)


def build_model(params: Params, seed: int | np.random.SeedSequence = 0, name: str = "scenario",
                warm: AttractionModel | bytes | None = None, monthly: bool = True) -> AttractionModel:
    """A model of ``params`` at month 0, ready to run its horizon (the same seed gives the same numbers): the status
    quo's spin-up is run first (:func:`warm_start`), or ``warm``, a warm state of the same status quo and seed, is
    copied (it is left as it is; a frozen one, :func:`freeze`, is unpickled). ``monthly`` off: the months are not
    recorded, only the summary's last month (:meth:`AttractionModel.begin`)."""
    from sim.scenario import status_quo

    if warm is None:
        model = warm_start(status_quo(params), seed)
    else:
        model = pickle.loads(warm) if isinstance(warm, bytes) else copy.deepcopy(warm)
    model.begin(params, name, monthly)
    return model


def simulate(spec_or_params, seed: int | np.random.SeedSequence = 0, horizon: int | None = None,
             warm: AttractionModel | bytes | None = None, monthly: bool = True) -> RunResult:
    """Run one scenario (a ScenarioSpec or Params) for its horizon, or ``horizon`` months, and return its outputs;
    from a copy of ``warm`` (:func:`build_model`) if given. ``monthly`` off: the summary alone (the same numbers),
    without observing every month."""
    params = getattr(spec_or_params, "params", spec_or_params)
    if horizon is not None and horizon != params.run.horizon_months:
        params = params.model_copy(update={"run": params.run.model_copy(update={"horizon_months": horizon})})
    model = build_model(params, seed, getattr(spec_or_params, "name", "scenario"), warm, monthly)
    model.run_for(params.run.horizon_months)
    from sim.model.outputs import MONTHLY_COLUMNS, MONTHLY_TABLE, summary

    data = model.datacollector.tables[MONTHLY_TABLE]
    series = {k: np.asarray(data[k]) for k in MONTHLY_COLUMNS} if monthly else None
    result = RunResult(monthly=series, summary=summary(model))
    release(model)
    return result


def release(model: AttractionModel) -> None:
    """Free a finished model's arrays now. The model, its agents, ledger and channel model refer to each other:
    left alone, a finished run waits for the cyclic garbage collector, which lets about a hundred dead runs pile
    up in a worker (tens of MB). Dropping its state leaves only empty shells for the collector."""
    model.__dict__.clear()


__all__ = ["AttractionModel", "AttractionScenario", "RunResult", "build_model", "freeze", "release", "simulate",
           "warm_start", "MONTHLY_COLUMNS"]
