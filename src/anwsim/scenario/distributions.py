"""Duration and patience distributions as they appear in scenario files, and the number
types every scenario field is built from.

Every distribution is named by ``kind`` and parameterised in minutes, with names that
say their unit (``mean_minutes``, ``sd_minutes``). The sampling stage
(`anwsim.sampling.kernels`) turns these into compiled kernels; this module only
describes and validates them, and knows their theoretical mean and variance so that
tests and reports can check samples against theory.

Numbers. Every number of a scenario is a `Real` or a `Whole` (or a type built on them:
`Minutes`, `Weight`, … here, `Staff`, `Factor` in `anwsim.scenario.timeblocks`, more in
`anwsim.scenario.schema`): finite, of the right kind, and within a *plausibility bound*
(`at_most`), a value no planner would exceed, so that nonsense (a population
of 1e30, a consult of 1e308 minutes) is refused with a message saying what is allowed,
instead of overflowing a kernel. ``true``/``false`` and text (``"5"``) are not numbers;
a whole number where a real one is expected is fine (``minutes: 5``), and so is a real
with no fraction where a whole one is expected (``staff: 2.0``). A number in exponent
notation that YAML 1.1 leaves as text (``6.0e1``, ``1e5``: no sign after the ``e``) is
read as the number it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

# --------------------------------------------------------------------------- numbers

MAX_MINUTES = 525_960.0
"""Bound of every duration parameter and time norm, in minutes: one year (365.25 days)."""
MAX_PATIENCE_MINUTES = 1e9
"""Bound of a caller's patience, in minutes (about 1,900 years): a patience no caller
ever exhausts stands for "never hangs up" (as does ``patience_minutes: none``)."""
MAX_CV = 100.0
MIN_CV = 1e-6
"""Bounds of ``sd_minutes / mean_minutes`` of a lognormal or gamma duration."""
MAX_WEIGHT = 1e9
"""Bound of a relative weight (profile hours, empirical tables): counts serve as well."""
MAX_TABLE = 100_000
"""Most values in an empirical table."""


def shown(value: object) -> str:
    """``repr(value)``, cut short: a message stays one readable line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bound_text(x: float) -> str:
    """``10,000`` or ``1e+15`` or ``0.5``: a bound as a reader would write it."""
    if float(x).is_integer() and abs(x) < 1e13:
        return f"{int(x):,}"
    return f"{x:g}"


_EXPONENT = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+")
"""A number in exponent notation, as YAML 1.2 reads it (YAML 1.1 wants ``1.0e+5``)."""


def _number_input(value: Any, whole: bool) -> Any:
    """``value`` as a number, if it is one of a scenario file; else ValueError saying why
    (``true``/``false`` are yes/no values, ``"5"`` is text)."""
    expected = "a whole number" if whole else "a number"
    if isinstance(value, bool):
        raise ValueError(f"expected {expected}, got {str(value).lower()} (a yes/no value)")
    if isinstance(value, str) and _EXPONENT.fullmatch(value):
        return float(value.replace("_", ""))
    if isinstance(value, str | bytes):
        text = value.decode(errors="replace") if isinstance(value, bytes) else value
        try:
            hint = " (write it without quotes)" if math.isfinite(float(text)) else ""
        except ValueError:
            hint = ""
        raise ValueError(f"expected {expected}, got the text {shown(text)}{hint}")
    return value


def _real_input(value: Any) -> Any:
    value = _number_input(value, whole=False)
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise ValueError(
                f"a number of {len(str(abs(value)))} digits is far beyond any plausible value"
            ) from None
    return value


def _whole_input(value: Any) -> Any:
    value = _number_input(value, whole=True)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(value)
    return value


def _check_at_most(value: Any, bound: float, why: str) -> Any:
    if value > bound:
        got = str(value) if len(str(value)) <= 20 else f"{float(value):.3g}"
        raise ValueError(f"must be at most {_bound_text(bound)} ({why}), got {got}")
    return value


def at_most(bound: float, why: str) -> AfterValidator:
    """An upper plausibility bound, whose message says what is allowed and why."""
    return AfterValidator(lambda value: _check_at_most(value, bound, why))


Real = Annotated[float, BeforeValidator(_real_input), Field(strict=True, allow_inf_nan=False)]
"""A finite real number (not a bool, not text); a whole number is taken as real."""
Whole = Annotated[int, BeforeValidator(_whole_input), Field(strict=True)]
"""A whole number (not a bool, not text); a real without fraction is taken as whole."""


YEAR_BOUND = "a plausibility bound: one year of minutes"
_minutes_bound: ContextVar[tuple[float, str]] = ContextVar(
    "_minutes_bound", default=(MAX_MINUTES, YEAR_BOUND)
)


def _check_minutes(value: float) -> float:
    return float(_check_at_most(value, *_minutes_bound.get()))


@contextmanager
def patience_bound() -> Iterator[None]:
    """Within this block, durations may be as long as a caller's patience may be
    (`MAX_PATIENCE_MINUTES`); `anwsim.scenario.schema.Triage` validates its
    ``patience_minutes`` so."""
    token = _minutes_bound.set(
        (
            MAX_PATIENCE_MINUTES,
            "a plausibility bound; for callers who never hang up write patience_minutes: none",
        )
    )
    try:
        yield
    finally:
        _minutes_bound.reset(token)


Minutes = Annotated[Real, Field(ge=0), AfterValidator(_check_minutes)]
"""A duration in minutes: 0 to one year (525,960); a caller's patience up to 1e9."""
PositiveMinutes = Annotated[Real, Field(gt=0), AfterValidator(_check_minutes)]
"""A duration in minutes above 0, at most one year (525,960); a patience up to 1e9."""
Weight = Annotated[
    Real, Field(ge=0), at_most(MAX_WEIGHT, "a plausibility bound; weights are relative")
]
"""A relative weight: 0 to 1e9."""


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError


class Constant(_Dist):
    """Always the same duration; for deterministic tests and fixed handover times.

    ``minutes``: 0 to one year (525,960)."""

    kind: Literal["constant"]
    minutes: Minutes

    def mean(self) -> float:
        return self.minutes

    def variance(self) -> float:
        return 0.0


class Exponential(_Dist):
    """Memoryless duration with the given mean (above 0, at most one year)."""

    kind: Literal["exponential"]
    mean_minutes: PositiveMinutes

    def mean(self) -> float:
        return self.mean_minutes

    def variance(self) -> float:
        return self.mean_minutes**2


def _check_cv(mean: float, sd: float) -> None:
    """A coefficient of variation a duration can have: its parameters stay finite."""
    cv = sd / mean
    if not MIN_CV <= cv <= MAX_CV:
        raise ValueError(
            f"sd_minutes is {cv:.3g} times mean_minutes; it must be between {MIN_CV:g} and "
            f"{MAX_CV:g} times it (a plausibility bound on the coefficient of variation)"
        )


class Lognormal(_Dist):
    """Lognormal given by the mean and standard deviation of the duration itself.

    (Not of its logarithm: planners know "mean 4.5 min, sd 2.5 min".) Both above 0 and
    at most one year; ``sd_minutes`` between 1e-6 and 100 times ``mean_minutes``.
    """

    kind: Literal["lognormal"]
    mean_minutes: PositiveMinutes
    sd_minutes: PositiveMinutes

    @model_validator(mode="after")
    def _plausible(self) -> Lognormal:
        _check_cv(self.mean_minutes, self.sd_minutes)
        return self

    def log_params(self) -> tuple[float, float]:
        """Return ``(mu, sigma)`` of the underlying normal distribution."""
        s2 = math.log(1.0 + (self.sd_minutes / self.mean_minutes) ** 2)
        return math.log(self.mean_minutes) - s2 / 2.0, math.sqrt(s2)

    def mean(self) -> float:
        return self.mean_minutes

    def variance(self) -> float:
        return self.sd_minutes**2


class Gamma(_Dist):
    """Gamma given by mean and standard deviation (shape = (mean/sd)^2); bounds as for
    `Lognormal`."""

    kind: Literal["gamma"]
    mean_minutes: PositiveMinutes
    sd_minutes: PositiveMinutes

    @model_validator(mode="after")
    def _plausible(self) -> Gamma:
        _check_cv(self.mean_minutes, self.sd_minutes)
        return self

    def shape_scale(self) -> tuple[float, float]:
        shape = (self.mean_minutes / self.sd_minutes) ** 2
        return shape, self.mean_minutes / shape

    def mean(self) -> float:
        return self.mean_minutes

    def variance(self) -> float:
        return self.sd_minutes**2


class Triangular(_Dist):
    """Triangular between ``min_minutes`` and ``max_minutes`` with its peak at the mode
    (each 0 to one year)."""

    kind: Literal["triangular"]
    min_minutes: Minutes
    mode_minutes: Minutes
    max_minutes: Minutes

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.min_minutes <= self.mode_minutes <= self.max_minutes):
            raise ValueError("need min_minutes <= mode_minutes <= max_minutes")
        if self.min_minutes == self.max_minutes:
            raise ValueError("min_minutes and max_minutes must differ")
        return self

    def mean(self) -> float:
        return (self.min_minutes + self.mode_minutes + self.max_minutes) / 3.0

    def variance(self) -> float:
        a, c, b = self.min_minutes, self.mode_minutes, self.max_minutes
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0


class Empirical(_Dist):
    """A table of observed durations (1 to 100,000 values, each 0 to one year), drawn
    with the given weights (0 to 1e9 each, a positive sum; equal if omitted)."""

    kind: Literal["empirical"]
    values_minutes: Annotated[list[Minutes], Field(min_length=1, max_length=MAX_TABLE)]
    weights: Annotated[list[Weight], Field(max_length=MAX_TABLE)] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values_minutes):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values_minutes has "
                    f"{len(self.values_minutes)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must have a positive sum")
        return self

    def probabilities(self) -> list[float]:
        w = self.weights or [1.0] * len(self.values_minutes)
        total = float(sum(w))
        return [x / total for x in w]

    def mean(self) -> float:
        return sum(p * v for p, v in zip(self.probabilities(), self.values_minutes, strict=True))

    def variance(self) -> float:
        m = self.mean()
        return sum(
            p * (v - m) ** 2 for p, v in zip(self.probabilities(), self.values_minutes, strict=True)
        )


DISTRIBUTION_KINDS: tuple[str, ...] = (
    "constant",
    "exponential",
    "lognormal",
    "gamma",
    "triangular",
    "empirical",
)


def _known_kind(value: Any) -> Any:
    """A short message for a missing or unknown ``kind`` (pydantic's repeats the input)."""
    if isinstance(value, dict):
        allowed = ", ".join(DISTRIBUTION_KINDS)
        if "kind" not in value:
            raise ValueError(f"a distribution needs a kind: one of {allowed}")
        kind = value["kind"]
        if not isinstance(kind, str) or kind not in DISTRIBUTION_KINDS:
            raise ValueError(f"unknown kind {shown(kind)}; allowed: {allowed}")
    return value


Distribution = Annotated[
    Constant | Exponential | Lognormal | Gamma | Triangular | Empirical,
    Field(discriminator="kind"),
    BeforeValidator(_known_kind),
]
"""Any duration distribution; the ``kind`` field selects which."""
