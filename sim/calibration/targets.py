"""What the calibration compares: the reported figures of CALIBRATION.md and the same quantities measured on a run.

Measured the way they were reported. A run lasts ``HORIZON`` (48) months; the first year is a warm-up (the
region starts from stated initial conditions, not from a history), the cohort is every project signed in
months 13-24 (a year of signings, like one fair's), and each project is observed exactly 2, 12 and 24 months
after its own signing (``sim.model.outputs.cohort_rates``). Sector structure and scale are measured on the
projects signed in months 13-48.

Reported pipeline rates are upper bounds (CALIBRATION.md preface: re-signed projects, letters of intent
counted as contracts, inflated amounts). The calibration states that as a model of the reporting:
``reported = min(1, true x over_reporting)``, with ``over_reporting`` an ABC parameter whose prior is stated
in :mod:`sim.calibration.priors`; the sector facts are taken at face value.

Each target carries the scale of its distance (``tolerance``): how far the model may sit from the figure
for the miss to count as one unit. Pipeline rates: 5 points (the fair cohorts were counted "about" one or
two years after signing, the model's cohort exactly); sector shares 5 points; the 1 bn yuan share of one
fair's value 8 points (a few very large projects move it); signings a year 60 (one quarter's 67 signings
times four, so a quarter of the figure). Targets marked ``fitted = False`` are held out: they enter the
posterior predictive check, not the distance (reasons in ``note``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.stages import REASONS, SIGNED
from sim.model.units import BN_YUAN, MONTHS_PER_YEAR

HORIZON = 48
COHORT_WINDOW = (13, 24)
SECTOR_WINDOW = (13, HORIZON)
SOURCE_LANZHOU = "Lanzhou Morning Post 2015-09-29 (CALIBRATION A)"


@dataclass(frozen=True)
class Target:
    """A reported figure and the model statistic it is compared with."""

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

    def label(self, lang: str) -> str:
        """The target in words."""
        return self.label_zh if lang == "zh" else self.label_en


TARGETS: tuple[Target, ...] = (
    # --- fitted: the Lanzhou fair cohorts, one source counting the same way
    Target("start_rate_12m", 0.771, 0.05, "Lanzhou fair 2014, 1,299 projects, about 1 year; " + SOURCE_LANZHOU, True, True,
           "兰洽会2014：约1年开工率", "Lanzhou 2014 fair: started after ~1 year"),
    Target("completion_rate_12m", 0.252, 0.05, "Lanzhou fair 2014, about 1 year; " + SOURCE_LANZHOU, True, True,
           "兰洽会2014：约1年竣工投产率", "Lanzhou 2014 fair: completed after ~1 year"),
    Target("capital_arrival_rate_12m", 0.329, 0.05, "Lanzhou fair 2014, about 1 year; " + SOURCE_LANZHOU, True, True,
           "兰洽会2014：约1年资金到位率", "Lanzhou 2014 fair: capital arrived after ~1 year"),
    Target("start_rate_24m", 0.830, 0.05, "Lanzhou fair 2013, 1,093 projects, about 2 years; " + SOURCE_LANZHOU, True, True,
           "兰洽会2013：约2年开工率", "Lanzhou 2013 fair: started after ~2 years"),
    Target("completion_rate_24m", 0.367, 0.05, "Lanzhou fair 2013, about 2 years; " + SOURCE_LANZHOU, True, True,
           "兰洽会2013：约2年竣工投产率", "Lanzhou 2013 fair: completed after ~2 years"),
    Target("capital_arrival_rate_24m", 0.456, 0.05, "Lanzhou fair 2013, about 2 years; " + SOURCE_LANZHOU, True, True,
           "兰洽会2013：约2年资金到位率", "Lanzhou 2013 fair: capital arrived after ~2 years"),
    # --- fitted: sector structure and scale (CALIBRATION B), at face value
    Target("industrial_share_signed_capital", 0.652, 0.05, "Gansu Jan-Sep 2024 provincial briefing (CALIBRATION B)", False, True,
           "甘肃2024：第二产业占签约额", "Gansu 2024: secondary industry share of signed amount"),
    Target("industrial_share_arrived_capital", 0.552, 0.05, "Gansu Jan-Sep 2024 provincial briefing (CALIBRATION B)", False, True,
           "甘肃2024：第二产业占到位资金", "Gansu 2024: secondary industry share of arrived funds"),
    Target("signed_capital_share_1bn_plus", 0.63, 0.08, "Lanzhou fair 2023 report (CALIBRATION B)", False, True,
           "兰洽会2023：10亿元以上项目占签约额", "Lanzhou 2023 fair: projects of 1 bn yuan and more, share of value"),
    Target("signings_per_year", 268.0, 60.0, "Dingxi Q1 2023, 67 projects signed in the quarter, times four (CALIBRATION B)",
           False, True, "定西：每年签约项目数", "Dingxi: projects signed a year", unit="projects / year"),
    # --- held out: other regions and counts, for the posterior predictive check only
    Target("start_rate_2m", 0.567, 0.05, "Lanzhou fair 2015, about 7 weeks; " + SOURCE_LANZHOU, True, False,
           "兰洽会2015：约7周开工率", "Lanzhou 2015 fair: started after ~7 weeks",
           note="not fitted: a start rate of 57% seven weeks after a fair counts projects under way before they were "
                "signed again at the fair (CALIBRATION preface), which the model does not represent"),
    Target("start_rate_12m_qingyang", 0.821, 0.05, "Qingyang commerce bureau (CALIBRATION A)", True, False,
           "庆阳：当年开工率", "Qingyang: started within the year",
           note="not fitted: another city, 'within the year'; compared with the 12-month rate"),
    Target("completion_rate_12m_qingyang", 0.41, 0.05, "Qingyang commerce bureau (CALIBRATION A)", True, False,
           "庆阳：当年投产率", "Qingyang: producing within the year",
           note="not fitted: another city; compared with the 12-month completion rate"),
    Target("capital_arrival_rate_12m_qingyang", 0.235, 0.05, "Qingyang commerce bureau (CALIBRATION A)", True, False,
           "庆阳：当年资金到位率", "Qingyang: capital arrived within the year",
           note="not fitted: another city; compared with the 12-month capital-arrival rate"),
    Target("start_rate_12m_sichuan", 0.86, 0.05, "10th West China Fair, Sichuan, 2010 (CALIBRATION A)", True, False,
           "四川西博会：约1年开工率", "Sichuan West China Fair: started after ~1 year",
           note="not fitted: another province; compared with the 12-month start rate"),
    Target("completion_rate_12m_sichuan", 0.30, 0.05, "10th West China Fair, Sichuan, 2010 (CALIBRATION A)", True, False,
           "四川西博会：约1年投产率", "Sichuan West China Fair: producing after ~1 year",
           note="not fitted: another province; compared with the 12-month completion rate"),
    Target("capital_arrival_rate_12m_sichuan", 0.30, 0.05, "10th West China Fair, Sichuan, 2010 (CALIBRATION A)", True, False,
           "四川西博会：约1年资金到位率", "Sichuan West China Fair: capital arrived after ~1 year",
           note="not fitted: another province; compared with the 12-month capital-arrival rate"),
    Target("capital_arrival_rate_12m_linxia", 0.209, 0.05, "Linxia 2006 news report (CALIBRATION A)", True, False,
           "临夏2006：当年资金到位率", "Linxia 2006: capital arrived in the same year",
           note="not fitted: another prefecture, 'same year' (under 12 months on average); compared with the 12-month rate"),
    Target("signed_capital_bn_per_year", 76.4, 20.0, "Dingxi Q1 2023, 19.09 bn yuan signed in the quarter, times four (CALIBRATION B)",
           False, False, "定西：每年签约金额（亿元）", "Dingxi: signed amount a year (bn yuan)",
           note="not fitted: the amount depends on the pool's size distribution, which is checked through the 1 bn yuan share",
           unit="bn yuan / year"),
)
"""Every figure the calibration compares with: fitted ones enter the distance, held-out ones only the check."""

FITTED = tuple(t for t in TARGETS if t.fitted)
BY_KEY = {t.key: t for t in TARGETS}
REPORTED_PREFIX = "reported_"
"""Summary statistics of a run on the reported scale (true x over-reporting, at most 1) carry this prefix."""

# Which model statistic each held-out regional figure is compared with.
MODEL_KEY = {t.key: t.key.rsplit("_", 1)[0] if t.key.endswith(("_qingyang", "_sichuan", "_linxia")) else t.key
             for t in TARGETS}


def measure(m) -> dict[str, float]:
    """Every statistic of a finished run that the calibration uses or reports (true scale): the cohort rates,
    the sector structure and scale, and the reasons why serious signed projects withdrew (reported, not fitted)."""
    # The model's outputs (and Mesa) load only when a run is measured: `sim params` reads the figures alone.
    from sim.model.outputs import cohort_rates

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
    signed = (pl.signed_month >= lo) & (pl.signed_month <= hi)
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
    gone = (pl.end_stage >= SIGNED) & m.pop.serious & (pl.reason >= 0)
    counts = np.bincount(pl.reason[gone], minlength=len(REASONS))
    n = max(int(counts.sum()), 1)
    for i, r in enumerate(REASONS):
        out[f"withdrawal_share_{r}"] = float(counts[i] / n)
    return out


def reported(stats: dict[str, float], over_reporting: float) -> dict[str, float]:
    """The statistics on the scale of the reports: upper-bound rates times ``over_reporting`` (at most 1),
    other figures as they are; keys prefixed with :data:`REPORTED_PREFIX`."""
    out = {}
    for t in TARGETS:
        v = stats.get(MODEL_KEY[t.key])
        if v is None:
            continue
        out[REPORTED_PREFIX + t.key] = min(1.0, v * over_reporting) if t.upper_bound else v
    return out


def distance(x: dict, x0: dict) -> float:
    """Root mean square, over the fitted targets, of (reported-scale model value - figure) / tolerance."""
    z = [(x[REPORTED_PREFIX + t.key] - x0[REPORTED_PREFIX + t.key]) / t.tolerance for t in FITTED]
    return float(np.sqrt(np.mean(np.square(z))))


def observed() -> dict[str, float]:
    """The reported figures, keyed like the reported-scale statistics."""
    return {REPORTED_PREFIX + t.key: t.value for t in TARGETS}
