"""Command line: ``sim run``, ``sim params`` and the commands of the experiment, report and app packages.

Every user error (a bad scenario or experiment file, a missing file) ends in
one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.scenario import ScenarioError

EXIT_USAGE = 2


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.runio import run_and_write
    from sim.scenario import load_scenario

    spec = load_scenario(args.scenario, overrides=parse_sets(args.set, "--set"))
    out = Path(args.out) if args.out else Path("results") / "runs" / spec.name
    summary = run_and_write(spec, seed=args.seed, out=out, lang=args.lang)
    print(f"{spec.label(args.lang)}: {summary['signed_projects']} projects signed, "
          f"fulfilment (started within 24 months) {summary['cohort_start_rate_24m']:.1%}, capital arrival at 24 months "
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
    from sim.paramdoc import parameter_table

    text = parameter_table()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``sim`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="sim", description="Simulator of investment-attraction strategies (招商引资)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one scenario file and write its tables, summary and chart")
    run.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    run.add_argument("--seed", type=int, default=0, help="random seed (same seed, same numbers)")
    run.add_argument("--out", help="output folder (default results/runs/<scenario name>)")
    run.add_argument("--lang", choices=("zh", "en"), default="zh", help="chart language (default zh)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="override a parameter, e.g. --set policy.incentive_rate=5 (repeatable)")
    run.set_defaults(func=_cmd_run)
    params = sub.add_parser("params", help="print the documented parameter table (Markdown)")
    params.add_argument("--out", help="write to this file instead of stdout")
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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
