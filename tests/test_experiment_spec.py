"""Experiment files are validated like scenarios: one line naming file, key, expected and found; exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.experiment.spec import load_experiment

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
T = DATA / "exp_t.toml"

HEAD = f"""\
[experiment]
scenarios = ["{T}"]
replications = 2
root_seed = 1
"""

# (file text, key named in the error, words the message must contain)
BAD = {
    "no_experiment_table": ("[design]\nkind = 'none'\n", "experiment", ["expected a table [experiment]"]),
    "unknown_top_key": (HEAD + "[desing]\nkind = 'none'\n", "desing", ["did you mean 'design'"]),
    "unknown_experiment_key": (HEAD.replace("replications", "replicatons"), "experiment.replicatons",
                               ["did you mean 'replications'"]),
    "zero_replications": (HEAD.replace("replications = 2", "replications = 0"), "experiment.replications",
                          ["from 1", "found 0"]),
    "replications_text": (HEAD.replace("replications = 2", "replications = 'many'"), "experiment.replications",
                          ["whole number", "found 'many'"]),
    "no_root_seed": (HEAD.replace("root_seed = 1\n", ""), "experiment.root_seed", ["integer root seed", "found none"]),
    "negative_seed": (HEAD.replace("root_seed = 1", "root_seed = -4"), "experiment.root_seed", ["found -4"]),
    "bad_record": (HEAD + "record = 'daily'\n", "experiment.record", ["summary", "monthly", "found 'daily'"]),
    "no_scenarios": (HEAD.replace(f'scenarios = ["{T}"]', "scenarios = []"), "experiment.scenarios",
                     ["non-empty list"]),
    "missing_scenario": (HEAD.replace(str(T), "nowhere.toml"), "experiment.scenarios[0]",
                         ["relative to the experiment file", "no file"]),
    "duplicate_scenario": (HEAD.replace(f'["{T}"]', f'["{T}", "{T}"]'), "experiment.scenarios[1]", ["listed once"]),
    "bad_horizon": (HEAD + "horizon_months = 0\n", "experiment.horizon_months", ["found 0"]),
    "bad_name": (HEAD + "name = 'a/b'\n", "experiment.name", ["folder-safe"]),
    "unknown_override": (HEAD + "[overrides]\n\"run.n_investor\" = 500\n", "overrides.run.n_investor",
                         ["did you mean 'n_investors'"]),
    "override_out_of_range": (HEAD + "[overrides]\nrun.n_investors = 1\n", "overrides.run.n_investors",
                              ["greater than or equal to 10", "found 1"]),
    "design_without_kind": (HEAD + "[design]\nsamples = 4\n", "design.kind", ["found none"]),
    "unknown_kind": (HEAD + "[design]\nkind = 'sobel'\n", "design.kind", ["did you mean 'sobol'"]),
    "key_of_other_kind": (HEAD + "[design]\nkind = 'factorial'\nsamples = 4\n", "design.samples",
                          ["one of kind, values"]),
    "unknown_parameter": (HEAD + "[design]\nkind = 'factorial'\n[design.values]\n\"policy.incentve_rate\" = [1.0, 2.0]\n",
                          "design.values.policy.incentve_rate", ["did you mean 'incentive_rate'"]),
    "value_out_of_range": (HEAD + "[design]\nkind = 'factorial'\n[design.values]\n\"policy.incentive_rate\" = [1.0, 50.0]\n",
                           "design.values.policy.incentive_rate", ["less than or equal to 30", "found 50.0",
                                                                   "design point 1"]),
    "empty_values": (HEAD + "[design]\nkind = 'factorial'\n[design.values]\n\"policy.incentive_rate\" = []\n",
                     "design.values.policy.incentive_rate", ["non-empty list"]),
    "mixed_kinds": (HEAD + "[design]\nkind = 'list'\npoints = [{\"policy.incentive_rate\" = 1.0}, "
                           "{\"policy.incentive_rate\" = true}]\n",
                    "design.points[0].policy.incentive_rate", ["values of one kind"]),
    "duplicate_label": (HEAD + "[design]\nkind = 'list'\npoints = [{label = 'a'}, {label = 'a'}]\n",
                        "design.points[1].label", ["used once"]),
    "sobol_not_power_of_two": (HEAD + "[design]\nkind = 'sobol'\nsamples = 10\n[design.parameters]\n"
                                      "\"hazards.no_land\" = [0.0, 0.1]\n", "design.samples", ["power of 2", "8 or 16"]),
    "range_reversed": (HEAD + "[design]\nkind = 'lhs'\nsamples = 4\n[design.parameters]\n\"hazards.no_land\" = [0.1, 0.0]\n",
                       "design.parameters.hazards.no_land", ["low < high"]),
    "range_not_pair": (HEAD + "[design]\nkind = 'lhs'\nsamples = 4\n[design.parameters]\n\"hazards.no_land\" = 0.1\n",
                       "design.parameters.hazards.no_land", ["[low, high]"]),
    "sampled_switch": (HEAD + "[design]\nkind = 'lhs'\nsamples = 4\n[design.parameters]\n"
                              "\"service.one_stop_centre\" = [0, 1]\n",
                       "design.parameters.service.one_stop_centre", ["switch"]),
    "sampled_out_of_range": (HEAD + "[design]\nkind = 'lhs'\nsamples = 4\n[design.parameters]\n"
                                    "\"hazards.no_land\" = [0.5, 1.5]\n",
                             "design.parameters.hazards.no_land", ["less than or equal to 1"]),
    "morris_odd_levels": (HEAD + "[design]\nkind = 'morris'\ntrajectories = 4\nlevels = 3\n[design.parameters]\n"
                                 "\"hazards.no_land\" = [0.0, 0.1]\n", "design.levels", ["even"]),
    "toml_syntax": (HEAD + "[design\n", "-", ["valid TOML"]),
    "range_nan": (HEAD + "[design]\nkind = 'lhs'\nsamples = 4\n[design.parameters]\n\"hazards.no_land\" = [nan, 0.1]\n",
                  "design.parameters.hazards.no_land", ["two finite numbers", "found [nan, 0.1]"]),
    "range_inf": (HEAD + "[design]\nkind = 'morris'\ntrajectories = 2\n[design.parameters]\n"
                         "\"policy.incentive_rate\" = [0.0, inf]\n", "design.parameters.policy.incentive_rate",
                  ["two finite numbers", "found [0.0, inf]"]),
    "factorial_nan": (HEAD + "[design]\nkind = 'factorial'\n[design.values]\n\"policy.incentive_rate\" = [1.0, nan]\n",
                      "design.values.policy.incentive_rate", ["a finite number", "found nan", "design point 1"]),
    "point_inline_inf": (HEAD + "[design]\nkind = 'list'\n[[design.points]]\n"
                                "\"budget.shares\" = { park = 0.1, legal = -inf }\n",
                         "design.points[0].budget.shares.legal", ["a finite number", "found -inf"]),
    "override_inline_nan": (HEAD + "[overrides]\n\"budget.shares\" = { tracking = nan }\n",
                            "overrides.budget.shares.tracking", ["a finite number", "found nan"]),
    "empty_file": ("", "experiment", ["found none"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_file_is_one_line_naming_file_key_expected_found(case, tmp_path, capsys):
    text, key, words = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: key '{key}': expected "), msg
    assert "found" in msg
    for w in words:
        assert w in msg, msg
    assert main(["experiment", str(path), "--out", str(tmp_path / "out")]) == 2
    err_text = capsys.readouterr().err
    assert err_text.count("\n") == 1 and err_text.startswith("error: ") and str(path) in err_text
    assert not (tmp_path / "out").exists()  # nothing written for a bad file


def test_bad_options_exit_2(tmp_path, capsys):
    path = DATA / "exp_small.toml"
    assert main(["experiment", str(path), "--engine", "process", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert main(["experiment", str(path), "--workers", "0"]) == 2
    assert main(["status", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("error: ") for line in lines)


def test_unreachable_scheduler_is_a_one_line_error(tmp_path, capsys):
    code = main(["experiment", str(DATA / "exp_small.toml"), "--scheduler", "tcp://127.0.0.1:9", "--out",
                 str(tmp_path / "out"), "-q"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Dask scheduler" in err


def test_dry_run_prints_the_plan(capsys):
    assert main(["experiment", str(DATA / "exp_small.toml"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2 scenario(s) x 4 design point(s) x 3 replication(s) = 24 runs" in out


def test_nested_and_dotted_keys_mean_the_same(tmp_path):
    a = tmp_path / "a.toml"
    a.write_text(HEAD + "[overrides]\nrun.n_investors = 500\n[design]\nkind = 'factorial'\n[design.values]\n"
                        "policy.incentive_rate = [1.0, 2.0]\n", encoding="utf-8")
    b = tmp_path / "b.toml"
    b.write_text(HEAD + "[overrides]\n\"run.n_investors\" = 500\n[design]\nkind = 'factorial'\n[design.values]\n"
                        "\"policy.incentive_rate\" = [1.0, 2.0]\n", encoding="utf-8")
    ea, eb = load_experiment(a), load_experiment(b)
    assert ea.overrides == eb.overrides == {"run.n_investors": 500}
    assert ea.design.points == eb.design.points


def test_table_valued_override_replaces_budget_shares_entries(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(HEAD + "[design]\nkind = 'list'\n[[design.points]]\nlabel = 'park'\n"
                           "\"budget.shares\" = { park = 0.2, incentive_fund = 0.35 }\n", encoding="utf-8")
    exp = load_experiment(path)
    assert exp.design.points[0] == {"budget.shares.park": 0.2, "budget.shares.incentive_fund": 0.35}


EXPERIMENT_FILES = sorted((ROOT / "experiments").glob("*.toml"))


@pytest.mark.parametrize("path", EXPERIMENT_FILES, ids=[p.name for p in EXPERIMENT_FILES])
def test_shipped_experiment_files_are_valid(path):
    exp = load_experiment(path)
    assert exp.n_runs >= 1
    text = path.read_text(encoding="utf-8")
    assert f"{exp.n_runs:,}" in text or str(exp.n_runs) in text, "the file should state how many runs it costs"
