"""Malformed inputs a new user tried: each one ends in one line naming the file and key, and exit code 2.

One test per case reported when every entrance of the simulator was tried
with bad input: NaN and infinities inside inline tables, a negative seed, an
output folder under a file, a port out of range.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.params import BUDGET_LEVERS, Params

SMALL = ["--set", "run.n_investors=1000", "--set", "run.horizon_months=12"]


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    return err.strip()


def shares_table(bad_lever: str, bad: str) -> str:
    shares = Params().budget.shares
    cells = ", ".join(f"{k} = {bad if k == bad_lever else repr(float(shares.get(k, 0.0)))}" for k in BUDGET_LEVERS)
    return f"[budget]\nshares = {{ {cells} }}\n"


@pytest.mark.parametrize("lever", BUDGET_LEVERS)
@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "+nan"])
def test_a_non_finite_budget_share_in_an_inline_table_is_refused(lever, bad, tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(shares_table(lever, bad), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), *SMALL]) == 2
    err = one_line_error(capsys)
    assert f"{path}: key 'budget.shares.{lever}': expected a finite number, found " in err, err
    assert not out.exists()


@pytest.mark.parametrize("text, key", [
    ("[channels.online]\nshare = nan\n", "channels.online.share"),
    ("[channels.online]\nsector_focus = { potato = inf }\n", "channels.online.sector_focus.potato"),
    ("[channels.online]\nsector_focus = { potato = -1.0 }\n", "channels.online.sector_focus.potato"),
    ("[population]\norigin_shares = { local = nan, domestic = 0.68, foreign = 0.07 }\n", "population.origin_shares.local"),
    ("[population.sectors.potato]\ncapital_median = inf\n", "population.sectors.potato.capital_median"),
    ("[service.departments.tax]\ncapacity = nan\n", "service.departments.tax.capacity"),
    ("[behaviour]\noutside_option = -inf\n", "behaviour.outside_option"),
    ("[budget]\nbase_transfer = inf\n", "budget.base_transfer"),
])
def test_non_finite_numbers_in_nested_tables_are_refused(text, key, tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), *SMALL]) == 2
    err = one_line_error(capsys)
    assert f"key '{key}': expected " in err and str(path) in err, err


def test_nan_on_the_command_line_is_refused(tmp_path, capsys):
    assert main(["run", "scenarios/baseline.toml", "--set", "policy.incentive_rate=nan",
                 "--out", str(tmp_path / "out")]) == 2
    assert "key 'policy.incentive_rate': expected a finite number, found nan" in one_line_error(capsys)


def test_a_share_sum_error_says_what_the_sum_is(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text("[budget.shares]\npark = 0.3\n", encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "key 'budget.shares': expected shares summing to at most 1 (100%), found 1.3" in one_line_error(capsys)


def test_an_empty_scenario_file_is_refused(tmp_path, capsys):
    path = tmp_path / "empty.toml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "found an empty file" in one_line_error(capsys)


def test_a_folder_given_as_scenario_file_is_refused(tmp_path, capsys):
    assert main(["run", str(tmp_path)]) == 2
    assert f"{tmp_path}: key '-': expected a TOML file, found a directory" in one_line_error(capsys)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_a_negative_seed_is_one_line_without_traceback(tmp_path):
    proc = run_cli("run", "scenarios/baseline.toml", "--seed", "-1", "--out", str(tmp_path / "out"), *SMALL)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "error: --seed: expected a seed from 0 to 9223372036854775807, found -1\n"
    assert not (tmp_path / "out").exists()


def test_an_output_folder_under_a_file_is_one_line_without_traceback(tmp_path):
    (tmp_path / "a_file").write_text("x")
    proc = run_cli("run", "scenarios/baseline.toml", "--out", str(tmp_path / "a_file" / "out"), *SMALL)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: --out: expected a folder to write into, found ")
    assert f"{tmp_path / 'a_file'} is a file" in proc.stderr


def test_a_port_out_of_range_is_one_line_without_traceback():
    proc = run_cli("explore", "--port", "99999")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "error: --port: expected a port from 1 to 65535, found 99999\n"


def test_a_bad_value_in_a_parent_file_names_the_parent(tmp_path, capsys):
    (tmp_path / "parent.toml").write_text("[budget]\nshares = { park = 0.1, tracking = nan }\n", encoding="utf-8")
    (tmp_path / "child.toml").write_text('[scenario]\nextends = "parent"\n[policy]\nincentive_rate = 3.0\n',
                                         encoding="utf-8")
    assert main(["run", str(tmp_path / "child.toml"), "--out", str(tmp_path / "out")]) == 2
    err = one_line_error(capsys)
    assert err.startswith(f"error: {tmp_path / 'parent.toml'}: key 'budget.shares.tracking': expected a finite number")


def test_a_bad_set_names_the_option_not_the_file(tmp_path, capsys):
    assert main(["run", "scenarios/baseline.toml", "--set", "hazards.delay=inf", "--out", str(tmp_path / "o")]) == 2
    assert one_line_error(capsys) == "error: --set: key 'hazards.delay': expected a finite number, found inf"


def test_a_typo_in_a_table_key_gets_a_suggestion(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text("[population.sectors.potatoe]\nshare = 0.2\n", encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "key 'population.sectors.potatoe': expected one of" in (err := one_line_error(capsys))
    assert "(did you mean 'potato'?)" in err


def test_a_typo_in_belief_noise_is_refused_not_a_crash(tmp_path, capsys):
    from sim.model.beliefs import BELIEFS
    from sim.params import BELIEF_KEYS

    assert BELIEF_KEYS == BELIEFS  # the table's keys are the beliefs the model draws noise for
    path = tmp_path / "s.toml"
    path.write_text("[behaviour.belief_noise]\nhrad = 0.2\n", encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), *SMALL]) == 2
    assert "key 'behaviour.belief_noise.hrad': expected one of hard, soft" in one_line_error(capsys)


@pytest.mark.parametrize("text, key", [
    ("[population.sectors.potato]\nland_intensity = 1e-300\n", "population.sectors.potato.land_intensity"),
    ("[construction]\nland_wait_tolerance = 0.001\n", "construction.land_wait_tolerance"),
    ("[policy]\nhonouring_discipline = 2.225073858507203e-309\n", "policy.honouring_discipline"),
])
def test_divisors_too_small_to_mean_anything_are_refused(text, key, tmp_path, capsys):
    """A sector's investment per mu divides its capital into land need, the land-wait tolerance divides the
    months waited and the honouring discipline divides the fund's means into the promise room: values near 0
    (which the property tests drew) gave infinities, overflow warnings and, for the discipline, a run that
    failed; they are refused below 1 (万元/mu, month) and 0.05 in one line."""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), *SMALL]) == 2
    err = one_line_error(capsys)
    assert f"key '{key}'" in err and "greater than or equal to" in err, err
