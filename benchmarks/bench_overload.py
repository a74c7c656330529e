"""Cost per patient of the SimPy model under overload: baseline demand ×1, ×2, ×4 on
baseline staff.

An overloaded scenario builds long queues (the GP posts, the phone line, the ambulance
dispatch queue). A model whose queue operations grow with the queue's length pays far
more per patient there than in the baseline; with heap queues the cost per patient
should stay within about 2× of the baseline's at 4× demand. Each round simulates the
same replication of every factor, in rotating order so that machine noise hits all
alike, and reports the median microseconds per patient, per SimPy-run event, and the
ratio of each factor to ×1 (median of the per-round ratios).

    python benchmarks/bench_overload.py [--weeks 2] [--rounds 3] [--factors 1,2,4]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from anwsim.model import simulate
from anwsim.sampling import DemandSampler
from anwsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--factors", default="1,2,4")
    args = parser.parse_args()
    factors = [float(f) for f in args.factors.split(",")]
    cases = {}
    for f in factors:
        scenario = load_scenario(
            ROOT / "scenarios" / "baseline.yaml",
            [
                f"run.horizon_weeks={args.weeks}",
                "run.warmup_weeks=0",
                f"demand.growth_factor={f}",
            ],
        )
        demand = DemandSampler(scenario).sample(replication=0)
        cases[f] = (scenario, demand)
    print(
        f"scenario: baseline, {args.weeks} weeks, demand × {', '.join(map(str, factors))} "
        "on baseline staff"
    )
    per_patient: dict[float, list[float]] = {f: [] for f in factors}
    unserved: dict[float, int] = {}
    for r in range(args.rounds):
        order = factors[r % len(factors) :] + factors[: r % len(factors)]
        for f in order:
            scenario, demand = cases[f]
            start = time.perf_counter()
            outcomes = simulate(scenario, demand)
            seconds = time.perf_counter() - start
            per_patient[f].append(seconds / len(demand) * 1e6)
            unserved[f] = int((outcomes.exit_via == 8).sum())
    base = per_patient[factors[0]]
    print(f"{'demand':>7} {'patients':>9} {'µs/patient':>11} {'ratio to ×1':>12} {'unserved':>9}")
    for f in factors:
        ratios = [x / b for x, b in zip(per_patient[f], base, strict=True)]
        print(
            f"{'×' + format(f, 'g'):>7} {len(cases[f][1]):>9,} "
            f"{statistics.median(per_patient[f]):>11.1f} {statistics.median(ratios):>12.2f} "
            f"{unserved[f]:>9,}"
        )


if __name__ == "__main__":
    main()
