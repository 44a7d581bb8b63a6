"""Command line of the analysis: ``sim analyse RESULTS_DIR`` (importing what it runs when it runs: :mod:`sim.cli`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim import arguments

EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``analyse`` to the ``sim`` command."""
    p = subparsers.add_parser(
        "analyse", help="effects with confidence intervals, costs, withdrawals and sensitivity of stored results",
        description="Analyse the stored runs of an experiment (results/<name>/): paired effects of every scenario "
                    "against the baseline with 95%% t-intervals and a replication check, cost-effectiveness, "
                    "the funnel, withdrawals by reason and stage, and Sobol'/Morris indices for sample designs. "
                    "Writes CSV and Parquet tables and analysis.json to RESULTS_DIR/analysis/.")
    p.add_argument("results_dir", type=arguments.input_dir, help="results folder of 'sim experiment', e.g. results/main")
    p.add_argument("--baseline", help="scenario name to compare against (default: 'baseline', else the first)")
    p.add_argument("--out", metavar="DIR", type=arguments.output_dir, help="output folder (default RESULTS_DIR/analysis)")
    p.add_argument("--months", type=arguments.months, default=(12, 24, 36, 48, 60), metavar="M,M,...",
                   help="months at which monthly headline outputs are compared too (default 12,24,36,48,60; "
                        "needs record = \"monthly\")")
    p.set_defaults(func=cmd_analyse)


def cmd_analyse(args: argparse.Namespace) -> int:
    """``sim analyse``: write the analysis tables and print a short summary."""
    from sim.analysis.data import AnalysisError
    from sim.analysis.tables import ANALYSIS_DIR, analyse
    from sim.experiment.store import StoreError

    out = args.out or arguments.check_output_dir(Path(args.results_dir) / ANALYSIS_DIR, "results_dir")
    try:
        data = analyse(args.results_dir, out=out, baseline=args.baseline, months=args.months,
                       log=lambda m: print(m, file=sys.stderr))
    except (AnalysisError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    p = data["provenance"]
    ad = data["adequacy_summary"]
    print(f"{p['experiment']}: {p['runs_done']} runs ({p['runs_failed']} failed), baseline '{data['baseline']}'; "
          f"{ad['adequate']}/{ad['headline_intervals']} headline intervals narrow enough"
          + (f" over {ad['design_points']} design points" if ad.get("design_points", 0) > 1 else "")
          + (f" (about {ad['max_n_needed']} replications would do)" if ad["max_n_needed"] and
             ad["adequate"] < ad["headline_intervals"] else "")
          + (f"; sensitivity: {data['sensitivity']['design']['formula']}" if data["sensitivity"]["available"] else "")
          + f" -> {out}")
    if data.get("pooled"):
        print(f"pooled: {data['pooled']['en']}")
    rep = data.get("replications") or {}
    if rep.get("adaptive"):
        print(f"replications in rounds of {rep['step']} from {rep['min']} to {rep['max']}: {rep['adequate']} comparison(s) "
              f"adequate, {rep['capped']} at the cap"
              + ("" if rep.get("complete") else " (rounds not finished: run 'sim experiment' again)"))
        names = {p["point_id"]: p["name"]["en"] for p in data.get("points") or []}
        for c in rep["comparisons"]:
            point = names.get(c["point_id"], c["point_label"]) if len(names) > 1 else c["point_label"]
            print(f"  {c['scenario']:<26s} {point:<8s} {c['replications']:>4d} replications  "
                  f"{c['stopped'] or 'running'}")
    return 0
