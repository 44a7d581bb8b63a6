"""What the calibration compares: the figures a region reports and the same quantities measured on a run.

The figures are the region's (``regions/<name>/figures.toml``, each with its entry in docs/SOURCES.md); the
calibration fits the default region's (:data:`CALIBRATION_REGION`). Measured the way they were reported, in months
counted from month 0 (after the status quo's spin-up, ``run.spinup_months``; the spin-up's projects and withdrawals
are not counted). A run lasts ``HORIZON`` (48) months; the first year is a warm-up (kept from the cold-started
calibration the shipped record comes from), the cohort is every project signed in months 13-24 (a year of signings, like one fair's), and
each project is observed exactly 2, 12 and 24 months after its own signing (``sim.model.outputs.cohort_rates``).
Sector structure and scale are measured on the projects signed in months 13-48.

Reported pipeline rates are upper bounds (docs/SOURCES.md#over-reporting-2016: re-signed projects, letters of
intent counted as contracts, inflated amounts). The calibration states that as a model of the reporting:
``reported = min(1, true x over_reporting)``, with ``over_reporting`` an ABC parameter whose prior is stated
in :mod:`sim.calibration.priors`; the sector facts are taken at face value.

Each figure carries the scale of its distance (``tolerance``): how far the model may sit from the figure for the
miss to count as one unit. Pipeline rates: 5 points (the fair cohorts were counted "about" one or two years after
signing, the model's cohort exactly); sector shares 5 points; the 1 bn yuan share of one fair's value 8 points (a
few very large projects move it); signings a year 60 (one quarter's signings times four, so a quarter of the
figure); signed and arrived capital a year about a quarter of the figure. Figures marked ``fitted = false`` are
held out: they enter the posterior predictive check, not the distance (reasons in ``note``). The region's own yearly
counts and amounts (signings, signed and arrived capital a year) are upper bounds like the rates, on the same
factor: the model's value times ``over_reporting`` is compared with the report, which is the report deflated by
the factor (and its tolerance with it); only shares are capped at 1.

The essay's diagnosis enters the distance as patterns (:mod:`sim.calibration.patterns`): each run's summary gives
every pattern's statistic, and a pattern missed adds its miss, in the pattern's tolerance units, to the squared
distance (:func:`distance`). A penalty rather than a filter that rejects outright: a filter gives the sampler no
way toward the region where a pattern holds when few prior draws meet it (every generation would reject nearly
every particle and end at its budget of simulations with no posterior), while the penalty ranks a near miss
above a wide one; and since each pattern's term is not averaged with the others, a particle accepted below a
final threshold of 1 misses no pattern by more than one of its tolerance units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calibration import patterns
from sim.model.stages import REASONS, SIGNED
from sim.model.units import BN_YUAN, MONTHS_PER_YEAR
from sim.params import DEFAULT_REGION
from sim.region import load_region

HORIZON = 48
COHORT_WINDOW = (13, 24)
SECTOR_WINDOW = (13, HORIZON)
ARRIVED_MONTHS = (SECTOR_WINDOW[0] - 1, SECTOR_WINDOW[1])
"""The months whose capital arrived since month 0 gives the yearly arrived capital of the sector window (the
window's last month less the month before its first): the only months a calibration run observes besides its
last (:func:`sim.calibration.inference.run_statistics`)."""
CALIBRATION_REGION = DEFAULT_REGION
"""The region whose figures the calibration fits (the default region)."""


@dataclass(frozen=True)
class Target:
    """A reported figure and the model statistic it is compared with (``statistic``, a key of :func:`measure`)."""

    key: str
    value: float
    tolerance: float
    source: str
    upper_bound: bool
    fitted: bool
    label_zh: str
    label_en: str
    note: str = ""
    unit: str = "share"
    statistic: str = ""

    def label(self, lang: str) -> str:
        """The target in words."""
        return self.label_zh if lang == "zh" else self.label_en


def region_targets(region: str) -> tuple[Target, ...]:
    """The figures of ``region`` (its ``figures.toml``) as targets: the source says which count it is and where it
    comes from (``docs/SOURCES.md#<entry>``)."""
    return tuple(Target(f.key, f.value, f.tolerance, f"{f.what} ({f.source})", f.upper_bound, f.fitted, f.label_zh,
                        f.label_en, f.note, f.unit, f.statistic) for f in load_region(region).figures)


TARGETS: tuple[Target, ...] = region_targets(CALIBRATION_REGION)
"""Every figure the calibration compares with: fitted ones enter the distance, held-out ones only the check."""

FITTED = tuple(t for t in TARGETS if t.fitted)
BY_KEY = {t.key: t for t in TARGETS}
REPORTED_PREFIX = "reported_"
"""Summary statistics of a run on the reported scale (true x over-reporting, at most 1) carry this prefix."""

MODEL_KEY = {t.key: t.statistic for t in TARGETS}
"""Which model statistic each figure is compared with."""


def arrived_in_table(m) -> dict[int, float]:
    """The ``arrived_by_month`` of :func:`measure` read from the monthly table of a run that recorded its months."""
    from sim.model.outputs import MONTHLY_TABLE

    series = m.datacollector.tables[MONTHLY_TABLE]["arrived_capital"]
    return {month: series[month] for month in ARRIVED_MONTHS if month < len(series)}


def measure(m, arrived_by_month: dict[int, float]) -> dict[str, float]:
    """Every statistic of a finished run that the calibration uses or reports (true scale): the cohort rates,
    the sector structure and scale (counts and amounts a year at reference size: divided by ``Params.scale``), and
    the reasons why serious signed projects withdrew (reported, not fitted). ``arrived_by_month`` is the capital arrived
    since month 0 (the monthly output ``arrived_capital``) at the months of :data:`ARRIVED_MONTHS` the run
    reached."""
    # The model's outputs (and Mesa) load only when a run is measured: `sim params` reads the figures alone.
    from sim.model.outputs import cohort_rates, summary

    out: dict[str, float] = {}
    for after in (2, 12, 24):
        r = cohort_rates(m, after, COHORT_WINDOW)
        out[f"start_rate_{after}m"] = r["start_rate"]
        out[f"completion_rate_{after}m"] = r["completion_rate"]
        if after in m.investors.capital.arrived_at:
            out[f"capital_arrival_rate_{after}m"] = r["capital_arrival_rate"]
    out["cohort_projects"] = float(cohort_rates(m, 12, COHORT_WINDOW)["projects"])
    lo, hi = SECTOR_WINDOW
    pl, arrived_by = m.investors.pipeline, m.investors.capital.arrived
    start = m.month0  # months are counted from month 0, the end of the status quo's spin-up
    signed = (pl.signed_month >= start + lo) & (pl.signed_month <= start + hi)
    cap = m.pop.announced
    total = float(cap[signed].sum())
    ind = m.pop.industrial
    out["industrial_share_signed_capital"] = float(cap[signed & ind].sum() / total) if total > 0 else 0.0
    arrived = float(arrived_by[signed].sum())
    out["industrial_share_arrived_capital"] = float(arrived_by[signed & ind].sum() / arrived) if arrived > 0 else 0.0
    out["signed_capital_share_1bn_plus"] = float(cap[signed & (cap >= BN_YUAN)].sum() / total) if total > 0 else 0.0
    years = (hi - lo + 1) / MONTHS_PER_YEAR
    scale = m.p.scale
    out["signings_per_year"] = float(signed.sum()) / years / scale
    out["signed_capital_bn_per_year"] = total / BN_YUAN / years / scale
    # Capital arriving in the years measured, from projects signed at any time (as yearly reports count it).
    if all(month in arrived_by_month for month in ARRIVED_MONTHS):
        out["arrived_capital_bn_per_year"] = ((arrived_by_month[hi] - arrived_by_month[lo - 1])
                                              / BN_YUAN / years / scale)
    gone = (pl.end_stage >= SIGNED) & m.pop.serious & (pl.reason >= 0) & (pl.end_month > start)
    counts = np.bincount(pl.reason[gone], minlength=len(REASONS))
    n = max(int(counts.sum()), 1)
    for i, r in enumerate(REASONS):
        out[f"withdrawal_share_{r}"] = float(counts[i] / n)
    out.update(patterns.measure(summary(m)))
    return out


def reported(stats: dict[str, float], over_reporting: float) -> dict[str, float]:
    """The statistics on the scale of the reports: upper-bound figures times ``over_reporting`` (shares at most 1),
    other figures as they are, and the patterns on the scale of their thresholds; keys prefixed with
    :data:`REPORTED_PREFIX`."""
    out = {}
    for t in TARGETS:
        v = stats.get(MODEL_KEY[t.key])
        if v is None:
            continue
        if t.upper_bound:
            v = v * over_reporting
            if t.unit == "share":
                v = min(1.0, v)
        out[REPORTED_PREFIX + t.key] = v
    for p in patterns.PATTERNS:
        v = stats.get(patterns.PREFIX + p.key)
        if v is not None:
            out[REPORTED_PREFIX + patterns.PREFIX + p.key] = p.on_reported_scale(v, over_reporting)
    return out


PATTERN_WEIGHT = 100.0
"""Weight of the patterns' squared misses in the squared distance: a pattern missed by half a tolerance unit adds
as much to it as every fitted figure missed by five units, about the final threshold the calibration reaches, so
the patterns act as a filter (pattern-oriented modelling rejects parameter sets that miss them), not as one figure
among many. At weight 1 a calibration of the region with land given in turn traded P1 away for the fit: few of its
posterior draws met the floor of promises unpaid; at weight 10, with a final threshold of 4.3 units, a run that
missed P1 by a whole unit could still be accepted, and in the calibration of 2026-12-07 with the spin-up of 180
months one posterior draw in eight met it. The filter's price is fit: at weight 100 the same setting stopped at a
final threshold of 5.0 units (docs/ODD.md section 9 has the predictive check of the shipped record)."""


def distance(x: dict, x0: dict) -> float:
    """The distance of a run to the figures: the square root of the mean, over the fitted targets, of the squared
    (reported-scale model value - figure) / tolerance, plus :data:`PATTERN_WEIGHT` times the sum of the squared
    misses of the patterns (:meth:`sim.calibration.patterns.Pattern.miss`, 0 for a pattern met)."""
    return float(np.sqrt(fit_distance(x, x0) ** 2 + PATTERN_WEIGHT * pattern_penalty(x)))


def fit_distance(x: dict, x0: dict) -> float:
    """The fit alone: the square root of the mean, over the fitted targets, of the squared (reported-scale model
    value - figure) / tolerance."""
    z = [(x[REPORTED_PREFIX + t.key] - x0[REPORTED_PREFIX + t.key]) / t.tolerance for t in FITTED]
    return float(np.sqrt(np.mean(np.square(z))))


def pattern_penalty(x: dict) -> float:
    """Sum of the squared pattern misses (tolerance units) of reported-scale statistics ``x``; 0 when ``x`` carries
    no pattern statistics (statistics stored before patterns were measured)."""
    prefix = REPORTED_PREFIX + patterns.PREFIX
    if not any(k.startswith(prefix) for k in x):
        return 0.0
    return float(sum(v * v for v in patterns.misses(x, prefix).values()))


def observed() -> dict[str, float]:
    """The reported figures, keyed like the reported-scale statistics."""
    return {REPORTED_PREFIX + t.key: t.value for t in TARGETS}
