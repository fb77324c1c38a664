"""Monthly series by destination: each month's workers, hires, returns and money split by where
the workers are, summing exactly (in cents) to the monthly series over all destinations."""
import numpy as np
import pytest

from conftest import scenario
from sim import aggregate, api, engine
from sim import layout as L

SIGMAS = 4.5
TWO_DESTINATIONS = [
    "simulation.horizon_months=24",
    "destinations.russia.share=0.7",
    'destinations.china={ share = 0.3, free_mover_share = 0.0, contract_months = 24, bribe_usd = 500, '
    'earning_capacity_usd_per_month = 900 }',
    "participation.reservation_gain_usd=-1e9",
]


@pytest.fixture(scope="module")
def two_destinations():
    return scenario(*TWO_DESTINATIONS)


@pytest.fixture(scope="module")
def raw(two_destinations):
    return engine.simulate(two_destinations, seed=5, workers=6_000)


def test_destinations_sum_to_the_monthly_series_to_the_cent(raw):
    by_destination = raw.monthly_by_destination
    assert by_destination.shape == (24, 2, len(L.MONTHLY_BY_DESTINATION))
    for index, name in enumerate(L.MONTHLY_BY_DESTINATION):
        np.testing.assert_array_equal(by_destination[:, :, index].sum(axis=1), raw.monthly[:, getattr(L.M, name)])
    assert (by_destination[:, :, L.MD.workers_active] > 0).all()  # both destinations hold workers every month
    assert aggregate.accounting_residual_usd(raw) == 0.0  # gross = to state + to managers + expenses + kept


def test_each_destination_holds_its_share_of_the_posts(raw):
    # a post is china's with its share 0.3; everyone goes (no threshold), so every post is held
    workers = raw.monthly_by_destination[:, :, L.MD.workers_active]
    n = raw.n_slots
    assert (workers.sum(axis=1) == n).all()
    share = workers[0, 1] / n
    assert abs(share - 0.3) < SIGMAS * np.sqrt(0.3 * 0.7 / n)
    assert (workers[:, 1] == workers[0, 1]).all()  # a post stays china's: its stock is constant


def test_one_destination_is_the_monthly_series():
    raw = engine.simulate(scenario("simulation.horizon_months=12"), seed=5, workers=2_000)
    assert raw.monthly_by_destination.shape[1] == 1
    for index, name in enumerate(L.MONTHLY_BY_DESTINATION):
        np.testing.assert_array_equal(raw.monthly_by_destination[:, 0, index], raw.monthly[:, getattr(L.M, name)])


def test_the_frame_is_long_one_row_per_month_and_destination(two_destinations, tmp_path):
    result = api.run(two_destinations, seed=5, workers=2_000, progress=False, tuning_scan=False)
    frame = result.monthly_by_destination
    assert list(frame.columns[:2]) == ["month", "destination"]
    assert len(frame) == 24 * 2 and set(frame.destination) == {"russia", "china"}
    summed = frame.groupby("month")[list(L.MONTHLY_BY_DESTINATION)].sum()
    np.testing.assert_allclose(summed.to_numpy(), result.monthly[list(L.MONTHLY_BY_DESTINATION)].to_numpy(),
                               rtol=1e-12, atol=1e-6)
    saved = result.save(tmp_path)
    assert (saved / "monthly_by_destination.parquet").is_file()
