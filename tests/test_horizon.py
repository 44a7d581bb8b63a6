"""Effects measured on cohort rates do not move with the calendar: shifting the horizon by three months either
way neither flips a strategy's effect nor moves it by more than its 95% interval."""

from __future__ import annotations

import numpy as np
import pytest
from modelkit import shipped
from scipy import stats

from sim.model import simulate

HORIZONS = (57, 60, 63)
SEEDS = tuple(range(31, 39))
OUTPUTS = ("cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m")


@pytest.fixture(scope="module")
def monthly():
    """Monthly series of the baseline and two strategies as shipped (full size), run to the longest horizon on paired
    seeds; the value at month h of a monthly cohort column is what a run with horizon h reports. The strategies are
    two whose effect on the rate is distinguishable from zero on these seeds (the soft environment's on 履约率;
    leadership's, tested here before, is about 1.5 points on the region calibrated at 180 months, within the noise
    of eight seeds)."""
    out = {}
    for name in ("baseline", "combined", "soft_environment"):
        spec = shipped(name, run__horizon_months=max(HORIZONS))
        out[name] = [simulate(spec, seed=s).monthly for s in SEEDS]
    return out


def effect(monthly, name: str, output: str, h: int) -> tuple[float, float]:
    """Paired effect at horizon ``h`` and the half-width of its 95% t-interval."""
    d = np.array([a[output][h] - b[output][h] for a, b in zip(monthly[name], monthly["baseline"], strict=True)])
    return float(d.mean()), float(stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))


@pytest.mark.parametrize(("name", "output"), [("soft_environment", "cohort_fulfilment_rate_24m"),
                                              ("combined", "cohort_capital_arrival_rate_24m")])
def test_effect_on_a_cohort_rate_holds_when_the_horizon_moves_three_months(monthly, name, output):
    mid, half = effect(monthly, name, output, 60)
    assert abs(mid) > half, "the effect is distinguishable from zero at month 60, so its sign means something"
    for h in (57, 63):
        e, _ = effect(monthly, name, output, h)
        assert np.sign(e) == np.sign(mid), (h, e, mid)
        assert abs(e - mid) <= half, (h, e, mid, half)
