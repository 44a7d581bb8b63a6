"""Posterior draws of an experiment: replication r of every scenario and design point runs at one parameter set
drawn from the calibration's posterior.

With ``parameters = "posterior"`` in ``[experiment]`` the calibrated parameters of every run are not the shipped
central point but a draw from the posterior sample in the calibration record (``sim/calibrated_baseline.json``,
its ``sample``: particles and their weights), applied on top of the scenario's parameters and under the design
point's. Replication r gets the same draw in every scenario and design point, so paired differences stay paired
(common random numbers and common parameters) and every interval over replications carries the parameters'
uncertainty as well as chance.

Which particle replication r gets depends only on the root seed, r and the record, never on how many replications
run, the engine, the workers or an interruption:

- without a cap, each replication draws a particle of its own by the particles' weights (systematic resampling of
  one draw, :func:`sim.stats.systematic_resample`, seeded by ``SeedSequence(root_seed, spawn_key=(DRAW_SPAWN, r))``),
  so more replications are more draws;
- with ``posterior_draws = N``, N particles are drawn once by systematic resampling (seeded by
  ``SeedSequence(root_seed, spawn_key=(DRAW_SPAWN,))``) and replication r takes draw ``r mod N``.

The over-reporting factor of the calibration is a parameter of the figures, not of the model: it is not applied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration.priors import OVER_REPORTING
from sim.errors import error
from sim.params import CALIBRATION_RECORD
from sim.stats import systematic_resample

PARAMETER_SOURCES = ("scenario", "posterior")
"""Where a run's calibrated parameters come from (``[experiment] parameters``): the scenario's (the shipped central
point unless the scenario says otherwise) or a posterior draw per replication."""
DRAW_SPAWN = 2**32 + 1
"""Spawn key of the draws' seeds under the root seed: no replication (``(r,)``) nor the design sampler
(``(2**32,)``) uses it, so the draws and the model's random numbers are independent."""
DRAW_COLUMN = "posterior_draw"
"""Stored column: the row of the record's posterior sample a run was drawn at."""
VALUE_PREFIX = "posterior."
"""Stored columns ``posterior.<parameter key>``: the value of each calibrated parameter a run was drawn at."""
ENDS = (0.2, 0.8)
"""The posterior's lowest and highest fifths: their bounds (:func:`end_bounds`) are stored in the manifest for each
parameter, so that the analysis can split runs by where their draw lies."""


@dataclass(frozen=True, eq=False)
class PosteriorDraws:
    """The calibration's posterior sample (particles x calibrated parameters, with weights) and how an experiment
    draws from it: one particle per replication, or ``cap`` particles cycled over the replications."""

    path: Path
    sha256: str
    keys: tuple[str, ...]
    values: np.ndarray  # particles x keys, natural units
    weights: np.ndarray  # normalised
    cap: int | None = None
    _cycle: dict[int, np.ndarray] = field(default_factory=dict, repr=False)  # root seed -> the cap's draws

    @property
    def effective_sample(self) -> float:
        """Effective number of particles of the weights (1 / sum of squared weights)."""
        return float(1.0 / np.sum(self.weights**2))

    def particle(self, root_seed: int, replication: int) -> int:
        """The row of the posterior sample replication ``replication`` (from 0) runs at."""
        if self.cap is None:
            seed = np.random.SeedSequence(int(root_seed), spawn_key=(DRAW_SPAWN, int(replication)))
            return int(systematic_resample(self.weights, 1, seed)[0])
        if root_seed not in self._cycle:
            seed = np.random.SeedSequence(int(root_seed), spawn_key=(DRAW_SPAWN,))
            self._cycle[root_seed] = systematic_resample(self.weights, self.cap, seed)
        return int(self._cycle[root_seed][int(replication) % self.cap])

    def draw(self, root_seed: int, replication: int) -> tuple[int, dict[str, float]]:
        """(row, the calibrated parameters' values) of replication ``replication``'s draw: the overrides its runs
        apply under their design point."""
        i = self.particle(root_seed, replication)
        return i, {k: float(v) for k, v in zip(self.keys, self.values[i], strict=True)}

    def record_columns(self, root_seed: int, replication: int) -> dict[str, Any]:
        """What is stored with each run about its draw: ``posterior_draw`` and ``posterior.<key>`` per parameter."""
        i, values = self.draw(root_seed, replication)
        return {DRAW_COLUMN: i, **{VALUE_PREFIX + k: v for k, v in values.items()}}

    def column_kinds(self) -> dict[str, str]:
        """The stored columns' kinds (as the results store names them)."""
        return {DRAW_COLUMN: "int", **{VALUE_PREFIX + k: "float" for k in self.keys}}

    def ends(self) -> dict[str, list[float]]:
        """Per parameter, the bounds [low, high] of the posterior's lowest and highest fifths (:data:`ENDS`): a
        draw at or below ``low`` is in the lowest fifth, at or above ``high`` in the highest. A particle lies in an
        end when the middle of its weight does, so a heavy particle astride a quantile (the shipped point holds
        about 30% of the weight) does not swell an end to half the draws."""
        return {k: end_bounds(self.values[:, j], self.weights) for j, k in enumerate(self.keys)}

    def manifest(self) -> dict[str, Any]:
        """The option as the manifest keeps it: the record (path and sha256), the cap, the parameters drawn, the
        particles and their effective number, and the bounds of each parameter's lowest and highest fifths."""
        return {"parameters": "posterior", "record": _shown(self.path), "record_sha256": self.sha256,
                "posterior_draws": self.cap, "keys": list(self.keys), "particles": int(len(self.weights)),
                "effective_sample": round(self.effective_sample, 2), "columns": list(self.column_kinds()),
                "ends": self.ends(), "ends_quantiles": list(ENDS),
                "scheme": ("replication r of every scenario and design point runs at row "
                           + ("systematic_resample(weights, 1, SeedSequence(root_seed, spawn_key=(2**32+1, r)))"
                              if self.cap is None else
                              f"systematic_resample(weights, {self.cap}, SeedSequence(root_seed, spawn_key=(2**32+1,)))"
                              f"[r % {self.cap}]") + " of the record's posterior sample")}

    def signature(self) -> dict[str, Any]:
        """What must not change for stored runs to keep their meaning: the record and the cap."""
        return {"record_sha256": self.sha256, "posterior_draws": self.cap}


def end_bounds(x: np.ndarray, weights: np.ndarray, ends: tuple[float, float] = ENDS) -> list[float]:
    """[low, high]: the largest value whose weight's middle lies at or below the lower quantile of ``ends`` and the
    smallest whose weight's middle lies at or above the upper one (the extreme values when none does)."""
    values, inverse = np.unique(np.asarray(x, float), return_inverse=True)
    w = np.bincount(inverse, weights=np.asarray(weights, float), minlength=len(values))
    cw = np.cumsum(w) / w.sum()
    middle = cw - w / w.sum() / 2
    low = values[middle <= ends[0]]
    high = values[middle >= ends[1]]
    return [float(low.max()) if low.size else float(values[0]), float(high.min()) if high.size else float(values[-1])]


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def load_posterior_draws(record: Path = CALIBRATION_RECORD, cap: int | None = None,
                         source: Path | None = None) -> PosteriorDraws:
    """The posterior sample of the calibration record ``record``; a one-line error naming the record (or
    ``source``, the experiment file that asked for it) when it has none or it is malformed."""
    where = source or record
    if not record.is_file():
        raise error(where, "experiment.parameters", f"a calibration record with a posterior sample at {record}",
                    "no such file")
    raw = record.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise error(record, "-", "a JSON calibration record", "unreadable JSON") from None
    sample = data.get("sample") if isinstance(data, dict) else None
    if not isinstance(sample, dict) or not all(k in sample for k in ("parameters", "weights", "values")):
        raise error(record, "sample", "the posterior sample (parameters, weights, values) written by "
                    "experiments/calibrate.py", "none")
    names = list(sample["parameters"])
    try:
        values = np.asarray(sample["values"], dtype=float)
        weights = np.asarray(sample["weights"], dtype=float)
    except (TypeError, ValueError):
        raise error(record, "sample.values", "numbers", "something else") from None
    if values.ndim != 2 or values.shape != (len(weights), len(names)) or not len(weights):
        raise error(record, "sample.values", f"one row of {len(names)} numbers per weight ({len(weights)})",
                    f"shape {values.shape}")
    if not (np.isfinite(values).all() and np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
        raise error(record, "sample.weights", "finite values and weights >= 0 with a positive sum", "others")
    keep = [j for j, k in enumerate(names) if k != OVER_REPORTING]
    return PosteriorDraws(record, hashlib.sha256(raw).hexdigest(), tuple(names[j] for j in keep),
                          values[:, keep], weights / weights.sum(), cap)
