"""Subcommands contributed by the experiment, report and app packages.

Each entry is a ``register(subparsers)`` function; ``sim.cli`` calls them all. The command modules are imported
here, when the parser is built, and each imports what its commands run when they run (see :mod:`sim.cli`).
"""

from __future__ import annotations

REGISTRARS: list = []


def _register_explore(subparsers) -> None:
    """``sim explore``: the scenario explorer in the browser (sim.app)."""
    from sim.app.serve import register

    register(subparsers)


REGISTRARS.append(_register_explore)


def _register_experiment(subparsers) -> None:
    """``sim experiment`` and ``sim status``: batch experiments (sim.experiment)."""
    from sim.experiment.cli import register

    register(subparsers)


REGISTRARS.append(_register_experiment)


def _register_analysis_and_brief(subparsers) -> None:
    """``sim analyse``, ``sim brief`` and ``sim main``: statistics, charts and the briefing (sim.analysis, sim.report)."""
    from sim.analysis.cli import register as register_analysis
    from sim.report.cli import register as register_report

    register_analysis(subparsers)
    register_report(subparsers)


REGISTRARS.append(_register_analysis_and_brief)


def _register_policy(subparsers) -> None:
    """``sim optimise``, ``sim discover`` and ``sim policy``: choosing an allocation (sim.policy)."""
    from sim.policy.cli import register

    register(subparsers)


REGISTRARS.append(_register_policy)
