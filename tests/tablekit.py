"""Comparing stored results tables in tests: what a run did, not when or how fast, and NaN equal to NaN.

A cohort rate that no project could be followed for by the horizon is NaN (not a rate of zero); two runs
that both report it unobservable agree, so NaN is compared as a missing value."""

from __future__ import annotations

from sim.experiment.store import comparable as stable  # noqa: F401  (the tests' name for it)


def same_rows(a: dict, b: dict, keys) -> bool:
    """Two result rows agree on ``keys`` (NaN equal to NaN)."""
    return all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in keys)
