"""The per-replication Demand: common random numbers, reproducibility, volumes, layout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from anwsim.sampling import Demand, DemandSampler, sample_demand, sample_demand_batch
from anwsim.sampling.demand import NEEDED
from anwsim.scenario import DISPOSITIONS, ENTRIES, load_scenario
from anwsim.scenario.schema import MINUTES_PER_YEAR

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SHORT = ["run.horizon_weeks=8"]


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE, SHORT)


@pytest.fixture(scope="module")
def demand(baseline) -> Demand:
    return sample_demand(baseline, replication=0)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


# --------------------------------------------------------------------------- common random numbers

PATIENT_IDENTITY = ("arrival_minutes", "channel", "area", "urgency", "disposition")


@pytest.mark.parametrize(
    "override",
    [
        "rosters.hap_a.gp_consult.0.staff=5",  # staffing
        "sites.gp_posts.hap_b.opening.0.hours=18:00-08:00",  # opening hours
        "gp.consult_minutes.default.mean_minutes=25",  # a consult-time parameter
        "triage.patience_minutes.mean_minutes=3",
    ],
)
def test_crn_same_patients_when_only_care_changes(baseline, demand, override) -> None:
    other = sample_demand(load_scenario(BASELINE, [*SHORT, override]), replication=0)
    for column in PATIENT_IDENTITY:
        assert _same(getattr(demand, column), getattr(other, column)), column


def test_changing_consult_distribution_changes_only_consult_minutes(baseline, demand) -> None:
    changed = load_scenario(
        BASELINE,
        [*SHORT, "gp.consult_minutes.default={kind: lognormal, mean_minutes: 18, sd_minutes: 6}"],
    )
    other = sample_demand(changed, replication=0)
    differing = [
        name
        for name, column in demand.columns().items()
        if not np.array_equal(column, getattr(other, name), equal_nan=True)
    ]
    assert differing == ["consult_minutes"]


def test_adding_a_channel_leaves_other_channels_untouched(baseline, demand) -> None:
    extra = (
        "demand.channels.info_call={entry: phone, rate_per_1000_per_year: 30, profile: gp_anw,"
        " urgency_mix: {U5: 100}, disposition_mix: {default: {advice: 100}}}"
    )
    other = sample_demand(load_scenario(BASELINE, [*SHORT, extra]), replication=0)
    n_extra = int(np.sum(other.channel == len(baseline.demand.channels)))
    assert n_extra > 0
    assert len(other) == len(demand) + n_extra
    keep = other.channel < len(baseline.demand.channels)
    for name, column in demand.columns().items():
        if name == "order":
            continue
        assert np.array_equal(column, getattr(other, name)[keep], equal_nan=True), name


def test_replications_differ_and_seeds_differ(baseline, demand) -> None:
    assert demand.digest() != sample_demand(baseline, replication=1).digest()
    assert demand.digest() != sample_demand(baseline, replication=0, seed=1).digest()


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_same_bytes_in_process(baseline, demand) -> None:
    again = sample_demand(baseline, replication=0)
    assert again.digest() == demand.digest()
    batch = sample_demand_batch(baseline, [1, 0])
    assert batch[1].digest() == demand.digest()


def test_same_seed_same_bytes_across_processes(demand) -> None:
    code = (
        "from anwsim.scenario import load_scenario;"
        "from anwsim.sampling import sample_demand;"
        f"s = load_scenario({str(BASELINE)!r}, {SHORT!r});"
        "print(sample_demand(s, replication=0).digest())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == demand.digest()


def test_numpy_path_has_same_law(baseline) -> None:
    numba = DemandSampler(baseline, "numba").sample(3)
    numpy = DemandSampler(baseline, "numpy").sample(3)
    assert len(numba) == len(numpy)  # the same arrivals kernel law and stream
    for column in ("consult_minutes", "seh_stay_minutes", "patience_minutes"):
        a = getattr(numba, column)
        b = getattr(numpy, column)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        se = np.sqrt(a.var() / a.size + b.var() / b.size)
        assert abs(a.mean() - b.mean()) < 4 * se, column


# --------------------------------------------------------------------------- volumes and mixes


def test_volume_per_channel_matches_the_rate(baseline) -> None:
    """Counts over 8 weeks x 6 replications within 4 standard errors (Poisson)."""
    sampler = DemandSampler(baseline)
    counts = np.zeros(len(baseline.demand.channels))
    reps = 6
    for r in range(reps):
        d = sampler.sample(r)
        counts += np.bincount(d.channel, minlength=counts.size)
    for c, channel in enumerate(baseline.demand.channels.values()):
        expected = reps * sampler.expected[list(baseline.demand.channels)[c]].sum()
        assert abs(counts[c] - expected) < 4 * np.sqrt(expected), channel.description
    # And the expectation itself follows the rate (a regular 8-week stretch, growth 1).
    gp_call = baseline.demand.channels["gp_call"]
    per_8_weeks = gp_call.rate_per_minute(baseline.region.population) * 8 * 7 * 24 * 60
    assert sampler.expected["gp_call"].sum() == pytest.approx(per_8_weeks, rel=0.01)
    assert (
        pytest.approx(per_8_weeks, rel=1e-12)
        == 8 * 7 * 24 * 60 / MINUTES_PER_YEAR * 241.1 * 363.913
    )


def test_urgency_and_disposition_mixes(baseline, demand) -> None:
    channel = baseline.demand.channels["gp_call"]
    rows = demand.channel == 0
    n = int(rows.sum())
    observed = np.bincount(demand.urgency[rows], minlength=6) / n
    expected = np.array(channel.urgency_fractions())
    se = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(observed - expected) <= 4 * se + 1e-12)
    u3 = rows & (demand.urgency == 3)
    observed = np.bincount(demand.disposition[u3], minlength=len(DISPOSITIONS)) / u3.sum()
    expected = np.array(channel.disposition_fractions("U3"))
    se = np.sqrt(expected * (1 - expected) / u3.sum())
    assert np.all(np.abs(observed - expected) <= 4 * se + 1e-12)


def test_area_follows_population(baseline, demand) -> None:
    pop = np.array([a.population for a in baseline.region.areas.values()], dtype=float)
    p = pop / pop.sum()
    observed = np.bincount(demand.area, minlength=p.size) / len(demand)
    se = np.sqrt(p * (1 - p) / len(demand))
    assert np.all(np.abs(observed - p) <= 4 * se)


def test_bernoulli_columns_follow_their_shares(baseline, demand) -> None:
    phone = demand.entry == ENTRIES.index("phone")
    n = int(phone.sum())
    for column, p in (
        ("supervised", baseline.triage.supervision_percent / 100),
        ("redials", baseline.triage.redial_percent / 100),
    ):
        share = getattr(demand, column)[phone].mean()
        m = getattr(demand, column)[phone].size
        assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / m), column
    consult = phone & (demand.disposition == DISPOSITIONS.index("consult"))
    p = baseline.gp.seh_referral_after_consult_percent / 100
    assert abs(demand.seh_referral[consult].mean() - p) < 4 * np.sqrt(p * (1 - p) / consult.sum())
    advice = phone & (demand.disposition == DISPOSITIONS.index("advice"))
    assert not demand.seh_referral[advice].any()
    assert n > 0


# --------------------------------------------------------------------------- layout


def test_order_sorts_by_arrival_and_rows_group_by_channel(demand) -> None:
    assert np.all(np.diff(demand.arrival_minutes[demand.order]) >= 0)
    assert sorted(demand.order.tolist()) == list(range(len(demand)))
    assert np.all(np.diff(demand.channel) >= 0)
    for c in np.unique(demand.channel):
        assert np.all(np.diff(demand.arrival_minutes[demand.channel == c]) >= 0)


def test_unreachable_columns_are_nan_and_reachable_ones_finite(demand) -> None:
    for entry_code, entry in enumerate(ENTRIES):
        rows = demand.entry == entry_code
        if not rows.any():
            continue
        for name, column in demand.columns().items():
            if column.dtype != np.float64 or name in ("arrival_minutes", "seh_doctor_minutes"):
                continue
            values = column[rows]
            if name in NEEDED[entry] or name == "travel_noise":
                assert np.all(np.isfinite(values)) and np.all(values >= 0), (entry, name)
            elif name in {n for names in NEEDED.values() for n in names}:
                assert np.all(np.isnan(values)), (entry, name)


def test_seh_doctor_time_drawn_only_when_scenario_has_seh_doctors(demand) -> None:
    assert np.all(np.isnan(demand.seh_doctor_minutes))  # the baseline has none
    with_doctor = load_scenario(
        BASELINE,
        [*SHORT, "seh.doctor_assessment_minutes={kind: exponential, mean_minutes: 15}"],
    )
    d = sample_demand(with_doctor, 0)
    assert np.all(d.seh_doctor_minutes > 0)
    assert abs(d.seh_doctor_minutes.mean() - 15) < 4 * 15 / np.sqrt(len(d))


def test_shapes_follow_the_scenario(baseline, demand) -> None:
    attempts = baseline.triage.max_redials + 1
    assert demand.patience_minutes.shape == (len(demand), attempts)
    assert demand.redials.shape == (len(demand), attempts - 1)
    assert demand.offload_minutes.shape == (len(demand), len(baseline.sites.sehs))
    frame = demand.to_frame()
    assert len(frame) == len(demand)
    assert np.all(np.diff(frame["arrival_minutes"].to_numpy()) >= 0)
    assert "patience_minutes_3" in frame.columns


def test_travel_noise_has_mean_one_and_the_asked_cv(demand, baseline) -> None:
    noise = demand.travel_noise.ravel()
    cv = baseline.travel.noise_cv
    assert abs(noise.mean() - 1) < 4 * cv / np.sqrt(noise.size)
    assert noise.std() / noise.mean() == pytest.approx(cv, rel=0.02)


def test_zero_noise_gives_ones(baseline) -> None:
    d = sample_demand(load_scenario(BASELINE, [*SHORT, "travel.noise_cv=0"]), 0)
    assert np.all(d.travel_noise == 1.0)


def test_bad_kernels_name(baseline) -> None:
    with pytest.raises(ValueError, match="kernels must be"):
        DemandSampler(baseline, "cuda")  # type: ignore[arg-type]
