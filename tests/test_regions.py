"""Any region as a data folder: Dingxi and Qingyang shipped, a made-up one runs, counties differ where the files say
so, bad region files end in one line, and the model's code names no place."""

from __future__ import annotations

import ast
import builtins
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from modelkit import experiment_script

from sim import region as regions
from sim.cli import main
from sim.errors import ScenarioError
from sim.params import Params
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
MADEUP = ROOT / "tests" / "data" / "regions"
SMALL = ["--set", "run.n_investors=1500", "--set", "run.horizon_months=14"]


@pytest.fixture
def madeup(monkeypatch):
    """The made-up region of tests/data/regions (three counties, two sectors) on the region search path."""
    monkeypatch.setenv(regions.PATH_VARIABLE, str(MADEUP))
    return MADEUP / "madeup"


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    return err.strip()


def copy_region(tmp_path: Path, name: str = "dingxi", as_name: str = "bad") -> Path:
    """A copy of a shipped region under ``tmp_path/regions/<as_name>`` to spoil."""
    dest = tmp_path / "regions" / as_name
    shutil.copytree(ROOT / "regions" / name, dest)
    text = (dest / "region.toml").read_text(encoding="utf-8").replace(f'id = "{name}"', f'id = "{as_name}"', 1)
    (dest / "region.toml").write_text(text, encoding="utf-8")
    return dest


def scenario_of(tmp_path: Path, region: str, extra: str = "") -> Path:
    path = tmp_path / f"{region}_scenario.toml"
    path.write_text(f'[scenario]\nname = "s"\nregion = "{region}"\n{extra}', encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- shipped regions
def test_dingxi_is_the_default_region_with_seven_equal_county_level_governments_and_the_city():
    p = Params()
    assert p.region == "dingxi" == regions.default_region()
    assert list(p.governments) == ["anding", "tongwei", "longxi", "weiyuan", "lintao", "zhang", "min", "city"]
    assert p.governments["city"].kind == "city" and p.governments["anding"].kind == "district"
    for share in ("land_share", "land_added_share", "idle_share", "channel_share"):
        assert p.county_split(share) == ([1.0] * 7, 7.0), "the sources give no county figure for Dingxi"
    assert p.county_focus() is None
    assert p.sector_ids == ["potato", "herbs", "flowers_fungi", "manufacturing", "energy_materials", "services"]
    # the leading-industry channel seeks the three leading farm industries (flowers and fungi less), the key-project
    # library the industrial sectors, exactly as before the move to data
    assert p.focus_weights(p.channels["leading_industry"].sector_focus) == [3.0, 3.0, 2.0, 1.0, 1.0, 1.0]
    assert p.focus_weights(p.channels["key_project_library"].sector_focus) == [1.0, 1.0, 1.0, 3.0, 3.0, 1.0]
    assert p.focus_weights(p.local_firms.partner_leads.sector_focus) == [2.0, 2.0, 2.0, 1.0, 1.0, 1.0]


def test_qingyang_has_one_district_seven_counties_the_city_and_eight_chains():
    reg = regions.load_region("qingyang")
    assert reg.counties == ("xifeng", "qingcheng", "huan", "huachi", "heshui", "zhengning", "ning", "zhenyuan")
    assert reg.city == "city" and reg.government_name("xifeng", "zh") == "西峰区"
    assert len(reg.sectors) == 9  # the eight chains and the rest of the economy
    p = load_scenario(ROOT / "scenarios" / "qingyang" / "baseline.toml").params
    assert p.region == "qingyang" and p.governments["qingcheng"].gdp == 113.9
    assert "energy_chemicals" in p.governments["ning"].leading
    focus = np.array(p.county_focus())
    assert focus.shape == (9, 8) and focus.max() == p.platform.county_focus_pull


def test_every_fact_of_a_shipped_region_has_a_source_or_is_an_assumption_with_a_range():
    for name in ("dingxi", "qingyang"):
        reg = regions.load_region(name)
        for key, src in reg.sources.items():
            assert src.startswith(("docs/SOURCES.md#", "assumption: ", "sum of")), (name, key, src)
            if src.startswith("assumption: ") and not key.endswith(("leading", ".population.sectors")) \
                    and not key.startswith("population.sectors"):
                assert "(plausible " in src, (name, key, "an assumption without its plausible range")


def test_qingyangs_county_land_is_dingxis_calibrated_land_scaled_by_the_land_its_prospects_need():
    """Qingyang's serviced land a year is carried over from Dingxi's calibration in proportion to the land a prospect
    needs: a recalibration or a change of either sector file that leaves the region file's figure behind fails here
    (it was once left at a superseded calibration's value)."""
    from sim.calibration import priors
    from sim.model.population import mean_land_need
    from sim.params import calibration_record
    from sim.scenario import read_toml

    key = "platform.county_land_mu_per_year"
    record = calibration_record()
    ratio = mean_land_need(Params(region="qingyang")) / mean_land_need(Params())
    assert ratio > 1.2  # Qingyang's energy and chemical projects need more land than Dingxi's
    fact = read_toml(ROOT / "regions" / "qingyang" / "region.toml")["facts"][key]
    assert fact["value"] == pytest.approx(record["values"][key] * ratio, abs=0.5)
    prior = next(p for p in priors.PRIORS if p.key == key)
    assert fact["range"] == pytest.approx([prior.low * ratio, prior.high * ratio], abs=0.5)
    assert Params(region="qingyang").platform.county_land_mu_per_year == fact["value"]
    template = read_toml(ROOT / "regions" / "_template" / "region.toml")["facts"][key]  # a new region starts from it
    assert template["value"] == record["values"][key] and template["range"] == [prior.low, prior.high]


def test_every_source_cited_has_an_entry_in_docs_sources_and_nothing_cites_the_shared_calibration_file():
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', (ROOT / "docs" / "SOURCES.md").read_text(encoding="utf-8")))
    cited: dict[str, str] = {}
    files = [*ROOT.glob("sim/**/*.py"), *ROOT.glob("regions/**/*.toml"), *ROOT.glob("docs/*.md"),
             *ROOT.glob("scenarios/**/*.toml"), *ROOT.glob("experiments/**/*.*"), ROOT / "README.md"]
    for f in files:
        text = f.read_text(encoding="utf-8")
        for key in re.findall(r"SOURCES\.md#([a-z0-9-]+)", text):
            cited[key] = str(f)
        assert not re.search(r"CALIBRATION\.md|CALIBRATION'?s? ?[A-G]\b|CALIBRATION'?s? preface", text), f
    for name in ("dingxi", "qingyang"):
        reg = regions.load_region(name)
        for f in reg.figures:
            cited[f.source.split("#")[1]] = f"regions/{name}/figures.toml"
        for key in re.findall(r'source = "([a-z0-9-]+)"', "".join(p.read_text(encoding="utf-8")
                                                                   for p in reg.folder.glob("*.toml"))):
            cited[key] = f"regions/{name}"
    missing = {k: v for k, v in cited.items() if k not in anchors}
    assert not missing, f"cited without an entry in docs/SOURCES.md: {missing}"
    assert len(cited) > 15  # the scan found the citations


def names_of_shipped_regions() -> set[str]:
    """Every id and name of every shipped region, its governments and its sectors."""
    out: set[str] = set()
    for name in regions.available():
        reg = regions.load_region(name)
        out |= {reg.id, reg.name_zh, reg.name_en, reg.name_zh.removesuffix("市")}
        for gov in reg.counties:  # the city's id ("city") is a kind, not a place; its names are scanned
            out.add(gov)
        for zh, en in (*reg.government_names.values(), *reg.sector_names.values()):
            out |= {zh, en}
        out |= set(reg.sectors)
    return out


def _literal_groups(tree: ast.AST) -> list[set[str]]:
    """The strings of every tuple, list, set and dict literal of a module (its keys for a dict)."""
    out = []
    for n in ast.walk(tree):
        items = n.keys if isinstance(n, ast.Dict) else n.elts if isinstance(n, (ast.Tuple, ast.List, ast.Set)) else []
        out.append({e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)})
    return out


def test_the_model_names_no_place_every_name_comes_from_the_region_files():
    """(5) No region, county or sector id or name of a shipped region appears in sim/**/*.py: in the code, its
    strings or its comments; and no literal table there holds two ids of one region's governments or sectors. An
    id that is also a Python builtin ('min', Min county's id) is found by that last check and by its names only."""
    names = names_of_shipped_regions()
    assert {"dingxi", "anding", "potato", "Qingyang", "西峰区", "Oil, coal, gas and chemicals"} <= names
    tables = [set(r.counties) | set(r.sectors) for r in map(regions.load_region, regions.available())]
    found = []
    for path in sorted(ROOT.glob("sim/**/*.py")):
        text = path.read_text(encoding="utf-8")
        for name in names:
            if hasattr(builtins, name):
                continue
            if name.isascii():
                hit = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE) is not None
            else:
                hit = name in text
            if hit:
                found.append(f"{path.relative_to(ROOT)}: {name}")
        for group in _literal_groups(ast.parse(text)):
            for ids in tables:
                if len(group & ids) >= 2:
                    found.append(f"{path.relative_to(ROOT)}: a table of {sorted(group & ids)}")
    assert not found, found


# ----------------------------------------------------------------------------- end to end
def test_qingyang_runs_with_sim_run_and_spends_through_nine_governments(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "scenarios" / "qingyang" / "baseline.toml"), "--out", str(out), *SMALL]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["spent_by_government"]) == [*regions.load_region("qingyang").counties, "city"]
    assert len(summary["spent_by_government"]) == 9
    params = json.loads((out / "params.json").read_text(encoding="utf-8"))
    assert params["region"] == "qingyang" and list(params["population"]["sectors"])[0] == "energy_chemicals"


def test_an_experiment_of_both_regions_pairs_each_strategy_with_its_own_regions_baseline(tmp_path):
    """Catches a comparison across regions (Qingyang's combined strategy against Dingxi's baseline) and a per-
    government table that drops a government or takes Dingxi's names: analyse, then brief in both languages."""
    from sim.analysis.data import load_results
    from sim.analysis.tables import analyse
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment

    exp_file = tmp_path / "both.toml"
    exp_file.write_text(f"""[experiment]
name = "both"
scenarios = ["{ROOT}/scenarios/baseline.toml", "{ROOT}/scenarios/combined.toml",
             "{ROOT}/scenarios/qingyang/baseline.toml", "{ROOT}/scenarios/qingyang/combined.toml"]
replications = 2
root_seed = 3
record = "summary"
horizon_months = 24
[overrides]
"run.n_investors" = 1500
""", encoding="utf-8")
    exp = load_experiment(exp_file)
    assert [exp.baseline_for(e.index) for e in exp.scenarios] == [0, 0, 2, 2]
    run_experiment(exp, tmp_path / "res", engine="serial", progress=False)
    an = analyse(tmp_path / "res")
    assert an["baselines"] == {"baseline": "baseline", "combined": "baseline",
                               "qingyang_baseline": "qingyang_baseline", "qingyang_combined": "qingyang_baseline"}
    res = load_results(tmp_path / "res", monthly=False)
    eff = {e["scenario"]: e for e in an["effects"] if e["output"] == "jobs"}
    assert set(eff) == {"combined", "qingyang_combined"}
    qy = res.runs[res.runs["scenario"] == "qingyang_baseline"]["jobs"].mean()
    assert eff["qingyang_combined"]["mean_baseline"] == pytest.approx(qy)
    gov = [r for r in an["spending_by_government"] if r["scenario"] == "qingyang_baseline"]
    assert [r["government"] for r in gov] == [*regions.load_region("qingyang").counties, "city"]

    from sim.report.brief import write_brief

    for lang, names in (("zh", ("西峰区", "镇原县", "庆阳市本级", "安定区")),
                        ("en", ("Xifeng District", "Zhenyuan County", "Qingyang city level", "Anding District"))):
        files = write_brief(tmp_path / "res", tmp_path / "brief", lang)
        html = files["html"].read_text(encoding="utf-8")
        for name in names:
            assert name in html, (lang, name)
        for g in regions.load_region("qingyang").counties:
            assert regions.load_region("qingyang").government_name(g, lang) in html


def test_a_made_up_region_with_three_counties_and_two_sectors_runs_and_shows_only_its_own_names(madeup, tmp_path):
    from sim.analysis.tables import analyse
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import load_experiment
    from sim.report.memo import Memo

    spec = load_scenario(madeup / "baseline.toml")
    assert list(spec.params.governments) == ["north", "river", "south", "city"]
    assert spec.params.sector_ids == ["orchards", "manufacturing"]
    exp_file = tmp_path / "m.toml"
    exp_file.write_text(f"""[experiment]
name = "madeup"
scenarios = ["{madeup / 'baseline.toml'}"]
replications = 2
root_seed = 1
record = "summary"
horizon_months = 18
[overrides]
"run.n_investors" = 1000
""", encoding="utf-8")
    run_experiment(load_experiment(exp_file), tmp_path / "res", engine="serial", progress=False)
    an = analyse(tmp_path / "res")
    for lang, names in (("en", ["North Ridge County", "River Bend District", "South Slope County", "Madeup city level"]),
                        ("zh", ["北岭县", "河湾区", "南坡县", "虚构市本级"])):
        memo = Memo(an, tmp_path / "res" / "analysis", lang)
        table = memo.money_by_level(memo.subject)  # the memo's money by level: each government of the region
        assert re.findall(r"<td class='name'>([^<]+)</td>", table)[:-1] == names
        assert not any(d in memo.html() for d in ("安定区", "Anding", "定西"))


def test_the_region_template_is_a_region_that_loads_once_named(tmp_path, monkeypatch):
    dest = tmp_path / "regions" / "template"
    shutil.copytree(ROOT / "regions" / "_template", dest)
    monkeypatch.setenv(regions.PATH_VARIABLE, str(tmp_path / "regions"))
    reg = regions.load_region("template")
    assert len(reg.counties) >= 1 and reg.sectors
    Params(region="template")  # its values pass the parameters' checks


# ----------------------------------------------------------------------------- counties that differ
def test_counties_get_the_land_money_and_attention_their_region_file_states(madeup):
    """Catches an equal split where the file gives figures: North holds 1,000 of the 2,000 mu at the start, River
    500 and South the 500 left; River spends half the county channel money and its leader gives 1.5 times the
    attention."""
    from sim.model import build_model

    p = load_scenario(madeup / "baseline.toml", {"run.n_investors": 1200, "run.spinup_months": 0}).params
    assert p.county_split("land_share") == ([0.5, 0.25, 0.25], 1.0)
    m = build_model(p, seed=1)
    land = [g.free_land for g in m.counties]
    assert land == pytest.approx([1000.0 * p.scale, 500.0 * p.scale, 500.0 * p.scale])
    weight, total = m.channel_model.county_money
    assert list(weight / total) == pytest.approx([0.25, 0.5, 0.25])
    assert [g.attention for g in m.governments] == pytest.approx([0.2, 0.3, 0.2, 0.2])
    m.ledger.running_costs()  # priced at the leaders' attention: 0.2 x (1 + 1.5 + 1 + 1) leaders
    c = p.costs.leader_month * 12 * p.scale
    assert m.ledger.running_costs()["leadership_attention"] == pytest.approx(0.2 * 4.5 * c)
    want = m.channel_model.contacts_wanted()
    county_channels = [j for j, ch in enumerate(p.channels) if not p.channels[ch].city_level and p.channels[ch].share > 0]
    bought = want[:-1, county_channels].sum(axis=1)
    assert bought[1] > bought[0] + 0.5 * bought[0] and bought[1] > bought[2]


def test_projects_handed_on_go_more_often_to_the_county_that_promotes_their_industry(madeup):
    """Catches a county choice that ignores the counties' own industries: North promotes orchards, so orchard
    projects the city hands on go to North three times as often as to each other county; manufacturing
    projects spread evenly."""
    from sim.model import build_model

    p = load_scenario(madeup / "baseline.toml", {"run.n_investors": 4000}).params
    m = build_model(p, seed=2)
    rows = np.arange(m.n)
    u = np.random.default_rng(0).random(m.n)
    county = m.pick_county(u, rows)
    orchards = m.pop.sector == 0
    share_north = np.bincount(county[orchards], minlength=3) / orchards.sum()
    assert share_north == pytest.approx([0.6, 0.2, 0.2], abs=0.03)
    share_other = np.bincount(county[~orchards], minlength=3) / (~orchards).sum()
    assert share_other == pytest.approx([1 / 3] * 3, abs=0.03)


def test_with_no_county_industries_the_county_choice_is_the_uniform_one_of_before():
    from sim.model import build_model

    m = build_model(load_scenario(ROOT / "scenarios" / "baseline.toml", {"run.n_investors": 500}).params, seed=1)
    u = np.linspace(0, 0.999999, 1000)
    assert np.array_equal(m.pick_county(u, np.zeros(1000, dtype=np.int64)), np.minimum((u * 7).astype(np.int8), 6))


# ----------------------------------------------------------------------------- inheritance
def test_extends_looks_beside_the_file_then_in_the_regions_scenario_folder(tmp_path):
    child = tmp_path / "child.toml"
    child.write_text('[scenario]\nregion = "qingyang"\nextends = "baseline"\n[policy]\nincentive_rate = 4.0\n',
                     encoding="utf-8")
    spec = load_scenario(child)
    assert spec.chain == ("baseline.toml", "child.toml") and spec.params.service.one_stop_centre
    assert spec.title == {"zh": "庆阳现状基线（修改）", "en": "Qingyang baseline (status quo) (modified)"}


def test_a_child_without_a_title_is_titled_as_modified_not_as_its_parent(tmp_path):
    child = tmp_path / "c.toml"
    child.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / "baseline.toml"}"\n[policy]\nincentive_rate = 5.0\n',
                     encoding="utf-8")
    assert load_scenario(child).title == {"zh": "现状基线（修改）", "en": "Baseline (status quo) (modified)"}


def test_an_extends_that_finds_nothing_names_every_place_it_looked(tmp_path, capsys):
    child = tmp_path / "c.toml"
    child.write_text('[scenario]\nextends = "no_such_parent"\n', encoding="utf-8")
    assert main(["run", str(child), *SMALL]) == 2
    err = one_line_error(capsys)
    assert f"{child}: key 'scenario.extends'" in err
    assert str(tmp_path / "no_such_parent.toml") in err and str(ROOT / "scenarios" / "no_such_parent.toml") in err


def test_a_child_may_not_name_another_region_than_its_parent(tmp_path):
    child = tmp_path / "c.toml"
    child.write_text(f'[scenario]\nregion = "dingxi"\nextends = "{ROOT / "scenarios" / "qingyang" / "baseline.toml"}"\n',
                     encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"key 'scenario.region': expected the region of its parent .*'qingyang'"):
        load_scenario(child)


def test_the_region_is_the_scenario_files_and_no_override_changes_it():
    spec = load_scenario(ROOT / "scenarios" / "baseline.toml")
    with pytest.raises(ScenarioError, match="key 'region'"):
        spec.with_overrides({"region": "qingyang"})


def test_a_scenario_naming_an_unknown_sector_of_its_region_is_refused_with_the_regions_sectors(tmp_path):
    path = scenario_of(tmp_path, "qingyang", "[population.sectors.potato]\nshare = 0.2\n")
    with pytest.raises(ScenarioError, match=r"key 'population.sectors.potato': expected one of energy_chemicals"):
        load_scenario(path)


# ----------------------------------------------------------------------------- bad region files
def spoil(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_REGIONS = {
    "no_sector": ("sectors.toml", "[[sector]]", "[[sector_]]", "sectors.toml: key 'sector_'"),
    "missing_sector": ("region.toml", 'kind = "district"', 'kind = "district"\nleading = { value = ["coal"], source = "dingxi-counties" }',
                       "region.toml: key 'government.anding.leading.value': expected a list of the region's sectors"),
    "shares": ("sectors.toml", "share = 0.20", "share = 0.10", "sectors.toml: key 'sector.*.share': expected shares of the "
                                                                "prospects summing to 1, found 0.9"),
    "no_land": ("region.toml", 'kind = "district"', 'kind = "district"\nland_mu = { value = 0.0, source = "dingxi-counties" }',
                "region.toml: key 'government.anding.land_mu.value': expected serviced land above 0 mu"),
    "land_for_some": ("region.toml", '[facts."platform.initial_land_mu"]', '[facts."platform.initial_landmu"]',
                      None),
    "target": ("sectors.toml", "key_project_library = { industrial = 3.0 }", "key_projects = { industrial = 3.0 }",
               "sectors.toml: key 'targets.key_projects': expected one of"),
    "target_sector": ("sectors.toml", "partner = { leading = 2.0 }", "partner = { potatoes = 2.0 }",
                      "sectors.toml: key 'targets.partner.potatoes': expected a sector of the region or a role"),
    "no_source": ("region.toml", 'assumption = "serviced land free at month 0 across the counties; no source gives it"\n',
                  "", "region.toml: key 'facts.platform.initial_land_mu': expected 'source'"),
    "no_city": ("region.toml", 'kind = "city"', 'kind = "county"', "region.toml: key 'government': expected one government of kind 'city'"),
}


@pytest.mark.parametrize("case", sorted(BAD_REGIONS))
def test_a_bad_region_file_ends_in_one_line_naming_the_file_and_key_with_exit_code_2(case, tmp_path, monkeypatch,
                                                                                       capsys):
    file, old, new, expected = BAD_REGIONS[case]
    folder = copy_region(tmp_path)
    if case == "land_for_some":  # land for one county, no region total for the others to share
        spoil(folder / "region.toml", 'kind = "district"',
              'kind = "district"\nland_mu = { value = 400.0, source = "dingxi-counties" }')
        expected = "region.toml: key 'government.tongwei.land_mu': expected serviced land for every district and county"
    spoil(folder / file, old, new)
    monkeypatch.setenv(regions.PATH_VARIABLE, str(tmp_path / "regions"))
    path = scenario_of(tmp_path, "bad")
    assert main(["run", str(path), *SMALL, "--out", str(tmp_path / "out")]) == 2
    err = one_line_error(capsys)
    assert str(folder) in err and expected in err, err


def test_a_scenario_naming_a_region_that_does_not_exist_says_where_it_looked(tmp_path, capsys):
    path = scenario_of(tmp_path, "dingxj")
    assert main(["run", str(path), *SMALL]) == 2
    err = one_line_error(capsys)
    assert f"{path}: key 'scenario.region'" in err and "did you mean 'dingxi'" in err
    assert str(ROOT / "regions" / "dingxj" / "region.toml") in err
    child = scenario_of(tmp_path, "dingxj", 'extends = "baseline"\n')  # also where extends would look in its folder
    assert main(["run", str(child), *SMALL]) == 2
    assert f"{child}: key 'scenario.region'" in one_line_error(capsys)


def test_a_bad_value_in_a_region_file_is_reported_at_the_region_file(tmp_path, monkeypatch, capsys):
    folder = copy_region(tmp_path)
    spoil(folder / "sectors.toml", "capital_median = 2000.0", "capital_median = -5.0")
    monkeypatch.setenv(regions.PATH_VARIABLE, str(tmp_path / "regions"))
    assert main(["run", str(scenario_of(tmp_path, "bad")), *SMALL]) == 2
    err = one_line_error(capsys)
    assert f"{folder / 'sectors.toml'}: key 'population.sectors.potato.capital_median'" in err


# ----------------------------------------------------------------------------- out of sample
def test_the_out_of_sample_check_transfers_behaviour_not_what_was_fitted_to_dingxi_itself():
    """Catches a transfer that carries Dingxi's calibrated county land (a fact of Dingxi) to Qingyang, or drops
    the draws' over-reporting factor."""
    from sim.calibration.priors import OVER_REPORTING
    from sim.params import calibration_record

    oos = experiment_script("out_of_sample")
    draws = oos.transferred_draws(calibration_record(), "dingxi", 4)
    assert len(draws) == 4
    for d in draws:
        assert "platform.county_land_mu_per_year" not in d and OVER_REPORTING in d and "hazards.no_land" in d
    spec = oos.variant_spec("baseline", 3000).with_overrides({k: v for k, v in draws[0].items() if k != OVER_REPORTING})
    assert spec.params.platform.county_land_mu_per_year == regions.load_region("qingyang").facts[
        "platform.county_land_mu_per_year"]["value"]
    assert spec.params.hazards.no_land == draws[0]["hazards.no_land"]
    assert oos.variant_spec("structure", None).params.service.one_stop_centre is False


def test_the_out_of_sample_check_compares_every_figure_of_qingyang(tmp_path):
    oos = experiment_script("out_of_sample")
    assert oos.main(["--ci", "--workers", "1", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    keys = [f.key for f in regions.load_region("qingyang").figures]
    for variant in oos.VARIANTS:
        rows = [r for r in summary["rows"] if r["variant"] == variant]
        assert [r["figure"] for r in rows] == keys
        assert all(np.isfinite(r["model_median"]) and r["model_p05"] <= r["model_median"] <= r["model_p95"] for r in rows)
    assert (tmp_path / "out_of_sample.png").is_file() and (tmp_path / "table.csv").is_file()
    # counts a year are at Qingyang's own market (20,300 prospects: 20,300 / 12,000 of the reference), whatever the
    # market the check ran at
    import pandas as pd

    runs = pd.read_csv(tmp_path / "runs.csv")
    signed = next(r for r in summary["rows"] if r["variant"] == "baseline" and r["figure"] == "signings_per_year")
    measured = runs.loc[runs["variant"] == "baseline", "signings_per_year"].median()
    assert signed["model_median"] == pytest.approx(measured * 20300 / 12000)
    text = oos.odd_block(summary)
    assert text.startswith(oos.ODD_BEGIN) and text.endswith(oos.ODD_END) and "upper bounds" in text
    # land: every county's queue looked at every month of every baseline run; at 3,000 prospects a county keeps so
    # little land ready that some of Qingyang's projects can never get theirs in turn, and hold their county up
    land = summary["land"]
    assert land["county_months"] == 3 * 48 * len(regions.load_region("qingyang").counties)
    assert 0 < land["held_up_county_months"] < land["county_months"]
    assert land["wait_months_median"] == pytest.approx(
        runs.loc[runs["variant"] == "baseline", "pattern_p2_land_wait_months"].median())
    assert "county-months" in text and f"{summary['land_need_ratio']:.2f} times the land" in text


def test_a_county_is_held_up_when_the_head_of_its_land_queue_needs_more_than_it_ever_keeps_ready():
    """The out-of-sample check's count of held-up counties looks at the head of each county's queue in the order land
    is given, against that county's reserve: a head just over it counts, one just under it does not."""
    from sim.model import build_model

    oos = experiment_script("out_of_sample")
    spec = oos.variant_spec("baseline", 3000).with_overrides({"run.spinup_months": 36, "run.horizon_months": 12})
    m = build_model(spec.params, seed=4)
    queue = m.land_queue(m.ready_for_land_rows())
    gov = m.investors.pipeline.gov[queue]
    heads = {g.index: queue[gov == g.index][0] for g in m.counties if (gov == g.index).any()}
    assert len(heads) >= 2  # a small market's counties have projects waiting for land at month 0
    need = m.pop.land_need
    for g in m.counties:
        if g.index in heads:
            need[heads[g.index]] = 0.99 * m.county_land_cap(g)
    assert oos.held_up_counties(m) == 0
    first, second = (g for g in m.counties if g.index in list(heads)[:2])
    need[heads[first.index]] = 1.01 * m.county_land_cap(first)
    assert oos.held_up_counties(m) == 1
    # behind the head, a project needing more does not hold the county up: only the first in line does
    behind = queue[gov == second.index]
    if behind.size > 1:
        need[behind[1]] = 10 * m.county_land_cap(second)
        assert oos.held_up_counties(m) == 1


def test_the_odd_section_on_qingyang_is_the_one_generated_from_the_recorded_check():
    oos = experiment_script("out_of_sample")
    record = json.loads((ROOT / "docs" / "out_of_sample.json").read_text(encoding="utf-8"))
    assert oos.odd_block(record) in (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert not record["ci"] and record["draws"] >= 20 and record["seeds"] >= 3


def test_a_reported_figure_takes_its_value_and_source_from_a_figure_or_states_its_own(tmp_path, monkeypatch):
    """Catches a reported yearly figure written twice or without a source: one that names a [[figure]] takes that
    figure's value (times its factor) and source; one that names an unknown figure or no source is one line."""
    dx = regions.load_region("dingxi")
    figs = {f.key: f for f in dx.figures}
    rep = {r.key: r for r in dx.reported}
    assert rep["signings_q1_2023"].value == figs["signings_per_year"].value
    assert rep["signed_capital_q1_2023"].value == pytest.approx(1e5 * figs["signed_capital_bn_per_year"].value)
    assert rep["signed_capital_q1_2023"].source == figs["signed_capital_bn_per_year"].source
    assert rep["new_urban_jobs_2022"].source == "docs/SOURCES.md#dingxi-bulletin-2022"
    dest = tmp_path / "regions" / "dingxi"
    shutil.copytree(ROOT / "regions" / "dingxi", dest)
    monkeypatch.setenv(regions.PATH_VARIABLE, str(tmp_path / "regions"))
    text = (dest / "figures.toml").read_text(encoding="utf-8")
    for old, new, key in (('figure = "signings_per_year"', 'figure = "signings_a_year"', "reported.signings_q1_2023.figure"),
                          ('source = "dingxi-bulletin-2022"\nbasis', "basis", "reported.new_urban_jobs_2022.source")):
        assert old in text
        (dest / "figures.toml").write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(ScenarioError, match=f"figures.toml: key '{re.escape(key)}'"):
            regions.load_region("dingxi")
