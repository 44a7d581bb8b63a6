"""The model the explorer drives, and the loaded scenario's baseline run it is compared with.

The page re-creates the model on Reset; :class:`ExplorerModel` takes one
argument, ``controls`` (the tab's :class:`~sim.app.controls.ControlState`),
and builds the scenario from its last valid setting, so a refused setting can
never reach the model.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from sim.app.controls import BY_KEY, Control, ControlState, initial_values
from sim.model import AttractionModel, AttractionScenario, build_model
from sim.model.outputs import MONTHLY_COLUMNS, MONTHLY_TABLE
from sim.scenario import ScenarioSpec, default_spec, load_scenario, status_quo

ENV_SCENARIO = "SIM_EXPLORE_SCENARIO"
ENV_LANG = "SIM_EXPLORE_LANG"
DEFAULT_SCENARIO = Path("scenarios") / "baseline.toml"


def resolve_scenario(path: str | os.PathLike | None) -> str:
    """The scenario file to explore: ``path``, else scenarios/baseline.toml (here, or in the project folder) if it exists, else '' (parameter defaults)."""
    if path:
        return str(Path(path).resolve())
    for candidate in (DEFAULT_SCENARIO, Path(__file__).resolve().parents[2] / DEFAULT_SCENARIO):
        if candidate.is_file():
            return str(candidate.resolve())
    return ""


@lru_cache(maxsize=8)
def load_spec(path: str) -> ScenarioSpec:
    """The scenario at ``path`` (validated), or the parameter defaults when ``path`` is empty."""
    return load_scenario(path) if path else default_spec()


def spec_from_env() -> ScenarioSpec:
    """The scenario ``sim explore`` was started with (environment variable SIM_EXPLORE_SCENARIO)."""
    if ENV_SCENARIO in os.environ:  # '' means: the parameter defaults
        return load_spec(os.environ[ENV_SCENARIO])
    return load_spec(resolve_scenario(None))


class ExplorerModel(AttractionModel):
    """An :class:`~sim.model.AttractionModel` built from a browser tab's controls.

    ``controls`` carries the loaded scenario, the last valid lever setting and
    the seed. Without it, the model is the scenario started by ``sim explore``
    at its own levers and seed 0. An empty ``scenario`` (what Mesa's SolaraViz
    passes on Reset) is ignored: the controls decide.
    """

    def __init__(self, scenario: AttractionScenario | None = None, *, controls: ControlState | None = None,
                 seed: int | None = None):
        if controls is None:
            controls = ControlState(spec_from_env())
        spec = controls.current_spec()
        self.controls_applied: dict[str, Any] = dict(controls.values)
        self.seed_applied: int = controls.seed if seed is None else int(seed)
        self.spec = spec
        self.base_spec = controls.spec
        # The status quo's spin-up, then the controls' levers from month 0 (as every run does, sim.model.build_model).
        super().__init__(AttractionScenario(rng=None, params=status_quo(spec.params), name="status_quo"),
                         seed=self.seed_applied)
        self.begin(spec.params, spec.name)

    def controls_changed(self) -> list[tuple[Control, Any]]:
        """Levers this model runs with that differ from the loaded scenario's, with their values."""
        base = initial_values(self.base_spec)
        return [(BY_KEY[k], v) for k, v in self.controls_applied.items() if base.get(k) != v]


def frame(model: AttractionModel) -> pd.DataFrame:
    """The model's monthly outputs so far, one row per month (month 0 is the start)."""
    return model.datacollector.get_table_dataframe(MONTHLY_TABLE)


@lru_cache(maxsize=32)
def _baseline(ref: _SpecRef, seed: int) -> pd.DataFrame:
    spec = ref.spec
    model = build_model(spec.params, seed, spec.name)
    model.run_for(spec.params.run.horizon_months)
    df = frame(model)
    return df[list(MONTHLY_COLUMNS)].copy()


class _SpecRef:
    """Hashable by the spec's config hash, so the cache holds one baseline per scenario and seed."""

    def __init__(self, spec: ScenarioSpec):
        self.spec = spec
        self.key = (spec.name, spec.config_hash())

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SpecRef) and other.key == self.key


def baseline(spec: ScenarioSpec, seed: int) -> pd.DataFrame:
    """Monthly outputs of the loaded scenario at its own levers over the whole horizon (cached per scenario and seed).

    Same seed as the current run: with common random numbers the gap between
    the two curves is the effect of the levers moved, not noise.
    """
    return _baseline(_SpecRef(spec), int(seed))
