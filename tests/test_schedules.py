"""Schedules on their own: which runs each round asks for, when adaptive replications stop a comparison with the
baseline ("adequate" or "cap"), and that the decisions depend on nothing but the stored runs (a stand-in store)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from sim.experiment.schedules import (
    AdaptiveSchedule,
    FixedSchedule,
    Plan,
    PlannedRun,
    make_schedule,
)
from sim.experiment.spec import load_experiment
from sim.stats import HEADLINE_OUTPUTS

DATA = Path(__file__).parent / "data"

BASE = np.array([0.5, 0.5, 100.0])  # the baseline's headline outputs: two cohort rates and jobs
"""With these, an interval is adequate when its half-width is at most half the effect, or 0.01 for the rates and
5 jobs (5% of the baseline) when the effect is small (the analysis' adequacy rule)."""


def outcome(s: int, p: int, r: int) -> np.ndarray:
    """Headline outputs of scenario ``s`` at point ``p``, replication ``r`` of the adaptive test experiment
    (t = baseline, t_copy, t_park at points 0 and 1):

    - t_copy: the baseline's values, no difference at all: adequate after the first round;
    - t_park at point 0: differences of alternating sign and no effect, never narrow enough: stopped at the cap (8);
    - t_park at point 1: an effect of (0.1, 0.1, 20) with +-50% noise in the first two replications only: the
      half-width is 5.1, 0.65 and 0.33 times the effect after 2, 4 and 6 replications, adequate (<= 0.5) at 6.
    """
    if s != 2:
        return BASE.copy()
    if p == 0:
        return BASE + (-1) ** r * np.array([0.2, 0.2, 50.0])
    return BASE + np.array([0.1, 0.1, 20.0]) * (1 + {0: 0.5, 1: -0.5}.get(r, 0.0))


class StoredRunsStandIn:
    """Stored runs without files: the latest attempt of each run, as a results folder's records give them."""

    def __init__(self, values=outcome):
        self.values = values
        self.latest: dict[int, tuple[PlannedRun, str]] = {}

    def store(self, runs, status: str = "done") -> None:
        for pr in runs:
            self.latest[pr.run] = (pr, status)

    def done_runs(self) -> set[int]:
        return {run for run, (_, status) in self.latest.items() if status == "done"}

    def records(self, columns: list[str] | None = None) -> pa.Table:
        rows = [self.latest[run] for run in sorted(self.latest)]
        cols: dict[str, list] = {k: [getattr(pr, k) for pr, _ in rows]
                                 for k in ("run", "scenario_index", "point_id", "replication")}
        cols["status"] = [status for _, status in rows]
        for j, name in enumerate(HEADLINE_OUTPUTS):
            cols[name] = [float(self.values(pr.scenario_index, pr.point_id, pr.replication)[j]) if status == "done"
                          else None for pr, status in rows]
        return pa.table({k: cols[k] for k in (columns or cols) if k in cols})


def ids(round_) -> list[tuple[int, int, int]]:
    """A round's runs as (scenario, point, replication), in the order asked."""
    return [(r.scenario_index, r.point_id, r.replication) for r in round_]


@pytest.fixture(scope="module")
def adaptive_exp():
    return load_experiment(DATA / "exp_adaptive.toml")


def run_to_the_end(schedule, store) -> list[list[tuple[int, int, int]]]:
    """Ask, store every run asked for as done, ask again, until a round is empty; the rounds asked."""
    rounds = []
    while len(runs := schedule.next_runs(store)):
        rounds.append(ids(runs))
        store.store(runs)
    assert list(runs) == []
    return rounds


def comparisons(schedule) -> dict[tuple[str, int], tuple[int, int, str | None]]:
    """Each comparison's (replications, rounds, why it stopped), by scenario and point, as the manifest keeps it."""
    return {(c["scenario"], c["point_id"]): (c["replications"], c["rounds"], c["stopped"])
            for c in schedule.record()["adaptive"]["comparisons"]}


def test_a_fixed_schedule_asks_for_every_planned_run_not_stored_as_done_in_execution_order():
    exp = load_experiment(DATA / "exp_small.toml")
    plan = Plan.of(exp)
    schedule = make_schedule(exp)
    assert isinstance(schedule, FixedSchedule) and schedule.record() == {"runs_planned": 24}
    store = StoredRunsStandIn()
    first = schedule.next_runs(store)
    assert len(first) == first.planned == 24 and [r.run for r in first] == [r.run for r in plan.runs()]
    assert [r.replication for r in first] == sorted(r.replication for r in first)  # replication by replication
    runs = list(first)
    store.store(runs[:10])
    store.store(runs[10:12], status="failed")
    again = schedule.next_runs(store)
    assert [r.run for r in again] == [r.run for r in runs[10:]]  # the failed and the missing, in the same order
    assert len(again) == 14 and again.planned == 24
    store.store(runs[10:])
    last = schedule.next_runs(store)
    assert len(last) == 0 and list(last) == [] and last.planned == 24


def test_the_first_adaptive_round_asks_for_min_replications_of_every_scenario_and_point(adaptive_exp):
    schedule = make_schedule(adaptive_exp)
    assert isinstance(schedule, AdaptiveSchedule)
    first = schedule.next_runs(StoredRunsStandIn())
    assert ids(first) == [(s, p, r) for r in range(2) for p in range(2) for s in range(3)]
    assert first.planned == len(first) == 12 and schedule.record()["runs_planned"] == 12
    assert set(comparisons(schedule).values()) == {(2, 1, None)}
    assert schedule.record()["adaptive"]["complete"] is False


def test_a_round_with_runs_missing_or_failed_asks_for_them_again_and_decides_nothing(adaptive_exp):
    schedule, store = make_schedule(adaptive_exp), StoredRunsStandIn()
    runs = list(schedule.next_runs(store))
    store.store(runs[:-2])
    store.store(runs[-2:-1], status="failed")
    before = schedule.record()
    again = schedule.next_runs(store)
    assert ids(again) == ids(runs[-2:]) and again.planned == 12
    assert schedule.record() == before


def test_each_comparison_stops_when_its_intervals_are_adequate_or_at_the_cap(adaptive_exp):
    schedule, store = make_schedule(adaptive_exp), StoredRunsStandIn()
    rounds = run_to_the_end(schedule, store)
    assert comparisons(schedule) == {("t_copy", 0): (2, 1, "adequate"), ("t_copy", 1): (2, 1, "adequate"),
                                     ("t_park", 0): (8, 4, "cap"), ("t_park", 1): (6, 3, "adequate")}
    record = schedule.record()
    assert record["adaptive"]["complete"] is True and record["adaptive"]["baseline"] == "t"
    # Each round after the first asks for the next two replications of the comparisons still open, and of the
    # baseline at their points; nothing of those that stopped.
    assert rounds[1:] == [[(s, p, r) for r in (2, 3) for p in (0, 1) for s in (0, 2)],
                          [(s, p, r) for r in (4, 5) for p in (0, 1) for s in (0, 2)],
                          [(s, 0, r) for r in (6, 7) for s in (0, 2)]]
    assert record["runs_planned"] == sum(map(len, rounds)) == 32


def test_the_baseline_runs_as_many_replications_as_its_longest_comparison(adaptive_exp):
    schedule, store = make_schedule(adaptive_exp), StoredRunsStandIn()
    run_to_the_end(schedule, store)
    reps: dict[tuple[int, int], set[int]] = {}
    for pr, _ in store.latest.values():
        reps.setdefault((pr.scenario_index, pr.point_id), set()).add(pr.replication)
    assert reps[(0, 0)] == set(range(8)) and reps[(0, 1)] == set(range(6))  # t_copy stopped at 2 at both points
    assert reps[(1, 0)] == reps[(1, 1)] == set(range(2))


def test_adaptive_decisions_depend_only_on_the_stored_runs(adaptive_exp):
    """In whatever order and pieces a round is stored (workers finish in any order; an interruption stores part of
    it), and by a new schedule (a resumed experiment), the same runs are asked for and the same decisions taken."""
    reference = make_schedule(adaptive_exp)
    run_to_the_end(reference, StoredRunsStandIn())
    store = StoredRunsStandIn()
    schedule = make_schedule(adaptive_exp)
    while len(runs := list(schedule.next_runs(store))):
        store.store(runs[::-1][: len(runs) // 2 + 1])  # the last ones first, and only some of them ...
        store.store(runs[:1], status="failed")  # ... one failing ...
        schedule = make_schedule(adaptive_exp)  # ... then the experiment resumed by a new invocation
        assert ids(schedule.next_runs(store)) == ids(r for r in runs if r.run not in store.done_runs())
        store.store(runs)
    assert schedule.record() == reference.record()
