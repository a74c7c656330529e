"""The front door of scenario input: files that are not small regular files, input that
would recurse or expand without end, odd ``--set`` and ``--grid`` values, base-60
numbers, travel matrices with repeats, and terminal escapes in what is printed.

Every mistake must become one line on stderr, ``error: FILE[:LINE]: field.path: what``,
exit status 2, quickly: never a traceback, a hang or a silent nonsense value. Inputs
that could hang (FIFOs, /dev/zero) are only tried in a subprocess with a timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from anwsim.cli import main
from anwsim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    loading,
    scenario_hash,
    yaml_loader,
)
from anwsim.scenario.errors import safe_text
from anwsim.scenario.safe_files import UnreadableFile, read_regular_file

WriteVariant = Callable[..., Path]
ENTRY = [sys.executable, "-c", "from anwsim.cli import main; main()"]
HANG_LIMIT = 60  # seconds before a subprocess counts as hung
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")


def run_cli(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the real ``anwsim`` in a subprocess; a hang fails the test, not the suite."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [*ENTRY, *args], capture_output=True, text=True, timeout=HANG_LIMIT, cwd=cwd
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"anwsim {' '.join(args)[:200]} did not finish in {HANG_LIMIT} s")
    return proc, time.monotonic() - start


def assert_error_lines(stderr: str, expected: list[tuple[str, ...]]) -> list[str]:
    """One ``error:`` line per entry of ``expected``, each holding all its parts."""
    assert "Traceback" not in stderr
    assert stderr.endswith("\n"), stderr
    lines = stderr.splitlines()
    assert len(lines) == len(expected), stderr
    for line, parts in zip(lines, expected, strict=True):
        assert line.startswith("error: "), line
        for part in parts:
            assert part in line, f"{part!r} not in {line!r}"
    return lines


def assert_one_error(result: object, *parts: str) -> str:
    """A CliRunner result that is one clean error line holding ``parts``, exit 2."""
    exc = getattr(result, "exception", None)
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert getattr(result, "exit_code", None) == 2, getattr(result, "output", "")
    assert getattr(result, "stdout", "") == ""
    (line,) = assert_error_lines(getattr(result, "stderr", ""), [parts])
    return line


def baseline_child(tmp_path: Path, name: str, body: str, baseline_path: Path) -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {baseline_path}\n{body}", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- files


@needs_fifo
@needs_dev_zero
def test_files_that_are_not_small_regular_files_in_a_real_process(
    tmp_path: Path, baseline_path: Path
) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "x.yaml").symlink_to("/dev/zero")
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    for name, size in (("big.yaml", 200), ("big.csv", 60)):  # sparse: no disk used
        with (tmp_path / name).open("wb") as handle:
            handle.truncate(size * 2**20)
    (tmp_path / "loop_a.yaml").symlink_to(tmp_path / "loop_b.yaml")
    (tmp_path / "loop_b.yaml").symlink_to(tmp_path / "loop_a.yaml")

    def child(name: str, body: str) -> str:
        return baseline_child(tmp_path, name, body, baseline_path).name

    (tmp_path / "ext_pipe.yaml").write_text("extends: pipe.yaml\nname: x\n")
    (tmp_path / "ext_loop.yaml").write_text("extends: loop_a.yaml\nname: x\n")
    (tmp_path / "ext_zero.yaml").write_text("name: x\nextends: x.yaml\n")
    cases: list[tuple[str, tuple[str, ...]]] = [
        ("pipe.yaml", ("error: pipe.yaml: ", "FIFO")),
        ("x.yaml", ("error: x.yaml: ", "character device")),
        ("big.yaml", ("error: big.yaml: ", "5 MB")),
        ("loop_a.yaml", ("error: loop_a.yaml: ", "symbolic links")),
        ("ext_pipe.yaml", ("error: ext_pipe.yaml:1: extends: ", "pipe.yaml", "FIFO")),
        ("ext_loop.yaml", ("error: ext_loop.yaml:1: extends: ", "loop_a.yaml", "symbolic")),
        ("ext_zero.yaml", ("error: ext_zero.yaml:2: extends: ", "x.yaml", "device")),
        (
            child("areas_pipe.yaml", "region:\n  areas_csv: pipe.csv\n"),
            ("error: areas_pipe.yaml:3: region.areas_csv: ", "pipe.csv", "FIFO"),
        ),
        (
            child("areas_zero.yaml", "region:\n  areas_csv: zero.csv\n"),
            ("error: areas_zero.yaml:3: region.areas_csv: ", "zero.csv", "device"),
        ),
        (
            child("areas_big.yaml", "region:\n  areas_csv: big.csv\n"),
            ("error: areas_big.yaml:3: region.areas_csv: ", "big.csv", "50 MB"),
        ),
        (
            child("matrix_pipe.yaml", "travel:\n  method: matrix\n  matrix_csv: pipe.csv\n"),
            ("error: matrix_pipe.yaml:4: travel.matrix_csv: ", "pipe.csv", "FIFO"),
        ),
    ]
    proc, elapsed = run_cli("validate", *(name for name, _ in cases), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_error_lines(proc.stderr, [parts for _, parts in cases])
    assert elapsed < 15, f"took {elapsed:.1f} s"


def test_input_that_would_recurse_or_expand_in_a_real_process(tmp_path: Path) -> None:
    chain = tmp_path / "chain"
    chain.mkdir()
    for i in range(1200):
        body = f"extends: c{i + 1}.yaml\n" if i < 1199 else "name: end\n"
        (chain / f"c{i}.yaml").write_text(body)
    deep_map = "".join("  " * i + "a:\n" for i in range(1200)) + "  " * 1200 + "b: 1\n"
    (tmp_path / "deep_map.yaml").write_text(deep_map)
    (tmp_path / "deep_list.yaml").write_text("name: " + "[" * 500 + "]" * 500 + "\n")
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    long_name = "n" * 5000 + ".yaml"
    cases: list[tuple[str, tuple[str, ...]]] = [
        ("chain/c0.yaml", ("error: chain/c31.yaml:1: extends: ", "32", "(loading chain/c0.yaml)")),
        ("deep_map.yaml", ("error: deep_map.yaml:51: " + ".".join(["a"] * 50), "deeper than 50")),
        ("deep_list.yaml", ("error: deep_list.yaml:1: name[0][0]", "deeper than 50")),
        ("bomb.yaml", ("error: bomb.yaml:", "200,000 values")),
        (long_name, (f"error: {long_name}: ", "too long")),
    ]
    proc, elapsed = run_cli("validate", *(name for name, _ in cases), cwd=tmp_path)
    assert proc.returncode == 2
    assert_error_lines(proc.stderr, [parts for _, parts in cases])
    assert elapsed < 15, f"took {elapsed:.1f} s"


@needs_fifo
@needs_dev_zero
def test_scenarios_lists_a_folder_with_a_fifo_and_a_device(
    tmp_path: Path, baseline_path: Path
) -> None:
    os.mkfifo(tmp_path / "b_pipe.yaml")
    (tmp_path / "c_zero.yaml").symlink_to("/dev/zero")
    baseline_child(tmp_path, "a\x1b[2J.yaml", "description: Fine\n", baseline_path)
    proc, elapsed = run_cli("scenarios", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["a\\x1b[2J.yaml", "b_pipe.yaml", "c_zero.yaml"]
    assert lines[0].endswith("  Fine")
    assert "INVALID" in lines[1] and "FIFO" in lines[1]
    assert "INVALID" in lines[2] and "device" in lines[2]
    assert "\x1b" not in proc.stdout and "\x9b" not in proc.stdout
    assert elapsed < 15, f"took {elapsed:.1f} s"


def test_scenarios_needs_a_directory(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "file.yaml").write_text("name: x\n")
    result = cli.invoke(main, ["scenarios", str(tmp_path / "file.yaml")])
    assert_one_error(result, f"error: {tmp_path / 'file.yaml'}: not a directory")
    result = cli.invoke(main, ["scenarios", str(tmp_path / "nowhere")])
    assert_one_error(result, f"error: {tmp_path / 'nowhere'}: no such directory")


def test_read_regular_file_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    small = tmp_path / "small.txt"
    small.write_bytes(b"abc")
    assert read_regular_file(small, limit=3, kind="YAML") == b"abc"
    with pytest.raises(UnreadableFile, match="more than the 2 bytes allowed for a YAML file"):
        read_regular_file(small, limit=2, kind="YAML")
    with pytest.raises(UnreadableFile, match="directory") as info:
        read_regular_file(tmp_path, limit=10, kind="CSV")
    assert not info.value.missing
    with pytest.raises(UnreadableFile, match="file not found") as info:
        read_regular_file(tmp_path / "nope", limit=10, kind="CSV")
    assert info.value.missing
    with pytest.raises(UnreadableFile, match="NUL"):
        read_regular_file(str(tmp_path / "a\0b"), limit=10, kind="CSV")


def test_bad_file_names_in_process(cli: CliRunner, tmp_path: Path, baseline_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "ext_loop.yaml").write_text("extends: loop.yaml\n")
    (tmp_path / "ext_nul.yaml").write_text('extends: "a\\0b.yaml"\n')
    (tmp_path / "ext_empty.yaml").write_text('extends: ""\n')
    baseline_child(tmp_path, "csv_nul.yaml", 'region: {areas_csv: "a\\0b.csv"}\n', baseline_path)
    baseline_child(
        tmp_path, "csv_long.yaml", f"region: {{areas_csv: {'c' * 5000}}}\n", baseline_path
    )
    (tmp_path / "dir.yaml").mkdir()
    names = ["ext_loop", "ext_nul", "ext_empty", "csv_nul", "csv_long", "dir"]
    result = cli.invoke(main, ["validate", *(str(tmp_path / f"{n}.yaml") for n in names)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert_error_lines(
        result.stderr,
        [
            ("ext_loop.yaml:1: extends: ", "symbolic links"),
            ("ext_nul.yaml:1: extends: ", "a\\x00b.yaml", "NUL"),
            ("ext_empty.yaml:1: extends: ", "file name"),
            ("csv_nul.yaml:2: region.areas_csv: ", "a\\x00b.csv", "NUL"),
            ("csv_long.yaml:2: region.areas_csv: ", "too long"),
            ("dir.yaml: ", "directory"),
        ],
    )


# --------------------------------------------------------------------------- YAML limits


def test_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match="expands to more than 200,000 values") as info:
        load_scenario(path)
    assert time.perf_counter() - start < 0.5
    assert info.value.file == str(path) and info.value.line == 6  # f: 9**6 values
    assert info.value.path == ("f", 1)


def test_aliases_count_towards_depth_and_cycles_are_refused(tmp_path: Path) -> None:
    # each level nests the previous one 10 deeper: no line is deep, the data is
    lines = ["l0: &l0 [1]"]
    for i in range(1, 8):
        lines.append(f"l{i}: &l{i} " + "[" * 10 + f"*l{i - 1}" + "]" * 10)
    path = tmp_path / "deep_alias.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match="deeper than 50 levels") as info:
        load_scenario(path)
    assert info.value.line == 6
    assert info.value.path == ("l5", *[0] * 10)
    cycle = tmp_path / "cycle.yaml"
    cycle.write_text("name: x\nlist: &a [1, *a]\n")
    with pytest.raises(ScenarioError, match="contains it") as info:
        load_scenario(cycle)
    assert (info.value.line, info.value.path) == (2, ("list", 1))


def test_the_value_budget_covers_the_whole_extends_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loading, "MAX_NODES", 12)
    (tmp_path / "parent.yaml").write_text("a: [1, 2, 3, 4, 5]\n")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\nb: [1, 2, 3, 4]\n")
    with pytest.raises(ScenarioError, match="more than 12 values") as info:
        loading.resolve_data(tmp_path / "child.yaml")
    assert info.value.file == str(tmp_path / "parent.yaml")


def test_recursion_error_is_a_last_resort(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, baseline_path: Path
) -> None:
    def recurse(*args: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(loading, "resolve_data", recurse)
    with pytest.raises(ScenarioError, match="nested too deeply") as info:
        load_scenario(baseline_path)
    assert info.value.file == str(baseline_path)


def test_yaml_is_parsed_once_with_the_c_parser_when_there_is_one() -> None:
    if yaml.__with_libyaml__:
        from yaml.cyaml import CParser

        assert issubclass(yaml_loader.ScenarioLoader, CParser)
    node, data, size = yaml_loader.compose("a: &x [1, 2]\nb: *x\n")
    assert data == {"a": [1, 2], "b": [1, 2]}
    assert size == 1 + 2 * (1 + 1 + 2)  # the map; two keys; the list twice, as expanded
    assert node is not None and node.start_mark.line == 0


def test_load_is_fast(baseline_path: Path) -> None:
    load_scenario(baseline_path)
    best = min(_timed(lambda: load_scenario(baseline_path)) for _ in range(3))
    assert best < 1.0  # about 0.07 s; 0.2-0.3 s when every file was parsed twice in Python


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_syntax_errors_and_duplicate_keys_keep_their_lines(tmp_path: Path) -> None:
    cases = {
        "name: x\nrun:\n  seed: [1, 2\n  other: 3\n": (4, None, "not valid YAML"),
        "name: x\nrun:\n  seed: 1\n  seed: 2\n": (4, ("run", "seed"), "appears twice"),
        "name: x\nholidays:\n  - 2025-01-01\n  - 2025-02-30\n": (4, ("holidays", 1), "valid"),
        "name: x\nlist: {[1]: 2}\n": (2, None, "unhashable key"),
        "name: x\n\x1b[2J: 1\n": (2, None, "not valid YAML"),
        "a: 1\n---\nb: 2\n": (2, None, "not valid YAML"),
    }
    for n, (text, (line, path, words)) in enumerate(cases.items()):
        file = tmp_path / f"case{n}.yaml"
        file.write_text(text)
        with pytest.raises(ScenarioError) as info:
            load_scenario(file)
        err = info.value
        assert (err.line, err.path) == (line, path), (text, str(err))
        assert words in err.message, str(err)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\ndescription: Zeeuws-Vlaanderen ë\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"not UTF-8 text .*line 2"):
        load_scenario(path)


# --------------------------------------------------------------------------- base-60


def test_sexagesimal_numbers_are_not_read(write_variant: WriteVariant) -> None:
    for text in ("1:30:00", "1:30", "-1:30"):
        path = write_variant(f"run:\n  seed: {text}\n")
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        assert (info.value.line, info.value.path) == (3, ("run", "seed")), str(info.value)
        assert text in str(info.value)
    path = write_variant("travel:\n  speed_kmh: 1:30.5\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.path == ("travel", "speed_kmh")
    path = write_variant("run:\n  seed: !!int 1:30\n")
    with pytest.raises(ScenarioError, match="base-60"):
        load_scenario(path)


def test_sexagesimal_in_set_is_refused(cli: CliRunner, baseline_path: Path) -> None:
    result = cli.invoke(main, ["validate", str(baseline_path), "--set", "run.seed=1:30:00"])
    assert_one_error(result, "error: --set run.seed=1:30:00: run.seed: ", "1:30:00")


def test_hours_still_read_quoted_and_unquoted(
    tmp_path: Path, baseline_path: Path, baseline: Scenario
) -> None:
    text = baseline_path.read_text(encoding="utf-8")
    unquoted = re.sub(r'hours: "([0-9:-]+)"', r"hours: \1", text)
    assert unquoted.count("hours: 17:00-08:00") >= 1
    path = tmp_path / "unquoted.yaml"
    path.write_text(unquoted, encoding="utf-8")
    assert scenario_hash(load_scenario(path)) == scenario_hash(baseline)
    assert yaml_loader.load_value("17:00-08:00") == "17:00-08:00"
    assert yaml_loader.load_value("[6.0e1, 1e5, 7, 0.5, 2025-01-01]")[:4] == [60.0, 1e5, 7, 0.5]


# --------------------------------------------------------------------------- --set, --grid


@pytest.mark.parametrize(
    ("override", "parts"),
    [
        ("a=!!python/object:x", ("error: --set a=!!python/object:x: a: ", "YAML")),
        ("=5", ("error: --set: ", "empty step", "path.to.field=value")),
        ("x.=1", ("error: --set: ", "empty step", "'x.'")),
        ("run.seed={a: [1", ("error: --set run.seed={a: [1: run.seed: ", "not a valid YAML")),
        ("run.seed=" + "[" * 500, ("error: --set run.seed=[[[", "...: run.seed[0][0]", "deeper")),
        (
            "name=" + "[" * 500 + "]" * 500,
            ("error: --set name=", "...: name[0][0]", "deeper than 50"),
        ),
        (".".join(["a"] * 60) + "=1", ("error: --set: ", "60 steps", "at most 50")),
        ("a.\u00b2=1", ("error: --set a.\u00b2=1: a: ", "unknown field")),
        ("run.seed=#just a comment", ("run.seed: ", "empty", "null")),
        ("run.seed=2025-02-30", ("run.seed: ", "not a valid value")),
        ("run.seed=\x1b[2J", ("error: --set run.seed=\\x1b[2J: run.seed: ", "control characters")),
        ("run.replications", ("error: --set: ", "path=value")),
    ],
)
def test_odd_set_values(
    cli: CliRunner, baseline_path: Path, override: str, parts: tuple[str, ...]
) -> None:
    result = cli.invoke(main, ["validate", str(baseline_path), "--set", override])
    line = assert_one_error(result, *parts)
    assert not re.search("[\x00-\x1f\x7f-\x9f]", line), repr(line)
    assert len(line) < 400  # a long value is shortened where it names the option


@pytest.mark.parametrize(
    ("grid", "parts"),
    [
        ("run.seed=", ("error: --grid run.seed=: ", "PATH=V1,V2")),
        ("gp.x=[1,2", ("error: --grid gp.x=[1,2: gp.x: ", "split at commas")),
        ("=1,2", ("error: --grid =1,2: ", "field path")),
        ("a..b=1", ("error: --grid a..b=1: ", "empty step", "--grid PATH")),
        ("a.b=1,,2", ("error: --grid a.b=1,,2: a.b: ", "empty")),
        ("a.b=!!python/name:os.system", ("a.b: ", "not a valid YAML value")),
        ("a.b=" + "[" * 500, ("error: --grid a.b=[[[", "deeper than 50")),
        ("a.b=1:30", ("error: ", "missing.yaml", "file not found")),  # parsed: a string
    ],
)
def test_odd_grid_values(cli: CliRunner, tmp_path: Path, grid: str, parts: tuple[str, ...]) -> None:
    # a grid that parses reaches the (missing) scenario file, so nothing is ever run
    missing = str(tmp_path / "missing.yaml")
    result = cli.invoke(main, ["sweep", missing, "--grid", grid, "--reps", "1"])
    assert_one_error(result, *parts)


def test_grid_field_given_twice(cli: CliRunner, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yaml")
    result = cli.invoke(main, ["sweep", missing, "--grid", "a.b=1", "--grid", "a.b=2"])
    assert_one_error(result, "error: --grid a.b=2: a.b: ", "two --grid")


# --------------------------------------------------------------------------- CSV files


MATRIX_HEADER = "from,to,minutes\n"


@pytest.mark.parametrize(
    ("rows", "line", "words"),
    [
        ("a,b,5\nb,a,6\na,b,7\n", 4, "twice with different minutes (5 on line 2, 7 here)"),
        ("a,b,5\na,a,0\n", 3, "to itself"),
        ("a,b,inf\n", 2, "finite"),
        ("a,b,nan\n", 2, "finite"),
        ("a,b,1e999\n", 2, "finite"),
        ("a,b,-1\n", 2, ">= 0"),
        (" ,b,1\n", 2, "'from' is empty"),
        ("a,,1\n", 2, "'to' is empty"),
        ("a,b\n", 2, "2 cell(s)"),
        ("a,b,1,2\n", 2, "4 cell(s)"),
        ('a,b,"1\n2"\nc,d,1\n', 3, "finite number"),
        ('a,b,"5\n', 2, "not valid CSV: unexpected end of data"),
    ],
)
def test_bad_matrix_csv(write_variant: WriteVariant, rows: str, line: int, words: str) -> None:
    csv_path = write_variant(MATRIX_HEADER + rows, name="m.csv", extends=None)
    path = write_variant("travel:\n  method: matrix\n  matrix_csv: m.csv\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert (err.file, err.line, err.path) == (str(csv_path), line, ("travel", "matrix_csv"))
    assert words in err.message, str(err)


def test_matrix_csv_repeat_with_same_minutes_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(MATRIX_HEADER + "a,b,5\n\na,b,5.0\nb,a,6\n")
    assert loading.load_matrix_csv(path) == {"a": {"b": 5.0}, "b": {"a": 6.0}}


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("x,X,10,inf,3.6", "'latitude': expected a finite number"),
        ("x,X,10,51.5,nan", "'longitude': expected a finite number"),
        ("x,X,10,1e999,3.6", "'latitude'"),
        ("x,X,nan,51.5,3.6", "'population': expected a whole number"),
        ("x,X,10,51.5", "4 cell(s)"),
    ],
)
def test_bad_areas_csv_numbers(write_variant: WriteVariant, row: str, words: str) -> None:
    header = "id,name,population,latitude,longitude\n"
    csv_path = write_variant(header + row + "\n", name="a.csv", extends=None)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_variant("region: {areas_csv: a.csv}\n"))
    err = info.value
    assert (err.file, err.line, err.path) == (str(csv_path), 2, ("region", "areas_csv"))
    assert words in err.message, str(err)


def test_csv_header_naming_a_column_twice(write_variant: WriteVariant) -> None:
    write_variant("id,name,id,population,latitude,longitude\n", name="a.csv", extends=None)
    with pytest.raises(ScenarioError, match="'id' twice"):
        load_scenario(write_variant("region: {areas_csv: a.csv}\n"))


# --------------------------------------------------------------------------- terminal text


def test_safe_text_escapes_what_a_terminal_acts_on() -> None:
    assert safe_text("Zeeuws-Vlaanderen — ë, 17:00") == "Zeeuws-Vlaanderen — ë, 17:00"
    assert safe_text("a\x1b[2Jb\x9bc\x7fd\ne\tf\x00") == "a\\x1b[2Jb\\x9bc\\x7fd\\x0ae\\x09f\\x00"
    assert safe_text("left\u202eright\u2028") == "left\\u202eright\\u2028"
    assert safe_text("caf\udce9.yaml") == "caf\\xe9.yaml"  # a byte that was not UTF-8
    assert str(ScenarioError("bad \x1b]0;x\x07", file="f\x1b.yaml", path=("a\x9b",))) == (
        "f\\x1b.yaml: a\\x9b: bad \\x1b]0;x\\x07"
    )


def test_validate_and_errors_print_control_characters_escaped(
    cli: CliRunner, tmp_path: Path, baseline_path: Path
) -> None:
    good = baseline_child(tmp_path, "good\x1b[31m\x9b.yaml", "name: R\n", baseline_path)
    bad = baseline_child(tmp_path, "bad\x1b[2J.yaml", 'run: {seed: "\\e]0;t\\a"}\n', baseline_path)
    result = cli.invoke(main, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    shown_good = str(good).replace("\x1b", "\\x1b").replace("\x9b", "\\x9b")
    assert result.stdout.startswith(f"ok: {shown_good} (R, hash ")
    assert_error_lines(result.stderr, [("bad\\x1b[2J.yaml:2: run.seed: ", "\\x1b]0")])
    for text in (result.stdout, result.stderr):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), repr(text)
    shown = cli.invoke(main, ["show", str(good)])
    assert shown.exit_code == 0
    assert shown.stdout.startswith(f"# {shown_good} resolved; ")
    assert "\x1b" not in shown.stdout and "\x9b" not in shown.stdout
    missing = cli.invoke(main, ["show", str(tmp_path / "no\x9b.yaml")])
    assert_one_error(missing, "no\\x9b.yaml: file not found")
