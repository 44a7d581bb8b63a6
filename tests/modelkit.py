"""Helpers shared by the model and scenario tests: small, fast parameter sets and paired-seed runs."""

from __future__ import annotations

import numpy as np

from sim.model import simulate
from sim.scenario import ScenarioSpec, default_spec, load_scenario

SEEDS = (11, 12, 13, 14)
SMALL = {"run.n_investors": 4000, "run.horizon_months": 48}


def small(spec: ScenarioSpec | None = None, **overrides) -> ScenarioSpec:
    """A third-size market (budgets, capacities and land scale with it) and a four-year horizon."""
    spec = spec or default_spec()
    return spec.with_overrides({**SMALL, **{k.replace("__", "."): v for k, v in overrides.items()}})


def scenario(name: str, **overrides) -> ScenarioSpec:
    """A scenario file from scenarios/, made small."""
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
