"""Every command-line argument is checked before work starts: one line, ``--option: expected ..., found ...``,
exit code 2, nothing written; an unexpected internal error is one line naming a log file, exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
EXP = str(DATA / "exp_small.toml")
RUN = ["run", str(ROOT / "scenarios" / "baseline.toml"), "--set", "run.n_investors=1000", "--set", "run.horizon_months=12"]


@pytest.fixture
def paths(tmp_path):
    """A file, a folder holding a file, and a folder this user cannot write into (/proc/self)."""
    (tmp_path / "a_file").write_text("x")
    return {"file": tmp_path / "a_file", "under_file": tmp_path / "a_file" / "out", "dir": tmp_path,
            "missing": tmp_path / "missing", "unwritable": Path("/proc/self/sim-out")}


# (arguments, option named, words of the message); {file} etc. are filled from the fixture.
CASES = {
    "seed_negative": (RUN + ["--seed", "-1"], "--seed", ["from 0 to", "found -1"]),
    "seed_text": (RUN + ["--seed", "one"], "--seed", ["found 'one'"]),
    "seed_huge": (RUN + ["--seed", str(2**64)], "--seed", [f"found {2**64}"]),
    "run_out_under_file": (RUN + ["--out", "{under_file}"], "--out", ["is a file, not a folder"]),
    "run_out_is_file": (RUN + ["--out", "{file}"], "--out", ["found a file at"]),
    "run_out_unwritable": (RUN + ["--out", "{unwritable}"], "--out", ["not writable"]),
    "run_lang": (RUN + ["--lang", "fr"], "--lang", ["one of zh, en", "found 'fr'"]),
    "run_set_without_equals": (RUN + ["--set", "policy.incentive_rate"], "--set: key 'policy.incentive_rate'", ["KEY=VALUE"]),
    "run_missing_scenario": (["run"], "sim run", ["scenario", "found none"]),
    "unknown_option": (RUN + ["--sede", "1"], "sim", ["found --sede"]),
    "unknown_command": (["rnu"], "command", ["did you mean 'run'", "found 'rnu'"]),
    "params_out_is_folder": (["params", "--out", "{dir}"], "--out", ["found a folder"]),
    "params_out_under_file": (["params", "--out", "{under_file}"], "--out", ["found a file at"]),
    "workers_zero": (["experiment", EXP, "--workers", "0"], "--workers", ["from 1 to", "found 0"]),
    "workers_text": (["experiment", EXP, "--workers", "all"], "--workers", ["found 'all'"]),
    "batch_size_zero": (["experiment", EXP, "--batch-size", "0"], "--batch-size", ["found 0"]),
    "flush_every_negative": (["experiment", EXP, "--flush-every", "-5"], "--flush-every", ["found -5"]),
    "engine": (["experiment", EXP, "--engine", "gpu"], "--engine", ["serial, process, dask", "found 'gpu'"]),
    "scheduler_without_scheme": (["experiment", EXP, "--scheduler", "10.0.0.5:8786"], "--scheduler",
                                 ["tcp://HOST:PORT", "found '10.0.0.5:8786'"]),
    "scheduler_port": (["experiment", EXP, "--scheduler", "tcp://10.0.0.5:99999"], "--scheduler", ["tcp://HOST:PORT"]),
    "scheduler_without_port": (["experiment", EXP, "--scheduler", "tcp://10.0.0.5"], "--scheduler", ["tcp://HOST:PORT"]),
    "scheduler_with_engine": (["experiment", EXP, "--engine", "process", "--scheduler", "tcp://127.0.0.1:1"],
                              "--scheduler", ["--engine dask"]),
    "experiment_out_under_file": (["experiment", EXP, "--out", "{under_file}"], "--out", ["is a file"]),
    "experiment_out_unwritable": (["experiment", EXP, "--out", "{unwritable}"], "--out", ["not writable"]),
    "experiment_file_is_folder": (["experiment", "{dir}"], "{dir}: key '-'", ["expected a TOML file, found a directory"]),
    "status_of_a_file": (["status", "{file}"], "results_dir", ["found a file at"]),
    "status_of_nothing": (["status", "{missing}"], "results_dir", ["found no folder"]),
    "analyse_months_text": (["analyse", "{dir}", "--months", "12,two"], "--months", ["found '12,two'"]),
    "analyse_months_zero": (["analyse", "{dir}", "--months", "0,12"], "--months", ["from 1 to 600"]),
    "analyse_months_empty": (["analyse", "{dir}", "--months", ","], "--months", ["found ','"]),
    "analyse_out_under_file": (["analyse", "{dir}", "--out", "{under_file}"], "--out", ["is a file"]),
    "analyse_results_is_file": (["analyse", "{file}"], "results_dir", ["found a file at"]),
    "brief_lang": (["brief", "{dir}", "--lang", "de"], "--lang", ["one of zh, en, both", "found 'de'"]),
    "brief_sensitivity_missing": (["brief", "{dir}", "--sensitivity", "{missing}"], "--sensitivity",
                                  ["found no folder"]),
    "brief_out_is_file": (["brief", "{dir}", "--out", "{file}"], "--out", ["found a file at"]),
    # A missing file behind each option: were the option not checked first, the command would stop there.
    "main_engine": (["main", "--engine", "cluster", "--experiment", "{missing}"], "--engine", ["found 'cluster'"]),
    "main_workers": (["main", "--workers", "-1", "--experiment", "{missing}"], "--workers", ["found -1"]),
    "explore_port_high": (["explore", "{missing}", "--port", "99999"], "--port", ["from 1 to 65535", "found 99999"]),
    "explore_port_zero": (["explore", "{missing}", "--port", "0"], "--port", ["found 0"]),
    "explore_port_text": (["explore", "{missing}", "--port", "http"], "--port", ["found 'http'"]),
    "explore_host": (["explore", "{missing}", "--host", "no such host.invalid"], "--host",
                     ["found 'no such host.invalid'"]),
    "explore_lang": (["explore", "{missing}", "--lang", "ru"], "--lang", ["found 'ru'"]),
    "explore_scenario_missing": (["explore", "{missing}"], "{missing}: key '-'", ["no such file"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_argument_is_one_line_exit_2_before_any_work(case, paths, tmp_path, capsys, monkeypatch):
    args, option, words = CASES[case]
    args = [a.format(**paths) for a in args]
    option = option.format(**paths)
    monkeypatch.chdir(tmp_path)  # a default output folder (results/...) would appear here
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {option}: expected "), err
    assert "found" in err and "Traceback" not in err
    for w in words:
        assert w in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_internal_error_is_one_line_naming_a_log_with_the_traceback(tmp_path, capsys, monkeypatch):
    import sim.run

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug in the simulator")

    monkeypatch.setattr(sim.run, "run_and_write", broken)
    monkeypatch.setenv("SIM_LOG_DIR", str(tmp_path / "logs"))
    assert main(RUN + ["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ZeroDivisionError: a bug in the simulator" in err
    logs = list((tmp_path / "logs").glob("sim-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    text = logs[0].read_text(encoding="utf-8")
    assert text.startswith(f"sim {' '.join(RUN)}") and "Traceback" in text and "def broken" not in err


def test_an_os_error_on_a_users_path_is_one_line_exit_2(tmp_path, capsys, monkeypatch):
    import sim.run

    def denied(spec, seed, out, lang):
        raise PermissionError(13, "Permission denied", str(out / "summary.json"))

    monkeypatch.setattr(sim.run, "run_and_write", denied)
    assert main(RUN + ["--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / 'out' / 'summary.json'}: expected a path this user can read or write, found Permission denied\n"
