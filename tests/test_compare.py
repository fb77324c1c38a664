"""sim compare: paired replications with common random numbers give a policy's effect, exactly zero
before it starts, with an interval that covers a known effect and is narrower than unpaired."""
import json
import shutil

import numba
import numpy as np
import pandas as pd
import pytest

import sim
from bad_input import assert_nothing_written, error_lines, write
from conftest import BASELINE, DEGENERATE, ROOT, scenario
from sim import compare_plots, comparison, effects
from sim.cli import main
from sim.layout import CHUNK_WORKERS

POLICIES = BASELINE.parent / "policies"
HIKE_MONTH = 24


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Two policies compared with their shared base in one go, through the command line."""
    out = tmp_path_factory.mktemp("compare") / "results"
    status = main(["compare", str(POLICIES / "quota_hike.toml"), str(POLICIES / "rouble_crash.toml"),
                   "--workers", "6000", "--replications", "6", "--out", str(out), "--quiet"])
    assert status == 0
    directories = sorted(out.iterdir())
    assert [path.name.split("-2")[0] for path in directories] == ["quota_hike-vs-baseline", "rouble_crash-vs-baseline"]
    return dict(zip(("quota_hike", "rouble_crash"), directories))


def monthly(directory):
    return pd.read_parquet(directory / "monthly_effects.parquet")


@pytest.mark.parametrize("policy", ["quota_hike", "rouble_crash"])
def test_before_the_policy_starts_every_monthly_effect_is_exactly_zero(saved, policy):
    frame = monthly(saved[policy])
    manifest = json.loads((saved[policy] / "manifest.json").read_text())
    assert manifest["policy_start_month"] == HIKE_MONTH
    before, after = frame[frame["month"] < HIKE_MONTH], frame[frame["month"] >= HIKE_MONTH]
    assert (before["effect"] == 0).all() and (before["band"] == 0).all()
    assert (before["base"] == before["policy"]).all()
    assert (before["unpaired_band"] > 0).any()  # the runs do vary; only the pairing makes them cancel
    revenue = after[after["series"] == "to_state_usd"]
    assert (revenue["effect"] != 0).all()


def test_a_policy_given_by_dates_gets_dated_months(saved):
    frame = monthly(saved["rouble_crash"])
    manifest = json.loads((saved["rouble_crash"] / "manifest.json").read_text())
    assert manifest["policy_start_date"] == "2024-01"
    assert pd.Timestamp(frame.loc[frame["month"] == HIKE_MONTH, "date"].iloc[0]) == pd.Timestamp("2024-01-01")


def test_the_quota_hike_pairing_narrows_the_interval_where_the_workers_are_the_same(saved):
    """In the hike's first month the workers abroad are the base's (but this month's hires), so the noise
    both arms share cancels: the paired interval is far narrower (1.7 to 2.8 times over four seeds,
    0.9 to 1.2 with the arms' seeds made different). Later the arms hire different candidates and
    pairing buys less (see README)."""
    frame = monthly(saved["quota_hike"])
    [first] = frame[(frame["series"] == "to_state_usd") & (frame["month"] == HIKE_MONTH)].itertuples()
    assert first.unpaired_band > 1.5 * first.band > 0


def test_the_saved_directory_holds_tables_figures_and_a_page_naming_both_arms(saved):
    directory = saved["quota_hike"]
    table = pd.read_csv(directory / "effects.csv")
    assert list(table.columns[:7]) == ["metric", "base", "policy", "effect", "ci95_low", "ci95_high", "unit"]
    assert list(table["metric"]) == [metric.name for metric in effects.METRICS]
    assert (table["ci95_low"] <= table["effect"]).all() and (table["effect"] <= table["ci95_high"]).all()
    assert list(monthly(directory).columns) == ["month", "series", "base", "policy", "effect", "band",
                                                "unpaired_band"]
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["policy"]["config"]["timeline"]["quota_multiplier"] == [[0, 1.0], [HIKE_MONTH, 1.3]]
    assert manifest["base"]["config_file"] == str(BASELINE)
    assert len(set(manifest["replication_seeds"])) == manifest["replications"] == 6
    for name in ("state_revenue.png", "workers_abroad.png", "effects.png", "distributions.png"):
        assert (directory / name).read_bytes().startswith(b"\x89PNG")
    page = (directory / "report.html").read_text()
    assert "<h1>quota_hike against baseline</h1>" in page and page.count("<img src=\"data:image/png") == 4


def test_the_terminal_shows_each_effect_with_its_interval(tmp_path, capsys):
    empty = write(tmp_path, f'extends = "{BASELINE}"\n', "nothing.toml")
    assert main(["compare", str(empty), "--workers", "400", "--replications", "2", "--out",
                 str(tmp_path / "out"), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "the policy and the base simulate the same thing" in printed
    assert "state revenue, USD m per year" in printed and "0.0 (0.0 to 0.0)" in printed
    assert "results: " in printed


@pytest.mark.parametrize("literally", [False, True], ids=["an empty reform", "the base itself"])
def test_comparing_the_base_with_itself_gives_exactly_zero_effects_and_zero_width_intervals(tmp_path, literally):
    empty = write(tmp_path, f'extends = "{BASELINE}"\n', "nothing.toml")
    result = (sim.compare(BASELINE, base=BASELINE, workers=900, replications=3, progress=False) if literally
              else sim.compare(empty, workers=900, replications=3, progress=False))
    assert result.base.source_path == BASELINE  # the base is the file it extends
    assert result.manifest["policy_start_month"] is None
    for frame in (result.effects, result.monthly):
        assert (frame["effect"] == 0).all()
    assert (result.effects["ci95_low"] == 0).all() and (result.effects["ci95_high"] == 0).all()
    assert (result.monthly["band"] == 0).all()
    assert "state_revenue_usd_from_policy_start" not in set(result.effects["metric"])


HIKED_QUOTA = [
    *DEGENERATE,
    "destinations.russia.earning_capacity_usd_per_month=1200",
    'quota={ rule = "drawn", quota_usd_per_month = { dist = "uniform", low = 500, high = 650 }, '
    "floor_usd_per_month = 500, cap_usd_per_month = 900 }",
    'skim.share={ dist = "uniform", low = 0.05, high = 0.15 }',
]
"""Camps only, no shocks, no early returns, every post always filled: each worker pays his Q every
month, and 1.3 Q too (capacity $1,200 less $100 expenses leaves $1,100, and the contract still pays),
so a 30% hike adds 0.3 (1 - skim) Q a month per worker, whatever else happens."""


def test_the_paired_interval_covers_a_quota_hike_known_in_closed_form_and_is_narrower_than_unpaired():
    base = scenario(*HIKED_QUOTA)
    policy = scenario(*HIKED_QUOTA, f"timeline.quota_multiplier=[[0, 1.0], [{HIKE_MONTH}, 1.3]]")
    result = sim.compare(policy, base=base, workers=4000, replications=10, seed=7, progress=False)
    row = result.effects.set_index("metric").loc["state_revenue_usd_from_policy_start"]
    months = base.simulation.horizon_months - HIKE_MONTH
    mean_quota, mean_state_share = (500 + 650) / 2, 1 - (0.05 + 0.15) / 2
    expected = 0.3 * base.simulation.stock_target * mean_state_share * mean_quota * months
    assert row["ci95_low"] <= expected <= row["ci95_high"]
    assert row["ci95_high"] - row["ci95_low"] < 0.01 * expected  # an interval tight enough to mean something
    assert (row["unpaired_ci95_high"] - row["unpaired_ci95_low"]) > 3 * (row["ci95_high"] - row["ci95_low"])
    workers = result.monthly[result.monthly["series"] == "workers_active"]
    assert (workers["policy"] == base.simulation.stock_target).all()  # the closed form's premise


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two threads")
def test_a_comparison_is_bit_identical_for_any_thread_count():
    policy = POLICIES / "quota_hike.toml"
    one, two = (sim.compare(policy, workers=CHUNK_WORKERS + 100, replications=2, threads=threads,
                                 progress=False)
                for threads in (1, 2))
    pd.testing.assert_frame_equal(one.effects, two.effects)
    pd.testing.assert_frame_equal(one.monthly, two.monthly)


def test_a_reform_run_on_its_own_is_titled_by_its_own_file_not_its_base(tmp_path):
    result = sim.run(POLICIES / "quota_hike.toml", workers=300, progress=False)
    assert repr(result).startswith("<sim.Result quota_hike:")
    page = (result.save(tmp_path) / "report.html").read_text()
    assert "<h1>quota_hike</h1>" in page and "<title>quota_hike, seed" in page


def test_paired_intervals_are_student_t_on_the_differences():
    base = np.array([[1.0], [2.0], [4.0]])
    policy = base + np.array([[1.0], [2.0], [3.0]])
    interval = effects.paired(base, policy)
    assert interval.estimate[0] == 2.0
    assert interval.half_width[0] == pytest.approx(4.302652729911275 * 1.0 / np.sqrt(3))  # t(0.975, 2) sd / sqrt n


def test_replication_seeds_are_distinct_and_reproducible():
    seeds = comparison.replication_seeds(20261126, 10)
    assert seeds == comparison.replication_seeds(20261126, 10) and len(set(seeds)) == 10
    assert all(0 <= seed < 2**63 for seed in seeds)
    assert seeds[:3] == comparison.replication_seeds(20261126, 3)


# ---------------------------------------------------------------- bad input: one message, exit 2, nothing written

def refused(arguments, out, capsys) -> str:
    assert main(["compare", *map(str, arguments), "--workers", "400", "--replications", "2", "--out", str(out)]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert_nothing_written(out)
    return line


def test_a_missing_policy_file_is_refused(tmp_path, capsys):
    line = refused([tmp_path / "nothere.toml"], tmp_path / "out", capsys)
    assert line == f"error: {tmp_path / 'nothere.toml'}: file not found"


def test_a_missing_base_is_refused_naming_the_policy_and_extends(configs, out, capsys):
    policy = write(configs, 'extends = "gone.toml"\n', "policy.toml")
    line = refused([policy], out, capsys)
    assert line.startswith(f"error: {policy}: extends: ") and "gone.toml not found" in line


def test_a_missing_base_named_on_the_command_line_is_refused(configs, out, capsys):
    line = refused([POLICIES / "quota_hike.toml", "--base", configs / "gone.toml"], out, capsys)
    assert line == f"error: {configs / 'gone.toml'}: file not found"


@pytest.mark.parametrize("table, message", [
    ("[skim]\nshare_typo = 0.2", "skim.share_typo: "),  # an unknown key
    ("[simulation]\nhorizon_months = 60", "simulation.horizon_months: 60 months, but the base"),
    ('[simulation]\nmoney_unit = "SUR"', "simulation.money_unit: SUR, but the base"),
], ids=["unknown key", "another horizon", "another money unit"])
def test_a_bad_policy_is_refused_naming_its_file_and_key(configs, out, capsys, table, message):
    policy = write(configs, f'extends = "{BASELINE}"\n{table}\n', "policy.toml")
    line = refused([policy], out, capsys)
    assert line.startswith(f"error: {policy}: {message}")


def test_a_policy_without_a_base_is_refused(configs, out, capsys):
    line = refused([BASELINE], out, capsys)
    assert line.startswith(f"error: {BASELINE}: extends: the policy names no base")


def test_a_folder_without_policies_is_refused(configs, out, capsys):
    line = refused([configs], out, capsys)
    assert line == f"error: {configs}: no .toml files found"


def test_fewer_than_two_replications_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", str(POLICIES / "quota_hike.toml"), "--replications", "1", "--out", str(tmp_path / "out")])
    assert stop.value.code == 2 and "at least 2 replications" in capsys.readouterr().err
    assert_nothing_written(tmp_path / "out")


def test_a_soviet_comparison_counts_in_roubles_in_the_terminal_files_page_and_figures(configs, out, capsys,
                                                                                      monkeypatch):
    """configs/soviet.toml counts in Soviet roubles (SUR): no amount of its comparison says dollars."""
    policy = write(configs, f'extends = "{ROOT / "configs" / "soviet.toml"}"\n[skim]\nshare = 0.3\n', "soviet_skim.toml")
    drawn = []
    monkeypatch.setattr(compare_plots, "save", lambda figure, path: drawn.append(figure) or path)
    assert main(["compare", str(policy), "--workers", "2000", "--replications", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "state revenue, SUR m per year" in printed and "USD" not in printed and "$" not in printed
    [directory] = out.iterdir()
    assert json.loads((directory / "manifest.json").read_text())["money_unit"] == "SUR"
    units = pd.read_csv(directory / "effects.csv")["unit"]
    assert "SUR per year" in set(units) and not units.str.contains("USD").any()
    page = (directory / "report.html").read_text()
    assert " SUR" in page and "USD" not in page and "$" not in page
    texts = [text.get_text() for figure in drawn for ax in figure.axes
             for text in (ax.yaxis.label, ax.xaxis.label, *ax.get_yticklabels())]
    assert len(drawn) == 4 and any("SUR m per month" in text for text in texts)
    assert not [text for text in texts if "USD" in text or "$" in text]


def test_sim_report_rebuilds_a_comparisons_page(saved, tmp_path, capsys):
    """sim report DIR reads the manifest: a comparison's page is rebuilt, the same bytes."""
    copy = shutil.copytree(saved["quota_hike"], tmp_path / "copy")
    page = (copy / "report.html").read_bytes()
    (copy / "report.html").unlink()
    assert main(["report", str(copy)]) == 0
    assert (copy / "report.html").read_bytes() == page
    (copy / "effects.csv").unlink()
    assert main(["report", str(copy)]) == 2
    assert capsys.readouterr().err.strip().endswith("not a whole comparison (no effects.csv)")


@pytest.mark.parametrize("policy, start", [
    (["timeline.quota_surcharge_usd_per_month=[[0, 0.0], [24, 100.0]]"], 24),
    (['quota.policy_applies_to="new_hires"', "timeline.quota_surcharge_usd_per_month=[[0, 0.0], [24, 100.0]]"], 24),
    (['quota.policy_applies_to="new_hires"'], None),  # the quota levers never move: nothing differs
    (["skim.share=0.2"], 0),
    (['timeline.by_destination.russia.wage_index=[[0, 1.0], [30, 0.5]]'], 30),
])
def test_the_policy_starts_where_it_first_simulates_something_else(policy, start):
    from sim.comparison import policy_start_month

    assert policy_start_month(scenario(*policy), scenario()) == start


def test_a_policy_at_one_destination_has_effects_by_destination_that_sum_to_the_total(tmp_path):
    """russia_closes: zero everywhere before month 24, then russia loses workers and china gains
    half as many; the destinations' effects add up to the total's, month by month."""
    result = sim.compare(POLICIES / "russia_closes.toml", workers=6_000, replications=3)
    frame = result.monthly_by_destination
    workers = frame[frame["series"] == "workers_active"].pivot(index="month", columns="destination", values="effect")
    total = result.monthly[result.monthly["series"] == "workers_active"].set_index("month")["effect"]
    np.testing.assert_allclose(workers.sum(axis=1), total, atol=1e-6)
    assert (workers.loc[:23] == 0).all().all()
    last = workers.loc[workers.index.max()]
    assert last["russia"] < 0 < last["china"] and last["middle_east"] == 0
    directory = result.save(tmp_path)
    assert (directory / "workers_by_destination.png").is_file()
    assert "Workers abroad by destination" in (directory / "report.html").read_text()


def test_an_order_with_statuses_has_effects_by_status_that_sum_to_the_total(tmp_path):
    """un_order: the base has no statuses (everyone on the work permit); under the order some stay
    on student or tourist visas. The statuses' effects add up to the total's, month by month."""
    result = sim.compare(POLICIES / "un_order.toml", workers=6_000, replications=3)
    frame = result.monthly_by_status
    workers = frame[frame["series"] == "workers_active"].pivot(index="month", columns="status", values="effect")
    total = result.monthly[result.monthly["series"] == "workers_active"].set_index("month")["effect"]
    np.testing.assert_allclose(workers.sum(axis=1), total, atol=1e-6)
    start = result.manifest["policy_start_month"]
    assert (workers.loc[: start - 1] == 0).all().all()
    assert workers["work_permit"].min() < 0 and workers.drop(columns="work_permit").to_numpy().max() > 0
    assert (result.save(tmp_path) / "monthly_effects_by_status.parquet").is_file()


def test_the_distributions_of_both_arms_are_kept_and_drawn(saved):
    """quota_hike: every simulated hire of every replication is in its arm's distribution once; the
    hike moves the net gain left, so more of the policy's hires lie below 0; the figure is drawn."""
    frame = pd.read_parquet(saved["quota_hike"] / "distributions.parquet")
    assert set(frame["metric"]) == {"cash_home_usd", "net_gain_usd"} and set(frame["arm"]) == {"base", "policy"}
    below = {}
    for arm, rows in frame[frame["metric"] == "net_gain_usd"].groupby("arm"):
        assert rows["value_usd"].is_monotonic_increasing
        below[arm] = rows.loc[rows["value_usd"] < 0, "workers"].sum() / rows["workers"].sum()
        cash = frame[(frame["metric"] == "cash_home_usd") & (frame["arm"] == arm)]
        assert cash["workers"].sum() == rows["workers"].sum()
    assert below["policy"] > below["base"] > 0
    assert (saved["quota_hike"] / "distributions.png").is_file()
