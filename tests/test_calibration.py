"""The calibrated baseline reproduces the Gansu pipeline rates and the essay's diagnosis."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.calibration import (
    DIAGNOSIS_ALL,
    FREE,
    TARGETS,
    calibrate,
    measure,
)
from sim.model import simulate
from sim.params import Params
from sim.scenario import load_scenario

REPLICATIONS = list(range(101, 121))  # 20 replications, not the seeds the fit used


@pytest.fixture(scope="module")
def baseline_rates():
    return measure(load_scenario("scenarios/baseline.toml"), REPLICATIONS)


@pytest.mark.parametrize("target", list(TARGETS), ids=lambda k: f"{k[0]}@{k[1]}m")
def test_cohort_rates_within_ten_points_of_the_lanzhou_fairs(baseline_rates, target):
    values = baseline_rates[target]
    assert values.size == 20
    assert abs(values.mean() - TARGETS[target]) < 0.10, (values.mean(), TARGETS[target])
    assert values.std(ddof=1) > 0  # the spread is real, and reported by experiments/calibrate.py --check


def test_capital_arrives_far_more_slowly_than_construction_starts(baseline_rates):
    for after in (12, 24):
        assert baseline_rates[("capital_arrival_rate", after)].mean() < baseline_rates[("start_rate", after)].mean() - 0.25


def test_withdrawal_reasons_are_reported_not_imposed(baseline_rates):
    """Why signed projects leave is a finding of the mechanisms, not a target (docs/ODD.md section 1): this only
    checks that the reasons are measured and that outside offers and insecurity, which the baseline does not
    stress, are not what drives projects away. What each mechanism implies is tested in test_mechanisms.py
    (e.g. more serviced land, fewer no-land withdrawals; a bank that lends, fewer loan withdrawals)."""
    shares = {r: baseline_rates[("withdrawal_share", r)].mean() for r in DIAGNOSIS_ALL}
    assert sum(shares.values()) > 0
    other = {r: baseline_rates[("withdrawal_share", r)].mean() for r in ("outside_offer", "insecurity")}
    assert max(other.values()) < max(shares.values())


def test_large_and_industrial_projects_are_a_small_share_of_what_is_built():
    runs = [simulate(load_scenario("scenarios/baseline.toml"), seed=s).summary for s in (101, 102, 103)]
    for key in ("large_share_built", "industrial_share_built"):
        assert np.mean([r[key] for r in runs]) < 0.3
    assert np.mean([r["large_share_built"] for r in runs]) < np.mean([r["large_project_share"] for r in runs])


def test_sector_structure_and_scale_match_gansu_and_dingxi():
    runs = [simulate(load_scenario("scenarios/baseline.toml"), seed=s).summary for s in (101, 102, 103)]
    years = runs[0]["months"] / 12
    # Gansu 2024: secondary industry 65.2% of signed amount, 55.2% of arrived funds (CALIBRATION B).
    signed_share = np.mean([r["industrial_share_signed_capital"] for r in runs])
    assert 0.45 <= signed_share <= 0.80, signed_share
    arrived_share = np.mean([r["industrial_share_arrived_capital"] for r in runs])
    assert arrived_share < signed_share  # industrial capital arrives less than it is signed
    # Dingxi Q1 2023: 67 projects and 19.09 bn yuan signed in a quarter; the same order of magnitude a year.
    per_year = np.mean([r["signed_projects"] for r in runs]) / years
    capital_bn = np.mean([r["signed_capital"] for r in runs]) / years / 1e5  # 万元 -> bn yuan
    assert 100 <= per_year <= 1000, per_year
    assert 10 <= capital_bn <= 200, capital_bn


def test_defaults_hold_the_recorded_fit():
    record = json.loads(Path("experiments/calibrated_baseline.json").read_text())
    assert set(record["values"]) == set(FREE)
    p = Params()
    for dotted, value in record["values"].items():
        node = p
        for part in dotted.split("."):
            node = getattr(node, part)
        assert node == pytest.approx(value, abs=1e-3), dotted
    fields = {"population.serious_share": Params.model_fields["population"]}
    assert fields  # the parameter table marks them: checked below
    table = Path("docs/PARAMETERS.md").read_text()
    for dotted in FREE:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{dotted}`"))
        assert "calibrated" in row, dotted


def test_parameter_table_is_generated_from_the_code():
    from sim.paramdoc import parameter_table

    assert Path("docs/PARAMETERS.md").read_text(encoding="utf-8") == parameter_table()


def test_calibration_command_is_reproducible(tmp_path):
    spec = load_scenario("scenarios/baseline.toml", {"run.n_investors": 1500})
    free = {"construction.upfront_share": FREE["construction.upfront_share"], "hazards.no_land": FREE["hazards.no_land"]}
    a = calibrate(spec, [1, 2], max_evaluations=6, free=free)
    b = calibrate(spec, [1, 2], max_evaluations=6, free=free)
    assert a.values == b.values and a.error_after == b.error_after
    assert a.error_after <= a.error_before + 1e-9 or a.penalty_after >= 0


def test_calibration_script_writes_fit_and_check_reports_spread(tmp_path):
    out = tmp_path / "cal"
    proc = subprocess.run([sys.executable, "experiments/calibrate.py", "--seeds", "2", "--evaluations", "3",
                           "--set", "run.n_investors=1200", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    fit = json.loads((out / "fit.json").read_text())
    assert set(fit) >= {"values", "error_before", "error_after", "seeds", "rates", "environment"}
    assert fit["seeds"] == [1, 2]
    check = subprocess.run([sys.executable, "experiments/calibrate.py", "--check", "--seeds", "3",
                            "--set", "run.n_investors=1200"], capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stderr
    assert "sd" in check.stdout and "start_rate @12m" in check.stdout
