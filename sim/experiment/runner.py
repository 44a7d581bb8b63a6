"""Running an experiment: ask its schedule for the runs to do, execute them, store them as they finish; repeat.

Which runs, and in which order, is the schedule's business
(:mod:`sim.experiment.schedules`: every planned run in one round, or adaptive
replications in rounds); what is kept, the manifest included, is the results
store's (:mod:`sim.experiment.store`). Several runs travel together in one
task so short runs are not dominated by the cost of shipping work to a worker.

Re-running the same command resumes: runs whose latest stored attempt is
"done" are skipped; missing and failed runs run. A run that raises is stored
as "failed" with its error and the experiment goes on. If the experiment file
(or a scenario it uses) changed since the results folder was started, resuming
is refused unless ``fresh`` (start over) or ``force`` (keep going) is given.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiment.executors import Executor, ProcessExecutor, make_executor
from sim.experiment.schedules import Plan, PlannedRun, Round, make_schedule
from sim.experiment.seeds import replication_seed, seed_record
from sim.experiment.spec import ExperimentSpec
from sim.experiment.store import (
    ResultStore,
    flatten_summary,
    monthly_table,
    override_kinds,
    summary_table,
)
from sim.model import build_model, freeze, kernels, release, simulate, warm_start
from sim.params import Params
from sim.scenario import ScenarioSpec, status_quo

__all__ = ["GUIDED", "WARM_UP_MONTHS", "WARM_UP_PROSPECTS", "ExperimentReport", "Plan", "PlannedRun", "RunOptions",
           "RunOutcome", "Task", "TaskOutcome", "WarmStates", "choose_batch_size", "make_tasks", "run_batch",
           "run_experiment", "run_one", "warm_up"]  # Plan and PlannedRun are the schedules' (kept importable from here)


# ----------------------------------------------------------------------------- what runs
@dataclass
class Task:
    """A batch of runs shipped to a worker together with what they need (scenario specs, overrides, seed, and with
    posterior draws each replication's calibrated parameters)."""

    runs: tuple[PlannedRun, ...]
    specs: dict[int, ScenarioSpec]
    points: dict[int, dict[str, Any]]
    root_seed: int
    record: str
    draws: dict[int, dict[str, float]] = field(default_factory=dict)  # replication -> its posterior draw
    keep_warm_mb: float = 0.0  # warm states the worker keeps for later tasks (:data:`KEPT`), MB; 0: this task's only


@dataclass
class RunOutcome:
    """What a worker sends back about one run."""

    run: int
    status: str
    config_hash: str | None = None
    summary: dict[str, Any] | None = None
    monthly: dict[str, np.ndarray] | None = None
    error: str | None = None
    error_detail: str | None = None
    seconds: float = 0.0
    finished_at: str = ""
    months: int = 0  # months of series this run put in its task's stack (:class:`TaskOutcome`); 0: none


@dataclass
class TaskOutcome:
    """What a worker sends back about one task: each run's outcome, and the monthly series of the runs that
    recorded them stacked column by column, in the order of ``runs``.

    One array per column for the whole task, not one per run and column (some 80 of each): a task of a dozen
    runs pickles, crosses the pipe and unpickles in a fraction of the time, which the worker would otherwise
    spend between runs, and the experiment's process beside them."""

    runs: list[RunOutcome]
    series: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def stack(cls, outcomes: list[RunOutcome]) -> TaskOutcome:
        """The outcomes with their monthly series moved into one stack (each run keeps its number of months)."""
        recorded = [oc for oc in outcomes if oc.monthly is not None]
        series: dict[str, np.ndarray] = {}
        if recorded:
            series = {col: np.concatenate([np.asarray(oc.monthly[col]) for oc in recorded])
                      for col in recorded[0].monthly}
        for oc in recorded:
            oc.months = len(next(iter(oc.monthly.values()), ()))
            oc.monthly = None
        return cls(outcomes, series)


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\r", " ").replace("\n", " | ")
    return text if len(text) <= 500 else text[:497] + "..."


class WarmStates:
    """The warm states (the region at month 0 after the status quo's spin-up, :func:`sim.model.warm_start`) of the
    runs a worker makes, each made once for its status quo and seed and copied for every run that shares them: the
    scenarios of one replication and design point whose status quo is the same, and the search's candidates in one
    future and replication, start from the same state and the same draws. The states are kept frozen
    (:func:`sim.model.freeze`), the most recently used first, up to ``limit_mb`` MB (at least the last one): a
    task's runs of one status quo follow each other, so one is enough within a task; the allocation search meets
    the same futures and replications in every generation, so its tasks keep theirs in the worker (:data:`KEPT`).
    A kept state is the state a new spin-up would make (the same numbers), so what is kept changes only the time."""

    def __init__(self, limit_mb: float = 0.0) -> None:
        self.limit_mb = limit_mb
        self.states: list[tuple[tuple, Params, bytes]] = []  # (seed key, status quo, frozen), most recent first

    def get(self, params: Params, seed: np.random.SeedSequence) -> bytes:
        """The warm state of the status quo of ``params`` with ``seed``, frozen: a kept one if there is one, else a
        new one."""
        sq = status_quo(params)
        key = (seed.entropy, tuple(seed.spawn_key))
        for i, (k, kept, frozen) in enumerate(self.states):
            if k == key and kept == sq:
                self.states.insert(0, self.states.pop(i))
                return frozen
        model = warm_start(sq, seed)
        frozen = freeze(model)
        release(model)
        self.states.insert(0, (key, sq, frozen))
        self._trim()
        return frozen

    def keep(self, limit_mb: float) -> None:
        """Keep up to ``limit_mb`` MB from now on (the least recently used beyond it are dropped)."""
        self.limit_mb = limit_mb
        self._trim()

    def _trim(self) -> None:
        size = 0
        for i, (_, _, frozen) in enumerate(self.states):
            size += len(frozen)
            if i and size > self.limit_mb * 1e6:
                del self.states[i:]
                return

    def clear(self) -> None:
        """Drop the kept states."""
        self.states = []


KEPT = WarmStates()
"""The warm states a worker keeps between tasks that ask for it (``Task.keep_warm_mb``, the allocation search's),
in the worker's process; other tasks use their own and drop them at the end."""


def run_one(spec: ScenarioSpec, overrides: dict[str, Any], seed: np.random.SeedSequence, record: str,
            run: int = 0, warm: WarmStates | None = None) -> RunOutcome:
    """Run one scenario with a design point's overrides and a seed; never raises (a failure is an outcome). With
    ``warm``, it starts from a copy of the warm state its status quo shares with the task's other runs (the same
    numbers as a run of its own)."""
    t0 = time.perf_counter()
    try:
        spec = spec.with_overrides(overrides, source="design point") if overrides else spec
        result = simulate(spec, seed=seed, warm=warm.get(spec.params, seed) if warm is not None else None,
                          monthly=record == "monthly")
        out = RunOutcome(run, "done", config_hash=spec.config_hash(), summary=flatten_summary(result.summary),
                         monthly=result.monthly)
    except Exception as exc:
        out = RunOutcome(run, "failed", error=_one_line(exc), error_detail=traceback.format_exc()[-4000:])
    out.seconds = time.perf_counter() - t0
    out.finished_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    return out


WARM_UP_PROSPECTS = 300
"""Market of the throw-away model :func:`warm_up` runs (prospects; any size loads the same code)."""
WARM_UP_MONTHS = 36
"""Most months :func:`warm_up` runs: it stops as soon as every compiled loop has been compiled (word of mouth only
runs once someone has signed, in the first year)."""


def warm_up() -> None:
    """Import the model and compile (or load from numba's cache) every compiled loop, by running a small market
    until each has run once.

    A process that forks run workers afterwards hands both to every worker; without it each worker of each
    pool spends seconds on them before its first run (the imports alone took 3-5 s on a 2-core machine
    that compiles Python from source), and a loop first met in the workers is compiled by each of them."""
    params = Params()
    params = params.model_copy(update={"run": params.run.model_copy(update={"n_investors": WARM_UP_PROSPECTS,
                                                                            "horizon_months": WARM_UP_MONTHS,
                                                                            "spinup_months": 0}),
                                       # a weak pull of competing regions, so that a cold region signs and builds
                                       # within the months run and every loop runs once
                                       "behaviour": params.behaviour.model_copy(update={"outside_option": 0.4}),
                                       # land by first fit, the land rule with a compiled loop (a design may switch
                                       # land given in turn off)
                                       "platform": params.platform.model_copy(update={"land_in_turn": False})})
    model = build_model(params, seed=0)
    for _ in range(WARM_UP_MONTHS):
        model.run_for(1)
        if kernels.compiled():
            break
    release(model)  # not inherited by every worker forked afterwards


def run_batch(task: Task) -> TaskOutcome:
    """Run every run of a task (the function executors ship to workers), the spin-up once for the runs of a
    replication and design point that share their status quo (:class:`WarmStates`; for a task that asks for it,
    once in the worker for all its tasks, within ``keep_warm_mb``). A replication's posterior draw applies on top of
    the scenario's parameters, the design point's on top of it."""
    if task.keep_warm_mb:
        warm = KEPT
        warm.keep(task.keep_warm_mb)
    else:
        KEPT.clear()
        warm = WarmStates()
    try:
        return TaskOutcome.stack([run_one(task.specs[r.scenario_index],
                                          {**task.draws.get(r.replication, {}), **task.points[r.point_id]},
                                          replication_seed(task.root_seed, r.replication), task.record, r.run, warm)
                                  for r in task.runs])
    finally:
        if warm is not KEPT:
            warm.clear()


GUIDED = 4
"""Tapering of task sizes (guided scheduling): a task holds at most 1/(GUIDED x workers) of the runs not yet handed
out, so the last tasks are small and no worker is left running a long batch while the others idle."""


def make_tasks(exp: ExperimentSpec, runs: Iterable[PlannedRun], batch_size: int, total: int | None = None,
               slots: int = 1, keep_warm_mb: float = 0.0) -> Iterator[Task]:
    """Group planned runs into tasks of ``batch_size`` runs (lazily: memory does not grow with the plan); given the
    ``total`` number of runs, tasks shrink towards the end (:data:`GUIDED`) for ``slots`` workers. The runs of one
    replication and design point (the scenarios that may share a warm state) are never split between tasks, so a
    task can be larger than its size by the rest of such a group. ``keep_warm_mb``: see :class:`Task`."""
    batch: list[PlannedRun] = []
    left = total
    for r in runs:
        if batch:
            size = batch_size if left is None else max(1, min(batch_size, math.ceil(left / (GUIDED * max(slots, 1)))))
            last = batch[-1]
            if len(batch) >= size and (r.replication, r.point_id) != (last.replication, last.point_id):
                yield _task(exp, batch, keep_warm_mb)
                if left is not None:
                    left -= len(batch)
                batch = []
        batch.append(r)
    if batch:
        yield _task(exp, batch, keep_warm_mb)


def _task(exp: ExperimentSpec, batch: list[PlannedRun], keep_warm_mb: float = 0.0) -> Task:
    specs = {r.scenario_index: exp.scenarios[r.scenario_index].spec for r in batch}
    points = {r.point_id: exp.design.points[r.point_id] for r in batch}
    draws = {r.replication: exp.posterior.draw(exp.root_seed, r.replication)[1] for r in batch} if exp.posterior else {}
    return Task(tuple(batch), specs, points, exp.root_seed, exp.record, draws, keep_warm_mb)


def choose_batch_size(n_runs: int, slots: int, serial: bool = False) -> int:
    """Runs per task: about eight tasks per worker (load balance), at most 25 runs (progress, lost work)."""
    if serial:
        return 1
    return max(1, min(25, math.ceil(n_runs / (max(slots, 1) * 8))))


# ----------------------------------------------------------------------------- rows
def _row(exp: ExperimentSpec, pr: PlannedRun, out: RunOutcome, session: int) -> dict[str, Any]:
    entry = exp.scenarios[pr.scenario_index]
    point = exp.design.points[pr.point_id]
    row: dict[str, Any] = {
        "experiment": exp.name, "run": pr.run, "scenario": entry.name, "scenario_index": pr.scenario_index,
        "scenario_file": entry.file, "point_id": pr.point_id, "point_label": exp.design.labels[pr.point_id],
    }
    for key in exp.design.parameters:
        row[key] = point.get(key)
    row.update(seed_record(replication_seed(exp.root_seed, pr.replication)))
    if exp.posterior is not None:
        row.update(exp.posterior.record_columns(exp.root_seed, pr.replication))
    row.update({"replication": pr.replication, "config_hash": out.config_hash, "status": out.status,
                "error": out.error, "error_detail": out.error_detail, "run_seconds": out.seconds,
                "finished_at": out.finished_at, "session": session})
    if out.summary:
        for k, v in out.summary.items():
            if k not in row:
                row[k] = v
    return row


# ----------------------------------------------------------------------------- running
@dataclass
class ExperimentReport:
    """What an invocation did: runs done and failed now, skipped, still missing, time taken."""

    name: str
    out: Path
    planned: int
    skipped: int = 0
    done_now: int = 0
    failed_now: int = 0
    done_total: int = 0
    failed_total: int = 0
    missing: int = 0
    seconds: float = 0.0
    executor: str = ""
    interrupted: bool = False
    warnings: list[str] = field(default_factory=list)

    def count(self, counts: dict[str, Any] | None) -> None:
        """Take the folder's counts at the end of the session (:meth:`~sim.experiment.store.ResultStore.finish`)."""
        if counts is not None:
            self.done_total, self.failed_total, self.missing = counts["done"], counts["failed"], counts["missing"]

    @property
    def complete(self) -> bool:
        """Every planned run is stored as done."""
        return self.done_total == self.planned

    def text(self) -> str:
        """The end-of-experiment summary for people."""
        head = ("interrupted: " if self.interrupted else "") + (
            f"{self.name}: {self.done_now} runs done, {self.failed_now} failed, {self.skipped} skipped (done before) "
            f"in {self.seconds:.1f} s on {self.executor}; stored {self.done_total}/{self.planned} done, "
            f"{self.failed_total} failed, {self.missing} missing -> {self.out}")
        if self.failed_total or self.missing:
            head += f"\n  re-run the same command to run the failed and missing runs; details: sim status {self.out}"
        return head


class _NoBar:
    """Stands in for the progress bar when there is none."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass


class _Buffer:
    """Finished runs waiting to be written as one part file."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.keys: list[dict[str, Any]] = []  # the rows of the runs with monthly series
        self.months: list[int] = []  # their numbers of months
        self.series: list[dict[str, np.ndarray]] = []  # the tasks' stacks of series
        self.since = time.monotonic()

    def add(self, rows: list[dict[str, Any]], result: TaskOutcome) -> None:
        self.rows.extend(rows)
        for row, oc in zip(rows, result.runs, strict=True):
            if oc.months:
                self.keys.append(row)
                self.months.append(oc.months)
        if result.series:
            self.series.append(result.series)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class RunOptions:
    """How one invocation runs an experiment: where its runs execute, what it does with the results already
    stored, how often it writes finished runs, and what it tells people."""

    engine: str = "process"  # serial, process or dask
    workers: int | None = None  # worker processes (default: all cores)
    scheduler: str | None = None  # address of a Dask scheduler (implies dask)
    dashboard: bool = False  # with a local Dask cluster: its dashboard on 127.0.0.1:8787
    executor: Executor | None = None  # runs there instead of engine/workers/scheduler (and is not closed here)
    fresh: bool = False  # delete the stored runs and start over
    force: bool = False  # resume although the experiment or scenario files changed
    repair: bool = False  # set damaged files aside and run their runs again
    batch_size: int | None = None  # runs per task (default: :func:`choose_batch_size`)
    keep_warm_mb: float = 0.0  # warm states each worker keeps for later tasks and later runs of the executor, MB
    flush_every: int = 50  # write finished runs every this many runs ...
    flush_seconds: float = 10.0  # ... or seconds, whichever comes first
    progress: bool = True  # a progress bar on stderr
    log: Callable[[str], None] | None = None  # where warnings and repairs are told (default: stderr)


class _Workers:
    """Where an invocation's runs execute: the executor it was given (not closed here), or its own, closed at the
    end. Its own process pool is forked at once, before the lock file is opened or a thread starts (workers must
    inherit neither); another engine is started only when there are runs to do."""

    def __init__(self, opts: RunOptions, scratch: Path):
        self.opts, self.scratch = opts, scratch
        self.executor = opts.executor
        self.own = opts.executor is None
        if self.own and opts.engine == "process" and not opts.scheduler:
            self.executor = ProcessExecutor(opts.workers, preload=warm_up)
            self.executor.start()

    def get(self) -> Executor:
        """The executor, started now if it is not yet."""
        if self.executor is None:
            o = self.opts
            self.executor = make_executor(o.engine, o.workers, o.scheduler, scratch=self.scratch,
                                          dashboard=o.dashboard, preload=warm_up)
        return self.executor

    def describe(self, needed: bool) -> str:
        """Where runs execute ('process pool, 2 workers'), the executor started first if ``needed``."""
        executor = self.get() if needed else self.executor
        return executor.describe() if executor is not None else "nothing to run"

    def close(self) -> None:
        """Stop the executor if it is this invocation's own."""
        if self.own and self.executor is not None:
            self.executor.close()


@contextlib.contextmanager
def _workers_and_lock(store: ResultStore, opts: RunOptions, report: ExperimentReport) -> Iterator[_Workers]:
    """An invocation's hold on its results folder: the workers (forked first), the writer's lock, and at the end, in
    this order, the workers stopped, the time taken, the session's end recorded (:meth:`ResultStore.finish`) and
    the lock released, whatever happened."""
    workers = _Workers(opts, store.root / "dask-scratch")
    try:
        store.acquire()
    except BaseException:
        workers.close()
        raise
    t0 = time.monotonic()
    try:
        yield workers
    finally:
        try:
            workers.close()
        finally:
            report.seconds = time.monotonic() - t0
            try:
                report.count(store.finish(report.done_now, report.failed_now, report.seconds, report.interrupted))
            finally:
                store.release()


def run_experiment(exp: ExperimentSpec, out: str | Path | None = None, options: RunOptions | None = None,
                   **settings: Any) -> ExperimentReport:
    """Run (or resume) an experiment into ``out`` (default ``results/<name>``) and return what was done.

    ``options``, or any of their fields as keywords (``engine="serial", progress=False``): see :class:`RunOptions`.
    The schedule asks for a round of runs; they run on the executor and are stored as they finish; the schedule is
    asked again, until it has nothing more, or a run of the round failed (a failed run blocks the decisions of
    adaptive rounds; re-running the command runs it again). On Ctrl-C the runs finished so far are stored and the
    report comes back with ``interrupted`` set. Damaged results (an unreadable or foreign part, a manifest edited
    by hand) stop the experiment with :class:`~sim.experiment.store.DamagedResults`, unless ``repair`` sets the
    damaged files aside so that their runs run again.
    """
    opts = replace(options or RunOptions(), **settings)
    log = opts.log or (lambda msg: print(msg, file=sys.stderr))
    store = ResultStore(Path(out) if out else Path("results") / exp.name)
    schedule = make_schedule(exp)
    report = ExperimentReport(exp.name, store.root, exp.n_runs)
    with _workers_and_lock(store, opts, report) as workers:
        try:
            report.warnings = store.prepare(exp, fresh=opts.fresh, force=opts.force, repair=opts.repair, log=log)
            runs = schedule.next_runs(store)
            report.planned, report.skipped = runs.planned, runs.planned - len(runs)
            report.executor = workers.describe(needed=bool(runs))
            session = store.begin_session(report.executor, len(runs), schedule.record())
            while runs:
                failed = _run_round(exp, runs, store, workers.get(), session, opts, report)
                runs = schedule.next_runs(store)
                report.planned = runs.planned
                store.record_round(schedule.record())
                if failed:
                    break  # a failed run blocks the decisions: re-running the command runs it again
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: finished runs are stored, the report says so
            report.interrupted = True
    return report


def _progress_bar(name: str, total: int, show: bool):
    """A progress bar of ``total`` runs on stderr, or a stand-in doing nothing."""
    if not show:
        return _NoBar()  # no tqdm object at all without a bar (a disabled one still costs its set-up)
    from tqdm import tqdm

    class Bar(tqdm):
        # No monitor thread: it outlives the bar, and a process running another Python thread cannot fork its
        # next pool (sim main runs three experiments, then the briefings); it would use the fork server, whose
        # workers import the model afresh.
        monitor_interval = 0

    return Bar(total=total, desc=name, unit="run", file=sys.stderr, smoothing=0.05, mininterval=0.5,
               dynamic_ncols=True)


def _run_round(exp: ExperimentSpec, runs: Round, store: ResultStore, executor: Executor, session: int,
               opts: RunOptions, report: ExperimentReport) -> int:
    """Run a round's runs on ``executor`` and store them as they finish: a part every ``flush_every`` runs or
    ``flush_seconds`` seconds, and what is left at the end, even on Ctrl-C. Counts them in ``report`` and returns
    how many failed."""
    kinds = {**override_kinds(exp.design), **(exp.posterior.column_kinds() if exp.posterior else {})}
    buf = _Buffer()
    failed = 0

    def flush() -> None:
        nonlocal buf
        if len(buf):
            monthly = monthly_table(buf.keys, buf.months, buf.series) if buf.series else None
            store.write_batch(summary_table(buf.rows, kinds), monthly)
        buf = _Buffer()

    size = opts.batch_size or choose_batch_size(len(runs), executor.slots, serial=executor.name == "serial")
    tasks = make_tasks(exp, runs, size, total=len(runs), slots=executor.slots, keep_warm_mb=opts.keep_warm_mb)
    bar = _progress_bar(exp.name, len(runs), opts.progress)
    try:
        for task, result in executor.imap_unordered(run_batch, tasks):
            if not isinstance(result, TaskOutcome):
                result = TaskOutcome([RunOutcome(r.run, "failed", error=_one_line(result),
                                                 finished_at=datetime.now(UTC).isoformat()) for r in task.runs])
            outcomes = result.runs
            buf.add([_row(exp, pr, oc, session) for pr, oc in zip(task.runs, outcomes, strict=True)], result)
            done = sum(1 for oc in outcomes if oc.status == "done")
            report.done_now += done
            report.failed_now += len(outcomes) - done
            failed += len(outcomes) - done
            bar.update(len(outcomes))
            if report.failed_now:
                bar.set_postfix(failed=report.failed_now, refresh=False)
            if len(buf) >= opts.flush_every or time.monotonic() - buf.since >= opts.flush_seconds:
                flush()
    finally:
        flush()  # runs already finished are kept, even on Ctrl-C
        bar.close()
    return failed
