"""Command line of ``sim optimise``, ``sim discover`` and ``sim policy``.

Exit codes as ``sim experiment``: 0 done, 1 some runs failed (re-run to retry), 2 a bad file or option,
130 interrupted (finished runs are kept; the same command resumes). Each command imports what it runs when it
runs (:mod:`sim.cli`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim import arguments
from sim.errors import ScenarioError
from sim.experiment.executors import ENGINES


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``optimise`` (and the commands that read its results) to the ``sim`` command."""
    p = subparsers.add_parser(
        "optimise", help="search the budget allocation that holds up across uncertain futures (pymoo)",
        description="Read an optimiser file (experiments/optimise*.toml): budget shares and staff settings as decisions, "
                    "objectives, futures. Results go to results/optimise/<name>/; the same command resumes.")
    p.add_argument("file", help="optimiser TOML file, e.g. experiments/optimise/ci.toml")
    p.add_argument("--engine", choices=ENGINES, default="process", help="where runs execute (default: process pool)")
    p.add_argument("--workers", type=arguments.workers, default=None, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDR", type=arguments.scheduler, default=None,
                   help="address of a running Dask scheduler (implies --engine dask)")
    p.add_argument("--out", metavar="DIR", type=arguments.output_dir, default=None,
                   help="results folder (default results/optimise/<name>)")
    p.add_argument("--fresh", action="store_true", help="delete stored results and start over")
    p.add_argument("--force", action="store_true", help="resume although the file changed")
    p.add_argument("--dry-run", action="store_true", help="validate the file and print the size of the search")
    p.add_argument("--lang", choices=("zh", "en", "both"), default="both", help="language of the chart (default both)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_optimise)

    d = subparsers.add_parser(
        "discover", help="when does a strategy fail? PRIM and a classification tree over a stored experiment's futures",
        description="Read a results folder of 'sim experiment' whose design samples uncertain assumptions (lhs, sobol, "
                    "morris) with the baseline and a strategy as scenarios; find the boxes of assumptions under which "
                    "the strategy does worse than the baseline (or misses --target). Writes "
                    "RESULTS/analysis/discovery_<strategy>_<output>.{csv,parquet,json}.")
    d.add_argument("results_dir", type=arguments.input_dir, help="results folder, e.g. results/discover_channels")
    d.add_argument("--strategy", required=True, help="scenario name of the strategy, e.g. channels")
    d.add_argument("--output", default="jobs", help="stored output judged (default jobs)")
    d.add_argument("--baseline", default=None, help="baseline scenario (default: the first)")
    d.add_argument("--target", type=float, default=None,
                   help="fail when the strategy's own mean is below this (instead of: worse than the baseline)")
    d.add_argument("--less-is-better", action="store_true", help="the output is a cost: failing means above")
    d.set_defaults(func=cmd_discover)

    q = subparsers.add_parser(
        "policy", help="the policy pages: recommended allocation, what it buys, when it fails, why effects happen",
        description="Write policy_<lang>.html and .pdf from stored results: an optimiser folder (sim optimise), and "
                    "optionally an analysed strategy comparison (decomposition), discovery tables and a Sobol' design "
                    "over budget shares.")
    q.add_argument("optimise_dir", type=arguments.input_dir, help="results of sim optimise, e.g. results/optimise/allocation")
    q.add_argument("--main", type=arguments.input_dir, default=None, help="analysed strategy comparison, e.g. results/main")
    q.add_argument("--discover", action="append", default=[], metavar="JSON",
                   help="a discovery summary written by sim discover (RESULTS/analysis/discovery_*.json); repeatable")
    q.add_argument("--sobol", type=arguments.input_dir, default=None, help="analysed Sobol' design over budget shares")
    q.add_argument("--lang", choices=("zh", "en", "both"), default="both")
    q.add_argument("--out", type=arguments.output_dir, default=None, help="folder (default OPTIMISE_DIR/policy)")
    q.set_defaults(func=cmd_policy)


def cmd_optimise(args: argparse.Namespace) -> int:
    """``sim optimise``: run or resume a robust allocation search, write tables and the chart."""
    from sim.experiment.optimise import OptimiseError, load_optimise, optimise

    spec = load_optimise(args.file)
    out = args.out or arguments.check_output_dir(Path("results") / "optimise" / spec.name, "--out")
    if args.dry_run:
        print(f"{spec.name}: {spec.describe()}")
        print(f"  decisions: shares of {', '.join(spec.shares)} (total {spec.share_total})"
              + (f"; {', '.join(spec.ranges)}" if spec.ranges else ""))
        print(f"  objectives: {', '.join(f'{o.sense} {o.output}' for o in spec.objectives)}; robustness {spec.robustness}"
              + (f" (quantile {spec.quantile})" if spec.robustness == "quantile" else ""))
        print(f"  results -> {out}")
        return 0
    engine = "dask" if args.scheduler else args.engine
    try:
        res = optimise(spec, out, engine=engine, workers=args.workers, scheduler=args.scheduler, fresh=args.fresh,
                       force=args.force, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"interrupted; finished runs are kept in {out}: run the same command to resume")
        return 130
    except OptimiseError as exc:  # some runs failed: stored with their errors, a rerun retries them
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from sim.report.policy import optimise_chart

    langs = ("zh", "en") if args.lang == "both" else (args.lang,)
    charts = [optimise_chart(out, lang) for lang in langs]
    print(f"{spec.name}: {res.summary['candidates']} candidates, {res.runs} runs in {res.seconds:.1f} s; "
          f"tables in {out}; chart {', '.join(str(c) for c in charts)}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    """``sim discover``: boxes of failing futures with coverage and density, in tables and plain words."""
    import math

    from sim.analysis.data import load_results
    from sim.analysis.discovery import box_sentence, discover, write

    if args.target is not None and not math.isfinite(args.target):
        raise ScenarioError(f"--target: expected a finite number, found {args.target}")
    results = load_results(args.results_dir, baseline=args.baseline, monthly=False)
    table, summary = discover(results, args.strategy, args.output, args.target, below=not args.less_is_better)
    files = write(args.results_dir, table, summary)
    print(f"{summary['strategy']}: fails in {summary['failing']} of {summary['futures']} futures on {summary['output']}")
    for m, b in table[["method", "box"]].drop_duplicates().itertuples(index=False):
        print(f"  {m} box {b}: {box_sentence(table, summary, m, int(b), 'en')}")
    print(f"tables: {', '.join(str(f) for f in files)}")
    return 0


def cmd_policy(args: argparse.Namespace) -> int:
    """``sim policy``: the policy pages in Chinese and/or English."""
    from sim.report.cli import check_policy_dir
    from sim.report.policy import policy_page

    for f in args.discover:
        if not Path(f).is_file():
            raise ScenarioError(f"--discover: expected a discovery JSON file written by sim discover, found no file {f}")
    check_policy_dir(Path(args.optimise_dir), "optimise_dir")
    out = args.out or Path(args.optimise_dir) / "policy"
    langs = ("zh", "en") if args.lang == "both" else (args.lang,)
    for lang in langs:
        r = policy_page(args.optimise_dir, out, lang, main_dir=args.main, discover=args.discover, sobol_dir=args.sobol)
        print(f"{r['pdf']} ({r['pages']} page(s)), {r['html']}")
    return 0
