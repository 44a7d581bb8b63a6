"""The baseline in steady state at month 0: after the shipped spin-up its yearly flows neither ramp up nor decline.

The measurement is ``experiments/steady_state.py``'s (the shipped baseline at full size on paired seeds); its record
``docs/steady_state.json`` and the block of docs/ODD.md section 5 are generated from it.
"""

from __future__ import annotations

import json

from modelkit import experiment_script


def test_the_baseline_is_in_steady_state_after_the_spin_up():
    """Signings, signed capital, arrived capital and jobs added per year: the mean of year 5 is within 10% of the mean
    of year 1 (the script's ``SEEDS`` paired seeds, full size). Catches a region that still fills up at month 0 (too short a spin-up, a
    market that runs dry) or a feedback without bound (a rival's pull that rises every year, a budget fed by the tax
    of every firm ever attracted)."""
    script = experiment_script("steady_state")
    r = script.ratios(script.measure({}, 5, script.SEEDS))
    assert script.settles(r), {k: round(v[0], 3) for k, v in r.items()}


def test_a_cold_start_is_not_in_steady_state():
    """The test above can fail: from an empty region the same measurement ramps up (on 4 seeds)."""
    script = experiment_script("steady_state")
    r = script.ratios(script.measure({"run.spinup_months": 0}, 5, 4))
    assert not script.settles(r)
    assert r["signings"][0] > 1 + script.TOLERANCE


def test_the_odd_carries_the_steady_state_block_generated_from_its_record():
    """docs/ODD.md's steady-state block is what the script writes from docs/steady_state.json, measured at the
    shipped spin-up (re-run ``python experiments/steady_state.py --odd`` after changing the model)."""
    from sim.params import Params

    script = experiment_script("steady_state")
    record = json.loads(script.RECORD.read_text(encoding="utf-8"))
    assert record["spinup_months"] == Params().run.spinup_months
    assert set(record["settings"]["shipped"]["ratios"]) == set(script.FIGURES)
    assert script.odd_block(record) in script.ODD.read_text(encoding="utf-8")


def test_the_block_says_when_the_region_has_not_settled():
    """A constructed record whose year 5 is 20% above year 1 is reported as not in steady state."""
    script = experiment_script("steady_state")
    means = {k: [100.0, 105.0, 110.0, 115.0, 120.0] for k in script.LABELS}
    ratios = {k: [1.2, 1.1, 1.3] for k in script.FIGURES}
    record = {"seeds": 2, "code_version": "x", "written": "2026-12-06", "spinup_months": 120,
              "settings": {"shipped": {"means": means, "ratios": ratios}, "cold": {"means": means, "ratios": ratios}}}
    block = script.odd_block(record)
    assert "not yet in steady state" in block and "| 1.20 (1.10-1.30) |" in block


def test_the_block_says_what_a_longer_spin_up_gives_and_costs():
    """A constructed record with a longer spin-up that settles (jobs added the furthest, 0.94) and one that does not:
    the block names the spin-up, the verdict, the furthest figure and both warm states' CPU seconds."""
    script = experiment_script("steady_state")
    means = {k: [100.0] * 5 for k in script.LABELS}
    off = {k: [1.2, 1.1, 1.3] for k in script.FIGURES}
    near = {**{k: [1.01, 0.9, 1.1] for k in script.FIGURES}, "jobs_added": [0.94, 0.8, 1.1]}
    record = {"seeds": 2, "code_version": "x", "written": "2026-12-06", "spinup_months": 120,
              "longer_spinup_months": 300, "warm_cpu_seconds": {"shipped": 0.45, "longer": 1.37},
              "settings": {"shipped": {"means": means, "ratios": off}, "cold": {"means": means, "ratios": off},
                           "longer": {"means": means, "ratios": near}}}
    block = script.odd_block(record)
    assert "| jobs added | warm, 300 months |" in block
    assert ("With a spin-up of 300 months instead, on the same seeds, every figure is within 10% of its first year "
            "by year 5 (the furthest, jobs added, 0.94)") in block
    assert "1.37 CPU s at full size against 0.45 s for the shipped 120 months" in block
    record["settings"]["longer"]["ratios"] = {**near, "signings": [1.15, 1.0, 1.3]}
    assert "300 months instead, on the same seeds, not every figure is within 10% of its first year by year 5 " \
           "(signings: 1.15)" in script.odd_block(record)


def test_the_scripts_pools_do_not_fork_beside_other_threads():
    """Catches an experiment script's process pool forked while the process runs other threads (the whole test
    suite does, by the time it gets here): a forked worker may then deadlock on a lock another thread held, which
    Python warns of. With a thread alive, the steady-state measurement (a small market) warns of no fork: its
    pool's workers come from the fork server (``sim.experiment.executors.process_pool``)."""
    import threading
    import warnings

    script = experiment_script("steady_state")
    alive = threading.Event()
    threading.Thread(target=alive.wait, daemon=True).start()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            runs = script.measure({"run.n_investors": 1500, "run.spinup_months": 24}, 2, 2)
        assert runs["signings"].shape == (2, 2)
        assert not [w for w in caught if "fork" in str(w.message)], [str(w.message) for w in caught]
    finally:
        alive.set()
