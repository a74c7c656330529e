"""The summary pages (`anwsim.report.page`): scenario and site names in the report's
language, scenario strings shown literally in ``report.md`` as in ``report.html``, and
provenance without the machine's folders.

One tiny comparison is run (two replications of one week); hostile names and an
absolute command line are then written into a copy of its manifest, since the pages
only read it.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from matplotlib.figure import Figure

import anwsim
from anwsim.report import Results, build_report, style
from anwsim.report.figures import display_names, site_names
from anwsim.report.page import html_page, markdown, md_escape, shown_command, shown_path

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
SHORT = ["run.horizon_weeks=1", "run.warmup_weeks=0.5"]

HOSTILE = [
    "<script>alert(1)</script>",
    "*bold* | x",
    "`tick` _under_ ~~strike~~",
    "[link](http://example.org) ![img](x.png)",
    "$x^2$ & &amp; &lt;b&gt; # \\n",
    "1. not a list",
    "- not a bullet",
    "<b>bold</b> <!-- c --> {curly}",
]
"""Scenario strings that mean something in Markdown or HTML; each must read as written."""
LONG = f"{HOSTILE[4]} {HOSTILE[7]}"
"""The variant's name: longer than figures show (34 characters)."""

VARIANT = """
name: Night closure B and C
sites:
  gp_posts:
    hap_b:
      opening:
        - {days: [weekday], hours: "17:00-23:00"}
        - {days: [weekend, holiday], hours: "08:00-23:00"}
"""


class _Text(HTMLParser):
    """The text a browser shows (no tags, entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _shown(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.tags


def _render(md: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("page")
    variant = root / "night.yaml"
    variant.write_text(f"extends: {BASELINE}\n{VARIANT}", encoding="utf-8")
    out = root / "results" / "compare"
    anwsim.compare(BASELINE, [variant], out=out, replications=2, overrides=SHORT, workers=1)
    return out


def _copy(compared: Path, target: Path, edit: Any) -> Results:
    shutil.copytree(compared, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Results.open(target)


@pytest.fixture(scope="module")
def hostile(compared: Path, tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The comparison with hostile names and labels, and an absolute command line."""
    root = tmp_path_factory.mktemp("hostile")

    def edit(m: dict[str, Any]) -> None:
        base, variant = m["scenarios"]["baseline"], m["scenarios"]["night"]
        base["name"] = base["scenario"]["name"] = HOSTILE[0] + " " + HOSTILE[1]
        base["scenario"]["names"] = {"nl": HOSTILE[2], "en": HOSTILE[3]}
        variant["name"] = variant["scenario"]["name"] = LONG
        variant["scenario"].pop("names", None)  # falls back to name in both languages
        variant["scenario"]["sites"]["gp_posts"]["hap_b"]["names"] = {"en": HOSTILE[5]}
        variant["source"] = str(root / "night.yaml")
        m["command"] = [
            "/home/planner/.venv/bin/anwsim",
            "compare",
            str(BASELINE),
            str(root / "night.yaml"),
            f"--out={root}/results/compare",
            "--set",
            "run.seed=7",
            "--grid",
            f"{HOSTILE[6]}={HOSTILE[7]}",
        ]

    return _copy(compared, root / "results" / "compare", edit)


# --------------------------------------------------------------------------- names


def test_scenario_names_follow_the_language(hostile: Results) -> None:
    nl = display_names(hostile, "nl", full=True)
    en = display_names(hostile, "en", full=True)
    assert nl == {"baseline": f"{HOSTILE[2]} (basis)", "night": LONG}
    assert en == {"baseline": f"{HOSTILE[3]} (base)", "night": LONG}
    short = display_names(hostile, "en")
    assert short["night"] == LONG[:33] + "…"  # figures shorten, tables do not


def test_the_shipped_names_reach_the_report(compared: Path) -> None:
    results = Results.open(compared)
    assert display_names(results, "nl")["baseline"] == "S0 Huidige situatie (basis)"
    assert display_names(results, "en")["baseline"] == "S0 Current situation (base)"
    # the variant gave a new name without names: the baseline's are not inherited
    assert display_names(results, "nl")["night"] == "Night closure B and C"
    sites = site_names(results, "nl")
    assert sites["hap_a"] == "HAP A (Goes)"
    assert sites["amb_hulst"] == "Ambulancestandplaats Hulst"
    assert site_names(results, "en")["amb_hulst"] == "Ambulance station Hulst"
    assert site_names(results, "en")["spoedpost_goes"] == "Spoedpost Goes (GP post A + SEH 1)"
    assert set(sites) == {
        "hds",
        "hap_a",
        "hap_b",
        "hap_c",
        "seh_1",
        "seh_2",
        "spoedpost_goes",
        *(f"amb_{t}" for t in ("goes", "middelburg", "vlissingen", "zierikzee")),
        *(f"amb_{t}" for t in ("terneuzen", "hulst", "oostburg")),
    }


def test_site_names_per_scenario_and_fallback(hostile: Results) -> None:
    assert site_names(hostile, "en", "night")["hap_b"] == HOSTILE[5]
    assert (
        site_names(hostile, "nl", "night")["hap_b"]
        == "HAP B (Terneuzen, co-located with hospital 2)"
    )
    assert site_names(hostile, "en")["hap_b"] == "GP post B (Terneuzen)"  # the base's wins
    assert site_names(hostile, "en", "baseline")["hap_b"] == "GP post B (Terneuzen)"


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("line", ["{}", "| {} |\n|---|", "# {}", "- **k**: {}", "> {}"])
def test_md_escape_renders_to_the_text(text: str, line: str) -> None:
    shown, tags = _shown(_render(line.format(md_escape(text))))
    assert text in shown
    assert tags == _shown(_render(line.format("plain")))[1]  # no tag of its own


def test_both_pages_show_hostile_names_literally(hostile: Results, tmp_path: Path) -> None:
    figure = Figure()
    figure.suptitle(HOSTILE[1])
    style.set_caption(figure, f"caption {HOSTILE[0]} {HOSTILE[2]}")
    figures = {"demo": figure}
    files = {"demo": [tmp_path / "demo.png"]}
    for lang in ("en", "nl"):
        md = markdown(hostile, figures, files, lang, tmp_path)
        page = html_page(hostile, figures, lang)
        md_text, md_tags = _shown(_render(md))
        html_text, html_tags = _shown(page)
        own = HOSTILE[3] if lang == "en" else HOSTILE[2]
        for text in (own, LONG, HOSTILE[0], HOSTILE[7]):
            assert text in md_text, (lang, text)
            assert text in html_text, (lang, text)
        assert HOSTILE[1] in md_text  # the figure's title: a heading in report.md
        assert 'alt="*bold* | x"' in page  # in report.html the image's alt text
        for tags in (md_tags, html_tags):
            assert not {"script", "b", "code", "del", "ol"} & set(tags)
        # the same structure on both pages: each note in italics is a <small> in the HTML
        assert md_tags.count("em") == html_tags.count("small") >= 1
        assert md_tags.count("a") == 1 and "a" not in html_tags  # the figure file's link
        assert md_tags.count("table") == html_tags.count("table") >= 2
        assert md_tags.count("img") == 1  # the figure's link, and no other


# --------------------------------------------------------------------------- provenance


def test_paths_are_shortened(tmp_path: Path) -> None:
    here = tmp_path / "project" / "results" / "run-1"
    assert shown_path(str(tmp_path / "project" / "scenarios" / "a.yaml"), here) == (
        "../../scenarios/a.yaml"
    )
    assert shown_path(str(here / "x.yaml"), here) == "x.yaml"
    assert shown_path("/elsewhere/deep/down/a.yaml", here) == "a.yaml"
    assert shown_path("scenarios/a.yaml", here) == "scenarios/a.yaml"  # as typed
    assert shown_path("C:\\Users\\planner\\a.yaml", here) == "a.yaml"
    command = shown_command(
        [
            "/opt/venv/bin/anwsim",
            "run",
            "/srv/data/s.yaml",
            f"--out={here}",
            "--set",
            "name=a b",
        ],
        here,
    )
    assert command == "anwsim run s.yaml --out=. --set 'name=a b'"
    assert shown_command(["/x/anwsim/__main__.py", "run"], here) == "python -m anwsim run"
    assert shown_command([], here) == ""


def test_no_machine_path_on_either_page(hostile: Results, compared: Path) -> None:
    machine = [str(hostile.directory.parent.parent), str(compared.parent), str(REPO_ROOT)]
    machine.append("/home/planner")
    figures = build_report(hostile.directory, formats=["png"], lang="nl")
    report = hostile.directory / "report"
    md = (report / "report.md").read_text(encoding="utf-8")
    page = (report / "report.html").read_text(encoding="utf-8")
    for text in (md, page):
        for path in machine:
            assert path not in text, path
    md_text, _ = _shown(_render(md))
    assert "anwsim compare baseline.yaml ../../night.yaml --out=. --set run.seed=7" in md_text
    assert re.search(r"Resultatenmap\s*:\s*compare\b", md_text)
    assert "| baseline | " in md and "| baseline.yaml |" in md  # the source by name
    assert "../../night.yaml" in _shown(page)[0]
    assert set(figures) <= {p.stem for p in report.glob("*.png")}
