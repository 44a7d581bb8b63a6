"""Command line: ``sim run``, ``sim params`` and the commands of the experiment, report and app packages.

Every user error (a bad scenario or experiment file, a bad argument, a path
that cannot be read or written) ends in one line on stderr and exit code 2,
never a traceback. An unexpected internal error prints one line with the path
of a log file holding the traceback (under ``results/logs/``, or the folder
named by ``SIM_LOG_DIR``) and exits with code 1.

Every package's command module is imported whenever ``sim`` starts (its
``register`` adds the subcommands), so a command imports what it runs inside
its function: ``sim --help`` and an argument error take some 30 ms, not the
seconds that the model, pandas, matplotlib or WeasyPrint take to load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from sim import arguments
from sim.errors import ScenarioError
from sim.files import atomic_write_text

EXIT_USAGE = 2
EXIT_INTERNAL = 1
LOG_DIR_ENV = "SIM_LOG_DIR"
DEFAULT_LOG_DIR = Path("results") / "logs"


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.run import run_and_write
    from sim.scenario import load_scenario

    sets = parse_sets(args.set, "--set")
    spec = load_scenario(args.scenario)
    spec = spec.with_overrides(sets, source="--set") if sets else spec
    out = args.out or arguments.check_output_dir(Path("results") / "runs" / spec.name, "--out")
    summary = run_and_write(spec, seed=args.seed, out=out, lang=args.lang)
    print(f"{spec.label(args.lang)}: {summary['signed_projects']} projects signed, "
          f"fulfilment (building or operating 24 months after signing) {summary['cohort_fulfilment_rate_24m']:.1%}, "
          f"capital arrival at 24 months "
          f"{summary['cohort_capital_arrival_rate_24m']:.1%}, "
          f"{summary['jobs']:.0f} jobs -> {out}")
    return 0


def parse_sets(items: list[str] | None, source: str) -> dict:
    """``KEY=VALUE`` overrides; VALUE is read as a TOML value (``5``, ``0.3``, ``true``, ``"text"``)."""
    import tomllib

    out = {}
    for item in items or []:
        key, eq, raw = item.partition("=")
        if not eq or not key.strip():
            raise ScenarioError(f"{source}: key '{item}': expected KEY=VALUE, found no '='")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw.strip()
    return out


def _cmd_params(args: argparse.Namespace) -> int:
    from sim.calibration.markdown import parameters_page

    text = parameters_page()
    if args.out:
        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``sim`` argument parser with every subcommand."""
    parser = arguments.Parser(prog="sim", description="Simulator of investment-attraction strategies (招商引资)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one scenario file and write its tables, summary and chart")
    run.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    run.add_argument("--seed", type=arguments.seed, default=0,
                     help=f"random seed from 0 to {arguments.MAX_SEED} (same seed, same numbers)")
    run.add_argument("--out", type=arguments.output_dir, help="output folder (default results/runs/<scenario name>)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default zh)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="override a parameter, e.g. --set policy.incentive_rate=5 (repeatable)")
    run.set_defaults(func=_cmd_run)
    params = sub.add_parser("params", help="print the documented parameter table (Markdown)")
    params.add_argument("--out", type=arguments.output_file, help="write to this file instead of stdout")
    params.set_defaults(func=_cmd_params)
    # Commands of other packages register here.
    for register in _registrars():
        register(sub)
    return parser


def _registrars():
    """``register(subparsers)`` functions of the packages that add commands."""
    from sim import commands

    return commands.REGISTRARS


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sim`` command."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.filename is None:
            return internal_error(exc, argv)
        print(f"error: {exc.filename}: expected a path this user can read or write, found {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        return internal_error(exc, argv)


def log_dir() -> Path:
    """Where tracebacks of internal errors go: $SIM_LOG_DIR, else results/logs under the current folder."""
    return Path(os.environ.get(LOG_DIR_ENV) or DEFAULT_LOG_DIR)


def internal_error(exc: BaseException, argv: list[str] | None) -> int:
    """Report an unexpected error: one line naming a log file that holds the traceback; exit code 1."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (f"sim {' '.join(sys.argv[1:] if argv is None else argv)}\n"
            f"{''.join(traceback.format_exception(exc))}")
    log = None
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "sim-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            log = folder / f"sim-error-{stamp}-{os.getpid()}.log"
            log.write_text(text, encoding="utf-8")
            break
        except OSError:
            log = None
    what = " ".join(f"{type(exc).__name__}: {exc}".split())
    what = what if len(what) <= 200 else what[:197] + "..."
    where = f"the traceback is in {log}" if log else "no log file could be written"
    print(f"error: internal error ({what}); {where}; please report it", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
