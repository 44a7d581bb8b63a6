"""Benchmark of the screening of assumptions (not a test): the full ``experiments/assumptions.toml`` and the
briefing's ``experiments/assumptions_brief.toml``, their runs and their analysis, with the machine's speed.

Runs ``sim experiment FILE --fresh`` into a scratch folder (or ``--out DIR``, kept), then ``sim analyse`` of it,
and prints the wall times, the runs, the mean time of a stored run and a trivial Mesa agent-step probed before and
after (as ``bench_main.py`` does: the machine's speed varies by a factor of two between days). The goal: the full
screening (every assumption, every strategy's effect) in at most 10 minutes on 2 cores.

Usage: ``.venv/bin/python benchmarks/bench_assumptions.py [--file experiments/assumptions.toml] [--workers 2]
[--out DIR]`` (about 10 minutes for the full file on 2 cores).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_experiments import run_seconds
from bench_main import REFERENCE_TRIVIAL_US, SIM, speed, timed_command, verdict

ROOT = Path(__file__).resolve().parents[1]
GOAL_FULL_S = 600.0
"""The full screening at most 10 minutes on 2 cores."""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", default=str(ROOT / "experiments" / "assumptions.toml"), help="the experiment file")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--out", help="results folder to keep (default: a scratch folder, deleted)")
    args = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="bench_assumptions_"))
    out = Path(args.out) if args.out else scratch / "results"
    try:
        run, _, ref_run = timed_command([str(SIM), "experiment", args.file, "--out", str(out), "--fresh", "--quiet",
                                         "--workers", str(args.workers)], ROOT)
        analyse, _, ref_an = timed_command([str(SIM), "analyse", str(out)], ROOT)
        seconds = run_seconds(out)
        print(f"{Path(args.file).name}: {len(seconds):,} runs in {run:.1f} s with {args.workers} workers "
              f"(a stored run {statistics.mean(seconds):.3f} s on average; {speed(ref_run)})")
        print(f"sim analyse: {analyse:.1f} s ({speed(ref_an)})")
        slow = statistics.median(ref_run + ref_an) / REFERENCE_TRIVIAL_US
        print(f"the machine: a trivial Mesa step {slow:.2f}x as long as the {REFERENCE_TRIVIAL_US} us measured when "
              "the goals were set")
        if Path(args.file).name == "assumptions.toml":
            verdict("full screening of assumptions", run, GOAL_FULL_S)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
