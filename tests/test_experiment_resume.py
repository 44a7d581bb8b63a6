"""Results survive interruptions: kill, failures, Ctrl-C and edits never lose, duplicate or corrupt runs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from tablekit import stable

import sim.experiment.runner as runner
from sim.cli import main
from sim.experiment import load_manifest, load_monthly, load_summaries, run_status
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment
from sim.experiment.store import ResultStore

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent



def same(a, b) -> bool:
    """Two results tables are equal; on failure, pytest shows the names of the differing columns."""
    if a.equals(b):
        return True
    cols = [c for c in a.column_names if c in b.column_names and not a[c].equals(b[c])]
    raise AssertionError(f"tables differ in {cols[:12]} (and columns {set(a.column_names) ^ set(b.column_names)}); "
                         "if only model outputs differ, was the model's code edited while the test ran?")


def parts(out: Path, kind: str = "summary") -> list[Path]:
    return sorted((out / kind).glob("part-*.parquet")) if (out / kind).is_dir() else []


@pytest.fixture(scope="module")
def kill_reference(tmp_path_factory):
    """The 120-run experiment, uninterrupted."""
    out = tmp_path_factory.mktemp("ref") / "kill"
    report = run_experiment(load_experiment(DATA / "exp_kill.toml"), out, engine="serial", progress=False)
    assert report.complete
    return out


def test_sigkill_part_way_then_resume_gives_the_uninterrupted_tables(kill_reference, tmp_path):
    out = tmp_path / "kill"
    cmd = [sys.executable, "-m", "sim", "experiment", str(DATA / "exp_kill.toml"), "--out", str(out),
           "--engine", "process", "--workers", "2", "--batch-size", "2", "--flush-every", "4", "-q"]
    # Own session: SIGKILL reaches the experiment process and its workers, like a killed job.
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(parts(out)) < 3:
        assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read().decode()[-2000:]}"
        assert time.monotonic() < deadline, "no part files appeared"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()

    st = run_status(out)
    assert 0 < st["done"] < 120 and st["failed"] == 0
    assert load_manifest(out)["status"] == "running"  # killed: it never got to say otherwise
    partial = load_summaries(out)
    assert len(set(partial["run"].to_pylist())) == partial.num_rows == st["done"]
    # What was stored is already exactly what the uninterrupted run has for those runs.
    ref = stable(load_summaries(kill_reference))
    assert same(stable(partial), ref.filter(np.isin(ref["run"].to_numpy(), partial["run"].to_numpy())))

    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{st['done']} skipped" in done.stdout and f"{120 - st['done']} runs done" in done.stdout

    final = load_summaries(out)
    assert final["run"].to_pylist() == list(range(120))  # none lost, none duplicated
    assert same(stable(final), ref)
    assert stable(load_monthly(out)).equals(stable(load_monthly(kill_reference)))
    man = load_manifest(out)
    assert man["status"] == "complete" and len(man["sessions"]) == 2
    assert set(final["session"].to_pylist()) == {1, 2}


def test_leftovers_of_a_crash_are_ignored_then_tidied(kill_reference, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(kill_reference, out)
    last = parts(out)[-1]
    # A writer killed mid-write leaves a temporary file, or a monthly part without its summary part.
    (out / "summary" / ".part-000099.parquet.4242.tmp").write_bytes(b"PAR1 half a file")
    shutil.copy(parts(out, "monthly")[0], out / "monthly" / "part-000098.parquet")
    assert stable(load_summaries(out)).equals(stable(load_summaries(kill_reference)))
    assert stable(load_monthly(out)).equals(stable(load_monthly(kill_reference)))
    # Losing a committed summary part means its runs are missing, and only they run again.
    seq = int(last.stem.split("-")[1])
    n_lost = int((ResultStore(out).records(["run"])["_part"].to_numpy() == seq).sum())
    assert n_lost > 0
    last.unlink()
    assert run_status(out)["missing"] == n_lost
    report = run_experiment(load_experiment(DATA / "exp_kill.toml"), out, engine="serial", progress=False)
    assert report.done_now == n_lost and report.complete
    assert not list((out / "summary").glob(".*.tmp")) and not (out / "monthly" / "part-000098.parquet").exists()
    assert stable(load_summaries(out)).equals(stable(load_summaries(kill_reference)))
    assert stable(load_monthly(out)).equals(stable(load_monthly(kill_reference)))


def _failing_simulate(real, rate: float):
    def simulate(spec, seed=0, horizon=None, warm=None, monthly=True):
        if spec.params.policy.incentive_rate == rate:
            raise RuntimeError(f"model blew up at incentive rate {rate}")
        return real(spec, seed=seed, horizon=horizon, warm=warm, monthly=monthly)

    return simulate


def test_failed_runs_are_recorded_the_batch_goes_on_and_a_rerun_retries_them(monkeypatch, tmp_path, capsys):
    out = tmp_path / "small"
    args = ["experiment", str(DATA / "exp_small.toml"), "--out", str(out), "--engine", "serial", "-q"]
    real = runner.simulate
    monkeypatch.setattr(runner, "simulate", _failing_simulate(real, 5.0))
    assert main(args) == 1  # some runs failed
    text = capsys.readouterr().out
    assert "12 runs done, 12 failed" in text and "sim status" in text
    t = load_summaries(out)
    failed = t.filter(np.asarray(t["status"].to_pylist()) == "failed")
    assert failed.num_rows == 12 and set(failed["policy.incentive_rate"].to_pylist()) == {5.0}
    assert set(failed["error"].to_pylist()) == {"RuntimeError: model blew up at incentive rate 5.0"}
    assert all("Traceback" in d for d in failed["error_detail"].to_pylist())
    assert failed["signed_projects"].null_count == 12
    man = load_manifest(out)
    assert man["status"] == "incomplete" and man["counts"] == {"done": 12, "failed": 12, "missing": 0}
    assert len(man["failed_runs"]) == 12

    assert main(["status", str(out)]) == 0
    status = capsys.readouterr().out
    assert "12 done, 12 failed, 0 missing" in status
    assert "RuntimeError: model blew up at incentive rate 5.0" in status

    monkeypatch.setattr(runner, "simulate", real)
    assert main(args) == 0
    assert "12 runs done, 0 failed, 12 skipped" in capsys.readouterr().out
    clean = tmp_path / "clean"
    run_experiment(load_experiment(DATA / "exp_small.toml"), clean, engine="serial", progress=False)
    assert stable(load_summaries(out)).equals(stable(load_summaries(clean)))
    assert stable(load_monthly(out)).equals(stable(load_monthly(clean)))
    assert load_manifest(out)["status"] == "complete"


def test_status_names_the_failed_runs_right_while_an_experiment_stores_more(monkeypatch, tmp_path):
    """``sim status`` counts a folder, then reads the failed runs' errors; a running experiment may store a part in
    between. Each failed run must still be reported with its own scenario, point and error."""
    monkeypatch.setattr(runner, "simulate", _failing_simulate(runner.simulate, 5.0))
    out = tmp_path / "small"
    run_experiment(load_experiment(DATA / "exp_small.toml"), out, engine="serial", flush_every=8, flush_seconds=1e9,
                   progress=False)
    monkeypatch.undo()
    expected = run_status(out)["failed_runs"]
    first = out / "summary" / "part-000001.parquet"  # replication 0 of every point: lower run ids than the rest
    aside = tmp_path / first.name
    real = ResultStore.records
    calls = []

    def records(self, columns=None):
        calls.append(columns)
        if len(calls) == 1:  # the count sees the folder without the first part, stored just after
            first.replace(aside)
            try:
                return real(self, columns)
            finally:
                aside.replace(first)
        return real(self, columns)

    monkeypatch.setattr(ResultStore, "records", records)
    seen = run_status(out)
    assert len(calls) == 2 and seen["failed"] == 8
    assert seen["failed_runs"] == [f for f in expected if f["run"] in {r["run"] for r in seen["failed_runs"]}]
    assert all(f["error"] == "RuntimeError: model blew up at incentive rate 5.0" for f in seen["failed_runs"])


def test_each_done_run_keeps_its_own_series_when_a_run_of_its_task_fails(monkeypatch, tmp_path):
    """A task's monthly series travel back stacked in one array per column: a failed run among done ones adds
    no months, and every done run before and after it must still get its own series."""
    exp = load_experiment(DATA / "exp_small.toml")
    rate = {i: p["policy.incentive_rate"] for i, p in enumerate(exp.design.points)}
    tasks = list(runner.make_tasks(exp, runner.Plan.of(exp).runs(), 5, total=exp.n_runs, slots=1))
    # the batches below hold a failing run (rate 5.0) both before and after done ones
    assert any([rate[r.point_id] for r in t.runs][0] == 5.0 and 1.0 in [rate[r.point_id] for r in t.runs] for t in tasks)
    assert any([rate[r.point_id] for r in t.runs][-1] == 5.0 and 1.0 in [rate[r.point_id] for r in t.runs] for t in tasks)
    monkeypatch.setattr(runner, "simulate", _failing_simulate(runner.simulate, 5.0))
    mixed = tmp_path / "mixed"
    run_experiment(exp, mixed, engine="serial", batch_size=5, progress=False)
    monkeypatch.undo()
    clean = tmp_path / "clean"
    run_experiment(exp, clean, engine="serial", progress=False)
    t = load_summaries(mixed)
    done = t.filter(np.asarray(t["status"].to_pylist()) == "done")["run"].to_numpy()
    assert len(done) == 12
    ref = load_monthly(clean)
    ref = ref.filter(np.isin(ref["run"].to_numpy(), done))
    assert same(stable(load_monthly(mixed)), stable(ref))


def test_ctrl_c_keeps_finished_runs_and_the_rerun_completes(monkeypatch, tmp_path):
    out = tmp_path / "crn"
    real = runner.simulate
    calls = {"n": 0}

    def interrupted(spec, seed=0, horizon=None, warm=None, monthly=True):
        calls["n"] += 1
        if calls["n"] == 8:
            raise KeyboardInterrupt
        return real(spec, seed=seed, horizon=horizon, warm=warm, monthly=monthly)

    monkeypatch.setattr(runner, "simulate", interrupted)
    exp = load_experiment(DATA / "exp_crn.toml")
    report = run_experiment(exp, out, engine="serial", progress=False)
    # A task holds the scenarios of one replication and point (they share a warm state): the tasks finished before the
    # interrupted one are kept, the interrupted task's first run with it is run again.
    assert report.interrupted and report.done_now == 6 and report.done_total == 6
    assert load_manifest(out)["status"] == "interrupted"
    monkeypatch.setattr(runner, "simulate", real)
    report = run_experiment(exp, out, engine="serial", progress=False)
    assert report.skipped == 6 and report.done_now == 12 and report.complete


def test_changed_experiment_file_is_refused_unless_force_or_fresh(tmp_path, capsys):
    exp_file = tmp_path / "exp.toml"
    text = (DATA / "exp_crn.toml").read_text(encoding="utf-8").replace('"exp_t', f'"{DATA}/exp_t')
    exp_file.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    base = ["experiment", str(exp_file), "--out", str(out), "--engine", "serial", "-q"]
    assert main(base) == 0
    assert main(base) == 0  # nothing left to do
    assert "0 runs done, 0 failed, 18 skipped" in capsys.readouterr().out

    # what the file says changed (a design point's value: not the plan's shape, but other runs)
    exp_file.write_text(text.replace("= 8.0", "= 9.0"), encoding="utf-8")
    assert main(base) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "experiment file changed" in err and "--fresh" in err and "--force" in err
    assert main(["status", str(out)]) == 0
    assert "CHANGED since the results were started" in capsys.readouterr().out

    assert main([*base, "--force"]) == 0
    assert "18 skipped" in capsys.readouterr().out
    assert main(base) == 0  # the forced files are now the reference
    assert len(load_manifest(out)["previous_files"]) == 1

    exp_file.write_text(text.replace("replications = 3", "replications = 2"), encoding="utf-8")
    assert main([*base, "--force"]) == 2  # a different plan: stored run numbers would mean other runs
    assert "replications" in capsys.readouterr().err
    assert main([*base, "--fresh"]) == 0
    assert "12 runs done, 0 failed, 0 skipped" in capsys.readouterr().out
    assert load_summaries(out).num_rows == 12


def test_comments_and_layout_of_an_experiment_file_and_its_base_may_change_between_sessions(tmp_path, capsys):
    """A comment, spacing, quoting or key order is not the experiment: the stored runs go on; what a file says is
    (test_changed_experiment_file_is_refused_unless_force_or_fresh)."""
    base_file, child = tmp_path / "base.toml", tmp_path / "child.toml"
    text = (DATA / "exp_crn.toml").read_text(encoding="utf-8").replace('"exp_t', f'"{DATA}/exp_t')
    base_file.write_text(text, encoding="utf-8")
    child.write_text('[experiment]\nextends = "base.toml"\nname = "child"\nreplications = 2\n', encoding="utf-8")
    out = tmp_path / "out"
    run = ["experiment", str(child), "--out", str(out), "--engine", "serial", "-q"]
    assert main(run) == 0 and "12 runs done" in capsys.readouterr().out
    assert main(["status", str(out)]) == 0
    assert "file        unchanged since the results were started" in capsys.readouterr().out  # the whole chain

    base_file.write_text("# a comment on the base\n" + text.replace("root_seed = 5", "root_seed   =   5  # the seed")
                         .replace('record = "summary"', "record = 'summary'"), encoding="utf-8")
    child.write_text('[experiment]\nreplications = 2  # fewer\nname = "child"\nextends = "base.toml"\n',
                     encoding="utf-8")
    assert main(["status", str(out)]) == 0
    assert "comments or layout changed since the results were started" in capsys.readouterr().out
    assert main(run) == 0
    captured = capsys.readouterr()
    assert "0 runs done, 0 failed, 12 skipped" in captured.out and "comments or layout changed" in captured.err
    manifest = load_manifest(out)
    assert manifest["experiment_text"] == load_experiment(child).text and len(manifest["previous_files"]) == 1
    assert main(["status", str(out)]) == 0
    assert "file        unchanged since the results were started" in capsys.readouterr().out

    base_file.write_text(text.replace("root_seed = 5", "root_seed = 6"), encoding="utf-8")
    assert main(run) == 2  # another seed: other runs
    assert "root_seed" in capsys.readouterr().err


def test_a_second_writer_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    holder = ResultStore(out)
    holder.acquire()
    try:
        assert ResultStore(out).is_locked()
        assert main(["experiment", str(DATA / "exp_crn.toml"), "--out", str(out), "--engine", "serial", "-q"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "another 'sim experiment' process" in err
    finally:
        holder.release()
    assert not ResultStore(out).is_locked()


def test_status_of_a_complete_experiment(kill_reference, capsys):
    assert main(["status", str(kill_reference)]) == 0
    out = capsys.readouterr().out
    for words in ("experiment  kill", "1 scenario(s) x 4 point(s) x 30 replication(s) = 120 runs",
                  "120 done, 0 failed, 0 missing (100% complete)", "state       complete", "root seed 99",
                  "session 1"):
        assert words in out, out


class _LosesFirstTask:
    """An executor whose first task is lost (its worker died): the runner must record its runs as failed."""

    name = "lossy"
    slots = 1

    def imap_unordered(self, fn, tasks):
        for i, task in enumerate(tasks):
            yield task, (RuntimeError("a worker process died while this batch was running") if i == 0 else fn(task))

    def describe(self):
        return "lossy test executor"

    def close(self):
        pass


def test_runs_of_a_lost_task_are_failed_then_retried(tmp_path):
    exp = load_experiment(DATA / "exp_crn.toml")
    out = tmp_path / "lossy"
    report = run_experiment(exp, out, executor=_LosesFirstTask(), batch_size=4, progress=False)
    assert report.failed_now == 4 and report.done_now == 14
    t = load_summaries(out)
    assert set(t.filter(np.asarray(t["status"].to_pylist()) == "failed")["error"].to_pylist()) == {
        "RuntimeError: a worker process died while this batch was running"}
    report = run_experiment(exp, out, engine="serial", progress=False)
    assert report.done_now == 4 and report.skipped == 14 and report.complete


def _session_members(sid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--sid", str(sid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process sessions via ps --sid")
def test_workers_exit_when_only_the_experiment_process_is_killed(tmp_path):
    out = tmp_path / "orphans"
    cmd = [sys.executable, "-m", "sim", "experiment", str(DATA / "exp_kill.toml"), "--out", str(out),
           "--workers", "2", "--batch-size", "2", "--flush-every", "4", "-q"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not parts(out):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # the parent alone, as an out-of-memory killer would
        proc.wait()
        deadline = time.monotonic() + 10
        while _session_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session_members(proc.pid) == []
    finally:
        if _session_members(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    store = ResultStore(out)
    assert not store.is_locked()  # no orphan holds the folder: a resume may start at once
    store.acquire()
    store.release()
