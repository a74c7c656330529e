"""Every KPI, defined once: its name, unit, what it divides or averages, its norm and the
direction in which it is better; and every list of headline KPIs, declared once.

A KPI table (see `anwsim.metrics.table`) has one row per KPI and *group* (an urgency, a
site, a role), with the value, the unit and, where one exists, the norm and the share
the norm asks for, and ``n``: the patients or events behind the value (for a share its
denominator, for a mean or percentile the values it is taken over). Keep names stable:
results, comparisons and charts key on them.

How to read `Kpi.numerator` and `Kpi.denominator` depends on `Kpi.statistic`:

* ``share`` (unit %): 100 × numerator / denominator;
* ``rate``: numerator / denominator (per hour, per shift, per year, …);
* ``mean`` and ``p90``: the mean or 90th percentile of the quantity in ``numerator``
  over the patients or events in ``denominator`` (only those who got that far: a
  patient still waiting when the run stopped has no time to average; the share KPIs
  count them);
* ``count``: how many of ``numerator`` per replication.

The phone service levels are per *caller* (patient), not per attempt, like
``abandoned_callers``: the denominator is every caller of the line who reached it,
whether they were answered, hung up, met a full waiting room, were called back or were
still waiting when the run stopped. Every access share counts patients still waiting
in a queue when the run stopped (``exit_via == "unserved"``) as *not* within its norm.

`docs/kpis.md` holds the table `kpi_markdown()` writes; a test keeps them equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

Direction = Literal["higher", "lower"]
Statistic = Literal["share", "rate", "mean", "p90", "count"]
Kind = Literal["access", "workload", "volume"]

CALLERS = (
    "every caller of {line} who reached it (phone entry, at least one attempt): also those "
    "who hung up, met a full waiting room, were called back or were still waiting when the "
    "run stopped"
)
"""The denominator of every per-caller phone share."""

_UTILISATION_NEUTRAL = (
    "high utilisation is both efficient use of staff and longer queues; read it next to "
    "the access KPIs"
)
_VOLUME_NEUTRAL = "a volume (demand), not a performance"


@dataclass(frozen=True)
class Kpi:
    """One KPI. See the module docstring for how numerator and denominator read."""

    name: str
    unit: str
    kind: Kind
    statistic: Statistic
    groups: str
    """What a row's group is (an urgency, a site, a role, ``all``)."""
    description: str
    """One line: what it measures."""
    numerator: str
    denominator: str
    better: Direction | None
    """The direction in which it is better (rankings score it), or None ..."""
    neutral_because: str = ""
    """... with the reason neither direction is better."""
    norm: str = ""
    """The scenario fields of its norm and target share, if it has one."""
    short: str = ""
    """A short label for narrow columns (the CLI ranking); the name if empty."""
    digits: int = 1
    """Decimals the terminal tables round it to: its meaningful precision (a share or a
    duration to a tenth, a yearly volume to a whole number)."""

    def __post_init__(self) -> None:
        if self.better not in ("higher", "lower", None):
            raise ValueError(f"{self.name}: better must be 'higher', 'lower' or None")
        if self.better is None and not self.neutral_because:
            raise ValueError(f"{self.name}: a KPI without a direction needs neutral_because")
        if self.better is not None and self.neutral_because:
            raise ValueError(f"{self.name}: neutral_because is for KPIs without a direction")
        if not (self.numerator and self.denominator):
            raise ValueError(f"{self.name}: numerator and denominator must be written")
        if (self.statistic == "share") != (self.unit == "%"):
            raise ValueError(f"{self.name}: shares, and only shares, are in %")
        if not 0 <= self.digits <= 4:
            raise ValueError(f"{self.name}: digits must be 0 to 4")


_ALL_CALLERS = CALLERS.format(line="the triage line")
_EMERGENCY_CALLERS = CALLERS.format(
    line="the emergency line (urgencies in triage.emergency_line_urgencies)"
)
_OTHER_CALLERS = CALLERS.format(line="the other lines (every other urgency)")
_ATTEMPTS = "call attempts of every caller who reached the line (sum of attempts)"

KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        # ------------------------------------------------------------ access: phone
        Kpi(
            "answer_time_mean",
            "min",
            "access",
            "mean",
            "all",
            "mean wait of the attempt that got through, of callers answered live",
            "wait of the attempt that got through: answer − answered_attempt_start",
            "callers answered live (a finite answer, not a call-back); callers who never got "
            "through have no wait to average: the answered_within_* shares count them",
            "lower",
            digits=2,
        ),
        Kpi(
            "answered_within_urgent_norm",
            "%",
            "access",
            "share",
            "emergency line",
            "emergency-line callers answered live within the urgent norm",
            "callers answered live (not called back) within the norm, timed from the start of the "
            "attempt that got through",
            _EMERGENCY_CALLERS,
            "higher",
            norm="norms.urgent_answer_seconds; target norms.urgent_answer_percent",
            short="urgent",
        ),
        Kpi(
            "answered_within_norm",
            "%",
            "access",
            "share",
            "other lines",
            "other-line callers answered live within the answer norm",
            "callers answered live (not called back) within the norm, timed from the start of the "
            "attempt that got through",
            _OTHER_CALLERS,
            "higher",
            norm="norms.answer_minutes; target norms.answer_percent",
            short="phone",
        ),
        Kpi(
            "answered_within_max",
            "%",
            "access",
            "share",
            "other lines",
            "other-line callers answered live within the maximum answer time",
            "callers answered live (not called back) within the maximum, timed from the start of "
            "the attempt that got through",
            _OTHER_CALLERS,
            "higher",
            norm="norms.answer_max_minutes; target norms.answer_max_percent",
            short="phone max",
        ),
        Kpi(
            "abandoned_callers",
            "%",
            "access",
            "share",
            "all",
            "callers who hung up and never got through",
            "callers whose last attempt ended in a hang-up and who did not redial "
            "(exit_via = abandoned)",
            _ALL_CALLERS,
            "lower",
            short="abandon",
        ),
        Kpi(
            "blocked_callers",
            "%",
            "access",
            "share",
            "all",
            "callers lost to a busy signal: their last attempt met a full waiting room",
            "callers whose last attempt met a full waiting room and who did not redial "
            "(exit_via = blocked)",
            _ALL_CALLERS,
            "lower",
            short="blocked",
        ),
        Kpi(
            "called_back",
            "%",
            "access",
            "share",
            "all",
            "callers who accepted a call-back when their patience ran out",
            "callers who accepted a call-back (called_back)",
            _ALL_CALLERS,
            None,
            neutral_because="a call-back replaces a hang-up (better) by a later call "
            "(worse); read it with abandoned_callers and call_back_wait_mean",
        ),
        Kpi(
            "call_back_wait_mean",
            "min",
            "access",
            "mean",
            "all",
            "call-back request to the triagist's call",
            "answer − call_back_requested",
            "called-back callers whose call came before the run stopped",
            "lower",
        ),
        Kpi(
            "abandoned_attempts",
            "%",
            "access",
            "share",
            "all",
            "call attempts that ended in a hang-up",
            "call attempts that ended in a hang-up (sum of abandoned_attempts)",
            _ATTEMPTS,
            "lower",
        ),
        Kpi(
            "blocked_attempts",
            "%",
            "access",
            "share",
            "all",
            "call attempts that met a busy signal (with redial off: the blocking "
            "probability of the M/M/c/K line)",
            "call attempts that met a full waiting room (sum of blocked_attempts)",
            _ATTEMPTS,
            "lower",
        ),
        # ------------------------------------------------------------ access: NTS
        Kpi(
            "call_to_doctor_mean",
            "min",
            "access",
            "mean",
            "urgency U0–U5",
            "call to first contact with a doctor or ambulance crew",
            "doctor_contact − call: first contact with a GP, nurse practitioner, SEH doctor "
            "or ambulance crew",
            "patients of the urgency who had such a contact (unserved patients without "
            "one are counted by within_nts_norm and unserved_patients)",
            "lower",
            norm="norms.nts_minutes[urgency] (shown; no target)",
        ),
        Kpi(
            "call_to_doctor_p90",
            "min",
            "access",
            "p90",
            "urgency U0–U5",
            "90th percentile of call to first contact with a doctor or ambulance crew",
            "doctor_contact − call",
            "patients of the urgency who had such a contact",
            "lower",
            norm="norms.nts_minutes[urgency] (shown; no target)",
        ),
        Kpi(
            "within_nts_norm",
            "%",
            "access",
            "share",
            "urgencies with an NTS norm (U0–U4 by default)",
            "patients seen by a doctor or ambulance crew within their NTS norm",
            "patients whose first doctor or crew contact came within the urgency's norm "
            "of their call",
            "patients of the urgency with a doctor or crew contact, plus unserved patients "
            "(exit_via = unserved) without one whose disposition is not advice; advice-only "
            "patients and callers who hung up or were blocked are not in it",
            "higher",
            norm="norms.nts_minutes[urgency] (no target)",
            short="NTS",
        ),
        # ------------------------------------------------------------ access: GP post
        Kpi(
            "travel_to_post_mean",
            "min",
            "access",
            "mean",
            "all",
            "car travel from home to the GP post",
            "travel_to_post",
            "patients who travelled to a GP post for a consult",
            "lower",
        ),
        Kpi(
            "travel_to_post_within_norm",
            "%",
            "access",
            "share",
            "all",
            "consult patients within the travel norm of the post",
            "patients whose travel to the post was within the norm",
            "patients who travelled to a GP post for a consult (travel comes before any "
            "queue, so no one is left out)",
            "higher",
            norm="norms.post_travel_minutes; target norms.post_travel_percent",
            short="post",
        ),
        # ------------------------------------------------------------ access: ambulance
        Kpi(
            "ambulance_response_mean",
            "min",
            "access",
            "mean",
            "A1, A2, B",
            "incident to ambulance on scene",
            "ambulance_arrival − incident",
            "rides of the urgency with a vehicle on scene",
            "lower",
        ),
        Kpi(
            "ambulance_response_within_norm",
            "%",
            "access",
            "share",
            "A-urgencies with a norm (A1, A2)",
            "rides on scene within the response norm",
            "rides with a vehicle on scene within the norm of the incident",
            "rides of the urgency with a vehicle on scene, plus unserved rides "
            "(exit_via = unserved) of that urgency with no vehicle on scene yet, e.g. "
            "still in the dispatch queue",
            "higher",
            norm="norms.ambulance_response_minutes[urgency]; target "
            "norms.ambulance_response_percent",
            short="amb",
        ),
        Kpi(
            "call_to_seh_within_norm",
            "%",
            "access",
            "share",
            "A1+A2",
            "conveyed A1/A2 rides at the SEH within the call-to-SEH norm",
            "A1/A2 rides at the SEH within the norm of the incident (ambulance_at_seh − incident)",
            "A1/A2 rides that reached an SEH, plus unserved A1/A2 rides that had not: "
            "conveyed, or not yet on scene (conveyance not yet known: counted as conveyed)",
            "higher",
            norm="norms.call_to_seh_minutes (no target)",
            short="SEH",
        ),
        Kpi(
            "ambulance_by_neighbour",
            "%",
            "access",
            "share",
            "all",
            "rides taken by a neighbouring region's vehicle",
            "rides taken by a neighbouring region's vehicle (station = −2)",
            "rides with a vehicle dispatched",
            "lower",
        ),
        # ------------------------------------------------------------ access: SEH
        Kpi(
            "handoff_delay_mean",
            "min",
            "access",
            "mean",
            "SEH",
            "ambulance at the SEH to start of handover",
            "handover_start − ambulance_at_seh",
            "conveyed rides at that SEH whose handover started",
            "lower",
        ),
        Kpi(
            "handoff_delay_p90",
            "min",
            "access",
            "p90",
            "SEH",
            "90th percentile of the handoff delay",
            "handover_start − ambulance_at_seh",
            "conveyed rides at that SEH whose handover started",
            "lower",
        ),
        Kpi(
            "door_to_doctor_mean",
            "min",
            "access",
            "mean",
            "SEH",
            "SEH arrival to first SEH doctor contact",
            "seh_doctor − seh_arrival",
            "patients at that SEH seen by an SEH doctor",
            "lower",
        ),
        Kpi(
            "unserved_patients",
            "patients",
            "access",
            "count",
            "site/role of every queue of the chain (rows of zero included), and all",
            "patients still waiting in a queue when the run stopped (horizon + drain limit)",
            "patients whose first contact falls in the measured window and who were still "
            "waiting in that queue (exit_via = unserved, unserved_queue)",
            "per replication (the summary's mean is patients per replication)",
            "lower",
            short="unserved",
        ),
        # ------------------------------------------------------------ workload
        Kpi(
            "utilisation",
            "%",
            "workload",
            "share",
            "server group (site/role) and role:ROLE",
            "busy share of staffed time (busy counted up to the capacity)",
            "∫ min(busy, capacity) dt over the measured window (server-minutes)",
            "∫ capacity dt over the measured window (staffed server-minutes)",
            None,
            neutral_because=_UTILISATION_NEUTRAL,
            short="util",
        ),
        Kpi(
            "contacts_per_gp_hour",
            "1/h",
            "workload",
            "rate",
            "all",
            "GP contacts per staffed GP hour",
            "GP contacts of patients in the window: consults by a GP (not a nurse "
            "practitioner), home visits and call-backs",
            "staffed hours of gp_consult, gp_visit and gp_supervisor",
            None,
            neutral_because="productivity, not a service level: more contacts per hour "
            "can mean less time per patient",
            digits=2,
        ),
        Kpi(
            "overtime_minutes_per_shift",
            "min",
            "workload",
            "rate",
            "role:ROLE",
            "minutes worked past shift end per server-shift that ended",
            "∫ max(0, busy − capacity) dt: minutes worked past the end of shifts",
            "server-shifts that ended in the window (servers leaving at capacity drops)",
            "lower",
            short="overtime",
        ),
        Kpi(
            "overtime_hours_per_week",
            "h",
            "workload",
            "rate",
            "role:ROLE",
            "overtime hours per week",
            "∫ max(0, busy − capacity) dt, in hours",
            "weeks in the measured window",
            "lower",
        ),
        Kpi(
            "seh_occupancy",
            "%",
            "workload",
            "share",
            "SEH",
            "occupied share of staffed treatment places",
            "∫ min(busy, capacity) dt of the SEH's treatment places",
            "∫ capacity dt of the SEH's treatment places",
            None,
            neutral_because=_UTILISATION_NEUTRAL,
        ),
        # ------------------------------------------------------------ volumes
        Kpi(
            "patients_per_year",
            "1/yr",
            "volume",
            "rate",
            "channel",
            "patients per year",
            "patients of the channel whose first contact falls in the measured window",
            "years in the measured window",
            None,
            neutral_because=_VOLUME_NEUTRAL,
            digits=0,
        ),
        Kpi(
            "gp_contacts_per_1000",
            "1/1000/yr",
            "volume",
            "rate",
            "all",
            "GP-post contacts per 1,000 inhabitants per year",
            "GP-post contacts: telephone, consult and home visit as in gp_contact_share",
            "inhabitants / 1,000 × years in the measured window",
            None,
            neutral_because=_VOLUME_NEUTRAL,
        ),
        Kpi(
            "gp_contact_share",
            "%",
            "volume",
            "share",
            "telephone, consult, home_visit",
            "GP-post contacts by type",
            "contacts of the type: telephone = triaged callers whose disposition is "
            "neither consult nor home visit; consult = consults started (GP or nurse "
            "practitioner); home_visit = home visits started",
            "the three types together",
            None,
            neutral_because=_VOLUME_NEUTRAL,
        ),
        Kpi(
            "seh_visits_per_year",
            "1/yr",
            "volume",
            "rate",
            "SEH",
            "SEH visits per year",
            "patients whose treatment at the SEH started",
            "years in the measured window",
            None,
            neutral_because=_VOLUME_NEUTRAL,
            digits=0,
        ),
        Kpi(
            "ambulance_rides_per_year",
            "1/yr",
            "volume",
            "rate",
            "A1, A2, B",
            "ambulance rides per year",
            "rides with a vehicle dispatched",
            "years in the measured window",
            None,
            neutral_because=_VOLUME_NEUTRAL,
            digits=0,
        ),
    )
}
"""Every KPI by name."""


# ------------------------------------------------------------------ headline lists
# Each list is declared here once; the CLI, the experiment and the report import them.
# A list of (kpi, group) pairs names table rows; in RUN_SUMMARY a group of None means
# every group of the KPI.

RUN_SUMMARY: tuple[tuple[str, str | None], ...] = (
    ("answer_time_mean", None),
    ("answered_within_urgent_norm", None),
    ("answered_within_norm", None),
    ("abandoned_callers", None),
    ("blocked_callers", "all"),
    ("within_nts_norm", None),
    ("travel_to_post_within_norm", None),
    ("ambulance_response_within_norm", None),
    ("call_to_seh_within_norm", None),
    ("handoff_delay_mean", None),
    ("door_to_doctor_mean", None),
    ("unserved_patients", "all"),
    ("utilisation", None),
    ("contacts_per_gp_hour", None),
    ("overtime_minutes_per_shift", None),
    ("seh_occupancy", None),
    ("gp_contacts_per_1000", None),
    ("gp_contact_share", None),
    ("seh_visits_per_year", None),
    ("ambulance_rides_per_year", None),
)
"""Rows the ``anwsim run``, ``compare`` and ``sweep`` tables print (without --all-kpis)."""

RANKING: tuple[tuple[str, str], ...] = (
    ("within_nts_norm", "U1"),
    ("within_nts_norm", "U2"),
    ("within_nts_norm", "U3"),
    ("answered_within_norm", "other lines"),
    ("abandoned_callers", "all"),
    ("blocked_callers", "all"),
    ("unserved_patients", "all"),
    ("travel_to_post_within_norm", "all"),
    ("ambulance_response_within_norm", "A1"),
    ("call_to_seh_within_norm", "A1+A2"),
    ("utilisation", "role:gp_consult"),
    ("overtime_minutes_per_shift", "role:gp_consult"),
    ("utilisation", "role:triagist"),
)
"""The KPIs of a ranked comparison: access against norms, then workload (KPIs without
a direction are shown, not scored)."""

PRECISION_TARGETS: tuple[tuple[str, str], ...] = (
    ("within_nts_norm", "U1"),
    ("within_nts_norm", "U2"),
    ("within_nts_norm", "U3"),
    ("answered_within_norm", "other lines"),
    ("ambulance_response_within_norm", "A1"),
)
"""KPIs whose precision decides the number of replications when none are named."""

REPORT_HEADLINE: tuple[tuple[str, str], ...] = (
    ("within_nts_norm", "U1"),
    ("within_nts_norm", "U2"),
    ("within_nts_norm", "U3"),
    ("call_to_doctor_mean", "U2"),
    ("answer_time_mean", "all"),
    ("answered_within_norm", "other lines"),
    ("abandoned_callers", "all"),
    ("blocked_callers", "all"),
    ("travel_to_post_within_norm", "all"),
    ("ambulance_response_within_norm", "A1"),
    ("call_to_seh_within_norm", "A1+A2"),
    ("unserved_patients", "all"),
    ("utilisation", "role:triagist"),
    ("utilisation", "role:gp_consult"),
    ("overtime_minutes_per_shift", "role:gp_consult"),
)
"""Rows of the report's headline table (those present in the results)."""

DIFFERENCE_CHART_PP: tuple[tuple[str, str], ...] = (
    ("within_nts_norm", "U1"),
    ("within_nts_norm", "U2"),
    ("within_nts_norm", "U3"),
    ("answered_within_norm", "other lines"),
    ("abandoned_callers", "all"),
    ("travel_to_post_within_norm", "all"),
    ("ambulance_response_within_norm", "A1"),
    ("call_to_seh_within_norm", "A1+A2"),
    ("utilisation", "role:triagist"),
    ("utilisation", "role:gp_consult"),
    ("utilisation", "role:gp_visit"),
)
"""Share KPIs of the report's difference chart (differences in percentage points)."""

DIFFERENCE_CHART_MIN: tuple[tuple[str, str], ...] = (
    ("answer_time_mean", "all"),
    ("call_to_doctor_mean", "U1"),
    ("call_to_doctor_mean", "U2"),
    ("call_to_doctor_mean", "U3"),
    ("travel_to_post_mean", "all"),
    ("overtime_minutes_per_shift", "role:gp_consult"),
)
"""Time KPIs of the report's difference chart (differences in minutes)."""

SWEEP_CHART: tuple[tuple[str, str], ...] = (
    ("within_nts_norm", "U1"),
    ("within_nts_norm", "U2"),
    ("within_nts_norm", "U3"),
    ("answered_within_norm", "other lines"),
    ("abandoned_callers", "all"),
    ("ambulance_response_within_norm", "A1"),
    ("utilisation", "role:triagist"),
    ("utilisation", "role:gp_consult"),
    ("overtime_minutes_per_shift", "role:gp_consult"),
)
"""KPIs of the report's sweep chart, one panel each."""

PHONE_SERVICE_LEVELS: tuple[tuple[str, str], ...] = (
    ("answered_within_urgent_norm", "emergency line"),
    ("answered_within_norm", "other lines"),
    ("answered_within_max", "other lines"),
    ("abandoned_callers", "all"),
)
"""Bars of the report's phone figure; its answer-time panels draw the norms of the
``emergency line`` and ``other lines`` rows."""

HEADLINES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "RUN_SUMMARY": RUN_SUMMARY,
    "RANKING": RANKING,
    "PRECISION_TARGETS": PRECISION_TARGETS,
    "REPORT_HEADLINE": REPORT_HEADLINE,
    "DIFFERENCE_CHART_PP": DIFFERENCE_CHART_PP,
    "DIFFERENCE_CHART_MIN": DIFFERENCE_CHART_MIN,
    "SWEEP_CHART": SWEEP_CHART,
    "PHONE_SERVICE_LEVELS": PHONE_SERVICE_LEVELS,
}
"""Every headline list by name (checked against `KPIS` by the tests)."""


def selected(table: pd.DataFrame, rows: Iterable[tuple[str, str | None]]) -> pd.Series:
    """Mask of the rows of a KPI table (columns ``kpi``, ``group``) named in ``rows``: a
    (kpi, group) pair, or (kpi, None) for every group of the KPI."""
    mask = pd.Series(False, index=table.index)
    groups = table["group"].astype(str)
    for kpi, group in rows:
        hit = table["kpi"] == kpi
        if group is not None:
            hit &= groups == group
        mask |= hit
    return mask


# ------------------------------------------------------------------ documentation

_MD_COLUMNS = (
    "KPI",
    "group",
    "unit",
    "statistic",
    "numerator (or what is averaged / counted)",
    "denominator (or over whom: the row's n)",
    "norm source",
    "better",
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def kpi_markdown() -> str:
    """The Markdown table of every KPI that `docs/kpis.md` holds."""
    lines = [
        "| " + " | ".join(_MD_COLUMNS) + " |",
        "|" + "---|" * len(_MD_COLUMNS),
    ]
    for k in KPIS.values():
        better = k.better if k.better is not None else f"neither: {k.neutral_because}"
        cells = (
            f"`{k.name}`",
            k.groups,
            k.unit,
            k.statistic,
            k.numerator,
            k.denominator,
            k.norm or "–",
            better,
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
