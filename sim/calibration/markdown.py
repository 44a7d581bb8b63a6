"""The calibration in words and tables (Markdown): the report of a run, and the calibration section that
docs/PARAMETERS.md ends with and docs/ODD.md carries, generated from the code and the shipped record."""

from __future__ import annotations

from pathlib import Path

from sim.calibration import priors, targets
from sim.calibration.inference import CENTRAL_RULE
from sim.files import replace_block
from sim.paramdoc import parameter_table
from sim.params import CALIBRATION_RECORD, calibration_record


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal, or a dash when missing."""
    return "–" if x is None else f"{100 * x:.1f}%"


def figure(x: float | None, unit: str) -> str:
    """A figure in its unit: a percentage for shares, else the number with one decimal."""
    if x is None:
        return "–"
    return pct(x) if unit == "share" else f"{x:,.1f}"


DEGENERATE_ESS_SHARE = 0.1
"""An importance sample whose effective size is below this share of the particles is called degenerate."""


def ess_caveat(ess: float, n: int) -> str:
    """One sentence on how far a posterior sample of ``n`` particles can be trusted, from its effective size."""
    if ess >= DEGENERATE_ESS_SHARE * n:
        return (f"The last generation's importance weights are even enough: an effective sample of {ess:.0f} of {n} "
                "particles.")
    return (f"Caution: the last generation's importance weights are uneven (an effective sample of {ess:.0f} of {n} "
            "particles): its intervals, contractions and correlations rest on few distinct parameter sets and are "
            "rough; posterior draws repeat those sets. A larger population (or fewer parameters) would sharpen them.")


def report_markdown(rec: dict) -> str:
    """The calibration in words and tables (Markdown)."""
    gens = rec["generations"]
    lines = [f"# Calibration '{rec['setting']['name']}'", "", rec["method"] + ".", "",
             f"Generations: {len(gens)}; simulations stored {rec['simulations_stored']:,} (evaluated "
             f"{rec['simulations_evaluated']:,}); final threshold {gens[-1]['epsilon']:.3f} tolerance units; "
             f"effective sample size {rec['effective_sample_size']:.0f}.", "",
             ess_caveat(rec["effective_sample_size"], rec["population"]),
             "", "| generation | threshold | simulations | acceptance |", "|---|---|---|---|"]
    lines += [f"| {g['generation']} | {g['epsilon'] if g['epsilon'] is not None else 'inf'} | {g['simulations']} | "
              f"{g['acceptance']:.2f} |" for g in gens]
    tm = rec["time"]
    lines += ["", f"Time: ABC {tm['abc_wall_seconds'] / 60:.1f} min wall, posterior predictive {tm['ppc_wall_seconds'] / 60:.1f} "
                  f"min; {tm['cpu_seconds_per_simulation'] or 0:.2f} CPU s per simulation, so about "
                  f"{tm['two_idle_cores_minutes_estimate'] or 0:.0f} min on two otherwise idle cores.", "",
              "## Posterior and identifiability", "",
              "| parameter | prior | median | 90% interval | contraction | verdict |", "|---|---|---|---|---|---|"]
    for r in rec["identifiability"]:
        lines.append(f"| `{r['parameter']}` | {r['prior']} | {r['median']:.4g} | {r['p05']:.4g}-{r['p95']:.4g} | "
                     f"{r['contraction']:.2f} | {r['verdict']} |")
    lines += ["", "Strong posterior correlations (|r| >= 0.4): " + (", ".join(
        f"`{p['a']}` and `{p['b']}` ({p['r']:+.2f})" for p in rec["strong_correlations"]) or "none") + ".", "",
        "## Posterior predictive check", "",
        "Reported scale (upper-bound rates times the over-reporting factor). 'central' is the shipped point's mean "
        "over its replications (true scale in brackets for upper-bound rates).", "",
        "| figure | fitted | reported | model 90% interval | covered | central (true) |", "|---|---|---|---|---|---|"]
    for r in rec["ppc"]:
        u = r["unit"]
        true = f" ({figure(r['central_true_mean'], u)})" if r["upper_bound"] else ""
        lines.append(f"| {r['label_en']} | {'yes' if r['fitted'] else 'held out'} | {figure(r['value'], u)} | "
                     f"{figure(r['predictive_p05'], u)}-{figure(r['predictive_p95'], u)} | {'yes' if r['covered'] else 'no'} | "
                     f"{figure(r['central_mean'], u)}{true} |")
    lines += ["", "## Why serious signed projects withdrew (a finding, not a target)", "",
              "| reason | share | 90% interval |", "|---|---|---|"]
    lines += [f"| {r['reason']} | {pct(r['share_mean'])} | {pct(r['share_p05'])}-{pct(r['share_p95'])} |"
              for r in rec["withdrawal_reasons"]]
    return "\n".join(lines) + "\n"


def calibration_section(record: dict | None = None) -> str:
    """The calibration in Markdown: method, figures, priors, posterior summary, fit and what it found.

    Generated from the code (targets, priors) and the record of the shipped baseline; docs/PARAMETERS.md ends
    with it and docs/ODD.md carries the same block, so the two cannot disagree."""
    rec = calibration_record() if record is None else record
    over = priors.BY_KEY[priors.OVER_REPORTING]
    lines = [
        "## Calibration",
        "",
        "Approximate Bayesian computation with sequential Monte Carlo (ABC-SMC, pyabc): parameter sets are drawn",
        "from the priors below, each is simulated once (48 months; the cohort is the projects signed in months",
        "13-24, observed 2, 12 and 24 months after their own signing; sector figures on the projects signed in",
        "months 13-48), and kept while its distance to the figures is below a threshold that each generation",
        "lowers to the weighted median of the last generation's distances; new sets are proposed around the last",
        "generation (a multivariate normal kernel, Silverman's width times the setting's `kernel_scaling`).",
        "Distance: root mean square, over the fitted figures, of (model - figure) / tolerance.",
        "Reported pipeline rates are upper bounds (docs/SOURCES.md#over-reporting-2016): the model's rate times the",
        f"over-reporting factor `{priors.OVER_REPORTING}` (at most 1) is compared with them; the factor is a",
        f"parameter of the ABC with prior {over.describe()} ({over.reason}).",
        f"The shipped baseline is {CENTRAL_RULE} (`sim/calibration/report.py`, `choose_central`), recorded",
        f"with its source in `sim/{CALIBRATION_RECORD.name}`; `python experiments/calibrate.py` re-runs it all.",
        "",
        "### Figures",
        "",
        "| figure | value | tolerance | compared as | source |",
        "|---|---|---|---|---|",
    ]
    for t in targets.TARGETS:
        how = ("upper bound" if t.upper_bound else "face value") + ("" if t.fitted else "; held out: " + t.note)
        tol = f"{100 * t.tolerance:g} points" if t.unit == "share" else f"{t.tolerance:g}"
        lines.append(f"| {t.label_en} | {figure(t.value, t.unit)} | {tol} | {how} | {t.source} |")
    lines += ["", "### Priors", "", "| parameter | prior | reason |", "|---|---|---|"]
    lines += [f"| `{p.key}` | {p.describe()} | {p.reason} |" for p in priors.PRIORS]
    if not rec.get("posterior"):
        lines += ["", "No posterior recorded yet: run `python experiments/calibrate.py`."]
        return "\n".join(lines) + "\n"
    src = rec["source"]
    tm = src.get("time", {})
    lines += [
        "", "### Posterior", "",
        f"From `{src['setting']}` (sha256 {str(src['setting_sha256'])[:12]}), code {', '.join(c[:12] for c in src['code_versions'])}, "
        f"finished {src['finished']}: {src['generations']} generations, {src['simulations_stored']:,} simulations "
        f"({src['simulations_evaluated']:,} evaluated), final threshold {src['final_threshold']:.3f} tolerance units, "
        f"effective sample size {src['effective_sample_size']:.0f}. Time: {tm.get('abc_wall_seconds', 0) / 60:.0f} min "
        f"wall for the ABC and {tm.get('ppc_wall_seconds', 0) / 60:.1f} min for the posterior predictive runs on 2 "
        f"shared cores; {tm.get('cpu_seconds_per_simulation') or 0:.2f} CPU seconds per simulation, about "
        f"{tm.get('two_idle_cores_minutes_estimate') or 0:.0f} min on two idle cores.",
        "",
        ess_caveat(src["effective_sample_size"], src["population"]),
        "",
        "Contraction = 1 - posterior variance / prior variance (on the prior's scale): pinned down from 0.75,",
        "narrowed from 0.3, not identified below (the default then rests on the middle of the prior).",
        "",
        "| parameter | central point | 90% interval | contraction | verdict |",
        "|---|---|---|---|---|",
    ]
    values = {**rec["values"], priors.OVER_REPORTING: rec.get("over_reporting")}
    for r in rec["posterior"]:
        lines.append(f"| `{r['parameter']}` | {values.get(r['parameter']):.4g} | {r['p05']:.4g}-{r['p95']:.4g} | "
                     f"{r['contraction']:.2f} | {r['verdict']} |")
    pairs = rec.get("strong_correlations", [])
    lines += ["", "Posterior correlations of at least 0.4 in size (trade-offs the figures cannot separate): "
              + ("; ".join(f"`{p['a']}` and `{p['b']}` {p['r']:+.2f}" for p in pairs) or "none") + "."]
    lines += ["", "### Fit (posterior predictive check)", "",
              "Model on the reported scale: 90% interval over posterior draws, and the central point's mean; for",
              "upper-bound rates the central point's true rate (before over-reporting) in brackets.", "",
              "| figure | fitted | reported | model 90% interval | central (true) |", "|---|---|---|---|---|"]
    label = {t.key: t for t in targets.TARGETS}
    for r in rec["fit"]:
        t = label.get(r["target"])
        if t is None:
            continue
        true = f" ({figure(r['central_true_mean'], t.unit)})" if r["upper_bound"] else ""
        lines.append(f"| {t.label_en} | {'yes' if r['fitted'] else 'held out'} | {figure(r['value'], t.unit)} | "
                     f"{figure(r['predictive_p05'], t.unit)}-{figure(r['predictive_p95'], t.unit)} | "
                     f"{figure(r['central_mean'], t.unit)}{true} |")
    lines += ["", "### Why serious signed projects withdraw (a finding, not a target)", "",
              "Shares of the reasons recorded when serious projects left after signing, over the posterior",
              "predictive runs (mean and 90% interval). No reason is imposed by the calibration.", "",
              "| reason | share | 90% interval |", "|---|---|---|"]
    lines += [f"| {r['reason']} | {pct(r['share_mean'])} | {pct(r['share_p05'])}-{pct(r['share_p95'])} |"
              for r in rec.get("withdrawal_reasons", [])]
    return "\n".join(lines) + "\n"


ODD_BEGIN = "<!-- calibration block: generated by experiments/calibrate.py from sim/calibrated_baseline.json -->"
ODD_END = "<!-- end of the calibration block -->"


def odd_block(record: dict | None = None) -> str:
    """The calibration block of docs/ODD.md (the calibration section one heading level down)."""
    body = calibration_section(record).replace("\n### ", "\n#### ").replace("## Calibration\n", "### Calibration (generated)\n", 1)
    return f"{ODD_BEGIN}\n{body}{ODD_END}"


def write_calibration_block(path: str | Path, record: dict | None = None) -> None:
    """Replace the calibration block of the ODD at ``path`` with the one generated from the record."""
    replace_block(Path(path), ODD_BEGIN, ODD_END, odd_block(record))


def parameters_page() -> str:
    """docs/PARAMETERS.md as ``sim params`` writes it: the parameter table, then the calibration that set the
    calibrated parameters."""
    return parameter_table() + "\n" + calibration_section()
