"""Outputs are ordinary files: a colleague, or a web server publishing the briefing, can read every one.

``sim run``, ``sim experiment``, ``sim analyse`` and ``sim brief`` run under
the usual umask 022; every file they write must come out 0644 and every
folder 0755, atomically written ones included (a temporary file made with
``mkstemp`` is 0600, and the rename kept that mode for the briefing's HTML).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def experiment_file(folder: Path) -> Path:
    scen = ", ".join(f'"{ROOT / "scenarios" / f"{s}.toml"}"' for s in ("baseline", "platforms"))
    path = folder / "modes.toml"
    path.write_text(f"""[experiment]
name = "modes"
scenarios = [{scen}]
replications = 2
root_seed = 3
horizon_months = 12
record = "monthly"
[overrides]
"run.n_investors" = 1000
""", encoding="utf-8")
    return path


def not_readable_by_others(folder: Path) -> list[str]:
    bad = []
    for p in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(p.lstat().st_mode)
        want = 0o755 if p.is_dir() else 0o644
        if mode != want:
            bad.append(f"{p.relative_to(folder.parent)} {mode:o}")
    return bad


def test_every_output_is_readable_by_group_and_others(tmp_path, umask_022, capsys):
    run_out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.toml", "--out", str(run_out), "--set", "run.n_investors=1000",
                 "--set", "run.horizon_months=12"]) == 0
    results = tmp_path / "results"
    assert main(["experiment", str(experiment_file(tmp_path)), "--out", str(results), "--engine", "serial", "-q"]) == 0
    assert main(["analyse", str(results), "--months", "6,12"]) == 0
    assert main(["brief", str(results), "--lang", "en"]) == 0
    capsys.readouterr()
    for name in ("monthly.csv", "summary.json", "params.json", "manifest.json", "pipeline.png"):
        assert (run_out / name).is_file(), name
    for name in ("manifest.json", "design.parquet", "analysis/analysis.json", "analysis/effects.parquet",
                 "brief/brief_en.html", "brief/brief_en.pdf"):
        assert (results / name).is_file(), name
    bad = not_readable_by_others(run_out) + not_readable_by_others(results)
    assert not bad, f"not 0644/0755: {bad}"
