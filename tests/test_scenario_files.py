"""Scenario files: every file loads and runs; bad input gives one clear line and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario

SCENARIOS = sorted(Path("scenarios").glob("*.toml"))


def test_the_essays_strategies_are_all_there():
    names = {p.stem for p in SCENARIOS}
    assert {"baseline", "positioning", "platforms", "soft_environment", "channels", "leadership", "combined"} <= names
    assert {n for n in names if n.startswith("neutral_")}, "budget-neutral variants"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_loads_with_bilingual_labels(path):
    spec = load_scenario(path)
    assert spec.name == path.stem
    for key in ("zh", "en"):
        assert spec.title.get(key), f"{path}: title.{key}"
        assert len(spec.description.get(key, "")) > 20, f"{path}: description.{key}"


def test_budget_neutral_variants_spend_the_baselines_money():
    base = load_scenario("scenarios/baseline.toml").params.budget.base_transfer
    for path in SCENARIOS:
        if path.stem.startswith("neutral_"):
            spec = load_scenario(path)
            assert spec.params.budget.base_transfer == base, path
            parent = load_scenario(Path("scenarios") / f"{path.stem.removeprefix('neutral_')}.toml")
            assert spec.params.budget.shares == parent.params.budget.shares, path


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_sim_run_works_for_every_file(path, tmp_path, capsys):
    code = main(["run", str(path), "--seed", "1", "--out", str(tmp_path),
                 "--set", "run.n_investors=1500", "--set", "run.horizon_months=18", "--lang", "en"])
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["months"] == 18
    for f in ("monthly.csv", "params.json", "pipeline.png", "manifest.json"):
        assert (tmp_path / f).stat().st_size > 0, f
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["config_hash"] and manifest["packages"]["mesa"].startswith("3.5")


BAD = {
    "unknown_section": ("[polcy]\nincentive_rate = 3\n", "polcy", "did you mean 'policy'"),
    "unknown_key": ("[policy]\nincentiv_rate = 3\n", "policy.incentiv_rate", "did you mean 'incentive_rate'"),
    "wrong_type_text": ('[policy]\nincentive_rate = "high"\n', "policy.incentive_rate", "found 'high'"),
    "above_range": ("[policy]\nhonouring_discipline = 1.5\n", "policy.honouring_discipline", "found 1.5"),
    "negative_money": ("[budget]\nbase_transfer = -5.0\n", "budget.base_transfer", "found -5.0"),
    "shares_over_100": ("[budget.shares]\npark = 0.9\n", "budget.shares", "at most 1"),
    "negative_share": ("[budget.shares]\npark = -0.1\n", "budget.shares.park", "found -0.1"),
    "unknown_lever": ("[budget.shares]\nparks = 0.1\n", "budget.shares.parks", "unknown key 'parks'"),
    "broken_toml": ("[policy]\nincentive_rate = = 3\n", "-", "line 2"),
    "unknown_sector": ("[population.sectors.steel]\nshare = 0.1\n", "population.sectors.steel", "unknown key 'steel'"),
    "sector_shares_sum": ("[population.sectors.potato]\nshare = 0.5\n", "population.sectors.*.share", "summing to 1"),
    "unknown_origin": ("[population.origin_shares]\nmars = 0.1\n", "population.origin_shares.mars", "unknown key 'mars'"),
    "unknown_channel": ("[channels.tv]\nshare = 0.1\n", "channels.tv", "unknown key 'tv'"),
    "channel_quality": ("[channels.online]\nquality = 2.0\n", "channels.online.quality", "found 2.0"),
    "channel_shares_sum": ("[channels.online]\nshare = 0.5\n", "channels.*.share", "at most 1"),
    "bool_expected": ('[service]\none_stop_centre = "yes"\n', "service.one_stop_centre", "found 'yes'"),
    "int_expected": ("[run]\nhorizon_months = 12.5\n", "run.horizon_months", "found 12.5"),
    "zero_horizon": ("[run]\nhorizon_months = 0\n", "run.horizon_months", "found 0"),
    "table_expected": ("policy = 3\n", "policy", "found 3"),
    "unknown_meta": ('[scenario]\nnam = "x"\n', "scenario.nam", "did you mean 'name'"),
    "title_not_table": ('[scenario]\ntitle = "x"\n', "scenario.title", "found 'x'"),
    "extends_not_text": ("[scenario]\nextends = 3\n", "scenario.extends", "found 3"),
    "missing_parent": ('[scenario]\nextends = "nowhere"\n', "scenario.extends", "no file"),
    "self_extension": ('[scenario]\nextends = "bad"\n', "scenario.extends", "cycle"),
    "focus_unknown_sector": ("[channels.online]\nsector_focus = { steel = 2.0 }\n", "channels.online.sector_focus.steel",
                             "unknown key 'steel'"),
    "zero_capacity": ("[service.departments.tax]\ncapacity = 0\n", "service.departments.tax.capacity", "found 0"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_gives_one_line_naming_file_key_expected_found(case, tmp_path, capsys):
    text, key, fragment = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["run", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert str(path) in err and f"key '{key}'" in err and "expected" in err and "found" in err, err
    assert fragment in err, err
    assert not (tmp_path / "out").exists()


def test_missing_file_and_undecodable_bytes(tmp_path, capsys):
    assert main(["run", str(tmp_path / "none.toml")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"[policy]\nincentive_rate = 3 # \xff\xfe\n")
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "expected" in err


def test_extension_cycle_across_files(tmp_path):
    (tmp_path / "a.toml").write_text('[scenario]\nextends = "b"\n')
    (tmp_path / "b.toml").write_text('[scenario]\nextends = "a"\n')
    with pytest.raises(ScenarioError, match=r"a.toml -> b.toml -> a.toml"):
        load_scenario(tmp_path / "a.toml")


def test_extension_lists_only_what_differs(tmp_path):
    (tmp_path / "parent.toml").write_text('[scenario]\ntitle = {zh = "父", en = "Parent"}\n[policy]\nincentive_rate = 5.0\n')
    (tmp_path / "child.toml").write_text('[scenario]\nextends = "parent"\ntitle = {en = "Child"}\n[policy]\nteam_quality = 0.9\n')
    spec = load_scenario(tmp_path / "child.toml")
    assert spec.params.policy.incentive_rate == 5.0 and spec.params.policy.team_quality == 0.9
    assert spec.title == {"zh": "父（修改）", "en": "Child"}  # the language it does not give is marked as changed
    assert spec.chain == ("parent.toml", "child.toml")


def test_bad_override_on_the_command_line(tmp_path, capsys):
    code = main(["run", "scenarios/baseline.toml", "--set", "policy.incentive_rat=3", "--out", str(tmp_path)])
    assert code == 2
    assert "did you mean 'incentive_rate'" in capsys.readouterr().err


def test_no_traceback_from_the_installed_command(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nincentive_rate = -1\n")
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
