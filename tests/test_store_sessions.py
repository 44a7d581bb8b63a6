"""The results store is the manifest's only writer: a session writes it when it begins, after a round that changed
the schedule's decisions, and when it ends; a session that never began leaves no trace. And the runner's options
come as one object or as keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.experiment import load_manifest
from sim.experiment import store as store_mod
from sim.experiment.runner import RunOptions, run_experiment
from sim.experiment.spec import load_experiment
from sim.experiment.store import ResultStore, writing

DATA = Path(__file__).parent / "data"


@pytest.fixture
def manifest_writes(monkeypatch) -> list[dict]:
    """Every manifest the store writes, as written."""
    written: list[dict] = []
    real = store_mod.atomic_write_json
    monkeypatch.setattr(store_mod, "atomic_write_json", lambda data, path: written.append(data) or real(data, path))
    return written


def test_a_session_writes_the_manifest_when_it_begins_after_a_round_that_changed_it_and_when_it_ends(
        tmp_path, manifest_writes):
    exp = load_experiment(DATA / "exp_small.toml")
    with writing(ResultStore(tmp_path / "small")) as store:
        assert store.prepare(exp, log=lambda msg: None) == []
        assert manifest_writes == [] and not store.exists()
        assert store.begin_session("serial (this process)", 24, {"runs_planned": 24}) == 1
        assert len(manifest_writes) == 1 and manifest_writes[0]["status"] == "running"
        assert manifest_writes[0]["sessions"][0]["planned"] == 24
        store.record_round({"runs_planned": 24})  # nothing new: not written again
        assert len(manifest_writes) == 1
        store.record_round({"runs_planned": 30})
        assert len(manifest_writes) == 2 and load_manifest(store.root)["runs_planned"] == 30
        counts = store.finish(0, 0, 1.5, interrupted=True)
    assert counts is not None and counts["missing"] == 30 and len(manifest_writes) == 3
    m = load_manifest(tmp_path / "small")
    assert m["status"] == "interrupted" and m["counts"] == {"done": 0, "failed": 0, "missing": 30}
    assert m["sessions"][-1]["finished"] == m["finished"] and m["sessions"][-1]["seconds"] == 1.5


def test_a_session_that_never_began_records_nothing(tmp_path, manifest_writes):
    """Interrupted while its first round was being planned, or refused: no manifest written, no counts."""
    exp = load_experiment(DATA / "exp_small.toml")
    with writing(ResultStore(tmp_path / "small")) as store:
        store.prepare(exp, log=lambda msg: None)
        assert store.finish(0, 0, 0.1, interrupted=True) is None
    assert manifest_writes == [] and not store.exists()


def test_the_runner_takes_its_options_as_one_object_with_keywords_over_it(tmp_path):
    exp = load_experiment(DATA / "exp_small.toml")
    options = RunOptions(engine="serial", progress=False, flush_every=8, flush_seconds=1e9)
    assert run_experiment(exp, tmp_path / "object", options).complete
    assert len(list((tmp_path / "object" / "summary").glob("part-*.parquet"))) == 3  # 24 runs, 8 a part
    assert run_experiment(exp, tmp_path / "over", options, flush_every=100).complete
    assert len(list((tmp_path / "over" / "summary").glob("part-*.parquet"))) == 1
