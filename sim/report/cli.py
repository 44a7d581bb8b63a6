"""Command line of the briefing: ``sim brief RESULTS_DIR`` and ``sim main`` (the README's main command).

Each command imports what it runs when it runs (:mod:`sim.cli`).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim import arguments
from sim.errors import ScenarioError
from sim.experiment.executors import ENGINES, ProcessExecutor, default_workers

EXIT_USAGE = 2
EXIT_INCOMPLETE = 1
MAIN_EXPERIMENT = "experiments/main.toml"
MAIN_SENSITIVITY = "experiments/assumptions_brief.toml"
"""The screening of every assumption on every strategy's effect, at the briefing's size (the full one is
``experiments/assumptions.toml``)."""
PLAN_OPTIMISE = "experiments/optimise/plan.toml"
PLAN_LEVERS = "experiments/sobol_budget.toml"
PLAN_DISCOVER = "experiments/discover_channels.toml"
PLAN_OUTPUT = "jobs"
"""``sim main``: the allocation search (``--plan``, by default); with ``--extras`` also the Sobol' design over
budget shares and the failure search of a strategy (the discover experiment's second scenario against its first,
judged on jobs)."""
BRIEF_CONFIG = "experiments/memo/brief.toml"
"""The memo's title, issuing unit and series (``sim.report.memo.load_config``), when the file exists."""
LANGS = ("zh", "en")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``brief`` and ``main`` to the ``sim`` command."""
    b = subparsers.add_parser(
        "brief", help="write the policy briefing (PDF and HTML, 2-4 pages) of an experiment's results",
        description="Analyse the results if needed (sim analyse), draw the charts and write brief_<lang>.pdf and "
                    "brief_<lang>.html: headline findings, effects with 95%% intervals, costs, key assumptions.")
    b.add_argument("results_dir", type=arguments.input_dir, help="results folder of 'sim experiment', e.g. results/main")
    b.add_argument("--lang", choices=(*LANGS, "both"), default="zh", help="language (default zh; 'both' for zh and en)")
    b.add_argument("--out", metavar="DIR", type=arguments.output_dir, help="output folder (default RESULTS_DIR/brief)")
    b.add_argument("--sensitivity", metavar="DIR", type=arguments.input_dir,
                   help="results folder of a Sobol' or Morris experiment whose indices give the key assumptions")
    b.add_argument("--baseline", help="scenario to compare against (default: 'baseline', else the first)")
    b.add_argument("--discover", action="append", default=[], metavar="JSON",
                   help="a discovery summary of sim discover (RESULTS/analysis/discovery_*.json) for the section "
                        "'When it fails'; repeatable")
    b.add_argument("--policy", metavar="DIR", type=arguments.input_dir,
                   help="results of sim optimise: the briefing ends with the policy page (recommended allocation)")
    b.add_argument("--levers", metavar="DIR", type=arguments.input_dir,
                   help="results of a Sobol' design over budget shares (experiments/sobol_budget.toml): "
                        "the chart of which lever bought what")
    b.add_argument("--join", action="append", default=[], metavar="DIR", type=arguments.input_dir,
                   help="results of another strategy run in the same setting (root seed, horizon, overrides, "
                        "posterior draws): it joins the comparison; repeatable")
    b.add_argument("--config", metavar="FILE", default=None,
                   help=f"the memo's title, issuing unit and series (default {BRIEF_CONFIG} when it exists)")
    b.set_defaults(func=cmd_brief)

    m = subparsers.add_parser(
        "main", help="run the main experiment (every strategy) and the screening of its effects under every "
                     "assumption, then write the briefing in Chinese and English",
        description=f"Run (or resume) {MAIN_EXPERIMENT} into results/main (every strategy over the calibration's "
                    f"posterior) and {MAIN_SENSITIVITY} (every strategy's effect under every "
                    "assumption) into their results folders, analyse them and write results/main/brief/brief_zh.pdf, "
                    "brief_en.pdf and the HTML.")
    m.add_argument("--experiment", default=MAIN_EXPERIMENT, help=f"experiment file (default {MAIN_EXPERIMENT})")
    m.add_argument("--sensitivity", default=MAIN_SENSITIVITY,
                   help=f"sensitivity experiment file (default {MAIN_SENSITIVITY}, the screening of assumptions at the "
                        "briefing's size; experiments/assumptions.toml is the full one); 'none' to skip")
    m.add_argument("--engine", choices=ENGINES, default="process",
                   help="where runs execute: serial, process (default) or dask")
    m.add_argument("--workers", type=arguments.workers, default=None,
                   help=f"worker processes, 1 to {arguments.MAX_WORKERS} (default: all cores)")
    m.add_argument("--plan", default=PLAN_OPTIMISE, metavar="OPTIMISE_FILE",
                   help=f"the allocation search whose choice the memo recommends, run first and then as one more "
                        f"strategy of the main comparison (default {PLAN_OPTIMISE}); 'none' to skip")
    m.add_argument("--extras", action="store_true",
                   help=f"also run {PLAN_LEVERS} (which lever bought what) and {PLAN_DISCOVER} (when a strategy "
                        "fails); the memo then shows them")
    m.add_argument("--brief-config", default=None, metavar="FILE",
                   help=f"the memo's title, issuing unit and series (default {BRIEF_CONFIG}, when it exists)")
    m.add_argument("--fresh", action="store_true", help="start the experiments over instead of resuming")
    m.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    m.set_defaults(func=cmd_main)


def _newest(results_dir: Path) -> float:
    from sim.experiment.store import MANIFEST, SUMMARY_DIR

    stamps = [results_dir / MANIFEST, *sorted((results_dir / SUMMARY_DIR).glob("part-*.parquet"))]
    return max((p.stat().st_mtime for p in stamps if p.is_file()), default=0.0)


def ensure_analysis(results_dir: Path, baseline: str | None = None, also: tuple[Path, ...] = ()) -> Path:
    """The analysis folder of ``results_dir``, (re)computed when missing, older than the stored runs (of the joined
    folders too), or made with another baseline or other joined folders.

    The stored runs are checked first even when the analysis is up to date: a part damaged after the
    analysis was written stops the briefing (DamagedResults) instead of briefing on runs no longer there.
    """
    from sim.analysis.tables import ANALYSIS_DIR, JSON_NAME, analyse, load_analysis
    from sim.experiment.store import ResultStore

    others = [Path(p) for p in also]
    for f in (results_dir, *others):
        ResultStore(f).verify()
    folder = results_dir / ANALYSIS_DIR
    js = folder / JSON_NAME
    newest = max([_newest(results_dir), *(_newest(f) for f in others)])
    stale = not js.is_file() or js.stat().st_mtime < newest
    if not stale:
        data = load_analysis(folder)
        stale = (baseline is not None and data.get("baseline") != baseline) or "posterior" not in data or \
            [j["results_dir"] for j in data.get("joined", [])] != [str(Path(p)) for p in also]
    if stale:
        analyse(results_dir, baseline=baseline, log=lambda m: print(m, file=sys.stderr), also=tuple(also))
    return folder


def write_briefs(results_dir: Path, out: Path, langs: tuple[str, ...], sensitivity: Path | None = None,
                 baseline: str | None = None,
                 discover: list[str] | None = None, policy: Path | None = None,
                 levers: Path | None = None, also: tuple[Path, ...] = (),
                 config: Path | None = None) -> list[dict]:
    """Analyse (if needed) and write the briefing in each language; returns what :func:`write_brief` returned.

    With more than one core the analyses (main, sensitivity, levers) run side by side, then the languages'
    briefings: each writes its own files, so the results are those of one after the other. While the analyses
    run, this process loads the briefing's libraries (:func:`sim.report.brief.load_briefing`), and
    the briefings' workers are forked from it afterwards: they start with them instead of each loading them."""
    from concurrent.futures import ThreadPoolExecutor

    if policy:
        check_policy_dir(policy)
    if config is not None:
        from sim.report.memo import load_config

        load_config(config)  # a bad file is one line before any work
    analyses = [(results_dir, baseline, tuple(also)), *((extra, None, ()) for extra in (sensitivity, levers) if extra)]

    def briefing(folders: list[Path]) -> functools.partial:
        from sim.report.brief import write_brief

        return functools.partial(write_brief, folders[0], out, sensitivity_dir=folders[1] if sensitivity else None,
                                 discover=discover, policy_dir=policy, levers_dir=levers, config=config)

    workers = min(max(len(analyses), len(langs)), default_workers())
    if workers == 1:
        brief = briefing([ensure_analysis(*a) for a in analyses])
        return [brief(lang) for lang in langs]
    with ProcessExecutor(workers) as pool, ThreadPoolExecutor(1) as waiter:
        pool.start()  # forked while this process runs one thread
        analysed = waiter.submit(_each, pool, _ensure_analysis, analyses)
        from sim.report.brief import load_briefing

        load_briefing()  # here, in the main thread, while the workers analyse
        folders = analysed.result()
    with ProcessExecutor(workers) as pool:  # forked from this process as it is now
        return _each(pool, briefing(folders), list(langs))


def _ensure_analysis(task: tuple) -> Path:
    return ensure_analysis(*task)


def _each(pool: Any, fn: Callable[[Any], Any], tasks: list) -> list:
    """``fn`` of every task in the pool, in the order of ``tasks``; the first failure (in that order) raised."""
    done = dict(pool.imap_unordered(fn, tasks))
    for task in tasks:
        if isinstance(done[task], Exception):
            raise done[task]
    return [done[task] for task in tasks]


POLICY_TABLES = ("summary.json", "comparison.csv", "allocation.csv", "optimise.json")
"""What a finished ``sim optimise`` leaves, and the policy page reads."""


def check_policy_dir(folder: Path, key: str = "--policy") -> None:
    """Refuse (one line) a folder that does not hold a finished optimisation."""
    for need in POLICY_TABLES:
        if not (Path(folder) / need).is_file():
            raise ScenarioError(f"{folder}: key '{need}': expected the results of a finished sim optimise ({key}), "
                                f"found no {need}")


def cmd_brief(args: argparse.Namespace) -> int:
    """``sim brief``: the briefing of one results folder."""
    from sim.analysis.data import AnalysisError
    from sim.experiment.store import StoreError

    results = Path(args.results_dir)
    out = args.out or arguments.check_output_dir(results / "brief", "results_dir")
    for folder in (results, args.sensitivity):
        if folder is not None:
            arguments.check_output_dir(folder / "analysis", "results_dir" if folder is results else "--sensitivity")
    langs = LANGS if args.lang == "both" else (args.lang,)
    config = Path(args.config) if args.config else (_find(BRIEF_CONFIG) if _find(BRIEF_CONFIG).is_file() else None)
    try:
        done = write_briefs(results, out, langs, Path(args.sensitivity) if args.sensitivity else None, args.baseline,
                            getattr(args, "discover", None),
                            Path(args.policy) if args.policy else None, Path(args.levers) if args.levers else None,
                            tuple(Path(p) for p in args.join), config)
    except (AnalysisError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for d in done:
        print(f"{d['pdf']} ({d['pages']} pages), {d['html']}")
    return 0


def _find(path: str) -> Path:
    """A file given relative to the current folder, else relative to the repository root."""
    p = Path(path)
    if p.is_file() or p.is_absolute():
        return p
    root = Path(__file__).resolve().parents[2]
    return root / p if (root / p).is_file() else p


def _discover(discover_exp, discover_dir: Path) -> list[str]:
    """Where the discover experiment's strategy fails (``sim main --extras``): the discovery files for the memo."""
    from sim.analysis.data import load_results
    from sim.analysis.discovery import discover, write

    names = [s.name for s in discover_exp.scenarios]
    results = load_results(discover_dir, baseline=names[0], monthly=False)
    table, summary = discover(results, names[1], PLAN_OUTPUT)
    print(f"{names[1]}: fails in {summary['failing']} of {summary['futures']} futures on {PLAN_OUTPUT}", file=sys.stderr)
    return [str(f) for f in write(discover_dir, table, summary) if f.suffix == ".json"]


def _optimise(plan, args: argparse.Namespace) -> tuple[int, Path | None]:
    """The allocation search of ``sim main``: (exit code, the optimiser's folder)."""
    from sim.experiment.optimise import OptimiseError, optimise

    out = Path("results") / "optimise" / plan.name
    print(f"{plan.name}: {plan.describe()} -> {out}", file=sys.stderr)
    try:
        res = optimise(plan, out, engine=args.engine, workers=args.workers, fresh=args.fresh, progress=not args.quiet)
    except KeyboardInterrupt:
        return 130, None
    except OptimiseError as exc:
        print(f"error: {exc}; re-run 'sim main' to resume", file=sys.stderr)
        return EXIT_INCOMPLETE, None
    print(f"{plan.name}: {res.summary['candidates']} candidates, {res.runs} runs", file=sys.stderr)
    return 0, out


def _with_recommended(exp, policy: Path):
    """The main comparison with the allocation the search chose as one more strategy (``recommended``, written in
    the search's folder ``policy``: :mod:`sim.experiment.recommended`); its replications are decided with every
    strategy's."""
    from sim.experiment.recommended import NAME, write_comparison, write_scenario
    from sim.experiment.spec import load_experiment

    return load_experiment(write_comparison(exp, write_scenario(policy, policy), policy / f"{exp.name}_with_{NAME}.toml"))


def _other_choice(out: Path, exp) -> bool:
    """Whether the results in ``out`` hold another recommended allocation than ``exp`` (or one where ``exp`` has
    none, or none where it has one): the search chose again, or was skipped, so the comparison starts over."""
    from sim.experiment.recommended import NAME
    from sim.experiment.store import MANIFEST, load_manifest

    if not (out / MANIFEST).is_file():
        return False
    stored = next((s.get("text") for s in load_manifest(out).get("scenarios", []) if s.get("name") == NAME), None)
    now = next((Path(e.path).read_text(encoding="utf-8") for e in exp.scenarios if e.name == NAME), None)
    return stored != now


def cmd_main(args: argparse.Namespace) -> int:
    """``sim main``: the allocation search, then the main experiment over the calibration's posterior with the
    search's choice as one more strategy, and the screening of its effects under every assumption, analysed and
    written up as the memo in both languages."""
    from sim.analysis.data import AnalysisError
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment
    from sim.experiment.store import StoreError

    files = {"main": _find(args.experiment)}
    if args.sensitivity and args.sensitivity.lower() != "none":
        files["sensitivity"] = _find(args.sensitivity)
    if args.extras:
        files["levers"], files["discover"] = _find(PLAN_LEVERS), _find(PLAN_DISCOVER)
    plan = None
    if args.plan and args.plan.lower() != "none":
        from sim.experiment.optimise import load_optimise

        plan = load_optimise(_find(args.plan))
    config = _find(args.brief_config) if args.brief_config else (
        _find(BRIEF_CONFIG) if _find(BRIEF_CONFIG).is_file() else None)
    if config is not None:  # a file named but missing or wrong is one line before any run
        from sim.report.memo import load_config

        load_config(config)
    folders: dict[str, Path] = {}
    try:
        exps = {role: load_experiment(f) for role, f in files.items()}
        for role, exp in exps.items():
            arguments.check_output_dir(Path("results") / exp.name, "--experiment" if role == "main" else f"--{role}")
        if plan is not None:
            arguments.check_output_dir(Path("results") / "optimise" / plan.name, "--plan")
        policy = None
        if plan is not None:  # first: its choice runs in the comparison, from the comparison's warm states
            code, policy = _optimise(plan, args)
            if code:
                return code
            exps["main"] = _with_recommended(exps["main"], policy)
        for role, exp in exps.items():
            out = Path("results") / exp.name
            print(f"{exp.name}: {exp.describe()} -> {out}", file=sys.stderr)
            restart = role == "main" and _other_choice(out, exp)
            if restart and not args.fresh:
                print(f"{exp.name}: {out} holds another recommended allocation (or none); starting over",
                      file=sys.stderr)
            report = run_experiment(exp, out, engine=args.engine, workers=args.workers,
                                    fresh=args.fresh or restart, progress=not args.quiet)
            print(report.text(), file=sys.stderr)
            if report.interrupted:
                return 130
            if not report.complete:
                print(f"error: {exp.name}: {report.missing + report.failed_total} runs not done; "
                      f"re-run 'sim main' to resume", file=sys.stderr)
                return EXIT_INCOMPLETE
            folders[role] = out
        discover = _discover(exps["discover"], folders["discover"]) if "discover" in folders else []
        main_dir = folders["main"]
        done = write_briefs(main_dir, main_dir / "brief", LANGS, folders.get("sensitivity"), discover=discover,
                            policy=policy, levers=folders.get("levers"), config=config)
    except (AnalysisError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"analysis: {main_dir / 'analysis'}")
    for d in done:
        print(f"memo: {d['pdf']} ({d['pages']} pages) and {d['html']}")
    return 0
