"""Statistics on stored experiment results: effects with confidence intervals, costs, withdrawals, sensitivity.

Everything here reads a results folder written by ``sim experiment``
(``sim.experiment.store``) and nothing else; the model is never run.

- :mod:`sim.analysis.data` loads the stored runs and names the baseline;
- :mod:`sim.analysis.effects` paired differences from the baseline (common
  random numbers) with t-intervals and the replication check;
- :mod:`sim.analysis.costs` what strategies cost per job and per yuan landed;
- :mod:`sim.analysis.pipeline` the funnel and why investors left;
- :mod:`sim.analysis.sensitivity` Sobol' and Morris indices of sample designs;
- :mod:`sim.analysis.tables` runs all of them and writes ``<results>/analysis/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["analyse", "load_analysis"]

if TYPE_CHECKING:
    from sim.analysis.tables import analyse, load_analysis


def __getattr__(name: str):
    """``analyse`` and ``load_analysis``, imported on first use: the command line's start-up stays quick."""
    if name in __all__:
        from sim.analysis import tables

        return getattr(tables, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
