"""The explorer's levers: which parameters the page exposes and how a setting becomes a scenario.

Every control is a dotted parameter key of :class:`sim.params.Params`
(``policy.incentive_rate``) or a budget share (``budget.shares.park``). A
setting of the controls is applied to the loaded scenario with
:meth:`sim.scenario.ScenarioSpec.with_overrides`, which validates it: a bad
setting (budget shares above 100 %, a value out of range) raises
:class:`sim.errors.ScenarioError` with a one-line message, and
:class:`ControlState` keeps the last valid setting so that Reset always
builds a valid model. Nothing here imports Solara, so the mapping is tested
without a browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.errors import ScenarioError
from sim.paramdoc import entry_label, param_label
from sim.scenario import ScenarioSpec

SOURCE = "explorer"
"""Name that ScenarioError messages give as the origin of a bad setting."""

MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Control:
    """One lever on the page: a dotted parameter key and its widget; its bilingual label is the parameter's
    (``sim.paramdoc``; a budget share is named by its lever, under the page's heading of shares).

    ``kind`` is ``"slider"`` (a number between ``lo`` and ``hi`` in steps of
    ``step``, in the parameter's own unit), ``"switch"`` (on/off) or
    ``"share"`` (a share of the yearly attraction budget, 0-1).
    """

    key: str
    kind: Literal["slider", "switch", "share"]
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.05
    unit: str = ""

    def label(self, lang: str) -> str:
        """Label in the requested language."""
        return entry_label(self.key, lang) if self.kind == "share" else param_label(self.key, lang)

    def show(self, value: Any, lang: str) -> str:
        """A value as the page shows it: on/off, a share in percent, a number with its unit."""
        if self.kind == "switch":
            return ("开" if value else "关") if lang == "zh" else ("on" if value else "off")
        if self.kind == "share":
            return f"{100 * float(value):.0f}%"
        return f"{float(value):g}{' ' + self.unit if self.unit else ''}"

    @property
    def share_key(self) -> str:
        """Budget lever of a share control (``budget.shares.park`` -> ``park``)."""
        return self.key.rsplit(".", 1)[-1]


LEVERS: tuple[Control, ...] = (
    Control("policy.incentive_rate", "slider", 0.0, 15.0, 0.5, "%"),
    Control("policy.honouring_discipline", "slider"),
    Control("service.one_stop_centre", "switch"),
    Control("service.complaint_centre", "switch"),
    Control("policy.city_coordination", "switch"),
    Control("policy.assessment_signed_weight", "slider"),
    Control("policy.leadership_attention", "slider"),
    Control("service.vertical_coordination", "slider"),
)
"""Policy and service levers (C3, C5 and P6 of the design brief)."""

SHARES: tuple[Control, ...] = (
    Control("budget.shares.park", "share", step=0.01),
    Control("budget.shares.idle_assets", "share", step=0.01),
    Control("budget.shares.incentive_fund", "share", step=0.01),
    Control("budget.shares.channels", "share", step=0.01),
    Control("budget.shares.tracking", "share", step=0.01),
    Control("budget.shares.local_firms", "share", step=0.01),
)
"""Shares of the yearly attraction budget the page exposes; the other levers keep the scenario's shares."""

CONTROLS: tuple[Control, ...] = LEVERS + SHARES
BY_KEY = {c.key: c for c in CONTROLS}


def initial_values(spec: ScenarioSpec) -> dict[str, Any]:
    """The controls' values in the loaded scenario (its own levers, not the parameter defaults)."""
    data = spec.params.model_dump(mode="python")
    values: dict[str, Any] = {}
    for c in CONTROLS:
        if c.kind == "share":
            values[c.key] = float(spec.params.budget.shares.get(c.share_key, 0.0))
            continue
        node: Any = data
        for part in c.key.split("."):
            node = node[part]
        values[c.key] = bool(node) if c.kind == "switch" else float(node)
    return values


def slider_range(control: Control, value: float) -> tuple[float, float]:
    """Slider bounds, widened so that the loaded scenario's own value stays reachable."""
    return min(control.lo, value), max(control.hi, value)


def snap(control: Control, value: Any) -> Any:
    """A widget's raw value as the parameter wants it: a bool for switches, a float rounded to the slider step."""
    if control.kind == "switch":
        return bool(value)
    x = float(value)
    decimals = max(0, -math.floor(math.log10(control.step))) + 1 if control.step > 0 else 6
    return round(x, decimals)


def is_snap_echo(control: Control, old: Any, new: Any) -> bool:
    """Whether a slider's new value is only the widget rounding the scenario's value to its step, not a user's move.

    A slider shows a value off its step grid (a scenario's 0.125 on a 0.05
    grid) by rounding it and reporting the rounded value back; a user's move
    changes the value by at least one step.
    """
    if control.kind == "switch":
        return False
    return abs(float(new) - float(old)) <= control.step / 2 + 1e-9


def overrides(spec: ScenarioSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Dotted-key overrides for :meth:`ScenarioSpec.with_overrides` from a setting of the controls.

    Policy and service levers map one to one. Budget shares are written as one
    ``budget.shares`` table: the scenario's shares with the page's replaced, so
    that levers the page does not show (training, forums, legal, atmosphere)
    keep their share and count toward the 100 % limit.
    """
    unknown = [k for k in values if k not in BY_KEY]
    if unknown:
        raise ScenarioError(f"{SOURCE}: key '{unknown[0]}': expected one of the explorer's controls, found an unknown control")
    out: dict[str, Any] = {}
    shares = dict(spec.params.budget.shares)
    for key, value in values.items():
        c = BY_KEY[key]
        if c.kind == "share":
            shares[c.share_key] = value
        else:
            out[key] = value
    if any(BY_KEY[k].kind == "share" for k in values):
        out["budget.shares"] = shares
    return out


def apply(spec: ScenarioSpec, values: dict[str, Any]) -> ScenarioSpec:
    """The loaded scenario with the controls' setting applied and validated (raises ScenarioError)."""
    return spec.with_overrides(overrides(spec, values), source=SOURCE)


def share_total(spec: ScenarioSpec, values: dict[str, Any]) -> float:
    """Sum of all budget shares (shown and not shown) under a setting of the controls."""
    shares = dict(spec.params.budget.shares)
    for c in SHARES:
        if c.key in values:
            shares[c.share_key] = values[c.key]
    return float(sum(shares.values()))


def parse_seed(text: str) -> int:
    """A random seed typed by the user: a whole number from 0 to 2^32 - 1, else ScenarioError."""
    raw = str(text).strip()
    try:
        seed = int(raw)
    except ValueError:
        raise ScenarioError(f"{SOURCE}: key 'seed': expected a whole number from 0 to {MAX_SEED}, found {raw!r}") from None
    if not 0 <= seed <= MAX_SEED:
        raise ScenarioError(f"{SOURCE}: key 'seed': expected a whole number from 0 to {MAX_SEED}, found {seed}")
    return seed


@dataclass
class ControlState:
    """The last valid setting of one browser tab's controls, which Reset builds the model from.

    ``propose`` and ``propose_seed`` accept a new setting only if it
    validates; otherwise they keep the previous one and return the one-line
    reason, which the page shows.
    """

    spec: ScenarioSpec
    values: dict[str, Any] = field(default_factory=dict)
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.values:
            self.values = initial_values(self.spec)

    def propose(self, values: dict[str, Any]) -> str | None:
        """Adopt ``values`` if the scenario validates with them; else keep the last valid ones and return why."""
        try:
            apply(self.spec, values)
        except ScenarioError as exc:
            return str(exc)
        self.values = dict(values)
        return None

    def propose_seed(self, text: str) -> str | None:
        """Adopt a typed seed if it is valid; else keep the last one and return why."""
        try:
            self.seed = parse_seed(text)
        except ScenarioError as exc:
            return str(exc)
        return None

    def current_spec(self) -> ScenarioSpec:
        """The scenario under the last valid setting."""
        return apply(self.spec, self.values)

    def changed(self) -> dict[str, Any]:
        """Controls whose last valid value differs from the loaded scenario's."""
        base = initial_values(self.spec)
        return {k: v for k, v in self.values.items() if base.get(k) != v}
