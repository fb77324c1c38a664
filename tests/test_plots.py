"""Figures drawn from a small hand-made run directory (no simulation), and once from a
small real run of ``configs/destinations.toml``."""
import json

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from sim import api, calibration_plots, figure_style, plots
from sim.labels import ChangePoint, change_points, humanise, place, span, usd, with_unit

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURES = ("state_revenue.png", "flows.png", "household_outcomes.png", "calibration.png")
"""What a run with one destination draws, in the order ``draw_all`` returns them."""
FIGURES_SEVERAL_DESTINATIONS = ("state_revenue.png", "flows.png", "household_outcomes.png",
                                "destinations.png", "calibration.png")
THREE_DESTINATIONS = ("russia", "china", "middle_east")


def calibration_rows(compared: bool) -> pd.DataFrame:
    """A calibration table; with ``compared`` False every row is 'not compared'."""
    rows = [
        ("bribe_soviet", "soviet", "russia", None, "television sets", 1.0, 1.0, np.nan,
         "not compared: soviet period", None),
        ("bribe_russia", "present", "russia", "bribe_usd_mean", "USD", 500.0, 700.0, 600.0,
         "in range", True),
        ("cash_home_russia", "present", "russia", "cash_home_completed_usd_mean", "USD",
         4000.0, 6000.0, 7040.9, "out of range", False),
        ("workers_russia", "present", "russia", "workers_active_mean", "workers",
         30000.0, 30000.0, 29982.3, "out of range", False),
        ("share_worse_off", "present", None, "share_mean", "share", 0.0, 0.0, 0.05,
         "out of range", False),
    ]
    frame = pd.DataFrame(rows, columns=["name", "period", "destination", "statistic", "unit",
                                        "low", "high", "simulated", "status", "in_range"])
    if not compared:
        frame["status"] = "not compared: no simulated counterpart"
        frame["simulated"] = np.nan
    frame["measures"] = "what the figure measures"
    frame["citation"] = "a source"
    return frame


def histogram(outcome: str, low: float, high: float, rng) -> pd.DataFrame:
    """$100 bins from ``low`` to ``high`` USD with random counts."""
    edges = np.arange(low, high + 100.0, 100.0)
    return pd.DataFrame({"outcome": outcome, "bin_low_usd": edges[:-1],
                         "bin_high_usd": edges[1:], "workers_simulated": rng.integers(0, 50, len(edges) - 1)})


def outcome_rows(group: str, level: str, share_worse_off: float, median: float) -> list[dict]:
    """The cash-home and share-worse-off rows of ``outcomes.parquet`` for one group level."""
    return [{"group": group, "level": level, "outcome": "cash_home_usd", "workers_simulated": 1000,
             "workers_real": 15000.0, "mean": median + 600.0, "ci95_low": median + 500.0,
             "ci95_high": median + 700.0, "p5": median - 4600.0, "p25": median - 1700.0, "p50": median,
             "p75": median + 2000.0, "p95": median + 8000.0, "out_of_range_share": 0.0},
            {"group": group, "level": level, "outcome": "share_worse_off_than_home", "workers_simulated": 1000,
             "workers_real": 15000.0, "mean": share_worse_off, "ci95_low": share_worse_off - 0.01,
             "ci95_high": share_worse_off + 0.01, "p5": np.nan, "p25": np.nan, "p50": np.nan, "p75": np.nan,
             "p95": np.nan, "out_of_range_share": 0.0}]


def write_run(directory, compared: bool = True, destinations=("russia",), timeline=None) -> None:
    """Write the files of a saved run into ``directory``: ``destinations`` name the outcome
    rows by destination, ``timeline`` is the manifest's ``config['timeline']`` (none if None)."""
    rng = np.random.default_rng(0)
    months = np.arange(24)
    monthly = pd.DataFrame({
        "month": months, "workers_active": 30_000.0, "hires": 1_000.0, "returns": 1_000.0,
        "early_returns": 100.0, "gross_earnings_usd": 3.4e7, "to_state_usd": 1.96e7 + rng.normal(0, 4e4, 24),
        "to_managers_usd": 2.5e6, "expenses_usd": 3.9e6, "kept_usd": 7.5e6, "arrears_outstanding_usd": 9e5,
    })
    distributions = pd.concat([histogram("cash_home_usd", -1000.0, 20000.0, rng),
                               histogram("net_gain_usd", -3000.0, 18000.0, rng)], ignore_index=True)
    rows = outcome_rows("all", "all", 0.057, 6000.0)
    for index, destination in enumerate(destinations):
        rows += outcome_rows("destination", destination, 0.05 + 0.1 * index, 6000.0 - 1000.0 * index)
    outcomes = pd.DataFrame(rows)
    summary = {
        "state_revenue_usd_per_year": {"mean": 2.358e8, "ci95_low": 2.356e8, "ci95_high": 2.360e8},
        "cash_home_usd": {"mean": 6600.0, "p5": 1400.0, "p50": 6000.0, "p95": 14000.0},
        "net_gain_usd": {"mean": 4500.0, "p5": -140.0, "p50": 3800.0, "p95": 12000.0},
        "share_worse_off_than_home": 0.057, "stay_home_earnings_usd_mean": 1700.0,
        "horizon_months": 24, "mode": "stock", "seed": 7,
    }
    monthly.to_parquet(directory / "monthly.parquet", index=False)
    distributions.to_parquet(directory / "distributions.parquet", index=False)
    outcomes.to_parquet(directory / "outcomes.parquet", index=False)
    calibration_rows(compared).to_csv(directory / "calibration.csv", index=False)
    (directory / "summary.json").write_text(json.dumps(summary))
    manifest = {"config_file": "/x/configs/baseline.toml", "seed": 7}
    if timeline is not None:
        manifest["config"] = {"timeline": timeline}
    (directory / "manifest.json").write_text(json.dumps(manifest))


def saved_figures(directory) -> dict:
    """Each figure of the run saved in ``directory`` by file name, built as ``draw_all`` builds it."""
    summary = json.loads((directory / "summary.json").read_text())
    manifest = json.loads((directory / "manifest.json").read_text())
    timeline = manifest.get("config", {}).get("timeline")
    monthly = pd.read_parquet(directory / "monthly.parquet")
    outcomes = pd.read_parquet(directory / "outcomes.parquet")
    return {
        "state_revenue.png": plots.state_revenue_figure(monthly, summary, "a run", timeline),
        "flows.png": plots.flows_figure(monthly, "a run", timeline),
        "household_outcomes.png": plots.household_outcomes_figure(
            pd.read_parquet(directory / "distributions.parquet"), summary, "a run"),
        "destinations.png": plots.destinations_figure(plots.destination_rows(outcomes), "a run"),
        "calibration.png": calibration_plots.calibration_figure(pd.read_csv(directory / "calibration.csv"), "a run"),
    }


def assert_png(path) -> None:
    """``path`` exists, starts with the PNG signature and is more than a blank canvas."""
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert path.stat().st_size > 10_000


def test_draw_all_writes_every_figure(tmp_path):
    write_run(tmp_path)
    paths = plots.draw_all(tmp_path)
    assert [path.name for path in paths] == list(FIGURES)
    assert all(path.parent == tmp_path for path in paths)
    for path in paths:
        assert_png(path)


def test_a_figure_is_saved_in_one_draw_as_the_bytes_savefig_writes(tmp_path, monkeypatch):
    """``figure_style.save`` draws a constrained-layout figure once, laying it out in the draw it
    saves (``savefig`` first draws it with the drawing switched off to lay it out), and writes
    what ``savefig`` writes."""
    write_run(tmp_path)
    monthly = pd.read_parquet(tmp_path / "monthly.parquet")
    plots.flows_figure(monthly, "a run").savefig(tmp_path / "savefig.png", dpi=figure_style.DPI)
    figure, draws = plots.flows_figure(monthly, "a run"), []
    draw = figure.draw
    monkeypatch.setattr(figure, "draw", lambda renderer: draws.append(renderer) or draw(renderer))
    assert figure_style.save(figure, tmp_path / "save.png") == tmp_path / "save.png"
    assert len(draws) == 1
    assert (tmp_path / "save.png").read_bytes() == (tmp_path / "savefig.png").read_bytes()


def test_draw_all_accepts_a_string_path(tmp_path):
    write_run(tmp_path)
    assert len(plots.draw_all(str(tmp_path))) == len(FIGURES)


def test_several_destinations_add_a_destinations_figure(tmp_path):
    write_run(tmp_path, destinations=THREE_DESTINATIONS)
    paths = plots.draw_all(tmp_path)
    assert [path.name for path in paths] == list(FIGURES_SEVERAL_DESTINATIONS)
    for path in paths:
        assert_png(path)


@pytest.fixture(scope="module")
def destinations_run(tmp_path_factory):
    """A small real run of ``configs/destinations.toml`` (cohort mode, three destinations), saved."""
    result = api.run(ROOT / "configs" / "destinations.toml", workers=3000, progress=False)
    return result.save(tmp_path_factory.mktemp("runs"))


def test_a_real_destinations_run_draws_every_figure(destinations_run):
    assert {path.name for path in destinations_run.glob("*.png")} == set(FIGURES_SEVERAL_DESTINATIONS)
    for name in FIGURES_SEVERAL_DESTINATIONS:
        assert_png(destinations_run / name)


def test_a_real_destinations_run_shows_each_destination_as_a_place(destinations_run):
    figure = saved_figures(destinations_run)["destinations.png"]
    ticks = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert [tick.split("\n")[0] for tick in ticks] == ["Russia", "China", "Middle East"]
    assert all("workers returned" in tick for tick in ticks)


@pytest.mark.parametrize("name, x_units, y_units", [
    ("state_revenue.png", ["years"], ["USD m per month"]),
    ("flows.png", ["", "years"], ["workers", "workers per month"]),
    ("household_outcomes.png", ["USD per worker", "USD per worker"], ["% of workers per $100 bin"] * 2),
    ("destinations.png", ["USD per worker", "%"], ["", ""]),
])
def test_every_axis_label_names_its_unit(tmp_path, name, x_units, y_units):
    write_run(tmp_path, destinations=THREE_DESTINATIONS)
    axes = saved_figures(tmp_path)[name].axes
    assert len(axes) == len(x_units)
    for ax, x_unit, y_unit in zip(axes, x_units, y_units):
        assert x_unit in ax.get_xlabel()
        assert y_unit in ax.get_ylabel()


def test_revenue_mean_is_labelled_as_drawn_a_month_and_a_year(tmp_path):
    write_run(tmp_path)
    ax = saved_figures(tmp_path)["state_revenue.png"].axes[0]
    [mean] = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert mean.get_ydata()[0] == pytest.approx(2.358e8 / 12 / 1e6)
    assert mean.get_label() == "state, mean over the run: $19.6m a month ($235.8m a year)"


def test_legends_and_names_with_dollar_signs_are_drawn_as_written(tmp_path):
    write_run(tmp_path, destinations=("cost_$\\oops$", "china"))
    for path in plots.draw_all(tmp_path):  # mathtext would fail on \oops
        assert_png(path)
    for figure in saved_figures(tmp_path).values():
        for legend in figure.legends + [ax.get_legend() for ax in figure.axes if ax.get_legend()]:
            assert not any(text.get_parse_math() for text in legend.get_texts())


def test_a_change_point_at_month_12_is_a_line_at_one_year(tmp_path):
    write_run(tmp_path, timeline={"recruit_open": 1.0, "quota_multiplier": [[0, 1.0], [12, 1.3]]})
    figures = saved_figures(tmp_path)
    for ax in figures["state_revenue.png"].axes + figures["flows.png"].axes:
        assert [list(line.get_xdata()) for line in ax.lines if list(line.get_xdata()) == [1.0, 1.0]]
        assert "quota multiplier 1.3" in [text.get_text() for text in ax.texts]


def test_month_0_and_constant_series_draw_no_policy_line(tmp_path):
    write_run(tmp_path, timeline={"recruit_open": 1.0, "quota_multiplier": [[0, 1.0]]})
    ax = saved_figures(tmp_path)["state_revenue.png"].axes[0]
    assert not [line for line in ax.lines if line.get_linestyle() == "--"]


def test_calibration_chart_reads_as_words_with_units(tmp_path):
    write_run(tmp_path)
    ax = saved_figures(tmp_path)["calibration.png"].axes[0]
    ticks = [tick.get_text() for tick in ax.get_yticklabels()]
    assert not any("_" in tick for tick in ticks)
    assert ticks[0] == "Bribe, Russia: $600\nsource: $500 to $700"
    assert "Workers, Russia: 29,982 workers\nsource: 30,000 workers" in ticks
    low, high = ax.get_xlim()
    assert -1.0 <= low and high <= 2.0
    assert "source low" in [tick.get_text() for tick in ax.get_xticklabels()]


def test_calibration_dots_beyond_the_chart_are_arrows_with_their_place(tmp_path):
    write_run(tmp_path)  # cash home $7,041 on a $4,000 to $6,000 range: at 1.5
    ax = saved_figures(tmp_path)["calibration.png"].axes[0]
    assert "at 1.5" in [text.get_text() for text in ax.texts]


def test_a_cohort_leaving_at_once_is_written_not_drawn_to_scale(tmp_path):
    write_run(tmp_path)
    monthly = pd.read_parquet(tmp_path / "monthly.parquet")
    monthly.loc[0, "hires"] = 30_000.0
    ax = plots.flows_figure(monthly, "a run").axes[1]
    assert "30,000 hired (off scale)" in [text.get_text() for text in ax.texts]
    assert ax.get_ylim()[1] < 30_000.0


def test_calibration_without_compared_rows_still_draws(tmp_path):
    write_run(tmp_path, compared=False)
    plots.draw_all(tmp_path)
    assert_png(tmp_path / "calibration.png")


def test_point_ranges_become_a_ten_percent_band():
    compared = calibration_rows(compared=True).iloc[1:]
    low, high = calibration_plots.normalising_range(compared)
    assert list(low) == pytest.approx([500.0, 4000.0, 27000.0, -1.0])
    assert list(high) == pytest.approx([700.0, 6000.0, 33000.0, 1.0])


def test_central_range_holds_the_requested_share():
    frame = pd.DataFrame({"bin_low_usd": [0.0, 100.0, 200.0, 300.0], "bin_high_usd": [100.0, 200.0, 300.0, 400.0],
                          "workers_simulated": [1, 49, 49, 1]})
    assert plots.central_range(frame, 0.98) == (100.0, 300.0)
    assert plots.central_range(frame, 1.0) == (0.0, 400.0)


def test_run_label_names_config_and_seed():
    assert plots.run_label({"config_file": "/a/b/war.toml", "seed": 3}) == "war, seed 3"


@pytest.mark.parametrize("value, text", [(235_817_311.4, "235,817,311"), (7040.9, "7,041"),
                                         (29.99, "30"), (0.057, "0.057"), (-1236.3, "-1,236")])
def test_number_formats_with_thousands_separators(value, text):
    assert plots.number(value) == text


@pytest.mark.parametrize("value, text", [(247_017_687.0, "$247.0m"), (1.25e9, "$1.2bn"), (3383.1, "$3,383"),
                                         (-43.3, "-$43.3"), (None, "n/a")])
def test_dollars_are_abbreviated_si_style(value, text):
    assert usd(value) == text


@pytest.mark.parametrize("value, unit, text", [
    (247_017_687.0, "USD per year", "$247.0m a year"), (168.2, "USD per month", "$168 a month"),
    (29_887.2, "workers", "29,887 workers"), (599.3, "USD", "$599"), (0.05, "share", "5.0%"),
    (30.07, "months", "30.1 months"), (np.nan, "USD", "n/a"),
])
def test_values_carry_their_units(value, unit, text):
    assert with_unit(value, unit) == text


def test_a_source_range_names_its_unit_once():
    assert span(150.0, 300.0, "USD per month") == "$150 to $300 a month"
    assert span(27_000.0, 33_000.0, "workers") == "27,000 to 33,000 workers"
    assert span(200.0, 200.0, "USD") == "$200"


@pytest.mark.parametrize("name, destination, text", [
    ("kept_per_month_russia", "russia", "Kept per month, Russia"), ("bribe_middle_east", "middle_east",
                                                                    "Bribe, Middle East"),
    ("home_wage", None, "Home wage"), ("home_wage", np.nan, "Home wage"), ("state_revenue", "russia", "State revenue"),
])
def test_ids_read_as_words(name, destination, text):
    assert humanise(name, destination) == text


def test_places_are_capitalised_words():
    assert place("middle_east") == "Middle East"


def test_change_points_after_month_0_are_gathered_by_month():
    timeline = {"recruit_open": [[0, 1.0], [24, 0.0]], "quota_multiplier": [[0, 1.0], [12, 1.3], [24, 2.0]],
                "wage_index": 1.0}
    assert change_points(timeline) == [ChangePoint(12.0, "quota multiplier 1.3"),
                                       ChangePoint(24.0, "recruit open 0; quota multiplier 2")]
    assert change_points(None) == []


def test_policy_date_labels_a_month_apart_go_on_rows_that_do_not_overlap(tmp_path):
    """The rouble crash changes the wage index three months running: each label on its own row,
    none over another once drawn; labels a year apart share the top row."""
    write_run(tmp_path)
    monthly = pd.read_parquet(tmp_path / "monthly.parquet")
    summary = json.loads((tmp_path / "summary.json").read_text())
    crash = {"wage_index": [[0, 1.0], [24, 0.8], [25, 0.65], [26, 0.5], [60, 0.9]]}
    figure = plots.state_revenue_figure(monthly, summary, "a run", crash)
    figure.canvas.draw()
    labels = [text for text in figure.axes[0].texts if text.get_text().startswith("wage index")]
    boxes = [text.get_window_extent() for text in labels]
    assert len(boxes) == 4
    assert not [(a.get_text(), b.get_text()) for i, (a, box) in enumerate(zip(labels, boxes))
                for b, other in zip(labels[i + 1:], boxes[i + 1:]) if box.overlaps(other)]
    assert boxes[3].y1 == boxes[0].y1 > boxes[1].y1 > boxes[2].y1  # 2027 back on the top row
    assert figure_style.label_rows([0.0, 0.5, 1.0, 3.0], [1.2, 1.2, 1.2, 1.2]) == [0, 1, 2, 0]
