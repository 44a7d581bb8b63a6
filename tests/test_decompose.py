"""Every effect explained by mechanism: the decomposition adds up exactly to the total effect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.analysis import decompose, effects
from sim.analysis.data import load_results
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decomp")
    exp = folder / "exp.toml"
    scen = ROOT / "scenarios"
    exp.write_text(f"""
[experiment]
name = "decomp"
scenarios = ["{scen / 'baseline.toml'}", "{scen / 'channels.toml'}", "{scen / 'leadership.toml'}"]
replications = 3
root_seed = 5
horizon_months = 36
record = "summary"

[overrides]
"run.n_investors" = 1500
""")
    run_experiment(load_experiment(exp), folder / "out", engine="serial", progress=False, log=lambda m: None)
    return load_results(folder / "out")


def test_components_add_up_to_the_stored_effect_in_every_pair(results):
    """Per pair, the components of both measures sum to the stored output's difference (an identity)."""
    for s in ("channels", "leadership"):
        a, b = decompose._paired(results, s)
        for measure, frame in decompose.pair_components(a, b).items():
            comps = frame.drop(columns=["total", "residual"])
            scale = max(1.0, float(frame["total"].abs().max()))
            assert np.allclose(comps.sum(axis=1), frame["total"], rtol=0, atol=decompose.TOL * scale), (s, measure)
            assert frame["total"].abs().max() > 0, "a strategy that changes nothing tests nothing"


def test_table_totals_match_the_paired_effects_and_means_add_up(results):
    table = decompose.decompose(results)
    eff = effects.paired_effects(results, outputs=[decompose.RATE, decompose.CAPITAL])
    for (s, m), blk in table.groupby(["scenario", "measure"]):
        total = float(blk.loc[blk["kind"] == "total", "mean"].iloc[0])
        parts = float(blk.loc[~blk["kind"].isin(["total", "residual"]), "mean"].sum())
        assert parts == pytest.approx(total, rel=1e-9, abs=1e-9)
        e = eff[(eff["scenario"] == s) & (eff["output"] == m)]["effect"].iloc[0]
        assert total == pytest.approx(e * (100.0 if m == decompose.RATE else 1.0), rel=1e-9, abs=1e-12)
        assert {"withdrawal", "pipeline", "total", "residual"} <= set(blk["kind"])
    cap = table[table["measure"] == decompose.CAPITAL]
    assert {"volume", "stall"} <= set(cap["kind"])


def test_shapley_split_of_a_product_is_exact_and_fair():
    base = np.array([[10.0, 0.5, 4.0], [1.0, 1.0, 1.0]])
    new = np.array([[12.0, 0.4, 5.0], [2.0, 1.0, 1.0]])
    parts = decompose.shapley_product(base, new)
    assert np.allclose(parts.sum(axis=1), new.prod(axis=1) - base.prod(axis=1))
    assert parts[1].tolist() == [1.0, 0.0, 0.0]  # only the first factor moved: it carries the whole change


def test_carriers_have_the_sign_of_the_effect(results):
    table = decompose.decompose(results)
    for s in ("channels", "leadership"):
        for m in (decompose.RATE, decompose.CAPITAL):
            total = decompose.headline(table, s, m)["mean"]
            for c in decompose.carriers(table, s, m):
                assert c["mean"] * total > 0


def test_cohort_non_starters_are_classified_by_what_had_happened_24_months_after_signing():
    """Row by row: a non-starter counts under its reason only if it had left by 24 months after signing."""
    from sim.model import build_model
    from sim.model.outputs import mechanism_accounts
    from sim.model.stages import REASONS
    from sim.scenario import load_scenario

    spec = load_scenario(ROOT / "scenarios" / "baseline.toml").with_overrides(
        {"run.n_investors": 6000, "run.horizon_months": 60, "run.spinup_months": 0, "platform.initial_land_mu": 100.0,
         "platform.county_land_mu_per_year": 300.0}, source="test")  # scarce land: long waits, late withdrawals
    m = build_model(spec.params, seed=3)
    m.run_for(60)
    want = dict.fromkeys((*REASONS, "waiting"), 0)
    pl = m.investors.pipeline
    for i in range(m.n):
        s = int(pl.signed_month[i])
        if s < 1 or s > m.t - 24 or 0 <= pl.start_month[i] <= s + 24:  # started within 24 months
            continue
        left = pl.reason[i] >= 0 and 0 <= pl.end_month[i] <= s + 24
        want[REASONS[pl.reason[i]] if left else "waiting"] += 1
    got = mechanism_accounts(m)["cohort_not_started_24m"]
    assert got == want
    assert want["waiting"] > 0 and any(want[r] for r in REASONS)
    late = [i for i in range(m.n) if 1 <= pl.signed_month[i] <= m.t - 24
            and not 0 <= pl.start_month[i] <= pl.signed_month[i] + 24
            and pl.reason[i] >= 0 and 12 < pl.end_month[i] - pl.signed_month[i] <= 24]
    assert late, "the setting must have projects that left late in their first 24 months"


def test_cohort_projects_not_fulfilled_are_classified_by_where_they_stood_24_months_after_signing():
    """Row by row, by an observer who looked at every project each month: a project of the cohort that was not
    building or operating 24 months after signing counts under the reason it had left for (before or after
    starting), as waiting (still signed) or as stalled (烂尾) then; with the fulfilled ones they make the cohort."""
    from sim.model import build_model
    from sim.model.outputs import mechanism_accounts
    from sim.model.stages import BUILDING, EXITED, OPERATING, REASONS, SIGNED, STALLED, WITHDRAWN
    from sim.scenario import load_scenario

    spec = load_scenario(ROOT / "scenarios" / "baseline.toml").with_overrides(
        {"run.n_investors": 6000, "run.horizon_months": 60, "run.spinup_months": 0, "platform.initial_land_mu": 100.0,
         "platform.county_land_mu_per_year": 300.0}, source="test")  # scarce land: long waits, late withdrawals
    m = build_model(spec.params, seed=3)
    pl = m.investors.pipeline
    seen = [pl.stage.copy()]
    for _ in range(60):
        m.step()
        seen.append(pl.stage.copy())
    seen = np.array(seen)
    want = dict.fromkeys((*REASONS, "waiting", "stalled"), 0)
    fulfilled = cohort = 0
    for i in range(m.n):
        s = int(pl.signed_month[i])
        if s < 1 or s > m.t - 24:
            continue
        cohort += 1
        at = seen[s + 24, i]
        if at in (BUILDING, OPERATING):
            fulfilled += 1
        elif at in (WITHDRAWN, EXITED):
            want[REASONS[pl.reason[i]]] += 1
        else:
            want[{SIGNED: "waiting", STALLED: "stalled"}[int(at)]] += 1
    assert mechanism_accounts(m)["cohort_not_fulfilled_24m"] == want
    assert m.record["cohort_fulfilment_rate_24m"] == pytest.approx(fulfilled / cohort)
    assert want["waiting"] > 0 and want["stalled"] > 0 and any(want[r] for r in REASONS)
    started_then_left = sum(1 for i in range(m.n) if 1 <= pl.signed_month[i] <= m.t - 24
                            and 0 <= pl.start_month[i] <= pl.signed_month[i] + 24
                            and seen[pl.signed_month[i] + 24, i] in (WITHDRAWN, EXITED))
    assert started_then_left > 0, "the setting must have projects that started and left within 24 months"


def test_the_split_of_a_rate_into_its_counts_is_exact_on_a_hand_built_case():
    """Fulfilled 400 of 500 signed becomes 300 of 300: the rate rises by 20 points although 100 fewer projects are
    fulfilled. Shapley: from the numerator (-100)(1/500 + 1/300)/2 = -26.67 points, from the denominator
    (400 + 300)(1/300 - 1/500)/2 = +46.67 points; a count that does not move carries nothing; swapping the two
    sides turns both parts round."""
    s0, n0, s1, n1 = (np.array([400.0, 400.0, 400.0]), np.array([500.0, 500.0, 500.0]),
                      np.array([300.0, 400.0, 450.0]), np.array([300.0, 250.0, 500.0]))
    from_s, from_n = decompose.ratio_split(s0, n0, s1, n1)
    assert from_s[0] == pytest.approx(-100 * (1 / 500 + 1 / 300) / 2) == pytest.approx(-0.266667, abs=1e-6)
    assert from_n[0] == pytest.approx(700 * (1 / 300 - 1 / 500) / 2) == pytest.approx(0.466667, abs=1e-6)
    np.testing.assert_allclose(from_s + from_n, s1 / n1 - s0 / n0, rtol=0, atol=1e-15)
    assert from_s[1] == 0.0 and from_n[1] == pytest.approx(400 / 250 - 400 / 500)  # only signings moved
    assert from_n[2] == 0.0 and from_s[2] == pytest.approx(50 / 500)  # only the fulfilled moved
    back_s, back_n = decompose.ratio_split(s1, n1, s0, n0)
    np.testing.assert_allclose(back_s, -from_s, rtol=1e-12)
    np.testing.assert_allclose(back_n, -from_n, rtol=1e-12)
    assert np.isnan(decompose.ratio_split(s0, np.array([0.0, 1, 1]), s1, n1)[0][0]), "no rate, no split"


def test_assessment_reform_raises_fulfilment_through_fewer_signings():
    """On the shipped baseline (full size, ten paired seeds), assessing officials on landed capital instead of
    signed amounts (signed-amount weight 0.8 -> 0.2, nothing else) raises 履约率 while fewer projects are
    fulfilled: the split of the effect puts it on the denominator (fewer signed), whose part is larger than the
    whole effect, and the numerator's part is negative. The effects table carries the same split."""
    from sim.analysis.effects import count_split
    from sim.model import simulate
    from sim.scenario import load_scenario

    seeds = range(10)
    runs = {w: [simulate(load_scenario(ROOT / "scenarios" / "baseline.toml",
                                       {"policy.assessment_signed_weight": w}), seed=s).summary for s in seeds]
            for w in (0.8, 0.2)}

    def col(w, key):
        return np.array([r[key] for r in runs[w]], dtype=float)

    rate = col(0.2, "cohort_fulfilment_rate_24m") - col(0.8, "cohort_fulfilment_rate_24m")
    split = count_split(col(0.2, "cohort_projects_fulfilled_24m"), col(0.2, "cohort_projects_24m"),
                        col(0.8, "cohort_projects_fulfilled_24m"), col(0.8, "cohort_projects_24m"),
                        ("cohort_projects_fulfilled_24m", "cohort_projects_24m"))
    assert rate.min() > 0
    assert split["from_numerator"] + split["from_denominator"] == pytest.approx(rate.mean(), rel=1e-9)
    assert split["numerator_ci_high"] < 0 and split["denominator_ci_high"] < 0, "fewer fulfilled, fewer signed"
    assert split["from_denominator_ci_low"] > rate.mean() > 0 > split["from_numerator_ci_high"], split


def test_every_rate_effect_carries_its_counts_and_their_split(results):
    """Catches a rate shown without what it divides: in the effects table each cohort rate's row names its
    numerator and denominator, their paired changes are those outputs' own effects, and its two parts add up
    to the rate's effect."""
    eff = effects.paired_effects(results)
    rates = eff[eff["output"].str.startswith("cohort_") & eff["output"].str.contains("rate")]
    assert set(rates["output"]) >= {decompose.RATE, "cohort_start_rate_24m", "cohort_capital_arrival_rate_12m"}
    for _, r in rates.iterrows():
        if not np.isfinite(r["effect"]):
            continue  # a cohort the horizon cannot follow
        own = eff[(eff["scenario"] == r["scenario"]) & (eff["output"].isin([r["numerator"], r["denominator"]]))]
        own = own.set_index("output")["effect"]
        assert r["numerator_effect"] == pytest.approx(own[r["numerator"]], abs=1e-9)
        assert r["denominator_effect"] == pytest.approx(own[r["denominator"]], abs=1e-9)
        assert r["from_numerator"] + r["from_denominator"] == pytest.approx(r["effect"], rel=1e-9, abs=1e-12)
    row = rates[(rates["output"] == decompose.RATE)].iloc[0]
    assert (row["numerator"], row["denominator"]) == ("cohort_projects_fulfilled_24m", "cohort_projects_24m")
