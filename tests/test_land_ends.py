"""The land-scarce and land-rich ends of runs over the posterior, on constructed runs: which replications fall in
each end, the paired effect at each, when the ends differ, and how the findings say it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.data import Results, ScenarioInfo
from sim.analysis.uncertainty import LAND, ends, share_of_draws
from sim.experiment.posterior import end_bounds
from sim.report.findings import Findings

LOW, HIGH = 2000.0, 10000.0
N = 20


def _results(shift_scarce: float = 50.0, shift_rich: float = -50.0) -> Results:
    """20 paired replications of a baseline and a park: replications 0-3 draw scarce land (3 exactly at the bound),
    16-19 plentiful land, the rest in between. The park adds ``shift_scarce`` jobs where land is scarce,
    ``shift_rich`` where it is plentiful and 10 in between; its 履约率 rises by 0.05 everywhere."""
    rng = np.random.default_rng(3)
    land = np.full(N, 6000.0)
    land[:4] = [1000.0, 1500.0, 1200.0, LOW]
    land[16:] = [HIGH, 12000.0, 15000.0, 11000.0]
    base_jobs = 1000 + rng.normal(0, 30, N)
    shift = np.where(land <= LOW, shift_scarce, np.where(land >= HIGH, shift_rich, 10.0))
    noise = rng.normal(0, 2, N)
    rows = []
    for scen, jobs, ful in (("baseline", base_jobs, 0.3 + 0.01 * noise),
                            ("park", base_jobs + shift + noise, 0.35 + 0.01 * noise + rng.normal(0, 0.001, N))):
        for r in range(N):
            rows.append({"scenario": scen, "point_id": 0, "point_label": "p0", "replication": r,
                         "posterior.platform.county_land_mu_per_year": land[r], "jobs": jobs[r],
                         "cohort_fulfilment_rate_24m": ful[r]})
    runs = pd.DataFrame(rows).sample(frac=1.0, random_state=1).reset_index(drop=True)  # pairing must not rely on order
    manifest = {"experiment": "t", "design": {"kind": "none"}, "posterior": {"ends": {LAND: [LOW, HIGH]}}}
    return Results(Path("."), manifest, runs, None, ["jobs", "cohort_fulfilment_rate_24m"],
                   [ScenarioInfo("baseline", 0, ""), ScenarioInfo("park", 1, "")], "baseline", 0)


def test_each_end_holds_the_replications_at_or_beyond_its_bound_and_pairs_them():
    """Catches a bound taken as strict, ends mixed up, and differences taken between unpaired replications."""
    res = _results()
    table = ends(res, outputs=["jobs", "cohort_fulfilment_rate_24m"]).set_index("output")
    jobs = table.loc["jobs"]
    assert jobs["scarce_n"] == 4 and jobs["rich_n"] == 4
    runs = res.runs.set_index(["scenario", "replication"])
    d = runs.loc["park", "jobs"].sort_index() - runs.loc["baseline", "jobs"].sort_index()
    assert jobs["scarce_effect"] == pytest.approx(d.loc[[0, 1, 2, 3]].mean())
    assert jobs["rich_effect"] == pytest.approx(d.loc[[16, 17, 18, 19]].mean())
    assert jobs["scarce_ci_low"] < jobs["scarce_effect"] < jobs["scarce_ci_high"]
    assert share_of_draws(res) == {"scarce": 0.2, "rich": 0.2}


def test_an_effect_differs_between_the_ends_only_beyond_their_intervals():
    """Catches 'differs' read from the means alone (the 履约率 effect's means differ by noise only) or never set."""
    table = ends(_results(), outputs=["jobs", "cohort_fulfilment_rate_24m"]).set_index("output")
    assert bool(table.loc["jobs", "differs"])
    ful = table.loc["cohort_fulfilment_rate_24m"]
    assert ful["scarce_effect"] != ful["rich_effect"] and not bool(ful["differs"])
    same = ends(_results(shift_scarce=10.0, shift_rich=10.0), outputs=["jobs"])
    assert not bool(same["differs"].iloc[0])


def test_runs_not_drawn_from_the_posterior_have_no_ends():
    res = _results()
    res.manifest.pop("posterior")
    assert ends(res).empty


def test_a_heavy_particle_astride_a_fifth_does_not_swell_the_end():
    """Catches bounds taken as plain weighted quantiles: a particle holding 30% of the weight across the 80%
    quantile would put half the draws in the land-rich end."""
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    w = np.array([0.15, 0.1, 0.15, 0.15, 0.3, 0.15])  # 2.0 spans cumulative 0.15-0.25 (middle 0.20: in), 5.0 0.55-0.85
    low, high = end_bounds(x, w)
    assert low == 2.0 and high == 6.0


def test_the_findings_show_both_ends_of_an_effect_that_depends_on_land():
    """Catches an effect that depends on land told as one number (the memo writes these words under the effect, in
    its summary and in how sure we are)."""
    table = ends(_results(), outputs=["jobs", "cohort_fulfilment_rate_24m"])
    an = {"baseline": "baseline", "effects": [], "costs": [], "headline_outputs": ["jobs", "cohort_fulfilment_rate_24m"],
          "posterior": {"available": True, "design": {"draws": 17},
                        "effects": table.to_dict(orient="records")}}
    for lang, words in (("zh", ("缺地一端", "地多一端")), ("en", ("where land is scarce", "where it is plentiful"))):
        f = Findings(an, lang)
        r = f.robust("park", "jobs")
        assert r is not None and words[0] in f.ends_text(r) and words[1] in f.ends_text(r)
        assert f.robust("park", "cohort_fulfilment_rate_24m") is None
