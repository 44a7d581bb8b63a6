"""Benchmark: the model's cost per investor-month against Mesa's simplest model, at 1,000 to 100,000 investors.

Prints, for each population size N, the seconds per investor-month of the baseline
scenario (its monthly step, and the whole run including building the population,
the tie network and the Mesa agents) side by side with the seconds per agent-step
of Mesa's Boltzmann wealth model (``mesa.examples.basic.boltzmann_wealth_model``)
at the same N in the same process. Goal: an investor-month costs no more than one
trivial Mesa agent-step (ratio <= 1.0).

Usage: python benchmarks/bench_model.py [--sizes 1000 10000 100000] [--months 60] [--repeat 3]
Not a test: numbers depend on the machine; run it and read them.
"""

from __future__ import annotations

import argparse
import math
import time

from mesa import Agent, Model
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

from sim.model import build_model
from sim.scenario import load_scenario


def time_model(n: int, months: int, seed: int) -> tuple[float, float, float]:
    """(seconds to build, seconds to run ``months``, investor-months) for the baseline with ``n`` investors at
    month 0. The market renews, so the investor-months count every prospect in the market each month
    (the initial pool plus those arrived so far), not only the initial ``n``."""
    spec = load_scenario("scenarios/baseline.toml", {"run.n_investors": n, "run.horizon_months": months})
    t0 = time.perf_counter()
    model = build_model(spec.params, seed=seed)
    t1 = time.perf_counter()
    model.run_for(months)
    t2 = time.perf_counter()
    arrival = getattr(model, "arrival_month", None)
    if arrival is None:  # a closed pool: every investor is in the market every month
        return t1 - t0, t2 - t1, float(n * months)
    in_market = sum(int((arrival <= t).sum()) for t in range(1, months + 1))
    return t1 - t0, t2 - t1, float(in_market)


def time_boltzmann(n: int, steps: int, seed: int) -> float:
    """Seconds per agent-step of Mesa's Boltzmann wealth model at about one agent per cell."""
    side = max(2, int(math.sqrt(n)))
    model = BoltzmannWealth(BoltzmannScenario(n=n, width=side, height=side, rng=seed))
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - t0) / (n * steps)


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
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - t0) / (n * steps)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many repeats")
    args = ap.parse_args()
    print("Times in microseconds. 'ours' = one investor-month of the baseline (monthly step only / whole run")
    print("with set-up); 'Boltzmann' = one agent-step of Mesa's Boltzmann wealth model; 'trivial' = one step")
    print("of a Mesa agent that only increments a number. Ratios are ours / reference (goal <= 1.0).")
    print(f"{'N':>8} {'build s':>8} {'run s':>7} {'ours step':>10} {'ours total':>11} {'Boltzmann':>10} "
          f"{'trivial':>8} {'step/Boltz':>10} {'total/Boltz':>11} {'total/trivial':>13}")
    for n in args.sizes:
        builds, runs, boltz, triv = [], [], [], []
        steps = max(3, min(60, 2_000_000 // n))
        for r in range(args.repeat):
            b, s, inv_months = time_model(n, args.months, seed=r)
            builds.append(b)
            runs.append(s)
            boltz.append(time_boltzmann(n, steps=steps, seed=r))
            triv.append(time_trivial(n, steps=steps, seed=r))
        build, run, ref, ref2 = min(builds), min(runs), min(boltz), min(triv)
        per_step = run / inv_months
        per_total = (build + run) / inv_months
        print(f"{n:>8} {build:>8.2f} {run:>7.2f} {per_step * 1e6:>10.3f} {per_total * 1e6:>11.3f} {ref * 1e6:>10.3f} "
              f"{ref2 * 1e6:>8.3f} {per_step / ref:>10.2f} {per_total / ref:>11.2f} {per_total / ref2:>13.2f}")


if __name__ == "__main__":
    main()
