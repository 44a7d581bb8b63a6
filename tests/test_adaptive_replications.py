"""Adaptive replications: rounds until each comparison with the baseline is adequate or capped, the same
decisions on every engine and after an interruption, and one-line errors for a bad table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tablekit import stable

from sim.analysis.tables import analyse
from sim.errors import ScenarioError
from sim.experiment import load_manifest, load_summaries, runner
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment
from sim.stats import HEADLINE_OUTPUTS, AdequacyRule, effect_rows

DATA = Path(__file__).parent / "data"



@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("adaptive") / "serial"
    report = run_experiment(load_experiment(DATA / "exp_adaptive.toml"), out, engine="serial", progress=False)
    assert report.complete
    return out


def _values(rows, scenario, point, n):
    sel = sorted((r for r in rows if r["scenario"] == scenario and r["point_id"] == point and r["replication"] < n),
                 key=lambda r: r["replication"])
    return np.array([[r[o] for o in HEADLINE_OUTPUTS] for r in sel], dtype=float)


def _adequate(rows, scenario, point, n) -> bool:
    a, b = _values(rows, scenario, point, n), _values(rows, "t", point, n)
    assert len(a) == len(b) == n
    seen = [j for j in range(a.shape[1]) if np.isfinite(a[:, j]).any() or np.isfinite(b[:, j]).any()]
    return all(e["adequate"] for e in effect_rows(scenario, point, "", [HEADLINE_OUTPUTS[j] for j in seen],
                                                  a[:, seen], b[:, seen], AdequacyRule(), 30, "summary"))


def test_each_comparison_stops_when_its_intervals_are_adequate_or_at_the_cap(serial):
    ad = load_manifest(serial)["adaptive"]
    rows = load_summaries(serial).to_pylist()
    assert ad["complete"] and ad["baseline"] == "t" and len(ad["comparisons"]) == 4
    # The baseline under another name: identical runs (common random numbers), adequate after the first round.
    assert [(c["replications"], c["stopped"]) for c in ad["comparisons"] if c["scenario"] == "t_copy"] == [(2, "adequate")] * 2
    for c in ad["comparisons"]:
        n = c["replications"]
        assert 2 <= n <= 8 and n % 2 == 0 and c["rounds"] == n // 2
        # Stopped for the reason given, checked on the stored runs with the analysis' rule ...
        assert c["stopped"] == ("adequate" if _adequate(rows, c["scenario"], c["point_id"], n) else "cap")
        if c["stopped"] == "cap":
            assert n == 8
        # ... and not earlier: every round before the last was not yet adequate.
        for m in range(2, n, 2):
            assert not _adequate(rows, c["scenario"], c["point_id"], m)
    # Only the runs the rounds called for: each scenario's replications, the baseline as many as its longest comparison.
    for c in ad["comparisons"]:
        reps = {r["replication"] for r in rows if r["scenario"] == c["scenario"] and r["point_id"] == c["point_id"]}
        assert reps == set(range(c["replications"]))
    for point in (0, 1):
        longest = max(c["replications"] for c in ad["comparisons"] if c["point_id"] == point)
        base = {r["replication"] for r in rows if r["scenario"] == "t" and r["point_id"] == point}
        assert base == set(range(longest))
    assert load_manifest(serial)["runs_planned"] == len(rows) < 48


def test_a_process_pool_takes_the_same_decisions_and_stores_the_same_runs(serial, tmp_path):
    out = tmp_path / "pool"
    report = run_experiment(load_experiment(DATA / "exp_adaptive.toml"), out, engine="process", workers=2,
                            progress=False)
    assert report.complete
    assert load_manifest(out)["adaptive"] == load_manifest(serial)["adaptive"]
    assert stable(load_summaries(out)).sort_by("run").equals(stable(load_summaries(serial)).sort_by("run"))


def test_an_interrupted_adaptive_experiment_resumes_to_the_same_decisions(serial, tmp_path, monkeypatch):
    out = tmp_path / "resumed"
    real = runner.simulate
    calls = {"n": 0}

    def interrupted(spec, seed=0, horizon=None, warm=None, monthly=True):
        calls["n"] += 1
        if calls["n"] == 15:  # inside the second round (the first has 3 scenarios x 2 points x 2 replications)
            raise KeyboardInterrupt
        return real(spec, seed=seed, horizon=horizon, warm=warm, monthly=monthly)

    monkeypatch.setattr(runner, "simulate", interrupted)
    exp = load_experiment(DATA / "exp_adaptive.toml")
    report = run_experiment(exp, out, engine="serial", progress=False)
    assert report.interrupted and not load_manifest(out)["adaptive"]["complete"]
    monkeypatch.setattr(runner, "simulate", real)
    report = run_experiment(exp, out, engine="serial", progress=False)
    assert report.complete and report.skipped == 14
    sessions = load_manifest(out)["sessions"]
    assert [x["done"] for x in sessions] == [14, report.done_now] and all(x["finished"] for x in sessions)
    assert load_manifest(out)["adaptive"] == load_manifest(serial)["adaptive"]
    assert stable(load_summaries(out)).sort_by("run").equals(stable(load_summaries(serial)).sort_by("run"))


def test_the_analysis_reports_each_comparisons_replications_and_why_it_stopped(serial, tmp_path):
    data = analyse(serial, out=tmp_path / "analysis")
    rep = data["replications"]
    ad = load_manifest(serial)["adaptive"]
    assert rep["adaptive"] and rep["comparisons"] == ad["comparisons"]
    assert rep["adequate"] + rep["capped"] == 4 and rep["adequate"] >= 2
    stopped = {(e["scenario"], e["point_id"]): e["stopped"] for e in data["effects"] if e["source"] == "summary"}
    assert stopped == {(c["scenario"], c["point_id"]): c["stopped"] for c in ad["comparisons"]}


@pytest.mark.parametrize("table, key, words", [
    ('{ min = 4, max = 2 }', "experiment.replications.max", "at least min (4)"),
    ('{ min = 1, max = 8 }', "experiment.replications.min", ">= 2"),
    ('{ min = 2, max = 8, untill = "adequate" }', "experiment.replications.untill", "did you mean 'until'"),
    ('{ min = 2, max = 8, until = "often" }', "experiment.replications.until", '"adequate"'),
    ('{ max = 8 }', "experiment.replications.min", "found none"),
    ('{ min = 2.5, max = 8 }', "experiment.replications.min", "an integer"),
])
def test_a_bad_adaptive_table_is_refused_in_one_line_naming_the_key(tmp_path, table, key, words):
    text = (DATA / "exp_adaptive.toml").read_text(encoding="utf-8").replace('"exp_t', f'"{DATA}/exp_t')
    path = tmp_path / "bad.toml"
    path.write_text(text.replace('{ min = 2, max = 8, until = "adequate", step = 2 }', table), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_experiment(path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{path}: key '{key}': expected") and words in msg


def test_the_memo_says_how_many_replications_each_comparison_took_and_states_one_baseline(serial, tmp_path):
    """An adaptive experiment's comparisons pair different numbers of the baseline's runs, so their own baseline
    means differ; the memo (of a design point) states one baseline (the mean of all its runs) everywhere, a strategy as that plus its
    paired effect, and says in its appendix how many replications each comparison took and why it stopped."""
    import re

    from sim.analysis.data import load_results
    from sim.report.memo import Memo, check

    data = analyse(serial, out=tmp_path / "analysis")
    comps = data["replications"]["comparisons"]
    used = [c["replications"] for c in comps]
    assert min(used) < max(used), "the setting must stop some comparisons early"
    runs = load_results(serial, monthly=False).runs
    point = 1  # where the comparisons stopped after different numbers of rounds
    pooled = runs.loc[(runs["scenario"] == data["baseline"]) & (runs["point_id"] == point), "jobs"].mean()
    paired = {e["mean_baseline"] for e in data["effects"] if e["output"] == "jobs" and e["source"] == "summary"
              and e["point_id"] == point}
    assert any(abs(m - pooled) > 1e-9 for m in paired), "some comparison's own baseline mean differs"
    for lang, why in (("zh", ("足够精确", "达到上限")), ("en", ("precise enough", "cap"))):
        memo = Memo(data, tmp_path / "analysis", lang, point=point)
        html = memo.html({})
        assert check(memo) == [], check(memo)
        assert memo.fg.base("jobs") == pytest.approx(pooled, rel=1e-12)
        for s in (x["name"] for x in data["scenarios"] if x["name"] != data["baseline"]):
            e = memo.fg.effect(s, "jobs")
            assert memo.fg.level(s, "jobs") == pytest.approx(pooled + e["effect"], rel=1e-12)
        appendix = html[html.index("附录" if lang == "zh" else "Appendix"):]
        rows = re.findall(r"<tr><td class='name'>([^<]+)</td><td>(\d+)</td><td>([^<]+)</td></tr>", appendix)
        assert sorted(int(n) for _, n, _ in rows) == sorted(c["replications"] for c in comps if c["point_id"] == point)
        assert {w for _, _, w in rows} <= set(why)
