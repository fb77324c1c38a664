"""``report.html`` of a saved comparison: one self-contained page reading a policy's effects.

Built from the comparison's files only (``manifest.json``, ``effects.csv``,
``monthly_effects.parquet``, the PNGs) and the policy's scenario files, with the building
blocks of a run's report (:mod:`sim.report`): the same page frame, tables, embedded figures,
policy timeline and assumptions. Nothing on it depends on when it is built.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pandas as pd

from sim import effects
from sim.compare_plots import arm_names
from sim.labels import money, place, run_money_unit, with_unit
from sim.html_page import (assumptions_section, embedded_figure, html_table, html_text, page, timeline_section,
                           write_page)

FIGURES = (("state_revenue.png", "State revenue, base and policy, and the effect"),
           ("workers_abroad.png", "Workers abroad, base and policy, and the effect"),
           ("effects.png", "Every effect with its intervals"))
DISTRIBUTIONS = ("distributions.png", "Household outcomes under both, as distributions")
"""The figure of a comparison saved with distributions.parquet."""
BY_DESTINATION = ("workers_by_destination.png", "Workers abroad by destination")
"""The figure of a comparison with series by destination (monthly_effects_by_destination.parquet)."""


def build(directory) -> Path:
    """Write ``report.html`` into the comparison saved in ``directory`` (atomically); return its path."""
    directory = Path(directory)
    return write_page(directory, render(directory))


def render(directory: Path) -> str:
    """The page of the comparison saved in ``directory``, as HTML text."""
    manifest = json.loads((directory / "manifest.json").read_text())
    table = pd.read_csv(directory / "effects.csv")
    monthly = pd.read_parquet(directory / "monthly_effects.parquet")
    policy, base = arm_names(manifest)
    sections = [_title(manifest, policy, base), _effects(table),
                _figures(directory, table, monthly, manifest),
                timeline_section(manifest["policy"]), assumptions_section(manifest["policy"]), _provenance(manifest)]
    return page(f"{policy} vs {base}, seed {manifest['seed']}", sections)


def start_text(manifest: dict) -> str:
    """Where the policy starts, as words: ``the policy starts in month 24 (2024-01)``."""
    month = manifest.get("policy_start_month")
    if month is None:
        return "the policy and the base simulate the same thing"
    date = manifest.get("policy_start_date")
    return f"the policy starts in month {month}" + (f" ({date})" if date else "")


def _title(manifest: dict, policy: str, base: str) -> str:
    return f"""<h1>{escape(policy)} against {escape(base)}</h1>
<p class="note">Seed {html_text(manifest['seed'])} · {manifest['replications']} paired replications of
{manifest['workers_per_replication']:,} simulated workers · run on {escape(manifest['started_utc'][:10])} ·
{escape(start_text(manifest))}</p>
<h2>What this is</h2>
<p>This page compares a policy with the scenario it changes, in a Monte Carlo simulation of North Korean
labour migration under state control. Both are simulated {manifest['replications']} times; each time with
the same seed, so that every simulated worker draws the same random numbers under both (common random
numbers), and with a new seed the next time. Before the policy starts the two runs are the same to the cent,
and after it each difference is the policy's effect on those workers. The effect reported is the mean of the
{manifest['replications']} differences, and its 95% interval comes from their spread (Student's t). Beside
it is the interval the same runs would give if they were taken as unpaired, as if each had its own random
numbers: the difference between the two shows what the pairing buys. The intervals are simulation noise;
they are not uncertainty about the inputs.</p>"""


def _effects(table: pd.DataFrame) -> str:
    return ("<h2>Effects</h2>\n<p>Each figure under the base and the policy (means over the replications), "
            "the effect with its 95% interval from the paired replications, and the interval the runs would give "
            "unpaired. Figures about households cover the workers hired during the run, each followed home; a "
            "quantile's effect is the change of the quantile, not of any one worker's outcome.</p>\n"
            + effects_table(table))


def effects_table(table: pd.DataFrame) -> str:
    """The rows of ``effects.csv`` as an HTML table, each figure in the unit its label names."""
    header, *rows = effects.table_rows(table)
    return html_table(header, [[escape(cell) for cell in row] for row in rows], numeric=(1, 2, 3, 4))


def _figures(directory: Path, table: pd.DataFrame, monthly: pd.DataFrame, manifest: dict) -> str:
    parts = ["<h2>Figures</h2>"]
    figures = (FIGURES + ((DISTRIBUTIONS,) if (directory / "distributions.parquet").is_file() else ())
               + ((BY_DESTINATION,) if (directory / "monthly_effects_by_destination.parquet").is_file() else ()))
    for name, title in figures:
        parts.append(f"<h3>{escape(title)}</h3>")
        path = directory / name
        if not path.is_file():
            parts.append(f"<p class=\"missing\">The figure {escape(name)} is missing from this directory.</p>")
            continue
        if name == BY_DESTINATION[0]:
            text = _destinations_reading(pd.read_parquet(directory / "monthly_effects_by_destination.parquet"))
        elif name == DISTRIBUTIONS[0]:
            text = _distributions_reading(pd.read_parquet(directory / "distributions.parquet"))
        else:
            text = reading(name, table, monthly, manifest)
        parts.append(embedded_figure(path, title, text))
    return "\n".join(parts)


def _distributions_reading(distributions: pd.DataFrame) -> str:
    """One sentence on the share worse off than at home under each arm, read off the net gain's
    distribution (what lies left of the line at 0)."""
    shares = {}
    for arm in ("base", "policy"):
        rows = distributions[(distributions["metric"] == "net_gain_usd") & (distributions["arm"] == arm)]
        shares[arm] = rows.loc[rows["value_usd"] < 0, "workers"].sum() / max(rows["workers"].sum(), 1)
    return (f"Each curve is the share of returned hires at or below an amount, all replications together. Left "
            f"of the line at 0 on the net gain are those worse off than had they stayed home: "
            f"{shares['base']:.1%} under the base, {shares['policy']:.1%} under the policy.")


def _destinations_reading(monthly: pd.DataFrame) -> str:
    """One sentence on the last month's effect on workers abroad at each destination."""
    rows = monthly[monthly["series"] == "workers_active"]
    last = rows[rows["month"] == rows["month"].max()]
    effects_text = "; ".join(
        f"{place(row.destination)} {with_unit(row.effect, 'workers')} (95% interval "
        f"{with_unit(row.effect - row.band, 'workers')} to {with_unit(row.effect + row.band, 'workers')})"
        for row in last.itertuples())
    return (f"Each panel is one destination's workers abroad under the base and the policy, the band the policy's "
            f"line give or take the 95% interval of its paired effect. In the last month the effect is: "
            f"{effects_text}.")


def reading(name: str, table: pd.DataFrame, monthly: pd.DataFrame, manifest: dict) -> str:
    """One sentence saying what the figure ``name`` shows, computed from the saved tables."""
    figures = table.set_index("metric")
    if name == "state_revenue.png":
        return _revenue_reading(figures, monthly[monthly["series"] == "to_state_usd"], manifest)
    if name == "workers_abroad.png":
        rows = monthly[monthly["series"] == "workers_active"]
        last = rows.iloc[-1]
        return (f"Workers abroad average {with_unit(rows['base'].mean(), 'workers')} under the base and "
                f"{with_unit(rows['policy'].mean(), 'workers')} under the policy; in the last month the policy "
                f"has {with_unit(abs(last['effect']), 'workers')} {'fewer' if last['effect'] < 0 else 'more'} abroad "
                f"(effect {with_unit(last['effect'], 'workers')}, 95% interval "
                f"{with_unit(last['effect'] - last['band'], 'workers')} to "
                f"{with_unit(last['effect'] + last['band'], 'workers')}).")
    code = run_money_unit(manifest)
    revenue = figures.loc["state_revenue_usd_per_year"]
    paired = revenue["ci95_high"] - revenue["ci95_low"]
    unpaired = revenue["unpaired_ci95_high"] - revenue["unpaired_ci95_low"]
    ratio = f"{unpaired / paired:,.1f} times narrower than" if paired > 0 else "of zero width, against"
    return (f"Each bar is an effect in its own unit; for state revenue per year the paired interval "
            f"({money(paired, code)} wide) is {ratio} the unpaired one ({money(unpaired, code)}): the noise both arms share cancels "
            f"in their difference.")


def _revenue_reading(figures: pd.DataFrame, rows: pd.DataFrame, manifest: dict) -> str:
    start = manifest.get("policy_start_month")
    if start is None:
        return "The policy and the base simulate the same thing: the two lines coincide and the effect is zero."
    code = run_money_unit(manifest)
    before = rows[rows["month"] < start]
    agree = ("the two runs pay the state the same to the cent" if (before["effect"] == 0).all()
             else f"the two runs differ by up to {money(before['effect'].abs().max(), code)} a month")
    after = figures.loc["state_revenue_usd_from_policy_start"]
    months = int((rows["month"] >= start).sum())
    return (f"Before month {start} {agree}; from then on the policy changes state revenue by "
            f"{money(after['effect'] / months, code)} a month on average (95% interval "
            f"{money(after['ci95_low'] / months, code)} to {money(after['ci95_high'] / months, code)}), "
            f"{money(after['effect'], code)} over the {months} months to the horizon.")


def _provenance(manifest: dict) -> str:
    versions = manifest.get("versions") or {}
    command = manifest.get("command")
    rows = [("policy file", manifest["policy"].get("config_file")),
            ("it extends", ", ".join(manifest["policy"].get("extends") or []) or None),
            ("base file", manifest["base"].get("config_file")),
            ("seed, and the replications' seeds spawned from it",
             f"{manifest['seed']}: {', '.join(str(seed) for seed in manifest['replication_seeds'])}"),
            ("simulated workers per replication, per arm",
             f"{manifest['workers_per_replication']:,}, {manifest['workers_per_arm']:,}"),
            ("threads", manifest.get("threads")),
            ("versions", ", ".join(f"{key} {value}" for key, value in versions.items())),
            ("git commit", manifest.get("git_commit")),
            ("command line", " ".join(command) if isinstance(command, list) else command),
            ("started (UTC)", manifest.get("started_utc")),
            ("wall time", f"{manifest['wall_seconds']:.1f} s")]
    return ("<h2>Provenance</h2>\n<p>Both configs, as run, are in manifest.json.</p>\n"
            + html_table(("", ""), [(escape(key), html_text(value)) for key, value in rows]))
