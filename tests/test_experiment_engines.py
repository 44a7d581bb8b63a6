"""Same experiment, same numbers: on every engine, with common random numbers across scenarios and points."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from tablekit import same_rows, stable

from sim.experiment import VOLATILE_COLUMNS, load_manifest, load_monthly, load_summaries
from sim.experiment.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from sim.experiment.runner import Plan, run_experiment, warm_up
from sim.experiment.seeds import rebuild_seed, replication_seed, seed_record
from sim.experiment.spec import load_experiment
from sim.model import MONTHLY_COLUMNS

DATA = Path(__file__).parent / "data"



def differing_columns(a, b) -> list[str]:
    """Names of the columns where two results tables differ (for failure messages)."""
    if a.column_names != b.column_names:
        return sorted(set(a.column_names) ^ set(b.column_names)) or ["column order"]
    return [c for c in a.column_names if not a[c].equals(b[c])]


@pytest.fixture(scope="module")
def small_serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "small"
    report = run_experiment(load_experiment(DATA / "exp_small.toml"), out, engine="serial", progress=False)
    assert report.complete and report.done_now == 24
    return out


def test_replication_seed_is_child_r_of_the_root():
    children = np.random.SeedSequence(42).spawn(5)
    for r in range(5):
        assert np.array_equal(replication_seed(42, r).generate_state(4), children[r].generate_state(4))
        rec = seed_record(replication_seed(42, r))
        assert rec == {"seed_entropy": 42, "seed_spawn_key": [r]}
        assert np.array_equal(rebuild_seed(rec["seed_entropy"], rec["seed_spawn_key"]).generate_state(4),
                              children[r].generate_state(4))


def test_every_scenario_and_point_of_replication_r_gets_the_same_seed(small_serial):
    t = load_summaries(small_serial).to_pylist()
    assert len(t) == 24
    for row in t:
        assert row["seed_entropy"] == 11
        assert row["seed_spawn_key"] == [row["replication"]]
    assert {row["replication"] for row in t} == {0, 1, 2}


def test_common_random_numbers_make_identical_scenarios_give_identical_runs(tmp_path):
    exp = load_experiment(DATA / "exp_crn.toml")
    run_experiment(exp, tmp_path / "crn", engine="serial", progress=False)
    rows = load_summaries(tmp_path / "crn").to_pylist()
    by = {(r["scenario"], r["point_label"], r["replication"]): r for r in rows}
    values = [k for k in rows[0] if k not in ("experiment", "run", "scenario", "scenario_index", "scenario_file",
                                              "config_hash", *VOLATILE_COLUMNS)]
    for label in ("as_written", "rate_3", "high_rate"):
        for r in range(3):
            a, b = by[("t", label, r)], by[("t_copy", label, r)]
            assert same_rows(a, b, values), [k for k in values if not same_rows(a, b, [k])]
    # ...while replications differ from each other, and a real policy change changes the outcome.
    assert by[("t", "as_written", 0)]["signed_capital"] != by[("t", "as_written", 1)]["signed_capital"]
    assert by[("t", "as_written", 0)]["signed_capital"] != by[("t", "high_rate", 0)]["signed_capital"]


def test_tables_have_documented_keys_overrides_and_flattened_summaries(small_serial):
    t = load_summaries(small_serial)
    names = t.column_names
    assert names[:9] == ["experiment", "run", "scenario", "scenario_index", "scenario_file", "point_id",
                         "point_label", "policy.incentive_rate", "service.one_stop_centre"]
    assert "withdrawals_by_reason.no_land" in names and "withdrawals_by_reason" not in names
    assert "withdrawals_by_reason_and_stage.no_land.signed" in names
    assert t["run"].to_pylist() == list(range(24))
    plan = Plan(2, 4, 3)
    for row in t.select(["run", "scenario_index", "point_id", "replication"]).to_pylist():
        assert row["run"] == plan.run_id(row["scenario_index"], row["point_id"], row["replication"])
    assert set(t["status"].to_pylist()) == {"done"}
    m = load_monthly(small_serial)
    assert m.num_rows == 24 * 19  # months 0..18
    assert m.column_names[6:] == list(MONTHLY_COLUMNS)
    sub = load_monthly(small_serial, columns=["n_signed"])
    assert sub.column_names == ["experiment", "run", "scenario", "scenario_index", "point_id", "replication",
                                "month", "n_signed"]
    # The last month of the series is the end-of-run value.
    last = {r["run"]: r["signed_projects"] for r in load_monthly(small_serial, ["signed_projects"]).to_pylist()
            if r["month"] == 18}
    assert last == {r["run"]: r["signed_projects"] for r in t.select(["run", "signed_projects"]).to_pylist()}
    man = load_manifest(small_serial)
    assert man["status"] == "complete" and man["counts"] == {"done": 24, "failed": 0, "missing": 0}
    assert man["root_seed"] == 11 and man["experiment_sha256"] and man["code_version"]
    assert man["environment"]["packages"]["mesa"]


def _kernels_loaded() -> bool:
    import sys

    kernels = sys.modules.get("sim.model.kernels")
    return bool(kernels and kernels.compiled())


def test_identical_tables_on_serial_process_and_dask(small_serial, tmp_path):
    exp = load_experiment(DATA / "exp_small.toml")
    ref_s, ref_m = stable(load_summaries(small_serial)), stable(load_monthly(small_serial))
    engines = {
        "process": lambda: ProcessExecutor(workers=2),
        "dask": lambda: DaskExecutor(workers=2, scratch=tmp_path / "dask-scratch", preload=warm_up),
        "serial-batched": SerialExecutor,
    }
    for name, make in engines.items():
        with make() as executor:
            if name == "dask":  # warmed on every worker before any run
                assert set(executor._client.run(_kernels_loaded).values()) == {True}
            report = run_experiment(exp, tmp_path / name, executor=executor, batch_size=5, flush_every=7,
                                    progress=False)
            if name == "dask":  # our own cluster's workers: glibc's adaptive memory thresholds, no stack sampler
                settings = executor._client.run(lambda: (__import__("os").environ.get("MALLOC_TRIM_THRESHOLD_"),
                                                         __import__("dask").config.get("distributed.worker.profile.enabled")))
                assert set(settings.values()) == {(None, False)}, settings
        assert report.complete, name
        assert len(list((tmp_path / name / "summary").glob("part-*.parquet"))) > 1  # written as runs finished
        got = stable(load_summaries(tmp_path / name))
        assert got.equals(ref_s), (name, differing_columns(got, ref_s))
        assert stable(load_monthly(tmp_path / name)).equals(ref_m), name


def test_dask_engine_through_the_command_line(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "d"
    assert main(["experiment", str(DATA / "exp_crn.toml"), "--engine", "dask", "--workers", "2", "--out", str(out),
                 "-q"]) == 0
    assert "18 runs done, 0 failed" in capsys.readouterr().out
    assert not (out / "dask-scratch").exists()  # the local cluster's scratch space is cleaned up
    assert load_summaries(out).num_rows == 18


def _square_or_raise(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x * x


def _square_or_die(x: int) -> int:
    if x == 3:
        os._exit(17)  # a worker killed mid-task (out of memory, segfault)
    return x * x


@pytest.mark.parametrize("make", [SerialExecutor, lambda: ProcessExecutor(workers=2)], ids=["serial", "process"])
def test_executors_hand_back_exceptions_instead_of_stopping(make):
    with make() as ex:
        got = dict(ex.imap_unordered(_square_or_raise, range(8)))
    assert isinstance(got.pop(3), ValueError)
    assert got == {x: x * x for x in range(8) if x != 3}


def test_a_dead_worker_fails_only_the_tasks_in_flight():
    with ProcessExecutor(workers=2, in_flight=1) as ex:
        got = dict(ex.imap_unordered(_square_or_die, range(12)))
    failed = {x for x, v in got.items() if isinstance(v, Exception)}
    assert 3 in failed and len(got) == 12
    assert len(failed) <= 2  # the dying task and at most the one running beside it
    assert all(got[x] == x * x for x in got if x not in failed)


def _frozen(_: int) -> int:
    import gc

    return gc.get_freeze_count()


@pytest.mark.parametrize("engine", ["process", "dask"])
def test_a_workers_long_lived_objects_are_set_aside_from_the_garbage_collector(engine, tmp_path):
    """Catches workers whose every full garbage collection walks the modules and compiled code they started with
    (a tenth of a second or more each, set off by the runs' short-lived objects): what a worker holds before its
    first task is frozen (``gc.freeze``), on the process pool and on the Dask cluster the executor starts."""
    make = (lambda: ProcessExecutor(workers=2)) if engine == "process" else (
        lambda: DaskExecutor(workers=2, scratch=tmp_path / "dask-scratch"))
    with make() as pool:
        counts = [n for _, n in pool.imap_unordered(_frozen, range(4))]
    assert len(counts) == 4 and min(counts) > 10_000, counts


WORKERS_LOADED = """
import sys
from sim.experiment.executors import ProcessExecutor
from sim.experiment.runner import warm_up

def loaded(_):
    kernels = sys.modules.get("sim.model.kernels")
    return bool(kernels and kernels.compiled())

if __name__ == "__main__":
    for preload in (None, warm_up):
        with ProcessExecutor(2, start_method="fork", preload=preload) as pool:
            print(sorted(got for _, got in pool.imap_unordered(loaded, [0, 1])))
"""


def test_forked_workers_start_with_the_model_loaded(tmp_path):
    """A pool forked after ``warm_up`` hands every worker the imported model and every compiled loop it calls
    (a fresh process: the test process has loaded them already); without it the workers start bare."""
    import subprocess
    import sys

    script = tmp_path / "workers_loaded.py"
    script.write_text(WORKERS_LOADED)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["[False, False]", "[True, True]"], done.stdout


class RecordingExecutor(ProcessExecutor):
    """A process pool that keeps the arguments it was made with."""

    made: list[dict] = []

    def __init__(self, *args, **kwargs):
        RecordingExecutor.made.append(kwargs)
        super().__init__(*args, **kwargs)


def test_an_experiment_forks_its_pool_after_warming_the_model(tmp_path, monkeypatch):
    from sim.experiment import runner
    from sim.experiment.runner import warm_up

    RecordingExecutor.made.clear()
    monkeypatch.setattr(runner, "ProcessExecutor", RecordingExecutor)
    report = run_experiment(load_experiment(DATA / "exp_crn.toml"), tmp_path / "w", workers=2, progress=False)
    assert report.complete
    assert [k.get("preload") for k in RecordingExecutor.made] == [warm_up]
    # Other engines get it through make_executor (Dask runs it on every worker when the cluster is up).
    asked = []
    monkeypatch.setattr(runner, "make_executor", lambda *a, **k: asked.append(k) or SerialExecutor())
    assert run_experiment(load_experiment(DATA / "exp_crn.toml"), tmp_path / "d", engine="dask", progress=False).complete
    assert [k.get("preload") for k in asked] == [warm_up]


def test_a_progress_bar_leaves_no_thread_behind(tmp_path, capsys):
    """A thread left running would make the next pool of this process (sim main: three experiments, then the
    briefings) start through the fork server instead of forking from the warmed process."""
    import threading

    before = set(threading.enumerate())
    report = run_experiment(load_experiment(DATA / "exp_crn.toml"), tmp_path / "bar", workers=2, progress=True)
    assert report.complete and "18/18" in capsys.readouterr().err
    assert [t.name for t in set(threading.enumerate()) - before] == []
