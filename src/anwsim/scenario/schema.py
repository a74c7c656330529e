"""The scenario schema: a typed, immutable description of a region's acute care chain.

A `Scenario` is the first stage of the pipeline (see ``docs/architecture.md``). It is
built once from YAML by `anwsim.scenario.loading` and never changes afterwards
(pydantic models with ``frozen=True``). Unknown keys are errors so that typos surface.

Units: times in minutes unless a name says otherwise, rates in contacts per 1,000
inhabitants per year, shares in percent. Conversions to per-minute rates and fractions
live on the models (``rate_per_minute``, ``fraction``) so they are done in one place.

Bounds: every number is finite and within a plausibility bound, documented at each
field (populations up to 50 million an area and 100 million a region, rates up to 1e6
per 1,000 a year, staff up to 10,000 a block, durations and norms up to a year, factors
up to 100, travel times up to a week, …); the number types are those of
`anwsim.scenario.distributions`, where ``true``/``false`` and text are not numbers. Names
are one line of printable text; ids are short ASCII words.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from anwsim.scenario.distributions import (
    MAX_MINUTES,
    YEAR_BOUND,
    Distribution,
    PositiveMinutes,
    Real,
    Weight,
    Whole,
    at_most,
    patience_bound,
    shown,
)
from anwsim.scenario.timeblocks import (
    ALWAYS,
    FactorBlock,
    PositiveFactor,
    StaffBlock,
    TimeBlock,
)

Urgency = Literal["U0", "U1", "U2", "U3", "U4", "U5"]
URGENCIES: tuple[str, ...] = get_args(Urgency)
"""NTS urgencies, most urgent first; their index is the urgency code used in arrays."""

Disposition = Literal["advice", "gp_callback", "consult", "home_visit", "ambulance", "seh"]
DISPOSITIONS: tuple[str, ...] = get_args(Disposition)
"""What triage decides; the index is the disposition code used in arrays."""

AmbulanceUrgency = Literal["A1", "A2", "B"]
AMBULANCE_URGENCIES: tuple[str, ...] = get_args(AmbulanceUrgency)

Entry = Literal["phone", "emergency_112", "walk_in_gp", "walk_in_seh", "referral_seh"]
ENTRIES: tuple[str, ...] = get_args(Entry)
"""Where a channel's patients enter the chain."""

ALLOWED_DISPOSITIONS: dict[str, tuple[str, ...]] = {
    "phone": DISPOSITIONS,
    "emergency_112": ("ambulance", "advice"),
    "walk_in_gp": ("consult", "seh", "ambulance"),
    "walk_in_seh": ("seh",),
    "referral_seh": ("seh", "ambulance"),
}
"""Dispositions each entry can lead to (e.g. a 112 call ends in a ride or in advice)."""

Role = Literal[
    "triagist",
    "gp_supervisor",
    "gp_consult",
    "gp_visit",
    "nurse_practitioner",
    "seh_doctor",
    "treatment_place",
    "ambulance",
]
ROLES: tuple[str, ...] = get_args(Role)

ROLE_SITE_KINDS: dict[str, str] = {
    "triagist": "triage_centres",
    "gp_supervisor": "triage_centres",
    "gp_consult": "gp_posts",
    "gp_visit": "gp_posts",
    "nurse_practitioner": "gp_posts",
    "seh_doctor": "sehs",
    "treatment_place": "sehs",
    "ambulance": "ambulance_stations",
}
"""Which kind of site each role is rostered at."""

Percent = Annotated[Real, Field(ge=0, le=100)]
"""A share in percent: 0 to 100."""
_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


def _identifier(value: str) -> str:
    if not _ID.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not an id; allowed: 1 to 64 ASCII letters, digits, '_', '.' "
            "and '-', not starting with '.' or '-'"
        )
    return value


Identifier = Annotated[str, AfterValidator(_identifier)]
"""An id: 1 to 64 ASCII letters, digits, ``_``, ``.`` and ``-``, not starting with ``.``
or ``-``."""
MIX_TOLERANCE = 0.01
MINUTES_PER_YEAR = 365.25 * 24 * 60

MAX_AREA_POPULATION = 50_000_000
MAX_REGION_POPULATION = 100_000_000
MAX_RATE = 1e6
"""Contacts per 1,000 inhabitants per year: 1,000 contacts per inhabitant."""
MAX_AREAS = 5_000
"""The Netherlands has about 4,000 four-digit postcode areas."""
MAX_SITES = 500
"""Sites of one kind (GP posts, SEHs, …)."""
MAX_ITEMS = 1_000
"""Entries of a list or table that a planner writes by hand (blocks, channels, …)."""
MAX_TRAVEL_MINUTES = 10_080.0
"""A travel time of a matrix: at most one week."""
MAX_CROSSING_KM = 1_000.0
MAX_SECONDS = 31_557_600.0
"""One year of seconds."""
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)
"""Dates of a run (start and public holidays) lie between these, so that the start,
horizon and drain stay well within the calendar."""

NormMinutes = Annotated[Real, Field(gt=0), at_most(MAX_MINUTES, YEAR_BOUND)]
"""A time norm in minutes: above 0, at most one year."""
Flag = Annotated[bool, Field(strict=True)]
"""A yes/no value: ``true`` or ``false`` (not 0/1, not text)."""
Latitude = Annotated[Real, Field(ge=-90, le=90)]
Longitude = Annotated[Real, Field(ge=-180, le=180)]


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder the text printed after them."""


def _one_line(value: str) -> str:
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in _BIDI_CONTROLS:
            raise ValueError(
                f"contains the control character {ch!r}; allowed: one line of printable text"
            )
    return value


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_one_line)]
"""A name: 1 to 200 characters of one line of printable text."""
Text = Annotated[str, Field(max_length=2_000), AfterValidator(_one_line)]
"""A description: up to 2,000 characters of one line of printable text."""


def _date_input(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"expected a date YYYY-MM-DD, got {str(value).lower()} (a yes/no value)")
    if isinstance(value, int | float):
        raise ValueError(f"expected a date YYYY-MM-DD, got the number {value!r}")
    return value


def _date_in_range(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(
            f"must be between {MIN_DATE} and {MAX_DATE} (a plausibility bound, so that a "
            f"run stays within the calendar), got {value}"
        )
    return value


Date = Annotated[dt.date, BeforeValidator(_date_input), AfterValidator(_date_in_range)]
"""A date from 1900-01-01 to 2199-12-31."""


class Strict(BaseModel):
    """Base of every scenario model: immutable, unknown keys rejected. The docstring
    under each field is its description (in the JSON Schema of ``anwsim schema``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class DisplayNames(Strict):
    """The name to show in each language of the report (``anwsim report --lang``).

    Written ``names: {nl: "HAP Goes", en: "GP post Goes"}``; either language may be left
    out, and a report in a language without one shows ``name``. Each 1 to 200 characters
    of one line, like ``name``."""

    nl: Name | None = None
    """The name in Dutch reports; not given: ``name``."""
    en: Name | None = None
    """The name in English reports; not given: ``name``."""

    @model_serializer(mode="wrap")
    def _without_missing(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        data: dict[str, object] = handler(self)
        return {k: v for k, v in data.items() if v is not None}

    def get(self, lang: str) -> str | None:
        """The name in ``lang`` (``"nl"`` or ``"en"``), or None when not given."""
        value = getattr(self, lang, None) if lang in ("nl", "en") else None
        return value if isinstance(value, str) else None


class Named(Strict):
    """Base of the models with a ``name`` and optional display ``names`` per language.

    ``names`` came after ``name``: the dump leaves it out when it is not given, so that
    the scenario hash of a file without it is what it was before (as a roster block's
    ``name``, `anwsim.scenario.timeblocks.StaffBlock`)."""

    @model_serializer(mode="wrap")
    def _without_empty_names(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        data: dict[str, object] = handler(self)
        if data.get("names", ...) is None:
            data.pop("names")
        return data

    def display_name(self, lang: str) -> str:
        """The name in ``lang`` when ``names`` gives one, else ``name``."""
        names: DisplayNames | None = getattr(self, "names", None)
        own = names.get(lang) if names is not None else None
        return own or str(getattr(self, "name", ""))


def _check_mix(mix: dict[str, float], what: str) -> None:
    total = sum(mix.values())
    if abs(total - 100.0) > MIX_TOLERANCE:
        raise ValueError(f"{what} sums to {total:g}%, must sum to 100%")


def fraction(percent: float) -> float:
    """A share in percent as a fraction in [0, 1]."""
    return percent / 100.0


# --------------------------------------------------------------------------- region


class Location(Strict):
    latitude: Latitude
    """Degrees north (WGS84), -90 to 90."""
    longitude: Longitude
    """Degrees east (WGS84), -180 to 180."""
    zone: Identifier = "main"
    """Land mass the place is on; trips between zones use a `Crossing` (tunnel, bridge)."""


class Area(Location):
    """A piece of the region (municipality, postcode area) where patients live."""

    name: Name
    """Shown in reports and messages, 1 to 200 characters on one line."""
    population: Annotated[
        Whole,
        Field(gt=0),
        at_most(MAX_AREA_POPULATION, "a plausibility bound: no area has more inhabitants"),
    ]
    """Inhabitants: 1 to 50 million."""


class Region(Strict):
    name: Name
    """The region's name (an HDS or ROAZ region), 1 to 200 characters."""
    areas: Annotated[dict[Identifier, Area], Field(min_length=1, max_length=MAX_AREAS)]
    """Inline, or loaded by ``areas_csv: file.csv`` (id, name, population, latitude,
    longitude[, zone]) relative to the scenario file. 1 to 5,000 areas, of at most 100
    million inhabitants together."""

    @model_validator(mode="after")
    def _plausible_population(self) -> Region:
        total = self.population
        if total > MAX_REGION_POPULATION:
            raise ValueError(
                f"the areas' populations sum to {total:,}; at most "
                f"{MAX_REGION_POPULATION:,} (a plausibility bound on a region)"
            )
        return self

    @property
    def population(self) -> int:
        return sum(a.population for a in self.areas.values())


# --------------------------------------------------------------------------- sites

WhenClosed = Identifier


class TriageCentre(Named):
    """A telephone line with triagists and a supervising GP (per HDS or per post)."""

    name: Name
    """Shown in reports and messages, 1 to 200 characters on one line."""
    names: DisplayNames | None = None
    """Optional: the name in Dutch and English reports, ``{nl: ..., en: ...}``; a
    language not given shows ``name``."""
    areas: Annotated[list[Identifier], Field(max_length=MAX_AREAS)] | Literal["all"] = "all"
    """Areas whose calls this line answers."""


class GpPost(Location, Named):
    """A huisartsenpost (HAP)."""

    name: Name
    """Shown in reports and messages, 1 to 200 characters on one line."""
    names: DisplayNames | None = None
    """Optional: the name in Dutch and English reports, ``{nl: ..., en: ...}``; a
    language not given shows ``name``."""
    opening: Annotated[list[TimeBlock], Field(min_length=1, max_length=MAX_ITEMS)]
    """Opening hours as clock-time blocks (1 to 1,000), e.g. ``{days: [weekday], hours:
    "17:00-08:00"}`` and ``{days: [weekend, holiday], hours: "08:00-08:00"}``."""
    when_closed: WhenClosed = "nearest_open"
    """Where its patients go while it is closed: ``nearest_open`` post, or a site id
    (another post or an SEH)."""


class OffloadDelay(Strict):
    """An extra, exogenous delay before an ambulance crew can hand over (WAITED study)."""

    percent: Percent
    """Share of ambulance arrivals whose handover is delayed, 0 to 100."""
    minutes: Distribution
    """The extra delay of a handover that is delayed."""


class Seh(Location, Named):
    """A spoedeisende hulp (emergency department)."""

    name: Name
    """Shown in reports and messages, 1 to 200 characters on one line."""
    names: DisplayNames | None = None
    """Optional: the name in Dutch and English reports, ``{nl: ..., en: ...}``; a
    language not given shows ``name``."""
    opening: Annotated[list[TimeBlock], Field(min_length=1, max_length=MAX_ITEMS)] = list(ALWAYS)
    """Opening hours as clock-time blocks; default 24/7."""
    when_closed: WhenClosed = "nearest_open"
    """Where its patients go while it is closed: ``nearest_open`` SEH, or an SEH id."""
    offload_delay: OffloadDelay | None = None
    """An exogenous handover delay for some ambulance arrivals (None: none)."""
    ambulance_intake: Flag = True
    """Whether ambulances bring patients here. False for a low-complex spoedpost: rides
    go to the nearest open SEH that takes ambulances."""


class IntegratedPost(Named):
    """A GP post and an SEH on one site with a shared front desk (spoedpost)."""

    name: Name
    """Shown in reports and messages, 1 to 200 characters on one line."""
    names: DisplayNames | None = None
    """Optional: the name in Dutch and English reports, ``{nl: ..., en: ...}``; a
    language not given shows ``name``."""
    gp_post: Identifier
    """Id of its GP post (in ``sites.gp_posts``)."""
    seh: Identifier
    """Id of its SEH (in ``sites.sehs``)."""
    front_desk_redirect_percent: Percent
    """Share of SEH self-referrals the front desk redirects to the GP post."""


class AmbulanceStation(Location, Named):
    """An ambulance station (standplaats)."""

    name: Name
    """Shown in reports and messages, 1 to 200 characters on one line."""
    names: DisplayNames | None = None
    """Optional: the name in Dutch and English reports, ``{nl: ..., en: ...}``; a
    language not given shows ``name``."""


class Sites(Strict):
    """Up to 500 sites of each kind."""

    triage_centres: Annotated[
        dict[Identifier, TriageCentre], Field(min_length=1, max_length=MAX_SITES)
    ]
    """Telephone triage lines by id (at least one); every area is answered by one."""
    gp_posts: Annotated[dict[Identifier, GpPost], Field(max_length=MAX_SITES)] = {}
    """GP posts (huisartsenposten) by id."""
    sehs: Annotated[dict[Identifier, Seh], Field(max_length=MAX_SITES)] = {}
    """Emergency departments by id."""
    integrated_posts: Annotated[dict[Identifier, IntegratedPost], Field(max_length=MAX_SITES)] = {}
    """Spoedposten by id: a GP post and an SEH of the lists above with a joint front desk."""
    ambulance_stations: Annotated[
        dict[Identifier, AmbulanceStation], Field(max_length=MAX_SITES)
    ] = {}
    """Ambulance stations by id; their vehicles are rostered as role ``ambulance``."""

    def kind_of(self, site_id: str) -> str | None:
        """The collection a site id belongs to (``gp_posts``, ``sehs``, …), or None."""
        for kind in ("triage_centres", "gp_posts", "sehs", "integrated_posts"):
            if site_id in getattr(self, kind):
                return kind
        if site_id in self.ambulance_stations:
            return "ambulance_stations"
        return None

    def located(self) -> dict[str, Location]:
        """All sites with a location, by id."""
        out: dict[str, Location] = {}
        out.update(self.gp_posts)
        out.update(self.sehs)
        out.update(self.ambulance_stations)
        return out

    @model_validator(mode="after")
    def _unique_ids(self) -> Sites:
        seen: dict[str, str] = {}
        for kind in ("triage_centres", "gp_posts", "sehs", "integrated_posts"):
            for site_id in getattr(self, kind):
                if site_id in seen:
                    raise ValueError(f"site id {site_id!r} is used in {seen[site_id]} and {kind}")
                seen[site_id] = kind
        for site_id in self.ambulance_stations:
            if site_id in seen:
                raise ValueError(f"site id {site_id!r} is used in {seen[site_id]} and stations")
        return self


# --------------------------------------------------------------------------- staffing


EndOfShift = Literal["finish", "replace"]


class Staffing(Strict):
    end_of_shift: EndOfShift = "finish"
    """What happens at a shift change, for every role not in ``end_of_shift_by_role``.

    ``finish``: a head count. A person busy at the end of their shift finishes the task
    in hand (the minutes past the shift end are overtime) and counts against the next
    block's number until done, so capacity never exceeds the roster.
    ``replace``: crews. At a block boundary the next block's crew starts at its full
    number; the leaving crew finishes the task in hand in overtime beside them."""
    end_of_shift_by_role: dict[Role, EndOfShift] = {}
    """Per role, overriding ``end_of_shift`` (e.g. ``{ambulance: replace}``)."""

    def rule_for(self, role: str) -> str:
        """The end-of-shift rule of ``role``."""
        return self.end_of_shift_by_role.get(role, self.end_of_shift)  # type: ignore[call-overload]


def _unique_block_names(blocks: list[StaffBlock]) -> list[StaffBlock]:
    """Names address blocks in ``--set`` paths, so one roster list uses each once."""
    first: dict[str, int] = {}
    for i, block in enumerate(blocks):
        if block.name is None:
            continue
        if block.name in first:
            raise ValueError(
                f"blocks {first[block.name]} and {i} are both named {block.name!r}; "
                "allowed: each name once in a roster list"
            )
        first[block.name] = i
    return blocks


Roster = dict[
    Role,
    Annotated[list[StaffBlock], Field(max_length=MAX_ITEMS), AfterValidator(_unique_block_names)],
]

# --------------------------------------------------------------------------- demand


class Profile(Strict):
    """Relative arrival intensity over the week: ``hour_of_week`` (168 weights, Monday
    00:00 first) or ``day_hours`` (24 weights per day selector; later keys win:
    ``weekday`` < ``weekend`` < single days). ``holiday_hours`` are used on public
    holidays (default: Sunday's). ``multipliers`` scale blocks (Friday evening x1.2).
    Weights are relative, 0 to 1e9 each; up to 1,000 multiplier blocks of 0 to 100."""

    hour_of_week: Annotated[list[Weight], Field(min_length=168, max_length=168)] | None = None
    """168 relative weights, one per hour of the week from Monday 00:00."""
    day_hours: (
        dict[
            Literal["all", "weekday", "weekend", "mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            Annotated[list[Weight], Field(min_length=24, max_length=24)],
        ]
        | None
    ) = None
    """24 relative weights (00:00 first) per day selector: all, weekday, weekend or a
    single day; later keys win (weekday < weekend < single days)."""
    holiday_hours: Annotated[list[Weight], Field(min_length=24, max_length=24)] | None = None
    """24 weights used on public holidays, on the week's scale (default: Sunday's)."""
    multipliers: Annotated[list[FactorBlock], Field(max_length=MAX_ITEMS)] = []
    """Blocks that scale the weights, e.g. ``{days: [fri], hours: "17:00-00:00", factor:
    1.2}``; up to 1,000."""

    @model_validator(mode="after")
    def _one_shape(self) -> Profile:
        if (self.hour_of_week is None) == (self.day_hours is None):
            raise ValueError("give exactly one of hour_of_week (168 weights) or day_hours")
        if self.day_hours is not None:
            covered = set()
            for key in self.day_hours:
                covered |= _DAY_GROUPS[key]
            missing = [d for d in range(7) if d not in covered]
            if missing:
                names = ", ".join(_DAY_KEYS[d] for d in missing)
                raise ValueError(f"day_hours gives no weights for {names}")
        if sum(self.week_weights()) <= 0:
            raise ValueError("the profile's weights are all zero")
        return self

    def week_weights(self) -> list[float]:
        """168 weights of a regular week, before multipliers and holidays."""
        if self.hour_of_week is not None:
            return list(self.hour_of_week)
        assert self.day_hours is not None
        week = [0.0] * 168
        order = sorted(self.day_hours, key=lambda k: len(_DAY_GROUPS[k]), reverse=True)
        for key in order:
            for day in _DAY_GROUPS[key]:
                week[day * 24 : day * 24 + 24] = self.day_hours[key]
        return week


_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_GROUPS: dict[str, set[int]] = {
    "all": set(range(7)),
    "weekday": set(range(5)),
    "weekend": {5, 6},
    **{name: {i} for i, name in enumerate(_DAY_KEYS)},
}

UrgencyMix = dict[Urgency, Percent]
DispositionMix = dict[Disposition, Percent]


class Channel(Strict):
    """One stream of patients: where they enter, how many, when, and how urgent."""

    description: Text = ""
    """One line saying who these patients are."""
    entry: Entry
    """Where its patients enter the chain: phone (the GP-post line), emergency_112,
    walk_in_gp, walk_in_seh or referral_seh."""
    rate_per_1000_per_year: Annotated[
        Real,
        Field(gt=0),
        at_most(MAX_RATE, "a plausibility bound: 1,000 contacts per inhabitant per year"),
    ]
    """Contacts per 1,000 inhabitants per year: above 0, at most 1e6."""
    profile: Identifier
    """Name of a profile in ``demand.profiles``."""
    urgency_mix: UrgencyMix
    """Share of patients per NTS urgency U0 to U5, in percent, summing to 100."""
    disposition_mix: dict[Urgency | Literal["default"], DispositionMix]
    """Per urgency (or ``default`` for those not listed), the share of each disposition."""

    @field_validator("urgency_mix")
    @classmethod
    def _urgency_sums(cls, mix: dict[str, float]) -> dict[str, float]:
        _check_mix(mix, "the urgency mix")
        return mix

    @field_validator("disposition_mix")
    @classmethod
    def _dispositions(cls, table: dict[str, dict[str, float]], info: ValidationInfo) -> Any:
        entry = info.data.get("entry")
        allowed = ALLOWED_DISPOSITIONS.get(entry, DISPOSITIONS) if entry else DISPOSITIONS
        for key, mix in table.items():
            _check_mix(mix, f"the mix for {key}")
            bad = [d for d, share in mix.items() if share > 0 and d not in allowed]
            if bad:
                raise ValueError(
                    f"{key}: {', '.join(bad)} not possible for entry {entry!r}; "
                    f"allowed: {', '.join(allowed)}"
                )
        return table

    @model_validator(mode="after")
    def _every_urgency_disposed(self) -> Channel:
        for urgency, share in self.urgency_mix.items():
            if (
                share > 0
                and urgency not in self.disposition_mix
                and ("default" not in self.disposition_mix)
            ):
                raise ValueError(f"disposition_mix has no entry for {urgency} (nor a 'default')")
        return self

    def rate_per_minute(self, population: int) -> float:
        """Mean arrivals per minute over a year for the given population."""
        return self.rate_per_1000_per_year * population / 1000.0 / MINUTES_PER_YEAR

    def urgency_fractions(self) -> list[float]:
        """Fractions per urgency U0..U5 (zeros for unlisted urgencies)."""
        return [fraction(self.urgency_mix.get(u, 0.0)) for u in URGENCIES]  # type: ignore[call-overload]

    def disposition_fractions(self, urgency: str) -> list[float]:
        """Fractions per disposition for one urgency (``default`` if not listed)."""
        mix = self.disposition_mix.get(urgency, self.disposition_mix.get("default"))  # type: ignore[call-overload]
        if mix is None:
            return [0.0] * len(DISPOSITIONS)
        return [fraction(mix.get(d, 0.0)) for d in DISPOSITIONS]


class Demand(Strict):
    profiles: Annotated[dict[Identifier, Profile], Field(min_length=1, max_length=MAX_ITEMS)]
    """Arrival profiles over the week by name; channels refer to them."""
    channels: Annotated[dict[Identifier, Channel], Field(min_length=1, max_length=MAX_ITEMS)]
    """Streams of patients by name (GP-post calls, 112 calls, walk-ins, …)."""
    seasonal_factors: Annotated[list[PositiveFactor], Field(min_length=12, max_length=12)] = [
        1.0
    ] * 12
    """Relative demand per calendar month (January first), rescaled to mean 1 so the
    annual rate holds; each above 0, at most 100."""
    growth_factor: PositiveFactor = 1.0
    """Multiplies every channel's rate (demand growth scenarios): above 0, at most 100."""

    def monthly_factors(self) -> list[float]:
        mean = sum(self.seasonal_factors) / 12.0
        return [f / mean for f in self.seasonal_factors]


# --------------------------------------------------------------------------- care processes

ByUrgency = dict[Urgency | Literal["default"], Distribution]
"""A distribution per urgency; ``default`` covers urgencies not listed."""


def _check_by_urgency(value: Mapping[Any, Any], what: str) -> None:
    if "default" not in value and any(u not in value for u in URGENCIES):
        missing = [u for u in URGENCIES if u not in value]
        raise ValueError(f"{what} needs a 'default' or entries for {', '.join(missing)}")


def for_urgency(table: dict[Any, Any], urgency: str) -> Any:
    """The entry of a per-urgency table for one urgency, falling back to ``default``."""
    return table[urgency] if urgency in table else table["default"]


class Triage(Strict):
    """Telephone triage: the phone queue, the triage call and the supervising GP."""

    duration_minutes: ByUrgency
    """Length of a triage call per urgency (or ``default``), wrap-up included."""
    emergency_line_urgencies: list[Urgency] = ["U0", "U1"]
    """Callers of these urgencies use the emergency line, answered first."""
    patience_minutes: Annotated[
        Annotated[Distribution, Tag("distribution")] | Annotated[Literal["none"], Tag("none")],
        Discriminator(lambda v: "none" if isinstance(v, str) else "distribution"),
    ]
    """How long a caller waits on hold before hanging up, per attempt; ``none``: callers
    never hang up (no patience timers at all). Parameters up to 1e9 minutes."""
    redial_percent: Percent
    """Share of callers who hung up that call again (up to ``max_redials`` times)."""
    redial_delay_minutes: Distribution
    """Time from hanging up to calling again."""
    max_redials: Annotated[Whole, Field(ge=0, le=20)] = 3
    """Most redials of one caller, 0 to 20; after that the caller is lost."""
    supervision_percent: Percent
    """Share of triages the supervising GP (regiearts) checks live."""
    supervision_minutes: Distribution
    """Time of the supervising GP's live check of one triage."""
    callback_by: Literal["gp_supervisor", "gp_consult"] = "gp_supervisor"
    """Who makes GP call-backs: the supervising GP (at the triage centre) or a consult GP."""
    callback_minutes: ByUrgency
    """Length of a GP call-back per urgency (or ``default``)."""
    call_back_instead_of_abandon: Flag = False
    """Offer a call-back when a caller's patience runs out: they hang up but keep their
    place in the queue, and the triagist calls them back when their turn comes."""
    max_waiting: Annotated[Whole, Field(ge=0, le=100_000)] | None = None
    """The line's waiting room: a caller who finds this many callers already on hold gets
    a busy signal (blocked) and redials under the redial rules of a hang-up, or is lost.
    ``None``: no limit. Callers waiting for a call-back are not on hold."""

    @field_validator("patience_minutes", mode="wrap")
    @classmethod
    def _patience_may_be_long(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        with patience_bound():  # a patience no caller exhausts stands for "never"
            return handler(value)

    @model_validator(mode="after")
    def _tables(self) -> Triage:
        _check_by_urgency(self.duration_minutes, "duration_minutes")
        _check_by_urgency(self.callback_minutes, "callback_minutes")
        return self


class GpCare(Strict):
    """GP work at the post and on home visits."""

    consult_minutes: ByUrgency
    """Length of a consult at the post per urgency (or ``default``)."""
    visit_minutes: ByUrgency
    """Time with the patient at home, travel excluded."""
    nurse_practitioner_consult_minutes: Distribution | None = None
    """Length of a nurse practitioner's consult; needed when one is rostered."""
    nurse_practitioner_scope_percent: UrgencyMix = {}
    """Share of consults per urgency a nurse practitioner may see."""
    seh_referral_after_consult_percent: Percent = 0.0
    """Share of consults after which the GP refers the patient to the SEH."""
    seh_referral_after_visit_percent: Percent = 0.0
    """Share of home visits after which the GP refers the patient to the SEH."""

    @model_validator(mode="after")
    def _tables(self) -> GpCare:
        _check_by_urgency(self.consult_minutes, "consult_minutes")
        _check_by_urgency(self.visit_minutes, "visit_minutes")
        return self


class SehCare(Strict):
    length_of_stay_minutes: ByUrgency
    """Time in a treatment place, from start to leaving the SEH."""
    doctor_assessment_minutes: Distribution | None = None
    """First assessment by an SEH doctor, when the SEH rosters ``seh_doctor``."""

    @model_validator(mode="after")
    def _tables(self) -> SehCare:
        _check_by_urgency(self.length_of_stay_minutes, "length_of_stay_minutes")
        return self


def _on_scene_form(value: Any) -> str:
    """One distribution (it has a ``kind``) or one per outcome."""
    if isinstance(value, Mapping):
        return "distribution" if "kind" in value else "by_outcome"
    return "by_outcome" if isinstance(value, OnSceneMinutes) else "distribution"


class OnSceneMinutes(Strict):
    """On-scene time by the ride's outcome: the crew works longer when it conveys."""

    conveyed: Distribution
    """On-scene time of a ride that takes the patient to an SEH."""
    not_conveyed: Distribution
    """On-scene time of a ride that ends on scene."""


class AmbulanceCare(Strict):
    urgency_map: dict[Urgency, AmbulanceUrgency] = {
        "U0": "A1",
        "U1": "A1",
        "U2": "A2",
        "U3": "B",
        "U4": "B",
        "U5": "B",
    }
    """The ambulance urgency (A1, A2 or B) of a ride, per NTS urgency."""
    dispatch_delay_minutes: Distribution
    """Call handling at the dispatch centre, from the call to the vehicle setting off."""
    on_scene_minutes: Annotated[
        Annotated[Distribution, Tag("distribution")] | Annotated[OnSceneMinutes, Tag("by_outcome")],
        Discriminator(_on_scene_form),
    ]
    """Crew time on scene: one distribution for every ride, or one per outcome
    (``{conveyed: …, not_conveyed: …}``)."""
    conveyance_percent: dict[AmbulanceUrgency, Percent]
    """Share of rides, per ambulance urgency, that take the patient to an SEH."""
    handover_minutes: Distribution
    """Handover of the patient at the SEH once a place is free."""
    urgent_speed_factor: Annotated[Real, Field(ge=1, le=3)] = 1.0
    """A1/A2 rides drive this many times faster than a car (lights and sirens)."""
    dispatch_while_returning: Flag = True
    """Whether a vehicle driving back to its station can take a new incident."""
    no_vehicle_free: Literal["queue", "neighbour_region"] = "queue"
    """When no vehicle of the region is free at dispatch: the incident waits for the
    first one (``queue``), or a neighbouring region's vehicle takes it (burenhulp),
    arriving after ``neighbour_response_minutes`` without loading this region's fleet."""
    neighbour_response_minutes: PositiveMinutes = 30.0
    """Above 0, at most one year."""

    @model_validator(mode="after")
    def _complete(self) -> AmbulanceCare:
        missing = [u for u in URGENCIES if u not in self.urgency_map]
        if missing:
            raise ValueError(f"urgency_map lacks {', '.join(missing)}")
        missing = [a for a in AMBULANCE_URGENCIES if a not in self.conveyance_percent]
        if missing:
            raise ValueError(f"conveyance_percent lacks {', '.join(missing)}")
        return self


# --------------------------------------------------------------------------- travel


class Point(Strict):
    latitude: Latitude
    """Degrees north (WGS84), -90 to 90."""
    longitude: Longitude
    """Degrees east (WGS84), -180 to 180."""


class Crossing(Strict):
    """The one road link between two zones (a tunnel or bridge): trips between the
    zones go through its two ends."""

    name: Name
    """E.g. Westerscheldetunnel, 1 to 200 characters."""
    zones: Annotated[list[Identifier], Field(min_length=2, max_length=2)]
    """The two zones it joins."""
    ends: Annotated[list[Point], Field(min_length=2, max_length=2)]
    """Its end in the first zone, then its end in the second."""
    length_km: Annotated[
        Real,
        Field(ge=0),
        at_most(MAX_CROSSING_KM, "a plausibility bound on a tunnel or bridge"),
    ]
    """0 to 1,000 km."""


class Travel(Strict):
    """Car travel times between places (areas and sites)."""

    method: Literal["straight_line", "matrix"] = "straight_line"
    """``straight_line``: distance x road factor / speed (through crossings between zones);
    ``matrix``: minutes from ``matrix_csv``."""
    road_factor: Annotated[Real, Field(ge=1, le=5)] = 1.3
    """Road distance per straight-line distance, 1 to 5."""
    speed_kmh: Annotated[Real, Field(ge=1, le=200)] = 60.0
    """Car speed: 1 to 200 km/h."""
    crossings: Annotated[list[Crossing], Field(max_length=MAX_ITEMS)] = []
    """Road links (tunnels, bridges) between zones; every pair of zones needs one."""
    matrix: (
        dict[
            Identifier,
            dict[
                Identifier,
                Annotated[
                    Real,
                    Field(ge=0),
                    at_most(MAX_TRAVEL_MINUTES, "a plausibility bound: one week of minutes"),
                ],
            ],
        ]
        | None
    ) = None
    """From → to → minutes (0 to one week, 10,080); loaded by ``matrix_csv: file.csv``
    (columns from, to, minutes). A pair given one way only is used both ways."""
    noise_cv: Annotated[Real, Field(ge=0, le=2)] = 0.0
    """Coefficient of variation of a multiplicative travel-time noise per trip."""

    @model_validator(mode="after")
    def _matrix_present(self) -> Travel:
        if self.method == "matrix" and not self.matrix:
            raise ValueError("method 'matrix' needs matrix_csv (or an inline matrix)")
        return self


# --------------------------------------------------------------------------- norms and run


class Norms(Strict):
    """Targets that KPIs are reported against; defaults from the NTS, LHV and RIVM."""

    nts_minutes: dict[
        Urgency, Annotated[Real, Field(ge=0), at_most(MAX_MINUTES, YEAR_BOUND)] | None
    ] = {
        "U0": 15.0,
        "U1": 15.0,
        "U2": 60.0,
        "U3": 180.0,
        "U4": 1440.0,
        "U5": None,
    }
    """Call to first doctor contact per urgency (0 to one year); None = no norm (advice).
    Every norm in minutes is at most one year (525,960), in seconds one year of seconds."""
    urgent_answer_seconds: Annotated[
        Real, Field(gt=0), at_most(MAX_SECONDS, "a plausibility bound: one year of seconds")
    ] = 30.0
    """Answer norm of the emergency line (U0/U1 callers), in seconds."""
    urgent_answer_percent: Percent = 90.0
    """Share of emergency-line calls to answer within ``urgent_answer_seconds``."""
    answer_minutes: NormMinutes = 2.0
    """Answer norm of the other calls, in minutes."""
    answer_percent: Percent = 75.0
    """Share of the other calls to answer within ``answer_minutes``."""
    answer_max_minutes: NormMinutes = 10.0
    """Second answer norm of the other calls, in minutes."""
    answer_max_percent: Percent = 98.0
    """Share of the other calls to answer within ``answer_max_minutes``."""
    ambulance_response_minutes: dict[AmbulanceUrgency, NormMinutes] = {
        "A1": 15.0,
        "A2": 30.0,
    }
    """Response norm (call to ambulance on scene) per ambulance urgency, in minutes."""
    ambulance_response_percent: Percent = 95.0
    """Share of rides to arrive within their response norm."""
    call_to_seh_minutes: NormMinutes = 45.0
    """Norm from a 112 call to arrival at the SEH, in minutes."""
    post_travel_minutes: NormMinutes = 30.0
    """Norm of the travel time to the GP post, in minutes."""
    post_travel_percent: Percent = 90.0
    """Share of patients to reach the post within ``post_travel_minutes``."""
    seh_triage_minutes: NormMinutes = 10.0
    """Norm from arrival at the SEH to its first triage, in minutes."""


class Run(Strict):
    start_date: Date = dt.date(2025, 1, 6)
    """A Monday from 1900-01-01 to 2199-12-31; time 0 of the simulation is its 00:00."""
    horizon_weeks: Annotated[Whole, Field(ge=1, le=520)] = 52
    """1 to 520 weeks (ten years)."""
    horizon_days: Annotated[Whole, Field(ge=1, le=3640)] | None = None
    """The horizon in days instead of weeks (give one of the two), 1 to 3,640; arrivals
    stop at the horizon and the run drains."""
    warmup_weeks: Annotated[Real, Field(ge=0, le=520)] = 1.0
    """Shorter than the horizon."""
    drain_days: Annotated[Real, Field(gt=0, le=365)] = 7.0
    """After the horizon no one arrives; the run goes on until every patient has left,
    but at most this many days (above 0, at most 365). Patients still waiting then are
    recorded as unserved."""
    replications: Annotated[Whole, Field(ge=1, le=100_000)] = 10
    """Replications when the command line asks for no number, 1 to 100,000."""
    seed: Annotated[Whole, Field(ge=0, lt=2**63)] = 20201103
    """Root of every replication's random numbers (replication r of every scenario sees
    the same patients), 0 to 2^63 - 1."""

    @field_validator("start_date")
    @classmethod
    def _monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            raise ValueError(f"{value} is a {value.strftime('%A')}; start_date must be a Monday")
        return value

    @field_validator("warmup_weeks")
    @classmethod
    def _warmup_short(cls, value: float, info: ValidationInfo) -> float:
        days, weeks = info.data.get("horizon_days"), info.data.get("horizon_weeks")
        if days is not None and value * 7 >= days:
            raise ValueError(f"must be shorter than horizon_days ({days} days)")
        if days is None and weeks is not None and value >= weeks:
            raise ValueError(f"must be shorter than horizon_weeks ({weeks})")
        return value

    @model_validator(mode="after")
    def _one_horizon(self) -> Run:
        if self.horizon_days is not None and "horizon_weeks" in self.model_fields_set:
            raise ValueError(
                "give horizon_weeks or horizon_days, not both (to replace a horizon_weeks "
                "set in a file, also set run.horizon_weeks=null)"
            )
        return self

    @property
    def n_days(self) -> int:
        """Days of the horizon."""
        return self.horizon_days if self.horizon_days is not None else self.horizon_weeks * 7

    @property
    def horizon_minutes(self) -> float:
        return self.n_days * 24 * 60.0

    @property
    def warmup_minutes(self) -> float:
        return self.warmup_weeks * 7 * 24 * 60.0

    @property
    def drain_minutes(self) -> float:
        return self.drain_days * 24 * 60.0


# --------------------------------------------------------------------------- scenario


def default_holidays(run: Run) -> list[dt.date]:
    """The Dutch public holidays of every year the run touches: from the day before its
    start (blocks are evaluated from then) to the end of its drain and of the week after
    the horizon (rosters run that long). Refuses years the ``holidays`` package does not
    know, naming ``public_holidays``."""
    from anwsim.scenario.calendar import dutch_public_holidays, holiday_years  # numpy: lazily
    from anwsim.scenario.errors import CheckFailure

    first = run.start_date - dt.timedelta(days=1)
    last = run.start_date + dt.timedelta(days=run.n_days + max(7, math.ceil(run.drain_days)))
    known_from, known_to = holiday_years()
    if first.year < known_from or last.year > known_to:
        raise CheckFailure(
            ("public_holidays",),
            f"not given, so the Dutch public holidays of the run's years ({first.year} to "
            f"{last.year}) would be used, but they are known for {known_from} to "
            f"{known_to} only; give public_holidays (a list of dates, or [] for none)",
        )
    return list(dutch_public_holidays(first.year, last.year))


class Scenario(Named):
    """A whole region and its acute care chain, ready to sample and simulate."""

    name: Name
    """The scenario's name, shown by every command, 1 to 200 characters."""
    names: DisplayNames | None = None
    """Optional: the scenario's name in Dutch and English reports, ``{nl: ..., en:
    ...}``; a language not given shows ``name``."""
    description: Text = ""
    """One line, shown by ``anwsim scenarios``."""
    region: Region
    """The areas where patients live."""
    sites: Sites
    """Triage centres, GP posts, SEHs, integrated posts and ambulance stations."""
    rosters: Annotated[dict[Identifier, Roster], Field(max_length=5 * MAX_SITES)] = {}
    """Per site id, per role: staff blocks."""
    staffing: Staffing = Staffing()
    """What happens at a shift change."""
    public_holidays: Annotated[list[Date], Field(max_length=MAX_ITEMS)] = []
    """Dates that are days of their own type (``holiday``): GP posts on their weekend
    roster, demand on its holiday hours. Dates from 1900-01-01 to 2199-12-31. Not given
    (or null): the Dutch public holidays of the run's years (`dutch_public_holidays`:
    Goede Vrijdag included, Bevrijdingsdag in lustrum years); ``[]``: none."""
    demand: Demand
    """Who arrives, when, through which entry, and how urgent."""
    triage: Triage
    """Telephone triage."""
    gp: GpCare
    """GP consults, home visits and nurse practitioners."""
    seh: SehCare
    """Emergency department care."""
    ambulance: AmbulanceCare
    """Ambulance dispatch, rides, conveyance and handover."""
    travel: Travel = Travel()
    """Car travel times between areas and sites."""
    norms: Norms = Norms()
    """The norms that KPIs are reported against."""
    run: Run = Run()
    """Start, horizon, warm-up, drain, replications and seed."""

    @model_validator(mode="before")
    @classmethod
    def _dutch_holidays_by_default(cls, data: Any) -> Any:
        """Fill in the Dutch public holidays of the run's years when the scenario gives
        none, so that they are visible (``anwsim show``) and part of the hash."""
        if not isinstance(data, Mapping) or data.get("public_holidays") is not None:
            return data
        data = {k: v for k, v in data.items() if k != "public_holidays"}
        try:
            run = Run.model_validate(data.get("run", {}))
        except ValidationError:
            return data  # the run's own error is what validation reports
        return {**data, "public_holidays": default_holidays(run)}

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        from anwsim.scenario.checks import check_scenario

        check_scenario(self)
        return self
