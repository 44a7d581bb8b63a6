"""Running one scenario and writing its outputs: monthly table, summary, resolved parameters, chart, manifest."""

from __future__ import annotations

import copy
import csv
import functools
import json
import os
import platform
import secrets
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

from sim.scenario import ScenarioSpec

PACKAGES = ("mesa", "numpy", "scipy", "matplotlib", "pydantic", "pyarrow", "SALib", "dask", "distributed")


def code_version() -> str:
    """The git commit of the simulator's source (with '+dirty' for local changes), or 'unknown'."""
    root = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        if rev.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "sim"], capture_output=True,
                               text=True, timeout=5).stdout.strip()
        return rev.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def environment() -> dict:
    """Versions and platform for a manifest (a fresh copy of what :func:`_environment` found)."""
    return copy.deepcopy(_environment())


@functools.cache
def _environment() -> dict:
    """Versions, platform and code version, found once per process: the code and packages a process has loaded
    do not change while it runs, and asking git and the package metadata took 12-18 ms, paid by every experiment
    (the main job runs three) before its first run."""
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"python": sys.version.split()[0], "platform": platform.platform(), "packages": versions,
            "code_version": code_version()}


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``path``, created with mode 0666 less the process umask.

    ``tempfile.mkstemp`` would create it 0600 whatever the umask, and the rename keeps that mode: a
    colleague, or a web server publishing a briefing, could not read the result.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a file atomically: ``write(fh)`` fills a temporary file in the same folder, which is flushed to
    disk and renamed into place, so a crash at any moment leaves either the old file or the new one.
    The file gets the ordinary mode of a new file (0644 under the usual umask 022)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def one_line(exc: BaseException, limit: int = 120) -> str:
    """An exception's message on one line, shortened, for an error line that names a file."""
    return " ".join(str(exc).split())[:limit] or type(exc).__name__


def read_json_object(path: Path, what: str, hint: str, error: type[Exception]) -> dict:
    """The JSON object in ``path``; if it cannot be read or is not an object, ``error`` with one line
    ``<path>: expected <what>, found <problem>; <hint>``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path}: expected {what}, found {one_line(exc)}; {hint}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected {what} (a JSON object), found a JSON {type(data).__name__}; {hint}")
    return data


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def run_and_write(spec: ScenarioSpec, seed: int, out: Path, lang: str = "zh") -> dict:
    """Run ``spec`` with ``seed`` and write monthly.csv, summary.json, params.json, pipeline.png and manifest.json."""
    # The model is imported here, not at the top: the analysis and the briefing, which use this module, need none.
    from sim.model import simulate
    from sim.report.charts import pipeline_chart

    started = datetime.now(UTC).isoformat(timespec="seconds")

    result = simulate(spec, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    cols = list(result.monthly)
    rows = zip(*(result.monthly[c].tolist() for c in cols), strict=True)
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    w.writerows(rows)
    atomic_write_text(out / "monthly.csv", buf.getvalue())
    atomic_write_text(out / "summary.json", json.dumps(result.summary, indent=2, ensure_ascii=False))
    atomic_write_text(out / "params.json", json.dumps(spec.params.model_dump(mode="json"), indent=2, ensure_ascii=False))
    pipeline_chart(result.monthly, out / "pipeline.png", lang=lang, title_name=spec.label(lang))
    manifest = {"scenario": spec.name, "scenario_file": spec.path, "extends_chain": list(spec.chain), "seed": seed,
                "config_hash": spec.config_hash(), "started": started,
                "finished": datetime.now(UTC).isoformat(timespec="seconds"), **environment()}
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return result.summary
