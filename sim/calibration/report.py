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

Contraction of a parameter = 1 - posterior variance / prior variance (on the prior's scale, log10 for log priors): 1 when the
figures pin it down, 0 when the posterior is the prior. Verdicts: "pinned down" at 0.75 or more, "narrowed"
from 0.3, "not identified" below (the data say little; the default rests on the prior's middle).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration import priors, targets
from sim.calibration.inference import (
    AbcRun,
    Posterior,
    Setting,
    load_posterior,
    scenario_config,
    simulate_many,
    weighted_quantile,
)

PINNED = 0.75
NARROWED = 0.3
STRONG_CORRELATION = 0.4
RECORD = Path(__file__).resolve().parent.parent / "calibrated_baseline.json"
VERDICTS = {"pinned down": ("数据确定", "pinned down"), "narrowed": ("有所收窄", "narrowed"),
            "not identified": ("无法识别", "not identified")}
PPC_SPAWN, POINT_SPAWN, DRAW_SPAWN = 1001, 1002, 1003


def verdict(contraction: float) -> str:
    """'pinned down', 'narrowed' or 'not identified'."""
    if contraction >= PINNED:
        return "pinned down"
    return "narrowed" if contraction >= NARROWED else "not identified"


def _seed(root: int, spawn: int, i: int) -> int:
    return int(np.random.SeedSequence(root, spawn_key=(spawn, i)).generate_state(1)[0] % (2**31 - 1))


def identifiability(post: Posterior) -> pd.DataFrame:
    """Prior and posterior of each parameter, the contraction and the verdict."""
    z = post.prior_scale()
    w = post.weights / post.weights.sum()
    rows = []
    for p in priors.PRIORS:
        lo, hi = p.bounds
        prior_var = (hi - lo) ** 2 / 12.0
        x = z[p.key].to_numpy(float)
        mean = float(np.sum(w * x))
        var = float(np.sum(w * (x - mean) ** 2))
        v = post.values[p.key].to_numpy(float)
        c = 1.0 - var / prior_var
        rows.append({"parameter": p.key, "prior": p.describe(), "prior_low": p.low, "prior_high": p.high,
                     "median": weighted_quantile(v, post.weights, 0.5), "p05": weighted_quantile(v, post.weights, 0.05),
                     "p95": weighted_quantile(v, post.weights, 0.95), "contraction": c, "verdict": verdict(c),
                     "reason": p.reason})
    return pd.DataFrame(rows)


def correlations(post: Posterior) -> pd.DataFrame:
    """Weighted correlation matrix of the posterior on the priors' scales (parameters x parameters)."""
    z = post.prior_scale()[[p.key for p in priors.PRIORS]].to_numpy(float)
    w = post.weights / post.weights.sum()
    mean = w @ z
    d = z - mean
    cov = (d * w[:, None]).T @ d
    sd = np.sqrt(np.maximum(np.diag(cov), 1e-300))
    keys = [p.key for p in priors.PRIORS]
    return pd.DataFrame(cov / np.outer(sd, sd), index=keys, columns=keys)


def strong_pairs(corr: pd.DataFrame, threshold: float = STRONG_CORRELATION) -> list[dict]:
    """Pairs of parameters whose posterior correlation is at least ``threshold`` in size, strongest first."""
    keys = list(corr.index)
    out = [{"a": a, "b": b, "r": float(corr.loc[a, b])} for i, a in enumerate(keys) for b in keys[i + 1:]
           if abs(corr.loc[a, b]) >= threshold]
    return sorted(out, key=lambda r: -abs(r["r"]))


def ppc_table(draw_stats: list[dict], point_stats: list[dict]) -> pd.DataFrame:
    """Every target against the model on the reported scale: 90% interval over posterior draws, the central
    point's mean and standard deviation, and whether the figure lies in the interval."""
    rows = []
    for t in targets.TARGETS:
        k = targets.REPORTED_PREFIX + t.key
        d = np.array([s[k] for s in draw_stats if k in s], float)
        c = np.array([s[k] for s in point_stats if k in s], float)
        true_key = targets.MODEL_KEY[t.key]
        tr = np.array([s[true_key] for s in point_stats if true_key in s], float)
        lo, hi = (float(np.quantile(d, 0.05)), float(np.quantile(d, 0.95))) if d.size else (np.nan, np.nan)
        rows.append({
            "target": t.key, "label_en": t.label_en, "label_zh": t.label_zh, "value": t.value, "unit": t.unit,
            "fitted": t.fitted, "upper_bound": t.upper_bound, "tolerance": t.tolerance, "source": t.source, "note": t.note,
            "predictive_mean": float(d.mean()) if d.size else np.nan, "predictive_p05": lo, "predictive_p95": hi,
            "covered": bool(lo <= t.value <= hi) if d.size else False,
            "central_mean": float(c.mean()) if c.size else np.nan,
            "central_sd": float(c.std(ddof=1)) if c.size > 1 else np.nan,
            "central_true_mean": float(tr.mean()) if tr.size else np.nan,
            "central_z": float((c.mean() - t.value) / t.tolerance) if c.size else np.nan,
        })
    return pd.DataFrame(rows)


def withdrawal_finding(draw_stats: list[dict]) -> pd.DataFrame:
    """Why serious signed projects withdrew, over posterior draws: mean share and 90% interval per reason."""
    from sim.model.agents import REASONS

    rows = []
    for r in REASONS:
        x = np.array([s.get(f"withdrawal_share_{r}", np.nan) for s in draw_stats], float)
        x = x[np.isfinite(x)]
        if x.size:
            rows.append({"reason": r, "share_mean": float(x.mean()), "share_p05": float(np.quantile(x, 0.05)),
                         "share_p95": float(np.quantile(x, 0.95))})
    return pd.DataFrame(rows).sort_values("share_mean", ascending=False).reset_index(drop=True)


# ----------------------------------------------------------------------------- charts
def _label(key: str, lang: str) -> str:
    """A calibrated parameter's name (sim.paramdoc), or the name of the calibration's own over-reporting factor."""
    from sim.paramdoc import param_label

    prior = priors.BY_KEY.get(key)
    if prior is not None and prior.label_zh:
        return prior.label_zh if lang == "zh" else prior.label_en
    return param_label(key, lang)


def ppc_chart(ppc: pd.DataFrame, path: Path, lang: str = "zh") -> Path:
    """Each figure against the model's 90% posterior predictive interval (reported scale) and the central point."""
    from sim.report import style

    style.setup()
    import matplotlib.pyplot as plt

    zh = lang == "zh"
    rates = ppc[ppc["unit"] == "share"]
    counts = ppc[ppc["unit"] != "share"]
    fitted = ppc[ppc["fitted"]]
    n_cov = int(fitted["covered"].sum())
    fig, axes = plt.subplots(1, 2, figsize=(10.5, 0.36 * len(rates) + 2.0), gridspec_kw={"width_ratios": [3, 1.25]})
    for ax, df, scale in ((axes[0], rates, 100.0), (axes[1], counts, 1.0)):
        y = np.arange(len(df))[::-1]
        for yi, (_, r) in zip(y, df.iterrows(), strict=True):
            colour = "#1f4e79" if r["fitted"] else "#7f7f7f"
            if r["upper_bound"]:
                ax.plot([scale * r["value"] / priors.BY_KEY[priors.OVER_REPORTING].high, scale * r["value"]], [yi + 0.22] * 2,
                        color="#d9a441", lw=3, solid_capstyle="butt",
                        label=("上报数为上限：真实值范围（虚报 0-30%）" if zh else "figure as upper bound: true value if over-reported 0-30%")
                        if yi == y[0] else None)
            ax.plot([scale * r["predictive_p05"], scale * r["predictive_p95"]], [yi] * 2, color=colour, lw=2.5,
                    label=("模型后验预测 90% 区间" if zh else "model: 90% posterior predictive interval") if yi == y[0] else None)
            ax.plot([scale * r["central_mean"]], [yi], "o", color=colour, ms=5,
                    label=("模型：校准中心点均值" if zh else "model: central point, mean") if yi == y[0] else None)
            ax.plot([scale * r["value"]], [yi], "D", color="black", ms=5,
                    label=("上报数" if zh else "reported figure") if yi == y[0] else None)
        ax.set_yticks(y)
        ax.set_yticklabels([(r["label_zh"] if zh else r["label_en"]) + ("" if r["fitted"] else (" *" if zh else " *"))
                            for _, r in df.iterrows()], fontsize=7.5)
        ax.grid(axis="y", alpha=0)
    axes[0].set_xlabel("比率（%，签约队列在签约后固定月数时）" if zh else "Rate (%, signing cohort a fixed number of months after signing)")
    axes[1].set_xlabel("每年（个；亿元×10）" if zh else "Per year (projects; bn yuan)")
    axes[0].legend(fontsize=7, loc="lower right")
    title = (f"后验预测检验：{len(fitted)} 个拟合目标中 {n_cov} 个落在模型 90% 区间内" if zh
             else f"Posterior predictive check: {n_cov} of {len(fitted)} fitted figures lie in the model's 90% interval")
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    note = ("* 未参与拟合（其他地区或口径不同），仅作检验；开工率即履约率（签约后开工）" if zh
            else "* held out (other regions or counted differently): checked, not fitted; start rate = fulfilment (履约率)")
    fig.text(0.01, 0.01, note, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, facecolor="white")
    plt.close(fig)
    return path


def posterior_chart(post: Posterior, ident: pd.DataFrame, path: Path, lang: str = "zh") -> Path:
    """Weighted histogram of each parameter over its prior range, with the verdict in the panel title."""
    from sim.report import style

    style.setup()
    import matplotlib.pyplot as plt

    zh = lang == "zh"
    n = len(priors.PRIORS)
    cols = 4
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 2.15 * rows + 0.9), squeeze=False)
    z = post.prior_scale()
    w = post.weights / post.weights.sum()
    for ax, p in zip(axes.flat, priors.PRIORS, strict=False):
        lo, hi = p.bounds
        ax.hist(z[p.key], bins=14, range=(lo, hi), weights=w, color="#1f4e79", alpha=0.85)
        ax.axhline(1.0 / 14, color="#c55a11", lw=1.2, ls="--")
        row = ident[ident["parameter"] == p.key].iloc[0]
        v = VERDICTS[row["verdict"]][0 if zh else 1]
        ax.set_title(f"{_label(p.key, lang)}\n{v}（收缩 {row['contraction']:.2f}）" if zh else
                     f"{_label(p.key, lang)}\n{v} (contraction {row['contraction']:.2f})", fontsize=7.5, fontweight="normal")
        ticks = np.linspace(lo, hi, 3)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{10.0 ** t if p.log else t:.3g}" for t in ticks], fontsize=7)
        ax.set_xlabel(("对数刻度" if zh else "log scale") if p.log else "", fontsize=6.5)
        ax.tick_params(axis="y", labelsize=6.5)
        ax.set_ylabel(("后验权重" if zh else "posterior weight") if ax in axes[:, 0] else "", fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    k = int((ident["verdict"] == "pinned down").sum())
    m = int((ident["verdict"] == "not identified").sum())
    title = (f"数据确定了 {k} 个参数，{m} 个仍近于先验（虚线：先验密度）" if zh
             else f"The figures pin down {k} parameters; {m} stay close to their prior (dashed: prior density)")
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=150, facecolor="white")
    plt.close(fig)
    return path


def correlation_chart(corr: pd.DataFrame, path: Path, lang: str = "zh") -> Path:
    """Heat map of the posterior correlations; the title names the strongest trade-off."""
    from sim.report import style

    style.setup()
    import matplotlib.pyplot as plt

    zh = lang == "zh"
    keys = list(corr.index)
    fig, ax = plt.subplots(figsize=(8.5, 7.2))
    im = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(keys)))
    ax.set_yticks(range(len(keys)))
    names = [_label(k, lang) for k in keys]
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=7)
    ax.set_yticklabels(names, fontsize=7)
    ax.grid(False)
    for i in range(len(keys)):
        for j in range(len(keys)):
            if i != j:
                ax.text(j, i, f"{corr.iloc[i, j]:.1f}", ha="center", va="center", fontsize=5.5,
                        color="white" if abs(corr.iloc[i, j]) > 0.6 else "black")
    fig.colorbar(im, ax=ax, shrink=0.7, label="后验相关系数" if zh else "posterior correlation")
    pairs = strong_pairs(corr, 0.0)
    if pairs:
        a, b, r = pairs[0]["a"], pairs[0]["b"], pairs[0]["r"]
        title = (f"最强的权衡：{_label(a, lang)} 与 {_label(b, lang)}（r = {r:.2f}）" if zh
                 else f"Strongest trade-off: {_label(a, lang)} and {_label(b, lang)} (r = {r:.2f})")
    else:
        title = "后验相关" if zh else "Posterior correlations"
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=150, facecolor="white")
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------- the whole report
def finish(setting: Setting, run: AbcRun, out: Path, executor, log=print) -> dict[str, Any]:
    """Posterior predictive runs, tables, charts, report and provenance of a finished ABC run; returns the
    content of ``calibration.json``."""
    from sim.runio import atomic_write_text

    post = load_posterior(run.db, run.run_id)
    central = post.central()
    draws = post.draws(setting.ppc_draws, seed=_seed(setting.root_seed, DRAW_SPAWN, 0))
    points = [(d, _seed(setting.root_seed, PPC_SPAWN, i)) for i, d in enumerate(draws)]
    points += [(central, _seed(setting.root_seed, POINT_SPAWN, r)) for r in range(setting.point_replications)]
    cache = out / "ppc_runs.json"
    key = {"ppc_draws": setting.ppc_draws, "point_replications": setting.point_replications,
           "root_seed": setting.root_seed, "scenario_config": scenario_config(setting), "run_id": run.run_id,
           "generations": run.generations, "simulations": run.simulations}
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
        "identifiability": ident.to_dict(orient="records"),
        "strong_correlations": pairs,
        "ppc": ppc.to_dict(orient="records"),
        "withdrawal_reasons": wd.to_dict(orient="records"),
        "draws": draws[:setting.uncertainty_draws],
        "files": files,
    }
    record = _clean(record)
    atomic_write_text(out / "calibration.json", json.dumps(record, indent=1, ensure_ascii=False))
    atomic_write_text(out / "report.md", report_markdown(record))
    return record


METHOD = ("ABC-SMC (pyabc 0.13): uniform priors (log-uniform for rates spanning an order of magnitude), one run of "
          "48 months per particle, distance = root mean square of (model - figure) / tolerance over the fitted "
          "figures, reported pipeline rates modelled as true x over_reporting (an ABC parameter), thresholds at the "
          "weighted quantile of the last generation's distances, multivariate normal proposal kernel (Silverman's width times the setting's kernel_scaling); the shipped "
          "baseline is the posterior's central point (its weighted medoid: the particle closest on average to all others)")


def _cpu_per_simulation(run: AbcRun) -> float | None:
    import pyabc

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


# ----------------------------------------------------------------------------- adopting the central point
def baseline_record(rec: dict, post_sample: pd.DataFrame, results_dir: Path) -> dict:
    """The shipped baseline's record (``sim/calibrated_baseline.json``): the central point and where it comes from."""
    central = rec["central_point"]
    return {
        "about": "The shipped baseline's calibrated parameters: the central point (its weighted medoid: the particle closest on average to all others) of "
                 "the ABC-SMC posterior written by experiments/calibrate.py; sim/params.py reads 'values'. Regenerated "
                 "by 'python experiments/calibrate.py'; do not edit by hand.",
        "method": rec["method"],
        "values": {k: v for k, v in central.items() if k != priors.OVER_REPORTING},
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
        "draws": rec["draws"],
        "sample": {"parameters": [p.key for p in priors.PRIORS],
                   "weights": [float(x) for x in post_sample["weight"]],
                   "values": [[float(x) for x in row] for row in post_sample[[p.key for p in priors.PRIORS]].to_numpy()]},
    }


def adopt(rec: dict, out: Path, root: Path, record_path: Path = RECORD) -> list[Path]:
    """Make the central point the shipped baseline: the record read by ``sim/params.py``, then (from it) the
    parameter table, the calibration block of the ODD and the posterior draws of the uncertainty experiment."""
    import subprocess
    import sys

    from sim.paramdoc import write_calibration_block
    from sim.runio import atomic_write_text

    sample = pd.read_csv(out / "posterior.csv")
    data = _clean(baseline_record(rec, sample, out))
    atomic_write_text(record_path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    table = root / "docs" / "PARAMETERS.md"
    # A fresh interpreter: sim.params reads the record when it is imported.
    subprocess.run([sys.executable, "-m", "sim", "params", "--out", str(table)], check=True, cwd=root)
    odd = root / "docs" / "ODD.md"
    write_calibration_block(odd, data)
    exp = root / "experiments" / UNCERTAINTY_EXPERIMENT
    atomic_write_text(exp, uncertainty_experiment(data))
    return [record_path, table, odd, exp]


UNCERTAINTY_EXPERIMENT = "main_uncertainty.toml"
UNCERTAINTY_SCENARIOS = ("baseline", "positioning", "platforms", "soft_environment", "channels", "leadership", "combined",
                         "neutral_platforms", "neutral_soft_environment", "neutral_channels", "neutral_leadership",
                         "neutral_combined")
UNCERTAINTY_INVESTORS = 4000


def uncertainty_experiment(data: dict) -> str:
    """The experiment ``sim main`` runs to see whether each strategy's effect holds across the posterior: every
    scenario of the main comparison at each posterior draw of the record (a list design), one replication per
    draw, on a third-size market."""
    import tomli_w

    draws = data["draws"]
    src = data["source"]
    head = (
        "# Generated by experiments/calibrate.py from the posterior in sim/calibrated_baseline.json; do not edit.\n"
        "#\n"
        f"# Does each strategy's effect hold under plausible parameters? The main comparison re-run at {len(draws)}\n"
        "# parameter sets drawn from the calibration's posterior (design points), one replication each, paired across\n"
        f"# scenarios by seed, on a third-size market ({UNCERTAINTY_INVESTORS:,} prospects; budgets, capacities and land scale\n"
        "# with it). sim main reports, for each headline effect, the share of draws in which it keeps the sign it has\n"
        "# at the central point. A draw's difference carries the noise of one replication too, so the share is a\n"
        "# conservative measure of robustness.\n"
        "#\n"
        f"# Cost: {len(UNCERTAINTY_SCENARIOS)} scenarios x {len(draws)} points x 1 replication = "
        f"{len(UNCERTAINTY_SCENARIOS) * len(draws)} runs of about a second each.\n"
        f"# Posterior: {src['setting']} (sha256 {str(src['setting_sha256'])[:12]}), run {src['run_id']}, "
        f"{src['generations']} generations, finished {src['finished']}.\n\n")
    doc = {
        "experiment": {
            "name": "main_uncertainty",
            "title": {"zh": "参数不确定性下的策略对比", "en": "Strategies compared across the posterior"},
            "description": {"zh": "在校准后验的参数抽样上重复主要对比，看各策略的效果方向是否稳定。",
                            "en": "The main comparison repeated on parameter sets drawn from the calibration's "
                                  "posterior: does each effect keep its direction?"},
            "scenarios": [f"../scenarios/{s}.toml" for s in UNCERTAINTY_SCENARIOS],
            "replications": 1,
            "root_seed": 20240612,
            "record": "summary",
        },
        "overrides": {"run.n_investors": UNCERTAINTY_INVESTORS},
        "design": {"kind": "list", "points": [
            {"label": f"draw {i + 1}", **{k: float(f"{v:.5g}") for k, v in d.items() if k != priors.OVER_REPORTING}}
            for i, d in enumerate(draws)]},
    }
    return head + tomli_w.dumps(doc)
