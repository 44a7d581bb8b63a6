"""Charts of a calibration: the posterior predictive check, the posterior marginals and their correlations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration import priors
from sim.calibration.inference import Posterior
from sim.calibration.posterior import strong_pairs
from sim.paramdoc import param_label as parameter_label
from sim.report import style


def name_of(key: str, lang: str) -> str:
    """A calibrated parameter's name (:mod:`sim.paramdoc`), or the name of the calibration's own over-reporting
    factor (its prior carries it)."""
    prior = priors.BY_KEY.get(key)
    if prior is not None and prior.label_zh:
        return prior.label_zh if lang == "zh" else prior.label_en
    return parameter_label(key, lang)


VERDICTS = {"pinned down": ("数据确定", "pinned down"), "narrowed": ("有所收窄", "narrowed"),
            "not identified": ("无法识别", "not identified")}


def ppc_chart(ppc: pd.DataFrame, path: Path, lang: str = "zh") -> Path:
    """Each figure against the model's 90% posterior predictive interval (reported scale) and the central point."""
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
        ax.set_title(f"{name_of(p.key, lang)}\n{v}（收缩 {row['contraction']:.2f}）" if zh else
                     f"{name_of(p.key, lang)}\n{v} (contraction {row['contraction']:.2f})", fontsize=7.5, fontweight="normal")
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
    style.setup()
    import matplotlib.pyplot as plt

    zh = lang == "zh"
    keys = list(corr.index)
    fig, ax = plt.subplots(figsize=(8.5, 7.2))
    im = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(keys)))
    ax.set_yticks(range(len(keys)))
    names = [name_of(k, lang) for k in keys]
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
        title = (f"最强的权衡：{name_of(a, lang)} 与 {name_of(b, lang)}（r = {r:.2f}）" if zh
                 else f"Strongest trade-off: {name_of(a, lang)} and {name_of(b, lang)} (r = {r:.2f})")
    else:
        title = "后验相关" if zh else "Posterior correlations"
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=150, facecolor="white")
    plt.close(fig)
    return path
