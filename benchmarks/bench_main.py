"""Benchmark of the README's main job (not a test): ``sim main`` from scratch, its parts, and the machine's speed.

Runs ``sim main --quiet`` in an empty scratch folder (the results are written there; the experiment, optimiser and
scenario files are the repository's): the allocation search (``experiments/optimise/plan.toml``), the comparison over
the posterior with the search's choice as one more strategy, the screening of assumptions, then the memo. Then
once more after deleting the analyses and the memos, which times the analysis and both memos from the stored runs
(with the command's start-up and the search replayed from its stored runs); and ``sim brief`` alone on the
analysed results, which times the memo itself (charts and both languages). Prints each experiment's runs (from
its report line: runs and seconds), the search's time (its ``summary.json``), the mean time of a stored run, and
the rest (start-up, round decisions, analysis and memos).

This machine is a virtual machine whose speed has varied by a factor of two between days and, on a busy day, by a
factor of two between seconds (a trivial Mesa agent-step took 0.34 to 2 us; another guest on the same physical core
slows it without showing as stolen time). So a trivial Mesa agent-step (``bench_model.py``'s: one attribute
update, ``shuffle_do``, 10,000 agents, 5 steps of CPU time) is probed seven times just before and seven times just
after each command, with the machine otherwise idle (probes during the job would share a core with a worker), and
reported beside the times with the step of 0.55 us measured when the goals were set. The goals (whole job, the
search included, at most 240 s, and at most 180 s since the calibrated region runs warm-started over the posterior;
the memo in both languages at most 20 s) are judged on the measured times only: scaling them by the probes
would flatter a busy day, when the trivial step (pure Python) slowed threefold and a model run less than twofold.

Usage: ``.venv/bin/python benchmarks/bench_main.py [--workers 2] [--keep]`` (about 4-8 minutes on 2 cores);
``--memo FOLDER`` times only the memo (``sim brief``, both languages) on the results a ``sim main`` left in
``FOLDER/results``, three times (seconds to a minute), judged on the fastest.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_experiments import run_seconds
from bench_model import _Trivial

ROOT = Path(__file__).resolve().parents[1]
SIM = Path(sys.executable).with_name("sim")
REFERENCE_TRIVIAL_US = 0.55
"""A trivial Mesa agent-step (microseconds) on this machine when the goals were set (the main job then took 6 min 10 s)."""
GOAL_JOB_S = 240.0
GOAL_JOB_WARM_S = 180.0
"""The whole job with the warm start, the posterior's draws, every strategy and the memo: at most 3 minutes."""
GOAL_MEMO_S = 20.0
REPORT = re.compile(r"^(?P<name>[\w-]+): (?P<runs>\d+) runs done, \d+ failed, .* in (?P<s>[\d.]+) s on ")
PROBES = 7
"""Probes of the machine's speed before and after each command (each about 0.05 s of one core, 0.2 s apart)."""
PROBE_AGENTS, PROBE_STEPS = 10_000, 5
_probe_model = None


def probe() -> float:
    """Microseconds of CPU time per trivial Mesa agent-step, over a few steps of one model kept between probes."""
    global _probe_model
    if _probe_model is None:
        _probe_model = _Trivial(PROBE_AGENTS, seed=0)
    t0 = time.process_time()
    for _ in range(PROBE_STEPS):
        _probe_model.step()
    return (time.process_time() - t0) / (PROBE_AGENTS * PROBE_STEPS) * 1e6


def timed_command(args: list[str], cwd: Path) -> tuple[float, str, list[float]]:
    """(wall seconds, standard error, the trivial steps in us probed just before and just after) of one command."""
    probes = probe_idle()
    t0 = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    probes += probe_idle()
    if done.returncode != 0:
        sys.exit(f"error: {' '.join(args)} exited with {done.returncode}: {done.stderr.strip().splitlines()[-1:]}")
    return seconds, done.stderr, probes


def probe_idle() -> list[float]:
    out = []
    for _ in range(PROBES):
        out.append(probe())
        time.sleep(0.2)
    return out


def speed(probes: list[float]) -> str:
    return (f"trivial Mesa step {statistics.median(probes):.3f} us, the median of {len(probes)} probes before and "
            f"after, range {min(probes):.3f}-{max(probes):.3f}")


def verdict(label: str, seconds: float, goal: float) -> None:
    print(f"{label:<34} {seconds:8.1f} s   <= {goal:5.0f} s   {seconds <= goal!s:>5}")


def brief_command(results: Path, out: Path) -> list[str]:
    """``sim brief`` of the main comparison in both languages, with everything ``sim main`` gives it (the screening,
    the search, whose choice is among the comparison's strategies, the masthead)."""
    return [str(SIM), "brief", str(results / "main"), "--lang", "both", "--out", str(out),
            "--sensitivity", str(results / "assumptions_brief"), "--policy", str(results / "optimise" / "plan"),
            "--config", str(ROOT / "experiments/memo/brief.toml")]


def memo_only(folder: Path, repeats: int = 3) -> int:
    """Time the memo alone on stored, analysed results (``folder/results`` of ``sim main``): ``repeats`` times, each
    into a fresh scratch folder; judged on the fastest, with the machine's speed beside it."""
    results = folder.resolve() / "results"
    if not (results / "main" / "analysis" / "analysis.json").is_file():
        sys.exit(f"error: {results / 'main'}: key 'analysis': expected the results of a finished sim main, found none")
    times, probes = [], []
    for _ in range(repeats):
        out = Path(tempfile.mkdtemp(prefix="bench_memo_"))
        try:
            seconds, _, ref = timed_command(brief_command(results, out), folder)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        times.append(seconds)
        probes += ref
        print(f"the memo (sim brief, both languages): {seconds:.1f} s")
    print(f"the machine: {speed(probes)}")
    verdict("the memo in both languages (best)", min(times), GOAL_MEMO_S)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=None, help="workers of sim main (default: all cores)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (its path is printed)")
    ap.add_argument("--memo", metavar="FOLDER", type=Path, default=None,
                    help="time only the memo on the results of a finished sim main run in FOLDER (FOLDER/results)")
    args = ap.parse_args(argv)
    if args.memo is not None:
        return memo_only(args.memo)
    scratch = Path(tempfile.mkdtemp(prefix="bench_main_"))
    cmd = [str(SIM), "main", "--quiet", "--experiment", str(ROOT / "experiments/main.toml"),
           "--sensitivity", str(ROOT / "experiments/assumptions_brief.toml"),
           "--plan", str(ROOT / "experiments/optimise/plan.toml"), "--brief-config", str(ROOT / "experiments/memo/brief.toml")]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    try:
        job, err, ref_job = timed_command(cmd, scratch)
        parts = [m.groupdict() for m in map(REPORT.match, err.splitlines()) if m]
        results = scratch / "results"
        plan = json.loads((results / "optimise" / "plan" / "summary.json").read_text(encoding="utf-8"))
        for folder in ("main", "assumptions_brief"):
            shutil.rmtree(results / folder / "analysis", ignore_errors=True)
        shutil.rmtree(results / "main" / "brief")
        rest, _, ref_rest = timed_command(cmd, scratch)
        shutil.rmtree(results / "main" / "brief")
        memo, _, ref_memo = timed_command(brief_command(results, results / "main" / "brief"), scratch)
        print(f"sim main from scratch: {job:.1f} s ({speed(ref_job)})")
        ran = 0.0
        for p in parts:
            s = float(p["s"])
            ran += s
            mean = statistics.mean(run_seconds(results / p["name"]))
            print(f"  {p['name']:<28} {int(p['runs']):>5} runs in {s:7.1f} s   (a stored run {mean:.3f} s on average)")
        ran += float(plan["seconds"])
        print(f"  {'plan (allocation search)':<28} {plan['runs']:>5} runs in {plan['seconds']:7.1f} s")
        print(f"  {'the rest':<28} {'':>5}         {job - ran:7.1f} s   (start-up, round decisions, analysis, memos)")
        print(f"analysis and both memos from the stored runs: {rest:.1f} s ({speed(ref_rest)})")
        print(f"the memo alone (sim brief, both languages): {memo:.1f} s ({speed(ref_memo)})")
        print()
        slow = statistics.median(ref_job + ref_rest + ref_memo) / REFERENCE_TRIVIAL_US
        print(f"the machine: a trivial Mesa step {slow:.2f}x as long as the {REFERENCE_TRIVIAL_US} us measured when the "
              f"goals were set")
        print(f"{'goal':<34} {'measured':>10}   {'target':>8}   {'met':>5}")
        verdict("sim main from scratch", job, GOAL_JOB_S)
        verdict("sim main from scratch", job, GOAL_JOB_WARM_S)
        verdict("the memo in both languages", memo, GOAL_MEMO_S)
    finally:
        if args.keep:
            print(f"(scratch folder: {scratch})")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
