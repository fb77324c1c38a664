"""Calendar dates: ``simulation.start`` names month 0; change points may be dates."""
import pandas as pd
import pytest

from conftest import scenario
from sim import api, calendar, plots
from sim.config import ConfigError

START = 'simulation.start="2017-12"'


def test_a_date_is_the_month_it_falls_in_after_the_start():
    dated = scenario(START, 'timeline.quota_multiplier=[[0, 1.0], ["2019-06", 1.3]]')
    assert dated.timeline.quota_multiplier == [[0.0, 1.0], [18.0, 1.3]]
    assert calendar.months_after("2017-12", "2017-12") == 0 and calendar.months_after("2017-12", "2016-12") == -12


@pytest.mark.parametrize("overrides, words", [
    (['timeline.quota_multiplier=[[0, 1.0], ["2019-06", 1.3]]'], "simulation.start is not set"),
    ([START, 'timeline.quota_multiplier=[[0, 1.0], ["2016-06", 1.3]]'], "before simulation.start"),
    ([START, 'timeline.quota_multiplier=[[0, 1.0], ["2019-6", 1.3]]'], "not a month written YYYY-MM"),
    (['simulation.start="2017-13"'], "simulation.start: '2017-13' is not a month written YYYY-MM"),
])
def test_a_bad_date_is_refused_naming_the_key(overrides, words):
    with pytest.raises(ConfigError, match=words):
        scenario(*overrides)


def test_monthly_series_and_figures_carry_dates(tmp_path):
    result = api.run(scenario(START, "simulation.horizon_months=24",
                              'timeline.quota_multiplier=[[0, 1.0], ["2018-12", 1.3]]'), workers=2000)
    dates = result.monthly["date"]
    assert dates.iloc[0] == pd.Timestamp("2017-12-01") and dates.iloc[-1] == pd.Timestamp("2019-11-01")
    directory = result.save(tmp_path)
    monthly = pd.read_parquet(directory / "monthly.parquet")
    axis = plots.time_axis(monthly)
    assert axis.label == "month" and axis.at(12) == pd.Timestamp("2018-12-01")
    figure = plots.state_revenue_figure(monthly, result.summary_dict, "test",
                                        result.manifest["config"]["timeline"])
    policy_lines = [line for line in figure.axes[0].lines if line.get_linestyle() == "--"]
    assert [pd.Timestamp(line.get_xdata()[0]) for line in policy_lines] == [pd.Timestamp("2018-12-01")]


def test_without_a_start_months_are_years_since_the_start():
    result = api.run(scenario("simulation.horizon_months=24"), workers=1000)
    assert "date" not in result.monthly
    assert plots.time_axis(result.monthly).label == "years since start of run"
