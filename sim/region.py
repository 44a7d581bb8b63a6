"""Regions as data: a prefecture's governments, sectors, facts and reported figures, read from ``regions/<name>/``.

A region is a folder of three TOML files (the format is documented in ``regions/README.md``, with a template):

- ``region.toml``: the region's names, the folder of its scenarios, its governments (each district and county,
  and the city itself, 市本级) and its region-level facts (parameter values such as the budget base, the land
  totals and the size of the market);
- ``sectors.toml``: its sectors (names, role, and the parameters of :class:`sim.params.Sector`) and which sectors
  each promotion channel and source of leads targets;
- ``figures.toml``: the figures reported for the region that the calibration and the checks compare with.

Every fact carries either ``source`` (the key of its entry in ``docs/SOURCES.md``) or ``assumption`` (why the
value was chosen) with a plausible ``range``: a value without a source is an assumption and says so. The
region's figures become the defaults of every scenario that names the region (``[scenario] region``), below
what the scenario itself sets; where a region file says nothing about a government, its counties share equally.

Regions are looked for in the folders of ``SIM_REGIONS`` (separated like ``PATH``), then in the ``regions``
folder beside the package; ``regions/regions.toml`` names the region a scenario without one uses. Every problem
is one line naming the file, the key, what was expected and what was found (:class:`sim.errors.ScenarioError`).
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import describe, error, one_of

REGIONS_DIR = Path(__file__).resolve().parent.parent / "regions"
"""The regions shipped with the project, at the repository's top level."""
PATH_VARIABLE = "SIM_REGIONS"
"""Environment variable naming more folders of regions (searched first)."""
ROLES = ("leading", "industrial")
"""What a sector is to the region's strategy, for the targeting of channels: ``leading``, a leading industry the
region promotes; ``industrial``, a secondary-industry sector (set by the sector's ``industrial`` flag)."""
GOVERNMENT_KINDS = ("city", "district", "county")
"""The kinds of government: the city itself (市本级, exactly one) and the county-level districts and counties."""
COUNTY_SHARES = {"land_mu": "land_share", "land_mu_per_year": "land_added_share", "idle_mu": "idle_share"}
"""Per-government figures in mu (region file) and the shares of the region's totals they become (parameters)."""
COUNTY_TOTALS = {"land_mu": "platform.initial_land_mu", "land_mu_per_year": "platform.county_land_mu_per_year",
                 "idle_mu": "platform.idle_stock_mu"}
"""The region total each per-government figure in mu is a part of."""
GOVERNMENT_FACTS = (*COUNTY_SHARES, "channel_share", "leader_attention", "leading", "population", "gdp")
"""Facts a region file may give about one government (each with its source, or an assumption with a range)."""
SECTOR_KEYS = ("id", "name_zh", "name_en", "roles", "source", "assumption")
REPORTED_KEYS = ("key", "output", "value", "figure", "factor", "source", "basis_zh", "basis_en")
"""Keys of a ``[[reported]]`` entry of ``figures.toml``: a yearly figure the memo sets beside the model's, with its
value and source, or the key of a ``[[figure]]`` whose value (times ``factor``) and source it takes."""
REPORTED_OUTPUTS = ("signed_projects", "signed_capital", "arrived_capital", "jobs_added")
"""What a reported yearly figure may be compared with: signings, signed and arrived capital (万元) in a year, and the
jobs added in a year."""
FIGURE_KEYS = ("key", "statistic", "value", "tolerance", "upper_bound", "fitted", "source", "what", "label_zh",
               "label_en", "note", "unit")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ANCHOR = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Figure:
    """A reported figure of the region and the model statistic it is compared with (``statistic``); ``source`` is
    the key of its entry in ``docs/SOURCES.md`` and ``what`` says which count it is."""

    key: str
    statistic: str
    value: float
    tolerance: float
    source: str
    what: str
    upper_bound: bool
    fitted: bool
    label_zh: str
    label_en: str
    note: str = ""
    unit: str = "share"


@dataclass(frozen=True)
class Reported:
    """A yearly figure the region reports, set beside the model's (the memo's comparison with the region's
    statistics): the model's ``output`` a year it compares with (``jobs_added``: the jobs added in a year), its
    ``value`` a year (万元 for money), how the yearly value was obtained, and its source. Reported figures are upper
    bounds (docs/SOURCES.md#over-reporting-2016)."""

    key: str
    output: str
    value: float
    source: str
    basis_zh: str
    basis_en: str

    def basis(self, lang: str = "zh") -> str:
        """How the yearly value was obtained, in words."""
        return self.basis_zh if lang == "zh" else self.basis_en


@dataclass(frozen=True)
class Region:
    """One region read from its folder: names, governments (the districts and counties in the file's order, the
    city last), sectors, the parameter data its files set, where each value comes from, and its figures."""

    id: str
    name_zh: str
    name_en: str
    folder: Path
    scenarios: Path
    governments: tuple[str, ...]
    government_names: dict[str, tuple[str, str]]
    sectors: tuple[str, ...]
    sector_names: dict[str, tuple[str, str]]
    parameters: dict[str, Any]
    origins: dict[str, str]
    sources: dict[str, str]
    figures: tuple[Figure, ...] = ()
    calibrated_here: tuple[str, ...] = ()
    province_zh: str = ""
    province_en: str = ""
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    reported: tuple[Reported, ...] = ()

    def name(self, lang: str = "zh") -> str:
        """The region's name in Chinese (``zh``) or English."""
        return self.name_zh if lang == "zh" else self.name_en

    def government_name(self, gov: str, lang: str = "zh") -> str:
        """A government's name in Chinese or English (the id itself if the region has no such government)."""
        zh, en = self.government_names.get(gov, (gov, gov))
        return zh if lang == "zh" else en

    def sector_name(self, sector: str, lang: str = "zh") -> str:
        """A sector's name in Chinese or English (the id itself if the region has no such sector)."""
        zh, en = self.sector_names.get(sector, (sector, sector))
        return zh if lang == "zh" else en

    @property
    def city(self) -> str:
        """The id of the city government (市本级)."""
        return self.governments[-1]

    @property
    def counties(self) -> tuple[str, ...]:
        """The ids of the county-level governments (districts and counties), in the file's order."""
        return self.governments[:-1]


# ----------------------------------------------------------------------------- finding regions
def search_path() -> list[Path]:
    """Folders searched for regions, in order: those of ``SIM_REGIONS``, then the shipped ``regions`` folder."""
    extra = [Path(p) for p in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if p]
    return [*extra, REGIONS_DIR]


def available() -> list[str]:
    """Names of every region found (folders holding a ``region.toml``), first occurrence first."""
    seen: dict[str, None] = {}
    for d in search_path():
        if d.is_dir():
            for sub in sorted(d.iterdir()):
                if (sub / "region.toml").is_file() and _ID.match(sub.name):  # not the template, _template
                    seen.setdefault(sub.name, None)
    return list(seen)


def default_region() -> str:
    """The region a scenario without ``[scenario] region`` uses: ``default`` in ``regions/regions.toml``."""
    path = REGIONS_DIR / "regions.toml"
    data = _read(path)
    name = data.get("default")
    if not isinstance(name, str) or not name:
        raise error(path, "default", "the name of the region scenarios use when they name none", describe(name))
    return name


def region_folder(name: str) -> Path:
    """The folder of region ``name`` (the first found on :func:`search_path`)."""
    if not isinstance(name, str) or not _ID.match(name):
        raise error("region", "region", "a region name of lower-case letters, digits and '_'", describe(name))
    for d in search_path():
        if (d / name / "region.toml").is_file():
            return d / name
    places = ", ".join(str(d / name / "region.toml") for d in search_path())
    raise error("region", "region", f"{one_of(name, available())}; looked for {places}", f"no region '{name}'")


_CACHE: dict[Path, tuple[tuple[float, ...], Region]] = {}


def load_region(name: str) -> Region:
    """Region ``name``, read and checked (kept in memory until one of its files changes)."""
    folder = region_folder(name)
    files = [folder / f for f in ("region.toml", "sectors.toml", "figures.toml")]
    stamp = tuple(f.stat().st_mtime_ns if f.is_file() else -1.0 for f in files)
    hit = _CACHE.get(folder)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    region = _load(name, folder)
    _CACHE[folder] = (stamp, region)
    return region


def deep_merge(base: dict, over: dict) -> dict:
    """Recursively merge ``over`` into a copy of ``base`` (tables merge, values replace)."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# ----------------------------------------------------------------------------- reading
def _read(path: Path) -> dict:
    if not path.is_file():
        raise error(path, "-", "an existing TOML file", "no such file")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise error(path, "-", "valid TOML", f"a syntax error: {exc}") from None
    except UnicodeDecodeError:
        raise error(path, "-", "UTF-8 text", "undecodable bytes") from None


def _text(d: dict, key: str, path: Path, where: str, required: bool = True) -> str:
    v = d.get(key, None)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v.strip():
        raise error(path, f"{where}{key}", "text", describe(v) if key in d else "none")
    return v


def _number(v: Any, path: Path, key: str, what: str = "a number") -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float("inf"), float("-inf")):
        raise error(path, key, what, describe(v))
    return float(v)


def _leaves(d: dict, prefix: str) -> list[str]:
    out = []
    for k, v in d.items():
        out += _leaves(v, f"{prefix}.{k}") if isinstance(v, dict) else [f"{prefix}.{k}"]
    return out


def _unknown(d: dict, allowed: tuple[str, ...], path: Path, where: str) -> None:
    for k in d:
        if k not in allowed:
            raise error(path, f"{where}{k}", one_of(k, allowed), f"unknown key '{k}'")


def _provenance(d: dict, path: Path, key: str, value_range: bool = True) -> str:
    """The source of a fact: ``docs/SOURCES.md#<key>`` for a sourced one, ``assumption: <why>`` (with its plausible
    range) for an assumption; exactly one of the two."""
    src, why = d.get("source"), d.get("assumption")
    if (src is None) == (why is None):
        found = "both" if src is not None else "neither"
        raise error(path, key, "'source' (an entry of docs/SOURCES.md) or 'assumption' (why, with a range)", found)
    if src is not None:
        if not isinstance(src, str) or not _ANCHOR.match(src):
            raise error(path, f"{key}.source", "the key of an entry of docs/SOURCES.md (e.g. 'provincial-fair-cohorts')",
                        describe(src))
        return f"docs/SOURCES.md#{src}"
    if not isinstance(why, str) or not why.strip():
        raise error(path, f"{key}.assumption", "text saying why the value was chosen", describe(why))
    if value_range:
        rng = d.get("range")
        if (not isinstance(rng, list) or len(rng) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng) or rng[0] > rng[1]):
            raise error(path, f"{key}.range", "a plausible range [low, high] for an assumption", describe(rng))
        return f"assumption: {why} (plausible {rng[0]:g} to {rng[1]:g})"
    return f"assumption: {why}"


def _fact(d: Any, path: Path, key: str, extra: tuple[str, ...] = ()) -> tuple[Any, str]:
    """(value, provenance) of a fact written as ``{ value = ..., source = "..." }`` or ``{ value = ...,
    assumption = "...", range = [low, high] }``."""
    if not isinstance(d, dict) or "value" not in d:
        raise error(path, key, "a table { value = ..., source = ... } or { value = ..., assumption = ..., range = [...] }",
                    describe(d))
    _unknown(d, ("value", "source", "assumption", "range", "what", "year", "unit", *extra), path, f"{key}.")
    numeric = isinstance(d["value"], (int, float)) and not isinstance(d["value"], bool)
    return d["value"], _provenance(d, path, key, value_range=numeric)


def _load(name: str, folder: Path) -> Region:
    rpath, spath, fpath = folder / "region.toml", folder / "sectors.toml", folder / "figures.toml"
    raw = _read(rpath)
    _unknown(raw, ("region", "government", "facts"), rpath, "")
    head = raw.get("region")
    if not isinstance(head, dict):
        raise error(rpath, "region", "a table [region] with the region's id, names and scenario folder", describe(head))
    _unknown(head, ("id", "name_zh", "name_en", "province_zh", "province_en", "scenarios", "description", "gdp", "population",
                    "calibrated_here"),
             rpath, "region.")
    if head.get("id") != name:
        raise error(rpath, "region.id", f"the folder's name '{name}'", describe(head.get("id")))
    names = (_text(head, "name_zh", rpath, "region."), _text(head, "name_en", rpath, "region."))
    scen = _text(head, "scenarios", rpath, "region.")
    scen_dir = (REGIONS_DIR.parent / scen) if folder.parent == REGIONS_DIR else (folder / scen)
    params: dict[str, Any] = {}
    origins: dict[str, str] = {}
    sources: dict[str, str] = {}
    facts: dict[str, dict[str, Any]] = {}

    def put(dotted: str, value: Any, file: Path, provenance: str = "", *, only_note: bool = False) -> None:
        """Set a parameter (or, with ``only_note``, only record where a value of it comes from)."""
        origins[dotted] = str(file)
        if isinstance(value, dict):  # every value inside a table comes from the same file
            for leaf in _leaves(value, dotted):
                origins[leaf] = str(file)
        if provenance:
            sources[dotted] = provenance
        if only_note:
            return
        node = params
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    for key in ("gdp", "population"):  # facts about the region for people; the model does not use them
        if key in head:
            _, prov = _fact(head[key], rpath, f"region.{key}")
            facts[f"region.{key}"] = dict(head[key])
            sources[f"region.{key}"] = prov
    # Region-level facts: parameter values by dotted key.
    region_facts = raw.get("facts", {})
    if not isinstance(region_facts, dict):
        raise error(rpath, "facts", "a table of facts by parameter key", describe(region_facts))
    for key, d in region_facts.items():
        value, prov = _fact(d, rpath, f"facts.{key}")
        facts[key] = dict(d)
        put(key, value, rpath, prov)
    here = head.get("calibrated_here", [])
    if not isinstance(here, list) or not all(isinstance(k, str) for k in here):
        raise error(rpath, "region.calibrated_here", "a list of the calibrated parameter keys fitted to this region's figures",
                    describe(here))

    sectors, sector_names = _sectors(spath, put)
    governments, gov_names = _governments(rpath, raw.get("government"), sectors, region_facts, put)
    _targets(spath, sectors, put)
    figures = _figures(fpath) if fpath.is_file() else ()
    reported = _reported(fpath, figures) if fpath.is_file() else ()
    return Region(name, names[0], names[1], folder, scen_dir, governments, gov_names, sectors, sector_names, params,
                  origins, sources, figures, tuple(here), head.get("province_zh", ""), head.get("province_en", ""),
                  facts, reported)


def _sectors(path: Path, put) -> tuple[tuple[str, ...], dict[str, tuple[str, str]]]:
    raw = _read(path)
    _unknown(raw, ("sector", "targets"), path, "")
    entries = raw.get("sector")
    if not isinstance(entries, list) or not entries:
        raise error(path, "sector", "at least one [[sector]] table", describe(entries) if "sector" in raw else "none")
    ids: list[str] = []
    names: dict[str, tuple[str, str]] = {}
    total = 0.0
    for i, s in enumerate(entries):
        sid = s.get("id") if isinstance(s, dict) else None
        if not isinstance(sid, str) or not _ID.match(sid) or sid in ROLES:
            raise error(path, f"sector[{i}].id", "a sector id of lower-case letters, digits and '_' (not a role name: "
                        f"{', '.join(ROLES)})", describe(sid))
        if sid in ids:
            raise error(path, f"sector.{sid}", "each sector once", f"'{sid}' again")
        ids.append(sid)
        where = f"sector.{sid}."
        names[sid] = (_text(s, "name_zh", path, where), _text(s, "name_en", path, where))
        roles = s.get("roles", [])
        if not isinstance(roles, list) or any(r not in ROLES for r in roles):
            bad = next((r for r in roles if r not in ROLES), roles) if isinstance(roles, list) else roles
            raise error(path, f"{where}roles", f"a list of roles from {', '.join(ROLES)}", describe(bad))
        if "industrial" in roles:
            raise error(path, f"{where}roles", "'leading' only: a sector is industrial by its flag 'industrial'", "'industrial'")
        prov = _provenance(s, path, f"sector.{sid}", value_range=False)
        if "share" not in s:
            raise error(path, f"{where}share", "the sector's share of the prospects (a number from 0 to 1)", "none")
        total += _number(s["share"], path, f"{where}share", "the sector's share of the prospects (a number from 0 to 1)")
        table = {k: v for k, v in s.items() if k not in ("id", "source", "assumption")}
        table["roles"] = list(roles)
        put(f"population.sectors.{sid}", table, path, prov)
    if abs(total - 1.0) > 1e-6:
        raise error(path, "sector.*.share", "shares of the prospects summing to 1", f"{total:.4g}")
    return tuple(ids), names


def _governments(path: Path, entries: Any, sectors: tuple[str, ...], region_facts: dict,
                 put) -> tuple[tuple[str, ...], dict[str, tuple[str, str]]]:
    if not isinstance(entries, list) or len(entries) < 2:
        raise error(path, "government", "[[government]] tables: the city and at least one district or county",
                    describe(entries) if entries is not None else "none")
    ids: list[str] = []
    names: dict[str, tuple[str, str]] = {}
    tables: dict[str, dict[str, Any]] = {}
    figures: dict[str, dict[str, float]] = {k: {} for k in (*COUNTY_SHARES, "channel_share")}
    city = None
    for i, g in enumerate(entries):
        gid = g.get("id") if isinstance(g, dict) else None
        if not isinstance(gid, str) or not _ID.match(gid):
            raise error(path, f"government[{i}].id", "a government id of lower-case letters, digits and '_'", describe(gid))
        if gid in ids:
            raise error(path, f"government.{gid}", "each government once", f"'{gid}' again")
        ids.append(gid)
        where = f"government.{gid}."
        _unknown(g, ("id", "name_zh", "name_en", "kind", *GOVERNMENT_FACTS), path, where)
        names[gid] = (_text(g, "name_zh", path, where), _text(g, "name_en", path, where))
        kind = g.get("kind")
        if kind not in GOVERNMENT_KINDS:
            raise error(path, f"{where}kind", one_of(str(kind), GOVERNMENT_KINDS), describe(kind))
        if kind == "city":
            if city is not None:
                raise error(path, f"{where}kind", "exactly one government of kind 'city'", f"a second one after '{city}'")
            city = gid
        table: dict[str, Any] = {"name_zh": names[gid][0], "name_en": names[gid][1], "kind": kind}
        for key in GOVERNMENT_FACTS:
            if key not in g:
                continue
            value, prov = _fact(g[key], path, f"{where}{key}")
            if kind == "city" and key in (*COUNTY_SHARES, "channel_share"):
                raise error(path, f"{where}{key}", "county-level figures only on districts and counties (the city's land "
                            "is its park)", f"'{key}' on the city")
            if key == "leading":
                if not isinstance(value, list) or any(s not in sectors for s in value):
                    bad = next((s for s in value if s not in sectors), value) if isinstance(value, list) else value
                    raise error(path, f"{where}leading.value", f"a list of the region's sectors ({', '.join(sectors)})",
                                describe(bad))
                table["leading"] = list(value)
            elif key in ("population", "gdp"):
                table[key] = _number(value, path, f"{where}{key}.value")
            else:
                v = _number(value, path, f"{where}{key}.value")
                if key in COUNTY_SHARES and v <= 0:
                    raise error(path, f"{where}{key}.value", "serviced land above 0 mu for every district and county",
                                describe(value))
                if key == "leader_attention":
                    table["leader_attention"] = v
                else:
                    figures[key][gid] = v
            put(f"governments.{gid}.{key}", value, path, prov, only_note=True)
        tables[gid] = table
    if city is None:
        raise error(path, "government", "one government of kind 'city' (市本级)", "none")
    counties = [g for g in ids if g != city]
    for key, share_key in COUNTY_SHARES.items():
        stated = figures[key]
        if not stated:
            continue
        total_key = COUNTY_TOTALS[key]
        total_fact = region_facts.get(total_key)
        total = float(total_fact["value"]) if isinstance(total_fact, dict) and "value" in total_fact else None
        rest = [g for g in counties if g not in stated]
        if total is None and rest:
            raise error(path, f"government.{rest[0]}.{key}",
                        f"serviced land for every district and county, or the region total in [facts.\"{total_key}\"] "
                        "for the others to share", "none")
        if total is None:
            total = sum(stated.values())
            put(total_key, total, path, "sum of the governments' figures")
        if rest and sum(stated.values()) >= total - 1e-9:
            raise error(path, f"government.{rest[0]}.{key}",
                        f"some of the region total {total:g} mu left for this government", "none left")
        for gid, v in stated.items():
            tables[gid][share_key] = v / total
    shares = figures["channel_share"]
    if shares:
        stated = sum(shares.values())
        rest = [g for g in counties if g not in shares]
        if (not rest and abs(stated - 1) > 1e-6) or stated > 1 + 1e-9 or (rest and stated >= 1 - 1e-9):
            raise error(path, "government.*.channel_share",
                        "shares of the county channel money summing to 1 (at most 1 when some counties state none)",
                        f"{stated:.4g}")
        for gid, v in shares.items():
            tables[gid]["channel_share"] = v
    order = [*counties, city]
    for gid in order:
        put(f"governments.{gid}", tables[gid], path)
    return tuple(order), {g: names[g] for g in order}


def _targets(path: Path, sectors: tuple[str, ...], put) -> None:
    raw = _read(path).get("targets", {})
    if not isinstance(raw, dict):
        raise error(path, "targets", "a table of channels and sources of leads, each a table of weights", describe(raw))
    for target, focus in raw.items():
        if not isinstance(focus, dict):
            raise error(path, f"targets.{target}", "a table of weights by sector id or role", describe(focus))
        for k, w in focus.items():
            if k not in sectors and k not in ROLES:
                raise error(path, f"targets.{target}.{k}", f"a sector of the region or a role: "
                            f"{one_of(k, [*sectors, *ROLES])}", f"unknown key '{k}'")
            _number(w, path, f"targets.{target}.{k}", "a weight (a number from 0 up)")
        put(f"targets.{target}", dict(focus), path)


def _figures(path: Path) -> tuple[Figure, ...]:
    raw = _read(path)
    _unknown(raw, ("figure", "reported"), path, "")
    out = []
    for i, f in enumerate(raw.get("figure", [])):
        key = f.get("key") if isinstance(f, dict) else None
        if not isinstance(key, str) or not _ID.match(key):
            raise error(path, f"figure[{i}].key", "a figure key of lower-case letters, digits and '_'", describe(key))
        where = f"figure.{key}."
        _unknown(f, FIGURE_KEYS, path, where)
        src = _provenance({"source": f.get("source")}, path, f"figure.{key}")
        for flag in ("upper_bound", "fitted"):
            if not isinstance(f.get(flag), bool):
                raise error(path, f"{where}{flag}", "true or false", describe(f.get(flag)))
        out.append(Figure(key, _text(f, "statistic", path, where), _number(f.get("value"), path, f"{where}value"),
                          _number(f.get("tolerance"), path, f"{where}tolerance"), src, _text(f, "what", path, where),
                          f["upper_bound"], f["fitted"], _text(f, "label_zh", path, where), _text(f, "label_en", path, where),
                          _text(f, "note", path, where, required=False), f.get("unit", "share")))
    return tuple(out)


def _reported(path: Path, figures: tuple[Figure, ...]) -> tuple[Reported, ...]:
    """The ``[[reported]]`` entries of a region's ``figures.toml``: each a yearly figure with its value and source, or
    the key of a ``[[figure]]`` (and a ``factor`` to the model's units) whose value and source it takes."""
    by_key = {f.key: f for f in figures}
    out = []
    for i, r in enumerate(_read(path).get("reported", [])):
        key = r.get("key") if isinstance(r, dict) else None
        if not isinstance(key, str) or not _ID.match(key):
            raise error(path, f"reported[{i}].key", "a key of lower-case letters, digits and '_'", describe(key))
        where = f"reported.{key}."
        _unknown(r, REPORTED_KEYS, path, where)
        output = r.get("output")
        if output not in REPORTED_OUTPUTS:
            raise error(path, f"{where}output", f"one of {', '.join(REPORTED_OUTPUTS)}", describe(output))
        if "figure" in r:
            fig = by_key.get(r["figure"])
            if fig is None:
                raise error(path, f"{where}figure", "the key of a [[figure]] of this file", describe(r["figure"]))
            value = fig.value * _number(r.get("factor", 1.0), path, f"{where}factor")
            source = fig.source
        else:
            value = _number(r.get("value"), path, f"{where}value")
            if r.get("source") is None:
                raise error(path, f"{where}source", "the key of an entry of docs/SOURCES.md (or 'figure', a figure's key)",
                            "none")
            source = _provenance({"source": r["source"]}, path, f"reported.{key}")
        out.append(Reported(key, output, value, source, _text(r, "basis_zh", path, where), _text(r, "basis_en", path, where)))
    return tuple(out)
