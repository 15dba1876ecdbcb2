"""Classic time series for forecasting: sunspots (monthly and yearly), Mauna Loa CO2, the Nile.

The files come from the PyPI wheel ``statsmodels==0.15.0`` (``statsmodels/datasets/...``, BSD-3):
the wheel is downloaded, never installed or imported.  ``make_windows`` turns a series into
supervised (window -> next value) pairs for many-to-one recurrent networks.
"""
from __future__ import annotations

import csv

from ...backend import np
from .fetch import dataset_path

__all__ = ["load_sunspots", "load_co2", "load_nile", "make_windows"]


def _read_csv(name: str, download: bool) -> list:
    with open(dataset_path("timeseries", download) / name, newline="") as f:
        return list(csv.reader(f))[1:]


def _monthly_sunspots(download: bool):
    """Parse the SIDC table: one row per year, ``YEAR v_jan ... v_dec`` (the last year may be partial)."""
    text = (dataset_path("timeseries", download) / "sunspots_monthly.dat").read_text(encoding="ascii")
    years, values = [], []
    for line in text.splitlines():
        parts = line.split()
        if not parts or not (len(parts[0]) == 4 and parts[0].isdigit()) or not 2 <= len(parts) <= 13:
            continue
        years.append(int(parts[0]))
        values.append([float(v) for v in parts[1:]])
    if years != list(range(years[0], years[0] + len(years))) or any(len(v) != 12 for v in values[:-1]):
        raise ValueError("load_sunspots: sunspots_monthly.dat does not hold consecutive years of 12 months")
    series = np.asarray([v for row in values for v in row], dtype=np.float32)
    start = np.datetime64(f"{years[0]}-01", "M")
    return series, start + np.arange(series.size)


def load_sunspots(monthly: bool = True, download: bool = True):
    """Mean sunspot numbers: monthly Jan 1749 - Jun 2009 (3,126 values) or yearly 1700-2008 (309).

    Args:
        monthly: the monthly series (else the yearly one).
        download: fetch the files when absent (``neuronet data fetch timeseries``).

    Returns:
        ``(values, dates)``: float32 (T,) and, for the monthly series, ``datetime64[M]`` months;
        for the yearly series, int64 years.

    Example:
        >>> spots, months = load_sunspots()        # doctest: +SKIP
        >>> spots.shape, str(months[0])             # doctest: +SKIP
        ((3126,), '1749-01')
    """
    if monthly:
        return _monthly_sunspots(download)
    rows = _read_csv("sunspots.csv", download)
    return (np.asarray([float(r[1]) for r in rows], dtype=np.float32),
            np.asarray([int(float(r[0])) for r in rows], dtype=np.int64))


def load_co2(fill: str | None = "interpolate", download: bool = True):
    """Weekly atmospheric CO2 at Mauna Loa in ppm, 29 Mar 1958 - 29 Dec 2001 (2,284 weeks).

    Args:
        fill: ``"interpolate"`` fills the missing weeks linearly, ``"drop"`` removes them, None keeps
            them as NaN.
        download: fetch the files when absent.

    Returns:
        ``(values, dates)``: float32 (T,) and ``datetime64[D]`` week dates.

    Example:
        >>> co2, weeks = nt.data.load_co2()  # doctest: +SKIP
        >>> co2.shape  # doctest: +SKIP
        (2284,)
    """
    if fill not in ("interpolate", "drop", None):
        raise ValueError(f"load_co2: fill must be 'interpolate', 'drop' or None, received {fill!r}")
    rows = _read_csv("co2.csv", download)
    dates = np.asarray([f"{r[0][:4]}-{r[0][4:6]}-{r[0][6:8]}" for r in rows], dtype="datetime64[D]")
    values = np.asarray([float(r[1]) if r[1] else np.nan for r in rows], dtype=np.float64)
    known = ~np.isnan(values)
    if fill == "drop":
        values, dates = values[known], dates[known]
    elif fill == "interpolate":
        t = np.arange(values.size)
        values = np.interp(t, t[known], values[known])
    return values.astype(np.float32), dates


def load_nile(download: bool = True):
    """Yearly flow of the Nile at Aswan, 1871-1970, in 10^8 m^3 (the classic change-point series).

    Returns:
        ``(values, years)``: float32 (100,) and int64 (100,).

    Example:
        >>> flow, years = nt.data.load_nile()  # doctest: +SKIP
        >>> flow.shape, int(years[0])  # doctest: +SKIP
        ((100,), 1871)
    """
    rows = _read_csv("nile.csv", download)
    return (np.asarray([float(r[1]) for r in rows], dtype=np.float32),
            np.asarray([int(r[0]) for r in rows], dtype=np.int64))


def make_windows(series, window: int, horizon: int = 1):
    """Supervised pairs from a series: each ``window`` consecutive steps -> the value ``horizon`` steps later.

    Args:
        series: (T,) or (T, F) values in time order.
        window: input length W (steps the network reads).
        horizon: how far after the window's last step the target lies (1 = the next value).

    Returns:
        ``(x, y)``: x (N, W, F) (F = 1 for a 1-D series, ready for an RNN) and y (N,) for a 1-D
        series or (N, F), with N = T - W - horizon + 1; sample i reads steps i .. i+W-1 and
        targets step i+W+horizon-1.

    Example:
        >>> x, y = nt.data.make_windows(np.arange(6.0), window=3)
        >>> x[:, :, 0].tolist(), y.tolist()
        ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]], [3.0, 4.0, 5.0])
    """
    series = np.asarray(series)
    if series.ndim not in (1, 2):
        raise ValueError(f"make_windows: series must have shape (T,) or (T, F), received {series.shape}")
    for name, v in (("window", window), ("horizon", horizon)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"make_windows: {name} must be a positive integer, received {v!r}")
    n = series.shape[0] - window - horizon + 1
    if n < 1:
        raise ValueError(f"make_windows: a series of {series.shape[0]} steps is too short for window {window} "
                         f"and horizon {horizon} (needs at least {window + horizon})")
    values = series.reshape(series.shape[0], -1)
    index = np.arange(n)[:, None] + np.arange(window)[None, :]
    x = values[index]
    y = values[window + horizon - 1:window + horizon - 1 + n]
    return x, (y[:, 0] if series.ndim == 1 else y)
