"""How numbers are shown to officials: units, scale and rounding, in Chinese and English.

One rule per kind of output (the output's kind is the registry's,
:mod:`sim.model.registry`), used by the charts, the headline sentences and
the memo's tables, so the same value always prints the same way:

- rates and shares (履约率, 资金到位率...): percent with one decimal; their
  differences in percentage points (个百分点) with one decimal;
- sums of money (万元 in the model): large sums in 亿元 with one decimal
  (in English "bn yuan"), small ones (under 1亿元; in English under 1 bn
  yuan) in 万元 (in English "million yuan"), so no 万元 figure has more than
  four digits before the decimal point;
- counts (jobs, projects, contacts): rounded as officials quote them, to the
  nearest hundred from 1,000 (约7,500), to the nearest ten from 100;
- money per unit (cost per job): 万元 with one decimal (two below 10) in
  Chinese, whole yuan in English; never negative (a strategy that saves money
  while adding jobs has no cost per extra job to print);
- other ratios: two decimals.

Chinese sets the unit right after the number (609.2亿元, +10.5个百分点); English
leaves a space (60.9 bn yuan).
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
"""How each kind of output of the registry (``sim.model.registry.KINDS``) is shown: as a rate, as a sum of money
(亿元 or 万元), as money per unit, as a count, or as another ratio."""
YI = 1e4
"""万元 per 亿元."""
BN = 1e5
"""万元 per billion yuan."""
MILLION = 100.0
"""万元 per million yuan."""
ABOUT = {"zh": "约", "en": "about "}
"""What goes before a rounded count in a sentence (约7,500; about 7,500)."""


def kind(output: str) -> str:
    """How ``output`` is shown: "rate", "capital", "money", "count" or "ratio" (from its kind in the registry;
    "ratio" for a name the registry does not know)."""
    return DISPLAY.get(registry.kind(output) or "", "ratio")


def large_unit(lang: str) -> tuple[float, str]:
    """(万元 per unit, unit) of large sums in tables and charts: 亿元, or bn yuan in English."""
    return (YI, "亿元") if lang == "zh" else (BN, "bn yuan")


def scale(output: str, lang: str = "zh") -> float:
    """Factor from model units to the display units of tables and charts (x100 for rates, 1/10,000 for sums in
    亿元, 1/100,000 for sums in bn yuan, x10,000 for English money per unit in yuan)."""
    k = kind(output)
    if k == "money" and lang == "en":
        return 1e4
    if k == "capital":
        return 1 / large_unit(lang)[0]
    return {"rate": 100.0}.get(k, 1.0)


def decimals(output: str, magnitude: float, lang: str = "zh") -> int:
    """Decimals shown for ``output`` at a display magnitude (tables and charts)."""
    k = kind(output)
    m = abs(magnitude) if magnitude is not None and math.isfinite(magnitude) else 0.0
    if k == "rate":
        return 1
    if k == "money" and lang == "en":
        return 0
    if k == "capital":
        return 1 if lang == "zh" or m >= 10 else 2
    if k == "money":
        return 1 if m >= 10 else 2
    if k == "count":
        return 0 if m >= 10 else 1
    return 2


def rounded_count(value: float) -> float:
    """A count as officials quote it: to the nearest hundred from 1,000, the nearest ten from 100, whole below."""
    m = abs(value)
    step = 100 if m >= 1000 else (10 if m >= 100 else 1)
    return round(value / step) * step if m >= 10 else value


def number(value: float | None, places: int, sign: bool = False) -> str:
    """A number with thousands separators; ``sign`` adds "+" to positive values; "–" for missing."""
    if value is None or not math.isfinite(value):
        return "–"
    v = round(value, places)
    if v == 0:
        v = 0.0  # no "-0.0"
    text = f"{v:,.{places}f}"
    return f"+{text}" if sign and v > 0 else text


def money(value: float | None, lang: str, sign: bool = False, ref: float | None = None) -> str:
    """A sum of money (万元) with the unit officials use: 亿元 with one decimal from 1亿元, else 万元 (whole from
    10万元); in English bn yuan from 1 bn, else million yuan. ``ref`` (万元), if given, chooses the unit instead of
    the value (both bounds of an interval in one unit)."""
    if value is None or not math.isfinite(value):
        return "–"
    m = abs(ref) if ref is not None and math.isfinite(ref) else abs(value)
    if lang == "zh":
        if m >= YI:
            return number(value / YI, 1, sign) + "亿元"
        return number(value, 0 if m >= 10 else 1, sign) + "万元"
    if m >= BN:
        return number(value / BN, 1, sign) + " bn yuan"
    mio = value / MILLION
    return number(mio, 0 if m / MILLION >= 100 else 1, sign) + " million yuan"


def money_in(value: float | None, lang: str, unit: str, sign: bool = False) -> str:
    """A sum of money (万元) in a table column of a fixed ``unit``: "yi" (亿元 / bn yuan, one and two decimals) or
    "wan" (万元, whole / million yuan, one decimal)."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "yi":
        return number(value / YI, 1, sign) if lang == "zh" else number(value / BN, 2, sign)
    return number(value, 0, sign) if lang == "zh" else number(value / MILLION, 1, sign)


def money_unit(lang: str, unit: str) -> str:
    """The header unit of a money column of :func:`money_in`."""
    if unit == "yi":
        return "亿元" if lang == "zh" else "bn yuan"
    return "万元" if lang == "zh" else "million yuan"


def unit(output: str, lang: str, effect: bool = False) -> str:
    """Display unit of an output in tables and charts (its level, or its difference when ``effect``)."""
    k = kind(output)
    if k == "rate":
        if effect:
            return "个百分点" if lang == "zh" else "percentage points"
        return "%"
    if k == "capital":
        return large_unit(lang)[1]
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
        return large_unit(lang)[1]
    if k == "money":
        return "万元" if lang == "zh" else "yuan"
    if k == "count":
        return "个" if lang == "zh" else ("jobs" if registry.kind(output) == "jobs" else "")
    return ""


def display(output: str, value: float | None, lang: str = "zh") -> float | None:
    """A model value in the display units of tables and charts."""
    if value is None or not math.isfinite(value):
        return None
    return value * scale(output, lang)


def _join(text: str, u: str, lang: str) -> str:
    if not u:
        return text
    if u == "%" or lang == "zh":
        return text + u
    return f"{text} {u}"


def fmt(output: str, value: float | None, lang: str = "zh", effect: bool = False, with_unit: bool = True,
        ref: float | None = None, about: bool = False, sign: bool | None = None) -> str:
    """``value`` (model units) as shown: scaled, rounded, with sign for effects and the unit.

    With the unit, a sum of money takes the unit its size calls for (亿元 or 万元); without it (a table column
    whose header names the unit) it is in 亿元 (bn yuan). Counts are rounded as officials quote them; ``about``
    puts 约 ("about") before a rounded count in a sentence. ``ref`` (model units) sets the rounding, so the
    bounds of an interval round like its centre. Money per unit that is negative (a saving, not a cost) prints
    as "–". ``sign`` ("+" before a positive value) follows ``effect`` unless given: a change whose direction a
    sentence states in words is printed as its size, in the units of an effect.
    """
    if value is None or not math.isfinite(value):
        return "–"
    sign = effect if sign is None else sign
    k = kind(output)
    if k == "money" and value < 0 and not effect:
        return "–"
    if k == "capital" and with_unit:
        return money(value, lang, sign=sign)
    if k == "count":
        r = display(output, ref, lang) if ref is not None else value
        v = rounded_count(value) if abs(r) >= 10 else value
        text = number(v, decimals(output, r, lang), sign=sign)
        prefix = ABOUT[lang] if about and abs(r) >= 100 and not effect else ""
        return prefix + (_join(text, unit(output, lang, effect), lang) if with_unit else text)
    v = display(output, value, lang)
    r = display(output, ref, lang) if ref is not None else v
    text = number(v, decimals(output, r if r is not None else 0.0, lang), sign=sign)
    if not with_unit:
        return text
    return _join(text, unit(output, lang, effect), lang)


def fmt_ci(output: str, low: float | None, high: float | None, lang: str = "zh", ref: float | None = None,
           effect: bool = True) -> str:
    """An interval "a 至 b" / "a to b" in display units, rounded like ``ref``."""
    ref = ref if ref is not None else max((abs(x) for x in (low, high) if x is not None and math.isfinite(x)),
                                          default=0.0)
    if kind(output) == "capital":
        a, b = money(low, lang, sign=effect, ref=ref), money(high, lang, sign=effect, ref=ref)
        return f"{a}至{b}" if lang == "zh" else f"{a} to {b}"
    a = fmt(output, low, lang, effect=effect, with_unit=False, ref=ref)
    b = fmt(output, high, lang, effect=effect, with_unit=False, ref=ref)
    return f"{a}至{b}" if lang == "zh" else f"{a} to {b}"
