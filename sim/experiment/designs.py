"""Experimental designs: which parameter settings (design points) an experiment runs.

A design is a list of *points*; each point is a set of overrides addressed by
dotted keys into the scenario parameter tree (``"policy.incentive_rate"``,
``"budget.shares.park"``, ``"service.one_stop_centre"``). Every point is run on
every scenario of the experiment, for every replication.

Kinds (the ``kind`` of an experiment file's ``[design]`` table):

- ``none``: one point, no overrides (the scenarios as written);
- ``list``: points written out one by one, each with an optional label;
- ``factorial``: every combination of listed values (full factorial sweep);
- ``lhs``: a Latin hypercube sample of ``samples`` points over parameter ranges;
- ``sobol``: Saltelli-Sobol' sample for Sobol' indices (SALib ``sample.sobol``):
  ``samples * (D + 2)`` points, or ``samples * (2D + 2)`` with second-order indices;
- ``morris``: ``trajectories * (D + 1)`` points along Morris elementary-effect
  trajectories on a ``levels``-level grid (SALib ``sample.morris``); with groups
  (SALib's ``groups`` in the ``problem``) the parameters of a group move together
  and a trajectory has ``G + 1`` points for G groups. A Morris design may carry
  *members* too: a Latin hypercube over the parameters of chosen groups, one by
  one, appended after the trajectories (:func:`with_members`), for what a group's
  elementary effects cannot say (which of its parameters, and at what value).

Sample designs keep SALib's ``problem`` dictionary and the raw sample matrix
(one row per point, in point order) so ``SALib.analyze`` can be called on the
stored results. Like SALib, each sampler is one function with the same shape:
ranges and options in, a :class:`Design` out.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

KINDS = ("none", "list", "factorial", "lhs", "sobol", "morris")
SAMPLE_KINDS = ("lhs", "sobol", "morris")


@dataclass(frozen=True)
class Design:
    """The design points of an experiment: overrides per point, labels and, for samples, SALib's problem."""

    kind: str
    parameters: tuple[str, ...]
    points: tuple[dict[str, Any], ...]
    labels: tuple[str, ...]
    problem: dict | None = None
    sample: np.ndarray | None = field(default=None, compare=False)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        """Number of design points (parameter settings)."""
        return len(self.points)

    def describe(self) -> str:
        """One line for people: kind, parameters and number of points."""
        if self.kind == "none":
            return "no design (the scenarios as written): 1 point"
        names = ", ".join(self.parameters) if len(self.parameters) <= 8 else f"{', '.join(self.parameters[:3])}, ..."
        groups = self.options.get("groups")
        grouped = f" in {len(groups)} groups" if groups else ""
        return f"{self.kind} over {len(self.parameters)} parameter(s){grouped} ({names}): {self.n_points} points"


def single_point() -> Design:
    """The trivial design: one point without overrides."""
    return Design("none", (), ({},), ("p0",))


def list_design(points: list[dict[str, Any]], labels: list[str] | None = None) -> Design:
    """Points written out one by one (``[[design.points]]``); parameters absent from a point keep the scenario's value."""
    params: list[str] = []
    for p in points:
        params.extend(k for k in p if k not in params)
    labels = labels or [f"p{i}" for i in range(len(points))]
    return Design("list", tuple(params), tuple(dict(p) for p in points), tuple(labels))


def factorial_design(values: dict[str, list[Any]]) -> Design:
    """Every combination of the listed values, the first parameter varying slowest."""
    names = tuple(values)
    combos = list(itertools.product(*(values[n] for n in names)))
    points = tuple(dict(zip(names, c, strict=True)) for c in combos)
    return Design("factorial", names, points, tuple(f"p{i}" for i in range(len(points))))


def problem_from_ranges(ranges: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """SALib's ``problem`` dictionary for uniform ranges (the contract of ``SALib.analyze``)."""
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [[float(lo), float(hi)] for lo, hi in ranges.values()]}


def _point(names: tuple[str, ...], row: np.ndarray, integer: frozenset[str]) -> dict[str, Any]:
    return {name: int(round(float(x))) if name in integer else float(x) for name, x in zip(names, row, strict=True)}


def _sample_design(kind: str, ranges: dict[str, tuple[float, float]], sample: np.ndarray,
                   integer: frozenset[str], options: dict[str, Any], problem: dict | None = None) -> Design:
    names = tuple(ranges)
    points = [_point(names, row, integer) for row in sample]
    return Design(kind, names, tuple(points), tuple(f"p{i}" for i in range(len(points))),
                  problem or problem_from_ranges(ranges), np.asarray(sample, dtype=float), options)


def lhs_design(ranges: dict[str, tuple[float, float]], samples: int, seed: int,
               integer: frozenset[str] = frozenset()) -> Design:
    """A Latin hypercube of ``samples`` points over uniform ranges (SALib ``sample.latin``).

    Parameters in ``integer`` (counts, months) are rounded to whole numbers when
    applied; the stored sample matrix keeps the raw values.
    """
    from SALib.sample import latin

    x = latin.sample(problem_from_ranges(ranges), int(samples), seed=seed)
    return _sample_design("lhs", ranges, x, integer, {"samples": int(samples), "seed": seed})


def sobol_design(ranges: dict[str, tuple[float, float]], samples: int, seed: int, second_order: bool = False,
                 integer: frozenset[str] = frozenset()) -> Design:
    """Saltelli's scheme for Sobol' indices (SALib ``sample.sobol``, scrambled): ``samples * (D + 2)`` points,
    or ``samples * (2D + 2)`` with ``second_order``; ``samples`` must be a power of 2."""
    from SALib.sample import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        x = sobol.sample(problem_from_ranges(ranges), int(samples), calc_second_order=bool(second_order), seed=seed)
    return _sample_design("sobol", ranges, x, integer,
                          {"samples": int(samples), "calc_second_order": bool(second_order), "seed": seed})


def morris_design(ranges: dict[str, tuple[float, float]], trajectories: int, seed: int, levels: int = 4,
                  integer: frozenset[str] = frozenset(), groups: dict[str, str] | None = None) -> Design:
    """Morris elementary-effect trajectories (SALib ``sample.morris``): ``trajectories * (D + 1)`` points, or
    ``trajectories * (G + 1)`` with ``groups`` (each parameter's group; the parameters of a group move together,
    each in its own direction, as SALib's grouped sampler moves them)."""
    from SALib.sample import morris

    problem = problem_from_ranges(ranges)
    options: dict[str, Any] = {"trajectories": int(trajectories), "num_levels": int(levels), "seed": seed}
    if groups:
        problem["groups"] = [groups[k] for k in ranges]
        options["groups"] = list(dict.fromkeys(problem["groups"]))
    x = morris.sample(dict(problem), int(trajectories), num_levels=int(levels), seed=seed)  # SALib adds groups
    options["morris_points"] = int(x.shape[0])
    return _sample_design("morris", ranges, x, integer, options, problem)


def with_members(design: Design, members: list[str], samples: int, seed: int, shipped: dict[str, float],
                 groups: list[str] | None = None) -> Design:
    """A Morris design with a Latin hypercube of ``samples`` points over the parameters ``members`` (one by one,
    over the design's ranges) appended after its trajectories. The other parameters keep the scenario's values at
    those points (the sample matrix holds their ``shipped`` values); ``options["members"]`` records the members,
    the number of points, the seed and the ``groups`` they were taken from."""
    from SALib.sample import latin

    names = design.parameters
    bounds = dict(zip(names, design.problem["bounds"], strict=True))
    sub = {"num_vars": len(members), "names": list(members), "bounds": [bounds[k] for k in members]}
    u = latin.sample(sub, int(samples), seed=seed)
    rows = np.tile(np.array([float(shipped[k]) for k in names]), (int(samples), 1))
    rows[:, [names.index(k) for k in members]] = u
    integer = frozenset(k for k in members if isinstance(shipped[k], int) and not isinstance(shipped[k], bool))
    extra = [_point(tuple(members), row, integer) for row in u]
    points = (*design.points, *extra)
    options = {**design.options, "members": {"parameters": list(members), "samples": int(samples), "seed": seed,
                                             **({"groups": list(groups)} if groups else {})}}
    return Design(design.kind, names, points, tuple(f"p{i}" for i in range(len(points))), design.problem,
                  np.vstack([design.sample, rows]), options)


def adjusted(design: Design, adjust: Callable[[dict[str, Any]], dict[str, Any]]) -> Design:
    """The design with every point passed through ``adjust`` (a point's overrides in, the overrides to apply out:
    e.g. shares rescaled to add up to 1); the sample matrix keeps the values drawn."""
    return replace(design, points=tuple(adjust(p) for p in design.points))


def runs_per_point_count(kind: str, n_params: int, options: dict[str, Any]) -> int:
    """Number of design points a sample design will have, before drawing it (for plans and docs)."""
    if kind == "lhs":
        return int(options["samples"])
    if kind == "sobol":
        per = 2 * n_params + 2 if options.get("calc_second_order") else n_params + 2
        return int(options["samples"]) * per
    if kind == "morris":
        groups = options.get("groups")
        members = (options.get("members") or {}).get("samples", 0)
        return int(options["trajectories"]) * ((len(groups) if groups else n_params) + 1) + int(members)
    raise ValueError(kind)


def is_power_of_two(n: int) -> bool:
    """True for 1, 2, 4, 8, ... (Sobol' sequences keep their balance only for such sample sizes)."""
    return n >= 1 and (n & (n - 1)) == 0


def nearest_powers_of_two(n: int) -> tuple[int, int]:
    """The powers of 2 just below and just above ``n``."""
    lo = 2 ** max(0, math.floor(math.log2(max(n, 1))))
    return lo, lo * 2

