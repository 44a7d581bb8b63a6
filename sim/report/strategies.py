"""What each strategy contains: its settings that differ from the baseline's, read from the scenario files, with
the lever each belongs to and who carries it out (``sim.model.vocabulary``).

A strategy is a scenario file; what it *does* is every parameter it sets differently from the baseline (budget
shares, the yearly budget, institutions switched on, staff and attention, assessment, channels). The memo lists
them in the words of ``sim.paramdoc`` and groups them by lever, so that "强化领导、狠抓落实" is no longer a label but
a list of measures, each with its owners.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.experiment.spec import content_hash
from sim.model import vocabulary
from sim.paramdoc import param_label, param_unit
from sim.scenario import ScenarioSpec, load_scenario, read_toml

IGNORED = ("run.",)
"""Settings that say how a run is made, not what a strategy does."""


@dataclass(frozen=True)
class Change:
    """One setting of a strategy that differs from the baseline: dotted key, the baseline's value and the
    strategy's, and the lever or measure it belongs to (``sim.model.vocabulary.lever_of``; "" for none)."""

    key: str
    before: Any
    after: Any
    lever: str

    def label(self, lang: str) -> str:
        """The setting's name (``sim.paramdoc``)."""
        try:
            return param_label(self.key, lang)
        except KeyError:
            return self.key

    def words(self, lang: str) -> str:
        """The change in words: "行政服务中心（并联审批）：否→是", "Share of the yearly budget: park 0% -> 25%"."""
        return f"{self.label(lang)}{'：' if lang == 'zh' else ': '}{value_text(self.key, self.before, lang)}" \
               f"{'→' if lang == 'zh' else ' -> '}{value_text(self.key, self.after, lang)}"


    def prose(self, lang: str) -> str:
        """The change as a clause of prose: "招商队伍专业化程度由30%提高到72%", "professionalism ... from 30% to 72%";
        a switch turned on is "设立..." ("set up ...")."""
        label = self.label(lang)
        if isinstance(self.after, bool):
            if lang == "zh":
                return f"{'实行' if self.after else '取消'}{label}"
            return f"{'introduce' if self.after else 'drop'} {label[0].lower()}{label[1:]}"
        a, b = value_text(self.key, self.before, lang), value_text(self.key, self.after, lang)
        if lang == "zh":
            up = isinstance(self.after, int | float) and isinstance(self.before, int | float) and self.after > self.before
            return f"{label}由{a}{'提高到' if up else '调整为'}{b}"
        return f"{label[0].lower()}{label[1:]} from {a} to {b}"


def value_text(key: str, value: Any, lang: str) -> str:
    """A setting's value for people: switches as 是/否 (yes/no), shares in percent, money with its unit."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, int | float):
        try:
            unit = param_unit(key, "en")
        except KeyError:
            unit = ""
        if unit == "share":  # a small share that is not nil keeps a decimal: a forum's 0.3% is not "0%"
            return f"{100 * value:.1f}%" if 0 < abs(100 * value) < 1 else f"{100 * value:.0f}%"
        if unit == "万元 / year":
            return f"{value:,.0f}万元/年" if lang == "zh" else f"{value / 100:,.0f} million yuan a year"
        return f"{value:g}"
    return str(value)


def _flat(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for k, v in tree.items():
            out |= _flat(v, f"{prefix}{k}.")
        return out
    return {prefix[:-1]: tree}


def differences(strategy: ScenarioSpec, baseline: ScenarioSpec) -> list[Change]:
    """The settings of ``strategy`` that differ from ``baseline``'s, in the parameter file's order."""
    a = _flat(strategy.params.model_dump(mode="python"))
    b = _flat(baseline.params.model_dump(mode="python"))
    out = []
    for key, value in a.items():
        if key.startswith(IGNORED):
            continue
        old = b.get(key)
        same = old == value or (isinstance(old, float) and isinstance(value, float) and math.isclose(old, value,
                                                                                                   rel_tol=1e-9))
        if not same:
            out.append(Change(key, old, value, vocabulary.lever_of(key) or ""))
    return out


def contents(paths: dict[str, str], baseline: str,
             used: dict[str, str | None] | None = None) -> tuple[dict[str, list[Change]], dict[str, str]]:
    """What each strategy changes from the baseline: scenario name -> its changes (the scenario files by name in
    ``paths``), and the strategies whose changes are unknown: name -> why (its file, or the baseline's, cannot be
    read now: moved, deleted or made invalid since the runs; or, given the content hash of each file as its runs
    read it in ``used``, :func:`sim.experiment.spec.content_hash`, its file sets other values now), for the memo to
    say so rather than list settings its runs did not use, or none."""
    specs, unread = {}, {}
    for name, path in paths.items():
        try:
            spec = load_scenario(Path(path))
            then = (used or {}).get(name)
            if then and content_hash(read_toml(Path(path))) != then:
                raise ScenarioError(f"{path}: key '-': expected the settings its runs used, found the file changed "
                                    "since")
            specs[name] = spec
        except (ScenarioError, OSError) as exc:
            unread[name] = str(exc) if isinstance(exc, ScenarioError) else f"{path}: {exc.strerror or exc}"
    if baseline not in specs:
        why = unread.get(baseline, f"no scenario file of the baseline {baseline}")
        return {}, {name: why for name in paths if name != baseline}
    return ({name: differences(spec, specs[baseline]) for name, spec in specs.items() if name != baseline},
            {name: why for name, why in unread.items() if name != baseline})


def by_lever(changes: list[Change]) -> dict[str, list[Change]]:
    """Changes grouped by the lever or measure they belong to (in order of first appearance)."""
    out: dict[str, list[Change]] = {}
    for c in changes:
        out.setdefault(c.lever, []).append(c)
    return out


def is_part(part: list[Change], whole: list[Change], shares: bool = False) -> bool:
    """Whether a strategy with the changes ``part`` is contained in one with ``whole``: every setting ``part``
    changes (but the budget shares and channel shares, unless ``shares``: how money is divided is what a
    combination must give up) ``whole`` sets to the same value, and ``part`` changes at least one."""
    def own(cs: list[Change]) -> dict[str, Any]:
        return {c.key: c.after for c in cs if shares or not c.key.startswith(("budget.shares.", "channels."))}

    p, w = own(part), own(whole)
    return bool(p) and all(k in w and w[k] == v for k, v in p.items())
