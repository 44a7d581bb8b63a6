"""A region that starts as it is: the status quo's spin-up before month 0, shared by the scenarios of a replication.

The status quo of a scenario is its parameters with every lever at the region's baseline; it runs
``run.spinup_months`` before month 0, where the strategy's levers take over and every output starts counting. The
scenarios of one replication and design point whose status quo is the same start from copies of one warm state
(:class:`sim.experiment.runner.WarmStates`), and a scenario run alone gives the same numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.experiment import load_summaries
from sim.experiment.runner import run_experiment
from sim.experiment.spec import load_experiment
from sim.model import build_model, simulate, warm_start
from sim.model.outputs import check_invariants
from sim.model.stages import OPERATING
from sim.scenario import lever_keys, load_scenario, status_quo

SPIN = {"run.spinup_months": 24, "run.n_investors": 1500, "run.horizon_months": 24}
"""A small market with two years of spin-up and two of strategy: enough for a pipeline at month 0, quick to run."""


def spec(name: str, **more):
    """A shipped scenario file in the small warm-started setting."""
    return load_scenario(f"scenarios/{name}.toml", {**SPIN, **more})


def investor_arrays(m) -> dict[str, np.ndarray]:
    """Every array of the investor table, by group and field."""
    inv = m.investors
    out = {"beliefs": inv.beliefs, "partner_lead": inv.partner_lead, "tracked": inv.tracked}
    for group in ("pipeline", "approvals", "land", "promises", "capital", "competition", "events"):
        g = getattr(inv, group)
        for name in g.__slots__:
            value = getattr(g, name)
            if isinstance(value, dict):
                out.update({f"{group}.{name}.{k}": v for k, v in value.items()})
            else:
                out[f"{group}.{name}"] = value
    return out


def state_at_month0(m) -> dict:
    """What a model holds at month 0 that no lever re-derives: the investors, the ledger's money, the governments'
    land and leaders, the reputation and the slow states, and every random stream's state."""
    led = m.ledger
    return {
        "t": m.t,
        "investors": investor_arrays(m),
        "ledger": {k: v for k, v in vars(led).items() if k != "m"},
        "governments": [(g.free_land, g.idle_mu, g.land_built, list(g._deliveries), g.contacts, g.rotations,
                         g.leader_since, g.attention_draw, g.pressure, g.score_year) for g in m.governments],
        "reputation": dict(m.reputation), "actual": dict(m.actual), "atmosphere": m.atmosphere,
        "legal": m.legal_insecurity, "counters": vars(m.counters),
        "streams": {name: gen.bit_generator.state for name, gen in m.streams._gens.items()},
        "stream_keys": dict(m.streams._keys),
        "mesa_rng": m.rng.bit_generator.state,
        "efficiency": [d.efficiency for d in m.departments],
    }


def assert_same(a, b, path="state"):
    """Deep equality of nested states, arrays elementwise (NaN equal to NaN)."""
    if isinstance(a, dict):
        assert set(a) == set(b), f"{path}: keys differ"
        for k in a:
            assert_same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f"{path}: arrays differ"
    else:
        assert a == b or (a != a and b != b), f"{path}: {a!r} != {b!r}"


def test_the_status_quo_sets_every_lever_to_the_regions_baseline_and_keeps_the_rest():
    combined = load_scenario("scenarios/combined.toml", {"behaviour.outside_option": 0.9})
    base = load_scenario("scenarios/baseline.toml", {"behaviour.outside_option": 0.9})
    sq = status_quo(combined.params)
    assert sq.model_dump() == base.params.model_dump()
    assert sq.behaviour.outside_option == 0.9  # an assumption varied by a design point is varied in the spin-up too
    assert "budget.shares" in lever_keys() and "policy.persistence" in lever_keys()
    qingyang = load_scenario("scenarios/qingyang/combined.toml")
    assert status_quo(qingyang.params).model_dump() == load_scenario("scenarios/qingyang/baseline.toml").params.model_dump()


def test_two_scenarios_of_one_replication_have_identical_states_at_month_0():
    """Catches a spin-up that is not the status quo (a strategy's levers leaking into it), a stream advanced
    differently when the warm state is copied rather than made anew, or a month 0 that is not the spin-up's end."""
    base, combined = spec("baseline"), spec("combined")
    seed = np.random.SeedSequence(5, spawn_key=(2,))
    a = build_model(base.params, seed, "baseline")
    b = build_model(combined.params, seed, "combined")
    warm = warm_start(status_quo(combined.params), seed)
    c = build_model(combined.params, seed, "combined", warm=warm)
    assert a.t == a.month0 == 24
    # a pipeline is running at month 0: prospects contacted and projects building or operating (after 24 months of a
    # small region, construction may not yet have finished any)
    assert a.opening.counts["contacted"] > 0 and a.record["n_building"] + a.record["n_operating"] > 0
    assert_same(state_at_month0(a), state_at_month0(b))
    assert_same(state_at_month0(b), state_at_month0(c))
    assert warm.opening is None and warm.t == 24  # the warm state itself is left as it was, to be copied again


def test_a_scenario_gives_the_same_numbers_alone_and_from_a_shared_warm_state():
    combined = spec("combined")
    seed = np.random.SeedSequence(7, spawn_key=(0,))
    alone = simulate(combined, seed=seed)
    warm = warm_start(status_quo(combined.params), seed)
    simulate(spec("baseline"), seed=seed, warm=warm)  # another scenario from the same state first
    shared = simulate(combined, seed=seed, warm=warm)
    assert alone.summary == shared.summary or _same_summaries(alone.summary, shared.summary)
    for k in alone.monthly:
        assert np.array_equal(alone.monthly[k], shared.monthly[k], equal_nan=True), k


def test_a_run_that_records_its_summary_only_observes_its_last_month_and_gives_the_same_summary(observed_months):
    """Catches a run recorded as a summary (the screening's, the search's) whose summary differs from the same run
    recorded month by month (its last month not observed, or observing having changed the state), or that still
    observes every month: it observes month 0 and its horizon only, and returns no series."""
    from sim.experiment.runner import run_one

    observed = observed_months
    seed = np.random.SeedSequence(7, spawn_key=(1,))
    for name in ("baseline", "combined", "channels"):
        s = spec(name, **{"behaviour.outside_option": 0.8})
        warm = warm_start(status_quo(s.params), seed)
        observed.clear()
        monthly = simulate(s, seed=seed, warm=warm)
        assert observed == list(range(25)) and len(monthly.monthly["month"]) == 25
        observed.clear()
        summary_only = simulate(s, seed=seed, warm=warm, monthly=False)
        assert observed == [0, 24] and summary_only.monthly is None, name
        assert_same(monthly.summary, summary_only.summary, f"{name} summary")
        assert monthly.summary["signed_projects"] > 0
    observed.clear()
    outcome = run_one(spec("combined"), {}, seed, "summary")
    assert outcome.status == "done" and outcome.monthly is None and observed == [0, 24]


def _same_summaries(a: dict, b: dict) -> bool:
    assert_same(a, b, "summary")
    return True


EXPERIMENT = """
[experiment]
name = "warm"
scenarios = ["{root}/scenarios/baseline.toml", "{root}/scenarios/combined.toml", "{root}/scenarios/channels.toml"]
replications = 2
root_seed = 31
record = "monthly"

[overrides]
"run.spinup_months" = 24
"run.n_investors" = 1500
"run.horizon_months" = 24
"""


@pytest.fixture(scope="module")
def warm_experiment(tmp_path_factory):
    root = Path(__file__).resolve().parents[1]
    folder = tmp_path_factory.mktemp("warm")
    path = folder / "warm.toml"
    path.write_text(EXPERIMENT.format(root=root))
    return load_experiment(path), folder


@pytest.mark.parametrize("engine", ["serial", "process"])
def test_an_experiments_runs_are_the_runs_alone_on_every_engine(warm_experiment, engine):
    """Catches a warm state shared between scenarios whose numbers then differ from a run of their own (a copy that
    shares arrays with the state, a stream advanced by an earlier scenario), on either engine."""
    exp, folder = warm_experiment
    report = run_experiment(exp, folder / engine, engine=engine, workers=2, progress=False)
    assert report.complete
    rows = {(r["scenario"], r["replication"]): r for r in load_summaries(folder / engine).to_pylist()}
    for entry in exp.scenarios:
        for r in range(exp.replications):
            alone = simulate(entry.spec.with_overrides(exp.overrides), seed=np.random.SeedSequence(31, spawn_key=(r,)))
            row = rows[(entry.name, r)]
            for key in ("signed_projects", "signed_capital", "arrived_capital", "jobs", "budget_spent",
                        "cohort_fulfilment_rate_12m", "withdrawals_by_reason.delay", "capital_gap.signed_before"):
                path = key.split(".")
                value = alone.summary[path[0]] if len(path) == 1 else alone.summary[path[0]][path[1]]
                assert row[key] == value or (value != value and row[key] != row[key]), (entry.name, r, key)


@pytest.fixture
def spin_ups(monkeypatch) -> list[tuple]:
    """The spawn keys of the seeds of every warm state the runner makes from now on (its warm_start counted)."""
    import sim.experiment.runner as runner

    made: list[tuple] = []
    original = runner.warm_start

    def counted(params, seed):
        made.append(tuple(seed.spawn_key))
        return original(params, seed)

    monkeypatch.setattr(runner, "warm_start", counted)
    return made


def test_the_spin_up_runs_once_per_replication_for_scenarios_that_share_it(warm_experiment, spin_ups):
    """Catches a spin-up paid by every scenario instead of once for the replication (the runner not sharing it)."""
    exp, folder = warm_experiment
    made = spin_ups
    report = run_experiment(exp, folder / "counted", engine="serial", progress=False, batch_size=1)
    assert report.complete and report.done_now == 6
    assert sorted(made) == [(0,), (1,)]


def test_kept_warm_states_are_made_once_across_experiments_and_give_the_same_numbers(warm_experiment, spin_ups):
    """Catches kept warm states (``keep_warm_mb``, what the allocation search asks for) that change a number, or
    that are not reused by a later experiment of the same replications, or that outgrow their limit: two experiments
    in the same worker (serial engine, a run a task) make each replication's state once; with a limit below one
    state only the last is kept, so the second experiment makes both again; a task that keeps none drops them."""
    import sim.experiment.runner as runner

    exp, folder = warm_experiment
    made = spin_ups
    run_experiment(exp, folder / "plain", engine="serial", progress=False, batch_size=1)
    assert sorted(made) == [(0,), (1,)] and not runner.KEPT.states
    made.clear()
    for out in ("kept1", "kept2"):
        run_experiment(exp, folder / out, engine="serial", progress=False, batch_size=1, keep_warm_mb=512)
    assert sorted(made) == [(0,), (1,)]
    assert len(runner.KEPT.states) == 2
    made.clear()
    for out in ("small1", "small2"):
        run_experiment(exp, folder / out, engine="serial", progress=False, batch_size=1, keep_warm_mb=1e-6)
    assert sorted(made) == [(0,), (0,), (1,), (1,)]
    assert len(runner.KEPT.states) == 1
    plain = load_summaries(folder / "plain").to_pandas().drop(columns=["run_seconds", "finished_at"])
    for out in ("kept1", "kept2", "small2"):
        other = load_summaries(folder / out).to_pandas()[plain.columns]
        assert other.equals(plain), out
    run_experiment(exp, folder / "after", engine="serial", progress=False, batch_size=1)
    assert not runner.KEPT.states


def test_outputs_count_from_month_0_and_stocks_are_stocks():
    """Catches outputs counted from the spin-up's start: at month 0 every flow is zero while the stocks are the
    running region's; the monthly table runs from month 0 to the horizon; the summary counts the projects signed
    from month 1. (At the pull of 0.8 of the cold-start fit, so that the two-year spin-up leaves signed projects.)"""
    m = build_model(spec("baseline", **{"behaviour.outside_option": 0.8}).params, 3)
    rec = m.record
    assert rec["month"] == 0
    for flow in ("contacted_total", "signed_projects", "signed_capital", "arrived_capital", "tax_revenue",
                 "budget_total", "budget_spent", "budget_returned", "n_withdrawn", "n_exited", "withdrawn_delay",
                 "spent_channels"):
        assert rec[flow] == 0, flow
    assert rec["n_operating"] > 0 and rec["jobs"] > 0 and rec["incentive_fund"] > 0 and rec["n_signed"] > 0
    m.run_for(24)
    assert not check_invariants(m)
    pl = m.investors.pipeline
    from sim.model.outputs import summary

    s = summary(m)
    assert s["months"] == 24
    assert s["signed_projects"] == int((pl.signed_month > m.month0).sum()) < int((pl.signed_month >= 0).sum())
    assert s["arrived_capital"] == pytest.approx(s["signed_capital"] - sum(s["capital_gap"].values()), rel=1e-9)
    assert s["capital_gap"]["signed_before"] < 0  # the spin-up's projects bring capital after month 0
    # money budgeted since month 0 and held at month 0 is spent, held or returned since
    assert s["budget_total"] + m.opening.held == pytest.approx(s["budget_spent"] + s["budget_held"]
                                                               + s["budget_returned"], rel=1e-9)
    table = m.datacollector.tables["monthly"]["month"]
    assert list(table) == list(range(25))


def test_the_outside_option_is_the_calibrated_value_at_month_0():
    """Competing regions' pull starts from its calibrated value at month 0 and rises by ``outside_growth`` a year
    from there (a rise of 0.03 a year, a future the screening varies; the default is 0)."""
    m = build_model(spec("baseline", **{"behaviour.outside_growth": 0.03}).params, 3)
    assert m.outside_option() == m.p.behaviour.outside_option
    m.run_for(12)
    assert m.outside_option() == pytest.approx(m.p.behaviour.outside_option + m.p.behaviour.outside_growth)


def test_the_budget_gets_back_the_tax_of_young_firms_only():
    """Catches an attraction budget fed by the tax of every firm ever attracted (a loop with a gain above one that
    never settles): with ``budget.tax_years`` of 1 the budget gets back a share of the tax of firms in their first
    year of operation only, less than with 50 years, while the tax the firms pay over the first two years is the
    same (what the larger budget buys in the second year pays tax only later)."""
    one = build_model(spec("baseline", **{"budget.tax_years": 1.0, "run.horizon_months": 60}).params, 4)
    ever = build_model(spec("baseline", **{"budget.tax_years": 50.0, "run.horizon_months": 60}).params, 4)
    for m in (one, ever):
        m.run_for(24)
    assert one.ledger.tax_total - one.opening.tax_total == pytest.approx(
        ever.ledger.tax_total - ever.opening.tax_total, rel=1e-9)
    assert one.record["budget_total"] < ever.record["budget_total"]
    pl, cap = one.investors.pipeline, one.investors.capital
    op = (pl.stage == OPERATING) & (pl.operate_month > one.t - 12)
    young = float((cap.operating[op] * one.tax_per_capital_month[op]).sum())
    assert young > 0


def test_prospects_keep_arriving_through_the_spin_up_and_the_horizon():
    """Catches a market that runs dry at month 0: arrivals drawn for the horizon alone ran out ``run.spinup_months``
    early, so a warm-started region courted a shrinking pool and its signings fell from year to year. Prospects
    arrive at ``run.arrivals_per_month`` in every month of the spin-up and of the horizon."""
    m = warm_start(status_quo(spec("baseline").params), 5)
    p = m.p
    rate = p.run.arrivals_per_month * p.scale
    n0 = p.run.n_investors
    months = np.bincount(m.arrival_month[n0:], minlength=m.horizon + 1)
    assert m.arrival_month[n0:].max() == m.horizon  # the last arrive in the horizon's last month
    assert months[m.month0 + 1:].sum() == pytest.approx(rate * p.run.horizon_months, abs=1)  # after month 0
    assert months[1:m.month0 + 1].sum() == pytest.approx(rate * m.month0, abs=1)  # in the spin-up


def test_the_market_is_in_balance_so_a_long_spin_up_does_not_use_up_a_stock_of_prospects():
    """Catches a prospect pool that only grows or is used up: prospects not courted here locate elsewhere after
    a search of mean pool / arrivals months, so with no one courted the market holds about ``run.n_investors``
    in every month (as many leave as arrive), and a prospect past its month is never courted."""
    m = warm_start(status_quo(spec("baseline").params), 6)
    p = m.p
    for t in (m.month0, m.horizon):
        uncourted = int(((m.arrival_month <= t) & (m.leave_month > t)).sum())
        assert uncourted == pytest.approx(p.run.n_investors, rel=0.08)
    gone = m.leave_month <= m.t
    assert gone.any()
    assert not (m.in_market() & gone).any()
    assert (m.investors.pipeline.signed_month[gone & (m.leave_month < m.arrival_month + 3)] < 0).all()


def test_the_shared_warm_start_pairs_the_scenarios_at_least_as_well_as_a_cold_start():
    """The paired variance ratio of each headline effect, var(strategy - baseline) / (var(strategy) + var(baseline))
    over 16 seeds, is no larger after a shared spin-up than from a cold start: two scenarios that continue from one
    warm state differ only by what the strategy changed, so the seeds' noise cancels in their difference. Catches a
    spin-up that is not the shared status quo (a strategy's levers in its own spin-up, or its own draws)."""
    from sim.model.registry import FULFILMENT

    keys = ("jobs", "signed_projects", "arrived_capital", FULFILMENT)
    ratio = {}
    for spin in (0, 48):
        runs = {name: [simulate(load_scenario(f"scenarios/{name}.toml", {
            "run.spinup_months": spin, "run.n_investors": 1500, "run.horizon_months": 36}), seed=s).summary
            for s in range(1, 17)] for name in ("baseline", "combined")}
        for k in keys:
            a, b = (np.array([r[k] for r in runs[name]], dtype=float) for name in ("baseline", "combined"))
            ratio[spin, k] = np.var(b - a, ddof=1) / (np.var(a, ddof=1) + np.var(b, ddof=1))
    worse = {k: (round(ratio[0, k], 3), round(ratio[48, k], 3)) for k in keys if ratio[48, k] > ratio[0, k]}
    assert not worse, f"variance ratio cold, warm: {worse}"
