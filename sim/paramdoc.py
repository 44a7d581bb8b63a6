"""Documentation of every parameter, read from ``sim/params.py``: labels, kind, plausible range, and the generated table.

Dotted keys are the ones ``--set`` and experiment designs use (``hazards.no_land``,
``population.sectors.potato.capital_median``, ``budget.shares.park``): every field of every section, the fields of
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
                zh, en = entries.get(k) or (getattr(v, "name_zh", "") or k, k.replace("_", " ").capitalize())
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
        from sim.calibration.priors import BY_KEY

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
    plausible range with its reason, and source; then the calibration that set the calibrated ones
    (:func:`calibration_section`)."""
    lines = [
        "# Parameters",
        "",
        "Generated by `sim params` from `sim/params.py`; do not edit by hand. Money in 万元 (10,000 yuan),",
        "land in mu (亩), time in months. Kind says what sets a value: \"assumption\" is set by hand (no source pins",
        "it), \"sourced\" by a figure of CALIBRATION.md, \"calibrated\" by the calibration (the central point of the",
        "posterior that `experiments/calibrate.py` infers from the figures of CALIBRATION.md sections A and B; see",
        "[Calibration](#calibration) below), \"lever\" by a strategy, \"structural\" by the run or a classification.",
        "Assumptions and sourced values have a plausible range with its reason; a field of a per-entry table",
        "(sectors, departments, channels, sources of leads) or a table of numbers may state it relative to each",
        "entry's default; a calibrated parameter's range is its prior.",
        "",
        "| key | label | meaning | unit | default | kind | plausible range | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for doc in parameter_rows():
        v = doc.default if not isinstance(doc.default, dict) else ", ".join(f"{k}={x}" for k, x in doc.default.items())
        lines.append(f"| `{doc.key}` | {doc.label_zh} / {doc.label_en} | {doc.meaning} | {doc.unit} | {v} | {doc.kind} | "
                     f"{_cell(doc)} | {doc.source} |".replace("\n", " "))
    return "\n".join(lines) + "\n\n" + calibration_section()


def calibration_section(record: dict | None = None) -> str:
    """The calibration in Markdown: method, figures, priors, posterior summary, fit and what it found.

    Generated from the code (targets, priors) and the record of the shipped baseline; docs/PARAMETERS.md ends
    with it and docs/ODD.md carries the same block, so the two cannot disagree."""
    from sim.calibration import priors, targets
    from sim.calibration.report import ess_caveat, figure, pct
    from sim.params import CALIBRATION_RECORD, calibration_record

    rec = calibration_record() if record is None else record
    over = priors.BY_KEY[priors.OVER_REPORTING]
    lines = [
        "## Calibration",
        "",
        "Approximate Bayesian computation with sequential Monte Carlo (ABC-SMC, pyabc): parameter sets are drawn",
        "from the priors below, each is simulated once (48 months; the cohort is the projects signed in months",
        "13-24, observed 2, 12 and 24 months after their own signing; sector figures on the projects signed in",
        "months 13-48), and kept while its distance to the figures is below a threshold that each generation",
        "lowers to the weighted median of the last generation's distances; new sets are proposed around the last",
        "generation (a multivariate normal kernel, Silverman's width times the setting's `kernel_scaling`).",
        "Distance: root mean square, over the fitted figures, of (model - figure) / tolerance.",
        "Reported pipeline rates are upper bounds (CALIBRATION.md preface): the model's rate times the",
        f"over-reporting factor `{priors.OVER_REPORTING}` (at most 1) is compared with them; the factor is a",
        f"parameter of the ABC with prior {over.describe()} ({over.reason}).",
        "The shipped baseline is the posterior's central point (its weighted medoid: the particle closest on average to all others), recorded",
        f"with its source in `sim/{CALIBRATION_RECORD.name}`; `python experiments/calibrate.py` re-runs it all.",
        "",
        "### Figures",
        "",
        "| figure | value | tolerance | compared as | source |",
        "|---|---|---|---|---|",
    ]
    for t in targets.TARGETS:
        how = ("upper bound" if t.upper_bound else "face value") + ("" if t.fitted else "; held out: " + t.note)
        tol = f"{100 * t.tolerance:g} points" if t.unit == "share" else f"{t.tolerance:g}"
        lines.append(f"| {t.label_en} | {figure(t.value, t.unit)} | {tol} | {how} | {t.source} |")
    lines += ["", "### Priors", "", "| parameter | prior | reason |", "|---|---|---|"]
    lines += [f"| `{p.key}` | {p.describe()} | {p.reason} |" for p in priors.PRIORS]
    if not rec.get("posterior"):
        lines += ["", "No posterior recorded yet: run `python experiments/calibrate.py`."]
        return "\n".join(lines) + "\n"
    src = rec["source"]
    tm = src.get("time", {})
    lines += [
        "", "### Posterior", "",
        f"From `{src['setting']}` (sha256 {str(src['setting_sha256'])[:12]}), code {', '.join(c[:12] for c in src['code_versions'])}, "
        f"finished {src['finished']}: {src['generations']} generations, {src['simulations_stored']:,} simulations "
        f"({src['simulations_evaluated']:,} evaluated), final threshold {src['final_threshold']:.3f} tolerance units, "
        f"effective sample size {src['effective_sample_size']:.0f}. Time: {tm.get('abc_wall_seconds', 0) / 60:.0f} min "
        f"wall for the ABC and {tm.get('ppc_wall_seconds', 0) / 60:.1f} min for the posterior predictive runs on 2 "
        f"shared cores; {tm.get('cpu_seconds_per_simulation') or 0:.2f} CPU seconds per simulation, about "
        f"{tm.get('two_idle_cores_minutes_estimate') or 0:.0f} min on two idle cores.",
        "",
        ess_caveat(src["effective_sample_size"], src["population"]),
        "",
        "Contraction = 1 - posterior variance / prior variance (on the prior's scale): pinned down from 0.75,",
        "narrowed from 0.3, not identified below (the default then rests on the middle of the prior).",
        "",
        "| parameter | central point | 90% interval | contraction | verdict |",
        "|---|---|---|---|---|",
    ]
    values = {**rec["values"], priors.OVER_REPORTING: rec.get("over_reporting")}
    for r in rec["posterior"]:
        lines.append(f"| `{r['parameter']}` | {values.get(r['parameter']):.4g} | {r['p05']:.4g}-{r['p95']:.4g} | "
                     f"{r['contraction']:.2f} | {r['verdict']} |")
    pairs = rec.get("strong_correlations", [])
    lines += ["", "Posterior correlations of at least 0.4 in size (trade-offs the figures cannot separate): "
              + ("; ".join(f"`{p['a']}` and `{p['b']}` {p['r']:+.2f}" for p in pairs) or "none") + "."]
    lines += ["", "### Fit (posterior predictive check)", "",
              "Model on the reported scale: 90% interval over posterior draws, and the central point's mean; for",
              "upper-bound rates the central point's true rate (before over-reporting) in brackets.", "",
              "| figure | fitted | reported | model 90% interval | central (true) |", "|---|---|---|---|---|"]
    label = {t.key: t for t in targets.TARGETS}
    for r in rec["fit"]:
        t = label.get(r["target"])
        if t is None:
            continue
        true = f" ({figure(r['central_true_mean'], t.unit)})" if r["upper_bound"] else ""
        lines.append(f"| {t.label_en} | {'yes' if r['fitted'] else 'held out'} | {figure(r['value'], t.unit)} | "
                     f"{figure(r['predictive_p05'], t.unit)}-{figure(r['predictive_p95'], t.unit)} | "
                     f"{figure(r['central_mean'], t.unit)}{true} |")
    lines += ["", "### Why serious signed projects withdraw (a finding, not a target)", "",
              "Shares of the reasons recorded when serious projects left after signing, over the posterior",
              "predictive runs (mean and 90% interval). No reason is imposed by the calibration.", "",
              "| reason | share | 90% interval |", "|---|---|---|"]
    lines += [f"| {r['reason']} | {pct(r['share_mean'])} | {pct(r['share_p05'])}-{pct(r['share_p95'])} |"
              for r in rec.get("withdrawal_reasons", [])]
    return "\n".join(lines) + "\n"


ODD_BEGIN = "<!-- calibration block: generated by experiments/calibrate.py from sim/calibrated_baseline.json -->"
ODD_END = "<!-- end of the calibration block -->"


def odd_block(record: dict | None = None) -> str:
    """The calibration block of docs/ODD.md (the calibration section one heading level down)."""
    body = calibration_section(record).replace("\n### ", "\n#### ").replace("## Calibration\n", "### Calibration (generated)\n", 1)
    return f"{ODD_BEGIN}\n{body}{ODD_END}"


def write_calibration_block(path, record: dict | None = None) -> None:
    """Replace the calibration block of the ODD at ``path`` with the one generated from the record."""
    from pathlib import Path

    from sim.runio import atomic_write_text

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(ODD_BEGIN), text.index(ODD_END) + len(ODD_END)
    atomic_write_text(path, text[:start] + odd_block(record) + text[end:])
