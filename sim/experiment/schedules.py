"""Which runs an experiment does next: every planned run in one round, or replications in rounds until each
comparison with the baseline is precise enough (adaptive replications).

Every run is identified by its scenario, design point and replication, and
numbered ``run = (scenario_index * n_points + point_id) * replications + replication``
(:class:`Plan`). A round lists its runs replication by replication (all
scenarios and points of replication 0 first), so an interrupted experiment
leaves balanced partial results for paired comparisons.

A schedule decides on the stored results alone (:class:`StoredRuns`), never on
timing, the engine or the number of workers, so resuming an interrupted
experiment, or running it anywhere else, asks for the same runs. The runner
asks it for a :class:`Round`, runs and stores it, and asks again until a round
is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from sim.stats import HEADLINE_OUTPUTS, AdequacyRule, effect_rows

if TYPE_CHECKING:
    import pyarrow as pa

    from sim.experiment.spec import ExperimentSpec


# ----------------------------------------------------------------------------- the grid of runs
@dataclass(frozen=True)
class PlannedRun:
    """One run of the experiment: a scenario, a design point and a replication."""

    run: int
    scenario_index: int
    point_id: int
    replication: int


@dataclass(frozen=True)
class Plan:
    """The grid of runs: scenarios x design points x replications, numbered and ordered."""

    n_scenarios: int
    n_points: int
    replications: int

    @classmethod
    def of(cls, exp: ExperimentSpec) -> Plan:
        """The plan of an experiment."""
        return cls(len(exp.scenarios), exp.design.n_points, exp.replications)

    @property
    def n_runs(self) -> int:
        """Total number of runs."""
        return self.n_scenarios * self.n_points * self.replications

    def run_id(self, scenario_index: int, point_id: int, replication: int) -> int:
        """The run number of a (scenario, point, replication)."""
        return (scenario_index * self.n_points + point_id) * self.replications + replication

    def runs(self, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[PlannedRun]:
        """Runs in execution order (replication-major, then design point, then scenario: the scenarios of one
        replication and point, which may share a warm state, follow each other), leaving out those in ``skip``."""
        for r in range(self.replications):
            for p in range(self.n_points):
                for s in range(self.n_scenarios):
                    run = self.run_id(s, p, r)
                    if run not in skip:
                        yield PlannedRun(run, s, p, r)


@dataclass(frozen=True)
class Round:
    """The runs a schedule asks for now: the plan's runs not in ``skip``, ``count`` of them, in execution order,
    out of ``planned`` runs the schedule calls for so far (those stored as done included). Listed lazily, as the
    runs are handed out: memory does not grow with the plan."""

    plan: Plan
    skip: set[int] | frozenset[int]
    count: int
    planned: int

    def __iter__(self) -> Iterator[PlannedRun]:
        return self.plan.runs(self.skip) if self.count else iter(())

    def __len__(self) -> int:
        return self.count


# ----------------------------------------------------------------------------- schedules
class StoredRuns(Protocol):
    """What a schedule reads of a results folder (:class:`~sim.experiment.store.ResultStore` is one)."""

    def done_runs(self) -> set[int]:
        """Run ids whose latest stored attempt is done."""
        ...

    def records(self, columns: list[str] | None = None) -> pa.Table:
        """The latest stored attempt of every run, with the ``columns`` asked for that the results hold."""
        ...


class Schedule(Protocol):
    """Which runs an experiment does next, decided on what is stored."""

    def next_runs(self, store: StoredRuns) -> Round:
        """The runs to do now; an empty round when there is nothing more to do."""
        ...

    def record(self) -> dict[str, Any]:
        """What the manifest keeps of the decisions so far: ``runs_planned`` (the runs called for) and, with
        adaptive replications, ``adaptive`` (each comparison's replications and why it stopped)."""
        ...


class FixedSchedule:
    """A fixed number of replications: every planned run not stored as done, in one round."""

    def __init__(self, plan: Plan):
        self.plan = plan

    def next_runs(self, store: StoredRuns) -> Round:
        """Every planned run whose latest stored attempt is not done (missing, or failed)."""
        done = store.done_runs()
        count = self.plan.n_runs - sum(1 for r in done if r < self.plan.n_runs)
        return Round(self.plan, done, count, self.plan.n_runs)

    def record(self) -> dict[str, Any]:
        """The runs planned: the whole grid."""
        return {"runs_planned": self.plan.n_runs}


class AdaptiveSchedule:
    """Adaptive replications (``replications = { min, max, until = "adequate", step }``): a first round of ``min``
    replications of every scenario and point; then, once every run of a round is stored as done, each comparison
    with the baseline whose headline intervals are not yet adequate (the analysis' rule) gets ``step`` more, up to
    ``max``; the baseline runs as many as its longest comparison at that point."""

    def __init__(self, exp: ExperimentSpec):
        assert exp.adaptive is not None
        self.exp = exp
        self.plan = Plan.of(exp)
        self.state = replay_rounds(exp, StoredOutcomes([], {}, set()))
        self.planned = len(self.state.wanted(self.plan))

    def next_runs(self, store: StoredRuns) -> Round:
        """The runs of the current round not stored as done, decided by replaying the rounds on the stored runs."""
        stored = StoredOutcomes.read(store)
        self.state = replay_rounds(self.exp, stored)
        wanted = self.state.wanted(self.plan)
        todo = wanted - stored.done
        self.planned = len(wanted)
        return Round(self.plan, set(range(self.plan.n_runs)) - todo, len(todo), self.planned)

    def record(self) -> dict[str, Any]:
        """The settings, the rule, each comparison's replications and stopping reason, and the runs called for."""
        return {"adaptive": self.state.record(self.exp), "runs_planned": self.planned}


def make_schedule(exp: ExperimentSpec) -> Schedule:
    """The schedule an experiment file asks for: adaptive when its replications are a table, else fixed."""
    return AdaptiveSchedule(exp) if exp.adaptive else FixedSchedule(Plan.of(exp))


# ----------------------------------------------------------------------------- adaptive replications
def observable(a: np.ndarray, b: np.ndarray) -> list[int]:
    """Columns (outputs) with a number in at least one run of either arm; all of them when none has one."""
    seen = [j for j in range(a.shape[1]) if np.isfinite(a[:, j]).any() or np.isfinite(b[:, j]).any()]
    return seen or list(range(a.shape[1]))


@dataclass
class Comparison:
    """A scenario at a design point compared with the baseline there: the replications it has and why it stopped."""

    scenario_index: int
    point_id: int
    replications: int
    rounds: int = 1
    stopped: str | None = None  # "adequate" (every headline interval narrow enough) or "cap" (max reached)
    widest: float | None = None  # largest half-width / target over the headline intervals at the last decision


@dataclass
class AdaptiveState:
    """Where the rounds of an experiment with adaptive replications stand, replayed from the stored results."""

    comparisons: list[Comparison]
    baseline_index: int
    complete: bool = False
    baseline_of: list[int] | None = None  # each scenario's baseline (its region's); None: baseline_index for all
    minimum: int = 1  # replications of a baseline with nothing to compare with (a region's only scenario)

    def base(self, scenario_index: int) -> int:
        """The baseline scenario ``scenario_index`` is compared with."""
        return self.baseline_index if self.baseline_of is None else self.baseline_of[scenario_index]

    def replications(self, scenario_index: int, point_id: int) -> int:
        """Replications scenario ``scenario_index`` needs at ``point_id`` (a baseline: its longest comparison's)."""
        if self.base(scenario_index) == scenario_index:
            return max((c.replications for c in self.comparisons
                        if c.point_id == point_id and self.base(c.scenario_index) == scenario_index), default=self.minimum)
        return next(c.replications for c in self.comparisons
                    if c.scenario_index == scenario_index and c.point_id == point_id)

    def wanted(self, plan: Plan) -> set[int]:
        """Run ids the rounds so far call for."""
        return {plan.run_id(s, p, r) for s in range(plan.n_scenarios) for p in range(plan.n_points)
                for r in range(self.replications(s, p))}

    def record(self, exp: ExperimentSpec) -> dict[str, Any]:
        """What the manifest keeps: the settings, the rule and each comparison's replications and stopping reason."""
        names = [e.name for e in exp.scenarios]
        assert exp.adaptive is not None
        return {**exp.adaptive.as_dict(), "rule": AdequacyRule().text("en"), "rule_zh": AdequacyRule().text("zh"),
                "baseline": names[self.baseline_index], "complete": self.complete,
                "comparisons": [{"scenario": names[c.scenario_index], "point_id": c.point_id,
                                 "point_label": exp.design.labels[c.point_id], "replications": c.replications,
                                 "rounds": c.rounds, "stopped": c.stopped, "widest_half_width_ratio": c.widest}
                                for c in self.comparisons]}


@dataclass
class StoredOutcomes:
    """The headline outputs of every run stored as done, by (scenario_index, point_id, replication), in the order
    of ``outputs`` (those the results hold); and the ids of those runs."""

    outputs: list[str]
    values: dict[tuple[int, int, int], np.ndarray]
    done: set[int]

    @classmethod
    def read(cls, store: StoredRuns) -> StoredOutcomes:
        """What ``store`` holds (one reading of its records)."""
        outputs = list(HEADLINE_OUTPUTS)
        values: dict[tuple[int, int, int], np.ndarray] = {}
        rec = store.records(["run", "scenario_index", "point_id", "replication", "status", *outputs])
        if not rec.num_rows:
            return cls(outputs, values, set())
        cols = {k: rec[k].to_numpy(zero_copy_only=False) for k in ("run", "scenario_index", "point_id", "replication")}
        done = np.flatnonzero(np.asarray(rec["status"].to_pylist()) == "done")
        present = [o for o in outputs if o in rec.column_names]
        y = np.column_stack([rec[o].to_numpy(zero_copy_only=False).astype(float) for o in present]) if present else None
        for i in done:
            key = (int(cols["scenario_index"][i]), int(cols["point_id"][i]), int(cols["replication"][i]))
            values[key] = y[i] if y is not None else np.zeros(0)
        return cls(present, values, set(cols["run"][done].tolist()))


def replay_rounds(exp: ExperimentSpec, stored: StoredOutcomes) -> AdaptiveState:
    """Replay the rounds of an adaptive experiment on its stored results: the first round's ``min`` replications,
    then, as long as every run of the current round is stored as done, the decisions of the analysis' adequacy
    rule on exactly those runs. Depends on nothing but the stored results of completed rounds (not on timing,
    engine or workers), so resuming, or running anywhere else, takes the same decisions."""
    a = exp.adaptive
    assert a is not None
    base = exp.baseline_index
    rule = AdequacyRule()
    outputs, values = stored.outputs, stored.values
    baseline_of = [exp.baseline_for(e.index) for e in exp.scenarios]
    state = AdaptiveState([Comparison(e.index, p, a.min) for e in exp.scenarios if baseline_of[e.index] != e.index
                           for p in range(exp.design.n_points)], base, baseline_of=baseline_of, minimum=a.min)
    while True:
        if any((s, p, r) not in values for s in range(len(exp.scenarios)) for p in range(exp.design.n_points)
               for r in range(state.replications(s, p))):
            return state  # the current round still has runs to do
        active = [c for c in state.comparisons if c.stopped is None]
        if not active:
            state.complete = True
            return state
        for c in active:
            n = c.replications
            A = np.array([values[(c.scenario_index, c.point_id, r)] for r in range(n)])
            B = np.array([values[(state.base(c.scenario_index), c.point_id, r)] for r in range(n)])
            seen = observable(A, B)  # a cohort the horizon cannot follow is NaN in every run: nothing to judge
            rows = effect_rows(exp.scenarios[c.scenario_index].name, c.point_id, "", [outputs[j] for j in seen],
                               A[:, seen], B[:, seen], rule, exp.horizon_months or 0, "summary")
            ratios = [r["half_width"] / r["target_half_width"] for r in rows
                      if np.isfinite(r["half_width"]) and np.isfinite(r["target_half_width"]) and r["target_half_width"] > 0]
            c.widest = float(max(ratios)) if ratios else None
            if all(r["adequate"] for r in rows):
                c.stopped = "adequate"
            elif n >= a.max:
                c.stopped = "cap"
            else:
                c.replications = min(a.max, n + a.round_size)
                c.rounds += 1
