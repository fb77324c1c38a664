"""The HTML every page shares (a run's ``report.html``, :mod:`sim.report`, and a comparison's,
:mod:`sim.compare_report`): the inline CSS, the page, embedded figures, tables, and the sections
read from a run's scenario (its marked assumptions, its policy timeline).
"""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import pandas as pd

from sim import results
from sim.assumptions import marked_values
from sim import schema
from sim.labels import lever_series, missing, number, place

FILE = "report.html"

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #222; }
h1, h2 { line-height: 1.2; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { border-bottom: 1px solid #999; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; } figure { margin: 1.5em 0; }
figcaption, .note { color: #555; } .missing { color: #a00; }
"""


def page(title: str, sections) -> str:
    """A whole self-contained HTML page: ``title`` (plain text) and ``sections`` (HTML), with the CSS inline."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n")


def write_page(directory: Path, text: str) -> Path:
    """Write the page ``text`` to ``report.html`` in ``directory`` (aside, then renamed); return its path."""
    path = Path(directory) / FILE
    data = text.encode("utf-8")
    results.write_file_atomically(path, lambda temporary: temporary.write_bytes(data))
    return path


def embedded_figure(path: Path, title: str, caption: str) -> str:
    """The PNG at ``path`` as an HTML figure holding its bytes (a base64 data URI), with its caption."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f"<figure><img src=\"data:image/png;base64,{data}\" alt=\"{escape(title)}\">"
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def html_text(value) -> str:
    """A value as escaped text; None and NaN as a dash."""
    return "—" if missing(value) or value is pd.NA else escape(str(value))


def html_table(header, rows, numeric=()) -> str:
    """An HTML table; ``rows`` hold text already escaped; columns in ``numeric`` align right."""
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td class=\"n\">{cell}</td>" if i in numeric else f"<td>{cell}</td>"
                                    for i, cell in enumerate(row)) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


def assumptions_section(manifest: dict) -> str:
    """The ``Assumptions`` section: each value the run's scenario files mark ``(assumption)``, with its reason."""
    files = [manifest.get("config_file"), *(manifest.get("extends") or [])]
    parts = ["<h2>Assumptions</h2>",
             "<p>Every value of the scenario file that the source does not give, with the reason for it, "
             "as the file's comments state it.</p>"]
    for file in files:
        if not file:
            parts.append("<p class=\"note\">The scenario was built in code: there is no file to read its "
                         "assumptions from.</p>")
            continue
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            parts.append(f"<p class=\"missing\">The scenario file {escape(file)} no longer exists (or cannot be read), "
                         "so its assumptions are not listed.</p>")
            continue
        found = marked_values(text)
        parts.append(f"<h3>{escape(path.name)}</h3>")
        parts.append(html_table(("key", "value", "reason"), [(f"<code>{escape(key)}</code>", f"<code>{escape(value)}</code>",
                                                         escape(reason)) for key, value, reason in found])
                     if found else "<p>No value is marked (assumption).</p>")
    return "\n".join(parts)


def timeline_section(manifest: dict) -> str:
    """The ``Policy timeline`` section: each lever of the run's config that leaves its default."""
    timeline = (manifest.get("config") or {}).get("timeline") or {}
    defaults = {lever.name: lever.default for lever in schema.LEVERS}
    rows = []
    for name, words, series in lever_series(timeline):
        points = series if isinstance(series, list) else [[0, series]]
        if all(value == defaults.get(name) for _, value in points):
            continue
        rows.extend((escape(words), escape(number(month)), escape(number(value))) for month, value in points)
    for destination, table in (timeline.get("by_destination") or {}).items():
        if table.get("diversion_to"):
            rows.append((escape(f"{place(destination)}: diverted to"), "", escape(place(table["diversion_to"]))))
    text = ("<h2>Policy timeline</h2>\n<p>Each policy lever that does not stay at its default, with the month "
            "(since the start of the run) from which each value holds.</p>\n")
    if not rows:
        return text + "<p>Every lever stays at its default for the whole run.</p>"
    return text + html_table(("lever", "from month", "value"), rows, numeric=(1, 2))
