"""The allocation an optimiser chose, as a strategy of its own, re-run in the setting of another experiment.

``sim optimise`` searches on a small market and judges candidates over sampled futures; its numbers are not on
the scale of the main comparison. Here the chosen allocation (its budget shares and staff settings) becomes a
scenario file, ``recommended``, that extends the scenario the optimiser re-allocated, and an experiment re-runs
it with the root seed, horizon, overrides and design points of the main comparison (over the same
posterior draws when it runs over the posterior). Replication r of the recommendation then meets the same investors as replication r of every strategy of
that comparison, so the analysis pairs it with the same baseline runs (``sim.analysis.memo.join_runs``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.experiment.optimise import load_optimise
from sim.experiment.spec import ExperimentSpec
from sim.files import atomic_write_text
from sim.params import BUDGET_LEVERS

NAME = "recommended"
TITLE = {"zh": "推荐方案", "en": "Recommended allocation"}
DESCRIPTION = {"zh": "优化搜索在多种外部环境下选出的预算分配：总投入与原方案相同，调整各项资金的比例和招商人员、领导精力的投入。",
               "en": "The budget allocation the search chose across several futures: the same total money as the "
                     "strategy it re-allocates, with other shares for each lever and other staff and attention."}


def chosen(opt_dir: str | Path, settings: tuple[str, ...] = ()) -> dict[str, Any]:
    """The overrides of the allocation a finished ``sim optimise`` chose: ``{"budget.shares": {...}, key: value}``
    for its budget shares and the staff settings it decided (``settings``, the keys of its ``[levers.ranges]``),
    read from ``summary.json`` and ``evaluations.csv``."""
    opt_dir = Path(opt_dir)
    try:
        summary = json.loads((opt_dir / "summary.json").read_text(encoding="utf-8"))
        rows = pd.read_csv(opt_dir / "evaluations.csv")
        row = rows[rows["candidate"] == int(summary["chosen"])].iloc[0]
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise ScenarioError(f"{opt_dir}: key 'chosen': expected the results of a finished sim optimise, "
                            f"found {type(exc).__name__}") from None
    shares = {lv: float(row[f"share.{lv}"]) for lv in BUDGET_LEVERS if f"share.{lv}" in row}
    return {"budget.shares": shares, **{k: float(row[k]) for k in settings if k in row}}


def _nested(overrides: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dotted, value in overrides.items():
        node = out
        *head, last = dotted.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def write_scenario(opt_dir: str | Path, folder: str | Path) -> Path:
    """Write ``recommended.toml`` into ``folder``: the chosen allocation as a scenario extending the one the
    optimiser re-allocated; returns its path."""
    import tomli_w

    opt_dir, folder = Path(opt_dir), Path(folder)
    meta = json.loads((opt_dir / "optimise.json").read_text(encoding="utf-8"))
    spec = load_optimise(meta["file"])
    doc = {"scenario": {"name": NAME, "extends": str(Path(spec.scenario_path).resolve()), "title": TITLE,
                        "description": DESCRIPTION}, **_nested(chosen(opt_dir, tuple(spec.ranges)))}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NAME}.toml"
    text = (f"# Written by sim main from the allocation {spec.name} chose ({meta['file']}); do not edit.\n"
            + tomli_w.dumps(doc))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return path


def write_rerun(exp: ExperimentSpec, scenario: str | Path, path: str | Path, replications: int) -> Path:
    """Write the experiment file ``path``: ``scenario`` re-run with the root seed, horizon, record, overrides and
    design points of ``exp`` (and its posterior draws, when it runs over the posterior), ``replications`` times (the replications of ``exp``'s baseline, so every run of the
    baseline has its pair); returns ``path``. The experiment is named ``<exp>_recommended``."""
    import tomli_w

    path = Path(path)
    body: dict[str, Any] = {"name": f"{exp.name}_{NAME}", "scenarios": [str(Path(scenario).resolve())],
                            "replications": int(replications), "root_seed": exp.root_seed, "record": exp.record}
    if exp.horizon_months:
        body["horizon_months"] = exp.horizon_months
    if exp.posterior is not None:  # replication r at the same posterior draw as in exp
        body["parameters"] = "posterior"
        if exp.posterior.cap is not None:
            body["posterior_draws"] = int(exp.posterior.cap)
    doc: dict[str, Any] = {"experiment": body}
    if exp.overrides:
        doc["overrides"] = dict(exp.overrides)
    if exp.design.kind != "none":
        if exp.design.kind != "list":
            raise ScenarioError(f"{exp.path}: key 'design.kind': expected none or list to re-run a strategy in its "
                                f"setting, found {exp.design.kind}")
        doc["design"] = {"kind": "list", "points": [{"label": lab, **p} for lab, p in
                                                    zip(exp.design.labels, exp.design.points, strict=True)]}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"# Written by sim main: the recommended allocation in the setting of {exp.path}; do not edit.\n" + \
        tomli_w.dumps(doc)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return path
