"""Every parameter labelled, classified and ranged in sim/params.py, and every shipped design's ranges holding the
shipped value: what a global sensitivity design and the briefing read through sim.paramdoc."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.calibration import priors
from sim.experiment.optimise import load_optimise
from sim.experiment.spec import load_experiment
from sim.paramdoc import (
    entry_label,
    param_doc,
    param_kind,
    param_label,
    param_range,
    parameter_rows,
    parameter_table,
    parameters,
)
from sim.params import KINDS, Params
from sim.scenario import ScenarioError, ScenarioSpec

ROOT = Path(__file__).resolve().parent.parent
ALL = parameters()
RANGED = [d for d in ALL if d.kind in ("assumption", "sourced")]


def _sums_to_one(key: str) -> bool:
    """A share of a table whose shares must add up to 1 (sectors, origins): one entry cannot move alone, so its
    range is checked against the bounds of a share, not by validating a scenario."""
    return key.startswith("population.origin_shares.") or (key.startswith("population.sectors.") and key.endswith(".share"))


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _value(params: Params, key: str):
    node = params
    for part in key.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def test_every_parameter_has_a_chinese_and_an_english_label_and_a_kind():
    rows = parameter_rows()
    assert len(rows) > 300 and len(ALL) > len(rows)  # the entries of tables of numbers are listed one by one
    for d in [*rows, *ALL]:
        assert d.kind in KINDS, d.key
        assert _cjk(d.label_zh) and d.label_en and not _cjk(d.label_en), d.key
        assert param_label(d.key, "zh") == d.label_zh and param_label(d.key, "en") == d.label_en
        assert param_kind(d.key) == d.kind


def test_labels_name_one_parameter_each():
    for lang in ("zh", "en"):
        names = [d.label(lang) for d in ALL]
        dupes = {n for n in names if names.count(n) > 1}
        assert not dupes, (lang, sorted(dupes)[:5])


def test_every_assumption_and_sourced_value_has_a_range_holding_its_default_and_a_reason():
    assert len(RANGED) > 200
    for d in RANGED:
        assert d.range is not None and d.reason, d.key
        assert d.low <= d.default <= d.high and d.low < d.high, (d.key, d.low, d.default, d.high)
        assert param_range(d.key) == (d.low, d.high)


def test_the_ends_of_every_range_are_valid_settings():
    base = ScenarioSpec("defaults", Params())
    for d in RANGED:
        if _sums_to_one(d.key):
            assert 0 <= d.low and d.high <= 1, d.key
            continue
        for end in (d.low, d.high):
            value = int(end) if isinstance(d.default, int) and not isinstance(d.default, bool) else float(end)
            try:
                params = base.with_overrides({d.key: value}).params
            except ScenarioError as exc:
                pytest.fail(f"{d.key}: the end {value} of its plausible range is refused: {exc}")
            assert _value(params, d.key) == value, d.key


def test_a_per_entry_range_is_stated_once_and_scales_with_each_entry():
    a, b = param_doc("population.sectors.potato.capital_median"), param_doc("population.sectors.energy_materials.capital_median")
    assert (a["low"] / a["default"], a["high"] / a["default"]) == pytest.approx((b["low"] / b["default"], b["high"] / b["default"]))
    assert a["rule"] == b["rule"] and a["reason"] == b["reason"]
    bank = param_doc("service.departments.bank.alignment")
    assert bank["high"] <= 1 and param_doc("service.departments.tax.alignment")["high"] <= 1
    assert param_range("population.origin_shares.foreign") == pytest.approx((0.035, 0.105))


def test_every_calibrated_parameter_has_its_prior_as_its_range():
    calibrated = {d.key: d for d in ALL if d.kind == "calibrated"}
    assert set(calibrated) == {p.key for p in priors.MODEL_PRIORS}
    for p in priors.MODEL_PRIORS:
        assert param_range(p.key) == (p.low, p.high)
        assert calibrated[p.key].reason == p.reason
        assert param_doc(p.key)["source"].startswith("calibrated")


def test_the_kind_agrees_with_the_source():
    for d in ALL:
        if d.kind == "sourced":
            assert d.source.startswith("source:"), d.key
        if d.source.startswith("source:"):
            assert d.kind in ("sourced", "lever"), d.key
        assert (d.kind == "calibrated") == d.source.startswith("calibrated"), d.key
        if d.kind in ("lever", "structural"):
            assert d.range is None, d.key


def test_strategies_levers_are_levers():
    for key in ("policy.incentive_rate", "service.one_stop_centre", "policy.leadership_attention", "policy.team_quality",
                "policy.assessment_signed_weight", "channels.door_to_door.share", "budget.shares.park"):
        assert param_kind(key) == "lever", key
    assert {d.kind for d in ALL if d.key.startswith("budget.shares.")} == {"lever"}
    assert param_kind("policy.screening_strict") == "assumption" and param_kind("policy.signing_push") == "assumption"


def test_listing_by_kind_gives_dotted_keys_a_scenario_accepts():
    listed = parameters("assumption")
    assert {d.kind for d in listed} == {"assumption"}
    keys = {d.key for d in listed}
    assert {"policy.bank_forum_gain", "population.sectors.potato.capital_median", "behaviour.belief_noise.delay",
            "channels.online.cost_per_contact", "policy.forum_leads.quality"} <= keys
    assert not any(isinstance(d.default, dict) for d in listed)
    assert sorted(d.key for d in parameters()) == sorted({d.key for k in KINDS for d in parameters(k)})
    with pytest.raises(ValueError, match="expected one of assumption"):
        parameters("guess")
    with pytest.raises(KeyError):
        param_kind("hazards.no_such_thing")
    assert param_label("a", "zh") == "a" and param_doc("a") == {}


def test_a_table_entry_is_named_by_its_table_and_its_entry():
    assert param_label("budget.shares.park", "zh") == "年度预算份额：市级工业园区建设"
    assert entry_label("budget.shares.park", "zh") == "市级工业园区建设"
    assert entry_label("budget.shares.park", "en") == "City industrial park"
    assert param_label("population.sectors.herbs.capital_median", "en") == "Chinese medicinal herbs: Median project capital"
    assert param_label("service.departments.tax.capacity", "zh").startswith("税务：")
    assert param_label("policy.forum_leads.quality", "en").startswith("Investor forum: ")
    assert entry_label("service.loan_approval", "zh") == param_label("service.loan_approval", "zh") == "银行贷款审批通过率"


def test_the_calibration_names_its_parameters_and_its_over_reporting_factor():
    from sim.calibration.charts import name_of

    assert name_of("hazards.no_land", "zh") == param_label("hazards.no_land", "zh") == "无地可用时的撤出风险"
    assert name_of(priors.OVER_REPORTING, "zh") == "上报比率的虚高倍数"
    assert name_of(priors.OVER_REPORTING, "en") == "Over-reporting of the reported rates"


def test_the_parameter_table_shows_label_kind_and_range():
    table = parameter_table()
    assert "| key | label | meaning | unit | default | kind | plausible range | source |" in table
    row = next(line for line in table.splitlines() if line.startswith("| `service.loan_approval` |"))
    assert "银行贷款审批通过率 / Bank loan approval rate" in row and "| assumption |" in row and "0.35 to 0.8: " in row
    row = next(line for line in table.splitlines() if line.startswith("| `hazards.no_land` |"))
    assert "| calibrated |" in row and "0.01 to 0.25 (the calibration's prior)" in row


# ----------------------------------------------------------------------------- designs
EXEMPT = {
    ("sobol_budget.toml", "budget.shares.channels"): "the six levers' shares vary together from 0 to 13% so that "
    "with the fixed 20% they add up to at most 1; the baseline's 25% (channels) and 55% (incentive fund) lie outside",
    ("sobol_budget.toml", "budget.shares.incentive_fund"): "as above",
}
"""Design ranges that do not hold the shipped value, and why (a lever design exploring allocations under the limit
that shares add up to at most 1; widening its ranges would make most of its points invalid scenarios)."""


def _experiment_ranges(path: Path) -> list[tuple[str, str, float, float, list[tuple[str, Params]]]]:
    spec = load_experiment(path)
    d = spec.design
    if d.kind in ("none", "list"):
        return []
    if d.problem is not None:
        ranges = {n: tuple(b) for n, b in zip(d.problem["names"], d.problem["bounds"], strict=True)}
    else:
        ranges = {k: (min(p[k] for p in d.points), max(p[k] for p in d.points)) for k in d.parameters}
    shipped = [(e.spec.name, e.spec.params) for e in spec.scenarios]
    return [(path.name, k, float(lo), float(hi), shipped) for k, (lo, hi) in ranges.items()]


def _optimise_ranges(path: Path) -> list[tuple[str, str, float, float, list[tuple[str, Params]]]]:
    spec = load_optimise(path)
    shipped = [(spec.scenario.name, spec.scenario.with_overrides(spec.overrides).params)]
    ranges = {**spec.ranges, **spec.future_ranges}
    return [(path.name, k, float(lo), float(hi), shipped) for k, (lo, hi) in ranges.items()]


def _design_ranges():
    out = []
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        out += _experiment_ranges(path)
    for path in sorted((ROOT / "experiments" / "optimise").glob("*.toml")):
        out += _optimise_ranges(path)
    return out


DESIGN_RANGES = _design_ranges()


def test_the_shipped_designs_are_walked():
    names = {(f, k) for f, k, *_ in DESIGN_RANGES}
    assert {("sensitivity_morris.toml", "hazards.no_land"), ("sensitivity_sobol.toml", "population.capital_sigma"),
            ("discover_channels.toml", "service.loan_approval"), ("sweep_incentives.toml", "policy.incentive_rate"),
            ("allocation.toml", "behaviour.outside_growth"), ("plan.toml", "policy.team_quality"),
            ("assumptions.toml", "policy.screening_strict"), ("assumptions.toml", "population.capital_sigma"),
            ("assumptions_brief.toml", "policy.bank_forum_gain"), ("plan.toml", "behaviour.b_incentive")} <= names


@pytest.mark.parametrize("file,key,low,high,shipped", DESIGN_RANGES, ids=[f"{f}:{k}" for f, k, *_ in DESIGN_RANGES])
def test_every_design_range_holds_the_shipped_value(file, key, low, high, shipped):
    for scenario, params in shipped:
        value = _value(params, key)
        if (file, key) in EXEMPT:
            assert not low <= value <= high, f"{file}: {key} now holds the shipped value; drop its exemption"
            continue
        assert low <= value <= high, f"{file}: {key} = [{low}, {high}] misses {scenario}'s {value}"


# --- no behavioural constant outside sim/params.py ---------------------------------------------
# Numbers allowed in sim/model/, each with its reason. Anything else is a behavioural constant that
# belongs in sim/params.py with a meaning, unit, default and source.
ALLOWED_VALUES = {
    0: "zero", 1: "one", -1: "minus one (not yet)",
    2: "array shapes of two draws per row; halving undirected ties", 3: "array shape of three draws per row",
    1e-3: "numerical clip keeping log-odds finite", 1e-6: "numerical tolerance", 1e-9: "numerical tolerance",
    1e-12: "numerical floor before a logarithm",
}
ALLOWED_FILES = {"units.py": "unit conversions and reporting horizons, named once",
                 "streams.py": "constants of the SplitMix64 hash behind the counter-based draws"}
ALLOWED_LINES = {("stages.py", "range(10)"): "the number of pipeline stages in the stage enumeration",
                 ("kernels.py", "q + 4 <= rows.size"): "the channel totals' four accumulators (speed, not behaviour)",
                 ("kernels.py", "q += 4"): "the channel totals' four accumulators (speed, not behaviour)",
                 ("kernels.py", "_LANES, _BLOCK, _DEPTH = 8, 128, 192"): "numpy's order of summation (arithmetic)",
                 **{("kernels.py", text): "the SplitMix64 hash behind the counter-based draws (beside the loops that "
                                          "hash, below the streams)"
                    for text in ("_GOLDEN = 0x9E3779B97F4A7C15", "_M1 = np.uint64(0xBF58476D1CE4E5B9)",
                                 "_M2 = np.uint64(0x94D049BB133111EB)", "_S30, _S27, _S31, _S11 = (np.uint64(k)",
                                 "_UNIT = 1.0 / (1 << 53)", "_CENTRE = 0.5")}}


def test_no_behavioural_constant_in_the_model_code():
    """Catches a number hidden in the model's code (a bonus, a factor, a window) instead of a documented parameter."""
    found = []
    for path in sorted(Path("sim/model").glob("*.py")):
        if path.name in ALLOWED_FILES:
            continue
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Constant) or isinstance(node.value, bool) or not isinstance(node.value, int | float):
                continue
            if node.value in ALLOWED_VALUES:
                continue
            line = lines[node.lineno - 1]
            if any(f == path.name and text in line for f, text in ALLOWED_LINES):
                continue
            found.append(f"{path.name}:{node.lineno}: {node.value!r}: {line.strip()}")
    assert found == []
