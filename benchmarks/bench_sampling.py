"""Patients sampled per second: Numba kernels vs the vectorised NumPy path, same run.

Samples one replication-year of the baseline region (`scenarios/baseline.yaml`) again
and again, alternating the two paths so that machine noise hits both alike, and prints
the median patients per second of each, the best time per replication-year (the budget
of a whole replication, sampling, simulation and KPIs, is 0.1 s) and their ratio.

    python benchmarks/bench_sampling.py [--scenario FILE] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from anwsim.sampling import DemandSampler
from anwsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    scenario = load_scenario(args.scenario, ["run.horizon_weeks=52"])
    samplers = {k: DemandSampler(scenario, k) for k in ("numba", "numpy")}
    for sampler in samplers.values():  # compile / warm caches
        sampler.sample(0)
    rates: dict[str, list[float]] = {k: [] for k in samplers}
    best: dict[str, float] = dict.fromkeys(samplers, float("inf"))
    ratios: list[float] = []
    for r in range(args.rounds):
        seconds = {}
        for kernels, sampler in samplers.items():
            start = time.perf_counter()
            demand = sampler.sample(r + 1)
            seconds[kernels] = time.perf_counter() - start
            best[kernels] = min(best[kernels], seconds[kernels])
            rates[kernels].append(len(demand) / seconds[kernels])
        ratios.append(seconds["numpy"] / seconds["numba"])
    n = len(samplers["numba"].sample(1))
    print(f"scenario: {scenario.name}, one replication-year = {n:,} patients")
    for kernels, values in rates.items():
        print(
            f"{kernels:>6}: median {statistics.median(values) / 1e6:.2f} M patients/s "
            f"(min {min(values) / 1e6:.2f}, max {max(values) / 1e6:.2f}) over {args.rounds} rounds;"
            f" best {best[kernels] * 1e3:.1f} ms per replication-year"
        )
    print(f" ratio: numba is {statistics.median(ratios):.2f}x the speed of numpy (median of pairs)")


if __name__ == "__main__":
    main()
