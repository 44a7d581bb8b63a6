"""Helpers shared by the model and scenario tests: small, fast parameter sets and paired-seed runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.model import simulate
from sim.scenario import ScenarioSpec, default_spec, load_scenario

SEEDS = (11, 12, 13, 14)
SCENARIOS = sorted(p.stem for p in Path("scenarios").glob("*.toml"))
"""The shipped scenario files of the default region, by name (scenarios/*.toml)."""
SMALL = {"run.n_investors": 4000, "run.horizon_months": 48, "run.spinup_months": 0}
"""The small world of the mechanism tests: a third-size market over four years from a cold start (a mechanism is
under test, not the steady state, and a cold start costs a fifth of a warm one); tests of the shipped model run
warm (:func:`shipped`)."""

TEST_WORLD = {
    "population.serious_share": 0.8961, "hazards.not_serious": 0.0836, "hazards.no_land": 0.0652,
    "hazards.delay": 0.2911, "construction.upfront_share": 0.4369, "construction.stall_speed": 0.1693,
    "construction.build_time_scale": 0.8779, "construction.size_elasticity": 0.4304,
    "platform.county_land_mu_per_year": 5018.5404, "hazards.stall": 0.006, "population.capital_sigma": 1.45,
    "behaviour.outside_option": 0.8,
}
"""A regime some mechanism tests need (the fit to the Lanzhou cohorts of a cold start, before the Bayesian
calibration): serviced land the counties add at about 5,000 mu a year, a no-land hazard of 0.065 that projects
leave readily for, and a pull of competing regions of 0.8, so more of the projects start and more promises fall due
than the fund carries in four years from a cold start. Only mechanism tests whose docstring says why they need it
use it (:func:`in_test_world`); every other test runs in the shipped calibrated world (:func:`small`,
:func:`scenario`), and the strategy tests (tests/test_strategies.py) at full size on the shipped baseline and at
posterior draws."""


def experiment_script(name: str):
    """A script of experiments/ (``name`` without ``.py``) as the module ``experiments.<name>``, for tests of what it
    measures and writes; importable by name, so its functions reach the worker processes of its pools."""
    import importlib
    import sys

    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    return importlib.import_module(f"experiments.{name}")


def _dotted(overrides: dict) -> dict:
    return {k.replace("__", "."): v for k, v in overrides.items()}


def small(spec: ScenarioSpec | None = None, **overrides) -> ScenarioSpec:
    """A third-size market (budgets, capacities and land scale with it), a four-year horizon from a cold start, in
    the shipped calibrated world."""
    spec = spec or default_spec()
    return spec.with_overrides({**SMALL, **_dotted(overrides)})


def in_test_world(spec: ScenarioSpec | None = None, **overrides) -> ScenarioSpec:
    """As :func:`small`, in :data:`TEST_WORLD`: for a mechanism test that needs that regime (its docstring says
    why)."""
    spec = spec or default_spec()
    return spec.with_overrides({**TEST_WORLD, **SMALL, **_dotted(overrides)})


def shipped(name: str, **overrides) -> ScenarioSpec:
    """A scenario file from scenarios/ as shipped (the calibrated baseline's world, full size), with ``overrides``
    (``section__key=value``) on top: for tests of what the shipped model does, not of a mechanism in a chosen
    regime."""
    return load_scenario(f"scenarios/{name}.toml", _dotted(overrides))


def scenario(name: str, **overrides) -> ScenarioSpec:
    """A scenario file from scenarios/, made small (the shipped world)."""
    return small(load_scenario(f"scenarios/{name}.toml"), **overrides)


def mean_summary(spec: ScenarioSpec, seeds=SEEDS) -> dict:
    """Mean of each numeric summary value (and of nested reason counts) over paired seeds."""
    runs = [simulate(spec, seed=s).summary for s in seeds]
    out: dict = {}
    for k, v in runs[0].items():
        if isinstance(v, dict):
            if all(not isinstance(x, dict) for x in v.values()):
                out[k] = {kk: float(np.mean([r[k][kk] for r in runs])) for kk in v}
        else:
            out[k] = float(np.mean([r[k] for r in runs]))
    return out


def paired(low: ScenarioSpec, high: ScenarioSpec, seeds=SEEDS) -> tuple[dict, dict]:
    """Mean summaries of two settings run on the same seeds (common random numbers)."""
    return mean_summary(low, seeds), mean_summary(high, seeds)


def wd(s: dict, reason: str) -> float:
    """Projects withdrawn (or closed) for ``reason`` in a (mean) summary."""
    return s["withdrawals_by_reason"][reason]
