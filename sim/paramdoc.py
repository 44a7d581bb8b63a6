"""Documentation of every parameter, read from ``sim/params.py``: labels, kind, plausible range, and the generated table.

Dotted keys are the ones ``--set`` and experiment designs use (``hazards.no_land``,
``population.sectors.<sector>.capital_median``, ``budget.shares.park``): every field of every section, the fields of
the per-entry tables (sectors, departments, channels, sources of leads) once per entry, and the entries of the
tables of numbers (budget shares, origin shares, belief noise, sector focus).
"""

from __future__ import annotations

import functools
import math
import typing
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel

from sim.calibration.priors import BY_KEY
from sim.params import KINDS, Params

UNIT_ZH = {"probability": "概率", "probability / month": "每月概率", "share": "比例", "months": "月",
           "utility": "效用", "multiplier": "倍", "0-1": "0-1", "万元": "万元", "万元 / year": "万元/年",
           "万元 / mu": "万元/亩", "mu": "亩", "mu / year": "亩/年", "% of capital": "占投资额 %",
           "probability / year": "每年概率", "share / month": "每月比例", "utility / month": "效用/月",
           "utility / year": "效用/年", "approvals": "项", "investors": "个", "ties": "个"}
"""Parameter units in Chinese (units not listed are shown as they are)."""

RULES = {"times": "{lo:g}-{hi:g}x each entry's default", "plus": "each entry's default {lo:+g} to {hi:+g}"}


@dataclass(frozen=True)
class ParamDoc:
    """What is documented of the parameter at dotted ``key``: meaning, unit, default, source, names for people,
    kind (``sim.params.KINDS``) and plausible range (``low`` to ``high`` in its unit, with its ``reason``; ``None``
    for levers and structural settings, and for a table of numbers, whose entries carry their own). ``rule`` says
    how a per-entry range was declared (``"0.5-2x each entry's default"``; empty for plain values)."""

    key: str
    meaning: str
    unit: str
    default: Any
    source: str
    label_zh: str
    label_en: str
    kind: str
    low: float | None = None
    high: float | None = None
    reason: str = ""
    rule: str = ""

    def label(self, lang: str) -> str:
        """The parameter's name in Chinese (``"zh"``) or English."""
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def range(self) -> tuple[float, float] | None:
        """The plausible range (low, high) in the parameter's unit, or None."""
        return None if self.low is None or self.high is None else (self.low, self.high)


_Names = tuple[tuple[str, ...], tuple[str, ...]]


def parameter_rows(model: BaseModel | None = None, prefix: str = "", names: _Names = ((), ())) -> list[ParamDoc]:
    """Every parameter's documentation, one row per field (per entry for the fields of the per-entry tables; a
    table of numbers is one row), at the defaults unless ``model`` is given. ``names`` are the Chinese and English
    names of the tables and entries above ``prefix``, which begin each label."""
    model = Params() if model is None else model
    rows = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = f"{prefix}{name}"
        extra = field.json_schema_extra or {}
        if isinstance(value, BaseModel):
            own = (extra.get("label_zh"), extra.get("label_en"))
            below = (names[0] + (own[0],), names[1] + (own[1],)) if all(own) else names
            rows += parameter_rows(value, key + ".", below)
        elif isinstance(value, dict) and value and all(isinstance(v, BaseModel) for v in value.values()):
            entries = extra.get("entries", {})
            for k, v in value.items():
                zh, en = entries.get(k) or (getattr(v, "name_zh", "") or k,
                                            getattr(v, "name_en", "") or k.replace("_", " ").capitalize())
                rows += parameter_rows(v, f"{key}.{k}.", (names[0] + (zh,), names[1] + (en,)))
        else:
            rows.append(_row(key, field, value, names))
    return rows


def _row(key: str, field: Any, value: Any, names: _Names) -> ParamDoc:
    extra = field.json_schema_extra or {}
    kind = extra.get("kind", "")
    zh = "：".join((*names[0], extra.get("label_zh", ""))) if extra.get("label_zh") else ""
    en = ": ".join((*names[1], extra.get("label_en", ""))) if extra.get("label_en") else ""
    doc = ParamDoc(key, field.description or "", extra.get("unit", ""), value, extra.get("source", ""), zh, en, kind)
    if kind == "calibrated":
        prior = BY_KEY[key]
        return _replace(doc, low=prior.low, high=prior.high, reason=prior.reason, rule="the calibration's prior")
    if "range" not in extra:
        return _replace(doc, reason=extra.get("reason", ""))
    how, (lo, hi) = extra.get("range_of", "value"), extra["range"]
    rule = RULES[how].format(lo=lo, hi=hi) if how in RULES else ""
    if isinstance(value, dict):
        return _replace(doc, reason=extra.get("reason", ""), rule=rule)
    low, high = _span(how, lo, hi, value, field.annotation, field.metadata)
    return _replace(doc, low=low, high=high, reason=extra.get("reason", ""), rule=rule)


def _replace(doc: ParamDoc, **kw: Any) -> ParamDoc:
    return ParamDoc(**{**asdict(doc), **kw})


def _span(how: str, lo: float, hi: float, default: Any, annotation: Any, metadata: list) -> tuple[float, float]:
    """A range in the parameter's unit: the declared values as they are, or each entry's default times or plus the
    declared ones, kept within the field's bounds (and whole for a count)."""
    if how == "value":
        return lo, hi
    if how == "times":
        lo, hi = default * lo, default * hi
    elif how == "plus":
        lo, hi = default + lo, default + hi
    for m in metadata:
        floor = getattr(m, "ge", None)
        if floor is None:
            floor = getattr(m, "gt", None)
        ceiling = getattr(m, "le", None)
        if ceiling is None:
            ceiling = getattr(m, "lt", None)
        lo = lo if floor is None else max(lo, floor)
        hi = hi if ceiling is None else min(hi, ceiling)
    if annotation is int:
        return math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    return float(lo), float(hi)


def _entry_rows(doc: ParamDoc, field: Any) -> list[ParamDoc]:
    """The entries of a table of numbers (``budget.shares.park``), each with its own label and range."""
    extra = field.json_schema_extra or {}
    entries = extra.get("entries", {})
    args = typing.get_args(field.annotation)
    item = args[1] if len(args) == 2 else None
    metadata = [m for fi in typing.get_args(item)[1:] for m in getattr(fi, "metadata", [])] if item is not None else []
    out = []
    for k, v in doc.default.items():
        zh, en = entries.get(k) or (k, k.replace("_", " ").capitalize())
        entry = _replace(doc, key=f"{doc.key}.{k}", default=v, label_zh=f"{doc.label_zh}：{zh}",
                         label_en=f"{doc.label_en}: {en}")
        if "range" in extra:
            low, high = _span(extra.get("range_of", "value"), *extra["range"], v, float, metadata)
            entry = _replace(entry, low=low, high=high)
        out.append(entry)
    return out


@functools.cache
def _fields() -> dict[str, Any]:
    """The pydantic field behind every row's key (for the entries of tables of numbers)."""
    out: dict[str, Any] = {}

    def walk(model: BaseModel, prefix: str) -> None:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.")
            elif isinstance(value, dict) and value and all(isinstance(v, BaseModel) for v in value.values()):
                for k, v in value.items():
                    walk(v, f"{prefix}{name}.{k}.")
            else:
                out[f"{prefix}{name}"] = field

    walk(Params(), "")
    return out


@functools.cache
def _docs_by_key() -> dict[str, ParamDoc]:
    out: dict[str, ParamDoc] = {}
    fields = _fields()
    for doc in parameter_rows():
        out[doc.key] = doc
        if isinstance(doc.default, dict):
            out.update({e.key: e for e in _entry_rows(doc, fields[doc.key])})
    return out


def param_doc(key: str) -> dict:
    """Meaning, unit, default, source, labels, kind and plausible range (low, high, reason) of the parameter at
    dotted ``key`` ({} if there is none)."""
    doc = _docs_by_key().get(key)
    return {} if doc is None else {k: v for k, v in asdict(doc).items() if k != "key"}


def _doc(key: str) -> ParamDoc:
    doc = _docs_by_key().get(key)
    if doc is None:
        raise KeyError(f"parameter key '{key}': expected a dotted key of sim/params.py (e.g. hazards.no_land), "
                       "found none of that name")
    return doc


def param_label(key: str, lang: str) -> str:
    """A parameter's name for people, in Chinese (``lang="zh"``) or English (e.g. 银行贷款审批通过率 / Bank loan
    approval rate for ``service.loan_approval``); the key itself for a name that is not a parameter."""
    doc = _docs_by_key().get(key)
    return key if doc is None else (doc.label(lang) or key)


def entry_label(key: str, lang: str) -> str:
    """The name of the entry a key of a table of numbers points to (``budget.shares.park`` -> 市级工业园区建设 / City
    industrial park), where a heading already names the table; a parameter's label otherwise."""
    parent, _, entry = key.rpartition(".")
    doc = _docs_by_key().get(parent)
    if doc is not None and isinstance(doc.default, dict) and entry in doc.default:
        names = (_fields()[parent].json_schema_extra or {}).get("entries", {})
        zh, en = names.get(entry) or (entry, entry.replace("_", " ").capitalize())
        return zh if lang == "zh" else en
    return param_label(key, lang)


def param_unit(key: str, lang: str) -> str:
    """A parameter's unit, in Chinese or English ('' for a name that is not a parameter)."""
    unit = _docs_by_key()[key].unit if key in _docs_by_key() else ""
    return UNIT_ZH.get(unit, unit) if lang == "zh" else unit


def param_kind(key: str) -> str:
    """What sets the parameter's value: assumption, sourced, calibrated, lever or structural (``KINDS``)."""
    return _doc(key).kind


def param_range(key: str) -> tuple[float, float] | None:
    """The plausible range (low, high) of the parameter in its unit: stated in ``sim/params.py`` for assumptions
    and sourced values, the prior's for calibrated ones; None for levers and structural settings."""
    return _doc(key).range


def parameters(kind: str | None = None) -> list[ParamDoc]:
    """Every parameter that takes one number or switch (the entries of tables of numbers one by one), of ``kind``
    if given, in the order of ``sim/params.py``: the list a global sensitivity design varies
    (``parameters("assumption")``, each with its key, default, low, high and reason)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"parameter kind: expected one of {', '.join(KINDS)}, found '{kind}'")
    return [d for d in _docs_by_key().values()
            if not isinstance(d.default, dict) and (kind is None or d.kind == kind)]


def _cell(doc: ParamDoc) -> str:
    """The plausible range of a row of the table: values, how they were declared, and why."""
    if doc.kind == "calibrated":
        return f"{doc.low:g} to {doc.high:g} (the calibration's prior)"
    if doc.range is not None:
        rule = f" ({doc.rule})" if doc.rule else ""
        return f"{doc.low:g} to {doc.high:g}{rule}: {doc.reason}"
    if doc.rule:
        return f"{doc.rule}: {doc.reason}"
    return ""


def parameter_table() -> str:
    """Markdown table of every parameter at its default (the baseline): labels, meaning, unit, default, kind,
    plausible range with its reason, and source; docs/PARAMETERS.md follows it with the calibration that set the
    calibrated ones (:func:`sim.calibration.markdown.parameters_page`)."""
    lines = [
        "# Parameters",
        "",
        "Generated by `sim params` from `sim/params.py`; do not edit by hand. Money in 万元 (10,000 yuan),",
        "land in mu (亩), time in months. Kind says what sets a value: \"assumption\" is set by hand (no source pins",
        "it), \"sourced\" by a figure of docs/SOURCES.md, \"calibrated\" by the calibration (the central point of the",
        "posterior that `experiments/calibrate.py` infers from the default region's figures, regions/*/figures.toml; see",
        "[Calibration](#calibration) below), \"lever\" by a strategy, \"structural\" by the run or a classification.",
        "Assumptions and sourced values have a plausible range with its reason; a field of a per-entry table",
        "(sectors, departments, channels, sources of leads) or a table of numbers may state it relative to each",
        "entry's default; a calibrated parameter's range is its prior. The governments, the sectors and the region's",
        "facts are the default region's (regions/regions.toml names it): another region's files give their own, each",
        "with its source or reason (regions/<name>/, docs/SOURCES.md).",
        "",
        "| key | label | meaning | unit | default | kind | plausible range | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for doc in parameter_rows():
        v = doc.default if not isinstance(doc.default, dict) else ", ".join(f"{k}={x}" for k, x in doc.default.items())
        lines.append(f"| `{doc.key}` | {doc.label_zh} / {doc.label_en} | {doc.meaning} | {doc.unit} | {v} | {doc.kind} | "
                     f"{_cell(doc)} | {doc.source} |".replace("\n", " "))
    return "\n".join(lines) + "\n"
