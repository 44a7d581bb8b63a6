"""Subcommands contributed by the experiment, report and app packages.

Each entry is a ``register(subparsers)`` function; ``sim.cli`` calls them all.
"""

from __future__ import annotations

REGISTRARS: list = []
