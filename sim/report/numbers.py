"""How numbers are shown to officials: units, scale and rounding, in Chinese and English.

One rule per kind of output (the output's kind is the registry's,
:mod:`sim.model.registry`), used by the charts, the headline sentences and
the briefing's tables, so the same value always prints the same way:

- rates and shares (履约率, 资金到位率...): percent with one decimal; their
  differences in percentage points (个百分点) with one decimal;
- capital and budgets (万元 in the model): 亿元 (100 million yuan), one
  decimal (two below 10);
- counts (jobs, projects): whole numbers with thousands separators (one
  decimal below 100);
- money per unit (cost per job): 万元 with one decimal (two below 10) in
  Chinese, whole yuan in English;
- other ratios: two decimals.
"""

from __future__ import annotations

import math

from sim.model import registry

DISPLAY: dict[str, str] = {
    "rate": "rate", "share": "rate", "index": "rate",
    "money": "capital", "money_per_unit": "money",
    "count": "count", "jobs": "count",
    "ratio": "ratio", "months": "ratio", "land": "ratio", "month": "ratio",
}
"""How each kind of output of the registry (``sim.model.registry.KINDS``) is shown: as a rate, as capital in 亿元,
as money per unit, as a count, or as another ratio."""
YI = 1e4
"""万元 per 亿元."""


def kind(output: str) -> str:
    """How ``output`` is shown: "rate", "capital", "money", "count" or "ratio" (from its kind in the registry;
    "ratio" for a name the registry does not know)."""
    return DISPLAY.get(registry.kind(output) or "", "ratio")


def scale(output: str, lang: str = "zh") -> float:
    """Factor from model units to display units (x100 for rates, /10,000 for capital in 亿元, x10,000 for
    English money in yuan)."""
    k = kind(output)
    if k == "money" and lang == "en":
        return 1e4
    return {"rate": 100.0, "capital": 1 / YI}.get(k, 1.0)


def decimals(output: str, magnitude: float, lang: str = "zh") -> int:
    """Decimals shown for ``output`` at a display magnitude."""
    k = kind(output)
    m = abs(magnitude) if magnitude is not None and math.isfinite(magnitude) else 0.0
    if k == "rate":
        return 1
    if k == "money" and lang == "en":
        return 0
    if k in ("capital", "money"):
        return 1 if m >= 10 else 2
    if k == "count":
        return 0 if m >= 100 else 1
    return 2


def number(value: float | None, places: int, sign: bool = False) -> str:
    """A number with thousands separators; ``sign`` adds "+" to positive values; "-" for missing."""
    if value is None or not math.isfinite(value):
        return "–"
    v = round(value, places)
    if v == 0:
        v = 0.0  # no "-0.0"
    text = f"{v:,.{places}f}"
    return f"+{text}" if sign and v > 0 else text


def unit(output: str, lang: str, effect: bool = False) -> str:
    """Display unit of an output (its level, or its difference when ``effect``)."""
    k = kind(output)
    if k == "rate":
        if effect:
            return "个百分点" if lang == "zh" else "percentage points"
        return "%"
    if k == "capital":
        return "亿元" if lang == "zh" else "hundred million yuan"
    if k == "money":
        return "万元" if lang == "zh" else "yuan"
    if k == "count":
        if registry.kind(output) == "jobs":
            return "个岗位" if lang == "zh" else "jobs"
        return "个" if lang == "zh" else ""
    return ""


def short_unit(output: str, lang: str, effect: bool = False) -> str:
    """Compact unit for table headers and axes (pp, %, 亿元...)."""
    k = kind(output)
    if k == "rate":
        return ("百分点" if lang == "zh" else "pp") if effect else "%"
    if k == "capital":
        return "亿元" if lang == "zh" else "100m yuan"
    if k == "money":
        return "万元" if lang == "zh" else "yuan"
    if k == "count":
        return "个" if lang == "zh" else ("jobs" if registry.kind(output) == "jobs" else "")
    return ""


def display(output: str, value: float | None, lang: str = "zh") -> float | None:
    """A model value in display units."""
    if value is None or not math.isfinite(value):
        return None
    return value * scale(output, lang)


def fmt(output: str, value: float | None, lang: str = "zh", effect: bool = False, with_unit: bool = True,
        ref: float | None = None) -> str:
    """``value`` (model units) as shown: scaled, rounded, with sign for effects and the unit.

    ``ref`` (model units) sets the rounding, so the bounds of an interval round like its centre.
    """
    v = display(output, value, lang)
    r = display(output, ref, lang) if ref is not None else v
    text = number(v, decimals(output, r if r is not None else 0.0, lang), sign=effect)
    if not with_unit or text == "–":
        return text
    u = unit(output, lang, effect)
    if u == "%":
        return text + "%"
    return f"{text} {u}" if u else text


def fmt_ci(output: str, low: float | None, high: float | None, lang: str = "zh", ref: float | None = None,
           effect: bool = True) -> str:
    """An interval "a 至 b" / "a to b" in display units, rounded like ``ref``."""
    ref = ref if ref is not None else max((abs(x) for x in (low, high) if x is not None and math.isfinite(x)),
                                          default=0.0)
    a = fmt(output, low, lang, effect=effect, with_unit=False, ref=ref)
    b = fmt(output, high, lang, effect=effect, with_unit=False, ref=ref)
    return f"{a} 至 {b}" if lang == "zh" else f"{a} to {b}"
