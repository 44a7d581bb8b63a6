"""A results folder damaged on disk is detected, named and refused; ``sim experiment --repair`` runs it again.

Damage: a truncated Parquet part (summary or monthly), a manifest edited by
hand, a part copied in from another experiment's results, a monthly part gone.
``sim status``, ``sim analyse`` and ``sim brief`` refuse with one line naming
the file and exit code 2; ``sim experiment`` refuses too and points at
``--repair``, which sets the damaged files aside and re-runs their runs, after
which the tables equal those of the undamaged folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tablekit import stable

from sim.cli import main
from sim.experiment import load_monthly, load_summaries
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment

DATA = Path(__file__).parent / "data"
SMALL = DATA / "exp_small.toml"  # 24 runs with monthly series



@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """exp_small.toml stored in three parts of 8 runs."""
    out = tmp_path_factory.mktemp("damage") / "small"
    report = run_experiment(load_experiment(SMALL), out, engine="serial", flush_every=8, flush_seconds=1e9,
                            progress=False)  # parts by count only, however slow the first run (compiling)
    assert report.complete and len(list((out / "summary").glob("part-*.parquet"))) == 3
    return out


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> Path:
    """Another experiment's results (same scenarios, other seed)."""
    folder = tmp_path_factory.mktemp("other")
    text = SMALL.read_text(encoding="utf-8").replace("root_seed = 11", "root_seed = 12")
    text = text.replace('"exp_t.toml", "exp_t_park.toml"', f'"{DATA / "exp_t.toml"}", "{DATA / "exp_t_park.toml"}"')
    (folder / "other.toml").write_text(text, encoding="utf-8")
    out = folder / "results"
    assert run_experiment(load_experiment(folder / "other.toml"), out, engine="serial", progress=False).complete
    return out


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def edit_manifest(path: Path) -> None:
    m = json.loads(path.read_text(encoding="utf-8"))
    m["runs_planned"] = 12  # "we only need half of them"
    path.write_text(json.dumps(m, indent=2, ensure_ascii=False), encoding="utf-8")


DAMAGE = {
    "truncated_summary_part": ("summary/part-000002.parquet", truncate, "truncated or unreadable"),
    "truncated_monthly_part": ("monthly/part-000003.parquet", truncate, "truncated or unreadable"),
    "manifest_edited_by_hand": ("manifest.json", edit_manifest, "edited by hand"),
    "monthly_part_gone": ("monthly/part-000001.parquet", Path.unlink, "its monthly series"),
}


def damaged_copy(reference: Path, tmp_path: Path, case: str) -> tuple[Path, Path]:
    out = tmp_path / "small"
    shutil.copytree(reference, out)
    rel, damage, _ = DAMAGE[case]
    damage(out / rel)
    named = out / "summary" / "part-000001.parquet" if case == "monthly_part_gone" else out / rel
    return out, named


def refused(capsys, named: Path, words: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {named}: expected "), err
    assert words in err and "--repair" in err, err
    return err


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damage_is_named_and_refused_by_status_analyse_and_brief(case, reference, tmp_path, capsys):
    out, named = damaged_copy(reference, tmp_path, case)
    words = DAMAGE[case][2]
    for cmd in (["status", str(out)], ["analyse", str(out)], ["brief", str(out), "--lang", "en"]):
        assert main(cmd) == 2, cmd
        refused(capsys, named, words)
    assert not (out / "analysis").exists() and not (out / "brief").exists()
    assert main(["experiment", str(SMALL), "--out", str(out), "--engine", "serial", "-q"]) == 2
    refused(capsys, named, words)


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_repair_sets_damage_aside_and_reruns_to_the_undamaged_tables(case, reference, tmp_path, capsys):
    out, named = damaged_copy(reference, tmp_path, case)
    assert main(["experiment", str(SMALL), "--out", str(out), "--engine", "serial", "-q", "--repair"]) == 0
    err = capsys.readouterr().err
    assert f"repair: damaged: {named}" in err, err
    assert stable(load_summaries(out)).equals(stable(load_summaries(reference)))
    assert stable(load_monthly(out)).equals(stable(load_monthly(reference)))
    aside = list((out / "damaged").rglob("*"))
    assert any(p.name == named.name for p in aside), aside
    assert main(["status", str(out)]) == 0 and "24 done, 0 failed, 0 missing" in capsys.readouterr().out


def test_a_part_from_another_experiment_is_named_and_repaired(reference, other, tmp_path, capsys):
    out = tmp_path / "small"
    shutil.copytree(reference, out)
    stray = out / "summary" / "part-000004.parquet"
    shutil.copy(other / "summary" / "part-000001.parquet", stray)
    assert main(["analyse", str(out)]) == 2
    err = refused(capsys, stray, "another experiment's results")
    assert "results_id" in err
    assert main(["experiment", str(SMALL), "--out", str(out), "--engine", "serial", "-q", "--repair"]) == 0
    assert stable(load_summaries(out)).equals(stable(load_summaries(reference)))


def test_a_damaged_analysis_stops_the_briefing(reference, tmp_path, capsys):
    out = tmp_path / "small"
    shutil.copytree(reference, out)
    assert main(["analyse", str(out), "--months", "6,12"]) == 0
    js = out / "analysis" / "analysis.json"
    js.write_text(js.read_text(encoding="utf-8")[:200], encoding="utf-8")
    assert main(["brief", str(out), "--lang", "en", "--baseline", "t"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: {js}: expected the JSON that 'sim analyse' writes"), err


def test_a_folder_found_undamaged_is_not_read_again_until_one_of_its_files_changes(reference, tmp_path, monkeypatch):
    """An analysis and its briefing check the same folder several times in one process; the check reads every
    part, so it is remembered with the files' sizes and times, and a file changed since is checked again."""
    from sim.experiment import store as store_mod

    out = tmp_path / "small"
    shutil.copytree(reference, out)
    checked: list[Path] = []
    real = store_mod.ResultStore._part_problem
    monkeypatch.setattr(store_mod.ResultStore, "_part_problem",
                        lambda self, path, *a: checked.append(path) or real(self, path, *a))
    store = store_mod.ResultStore(out)
    store.verify()
    first = len(checked)
    assert first == 6  # three summary parts and three monthly parts
    store_mod.ResultStore(out).verify()
    assert len(checked) == first
    part = out / "summary" / "part-000002.parquet"
    size = part.stat().st_size
    part.write_bytes(b"\0" * size)  # damaged in place, same size
    with pytest.raises(store_mod.DamagedResults, match="part-000002"):
        store_mod.ResultStore(out).verify()
    assert len(checked) > first


def test_the_session_s_own_writes_keep_a_folder_checked_and_any_other_change_is_checked_again(tmp_path, monkeypatch):
    """An experiment checks its folder once when it starts; after that only its own parts and manifest change it,
    and the checks of its rounds and of its end take those as sound without reading every part. A part changed in
    place, or one moved in from another folder this process wrote, is not the session's own: it is checked and
    refused."""
    from sim.experiment import store as store_mod

    checked: list[Path] = []
    real = store_mod.ResultStore._part_problem
    monkeypatch.setattr(store_mod.ResultStore, "_part_problem",
                        lambda self, path, *a: checked.append(path) or real(self, path, *a))
    exp = load_experiment(SMALL)
    out, elsewhere = tmp_path / "small", tmp_path / "elsewhere"
    for folder in (out, elsewhere):
        report = run_experiment(exp, folder, engine="serial", flush_every=8, flush_seconds=1e9, progress=False)
        assert report.complete and report.done_total == 24  # the end's count read the three parts written
    assert checked == []  # ... without checking them: each folder was new, and every file in it the session's
    assert len(load_summaries(out)) == 24 and checked == []
    part = out / "summary" / "part-000002.parquet"
    original = part.read_bytes()
    (elsewhere / "summary" / "part-000002.parquet").replace(part)  # the same runs, moved in from another folder
    with pytest.raises(store_mod.DamagedResults, match="part-000002.* another experiment's results"):
        load_summaries(out)
    assert part in checked
    part.write_bytes(original)  # put back by hand: checked again, and sound
    checked.clear()
    assert len(load_summaries(out)) == 24 and part in checked
    checked.clear()
    truncate(out / "monthly" / "part-000003.parquet")  # damaged in place
    with pytest.raises(store_mod.DamagedResults, match="monthly/part-000003"):
        load_summaries(out)


def test_the_writer_counts_its_own_parts_from_memory_and_memory_holds_what_the_files_hold(tmp_path, monkeypatch):
    """The counts of each adaptive round and of an experiment's end need every run's status. The store keeps the
    run and status of each part it writes, so it does not parse the part's footer (some 400 columns) again; what
    it keeps must be what a reader of the file finds."""
    from sim.experiment import runner
    from sim.experiment import store as store_mod

    reads: list[str] = []
    real = store_mod._read
    monkeypatch.setattr(store_mod, "_read", lambda path, columns: reads.append(path.name) or real(path, columns))
    writers: list[store_mod.ResultStore] = []

    class Store(store_mod.ResultStore):
        def __init__(self, root):
            super().__init__(root)
            writers.append(self)

    monkeypatch.setattr(runner, "ResultStore", Store)
    out = tmp_path / "small"
    report = run_experiment(load_experiment(SMALL), out, engine="serial", flush_every=8, flush_seconds=1e9,
                            progress=False)
    assert report.complete and report.done_total == 24 and report.failed_total == 0
    assert reads == []  # the end's count read no part back
    (writer,) = writers
    parts = sorted((out / "summary").glob("part-*.parquet"))
    assert len(parts) == 3
    for part in parts:
        kept = writer._read_cache[(part, store_mod.STATUS_COLUMNS)][1]
        assert kept.equals(real(part, list(store_mod.STATUS_COLUMNS)), check_metadata=True), part.name
    assert store_mod.run_status(writer) == store_mod.run_status(out)  # a reader of the files counts the same
    assert len(reads) == 3


def test_a_store_reads_a_part_again_only_when_the_file_changed(reference, tmp_path, monkeypatch):
    """The rounds of an adaptive experiment read the stored records after every round: parts read before are
    taken from memory while the file is the one read (size, time, inode), and a part changed since is read again
    (a damaged one is refused, not served from memory)."""
    from sim.experiment import store as store_mod

    out = tmp_path / "small"
    shutil.copytree(reference, out)
    reads: list[str] = []
    real = store_mod._read
    monkeypatch.setattr(store_mod, "_read", lambda path, columns: reads.append(path.name) or real(path, columns))
    store = store_mod.ResultStore(out)
    first = store.records(["run", "status"])
    assert len(reads) == 3
    again = store.records(["run", "status"])
    assert len(reads) == 3 and again.equals(first)
    store.records(["run"])  # other columns: read
    assert len(reads) == 6
    part = out / "summary" / "part-000002.parquet"
    part.write_bytes(b"\0" * part.stat().st_size)  # damaged in place, same size
    monkeypatch.setattr(store, "verify", lambda: None)  # the reading itself must see it, not only the check
    with pytest.raises(store_mod.DamagedResults, match="part-000002"):
        store.records(["run", "status"])


def test_loading_results_reads_each_part_once(reference, monkeypatch):
    """The summaries and the monthly series come from one reading of the summary parts."""
    from sim.analysis.data import load_results
    from sim.experiment import store as store_mod

    reads: list[str] = []
    real = store_mod._read
    monkeypatch.setattr(store_mod, "_read", lambda path, columns: reads.append(str(path)) or real(path, columns))
    res = load_results(reference)
    assert len(res.runs) == 24 and res.monthly is not None
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 6


def test_an_analysis_reads_only_the_monthly_columns_it_compares(reference):
    from sim.analysis.data import load_results

    some = load_results(reference, monthly=["jobs"]).monthly
    every = load_results(reference).monthly
    assert "jobs" in some.columns and "signed_capital" not in some.columns and "signed_capital" in every.columns
    assert some["jobs"].equals(every["jobs"]) and some["run"].equals(every["run"])


def test_the_analysis_asks_only_for_the_monthly_columns_it_compares(reference, tmp_path, monkeypatch):
    from sim.analysis import data
    from sim.analysis.data import MONTHLY_HEADLINE
    from sim.analysis.effects import BAND_OUTPUTS
    from sim.analysis.memo import MONTHLY
    from sim.analysis.tables import analyse

    asked = []
    real = data.load_monthly
    monkeypatch.setattr(data, "load_monthly", lambda root, columns=None, **kw: asked.append(columns) or
                        real(root, columns, **kw))
    analyse(reference, out=tmp_path / "analysis")
    assert asked and asked[0] is not None
    assert set(asked[0]) == set(MONTHLY_HEADLINE) | set(BAND_OUTPUTS) | set(MONTHLY)
