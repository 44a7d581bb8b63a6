"""Loading and validating experiment files (``experiments/*.toml``).

An experiment says which scenarios to run, how often, with what root seed,
what to record and which parameter settings (the design) to try::

    [experiment]
    name = "sweep_incentives"                  # optional, default: the file name
    title = { zh = "激励力度扫描", en = "Incentive sweep" }   # optional
    description = "..."                        # optional: text or { zh, en }
    scenarios = ["../scenarios/baseline.toml"] # paths relative to this file's folder
    replications = 20                          # runs per scenario and design point, or adaptive:
    # replications = { min = 10, max = 80, until = "adequate", step = 10 }
    #   run in rounds of ``step`` (default: min) replications; stop each comparison with the
    #   baseline when every headline interval meets the analysis' adequacy rule, or at max
    root_seed = 20240601                       # one root seed for the whole experiment
    horizon_months = 60                        # optional: overrides every scenario's horizon
    record = "summary"                         # "summary" (end of run) or "monthly" (series too)
    parameters = "posterior"                   # optional: replication r runs at posterior draw r (default
                                               # "scenario": the scenario's calibrated values)
    posterior_draws = 20                       # optional: cycle 20 draws (default: a draw per replication)

    [overrides]                                # optional: applied to every run
    "run.n_investors" = 4000

    [design]                                   # optional: default kind = "none"
    kind = "factorial"                         # none | list | factorial | lhs | sobol | morris
    [design.values]
    "policy.incentive_rate" = [0.0, 3.0, 6.0]
    "service.one_stop_centre" = [false, true]

Design tables by kind:

- ``list``: ``[[design.points]]`` tables of overrides, each with an optional ``label``;
- ``factorial``: ``[design.values]``, a list of values per parameter;
- ``lhs``: ``[design.parameters]`` ranges ``[low, high]`` and ``samples``;
- ``sobol``: ranges, ``samples`` (a power of 2) and ``second_order`` (default false);
- ``morris``: ranges, ``trajectories`` and ``levels`` (default 4);
- sample designs take an optional ``seed``; by default it derives from ``root_seed``;
- instead of (or besides) ``[design.parameters]``, a sample design may say
  ``vary = ["assumption", "sourced", "calibrated"]``: every parameter of those kinds over
  its documented range, read from ``sim/params.py`` (a calibrated one over its posterior's
  90% interval, ``calibrated = "posterior"``, or its prior, ``"prior"``); ranges written in
  ``[design.parameters]`` replace the documented ones. A Morris design may then move the
  parameters of one mechanism together (``groups = "mechanisms"``,
  :mod:`sim.experiment.assumptions`) and add ``[design.members]``: a Latin hypercube of
  ``samples`` points over the parameters of the ``groups`` named, one by one.

``scenarios`` may name another experiment file instead of listing files (``scenarios =
"main.toml"``): its scenarios are run. ``extends = "other.toml"`` in ``[experiment]`` starts
from another experiment file: tables merge, values replace (a smaller setting of the same
design in a few lines).

With ``parameters = "posterior"`` every replication draws the calibrated parameters from the calibration's
posterior (:mod:`sim.experiment.posterior`): the same draw for every scenario and design point of that
replication, applied on top of the scenario's parameters; a design point may then not set a calibrated parameter.

Parameters are dotted keys into the scenario parameter tree, quoted
(``"policy.incentive_rate"``) or as TOML nested keys. Every design point is
applied to every scenario and validated here with
:meth:`sim.scenario.ScenarioSpec.with_overrides`, so a bad key or an out-of-range
value stops the experiment before any run, with one line naming the file,
the key, what was expected and what was found (:class:`ScenarioError`).

Scenarios may be of different regions (each names its own, ``[scenario]
region``): the comparisons pair a scenario only with the baseline of its
region, the scenario named ``baseline`` for its region and the first scenario
of each other region (:meth:`ExperimentSpec.baseline_for`); a design point
must be valid for every scenario, so one that sets a region's own sectors
fits only experiments of that region.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from sim.errors import ScenarioError, describe, error, one_of, whole_number
from sim.experiment import assumptions, designs
from sim.experiment.designs import Design
from sim.experiment.posterior import PARAMETER_SOURCES, PosteriorDraws, load_posterior_draws
from sim.experiment.seeds import MAX_ROOT_SEED, sampler_seed
from sim.scenario import ScenarioSpec, deep_merge, load_scenario, read_toml

TOP_KEYS = ("experiment", "overrides", "design")
EXPERIMENT_KEYS = ("name", "title", "description", "scenarios", "replications", "root_seed", "horizon_months", "record",
                   "extends", "parameters", "posterior_draws")
RECORD_MODES = ("summary", "monthly")
DESIGN_KEYS: dict[str, tuple[str, ...]] = {
    "none": ("kind",),
    "list": ("kind", "points"),
    "factorial": ("kind", "values"),
    "lhs": ("kind", "parameters", "samples", "seed", "vary", "calibrated"),
    "sobol": ("kind", "parameters", "samples", "second_order", "seed", "vary", "calibrated"),
    "morris": ("kind", "parameters", "trajectories", "levels", "seed", "vary", "calibrated", "groups", "members"),
}
MEMBERS_KEYS = ("groups", "samples")
RANGE = TypeAdapter(Annotated[list[float], Field(min_length=2, max_length=2)],
                    config=ConfigDict(strict=True, allow_inf_nan=False))
"""A sampled parameter's range: two finite numbers (NaN or an infinity would be sampled into every point)."""
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_POINTS = 1_000_000


class AdaptiveReplications(BaseModel):
    """Replications run in rounds until every comparison with the baseline is precise enough (sequential sampling).

    Round one runs ``min`` replications of every scenario and design point. After each round, each comparison of
    a scenario (at a design point) with the baseline whose headline intervals all meet the analysis' adequacy rule
    (:class:`sim.stats.AdequacyRule`) stops ("adequate"); one that has reached ``max`` stops too ("cap");
    the others get ``step`` more replications (the baseline as many as its longest comparison). Decisions use only
    the stored results of completed rounds, so they are the same on any engine and number of workers."""

    model_config = ConfigDict(extra="forbid", strict=True)

    min: int = Field(ge=2, le=100_000, description="replications of the first round (at least 2: an interval needs two pairs)")
    max: int = Field(ge=2, le=100_000, description="most replications a comparison gets (the cap)")
    until: Literal["adequate"] = Field("adequate", description="the stopping rule: the analysis' adequacy rule")
    step: int | None = Field(None, ge=1, le=100_000, description="replications added per round (default: min)")

    @model_validator(mode="after")
    def _ordered(self) -> AdaptiveReplications:
        if self.max < self.min:
            raise ValueError(f"max at least min ({self.min}), found {self.max}")
        return self

    @property
    def round_size(self) -> int:
        """Replications added in each round after the first."""
        return self.step or self.min

    def as_dict(self) -> dict[str, Any]:
        """The settings as stored with the results."""
        return {"min": self.min, "max": self.max, "until": self.until, "step": self.round_size}


@dataclass(frozen=True)
class ScenarioEntry:
    """One scenario of an experiment: its position, the path as written, and its validated spec."""

    index: int
    file: str
    path: Path
    spec: ScenarioSpec

    @property
    def name(self) -> str:
        """The scenario's name (unique within the experiment)."""
        return self.spec.name


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment: scenarios x design points x replications, with one root seed."""

    name: str
    path: Path
    text: str
    sha256: str  # of the text of every file of the chain, comments and layout included (provenance)
    content_sha256: str  # of what the files say (:func:`content_hash`): what a resume compares
    scenarios: tuple[ScenarioEntry, ...]
    replications: int
    root_seed: int
    record: str
    design: Design
    overrides: dict[str, Any]
    horizon_months: int | None = None
    title: dict[str, str] | None = None
    description: dict[str, str] | None = None
    adaptive: AdaptiveReplications | None = None  # replications in rounds; then ``replications`` is the cap
    posterior: PosteriorDraws | None = None  # replication r at posterior draw r (``parameters = "posterior"``)

    @property
    def n_runs(self) -> int:
        """Runs the experiment comprises: scenarios x design points x replications (with adaptive replications:
        at most)."""
        return len(self.scenarios) * self.design.n_points * self.replications

    @property
    def baseline_index(self) -> int:
        """The scenario comparisons are made against: the one named 'baseline', else the first."""
        return next((e.index for e in self.scenarios if e.name == "baseline"), 0)

    def baseline_for(self, index: int) -> int:
        """The scenario scenario ``index`` is compared with: the baseline if it is of the same region, else the first
        scenario of its region (scenarios are paired only within a region)."""
        base = self.scenarios[self.baseline_index]
        region = self.scenarios[index].spec.region
        if base.spec.region == region:
            return base.index
        return next(e.index for e in self.scenarios if e.spec.region == region)

    def describe(self) -> str:
        """One line for people: how many runs and why."""
        if self.adaptive:
            a = self.adaptive
            return (f"{len(self.scenarios)} scenario(s) x {self.design.n_points} design point(s) x {a.min}-{a.max} "
                    f"replication(s) in rounds of {a.round_size} until adequate = at most {self.n_runs} runs")
        return (f"{len(self.scenarios)} scenario(s) x {self.design.n_points} design point(s) x "
                f"{self.replications} replication(s) = {self.n_runs} runs")


# ----------------------------------------------------------------------------- errors
def _check_keys(path: Path, table: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            full = f"{where}.{key}" if where else key
            raise error(path, full, one_of(key, allowed), f"unknown key '{key}'")


def _labels(path: Path, key: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if not isinstance(value, dict) or any(k not in ("zh", "en") or not isinstance(v, str) for k, v in value.items()):
        raise error(path, key, "text or a table with text 'zh' and 'en'", describe(value))
    return dict(value)


# ----------------------------------------------------------------------------- dotted keys
def flatten_overrides(table: dict[str, Any], tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a (possibly nested) TOML table of overrides.

    ``{"policy": {"incentive_rate": 5}}`` and ``{"policy.incentive_rate": 5}``
    both give ``{"policy.incentive_rate": 5}``. Descent stops at a parameter
    whose value is itself a table of new keys (``sector_focus = {leading = 2}``),
    which is then replaced whole. ``tree`` is the parameter tree (a dict) used
    to tell sections from table-valued parameters.
    """
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        sub = _lookup(tree, key)
        if isinstance(value, dict) and value and (sub is None or (isinstance(sub, dict) and set(value) <= set(sub))):
            out.update(flatten_overrides(value, sub, prefix=f"{dotted}."))
        else:
            out[dotted] = value
    return out


def _lookup(tree: Any, dotted: str) -> Any:
    node = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def apply_overrides(spec: ScenarioSpec, overrides: dict[str, Any], path: Path, section: str,
                    context: str = "") -> ScenarioSpec:
    """``spec.with_overrides(overrides)`` with errors naming the experiment file and the section of the key."""
    try:
        return spec.with_overrides(overrides, source=str(path))
    except ScenarioError as exc:
        msg = str(exc)
        head = f"{path}: key '"
        if msg.startswith(head):
            rest = msg[len(head):]
            key = rest.split("'", 1)[0]
            if any(_related(key, k) for k in overrides):
                msg = f"{head}{section}.{rest}"
        if context:
            msg = f"{msg} ({context})"
        raise ScenarioError(msg) from None


def _related(key: str, override: str) -> bool:
    """Whether an error's dotted ``key`` (``*`` for any table key, as in ``channels.*.share``) is an override's
    key, lies inside it or holds it."""
    a, b = key.split("."), override.split(".")
    return all(x == y or x == "*" for x, y in zip(a, b, strict=False))


def _point_text(point: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in point.items())
    return text if len(text) <= 100 else text[:97] + "..."


# ----------------------------------------------------------------------------- value kinds
def value_kind(value: Any) -> str:
    """Column kind of an override value: 'bool', 'int', 'float', 'str' or 'json' (lists and tables)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return "json"


def column_kind(values: list[Any]) -> str | None:
    """The one column kind of a parameter's values (ints and floats mix as floats); None if they do not mix."""
    kinds = {value_kind(v) for v in values if v is not None}
    if not kinds:
        return "float"
    if kinds <= {"int", "float"}:
        return "float" if "float" in kinds else "int"
    return kinds.pop() if len(kinds) == 1 else None


# ----------------------------------------------------------------------------- design
def _ranges(path: Path, raw: Any, tree: dict) -> tuple[dict[str, tuple[float, float]], frozenset[str]]:
    if not isinstance(raw, dict) or not raw:
        raise error(path, "design.parameters", 'a table of ranges like "policy.incentive_rate" = [0.0, 6.0]',
                   describe(raw) if raw is not None else "none")
    flat = flatten_overrides(raw, tree)
    ranges: dict[str, tuple[float, float]] = {}
    integer = set()
    for key, rng in flat.items():
        full = f"design.parameters.{key}"
        try:
            lo, hi = RANGE.validate_python(rng)
        except ValidationError:
            raise error(path, full, "a range [low, high] of two finite numbers", describe(rng)) from None
        if not lo < hi:
            raise error(path, full, "low < high", describe(rng))
        current = _lookup(tree, key)
        if isinstance(current, bool):
            raise error(path, full, "a numeric parameter to sample (switches go in a factorial or list design)",
                       f"the switch '{key}'")
        if current is not None and not isinstance(current, int | float):
            raise error(path, full, "a numeric parameter to sample", f"'{key}' holding {describe(current)}")
        if isinstance(current, int):
            integer.add(key)
        ranges[key] = (lo, hi)
    return ranges, frozenset(integer)


def _varied(path: Path, raw: dict) -> tuple[dict[str, tuple[float, float]], frozenset[str]]:
    """The ranges of ``vary`` (kinds of parameters) read from ``sim/params.py``."""
    kinds = raw["vary"]
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        raise error(path, "design.vary", f"a list of parameter kinds ({', '.join(assumptions.VARIED_KINDS)})",
                    describe(raw["vary"]))
    for i, k in enumerate(kinds):
        if k not in assumptions.VARIED_KINDS:
            raise error(path, f"design.vary[{i}]", one_of(k, assumptions.VARIED_KINDS), describe(k))
    calibrated = raw.get("calibrated", "posterior")
    if calibrated not in assumptions.CALIBRATED_RANGES:
        raise error(path, "design.calibrated", one_of(str(calibrated), assumptions.CALIBRATED_RANGES),
                    describe(calibrated))
    return assumptions.varied_ranges(tuple(kinds), calibrated)


def _design_ranges(path: Path, raw: dict, tree: dict) -> tuple[dict[str, tuple[float, float]], frozenset[str]]:
    """The sampled ranges: those of ``vary`` (documented) and of ``[design.parameters]`` (written), which win."""
    if "calibrated" in raw and "vary" not in raw:
        raise error(path, "design.calibrated", "a design that varies kinds of parameters (vary = [...])",
                    "no design.vary")
    if "vary" not in raw:
        return _ranges(path, raw.get("parameters"), tree)
    ranges, integer = _varied(path, raw)
    if "parameters" in raw:
        own, own_integer = _ranges(path, raw["parameters"], tree)
        ranges.update(own)
        integer = frozenset((integer - set(own)) | own_integer)
    return ranges, integer


def _grouped_morris(path: Path, raw: dict, ranges: dict[str, tuple[float, float]], integer: frozenset[str],
                    tree: dict, seed: int, trajectories: int, levels: int) -> Design:
    """A Morris design whose parameters move by mechanism, with the members' Latin hypercube if asked for."""
    groups = raw.get("groups")
    if groups is not None and groups not in assumptions.GROUPINGS:
        raise error(path, "design.groups", one_of(str(groups), assumptions.GROUPINGS), describe(groups))
    by_group = None
    if groups is not None:
        try:
            by_group = assumptions.grouping(list(ranges))
        except ValueError as exc:
            raise error(path, "design.groups", "a mechanism for every varied parameter", str(exc)) from None
    design = designs.morris_design(ranges, trajectories, seed, levels, integer, by_group)
    members = raw.get("members")
    if members is None:
        return design
    if not isinstance(members, dict):
        raise error(path, "design.members", "a table with groups and samples", describe(members))
    _check_keys(path, members, MEMBERS_KEYS, "design.members")
    names = members.get("groups")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise error(path, "design.members.groups", "a list of mechanisms whose parameters to sample one by one",
                    describe(names))
    for i, n in enumerate(names):
        if n not in assumptions.MECHANISM_NAMES:
            raise error(path, f"design.members.groups[{i}]", one_of(n, assumptions.MECHANISM_NAMES), describe(n))
    keys = [k for k in ranges if assumptions.group_of(k) in names]
    if not keys:
        raise error(path, "design.members.groups", "mechanisms with a varied parameter", describe(names))
    samples = whole_number(path, "design.members.samples", members.get("samples"), 2, MAX_POINTS, "a sample size")
    shipped = {k: _lookup(tree, k) for k in ranges}
    return designs.with_members(design, keys, samples, (seed + 1) % 2**32, shipped, names)


def _build_design(path: Path, raw: Any, tree: dict, root_seed: int) -> Design:
    if raw is None:
        return designs.single_point()
    if not isinstance(raw, dict):
        raise error(path, "design", "a table", describe(raw))
    kind = raw.get("kind")
    if kind is None:
        raise error(path, "design.kind", f"one of {', '.join(designs.KINDS)}", "none")
    if kind not in designs.KINDS:
        raise error(path, "design.kind", one_of(str(kind), designs.KINDS), describe(kind))
    _check_keys(path, raw, DESIGN_KEYS[kind], "design")
    seed = raw.get("seed")
    if seed is not None:
        seed = whole_number(path, "design.seed", seed, 0, 2**32 - 1, "a sampler seed")
    else:
        seed = sampler_seed(root_seed)
    if kind == "none":
        return designs.single_point()
    if kind == "list":
        points_raw = raw.get("points")
        if not isinstance(points_raw, list) or not points_raw or not all(isinstance(p, dict) for p in points_raw):
            raise error(path, "design.points", "a non-empty list of tables ([[design.points]])",
                       describe(points_raw) if points_raw is not None else "none")
        points, labels = [], []
        for i, p in enumerate(points_raw):
            p = dict(p)
            label = p.pop("label", f"p{i}")
            if not isinstance(label, str) or not label:
                raise error(path, f"design.points[{i}].label", "text", describe(label))
            if label in labels:
                raise error(path, f"design.points[{i}].label", "a label used once", f"'{label}' again")
            labels.append(label)
            points.append(flatten_overrides(p, tree))
        return designs.list_design(points, labels)
    if kind == "factorial":
        values = raw.get("values")
        if not isinstance(values, dict) or not values:
            raise error(path, "design.values", 'a table of value lists like "policy.incentive_rate" = [0.0, 3.0]',
                       describe(values) if values is not None else "none")
        flat = flatten_overrides(values, tree)
        for key, vals in flat.items():
            if not isinstance(vals, list) or not vals:
                raise error(path, f"design.values.{key}", "a non-empty list of values", describe(vals))
        n = 1
        for vals in flat.values():
            n *= len(vals)
        if n > MAX_POINTS:
            raise error(path, "design.values", f"at most {MAX_POINTS} combinations", f"{n}")
        return designs.factorial_design(flat)
    ranges, integer = _design_ranges(path, raw, tree)
    design = _sampled(path, raw, kind, ranges, integer, tree, seed)
    return designs.adjusted(design, assumptions.rescale_shares) if "vary" in raw else design


def _sampled(path: Path, raw: dict, kind: str, ranges: dict[str, tuple[float, float]], integer: frozenset[str],
             tree: dict, seed: int) -> Design:
    """A Latin hypercube, Sobol' or Morris design over ``ranges``."""
    if kind in ("lhs", "sobol"):
        samples = whole_number(path, "design.samples", raw.get("samples"), 1, MAX_POINTS, "a sample size")
        if kind == "lhs":
            return designs.lhs_design(ranges, samples, seed, integer)
        if not designs.is_power_of_two(samples):
            lo, hi = designs.nearest_powers_of_two(samples)
            raise error(path, "design.samples", f"a power of 2 for Sobol' sampling (e.g. {lo} or {hi})", str(samples))
        second = raw.get("second_order", False)
        if not isinstance(second, bool):
            raise error(path, "design.second_order", "true or false", describe(second))
        return designs.sobol_design(ranges, samples, seed, second, integer)
    trajectories = whole_number(path, "design.trajectories", raw.get("trajectories"), 2, MAX_POINTS, "a number of trajectories")
    levels = whole_number(path, "design.levels", raw.get("levels", 4), 2, 100, "an even number of grid levels")
    if levels % 2:
        raise error(path, "design.levels", "an even number of grid levels (Morris)", str(levels))
    return _grouped_morris(path, raw, ranges, integer, tree, seed, trajectories, levels)


def _design_section(kind: str, index: int) -> str:
    return {"list": f"design.points[{index}]", "factorial": "design.values"}.get(kind, "design.parameters")


# ----------------------------------------------------------------------------- loading
def _relocated(files: Any, source: Path, target: Path) -> Any:
    """Scenario paths written relative to the folder of ``source``, made relative to the folder of ``target``."""
    def move(f: str) -> str:
        return Path(os.path.relpath(source.parent / f, target.parent)).as_posix()

    if isinstance(files, str):
        return move(files)
    if isinstance(files, list) and all(isinstance(f, str) for f in files):
        return [move(f) for f in files]
    return files


def read_experiment(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], str]:
    """The table of an experiment file with its ``extends`` chain merged in (tables merge, values replace; the
    base's name and its scenario paths are not taken as they are: the name is the file's own, the paths are
    made relative to this file), and the text of every file of the chain (what the results' hash covers)."""
    raw = read_toml(path)
    text = path.read_text(encoding="utf-8")
    exp = raw.get("experiment")
    if not isinstance(exp, dict) or "extends" not in exp:
        return raw, text
    base_file = exp["extends"]
    if not isinstance(base_file, str) or not base_file:
        raise error(path, "experiment.extends", "the path of another experiment file", describe(base_file))
    base_path = path.parent / base_file
    if base_path.resolve() in (*chain, path.resolve()):
        raise error(path, "experiment.extends", "a chain of files without a cycle", f"'{base_file}' again")
    if not base_path.is_file():
        raise error(path, "experiment.extends", "an experiment file (relative to this file's folder)",
                    f"no file {base_path}")
    base, base_text = read_experiment(base_path, (*chain, path.resolve()))
    base_exp = dict(base.get("experiment") or {})
    base_exp.pop("name", None)
    if "scenarios" in base_exp:
        base_exp["scenarios"] = _relocated(base_exp["scenarios"], base_path, path)
    own = dict(raw, experiment={k: v for k, v in exp.items() if k != "extends"})
    return deep_merge(dict(base, experiment=base_exp), own), f"{text}\n# extends {base_file}:\n{base_text}"


def content_hash(raw: dict[str, Any]) -> str:
    """The sha256 of an experiment's table as :func:`read_experiment` merges it (keys sorted, values as TOML read
    them): two files that differ only in comments, layout, key order or quoting have the same hash."""
    blob = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def says_otherwise(stored_content: str | None, stored_text: str | None, content: str, text: str) -> bool:
    """Whether a file now says something other than when stored results were started: its content hash
    (:func:`content_hash`) against the stored one, or, for results stored before content hashes were kept
    (``stored_content`` None), its text's hash against the stored text's."""
    return stored_content != content if stored_content is not None else stored_text != text


def _scenario_files(path: Path, files: Any) -> list[str]:
    """The scenario files of an experiment: its list, or the list of the experiment file it names."""
    if isinstance(files, str) and files.endswith(".toml"):
        other = path.parent / files
        if not other.is_file():
            raise error(path, "experiment.scenarios", "a list of scenario files or an experiment file whose "
                        "scenarios to run", f"no file {other}")
        other_raw, _ = read_experiment(other)
        named = (other_raw.get("experiment") or {}).get("scenarios")
        if not isinstance(named, list) or not named or not all(isinstance(f, str) for f in named):
            raise error(other, "experiment.scenarios", "a non-empty list of scenario file paths", describe(named))
        return _relocated(named, other, path)
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise error(path, "experiment.scenarios", "a non-empty list of scenario file paths (or an experiment "
                    "file whose scenarios to run)", describe(files))
    return files


def load_experiment(path: str | Path) -> ExperimentSpec:
    """Load and validate an experiment file; raise a one-line ScenarioError on any problem."""
    path = Path(path)
    raw, text = read_experiment(path)
    content = content_hash(raw)
    _check_keys(path, raw, TOP_KEYS, "")
    exp = raw.get("experiment")
    if not isinstance(exp, dict):
        raise error(path, "experiment", "a table [experiment] with scenarios, replications and root_seed",
                   describe(exp) if exp is not None else "none")
    _check_keys(path, exp, EXPERIMENT_KEYS, "experiment")

    name = exp.get("name", path.stem)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise error(path, "experiment.name", "a folder-safe name (letters, digits, '_', '-', '.')", describe(name))
    title = _labels(path, "experiment.title", exp["title"]) if "title" in exp else None
    description = _labels(path, "experiment.description", exp["description"]) if "description" in exp else None

    for key in ("scenarios", "replications", "root_seed"):
        if key not in exp:
            what = {"scenarios": "a list of scenario files", "replications": "a number of replications",
                    "root_seed": "an integer root seed"}[key]
            raise error(path, f"experiment.{key}", what, "none")
    adaptive = None
    if isinstance(exp["replications"], dict):
        adaptive = _adaptive(path, exp["replications"])
        replications = adaptive.max
    else:
        replications = whole_number(path, "experiment.replications", exp["replications"], 1, 100_000,
                             "a number of replications or a table { min, max, until = \"adequate\" }")
    root_seed = whole_number(path, "experiment.root_seed", exp["root_seed"], 0, MAX_ROOT_SEED, "an integer root seed")
    record = exp.get("record", "summary")
    if record not in RECORD_MODES:
        raise error(path, "experiment.record", one_of(str(record), RECORD_MODES), describe(record))
    horizon = exp.get("horizon_months")
    if horizon is not None:
        horizon = whole_number(path, "experiment.horizon_months", horizon, 1, 600, "a horizon in months")

    posterior = _posterior(path, exp)
    files = _scenario_files(path, exp["scenarios"])

    # Overrides applied to every run: the [overrides] table and the horizon.
    over_raw = raw.get("overrides", {})
    if not isinstance(over_raw, dict):
        raise error(path, "overrides", 'a table of dotted keys like "run.n_investors" = 2000', describe(over_raw))

    entries: list[ScenarioEntry] = []
    seen_paths: dict[Path, int] = {}
    seen_names: dict[str, str] = {}
    overrides: dict[str, Any] | None = None
    for i, file in enumerate(files):
        spath = path.parent / file
        if not spath.is_file():
            raise error(path, f"experiment.scenarios[{i}]",
                       "a scenario file (paths are relative to the experiment file's folder)", f"no file {spath}")
        resolved = spath.resolve()
        if resolved in seen_paths:
            raise error(path, f"experiment.scenarios[{i}]", "each scenario listed once", f"'{file}' again")
        seen_paths[resolved] = i
        spec = load_scenario(spath)
        if overrides is None:
            tree = spec.params.model_dump(mode="python")
            overrides = flatten_overrides(over_raw, tree)
            if horizon is not None:
                if "run.horizon_months" in overrides and overrides["run.horizon_months"] != horizon:
                    raise error(path, "overrides.run.horizon_months", "the horizon set once (experiment.horizon_months)",
                               f"{overrides['run.horizon_months']} and {horizon}")
                overrides["run.horizon_months"] = horizon
        if overrides:
            spec = apply_overrides(spec, overrides, path, "overrides", f"scenario '{spec.name}'")
        if spec.name in seen_names:
            raise error(path, f"experiment.scenarios[{i}]", "scenarios with distinct names",
                       f"'{spec.name}' in both {seen_names[spec.name]} and {file}")
        seen_names[spec.name] = file
        entries.append(ScenarioEntry(i, file, spath, spec))
    assert overrides is not None

    tree = entries[0].spec.params.model_dump(mode="python")
    design = _build_design(path, raw.get("design"), tree, root_seed)
    _check_design(path, design, entries)
    if posterior is not None:
        clash = next((k for k in design.parameters if k in posterior.keys), None)
        if clash:
            raise error(path, f"design.{clash}", "no calibrated parameter in the design when parameters = \"posterior\" "
                        "(each replication draws them)", f"'{clash}' varied")
    if adaptive is not None and len(entries) < 2:
        raise error(path, "experiment.replications", "a number of replications (adaptive replications stop "
                   "comparisons with a baseline, which needs two scenarios or more)", f"{len(entries)} scenario")
    return ExperimentSpec(
        name=name, path=path, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        content_sha256=content, scenarios=tuple(entries), replications=replications, root_seed=root_seed, record=record,
        design=design, overrides=overrides, horizon_months=horizon, title=title, description=description,
        adaptive=adaptive, posterior=posterior,
    )


def _posterior(path: Path, exp: dict[str, Any]) -> PosteriorDraws | None:
    """The posterior draws ``[experiment] parameters = "posterior"`` asks for (None for the scenario's values)."""
    source = exp.get("parameters", "scenario")
    if source not in PARAMETER_SOURCES:
        raise error(path, "experiment.parameters", one_of(str(source), PARAMETER_SOURCES), describe(source))
    cap = exp.get("posterior_draws")
    if source != "posterior":
        if cap is not None:
            raise error(path, "experiment.posterior_draws", 'parameters = "posterior" beside it', "none")
        return None
    if cap is not None:
        cap = whole_number(path, "experiment.posterior_draws", cap, 1, 100_000, "a number of posterior draws")
    return load_posterior_draws(cap=cap, source=path)


def _adaptive(path: Path, raw: dict[str, Any]) -> AdaptiveReplications:
    """The adaptive replications table, or a one-line error naming the key."""
    try:
        return AdaptiveReplications.model_validate(raw)
    except ValidationError as exc:
        e = exc.errors()[0]
        loc = ".".join(str(x) for x in e["loc"])
        key = "experiment.replications" + (f".{loc}" if loc else "")
        if e["type"] == "extra_forbidden":
            close = difflib.get_close_matches(str(e["loc"][-1]), list(AdaptiveReplications.model_fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise error(path, key, "one of min, max, until, step" + hint, "an unknown key") from None
        if e["type"] == "missing":
            raise error(path, key, f"{AdaptiveReplications.model_fields[str(e['loc'][-1])].description}", "none") from None
        if e["type"] == "value_error":  # max below min
            raise error(path, key + ".max", f"a cap at least min ({raw.get('min')})", describe(raw.get("max"))) from None
        ctx = e.get("ctx") or {}
        expected = {"literal_error": 'until = "adequate" (the analysis\' adequacy rule)',
                    "greater_than_equal": f"an integer >= {ctx.get('ge')}",
                    "less_than_equal": f"an integer <= {ctx.get('le')}"}.get(e["type"], "an integer")
        raise error(path, key, expected, describe(e.get("input"))) from None


def _check_design(path: Path, design: Design, entries: list[ScenarioEntry]) -> None:
    """Every design point validates on every scenario; each parameter's values are of one kind."""
    for key in design.parameters:
        vals = [p.get(key) for p in design.points]
        if column_kind(vals) is None:
            kinds = sorted({value_kind(v) for v in vals if v is not None})
            i = next(j for j, v in enumerate(vals) if v is not None and value_kind(v) == kinds[-1])
            raise error(path, f"{_design_section(design.kind, i)}.{key}",
                       "values of one kind (numbers, true/false or text)", f"{' and '.join(kinds)} values")
    for entry in entries:
        for i, point in enumerate(design.points):
            if point:
                apply_overrides(entry.spec, point, path, _design_section(design.kind, i),
                                f"scenario '{entry.name}', design point {i}: {_point_text(point)}")
