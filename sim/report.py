"""``report.html``: one self-contained page that explains a saved run to a reader.

Built only from the files a run wrote (``manifest.json``, ``summary.json``,
``outcomes.parquet``, ``monthly.parquet``, ``calibration.csv``, the PNGs) and from the
scenario file the manifest names, so ``sim report DIR`` rebuilds it for any earlier run.
The page needs nothing but itself: figures are embedded as base64 PNG data URIs, the
CSS is inline, and there is no link to anywhere. Nothing on it depends on when it is
built (the date shown is the run's start), so building it twice gives the same bytes.

>>> from sim import report
>>> report.build("results/baseline-20261126-160238-seed20261126")  # doctest: +SKIP
"""
from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

import pandas as pd

from sim import tuning_scan
from sim.calibration import evidence_line
from sim.html_page import (assumptions_section, embedded_figure, html_table, html_text, page,
                           timeline_section, write_page)
from sim.labels import in_unit, missing, money, number, place, run_money_unit, span, with_unit

FIGURES = (("state_revenue.png", "State revenue"), ("flows.png", "Workers abroad, hires and returns"),
           ("household_outcomes.png", "What households take home"),
           ("destinations.png", "By destination"), ("statuses.png", "By status"),
           ("calibration.png", "Against the source"),
           ("tuning_scan.png", "How hard the tuning works"))

OUTCOMES = {"cash_home_usd": ("Cash brought home", "USD"),
            "net_gain_usd": ("Net gain over staying home", "USD"),
            "kept_usd_per_month": ("Kept per month", "USD per month"),
            "effective_hourly_pay_usd": ("Effective hourly pay", "USD per hour"),
            "months_served": ("Months served", "months"),
            "share_worse_off_than_home": ("Worse off than staying home", "share")}
"""Outcome column of ``outcomes.parquet`` -> (readable name, unit as :func:`with_unit` takes it, with
``USD`` standing for the run's money unit)."""

WORDS = dict(enumerate("zero one two three four five six seven eight nine ten eleven twelve".split()))


class ReportError(Exception):
    """The directory is not a saved run (one line saying why)."""


# ---------------------------------------------------------------- reading the run

def build(directory) -> Path:
    """Write ``report.html`` into the run saved in ``directory`` (atomically); return its path.

    Raises
    ------
    ReportError
        When ``directory`` holds no ``manifest.json`` and ``summary.json`` of a run.
    """
    directory = Path(directory)
    return write_page(directory, render(directory))


def render(directory) -> str:
    """The report of the run saved in ``directory``, as HTML text."""
    directory = Path(directory)
    run = _read(directory)
    sections = [_title(run), _headline(run), _figures(run), _outcomes(run), _calibration(run), _tuning_scan(run),
                assumptions_section(run["manifest"]), timeline_section(run["manifest"]), _provenance(run)]
    return page(f"{run['name']}, seed {run['manifest'].get('seed')}", sections)


def _read(directory: Path) -> dict:
    if not directory.is_dir():
        raise ReportError(f"{directory}: not a directory")
    for name in ("manifest.json", "summary.json"):
        if not (directory / name).is_file():
            raise ReportError(f"{directory}: not a results directory (no {name})")
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        summary = json.loads((directory / "summary.json").read_text())
    except (ValueError, OSError) as error:
        raise ReportError(f"{directory}: cannot read the run: {error}") from None
    if not isinstance(manifest, dict) or not isinstance(summary, dict):
        raise ReportError(f"{directory}: not a results directory (manifest or summary is not a JSON object)")
    config_file = manifest.get("config_file")
    return {"directory": directory, "manifest": manifest, "summary": summary,
            "name": Path(config_file).stem if config_file else "scenario", "unit": run_money_unit(manifest),
            "outcomes": _table(directory / "outcomes.parquet"), "monthly": _table(directory / "monthly.parquet"),
            "calibration": _table(directory / "calibration.csv"), "tuning_scan": _table(directory / "tuning_scan.csv"),
            "by_status": _table(directory / "monthly_by_status.parquet")}


def _table(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)


def _interval(values: dict, unit: str) -> str:
    """``mean (low to high)`` with units, from a summary figure with ci95_low/ci95_high."""
    return (f"{with_unit(values.get('mean'), unit)} "
            f"(95% interval {span(values.get('ci95_low'), values.get('ci95_high'), unit)})")


def _years(months) -> str:
    years = (months or 0) / 12
    whole = int(years) if float(years).is_integer() else None
    return f"the {WORDS.get(whole, number(years))} years" if whole != 1 else "the year"


def _overall(run, outcome: str) -> dict | None:
    frame = run["outcomes"]
    if frame is None:
        return None
    rows = frame[(frame["group"] == "all") & (frame["outcome"] == outcome)]
    return None if rows.empty else rows.iloc[0].to_dict()


# ---------------------------------------------------------------- sections

def _title(run) -> str:
    manifest, summary = run["manifest"], run["summary"]
    started = str(manifest.get("started_utc") or "")
    date = started[:10] or "unknown date"
    return f"""<h1>{escape(run['name'])}</h1>
<p class="note">Seed {html_text(manifest.get('seed'))} · run on {escape(date)} ·
{html_text(f"{manifest.get('workers_simulated') or 0:,}")} simulated workers · {html_text(summary.get('mode'))} mode,
{html_text(summary.get('horizon_months'))} months · amounts in {escape(run['unit'])}</p>
<h2>What this is</h2>
<p>This page reports one run of a Monte Carlo simulation of North Korean labour migration under state
control. Workers pay a bribe to be chosen for work abroad, hand a monthly <em>planned contribution</em> to the
state (of which managers and agents skim a share), live on what is left and come home after two or three
years with their savings. The simulation follows many individual workers month by month and adds up what the
state earns and what households take home, including how many end up worse off than had they stayed home.
The inputs come from a published source where it gives them; where it is silent they are assumptions,
listed below with their reasons. The calibration table compares the simulated figures with the source.</p>"""


def _headline(run) -> str:
    summary, code = run["summary"], run["unit"]

    def quantiles(name, unit):
        values = summary.get(name) or {}
        unit = in_unit(unit, code)
        cell = unit.split(" per ")[0]
        text = " / ".join(with_unit(values.get(key), cell) for key in ("p5", "p50", "p95"))
        return text + with_unit(0, unit).removeprefix(with_unit(0, cell))

    worse = _overall(run, "share_worse_off_than_home")
    worse_text = with_unit(summary.get("share_worse_off_than_home"), "share")
    if worse and not missing(worse.get("ci95_low")):
        worse_text += f" (95% interval {span(worse['ci95_low'], worse['ci95_high'], 'share')})"
    rows = [
        ("State revenue", _interval(summary.get("state_revenue_usd_per_year") or {}, f"{code} per year")),
        ("Manager skim", _interval(summary.get("manager_skim_usd_per_year") or {}, f"{code} per year")),
        ("Workers abroad, mean", with_unit(summary.get("workers_active_mean"), "workers")),
        ("Cash brought home, p5 / median / p95", quantiles("cash_home_usd", "USD")),
        ("Net gain over staying home, p5 / median / p95", quantiles("net_gain_usd", "USD")),
        ("Kept per month, p5 / median / p95", quantiles("kept_usd_per_month", "USD per month")),
        ("Worse off than staying home", worse_text),
    ]
    return ("<h2>Headline figures</h2>\n"
            + html_table(("figure", "value"), [(escape(label), escape(value)) for label, value in rows])
            + "\n<p class=\"note\">The 95% intervals are the sampling noise of the simulation (they shrink as more "
              "workers are simulated); they are not uncertainty about the inputs, which would move the figures far "
              "more. The p5 / median / p95 figures spread over returned workers.</p>")


def _figures(run) -> str:
    directory = run["directory"]
    parts = ["<h2>Figures</h2>"]
    for name, title in FIGURES:
        path = directory / name
        if name == "destinations.png" and not path.is_file() and not _several_destinations(run):
            continue  # drawn only for runs with two or more destinations
        if name == "statuses.png" and not path.is_file() and run["by_status"] is None:
            continue  # drawn only for runs with statuses
        if name == "tuning_scan.png" and not path.is_file() and (
                run["tuning_scan"] is None or run["tuning_scan"]["factor"].isna().all()):
            continue  # drawn only for runs with a tuning scan of some parameter
        parts.append(f"<h3>{escape(title)}</h3>")
        if not path.is_file():
            parts.append(f"<p class=\"missing\">The figure {escape(name)} is missing from this results directory.</p>")
            continue
        parts.append(embedded_figure(path, title, _reading(run, name)))
    return "\n".join(parts)


def _several_destinations(run) -> bool:
    frame = run["outcomes"]
    return frame is not None and frame.loc[frame["group"] == "destination", "level"].nunique() >= 2


def _reading(run, name: str) -> str:
    """One sentence saying what ``name`` shows, computed from the saved tables."""
    summary, monthly, code = run["summary"], run["monthly"], run["unit"]
    try:
        if name == "state_revenue.png":
            per_year = summary["state_revenue_usd_per_year"]["mean"]
            return (f"State revenue averages {money(per_year / 12, code)} a month ({money(per_year, code)} a year) "
                    f"over {_years(summary.get('horizon_months'))}.")
        if name == "flows.png":
            hires, returns = monthly["hires"].mean(), monthly["returns"].mean()
            early = monthly["early_returns"].sum() / monthly["returns"].sum() if monthly["returns"].sum() else math.nan
            return (f"On average {number(monthly['workers_active'].mean())} workers are abroad; "
                    f"{number(hires)} are hired and {number(returns)} come home a month, "
                    f"{with_unit(early, 'share')} of them early.")
        if name == "household_outcomes.png":
            return (f"Half of returned workers bring home more than {money(summary['cash_home_usd']['p50'], code)}; "
                    f"{with_unit(summary['share_worse_off_than_home'], 'share')} of returned workers end up worse "
                    f"off than had they stayed home.")
        if name == "destinations.png":
            frame = run["outcomes"]
            rows = frame[(frame["group"] == "destination") & (frame["outcome"] == "cash_home_usd")].dropna(subset=["p50"])
            best, worst = rows.loc[rows["p50"].idxmax()], rows.loc[rows["p50"].idxmin()]
            return (f"Median cash brought home is highest in {place(best['level'])} ({money(best['p50'], code)}) "
                    f"and lowest in {place(worst['level'])} ({money(worst['p50'], code)}).")
        if name == "statuses.png":
            frame = run["by_status"]
            others = frame[frame["status"] != frame["status"].iloc[0]].groupby("month")["workers_active"].sum()
            return (f"At most {number(others.max())} workers are abroad on a status other than the work permit "
                    f"(month {number(others.idxmax())}), having stayed against the repatriation order.")
        if name == "calibration.png":
            return (f"Calibration, counting as evidence only figures nothing was set from: "
                    f"{evidence_line(run['calibration'])}.")
        if name == "tuning_scan.png":
            return ("Each tuned figure as the parameter set to hit it moves from "
                    f"{tuning_scan.FACTORS[0]:g} to {tuning_scan.FACTORS[-1]:g} times its configured value, with the "
                    "same random numbers at every point: a wide green run is a robust fit, a lone one a knife-edge.")
    except (KeyError, TypeError, ValueError, AttributeError):
        pass
    return "The figure's data could not be read to summarise it."


def _outcomes(run) -> str:
    frame = run["outcomes"]
    if frame is None:
        return "<h2>Household outcomes</h2>\n<p class=\"missing\">outcomes.parquet is missing.</p>"
    rows = []
    code = run["unit"]
    for record in frame.to_dict("records"):
        label, unit = OUTCOMES.get(record["outcome"], (record["outcome"].replace("_", " "), ""))
        unit = in_unit(unit, code)
        cell = code if unit.startswith(code) else "share" if unit == "share" else ""
        label += {code: f", {code}", "share": ", % of workers", "": f", {unit}" if unit else ""}[cell]
        label += f" {with_unit(0, unit).removeprefix(with_unit(0, code)).strip()}" if unit.startswith(f"{code} per") else ""
        group = "all returned workers" if record["group"] == "all" else f"{record['group']}: {place(record['level'])}"

        def text(value):
            return "—" if missing(value) else with_unit(value, cell)

        mean = text(record["mean"])
        if not missing(record.get("ci95_low")):
            mean += f" ({text(record['ci95_low'])} to {text(record['ci95_high'])})"
        rows.append([escape(group), escape(label), escape(f"{record['workers_simulated']:,}"), escape(mean)]
                    + [escape(text(record.get(q))) for q in ("p5", "p25", "p50", "p75", "p95")])
    return ("<h2>Household outcomes</h2>\n<p>Per returned worker, overall and by group; the mean with its 95% "
            "interval (sampling noise), then percentiles. Workers simulated counts the simulated hires a row "
            "covers.</p>\n" + html_table(("group", "outcome", "workers simulated", "mean (95% interval)",
                                     "p5", "p25", "median", "p75", "p95"), rows, numeric=range(2, 9)))


def _calibration(run) -> str:
    frame = run["calibration"]
    if frame is None:
        return "<h2>Calibration</h2>\n<p class=\"missing\">calibration.csv is missing.</p>"
    rows = []
    for record in frame.to_dict("records"):
        unit = "" if missing(record.get("unit")) else str(record["unit"])
        name = html_text(record["name"])
        if not missing(record.get("measures")):
            name += f"<br><small>{html_text(record['measures'])}</small>"
        kind = html_text(record.get("kind"))
        if not missing(record.get("tuned_by")):
            kind += f"<br><small>by {html_text(record['tuned_by'])}</small>"
        rows.append([name, kind, html_text(record.get("period")), html_text(record.get("destination")), html_text(record.get("statistic")),
                     html_text(unit or None), escape(_source_range(record["low"], record["high"], unit)),
                     escape(with_unit(record.get("simulated"), unit)), html_text(record.get("status")),
                     html_text(record.get("compared_over")), html_text(record.get("citation"))])
    return ("<h2>Calibration</h2>\n<p>Every figure of the source beside the simulated value, in range or not, "
            "or why it is not compared. Its kind says what being in range shows: an <em>input</em> is a config "
            "value read back, a <em>constrained</em> figure is in range by construction, a <em>tuned</em> one was "
            "hit by setting the parameter named, and only an <em>independent</em> one is evidence: "
            f"{html_text(evidence_line(frame))}. A figure is compared only with a run of its period and money unit "
            f"(this run: {html_text(run['manifest'].get('period') or 'present')}, {html_text(run['unit'])}); in a run whose policy "
            "changes during it, a figure about the status quo is compared over the months before the change, "
            "or is not applicable. Targets of a targets file (--targets) follow the source's figures, each citing "
            "its own source and compared over its dates.</p>\n"
            + html_table(("name", "kind", "period", "destination", "statistic", "unit", "source range", "simulated",
                     "status", "compared over", "citation"), rows, numeric=(6, 7)))


def _tuning_scan(run) -> str:
    frame = run["tuning_scan"]
    if frame is None or frame.empty:
        return ""
    if frame["factor"].isna().all():
        return f"<h2>How hard the tuning works</h2>\n<p>{html_text(tuning_scan.describe(frame))}.</p>"
    spans = tuning_scan.in_range_span(frame.dropna(subset=["factor"]))
    rows = [(f"<code>{escape(str(row.parameter))}</code>", html_text(row.figure),
             escape(f"{row.points_in_range} of {row.points}"),
             escape("—" if row.points_in_range == 0 else f"{number(row.lowest_in_range)} to "
                                                          f"{number(row.highest_in_range)}"))
            for row in spans.itertuples()]
    configured = frame[frame["factor"] == 1.0].drop_duplicates("parameter")
    values = "; ".join(f"{parameter} {number(value)}" for parameter, value
                       in zip(configured["parameter"], configured["parameter_mean"]))
    return ("<h2>How hard the tuning works</h2>\n<p>Each <em>tuned</em> figure was hit by setting a parameter. "
            f"The scenario was run again with that parameter at {len(tuning_scan.FACTORS)} multiples of its "
            f"configured value ({tuning_scan.FACTORS[0]:g} to {tuning_scan.FACTORS[-1]:g}, shape kept; up to "
            f"{tuning_scan.WORKERS:,} workers each, the run's seed). The parameter's means that keep each figure in "
            f"range (as configured: {escape(values)}):</p>\n"
            + html_table(("parameter", "figure", "scanned values in range", "parameter mean in range"), rows, numeric=(2, 3)))


def _source_range(low, high, unit: str) -> str:
    """The source's range with its unit; years as written (1946, not 1,946)."""
    if unit == "year":
        return f"{low:.0f}" if low == high else f"{low:.0f} to {high:.0f}"
    return span(low, high, unit)


def _provenance(run) -> str:
    manifest = run["manifest"]
    versions = manifest.get("versions") or {}
    command = manifest.get("command")
    rows = [("seed", manifest.get("seed")),
            ("money unit, period", f"{run['unit']}, {manifest.get('period') or 'present'}"),
            ("workers simulated", f"{manifest.get('workers_simulated') or 0:,}"),
            ("threads", manifest.get("threads")),
            ("versions", ", ".join(f"{key} {value}" for key, value in versions.items())),
            ("git commit", manifest.get("git_commit")),
            ("config file", manifest.get("config_file")),
            ("extends", ", ".join(manifest.get("extends") or []) or None),
            ("command line", " ".join(command) if isinstance(command, list) else command),
            ("started (UTC)", manifest.get("started_utc")),
            ("wall time", None if missing(manifest.get("wall_seconds")) else f"{manifest['wall_seconds']:.1f} s")]
    return "<h2>Provenance</h2>\n" + html_table(("", ""), [(escape(key), html_text(value)) for key, value in rows])
