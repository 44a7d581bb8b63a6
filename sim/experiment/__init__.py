"""Batch experiments: many scenarios x design points x replications, resumable, with provenance.

- :mod:`sim.experiment.spec`: experiment files (``experiments/*.toml``), loaded and validated;
- :mod:`sim.experiment.designs`: which runs (list, factorial, Latin hypercube, Sobol, Morris);
- :mod:`sim.experiment.assumptions`: the ranges of the assumptions a screening varies, and their groups;
- :mod:`sim.experiment.seeds`: one root seed, common random numbers across scenarios and points;
- :mod:`sim.experiment.executors`: where runs execute (serial, local processes, Dask);
- :mod:`sim.experiment.schedules`: which runs next (every planned run in one round, or adaptive rounds);
- :mod:`sim.experiment.store`: what is kept (Parquet parts, manifest) and the loaders for analysis;
- :mod:`sim.experiment.runner`: the loop: ask the schedule, execute the runs, store them;
- :mod:`sim.experiment.cli`: ``sim experiment`` and ``sim status``.

Analysis code reads results through :func:`load_summaries`, :func:`load_monthly`,
:func:`load_manifest`, :func:`load_design` and :func:`load_problem`.
"""

from typing import TYPE_CHECKING

__all__ = ["VOLATILE_COLUMNS", "load_design", "load_manifest", "load_monthly", "load_problem", "load_summaries",
           "run_status"]

if TYPE_CHECKING:
    from sim.experiment.store import (
        VOLATILE_COLUMNS,
        load_design,
        load_manifest,
        load_monthly,
        load_problem,
        load_summaries,
        run_status,
    )


def __getattr__(name: str):
    """The loaders, imported on first use: ``sim --help`` and argument errors need not import the model."""
    if name in __all__:
        from sim.experiment import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
