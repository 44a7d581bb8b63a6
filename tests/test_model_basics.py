"""Determinism, stock-flow consistency and the Mesa structure of the model."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from modelkit import small

from sim.model import build_model, simulate
from sim.model.agents import Department, Government, Investor, LocalFirm
from sim.model.outputs import MONTHLY_COLUMNS, check_invariants


def test_same_seed_same_numbers_and_different_seeds_differ():
    spec = small()
    a, b, c = simulate(spec, seed=5), simulate(spec, seed=5), simulate(spec, seed=6)
    for k in MONTHLY_COLUMNS:
        np.testing.assert_array_equal(a.monthly[k], b.monthly[k], err_msg=k)
    assert a.summary == b.summary
    assert a.summary["signed_projects"] != c.summary["signed_projects"] or a.summary["jobs"] != c.summary["jobs"]


def test_stock_flow_checks_hold_every_month():
    for name in ("baseline", "combined", "platforms"):
        from modelkit import scenario

        m = build_model(scenario(name).params, seed=3)
        assert check_invariants(m) == []
        for _ in range(m.horizon):
            m.step()
            assert check_invariants(m) == [], (name, m.t)


def test_agents_are_mesa_agents_reading_the_model_arrays():
    m = build_model(small().params, seed=2)
    m.run_for(24)
    assert Investor not in m.agents_by_type  # investors are array rows, not stepped agents
    assert len(m.agents_by_type[Government]) == 8  # one district, six counties and the city
    assert len(m.agents_by_type[Department]) == len(m.p.service.departments)
    assert len(m.agents_by_type[LocalFirm]) > 0
    views = [m.investor(i) for i in range(m.n)]
    signed = [a for a in views if a.stage in ("signed", "building", "operating")]
    assert signed, "some projects should be under way after two years"
    a = signed[0]
    assert a.capital > 0 and a.sector in {"potato", "herbs", "flowers_fungi", "manufacturing", "energy_materials", "services"}
    assert set(a.beliefs) == {"hard", "soft", "credibility", "delay", "risk"}
    gone = [a for a in views if a.stage in ("withdrawn", "exited")]
    assert gone and all(g.withdrawal_reason is not None for g in gone)


def test_a_finished_run_is_freed_at_once_not_left_to_the_garbage_collector(monkeypatch):
    """Catches a run whose model outlives simulate(): the model, its ledger, agents and channel model refer to each
    other, and a worker then holds about a hundred dead runs until the cyclic collector comes (its memory grew
    1.36x from 100 to 2,000 runs). With the collector off, the ledger must be gone when simulate returns."""
    import gc
    import weakref

    import sim.model as sm

    seen = []

    def building(*args, **kw):
        model = build_model(*args, **kw)
        seen.append(weakref.ref(model.ledger))
        return model

    monkeypatch.setattr(sm, "build_model", building)
    gc.collect()
    gc.disable()
    try:
        res = sm.simulate(small().with_overrides({"run.n_investors": 500, "run.horizon_months": 6}), seed=3)
        assert seen and seen[0]() is None, "the finished run's ledger is still alive"
    finally:
        gc.enable()
    assert res.summary["months"] == 6 and len(res.monthly["jobs"]) >= 6


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=20))
def test_the_mean_of_a_few_numbers_is_numpys_to_the_last_bit(values):
    """beliefs.mean_of (the leaders' mean attention, the counties' mean score, the departments' mean service)
    gives np.mean's number exactly, for the short lists whose pairwise sum numpy unrolls (8 and more) too."""
    from sim.model.beliefs import mean_of

    assert mean_of(values) == float(np.mean(values))
