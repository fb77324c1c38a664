"""The baseline reproduces every present-day figure of the source it can be compared with."""
import pytest

from sim import api

from conftest import BASELINE


@pytest.fixture(scope="module")
def calibration():
    return api.run(BASELINE, workers=100_000).calibration


def test_every_present_day_russian_figure_is_in_range(calibration):
    compared = calibration[calibration.status.isin(["in range", "out of range"])]
    assert set(compared.name) >= {"bribe_russia", "quota_russia", "kept_per_month_russia", "home_wage",
                                  "cash_home_russia", "contract_russia", "workers_russia", "state_revenue"}
    out = compared[~compared.in_range.astype(bool)]
    assert out.empty, out[["name", "low", "high", "simulated"]].to_string()


def test_figures_that_cannot_be_compared_say_why(calibration):
    rows = calibration.set_index("name")
    assert rows.loc["bribe_china", "status"] == "not compared: destination 'china' not simulated"
    assert rows.loc["workers_soviet", "status"] == "not compared: soviet period"
    assert rows.loc["tip_hours_per_day", "status"] == "not compared: no simulated counterpart"
    assert rows.citation.str.contains("Lankov").all()
