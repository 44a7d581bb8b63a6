"""Local firms (docs/ODD.md 3 and 7.1, the essay's P5): proactive or encouraged local firms find outside partners whose
projects get built.
"""

from __future__ import annotations

from modelkit import SEEDS, small


def _started_by_source(spec, source: str, seeds=SEEDS) -> tuple[float, float]:
    """Mean projects that began building, in all and among those that came through ``source``."""
    import numpy as np

    from sim.model import build_model
    from sim.model.channels import SOURCES

    started, via = [], []
    for seed in seeds:
        m = build_model(spec.params, seed=seed)
        m.run_until(m.horizon)
        pl = m.investors.pipeline
        s = (pl.signed_month >= 0) & (pl.start_month >= 0)
        started.append(s.sum())
        via.append((s & (pl.channel == SOURCES.index(source))).sum())
    return float(np.mean(started)), float(np.mean(via))


def test_p5_proactive_local_firms_bring_projects_that_get_built():
    """Proactive local firms find outside partners who sign and build: projects that local partners brought
    start building, and the region starts more projects in all (partner leads add projects, they do not only
    relabel those other channels would have brought)."""
    # a cold small world at the pull of 0.8 of the cold-start fit (at the warm-calibrated pull it signs too little)
    passive = _started_by_source(small(local_firms__proactiveness=0.02, behaviour__outside_option=0.8), "partner_lead")
    proactive = _started_by_source(small(local_firms__proactiveness=0.4, behaviour__outside_option=0.8), "partner_lead")
    assert proactive[1] > passive[1] + 10
    assert proactive[0] > passive[0]


def test_p5_encouraging_local_firms_brings_projects_that_get_built():
    plain = _started_by_source(small().with_overrides({"budget.shares.local_firms": 0.0}), "partner_lead")
    encouraged = _started_by_source(small().with_overrides({"budget.shares.local_firms": 0.1,
                                                            "budget.shares.incentive_fund": 0.45}), "partner_lead")
    assert encouraged[1] > plain[1] + 10
    assert encouraged[0] > plain[0]
