"""The one-page summary: headline KPI table, provenance and the figures, as Markdown
(figures linked as files) and as self-contained HTML (figures embedded as base64 PNGs).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import quote

import numpy as np
from matplotlib.figure import Figure

from anwsim import __version__
from anwsim.metrics.definitions import REPORT_HEADLINE
from anwsim.report import labels as L
from anwsim.report import ranking, style
from anwsim.report.data import Results
from anwsim.report.figures import display_names


def _cell(mean: float, hw: float, lang: str, digits: int) -> str:
    text = L.number(mean, lang, digits)
    if np.isfinite(hw):
        text += f" ± {L.number(hw, lang, digits)}"
    return text


def headline_rows(results: Results, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the headline table, as display strings."""
    names = display_names(results, lang, standalone=True)
    labels = results.labels
    header = [
        L.t("page.col.kpi", lang),
        L.t("page.col.group", lang),
        L.t("page.col.unit", lang),
        L.t("page.col.norm", lang),
        *[names[x] for x in labels],
    ]
    s = results.summary
    d = results.differences
    rows = []
    for kpi, group in REPORT_HEADLINE:
        sub = s[(s["kpi"] == kpi) & (s["group"] == group)]
        if sub.empty:
            continue
        unit = str(sub["unit"].iloc[0])
        digits = 2 if kpi == "answer_time_mean" else 1
        norm = float(sub["norm"].iloc[0])
        target = float(sub["target"].iloc[0])
        norm_text = ""
        if np.isfinite(norm):
            norm_text = f"≤ {L.minutes(norm, lang)}"
            if np.isfinite(target):
                norm_text += f", {L.percent(target, lang)}"
        cells = []
        for label in labels:
            mean, hw = results.value(label, kpi, group)
            text = _cell(mean, hw, lang, digits)
            if results.kind == "compare" and label != results.base and not d.empty:
                row = d[(d["scenario"] == label) & (d["kpi"] == kpi) & (d["group"] == group)]
                if not row.empty:
                    diff = float(row["difference"].iloc[0])
                    dhw = float(row["half_width"].iloc[0])
                    mark = "*" if bool(row["significant"].iloc[0]) else ""
                    spread = f" ± {L.number(dhw, lang, digits)}" if np.isfinite(dhw) else ""
                    text += f" ({L.signed(diff, lang, digits)}{spread}{mark})"
            cells.append(text)
        rows.append([L.kpi(kpi, lang), L.group(group, lang), L.unit(unit, lang), norm_text, *cells])
    return header, rows


MAX_UP = 2
"""A source file is shown relative to the result directory when it lies at most this
many folders up (``../scenarios/a.yaml``, ``../../scenarios/a.yaml``), else by name."""


def _is_absolute(text: str) -> bool:
    return PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute()


def shown_path(text: str, directory: Path) -> str:
    """A path for the page without the machine's folders: a relative one as it was given,
    an absolute one relative to the result ``directory`` when that stays close to it
    (`MAX_UP`), else its file name."""
    if not PurePosixPath(text).is_absolute():
        return PureWindowsPath(text).name if PureWindowsPath(text).is_absolute() else text
    relative = Path(os.path.relpath(text, directory.resolve()))
    if relative.parts.count("..") <= MAX_UP:
        return relative.as_posix()
    return PurePosixPath(text).name or text


def shown_command(argv: Sequence[object], directory: Path) -> str:
    """The command line as a shell would take it, with the program by name and every
    absolute path (also after ``--opt=``, ``KEY=``) shortened by `shown_path`."""
    if not argv:
        return ""
    program = Path(str(argv[0])).name
    words = ["python -m anwsim" if program == "__main__.py" else program]
    for arg in map(str, argv[1:]):
        key, sep, value = arg.partition("=")
        if sep and _is_absolute(value) and not _is_absolute(key):
            words.append(shlex.quote(f"{key}={shown_path(value, directory)}"))
        else:
            words.append(shlex.quote(shown_path(arg, directory)))
    return " ".join(words)


def provenance(results: Results, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs: what was run, with which seed, versions and command."""
    m = results.manifest
    first = results.scenario(results.labels[0])
    versions = m.get("versions") or {}
    items = [
        (L.t("page.kind", lang), L.t(f"page.kind.{results.kind}", lang)),
        (L.t("page.directory", lang), results.directory.resolve().name),
        (L.t("page.seed", lang), str(m.get("seed", first.run.seed))),
        (
            L.t("page.col.replications", lang),
            ", ".join(f"{k}: {v}" for k, v in results.replications.items()),
        ),
        (
            L.t("page.horizon", lang),
            L.t(
                "page.horizon_value",
                lang,
                horizon=L.number(first.run.n_days / 7, lang, 1 if first.run.n_days % 7 else 0),
                warmup=L.number(first.run.warmup_weeks, lang, 1),
            ),
        ),
    ]
    if results.kind == "sweep" and m.get("grid"):
        grid = "; ".join(f"{p} = {', '.join(map(str, v))}" for p, v in m["grid"].items())
        items.append((L.t("page.grid", lang), grid))
    items += [
        (
            L.t("page.versions", lang),
            ", ".join(f"{k} {v}" for k, v in versions.items()) or f"anwsim {__version__}",
        ),
        (L.t("page.command", lang), shown_command(m.get("command") or [], results.directory)),
        (L.t("page.started", lang), str(m.get("started", ""))),
        (
            L.t("page.created", lang),
            f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} (anwsim {__version__})",
        ),
    ]
    return items


def scenario_rows(results: Results, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the provenance table: each scenario's label, full name, file
    (`shown_path`), hash and replications."""
    names = display_names(results, lang, standalone=True, full=True)
    header = [
        L.t("page.col.label", lang),
        L.t("page.col.scenario", lang),
        L.t("page.col.source", lang),
        L.t("page.col.hash", lang),
        L.t("page.col.replications", lang),
    ]
    rows = []
    for label in results.labels:
        entry = results.manifest["scenarios"][label]
        rows.append(
            [
                label,
                names[label],
                shown_path(str(entry.get("source") or ""), results.directory),
                str(entry.get("hash", ""))[:12],
                str(results.replications[label]),
            ]
        )
    return header, rows


def notes(results: Results, lang: str) -> list[str]:
    out = [L.t(f"page.note.{n}", lang) for n in results.notes]
    return out


def _title(results: Results, lang: str) -> str:
    name = display_names(results, lang)[results.labels[0]]
    return L.t(f"page.title.{results.kind}", lang, name=name)


# --------------------------------------------------------------------------- Markdown


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~$])")
"""Characters with a meaning in Markdown anywhere in a line (CommonMark emphasis, code,
links and closing ``#``; GitHub's table pipes, strikethrough and ``$`` math); each is
written with a backslash before it. Without ``[``, ``(`` and ``!`` start no link."""
_MD_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")
"""What starts a list or a heading underline only at the start of a line."""


def md_escape(text: str) -> str:
    """``text`` as Markdown that renders to exactly ``text``, the way `html.escape` does
    for the HTML page: specials backslash-escaped, ``&``, ``<`` and ``>`` as entities (so
    no tag or entity survives), one line (newlines become spaces)."""
    text = " ".join(text.splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(md_escape(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(
    results: Results,
    figures: Mapping[str, Figure],
    files: Mapping[str, Sequence[Path]],
    lang: str,
    out: Path,
) -> str:
    """The summary as Markdown; figures are linked as the PNG (else SVG) files written
    beside it, other formats listed. Every text is escaped (`md_escape`), so a scenario
    named ``<script>`` or ``*bold* | x`` reads as written, as in the HTML page."""
    e = md_escape

    def link(path: Path) -> str:
        return quote(path.relative_to(out).as_posix())

    parts = [f"# {e(_title(results, lang))}", ""]
    for note in notes(results, lang):
        parts += [f"> {e(note)}", ""]
    header, rows = headline_rows(results, lang)
    note_key = "page.cell_note" if results.kind == "compare" else "page.cell_note_run"
    parts += [f"## {e(L.t('page.headline', lang))}", "", _md_table(header, rows), ""]
    parts += [f"*{e(L.t(note_key, lang))}*", ""]
    if results.kind == "compare" and not results.differences.empty:
        parts += [f"*{e(ranking.significance_note(results, lang))}*", ""]
    if ranking.applicable(results):
        header, rows = ranking.table(results, lang)
        parts += [f"## {e(L.t('page.ranking', lang))}", "", _md_table(header, rows), ""]
        parts += [f"*{e(ranking.note(results, lang))}*", ""]
    parts += [f"## {e(L.t('page.figures', lang))}", ""]
    for name, fig in figures.items():
        paths = list(files.get(name, []))
        image = next((p for p in paths if p.suffix == ".png"), None) or next(
            (p for p in paths if p.suffix == ".svg"), None
        )
        title = e(fig.get_suptitle() or name)
        parts += [f"### {title}", ""]
        if image is not None:
            parts += [f"![{title}]({link(image)})", ""]
        parts.append(e(style.caption(fig)))
        if paths:
            links = ", ".join(f"[{p.suffix[1:]}]({link(p)})" for p in paths)
            parts += ["", f"{e(L.t('page.files', lang))}: {links}"]
        parts.append("")
    parts += [f"## {e(L.t('page.provenance', lang))}", ""]
    header, rows = scenario_rows(results, lang)
    parts += [_md_table(header, rows), ""]
    parts += [f"- **{e(k)}**: {e(v)}" for k, v in provenance(results, lang)]
    parts.append("")
    return "\n".join(parts)


# --------------------------------------------------------------------------- HTML

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #222;
       max-width: 52em; margin: 1.5em auto; padding: 0 1em; line-height: 1.35; }
h1 { font-size: 15pt; margin-bottom: 0.2em; }
h2 { font-size: 12pt; border-bottom: 1px solid #999; padding-bottom: 0.1em; margin-top: 1.4em; }
h3 { font-size: 10.5pt; margin-bottom: 0.3em; }
table { border-collapse: collapse; font-size: 8.5pt; margin: 0.4em 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left;
         vertical-align: top; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.note { border-left: 3px solid #E69F00; padding: 0.2em 0.6em; background: #fdf6e7; }
figure { margin: 0.8em 0 1.4em 0; page-break-inside: avoid; }
figure img { max-width: 100%; }
figcaption { font-size: 8.5pt; color: #333; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.15em 1em;
     font-size: 8.5pt; }
dt { font-weight: bold; } dd { margin: 0; word-break: break-word; }
""".strip()


def _html_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 99
) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{html.escape(c)}</td>'
            if i >= numeric_from
            else f"<td>{html.escape(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_page(results: Results, figures: Mapping[str, Figure], lang: str) -> str:
    """The summary as one self-contained HTML file (figures as base64 PNGs)."""
    title = _title(results, lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for note in notes(results, lang):
        parts.append(f'<p class="note">{html.escape(note)}</p>')
    header, rows = headline_rows(results, lang)
    note_key = "page.cell_note" if results.kind == "compare" else "page.cell_note_run"
    parts.append(f"<h2>{html.escape(L.t('page.headline', lang))}</h2>")
    parts.append(_html_table(header, rows, numeric_from=4))
    parts.append(f"<p><small>{html.escape(L.t(note_key, lang))}</small></p>")
    if results.kind == "compare" and not results.differences.empty:
        footer = ranking.significance_note(results, lang)
        parts.append(f"<p><small>{html.escape(footer)}</small></p>")
    if ranking.applicable(results):
        header, rows = ranking.table(results, lang)
        parts.append(f"<h2>{html.escape(L.t('page.ranking', lang))}</h2>")
        parts.append(_html_table(header, rows))
        parts.append(f"<p><small>{html.escape(ranking.note(results, lang))}</small></p>")
    parts.append(f"<h2>{html.escape(L.t('page.figures', lang))}</h2>")
    for name, fig in figures.items():
        data = base64.b64encode(style.png_bytes(fig)).decode("ascii")
        title_text = fig.get_suptitle() or name
        parts.append(
            f'<figure id="{html.escape(name)}"><img alt="{html.escape(title_text)}" '
            f'src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(style.caption(fig))}</figcaption></figure>"
        )
    parts.append(f"<h2>{html.escape(L.t('page.provenance', lang))}</h2>")
    header, rows = scenario_rows(results, lang)
    parts.append(_html_table(header, rows))
    items = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in provenance(results, lang)
    )
    parts.append(f"<dl>{items}</dl>")
    parts.append("</body></html>")
    return "\n".join(parts)
