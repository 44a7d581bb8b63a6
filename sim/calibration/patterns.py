"""The essay's diagnosis as patterns a calibrated baseline must reproduce: P1-P6 measured on a run's summary.

Pattern-oriented modelling (Grimm et al. 2005; Railsback and Grimm, *Agent-Based and Individual-Based Modeling*,
ch. 18): besides the figures it is fitted to, a model is asked to reproduce qualitative patterns at several
levels; parameter sets that cannot are rejected. The source essay diagnoses six problems (README,
"Which mechanism carries which problem"); each becomes one or two statistics of a run's summary (``summary.json``, the keys of
:mod:`sim.model.registry`) with a threshold, its direction and the reason for it. A statistic that is a share of
counts gives its numerator and denominator too (:func:`counts`), so a share is never read without its size.

The thresholds are floors and ceilings, not targets: a run meets a pattern or misses it by so many tolerance units
(:meth:`Pattern.miss`); the calibration adds the misses to its distance (:func:`sim.calibration.targets.distance`).
Shares of withdrawals after signing leave aside those recorded as ending in no agreement (a negotiation that
failed, not a signed project that left). Where a reported figure sets the threshold and reports over-state
(docs/SOURCES.md#over-reporting-2016), the statistic is taken on the reported scale (model x over-reporting
factor, at most 1), as the calibration's figures are (:func:`measure`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sim.model.registry import FULFILMENT

AFTER_SIGNING = "withdrawals_after_signing_by_reason"
"""The summary's table of withdrawals after signing by reason (a nested table, or flattened with dots)."""
NOT_COUNTED = ("no_agreement",)
"""Reasons left out of the withdrawals after signing that patterns divide by."""
PREFIX = "pattern_"
"""Statistics of the calibration that are patterns carry this prefix (``pattern_p1_promises_unpaid``)."""


def _get(summary: Mapping, key: str) -> float:
    """A summary value by key; a key of a nested table may be given flattened (``a.b``)."""
    if key in summary:
        return float(summary[key])
    head, _, rest = key.partition(".")
    if rest and isinstance(summary.get(head), Mapping):
        return _get(summary[head], rest)
    raise KeyError(f"the run's summary has no '{key}'")


def _withdrawn_after_signing(summary: Mapping, reasons: tuple[str, ...] | None = None) -> float:
    """Withdrawals after signing for ``reasons`` (all counted reasons when None)."""
    table = summary.get(AFTER_SIGNING)
    if isinstance(table, Mapping):
        items = {k: float(v) for k, v in table.items()}
    else:
        n = len(AFTER_SIGNING) + 1
        items = {k[n:]: float(v) for k, v in summary.items() if k.startswith(AFTER_SIGNING + ".")}
    if not items:
        raise KeyError(f"the run's summary has no '{AFTER_SIGNING}'")
    return sum(v for k, v in items.items() if k not in NOT_COUNTED and (reasons is None or k in reasons))


Parts = Callable[[Mapping], tuple[float, float]]


@dataclass(frozen=True)
class Pattern:
    """One pattern: the essay's problem (``problem``, P1-P6), the statistic (``parts`` gives its numerator and
    denominator; the statistic is their ratio, 0 when the denominator is 0, as the summary's own shares), the
    threshold it must reach (``at_least``) or stay under, the tolerance that measures a miss (:meth:`miss`),
    whether it is taken on the reported scale, labels, the reason for the threshold and its source (a key of
    docs/SOURCES.md, or "assumption" with the reason)."""

    key: str
    problem: str
    parts: Parts
    threshold: float
    at_least: bool
    tolerance: float
    label_zh: str
    label_en: str
    reason: str
    source: str
    unit: str = "share"
    reported: bool = False
    ratio: bool = True

    def value(self, summary: Mapping, over_reporting: float = 1.0) -> float:
        """The statistic of a run's summary (on the reported scale when the pattern is, at most 1 for a share)."""
        num, den = self.parts(summary)
        v = (num / den if den > 0 else 0.0) if self.ratio else num
        return self.on_reported_scale(float(v), over_reporting)

    def on_reported_scale(self, value: float, over_reporting: float) -> float:
        """A true-scale value on the scale the threshold is stated in: times the over-reporting factor (a share at
        most 1) when the threshold is a reported figure, else as it is."""
        if not self.reported:
            return value
        v = value * over_reporting
        return min(1.0, v) if self.unit == "share" else v

    def met(self, value: float) -> bool:
        """True when ``value`` reaches the threshold (at or above it for a floor, at or below for a ceiling); a
        value that could not be measured (NaN) does not."""
        if not math.isfinite(value):
            return False
        return value >= self.threshold if self.at_least else value <= self.threshold

    def miss(self, value: float) -> float:
        """How far ``value`` falls short of the threshold, in tolerance units (0 when the pattern is met); a value
        that could not be measured misses by the threshold's own distance from 0 (as if nothing were observed)."""
        if not math.isfinite(value):
            value = 0.0 if self.at_least else 1.0
        gap = self.threshold - value if self.at_least else value - self.threshold
        return max(0.0, gap) / self.tolerance

    def describe(self) -> str:
        """'at least 5%' or 'at most 83%' (or months for a length of time)."""
        word = "at least" if self.at_least else "at most"
        return f"{word} {format_value(self.threshold, self.unit)}"


def format_value(v: float, unit: str) -> str:
    """A pattern value for people: a share in percent, a ratio with two decimals, months with one."""
    if not math.isfinite(v):
        return "-"
    if unit == "share":
        return f"{100 * v:.1f}%"
    if unit == "months":
        return f"{v:.2f} months"
    return f"{v:.2f}"


# ----------------------------------------------------------------------------- the statistics
def _promises_unpaid(s: Mapping) -> tuple[float, float]:
    return _get(s, "promises_broken"), _get(s, "promises_due")


def _land_or_promise(s: Mapping) -> tuple[float, float]:
    return _withdrawn_after_signing(s, ("no_land", "incentive_broken")), _withdrawn_after_signing(s)


def _land_or_handoff(s: Mapping) -> tuple[float, float]:
    return _withdrawn_after_signing(s, ("no_land", "handoff")), _withdrawn_after_signing(s)


def _land_wait(s: Mapping) -> tuple[float, float]:
    return _get(s, "mean_land_wait_months"), 1.0


def _large_completed(s: Mapping) -> tuple[float, float]:
    return _get(s, "large_share_completed"), _get(s, "large_share_prospects")


def _industrial_completed(s: Mapping) -> tuple[float, float]:
    return _get(s, "industrial_share_completed"), _get(s, "industrial_share_prospects")


def _fulfilment(s: Mapping) -> tuple[float, float]:
    return _get(s, FULFILMENT), 1.0


def _local_firm_leads(s: Mapping) -> tuple[float, float]:
    return _get(s, "partner_leads"), _get(s, "contacts_made")


def _courted(s: Mapping) -> tuple[float, float]:
    return _get(s, "prospects_courted_by_several"), _get(s, "prospects_contacted")


PATTERNS: tuple[Pattern, ...] = (
    Pattern("p1_promises_unpaid", "P1", _promises_unpaid, 0.05, True, 0.02,
            "到期优惠承诺未兑现的比例", "Promises due that go unpaid",
            "the essay: promised incentives are not delivered in full (不折不扣 is its remedy); a region that pays "
            "more than 95% of what it promised has no such problem, so at least one promise due in twenty goes "
            "unpaid (promises broken / promises due)",
            "assumption: the floor of the issue that asked for these patterns; no source counts broken promises"),
    Pattern("p1_p2_land_or_promise_withdrawals", "P1, P2", _land_or_promise, 0.05, True, 0.02,
            "签约后因无地或失信撤出的比例", "Withdrawals after signing for lack of land or a broken promise",
            "the essay names land and broken promises among the reasons signed investors leave; a reason that "
            "moves fewer than one withdrawal in twenty is not a reason the diagnosis could have seen (withdrawals "
            "after signing for no land or a broken promise / withdrawals after signing, no agreement aside)",
            "assumption: the floor of the issue that asked for these patterns; no source counts withdrawals by reason"),
    Pattern("p2_land_or_handoff_withdrawals", "P2", _land_or_handoff, 0.05, True, 0.02,
            "签约后因无地或市县转交撤出的比例", "Withdrawals after signing for lack of land or in hand-offs",
            "the essay: without a city park, projects wait for serviced land and waver when handed from the city "
            "to a county; at least one withdrawal after signing in twenty is for one of the two (withdrawals "
            "after signing for no land or in a hand-off / withdrawals after signing, no agreement aside)",
            "assumption: the same one-in-twenty floor as the pattern above"),
    Pattern("p2_land_wait_months", "P2", _land_wait, 1.0, True, 0.5,
            "签约项目等待熟地的平均月数", "Mean months a signed project waits for serviced land",
            "held up by serviced land means land binds: a signed project waits at least a month on average for "
            "land that is 三通一平 (a mean of 0 says land never binds)",
            "assumption: one month is one step of the model, the shortest wait it can show", unit="months",
            ratio=False),
    Pattern("p3_large_completed_vs_pool", "P3", _large_completed, 0.85, False, 0.1,
            "投产项目中大项目占比 ÷ 客商中大项目占比", "Large projects' share of those completed / of prospects",
            "few large projects land: their share of what is completed stays below their share of the prospect "
            "pool by at least the factor by which secondary industry thins from signed to arrived capital in "
            "Gansu (55.2% / 65.2% = 0.85)",
            "provincial-sector-shares-2024 (the factor); assumption that large projects thin at least as much",
            unit="ratio"),
    Pattern("p3_industrial_completed_vs_pool", "P3", _industrial_completed, 0.85, False, 0.1,
            "投产项目中工业项目占比 ÷ 客商中工业项目占比", "Industrial projects' share of those completed / of prospects",
            "few industrial projects land: their share of what is completed stays below their share of the "
            "prospect pool (the region's sector shares) by at least the factor by which secondary industry thins "
            "from signed to arrived capital in Gansu (55.2% / 65.2% = 0.85)",
            "provincial-sector-shares-2024", unit="ratio"),
    Pattern("p4_fulfilment_low", "P4", _fulfilment, 0.83, False, 0.05,
            "履约率（24个月，上报口径）", "Fulfilment at 24 months (reported scale)",
            "low fulfilment: the projects building or operating 24 months after signing are a subset of those "
            "started, and the Lanzhou 2013 fair reported 83.0% started after about two years, an upper bound; "
            "the 履约率 on the reported scale (x the over-reporting factor) must not exceed it",
            "provincial-fair-cohorts", reported=True),
    Pattern("p5_local_firm_leads", "P5", _local_firm_leads, 0.05, False, 0.02,
            "本地企业带来的线索占接洽的比例", "Share of leads that come from local firms",
            "the essay: local firms, the real actors, are hesitant and passive; they bring at most one lead in "
            "twenty (partner leads / contacts made)",
            "assumption: no source counts leads by origin; one in twenty is the floor above which 以商招商 "
            "would be a channel of its own"),
    Pattern("p6_courted_by_several", "P6", _courted, 0.01, True, 0.005,
            "被多个区县争抢的客商占接洽客商的比例", "Prospects courted by several counties",
            "the essay: counties act separately and compete for the same prospects; at least one prospect "
            "contacted in a hundred is courted by two or more counties in the same month (prospects courted by "
            "several / prospects contacted)",
            "assumption: over four years about 75 prospects of the default region's 7,500 contacted, more than one a month "
            "across seven counties; no source counts them"),
)
"""The patterns, in the essay's order."""

BY_KEY = {p.key: p for p in PATTERNS}


def measure(summary: Mapping, over_reporting: float = 1.0) -> dict[str, float]:
    """Every pattern's statistic of a run's summary, keyed ``pattern_<key>`` (on the reported scale at the given
    over-reporting factor where the pattern's threshold is a reported figure)."""
    return {PREFIX + p.key: p.value(summary, over_reporting) for p in PATTERNS}


def counts(summary: Mapping) -> dict[str, tuple[float, float]]:
    """The numerator and denominator of every pattern that is a share of counts (the others give theirs as the
    value and 1)."""
    return {p.key: p.parts(summary) for p in PATTERNS}


def misses(stats: Mapping[str, float], prefix: str = PREFIX) -> dict[str, float]:
    """How far each pattern is missed, in tolerance units, from statistics keyed ``<prefix><key>``."""
    return {p.key: p.miss(float(stats[prefix + p.key])) for p in PATTERNS}


def met(stats: Mapping[str, float], prefix: str = PREFIX) -> dict[str, bool]:
    """Whether each pattern is met, from statistics keyed ``<prefix><key>``."""
    return {p.key: p.met(float(stats[prefix + p.key])) for p in PATTERNS}
