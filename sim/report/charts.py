"""Charts of one run (the pipeline over time). Experiment charts build on the same style."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.model import registry, vocabulary
from sim.model.vocabulary import month_axis
from sim.report import style


def pipeline_chart(monthly: dict[str, np.ndarray], path: Path, lang: str = "zh", title_name: str = "") -> Path:
    """Projects by stage over time, with the fulfilment rate at the horizon stated in the title."""
    style.setup()
    import matplotlib.pyplot as plt

    months = monthly["month"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for key in ("negotiating", "signed", "building", "operating", "withdrawn"):
        ax.plot(months, monthly[f"n_{key}"], label=vocabulary.stage(key, lang), lw=2)
    fr = float(monthly[registry.FULFILMENT][-1])  # the headline rates are the registry's, not names written here
    car = float(monthly[registry.CAPITAL_ARRIVAL][-1])
    n = int(monthly["signed_projects"][-1])
    if not (np.isfinite(fr) and np.isfinite(car)):
        title = f"{title_name}：签约 {n} 个项目" if lang == "zh" else f"{title_name}: {n} projects signed"
    elif lang == "zh":
        title = f"{title_name}：签约 {n} 个项目，{fr:.0%} 在签约后第24个月时在建或投产（履约率），24个月资金到位率 {car:.0%}"
    else:
        title = (f"{title_name}: {n} projects signed, {fr:.0%} building or operating 24 months after signing (fulfilment), "
                 f"{car:.0%} of capital arrived by then")
    ylabel = "项目数（个，当月处于各阶段）" if lang == "zh" else "Projects at each stage in the month"
    ax.set_title(title.strip("：: "), fontsize=10)
    ax.set_xlabel(month_axis(lang))
    ax.set_ylabel(ylabel)
    ax.legend(ncol=3, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, pil_kwargs=style.PNG_FAST)
    plt.close(fig)
    return path
