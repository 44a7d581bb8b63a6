"""Running an experiment: plan the runs, skip those already stored, execute the rest, store as they finish.

Every run is identified by its scenario, design point and replication, and
numbered ``run = (scenario_index * n_points + point_id) * replications + replication``.
Runs execute replication by replication (all scenarios and points of
replication 0 first), so an interrupted experiment leaves balanced partial
results for paired comparisons. Several runs travel together in one task so
short runs are not dominated by the cost of shipping work to a worker.

Re-running the same command resumes: runs whose latest stored attempt is
"done" are skipped; missing and failed runs run. A run that raises is stored
as "failed" with its error and the experiment goes on. If the experiment file
(or a scenario it uses) changed since the results folder was started, resuming
is refused unless ``fresh`` (start over) or ``force`` (keep going) is given.
"""

from __future__ import annotations

import hashlib
import math
import socket
import sys
import time
import traceback
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiment.designs import Design
from sim.experiment.executors import Executor, ProcessExecutor, make_executor
from sim.experiment.seeds import replication_seed, seed_record
from sim.experiment.spec import ExperimentSpec, column_kind
from sim.experiment.store import (
    KIND_TYPES,
    ResultStore,
    StoreError,
    flatten_summary,
    monthly_table,
    override_cell,
    run_status,
    summary_table,
)
from sim.model import build_model, kernels, release, simulate
from sim.params import Params
from sim.provenance import environment
from sim.scenario import ScenarioSpec
from sim.stats import HEADLINE_OUTPUTS, AdequacyRule, effect_rows

SCHEMA_VERSION = 2  # 2: the manifest carries a checksum and a results_id stamped on every part
SEED_SCHEME = ("replication r of every scenario and design point uses "
               "numpy.random.SeedSequence(root_seed).spawn(replications)[r] "
               "== SeedSequence(root_seed, spawn_key=(r,))")
MAX_FAILED_IN_MANIFEST = 100


# ----------------------------------------------------------------------------- what runs
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
        """Runs in execution order (replication-major), leaving out those in ``skip``."""
        for r in range(self.replications):
            for s in range(self.n_scenarios):
                for p in range(self.n_points):
                    run = self.run_id(s, p, r)
                    if run not in skip:
                        yield PlannedRun(run, s, p, r)


@dataclass
class Task:
    """A batch of runs shipped to a worker together with what they need (scenario specs, overrides, seed)."""

    runs: tuple[PlannedRun, ...]
    specs: dict[int, ScenarioSpec]
    points: dict[int, dict[str, Any]]
    root_seed: int
    record: str


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


def run_one(spec: ScenarioSpec, overrides: dict[str, Any], seed: np.random.SeedSequence, record: str,
            run: int = 0) -> RunOutcome:
    """Run one scenario with a design point's overrides and a seed; never raises (a failure is an outcome)."""
    t0 = time.perf_counter()
    try:
        spec = spec.with_overrides(overrides, source="design point") if overrides else spec
        result = simulate(spec, seed=seed)
        out = RunOutcome(run, "done", config_hash=spec.config_hash(), summary=flatten_summary(result.summary),
                         monthly=result.monthly if record == "monthly" else None)
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
                                                                            "horizon_months": WARM_UP_MONTHS})})
    model = build_model(params, seed=0)
    for _ in range(WARM_UP_MONTHS):
        model.run_for(1)
        if kernels.compiled():
            break
    release(model)  # not inherited by every worker forked afterwards


def run_batch(task: Task) -> TaskOutcome:
    """Run every run of a task (the function executors ship to workers)."""
    return TaskOutcome.stack([run_one(task.specs[r.scenario_index], task.points[r.point_id],
                                      replication_seed(task.root_seed, r.replication), task.record, r.run)
                              for r in task.runs])


GUIDED = 4
"""Tapering of task sizes (guided scheduling): a task holds at most 1/(GUIDED x workers) of the runs not yet handed
out, so the last tasks are small and no worker is left running a long batch while the others idle."""


def make_tasks(exp: ExperimentSpec, runs: Iterable[PlannedRun], batch_size: int, total: int | None = None,
               slots: int = 1) -> Iterator[Task]:
    """Group planned runs into tasks of ``batch_size`` runs (lazily: memory does not grow with the plan); given the
    ``total`` number of runs, tasks shrink towards the end (:data:`GUIDED`) for ``slots`` workers."""
    batch: list[PlannedRun] = []
    left = total
    for r in runs:
        batch.append(r)
        size = batch_size if left is None else max(1, min(batch_size, math.ceil(left / (GUIDED * max(slots, 1)))))
        if len(batch) >= size:
            yield _task(exp, batch)
            if left is not None:
                left -= len(batch)
            batch = []
    if batch:
        yield _task(exp, batch)


def _task(exp: ExperimentSpec, batch: list[PlannedRun]) -> Task:
    specs = {r.scenario_index: exp.scenarios[r.scenario_index].spec for r in batch}
    points = {r.point_id: exp.design.points[r.point_id] for r in batch}
    return Task(tuple(batch), specs, points, exp.root_seed, exp.record)


def choose_batch_size(n_runs: int, slots: int, serial: bool = False) -> int:
    """Runs per task: about eight tasks per worker (load balance), at most 25 runs (progress, lost work)."""
    if serial:
        return 1
    return max(1, min(25, math.ceil(n_runs / (max(slots, 1) * 8))))


# ----------------------------------------------------------------------------- design and rows
def override_kinds(design: Design) -> dict[str, str]:
    """Column kind of each varied parameter (bool, int, float, str, json)."""
    return {k: column_kind([p.get(k) for p in design.points]) or "json" for k in design.parameters}


def design_table(exp: ExperimentSpec):
    """The design points as a table: point_id, point_label and each parameter (raw sample values for samples)."""
    import pyarrow as pa

    d = exp.design
    cols: dict[str, Any] = {"point_id": pa.array(range(d.n_points), type=pa.int64()),
                            "point_label": pa.array(list(d.labels), type=pa.string())}
    if d.sample is not None:
        for j, name in enumerate(d.parameters):
            cols[name] = pa.array(d.sample[:, j], type=pa.float64())
    else:
        for name, kind in override_kinds(d).items():
            cols[name] = pa.array([override_cell(p.get(name), kind) for p in d.points], type=KIND_TYPES[kind])
    return pa.table(cols)


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
    row.update({"replication": pr.replication, "config_hash": out.config_hash, "status": out.status,
                "error": out.error, "error_detail": out.error_detail, "run_seconds": out.seconds,
                "finished_at": out.finished_at, "session": session})
    if out.summary:
        for k, v in out.summary.items():
            if k not in row:
                row[k] = v
    return row


# ----------------------------------------------------------------------------- manifest
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_signature(exp: ExperimentSpec) -> dict[str, Any]:
    """What must not change for stored runs to keep their meaning: scenarios, design shape, replications, seed."""
    return {"scenarios": [[e.file, e.name] for e in exp.scenarios], "n_points": exp.design.n_points,
            "parameters": list(exp.design.parameters), "replications": exp.replications, "root_seed": exp.root_seed,
            "record": exp.record, **({"adaptive": exp.adaptive.as_dict()} if exp.adaptive else {})}


def new_manifest(exp: ExperimentSpec, env: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a fresh results folder: the experiment, its provenance and its plan."""
    d = exp.design
    return {
        "schema_version": SCHEMA_VERSION,
        "results_id": uuid.uuid4().hex,
        "experiment": exp.name,
        "title": exp.title, "description": exp.description,
        "experiment_file": str(exp.path), "experiment_file_absolute": str(exp.path.resolve()),
        "experiment_sha256": exp.sha256, "experiment_text": exp.text,
        "scenarios": [{"index": e.index, "name": e.name, "title": e.spec.title, "description": e.spec.description,
                       "region": e.spec.region, "file": e.file, "path": str(e.path.resolve()),
                       "extends_chain": list(e.spec.chain), "config_hash": e.spec.config_hash(),
                       "sha256": _sha256(e.path), "text": e.path.read_text(encoding="utf-8")}
                      for e in exp.scenarios],
        "replications": exp.replications, "root_seed": exp.root_seed, "seed_scheme": SEED_SCHEME,
        "record": exp.record, "horizon_months": exp.horizon_months, "overrides": exp.overrides,
        "design": {"kind": d.kind, "parameters": list(d.parameters), "n_points": d.n_points,
                   "problem": d.problem, "options": d.options, "description": d.describe()},
        "runs_planned": exp.n_runs, "runs_grid": exp.n_runs, "plan": plan_signature(exp),
        "code_version": env.get("code_version"), "environment": env,
        "started": _now(), "finished": None, "status": "running",
        "counts": {"done": 0, "failed": 0, "missing": exp.n_runs}, "failed_runs": [], "sessions": [],
    }


def check_resume(exp: ExperimentSpec, manifest: dict[str, Any], out: Path, force: bool) -> list[str]:
    """Refuse to resume into results of a different experiment; return warnings for harmless differences."""
    warnings: list[str] = []
    old_sig, new_sig = manifest.get("plan"), plan_signature(exp)
    if old_sig != new_sig:
        changed = next((k for k in new_sig if (old_sig or {}).get(k) != new_sig[k]), "plan")
        raise StoreError(f"{exp.path}: key '{changed}': expected the experiment plan the results in {out} were "
                         f"started with, found a different one; use --fresh to start over (or --out for a new folder)")
    changes = []
    if manifest.get("experiment_sha256") != exp.sha256:
        changes.append(f"the experiment file changed (sha256 {str(manifest.get('experiment_sha256'))[:12]} -> {exp.sha256[:12]})")
    old_hashes = {s["name"]: s.get("config_hash") for s in manifest.get("scenarios", [])}
    for e in exp.scenarios:
        if old_hashes.get(e.name) != e.spec.config_hash():
            changes.append(f"scenario '{e.name}' ({e.file}) changed (config hash "
                           f"{str(old_hashes.get(e.name))[:12]} -> {e.spec.config_hash()[:12]})")
    if changes and not force:
        raise StoreError(f"{exp.path}: key '-': expected the same experiment as the results in {out}, found that "
                         f"{changes[0]}; use --fresh to start over or --force to resume anyway")
    if changes:
        warnings.append(f"resuming with --force although {'; '.join(changes)}")
    return warnings


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


def adaptive_state(exp: ExperimentSpec, store: ResultStore) -> AdaptiveState:
    """Replay the rounds of an adaptive experiment on its stored results: the first round's ``min``
    replications, then, as long as every run of the current round is stored as done, the decisions of the
    analysis' adequacy rule on exactly those runs. Depends on nothing but the stored results of completed rounds
    (not on timing, engine or workers), so resuming, or running anywhere else, takes the same decisions."""
    a = exp.adaptive
    assert a is not None
    base = exp.baseline_index
    rule = AdequacyRule()
    outputs = list(HEADLINE_OUTPUTS)
    values: dict[tuple[int, int, int], np.ndarray] = {}
    if store.exists():
        rec = store.records(["run", "scenario_index", "point_id", "replication", "status", *outputs])
        if rec.num_rows:
            cols = {k: rec[k].to_numpy(zero_copy_only=False) for k in ("scenario_index", "point_id", "replication")}
            status = np.asarray(rec["status"].to_pylist())
            present = [o for o in outputs if o in rec.column_names]
            y = np.column_stack([rec[o].to_numpy(zero_copy_only=False).astype(float) for o in present]) if present else None
            for i in np.flatnonzero(status == "done"):
                key = (int(cols["scenario_index"][i]), int(cols["point_id"][i]), int(cols["replication"][i]))
                values[key] = y[i] if y is not None else np.zeros(0)
            outputs = present
    baseline_of = [exp.baseline_for(e.index) for e in exp.scenarios]
    state = AdaptiveState([Comparison(e.index, p, a.min) for e in exp.scenarios if baseline_of[e.index] != e.index
                           for p in range(exp.design.n_points)], base, baseline_of=baseline_of,
                          minimum=a.min)
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


def run_experiment(exp: ExperimentSpec, out: str | Path | None = None, *, engine: str = "process",
                   workers: int | None = None, scheduler: str | None = None, dashboard: bool = False,
                   executor: Executor | None = None, fresh: bool = False, force: bool = False, repair: bool = False,
                   batch_size: int | None = None, flush_every: int = 50, flush_seconds: float = 10.0,
                   progress: bool = True, log=None) -> ExperimentReport:
    """Run (or resume) an experiment into ``out`` (default ``results/<name>``) and return what was done.

    ``executor`` overrides ``engine``/``workers``/``scheduler`` (and is not closed
    here). On Ctrl-C the runs finished so far are stored and the report comes
    back with ``interrupted`` set. Finished runs are written every ``flush_every`` runs or
    ``flush_seconds`` seconds, whichever comes first. Damaged results (an unreadable or foreign part, a
    manifest edited by hand) stop the experiment with :class:`~sim.experiment.store.DamagedResults`, unless
    ``repair`` sets the damaged files aside so that their runs run again.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out) if out else Path("results") / exp.name
    plan = Plan.of(exp)
    store = ResultStore(out)
    own_executor = executor is None
    if executor is None and engine == "process" and not scheduler:
        # Fork the workers first: before this process opens the lock file or starts threads.
        executor = ProcessExecutor(workers, preload=warm_up)
        executor.start()
    try:
        store.acquire()
    except BaseException:
        if own_executor and executor is not None:
            executor.close()
        raise
    report = ExperimentReport(exp.name, out, plan.n_runs)
    t0 = time.monotonic()
    started = False
    todo = 0
    ran = False  # this invocation runs something (a session is recorded)
    try:
        if fresh:
            store.clear()
        env = environment()
        if repair:
            for line in store.repair(lambda: new_manifest(exp, env)):
                log(f"repair: {line}")
        if store.exists():
            manifest = store.read_manifest()
            report.warnings = check_resume(exp, manifest, out, force)
            if report.warnings:  # --force: the files as they are now become the reference for later resumes
                fresh_manifest = new_manifest(exp, env)
                manifest["previous_files"] = manifest.get("previous_files", []) + [
                    {k: manifest.get(k) for k in ("experiment_sha256", "experiment_text", "scenarios")}]
                for key in ("experiment_sha256", "experiment_text", "scenarios", "title", "description"):
                    manifest[key] = fresh_manifest[key]
            if manifest.get("code_version") != env.get("code_version"):
                report.warnings.append(f"the code changed since these results were started "
                                       f"({manifest.get('code_version')} -> {env.get('code_version')}); "
                                       f"stored runs of both versions will be mixed")
        else:
            manifest = new_manifest(exp, env)
        for w in report.warnings:
            log(f"warning: {w}")
        store.tidy()
        if not (out / "design.parquet").is_file():
            store.write_design(design_table(exp))
        done_before = store.done_runs()
        wanted: set[int] | None = None
        if exp.adaptive:
            state = adaptive_state(exp, store)
            wanted = state.wanted(plan)
            manifest["adaptive"] = state.record(exp)
            manifest["runs_planned"] = len(wanted)
            report.planned = len(wanted)
            report.skipped = len(wanted & done_before)
            todo = len(wanted) - report.skipped
        else:
            report.skipped = sum(1 for r in done_before if r < plan.n_runs)
            todo = plan.n_runs - report.skipped
        session = len(manifest["sessions"]) + 1
        if executor is None and todo:
            executor = make_executor(engine, workers, scheduler, scratch=out / "dask-scratch", dashboard=dashboard,
                                     preload=warm_up)
        desc = executor.describe() if executor is not None else "nothing to run"
        report.executor = desc
        if todo:
            manifest["sessions"].append({"session": session, "started": _now(), "finished": None, "engine": desc,
                                         "code_version": env.get("code_version"), "host": socket.gethostname(),
                                         "planned": todo, "done": 0, "failed": 0, "warnings": report.warnings})
            manifest["status"] = "running"
        store.write_manifest(manifest)
        # Checked once here (a resumed folder was checked when its runs were counted): after this, only the
        # session's own writes change the folder, and the checks of the rounds and of the end take them as sound.
        store.verify()
        started = True
        ran = todo > 0
        if todo and wanted is None:
            assert executor is not None
            size = batch_size or choose_batch_size(todo, executor.slots, serial=executor.name == "serial")
            _execute(exp, plan, store, executor, done_before, todo, size, session, flush_every, flush_seconds,
                     progress, report)
        elif todo:  # adaptive: round after round, each decided on the stored results of the rounds before
            assert executor is not None
            while todo:
                skip = set(range(plan.n_runs)) - (wanted - done_before)
                size = batch_size or choose_batch_size(todo, executor.slots, serial=executor.name == "serial")
                failed = report.failed_now
                _execute(exp, plan, store, executor, skip, todo, size, session, flush_every, flush_seconds,
                         progress, report)
                state = adaptive_state(exp, store)
                wanted = state.wanted(plan)
                manifest = store.read_manifest()
                manifest["adaptive"] = state.record(exp)
                manifest["runs_planned"] = report.planned = len(wanted)
                store.write_manifest(manifest)
                if report.failed_now > failed:
                    break  # a failed run blocks the decision: re-running the command runs it again
                done_before = store.done_runs()
                todo = len(wanted - done_before)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: finished runs are stored, the report says so
        report.interrupted = True
    finally:
        try:
            if own_executor and executor is not None:
                executor.close()
        finally:
            report.seconds = time.monotonic() - t0
            if started:
                _finish_manifest(store, report, session_ran=ran)
            store.release()
    return report


def _execute(exp: ExperimentSpec, plan: Plan, store: ResultStore, executor: Executor, done_before: set[int],
             todo: int, batch_size: int, session: int, flush_every: int, flush_seconds: float,
             progress: bool, report: ExperimentReport) -> None:
    from tqdm import tqdm

    class Bar(tqdm):
        # No monitor thread: it outlives the bar, and a process running another Python thread cannot fork its
        # next pool (sim main runs three experiments, then the briefings); it would use the fork server, whose
        # workers import the model afresh.
        monitor_interval = 0

    kinds = override_kinds(exp.design)
    buf = _Buffer()

    def flush() -> None:
        nonlocal buf
        if len(buf):
            monthly = monthly_table(buf.keys, buf.months, buf.series) if buf.series else None
            store.write_batch(summary_table(buf.rows, kinds), monthly)
        buf = _Buffer()

    tasks = make_tasks(exp, plan.runs(done_before), batch_size, total=todo, slots=executor.slots)
    # No tqdm object at all without a bar (a disabled one still costs its set-up).
    bar = (Bar(total=todo, desc=exp.name, unit="run", file=sys.stderr, smoothing=0.05, mininterval=0.5,
               dynamic_ncols=True) if progress else _NoBar())
    try:
        for task, result in executor.imap_unordered(run_batch, tasks):
            if not isinstance(result, TaskOutcome):
                result = TaskOutcome([RunOutcome(r.run, "failed", error=_one_line(result),
                                                 finished_at=datetime.now(UTC).isoformat()) for r in task.runs])
            outcomes = result.runs
            buf.add([_row(exp, pr, oc, session) for pr, oc in zip(task.runs, outcomes, strict=True)], result)
            for oc in outcomes:
                if oc.status == "done":
                    report.done_now += 1
                else:
                    report.failed_now += 1
            bar.update(len(outcomes))
            if report.failed_now:
                bar.set_postfix(failed=report.failed_now, refresh=False)
            if len(buf) >= flush_every or time.monotonic() - buf.since >= flush_seconds:
                flush()
    finally:
        flush()  # runs already finished are kept, even on Ctrl-C
        bar.close()


def _finish_manifest(store: ResultStore, report: ExperimentReport, session_ran: bool) -> None:
    manifest = store.read_manifest()
    st = run_status(store, max_failed=MAX_FAILED_IN_MANIFEST)
    report.done_total, report.failed_total, report.missing = st["done"], st["failed"], st["missing"]
    manifest["counts"] = {k: st[k] for k in ("done", "failed", "missing")}
    manifest["failed_runs"] = st["failed_runs"]
    manifest["finished"] = _now()
    manifest["status"] = ("complete" if report.complete else "interrupted" if report.interrupted
                          else "incomplete")
    if session_ran and manifest["sessions"]:
        manifest["sessions"][-1].update({"finished": manifest["finished"], "done": report.done_now,
                                         "failed": report.failed_now, "seconds": round(report.seconds, 3),
                                         "interrupted": report.interrupted})
    store.write_manifest(manifest)
