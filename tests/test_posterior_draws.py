"""Results over the posterior: with ``parameters = "posterior"`` replication r of every scenario and design point runs
at posterior draw r, the same on every engine, number of workers and after an interruption."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tablekit import same_rows, stable

import sim.experiment.runner as runner
from sim.errors import ScenarioError
from sim.experiment import load_manifest, load_summaries
from sim.experiment.posterior import DRAW_COLUMN, VALUE_PREFIX, PosteriorDraws, load_posterior_draws
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment
from sim.model import simulate
from sim.params import calibration_record
from sim.stats import systematic_resample

DATA = Path(__file__).parent / "data"
LAND = "platform.county_land_mu_per_year"


@pytest.fixture(scope="module")
def posterior_serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("posterior") / "serial"
    exp = load_experiment(DATA / "exp_posterior.toml")
    report = run_experiment(exp, out, engine="serial", progress=False)
    assert report.complete and report.done_now == 16
    return exp, out


def test_replication_r_of_every_scenario_and_point_runs_at_posterior_draw_r(posterior_serial):
    """Catches a draw that depends on the scenario or the point, a draw recorded but not applied, and values stored
    that are not the record's particle."""
    exp, out = posterior_serial
    sample = calibration_record()["sample"]
    rows = load_summaries(out).to_pylist()
    draws = {r: exp.posterior.particle(exp.root_seed, r) for r in range(exp.replications)}
    assert len(set(draws.values())) > 1  # replications are different parameter sets
    for row in rows:
        i = row[DRAW_COLUMN]
        assert i == draws[row["replication"]]
        for j, key in enumerate(sample["parameters"]):
            if key != "over_reporting":
                assert row[VALUE_PREFIX + key] == sample["values"][i][j]
    # the draw is applied: each run is the scenario run alone with the draw's values, the design point's on top
    for row in rows[:: 5]:
        entry = exp.scenarios[row["scenario_index"]]
        point = exp.design.points[row["point_id"]]
        spec = entry.spec.with_overrides({**exp.posterior.draw(exp.root_seed, row["replication"])[1], **point})
        alone = simulate(spec, seed=np.random.SeedSequence(exp.root_seed, spawn_key=(row["replication"],)))
        assert row["config_hash"] == spec.config_hash()
        for key in ("signed_projects", "signed_capital", "arrived_capital", "jobs", "cohort_fulfilment_rate_12m"):
            assert same_rows(row, alone.summary, [key]), key


def test_the_manifest_names_the_option_and_the_records_hash(posterior_serial):
    _, out = posterior_serial
    m = load_manifest(out)
    import hashlib

    from sim.params import CALIBRATION_RECORD

    assert m["posterior"]["parameters"] == "posterior" and m["posterior"]["posterior_draws"] is None
    assert m["posterior"]["record_sha256"] == hashlib.sha256(CALIBRATION_RECORD.read_bytes()).hexdigest()
    assert m["plan"]["posterior"]["record_sha256"] == m["posterior"]["record_sha256"]
    lo, hi = m["posterior"]["ends"][LAND]
    assert lo < hi


def _at_their_draws(exp, out: Path) -> None:
    """Every stored run is at its replication's draw and carries that draw's parameters (its config hash)."""
    for row in load_summaries(out).to_pylist():
        i, values = exp.posterior.draw(exp.root_seed, row["replication"])
        spec = exp.scenarios[row["scenario_index"]].spec.with_overrides({**values, **exp.design.points[row["point_id"]]})
        assert row[DRAW_COLUMN] == i and row["config_hash"] == spec.config_hash()


@pytest.mark.parametrize("engine,workers,batch", [("serial", 1, 1), ("process", 2, 3)])
def test_the_same_draws_and_numbers_on_every_engine_and_number_of_workers(posterior_serial, tmp_path, engine, workers,
                                                                          batch):
    """Catches draws made in the worker from its own state (the task order, the worker) rather than from the root
    seed and the replication."""
    exp, ref = posterior_serial
    report = run_experiment(exp, tmp_path / engine, engine=engine, workers=workers, batch_size=batch, progress=False)
    assert report.complete
    _at_their_draws(exp, tmp_path / engine)
    assert stable(load_summaries(tmp_path / engine)).equals(stable(load_summaries(ref)))


def test_an_interrupted_experiment_resumes_at_the_same_draws(posterior_serial, monkeypatch, tmp_path):
    exp, ref = posterior_serial
    real = runner.simulate
    calls = {"n": 0}

    def interrupted(spec, seed=0, horizon=None, warm=None, monthly=True):
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        return real(spec, seed=seed, horizon=horizon, warm=warm, monthly=monthly)

    monkeypatch.setattr(runner, "simulate", interrupted)
    report = run_experiment(exp, tmp_path / "cut", engine="serial", progress=False)
    assert report.interrupted and 0 < report.done_total < 16
    monkeypatch.setattr(runner, "simulate", real)
    report = run_experiment(exp, tmp_path / "cut", engine="serial", progress=False)
    assert report.complete and report.skipped > 0
    _at_their_draws(exp, tmp_path / "cut")
    assert stable(load_summaries(tmp_path / "cut")).equals(stable(load_summaries(ref)))


def test_more_replications_are_more_draws_and_keep_the_earlier_ones(tmp_path):
    """Catches draws that depend on the number of replications (adaptive rounds would move the first ones)."""
    draws = load_posterior_draws()
    few = [draws.particle(13, r) for r in range(10)]
    many = [draws.particle(13, r) for r in range(80)]
    assert many[:10] == few and len(set(many)) > len(set(few))


def test_draws_follow_the_particles_weights():
    """Catches draws uniform over the particles, or always the heaviest one."""
    w = np.array([0.6, 0.3, 0.1])
    d = PosteriorDraws(Path("x"), "0", ("a",), np.array([[1.0], [2.0], [3.0]]), w)
    picks = np.bincount([d.particle(5, r) for r in range(3000)], minlength=3) / 3000
    assert np.allclose(picks, w, atol=0.03)
    capped = PosteriorDraws(Path("x"), "0", ("a",), np.array([[1.0], [2.0], [3.0]]), w, cap=10)
    cycle = [capped.particle(5, r) for r in range(20)]
    assert cycle[:10] == cycle[10:]
    assert sorted(cycle[:10]) == sorted(systematic_resample(w, 10, np.random.SeedSequence(5, spawn_key=(2**32 + 1,))))
    assert np.bincount(cycle[:10], minlength=3).tolist() == [6, 3, 1]  # systematic: the weights to a draw


WARM = """
[experiment]
name = "warm_posterior"
scenarios = ["{root}/scenarios/baseline.toml", "{root}/scenarios/combined.toml"]
replications = 2
root_seed = 31
record = "summary"
parameters = "posterior"

[overrides]
"run.spinup_months" = 12
"run.n_investors" = 800
"run.horizon_months" = 12
"""


def test_a_warm_state_is_shared_by_the_runs_of_one_draw_and_carries_it(tmp_path, monkeypatch):
    """Catches a warm state made at the shipped point (the draw applied after the spin-up) or shared across
    replications whose draws differ."""
    root = Path(__file__).resolve().parents[1]
    path = tmp_path / "warm.toml"
    path.write_text(WARM.format(root=root))
    exp = load_experiment(path)
    made = []
    original = runner.warm_start

    def counted(params, seed):
        made.append((seed.spawn_key, params.platform.county_land_mu_per_year, params.hazards.delay))
        return original(params, seed)

    monkeypatch.setattr(runner, "warm_start", counted)
    report = run_experiment(exp, tmp_path / "out", engine="serial", progress=False)
    assert report.complete and report.done_now == 4
    expected = []
    for r in range(2):
        values = exp.posterior.draw(31, r)[1]
        expected.append(((r,), values[LAND], values["hazards.delay"]))
    assert sorted(made) == sorted(expected)


def _write(tmp_path: Path, extra: str, design: str = "") -> Path:
    path = tmp_path / "e.toml"
    path.write_text(f'[experiment]\nscenarios = ["{DATA / "exp_t.toml"}"]\nreplications = 2\nroot_seed = 1\n{extra}\n'
                    f"{design}")
    return path


@pytest.mark.parametrize("extra,design,key", [
    ('parameters = "posterio"', "", "experiment.parameters"),
    ("posterior_draws = 5", "", "experiment.posterior_draws"),
    ('parameters = "posterior"\nposterior_draws = 0', "", "experiment.posterior_draws"),
    ('parameters = "posterior"', '[design]\nkind = "factorial"\n[design.values]\n"hazards.delay" = [0.1, 0.2]\n',
     "design.hazards.delay"),
])
def test_a_bad_posterior_option_is_one_line_naming_the_key(tmp_path, extra, design, key):
    with pytest.raises(ScenarioError) as exc:
        load_experiment(_write(tmp_path, extra, design))
    msg = str(exc.value)
    assert "\n" not in msg and f"key '{key}'" in msg


def test_results_of_other_draws_are_not_resumed(tmp_path):
    path = _write(tmp_path, 'parameters = "posterior"\nposterior_draws = 2')
    run_experiment(load_experiment(path), tmp_path / "out", engine="serial", progress=False)
    path.write_text(path.read_text().replace("posterior_draws = 2", "posterior_draws = 3"))
    with pytest.raises(ScenarioError, match="key 'posterior'"):
        run_experiment(load_experiment(path), tmp_path / "out", engine="serial", progress=False, force=True)
