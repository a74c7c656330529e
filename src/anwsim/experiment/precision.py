"""How many replications: the sequential procedure of Hoad, Robinson & Davies (2010).

After each replication n ≥ 3 the relative half-width of the 95% confidence interval of
every target KPI is d_n = t(0.975, n−1) · s_n / (√n · |mean_n|). The candidate number
of replications is the first n with d_n ≤ precision for every target; it is accepted
once the precision also holds for the next k_limit replications (the look-ahead: 5, or
5% of n beyond 100 replications), otherwise the search goes on. The decision depends
only on the values of replications 0, 1, 2, … in order, so it is the same whatever the
number of workers that produced them.

Hoad, K., Robinson, S., Davies, R. (2010). Automated selection of the number of
replications for a discrete-event simulation. J. Oper. Res. Soc. 61, 1632–1644.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from anwsim.experiment.summary import t_quantile

MIN_REPLICATIONS = 3


def look_ahead(n: int) -> int:
    """k_limit of the procedure for a candidate of ``n`` replications."""
    return 5 if n <= 100 else int(np.floor(0.05 * n))


def relative_half_width(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> float:
    """t · s / (√n · |mean|); infinite when undefined (n < 2, or a mean of zero)."""
    x = np.asarray(values, dtype=float)
    n = x.size
    mean = float(x.mean()) if n else 0.0
    if n < 2 or mean == 0 or not np.isfinite(mean):
        return float("inf")
    t = float(t_quantile(0.5 + confidence / 2.0, n - 1))
    return float(t * x.std(ddof=1) / np.sqrt(n) / abs(mean))


@dataclass(frozen=True)
class Decision:
    """``solution``: the accepted number of replications (None: not yet); ``needed``:
    how many replications must exist to decide; ``widths``: d_n per target at the last
    n looked at."""

    solution: int | None
    needed: int
    widths: tuple[float, ...]

    @property
    def keep(self) -> int | None:
        """Replications kept in the results: the solution and its look-ahead."""
        return None if self.solution is None else self.solution + look_ahead(self.solution)


def decide(series: Sequence[Sequence[float]], precision: float, cap: int) -> Decision:
    """Apply the procedure to the target KPIs' values by replication (one row per KPI).

    Replications beyond ``cap`` are never asked for; at the cap the run stops without a
    solution.
    """
    if not series:
        raise ValueError("precision needs at least one target KPI")
    data = [np.asarray(s, dtype=float) for s in series]
    available = min(len(s) for s in data)
    widths: tuple[float, ...] = tuple(float("inf") for _ in data)

    def ok(n: int) -> bool:
        nonlocal widths
        widths = tuple(relative_half_width(s[:n]) for s in data)
        return all(w <= precision for w in widths)

    candidate = None
    n = MIN_REPLICATIONS
    while n <= available:
        if candidate is None:
            if ok(n):
                candidate = n
        elif not ok(n):
            candidate = None
        if candidate is not None and n >= candidate + look_ahead(candidate):
            return Decision(candidate, candidate + look_ahead(candidate), widths)
        n += 1
    if available >= cap:
        return Decision(None, cap, widths)
    needed = max(available + 1, MIN_REPLICATIONS)
    if candidate is not None:
        needed = max(needed, candidate + look_ahead(candidate))
    return Decision(None, min(needed, cap), widths)


def width_note(decision: Decision, precision: float) -> str:
    """The progress note: the largest relative half-width so far against the target, or
    a dash while it cannot be computed (fewer than two replications, a mean of zero)."""
    worst = max(decision.widths, default=math.inf)
    shown = f"{100 * worst:.1f}%" if math.isfinite(worst) else "—"
    return f"half-width: {shown} (target {100 * precision:g}%)"


def stop_message(
    decision: Decision, precision: float, cap: int, names: Sequence[str]
) -> str | None:
    """Why a run with a precision ended at its cap of ``cap`` replications without a
    solution, in words that agree with its numbers (``names``: one per series given to
    `decide`); None when it found one.

    At the cap the largest half-width can already be within the precision: the procedure
    accepts n replications only once the precision also holds over the look-ahead after
    n, and the cap ended the run before that."""
    if decision.solution is not None:
        return None
    if not decision.widths:
        return f"precision {100 * precision:g}%: no replication finished"
    worst = max(range(len(decision.widths)), key=lambda i: _order(decision.widths[i]))
    width = decision.widths[worst]
    name = names[worst] if worst < len(names) else f"target {worst + 1}"
    asked = f"precision {100 * precision:g}%"
    raise_cap = "raise the cap (--max-reps, max_replications=)"
    if not math.isfinite(width):
        return (
            f"{asked} cannot be judged within the cap of {cap} replications: the relative "
            f"half-width of {name} has no value (its mean is zero or unknown); choose "
            "another target"
        )
    if width <= precision:
        return (
            f"{asked} holds at {cap} replications (largest relative half-width "
            f"{100 * width:.1f}%, {name}) but is not confirmed: the procedure also needs it "
            f"over a look-ahead of {look_ahead(cap)} more replications, past the cap of "
            f"{cap}; {raise_cap} to confirm it"
        )
    return (
        f"{asked} not reached within the cap of {cap} replications: the largest relative "
        f"half-width is {100 * width:.1f}% ({name}); {raise_cap}"
    )


def _order(width: float) -> float:
    """Sort key of a half-width: an undefined one (NaN, infinite) counts as the worst."""
    return width if math.isfinite(width) else math.inf
