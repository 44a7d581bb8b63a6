"""Hypothesis strategies generated from the parameter schema (:mod:`sim.params`) and a small TOML writer.

Every parameter of :class:`sim.params.Params` is a *leaf*: its dotted path,
its type and the range its field declares. Leaves that must add up (budget
shares, channel shares, sector shares, origin shares) form *groups* that are
drawn together. ``valid_data`` draws a few groups with values inside their
ranges; ``mutation`` spoils a table in one of the ways a user can (NaN,
infinities, wrong types, out of range, unknown keys, one-letter typos, shares
that do not add up) and says which dotted key the error must name.

The run size (``run.*``) is never drawn: tests set a small population and a
short horizon themselves.
"""

from __future__ import annotations

import json
import math
import os
import string
from dataclasses import dataclass
from typing import Any, get_args, get_origin

import annotated_types as at
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.params import BELIEF_KEYS, BUDGET_LEVERS, CHANNELS, ORIGINS, Params
from sim.region import ROLES

SECTORS = tuple(Params().sector_ids)
"""The default region's sectors (a scenario of it may name these in its sector tables)."""

EXAMPLES_SCALE = {"ci": 1, "nightly": 25}
"""Examples per test relative to its CI budget, by Hypothesis profile (tests/conftest.py)."""

TABLE_KEYS = {"shares": BUDGET_LEVERS, "origin_shares": ORIGINS, "sector_focus": (*SECTORS, *ROLES),
              "origin_patience": ORIGINS, "belief_noise": BELIEF_KEYS, "amounts": BUDGET_LEVERS}
"""Keys allowed in tables of numbers, by the table's name."""

def examples(n: int) -> int:
    """``n`` examples in the CI profile, more in the nightly one."""
    return n * EXAMPLES_SCALE.get(os.environ.get("SIM_HYPOTHESIS_PROFILE", "ci"), 1)


@dataclass(frozen=True)
class Leaf:
    """One parameter: its dotted path, type and declared range."""

    path: tuple[str, ...]
    kind: str  # float, int, bool, str
    default: Any
    lo: float | None = None
    lo_open: bool = False
    hi: float | None = None
    hi_open: bool = False

    @property
    def key(self) -> str:
        return ".".join(self.path)

    def plausible_hi(self) -> float:
        """Upper end for valid draws: the declared maximum, else a few times the default."""
        if self.hi is not None:
            return self.hi
        base = max(abs(float(self.default)) * 4, (self.lo or 0) + 10, 10)
        return base


def _bounds(metadata: list) -> dict:
    out: dict = {}
    for m in metadata:
        if isinstance(m, at.Ge):
            out["lo"] = m.ge
        elif isinstance(m, at.Gt):
            out["lo"], out["lo_open"] = m.gt, True
        elif isinstance(m, at.Le):
            out["hi"] = m.le
        elif isinstance(m, at.Lt):
            out["hi"], out["hi_open"] = m.lt, True
    return out


def _kind(annotation: Any) -> str:
    return {float: "float", int: "int", bool: "bool", str: "str"}[annotation]


def leaves(model: BaseModel | None = None, prefix: tuple[str, ...] = ()) -> list[Leaf]:
    """Every parameter leaf under ``model`` (default: the default Params), tables of numbers entry by entry."""
    model = model if model is not None else Params()
    out: list[Leaf] = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        path = (*prefix, name)
        ann = field.annotation
        if isinstance(value, BaseModel):
            out += leaves(value, path)
        elif get_origin(ann) is dict:
            inner = get_args(ann)[1]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                for key, sub in value.items():
                    out += leaves(sub, (*path, key))
            else:  # a table of numbers: Annotated[float, Field(...)]
                base, *meta = get_args(inner) if get_args(inner) else (inner,)
                bounds = _bounds([m for f in meta for m in getattr(f, "metadata", [])])
                for key in TABLE_KEYS[name]:
                    out.append(Leaf((*path, key), _kind(base), value.get(key, 1.0), **bounds))
        elif ann in (float, int, bool, str):
            out.append(Leaf(path, _kind(ann), value, **_bounds(field.metadata)))
        # else: the region's structure (roles and leading industries, a government's kind and its optional shares),
        # set by region files and checked against them, not drawn here
    return out


LEAVES = [leaf for leaf in leaves() if leaf.path[0] not in ("run", "region", "governments")]
NUMERIC = [leaf for leaf in LEAVES if leaf.kind in ("float", "int")]
BY_PATH = {leaf.path: leaf for leaf in LEAVES}


def _group_of(path: tuple[str, ...]) -> str | None:
    if path[:2] == ("budget", "shares"):
        return "budget.shares"
    if path[:2] == ("population", "origin_shares"):
        return "population.origin_shares"
    if path[0] == "channels" and path[-1] == "share":
        return "channels.*.share"
    if path[:2] == ("population", "sectors") and path[-1] == "share":
        return "population.sectors.*.share"
    return None


GROUPS: dict[str, list[tuple[str, ...]]] = {}
for _leaf in LEAVES:
    _g = _group_of(_leaf.path)
    if _g:
        GROUPS.setdefault(_g, []).append(_leaf.path)
SUMS = {"budget.shares": "at_most", "channels.*.share": "at_most", "population.origin_shares": "exact",
        "population.sectors.*.share": "exact"}
SINGLES = [leaf for leaf in LEAVES if _group_of(leaf.path) is None]


# ----------------------------------------------------------------------------- valid values
def leaf_value(leaf: Leaf) -> st.SearchStrategy:
    """A valid value of one leaf, inside its declared (and plausible) range."""
    if leaf.kind == "bool":
        return st.booleans()
    if leaf.kind == "str":
        return st.text(alphabet=string.ascii_letters + "中文部门 ", max_size=8)
    lo = leaf.lo if leaf.lo is not None else -leaf.plausible_hi()
    hi = leaf.plausible_hi()
    if leaf.kind == "int":
        return st.integers(int(math.floor(lo)) + (1 if leaf.lo_open else 0), int(hi))
    return st.floats(lo, hi, exclude_min=leaf.lo_open, exclude_max=leaf.hi_open, allow_nan=False,
                     allow_infinity=False)


@st.composite
def group_values(draw, group: str, total: float | None = None) -> dict[tuple[str, ...], float]:
    """Shares of a group that add up as the group requires (or to ``total``, e.g. more than 1)."""
    paths = GROUPS[group]
    weights = draw(st.lists(st.floats(0, 1), min_size=len(paths), max_size=len(paths)))
    if sum(weights) == 0:
        weights = [1.0] * len(paths)
    if total is None:
        total = 1.0 if SUMS[group] == "exact" else draw(st.floats(0, 1))
    scaled = [total * w / sum(weights) for w in weights]
    return dict(zip(paths, scaled, strict=True))


def put(data: dict, path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def drop(data: dict, path: tuple[str, ...]) -> None:
    node = data
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict):
        node.pop(path[-1], None)


@st.composite
def valid_data(draw, max_leaves: int = 6) -> dict:
    """Parameter tables setting a few leaves and share groups to valid values."""
    data: dict = {}
    for leaf in draw(st.lists(st.sampled_from(SINGLES), max_size=max_leaves, unique_by=lambda x: x.path)):
        put(data, leaf.path, draw(leaf_value(leaf)))
    for group in draw(st.lists(st.sampled_from(sorted(GROUPS)), max_size=2, unique=True)):
        for path, value in draw(group_values(group)).items():
            put(data, path, value)
    return data


# ----------------------------------------------------------------------------- spoiling a table
@dataclass(frozen=True)
class Mutation:
    """A change that makes parameter tables invalid, and the dotted key the error must name."""

    kind: str
    path: tuple[str, ...]  # where the change goes (its group's keys are cleared from other files)
    values: dict  # dotted path -> value to put
    key: str  # the key the error names
    words: tuple[str, ...] = ()

    def apply(self, data: dict) -> None:
        for path, value in self.values.items():
            put(data, path, value)


WRONG_TYPES = {"float": ["high", True, [1.0], {"x": 1.0}], "int": ["many", 2.5, False, [3]],
               "bool": ["yes", 1, 0.0, {"on": True}], "str": [3, 1.5, True, ["x"]]}


def _typo(word: str) -> st.SearchStrategy:
    letters = string.ascii_lowercase

    @st.composite
    def one(draw) -> str:
        i = draw(st.integers(0, len(word) - 1))
        how = draw(st.sampled_from(["substitute", "insert", "delete", "swap"]))
        c = draw(st.sampled_from(letters))
        if how == "substitute":
            return word[:i] + c + word[i + 1:]
        if how == "insert":
            return word[:i] + c + word[i:]
        if how == "delete" and len(word) > 3:
            return word[:i] + word[i + 1:]
        if how == "swap" and i < len(word) - 1:
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        return word + c
    return one()


def _siblings(path: tuple[str, ...]) -> set[str]:
    """Keys allowed beside the last part of ``path``."""
    if len(path) == 1:
        return set(type(Params()).model_fields)
    parent = path[:-1]
    if parent[-1] in TABLE_KEYS:
        return set(TABLE_KEYS[parent[-1]])
    if parent in (("population", "sectors"),):
        return set(SECTORS)
    if parent == ("channels",):
        return set(CHANNELS)
    return {leaf.path[len(parent)] for leaf in LEAVES if leaf.path[:len(parent)] == parent}


def _renamable(path: tuple[str, ...]) -> bool:
    # A new department is a valid table of its own (every field has a default): not a typo the schema can see.
    return not (len(path) >= 3 and path[:2] == ("service", "departments") and len(path) == 3)


@st.composite
def mutation(draw) -> Mutation:
    """One way of spoiling parameter tables."""
    kind = draw(st.sampled_from(["nonfinite", "wrong_type", "out_of_range", "unknown_key", "typo", "sum"]))
    if kind == "nonfinite":
        leaf = draw(st.sampled_from(NUMERIC))
        bad = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
        words = ("a finite number",) if leaf.kind == "float" else ("integer",)
        return Mutation(kind, leaf.path, {leaf.path: bad}, leaf.key, words)
    if kind == "wrong_type":
        leaf = draw(st.sampled_from(LEAVES))
        return Mutation(kind, leaf.path, {leaf.path: draw(st.sampled_from(WRONG_TYPES[leaf.kind]))}, leaf.key)
    if kind == "out_of_range":
        leaf = draw(st.sampled_from([x for x in NUMERIC if x.lo is not None or x.hi is not None]))
        below = leaf.lo is not None and (leaf.hi is None or draw(st.booleans()))
        step = draw(st.sampled_from([1, 10, 1000]))
        if below:
            value = leaf.lo if leaf.lo_open else leaf.lo - step
        else:
            value = leaf.hi if leaf.hi_open else leaf.hi + step
        value = int(value) if leaf.kind == "int" else float(value)
        return Mutation(kind, leaf.path, {leaf.path: value}, leaf.key, ("expected",))
    if kind == "unknown_key":
        leaf = draw(st.sampled_from([x for x in LEAVES if _renamable(x.path)]))
        depth = draw(st.integers(1, len(leaf.path)))
        parent = leaf.path[:depth - 1]
        name = draw(st.text(alphabet=string.ascii_lowercase + "_", min_size=3, max_size=12).filter(
            lambda s: s[0] != "_" and s not in _siblings((*parent, s)) and s != "scenario"))
        path = (*parent, name)
        if parent == ("service", "departments"):
            path = (*leaf.path[:3], name)  # a new department would be valid: put the unknown key inside one
        value = {} if parent in (("population", "sectors"), ("channels",)) else 1.0  # a table of defaults
        return Mutation(kind, path, {path: value}, ".".join(path), ("unknown key",))
    if kind == "typo":
        leaf = draw(st.sampled_from([x for x in LEAVES if _renamable(x.path[:3])]))
        depth = draw(st.integers(1, len(leaf.path)))
        if not _renamable(leaf.path[:depth]):
            depth = len(leaf.path)
        real = leaf.path[depth - 1]
        typo = draw(_typo(real).filter(lambda s: s not in _siblings(leaf.path[:depth]) and s != "scenario"))
        path = (*leaf.path[:depth - 1], typo, *leaf.path[depth:])
        value = draw(leaf_value(leaf))
        return Mutation(kind, path, {path: value}, ".".join(path[:depth]), ("unknown key", "did you mean"))
    group = draw(st.sampled_from(sorted(GROUPS)))
    paths = GROUPS[group]
    exact = SUMS[group] == "exact"
    wrong_sum = (lambda xs: abs(sum(xs) - 1) > 0.01) if exact else (lambda xs: sum(xs) > 1.01)
    shares = draw(st.lists(st.floats(0, 1), min_size=len(paths), max_size=len(paths)).filter(wrong_sum))
    words = ("summing to 1" if exact else "summing to at most 1", f"found {sum(shares):.4g}")
    return Mutation(kind, paths[0], dict(zip(paths, shares, strict=True)), group, words)


# ----------------------------------------------------------------------------- TOML
def toml_value(value: Any, inline: bool = True) -> str:
    """A value as TOML (tables inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def to_toml(data: dict, style: str = "tables", meta: dict | None = None) -> str:
    """Tables as TOML text: ``tables`` ([a.b] headers), ``inline`` ([a] with inline tables) or ``dotted`` (a.b.c = v)."""
    lines: list[str] = []
    if meta:
        lines.append("[scenario]")
        lines += [f"{k} = {toml_value(v)}" for k, v in meta.items()]
    if style == "dotted":
        if meta:
            lines.insert(0, "")  # dotted keys must come before any [table]: write them first
            lines = [f"{k} = {toml_value(v)}" for k, v in _flat(data)] + lines
        else:
            lines += [f"{k} = {toml_value(v)}" for k, v in _flat(data)]
        return "\n".join(lines) + "\n"
    for section, table in data.items():
        if not isinstance(table, dict):
            lines.insert(0, f"{section} = {toml_value(table)}")
            continue
        if style == "inline":
            lines.append(f"[{section}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        else:
            lines += _tables(table, (section,))
    return "\n".join(lines) + "\n"


def _flat(data: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    out = []
    for k, v in data.items():
        if isinstance(v, dict) and v:
            out += _flat(v, (*prefix, k))
        else:
            out.append((".".join((*prefix, k)), v))
    return out


def _tables(table: dict, path: tuple[str, ...]) -> list[str]:
    plain = [(k, v) for k, v in table.items() if not (isinstance(v, dict) and v)]
    nested = [(k, v) for k, v in table.items() if isinstance(v, dict) and v]
    lines = [f"[{'.'.join(path)}]"] + [f"{k} = {toml_value(v)}" for k, v in plain]
    for k, v in nested:
        lines += _tables(v, (*path, k))
    return lines
