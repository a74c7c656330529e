"""Replications per second of the baseline on 1 worker and on N local worker processes.

Runs the same replications of `scenarios/baseline.yaml` (shortened to ``--weeks``) on
the in-process backend (1 worker) and on a pool of ``--workers`` spawned processes, in
alternating order over ``--rounds`` rounds so that machine noise hits both alike. Each
backend is first warmed with one tiny replication per worker (imports, Numba caches),
whose time is reported as start-up; the throughput is measured after it. Prints
replications per second for each, the speed-up, and the parallel efficiency
(speed-up / workers), and checks that both gave identical KPI tables. The 1-minute
load average before each measurement is printed too: on a shared machine other
processes take cores from the workers, and the efficiency says more about them.

    python benchmarks/bench_parallel.py [--weeks 13] [--reps 8] [--workers 2] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pandas as pd

from anwsim.experiment import Plan, run_experiment
from anwsim.experiment.backends import make_backend
from anwsim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def measure(
    scenario: Scenario, warm: Scenario, reps: int, workers: int
) -> tuple[float, float, pd.DataFrame]:
    """(start-up seconds, run seconds, per-replication KPIs) on ``workers`` workers."""
    start = time.perf_counter()
    backend = make_backend(workers)
    try:
        run_experiment({"warm-up": warm}, Plan(replications=workers), backend=backend)
        ready = time.perf_counter()
        result = run_experiment({"baseline": scenario}, Plan(replications=reps), backend=backend)
        done = time.perf_counter()
    finally:
        backend.close()
    if result.failures:
        raise SystemExit(f"replications failed: {result.failures}")
    return ready - start, done - ready, result.kpis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--weeks", type=float, default=13, help="horizon in weeks (13)")
    parser.add_argument("--reps", type=int, default=8, help="replications per measurement (8)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (2)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of both (1)")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be at least 2")

    scenario = load_scenario(args.scenario, [f"run.horizon_weeks={args.weeks:g}"])
    warm = load_scenario(args.scenario, ["run.horizon_weeks=1", "run.warmup_weeks=0"])
    configs = [1, args.workers]
    startup: dict[int, list[float]] = {n: [] for n in configs}
    rates: dict[int, list[float]] = {n: [] for n in configs}
    tables: dict[int, pd.DataFrame] = {}
    for r in range(args.rounds):
        for n in configs if r % 2 == 0 else configs[::-1]:
            load = os.getloadavg()[0]
            up, seconds, kpis = measure(scenario, warm, args.reps, n)
            startup[n].append(up)
            rates[n].append(args.reps / seconds)
            tables.setdefault(n, kpis)
            print(
                f"round {r + 1}: {n} worker(s): start-up {up:5.1f} s, "
                f"{args.reps} replications in {seconds:6.1f} s (load average before: {load:.2f})",
                flush=True,
            )

    identical = tables[1].equals(tables[args.workers])
    print()
    print(
        f"scenario: {scenario.name}, {args.weeks:g} weeks "
        f"({scenario.run.warmup_weeks:g} warm-up), {args.reps} replications, "
        f"{args.rounds} round(s), {os.cpu_count()} CPUs"
    )
    base = statistics.median(rates[1])
    print(f"{'workers':>7} {'start-up (s)':>13} {'reps/s':>8} {'speed-up':>9} {'efficiency':>11}")
    for n in configs:
        rate = statistics.median(rates[n])
        speedup = rate / base
        print(
            f"{n:>7} {statistics.median(startup[n]):>13.1f} {rate:>8.3f} "
            f"{speedup:>9.2f} {speedup / n:>11.0%}"
        )
    print(f"identical KPI tables on 1 and {args.workers} workers: {'yes' if identical else 'NO'}")
    if not identical:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
