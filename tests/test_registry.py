"""The registry of outputs and the vocabulary of names: every output a run produces is described once, with both
labels, a kind, a unit and a definition; every description is produced by a run; the analysis, the briefing and
the explorer take what they show from them; and no other module keeps a table of its own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from modelkit import small

from sim import stats
from sim.analysis import data
from sim.experiment.store import flatten_summary
from sim.model import build_model, registry, simulate, vocabulary
from sim.report import numbers as nb
from sim.stats import AdequacyRule

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z'(]")
"""English text begins with a Latin letter (it may name a Chinese term later: 履约率, 万元)."""


@pytest.fixture(scope="module")
def run():
    """One small run (four years: every cohort of 12, 24 and 36 months and a few signing years observed)."""
    return simulate(small(), seed=3)


# ----------------------------------------------------------------------------- one description per output
def test_the_monthly_table_has_the_registry_columns_in_its_order(run) -> None:
    assert tuple(run.monthly) == registry.MONTHLY_COLUMNS
    assert all(registry.OUTPUTS[c].monthly for c in registry.MONTHLY_COLUMNS)
    # what the model observes each month is what the registry describes, no more (a column the registry lacks
    # would silently fall out of the table) and no less
    model = build_model(small().params, seed=3)
    assert set(model.record) == set(registry.MONTHLY_COLUMNS)


def test_every_summary_key_a_run_produces_is_described_as_a_summary_key(run) -> None:
    flat = flatten_summary(run.summary)
    undescribed = [k for k in flat if registry.describe(k) is None]
    assert not undescribed, f"outputs without a description in sim/model/registry.py: {undescribed}"
    not_summary = [k for k in flat if not registry.describe(k).summary]
    assert not not_summary, f"described as monthly only, yet in the summary: {not_summary}"


def test_every_description_is_produced_by_a_run(run) -> None:
    flat = flatten_summary(run.summary)
    missing = [n for n, o in registry.OUTPUTS.items() if o.summary and n not in flat]
    missing += [n for n, o in registry.OUTPUTS.items() if o.monthly and n not in run.monthly]
    assert not missing, f"described but not produced by a run: {missing}"
    # the two families whose keys depend on the run: the signing years and the governments
    for prefix in (registry.COHORTS_BY_YEAR, registry.BY_GOVERNMENT):
        assert any(k.startswith(prefix) for k in flat), prefix


def _described() -> list[registry.Output]:
    """Every description, with one member of each family whose keys depend on the run."""
    return [*registry.OUTPUTS.values(), *registry.DERIVED.values(),
            registry.describe("cohorts_by_year.year_2.capital_arrival_rate_12m"),
            registry.describe("cohorts_by_year.year_2.projects"),
            registry.describe("spent_by_government.city.park")]


def test_each_output_has_both_labels_a_kind_a_unit_and_a_definition() -> None:
    bad = []
    for o in _described():
        pairs = (o.label, o.unit, o.definition, *([o.phrase] if o.phrase else []))
        if o.kind not in registry.KINDS:
            bad.append((o.name, "kind", o.kind))
        if not all(zh.strip() and en.strip() and "\n" not in zh + en for zh, en in pairs):
            bad.append((o.name, "an empty or multi-line text", pairs))
        for zh, en in (o.label, o.definition):  # the Chinese first, the English second
            if not (CJK.search(zh) and LATIN.match(en)):
                bad.append((o.name, "a (zh, en) pair", (zh, en)))
    assert not bad, bad


def test_labels_are_unique_within_a_language() -> None:
    """Two outputs with the same label would be told apart by nobody reading a table; only a monthly column and a
    summary key that are the same quantity under two names (``withdrawn_no_land``, ``withdrawals_by_reason.no_land``)
    may share one."""
    for lang in (0, 1):
        seen: dict[str, registry.Output] = {}
        for o in registry.OUTPUTS.values():
            other = seen.setdefault(o.label[lang], o)
            assert other is o or {(other.monthly, other.summary), (o.monthly, o.summary)} == {(True, False), (False, True)}, \
                (other.name, o.name, o.label[lang])


def test_reading_the_registry_loads_neither_the_model_nor_matplotlib() -> None:
    import subprocess
    import sys

    code = ("import sys, sim.model.registry, sim.model.vocabulary, sim.report.numbers, sim.analysis.data; "
            "print(sorted(m for m in ('mesa', 'matplotlib', 'sim.model.model', 'sim.model.agents') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- the layers read it
def test_rates_are_what_the_registry_says_not_what_the_name_suggests() -> None:
    # an index with neither "rate" nor "share" in its name is a rate; a sum of money with a rate word is not
    assert stats.is_rate("satisfaction") and stats.is_rate("perceived_credibility") and stats.is_rate("legal_insecurity")
    assert not stats.is_rate("spent_atmosphere") and not stats.is_rate("spent_by_lever.atmosphere")
    assert nb.kind("spent_atmosphere") == "capital" and nb.kind("satisfaction") == "rate"
    assert not stats.is_rate("a_rate_this_version_does_not_know")


def test_the_analysis_and_the_briefing_read_kinds_and_labels_from_the_registry(monkeypatch) -> None:
    jobs = registry.OUTPUTS["jobs"]
    monkeypatch.setitem(registry.OUTPUTS, "jobs", registry.Output(
        "jobs", "rate", ("岗位率", "Job rate"), jobs.definition, registry.UNITS["rate"], monthly=True))
    assert stats.is_rate("jobs")
    rule = AdequacyRule()
    assert rule.target("jobs", 0.0, 10_000.0) == rule.rate_tolerance  # judged in points, not as 5% of the level
    assert nb.kind("jobs") == "rate" and nb.fmt("jobs", 0.5, "en") == "50.0%"
    from sim.report.experiment_charts import panel_title
    from sim.report.findings import output_name

    assert panel_title("jobs", "en") == "Job rate" and output_name("jobs", "zh") == "岗位率"


def test_the_explorer_reads_labels_and_units_from_the_registry(monkeypatch) -> None:
    from sim.app import charts

    assert charts.format_value("mean_approval_months", 3.25, "zh") == "3.2 月"
    assert charts.format_value("cohort_start_rate_24m", 0.5, "en") == "50.0 %"
    old = registry.OUTPUTS["mean_approval_months"]
    monkeypatch.setitem(registry.OUTPUTS, "mean_approval_months", registry.Output(
        old.name, "months", old.label, old.definition, ("个月", "mo."), monthly=True))
    assert charts.format_value("mean_approval_months", 3.25, "en") == "3.2 mo."


def test_definitions_of_cohort_rates_name_the_cohort_at_the_horizon() -> None:
    zh = data.definition("cohort_start_rate_24m", "zh", 60)
    assert zh.startswith(registry.OUTPUTS["cohort_start_rate_24m"].definition[0]) and "第 1-36 个月签约的项目" in zh
    assert data.definition("jobs", "en", 60) == registry.OUTPUTS["jobs"].definition[1]


def test_headline_outputs_and_directions_come_from_the_registry() -> None:
    from sim.experiment.optimise import OBJECTIVES

    assert stats.HEADLINE_OUTPUTS == registry.HEADLINE and all(registry.OUTPUTS[o].headline for o in registry.HEADLINE)
    assert OBJECTIVES["cost_per_job"]["sense"] == "min" and OBJECTIVES["jobs"]["sense"] == "max"
    assert not registry.higher_is_better("incremental_cost_per_job")


def test_accounts_by_government_and_the_months_are_not_compared() -> None:
    import pandas as pd

    runs = pd.DataFrame({"months": [48], "jobs": [1.0], "spent_by_government.city.park": [2.0],
                         "spent_by_lever.park": [2.0], "a_column_of_another_version": [1.0]})
    assert data.output_columns(runs, []) == ["jobs", "spent_by_lever.park", "a_column_of_another_version"]


# ----------------------------------------------------------------------------- the vocabulary
def test_the_vocabulary_names_every_key_of_the_model_in_its_order() -> None:
    from sim.analysis import decompose, pipeline
    from sim.model import stages
    from sim.model.budget import SPEND_KEYS
    from sim.model.channels import SOURCES
    from sim.model.outputs import CAPITAL_STATUSES
    from sim.params import CHANNELS

    assert tuple(vocabulary.STAGES) == stages.STAGE_NAMES
    assert tuple(vocabulary.REASON_NAMES) == stages.REASONS
    assert tuple(vocabulary.LEVERS) == SPEND_KEYS
    assert tuple(vocabulary.SOURCES) == SOURCES
    assert tuple(vocabulary.CHANNELS) == CHANNELS  # sectors and governments are named by the region's files
    assert tuple(vocabulary.PLACES) == CAPITAL_STATUSES
    assert tuple(vocabulary.FUNNEL) == pipeline.FUNNEL_STAGES
    components = {*stages.REASONS, *CAPITAL_STATUSES, *decompose.VOLUME_FACTORS}
    assert components <= set(vocabulary.COMPONENTS)


def test_every_name_has_a_chinese_and_an_english_form() -> None:
    bad = [(table, key, zh, en) for table, names in vocabulary.TABLES.items() for key, (zh, en) in names.items()
           if not (CJK.search(zh) and LATIN.match(en) and not CJK.search(en))]
    assert not bad, bad


def _label_tables(path: Path) -> list[str]:
    """Module-level tables in ``path`` that map two or more outputs or vocabulary keys to (zh, en) pairs."""
    known = set(registry.OUTPUTS) | {k for name, t in vocabulary.TABLES.items() if name != "strategies" for k in t}
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if not isinstance(value, ast.Dict):
            continue
        keys = [k.value for k in value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        pairs = [v for v in value.values if isinstance(v, ast.Tuple) and len(v.elts) >= 2
                 and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
                 and CJK.search(v.elts[0].value)]
        if sum(k in known for k in keys) >= 2 and pairs:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            found.append(f"{path.relative_to(ROOT)}: {ast.unparse(target)}")
    return found


def test_no_other_module_keeps_a_table_of_output_or_vocabulary_names() -> None:
    own = {ROOT / "sim" / "model" / "registry.py", ROOT / "sim" / "model" / "vocabulary.py",
           ROOT / "sim" / "params.py"}  # params: channel and sector names beside their definitions
    found = [t for p in sorted((ROOT / "sim").rglob("*.py")) if p not in own for t in _label_tables(p)]
    assert not found, f"label tables outside sim/model/registry.py and sim/model/vocabulary.py: {found}"
