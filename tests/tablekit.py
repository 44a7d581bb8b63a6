"""Comparing stored results tables in tests: what a run did, not when or how fast, and NaN equal to NaN.

A cohort rate that no project could be followed for by the horizon is NaN (not a rate of zero); two runs
that both report it unobservable agree, so NaN is compared as a missing value."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from sim.experiment import VOLATILE_COLUMNS


def nan_as_null(table: pa.Table) -> pa.Table:
    """The table with every floating-point NaN replaced by a missing value (which ``equals`` compares as equal)."""
    cols = []
    for name in table.column_names:
        col = table[name]
        if pa.types.is_floating(col.type):
            col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def stable(table: pa.Table) -> pa.Table:
    """A results table without the columns that record when and how fast runs went, NaN as missing."""
    return nan_as_null(table.drop_columns([c for c in VOLATILE_COLUMNS if c in table.column_names]))


def same_rows(a: dict, b: dict, keys) -> bool:
    """Two result rows agree on ``keys`` (NaN equal to NaN)."""
    return all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in keys)
