"""The houtskoolschets scenario library (``scenarios/*.yaml``): every file is valid and
documented, every variant differs from the baseline, and every variant moves the KPIs
its policy should move, in the direction it should.

Effects are measured as a planner would: one `anwsim.compare` of the baseline and all
variants with common random numbers (6 replications of 8 weeks, half a week of warm-up,
on 2 workers, on the compiled engine, which gives the same results as the SimPy model:
tests/engine/test_parity.py), shared by the whole module. A direction test asks for a
significant paired difference of at least `MIN_HALF_WIDTHS` CI half-widths, so that it
does not flip with small changes to the model. Effects too small for that on the regional KPIs (the
skill-mix scenario's consult waits) are checked on outcome-level quantities of single
replications; staffed hours and expected arrivals, which are deterministic, are checked
exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import anwsim
from anwsim.cli import main
from anwsim.experiment.replication import run_replication
from anwsim.metrics import group_integrals
from anwsim.model import Outcomes
from anwsim.scenario import Scenario, load_scenario, scenario_hash
from anwsim.scenario.intensity import regular_week_weights

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
FILES = sorted(SCENARIOS.glob("*.yaml"))
VARIANTS = [f for f in FILES if f != BASELINE]

PREFIXES = ("s1", "s2", "s2b", "s3", "s4", "s5", "s6", "s7a", "s7b", "s8", "s9")
"""The houtskoolschets variants the library must hold (figures.md §10, S1-S8, and S9)."""

SHORT = ("run.horizon_weeks=8", "run.warmup_weeks=0.5")
"""The comparison: 7.5 measured weeks (queues empty out every day; half a week of
warm-up fills the SEHs)."""
REPLICATIONS = 6
MIN_HALF_WIDTHS = 4.0
"""An asserted effect must be at least this many CI half-widths of its paired difference
(with 6 x 8 weeks the asserted effects are about 5 to 100 half-widths)."""
ONE_RUN = ("run.horizon_weeks=5", "run.warmup_weeks=1")
"""Single replications for outcome-level and deterministic checks."""

DAY = 24 * 60.0
WEEK = 7 * DAY


def variant(prefix: str) -> Path:
    """The scenario file whose name starts with ``<prefix>_``."""
    matches = [f for f in VARIANTS if f.name.startswith(f"{prefix}_")]
    assert len(matches) == 1, f"expected one scenarios/{prefix}_*.yaml, found {matches}"
    return matches[0]


def label(prefix: str) -> str:
    """The label of a variant in comparison tables (its file stem)."""
    return variant(prefix).stem


def raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def scenario() -> Callable[[str], Scenario]:
    """``scenario(prefix)``: the variant, loaded in full (its own run settings)."""
    cache: dict[str, Scenario] = {}

    def get(prefix: str) -> Scenario:
        if prefix not in cache:
            cache[prefix] = load_scenario(variant(prefix))
        return cache[prefix]

    return get


@pytest.fixture(scope="module")
def comparison() -> pd.DataFrame:
    """Baseline and every variant, paired (common random numbers), 6 x 8 weeks."""
    table = anwsim.compare(
        BASELINE, VARIANTS, replications=REPLICATIONS, overrides=SHORT, workers=2, engine="fast"
    )
    assert table.attrs["replications"] == REPLICATIONS
    return table


Replication = tuple[Scenario, Outcomes]


@pytest.fixture(scope="module")
def replication() -> Callable[..., Replication]:
    """``replication(prefix, r)``: one short replication (``"baseline"`` for the base)."""
    cache: dict[tuple[str, int], Replication] = {}

    def get(prefix: str, r: int = 0) -> Replication:
        if (prefix, r) not in cache:
            path = BASELINE if prefix == "baseline" else variant(prefix)
            s = load_scenario(path, ONE_RUN)
            cache[prefix, r] = (s, run_replication(s, r).outcomes)
        return cache[prefix, r]

    return get


def effect(table: pd.DataFrame, prefix: str, kpi: str, group: str) -> pd.Series:
    rows = table[(table.scenario == label(prefix)) & (table.kpi == kpi) & (table.group == group)]
    assert len(rows) == 1, f"no single row for {prefix} {kpi} {group}"
    return rows.iloc[0]


def assert_moves(table: pd.DataFrame, prefix: str, kpi: str, group: str, direction: str) -> None:
    """The paired difference variant − baseline is significant, has the given sign
    (``"up"`` or ``"down"``) and is at least MIN_HALF_WIDTHS half-widths."""
    row = effect(table, prefix, kpi, group)
    diff, hw = float(row["difference"]), float(row["difference_half_width"])
    what = f"{prefix} {kpi} [{group}]: {diff:+.4g} ± {hw:.3g}"
    assert bool(row["significant"]), what
    assert (diff > 0) if direction == "up" else (diff < 0), what
    assert abs(diff) >= MIN_HALF_WIDTHS * hw, what


def staffed_hours(rep: Replication, role: str, site: str | None = None) -> float:
    """Staffed hours of a role (at a site) in the measured window of a replication."""
    s, o = rep
    g = group_integrals(o, s.run.warmup_minutes, o.horizon)
    g = g[(g.role == role) & ((g.site == site) if site else True)]
    return float(g.staffed_minutes.sum()) / 60.0


def measured_days(rep: Replication) -> int:
    """Days in the measured window (whole weeks from a Monday with ONE_RUN)."""
    s, o = rep
    days = (o.horizon - s.run.warmup_minutes) / DAY
    assert days == int(days) and days % 7 == 0
    return int(days)


# --------------------------------------------------------------------------- the files


def test_the_library_holds_every_variant() -> None:
    for prefix in PREFIXES:
        variant(prefix)
    for f in VARIANTS:  # numbered prefixes, so that the files sort in scenario order
        assert re.match(r"^s\d+[a-z]?_[a-z0-9_]+\.yaml$", f.name), f.name


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_file_validates_and_has_a_description(path: Path) -> None:
    s = load_scenario(path)
    assert s.name.strip()
    assert s.description.strip() and "\n" not in s.description
    assert len(s.description) <= 120, "one line in `anwsim scenarios`"


def test_anwsim_validate_accepts_every_file() -> None:
    result = CliRunner().invoke(main, ["validate", *map(str, FILES)])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok: ") == len(FILES)


@pytest.mark.parametrize("path", VARIANTS, ids=[f.name for f in VARIANTS])
def test_variant_is_a_documented_diff_of_the_baseline(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = text.split("\nname:")[0]
    assert re.match(r"^# S\d+[a-z]? ", text), "header comment naming the scenario"
    assert "Policy idea" in header and "What changes" in header
    assert "figures.md §" in header and "https://" in header, "source: section and URL"
    # extends the baseline, directly or (S8) through another variant
    seen, current = [], path
    while current != BASELINE:
        parent = raw(current).get("extends")
        assert parent, f"{current.name} does not extend the baseline"
        seen.append(current)
        current = (current.parent / parent).resolve()
        assert current not in seen


@pytest.mark.parametrize("path", VARIANTS, ids=[f.name for f in VARIANTS])
def test_variant_hash_differs_from_the_baseline(path: Path, baseline: Scenario) -> None:
    assert scenario_hash(load_scenario(path)) != scenario_hash(baseline)


def test_variant_hashes_are_distinct() -> None:
    hashes = [scenario_hash(load_scenario(f)) for f in FILES]
    assert len(set(hashes)) == len(hashes)


# --------------------------------------------------------------------------- own numbers


def _volumes(s: Scenario, channel: str) -> dict[str, float]:
    c = s.demand.channels[channel]
    return {u: c.rate_per_1000_per_year * c.urgency_mix.get(u, 0.0) / 100 for u in c.urgency_mix}


def test_s5_cuts_u5_and_u4_calls_and_keeps_the_rest(
    baseline: Scenario, scenario: Callable[[str], Scenario]
) -> None:
    base, s5 = _volumes(baseline, "gp_call"), _volumes(scenario("s5"), "gp_call")
    factor = {"U4": 0.90, "U5": 0.75}  # figures.md §10 S5
    for u, volume in base.items():
        assert s5[u] == pytest.approx(volume * factor.get(u, 1.0), rel=2e-4), u
    assert scenario("s5").triage.call_back_instead_of_abandon


@pytest.mark.parametrize("prefix,years", [("s7a", 5), ("s7b", 10)])
def test_s7_scales_each_channel_by_its_growth(
    prefix: str, years: int, baseline: Scenario, scenario: Callable[[str], Scenario]
) -> None:
    growth = {
        "gp_call": 1.09,
        "gp_walk_in": 1.09,
        "emergency_112": 1.04**years,
        "ambulance_planned": 1.04**years,
        "seh_self_referral": 1.02**years,
        "seh_referral_in_hours": 1.02**years,
    }
    s = scenario(prefix)
    assert s.demand.growth_factor == baseline.demand.growth_factor == 1.0
    for name, channel in baseline.demand.channels.items():
        rate = s.demand.channels[name].rate_per_1000_per_year
        assert rate == pytest.approx(channel.rate_per_1000_per_year * growth[name], rel=1e-3)


def test_s7_removes_7_9_percent_of_triagist_hours(replication: Callable[..., Replication]) -> None:
    base = staffed_hours(replication("baseline"), "triagist")
    for prefix in ("s7a", "s7b", "s9"):
        ratio = staffed_hours(replication(prefix), "triagist") / base
        assert ratio == pytest.approx((361 - 28) / 361)  # 7.8%, figures.md §10 S7: 7.9%


def test_s4_diverts_8_percent_of_a2_calls(
    baseline: Scenario, scenario: Callable[[str], Scenario]
) -> None:
    s4 = scenario("s4")
    base_112 = baseline.demand.channels["emergency_112"]
    s4_112 = s4.demand.channels["emergency_112"]
    # the 112 channel keeps its patients (common random numbers) ...
    assert s4_112.rate_per_1000_per_year == base_112.rate_per_1000_per_year
    assert s4_112.urgency_mix == base_112.urgency_mix
    # ... but 8% of its U2 (A2) calls get no ride
    assert s4_112.disposition_mix["U2"] == {"ambulance": 92, "advice": 8}
    # and re-enter GP triage in ANW hours: 8% of A2 calls x the ANW share of the profile
    weights = regular_week_weights(baseline.demand.profiles[base_112.profile])
    hour = np.arange(168)
    office = (hour // 24 < 5) & (hour % 24 >= 8) & (hour % 24 < 17)
    anw_share = weights[~office].sum() / weights.sum()
    a2 = base_112.rate_per_1000_per_year * base_112.urgency_mix["U2"] / 100
    diverted = s4.demand.channels["zcc_diverted_112"]
    assert diverted.entry == "phone"
    assert diverted.rate_per_1000_per_year == pytest.approx(0.08 * a2 * anw_share, rel=5e-3)
    profile = regular_week_weights(s4.demand.profiles[diverted.profile])
    assert profile[office].sum() == 0
    assert profile[~office] == pytest.approx(weights[~office])


def test_s8_is_s2_with_more_offload_delay(scenario: Callable[[str], Scenario]) -> None:
    s2, s8 = scenario("s2").model_dump(), scenario("s8").model_dump()
    assert s8["sites"]["sehs"]["seh_1"]["offload_delay"]["percent"] == 20
    assert s2["sites"]["sehs"]["seh_1"]["offload_delay"]["percent"] == 7.7
    for s in (s2, s8):
        s["sites"]["sehs"]["seh_1"]["offload_delay"]["percent"] = None
        s["name"] = s["description"] = s["names"] = None
    assert s8 == s2


def test_s9_combines_its_constituents(
    baseline: Scenario, scenario: Callable[[str], Scenario]
) -> None:
    s9 = scenario("s9").model_dump()
    s1, s3, s5, s6, s7a = (scenario(p).model_dump() for p in ("s1", "s3", "s5", "s6", "s7a"))
    sites, rosters, channels = s9["sites"], s9["rosters"], s9["demand"]["channels"]
    assert sites["integrated_posts"] == s1["sites"]["integrated_posts"]
    for post in ("hap_b", "hap_c"):
        for field in ("opening", "when_closed"):
            assert sites["gp_posts"][post][field] == s3["sites"]["gp_posts"][post][field]
        assert rosters[post] == s3["rosters"][post]
    assert rosters["hap_a"] == s6["rosters"]["hap_a"]
    assert rosters["hds"] == s7a["rosters"]["hds"]
    assert s9["triage"] == s5["triage"]
    assert channels["gp_call"]["urgency_mix"] == s5["demand"]["channels"]["gp_call"]["urgency_mix"]
    s5_rate = s5["demand"]["channels"]["gp_call"]["rate_per_1000_per_year"]
    assert channels["gp_call"]["rate_per_1000_per_year"] == pytest.approx(s5_rate * 1.09, rel=1e-4)
    for name in channels:
        if name != "gp_call":
            assert channels[name] == s7a["demand"]["channels"][name]
    assert scenario("s7b").rosters["hds"] == scenario("s7a").rosters["hds"]
    assert s9["sites"]["sehs"] == baseline.model_dump()["sites"]["sehs"]


# --------------------------------------------------------------------------- effects


def test_s1_spoedpost_terneuzen_takes_self_referrers_from_seh_2(comparison: pd.DataFrame) -> None:
    assert_moves(comparison, "s1", "seh_visits_per_year", "seh_2", "down")
    assert_moves(comparison, "s1", "utilisation", "hap_b/gp_consult", "up")


@pytest.mark.parametrize("prefix", ["s2", "s2b"])
def test_s2_concentration_lengthens_call_to_seh(prefix: str, comparison: pd.DataFrame) -> None:
    assert_moves(comparison, prefix, "call_to_seh_within_norm", "A1+A2", "down")
    assert_moves(comparison, prefix, "seh_visits_per_year", "seh_1", "up")
    assert_moves(comparison, prefix, "seh_visits_per_year", "seh_2", "down")


def test_s2b_hurts_more_than_s2(comparison: pd.DataFrame) -> None:
    s2 = effect(comparison, "s2", "call_to_seh_within_norm", "A1+A2")
    s2b = effect(comparison, "s2b", "call_to_seh_within_norm", "A1+A2")
    assert s2b.difference + s2b.difference_half_width < s2.difference - s2.difference_half_width


def _share_of_rides_to_seh_1(rep: Replication) -> float:
    s, o = rep
    conveyed = (o.call >= s.run.warmup_minutes) & np.isfinite(o.ambulance_at_seh)
    return float(np.mean(o.seh[conveyed] == list(s.sites.sehs).index("seh_1")))


def test_s2_sends_more_rides_to_seh_1(replication: Callable[..., Replication]) -> None:
    base = _share_of_rides_to_seh_1(replication("baseline"))
    s2 = _share_of_rides_to_seh_1(replication("s2"))
    s2b = _share_of_rides_to_seh_1(replication("s2b"))
    assert base < s2 < s2b == 1.0  # S2b: SEH 2 takes no ambulances at all
    s, o = replication("s2")  # no ride leaving the scene while SEH 2 is closed goes there
    leave = o.ambulance_depart_scene % DAY
    night = np.isfinite(o.ambulance_at_seh) & ((leave >= 23 * 60) | (leave < 8 * 60))
    assert np.any(night)
    assert not np.any(night & (o.seh == list(s.sites.sehs).index("seh_2")))


def test_s3_night_concentration_lengthens_travel_to_the_post(comparison: pd.DataFrame) -> None:
    # Travel is averaged over all hours; only night patients of posts B and C travel
    # farther (to post A), nobody travels less, so the mean must rise and the share
    # within 30 minutes fall.
    assert_moves(comparison, "s3", "travel_to_post_mean", "all", "up")
    assert_moves(comparison, "s3", "travel_to_post_within_norm", "all", "down")
    assert_moves(comparison, "s3", "contacts_per_gp_hour", "all", "up")


def test_s3_saves_two_night_gps(replication: Callable[..., Replication]) -> None:
    base, s3 = replication("baseline"), replication("s3")
    saved = staffed_hours(base, "gp_consult") - staffed_hours(s3, "gp_consult")
    assert saved == pytest.approx(2 * 8 * measured_days(base))  # posts B and C, 00-08
    assert staffed_hours(s3, "gp_consult", "hap_a") == staffed_hours(base, "gp_consult", "hap_a")


def test_s4_zcc_avoids_a2_rides_and_answers_faster(comparison: pd.DataFrame) -> None:
    assert_moves(comparison, "s4", "ambulance_rides_per_year", "A2", "down")
    assert_moves(comparison, "s4", "answered_within_norm", "other lines", "up")  # pooled staff


def test_s5_call_back_ends_abandonment(comparison: pd.DataFrame) -> None:
    assert_moves(comparison, "s5", "abandoned_callers", "all", "down")
    assert_moves(comparison, "s5", "patients_per_year", "gp_call", "down")
    assert effect(comparison, "s5", "abandoned_callers", "all")["mean"] == 0


def test_s6_nurse_practitioner_replaces_gp_hours(replication: Callable[..., Replication]) -> None:
    base, s6 = replication("baseline"), replication("s6")
    weekend_days = 2 * measured_days(base) // 7
    np_hours = staffed_hours(s6, "nurse_practitioner", "hap_a")
    assert np_hours == pytest.approx(6 * weekend_days)  # 08:00-14:00 on Sat and Sun
    assert staffed_hours(base, "gp_consult") - staffed_hours(s6, "gp_consult") == np_hours
    _, o = s6
    assert np.any(o.consult_by == 1)


def _weekend_morning_waits(rep: Replication) -> np.ndarray:
    """Consult waits at post A of patients arriving there Sat/Sun 08:00-14:00."""
    s, o = rep
    at_a = (o.post == list(s.sites.gp_posts).index("hap_a")) & np.isfinite(o.consult_start)
    arrival = o.post_arrival
    minute_of_week = arrival % WEEK
    day, hour = minute_of_week // DAY, (minute_of_week % DAY) / 60
    morning = at_a & (arrival >= s.run.warmup_minutes) & (day >= 5) & (hour >= 8) & (hour < 14)
    return (o.consult_start - arrival)[morning]


def test_s6_slower_nurse_practitioner_lengthens_weekend_morning_waits(
    replication: Callable[..., Replication],
) -> None:
    # On the regional KPIs (call to doctor per urgency over all hours) the effect of one
    # NP in 12 of 123 ANW hours is about one CI half-width, too small to assert. Where it
    # acts — consults at post A on weekend mornings, where 2 GPs + 1 NP see 8.4 patients
    # an hour instead of 3 GPs' 9 — the wait rises in every replication (by 3 to 18
    # minutes in the first 8).
    diffs = []
    for r in range(6):
        base = _weekend_morning_waits(replication("baseline", r))
        s6 = _weekend_morning_waits(replication("s6", r))
        assert base.size == s6.size > 100  # the same patients (common random numbers)
        diffs.append(s6.mean() - base.mean())
    assert min(diffs) > 0, diffs
    assert np.mean(diffs) > 3.0, diffs  # minutes


@pytest.mark.parametrize("prefix", ["s7a", "s7b"])
def test_s7_growth_and_scarcity_worsen_access(prefix: str, comparison: pd.DataFrame) -> None:
    assert_moves(comparison, prefix, "answer_time_mean", "all", "up")
    assert_moves(comparison, prefix, "abandoned_callers", "all", "up")
    assert_moves(comparison, prefix, "within_nts_norm", "U1", "down")
    assert_moves(comparison, prefix, "ambulance_response_within_norm", "A1", "down")
    assert_moves(comparison, prefix, "seh_occupancy", "seh_1", "up")


def test_s7b_is_worse_than_s7a(comparison: pd.DataFrame) -> None:
    a = effect(comparison, "s7a", "ambulance_response_within_norm", "A1")
    b = effect(comparison, "s7b", "ambulance_response_within_norm", "A1")
    assert b.difference + b.difference_half_width < a.difference - a.difference_half_width


def test_s8_offload_delays_at_seh_1(comparison: pd.DataFrame) -> None:
    assert_moves(comparison, "s8", "handoff_delay_mean", "seh_1", "up")
    # more than S2 alone, on which it is built (CIs apart)
    s2 = effect(comparison, "s2", "handoff_delay_mean", "seh_1")
    s8 = effect(comparison, "s8", "handoff_delay_mean", "seh_1")
    assert s8.difference - s8.difference_half_width > s2.difference + s2.difference_half_width


def test_s9_package_shows_each_measure(comparison: pd.DataFrame) -> None:
    assert_moves(comparison, "s9", "travel_to_post_mean", "all", "up")  # S3
    assert_moves(comparison, "s9", "abandoned_callers", "all", "down")  # S5
    assert_moves(comparison, "s9", "contacts_per_gp_hour", "all", "up")  # S3, S7a
    assert_moves(comparison, "s9", "ambulance_rides_per_year", "A1", "up")  # S7a
