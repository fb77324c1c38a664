"""Figures of a sensitivity study: one horizontal bar chart per output, inputs ranked.

Sobol': each input's first-order (``S1``) and total (``ST``) index, as shares of the output's
variance, with their confidence intervals, the most influential input on top (a tornado); the
noise floor (``noise_share``), when known, as a dotted line. Morris: ``mu*`` with its interval
and ``sigma``, in the output's unit. Drawn from the indices table only.
"""
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.figure_style import DPI, NUMBER
from sim.results import safe_name, write_file_atomically
from sim.sweep_plots import scaled

BARS = {"sobol": (("S1", "S1_conf", "first order (S1)"), ("ST", "ST_conf", "total (ST)")),
        "morris": (("mu_star", "mu_star_conf", "mu* (mean |effect|)"), ("sigma", None, "sigma (spread of effects)"))}
"""Per method, the two bars of each input: (column, its interval's half-width column or None, label)."""


def figure_name(output: str) -> str:
    """File name of an output's figure, e.g. ``sensitivity_cash_home_usd.p50.png``."""
    return f"sensitivity_{safe_name(output)}.png"


def bars(indices: pd.DataFrame, output: str, method: str, title: str, money_unit: str = "USD") -> Figure:
    """The figure of one output (``indices``: the rows of :func:`sim.sensitivity.analyse` for it);
    amounts in ``money_unit``."""
    rows = indices.sort_values(BARS[method][1 if method == "sobol" else 0][0], na_position="first")
    divisor, label = (1.0, "share of the output's variance") if method == "sobol" else scaled(
        output, rows["mu_star"].abs(), money_unit)
    figure = Figure(figsize=(7.5, 1.2 + 0.5 * len(rows)), layout="constrained")
    ax = figure.add_subplot()
    where = np.arange(len(rows))
    for offset, (column, conf, name) in zip((-0.2, 0.2), BARS[method]):
        error = rows[conf].to_numpy() / divisor if conf else None
        ax.barh(where + offset, rows[column].to_numpy() / divisor, height=0.38, xerr=error, capsize=3, label=name)
    noise = rows["noise_share"].iloc[0]
    if method == "sobol" and np.isfinite(noise):
        ax.axvline(noise, color="black", linestyle=":", linewidth=1, label=f"noise floor ({noise * 100:.2g}%)")
    ax.set_yticks(where, rows["input"].tolist())
    ax.set_xlabel(label if method == "sobol" else f"{label} per unit of the input's probability scale")
    ax.xaxis.set_major_formatter(NUMBER)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize="small")
    note = rows["note"].iloc[0]
    ax.set_title(f"{title}: {output}" + (f" ({note}: no indices)" if note else ""), fontsize="medium")
    return figure


def draw_all(directory, study, indices: pd.DataFrame) -> list[str]:
    """Draw each output's figure into ``directory`` (each written aside and renamed); return the file names."""
    names = []
    for output, rows in indices.groupby("output", sort=False):
        name = figure_name(output)
        unit = study.base.simulation.money_unit if study.base is not None else "USD"
        chart = bars(rows, output, study.section.method, study.name, unit)
        write_file_atomically(Path(directory) / name, lambda path: chart.savefig(path, dpi=DPI, format="png"))
        names.append(name)
    return names
