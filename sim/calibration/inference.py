"""Calibration as inference: ABC-SMC (pyabc) of the calibrated parameters given the region's reported figures.

Approximate Bayesian computation with sequential Monte Carlo (Del Moral et al. 2012; pyabc, Klinger et al.
2018, Schaelte et al. 2022): a population of parameter sets (particles) is drawn from the prior
(:mod:`sim.calibration.priors`), each is simulated once with its own seed, and kept when its distance to
the figures (:func:`sim.calibration.targets.distance`) is below a threshold; each generation proposes new
particles around the last (a multivariate normal kernel fitted to them) and lowers the threshold to the
``quantile`` of the last generation's distances, so simulations go where the posterior still has mass. The
first generation accepts every prior draw (threshold infinite), so it is also the prior predictive sample.

A setting file (``experiments/calibration/*.toml``) fixes the population size, the number of generations,
a budget of simulations (checked after each generation), the root seed, the posterior predictive draws and
optional parameter overrides. History lives in a SQLite database under the output folder; a re-run resumes
from the last finished generation and gives the same posterior as an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration import patterns, priors, targets
from sim.errors import ScenarioError
from sim.files import atomic_write_text
from sim.model import build_model
from sim.provenance import environment
from sim.scenario import ScenarioSpec, load_scenario, read_toml
from sim.stats import systematic_resample

SETTING_KEYS = ("name", "scenario", "population", "generations", "max_simulations", "quantile", "kernel_scaling",
                "root_seed", "ppc_draws", "point_replications", "uncertainty_draws")
DB_NAME = "abc.db"
STATE_NAME = "setting.json"


@dataclass(frozen=True)
class Setting:
    """How much inference to do, and where the model comes from."""

    name: str
    path: Path
    text: str
    scenario: Path
    population: int
    generations: int
    max_simulations: int
    quantile: float
    kernel_scaling: float
    root_seed: int
    ppc_draws: int
    point_replications: int
    uncertainty_draws: int
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """Hash of the setting file's text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def spec(self) -> ScenarioSpec:
        """The scenario the calibration runs (with the setting's overrides and the calibration horizon)."""
        spec = load_scenario(self.scenario, overrides=self.overrides or None)
        return spec.with_overrides({"run.horizon_months": targets.HORIZON})

    def describe(self) -> str:
        """One line for people."""
        return (f"{self.name}: {self.population} particles x up to {self.generations} generations, at most about "
                f"{self.max_simulations:,} simulations, root seed {self.root_seed}")


def _int(path: Path, key: str, value: Any, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ScenarioError(f"{path}: key 'calibration.{key}': expected a whole number from {lo} to {hi}, found {value!r}")
    return value


def load_setting(path: str | Path) -> Setting:
    """Read and check a calibration setting file (one-line errors naming the file and key)."""
    path = Path(path)
    data = read_toml(path)
    for k in data:
        if k not in ("calibration", "overrides"):
            raise ScenarioError(f"{path}: key '{k}': expected one of calibration, overrides, found unknown key '{k}'")
    cal = data.get("calibration")
    if not isinstance(cal, dict):
        raise ScenarioError(f"{path}: key 'calibration': expected a table, found {cal!r}")
    for k in cal:
        if k not in SETTING_KEYS:
            raise ScenarioError(f"{path}: key 'calibration.{k}': expected one of {', '.join(SETTING_KEYS)}, found unknown key '{k}'")
    for k in SETTING_KEYS:
        if k not in cal:
            raise ScenarioError(f"{path}: key 'calibration.{k}': expected a value, found none")
    q = cal["quantile"]
    if not isinstance(q, float) or not 0.05 <= q <= 0.95:
        raise ScenarioError(f"{path}: key 'calibration.quantile': expected a number from 0.05 to 0.95, found {q!r}")
    ks = cal["kernel_scaling"]
    if not isinstance(ks, float) or not 0.25 <= ks <= 10.0:
        raise ScenarioError(f"{path}: key 'calibration.kernel_scaling': expected a number from 0.25 to 10, found {ks!r}")
    scenario = (path.parent / str(cal["scenario"])).resolve()
    overrides = data.get("overrides", {})
    setting = Setting(
        name=str(cal["name"]), path=path, text=path.read_text(encoding="utf-8"), scenario=scenario,
        population=_int(path, "population", cal["population"], 4, 100_000),
        generations=_int(path, "generations", cal["generations"], 1, 100),
        max_simulations=_int(path, "max_simulations", cal["max_simulations"], 4, 10_000_000),
        quantile=float(q), kernel_scaling=float(ks), root_seed=_int(path, "root_seed", cal["root_seed"], 0, 2**63 - 1),
        ppc_draws=_int(path, "ppc_draws", cal["ppc_draws"], 2, 100_000),
        point_replications=_int(path, "point_replications", cal["point_replications"], 2, 10_000),
        uncertainty_draws=_int(path, "uncertainty_draws", cal["uncertainty_draws"], 1, 10_000),
        overrides=dict(overrides),
    )
    if setting.uncertainty_draws > setting.ppc_draws:
        raise ScenarioError(f"{path}: key 'calibration.uncertainty_draws': expected at most ppc_draws "
                            f"({setting.ppc_draws}), found {setting.uncertainty_draws}")
    setting.spec()  # the scenario and overrides must load
    return setting


# ----------------------------------------------------------------------------- the simulator as pyabc sees it
def run_statistics(spec: ScenarioSpec, values: dict[str, float], seed: int) -> dict[str, float]:
    """Run ``spec`` with the calibrated parameters set to ``values`` and return the statistics (true scale)."""
    s = spec.with_overrides(priors.overrides(values), source="calibration")
    # Months are not recorded: the outputs are observed at the two months the statistics read, and the last.
    from sim.model.outputs import observe

    m = build_model(s.params, seed=seed, monthly=False)
    horizon = s.params.run.horizon_months
    arrived, done = {}, 0
    for month in targets.ARRIVED_MONTHS:
        if month <= horizon:
            m.run_for(month - done)
            done = month
            arrived[month] = observe(m)["arrived_capital"]
    if horizon > done:
        m.run_for(horizon - done)
    return targets.measure(m, arrived)


class CalibrationModel:
    """The simulator for pyabc: a particle in, the statistics out (true and reported scale, and the run's seed)."""

    def __init__(self, spec: ScenarioSpec):
        self.spec = spec

    def __call__(self, par) -> dict[str, float]:
        values = priors.from_abc(par)
        seed = int(np.random.randint(0, 2**31 - 1))
        cpu = time.process_time()
        stats = run_statistics(self.spec, values, seed)
        return {**stats, **targets.reported(stats, values[priors.OVER_REPORTING]), "seed": float(seed),
                "cpu_seconds": time.process_time() - cpu}


def _statistics_task(task: tuple[ScenarioSpec, dict[str, float], int]) -> dict[str, float]:
    spec, values, seed = task
    stats = run_statistics(spec, values, seed)
    return {**stats, **targets.reported(stats, values[priors.OVER_REPORTING])}


def simulate_many(executor, spec: ScenarioSpec, points: list[tuple[dict[str, float], int]]) -> list[dict[str, float]]:
    """Statistics of each (values, seed) point, run on ``executor``, in the order given."""
    out: dict[int, dict] = {}
    tasks = [(spec, v, s) for v, s in points]
    index = {id(t): i for i, t in enumerate(tasks)}
    for task, res in executor.imap_unordered(_statistics_task, tasks):
        if isinstance(res, Exception):
            raise RuntimeError(f"a posterior predictive run failed: {type(res).__name__}: {res}") from res
        out[index[id(task)]] = res
    return [out[i] for i in range(len(tasks))]


# ----------------------------------------------------------------------------- running and resuming
@dataclass
class AbcRun:
    """A finished (or resumed and finished) ABC-SMC run: where it is stored and what it cost."""

    db: Path
    run_id: int
    generations: int
    simulations: int
    evaluated: int
    seconds: float
    sessions: list[dict]


def _abc(setting: Setting, executor, progress) -> tuple[Any, Any]:
    # pyabc takes seconds to import: only an inference loads it (not `calibrate.py --check`, not the settings).
    import pyabc

    from sim.calibration.sampler import ExecutorSampler, ResumableQuantileEpsilon

    sampler = ExecutorSampler(executor, setting.root_seed, progress=progress)
    abc = pyabc.ABCSMC(
        models=CalibrationModel(setting.spec()),
        parameter_priors=priors.pyabc_prior(),
        distance_function=targets.distance,
        population_size=setting.population,
        sampler=sampler,
        eps=ResumableQuantileEpsilon(initial_epsilon=np.inf, alpha=setting.quantile, weighted=True),
        transitions=pyabc.MultivariateNormalTransition(scaling=setting.kernel_scaling),
    )
    return abc, sampler


def scenario_config(setting: Setting) -> str:
    """Hash of the scenario the calibration runs, its calibrated parameters aside (every particle sets them, so
    adopting a new central point as the defaults does not change the inference)."""
    fixed = {p.key: p.low for p in priors.MODEL_PRIORS}
    return setting.spec().with_overrides(fixed, source="calibration").config_hash()


def _state(setting: Setting) -> dict:
    """What a stored history depends on: resuming with anything else changed would mix two inferences. (More
    generations or a larger budget only extend it; the file's comments and location do not matter.)"""
    return {"population": setting.population, "quantile": setting.quantile,
            "kernel_scaling": setting.kernel_scaling, "root_seed": setting.root_seed,
            "scenario_config": scenario_config(setting), "priors": [p.__dict__ for p in priors.PRIORS],
            "targets": [[t.key, t.value, t.tolerance, t.upper_bound, t.fitted] for t in targets.TARGETS],
            "patterns": [[p.key, p.threshold, p.at_least, p.tolerance, p.reported] for p in patterns.PATTERNS]}


def run_abc(setting: Setting, out: Path, executor, fresh: bool = False, progress=None, log=print) -> AbcRun:
    """Run (or resume) the ABC-SMC of ``setting`` into ``out``; returns the stored run."""
    import pyabc

    out.mkdir(parents=True, exist_ok=True)
    db = out / DB_NAME
    state_file = out / STATE_NAME
    state = _state(setting)
    if fresh:
        for p in (db, state_file):
            p.unlink(missing_ok=True)
    sessions: list[dict] = []
    if db.exists():
        old = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {}
        if {k: old.get(k) for k in state} != state:
            changed = next(k for k in state if old.get(k) != state[k])
            raise ScenarioError(f"{out / STATE_NAME}: key '{changed}': expected the calibration stored here, found a "
                                f"changed population, threshold quantile, root seed, scenario, prior, target or pattern; "
                                f"re-run with --fresh to start over")
        sessions = old.get("sessions", [])
    abc, sampler = _abc(setting, executor, progress)
    url = f"sqlite:///{db.resolve()}"
    np.random.seed(setting.root_seed % 2**32)
    if db.exists() and sessions:
        run_id = int(json.loads(state_file.read_text(encoding="utf-8"))["run_id"])
        history = abc.load(url, run_id)
    else:
        db.unlink(missing_ok=True)
        history = abc.new(url, targets.observed())
        run_id = int(history.id)
    done = history.max_t + 1
    before = history.total_nr_simulations
    session = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "from_generation": done, "setting": str(setting.path),
               "setting_sha256": setting.sha256, "environment": environment(), "executor": executor.describe()}
    sessions.append(session)
    atomic_write_text(state_file, json.dumps({**state, "run_id": run_id, "sessions": sessions,
                                              "setting_sha256": setting.sha256}, indent=1))
    t0 = time.perf_counter()
    remaining = setting.generations - done
    if remaining > 0 and before < setting.max_simulations:
        if done:
            log(f"resuming after generation {done - 1} ({before:,} simulations stored)")
        with warnings.catch_warnings():
            # pyabc compares the first threshold (infinite: generation 0 is the prior) with the next one.
            warnings.filterwarnings("ignore", message="invalid value encountered in scalar subtract",
                                    category=RuntimeWarning)
            abc.run(max_nr_populations=remaining, max_total_nr_simulations=setting.max_simulations)
    history = pyabc.History(url)
    history.id = run_id
    session.update(finished=time.strftime("%Y-%m-%dT%H:%M:%S"), seconds=round(time.perf_counter() - t0, 1),
                   simulations_evaluated=sampler.evaluated_,
                   simulations_used=history.total_nr_simulations - before)
    atomic_write_text(state_file, json.dumps({**state, "run_id": run_id, "sessions": sessions}, indent=1))
    return AbcRun(db=db, run_id=run_id, generations=history.max_t + 1, simulations=history.total_nr_simulations,
                  evaluated=sum(s.get("simulations_evaluated", 0) for s in sessions),
                  seconds=sum(s.get("seconds", 0.0) for s in sessions), sessions=sessions)


# ----------------------------------------------------------------------------- the posterior
CENTRAL_RULE = ("the posterior's central point: of the particles nearest its weighted medoid (the particle closest on "
                "average to all others) that show every pattern of the essay's diagnosis over several seeds, the one "
                "whose runs fit the figures best")
"""How the shipped point is chosen from the posterior (:func:`sim.calibration.report.choose_central`)."""


@dataclass
class Posterior:
    """The last generation: parameter values (natural scale, one column per prior key), weights, and the run."""

    values: Any  # pandas DataFrame
    weights: np.ndarray
    generations: list[dict]

    @property
    def ess(self) -> float:
        """Effective sample size of the weights."""
        w = self.weights / self.weights.sum()
        return float(1.0 / np.sum(w**2))

    def prior_scale(self) -> Any:
        """The values on their priors' own scales (log10 for log priors), where each prior is uniform."""
        df = self.values.copy()
        for p in priors.PRIORS:
            df[p.key] = [p.scaled(v) for v in df[p.key]]
        return df

    def central(self) -> dict[str, float]:
        """The posterior's central point: its weighted medoid (:func:`medoid`), rounded to 4 significant digits."""
        return self.ranked(1)[0]

    def ranked(self, k: int) -> list[dict[str, float]]:
        """The ``k`` particles closest on average to all others (:func:`medoid_order`), the medoid first, each
        rounded to 4 significant digits."""
        order = medoid_order(self.values[[p.key for p in priors.PRIORS]].to_numpy(), self.weights)
        return [{p.key: float(f"{self.values[p.key].iloc[i]:.4g}") for p in priors.PRIORS} for i in order[:k]]

    def draws(self, k: int, seed: int) -> list[dict[str, float]]:
        """``k`` parameter sets drawn from the posterior by their weights (systematic resampling, reproducible)."""
        rows = self.values.iloc[systematic_resample(self.weights, k, seed)]
        return [{p.key: float(r[p.key]) for p in priors.PRIORS} for _, r in rows.iterrows()]


def load_posterior(db: Path, run_id: int) -> Posterior:
    """The last generation of a stored run, and per-generation epsilon, simulations and acceptance."""
    import pyabc

    h = pyabc.History(f"sqlite:///{Path(db).resolve()}")
    h.id = run_id
    df, w = h.get_distribution(m=0, t=h.max_t)
    values = df.copy()
    for p in priors.PRIORS:
        values[p.key] = [p.value(x) for x in df[p.name]]
    values = values[[p.key for p in priors.PRIORS]].reset_index(drop=True)
    pops = h.get_all_populations()
    gens = []
    for _, r in pops.iterrows():
        if int(r["t"]) < 0:
            continue
        n = int(r["samples"])
        gens.append({"generation": int(r["t"]), "epsilon": float(r["epsilon"]), "simulations": n,
                     "acceptance": float(len(h.get_distribution(m=0, t=int(r["t"]))[1]) / n) if n else float("nan")})
    return Posterior(values=values, weights=np.asarray(w, dtype=float), generations=gens)


def medoid(values: np.ndarray, weights: np.ndarray) -> int:
    """Row of the weighted medoid of a posterior sample (one column per prior in :data:`priors.PRIORS`, natural
    scale): the particle with the smallest weighted mean distance to all others (:func:`medoid_order`)."""
    return int(medoid_order(values, weights)[0])


def medoid_order(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Rows of a posterior sample (one column per prior in :data:`priors.PRIORS`, natural scale) from the smallest
    weighted mean distance to all others to the largest (ties in row order), each parameter measured on its
    prior's scale as a share of the prior's range; the first is the weighted medoid.

    A particle, not a combination of marginal medians: where parameters are correlated (a higher serious share
    offset by a faster drop of the unserious ones), the medians of each alone can fall where the posterior has
    no mass and fit the figures worse than any particle."""
    x = np.column_stack([(np.array([p.scaled(v) for v in values[:, j]]) - p.bounds[0]) / (p.bounds[1] - p.bounds[0])
                         for j, p in enumerate(priors.PRIORS)])
    w = np.asarray(weights, float) / np.sum(weights)
    spread = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)) @ w
    return np.argsort(spread, kind="stable")


