"""sim optimise: the search finds a known optimum through the real code path, the same on every engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.experiment import optimise as opt
from sim.experiment import runner
from sim.model import RunResult
from sim.params import Params

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = tuple(Params().governments)[:-1]
"""The default region's districts and counties (the city is the last government)."""
TARGET = {"channels": 0.4, "park": 0.2, "incentive_fund": 0.1, "tracking": 0.1}
"""The toy region's best split of 0.8 of the budget (the baseline's sum of these levers)."""


def toy_simulate(spec, seed=0, horizon=None, warm=None, monthly=True):
    """A stand-in model whose jobs peak at the TARGET shares in every future, with seed noise shared by all plans."""
    p = spec.params
    shares = p.budget.shares
    miss = sum((shares.get(k, 0.0) - v) ** 2 for k, v in TARGET.items())
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 5.0)
    growth = p.behaviour.outside_growth
    jobs = 1000.0 - 4000.0 * miss - 2000.0 * growth + noise
    spent = {k: 1000.0 * shares.get(k, 0.0) for k in shares}
    # The toy's accounts by government: channel money split over the seven counties by seed, the rest at the city.
    w = rng.dirichlet(np.ones(len(COUNTIES)))
    by_gov = {c: {k: (spent[k] * w[i] if k == "channels" else 0.0) for k in spent} for i, c in enumerate(COUNTIES)}
    by_gov["city"] = {k: (0.0 if k == "channels" else v) for k, v in spent.items()}
    return RunResult(monthly={} if monthly else None, summary={"jobs": jobs, "arrived_capital": 10.0 * jobs, "months": p.run.horizon_months,
                                          "spent_by_lever": spent, "spent_by_government": by_gov,
                                          "cohort_fulfilment_rate_24m": 0.5,
                                          "tax_revenue": jobs, "cost_per_job": 1.0, "budget_spent": 100.0})


def _file(tmp: Path, **extra) -> Path:
    text = f"""
[optimise]
name = "toy"
scenario = "{ROOT / 'scenarios' / 'baseline.toml'}"
compare = ["{ROOT / 'scenarios' / 'channels.toml'}"]
replications = 2
root_seed = 3
horizon_months = 12
objectives = ["jobs"]
robustness = "{extra.get('robustness', 'quantile')}"
quantile = 0.25
algorithm = {{ population = 16, generations = 14, seed = 2 }}

[overrides]
"run.n_investors" = 300
"run.spinup_months" = 24  # a short spin-up: the toy model stands in for the runs, not for the warm state

[levers]
shares = ["channels", "park", "incentive_fund", "tracking"]

[futures]
samples = 2
[futures.ranges]
"behaviour.outside_growth" = [0.0, 0.05]
"""
    f = tmp / "toy.toml"
    f.write_text(text)
    return f


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setattr(runner, "simulate", toy_simulate)


def _chosen(res) -> dict[str, float]:
    row = res.evaluations.loc[res.evaluations["candidate"] == res.summary["chosen"]].iloc[0]
    return {k: float(row[f"share.{k}"]) for k in TARGET}


@pytest.mark.parametrize("robustness", ["quantile", "regret"])
def test_finds_the_known_optimum_of_a_toy_region(toy, tmp_path, robustness):
    spec = opt.load_optimise(_file(tmp_path, robustness=robustness))
    res = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    got = _chosen(res)
    for k, v in TARGET.items():
        assert got[k] == pytest.approx(v, abs=0.04), (k, got)
    assert sum(got.values()) <= 0.8 + 1e-12  # the total cost is fixed
    cmp = res.comparison.set_index("strategy")
    assert cmp.loc["optimum", "mean"] > cmp.loc["baseline", "mean"]
    assert cmp.loc["baseline", "optimum_minus_low"] > 0


def test_same_numbers_on_serial_and_process_engines(toy, tmp_path):
    spec = opt.load_optimise(_file(tmp_path))
    spec.generations = 3
    a = opt.optimise(spec, tmp_path / "serial", engine="serial", progress=False, log=lambda m: None)
    from sim.experiment.executors import ProcessExecutor

    # Forked workers inherit the stand-in model whatever threads earlier tests left behind (a fork server would
    # import the real model afresh).
    with ProcessExecutor(2, start_method="fork") as ex:
        b = opt.optimise(spec, tmp_path / "process", executor=ex, progress=False, log=lambda m: None)
        assert ex.method_used == "fork"
    pd.testing.assert_frame_equal(a.evaluations, b.evaluations)
    pd.testing.assert_frame_equal(a.comparison, b.comparison)


def test_a_search_forks_its_pool_after_warming_the_model(toy, tmp_path, monkeypatch):
    from sim.experiment import executors
    from sim.experiment.runner import warm_up

    made = []

    class Recording(executors.ProcessExecutor):
        def __init__(self, *args, **kwargs):
            made.append(kwargs)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(opt, "ProcessExecutor", Recording)
    spec = opt.load_optimise(_file(tmp_path))
    spec.generations = 1
    opt.optimise(spec, tmp_path / "process", workers=2, progress=False, log=lambda m: None)
    assert [k.get("preload") for k in made] == [warm_up]


def test_allocation_by_government_adds_up_to_the_allocation_by_lever(toy, tmp_path):
    spec = opt.load_optimise(_file(tmp_path))
    spec.generations = 2
    res = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    by_gov = pd.read_csv(tmp_path / "out" / "allocation_by_government.csv")
    assert set(by_gov["government"]) == {*COUNTIES, "city"}
    sums = by_gov.groupby("lever")[["wan_yuan_per_year", "scenario_wan_yuan_per_year"]].sum()
    alloc = res.allocation.set_index("lever")
    for lever, row in sums.iterrows():
        for col in ("wan_yuan_per_year", "scenario_wan_yuan_per_year"):
            assert row[col] == pytest.approx(alloc.loc[lever, col], rel=1e-9), (lever, col)
    county = by_gov[(by_gov["lever"] == "channels") & (by_gov["government"] != "city")]
    assert len(county) == len(COUNTIES) and county["wan_yuan_per_year"].nunique() == len(COUNTIES)


def test_each_future_and_replication_is_spun_up_once_for_the_whole_search(toy, tmp_path, monkeypatch):
    """Catches a search that pays the status quo's spin-up more than once for a future and replication: its
    candidates differ only in levers, and every generation and the comparison with the shipped strategies meet the
    same futures and replications, so a worker keeps their warm states from task to task
    (:data:`sim.experiment.optimise.KEEP_WARM_MB`); the serial engine ships one run a task, the worst case. Then,
    with nothing kept, each task makes its own again."""
    spec = opt.load_optimise(_file(tmp_path))
    spec.generations = 2
    made = []
    real = runner.warm_start

    def counted(params, seed):
        made.append((params.behaviour.outside_growth, tuple(seed.spawn_key)))
        return real(params, seed)

    monkeypatch.setattr(runner, "warm_start", counted)
    first = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    groups = len(spec.futures) * spec.replications
    assert len(set(made)) == groups
    assert len(made) == groups
    assert not runner.KEPT.states  # dropped when the search ends
    made.clear()
    monkeypatch.setattr(opt, "KEEP_WARM_MB", 0.0)
    again = opt.optimise(spec, tmp_path / "again", engine="serial", progress=False, log=lambda m: None)
    assert len(made) > 3 * groups
    assert again.evaluations.equals(first.evaluations)


def test_the_allocation_spends_what_the_chosen_plan_spent(toy, tmp_path):
    """Catches the allocation read from another candidate's runs (the generation's points are future by future):
    the stand-in model spends 1,000 a share on each lever, so each lever's money is in proportion to the chosen
    plan's share."""
    spec = opt.load_optimise(_file(tmp_path))
    spec.generations = 2
    res = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    alloc = res.allocation.set_index("lever")
    per_share = [alloc.loc[k, "wan_yuan_per_year"] / alloc.loc[k, "share"] for k in TARGET]
    assert per_share == pytest.approx([per_share[0]] * len(TARGET), rel=1e-9)
    assert _chosen(res) == {k: alloc.loc[k, "share"] for k in TARGET}


REAL_RUN_ONE = runner.run_one


def count_runs(monkeypatch, stop_at: int | None = None) -> list[int]:
    """Count the runs the runner starts from now on (Ctrl-C at the ``stop_at``-th); the list grows by one a run."""
    calls: list[int] = []

    def counting(*args, **kw):
        calls.append(1)
        if stop_at is not None and len(calls) == stop_at:
            raise KeyboardInterrupt
        return REAL_RUN_ONE(*args, **kw)

    monkeypatch.setattr(runner, "run_one", counting)
    return calls


def test_resuming_runs_nothing_again_and_gives_the_same_result(toy, tmp_path, monkeypatch):
    spec = opt.load_optimise(_file(tmp_path))
    spec.generations = 2
    a = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    calls = count_runs(monkeypatch)
    b = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    assert not calls
    pd.testing.assert_frame_equal(a.evaluations, b.evaluations)


def test_a_search_resumes_after_a_comment_is_added_to_its_file_and_not_after_a_change(toy, tmp_path, monkeypatch):
    path = _file(tmp_path)
    spec = opt.load_optimise(path)
    spec.generations = 2
    a = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    path.write_text("# the search of the briefing\n" + path.read_text().replace("samples = 2", "samples   =   2  # two"))
    spec = opt.load_optimise(path)
    spec.generations = 2
    calls = count_runs(monkeypatch)
    b = opt.optimise(spec, tmp_path / "out", engine="serial", progress=False, log=lambda m: None)
    assert not calls
    pd.testing.assert_frame_equal(a.evaluations, b.evaluations)
    path.write_text(path.read_text().replace("[0.0, 0.05]", "[0.0, 0.06]"))
    with pytest.raises(ScenarioError, match="found a changed file; use --fresh"):
        opt.optimise(opt.load_optimise(path), tmp_path / "out", engine="serial", progress=False, log=lambda m: None)


def test_an_interrupted_search_resumes_mid_generation_with_the_same_result(toy, tmp_path, monkeypatch):
    spec = opt.load_optimise(_file(tmp_path))
    spec.generations = 3
    whole = opt.optimise(spec, tmp_path / "whole", engine="serial", progress=False, log=lambda m: None)
    per_generation = spec.population * spec.runs_per_candidate
    stop = per_generation + per_generation // 2  # Ctrl-C in the middle of the second generation
    count_runs(monkeypatch, stop_at=stop)
    with pytest.raises(KeyboardInterrupt):
        opt.optimise(spec, tmp_path / "cut", engine="serial", progress=False, log=lambda m: None)
    assert (tmp_path / "cut" / "generations" / "gen_001").is_dir()
    assert not (tmp_path / "cut" / "generations" / "gen_002").exists()
    calls = count_runs(monkeypatch)
    resumed = opt.optimise(spec, tmp_path / "cut", engine="serial", progress=False, log=lambda m: None)
    assert len(calls) == whole.summary["runs"] - (stop - 1)  # only the runs not stored yet
    pd.testing.assert_frame_equal(whole.evaluations, resumed.evaluations)
    pd.testing.assert_frame_equal(whole.comparison, resumed.comparison)


def test_same_numbers_on_serial_and_dask_with_the_real_model(tmp_path):
    """The real model (a Dask worker does not see a stand-in), tiny: the search, its comparison and the allocation
    by government are the same on a local Dask cluster as in one process."""
    from sim.experiment.executors import DaskExecutor

    text = _file(tmp_path).read_text().replace("population = 16, generations = 14", "population = 4, generations = 2")
    text = text.replace("replications = 2", "replications = 1")
    f = tmp_path / "tiny.toml"
    f.write_text(text)
    spec = opt.load_optimise(f)
    a = opt.optimise(spec, tmp_path / "serial", engine="serial", progress=False, log=lambda m: None)
    with DaskExecutor(workers=2, scratch=tmp_path / "dask-scratch") as ex:
        b = opt.optimise(spec, tmp_path / "dask", executor=ex, progress=False, log=lambda m: None)
    pd.testing.assert_frame_equal(a.evaluations, b.evaluations)
    pd.testing.assert_frame_equal(a.comparison, b.comparison)
    by_a = pd.read_csv(tmp_path / "serial" / "allocation_by_government.csv")
    assert not by_a.empty
    pd.testing.assert_frame_equal(by_a, pd.read_csv(tmp_path / "dask" / "allocation_by_government.csv"))


@pytest.mark.parametrize("edit, key", [
    (('objectives = ["jobs"]', 'objectives = ["jbos"]'), "optimise.objectives[0]"),
    (('shares = ["channels", "park", "incentive_fund", "tracking"]', 'shares = ["channels", "parks"]'), "levers.shares"),
    (('"behaviour.outside_growth" = [0.0, 0.05]', '"behaviour.outside_growth" = [0.05, 0.0]'),
     "futures.ranges.behaviour.outside_growth"),
    (('quantile = 0.25', 'quantile = 1.5'), "optimise.quantile"),
])
def test_bad_file_is_one_line_naming_the_key(tmp_path, edit, key):
    f = _file(tmp_path)
    f.write_text(f.read_text().replace(*edit))
    with pytest.raises(ScenarioError) as exc:
        opt.load_optimise(f)
    msg = str(exc.value)
    assert str(f) in msg and f"key '{key}'" in msg and "expected" in msg and "\n" not in msg


def test_posterior_rows_become_futures_and_bad_posteriors_are_refused(tmp_path):
    post = tmp_path / "posterior.csv"
    post.write_text("behaviour.outside_growth,weight\n0.01,0\n0.07,1\n")
    f = _file(tmp_path)
    f.write_text(f.read_text().replace("[futures]\nsamples = 2", f'[futures]\nsamples = 2\nposterior = "{post}"'))
    spec = opt.load_optimise(f)
    assert all(fut["behaviour.outside_growth"] != 0.01 for fut in spec.futures)  # weight 0 is never drawn
    post.write_text("behaviour.outside_growth,weight\nabc,1\n")
    with pytest.raises(ScenarioError, match=r"posterior.csv: key 'behaviour.outside_growth \(row 2\)': expected a number"):
        opt.load_optimise(f)
    post.write_text("behaviour.outside_growth\n0.01\n")
    with pytest.raises(ScenarioError, match="key 'weight'"):
        opt.load_optimise(f)


def test_robust_scores_take_the_bad_tail_or_the_largest_regret(tmp_path):
    spec = opt.load_optimise(_file(tmp_path))
    # Two plans in two futures, one replication: A is great in future 0 and useless in future 1; B is steady.
    vals = np.array([[[[10.0]], [[0.0]]], [[[6.0]], [[5.0]]]])
    spec.quantile = 0.0
    q = opt.robust_scores(spec, vals)
    assert q[:, 0].tolist() == [-0.0, -5.0]  # minimised: B's worst future (5) beats A's (0)
    spec.robustness = "regret"
    r = opt.robust_scores(spec, vals)
    assert r[:, 0].tolist() == [5.0, 4.0]  # best per future (10, 5): A's largest regret 5, B's 4
    spec.objectives = [opt.Objective("cost_per_job", "min")]
    r = opt.robust_scores(spec, vals)
    assert r[:, 0].tolist() == [4.0, 5.0]  # less is better: best per future 6 and 0; A misses by 4, B by 5


def test_decisions_keep_the_total_cost_and_the_other_levers(tmp_path):
    spec = opt.load_optimise(_file(tmp_path))
    base = spec.scenario.params.budget.shares
    rng = np.random.default_rng(0)
    for x in rng.random((50, spec.n_var)):
        shares = spec.decode(x)["budget.shares"]
        moved = sum(shares[k] for k in spec.shares)
        assert moved <= spec.share_total + 1e-12
        assert moved == pytest.approx(spec.share_total, abs=1e-5)
        for k, v in base.items():
            if k not in spec.shares:
                assert shares[k] == v
        spec.scenario.with_overrides(spec.decode(x), source="test")  # a valid scenario every time


@pytest.mark.parametrize("path", sorted((ROOT / "experiments" / "optimise").glob("*.toml")), ids=lambda p: p.name)
def test_shipped_optimiser_files_are_valid_and_state_their_runs(path):
    spec = opt.load_optimise(path)
    assert f"{spec.n_runs:,}" in path.read_text(encoding="utf-8") or str(spec.n_runs) in path.read_text(encoding="utf-8")
