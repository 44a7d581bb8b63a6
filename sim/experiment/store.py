"""Where an experiment's results are kept, and how to read them back.

Layout of a results folder (``results/<experiment name>/`` by default)::

    manifest.json          provenance and progress (see below)
    design.parquet         one row per design point: point_id, point_label and each
                           varied parameter (for sample designs: the raw sample matrix)
    summary/part-NNNNNN.parquet   one row per run attempt (end-of-run values)
    monthly/part-NNNNNN.parquet   one row per run and month (when record = "monthly")
    .lock                  held while a ``sim experiment`` process writes here

Part files are written as runs finish, a few dozen runs at a time, each to a
temporary file renamed into place (``os.replace``), so an interrupted
experiment never leaves a half-written table: a crash loses at most the runs
not yet flushed, which the next invocation runs again. The monthly part of a
batch is written before its summary part, and a run only counts as stored once
its summary row exists; loaders ignore monthly rows without one.

Summary table (:func:`load_summaries`, one row per run, sorted by ``run``):

====================  ========  ====================================================
column                type      meaning
====================  ========  ====================================================
experiment            string    experiment name
run                   int64     run id: (scenario_index * n_points + point_id) * replications + replication
scenario              string    scenario name (``[scenario] name``)
scenario_index        int64     position in the experiment's ``scenarios`` list
scenario_file         string    scenario path as written in the experiment file
point_id              int64     design point (row of ``design.parquet``; for Sobol/Morris the row of the sample matrix)
point_label           string    label of the design point (``p<id>`` unless a list design names it)
<dotted parameter>    typed     one column per varied parameter, e.g. ``policy.incentive_rate``: the value
                                applied at this point (null: not overridden at this point)
replication           int64     replication number; same number = same seed in every scenario and point (CRN)
seed_entropy          int64     root seed of the run's ``numpy.random.SeedSequence``
seed_spawn_key        list      spawn key of the run's ``SeedSequence`` (``[replication]``)
posterior_draw        int64     with ``parameters = "posterior"``: the row of the calibration record's posterior
                                sample the replication runs at (:mod:`sim.experiment.posterior`)
posterior.<key>       float64   ... and the value of each calibrated parameter at that draw
config_hash           string    hash of the run's resolved parameters (``ScenarioSpec.config_hash``)
status                string    "done" or "failed"
error                 string    for failed runs: exception type and message, one line (else null)
error_detail          string    for failed runs: the end of the traceback (else null)
run_seconds           float64   wall time of the run                      (volatile)
finished_at           string    UTC time the run finished, ISO 8601      (volatile)
session               int64     which invocation of ``sim experiment`` ran it (volatile)
<summary values>      typed     every value of the run summary (``RunResult.summary``); nested tables are
                                flattened with dots: ``withdrawals_by_reason.no_land``,
                                ``withdrawals_by_reason_and_stage.no_land.signed``, ``spent_by_lever.park``;
                                null for failed runs
====================  ========  ====================================================

Monthly table (:func:`load_monthly`, one row per done run and month 0..horizon,
sorted by ``run`` then ``month``): ``experiment, run, scenario, scenario_index,
point_id, replication`` followed by every column of ``sim.model.MONTHLY_COLUMNS``
(``month, contacted_total, ..., n_signed, ..., cohort_fulfilment_rate_24m, ...``). Join it
with the summary table on ``run`` for parameter values.

Volatile columns (:data:`VOLATILE_COLUMNS`) differ between two executions of
the same experiment; every other value is the same on any engine and any number
of workers, and after any number of interruptions.

Manifest (:func:`load_manifest`): experiment name, file, text and sha256, and the sha256 of what the file says
(comments and layout aside: a resume compares that);
scenarios (file, name, config hash); design (kind, parameters, SALib
``problem`` and options for sample designs); replications, root seed and seed
scheme; record mode; with ``parameters = "posterior"`` the posterior draws (the record's path and sha256,
the cap, the scheme, the bounds of each parameter's lowest and highest fifths); planned runs; code version (git commit), package versions
and platform; first start and last end times; overall status and counts; the
failed runs with their errors; one entry per session (engine, workers, times);
``results_id``, a random identity of the folder, and ``checksum``, the SHA-256
of the rest of the manifest (canonical JSON).

Damage is detected, never skipped: every loader refuses, with one line naming
the file (:class:`DamagedResults`), a manifest whose checksum does not match
(edited by hand), a part file that cannot be read (truncated), a part whose
``sim.results_id`` (Parquet schema metadata) is not this folder's or whose runs
are not in the plan (copied from another experiment), and, when the
experiment records monthly series, a summary part without its monthly part.
``sim experiment ... --repair`` sets damaged files aside under ``damaged/``
and runs their runs again (:meth:`ResultStore.repair`).

The store is the manifest's only writer. A session of ``sim experiment`` holds
the writer's lock and goes through :meth:`ResultStore.prepare` (start over,
repair, resume checks, the design), :meth:`ResultStore.begin_session`,
:meth:`ResultStore.record_round` after each round and
:meth:`ResultStore.finish`, each writing the whole manifest atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.errors import ScenarioError, one_line
from sim.experiment.spec import column_kind, says_otherwise
from sim.files import atomic_write, atomic_write_text, read_json_object
from sim.provenance import environment

if TYPE_CHECKING:
    from sim.experiment.designs import Design
    from sim.experiment.spec import ExperimentSpec

SUMMARY_DIR = "summary"
MONTHLY_DIR = "monthly"
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
LOCK = ".lock"
DAMAGED_DIR = "damaged"
CHECKSUM = "checksum"
RESULTS_ID = "results_id"
PART_ID_KEY = b"sim.results_id"
PART_RE = re.compile(r"^part-(\d{6})\.parquet$")
TEMP_RE = re.compile(r"^\.part-\d{6}\.parquet\..*\.tmp$")

KEY_COLUMNS = ("experiment", "run", "scenario", "scenario_index", "scenario_file", "point_id", "point_label")
RUN_COLUMNS = ("replication", "seed_entropy", "seed_spawn_key", "config_hash", "status", "error", "error_detail",
               "run_seconds", "finished_at", "session")
MONTHLY_KEYS = ("experiment", "run", "scenario", "scenario_index", "point_id", "replication")
STATUS_COLUMNS = ("run", "status")
"""What the counts of a folder read (which runs are done, failed or missing)."""
VOLATILE_COLUMNS = ("run_seconds", "finished_at", "session")
"""Columns that record when and how fast a run went, not what it computed."""

_FIXED_TYPES: dict[str, pa.DataType] = {
    "experiment": pa.string(), "run": pa.int64(), "scenario": pa.string(), "scenario_index": pa.int64(),
    "scenario_file": pa.string(), "point_id": pa.int64(), "point_label": pa.string(), "replication": pa.int64(),
    "seed_entropy": pa.int64(), "seed_spawn_key": pa.list_(pa.int64()), "config_hash": pa.string(),
    "status": pa.string(), "error": pa.string(), "error_detail": pa.string(), "run_seconds": pa.float64(),
    "finished_at": pa.string(), "session": pa.int64(),
}
KIND_TYPES: dict[str, pa.DataType] = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(),
                                      "str": pa.string(), "json": pa.string()}


SCHEMA_VERSION = 2  # 2: the manifest carries a checksum and a results_id stamped on every part
SEED_SCHEME = ("replication r of every scenario and design point uses "
               "numpy.random.SeedSequence(root_seed).spawn(replications)[r] "
               "== SeedSequence(root_seed, spawn_key=(r,))")
MAX_FAILED_IN_MANIFEST = 100


class StoreError(ScenarioError):
    """A folder is not a results folder, is in use, or holds another experiment; the message is one line."""


class DamagedResults(StoreError):
    """A stored file was damaged on disk or edited by hand; the message names it, in one line."""


@dataclass(frozen=True)
class Damage:
    """A damaged file of a results folder and what is wrong with it."""

    path: Path
    expected: str
    found: str

    def text(self) -> str:
        """``<file>: expected ..., found ...``."""
        return f"{self.path}: expected {self.expected}, found {self.found}"


def manifest_checksum(manifest: dict) -> str:
    """SHA-256 of a manifest's canonical JSON, leaving out the checksum itself."""
    body = {k: v for k, v in manifest.items() if k != CHECKSUM}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------- rows to tables
def flatten_summary(summary: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A run summary with nested tables flattened to dotted columns (``withdrawals_by_reason.no_land``)."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        # Interned: every run's summary then shares its column names, which a task's results pickle only once.
        name = sys.intern(f"{prefix}{key}")
        if isinstance(value, dict):
            out.update(flatten_summary(value, prefix=f"{name}."))
        elif isinstance(value, np.generic):
            out[name] = value.item()
        else:
            out[name] = value
    return out


def override_cell(value: Any, kind: str) -> Any:
    """An override value as stored in its column (tables and lists as JSON text)."""
    if value is None:
        return None
    if kind == "json":
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if kind == "float":
        return float(value)
    return value


def override_kinds(design: Design) -> dict[str, str]:
    """Column kind of each varied parameter (bool, int, float, str, json)."""
    return {k: column_kind([p.get(k) for p in design.points]) or "json" for k in design.parameters}


def design_table(exp: ExperimentSpec) -> pa.Table:
    """The design points as a table: point_id, point_label and each parameter (raw sample values for samples)."""
    d = exp.design
    cols: dict[str, Any] = {"point_id": pa.array(range(d.n_points), type=pa.int64()),
                            "point_label": pa.array(list(d.labels), type=pa.string())}
    if d.sample is not None:
        for j, name in enumerate(d.parameters):
            cols[name] = pa.array(d.sample[:, j], type=pa.float64())
    else:
        for name, kind in override_kinds(d).items():
            cols[name] = pa.array([override_cell(p.get(name), kind) for p in d.points], type=KIND_TYPES[kind])
    return pa.table(cols)


def summary_table(rows: list[dict[str, Any]], override_kinds: dict[str, str]) -> pa.Table:
    """Summary rows (fixed columns, overrides, flattened summary values) as an Arrow table."""
    names: list[str] = [*KEY_COLUMNS, *override_kinds, *RUN_COLUMNS]
    extra: list[str] = []
    seen = set(names)
    for row in rows:
        for k in row:
            if k not in seen:
                seen.add(k)
                extra.append(k)
    arrays = []
    for name in names:
        values = [row.get(name) for row in rows]
        if name in override_kinds:
            typ = KIND_TYPES[override_kinds[name]]
            values = [override_cell(v, override_kinds[name]) for v in values]
        else:
            typ = _FIXED_TYPES[name]
        arrays.append(pa.array(values, type=typ))
    for name in extra:
        arrays.append(pa.array([row.get(name) for row in rows]))
    return pa.Table.from_arrays(arrays, names=names + extra)


def monthly_table(keys: list[dict[str, Any]], lengths: list[int], series: list[dict[str, np.ndarray]]) -> pa.Table:
    """Monthly series of several runs as one long table (one row per run and month): ``series`` are stacks of
    columns, each holding one or more runs' series one after the other, in the order of ``keys`` (each run's key
    columns) and ``lengths`` (each run's number of months)."""
    arrays, names = [], []
    for key in MONTHLY_KEYS:
        vals = np.repeat(np.array([k[key] for k in keys], dtype=object), lengths)
        arrays.append(pa.array(vals.tolist(), type=_FIXED_TYPES[key]))
        names.append(key)
    for col in series[0]:
        arrays.append(pa.array(np.concatenate([np.asarray(s[col]) for s in series])))
        names.append(col)
    return pa.Table.from_arrays(arrays, names=names)


# ----------------------------------------------------------------------------- writing
def atomic_write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file atomically (see :func:`sim.files.atomic_write`)."""
    # Plain encoding and no column statistics: nothing reads a part by value ranges, and a part's values are
    # mostly distinct numbers; writing takes half the time (a 50-run summary part of some 400 columns 8 ms -> 5.6
    # ms, its monthly part 9 ms -> 3.6 ms) and the files are no larger. The table read back is the same.
    atomic_write(path, lambda fh: pq.write_table(table, fh, use_dictionary=False, write_statistics=False))


def atomic_write_json(data: dict, path: Path) -> None:
    """Write JSON atomically (see :func:`sim.files.atomic_write`)."""
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


# ----------------------------------------------------------------------------- the manifest
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_signature(exp: ExperimentSpec) -> dict[str, Any]:
    """What must not change for stored runs to keep their meaning: scenarios, design shape, replications, seed."""
    return {"scenarios": [[e.file, e.name] for e in exp.scenarios], "n_points": exp.design.n_points,
            "parameters": list(exp.design.parameters), "replications": exp.replications, "root_seed": exp.root_seed,
            "record": exp.record, **({"adaptive": exp.adaptive.as_dict()} if exp.adaptive else {}),
            **({"posterior": exp.posterior.signature()} if exp.posterior else {})}


def new_manifest(exp: ExperimentSpec, env: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a fresh results folder: the experiment, its provenance and its plan."""
    d = exp.design
    return {
        "schema_version": SCHEMA_VERSION,
        "results_id": uuid.uuid4().hex,
        "experiment": exp.name,
        "title": exp.title, "description": exp.description,
        "experiment_file": str(exp.path), "experiment_file_absolute": str(exp.path.resolve()),
        "experiment_sha256": exp.sha256, "experiment_content_sha256": exp.content_sha256, "experiment_text": exp.text,
        "scenarios": [{"index": e.index, "name": e.name, "title": e.spec.title, "description": e.spec.description,
                       "region": e.spec.region, "file": e.file, "path": str(e.path.resolve()),
                       "extends_chain": list(e.spec.chain), "config_hash": e.spec.config_hash(),
                       "sha256": _sha256(e.path), "text": e.path.read_text(encoding="utf-8")}
                      for e in exp.scenarios],
        "replications": exp.replications, "root_seed": exp.root_seed, "seed_scheme": SEED_SCHEME,
        "record": exp.record, "horizon_months": exp.horizon_months, "overrides": exp.overrides,
        "design": {"kind": d.kind, "parameters": list(d.parameters), "n_points": d.n_points,
                   "problem": d.problem, "options": d.options, "description": d.describe()},
        "posterior": exp.posterior.manifest() if exp.posterior else None,
        "runs_planned": exp.n_runs, "runs_grid": exp.n_runs, "plan": plan_signature(exp),
        "code_version": env.get("code_version"), "environment": env,
        "started": _now(), "finished": None, "status": "running",
        "counts": {"done": 0, "failed": 0, "missing": exp.n_runs}, "failed_runs": [], "sessions": [],
    }


def check_resume(exp: ExperimentSpec, manifest: dict[str, Any], out: Path, force: bool) -> list[str]:
    """Refuse to resume into results of a different experiment; return warnings for harmless differences."""
    warnings: list[str] = []
    old_sig, new_sig = manifest.get("plan"), plan_signature(exp)
    if old_sig != new_sig:
        changed = next((k for k in new_sig if (old_sig or {}).get(k) != new_sig[k]), "plan")
        raise StoreError(f"{exp.path}: key '{changed}': expected the experiment plan the results in {out} were "
                         f"started with, found a different one; use --fresh to start over (or --out for a new folder)")
    changes = []
    same_text = manifest.get("experiment_sha256") == exp.sha256
    if says_otherwise(manifest.get("experiment_content_sha256"), manifest.get("experiment_sha256"),
                      exp.content_sha256, exp.sha256):
        changes.append(f"the experiment file changed (sha256 {str(manifest.get('experiment_sha256'))[:12]} -> {exp.sha256[:12]})")
    old_hashes = {s["name"]: s.get("config_hash") for s in manifest.get("scenarios", [])}
    for e in exp.scenarios:
        if old_hashes.get(e.name) != e.spec.config_hash():
            changes.append(f"scenario '{e.name}' ({e.file}) changed (config hash "
                           f"{str(old_hashes.get(e.name))[:12]} -> {e.spec.config_hash()[:12]})")
    if changes and not force:
        raise StoreError(f"{exp.path}: key '-': expected the same experiment as the results in {out}, found that "
                         f"{changes[0]}; use --fresh to start over or --force to resume anyway")
    if changes:
        warnings.append(f"resuming with --force although {'; '.join(changes)}")
    elif not same_text:  # the same experiment written otherwise: its text becomes the stored one
        warnings.append("the experiment file's comments or layout changed, not what it says; resuming (its "
                        "text is stored now, the previous text under previous_files)")
    return warnings


@dataclass
class _Session:
    """The session under way in a results folder: its manifest as last written (or about to be), its warnings,
    its number in the manifest's ``sessions`` when it runs something, and whether it began."""

    manifest: dict[str, Any]
    warnings: list[str]
    number: int | None = None
    begun: bool = False


_VERIFIED: dict[Path, tuple[tuple, tuple]] = {}
"""Results folders found undamaged in this process, with the fingerprint of their files then and the manifest's
facts the check depends on (:meth:`ResultStore.verify`): an analysis and a briefing read a folder several times."""

_WRITTEN: set[tuple[str, tuple | None]] = set()
"""Each file this process wrote into a results folder (atomically, under the writer's lock): its absolute path and
its identity (:func:`_identity`) just after. A folder found undamaged stays so when only such files changed, as in
the rounds of an adaptive experiment; a file changed since, or moved to another place, is not one of them."""


class ResultStore:
    """The results folder of one experiment: part files, design, manifest and the writer's lock."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.summary_dir = self.root / SUMMARY_DIR
        self.monthly_dir = self.root / MONTHLY_DIR
        self._next_seq: int | None = None
        self._lock_fh = None
        self.results_id: str | None = None  # this folder's identity, stamped on every part written
        # Parts already read, by path and columns, with the file's identity when read (:func:`_identity`): parts
        # are written once and never changed, so the rounds of an adaptive experiment re-read only the new ones.
        self._read_cache: dict[tuple[Path, tuple[str, ...] | None], tuple[tuple | None, pa.Table]] = {}
        self._session: _Session | None = None  # the session this store writes, between prepare and finish

    # ---- paths and parts
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def exists(self) -> bool:
        """True when the folder holds an experiment's manifest."""
        return self.manifest_path.is_file()

    def parts(self, kind: str = SUMMARY_DIR) -> list[tuple[int, Path]]:
        """Committed part files of ``kind`` ("summary" or "monthly") as (sequence number, path), in order."""
        folder = self.root / kind
        if not folder.is_dir():
            return []
        found = []
        for p in folder.iterdir():
            m = PART_RE.match(p.name)
            if m:
                found.append((int(m.group(1)), p))
        return sorted(found)

    # ---- the writer's lock
    def acquire(self) -> None:
        """Take the folder's lock so that two processes never write the same results; raise StoreError if taken."""
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / LOCK, "a+")  # noqa: SIM115 - held open while writing
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not POSIX: no lock
            pass
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            fh.close()
            raise StoreError(f"{self.root}: another 'sim experiment' process (pid {holder}) is writing to this folder") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_fh = fh

    def is_locked(self) -> bool:
        """True while some process holds the writer's lock (an experiment is running into this folder)."""
        path = self.root / LOCK
        if not path.is_file():
            return False
        try:
            import fcntl
        except ImportError:
            return False
        with open(path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False

    def release(self) -> None:
        """Release the lock (the operating system also releases it if the process dies)."""
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def tidy(self) -> int:
        """Remove leftovers of an interrupted writer: temporary files and monthly parts without a summary part."""
        removed = 0
        for folder in (self.summary_dir, self.monthly_dir, self.root):
            if folder.is_dir():
                for p in folder.iterdir():
                    if TEMP_RE.match(p.name) or (folder == self.root and p.name.endswith(".tmp")
                                                 and p.name.startswith((f".{DESIGN}.", f".{MANIFEST}."))):
                        p.unlink(missing_ok=True)
                        removed += 1
        committed = {seq for seq, _ in self.parts(SUMMARY_DIR)}
        for seq, p in self.parts(MONTHLY_DIR):
            if seq not in committed:
                p.unlink(missing_ok=True)
                removed += 1
        return removed

    def clear(self) -> None:
        """Delete stored results (parts, design, manifest) for a fresh start; other files are left alone."""
        import shutil

        for folder in (self.summary_dir, self.monthly_dir, self.root / "dask-scratch"):
            if folder.is_dir():
                shutil.rmtree(folder)
        for name in (MANIFEST, DESIGN):
            (self.root / name).unlink(missing_ok=True)

    def write_batch(self, summary: pa.Table, monthly: pa.Table | None) -> int:
        """Commit one batch of finished runs: monthly part first, then the summary part; returns its number."""
        if self._next_seq is None:
            seqs = [s for s, _ in self.parts(SUMMARY_DIR)] + [s for s, _ in self.parts(MONTHLY_DIR)]
            self._next_seq = max(seqs, default=0) + 1
        seq = self._next_seq
        self._next_seq += 1
        name = f"part-{seq:06d}.parquet"
        if monthly is not None and monthly.num_rows:
            self._write(self.monthly_dir / name, lambda p: atomic_write_table(self._stamped(monthly), p))
        path, stamped = self.summary_dir / name, self._stamped(summary)
        ident = self._write(path, lambda p: atomic_write_table(stamped, p))
        # Remembered as if read: the counts of the rounds and of the end (which runs are done) need not parse
        # again the footer, some 400 columns, of a part this store has just written.
        self._read_cache[(path, STATUS_COLUMNS)] = (ident, stamped.select(list(STATUS_COLUMNS)))
        return seq

    @staticmethod
    def _write(path: Path, write: Callable[[Path], None]) -> tuple | None:
        """Write a file with ``write``; remember it as this process's (:data:`_WRITTEN`); return its identity."""
        write(path)
        ident = _identity(path)
        _WRITTEN.add((os.path.abspath(path), ident))
        return ident

    def _stamped(self, table: pa.Table) -> pa.Table:
        """The table with this folder's identity in its schema metadata (a part copied elsewhere is recognised)."""
        if not self.results_id:
            return table
        meta = dict(table.schema.metadata or {})
        meta[PART_ID_KEY] = self.results_id.encode()
        return table.replace_schema_metadata(meta)

    def write_design(self, table: pa.Table) -> None:
        """Store the design points (written once, at the first session)."""
        self._write(self.root / DESIGN, lambda p: atomic_write_table(table, p))

    def write_manifest(self, manifest: dict) -> dict:
        """Replace the manifest atomically, with its checksum; returns it as written (what reading it gives)."""
        data = json.loads(json.dumps(manifest, ensure_ascii=False, default=str))
        data.pop(CHECKSUM, None)
        data[CHECKSUM] = manifest_checksum(data)
        self._write(self.manifest_path, lambda p: atomic_write_json(data, p))
        self.results_id = data.get(RESULTS_ID)
        return data

    def read_manifest(self) -> dict:
        """The manifest; a StoreError if the folder holds no experiment results, DamagedResults if it was
        edited by hand or cannot be read."""
        if not self.exists():
            raise StoreError(f"{self.root}: expected a results folder of 'sim experiment' (with {MANIFEST}), found none")
        path = self.manifest_path
        manifest = read_json_object(path, "a readable JSON manifest", self.repair_hint(), DamagedResults)
        if CHECKSUM in manifest or int(manifest.get("schema_version") or 1) >= 2:
            stored, actual = str(manifest.get(CHECKSUM)), manifest_checksum(manifest)
            if stored != actual:
                raise DamagedResults(f"{path}: expected the manifest as 'sim experiment' wrote it (checksum "
                                     f"{stored[:12]}), found it changed (checksum {actual[:12]}): edited by hand or "
                                     f"damaged; {self.repair_hint()}")
        self.results_id = manifest.get(RESULTS_ID)
        return manifest

    def repair_hint(self) -> str:
        """What to do about damaged results, for the end of an error line."""
        return f"'sim experiment <experiment file> --out {self.root} --repair' sets it aside and runs its runs again"

    # ---- a session of an experiment: the only changes to the manifest
    def prepare(self, exp: ExperimentSpec, *, fresh: bool = False, force: bool = False, repair: bool = False,
                log: Callable[[str], None] = print) -> list[str]:
        """Ready the folder (its lock held) for a session of ``exp``; return the warnings, each also logged.

        ``fresh`` deletes the stored results first; ``repair`` sets damaged files aside (:meth:`repair`). Results
        of a different plan are refused (StoreError), and so are changed experiment or scenario files unless
        ``force``, with which the files as they are now become the reference for later resumes. Leftovers of an
        interrupted writer are removed and the design is stored. The manifest is written by :meth:`begin_session`.
        """
        if fresh:
            self.clear()
        env = environment()
        if repair:
            for line in self.repair(lambda: new_manifest(exp, env)):
                log(f"repair: {line}")
        if self.exists():
            manifest = self.read_manifest()
            warnings = check_resume(exp, manifest, self.root, force)
            if warnings:  # --force, or a file written otherwise: the files as they are now become the reference
                fresh_manifest = new_manifest(exp, env)
                manifest["previous_files"] = manifest.get("previous_files", []) + [
                    {k: manifest.get(k) for k in ("experiment_sha256", "experiment_text", "scenarios")}]
                for key in ("experiment_sha256", "experiment_content_sha256", "experiment_text", "scenarios", "title",
                            "description"):
                    manifest[key] = fresh_manifest[key]
            if manifest.get("code_version") != env.get("code_version"):
                warnings.append(f"the code changed since these results were started "
                                f"({manifest.get('code_version')} -> {env.get('code_version')}); "
                                f"stored runs of both versions will be mixed")
        else:
            manifest, warnings = new_manifest(exp, env), []
        for w in warnings:
            log(f"warning: {w}")
        self.tidy()
        if not (self.root / DESIGN).is_file():
            self.write_design(design_table(exp))
        self._session = _Session(manifest, warnings)
        return warnings

    def begin_session(self, engine: str, runs: int, decisions: dict[str, Any]) -> int:
        """Write the manifest with the schedule's ``decisions`` (``runs_planned``, ``adaptive``) and, when the
        session has ``runs`` to do, its entry in ``sessions`` (``engine``, host, code version, times); then check
        the folder once. Returns the session's number, which its runs carry."""
        session = self._session
        assert session is not None, "prepare() first"
        manifest = session.manifest
        manifest.update(decisions)
        number = len(manifest["sessions"]) + 1
        if runs:
            manifest["sessions"].append({"session": number, "started": _now(), "finished": None, "engine": engine,
                                         "code_version": environment().get("code_version"),
                                         "host": socket.gethostname(), "planned": runs, "done": 0, "failed": 0,
                                         "warnings": session.warnings})
            manifest["status"] = "running"
            session.number = number
        session.manifest = self.write_manifest(manifest)
        # Checked once here (a resumed folder was checked when its runs were counted): after this, only the
        # session's own writes change the folder, and the checks of the rounds and of the end take them as sound.
        self.verify()
        session.begun = True
        return number

    def record_round(self, decisions: dict[str, Any]) -> None:
        """Record the schedule's ``decisions`` after a round (the manifest is written only when they changed)."""
        session = self._session
        assert session is not None and session.begun, "begin_session() first"
        if any(session.manifest.get(k) != v for k, v in decisions.items()):
            session.manifest.update(decisions)
            session.manifest = self.write_manifest(session.manifest)

    def finish(self, done: int, failed: int, seconds: float, interrupted: bool) -> dict[str, Any] | None:
        """Record the end of the session: the folder's counts and first failed runs (:func:`run_status`), its
        status ("complete": every planned run done, "interrupted" or "incomplete"), and this session's ``done``
        and ``failed`` runs and ``seconds``. Returns the counts; None, recording nothing, if no session began."""
        session, self._session = self._session, None
        if session is None or not session.begun:
            return None
        manifest = session.manifest
        st = run_status(self, max_failed=MAX_FAILED_IN_MANIFEST)
        manifest["counts"] = {k: st[k] for k in ("done", "failed", "missing")}
        manifest["failed_runs"] = st["failed_runs"]
        manifest["finished"] = _now()
        manifest["status"] = ("complete" if st["done"] == st["planned"] else "interrupted" if interrupted
                              else "incomplete")
        if session.number is not None:
            manifest["sessions"][-1].update({"finished": manifest["finished"], "done": done, "failed": failed,
                                             "seconds": round(seconds, 3), "interrupted": interrupted})
        self.write_manifest(manifest)
        return st

    # ---- damage
    def damage(self, manifest: dict | None = None) -> list[Damage]:
        """Every damaged part file and design table of the folder (the manifest is checked by :meth:`read_manifest`)."""
        manifest = self.read_manifest() if manifest is None else manifest
        rid = manifest.get(RESULTS_ID)
        planned = int(manifest.get("runs_grid") or manifest.get("runs_planned") or 0)  # run ids range over the grid
        found: list[Damage] = []
        monthly_seqs: set[int] = set()
        for kind in (MONTHLY_DIR, SUMMARY_DIR):
            for seq, p in self.parts(kind):
                problem = self._part_problem(p, rid, planned)
                if problem:
                    found.append(Damage(p, *problem))
                elif kind == MONTHLY_DIR:
                    monthly_seqs.add(seq)
                elif manifest.get("record") == "monthly" and seq not in monthly_seqs and self._has_done_runs(p):
                    found.append(Damage(p, f"its monthly series in {self.monthly_dir / p.name}", "no such file"))
        design = self.root / DESIGN
        if design.is_file():
            try:
                pq.read_table(design)
            except (OSError, pa.ArrowException) as exc:
                found.append(Damage(design, "a readable Parquet table of design points", one_line(exc)))
        return found

    def _part_problem(self, path: Path, rid: str | None, planned: int) -> tuple[str, str] | None:
        try:
            with pq.ParquetFile(path) as pf:
                runs = pf.read(columns=["run"])["run"].to_numpy()
                meta = pf.schema_arrow.metadata or {}
        except (OSError, pa.ArrowException, KeyError) as exc:
            return "a complete Parquet part written by 'sim experiment'", f"a truncated or unreadable file ({one_line(exc)})"
        theirs = meta.get(PART_ID_KEY, b"").decode(errors="replace")
        if rid and theirs != rid:
            return (f"a part of this results folder (results_id {rid[:12]})",
                    f"a part of another experiment's results (results_id {theirs[:12] or 'none'})")
        if planned and len(runs) and (runs.min() < 0 or runs.max() >= planned):
            return f"runs 0 to {planned - 1} of this experiment", f"run {int(runs.max() if runs.max() >= planned else runs.min())}"
        return None

    @staticmethod
    def _has_done_runs(path: Path) -> bool:
        status = pq.read_table(path, columns=["status"])["status"].to_pylist()
        return "done" in status

    def verify(self) -> dict:
        """The manifest, after checking that nothing in the folder is damaged; else DamagedResults naming the file."""
        manifest = self.read_manifest()
        key = self.root.resolve()
        seen = self._fingerprint()
        facts = _damage_facts(manifest)
        last = _VERIFIED.get(key)
        # Checked in this process and not touched since, or touched only by this process's own writes (a part
        # written whole, the manifest with the same identity, grid and record): reading it again finds the same.
        if last is not None and last[1] == facts and self._only_own_changes(last[0], seen):
            _VERIFIED[key] = (seen, facts)
            return manifest
        found = self.damage(manifest)
        if found:
            more = f" (and {len(found) - 1} more damaged file(s))" if len(found) > 1 else ""
            raise DamagedResults(f"{found[0].text()}{more}; {self.repair_hint()}")
        _VERIFIED[key] = (seen, facts)
        return manifest

    @staticmethod
    def _only_own_changes(before: tuple, now: tuple) -> bool:
        """Whether every file of ``before`` (a fingerprint) is still there, and each one new or changed since is
        as this process wrote it."""
        old = dict(before)
        return old.keys() <= {name for name, _ in now} and all(
            old.get(name) == ident or (os.path.abspath(name), ident) in _WRITTEN for name, ident in now)

    def _fingerprint(self) -> tuple:
        """What a change to the folder's files would change: each file's name, inode, size and times."""
        files = [self.manifest_path, self.root / DESIGN,
                 *(p for kind in (SUMMARY_DIR, MONTHLY_DIR) for _, p in self.parts(kind))]
        return tuple((str(f), _identity(f)) for f in files)

    def repair(self, fresh_manifest) -> list[str]:
        """Set damaged files aside under ``damaged/<time>/`` so that their runs run again; returns what was done.

        A damaged manifest is replaced by ``fresh_manifest()`` (the experiment as it is now), keeping the
        folder's identity and sessions when they can still be read. A damaged part takes its partner of the
        same number (summary or monthly) along, so the runs it held are missing and run again.
        """
        if not self.exists() and not (self.parts(SUMMARY_DIR) or self.parts(MONTHLY_DIR)):
            return []
        aside = self.root / DAMAGED_DIR / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        done: list[str] = []

        def move(p: Path) -> None:
            target = aside / p.relative_to(self.root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(p, target)
            done.append(f"moved {p} to {target}")

        try:
            manifest = self.read_manifest()
        except StoreError as exc:  # damaged, or missing while parts are there
            done.append("damaged: " + str(exc).split("; ")[0])
            try:
                old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                old = {}
            if self.exists():
                move(self.manifest_path)
            manifest = fresh_manifest()
            if isinstance(old, dict):
                if isinstance(old.get(RESULTS_ID), str):
                    manifest[RESULTS_ID] = old[RESULTS_ID]
                if isinstance(old.get("sessions"), list):
                    manifest["sessions"] = old["sessions"]
            self.write_manifest(manifest)
        for d in self.damage(manifest):
            done.append(f"damaged: {d.text()}")
            for kind in (SUMMARY_DIR, MONTHLY_DIR):
                p = self.root / kind / d.path.name
                if p.is_file() and d.path.parent.name in (SUMMARY_DIR, MONTHLY_DIR):
                    move(p)
            if d.path.name == DESIGN:
                move(d.path)
        return done

    # ---- reading
    def records(self, columns: list[str] | None = None) -> pa.Table:
        """The effective record of every stored run (the latest attempt), with its part number in ``_part``.

        Refuses (DamagedResults) if any stored file is damaged: no run is silently left out.
        """
        if self.exists():
            self.verify()
        elif self.parts(SUMMARY_DIR) or self.parts(MONTHLY_DIR):
            raise DamagedResults(f"{self.manifest_path}: expected the manifest of the parts in {self.root}, "
                                 f"found no such file; {self.repair_hint()}")
        tables = []
        for seq, p in self.parts(SUMMARY_DIR):
            t = self._read_part(p, columns)
            tables.append(t.append_column("_part", pa.array(np.full(t.num_rows, seq, dtype=np.int64))))
        if not tables:
            cols = columns or list(KEY_COLUMNS[:2]) + ["status"]
            return pa.Table.from_arrays([pa.array([], type=_FIXED_TYPES.get(c, pa.null())) for c in cols] +
                                        [pa.array([], type=pa.int64())], names=[*cols, "_part"])
        table = pa.concat_tables(tables, promote_options="permissive")
        runs = table["run"].to_numpy()
        parts = table["_part"].to_numpy()
        order = np.lexsort((-parts, runs))
        sorted_runs = runs[order]
        keep = order[np.r_[True, sorted_runs[1:] != sorted_runs[:-1]]] if len(order) else order
        return table.take(pa.array(keep))

    def _read_part(self, path: Path, columns: list[str] | None) -> pa.Table:
        """A part's table (:func:`_read`), from the cache while the file is the one read before."""
        key = (path, None if columns is None else tuple(columns))
        ident = _identity(path)
        hit = self._read_cache.get(key)
        if ident is not None and hit is not None and hit[0] == ident:
            return hit[1]
        table = _read(path, columns)  # a part gone since it was listed: _read says so
        self._read_cache[key] = (ident, table)
        return table

    def done_runs(self) -> set[int]:
        """Run ids whose latest stored attempt finished ("done")."""
        rec = self.records(list(STATUS_COLUMNS))
        runs = rec["run"].to_numpy()
        done = np.asarray(rec["status"].to_pylist()) == "done" if rec.num_rows else np.zeros(0, bool)
        return set(runs[done].tolist())


def _damage_facts(manifest: dict) -> tuple:
    """What of the manifest :meth:`ResultStore.damage` judges the parts by."""
    return (manifest.get(RESULTS_ID), manifest.get("runs_grid") or manifest.get("runs_planned"), manifest.get("record"))


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What a change to a file would change (inode, size, modification and change times), or None if it is gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _read(path: Path, columns: list[str] | None) -> pa.Table:
    try:
        # One file, its footer parsed once (a part's footer lists some 400 columns): under half the time of
        # ``pq.read_schema`` then ``pq.read_table``, the same table.
        with pq.ParquetFile(path) as pf:
            if columns is None:
                return pf.read()
            present = set(pf.schema_arrow.names)
            return pf.read(columns=[c for c in columns if c in present])
    except (OSError, pa.ArrowException) as exc:
        raise DamagedResults(f"{path}: expected a complete Parquet part written by 'sim experiment', found a "
                             f"damaged file ({one_line(exc)}); {ResultStore(path.parent.parent).repair_hint()}") from None


# ----------------------------------------------------------------------------- public loaders
def load_manifest(results_dir: str | Path) -> dict:
    """The manifest of a results folder (provenance, design, counts, sessions)."""
    return ResultStore(results_dir).read_manifest()


def load_summaries(results_dir: str | Path, columns: list[str] | None = None,
                   include_failed: bool = True, records: pa.Table | None = None) -> pa.Table:
    """One row per stored run (its latest attempt), sorted by ``run``; schema in this module's docstring.

    ``columns`` selects columns (``run`` and ``status`` are always read);
    ``include_failed=False`` keeps only done runs. Use ``.to_pandas()`` for a DataFrame.
    ``records``: the folder's :meth:`ResultStore.records` (every column), if already read.
    """
    store = ResultStore(results_dir)
    manifest = store.read_manifest()
    want = None if columns is None else list(dict.fromkeys(["run", "status", *columns]))
    if records is None:
        records = store.records(want)
    elif want is not None:
        records = records.select([c for c in [*want, "_part"] if c in records.column_names])
    table = records.drop_columns(["_part"])
    if not include_failed and table.num_rows:
        table = table.filter(pc.equal(table["status"], "done"))
    table = table.take(pc.sort_indices(table, [("run", "ascending")]))
    params = manifest.get("design", {}).get("parameters", [])
    order = [c for c in (*KEY_COLUMNS, *params, *RUN_COLUMNS) if c in table.column_names]
    order += [c for c in table.column_names if c not in order]
    if columns is not None:
        order = [c for c in order if c in columns] + [c for c in ("run", "status") if c not in columns]
    return table.select(order)


def comparable(table: pa.Table) -> pa.Table:
    """A results table as two engines or two runs of the same design must agree on it: without the columns that
    record when and how fast runs went, and with every floating-point NaN (a cohort rate no project could be
    followed for) replaced by a missing value, which ``pa.Table.equals`` compares as equal."""
    table = table.drop_columns([c for c in VOLATILE_COLUMNS if c in table.column_names])
    cols = []
    for name in table.column_names:
        col = table[name]
        if pa.types.is_floating(col.type):
            col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def load_monthly(results_dir: str | Path, columns: list[str] | None = None,
                 records: pa.Table | None = None) -> pa.Table:
    """Monthly series of every done run, one row per run and month, sorted by ``run`` and ``month``.

    ``columns`` selects model columns (``MONTHLY_COLUMNS`` names); the key
    columns (experiment, run, scenario, scenario_index, point_id, replication)
    and ``month`` are always included. Empty if the experiment recorded only summaries.
    ``records``: the folder's :meth:`ResultStore.records` (with run, status and _part), if already read.
    """
    store = ResultStore(results_dir)
    store.read_manifest()
    rec = store.records(["run", "status"]) if records is None else records
    if not rec.num_rows:
        return pa.table({k: pa.array([], type=_FIXED_TYPES[k]) for k in MONTHLY_KEYS})
    runs = rec["run"].to_numpy()
    done = np.asarray(rec["status"].to_pylist()) == "done"
    owner = np.full(int(runs.max()) + 1, -1, dtype=np.int64)
    owner[runs[done]] = rec["_part"].to_numpy()[done]
    want = None if columns is None else list(dict.fromkeys([*MONTHLY_KEYS, "month", *columns]))
    owners = set(owner[owner >= 0].tolist())
    tables = []
    for seq, p in store.parts(MONTHLY_DIR):
        if seq not in owners:  # superseded, or written by a writer killed before its summary part
            continue
        t = _read(p, want)
        r = t["run"].to_numpy()
        inside = r < len(owner)
        mask = np.zeros(len(r), dtype=bool)
        mask[inside] = owner[r[inside]] == seq
        if mask.any():
            tables.append(t.filter(pa.array(mask)))
    if not tables:
        return pa.table({k: pa.array([], type=_FIXED_TYPES[k]) for k in MONTHLY_KEYS})
    table = pa.concat_tables(tables, promote_options="permissive")
    return table.take(pc.sort_indices(table, [("run", "ascending"), ("month", "ascending")]))


def load_design(results_dir: str | Path) -> pa.Table:
    """The design points: ``point_id``, ``point_label`` and one column per varied parameter."""
    path = Path(results_dir) / DESIGN
    if not path.is_file():
        raise StoreError(f"{results_dir}: expected {DESIGN} in a results folder, found none")
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise DamagedResults(f"{path}: expected a readable Parquet table of design points, found "
                             f"{one_line(exc)}; {ResultStore(results_dir).repair_hint()}") from None


def load_problem(results_dir: str | Path) -> tuple[dict, np.ndarray]:
    """SALib's ``problem`` and the sample matrix (rows = ``point_id``) of a Sobol, Morris or LHS experiment.

    Pass them to ``SALib.analyze.sobol.analyze(problem, Y, calc_second_order=...)``
    or ``SALib.analyze.morris.analyze(problem, X, Y, num_levels=...)`` with ``Y``
    ordered by ``point_id`` (e.g. the mean over replications); the options are
    in ``load_manifest(results_dir)["design"]["options"]``.
    """
    manifest = load_manifest(results_dir)
    problem = manifest.get("design", {}).get("problem")
    if not problem:
        raise StoreError(f"{results_dir}: expected a sample design (lhs, sobol or morris), "
                         f"found a '{manifest.get('design', {}).get('kind')}' design")
    table = load_design(results_dir)
    x = np.column_stack([table[name].to_numpy() for name in problem["names"]])
    return problem, x


def run_status(results_dir: str | Path | ResultStore, max_failed: int = 20) -> dict[str, Any]:
    """Counts of planned, done, failed and missing runs, and the first failed runs with their errors.

    ``results_dir`` may be the writer's own :class:`ResultStore`, which knows the parts it wrote."""
    store = results_dir if isinstance(results_dir, ResultStore) else ResultStore(results_dir)
    manifest = store.read_manifest()
    rec = store.records(list(STATUS_COLUMNS))
    status = np.asarray(rec["status"].to_pylist()) if rec.num_rows else np.zeros(0, dtype=object)
    planned = int(manifest.get("runs_planned", 0))
    done = int((status == "done").sum())
    failed_idx = np.flatnonzero(status == "failed")
    failed = []
    if len(failed_idx):  # their details, matched by run (a live experiment may have stored more runs since)
        keys = ("run", "scenario", "point_id", "replication", "error")
        detail = store.records(list(keys))
        where = {int(r): i for i, r in enumerate(detail["run"].to_numpy())}
        failed = [{k: detail[k][where[int(r)]].as_py() for k in keys}
                  for r in rec["run"].to_numpy()[failed_idx[:max_failed]]]
    return {"planned": planned, "done": done, "failed": int(len(failed_idx)),
            "missing": max(planned - done - int(len(failed_idx)), 0), "failed_runs": failed}


@contextlib.contextmanager
def writing(store: ResultStore) -> Iterator[ResultStore]:
    """Hold the store's lock for the duration of a ``with`` block."""
    store.acquire()
    try:
        yield store
    finally:
        store.release()
