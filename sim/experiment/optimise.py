"""Budget allocation that holds up across uncertain futures: ``sim optimise FILE.toml``.

The decision variables are the budget shares of chosen levers (``budget.shares``)
and, optionally, staff and attention settings of costed levers (e.g.
``policy.leadership_attention``, ``policy.team_quality``); every one of them is
charged to the budget by the model's ledger, so a plan cannot buy anything for
free. The levers' shares add up to a fixed total (total cost fixed), or the
total is itself a decision and the money spent a second objective.

Each candidate plan runs in every future (samples of uncertain assumptions,
:mod:`sim.experiment.futures`) and every replication, with common random
numbers: replication *r* uses the same seed for every candidate, future and
shipped strategy. Its robust score per objective is a stated quantile over the
futures of its replication mean (maximise the bad tail), or its largest regret
against the best plan found in each future (minimise). The search is pymoo's
(a genetic algorithm for one objective, NSGA-II for several): this module only
turns its candidates into runs and their outputs into scores.

Runs go through the project's own machinery: each generation is an ordinary
experiment (a list design of candidate x future points) written under
``<out>/generations/gen_NNN/`` and run by :func:`sim.experiment.runner.run_experiment`
on the chosen executor (serial, process pool, Dask). Running the same command
again resumes: pymoo's search is replayed from its seed (it is deterministic
given the scores), stored runs are read instead of run again.

The optimiser file::

    [optimise]
    name = "allocation"
    scenario = "../scenarios/baseline.toml"    # the strategy whose money is re-allocated
    compare = ["../scenarios/channels.toml"]   # shipped strategies run on the same futures and seeds
    replications = 4
    root_seed = 20240601
    horizon_months = 60
    objectives = ["jobs", "arrived_capital"]   # or [{ output = "jobs", sense = "max" }, ...]
    robustness = "quantile"                    # "quantile" (of the futures) or "regret" (largest regret)
    quantile = 0.25                            # maximise the 25% quantile: what the plan delivers in a bad future
    algorithm = { population = 12, generations = 6, seed = 1 }

    [overrides]                                # applied to every run
    "run.n_investors" = 4000

    [levers]
    shares = ["channels", "park", "incentive_fund", "tracking"]  # re-allocated; the others keep the scenario's
    share_total = "scenario"                   # the scenario's sum of these shares (fixed cost); a number; or
                                               # a range [low, high] (then 'budget_spent' must be an objective)
    [levers.ranges]                            # staff and attention allocations, costed by the ledger
    "policy.leadership_attention" = [0.1, 0.4]

    [futures]
    samples = 8
    posterior = "../results/calibration/full/posterior.csv"  # optional
    groups = ["promises", "park"]              # optional: every assumption of these mechanisms over its documented
                                               # range (sim/experiment/assumptions.py); ranges below win
    [futures.ranges]
    "behaviour.outside_growth" = [0.0, 0.08]

Outputs (``<out>/``): ``evaluations`` (every candidate's scores and values per
future), ``front`` (the robust optimum, or the Pareto set of robust scores,
with intervals), ``comparison`` (the optimum against the scenario and the
shipped strategies on the same futures, paired by replication),
``allocation`` (万元 a year and person-months a year per lever, at reference
size), ``futures`` (each future's sampled assumptions and what the optimum and the scenario give in it),
``optimise.json`` (what was run, with provenance).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError, describe, error, one_of, whole_number
from sim.experiment import assumptions
from sim.experiment.executors import ProcessExecutor, make_executor
from sim.experiment.futures import sample_futures
from sim.experiment.spec import content_hash, flatten_overrides, load_experiment, says_otherwise
from sim.experiment.store import load_summaries
from sim.files import atomic_write, atomic_write_text
from sim.model.registry import higher_is_better
from sim.params import BUDGET_LEVERS
from sim.scenario import ScenarioSpec, load_scenario, read_toml
from sim.stats import t_interval

OBJECTIVES: dict[str, dict[str, Any]] = {
    name: {"sense": "max" if higher_is_better(name) else "min"}
    for name in ("jobs", "arrived_capital", "cohort_fulfilment_rate_24m", "tax_revenue", "cost_per_job", "budget_spent")}
"""Outputs a plan can be judged on, with the direction that is better (their labels and units are in
sim.model.registry)."""
TOP_KEYS = ("optimise", "overrides", "levers", "futures")
OPT_KEYS = ("name", "title", "scenario", "compare", "replications", "root_seed", "horizon_months", "objectives",
            "robustness", "quantile", "algorithm")
ALG_KEYS = ("population", "generations", "seed")
LEVER_KEYS = ("shares", "share_total", "ranges")
FUTURE_KEYS = ("samples", "seed", "posterior", "ranges", "groups")
ROBUSTNESS = ("quantile", "regret")
SHARE_DIGITS = 6
"""Shares are rounded down to this many decimals, so the written files hold exact values that never exceed the total."""
MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Objective:
    """One output to optimise: its name and whether more (max) or less (min) is better."""

    output: str
    sense: str

    @property
    def sign(self) -> float:
        """+1 when more is better."""
        return 1.0 if self.sense == "max" else -1.0


@dataclass
class OptimiseSpec:
    """A validated optimiser file."""

    name: str
    path: Path
    text: str
    sha256: str  # of the file's text (provenance)
    content_sha256: str  # of what it says, comments and layout aside: what a resume compares
    scenario: ScenarioSpec
    scenario_path: Path
    compare: list[Path]
    replications: int
    root_seed: int
    horizon_months: int | None
    objectives: list[Objective]
    robustness: str
    quantile: float
    population: int
    generations: int
    seed: int
    overrides: dict[str, Any]
    shares: list[str]
    share_total: float | tuple[float, float]
    ranges: dict[str, tuple[float, float]]
    futures: list[dict[str, float]]
    future_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    posterior: Path | None = None
    title: dict[str, str] | None = None

    @property
    def n_var(self) -> int:
        """Decision variables: one weight per re-allocated lever, the total if free, one per staff range."""
        return len(self.shares) + (1 if isinstance(self.share_total, tuple) else 0) + len(self.ranges)

    @property
    def runs_per_candidate(self) -> int:
        """Runs one candidate costs: futures x replications."""
        return len(self.futures) * self.replications

    @property
    def n_runs(self) -> int:
        """Runs of the whole search and comparison (at most: pymoo drops duplicate candidates)."""
        search = self.population * self.generations * self.runs_per_candidate
        return search + (len(self.compare) + 1) * self.runs_per_candidate

    def describe(self) -> str:
        """One line for people: the size of the search."""
        return (f"{self.population} candidates x {self.generations} generations x {len(self.futures)} futures x "
                f"{self.replications} replications + {len(self.compare) + 1} strategies compared = "
                f"at most {self.n_runs} runs")

    # ---------------------------------------------------------------- decisions -> overrides
    def decode(self, x: np.ndarray) -> dict[str, Any]:
        """The overrides of a candidate: unit-cube decision vector -> budget shares and staff settings."""
        x = np.asarray(x, dtype=float)
        k = len(self.shares)
        w = np.clip(x[:k], 0.0, 1.0)
        i = k
        if isinstance(self.share_total, tuple):
            lo, hi = self.share_total
            total = lo + float(np.clip(x[i], 0.0, 1.0)) * (hi - lo)
            i += 1
        else:
            total = self.share_total
        shares = dict(self.scenario.params.budget.shares)
        w = w / w.sum() if w.sum() > 0 else np.full(k, 1.0 / k)
        scale = 10 ** SHARE_DIGITS
        for lever, v in zip(self.shares, w, strict=True):
            shares[lever] = math.floor(v * total * scale) / scale
        out: dict[str, Any] = {"budget.shares": {lv: shares.get(lv, 0.0) for lv in BUDGET_LEVERS}}
        for key, (lo, hi) in self.ranges.items():
            out[key] = round(lo + float(np.clip(x[i], 0.0, 1.0)) * (hi - lo), SHARE_DIGITS)
            i += 1
        return out


# ----------------------------------------------------------------------------- the file
def _range(path: Path, key: str, value: Any) -> tuple[float, float]:
    ok = (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) and not isinstance(v, bool)
                                                              and math.isfinite(v) for v in value))
    if not ok or not value[0] < value[1]:
        raise error(path, key, "a range [low, high] of two finite numbers with low < high", describe(value))
    return float(value[0]), float(value[1])


def _table(path: Path, raw: dict, key: str, allowed: tuple[str, ...], required: bool = True) -> dict:
    value = raw.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise error(path, key, f"a table [{key}]", describe(value) if value is not None else "none")
    for k in value:
        if k not in allowed:
            raise error(path, f"{key}.{k}", one_of(k, allowed), f"unknown key '{k}'")
    return value


def _flat_ranges(path: Path, raw: Any, where: str) -> dict[str, tuple[float, float]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise error(path, where, 'a table of ranges like "behaviour.outside_growth" = [0.0, 0.08]', describe(raw))
    out: dict[str, tuple[float, float]] = {}

    def walk(node: dict, prefix: str) -> None:
        for k, v in node.items():
            name = f"{prefix}{k}"
            if isinstance(v, dict):
                walk(v, name + ".")
            else:
                out[name] = _range(path, f"{where}.{name}", v)

    walk(raw, "")
    return out


def _group_ranges(path: Path, raw: Any) -> tuple[dict[str, tuple[float, float]], frozenset[str]]:
    """The documented ranges of every assumption of the mechanisms named in ``futures.groups``, and the
    whole-number ones among them (counts and months, rounded in each future)."""
    if raw is None:
        return {}, frozenset()
    if not isinstance(raw, list) or not raw or not all(isinstance(g, str) for g in raw):
        raise error(path, "futures.groups", "a list of mechanisms whose assumptions the futures sample",
                    describe(raw))
    for i, g in enumerate(raw):
        if g not in assumptions.MECHANISM_NAMES:
            raise error(path, f"futures.groups[{i}]", one_of(g, assumptions.MECHANISM_NAMES), describe(g))
    return assumptions.varied_ranges(groups=raw)


def _resolve(base: Path, value: Any, path: Path, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise error(path, key, "a file path (text)", describe(value))
    p = Path(value)
    return p if p.is_absolute() else (base / p).resolve()


def load_optimise(path: str | Path) -> OptimiseSpec:
    """Read and validate an optimiser file; any problem is one :class:`ScenarioError` line (file, key, expected, found)."""
    path = Path(path)
    raw = read_toml(path)
    text = path.read_text(encoding="utf-8")
    content = content_hash(raw)
    for k in raw:
        if k not in TOP_KEYS:
            raise error(path, k, one_of(k, TOP_KEYS), f"unknown key '{k}'")
    opt = _table(path, raw, "optimise", OPT_KEYS)
    base = path.parent
    name = opt.get("name", path.stem)
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
        raise error(path, "optimise.name", "a name of letters, digits, - and _", describe(name))
    title = opt.get("title")
    if title is not None and not (isinstance(title, dict) and all(isinstance(v, str) for v in title.values())):
        raise error(path, "optimise.title", "a table { zh = ..., en = ... } of text", describe(title))
    if "scenario" not in opt:
        raise error(path, "optimise.scenario", "the scenario file whose budget is re-allocated", "none")
    scen_path = _resolve(base, opt["scenario"], path, "optimise.scenario")
    scenario = load_scenario(scen_path)
    compare_raw = opt.get("compare", [])
    if not isinstance(compare_raw, list):
        raise error(path, "optimise.compare", "a list of scenario files", describe(compare_raw))
    compare = [_resolve(base, c, path, f"optimise.compare[{i}]") for i, c in enumerate(compare_raw)]
    for c in compare:
        load_scenario(c)
    replications = whole_number(path, "optimise.replications", opt.get("replications", 2), 1, 10_000, "replications")
    root_seed = whole_number(path, "optimise.root_seed", opt.get("root_seed", 20240601), 0, 2**63 - 1, "a root seed")
    horizon = opt.get("horizon_months")
    if horizon is not None:
        horizon = whole_number(path, "optimise.horizon_months", horizon, 1, 600, "months")
    objectives = _objectives(path, opt.get("objectives", ["jobs"]))
    robustness = opt.get("robustness", "quantile")
    if robustness not in ROBUSTNESS:
        raise error(path, "optimise.robustness", "one of quantile, regret", describe(robustness))
    q = opt.get("quantile", 0.25)
    if not isinstance(q, int | float) or isinstance(q, bool) or not 0.0 <= q <= 1.0:
        raise error(path, "optimise.quantile", "a number from 0 to 1 (the share of futures worse than the score)", describe(q))
    alg = _table(path, opt, "algorithm", ALG_KEYS, required=False)
    population = whole_number(path, "optimise.algorithm.population", alg.get("population", 12), 2, 10_000, "candidates a generation")
    generations = whole_number(path, "optimise.algorithm.generations", alg.get("generations", 6), 1, 10_000, "generations")
    seed = whole_number(path, "optimise.algorithm.seed", alg.get("seed", 1), 0, 2**32 - 1, "a search seed")
    overrides = raw.get("overrides", {})
    if not isinstance(overrides, dict):
        raise error(path, "overrides", "a table of dotted parameter keys", describe(overrides))

    overrides = flatten_overrides(overrides, scenario.params.model_dump(mode="python"))
    levers = _table(path, raw, "levers", LEVER_KEYS)
    shares = levers.get("shares")
    if not isinstance(shares, list) or len(shares) < 2 or not all(isinstance(s, str) for s in shares):
        raise error(path, "levers.shares", f"a list of at least two of {', '.join(BUDGET_LEVERS)}", describe(shares))
    for s in shares:
        if s not in BUDGET_LEVERS:
            raise error(path, "levers.shares", one_of(s, BUDGET_LEVERS), f"unknown lever '{s}'")
    if len(set(shares)) != len(shares):
        raise error(path, "levers.shares", "each lever once", describe(shares))
    current = scenario.params.budget.shares
    others = sum(v for k, v in current.items() if k not in shares)
    st = levers.get("share_total", "scenario")
    if st == "scenario":
        share_total: float | tuple[float, float] = round(sum(current.get(k, 0.0) for k in shares), 12)
    elif isinstance(st, int | float) and not isinstance(st, bool):
        share_total = float(st)
        if not 0.0 < share_total <= 1.0 - others + 1e-12:
            raise error(path, "levers.share_total", f"a share from 0 to {1.0 - others:.4g} (1 minus the other levers' shares)",
                       describe(st))
    else:
        share_total = _range(path, "levers.share_total", st)
        if share_total[0] < 0 or share_total[1] > 1.0 - others + 1e-12:
            raise error(path, "levers.share_total", f"a range within [0, {1.0 - others:.4g}]", describe(st))
        if "budget_spent" not in [o.output for o in objectives]:
            raise error(path, "optimise.objectives", "'budget_spent' among the objectives when levers.share_total is a range",
                       describe([o.output for o in objectives]))
    ranges = _flat_ranges(path, levers.get("ranges"), "levers.ranges")
    fut = _table(path, raw, "futures", FUTURE_KEYS, required=False)
    samples = whole_number(path, "futures.samples", fut.get("samples", 1), 1, 100_000, "futures")
    fseed = whole_number(path, "futures.seed", fut.get("seed", root_seed % 2**32), 0, 2**63 - 1, "a sampling seed")
    posterior = _resolve(base, fut["posterior"], path, "futures.posterior") if "posterior" in fut else None
    granges, whole = _group_ranges(path, fut.get("groups"))
    franges = {**granges, **_flat_ranges(path, fut.get("ranges"), "futures.ranges")}
    clash = set(franges) & set(ranges)
    if clash:
        raise error(path, "futures.ranges", "uncertain assumptions that are not decisions", f"'{sorted(clash)[0]}' in both")
    futures = [assumptions.rescale_shares({k: int(round(v)) if k in whole else v for k, v in f.items()})
               for f in sample_futures(samples, franges, fseed, posterior)]
    spec = OptimiseSpec(name=name, path=path, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        content_sha256=content, scenario=scenario, scenario_path=scen_path, compare=compare, replications=replications,
                        root_seed=root_seed, horizon_months=horizon, objectives=objectives, robustness=robustness,
                        quantile=float(q), population=population, generations=generations, seed=seed,
                        overrides=overrides, shares=list(shares), share_total=share_total, ranges=ranges,
                        futures=futures, future_ranges=franges, posterior=posterior,
                        title=title)
    if spec.n_runs > MAX_RUNS:
        raise error(path, "optimise", f"at most {MAX_RUNS} runs", f"{spec.n_runs} ({spec.describe()})")
    # Every key and value is checked before any run: the extremes of every range, with the overrides.
    lo = spec.decode(np.zeros(spec.n_var))
    hi = spec.decode(np.ones(spec.n_var))
    for point in (lo, hi, *futures[:1]):
        try:
            scenario.with_overrides({**overrides, **point}, source=str(path))
        except ScenarioError:
            raise
    for key in franges:
        if assumptions.in_share_table(key):  # checked in the futures, where its table adds up to 1
            continue
        for end in franges[key]:
            value = int(round(end)) if key in whole else end
            scenario.with_overrides({**overrides, key: value}, source=f"{path} [futures.ranges]")
    for f in futures[:1]:
        scenario.with_overrides({**overrides, **f}, source=f"{posterior or path} [futures]")
    return spec


def _objectives(path: Path, raw: Any) -> list[Objective]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise error(path, "optimise.objectives", f"a list of outputs from {', '.join(OBJECTIVES)}", describe(raw))
    out = []
    for i, item in enumerate(raw):
        key = f"optimise.objectives[{i}]"
        if isinstance(item, str):
            name, sense = item, None
        elif isinstance(item, dict) and set(item) <= {"output", "sense"} and "output" in item:
            name, sense = item["output"], item.get("sense")
        else:
            raise error(path, key, "an output name or { output = ..., sense = 'max' | 'min' }", describe(item))
        if name not in OBJECTIVES:
            raise error(path, key, one_of(str(name), tuple(OBJECTIVES)), describe(name))
        sense = sense or OBJECTIVES[name]["sense"]
        if sense not in ("max", "min"):
            raise error(path, f"{key}.sense", "max or min", describe(sense))
        if name in [o.output for o in out]:
            raise error(path, key, "each output once", f"'{name}' twice")
        out.append(Objective(name, sense))
    return out


# ----------------------------------------------------------------------------- running candidates
def _experiment_text(spec: OptimiseSpec, name: str, scenarios: list[Path], points: list[dict[str, Any]],
                     labels: list[str]) -> str:
    import tomli_w

    doc: dict[str, Any] = {"experiment": {"name": name, "scenarios": [str(p) for p in scenarios],
                                          "replications": spec.replications, "root_seed": spec.root_seed,
                                          "record": "summary"}}
    if spec.horizon_months:
        doc["experiment"]["horizon_months"] = spec.horizon_months
    if spec.overrides:
        doc["overrides"] = dict(spec.overrides)
    doc["design"] = {"kind": "list", "points": [{"label": lab, **{k: v for k, v in p.items()}}
                                                for lab, p in zip(labels, points, strict=True)]}
    return ("# Written by sim optimise from " + str(spec.path) + "; do not edit (the search replays it).\n"
            + tomli_w.dumps(doc))


KEEP_WARM_MB = 512.0
"""Warm states each worker keeps from one generation to the next (MB): every generation, and the comparison with the
shipped strategies, runs in the same futures and replications, whose status quo is the same for every candidate
(:class:`sim.experiment.runner.WarmStates`). A state is about 9 MB at 4,000 prospects and 28 MB at 12,000 (the
month-0 region of the shipped calibration), so 512 MB keeps about 54 and 18 of them."""


def run_points(spec: OptimiseSpec, folder: Path, name: str, scenarios: list[Path], points: list[dict[str, Any]],
               labels: list[str], executor, progress: bool = False, log=None) -> pd.DataFrame:
    """Run scenarios x points x replications as one experiment in ``folder`` (resuming it) and return its done runs."""
    # The runner, the model and its compiled loops load only when runs are made: reading an optimiser file (the
    # policy page does) needs none of them.
    from sim.experiment.runner import run_experiment

    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "experiment.toml"
    text = _experiment_text(spec, name, scenarios, points, labels)
    # A folder whose points were listed otherwise (by an earlier version, candidate by candidate) is run again: the
    # search replays the same points, and the optimiser's file is checked before (optimise).
    listed_otherwise = file.is_file() and file.read_text(encoding="utf-8") != text
    if not file.is_file() or listed_otherwise:
        atomic_write_text(file, text)
    exp = load_experiment(file)
    state = np.random.get_state()  # nothing a run does may move the search
    report = run_experiment(exp, folder / "runs", executor=executor, progress=progress, fresh=listed_otherwise,
                            log=log or (lambda msg: None), keep_warm_mb=KEEP_WARM_MB)
    np.random.set_state(state)
    if report.interrupted:
        raise KeyboardInterrupt
    if not report.complete:
        raise OptimiseError(f"{folder / 'runs'}: key 'runs': expected every run done, found {report.failed_total} failed "
                            f"(see sim status {folder / 'runs'})")
    return done_runs(folder / "runs")


def done_runs(results_dir: Path) -> pd.DataFrame:
    """The done runs of a stored experiment, one row each in run order, with their outputs (the store's summaries)."""
    return load_summaries(results_dir, include_failed=False).to_pandas()


class OptimiseError(ScenarioError):
    """The search cannot go on (failed runs); one line."""


def values(spec: OptimiseSpec, runs: pd.DataFrame, n_points: int, scenario: str | None = None) -> np.ndarray:
    """Objective values of each candidate, future and replication: array (candidates, futures, replications, objectives).

    Design point ``f * candidates + c`` is candidate ``c`` in future ``f`` (:func:`generation_points`).
    """
    F, R = len(spec.futures), spec.replications
    C = n_points // F
    sel = runs if scenario is None else runs[runs["scenario"] == scenario]
    out = np.full((C, F, R, len(spec.objectives)), np.nan)
    pid = sel["point_id"].to_numpy(dtype=int)
    rep = sel["replication"].to_numpy(dtype=int)
    for j, o in enumerate(spec.objectives):
        out[pid % C, pid // C, rep, j] = sel[o.output].to_numpy(dtype=float)
    return out


def generation_points(spec: OptimiseSpec, X: np.ndarray, g: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The design points of generation ``g`` (every candidate in every future) and their labels, future by future:
    point ``f * candidates + c`` is candidate ``c`` in future ``f``. The candidates of one future and replication
    differ only in their levers, so they share the status quo's spin-up (:func:`sim.scenario.status_quo`); listed
    side by side, they run one after the other from one warm state (:class:`sim.experiment.runner.WarmStates`)."""
    decisions = [spec.decode(x) for x in X]
    points, labels = [], []
    for f, fut in enumerate(spec.futures):
        for c, dec in enumerate(decisions):
            points.append({**dec, **fut})
            labels.append(f"g{g}-c{c}-f{f}")
    return points, labels


def robust_scores(spec: OptimiseSpec, vals: np.ndarray) -> np.ndarray:
    """Scores to minimise, (candidates, objectives): minus the stated quantile over futures of the replication
    means (sign-adjusted so that lower is better), or the largest regret against the best candidate per future."""
    mean = np.nanmean(vals, axis=2) * np.array([o.sign for o in spec.objectives])  # (C, F, K): higher is better
    if spec.robustness == "quantile":
        return -np.quantile(mean, spec.quantile, axis=1, method="linear")
    best = mean.max(axis=0, keepdims=True)
    return (best - mean).max(axis=1)


# ----------------------------------------------------------------------------- the search
@dataclass
class OptimiseResult:
    """What a search produced (the tables written to the output folder)."""

    folder: Path
    evaluations: pd.DataFrame
    front: pd.DataFrame
    comparison: pd.DataFrame
    allocation: pd.DataFrame
    runs: int
    seconds: float
    summary: dict[str, Any]


def _algorithm(spec: OptimiseSpec):
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.algorithms.soo.nonconvex.ga import GA

    if len(spec.objectives) == 1:
        return GA(pop_size=spec.population, eliminate_duplicates=True)
    return NSGA2(pop_size=spec.population, eliminate_duplicates=True)


def search(spec: OptimiseSpec, out: Path, executor, progress: bool = True, log=None) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Run pymoo's search generation by generation; returns every candidate's decision vector, its values
    (candidates, futures, replications, objectives) and its generation."""
    import warnings

    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem
    from pymoo.termination import get_termination

    log = log or (lambda msg: print(msg, file=sys.stderr))
    problem = Problem(n_var=spec.n_var, n_obj=len(spec.objectives), xl=0.0, xu=1.0)
    alg = _algorithm(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alg.setup(problem, termination=get_termination("n_gen", spec.generations), seed=spec.seed, verbose=False)
    X_all: list[np.ndarray] = []
    V_all: list[np.ndarray] = []
    gens: list[int] = []
    g = 0
    F = len(spec.futures)
    while alg.has_next():
        pop = alg.ask()
        X = np.asarray(pop.get("X"), dtype=float)
        points, labels = generation_points(spec, X, g)
        runs = run_points(spec, out / "generations" / f"gen_{g:03d}", f"{spec.name}-gen{g:03d}", [spec.scenario_path],
                          points, labels, executor, progress=progress)
        V = values(spec, runs, len(X) * F)
        X_all.append(X)
        V_all.append(V)
        gens += [g] * len(X)
        scores = robust_scores(spec, np.concatenate(V_all))[-len(X):]
        Evaluator().eval(StaticProblem(problem, F=scores), pop)
        alg.tell(infills=pop)
        best = robust_scores(spec, np.concatenate(V_all)).min(axis=0)
        log(f"generation {g + 1}/{spec.generations}: {len(X)} candidates; best robust "
            + ", ".join(f"{o.output} {(-b if spec.robustness == 'quantile' else b) * (o.sign if spec.robustness == 'quantile' else 1):.4g}"
                        for o, b in zip(spec.objectives, best, strict=True)))
        g += 1
    return np.concatenate(X_all), np.concatenate(V_all), gens


def front_indices(scores: np.ndarray) -> np.ndarray:
    """Candidates no other candidate beats on every robust score (the Pareto set; the best one for one objective)."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    if scores.shape[1] == 1:
        return np.array([int(np.argmin(scores[:, 0]))])
    return np.sort(NonDominatedSorting().do(scores, only_non_dominated_front=True))


def _interval(x: np.ndarray) -> tuple[float, float, float]:
    st = t_interval(x)
    return st["mean"], st["ci_low"], st["ci_high"]


def optimise(spec: OptimiseSpec, out: str | Path | None = None, *, engine: str = "process", workers: int | None = None,
             scheduler: str | None = None, executor=None, fresh: bool = False, force: bool = False,
             progress: bool = True, log=None) -> OptimiseResult:
    """Search the robust allocation, compare it with the shipped strategies on the same futures, write the tables."""
    import shutil

    from sim.experiment.runner import warm_up  # the model loads only for a search (see run_points)

    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out) if out else Path("results") / "optimise" / spec.name
    meta_file = out / "optimise.json"
    if fresh and out.exists():
        shutil.rmtree(out)
    if meta_file.is_file() and not force:
        old = json.loads(meta_file.read_text(encoding="utf-8"))
        if says_otherwise(old.get("file_content_sha256"), old.get("file_sha256"), spec.content_sha256, spec.sha256):
            raise ScenarioError(f"{spec.path}: key '-': expected the file the results in {out} were started with "
                                f"(sha256 {str(old.get('file_sha256'))[:12]}), found a changed file; "
                                f"use --fresh to start over or --force to keep going")
    t0 = time.monotonic()
    own = executor is None
    if own:
        if engine == "process" and not scheduler:
            executor = ProcessExecutor(workers, preload=warm_up)
            executor.start()
        else:
            executor = make_executor(engine, workers, scheduler, scratch=out / "dask-scratch", preload=warm_up)
    try:
        out.mkdir(parents=True, exist_ok=True)
        meta = {"name": spec.name, "file": str(spec.path), "file_sha256": spec.sha256,
                "file_content_sha256": spec.content_sha256, "file_text": spec.text,
                "describe": spec.describe(), "futures": spec.futures, "objectives": [o.__dict__ for o in spec.objectives],
                "robustness": spec.robustness, "quantile": spec.quantile, "engine": executor.describe()}
        atomic_write_text(meta_file, json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
        X, V, gens = search(spec, out, executor, progress=progress, log=log)
        # The strategies to beat, on the same futures and seeds.
        strategies = [spec.scenario_path, *spec.compare]
        points = [dict(f) for f in spec.futures]
        labels = [f"f{f}" for f in range(len(points))]
        cmp_runs = run_points(spec, out / "comparison", f"{spec.name}-comparison", strategies, points, labels, executor,
                              progress=progress)
    finally:
        if own:
            executor.close()
        from sim.experiment.runner import KEPT

        KEPT.clear()  # those a serial search kept in this process
    result = _tables(spec, out, X, V, gens, cmp_runs)
    result.seconds = time.monotonic() - t0
    result.summary["seconds"] = result.seconds
    atomic_write_text(out / "summary.json", json.dumps(result.summary, indent=1, ensure_ascii=False) + "\n")
    return result


def _write(df: pd.DataFrame, out: Path, name: str) -> None:
    atomic_write_text(out / f"{name}.csv", df.to_csv(index=False))
    atomic_write(out / f"{name}.parquet", lambda fh: df.to_parquet(fh, index=False))


def _tables(spec: OptimiseSpec, out: Path, X: np.ndarray, V: np.ndarray, gens: list[int],
            cmp_runs: pd.DataFrame) -> OptimiseResult:
    scores = robust_scores(spec, V)
    front = front_indices(scores)
    F = len(spec.futures)
    rows = []
    for c, x in enumerate(X):
        dec = spec.decode(x)
        row: dict[str, Any] = {"candidate": c, "generation": gens[c], "on_front": bool(c in front)}
        row.update({f"share.{k}": v for k, v in dec["budget.shares"].items()})
        row.update({k: v for k, v in dec.items() if k != "budget.shares"})
        for j, o in enumerate(spec.objectives):
            row[f"score.{o.output}"] = float(scores[c, j])
            for f in range(F):
                row[f"{o.output}.future{f}"] = float(np.nanmean(V[c, f, :, j]))
        rows.append(row)
    evaluations = pd.DataFrame(rows)
    # Strategies compared: values (strategies, futures, replications, objectives).
    names = list(dict.fromkeys(cmp_runs.sort_values("scenario_index")["scenario"]))
    S = {s: values(spec, cmp_runs, F, scenario=s)[0] for s in names}
    base = names[0]
    # The chosen plan: the best robust score of the first objective among the front.
    chosen = int(front[np.argmin(scores[front, 0])])
    front_rows = []
    for c in front:
        for j, o in enumerate(spec.objectives):
            per_rep = np.nanmean(V[c, :, :, j], axis=0)  # mean over futures, per replication
            m, lo, hi = _interval(per_rep)
            fut = np.nanmean(V[c, :, :, j], axis=1)
            d = per_rep - np.nanmean(S[base][:, :, j], axis=0)
            dm, dlo, dhi = _interval(d)
            front_rows.append({"candidate": int(c), "chosen": bool(c == chosen), "objective": o.output, "sense": o.sense,
                               "mean": m, "ci_low": lo, "ci_high": hi, "future_p05": float(np.quantile(fut, 0.05)),
                               "future_p25": float(np.quantile(fut, 0.25)), "future_p95": float(np.quantile(fut, 0.95)),
                               "robust_score": float(scores[c, j]), "vs_scenario": dm, "vs_scenario_low": dlo,
                               "vs_scenario_high": dhi})
    front_df = pd.DataFrame(front_rows)
    comp_rows = []
    opt_vals = V[chosen]
    for s in ["optimum", *names]:
        vals_s = opt_vals if s == "optimum" else S[s]
        for j, o in enumerate(spec.objectives):
            per_rep = np.nanmean(vals_s[:, :, j], axis=0)
            m, lo, hi = _interval(per_rep)
            fut = np.nanmean(vals_s[:, :, j], axis=1)
            d = np.nanmean(opt_vals[:, :, j], axis=0) - per_rep
            dm, dlo, dhi = _interval(d) if s != "optimum" else (0.0, 0.0, 0.0)
            wins = float(np.mean(o.sign * (np.nanmean(opt_vals[:, :, j], axis=1) - fut) >= 0))
            comp_rows.append({"strategy": s, "objective": o.output, "sense": o.sense, "mean": m, "ci_low": lo,
                              "ci_high": hi, "future_p05": float(np.quantile(fut, 0.05)),
                              "robust_value": float(np.quantile(o.sign * fut, spec.quantile) * o.sign),
                              "optimum_minus": dm, "optimum_minus_low": dlo, "optimum_minus_high": dhi,
                              "optimum_not_worse_share_of_futures": wins})
    comparison = pd.DataFrame(comp_rows)
    fut_rows = []
    for f, future in enumerate(spec.futures):
        row = {"future": f, **future}
        for j, o in enumerate(spec.objectives):
            d = V[chosen, f, :, j] - S[base][f, :, j]  # paired by replication
            row.update({f"optimum.{o.output}": float(np.nanmean(V[chosen, f, :, j])),
                        f"scenario.{o.output}": float(np.nanmean(S[base][f, :, j])),
                        f"optimum_minus.{o.output}": float(np.nanmean(d))})
        fut_rows.append(row)
    futures = pd.DataFrame(fut_rows)
    allocation = allocation_table(spec, out, chosen, X, gens, cmp_runs, base)
    by_government = allocation_by_government(spec, out, chosen, X, gens, cmp_runs, base)
    for df, name in ((evaluations, "evaluations"), (front_df, "front"), (comparison, "comparison"),
                     (allocation, "allocation"), (by_government, "allocation_by_government"), (futures, "futures")):
        _write(df, out, name)
    summary = {"name": spec.name, "describe": spec.describe(), "candidates": int(len(X)),
               "runs": int(len(X) * spec.runs_per_candidate + len(names) * spec.runs_per_candidate),
               "chosen": chosen, "front_size": int(len(front)),
               "objectives": [o.output for o in spec.objectives], "robustness": spec.robustness,
               "quantile": spec.quantile, "futures": len(spec.futures), "replications": spec.replications,
               "scenario": base, "compare": names[1:]}
    return OptimiseResult(out, evaluations, front_df, comparison, allocation, summary["runs"], 0.0, summary)


STAFF_LEVERS = {
    "team": ("policy.team_quality", "person-months"),
    "leadership_attention": ("policy.leadership_attention", "leader-months"),
}
"""Costed staff and attention levers and the setting that decides their person- (leader-) months."""


def _chosen_runs(spec: OptimiseSpec, out: Path, chosen: int, X: np.ndarray, gens: list[int], cmp_runs: pd.DataFrame,
                 base: str) -> tuple[pd.DataFrame, pd.DataFrame, ScenarioSpec, ScenarioSpec, float]:
    """The chosen plan's stored runs, the scenario's runs on the same futures, both parameter sets, and the factor
    (1 / (scale x years)) that turns a run's totals into 万元 a year at reference size."""
    g = gens[chosen]
    first = gens.index(g)
    runs = done_runs(out / "generations" / f"gen_{g:03d}" / "runs")
    mine = runs[(runs["point_id"] % gens.count(g)) == chosen - first]  # point f * candidates + c (generation_points)
    theirs = cmp_runs[cmp_runs["scenario"] == base]
    spec_opt = spec.scenario.with_overrides({**spec.overrides, **spec.decode(X[chosen])}, source="optimum")
    spec_base = spec.scenario.with_overrides(spec.overrides, source="scenario")
    years = float(mine["months"].mean()) / 12.0
    return mine, theirs, spec_opt, spec_base, 1.0 / (spec_opt.params.scale * years)


def allocation_table(spec: OptimiseSpec, out: Path, chosen: int, X: np.ndarray, gens: list[int],
                     cmp_runs: pd.DataFrame, base: str) -> pd.DataFrame:
    """The chosen plan against the scenario, per lever: share, 万元 a year and person-months a year, at reference
    size (the region of the parameter file), measured from the runs' ledgers (``spent_by_lever``)."""
    # The model's names (and Mesa) load only when a search writes its tables, not when its file is read.
    from sim.model.budget import SPEND_KEYS

    mine, theirs, spec_opt, spec_base, per_year = _chosen_runs(spec, out, chosen, X, gens, cmp_runs, base)
    # every county's and the city's leader, each at the attention the region file gives it
    leaders = sum(g.leader_attention for g in spec_opt.params.governments.values())
    rows = []
    for lever in SPEND_KEYS:
        col = f"spent_by_lever.{lever}"
        if col not in mine:
            continue
        a = float(mine[col].mean()) * per_year
        b = float(theirs[col].mean()) * per_year
        if a == 0 and b == 0:
            continue
        row = {"lever": lever, "share": spec_opt.params.budget.shares.get(lever, float("nan")),
               "scenario_share": spec_base.params.budget.shares.get(lever, float("nan")),
               "wan_yuan_per_year": a, "scenario_wan_yuan_per_year": b, "person_months_per_year": float("nan"),
               "scenario_person_months_per_year": float("nan"), "months_unit": ""}
        if lever == "team":
            for key, p in (("person_months_per_year", spec_opt.params), ("scenario_person_months_per_year", spec_base.params)):
                row[key] = p.policy.team_quality * p.policy.team_size * 12.0
            row["months_unit"] = "person-months"
        if lever == "leadership_attention":
            for key, p in (("person_months_per_year", spec_opt.params), ("scenario_person_months_per_year", spec_base.params)):
                row[key] = p.policy.leadership_attention * leaders * 12.0
            row["months_unit"] = "leader-months"
        rows.append(row)
    return pd.DataFrame(rows)


def allocation_by_government(spec: OptimiseSpec, out: Path, chosen: int, X: np.ndarray, gens: list[int],
                             cmp_runs: pd.DataFrame, base: str) -> pd.DataFrame:
    """Where the chosen plan's money goes, per government (each county and the city) and lever, against the
    scenario: 万元 a year at reference size from the runs' ledgers (``spent_by_government``: what each government
    spent on its contacts, its tracked projects, its promises, its idle land and its leader's attention; the city
    also carries what it runs for the whole region), and each leader's months a year given to attraction. The
    shares are decided for the region; the model's own rules (each county's share of the channel money, courting
    pressure, where prospects and idle land are) decide how they fall on the counties. The governments and their
    names are the region's (``governments`` of the parameters, from its region file). Empty for runs without these
    accounts."""
    from sim.model.budget import SPEND_KEYS  # as in allocation_table

    mine, theirs, spec_opt, spec_base, per_year = _chosen_runs(spec, out, chosen, X, gens, cmp_runs, base)
    governments = spec_opt.params.governments
    rows = []
    for gov, g in governments.items():
        for lever in SPEND_KEYS:
            col = f"spent_by_government.{gov}.{lever}"
            if col not in mine or col not in theirs:
                continue
            a = float(mine[col].mean()) * per_year
            b = float(theirs[col].mean()) * per_year
            if a == 0 and b == 0:
                continue
            row = {"government": gov, "government_zh": g.name_zh, "government_en": g.name_en,
                   "lever": lever, "wan_yuan_per_year": a, "scenario_wan_yuan_per_year": b,
                   "leader_months_per_year": float("nan"), "scenario_leader_months_per_year": float("nan")}
            if lever == "leadership_attention":
                row["leader_months_per_year"] = spec_opt.params.policy.leadership_attention * g.leader_attention * 12.0
                row["scenario_leader_months_per_year"] = (spec_base.params.policy.leadership_attention
                                                          * spec_base.params.governments[gov].leader_attention * 12.0)
            rows.append(row)
    return pd.DataFrame(rows, columns=["government", "government_zh", "government_en", "lever", "wan_yuan_per_year",
                                       "scenario_wan_yuan_per_year", "leader_months_per_year",
                                       "scenario_leader_months_per_year"])
