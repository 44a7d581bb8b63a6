"""One set of numbers for the memo: every level, effect and sum it prints, from one baseline, formatted once.

The baseline's level of an output is the mean over all its runs (in an adaptive experiment it runs as long as its
longest comparison); a strategy's level is that baseline level plus its paired effect (common random numbers), so
every section states the same baseline and a strategy's level and its difference from the baseline always add
up. Ratios (cost per job, capital arrived per yuan) are ratios of these levels. Yearly figures, money by
government and by source, risks and each government's results follow the same rule (``sim.analysis.memo``).

Every figure shown goes through :meth:`Figures.show`, which remembers the text of each quantity (a key such as
``baseline/jobs/level``) and wraps it in a ``<span data-q="...">``: a quantity printed with two values is a
conflict the memo's tests catch.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.tables import read_table
from sim.report import numbers as nb


def finite(x: Any) -> bool:
    """True for a finite number (not a bool, not None, not NaN)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


class Figures:
    """The numbers of one analysis (``analysis.json`` and the tables beside it) in one language, at one design
    point."""

    def __init__(self, analysis: dict, folder: str | Path, lang: str = "zh", point: int | None = None):
        self.an = analysis
        self.folder = Path(folder)
        self.lang = lang
        self.baseline = analysis["baseline"]
        self.horizon = int(analysis.get("provenance", {}).get("horizon_months") or 0)
        self.years = max(1, math.ceil(self.horizon / 12)) if self.horizon else 1
        self.baselines: dict[str, str] = analysis.get("baselines") or {}
        eff = read_table(self.folder, "effects")
        points = sorted(set(eff["point_id"])) if not eff.empty else [0]
        ref = analysis.get("reference_point")
        self.point = int(point if point is not None else (ref if ref in points else points[0]))
        """The design point the memo describes: the one nearest the baseline's own settings (the analysis'
        reference point), unless given."""
        self._effects = {}
        if not eff.empty:
            e = eff[(eff["source"] == "summary") & (eff["point_id"] == self.point)]
            self._effects = {(s, o): r for s, o, r in zip(e["scenario"], e["output"], e.to_dict("records"), strict=True)}
        lv = read_table(self.folder, "levels")
        self._levels = {}
        if not lv.empty:
            lv = lv[lv["point_id"] == self.point]
            self._levels = {(s, o): r for s, o, r in zip(lv["scenario"], lv["output"], lv.to_dict("records"), strict=True)}
        self.tables: dict[str, pd.DataFrame] = {}
        self._index: dict[tuple[str, tuple[str, ...]], dict] = {}
        self.seen: dict[str, float] = {}
        self.conflicts: list[tuple[str, float, float]] = []

    # ------------------------------------------------------------------ tables
    def table(self, name: str) -> pd.DataFrame:
        """A table of the analysis at the memo's design point (empty when it was not written)."""
        if name not in self.tables:
            t = read_table(self.folder, name)
            if not t.empty and "point_id" in t:
                t = t[t["point_id"] == self.point]
            self.tables[name] = t
        return self.tables[name]

    def row(self, name: str, *key: Any, by: tuple[str, ...] = ("scenario", "item")) -> dict | None:
        """The row of table ``name`` whose columns ``by`` hold ``key`` (looked up in an index made once)."""
        ix = self._index.get((name, by))
        if ix is None:
            t = self.table(name)
            ix = {} if t.empty else {tuple(r[c] for c in by): r for r in t.to_dict("records")}
            self._index[(name, by)] = ix
        return ix.get(tuple(key))

    def scenarios(self) -> list[str]:
        """The strategies compared, in the experiment's order (joined ones last)."""
        return [s["name"] for s in self.an.get("scenarios", [])]

    def baseline_of(self, scenario: str) -> str:
        """The baseline a strategy is compared with: the experiment's, or in an experiment of several regions the
        baseline of the strategy's own region."""
        return self.baselines.get(scenario, self.baseline)

    def is_baseline(self, scenario: str) -> bool:
        """True for the baseline and, in an experiment of several regions, each other region's baseline."""
        return self.baseline_of(scenario) == scenario

    # ------------------------------------------------------------------ levels and effects
    def effect(self, scenario: str, output: str) -> dict | None:
        """The paired effect record of a strategy on an output at the horizon (None for the baseline)."""
        return self._effects.get((scenario, output))

    def base(self, output: str, baseline: str | None = None) -> float:
        """The baseline's level of an output: its mean over all the baseline's runs (``baseline``: another region's)."""
        r = self._levels.get((baseline or self.baseline, output))
        return float(r["mean"]) if r is not None else float("nan")

    def level(self, scenario: str, output: str) -> float:
        """A strategy's level of an output: its baseline's level plus its paired effect."""
        base = self.baseline_of(scenario)
        if scenario == base:
            return self.base(output, base)
        e = self.effect(scenario, output)
        return self.base(output, base) + float(e["effect"]) if e is not None and finite(e.get("effect")) else float("nan")

    def spread(self, scenario: str, output: str) -> dict | None:
        """The paired effect and its spread at the horizon from the yearly table's last year (d_p05: what one
        run in twenty falls to), for the outputs that table follows."""
        y = self.table("yearly")
        if y.empty:
            return None
        return self.row("yearly", scenario, output, int(y["year"].max()), by=("scenario", "output", "year"))

    def paired(self, table: str, scenario: str, item: str) -> dict | None:
        """A row of one of the paired tables of ``sim.analysis.memo`` (money, risks, governments)."""
        return self.row(table, scenario, item)

    def paired_level(self, table: str, scenario: str, item: str) -> float:
        """The level of an item of a paired table: the baseline's mean plus the strategy's paired effect."""
        base = self.baseline_of(scenario)
        b = self.paired(table, base, item)
        if b is None:
            return float("nan")
        if scenario == base:
            return float(b["mean"])
        r = self.paired(table, scenario, item)
        return float(b["mean"]) + float(r["effect"]) if r is not None else float("nan")

    def yearly_level(self, scenario: str, output: str, year: int) -> float:
        """A strategy's flow in (or stock at the end of) an assessment year, by the same rule."""
        b = self.yearly_effect(self.baseline, output, year)
        if b is None:
            return float("nan")
        if scenario == self.baseline:
            return float(b["mean"])
        s = self.yearly_effect(scenario, output, year)
        return float(b["mean"] + s["effect"]) if s is not None else float("nan")

    def yearly_effect(self, scenario: str, output: str, year: int) -> dict | None:
        """The yearly table's row of a strategy's output in a year (its effect with interval)."""
        return self.row("yearly", scenario, output, int(year), by=("scenario", "output", "year"))

    # ------------------------------------------------------------------ derived
    def per_year(self, value: float) -> float:
        """A sum over the horizon as a yearly mean (the horizon's budget years)."""
        return value / self.years

    def cost_per_job(self, scenario: str) -> float:
        """Money spent per job at the horizon (万元 per job), from the levels of this one set of numbers."""
        jobs = self.level(scenario, "jobs")
        return self.level(scenario, "budget_spent") / jobs if jobs > 0 else float("nan")

    def extra_cost_per_job(self, scenario: str) -> float | None:
        """Extra money per extra job against the baseline (万元), only where both the spending and the jobs rise for
        certain (95% intervals above zero, as the cost table's rule, ``sim.analysis.costs``): otherwise None, and
        :meth:`why_no_extra_cost` says why."""
        j, s = self.effect(scenario, "jobs"), self.effect(scenario, "budget_spent")
        if self.why_no_extra_cost(scenario) is not None or not j or not s:
            return None
        return float(s["effect"]) / float(j["effect"])

    def why_no_extra_cost(self, scenario: str) -> str | None:
        """Why a strategy has no cost per extra job: "baseline", "spending_not_higher" or "jobs_not_higher" (the
        cost table's notes); None when it has one."""
        if self.is_baseline(scenario):
            return "baseline"
        j, s = self.effect(scenario, "jobs"), self.effect(scenario, "budget_spent")
        if not s or not finite(s.get("ci_low")) or s["ci_low"] <= 0:
            return "spending_not_higher"
        if not j or not finite(j.get("ci_low")) or j["ci_low"] <= 0:
            return "jobs_not_higher"
        return None

    def cost_record(self, scenario: str) -> dict | None:
        """The cost table's row of a strategy at the memo's point (money held, returned, borrowed, owed, and
        whether it had the baseline's money)."""
        return self.row("costs", scenario, by=("scenario",))

    # ------------------------------------------------------------------ showing
    def show(self, key: str, text: str, value: float | None = None) -> str:
        """``text`` (a formatted figure) as HTML, remembered as quantity ``key`` with the value it shows (model
        units; its size, as sentences state a change's direction in words): the same key shown from another value
        is recorded in :attr:`conflicts`. The span carries both (``data-q``, ``data-v``) for the memo's checks."""
        v = abs(float(value)) if value is not None and finite(float(value)) else None
        if v is not None:
            first = self.seen.setdefault(key, v)
            if not math.isclose(first, v, rel_tol=1e-9, abs_tol=1e-12):
                self.conflicts.append((key, first, v))
        data = f' data-v="{v!r}"' if v is not None else ""
        return f'<span class="q" data-q="{html.escape(key)}"{data}>{html.escape(text)}</span>'

    def fmt(self, key: str, output: str, value: float | None, effect: bool = False, with_unit: bool = True,
            ref: float | None = None, about: bool = False, sign: bool | None = None) -> str:
        """An output's value formatted for officials (:func:`sim.report.numbers.fmt`) and shown as ``key``."""
        return self.show(key, nb.fmt(output, value, self.lang, effect=effect, with_unit=with_unit, ref=ref,
                                     about=about, sign=sign), value)

    def change(self, key: str, text: str, value: float | None) -> str:
        """An effect already formatted as ``text``, shown as ``key``; one that rounds to zero is worded as no change
        ("持平" / "no change"), not listed as "0.0" beside a level."""
        if value is not None and finite(float(value)) and not re.search(r"[1-9]", text):
            text = "持平" if self.lang == "zh" else "no change"
        return self.show(key, text, value)

    def money(self, key: str, value: float | None, sign: bool = False) -> str:
        """A sum of money (万元) in the unit its size calls for, shown as ``key``."""
        return self.show(key, nb.money(value, self.lang, sign=sign), value)

    def money_in(self, key: str, value: float | None, unit: str, sign: bool = False) -> str:
        """A sum of money (万元) in a table column's fixed unit, shown as ``key``."""
        return self.show(key, nb.money_in(value, self.lang, unit, sign=sign), value)

    def ci(self, key: str, output: str, low: float | None, high: float | None, ref: float | None = None) -> str:
        """An interval of an effect, shown as ``key`` (its bounds as ``key/low`` and ``key/high``)."""
        text = nb.fmt_ci(output, low, high, self.lang, ref=ref)
        for end, v in (("low", low), ("high", high)):
            if v is not None and finite(float(v)):
                self.show(f"{key}/{end}", "", v)
        return self.show(key, text)

    def number(self, key: str, value: float | None, places: int, sign: bool = False) -> str:
        """A plain number (a count of draws, a ratio) shown as ``key``."""
        return self.show(key, nb.number(value, places, sign), value)
