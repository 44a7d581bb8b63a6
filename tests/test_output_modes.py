"""Outputs are ordinary files: a colleague, or a web server publishing the briefing, can read every one.

Every file that ``sim run``, ``sim experiment``, ``sim analyse`` and ``sim
brief`` write must have the ordinary mode of a new file under the process
umask (0644 under the usual 022: readable by group and others), folders
likewise (0755), atomically written files included: a temporary file made
with ``mkstemp`` is 0600 and the rename kept that mode, so the briefing's
HTML could not be published. The experiment, its analysis and the briefing
are the session's shared ones (tests/test_analysis_experiments.py,
tests/test_brief.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from test_brief import briefs, draws_results, morris_results, small_results  # noqa: F401

from sim.cli import main


def process_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def unusual_modes(folder: Path, mask: int) -> list[str]:
    """Files and folders under ``folder`` (made by pytest, 0700) whose mode is not the umask's ordinary one."""
    bad = []
    for p in folder.rglob("*"):
        mode = stat.S_IMODE(p.lstat().st_mode)
        want = (0o777 if p.is_dir() else 0o666) & ~mask
        if mode != want:
            bad.append(f"{p} {mode:o} (expected {want:o})")
    return bad


def test_every_output_is_readable_by_group_and_others(tmp_path, small_results: Path, briefs: Path,  # noqa: F811
                                                      capsys):
    run_out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.toml", "--out", str(run_out), "--set", "run.n_investors=1000",
                 "--set", "run.horizon_months=12"]) == 0
    capsys.readouterr()
    for name in ("monthly.csv", "summary.json", "params.json", "manifest.json", "pipeline.png"):
        assert (run_out / name).is_file(), name
    for name in ("manifest.json", "design.parquet", "summary/part-000001.parquet", "monthly/part-000001.parquet",
                 "analysis/analysis.json", "analysis/effects.csv", "analysis/effects.parquet"):
        assert (small_results / name).is_file(), name
    for name in ("brief_zh.html", "brief_en.html", "brief_zh.pdf", "brief_en.pdf"):
        assert (briefs / name).is_file(), name
    mask = process_umask()
    bad = unusual_modes(run_out, mask) + unusual_modes(small_results, mask) + unusual_modes(briefs, mask)
    assert not bad, f"not the ordinary mode under umask {mask:03o}: {bad}"
    if mask == 0o022:
        assert stat.S_IMODE((briefs / "brief_zh.html").stat().st_mode) == 0o644
