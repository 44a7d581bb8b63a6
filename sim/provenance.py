"""Provenance of results: the simulator's code version and the environment (packages, platform) a manifest records."""

from __future__ import annotations

import copy
import functools
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

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
