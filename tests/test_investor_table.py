"""The investor table owns every investor's state: every change of stage goes through its one method."""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import scenario

from sim.model import build_model
from sim.model.agents import BUILDING, SIGNED, STAGE_NAMES
from sim.model.investors import InvestorTable
from sim.model.outputs import MONTHLY_COLUMNS, MONTHLY_TABLE

CHECKED_RUN = {"run__n_investors": 4000, "run__horizon_months": 48, "behaviour__outside_option": 0.8}
"""A small market followed four years from a cold start, at the pull of 0.8 of the cold-start fit: long enough for
returns, stalls, resumes and withdrawals (at the warm-calibrated pull a cold region builds too little)."""


@pytest.mark.parametrize("name", ["baseline", "combined"])
def test_every_change_of_stage_goes_through_the_investor_table(name):
    """Catches a change of stage written into the stage array directly, bypassing ``InvestorTable.set_stage`` (and
    so the month of the change): with stages checked the array is read-only outside that method, so a whole run
    of the scenario fails at such a write. The run must go through every kind of change to mean anything."""
    m = build_model(scenario(name, **CHECKED_RUN).params, seed=5)
    m.investors.checked = True
    m.run_until(m.horizon)
    reached = set(np.unique(m.investors.pipeline.stage).tolist())
    assert {SIGNED, BUILDING, STAGE_NAMES.index("operating"), STAGE_NAMES.index("withdrawn"),
            STAGE_NAMES.index("declined"), STAGE_NAMES.index("stalled")} <= reached
    c = m.counters
    assert c.returned > 0 and c.stalled > 0 and c.by_reason_stage.sum() > 0
    if name == "combined":
        assert c.resumed > 0


def test_checking_stages_changes_no_number():
    """The checking mode only guards the arrays: a checked run gives the same numbers as an unchecked one."""
    spec = scenario("combined", **CHECKED_RUN)
    runs = []
    for checked in (False, True):
        m = build_model(spec.params, seed=8)
        m.investors.checked = checked
        m.run_until(m.horizon)
        runs.append(m.datacollector.tables[MONTHLY_TABLE])
    for column in MONTHLY_COLUMNS:
        np.testing.assert_array_equal(runs[0][column], runs[1][column], err_msg=column)


def test_stage_month_is_the_month_of_the_last_change_of_stage():
    """Catches a change of stage that leaves ``stage_month`` behind (a returning prospect, a resumed project or a
    withdrawal that kept the month of its earlier stage): followed month by month, every investor whose stage
    changed has this month as its ``stage_month``, and no other investor's ``stage_month`` moves except to this
    month (a project may stall again in the month it resumed)."""
    m = build_model(scenario("combined", **CHECKED_RUN).params, seed=5)
    pl = m.investors.pipeline
    changes = 0
    for _ in range(m.horizon):
        stage, month = pl.stage.copy(), pl.stage_month.copy()
        m.step()
        moved = pl.stage != stage
        changes += int(moved.sum())
        assert np.all(pl.stage_month[moved] == m.t), m.t
        kept = ~moved
        assert np.all((pl.stage_month[kept] == month[kept]) | (pl.stage_month[kept] == m.t)), m.t
    assert changes > 0 and m.counters.returned > 0 and m.counters.resumed > 0


def test_a_checked_table_refuses_a_stage_written_around_it():
    """Catches a checking mode that does not guard both arrays, or that ``set_stage`` leaves unguarded after its
    first change: a direct write fails before and after a change made through the method; unchecked, it goes
    through."""
    table = InvestorTable(5)
    table.checked = True
    rows = np.array([1, 3])
    for _ in range(2):
        with pytest.raises(ValueError):
            table.pipeline.stage[0] = SIGNED
        with pytest.raises(ValueError):
            table.pipeline.stage_month[0] = 7
        table.set_stage(rows, SIGNED, 4)
    assert table.pipeline.stage.tolist() == [0, SIGNED, 0, SIGNED, 0]
    assert table.pipeline.stage_month.tolist() == [0, 4, 0, 4, 0]
    table.set_stage(rows, np.array([BUILDING, SIGNED]), 6)  # one stage per row
    assert table.pipeline.stage[rows].tolist() == [BUILDING, SIGNED]
    table.checked = False
    table.pipeline.stage[0] = SIGNED
    assert table.pipeline.stage[0] == SIGNED
