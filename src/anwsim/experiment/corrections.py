"""The corrections for multiple comparisons anwsim offers, and its default: named here,
without imports, so that the command line can list them without loading pandas."""

from __future__ import annotations

CORRECTIONS: tuple[str, ...] = ("holm", "bh", "none")
"""Holm's step-down (family-wise error rate), Benjamini–Hochberg's step-up (false
discovery rate), or none (a difference is significant when its 95% CI excludes zero)."""

DEFAULT_CORRECTION = "bh"
"""Benjamini–Hochberg by default: with hundreds of correlated comparisons and the few
replications of a typical report, Holm's family-wise control leaves clear effects
unmarked (12-scenario compare, 5 replications: 151 of 461 stars kept, 10-year growth
scored 0), while BH keeps the expected share of false stars among those shown at 5%."""
