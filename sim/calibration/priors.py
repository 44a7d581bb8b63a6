"""Prior distributions of the calibrated parameters: what is believed before the region's figures are seen.

Each calibrated parameter is one no published source pins down (its default in ``sim/params.py`` says
"calibrated"); its prior is uniform over a stated range, on the log scale for rates and quantities whose
plausible values span an order of magnitude. The ranges are wide on purpose: the posterior, not the prior,
should carry what the figures say, and the identifiability report shows where they say little.

``over_reporting`` is not a model parameter: it is the factor by which reported pipeline rates exceed the
true ones (``reported = min(1, true x factor)``, see :mod:`sim.calibration.targets`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

OVER_REPORTING = "over_reporting"


@dataclass(frozen=True)
class Prior:
    """Uniform prior of one parameter over [low, high], on the log10 scale when ``log``.

    The ABC works on an unbounded scale: ``u = logit(q)``, ``q`` the parameter's position in its range (on the
    log10 scale for log priors), with a standard logistic prior for ``u``, which is exactly the uniform prior
    on ``q``. The proposal kernel then never falls outside the prior's support, which would otherwise bias the
    importance weights of particles near a bound and leave a few of them with most of the weight."""

    key: str
    low: float
    high: float
    reason: str
    log: bool = False
    label_zh: str = ""
    label_en: str = ""
    """Names of a parameter of the calibration itself (the over-reporting factor); a model parameter's names are
    in ``sim/params.py``."""

    @property
    def name(self) -> str:
        """The parameter's name in the ABC (the logit of its position in the prior's range)."""
        return f"logit_{self.key}"

    @property
    def bounds(self) -> tuple[float, float]:
        """The range on the prior's own scale (log10 for log priors), where the prior is uniform."""
        return (math.log10(self.low), math.log10(self.high)) if self.log else (self.low, self.high)

    def scaled(self, v: float) -> float:
        """A value on the prior's own scale (log10 for log priors)."""
        return math.log10(v) if self.log else float(v)

    def value(self, u: float) -> float:
        """The parameter's value of an ABC coordinate ``u``."""
        lo, hi = self.bounds
        q = 1.0 / (1.0 + math.exp(-float(u))) if u > -700 else 0.0
        z = lo + (hi - lo) * q
        return float(10.0 ** z) if self.log else float(z)

    def to_abc(self, v: float) -> float:
        """The ABC coordinate of a value."""
        lo, hi = self.bounds
        q = min(max((self.scaled(v) - lo) / (hi - lo), 1e-12), 1 - 1e-12)
        return math.log(q / (1.0 - q))

    def describe(self) -> str:
        """'uniform 0.6-0.98' or 'log-uniform 0.01-0.25'."""
        return f"{'log-uniform' if self.log else 'uniform'} {_num(self.low)}-{_num(self.high)}"


def _num(x: float) -> str:
    return f"{x:g}"


PRIORS: tuple[Prior, ...] = (
    Prior("population.serious_share", 0.6, 0.98,
          "letters of intent counted as contracts and projects re-signed (docs/SOURCES.md#over-reporting-2016): from a few to 40% of "
          "prospects may have no real intention to build"),
    Prior("hazards.not_serious", 0.02, 0.3,
          "an unserious signed project is dropped after 3 to 50 months on average", log=True),
    Prior("hazards.no_land", 0.01, 0.25,
          "an investor ready to build gives up after 4 to 100 months without serviced land", log=True),
    Prior("hazards.delay", 0.02, 0.6,
          "monthly chance of leaving per patience-length of overdue approvals: from hardly any to most within a "
          "few months", log=True),
    Prior("construction.upfront_share", 0.05, 0.5,
          "land payment, deposits and the first works: between a twentieth and half of the capital at ground-breaking"),
    Prior("construction.stall_speed", 0.0, 1.0,
          "works without the remaining approvals: from none to full speed"),
    Prior("construction.build_time_scale", 0.5, 2.0,
          "the sector construction times (8-28 months for a median project) may be off by up to a factor two",
          log=True),
    Prior("construction.size_elasticity", 0.0, 1.0,
          "construction time from independent of size to proportional to it"),
    Prior("platform.county_land_mu_per_year", 1000.0, 12000.0,
          "serviced land the seven county-level governments add each year: from about 140 to 1,700 mu each",
          log=True),
    Prior("hazards.stall", 0.001, 0.03,
          "a project under construction stalls (烂尾) within a year with a chance of 1% to 30%", log=True),
    Prior("population.capital_sigma", 1.0, 2.2,
          "log-scale spread of project size: from a ninetieth-percentile project 3.6 times the median to 17 times"),
    Prior("behaviour.outside_option", 0.4, 2.0,
          "value of the best offer elsewhere, from half the hand-set 0.8 to two and a half times it; with the logit "
          "scale of 0.5 the odds of going on change by a factor of 2.2 at the low end and 11 at the high end. A "
          "calibration of the warm-started region on 0.4-1.2 pressed against its top (90% interval 0.97-1.18) while "
          "signing three times the default region's projects a year, so the range reaches further up"),
    Prior(OVER_REPORTING, 1.0, 1.3,
          "reported pipeline rates exceed the true ones by 0-30%: the same project re-signed up to five times, letters "
          "of intent counted as contracts (People's Daily 2016, docs/SOURCES.md#over-reporting-2016); assumption: one factor for "
          "every rate of the reports", label_zh="上报比率的虚高倍数", label_en="Over-reporting of the reported rates"),
)
"""The calibrated parameters and the over-reporting factor, with their priors."""

BY_KEY = {p.key: p for p in PRIORS}
MODEL_PRIORS = tuple(p for p in PRIORS if p.key != OVER_REPORTING)


def overrides(values: dict[str, float]) -> dict[str, float]:
    """Parameter overrides (dotted keys) from values keyed by parameter key, without the over-reporting factor."""
    return {k: float(v) for k, v in values.items() if k != OVER_REPORTING}


def from_abc(par: dict) -> dict[str, float]:
    """Parameter values (keyed by parameter key) from a particle keyed by ABC names."""
    return {p.key: p.value(par[p.name]) for p in PRIORS}


def pyabc_prior():
    """The prior as a pyabc Distribution: independent standard logistic coordinates (uniform parameters)."""
    import pyabc

    return pyabc.Distribution(**{p.name: pyabc.RV("logistic", 0.0, 1.0) for p in PRIORS})
