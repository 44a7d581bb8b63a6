"""Loading and validating scenario files (TOML) into typed parameters.

A scenario file holds a ``[scenario]`` table (name, bilingual title and
description, the region it simulates, optional ``extends`` naming a parent
file) and any parameter sections of :class:`sim.params.Params`, listing only
what differs from its parent (or from its region's values).

Values come in layers, each over the one before: every parameter's default
(``sim/params.py``), the region's files (``regions/<name>/``, the region named
by ``region``, else the default region), the parent's chain, the file itself,
then overrides (``--set``, an experiment's overrides and design points).
Tables merge key by key; a value replaces. ``extends`` is looked for beside the
file, then in the region's scenario folder; a child inherits its parent's
region and may not name another; a child without a title of its own is titled
as its parent's, marked modified ("（修改）" / "(modified)"). Every problem is
reported as one line naming the file, the key, what was expected and what was
found, via :class:`ScenarioError`.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import ScenarioError, describe
from sim.params import DEFAULT_REGION, Params, region_data
from sim.region import deep_merge, load_region

META_KEYS = {"name", "extends", "title", "description", "region"}
MODIFIED = {"zh": "（修改）", "en": " (modified)"}
"""What marks the title a child inherits from its parent when it gives none of its own."""
_REGION_DEPTH = 10**6  # the region's files lie below every file of an ``extends`` chain


@dataclass(frozen=True)
class ScenarioSpec:
    """A validated scenario: its identity, bilingual labels and resolved parameters."""

    name: str
    params: Params
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    path: str = ""
    chain: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        """Short title in the requested language, falling back to the name."""
        return self.title.get(lang) or self.title.get("en") or self.name

    @property
    def region(self) -> str:
        """The region the scenario simulates."""
        return self.params.region

    def config_hash(self) -> str:
        """Hash of the resolved parameters: two specs with the same hash simulate identically."""
        blob = json.dumps(self.params.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> ScenarioSpec:
        """A copy with dotted-key overrides applied (``{"policy.incentive_rate": 5}``), validated."""
        data = self.params.model_dump(mode="python")
        if "region" in overrides:
            raise ScenarioError(f"{source}: key 'region': expected the scenario's own region ('{self.params.region}', "
                                "set by [scenario] region in its file), found an override")
        for dotted, value in overrides.items():
            _set_dotted(data, dotted, value, source)
        params = _validate(data, source)
        return ScenarioSpec(self.name, params, self.title, self.description, self.path, self.chain)


def _set_dotted(data: dict, dotted: str, value: Any, source: str) -> None:
    """Set one dotted key. The last key may be new (an entry of a table such as a channel's sector focus);
    whether it is allowed is for the validation of the parameters to say."""
    parts = dotted.split(".")
    node = data
    for i, part in enumerate(parts):
        if not isinstance(node, dict):
            above = ".".join(parts[:i])
            raise ScenarioError(f"{source}: key '{dotted}': expected '{above}' to be set as one value, "
                                f"found a key '{part}' below it")
        if part not in node and i < len(parts) - 1:
            raise ScenarioError(f"{source}: key '{dotted}': expected {_expect_key(part, list(node))}, "
                                f"found unknown key '{part}'")
        if i == len(parts) - 1:
            node[part] = value
        else:
            node = node[part]


def _expect_key(part: str, options: list[str]) -> str:
    close = difflib.get_close_matches(part, options, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"one of {', '.join(sorted(options))}{hint}" if len(options) <= 12 else f"a known key{hint}"


def read_toml(path: Path) -> dict:
    """Read a TOML file; a missing file or a syntax error becomes a one-line ScenarioError."""
    if path.is_dir():
        raise ScenarioError(f"{path}: key '-': expected a TOML file, found a directory")
    if not path.is_file():
        raise ScenarioError(f"{path}: key '-': expected an existing TOML file, found no such file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: key '-': expected valid TOML, found a syntax error: {exc}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: key '-': expected UTF-8 text, found undecodable bytes") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: key '-': expected a readable file, found {exc.strerror or exc}") from None


Origins = dict[tuple[str, ...], tuple[int, str, bool]]
"""Which file of an ``extends`` chain set each key: dotted path -> (depth in the chain, 0 = the file loaded;
file; whether the key holds a value rather than a table)."""


def _origins(table: dict, depth: int, file: str, prefix: tuple[str, ...] = ()) -> Origins:
    out: Origins = {}
    for key, value in table.items():
        path = (*prefix, str(key))
        out[path] = (depth, file, not isinstance(value, dict))
        if isinstance(value, dict):
            out.update(_origins(value, depth, file, path))
    return out


def _origin(key: str, origins: Origins | None, source: str) -> str:
    """The file that set ``key``, nearest the loaded file: a value at or inside it (``*`` matches any key),
    else a table at or inside it, else the table around it; ``source`` if no file did."""
    if not origins:
        return source
    parts = tuple(key.split("."))
    ranked: list[list[tuple[int, str]]] = [[], [], []]
    for path, (depth, file, is_value) in origins.items():
        if all(a == b or b == "*" for a, b in zip(path, parts, strict=False)):
            rank = (0 if is_value else 1) if len(path) >= len(parts) else 2
            ranked[rank].append((depth, file))
    found = next((r for r in ranked if r), [])
    return min(found)[1] if found else source


def _region_origins(region: str) -> Origins:
    """Which region file set each value the region gives (below every file of a scenario's chain)."""
    return {tuple(k.split(".")): (_REGION_DEPTH, file, True) for k, file in load_region(region).origins.items()}


def _validate(data: dict, source: str, origins: Origins | None = None) -> Params:
    try:
        return Params.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        found = err.get("input")
        if kind == "extra_forbidden":
            options = _options_at(data, err["loc"][:-1])
            raise ScenarioError(f"{_origin(loc, origins, source)}: key '{loc}': expected "
                                f"{_expect_key(str(err['loc'][-1]), options)}, found unknown key '{err['loc'][-1]}'") from None
        if kind == "value_error":
            msg = err["msg"].removeprefix("Value error, ")
            key, _, rest = msg.partition(": ")
            full = f"{loc}.{key}" if loc else key
            raise ScenarioError(f"{_origin(full, origins, source)}: key '{full}': {rest}") from None
        expected = err["msg"].replace("Input should be ", "").replace("Input ", "")
        raise ScenarioError(f"{_origin(loc, origins, source)}: key '{loc}': expected {expected}, "
                            f"found {describe(found)}") from None


def _options_at(data: dict, loc: tuple) -> list[str]:
    """Known keys of the table at ``loc`` (from the defaults of the data's region), for 'did you mean' hints."""
    region = data.get("region", DEFAULT_REGION)
    node: Any = region_data(region) if isinstance(region, str) else Params().model_dump()
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return []
    return list(node) if isinstance(node, dict) else []


def _check_meta(meta: Any, path: Path) -> dict:
    if not isinstance(meta, dict):
        raise ScenarioError(f"{path}: key 'scenario': expected a table, found {describe(meta)}")
    for key in meta:
        if key not in META_KEYS:
            raise ScenarioError(f"{path}: key 'scenario.{key}': expected {_expect_key(key, sorted(META_KEYS))}, found unknown key '{key}'")
    for key in ("title", "description"):
        val = meta.get(key, {})
        if not isinstance(val, dict) or any(k not in ("zh", "en") or not isinstance(v, str) for k, v in val.items()):
            raise ScenarioError(f"{path}: key 'scenario.{key}': expected a table with text 'zh' and 'en', found {describe(val)}")
    for key in ("name", "extends", "region"):
        if key in meta and not isinstance(meta[key], str):
            raise ScenarioError(f"{path}: key 'scenario.{key}': expected text, found {describe(meta[key])}")
    return meta


def _region_of(path: Path, region: str) -> str:
    """``region`` once its files are read and checked; a region that does not exist is an error of ``path``'s
    ``scenario.region`` (a broken region file names itself)."""
    try:
        region_data(region)
    except ScenarioError as exc:
        if str(exc).startswith("region: key 'region'"):
            raise ScenarioError(f"{path}: key 'scenario.region': {str(exc).split(': ', 2)[2]}") from None
        raise
    return region


def _parent_file(path: Path, parent_name: str, region: str) -> Path:
    """The file ``extends`` names: beside ``path``, then in the region's scenario folder; the error names every place."""
    name = parent_name if parent_name.endswith(".toml") else parent_name + ".toml"
    places = [path.parent / name]
    folder = load_region(_region_of(path, region)).scenarios
    if (folder / name).resolve() != places[0].resolve():
        places.append(folder / name)
    for place in places:
        if place.is_file():
            return place
    raise ScenarioError(f"{path}: key 'scenario.extends': expected an existing scenario file, found no file "
                        f"'{name}' in {' or '.join(str(p.parent) for p in places)} (looked for {', '.join(map(str, places))})")


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict, dict, tuple[str, ...], Origins]:
    """Parameter data and metadata of a file with its extension chain merged in, and which file set each key."""
    raw = read_toml(path)
    if not raw:
        raise ScenarioError(f"{path}: key '-': expected a scenario (a [scenario] table or parameter tables), "
                            f"found an empty file")
    meta = _check_meta(raw.pop("scenario", {}), path)
    parent_name = meta.get("extends")
    data: dict = {}
    chain: tuple[str, ...] = ()
    parent_meta: dict = {}
    origins: Origins = {}
    if parent_name:
        parent = _parent_file(path, parent_name, meta.get("region", DEFAULT_REGION))
        if parent.resolve() in seen or parent.resolve() == path.resolve():
            cycle = " -> ".join(p.name for p in (*seen, path, parent))
            raise ScenarioError(f"{path}: key 'scenario.extends': expected a chain without cycles, found {cycle}")
        data, parent_meta, chain, origins = _resolve(parent, (*seen, path.resolve()))
        inherited = parent_meta.get("region", DEFAULT_REGION)
        if meta.get("region", inherited) != inherited:
            raise ScenarioError(f"{path}: key 'scenario.region': expected the region of its parent {parent.name} "
                                f"('{inherited}'), found '{meta['region']}'")
    merged_meta = {**parent_meta, **{k: v for k, v in meta.items() if k != "extends"}}
    # Bilingual labels merge per language so a child may override only one; a title it does not give is its
    # parent's, marked as modified, so that a changed scenario is never reported under its parent's name.
    for key in ("title", "description"):
        merged_meta[key] = {**parent_meta.get(key, {}), **meta.get(key, {})}
    if parent_name:
        own = meta.get("title", {})
        merged_meta["title"] = {lang: own.get(lang) or f"{text}{MODIFIED.get(lang, ' (modified)')}"
                                for lang, text in parent_meta.get("title", {}).items()} | own
    return deep_merge(data, raw), merged_meta, (*chain, path.name), {**origins, **_origins(raw, len(seen), str(path))}


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> ScenarioSpec:
    """Load, merge (``extends``) and validate a scenario file; raise ScenarioError on any problem."""
    path = Path(path)
    data, meta, chain, origins = _resolve(path, ())
    region = _region_of(path, meta.get("region", DEFAULT_REGION))
    origins = {**_region_origins(region), **origins}
    params = _validate({**data, "region": region}, str(path), origins)
    spec = ScenarioSpec(
        name=meta.get("name", path.stem),
        params=params,
        title=meta.get("title", {}),
        description=meta.get("description", {}),
        path=str(path),
        chain=chain,
    )
    return spec.with_overrides(overrides, str(path)) if overrides else spec


def default_spec(name: str = "defaults") -> ScenarioSpec:
    """A spec with every parameter at its documented default."""
    return ScenarioSpec(name=name, params=Params(), title={"zh": "默认参数", "en": "Defaults"})


@functools.cache
def lever_keys() -> tuple[str, ...]:
    """Dotted keys of every lever (kind ``lever`` in ``sim/params.py``): what a strategy chooses. A table of numbers
    (``budget.shares``, ``budget.amounts``) is one key, replaced whole."""
    from sim.paramdoc import parameter_rows

    return tuple(d.key for d in parameter_rows() if d.kind == "lever")


@functools.cache
def _baseline_levers(region: str) -> str:
    """The levers of ``region``'s baseline (JSON): its baseline scenario (``baseline.toml`` in the region's scenario
    folder) if it has one, else the region's own values (every default under the region's files)."""
    path = load_region(region).scenarios / "baseline.toml"
    base = load_scenario(path).params if path.is_file() else Params.model_validate({"region": region})
    data = base.model_dump(mode="python")
    return json.dumps({key: _get_dotted(data, key) for key in lever_keys()})


def _get_dotted(data: dict, dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        node = node[part]
    return node


def status_quo(params: Params) -> Params:
    """The status quo of a scenario: its parameters with every lever at the region's baseline value (the region's
    baseline scenario, else the region's own values). Assumptions, sourced and calibrated values and run settings
    are the scenario's own, so a design point that varies an assumption varies it in the status quo too. This is
    what runs in the spin-up before month 0 (``run.spinup_months``)."""
    levers = json.loads(_baseline_levers(params.region))
    data = params.model_dump(mode="python")
    if all(_get_dotted(data, key) == value for key, value in levers.items()):
        return params
    for key, value in levers.items():
        _set_dotted(data, key, value, "status quo")
    return Params.model_validate(data)
