"""CSV side files as planners keep them: Dutch Excel's ';' with decimal commas for areas
and travel matrices, and rosters, opening hours and demand profiles from CSV, inlined
exactly as the YAML would hold them (the same scenario hash)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from anwsim.scenario import Scenario, ScenarioError, load_scenario, loading, scenario_hash

WriteVariant = Callable[..., Path]
REPO_ROOT = Path(__file__).resolve().parents[2]
SIDE = REPO_ROOT / "tests" / "fixtures" / "side_csv"


def _csv(rows: list[list[Any]], *, dutch: bool = False) -> str:
    """Rows as CSV text: plain, or as Dutch Excel saves it (';', decimal commas)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [str(c).replace(".", ",") if dutch and isinstance(c, float) else c for c in row]
        )
    return out.getvalue()


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes(text.encode("utf-8-sig" if bom else "utf-8"))
    return path


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


# --------------------------------------------------------------------------- Dutch Excel


def test_areas_as_dutch_excel_saves_them_resolve_to_the_baseline(baseline: Scenario) -> None:
    raw = (SIDE / "areas_nl.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"51,474" in raw
    s = load_scenario(SIDE / "baseline_areas_nl.yaml")
    assert s.region.areas["borsele"].latitude == 51.474
    assert s.region.areas["noord_beveland"].population == 7900
    assert scenario_hash(s) == scenario_hash(baseline)


def test_dutch_matrix_reads_decimal_commas(tmp_path: Path) -> None:
    dutch = _write(
        tmp_path / "nl.csv", "sep=;\r\nfrom;to;minutes\r\na;b;12,5\r\nb;a;7\r\n", bom=True
    )
    plain = _write(tmp_path / "en.csv", 'from,to,minutes\na,b,12.5\nb,a,"7"\n')
    assert loading.load_matrix_csv(dutch) == {"a": {"b": 12.5}, "b": {"a": 7.0}}
    assert loading.load_matrix_csv(plain) == loading.load_matrix_csv(dutch)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # Excel's sep= line shifts every line by one; errors still name the file's line
        ("sep=;\nfrom;to;minutes\na;b;1\nb;a;x\n", 4, "'minutes': expected a finite number"),
        ("from;to;minutes\na;b;1.234,5\n", 2, "without a thousands separator"),
        ('from,to,minutes\na,b,"12,5"\n', 2, "decimal comma is read only in a ';'-separated"),
        ("from;to;minutes\na;b;1;2\n", 2, "the row has 4 cell(s)"),
        ("from\tto\tminutes\na\tb\t1\n", 1, "single column 'from\\tto\\tminutes' with the "),
    ],
)
def test_bad_dutch_matrix(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path / "m.csv", text)
    with pytest.raises(ScenarioError) as info:
        loading.load_matrix_csv(path)
    assert (info.value.file, info.value.line) == (str(path), line)
    assert words in info.value.message


def test_single_column_names_separator_and_expected_columns(
    write_variant: WriteVariant, tmp_path: Path
) -> None:
    _write(tmp_path / "a.csv", "id|name|population|latitude|longitude\nx|X|10|51.5|3.6\n")
    err = _error(write_variant("region: {areas_csv: a.csv}\n"))
    assert err.file == str(tmp_path / "a.csv") and err.line == 1
    assert err.message == (
        "the header reads as a single column 'id|name|population|latitude|longitude' with "
        "the separator ','; expected the columns id, name, population, latitude, longitude, "
        "separated by ',' or ';'"
    )


def test_latin1_csv_says_how_to_save_it(write_variant: WriteVariant, tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(
        "id;name;population;latitude;longitude\nx;Hé;10;51,5;3,6\n".encode("latin-1")
    )
    err = _error(write_variant("region: {areas_csv: a.csv}\n"))
    assert "not UTF-8" in err.message and "Save As 'CSV UTF-8'" in err.message


# --------------------------------------------------------------------------- rosters


def _roster_rows(rosters: dict[str, Any], days_sep: str) -> list[list[Any]]:
    rows: list[list[Any]] = [["site", "role", "days", "hours", "staff"]]
    for site, roles in rosters.items():
        for role, blocks in roles.items():
            for b in blocks:
                rows.append([site, role, days_sep.join(b["days"]), b["hours"], b["staff"]])
    return rows


def _without(data: dict[str, Any], key: str, **extra: Any) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k != key}
    out.update(extra)
    return out


@pytest.mark.parametrize(("dutch", "days_sep"), [(True, "+"), (False, " "), (False, "+")])
def test_baseline_rosters_from_csv_give_the_same_hash(
    tmp_path: Path, baseline: Scenario, baseline_data: dict[str, Any], dutch: bool, days_sep: str
) -> None:
    rows = _roster_rows(baseline_data["rosters"], days_sep)
    _write(tmp_path / "rosters.csv", _csv(rows, dutch=dutch), bom=dutch)
    scenario = tmp_path / "baseline_csv.yaml"
    data = _without(baseline_data, "rosters", rosters_csv="rosters.csv")
    scenario.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    s = load_scenario(scenario)
    assert s.rosters["hds"]["triagist"][5].days == ["weekend", "holiday"]
    assert s.rosters["seh_1"]["treatment_place"][0].staff == 16
    assert scenario_hash(s) == scenario_hash(baseline)


def test_s3_with_opening_hours_and_rosters_in_csv_is_s3() -> None:
    from_csv = load_scenario(SIDE / "s3_hap_night_csv.yaml")
    from_yaml = load_scenario(REPO_ROOT / "scenarios" / "s3_hap_night.yaml")
    assert [b.hours for b in from_csv.sites.gp_posts["hap_b"].opening] == [
        "17:00-24:00",
        "08:00-24:00",
    ]
    assert from_csv.sites.gp_posts["hap_a"].opening[0].hours == "17:00-08:00"  # from parent
    assert scenario_hash(from_csv) == scenario_hash(from_yaml)


def test_rosters_csv_in_a_variant_merges_role_by_role(
    write_variant: WriteVariant, tmp_path: Path, baseline: Scenario
) -> None:
    _write(
        tmp_path / "r.csv",
        "site;role;days;hours;staff;name\n"
        "hap_a;gp_consult;weekday;17:00-23:00;3;avond\n"
        "hap_a;gp_consult;weekend+holiday;08:00-23:00;2;\n"
        "hap_a;gp_consult;all;23:00-08:00;1;nacht\n",
    )
    s = load_scenario(write_variant("rosters_csv: r.csv\n"))
    consult = s.rosters["hap_a"]["gp_consult"]
    assert [(b.hours, b.staff, b.name) for b in consult] == [
        ("17:00-23:00", 3, "avond"),
        ("08:00-23:00", 2, None),
        ("23:00-08:00", 1, "nacht"),
    ]
    assert s.rosters["hap_a"]["gp_visit"] == baseline.rosters["hap_a"]["gp_visit"]
    assert s.rosters["hds"] == baseline.rosters["hds"]


def test_null_beside_rosters_csv_replaces_what_the_parent_has(
    write_variant: WriteVariant, tmp_path: Path, baseline_data: dict[str, Any]
) -> None:
    rows = _roster_rows(baseline_data["rosters"], "+")
    kept = [r for r in rows if (r[0], r[1]) != ("hap_c", "gp_visit")]  # drop one role
    _write(tmp_path / "r.csv", _csv(kept))
    s = load_scenario(write_variant("rosters: null\nrosters_csv: r.csv\n"))
    assert "gp_visit" not in s.rosters["hap_c"] and "gp_consult" in s.rosters["hap_c"]
    merged = load_scenario(write_variant("rosters_csv: r.csv\n", name="merged.yaml"))
    assert "gp_visit" in merged.rosters["hap_c"]  # without null, the parent's role stays
    _write(
        tmp_path / "seh.csv", "site,role,days,hours,staff\nseh_2,treatment_place,all,0:00-0:00,9\n"
    )
    one = load_scenario(
        write_variant("rosters: {seh_2: null}\nrosters_csv: seh.csv\n", name="one.yaml")
    )
    assert [(b.hours, b.staff) for b in one.rosters["seh_2"]["treatment_place"]] == [
        ("00:00-24:00", 9)
    ]


def test_rosters_in_yaml_and_csv_combine_unless_a_role_is_in_both(
    write_variant: WriteVariant, tmp_path: Path
) -> None:
    _write(tmp_path / "r.csv", "site,role,days,hours,staff\nhap_b,gp_visit,all,17:00-08:00,2\n")
    body = (
        "rosters_csv: r.csv\nrosters:\n  hap_b:\n"
        "    gp_consult: [{days: [all], hours: '00:00-24:00', staff: 4}]\n"
    )
    s = load_scenario(write_variant(body))
    assert [b.staff for b in s.rosters["hap_b"]["gp_visit"]] == [2]
    assert [b.staff for b in s.rosters["hap_b"]["gp_consult"]] == [4]
    both = body.replace("gp_consult", "gp_visit")
    err = _error(write_variant(both, name="both.yaml"))
    assert (err.file, err.line) == (str(tmp_path / "r.csv"), 2)
    assert err.message.startswith("rosters.hap_b.gp_visit is given both in rosters (")
    assert "both.yaml:5) and in rosters_csv; give it in one place" in err.message


@pytest.mark.parametrize(
    ("text", "line", "path", "words"),
    [
        (
            "site,role,days,hours,staff\nhap_a,gp_consult,weekdag,17:00-23:00,2\n",
            2,
            ("rosters", "hap_a", "gp_consult", 0, "days", 0),
            "Input should be 'mon'",
        ),
        (
            "site,role,days,hours,staff\nhap_a,gp_consult,all,17:00-23:00,2\n"
            "hap_a,gp_consult,all,25:00-23:00,2\n",
            3,
            ("rosters", "hap_a", "gp_consult", 1, "hours"),
            "impossible clock time",
        ),
        (
            "site,role,days,hours,staff\nhap_a,gp_consult,all,17:00-23:00,twee\n",
            2,
            ("rosters_csv",),
            "column 'staff': expected a whole number, got 'twee'",
        ),
        ("site,role,days,hours\n", 1, ("rosters_csv",), "lacks column(s) staff"),
        (
            "site,role,days,hours,staff,notes\n",
            1,
            ("rosters_csv",),
            "unknown column(s) 'notes'; allowed: site, role, days, hours, staff, name",
        ),
        (
            "site,role,days,hours,staff\nhap_a,gp_consult, ,17:00-23:00,1\n",
            2,
            ("rosters_csv",),
            "column 'days' is empty",
        ),
        ("site,role,days,hours,staff\n", None, ("rosters_csv",), "the CSV has no rows"),
    ],
)
def test_roster_csv_errors_name_the_csv_line(
    write_variant: WriteVariant,
    tmp_path: Path,
    text: str,
    line: int | None,
    path: tuple[Any, ...],
    words: str,
) -> None:
    _write(tmp_path / "r.csv", text)
    err = _error(write_variant("rosters_csv: r.csv\n"))
    assert (err.file, err.line, err.path) == (str(tmp_path / "r.csv"), line, path)
    assert words in err.message
    assert "variant.yaml" in str(err)  # the scenario being loaded is named too


def test_a_comment_column_is_ignored(write_variant: WriteVariant, tmp_path: Path) -> None:
    _write(
        tmp_path / "r.csv",
        "site;role;days;hours;staff;# why\nhap_c;gp_visit;sat+sun;10:00-14:00;1;extra car\n",
    )
    s = load_scenario(write_variant("rosters_csv: r.csv\n"))
    assert [(b.days, b.hours) for b in s.rosters["hap_c"]["gp_visit"]] == [
        (["sat", "sun"], "10:00-14:00")
    ]


# --------------------------------------------------------------------------- opening hours


def test_opening_csv_for_an_unknown_site_or_one_given_inline(
    write_variant: WriteVariant, tmp_path: Path
) -> None:
    _write(tmp_path / "o.csv", "site,days,hours\nhap_a,all,00:00-24:00\nhds,all,00:00-24:00\n")
    err = _error(write_variant("sites: {opening_csv: o.csv}\n"))
    assert (err.file, err.line) == (str(tmp_path / "o.csv"), 3)
    assert err.message == (
        "site 'hds' is not a GP post or SEH; opening_csv gives the opening hours of: "
        "hap_a, hap_b, hap_c, seh_1, seh_2"
    )
    _write(tmp_path / "o.csv", "site,days,hours\nseh_2,all,08:00-23:00\n")
    s = load_scenario(write_variant("sites: {opening_csv: o.csv}\n"))
    assert [b.hours for b in s.sites.sehs["seh_2"].opening] == ["08:00-23:00"]
    inline = (
        "sites:\n  opening_csv: o.csv\n"
        "  sehs: {seh_2: {opening: [{days: [all], hours: '08:00-20:00'}]}}\n"
    )
    err = _error(write_variant(inline, name="both.yaml"))
    assert (err.file, err.line) == (str(tmp_path / "o.csv"), 2)
    assert "sites.sehs.seh_2.opening is given both in sites" in err.message


def test_a_bad_opening_block_points_at_the_csv_line(
    write_variant: WriteVariant, tmp_path: Path
) -> None:
    _write(tmp_path / "o.csv", "site,days,hours\nhap_b,weekday,17:00-00:00\nhap_b,weekend,8-24\n")
    err = _error(write_variant("sites: {opening_csv: o.csv}\n"))
    assert (err.file, err.line) == (str(tmp_path / "o.csv"), 3)
    assert err.path == ("sites", "gp_posts", "hap_b", "opening", 1, "hours")


# --------------------------------------------------------------------------- profiles


def _profile_rows(profiles: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["profile", "day", *range(24)]]
    for name, profile in profiles.items():
        for day, weights in profile["day_hours"].items():
            rows.append([name, day, *(float(w) for w in weights)])
        if "holiday_hours" in profile:
            rows.append([name, "holiday", *(float(w) for w in profile["holiday_hours"])])
    return rows


def test_baseline_profiles_per_day_from_a_dutch_csv_give_the_same_hash(
    tmp_path: Path, baseline: Scenario, baseline_data: dict[str, Any]
) -> None:
    profiles = baseline_data["demand"]["profiles"]
    _write(tmp_path / "p.csv", _csv(_profile_rows(profiles), dutch=True), bom=True)
    assert "1,38" in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    multipliers = {
        n: {"multipliers": p["multipliers"]} for n, p in profiles.items() if "multipliers" in p
    }
    demand = {**baseline_data["demand"], "profiles": multipliers, "profiles_csv": "p.csv"}
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        yaml.safe_dump(_without(baseline_data, "demand", demand=demand), sort_keys=False),
        encoding="utf-8",
    )
    s = load_scenario(scenario)
    assert s.demand.profiles["gp_anw"].day_hours is not None
    assert s.demand.profiles["gp_anw"].day_hours["weekday"][18] == 1.38
    assert scenario_hash(s) == scenario_hash(baseline)


def test_profile_per_hour_of_week_equals_the_yaml_list(
    write_variant: WriteVariant, tmp_path: Path, baseline: Scenario
) -> None:
    week = [round(0.5 + (h % 24) / 10, 2) for h in range(168)]
    rows = [["hour_of_week", "profile", "weight"]] + [[h, "seh_24h", w] for h, w in enumerate(week)]
    _write(tmp_path / "p.csv", _csv(rows[:1] + rows[:0:-1], dutch=True))  # any row order
    from_csv = load_scenario(
        write_variant("demand: {profiles_csv: p.csv, profiles: {seh_24h: null}}\n")
    )
    yaml_body = {"demand": {"profiles": {"seh_24h": {"day_hours": None, "hour_of_week": week}}}}
    from_yaml = load_scenario(write_variant(yaml_body, name="yaml.yaml"))
    assert from_csv.demand.profiles["seh_24h"].hour_of_week == week
    assert scenario_hash(from_csv) == scenario_hash(from_yaml) != scenario_hash(baseline)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("profile,day,0,1\nx,all,1,1\n", 1, "one weight column per hour, 0 to 23; missing: 2, 3,"),
        ("profile,hour,weight\n", 1, "expected the columns profile, day, 0, 1, …, 23"),
        (
            "profile,day,"
            + ",".join(map(str, range(24)))
            + "\n"
            + "x,all,"
            + ",".join(["1"] * 24)
            + "\n"
            + "x,all,"
            + ",".join(["2"] * 24)
            + "\n",
            3,
            "profile 'x' has a second row for 'all' (the first is on line 2)",
        ),
        (
            "profile;hour_of_week;weight\nx;0;1\nx;2;1\n",
            2,
            "profile 'x' lacks hour_of_week 1, 3, 4,",
        ),
        ("profile;hour_of_week;weight\nx;168;1\n", 2, "must be 0 (Monday 00:00) to 167, got 168"),
        ("profile;hour_of_week;weight\nx;0;1\nx;0;1\n", 3, "gives hour_of_week 0 twice"),
        ("profile;hour_of_week;weight\nx;0;veel\n", 2, "column 'weight': expected a finite number"),
    ],
)
def test_bad_profiles_csv(
    write_variant: WriteVariant, tmp_path: Path, text: str, line: int, words: str
) -> None:
    _write(tmp_path / "p.csv", text)
    err = _error(write_variant("demand: {profiles_csv: p.csv}\n"))
    assert (err.file, err.line, err.path) == (
        str(tmp_path / "p.csv"),
        line,
        ("demand", "profiles_csv"),
    )
    assert words in err.message


def test_a_negative_weight_points_at_its_csv_row(
    write_variant: WriteVariant, tmp_path: Path
) -> None:
    weights = ["1"] * 24
    weights[5] = "-0,5"
    _write(
        tmp_path / "p.csv",
        "profile;day;"
        + ";".join(map(str, range(24)))
        + "\nseh_24h;all;"
        + ";".join(["1"] * 24)
        + "\nseh_24h;sun;"
        + ";".join(weights)
        + "\n",
    )
    err = _error(write_variant("demand: {profiles_csv: p.csv}\n"))
    assert (err.file, err.line) == (str(tmp_path / "p.csv"), 3)
    assert err.path == ("demand", "profiles", "seh_24h", "day_hours", "sun", 5)
