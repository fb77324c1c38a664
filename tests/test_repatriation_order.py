"""A repatriation order (``[timeline.repatriation_order]``), compliance and status substitution
(``[statuses.<name>]``), and the series by status (docs/model.md, "Repatriation order").

Expected values come from the model: the order's hazards in closed form, binomial and geometric
expectations with tolerances of SIGMAS standard errors, exact cents for the degenerate worker of
``conftest.DEGENERATE`` (capacity $1,000, expenses $100, quota $700, skim 10%, contract 24 months).
"""
import math

import numpy as np
import pandas as pd
import pytest
from bad_input import BASELINE_TEXT, TINY, assert_nothing_written, error_lines, write

from conftest import DEGENERATE, scenario
from sim import api, engine, layout as L, plots, report, schema
from sim.aggregate import accounting_residual_usd
from sim.cli import main
from sim.scenario_file import load_config

SIGMAS = 4.5
NO_THRESHOLD = "participation.reservation_gain_usd=-1e9"
STATUSES = ['statuses.student={ share = 0.6, earnings_multiplier = 0.7, contribution_multiplier = 0.5, '
            'detection_hazard_per_month = 0.0 }',
            'statuses.tourist={ share = 0.4, earnings_multiplier = 0.5, contribution_multiplier = 0.0, '
            'detection_hazard_per_month = 0.0 }']


def order(start, deadline, compliance=1.0, shape="linear", hazard=None):
    """The override setting a repatriation order."""
    extra = f", hazard_per_month = {hazard}" if hazard is not None else ""
    return (f'timeline.repatriation_order={{ start = {start}, deadline = {deadline}, shape = "{shape}", '
            f'compliance_share = {compliance}{extra} }}')


def cohort(*overrides, workers=4_000, horizon=30, seed=7):
    """Degenerate workers all hired at month 0, with ``overrides``; kept per worker."""
    simulation = f'simulation={{ mode = "cohort", horizon_months = {horizon}, workers = {workers}, seed = {seed} }}'
    return api.run(scenario(*DEGENERATE, NO_THRESHOLD, *overrides, simulation), keep_workers=True,
                   tuning_scan=False)


def within(observed, expected, se):
    return abs(observed - expected) <= SIGMAS * se + 1e-12


def test_a_full_compliance_order_leaves_nobody_on_a_work_permit_after_its_deadline():
    """Stock mode, own early returns and contract ends going on: from the deadline (month 18) no
    worker abroad holds a work permit; with compliance 0.7 the others are on student and tourist
    visas, and nobody is hired from the start (month 6)."""
    common = ("simulation.horizon_months=30", order(6, 18, 1.0), *STATUSES)
    full = api.run(scenario(*common), workers=3_000, tuning_scan=False)
    by_status = full.monthly_by_status.pivot(index="month", columns="status", values="workers_active")
    assert (by_status.loc[:5, schema.WORK_PERMIT] > 0).all()
    assert (by_status.loc[18:].to_numpy() == 0).all()  # nobody abroad at all: everyone complied
    partial = api.run(scenario(*common[:1], order(6, 18, 0.7), *STATUSES), workers=3_000, tuning_scan=False)
    by_status = partial.monthly_by_status.pivot(index="month", columns="status", values="workers_active")
    assert (by_status.loc[18:, schema.WORK_PERMIT] == 0).all()
    assert (by_status.loc[18:, ["student", "tourist"]].to_numpy() > 0).all()
    assert (by_status.loc[:6, ["student", "tourist"]].to_numpy() == 0).all()  # nobody reached before month 6
    assert (partial.monthly.loc[6:, "hires"] == 0).all() and partial.monthly.loc[1:5, "hires"].sum() > 0


def test_the_linear_order_runs_the_permits_down_evenly():
    """Nobody goes home of his own accord; from start s the linear hazard 1 / (D - t) leaves
    (D - t) / (D - s) of the cohort abroad during month t, s <= t <= D, and nobody after."""
    start, deadline, n = 4, 16, 4_000
    abroad = cohort(order(start, deadline), workers=n).monthly["workers_active"].to_numpy()
    for t in range(len(abroad)):
        share = 1.0 if t < start else max(deadline - t, 0) / (deadline - start)
        assert within(abroad[t] / n, share, math.sqrt(share * (1 - share) / n)), (t, abroad[t])


def test_the_hazard_shape_reaches_everyone_left_in_the_month_before_the_deadline():
    start, deadline, hazard, n = 3, 10, 0.2, 4_000
    abroad = cohort(order(start, deadline, shape="hazard", hazard=hazard), workers=n).monthly["workers_active"]
    for t in range(deadline):
        share = (1 - hazard) ** max(t - start, 0)
        assert within(abroad[t] / n, share, math.sqrt(share * (1 - share) / n)), (t, abroad[t])
    assert (abroad[deadline:] == 0).all()


def test_the_compliance_share_is_the_share_who_go_home_and_the_others_take_a_status_by_its_share():
    """Everyone is reached after month 2 (the deadline is month 3): a share 0.7 goes home then,
    sent home by the policy; the rest serve their contract on a status, 60% student."""
    n, compliance = 4_000, 0.7
    run = cohort(order(2, 3, compliance), *STATUSES, workers=n)
    w = run.workers
    home = w.months_served == 3
    assert within(home.mean(), compliance, math.sqrt(compliance * (1 - compliance) / n))
    assert (w.return_reason[home] == "sent_home_by_policy").all() and (w.status[home] == schema.WORK_PERMIT).all()
    stayed = w[~home]
    assert (stayed.months_served == 24).all() and (stayed.return_reason == "completed").all()
    student = (stayed.status == "student").mean()
    assert within(student, 0.6, math.sqrt(0.6 * 0.4 / len(stayed)))
    by_status = run.monthly_by_status.set_index(["month", "status"])["workers_active"]
    assert by_status[3, schema.WORK_PERMIT] == 0 and by_status[3, "student"] + by_status[3, "tourist"] == len(stayed)


def test_a_status_multiplies_earnings_and_contribution_to_the_cent():
    """Nobody complies: 3 months on the permit ($1,000 earned, $700 paid, $70 of it skimmed),
    then 21 on a student visa at half the earnings and a fifth of the contribution."""
    status = ('statuses.student={ share = 1.0, earnings_multiplier = 0.5, contribution_multiplier = 0.2, '
              'detection_hazard_per_month = 0.0 }')
    w = cohort(order(2, 3, 0.0), status, workers=500).workers
    assert (w.status == "student").all() and (w.months_served == 24).all()
    np.testing.assert_array_equal(w.gross_earnings_usd, 3 * 1000 + 21 * 500)
    np.testing.assert_array_equal(w.to_managers_usd, 3 * 70 + 21 * 14)
    np.testing.assert_array_equal(w.to_state_usd, 3 * 630 + 21 * 126)
    np.testing.assert_array_equal(w.quota_due_usd, 3 * 700 + 21 * 140)
    np.testing.assert_array_equal(w.kept_usd, 3 * 1000 + 21 * 500 - 24 * 100 - 3 * 700 - 21 * 140)


def test_the_detection_hazard_sends_a_status_holder_home_after_geometric_months():
    """On the status from month 3 with detection hazard d: the months on it are min(K, 21), K
    geometric (P(K = k) = (1 - d)^(k - 1) d), those detected sent home by the policy."""
    d, n = 0.1, 4_000
    status = ('statuses.tourist={ share = 1.0, earnings_multiplier = 1.0, contribution_multiplier = 1.0, '
              f'detection_hazard_per_month = {d} }}')
    w = cohort(order(2, 3, 0.0), status, workers=n).workers
    on_status = (w.months_served - 3).to_numpy()
    mean = (1 - (1 - d) ** 21) / d
    second = sum(k * k * (1 - d) ** (k - 1) * d for k in range(1, 21)) + 21 * 21 * (1 - d) ** 20
    assert within(on_status.mean(), mean, math.sqrt((second - mean * mean) / n))
    first = (on_status == 1).mean()
    assert within(first, d, math.sqrt(d * (1 - d) / n))
    detected = w.months_served < 24
    assert (w.return_reason[detected] == "sent_home_by_policy").all() and (w.status == "tourist").all()


def test_the_series_by_status_add_up_to_the_months_and_hold_the_money_identity():
    run = api.run(scenario("simulation.horizon_months=30", order(4, 20, 0.6), *STATUSES,
                           "statuses.tourist.detection_hazard_per_month=0.05"), workers=2_000, tuning_scan=False)
    raw = run.raw
    assert raw.monthly_by_status[:, 1:, L.MS.workers_active].sum() > 0
    assert accounting_residual_usd(raw) == 0.0
    for name in L.MONTHLY_BY_STATUS:
        np.testing.assert_array_equal(raw.monthly_by_status[:, :, getattr(L.MS, name)].sum(axis=1),
                                      raw.monthly[:, getattr(L.M, name)], err_msg=name)
    broken = raw.monthly_by_status.copy()
    broken[-1, 1, L.MS.kept_usd] -= 1
    assert accounting_residual_usd(raw._replace(monthly_by_status=broken)) == 0.01


def test_without_statuses_there_is_no_table_by_status():
    run = api.run(scenario("simulation.horizon_months=24", order(4, 12)), workers=500, tuning_scan=False)
    assert run.monthly_by_status is None and run.monthly.loc[12:, "workers_active"].eq(0).all()


def test_the_order_may_be_given_as_dates(configs):
    text = BASELINE_TEXT + ('\n[timeline.repatriation_order]\nstart = "2019-06"\ndeadline = "2021-06"\n'
                            'shape = "linear"\n')
    path = write(configs, text.replace("[simulation]", '[simulation]\nstart = "2017-12"', 1), "dated.toml")
    chosen = load_config(path).timeline.repatriation_order
    assert (chosen.start, chosen.deadline) == (18, 42)


ORDER = '\n[timeline.repatriation_order]\nstart = 24\ndeadline = 48\nshape = "linear"\n'
STUDENT = ('\n[statuses.student]\nshare = 1.0\nearnings_multiplier = 0.7\ncontribution_multiplier = 0.5\n'
           'detection_hazard_per_month = 0.02\n')


@pytest.mark.parametrize(("text", "key", "words"), [
    (ORDER.replace("deadline = 48", "deadline = 12"), "timeline.repatriation_order", "must come after start"),
    (ORDER + "compliance_share = 0.8\n", "timeline.repatriation_order.compliance_share", "[statuses.<name>]"),
    (ORDER + "hazard_per_month = 0.1\n", "timeline.repatriation_order", "does not use hazard_per_month"),
    (ORDER.replace('"linear"', '"hazard"'), "timeline.repatriation_order", "needs hazard_per_month"),
    (ORDER.replace("deadline = 48", "deadline = 130"), "timeline.repatriation_order.deadline", "past the horizon"),
    (ORDER + STUDENT.replace("share = 1.0", "share = 0.9"), "statuses", "sum to 1"),
    (ORDER + STUDENT.replace("student", "work_permit"), "statuses.work_permit", "status 0"),
    (ORDER.replace("start = 24", 'start = "2019-06"'), "timeline.repatriation_order.start", "simulation.start"),
], ids=["deadline before start", "compliance without statuses", "hazard with linear", "hazard missing",
        "past the horizon", "status shares", "status named work_permit", "date without start"])
def test_a_bad_order_or_status_exits_2_naming_the_key(configs, out, capsys, text, key, words):
    bad = write(configs, BASELINE_TEXT + text)
    status = main(["run", str(bad), "--workers", TINY, "--out", str(out)])
    stderr = capsys.readouterr().err
    assert status == 2, stderr
    lines = error_lines(stderr)
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: {key}: ") and words in lines[0], stderr
    assert_nothing_written(out)


def test_a_saved_run_with_statuses_has_its_series_figure_and_report_by_status(tmp_path):
    run = api.run(scenario("simulation.horizon_months=24", 'simulation.start="2020-01"', order(4, 12, 0.5),
                           *STATUSES), workers=500, tuning_scan=False, keep_workers=True)
    directory = run.save(tmp_path)
    saved = pd.read_parquet(directory / "monthly_by_status.parquet")
    assert list(saved["status"].unique()) == [schema.WORK_PERMIT, "student", "tourist"]
    assert saved["date"].iloc[0] == pd.Timestamp("2020-01-01")
    assert set(pd.read_parquet(directory / "workers.parquet")["status"]) <= {schema.WORK_PERMIT, "student", "tourist"}
    assert "statuses.png" in {path.name for path in plots.draw_all(directory)}
    page = (report.build(directory)).read_text()
    assert "By status" in page and "on a status other than the work permit" in page


def test_a_run_with_statuses_is_the_same_on_any_number_of_threads():
    chosen = scenario("simulation.horizon_months=30", order(4, 20, 0.6), *STATUSES)
    one, two = (engine.simulate(chosen, seed=3, workers=20_000, threads=threads) for threads in (1, 2))
    assert one.monthly_by_status[:, 1:, L.MS.workers_active].sum() > 0
    for name in ("monthly", "monthly_by_status", "cell_totals", "histogram"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)
