"""The analysis on real (small) stored experiments: strategies, a Morris and a Sobol' design.

The session fixtures here are shared with tests/test_report*.py and
tests/test_brief*.py (imported from this module): three scenarios x 4
replications of 1,500 investors over 36 months with monthly series; Morris
with r = 4 trajectories and Sobol' with N = 8 over three parameters on 600
investors and 36 months (the first year's signings followed 24 months); the same comparison at three
parameter sets (a list design, one replication each).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import analyse, load_analysis
from sim.analysis.data import AnalysisError, load_results
from sim.analysis.effects import MONTHLY_HORIZONS
from sim.analysis.sensitivity import design_points

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline", "platforms", "soft_environment")
SENS_PARAMS = {"policy.honouring_discipline": [0.4, 1.0], "service.loan_approval": [0.3, 0.9],
               "behaviour.outside_option": [0.5, 1.1]}


def _params_toml() -> str:
    return "\n".join(f'"{k}" = [{lo}, {hi}]' for k, (lo, hi) in SENS_PARAMS.items())


def strategies_toml(name: str = "small") -> str:
    """A small strategy comparison (3 scenarios x 4 replications, monthly series)."""
    files = ", ".join(f'"{ROOT / "scenarios" / (s + ".toml")}"' for s in SCENARIOS)
    return f"""[experiment]
name = "{name}"
title = {{ zh = "小型策略对比", en = "Small comparison" }}
scenarios = [{files}]
replications = 4
root_seed = 7
horizon_months = 36
record = "monthly"
[overrides]
"run.n_investors" = 1500
"""


def morris_toml(name: str = "morris_small") -> str:
    """Morris screening: r = 4 trajectories x (3 + 1) = 16 points, 2 replications."""
    return f"""[experiment]
name = "{name}"
scenarios = ["{ROOT / 'scenarios' / 'baseline.toml'}"]
replications = 2
root_seed = 11
horizon_months = 36
[overrides]
"run.n_investors" = 600
[design]
kind = "morris"
trajectories = 4
levels = 4
[design.parameters]
{_params_toml()}
"""


def sobol_toml(name: str = "sobol_small") -> str:
    """Sobol': N = 8 x (3 + 2) = 40 points (first and total order), 2 replications."""
    return f"""[experiment]
name = "{name}"
scenarios = ["{ROOT / 'scenarios' / 'baseline.toml'}"]
replications = 2
root_seed = 12
horizon_months = 36
[overrides]
"run.n_investors" = 600
[design]
kind = "sobol"
samples = 8
second_order = false
[design.parameters]
{_params_toml()}
"""


DRAWS = ({"hazards.no_land": 0.03, "construction.upfront_share": 0.3},
         {"hazards.no_land": 0.08, "construction.upfront_share": 0.2},
         {"hazards.no_land": 0.15, "construction.upfront_share": 0.4})


def draws_toml(name: str = "draws_small") -> str:
    """The small comparison at three parameter sets, one replication each."""
    files = ", ".join(f'"{ROOT / "scenarios" / (s + ".toml")}"' for s in SCENARIOS)
    points = "\n".join("[[design.points]]\n" + f'label = "draw {i + 1}"\n'
                       + "\n".join(f'"{k}" = {v}' for k, v in d.items()) for i, d in enumerate(DRAWS))
    return f"""[experiment]
name = "{name}"
scenarios = [{files}]
replications = 1
root_seed = 8
horizon_months = 36
[overrides]
"run.n_investors" = 1500
[design]
kind = "list"
{points}
"""


def run_toml(text: str, folder: Path, name: str) -> Path:
    """Write an experiment file into ``folder``, run it serially into ``folder/<name>`` and return that folder."""
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    out = folder / name
    report = run_experiment(load_experiment(path), out, engine="serial", progress=False)
    assert report.complete, report.text()
    return out


@pytest.fixture(scope="session")
def small_results(tmp_path_factory) -> Path:
    """A stored small strategy comparison, analysed."""
    out = run_toml(strategies_toml(), tmp_path_factory.mktemp("exp"), "small")
    analyse(out)
    return out


@pytest.fixture(scope="session")
def draws_results(tmp_path_factory) -> Path:
    """The small comparison re-run at three parameter sets (not analysed on its own)."""
    return run_toml(draws_toml(), tmp_path_factory.mktemp("draws"), "draws_small")


@pytest.fixture(scope="session")
def morris_results(tmp_path_factory) -> Path:
    """A stored small Morris design, analysed."""
    out = run_toml(morris_toml(), tmp_path_factory.mktemp("morris"), "morris_small")
    analyse(out)
    return out


@pytest.fixture(scope="session")
def sobol_results(tmp_path_factory) -> Path:
    """A stored small Sobol' design, analysed."""
    out = run_toml(sobol_toml(), tmp_path_factory.mktemp("sobol"), "sobol_small")
    analyse(out)
    return out


# ----------------------------------------------------------------------------- strategy comparison
def test_analysis_writes_every_table_and_strict_json(small_results: Path) -> None:
    folder = small_results / "analysis"
    for name in ("effects", "levels", "costs", "spending_by_lever", "funnel", "withdrawals", "monthly_bands"):
        assert (folder / f"{name}.csv").is_file() and (folder / f"{name}.parquet").is_file(), name
    text = (folder / "analysis.json").read_text(encoding="utf-8")
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert data["baseline"] == "baseline"
    assert data["provenance"]["experiment_sha256"] and data["provenance"]["code_version"]
    assert [s["name"] for s in data["scenarios"]] == list(SCENARIOS)
    assert data["scenarios"][1]["title"]["zh"], "scenario titles come from the scenario files"


def test_every_numeric_output_has_an_effect_per_scenario(small_results: Path) -> None:
    res = load_results(small_results)
    eff = pd.read_parquet(small_results / "analysis" / "effects.parquet")
    summ = eff[eff["source"] == "summary"]
    assert set(summ["scenario"]) == {"platforms", "soft_environment"}
    for s in ("platforms", "soft_environment"):
        assert set(summ.loc[summ["scenario"] == s, "output"]) == set(res.outputs)
    assert "withdrawals_by_reason_and_stage.no_land.signed" in res.outputs
    assert "spent_by_lever.park" in res.outputs
    assert (summ["n"] == 4).all()
    assert (summ["horizon_months"] == 36).all()


def test_effects_are_paired_by_replication(small_results: Path) -> None:
    """The effect and its interval equal a t-interval on the replication-wise differences."""
    from scipy import stats

    res = load_results(small_results)
    runs = res.runs
    eff = pd.read_parquet(small_results / "analysis" / "effects.parquet")
    for out in ("cohort_fulfilment_rate_24m", "jobs", "spent_by_lever.park"):
        a = runs[runs["scenario"] == "platforms"].sort_values("replication")[out].to_numpy()
        b = runs[runs["scenario"] == "baseline"].sort_values("replication")[out].to_numpy()
        d = a - b
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
        row = eff[(eff["scenario"] == "platforms") & (eff["output"] == out) & (eff["source"] == "summary")].iloc[0]
        assert row["effect"] == pytest.approx(d.mean())
        assert row["ci_low"] == pytest.approx(d.mean() - half)
        assert row["ci_high"] == pytest.approx(d.mean() + half)
        assert row["p_value"] == pytest.approx(stats.ttest_rel(a, b).pvalue, nan_ok=True)


def test_monthly_effects_at_the_horizon_equal_the_summary_effects(small_results: Path) -> None:
    eff = pd.read_parquet(small_results / "analysis" / "effects.parquet")
    mon = eff[eff["source"] == "monthly"]
    assert sorted(mon["horizon_months"].unique()) == [m for m in MONTHLY_HORIZONS if m <= 36]
    for out in ("cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m", "jobs", "arrived_capital"):
        m = mon[(mon["horizon_months"] == 36) & (mon["output"] == out)].set_index("scenario")
        s = eff[(eff["source"] == "summary") & (eff["output"] == out)].set_index("scenario")
        for scen in m.index:
            assert m.loc[scen, "effect"] == pytest.approx(s.loc[scen, "effect"], rel=1e-9, abs=1e-9), (out, scen)


def test_replication_check_states_how_many_runs_are_needed(small_results: Path) -> None:
    eff = pd.read_parquet(small_results / "analysis" / "effects.parquet")
    e = eff[eff["source"] == "summary"].dropna(subset=["half_width"])
    ok = e[e["adequate"]]
    assert (ok["half_width"] <= ok["target_half_width"] + 1e-12).all()
    bad = e[~e["adequate"] & (e["target_half_width"] > 0)]
    assert len(bad), "a 4-replication experiment has some wide intervals"
    expected = np.ceil(bad["n"] * (bad["half_width"] / bad["target_half_width"]) ** 2)
    assert (bad["n_needed"].to_numpy() == expected.to_numpy()).all()
    assert (bad["n_needed"] > bad["n"]).all()


def test_costs_funnel_and_withdrawals(small_results: Path) -> None:
    an = load_analysis(small_results)
    costs = pd.DataFrame(an["costs"]).set_index("scenario")
    for s in ("platforms", "soft_environment"):
        c = costs.loc[s]
        rises = c["d_spent_ci_low"] > 0 and c["d_jobs_ci_low"] > 0
        if rises:
            assert c["incremental_cost_per_job"] == pytest.approx(c["d_spent"] / c["d_jobs"])
        else:
            assert c["incremental_cost_per_job"] is None and c["cost_per_job_note"] in ("spending_not_higher",
                                                                                      "jobs_not_higher")
        assert c["unspent"] == pytest.approx(c["budget_held"] + c["budget_returned"])
    assert costs.loc["baseline", "d_spent"] == 0 and costs.loc["baseline", "same_budget"]
    funnel = pd.DataFrame(an["funnel"])
    for s, g in funnel.groupby("scenario"):
        means = g.sort_values("order")["mean"].to_numpy()
        assert (np.diff(means) <= 1e-9).all(), f"{s}: the funnel narrows from contact to operation"
    wd = pd.DataFrame(an["withdrawals"])
    after = wd[(wd["stage"] == "after_signing") & (wd["reason"] != "total")]
    for s, g in after.groupby("scenario"):
        assert g["share"].sum() == pytest.approx(1.0), s
        total = wd[(wd["stage"] == "after_signing") & (wd["reason"] == "total") & (wd["scenario"] == s)].iloc[0]
        assert g["mean"].sum() == pytest.approx(total["mean"])
    levers = pd.read_parquet(small_results / "analysis" / "spending_by_lever.parquet")
    for s, g in levers.groupby("scenario"):
        assert g["share"].sum() == pytest.approx(1.0), s
    res = load_results(small_results)
    spent = res.runs.groupby("scenario")["budget_spent"].mean()
    for s, g in levers.groupby("scenario"):
        assert g["spent"].sum() == pytest.approx(spent[s], rel=1e-6), "every yuan is accounted for by a lever"


def test_monthly_bands_cover_every_month(small_results: Path) -> None:
    bands = pd.read_parquet(small_results / "analysis" / "monthly_bands.parquet")
    arr = bands[(bands["output"] == "arrived_capital") & (bands["scenario"] == "baseline")]
    assert list(arr["month"]) == list(range(37))
    assert (arr["ci_low"] <= arr["mean"] + 1e-9).all() and (arr["mean"] <= arr["ci_high"] + 1e-9).all()
    assert (arr["p05"] <= arr["p95"]).all()


def test_an_unknown_baseline_is_one_line(small_results: Path) -> None:
    with pytest.raises(AnalysisError, match=r"key 'baseline': expected one of baseline, platforms"):
        load_results(small_results, baseline="nope")


# ----------------------------------------------------------------------------- sensitivity
def test_morris_indices_match_salib_and_state_the_cost(morris_results: Path) -> None:
    from SALib.analyze import morris

    from sim.experiment.store import load_manifest, load_problem

    an = load_analysis(morris_results)
    sens = an["sensitivity"]
    assert sens["available"]
    d = sens["design"]
    assert d["points"] == design_points("morris", 3, trajectories=4) == 16
    assert d["formula"] == "r*(D+1) = 4*(3+1)"
    assert d["runs"] == load_manifest(morris_results)["runs_planned"] == 32
    problem, x = load_problem(morris_results)
    res = load_results(morris_results)
    y = res.runs.groupby("point_id")["cohort_fulfilment_rate_24m"].mean().to_numpy()
    direct = morris.analyze(problem, x, y, num_levels=4, seed=20240601, num_resamples=1000)
    got = pd.DataFrame(sens["indices"])
    got = got[got["output"] == "cohort_fulfilment_rate_24m"].set_index("parameter")
    for j, name in enumerate(problem["names"]):
        assert got.loc[name, "mu_star"] == pytest.approx(direct["mu_star"][j])
    assert set(got["rank"]) == {1, 2, 3}
    assert {p["parameter"] for p in d["parameter_docs"]} == set(SENS_PARAMS)
    assert all(p["meaning"] and p["default"] is not None for p in d["parameter_docs"])


def test_sobol_indices_are_salibs_on_the_point_means_and_ranked(sobol_results: Path) -> None:
    """Catches indices computed on the wrong numbers (runs instead of design-point means, points out of order, the
    wrong output) or ranked wrongly: each output's S1, ST and their bootstrap half-widths equal SALib's own
    analysis of the mean output at each design point, in design order, with the same seed; rank 1 has the
    largest ST."""
    from SALib.analyze import sobol

    from sim.experiment.store import load_problem

    an = load_analysis(sobol_results)
    d = an["sensitivity"]["design"]
    assert d["points"] == design_points("sobol", 3, samples=8) == 40
    assert d["formula"] == "N*(D+2) = 8*(3+2)"
    assert design_points("sobol", 3, samples=8, second_order=True) == 64
    idx = pd.DataFrame(an["sensitivity"]["indices"])
    assert set(idx["output"]) == {"cohort_fulfilment_rate_24m", "cohort_capital_arrival_rate_24m", "jobs"}
    problem, _ = load_problem(sobol_results)
    runs = load_results(sobol_results).runs
    for out in ("cohort_fulfilment_rate_24m", "jobs"):
        y = runs[runs["scenario"] == "baseline"].groupby("point_id")[out].mean().sort_index().to_numpy()
        direct = sobol.analyze(problem, y, calc_second_order=False, num_resamples=1000, conf_level=0.95,
                               seed=20240601)
        got = idx[(idx["output"] == out) & (idx["scenario"] == "baseline")].set_index("parameter")
        for j, name in enumerate(problem["names"]):
            for key in ("S1", "ST", "S1_conf", "ST_conf"):
                assert got.loc[name, key] == pytest.approx(direct[key][j], nan_ok=True), (out, name, key)
        assert got["ST"].idxmax() == got["rank"].idxmin()
    # Pooled effects over every design point (point_id = -1) for sample designs.
    eff = pd.read_parquet(sobol_results / "analysis" / "levels.parquet")
    assert set(eff["point_id"]) == {-1}


def test_sensitivity_needs_every_design_point(tmp_path: Path, morris_results: Path) -> None:
    import shutil

    import pyarrow.parquet as pq

    broken = tmp_path / "broken"
    shutil.copytree(morris_results, broken)
    for p in (broken / "summary").glob("part-*.parquet"):
        t = pq.read_table(p)
        pq.write_table(t.filter(pa_not_point(t, 3)), p)
    data = analyse(broken)
    assert not data["sensitivity"]["available"]
    assert "design points" in data["sensitivity"]["error"] and "resume the experiment" in data["sensitivity"]["error"]


def pa_not_point(table, point: int):
    """Mask keeping the rows of every design point but ``point``."""
    import pyarrow.compute as pc

    return pc.not_equal(table["point_id"], point)
