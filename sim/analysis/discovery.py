"""Scenario discovery: under which combinations of uncertain assumptions does a strategy fail?

The input is an ordinary experiment (``sim experiment``) with the baseline and
the strategy as scenarios and a sample design (Latin hypercube, Sobol, Morris)
over uncertain assumptions: the outside option's growth, the bank's approval,
competing regions' pull, land supply. For each design point (a future) the
strategy *fails* when the mean over replications of its paired difference from
the baseline (common random numbers) is below zero (it does worse than the
baseline), or, with a target, when its own mean misses the target.

Two methods describe the failing futures as boxes (ranges of a few
assumptions):

- PRIM (Friedman and Fisher 1999) through ``ema_workbench.analysis.prim``:
  peeling from the whole space; the box kept is the densest one on the
  peeling trajectory whose coverage is at least ``min_coverage``; further boxes
  cover the failures the earlier ones left;
- a classification tree (scikit-learn ``DecisionTreeClassifier``, seeded):
  each leaf that predicts failure is a box.

For every box: *coverage* (share of all failing futures inside the box),
*density* (share of futures in the box that fail), *mass* (share of futures in
the box) and its limits on the restricted assumptions. Futures are the design
points of the stored experiment; nothing is run here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.data import AnalysisError, Results
from sim.files import atomic_write, atomic_write_text
from sim.paramdoc import param_label, param_unit

MIN_COVERAGE = 0.5
"""A PRIM box is chosen as the densest on the peeling trajectory that still holds this share of the failures."""
MIN_CUT = 0.95
"""A PRIM box restricts an assumption when it keeps less than this share of its sampled range; thinner trims are
peeling noise (a few futures at the edges) and would only clutter the description."""
MAX_BOXES = 2
TREE_DEPTH = 3
MIN_LEAF = 0.05
"""Smallest share of futures in a tree leaf (keeps leaves readable and not fitted to single runs)."""


@dataclass
class Box:
    """A region of the uncertain assumptions where failures concentrate."""

    method: str
    index: int
    coverage: float
    density: float
    mass: float
    n: int
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Restricted assumptions only: name -> (low, high) within the sampled ranges."""

    def rows(self) -> list[dict]:
        """One table row per restricted assumption (or one row when the box restricts none)."""
        base = {"method": self.method, "box": self.index, "coverage": self.coverage, "density": self.density,
                "mass": self.mass, "n": self.n}
        if not self.limits:
            return [{**base, "parameter": "", "low": np.nan, "high": np.nan}]
        return [{**base, "parameter": k, "low": lo, "high": hi} for k, (lo, hi) in self.limits.items()]


def _restricted(lims: pd.DataFrame, x: pd.DataFrame) -> dict[str, tuple[float, float]]:
    out = {}
    span = x.max() - x.min()
    for col in x.columns:
        lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
        if hi - lo < MIN_CUT * float(span[col]):
            out[col] = (lo, hi)
    return out


def _inside(x: pd.DataFrame, limits: dict[str, tuple[float, float]]) -> np.ndarray:
    m = np.ones(len(x), dtype=bool)
    for k, (lo, hi) in limits.items():
        m &= (x[k].to_numpy() >= lo) & (x[k].to_numpy() <= hi)
    return m


def prim_boxes(x: pd.DataFrame, y: np.ndarray, min_coverage: float = MIN_COVERAGE, max_boxes: int = MAX_BOXES,
               peel_alpha: float = 0.05, mass_min: float = 0.05) -> list[Box]:
    """PRIM boxes of the failures ``y`` (bool per row of ``x``), with coverage and density over all of ``x``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        y = np.asarray(y, dtype=bool)
        if y.sum() == 0 or y.all():
            return []
        alg = prim.Prim(x.reset_index(drop=True), y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        boxes = []
        for k in range(max_boxes):
            box = alg.find_box()
            if box is None:
                break
            traj = box.peeling_trajectory
            ok = traj[traj["coverage"] >= min_coverage]
            i = int(ok["density"].idxmax()) if not ok.empty else int(traj.index[-1])
            box.select(i)
            limits = _restricted(box.box_lims[i], x)
            inside = _inside(x, limits)
            n_in = int(inside.sum())
            boxes.append(Box("prim", k + 1, float((inside & y).sum() / y.sum()),
                             float((inside & y).sum() / n_in) if n_in else float("nan"), float(n_in / len(x)), n_in,
                             limits))
            if (inside & y).sum() == y.sum():
                break
    return boxes


def tree_boxes(x: pd.DataFrame, y: np.ndarray, max_depth: int = TREE_DEPTH, seed: int = 0,
               min_leaf: float = MIN_LEAF) -> list[Box]:
    """Leaves of a classification tree that predict failure, as boxes with coverage and density."""
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(y, dtype=bool)
    if y.sum() == 0 or y.all():
        return []
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(2, int(min_leaf * len(x))),
                                  random_state=seed).fit(x.to_numpy(), y)
    t = tree.tree_
    lo0 = x.min().to_dict()
    hi0 = x.max().to_dict()
    boxes: list[Box] = []

    def walk(node: int, limits: dict[str, tuple[float, float]]) -> None:
        if t.children_left[node] == -1:
            counts = t.value[node][0]
            if tree.classes_[int(np.argmax(counts))]:
                inside = _inside(x, limits)
                n_in = int(inside.sum())
                boxes.append(Box("tree", len(boxes) + 1, float((inside & y).sum() / y.sum()),
                                 float((inside & y).sum() / n_in) if n_in else float("nan"), float(n_in / len(x)),
                                 n_in, {k: v for k, v in limits.items() if v != (lo0[k], hi0[k])}))
            return
        name = x.columns[t.feature[node]]
        thr = float(t.threshold[node])
        lo, hi = limits.get(name, (lo0[name], hi0[name]))
        walk(t.children_left[node], {**limits, name: (lo, min(hi, thr))})
        walk(t.children_right[node], {**limits, name: (max(lo, np.nextafter(thr, np.inf)), hi)})

    walk(0, {})
    boxes.sort(key=lambda b: (-b.coverage * b.density, b.index))
    for i, b in enumerate(boxes, start=1):
        b.index = i
    return boxes


def failures(results: Results, strategy: str, output: str, target: float | None = None,
             below: bool = True) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The futures (design points' assumptions), whether the strategy fails in each, and the measure behind it.

    Without ``target``: the mean paired difference strategy - baseline of ``output`` per point (fails below 0 when
    more is better, ``below``). With ``target``: the strategy's mean per point (fails below the target, or above
    it when ``below`` is false).
    """
    runs = results.runs
    params = list(results.manifest.get("design", {}).get("parameters", []))
    if not params:
        raise AnalysisError(f"{results.root}: key 'design': expected a sample design over uncertain assumptions "
                            f"(lhs, sobol or morris), found {results.design_kind}")
    names = [s.name for s in results.scenarios]
    if strategy not in names:
        raise AnalysisError(f"{results.root}: key 'strategy': expected one of {', '.join(names)}, found '{strategy}'")
    if output not in runs.columns:
        raise AnalysisError(f"{results.root}: key 'output': expected a stored output such as jobs, found '{output}'")
    keys = ["point_id", "replication"]
    a = runs[runs["scenario"] == strategy].set_index(keys)[output]
    if target is None:
        b = runs[runs["scenario"] == results.baseline_of(strategy)].set_index(keys)[output]
        common = a.index.intersection(b.index)
        d = (a.loc[common] - b.loc[common]).groupby(level=0).mean()
        measure = d
        fail = (d < 0) if below else (d > 0)
    else:
        measure = a.groupby(level=0).mean()
        fail = (measure < target) if below else (measure > target)
    cols = [f"design.{p}" if f"design.{p}" in runs.columns else p for p in params]
    x = runs.groupby("point_id")[cols].first().loc[measure.index]
    x.columns = params
    return x.astype(float), fail.to_numpy(), measure.to_numpy()


def discover(results: Results, strategy: str, output: str, target: float | None = None, below: bool = True,
             seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """PRIM and tree boxes of a strategy's failures in a stored experiment: the box table and a summary."""
    x, y, measure = failures(results, strategy, output, target, below)
    boxes = prim_boxes(x, y) + tree_boxes(x, y, seed=seed)
    table = pd.DataFrame([r for b in boxes for r in b.rows()],
                         columns=["method", "box", "coverage", "density", "mass", "n", "parameter", "low", "high"])
    table.insert(0, "strategy", strategy)
    table.insert(1, "output", output)
    ranges = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    summary = {"strategy": strategy, "output": output, "baseline": results.baseline, "target": target,
               "below": below, "futures": int(len(y)), "failing": int(y.sum()),
               "failing_share": float(y.mean()) if len(y) else float("nan"), "ranges": ranges,
               "replications": int(results.runs["replication"].nunique())}
    return table, summary


# ----------------------------------------------------------------------------- words
UNITLESS = ("share", "probability", "0-1", "")
"""Units a parameter's words do not name (the number says it)."""


def param_words(name: str, lang: str) -> str:
    """An uncertain assumption in words, for the middle of a sentence: its label (``sim.paramdoc``) with its unit,
    e.g. 各县每年新增熟地（亩/年） / serviced land added by counties each year (mu / year); the name itself if it is
    not a parameter."""
    label, unit = param_label(name, lang), param_unit(name, lang)
    if lang != "zh" and label != name and not label[1:2].isupper():
        label = label[:1].lower() + label[1:]
    if param_unit(name, "en") in UNITLESS:
        return label
    return f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})"


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def box_sentence(table: pd.DataFrame, summary: dict, method: str, box: int, lang: str) -> str:
    """One box in plain words: the conditions, then coverage and density."""
    rows = table[(table["method"] == method) & (table["box"] == box)]
    if rows.empty:
        return ""
    r0 = rows.iloc[0]
    conds = []
    for _, r in rows.iterrows():
        if not r["parameter"]:
            continue
        lo_all, hi_all = summary["ranges"][r["parameter"]]
        w = param_words(r["parameter"], lang)
        lo_cut = r["low"] > lo_all + 1e-12 * max(1, abs(lo_all))
        hi_cut = r["high"] < hi_all - 1e-12 * max(1, abs(hi_all))
        if lang == "zh":
            if lo_cut and hi_cut:
                conds.append(f"{w}在 {_num(r['low'])} 至 {_num(r['high'])} 之间")
            elif lo_cut:
                conds.append(f"{w}高于 {_num(r['low'])}")
            else:
                conds.append(f"{w}低于 {_num(r['high'])}")
        else:
            if lo_cut and hi_cut:
                conds.append(f"{w} is between {_num(r['low'])} and {_num(r['high'])}")
            elif lo_cut:
                conds.append(f"{w} is above {_num(r['low'])}")
            else:
                conds.append(f"{w} is below {_num(r['high'])}")
    cov, den = r0["coverage"], r0["density"]
    if lang == "zh":
        where = "且".join(conds) if conds else "在整个取值范围内"
        return (f"当{where}时：{den:.0%} 的情景失败（密度），涵盖全部失败情景的 {cov:.0%}（覆盖率）。")
    where = " and ".join(conds) if conds else "anywhere in the ranges"
    return (f"When {where}: {den:.0%} of these futures fail (density), holding {cov:.0%} of all failing "
            f"futures (coverage).")


def write(results_dir: str | Path, table: pd.DataFrame, summary: dict) -> list[Path]:
    """Write ``discovery_<strategy>_<output>`` (CSV, Parquet, JSON) into the results' analysis folder."""
    import json

    folder = Path(results_dir) / "analysis"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"discovery_{summary['strategy']}_{summary['output']}"
    atomic_write_text(folder / f"{stem}.csv", table.to_csv(index=False))
    atomic_write(folder / f"{stem}.parquet", lambda fh: table.to_parquet(fh, index=False))
    words = {lang: [box_sentence(table, summary, m, int(b), lang)
                    for m, b in table[["method", "box"]].drop_duplicates().itertuples(index=False)]
             for lang in ("zh", "en")}
    atomic_write_text(folder / f"{stem}.json", json.dumps({**summary, "words": words}, indent=1,
                                                           ensure_ascii=False) + "\n")
    return [folder / f"{stem}.{e}" for e in ("csv", "parquet", "json")]
