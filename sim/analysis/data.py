"""Stored runs of an experiment as data frames, with the scenarios' labels and the baseline named.

Only done runs enter the statistics; failed runs are counted and reported. Scenarios of different regions may
share an experiment: a scenario is compared only with the baseline of its own region (the experiment's baseline
if it is of that region, else the region's first scenario), never across regions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.experiment.store import (
    KEY_COLUMNS,
    RUN_COLUMNS,
    ResultStore,
    load_manifest,
    load_monthly,
    load_summaries,
)
from sim.model import registry
from sim.params import DEFAULT_REGION
from sim.scenario import load_scenario
from sim.stats import CAPITAL_ARRIVAL, FULFILMENT

BASELINE_NAME = "baseline"
SAMPLE_KINDS = ("lhs", "sobol", "morris")
NON_OUTPUT_COLUMNS = frozenset((*KEY_COLUMNS, *RUN_COLUMNS))
"""Stored columns that say which run a row is, not what it produced. Which outputs are compared is the registry's
word (``sim.model.registry.compared``): not the months simulated, nor the accounts by government and lever
(``spent_by_government.*``, read by the allocation table of ``sim optimise``; the analysis compares
``spent_by_lever`` instead)."""

MONTHLY_HEADLINE = ("signed_projects", "signed_capital", "arrived_capital", "cohort_fulfilment_rate_12m", FULFILMENT,
                    "cohort_capital_arrival_rate_12m", CAPITAL_ARRIVAL, "jobs", "n_operating")
"""Monthly columns whose paired differences are given at intermediate horizons."""

def cohort_months(output: str) -> int | None:
    """Months after signing of a cohort output (``cohort_fulfilment_rate_24m`` -> 24), else None."""
    if output.startswith("cohort_") and output.endswith("m"):
        tail = output.rsplit("_", 1)[-1][:-1]
        return int(tail) if tail.isdigit() else None
    return None


def definition(output: str, lang: str, horizon: int | None = None) -> str:
    """One line that says what an output counts (for the notes under charts and tables): the registry's
    definition, and for a cohort rate which signings its cohort holds at ``horizon`` (months simulated)."""
    text = registry.definition(output, lang)
    k = cohort_months(output)
    if not k or not registry.is_rate(output):
        return text
    window = (f"第 1-{horizon - k} 个月签约的项目" if lang == "zh" else f"projects signed in months 1-{horizon - k}") \
        if horizon and horizon > k else ("全部可随访的签约项目" if lang == "zh" else "every signing that can be followed")
    return f"{text}（{window}）" if lang == "zh" else f"{text} ({window})"


class AnalysisError(ValueError):
    """The results cannot be analysed as asked (no done runs, unknown baseline...); one line."""


@dataclass(frozen=True)
class ScenarioInfo:
    """A scenario of the experiment: name, position and bilingual title and description."""

    name: str
    index: int
    file: str
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    region: str = DEFAULT_REGION

    def label(self, lang: str = "zh") -> str:
        """Title in ``lang`` (falls back to English, then to the name)."""
        return self.title.get(lang) or self.title.get("en") or self.name


def baselines_of(names: list[str], regions: list[str], baseline: str) -> dict[str, str]:
    """Each scenario's baseline: ``baseline`` for the scenarios of its region, the first scenario of each other
    region for that region's (scenarios are paired only within a region)."""
    region_of = dict(zip(names, regions, strict=True))
    first: dict[str, str] = {}
    for n, r in zip(names, regions, strict=True):
        first.setdefault(r, n)
    first[region_of[baseline]] = baseline
    return {n: first[region_of[n]] for n in names}


POOLED_POINT = -1  # point_id of rows that pool every design point of a sample design


@dataclass
class Results:
    """The done runs of one results folder and what is needed to compare them."""

    root: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    monthly: pd.DataFrame | None
    outputs: list[str]
    scenarios: list[ScenarioInfo]
    baseline: str
    n_failed: int

    @property
    def name(self) -> str:
        """Experiment name."""
        return str(self.manifest.get("experiment", self.root.name))

    @property
    def baselines(self) -> dict[str, str]:
        """Each scenario's baseline: the experiment's for its region, the first scenario of each other region."""
        return baselines_of([s.name for s in self.scenarios], [s.region for s in self.scenarios], self.baseline)

    def baseline_of(self, name: str) -> str:
        """The scenario ``name`` is compared with (the baseline of its region)."""
        return self.baselines[name]

    def is_baseline(self, name: str) -> bool:
        """True for the experiment's baseline and the baseline of every other region in it."""
        return self.baselines.get(name) == name

    @property
    def design_kind(self) -> str:
        """Kind of design (none, list, factorial, lhs, sobol, morris)."""
        return str(self.manifest.get("design", {}).get("kind", "none"))

    @property
    def pooled(self) -> bool:
        """True for sample designs: effects pool every design point (an average over parameter uncertainty)."""
        return self.design_kind in SAMPLE_KINDS

    def point_groups(self):
        """(point_id, runs) per design point; one pooled group for sample designs."""
        if self.pooled:
            yield POOLED_POINT, self.runs
        else:
            for pid, g in self.runs.groupby("point_id", sort=True):
                yield int(pid), g

    def scenario_groups(self):
        """(point_id, scenario, that scenario's runs at that point) for every non-empty combination."""
        for pid, _, cells in self.cells():
            for s in self.scenarios:
                if s.name in cells:
                    yield pid, s, self.runs.iloc[cells[s.name]]

    def cells(self) -> list[tuple[int, str, dict[str, np.ndarray]]]:
        """(point_id, label, {scenario: positions of its runs in ``runs``, ascending}) for each point in
        ascending order, or one pooled group for sample designs: every grouping done at once."""
        runs = self.runs
        if self.pooled:
            by = runs.groupby("scenario", sort=False).indices
            return [(POOLED_POINT, "all", {str(k): v for k, v in by.items()})]
        by = runs.groupby(["point_id", "scenario"], sort=False).indices
        labels = runs["point_label"].to_numpy()
        out: dict[int, tuple[str, dict[str, np.ndarray]]] = {}
        for (pid, scen), pos in by.items():
            pid = int(pid)
            if pid not in out:
                out[pid] = (str(labels[pos[0]]), {})
            out[pid][1][str(scen)] = pos
        return [(pid, label, cells) for pid, (label, cells) in sorted(out.items())]

    @property
    def horizon(self) -> int:
        """Months simulated (the horizon of the summary values)."""
        h = self.manifest.get("horizon_months")
        if h is None and "months" in self.runs:
            h = int(self.runs["months"].max())
        return int(h or 0)

    def scenario(self, name: str) -> ScenarioInfo:
        """The scenario called ``name``."""
        for s in self.scenarios:
            if s.name == name:
                return s
        raise AnalysisError(f"{self.root}: key 'scenario': expected one of {', '.join(s.name for s in self.scenarios)}, found '{name}'")


def _scenario_infos(manifest: dict) -> list[ScenarioInfo]:
    out = []
    for i, s in enumerate(manifest.get("scenarios", [])):
        title: dict[str, str] = {}
        desc: dict[str, str] = {}
        region = s.get("region", DEFAULT_REGION)
        for candidate in (s.get("path"), s.get("file")):
            if candidate and Path(candidate).is_file():
                try:
                    spec = load_scenario(candidate)
                    title, desc, region = dict(spec.title), dict(spec.description), s.get("region", spec.region)
                    break
                except ScenarioError:
                    continue
        out.append(ScenarioInfo(s["name"], int(s.get("index", i)), str(s.get("file", "")), title, desc, region))
    return out


def output_columns(runs: pd.DataFrame, parameters: list[str]) -> list[str]:
    """Numeric summary columns the analysis compares (every output of the run summary, flattened, that the registry
    marks as compared), in stored order; outputs no run could observe (a cohort longer than the horizon allows: all
    NaN) are left out."""
    skip = NON_OUTPUT_COLUMNS | set(parameters)
    return [c for c in runs.columns
            if c not in skip and registry.compared(c) and pd.api.types.is_numeric_dtype(runs[c]) and not pd.api.types.is_bool_dtype(runs[c])
            and runs[c].notna().any()]


def load_results(results_dir: str | Path, baseline: str | None = None, monthly: bool | list[str] = True) -> Results:
    """Load the done runs of a results folder; ``baseline`` defaults to the scenario named "baseline", else the first.
    ``monthly``: the monthly series too (True: every column; a list: those columns; False: none)."""
    root = Path(results_dir)
    manifest = load_manifest(root)
    records = ResultStore(root).records()  # read once, for the summaries and to find the monthly parts
    table = load_summaries(root, records=records)
    runs = table.drop_columns([c for c in ("seed_spawn_key",) if c in table.column_names]).to_pandas()
    n_failed = int((runs["status"] != "done").sum()) if len(runs) else 0
    runs = runs[runs["status"] == "done"].reset_index(drop=True)
    if runs.empty:
        raise AnalysisError(f"{root}: key 'runs': expected at least one done run to analyse, found none")
    parameters = list(manifest.get("design", {}).get("parameters", []))
    outputs = output_columns(runs, [*parameters, *((manifest.get("posterior") or {}).get("columns", []))])
    runs[outputs] = runs[outputs].astype(float)
    scenarios = _scenario_infos(manifest)
    if not scenarios:
        scenarios = [ScenarioInfo(n, i, "") for i, n in enumerate(dict.fromkeys(runs["scenario"]))]
    names = [s.name for s in scenarios]
    if baseline is None:
        baseline = BASELINE_NAME if BASELINE_NAME in names else names[0]
    elif baseline not in names:
        raise AnalysisError(f"{root}: key 'baseline': expected one of {', '.join(names)}, found '{baseline}'")
    mon = None
    if monthly and manifest.get("record") == "monthly":
        m = load_monthly(root, None if monthly is True else list(monthly), records=records).to_pandas()
        mon = m if len(m) else None
    return Results(root, manifest, runs, mon, outputs, scenarios, baseline, n_failed)


def pair_keys_of(runs: pd.DataFrame) -> np.ndarray:
    """One integer per run that orders runs by (point_id, replication)."""
    return runs["point_id"].to_numpy(dtype=np.int64) * (1 << 32) + runs["replication"].to_numpy(dtype=np.int64)


def pair_positions(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``a`` and in ``b`` (pair keys, each unique) of the keys both hold, ordered by key: the runs
    paired by point and replication (common random numbers)."""
    _, ia, ib = np.intersect1d(a, b, assume_unique=True, return_indices=True)
    return ia, ib
