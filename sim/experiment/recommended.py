"""The allocation an optimiser chose, as a strategy of its own, run as one more strategy of another experiment.

``sim optimise`` searches on a small market and judges candidates over sampled futures; its numbers are not on
the scale of the main comparison. Here the chosen allocation (its budget shares and staff settings) becomes a
scenario file, ``recommended``, that extends the scenario the optimiser re-allocated, and ``sim main`` runs it as
one more strategy of the main comparison (:func:`write_comparison`): replication r of the recommendation meets
the same investors, from the same warm state and at the same posterior draw, as replication r of every strategy,
so it is paired with the same baseline runs and its spin-ups are the comparison's. (A strategy run elsewhere in
the same setting can still be joined to a comparison: ``sim brief --join``, ``sim.analysis.memo.join_runs``.)
"""

from __future__ import annotations

import json
import os
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


def write_comparison(exp: ExperimentSpec, scenario: str | Path, path: str | Path) -> Path:
    """Write the experiment file ``path``: ``exp`` (extended, so its replications, root seed, horizon, record,
    overrides, design points and posterior draws are its own) with ``scenario`` as one more strategy after its own;
    returns ``path``. It keeps ``exp``'s name, so its results are the comparison's: replication r of the
    recommended allocation starts from the warm state and posterior draw of the baseline's replication r, and how
    many replications it runs is decided like every other strategy's (adaptive replications)."""
    import tomli_w

    path = Path(path)
    here = path.parent.resolve()
    files = [Path(os.path.relpath(Path(e.path).resolve(), here)).as_posix() for e in exp.scenarios]
    body = {"extends": Path(os.path.relpath(Path(exp.path).resolve(), here)).as_posix(), "name": exp.name,
            "scenarios": [*files, Path(os.path.relpath(Path(scenario).resolve(), here)).as_posix()]}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (f"# Written by sim main: {exp.path} with the recommended allocation as one more strategy; do not edit.\n"
            + tomli_w.dumps({"experiment": body}))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_text(path, text)
    return path
