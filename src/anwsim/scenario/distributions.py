"""Duration and patience distributions as they appear in scenario files.

Every distribution is named by ``kind`` and parameterised in minutes, with names that
say their unit (``mean_minutes``, ``sd_minutes``). The sampling stage
(`anwsim.sampling.kernels`) turns these into compiled kernels; this module only
describes and validates them, and knows their theoretical mean and variance so that
tests and reports can check samples against theory.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Minutes = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveMinutes = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError


class Constant(_Dist):
    """Always the same duration; for deterministic tests and fixed handover times."""

    kind: Literal["constant"]
    minutes: Minutes

    def mean(self) -> float:
        return self.minutes

    def variance(self) -> float:
        return 0.0


class Exponential(_Dist):
    """Memoryless duration with the given mean."""

    kind: Literal["exponential"]
    mean_minutes: PositiveMinutes

    def mean(self) -> float:
        return self.mean_minutes

    def variance(self) -> float:
        return self.mean_minutes**2


class Lognormal(_Dist):
    """Lognormal given by the mean and standard deviation of the duration itself.

    (Not of its logarithm: planners know "mean 4.5 min, sd 2.5 min".)
    """

    kind: Literal["lognormal"]
    mean_minutes: PositiveMinutes
    sd_minutes: PositiveMinutes

    def log_params(self) -> tuple[float, float]:
        """Return ``(mu, sigma)`` of the underlying normal distribution."""
        s2 = math.log(1.0 + (self.sd_minutes / self.mean_minutes) ** 2)
        return math.log(self.mean_minutes) - s2 / 2.0, math.sqrt(s2)

    def mean(self) -> float:
        return self.mean_minutes

    def variance(self) -> float:
        return self.sd_minutes**2


class Gamma(_Dist):
    """Gamma given by mean and standard deviation (shape = (mean/sd)^2)."""

    kind: Literal["gamma"]
    mean_minutes: PositiveMinutes
    sd_minutes: PositiveMinutes

    def shape_scale(self) -> tuple[float, float]:
        shape = (self.mean_minutes / self.sd_minutes) ** 2
        return shape, self.mean_minutes / shape

    def mean(self) -> float:
        return self.mean_minutes

    def variance(self) -> float:
        return self.sd_minutes**2


class Triangular(_Dist):
    """Triangular between ``min_minutes`` and ``max_minutes`` with its peak at the mode."""

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
    """A table of observed durations, drawn with the given weights (equal if omitted)."""

    kind: Literal["empirical"]
    values_minutes: Annotated[list[Minutes], Field(min_length=1)]
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None

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


Distribution = Annotated[
    Constant | Exponential | Lognormal | Gamma | Triangular | Empirical,
    Field(discriminator="kind"),
]
"""Any duration distribution; the ``kind`` field selects which."""

DISTRIBUTION_KINDS: tuple[str, ...] = (
    "constant",
    "exponential",
    "lognormal",
    "gamma",
    "triangular",
    "empirical",
)
