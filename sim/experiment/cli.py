"""Command line of batch experiments: ``sim experiment FILE`` and ``sim status RESULTS_DIR``.

``sim experiment`` runs an experiment file, or resumes it when its results
folder already holds some runs, with a progress bar on stderr and a summary at
the end. Exit codes: 0 every run done; 1 some runs failed or are missing
(re-run to retry them); 2 a bad experiment file, option or results folder;
130 interrupted (Ctrl-C or SIGTERM; finished runs are kept). Each command imports what it runs when it runs
(:mod:`sim.cli`).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from sim import arguments
from sim.errors import ScenarioError
from sim.experiment.executors import ENGINES

EXIT_INCOMPLETE = 1
EXIT_INTERRUPTED = 130


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``experiment`` and ``status`` to the ``sim`` command."""
    p = subparsers.add_parser(
        "experiment", help="run (or resume) a batch experiment file: scenarios x design points x replications",
        description="Run an experiment file (experiments/*.toml). Results go to results/<name>/ as Parquet tables "
                    "with a manifest; running the same command again resumes (done runs are skipped, failed and "
                    "missing runs run). Exit code 0: all runs done; 1: some failed or missing; 2: usage error.")
    p.add_argument("file", help="experiment TOML file, e.g. experiments/main.toml")
    p.add_argument("--engine", choices=ENGINES, default=None,
                   help="where runs execute: serial (this process), process (local pool, default), "
                        "dask (local Dask cluster, or the cluster of --scheduler)")
    p.add_argument("--workers", type=arguments.workers, default=None,
                   help=f"worker processes, 1 to {arguments.MAX_WORKERS} (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDR", type=arguments.scheduler, default=None,
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --engine dask); "
                        "its workers must have this version of the project installed")
    p.add_argument("--out", metavar="DIR", type=arguments.output_dir, default=None,
                   help="results folder (default results/<experiment name>)")
    p.add_argument("--fresh", action="store_true", help="delete the stored runs in the results folder and start over")
    p.add_argument("--force", action="store_true",
                   help="resume even though the experiment or scenario files changed since the results were started")
    p.add_argument("--repair", action="store_true",
                   help="set damaged result files (truncated or foreign parts, a manifest edited by hand) aside "
                        "under RESULTS/damaged/ and run their runs again")
    p.add_argument("--dry-run", action="store_true", help="validate the file and print the plan, run nothing")
    p.add_argument("--dashboard", action="store_true", help="with a local Dask cluster: dashboard on 127.0.0.1:8787")
    p.add_argument("--batch-size", type=arguments.positive, default=None,
                   help="runs per task sent to a worker (default: automatic)")
    p.add_argument("--flush-every", type=arguments.positive, default=50, metavar="N",
                   help="write finished runs to disk every N runs (and at least every 10 s; default 50)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_experiment)

    s = subparsers.add_parser("status", help="show the progress and provenance of an experiment's results folder",
                              description="Runs planned, done, failed (with errors) and missing; files, seeds, "
                                          "code version and sessions of a results folder of 'sim experiment'.")
    s.add_argument("results_dir", type=arguments.input_dir, help="results folder, e.g. results/main")
    s.set_defaults(func=cmd_status)


def _check_options(args: argparse.Namespace) -> None:
    if args.scheduler and args.engine not in (None, "dask"):
        raise ScenarioError(f"--scheduler: expected --engine dask (or no --engine), found --engine {args.engine}")


class _Terminated(KeyboardInterrupt):
    """SIGTERM (e.g. a cluster job scheduler stopping the job), handled like Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated()


def cmd_experiment(args: argparse.Namespace) -> int:
    """``sim experiment``: run or resume an experiment file."""
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment

    _check_options(args)
    exp = load_experiment(args.file)
    out = args.out or arguments.check_output_dir(Path("results") / exp.name, "--out")
    if args.dry_run:
        print(f"{exp.name}: {exp.describe()}")
        print(f"  design: {exp.design.describe()}")
        print(f"  scenarios: {', '.join(f'{e.name} ({e.file})' for e in exp.scenarios)}")
        print(f"  root seed {exp.root_seed}, record {exp.record}, results -> {out}")
        return 0
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        previous = None
    try:
        report = run_experiment(exp, out, engine=args.engine or "process", workers=args.workers,
                                scheduler=args.scheduler, dashboard=args.dashboard, fresh=args.fresh,
                                force=args.force, repair=args.repair, batch_size=args.batch_size,
                                flush_every=args.flush_every,
                                progress=not args.quiet)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print(report.text())
    if report.interrupted:
        return EXIT_INTERRUPTED
    return 0 if report.complete else EXIT_INCOMPLETE


def status_text(results_dir: str | Path) -> str:
    """The report of ``sim status``: experiment, provenance, counts, failed runs, sessions."""
    from sim.experiment.store import ResultStore, run_status

    store = ResultStore(results_dir)
    m = store.read_manifest()
    st = run_status(results_dir, max_failed=10)
    planned = st["planned"] or 1
    lines = [
        f"experiment  {m.get('experiment')}  ({m.get('experiment_file')}, sha256 {str(m.get('experiment_sha256'))[:12]})",
        f"results     {results_dir}",
        f"design      {m.get('design', {}).get('description')}",
        f"plan        {len(m.get('scenarios', []))} scenario(s) x {m.get('design', {}).get('n_points')} point(s) x "
        f"{m.get('replications')} replication(s) = {m.get('runs_planned')} runs; root seed {m.get('root_seed')}; "
        f"record {m.get('record')}",
        f"scenarios   {', '.join(s['name'] for s in m.get('scenarios', []))}",
        f"runs        {st['done']} done, {st['failed']} failed, {st['missing']} missing "
        f"({st['done'] / planned:.0%} complete)",
    ]
    ad = m.get("adaptive")
    if ad:
        lines[3] = (f"plan        {len(m.get('scenarios', []))} scenario(s) x {m.get('design', {}).get('n_points')} point(s) x "
                    f"{ad['min']}-{ad['max']} replications in rounds of {ad['step']} until adequate: "
                    f"{m.get('runs_planned')} runs {'in all' if ad.get('complete') else 'so far'}; root seed "
                    f"{m.get('root_seed')}; record {m.get('record')}")
        for c in ad.get("comparisons", []):
            why = {"adequate": "stopped: intervals adequate", "cap": f"stopped at the cap of {ad['max']}"}.get(
                c.get("stopped"), "running")
            lines.append(f"  {c['scenario']:<26s} {c['point_label']:<8s} {c['replications']:>4d} replications, "
                         f"{c['rounds']} round(s), {why}")
    state = m.get("status")
    if store.is_locked():
        state = "running (a 'sim experiment' process is writing now)"
    elif state == "running":
        state = "stopped before finishing (killed?); re-run the same command to resume"
    lines.append(f"state       {state}")
    env = m.get("environment", {})
    pk = env.get("packages", {})
    lines.append(f"code        {m.get('code_version')} (python {env.get('python')}, mesa {pk.get('mesa')}, "
                 f"numpy {pk.get('numpy')}; {env.get('platform')})")
    lines.append(f"started     {m.get('started')}; last finished {m.get('finished')}")
    sessions = m.get("sessions", [])
    for s in sessions[-5:]:
        lines.append(f"  session {s.get('session')}: {s.get('started')} -> {s.get('finished') or '?'}, {s.get('engine')}, "
                     f"{s.get('done')} done, {s.get('failed')} failed"
                     + (f", {s.get('seconds'):.1f} s" if isinstance(s.get("seconds"), int | float) else "")
                     + (" (interrupted)" if s.get("interrupted") else ""))
    path = Path(m.get("experiment_file_absolute") or "")
    if path.is_file():
        lines.append("file        " + _file_state(path, m))
    if st["failed_runs"]:
        lines.append("failed runs:")
        for f in st["failed_runs"]:
            lines.append(f"  run {f['run']} (scenario {f['scenario']}, point {f['point_id']}, "
                         f"replication {f['replication']}): {f['error']}")
        if st["failed"] > len(st["failed_runs"]):
            lines.append(f"  ... and {st['failed'] - len(st['failed_runs'])} more (load_summaries for all)")
    return "\n".join(lines)


def _file_state(path: Path, m: dict) -> str:
    """Whether the experiment file (with the files it extends) still says what it said when the results were
    started: word for word, in other words (comments or layout, which a resume takes), or otherwise."""
    import hashlib

    from sim.experiment.spec import content_hash, read_experiment, says_otherwise

    try:
        raw, text = read_experiment(path)
    except ScenarioError as exc:
        return f"CHANGED since the results were started, and it no longer reads: {exc}"
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if sha == m.get("experiment_sha256"):
        return "unchanged since the results were started"
    if not says_otherwise(m.get("experiment_content_sha256"), m.get("experiment_sha256"), content_hash(raw), sha):
        return "comments or layout changed since the results were started, not what it says (a resume goes on)"
    return "CHANGED since the results were started (resume needs --fresh or --force)"


def cmd_status(args: argparse.Namespace) -> int:
    """``sim status``: progress and provenance of a results folder."""
    sys.stdout.write(status_text(args.results_dir) + "\n")
    return 0
