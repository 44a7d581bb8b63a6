"""Designs: list, factorial, Latin hypercube, Sobol and Morris give the points a researcher asked for."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from sim.experiment import designs, load_design, load_manifest, load_problem, load_summaries
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment

DATA = Path(__file__).parent / "data"
RANGES = {"behaviour.outside_option": (0.3, 0.8), "hazards.no_land": (0.02, 0.1), "service.loan_approval": (0.3, 0.8)}


def write_exp(tmp_path: Path, design: str, replications: int = 1, name: str = "d") -> Path:
    """An experiment on the small test scenario with the given [design] text."""
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(f"""\
        [experiment]
        name = "{name}"
        scenarios = ["{DATA / 'exp_t.toml'}"]
        replications = {replications}
        root_seed = 3
        horizon_months = 12
        [overrides]
        "run.n_investors" = 400
        """) + textwrap.dedent(design), encoding="utf-8")
    return path


def test_list_design_keeps_points_labels_and_unset_parameters():
    d = designs.list_design([{"policy.incentive_rate": 1.0}, {"service.one_stop_centre": True}], ["low", "one_stop"])
    assert d.n_points == 2
    assert d.parameters == ("policy.incentive_rate", "service.one_stop_centre")
    assert d.labels == ("low", "one_stop")
    assert "service.one_stop_centre" not in d.points[0]


def test_factorial_is_every_combination_first_parameter_slowest():
    d = designs.factorial_design({"a.x": [1, 2, 3], "b.y": [False, True]})
    assert d.n_points == 6
    assert [(p["a.x"], p["b.y"]) for p in d.points] == [(1, False), (1, True), (2, False), (2, True), (3, False), (3, True)]


def test_latin_hypercube_has_one_point_per_stratum_within_bounds():
    n = 20
    d = designs.lhs_design(RANGES, n, seed=1)
    assert d.sample.shape == (n, 3)
    assert d.problem == {"num_vars": 3, "names": list(RANGES), "bounds": [list(b) for b in RANGES.values()]}
    for j, (lo, hi) in enumerate(RANGES.values()):
        col = d.sample[:, j]
        assert lo <= col.min() and col.max() <= hi
        strata = np.floor((col - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n))


@pytest.mark.parametrize("second_order, per", [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_sobol_sample_size_and_bounds(second_order, per):
    d = designs.sobol_design(RANGES, 8, seed=1, second_order=second_order)
    assert d.sample.shape == (8 * per, 3)
    assert d.n_points == 8 * per
    assert d.options["calc_second_order"] is second_order
    for j, (lo, hi) in enumerate(RANGES.values()):
        assert lo <= d.sample[:, j].min() and d.sample[:, j].max() <= hi


def test_morris_trajectories_move_one_parameter_per_step_on_the_grid():
    r, levels = 4, 4
    d = designs.morris_design(RANGES, r, seed=1, levels=levels)
    k = len(RANGES)
    assert d.sample.shape == (r * (k + 1), k)
    for t in range(r):
        traj = d.sample[t * (k + 1):(t + 1) * (k + 1)]
        changed = (np.abs(np.diff(traj, axis=0)) > 1e-12).sum(axis=1)
        assert changed.tolist() == [1] * k
    for j, (lo, hi) in enumerate(RANGES.values()):
        grid = (d.sample[:, j] - lo) / (hi - lo) * (levels - 1)
        assert np.allclose(grid, np.round(grid))


def test_sample_file_designs_round_whole_number_parameters_and_keep_raw_sample(tmp_path):
    path = write_exp(tmp_path, """\
        [design]
        kind = "lhs"
        samples = 6
        [design.parameters]
        "platform.park_build_months" = [6, 30]
        policy.incentive_rate = [0.0, 6.0]
        """)
    exp = load_experiment(path)
    pts = exp.design.points
    assert all(isinstance(p["platform.park_build_months"], int) for p in pts)
    assert all(isinstance(p["policy.incentive_rate"], float) for p in pts)
    raw = exp.design.sample[:, 0]
    assert not np.allclose(raw, np.round(raw))  # the stored matrix is SALib's, unrounded


def test_sample_designs_are_reproducible_from_the_root_seed(tmp_path):
    text = """\
        [design]
        kind = "sobol"
        samples = 4
        [design.parameters]
        "hazards.no_land" = [0.02, 0.1]
        "behaviour.outside_option" = [0.3, 0.8]
        """
    a = load_experiment(write_exp(tmp_path, text, name="a")).design.sample
    b = load_experiment(write_exp(tmp_path, text, name="b")).design.sample
    c = load_experiment(write_exp(tmp_path, text.replace("samples = 4", "samples = 4\n        seed = 12345"),
                                  name="c")).design.sample
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_morris_results_store_problem_and_matrix_for_salib(tmp_path):
    from SALib.analyze import morris

    path = write_exp(tmp_path, """\
        [design]
        kind = "morris"
        trajectories = 3
        levels = 4
        [design.parameters]
        "hazards.no_land" = [0.02, 0.1]
        "behaviour.outside_option" = [0.3, 0.8]
        """)
    exp = load_experiment(path)
    out = tmp_path / "out"
    report = run_experiment(exp, out, engine="serial", progress=False)
    assert report.complete and report.planned == 3 * 3
    problem, x = load_problem(out)
    assert problem["names"] == ["hazards.no_land", "behaviour.outside_option"]
    assert np.array_equal(x, exp.design.sample)
    assert load_manifest(out)["design"]["options"]["num_levels"] == 4
    table = load_summaries(out)
    assert np.allclose(table["hazards.no_land"].to_numpy(), x[table["point_id"].to_numpy(), 0])
    y = table["signed_projects"].to_numpy().astype(float)[np.argsort(table["point_id"].to_numpy())]
    result = morris.analyze(problem, x, y, num_levels=4)
    assert len(result["mu_star"]) == 2
    assert load_design(out).num_rows == 9


def test_factorial_file_gives_one_column_per_parameter(tmp_path):
    exp = load_experiment(DATA / "exp_small.toml")
    assert exp.design.kind == "factorial"
    assert exp.design.parameters == ("policy.incentive_rate", "service.one_stop_centre")
    assert exp.n_runs == 2 * 4 * 3
    assert exp.overrides == {"run.n_investors": 500, "run.horizon_months": 18}
    assert all(e.spec.params.run.n_investors == 500 for e in exp.scenarios)
