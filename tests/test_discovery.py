"""Scenario discovery: PRIM and the tree recover a planted failure box; the command reads stored experiments."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim.analysis import discovery


def planted(n: int = 400, seed: int = 0, noise: float = 0.0):
    """Futures on four assumptions; failures where a > 0.6 and b < 0.35 (the planted box), c and d irrelevant."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 4)), columns=["a", "b", "c", "d"])
    y = ((x["a"] > 0.6) & (x["b"] < 0.35)).to_numpy()
    flip = rng.random(n) < noise
    return x, y ^ flip


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_prim_recovers_a_planted_box(noise):
    x, y = planted(noise=noise)
    box = discovery.prim_boxes(x, y)[0]
    assert set(box.limits) == {"a", "b"}, box.limits  # restricts the two that matter, and only those
    assert box.limits["a"][0] == pytest.approx(0.6, abs=0.05)
    assert box.limits["b"][1] == pytest.approx(0.35, abs=0.05)
    x0, y0 = planted(noise=0.0)
    inside = discovery._inside(x, box.limits)
    assert (inside & y0).sum() / y0.sum() >= 0.85  # holds most of the planted failures
    assert box.density >= 0.9


def test_tree_recovers_a_planted_box():
    x, y = planted()
    best = discovery.tree_boxes(x, y)[0]
    assert set(best.limits) == {"a", "b"}
    assert best.limits["a"][0] == pytest.approx(0.6, abs=0.05)
    assert best.limits["b"][1] == pytest.approx(0.35, abs=0.05)
    assert best.coverage >= 0.9 and best.density >= 0.9


def test_coverage_and_density_are_counted_over_all_futures():
    x, y = planted()
    for b in discovery.prim_boxes(x, y) + discovery.tree_boxes(x, y):
        inside = discovery._inside(x, b.limits)
        assert b.n == inside.sum()
        assert b.coverage == pytest.approx((inside & y).sum() / y.sum())
        assert b.density == pytest.approx((inside & y).sum() / inside.sum())


def test_no_failure_gives_no_box():
    x, y = planted()
    assert discovery.prim_boxes(x, np.zeros(len(x), bool)) == []
    assert discovery.tree_boxes(x, np.zeros(len(x), bool)) == []


def test_box_in_plain_words():
    x, y = planted()
    boxes = discovery.prim_boxes(x, y)
    table = pd.DataFrame([r for b in boxes for r in b.rows()])
    summary = {"ranges": {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}}
    zh = discovery.box_sentence(table, summary, "prim", 1, "zh")
    en = discovery.box_sentence(table, summary, "prim", 1, "en")
    assert re.search(r"a(高于|在) 0\.(59|6)", zh) and re.search(r"b低于 0\.3", zh) and "覆盖率" in zh
    assert re.search(r"a is (above|between) 0\.(59|6)", en) and "b is below 0.3" in en and "coverage" in en


def test_an_assumption_is_named_by_its_label_with_its_unit():
    assert discovery.param_words("platform.county_land_mu_per_year", "zh") == "各县每年新增熟地（亩/年）"
    assert discovery.param_words("platform.county_land_mu_per_year", "en") == "serviced land added by counties each year (mu / year)"
    assert discovery.param_words("service.loan_approval", "zh") == "银行贷款审批通过率"  # a share needs no unit
    assert discovery.param_words("service.loan_approval", "en") == "bank loan approval rate"


def test_failures_of_a_stored_experiment_are_paired_differences_per_future(tmp_path):
    from pathlib import Path

    from sim.analysis.data import load_results
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment

    root = Path(__file__).resolve().parent.parent / "scenarios"
    f = tmp_path / "d.toml"
    f.write_text(f"""
[experiment]
name = "d"
scenarios = ["{root / 'baseline.toml'}", "{root / 'channels.toml'}"]
replications = 2
root_seed = 4
horizon_months = 18
record = "summary"
[overrides]
"run.n_investors" = 500
[design]
kind = "lhs"
samples = 5
[design.parameters]
"behaviour.outside_growth" = [0.0, 0.08]
"service.loan_approval" = [0.35, 0.75]
""")
    run_experiment(load_experiment(f), tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    res = load_results(tmp_path / "out", monthly=False)
    x, y, d = discovery.failures(res, "channels", "signed_projects")
    runs = res.runs
    for pid in range(5):
        a = runs[(runs.scenario == "channels") & (runs.point_id == pid)].sort_values("replication")["signed_projects"]
        b = runs[(runs.scenario == "baseline") & (runs.point_id == pid)].sort_values("replication")["signed_projects"]
        assert d[pid] == pytest.approx(float(np.mean(a.to_numpy() - b.to_numpy())))
        assert y[pid] == (d[pid] < 0)
        pt = runs[runs.point_id == pid].iloc[0]
        assert x.iloc[pid]["service.loan_approval"] == pytest.approx(float(pt["service.loan_approval"]))
    assert list(x.columns) == ["behaviour.outside_growth", "service.loan_approval"]
    _, y_t, lvl = discovery.failures(res, "channels", "signed_projects", target=float(np.median(d) + 1e9))
    assert y_t.all()
    with pytest.raises(Exception, match="key 'strategy'"):
        discovery.failures(res, "nope", "jobs")
