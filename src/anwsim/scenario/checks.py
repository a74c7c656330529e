"""Cross-field checks: what no single field can know on its own.

Each failure raises `CheckFailure` with the path of the field to fix, so the loader can
point at the file and line. Checks run once, when the scenario is built.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np

from anwsim.scenario.calendar import Calendar, format_time
from anwsim.scenario.errors import CheckFailure

if TYPE_CHECKING:
    from anwsim.scenario.schema import Profile, Scenario

MAX_PATIENTS_PER_YEAR = 1e8
"""Plausibility bound of the demand of a region: about twenty times the out-of-hours
contacts of the whole Netherlands."""
MAX_HOLIDAY_PEAK = 1e6
"""A holiday hour's weight is at most this many times the mean hourly weight of a
regular week (holiday weights are not rescaled, so they must be on the week's scale)."""


def _fail(path: tuple[str | int, ...], message: str) -> None:
    raise CheckFailure(path, message)


def _choices(names: object) -> str:
    items = sorted(str(n) for n in names)  # type: ignore[attr-defined]
    return ", ".join(items) if items else "(none defined)"


def check_scenario(s: Scenario) -> None:
    """Raise `CheckFailure` at the first inconsistency found."""
    _check_place_ids(s)
    _check_rosters(s)
    _check_integrated_posts(s)
    _check_when_closed(s)
    _check_triage_centres(s)
    _check_channels(s)
    _check_profiles(s)
    _check_demand_volume(s)
    _check_capacity_exists(s)
    _check_open_sites_staffed(s)
    _check_travel(s)


def _check_place_ids(s: Scenario) -> None:
    """Areas and sites share one namespace (travel matrix rows, matrix_csv)."""
    sites = set(_all_site_ids(s))
    for area_id in s.region.areas:
        if area_id in sites:
            _fail(
                ("region", "areas", area_id),
                f"area id {area_id!r} is also the id of a site; use another id",
            )


def _check_rosters(s: Scenario) -> None:
    from anwsim.scenario.schema import ROLE_SITE_KINDS

    for site_id, roster in s.rosters.items():
        kind = s.sites.kind_of(site_id)
        if kind is None:
            _fail(
                ("rosters", site_id),
                f"unknown site {site_id!r}; sites: {_choices(_all_site_ids(s))}",
            )
        for role in roster:
            if ROLE_SITE_KINDS[role] != kind:
                _fail(
                    ("rosters", site_id, role),
                    f"role {role!r} works at {ROLE_SITE_KINDS[role]}, but {site_id!r} is in {kind}",
                )
    if s.gp.nurse_practitioner_consult_minutes is None:
        for site_id, roster in s.rosters.items():
            if roster.get("nurse_practitioner"):
                _fail(
                    ("gp", "nurse_practitioner_consult_minutes"),
                    f"site {site_id!r} rosters nurse practitioners; give their consult time",
                )
    if s.seh.doctor_assessment_minutes is None:
        for site_id, roster in s.rosters.items():
            if roster.get("seh_doctor"):
                _fail(
                    ("seh", "doctor_assessment_minutes"),
                    f"site {site_id!r} rosters SEH doctors; give their assessment time",
                )


def _all_site_ids(s: Scenario) -> list[str]:
    ids: list[str] = []
    for kind in ("triage_centres", "gp_posts", "sehs", "integrated_posts", "ambulance_stations"):
        ids.extend(getattr(s.sites, kind))
    return ids


def _check_integrated_posts(s: Scenario) -> None:
    used: dict[str, str] = {}
    for pid, post in s.sites.integrated_posts.items():
        if post.gp_post not in s.sites.gp_posts:
            _fail(
                ("sites", "integrated_posts", pid, "gp_post"),
                f"unknown GP post {post.gp_post!r}; GP posts: {_choices(s.sites.gp_posts)}",
            )
        if post.seh not in s.sites.sehs:
            _fail(
                ("sites", "integrated_posts", pid, "seh"),
                f"unknown SEH {post.seh!r}; SEHs: {_choices(s.sites.sehs)}",
            )
        for member, field in ((post.gp_post, "gp_post"), (post.seh, "seh")):
            if member in used:
                _fail(
                    ("sites", "integrated_posts", pid, field),
                    f"{member!r} is already part of integrated post {used[member]!r}",
                )
            used[member] = pid


def _check_when_closed(s: Scenario) -> None:
    for pid, post in s.sites.gp_posts.items():
        target = post.when_closed
        if (
            target != "nearest_open"
            and target not in s.sites.gp_posts
            and target not in s.sites.sehs
        ):
            _fail(
                ("sites", "gp_posts", pid, "when_closed"),
                f"unknown site {target!r}; allowed: nearest_open, a GP post or an SEH id",
            )
        if target == pid:
            _fail(("sites", "gp_posts", pid, "when_closed"), "a post cannot route to itself")
    for sid, seh in s.sites.sehs.items():
        target = seh.when_closed
        if target != "nearest_open" and target not in s.sites.sehs:
            _fail(
                ("sites", "sehs", sid, "when_closed"),
                f"unknown SEH {target!r}; allowed: nearest_open or an SEH id",
            )
        if target == sid:
            _fail(("sites", "sehs", sid, "when_closed"), "an SEH cannot route to itself")


def _check_triage_centres(s: Scenario) -> None:
    owner: dict[str, str] = {}
    for cid, centre in s.sites.triage_centres.items():
        areas = list(s.region.areas) if centre.areas == "all" else centre.areas
        for i, area in enumerate(areas):
            if area not in s.region.areas:
                _fail(
                    ("sites", "triage_centres", cid, "areas", i),
                    f"unknown area {area!r}; areas: {_choices(s.region.areas)}",
                )
            if area in owner:
                _fail(
                    ("sites", "triage_centres", cid, "areas"),
                    f"area {area!r} is already answered by triage centre {owner[area]!r}",
                )
            owner[area] = cid
    missing = [a for a in s.region.areas if a not in owner]
    if missing:
        _fail(
            ("sites", "triage_centres"),
            f"no triage centre answers calls from {', '.join(missing[:5])}"
            + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
        )


def _check_channels(s: Scenario) -> None:
    for name, channel in s.demand.channels.items():
        if channel.profile not in s.demand.profiles:
            _fail(
                ("demand", "channels", name, "profile"),
                f"unknown profile {channel.profile!r}; profiles: {_choices(s.demand.profiles)}",
            )


def _regular_week_total(profile: Profile) -> float:
    """Sum of the weights of a regular week with the multipliers applied: the volume the
    week's weights are rescaled by (as `anwsim.scenario.intensity.regular_week_weights`;
    not imported from there, which would load Numba for a mere validation)."""
    week = Calendar(dt.date(2024, 1, 1), 7, ())
    factors = np.ones(168)
    for block in profile.multipliers:
        covered = np.zeros(168)
        for start, end in week.block_intervals(block):
            for h in range(int(start // 60), math.ceil(end / 60)):
                overlap = min(end, (h + 1) * 60.0) - max(start, h * 60.0)
                covered[h] += max(overlap, 0.0) / 60.0
        factors *= 1.0 + (block.factor - 1.0) * np.minimum(covered, 1.0)
    return float(np.sum(np.asarray(profile.week_weights(), dtype=np.float64) * factors))


def _check_profiles(s: Scenario) -> None:
    """Weights that the arrival intensities can be computed from: a regular week of
    positive volume, holiday hours on its scale."""
    for name, profile in s.demand.profiles.items():
        total = _regular_week_total(profile)
        if not total > 0:
            _fail(
                ("demand", "profiles", name, "multipliers"),
                "the multipliers are zero in every hour that has weight; no one would arrive "
                "in a regular week (allowed: a week of positive weight)",
            )
        if profile.holiday_hours is not None:
            peak = max(profile.holiday_hours) / (total / 168.0)
            if peak > MAX_HOLIDAY_PEAK:
                _fail(
                    ("demand", "profiles", name, "holiday_hours"),
                    f"a holiday hour weighs {peak:.3g} times the mean hour of a regular week; "
                    f"at most {MAX_HOLIDAY_PEAK:g} times (a plausibility bound: holiday weights "
                    "are on the scale of the week's)",
                )


def _check_demand_volume(s: Scenario) -> None:
    population = s.region.population
    rates = sum(c.rate_per_1000_per_year for c in s.demand.channels.values())
    per_year = rates * population / 1000.0 * s.demand.growth_factor
    if per_year > MAX_PATIENTS_PER_YEAR:
        _fail(
            ("demand", "channels"),
            f"the channels bring {per_year:.3g} patients a year (rates summing to {rates:g} "
            f"per 1,000 of {population:,} inhabitants, growth factor "
            f"{s.demand.growth_factor:g}); at most {MAX_PATIENTS_PER_YEAR:g} (a plausibility "
            "bound: twenty times the out-of-hours care of the whole Netherlands)",
        )


def _possible_dispositions(s: Scenario) -> set[str]:
    out: set[str] = set()
    for channel in s.demand.channels.values():
        for urgency, share in channel.urgency_mix.items():
            if share <= 0:
                continue
            mix = channel.disposition_mix.get(urgency, channel.disposition_mix.get("default", {}))
            out |= {d for d, p in mix.items() if p > 0}
        if channel.entry in ("walk_in_seh", "referral_seh"):
            out.add("seh")
        if channel.entry == "walk_in_gp":
            out.add("consult")
    return out


def _rostered(s: Scenario, role: str) -> bool:
    return any(
        any(block.staff > 0 for block in roster.get(role, []))  # type: ignore[call-overload]
        for roster in s.rosters.values()
    )


def _check_capacity_exists(s: Scenario) -> None:
    entries = {c.entry for c in s.demand.channels.values()}
    needs: list[tuple[bool, str, str]] = [
        ("phone" in entries, "triagist", "calls arrive but no triagist is rostered"),
    ]
    possible = _possible_dispositions(s)
    needs.append(
        ("consult" in possible, "gp_consult", "consults occur but no gp_consult is rostered")
    )
    needs.append(
        ("home_visit" in possible, "gp_visit", "home visits occur but no gp_visit is rostered")
    )
    needs.append(
        (
            "gp_callback" in possible,
            s.triage.callback_by,
            f"call-backs occur but no {s.triage.callback_by} is rostered",
        )
    )
    needs.append(
        (
            "ambulance" in possible or "emergency_112" in entries,
            "ambulance",
            "ambulance rides occur but no ambulance is rostered",
        )
    )
    needs.append(
        (
            "seh" in possible,
            "treatment_place",
            "SEH visits occur but no treatment_place is rostered",
        )
    )
    for needed, role, message in needs:
        if needed and not _rostered(s, role):
            _fail(("rosters",), message)
    if s.triage.supervision_percent > 0 and not _rostered(s, "gp_supervisor"):
        _fail(
            ("triage", "supervision_percent"),
            "supervision is asked for but no gp_supervisor is rostered",
        )
    if "consult" in possible and not s.sites.gp_posts:
        _fail(("sites", "gp_posts"), "consults occur but there is no GP post")
    if "seh" in possible and not s.sites.sehs:
        _fail(("sites", "sehs"), "SEH visits occur but there is no SEH")


def _check_open_sites_staffed(s: Scenario) -> None:
    cal = Calendar(s.run.start_date, s.run.n_days, s.public_holidays)
    checks = (
        (
            "gp_posts",
            ("gp_consult", "nurse_practitioner"),
            "GP post is open with no GP or nurse practitioner on duty",
        ),
        ("sehs", ("treatment_place",), "SEH is open with no treatment place staffed"),
    )
    for kind, roles, message in checks:
        for site_id, site in getattr(s.sites, kind).items():
            roster = s.rosters.get(site_id, {})
            blocks = [b for role in roles for b in roster.get(role, [])]  # type: ignore[call-overload]
            staff = cal.step_function(blocks)
            gaps = staff.zero_while(cal.open_function(site.opening))
            if gaps:
                start, end = gaps[0]
                _fail(
                    ("rosters", site_id)
                    if site_id in s.rosters
                    else ("sites", kind, site_id, "opening"),
                    f"{message} from {format_time(start)} to {format_time(end)}"
                    + (f" (and {len(gaps) - 1} more gaps)" if len(gaps) > 1 else ""),
                )


def _check_travel(s: Scenario) -> None:
    from anwsim.scenario.travel import location_ids, missing_matrix_pairs

    zones = {a.zone for a in s.region.areas.values()} | {
        loc.zone for loc in s.sites.located().values()
    }
    for i, crossing in enumerate(s.travel.crossings):
        for z in crossing.zones:
            if z not in zones:
                _fail(
                    ("travel", "crossings", i, "zones"),
                    f"zone {z!r} is not used by any area or site; zones: {_choices(zones)}",
                )
        if crossing.zones[0] == crossing.zones[1]:
            _fail(("travel", "crossings", i, "zones"), "a crossing joins two different zones")
    if s.travel.method == "straight_line":
        linked = {frozenset(c.zones) for c in s.travel.crossings}
        ordered = sorted(zones)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if frozenset((a, b)) not in linked:
                    _fail(
                        ("travel", "crossings"),
                        f"no crossing joins zones {a!r} and {b!r}; add one or use a matrix",
                    )
    else:
        known = set(location_ids(s))
        assert s.travel.matrix is not None
        for origin, row in s.travel.matrix.items():
            for dest in [origin, *row]:
                if dest not in known:
                    _fail(
                        ("travel", "matrix", origin),
                        f"unknown place {dest!r}; places are area and site ids",
                    )
        missing = missing_matrix_pairs(s)
        if missing:
            a, b = missing[0]
            _fail(
                ("travel", "matrix"),
                f"no travel time from {a!r} to {b!r}"
                + (f" ({len(missing)} pairs missing)" if len(missing) > 1 else ""),
            )
