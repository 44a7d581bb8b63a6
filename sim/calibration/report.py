"""What a calibration found: posterior summary, posterior predictive check, identifiability, and the record
that makes the posterior's central point the shipped baseline.

Files written to the calibration's output folder (``results/calibration/<setting>/``):

=======================  ================================================================================
posterior.csv            the last generation: one row per particle, parameter values and weight
ppc.csv                  posterior predictive check: every target (fitted and held out) against the model's
                         reported-scale prediction (90% interval over posterior draws, and the central
                         point's mean over its replications)
identifiability.csv      per parameter: prior, posterior median and 90% interval, contraction, verdict
correlations.csv         weighted correlations of the posterior (on the priors' scales)
withdrawals.csv          why serious signed projects withdrew (posterior predictive shares): a finding
ppc_{zh,en}.png          the check as a chart; posterior_{zh,en}.png the marginals; correlations_{zh,en}.png
report.md                all of the above in words and tables
calibration.json         provenance: setting, seeds, code versions, database and run id, generations, times
=======================  ================================================================================

The statistics are :mod:`sim.calibration.posterior`, the charts :mod:`sim.calibration.charts`, the words
:mod:`sim.calibration.markdown`; this module runs the check, writes the files and adopts the central point.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from sim.calibration import patterns, priors, targets
from sim.calibration.charts import correlation_chart, posterior_chart, ppc_chart
from sim.calibration.fingerprint import model_fingerprint
from sim.calibration.inference import (
    CENTRAL_RULE,
    AbcRun,
    Setting,
    load_posterior,
    scenario_config,
    simulate_many,
)
from sim.calibration.markdown import report_markdown, write_calibration_block
from sim.calibration.posterior import (
    correlations,
    identifiability,
    ppc_table,
    strong_pairs,
    withdrawal_finding,
)
from sim.files import atomic_write_text

RECORD = Path(__file__).resolve().parent.parent / "calibrated_baseline.json"
PPC_SPAWN, POINT_SPAWN, DRAW_SPAWN, CENTRAL_SPAWN = 1001, 1002, 1003, 1004
CENTRAL_CANDIDATES = 12
"""Particles tried as the shipped point, from the weighted medoid outwards (:func:`choose_central`)."""
CENTRAL_SEEDS = 6
"""Seeds each candidate runs on to show the essay's patterns (as ``tests/test_patterns.py`` asks: 6 seeds)."""


def _seed(root: int, spawn: int, i: int) -> int:
    return int(np.random.SeedSequence(root, spawn_key=(spawn, i)).generate_state(1)[0] % (2**31 - 1))


# ----------------------------------------------------------------------------- the whole report
def finish(setting: Setting, run: AbcRun, out: Path, executor, log=print) -> dict[str, Any]:
    """Posterior predictive runs, tables, charts, report and provenance of a finished ABC run; returns the
    content of ``calibration.json``."""
    post = load_posterior(run.db, run.run_id)
    central, central_rule = choose_central(post, setting, executor, log)
    draws = post.draws(setting.ppc_draws, seed=_seed(setting.root_seed, DRAW_SPAWN, 0))
    points = [(d, _seed(setting.root_seed, PPC_SPAWN, i)) for i, d in enumerate(draws)]
    points += [(central, _seed(setting.root_seed, POINT_SPAWN, r)) for r in range(setting.point_replications)]
    cache = out / "ppc_runs.json"
    key = {"ppc_draws": setting.ppc_draws, "point_replications": setting.point_replications,
           "root_seed": setting.root_seed, "scenario_config": scenario_config(setting), "run_id": run.run_id,
           "generations": run.generations, "simulations": run.simulations, "central_point": central}
    stats = None
    if cache.exists():
        old = json.loads(cache.read_text(encoding="utf-8"))
        if old.get("key") == key:
            stats = old["stats"]
    t0 = time.perf_counter()
    if stats is None:
        log(f"posterior predictive check: {len(points)} runs ({setting.ppc_draws} posterior draws, "
            f"{setting.point_replications} of the central point)")
        stats = simulate_many(executor, setting.spec(), points)
        atomic_write_text(cache, json.dumps({"key": key, "stats": stats}))
    ppc_seconds = time.perf_counter() - t0
    draw_stats, point_stats = stats[:setting.ppc_draws], stats[setting.ppc_draws:]
    ppc = ppc_table(draw_stats, point_stats)
    ident = identifiability(post)
    corr = correlations(post)
    pairs = strong_pairs(corr)
    wd = withdrawal_finding(draw_stats + point_stats)

    out.mkdir(parents=True, exist_ok=True)
    sample = post.values.copy()
    sample["weight"] = post.weights / post.weights.sum()
    files = {}
    for name, df in (("posterior", sample), ("ppc", ppc), ("identifiability", ident), ("withdrawals", wd)):
        atomic_write_text(out / f"{name}.csv", df.to_csv(index=False))
        files[name] = f"{name}.csv"
    atomic_write_text(out / "correlations.csv", corr.to_csv())
    files["correlations"] = "correlations.csv"
    for lang in ("zh", "en"):
        ppc_chart(ppc, out / f"ppc_{lang}.png", lang)
        posterior_chart(post, ident, out / f"posterior_{lang}.png", lang)
        correlation_chart(corr, out / f"correlations_{lang}.png", lang)
    cpu = _cpu_per_simulation(run)
    record = {
        "setting": {"name": setting.name, "file": _relative(setting.path), "sha256": setting.sha256, "text": setting.text},
        "method": METHOD,
        "database": _relative(run.db), "run_id": run.run_id,
        "generations": post.generations, "simulations_stored": run.simulations,
        "simulations_evaluated": run.evaluated, "effective_sample_size": post.ess, "population": setting.population,
        "sessions": run.sessions,
        "time": {"abc_wall_seconds": run.seconds, "ppc_wall_seconds": round(ppc_seconds, 1),
                 "cpu_seconds_per_simulation": cpu,
                 "two_idle_cores_minutes_estimate": (cpu * (run.evaluated + len(points)) / 2 / 60) if cpu else None},
        "central_point": central,
        "central_rule": central_rule,
        "identifiability": ident.to_dict(orient="records"),
        "strong_correlations": pairs,
        "ppc": ppc.to_dict(orient="records"),
        "withdrawal_reasons": wd.to_dict(orient="records"),
        "draws": draws[:setting.uncertainty_draws],
        "files": files,
        # What the fit was measured on, so that a later model can be checked against it (sim.calibration.fingerprint).
        "fingerprint": model_fingerprint(),
        "reproduction": {"scenario": _relative(setting.scenario), "horizon_months": targets.HORIZON,
                         "overrides": dict(setting.overrides),
                         "seeds": [s for _, s in points[setting.ppc_draws:]]},
    }
    record = _clean(record)
    atomic_write_text(out / "calibration.json", json.dumps(record, indent=1, ensure_ascii=False))
    atomic_write_text(out / "report.md", report_markdown(record))
    return record


METHOD = ("ABC-SMC (pyabc 0.13): uniform priors (log-uniform for rates spanning an order of magnitude), one run of "
          "48 months per particle, distance = root mean square of (model - figure) / tolerance over the fitted "
          "figures plus the squared misses of the essay's patterns times a weight (sim/calibration/patterns.py, in their tolerance units; "
          "sim/calibration/targets.py, PATTERN_WEIGHT), "
          "reported rates, counts and amounts modelled as true x over_reporting (an ABC parameter), thresholds at the "
          "weighted quantile of the last generation's distances, multivariate normal proposal kernel (Silverman's width times the setting's kernel_scaling); the shipped "
          "baseline is " + CENTRAL_RULE)


def _cpu_per_simulation(run: AbcRun) -> float | None:
    h = pyabc.History(f"sqlite:///{Path(run.db).resolve()}")
    h.id = run.run_id
    cpu = []
    for t in range(h.max_t + 1):
        _, stats = h.get_weighted_sum_stats(t=t)
        cpu += [s["cpu_seconds"] for s in stats if "cpu_seconds" in s]
    return float(np.mean(cpu)) if cpu else None


def _relative(path: Path) -> str:
    """A path relative to the project when it lies inside it (records travel with the repository)."""
    root = Path(__file__).resolve().parents[2]
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


# ----------------------------------------------------------------------------- choosing the central point
def shows_the_patterns(stats: list[dict[str, float]], over_reporting: float) -> bool:
    """True when the runs ``stats`` of one parameter set (one per seed, true-scale statistics) show every pattern of
    :mod:`sim.calibration.patterns` on the reported scale at ``over_reporting``: the mean over the runs meets it,
    and so do at least half of the runs."""
    prefix = targets.REPORTED_PREFIX + patterns.PREFIX
    reported = [targets.reported(s, over_reporting) for s in stats]
    for p in patterns.PATTERNS:
        values = [float(r[prefix + p.key]) for r in reported]
        if not (p.met(float(np.mean(values))) and 2 * sum(p.met(v) for v in values) >= len(values)):
            return False
    return True


def choose_central(post, setting: Setting, executor, log=print) -> tuple[dict[str, float], dict[str, Any]]:
    """The shipped point (:data:`CENTRAL_RULE`): the :data:`CENTRAL_CANDIDATES` particles closest on average to all
    others each run on the same :data:`CENTRAL_SEEDS` seeds; of those that show every pattern
    (:func:`shows_the_patterns`), the one whose runs fit the figures best (the root mean over its seeds of the
    squared fit distance, :func:`sim.calibration.targets.fit_distance`); the medoid itself when none shows them
    (the rule then says so). The weighted medoid alone is a compromise between particles and need not show what
    most of them show, and the first particle that shows them need not fit."""
    ranked = post.ranked(CENTRAL_CANDIDATES)
    seeds = [_seed(setting.root_seed, CENTRAL_SPAWN, r) for r in range(CENTRAL_SEEDS)]
    log(f"central point: {len(ranked)} particles nearest the medoid x {len(seeds)} seeds, the best fit of those that "
        "show every pattern")
    stats = simulate_many(executor, setting.spec(), [(c, s) for c in ranked for s in seeds])
    n, x0 = len(seeds), targets.observed()
    fits, shows = [], []
    for rank, c in enumerate(ranked):
        runs = stats[rank * n:(rank + 1) * n]
        factor = c[priors.OVER_REPORTING]
        fits.append(float(np.sqrt(np.mean([targets.fit_distance(targets.reported(s, factor), x0) ** 2 for s in runs]))))
        shows.append(shows_the_patterns(runs, factor))
    candidates = [rank for rank in range(len(ranked)) if shows[rank]]
    rank = min(candidates, key=lambda k: (fits[k], k)) if candidates else 0
    return ranked[rank], {"rule": CENTRAL_RULE, "rank": rank, "candidates": len(ranked), "seeds": n,
                          "shows_every_pattern": bool(shows[rank]), "fit_rms": fits[rank],
                          "showing_every_pattern": candidates}


# ----------------------------------------------------------------------------- adopting the central point
def baseline_record(rec: dict, post_sample: pd.DataFrame, results_dir: Path) -> dict:
    """The shipped baseline's record (``sim/calibrated_baseline.json``): the central point and where it comes from."""
    central = rec["central_point"]
    return {
        "about": f"The shipped baseline's calibrated parameters: {CENTRAL_RULE}, of "
                 "the ABC-SMC posterior written by experiments/calibrate.py; sim/params.py reads 'values'. Regenerated "
                 "by 'python experiments/calibrate.py'; do not edit by hand.",
        "method": rec["method"],
        "values": {k: v for k, v in central.items() if k != priors.OVER_REPORTING},
        "central_rule": rec.get("central_rule"),
        "over_reporting": central.get(priors.OVER_REPORTING),
        "source": {
            "setting": rec["setting"]["file"], "setting_sha256": rec["setting"]["sha256"],
            "results": _relative(results_dir), "database": rec["database"], "run_id": rec["run_id"],
            "code_versions": sorted({s["environment"]["code_version"] for s in rec["sessions"]}),
            "finished": rec["sessions"][-1].get("finished"),
            "generations": len(rec["generations"]), "final_threshold": rec["generations"][-1]["epsilon"],
            "simulations_stored": rec["simulations_stored"], "simulations_evaluated": rec["simulations_evaluated"],
            "effective_sample_size": rec["effective_sample_size"], "population": rec["population"], "time": rec["time"],
        },
        "priors": [{"parameter": p.key, "prior": p.describe(), "reason": p.reason} for p in priors.PRIORS],
        "posterior": [{k: r[k] for k in ("parameter", "median", "p05", "p95", "contraction", "verdict")}
                      for r in rec["identifiability"]],
        "strong_correlations": rec["strong_correlations"],
        "fit": [{k: r[k] for k in ("target", "value", "fitted", "upper_bound", "predictive_p05", "predictive_p95",
                                   "covered", "central_mean", "central_true_mean")} for r in rec["ppc"]],
        "withdrawal_reasons": rec["withdrawal_reasons"],
        "fingerprint": rec.get("fingerprint"),
        "reproduction": rec.get("reproduction"),
        "draws": rec["draws"],
        "sample": {"parameters": [p.key for p in priors.PRIORS],
                   "weights": [float(x) for x in post_sample["weight"]],
                   "values": [[float(x) for x in row] for row in post_sample[[p.key for p in priors.PRIORS]].to_numpy()]},
    }


def adopt(rec: dict, out: Path, root: Path, record_path: Path = RECORD) -> list[Path]:
    """Make the central point the shipped baseline: the record read by ``sim/params.py``, then (from it) the
    parameter table and the calibration block of the ODD. Experiments over the posterior (``parameters =
    "posterior"``) draw from the record's sample, so they follow it without a file of their own."""
    sample = pd.read_csv(out / "posterior.csv")
    data = _clean(baseline_record(rec, sample, out))
    atomic_write_text(record_path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    table = root / "docs" / "PARAMETERS.md"
    # A fresh interpreter: sim.params reads the record when it is imported.
    subprocess.run([sys.executable, "-m", "sim", "params", "--out", str(table)], check=True, cwd=root)
    odd = root / "docs" / "ODD.md"
    write_calibration_block(odd, data)
    return [record_path, table, odd]
