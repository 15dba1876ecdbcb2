"""Time-series loaders on the real statsmodels files (fetched when missing), and make_windows."""
import numpy as np
import pytest

from neuronet.data.datasets import load_co2, load_nile, load_sunspots, make_windows


@pytest.fixture(scope="module", autouse=True)
def files(ensure_dataset):
    ensure_dataset("timeseries")


def test_monthly_sunspots():
    values, months = load_sunspots()
    assert values.dtype == np.float32 and values.shape == months.shape == (3126,)
    assert str(months[0]) == "1749-01" and str(months[-1]) == "2009-06"
    np.testing.assert_array_equal(values[:3], np.float32([58.0, 62.6, 70.0]))
    np.testing.assert_array_equal(values[-3:], np.float32([1.2, 2.9, 2.6]))
    assert np.all(np.diff(months).astype(int) == 1)
    assert values.min() >= 0 and 250 < values.max() < 260


def test_yearly_sunspots():
    values, years = load_sunspots(monthly=False)
    assert values.shape == years.shape == (309,) and years.dtype == np.int64
    assert years[0] == 1700 and years[-1] == 2008 and values[0] == 5


def test_co2_missing_weeks():
    raw, dates = load_co2(fill=None)
    assert raw.shape == (2284,) and raw.dtype == np.float32
    assert str(dates[0]) == "1958-03-29" and str(dates[-1]) == "2001-12-29"
    missing = np.isnan(raw)
    assert missing.sum() == 59
    filled, _ = load_co2()
    assert not np.isnan(filled).any()
    np.testing.assert_array_equal(filled[~missing], raw[~missing])
    i = int(np.argmax(missing))   # the first gap lies between two known weeks
    assert min(raw[i - 1], raw[i + 1]) <= filled[i] <= max(raw[i - 1], raw[i + 1])
    dropped, kept_dates = load_co2(fill="drop")
    assert dropped.shape == kept_dates.shape == (2284 - 59,)
    with pytest.raises(ValueError, match="load_co2"):
        load_co2(fill="zero")


def test_nile():
    values, years = load_nile()
    assert values.shape == (100,) and years[0] == 1871 and years[-1] == 1970 and values[0] == 1120


def test_make_windows_one_dimensional():
    x, y = make_windows(np.arange(10.0), window=3, horizon=2)
    assert x.shape == (6, 3, 1) and y.shape == (6,)
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(y, [4, 5, 6, 7, 8, 9])


def test_make_windows_multivariate():
    series = np.arange(12.0).reshape(6, 2)
    x, y = make_windows(series, window=2)
    assert x.shape == (4, 2, 2) and y.shape == (4, 2)
    np.testing.assert_array_equal(x[1], series[1:3])
    np.testing.assert_array_equal(y[1], series[3])


def test_make_windows_errors():
    with pytest.raises(ValueError, match="too short"):
        make_windows(np.arange(3.0), window=3)
    with pytest.raises(ValueError, match="window"):
        make_windows(np.arange(5.0), window=0)
    with pytest.raises(ValueError, match=r"\(T,\)"):
        make_windows(np.zeros((2, 2, 2)), window=1)
