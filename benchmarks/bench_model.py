"""Benchmark: the model's cost per investor-month against a trivial Mesa agent-step, at 1,000 to 100,000 investors.

Prints, for each population size N, the microseconds per investor-month of the baseline
scenario (its monthly step, and the whole run including building the population,
the tie network and the Mesa agents) side by side with the microseconds per agent-step
of a trivial Mesa agent (one attribute update, activated with ``shuffle_do``) and of
Mesa's Boltzmann wealth model (``mesa.examples.basic.boltzmann_wealth_model``) at the
same N in the same process, repeats interleaved, best of ``--repeat``; 'paired' is the median over
repeats of each repeat's own ratio: the model's run over the mean of a trivial step measured just before it and
one just after (a drift in the machine's speed, between repeats or during one, moves both sides alike). Times are the process's CPU time (``time.process_time``), which
other work on a shared machine disturbs less than the wall clock.

Then the three goals, side by side:
  - at the default size (12,000 investors) a whole run's investor-month costs at most
    0.5x a trivial Mesa agent-step;
  - at 100,000 investors at most 0.3x;
  - the run time grows at most linearly with the population from 1,000 to 100,000: the
    exponent b of a least-squares fit of log(time) = a + b log(N) is at most 1.05.

Usage: python benchmarks/bench_model.py [--sizes 1000 3000 12000 30000 100000] [--months 60] [--repeat 5] [--region NAME]

``--region`` times the baseline of another region (its scenario folder's ``baseline.toml``, e.g. Qingyang's eight
counties and nine sectors) instead of the default region's ``scenarios/baseline.toml``.
Not a test: numbers depend on the machine; run it and read them.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from mesa import Agent, Model
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

from sim.model import build_model
from sim.region import load_region
from sim.scenario import load_scenario

_clock = time.process_time


def time_model(n: int, months: int, seed: int, scenario: str = "scenarios/baseline.toml") -> tuple[float, float, float]:
    """(seconds to build, seconds to run ``months``, investor-months) for the baseline (``scenario``) with ``n``
    investors at month 0. The market renews, so the investor-months count every prospect in the market each month
    (the initial pool plus those arrived so far), not only the initial ``n``."""
    spec = load_scenario(scenario, {"run.n_investors": n, "run.horizon_months": months})
    t0 = _clock()
    model = build_model(spec.params, seed=seed)
    t1 = _clock()
    model.run_for(months)
    t2 = _clock()
    arrival = getattr(model, "arrival_month", None)
    if arrival is None:  # a closed pool: every investor is in the market every month
        return t1 - t0, t2 - t1, float(n * months)
    in_market = sum(int((arrival <= t).sum()) for t in range(1, months + 1))
    return t1 - t0, t2 - t1, float(in_market)


def time_boltzmann(n: int, steps: int, seed: int) -> float:
    """Seconds per agent-step of Mesa's Boltzmann wealth model at about one agent per cell."""
    side = max(2, int(math.sqrt(n)))
    model = BoltzmannWealth(BoltzmannScenario(n=n, width=side, height=side, rng=seed))
    t0 = _clock()
    for _ in range(steps):
        model.step()
    return (_clock() - t0) / (n * steps)


class _Counter(Agent):
    """The most trivial Mesa agent: one attribute update per step."""

    def __init__(self, model):
        super().__init__(model)
        self.wealth = 1

    def step(self):
        self.wealth += 1


class _Trivial(Model):
    def __init__(self, n: int, seed: int):
        super().__init__(rng=seed)
        _Counter.create_agents(self, n)

    def step(self):
        self.agents.shuffle_do("step")


def time_trivial(n: int, steps: int, seed: int) -> float:
    """Seconds per agent-step of a trivial Mesa agent activated with shuffle_do."""
    model = _Trivial(n, seed)
    t0 = _clock()
    for _ in range(steps):
        model.step()
    return (_clock() - t0) / (n * steps)


def fitted_exponent(sizes: list[int], seconds: list[float]) -> float:
    """Slope b of the least-squares line log(seconds) = a + b log(size)."""
    x = [math.log(n) for n in sizes]
    y = [math.log(t) for t in seconds]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sum((a - mx) ** 2 for a in x)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 12000, 30000, 100000])
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=5, help="best (and median of paired ratios) of this many repeats")
    ap.add_argument("--region", help="time this region's baseline (default: the default region's)")
    args = ap.parse_args()
    scenario = "scenarios/baseline.toml"
    if args.region:
        scenario = str(load_region(args.region).scenarios / "baseline.toml")
        print(f"region {args.region}: {scenario}")
    print("CPU times in microseconds. 'ours' = one investor-month of the baseline (monthly step only / whole run")
    print("with set-up); 'trivial' = one step of a Mesa agent that only increments a number; 'Boltzmann' = one")
    print("agent-step of Mesa's Boltzmann wealth model. Ratios are ours (whole run) / reference.")
    print(f"{'N':>8} {'build s':>8} {'run s':>7} {'ours step':>10} {'ours total':>11} {'trivial':>8} {'Boltzmann':>10} "
          f"{'total/trivial':>13} {'paired':>8} {'total/Boltz':>11}")
    ratio, paired, totals = {}, {}, []
    for n in args.sizes:
        builds, runs, boltz, triv, pairs = [], [], [], [], []
        steps = max(3, min(60, 2_000_000 // n))
        for r in range(args.repeat):
            # the trivial step just before and just after the model run: a machine whose speed drifts during the
            # repeat moves the model's time and the mean of the two alike
            before = time_trivial(n, steps=steps, seed=r)
            b, s, inv_months = time_model(n, args.months, seed=r, scenario=scenario)
            after = time_trivial(n, steps=steps, seed=r)
            builds.append(b)
            runs.append(s)
            triv += [before, after]
            pairs.append((b + s) / inv_months / ((before + after) / 2))
            boltz.append(time_boltzmann(n, steps=max(3, steps // 6), seed=r))  # for scale only: fewer steps
        build, run, ref, ref2 = min(builds), min(runs), min(boltz), min(triv)
        per_step = run / inv_months
        per_total = (build + run) / inv_months
        ratio[n] = per_total / ref2
        paired[n] = statistics.median(pairs)
        totals.append(build + run)
        print(f"{n:>8} {build:>8.2f} {run:>7.2f} {per_step * 1e6:>10.3f} {per_total * 1e6:>11.3f} {ref2 * 1e6:>8.3f} "
              f"{ref * 1e6:>10.3f} {ratio[n]:>13.2f} {paired[n]:>8.2f} {per_total / ref:>11.2f}", flush=True)
    print()
    print("goal                                             measured   target   met")
    default = 12000
    if default in ratio:
        print(f"investor-month / trivial step at {default:>7,}      {ratio[default]:>8.2f}   <= 0.50   {ratio[default] <= 0.5}"
              f"   (paired: {paired[default]:.2f})")
    if 100000 in ratio:
        print(f"investor-month / trivial step at {100000:>7,}      {ratio[100000]:>8.2f}   <= 0.30   {ratio[100000] <= 0.3}"
              f"   (paired: {paired[100000]:.2f})")
    if len(args.sizes) >= 2:
        b = fitted_exponent(args.sizes, totals)
        print(f"run-time exponent {min(args.sizes):,} to {max(args.sizes):,}        {b:>8.2f}   <= 1.05   {b <= 1.05}")


if __name__ == "__main__":
    main()
