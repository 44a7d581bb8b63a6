"""The explorer without a browser: controls to overrides, refusal of bad settings, the model Reset builds, charts, command."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

from sim.app import charts
from sim.app.controls import (
    CONTROLS,
    LEVERS,
    SHARES,
    ControlState,
    apply,
    initial_values,
    is_snap_echo,
    overrides,
    parse_seed,
    share_total,
    snap,
)
from sim.app.model import ExplorerModel, baseline, frame
from sim.app.serve import server_command, server_env
from sim.cli import build_parser
from sim.errors import ScenarioError
from sim.model import AttractionScenario, build_model
from sim.scenario import default_spec, load_scenario

REQUIRED = {
    "policy.incentive_rate", "policy.honouring_discipline", "service.one_stop_centre", "service.complaint_centre",
    "policy.city_coordination", "policy.assessment_signed_weight", "policy.leadership_attention",
    "service.vertical_coordination", "budget.shares.park", "budget.shares.idle_assets",
    "budget.shares.incentive_fund", "budget.shares.channels", "budget.shares.tracking", "budget.shares.local_firms",
}


@pytest.fixture(scope="module")
def spec():
    return default_spec()


def test_every_lever_the_brief_names_is_a_control():
    assert REQUIRED <= {c.key for c in CONTROLS}
    incentive = next(c for c in LEVERS if c.key == "policy.incentive_rate")
    assert (incentive.lo, incentive.hi, incentive.unit) == (0.0, 15.0, "%")
    for c in CONTROLS:
        zh, en = c.label("zh"), c.label("en")
        assert zh != c.key and en != c.key and any("\u4e00" <= ch <= "\u9fff" for ch in zh), c.key


def test_initial_values_are_the_loaded_scenarios_own_levers():
    path = Path("scenarios/soft_environment.toml")
    spec = load_scenario(path) if path.is_file() else default_spec()
    values = initial_values(spec)
    p = spec.params
    assert values["policy.honouring_discipline"] == p.policy.honouring_discipline
    assert values["service.one_stop_centre"] is p.service.one_stop_centre
    assert values["budget.shares.park"] == p.budget.shares.get("park", 0.0)
    # Applying the untouched controls gives back the same scenario.
    assert apply(spec, values).config_hash() == spec.config_hash()


def test_levers_map_one_to_one_and_shares_keep_the_levers_not_shown(spec):
    values = initial_values(spec) | {"policy.honouring_discipline": 1.0, "service.one_stop_centre": True,
                                     "budget.shares.incentive_fund": 0.25, "budget.shares.park": 0.2}
    ov = overrides(spec, values)
    assert ov["policy.honouring_discipline"] == 1.0
    assert ov["service.one_stop_centre"] is True
    shares = ov["budget.shares"]
    assert shares["park"] == 0.2 and shares["incentive_fund"] == 0.25
    for lever in ("training", "forums", "legal", "atmosphere"):  # not on the page: unchanged
        assert shares[lever] == spec.params.budget.shares[lever]
    new = apply(spec, values)
    assert new.params.policy.honouring_discipline == 1.0
    assert new.params.service.one_stop_centre is True
    assert new.params.budget.shares["park"] == 0.2
    assert new.params.policy.incentive_rate == spec.params.policy.incentive_rate


def test_shares_above_100_percent_are_refused_and_the_last_valid_setting_kept(spec):
    state = ControlState(spec)
    ok = state.values | {"budget.shares.incentive_fund": 0.25, "budget.shares.park": 0.2}
    assert state.propose(ok) is None
    assert state.values == ok
    too_much = ok | {"budget.shares.park": 0.9}
    assert share_total(spec, too_much) > 1
    reason = state.propose(too_much)
    assert reason is not None and "budget.shares" in reason and "at most 1" in reason
    assert "\n" not in reason
    assert state.values == ok  # unchanged
    assert state.current_spec().params.budget.shares["park"] == 0.2


@pytest.mark.parametrize("key, value", [("policy.incentive_rate", -1.0), ("policy.honouring_discipline", 1.5),
                                        ("policy.leadership_attention", "much")])
def test_out_of_range_or_non_numeric_lever_values_are_refused(spec, key, value):
    state = ControlState(spec)
    before = dict(state.values)
    reason = state.propose(before | {key: value})
    assert reason is not None and key in reason and "\n" not in reason
    assert state.values == before


def test_unknown_control_is_a_one_line_error(spec):
    with pytest.raises(ScenarioError, match="unknown control"):
        overrides(spec, {"policy.no_such_lever": 1})


@pytest.mark.parametrize("text, seed", [("0", 0), (" 42 ", 42), ("4294967295", 2**32 - 1)])
def test_seed_parses_whole_numbers(text, seed):
    assert parse_seed(text) == seed


@pytest.mark.parametrize("text", ["abc", "1.5", "-3", "4294967296", ""])
def test_bad_seed_is_refused_and_the_last_seed_kept(spec, text):
    state = ControlState(spec, seed=7)
    reason = state.propose_seed(text)
    assert reason is not None and "seed" in reason
    assert state.seed == 7


def test_a_slider_rounding_an_off_grid_scenario_value_is_not_a_change():
    share = next(c for c in SHARES if c.key == "budget.shares.park")
    lever = next(c for c in LEVERS if c.key == "policy.honouring_discipline")
    assert is_snap_echo(lever, 0.125, 0.15) and is_snap_echo(lever, 0.125, 0.1)
    assert not is_snap_echo(lever, 0.7, 0.75)  # one step: the user moved it
    assert not is_snap_echo(share, 0.18, 0.19)
    assert not is_snap_echo(next(c for c in LEVERS if c.kind == "switch"), False, False)


def test_snap_rounds_slider_noise_and_makes_switches_bool():
    slider = next(c for c in LEVERS if c.key == "policy.honouring_discipline")
    assert snap(slider, 0.7000000000000001) == 0.7
    switch = next(c for c in LEVERS if c.kind == "switch")
    assert snap(switch, 1) is True


def test_explorer_model_runs_the_last_valid_setting_with_common_random_numbers(spec):
    state = ControlState(spec, seed=3)
    state.propose(state.values | {"policy.incentive_rate": 15.0})
    state.propose(state.values | {"budget.shares.park": 0.9})  # refused: stays out of the model
    model = ExplorerModel(controls=state)
    assert model.p.policy.incentive_rate == 15.0
    assert model.p.budget.shares["park"] == spec.params.budget.shares["park"]
    assert [c.key for c, _ in model.controls_changed()] == ["policy.incentive_rate"]
    reference = build_model(apply(spec, state.values).params, seed=3)
    for _ in range(4):
        model.step()
        reference.step()
    assert model.record["signed_projects"] == reference.record["signed_projects"]
    assert model.record["n_contacted"] == reference.record["n_contacted"]


def test_untouched_levers_reproduce_the_baseline_curve(spec):
    model = ExplorerModel(controls=ControlState(spec, seed=1))
    for _ in range(6):
        model.step()
    base = baseline(spec, 1)
    assert len(base) == spec.params.run.horizon_months + 1
    now = frame(model)
    for col in ("n_signed", "signed_projects", "cohort_start_rate_24m", "withdrawn_no_land"):
        np.testing.assert_array_equal(now[col].to_numpy(), base[col].to_numpy()[:7])
    assert baseline(spec, 1) is base  # cached per scenario and seed


def test_mesa_reset_rebuilds_from_the_controls(spec):
    """SolaraViz's Reset calls type(model)(**kwargs) with the fixed model_params and an empty scenario."""
    state = ControlState(spec)
    model = ExplorerModel(controls=state)
    _check_model_params(model, {"controls": state})
    state.propose(state.values | {"service.one_stop_centre": True})
    kwargs = _build_model_init_kwargs(model, {"controls": state}, add_scenario_when_empty=True,
                                      require_model_accepts_scenario=True)
    assert isinstance(kwargs.get("scenario"), AttractionScenario)
    again = type(model)(**kwargs)
    assert again.p.service.one_stop_centre is True
    assert again.t == again.month0  # month 0: the end of the spin-up, where the strategy begins


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_charts_and_headlines_draw_in_both_languages(spec, lang):
    model = ExplorerModel(controls=ControlState(spec))
    for _ in range(3):
        model.step()
    current, base = frame(model), baseline(spec, 0)
    horizon = spec.params.run.horizon_months
    for fig in (charts.pipeline_figure(current, base, horizon, lang), charts.rates_figure(current, base, horizon, lang),
                charts.withdrawals_figure(current, base, lang)):
        title = fig.get_suptitle()
        assert title and (any("\u4e00" <= ch <= "\u9fff" for ch in title) == (lang == "zh"))
    rows = charts.headlines(current, base)
    assert set(rows) == set(charts.HEADLINES)
    now, same, end = rows["signed_projects"]
    assert now == same == model.record["signed_projects"]
    assert end == base["signed_projects"].iloc[-1]
    assert charts.format_value("cohort_start_rate_24m", 0.4123, lang) == "41.2 %"


def test_server_environment_is_offline_and_quiet(tmp_path):
    env = server_env(str(tmp_path / "s.toml"), "en")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"].endswith("solara-cdn")
    assert env["MPLBACKEND"] == "Agg"
    assert env["SIM_EXPLORE_LANG"] == "en" and env["SIM_EXPLORE_SCENARIO"].endswith("s.toml")
    cmd = server_command("127.0.0.1", 8123)
    assert "--production" in cmd and "sim.app.app" in cmd and cmd[cmd.index("--port") + 1] == "8123"


def test_explore_is_a_command():
    args = build_parser().parse_args(["explore", "--port", "8123", "--lang", "en"])
    assert (args.port, args.host, args.lang, args.scenario) == (8123, "127.0.0.1", "en", None)


def test_explore_refuses_a_bad_scenario_or_a_busy_port_in_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nincentive_rate = 'lots'\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "sim", "explore", str(bad)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "policy.incentive_rate" in out.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "sim", "explore", "--port", str(port)], capture_output=True,
                             text=True, timeout=60)
    assert out.returncode == 2 and "in use" in out.stderr and out.stderr.strip().count("\n") == 0


def test_shares_are_all_budget_levers():
    from sim.params import BUDGET_LEVERS

    assert {c.share_key for c in SHARES} <= set(BUDGET_LEVERS)


def test_default_scenario_is_the_baseline_file_else_the_parameter_defaults(monkeypatch, tmp_path):
    from sim.app.model import ENV_SCENARIO, resolve_scenario, spec_from_env

    if Path("scenarios/baseline.toml").is_file():
        assert resolve_scenario(None) == str(Path("scenarios/baseline.toml").resolve())
    assert resolve_scenario("scenarios/x.toml") == str(Path("scenarios/x.toml").resolve())
    monkeypatch.setenv(ENV_SCENARIO, "")
    assert spec_from_env().params == default_spec().params
