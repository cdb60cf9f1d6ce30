"""Readers for LEAN's zipped CSV price files, straight into numpy arrays.

Each reader returns bar *start* times as ``datetime64[ns]`` in the data time zone and a
float matrix of the price columns. Trade matrices are ``open, high, low, close, volume``;
quote matrices are ``bid o/h/l/c, bid size, ask o/h/l/c, ask size`` with NaN for an absent
side. Equity prices are divided by 10,000 here; nothing else is adjusted.
"""

from __future__ import annotations

import functools
import os
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from backtesting.engine.data.enums import RESOLUTION_NAME, Resolution, SecurityType

#: date ranges longer than this list a ticker's folder once instead of probing each day
LISTING_DAYS = 7
#: equity and equity-option prices on disk are integers in 1/10,000 USD
EQUITY_PRICE_SCALE = 10_000.0

_TYPE_FOLDER = {
    SecurityType.EQUITY: "equity",
    SecurityType.FOREX: "forex",
    SecurityType.CRYPTO: "crypto",
}


@dataclass
class RawBars:
    """Bars of one file kind: start times (data time zone) and their value matrix."""

    times: np.ndarray  # datetime64[ns]
    values: np.ndarray  # float64, shape (n, 5) trade or (n, 10) quote

    @classmethod
    def empty(cls, width: int) -> RawBars:
        return cls(np.array([], dtype="datetime64[ns]"), np.zeros((0, width)))

    def __len__(self) -> int:
        return len(self.times)


def _read_csv(path: Path, ncols: int) -> pd.DataFrame | None:
    """Daily/hour files, cached: ``history()`` inside ``on_data`` must not re-read them."""
    frame = _read_csv_cached(str(path), ncols)
    return None if frame is None else frame.copy()


@functools.lru_cache(maxsize=16)
def _read_csv_cached(path_text: str, ncols: int) -> pd.DataFrame | None:
    path = Path(path_text)
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, header=None, compression="zip", dtype={0: str})
    except pd.errors.EmptyDataError:
        return None
    if frame.shape[1] < ncols:
        for i in range(frame.shape[1], ncols):
            frame[i] = np.nan
    return frame.iloc[:, :ncols]


def _read_numeric(path: Path | str, ncols: int, integers: bool = False) -> np.ndarray | None:
    """Minute/second files, with a small cache of recent days (for repeated history calls).

    The returned matrix is shared: callers copy before changing it."""
    return _read_numeric_cached(str(path), ncols, integers)


@functools.lru_cache(maxsize=64)
def _read_numeric_cached(path_text: str, ncols: int, integers: bool) -> np.ndarray | None:
    path = Path(path_text)
    """Parse an all-numeric LEAN CSV (minute/second files) straight into a float matrix.

    About twice as fast as pandas for these small files; empty fields (an absent quote
    side) become NaN.
    """
    if not path.exists():
        return None
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if not names:
            return None
        text = archive.read(names[0]).decode()
    text = text.strip()
    if not text:
        return None
    flat = text.replace("\r", "").replace("\n", ",")
    expected = flat.count(",") + 1
    if expected % ncols == 0 and ",," not in flat and not flat.endswith(","):
        # C-speed parsing; equity files hold integers only (prices x 10,000)
        dtype = np.int64 if integers else np.float64
        values = np.fromstring(flat, dtype=dtype, sep=",")  # noqa: NPY201  # text mode is supported
        if values.size == expected:
            return values.astype(np.float64).reshape(-1, ncols)
    tokens = np.array(flat.split(","))
    if len(tokens) % ncols:
        return None
    tokens[tokens == ""] = "nan"
    return tokens.astype(np.float64).reshape(-1, ncols)


def _matrix(frame: pd.DataFrame, kind: str, scale: float) -> np.ndarray:
    values = frame.iloc[:, 1:].to_numpy(dtype=float, na_value=np.nan)
    if kind == "trade":
        values[:, :4] /= scale
        return values[:, :5]
    values[:, 0:4] /= scale
    values[:, 5:9] /= scale
    return values[:, :10]


def file_path(
    data_dir: Path,
    security_type: int,
    market: str,
    resolution: int,
    ticker: str,
    kind: str,
    day: date | None,
) -> Path:
    """Where LEAN keeps one price file (one day for minute/second, the whole history otherwise)."""
    base = (
        Path(data_dir)
        / _TYPE_FOLDER.get(security_type, "equity")
        / market
        / RESOLUTION_NAME[resolution]
    )
    t = ticker.lower()
    if resolution in (Resolution.DAILY, Resolution.HOUR):
        if security_type == SecurityType.CRYPTO:
            return base / f"{t}_{kind}.zip"
        return base / f"{t}.zip"
    assert day is not None
    return base / t / f"{day:%Y%m%d}_{kind}.zip"


def read_bars(
    data_dir: Path,
    security_type: int,
    market: str,
    resolution: int,
    ticker_for: dict[date, str] | str,
    kind: str,
    first: date,
    last: date,
) -> RawBars:
    """Read trade or quote bars whose date lies in [first, last].

    ``ticker_for`` is either one ticker or a per-day mapping (map files rename equities).
    """
    scale = EQUITY_PRICE_SCALE if security_type == SecurityType.EQUITY else 1.0
    ncols = 6 if kind == "trade" else 11
    width = ncols - 1
    if resolution in (Resolution.DAILY, Resolution.HOUR):
        tickers = {ticker_for} if isinstance(ticker_for, str) else set(ticker_for.values())
        parts: list[RawBars] = []
        for ticker in sorted(tickers):
            frame = _read_csv(
                file_path(data_dir, security_type, market, resolution, ticker, kind, None), ncols
            )
            if frame is None:
                continue
            times = pd.to_datetime(frame[0], format="%Y%m%d %H:%M").to_numpy("datetime64[ns]")
            days = times.astype("datetime64[D]")
            keep = (days >= np.datetime64(first)) & (days <= np.datetime64(last))
            if not isinstance(ticker_for, str):
                wanted = np.array([ticker_for.get(d.astype(object), "") == ticker for d in days])
                keep &= wanted
            parts.append(RawBars(times[keep], _matrix(frame[keep], kind, scale)))
        return _concat(parts, width)
    parts = []
    # one directory listing per ticker instead of a path object and a stat per calendar
    # day (a subscription without files, such as quotes of a trade-only equity, costs one)
    folders: dict[str, tuple[str, frozenset[str]]] = {}
    # (a few days, as history() asks for, are cheaper as a stat per file)
    listed = (last - first).days > LISTING_DAYS
    day = first
    while day <= last:
        ticker = ticker_for if isinstance(ticker_for, str) else ticker_for.get(day)
        path: Path | str | None = None
        if ticker and listed:
            folder = folders.get(ticker)
            if folder is None:
                where = file_path(data_dir, security_type, market, resolution, ticker, kind, day)
                folder = folders[ticker] = _listing(where.parent)
            name = f"{day:%Y%m%d}_{kind}.zip"
            path = os.path.join(folder[0], name) if name in folder[1] else None
        elif ticker:
            path = file_path(data_dir, security_type, market, resolution, ticker, kind, day)
        if path is not None:
            matrix = _read_numeric(path, ncols, integers=security_type == SecurityType.EQUITY)
            if matrix is not None and len(matrix):
                ms = matrix[:, 0].astype(np.int64)
                times = np.datetime64(day, "ns") + ms.astype("timedelta64[ms]").astype(
                    "timedelta64[ns]"
                )
                values = matrix[:, 1:].copy()
                values[:, 0:4] /= scale
                if kind != "trade":
                    values[:, 5:9] /= scale
                parts.append(RawBars(times, values))
        day += timedelta(days=1)
    return _concat(parts, width)


def _listing(folder: Path) -> tuple[str, frozenset[str]]:
    """A folder's path text and the names in it (none when it does not exist)."""
    try:
        return str(folder), frozenset(os.listdir(folder))
    except OSError:
        return str(folder), frozenset()


def _concat(parts: list[RawBars], width: int) -> RawBars:
    if not parts:
        return RawBars.empty(width)
    if len(parts) == 1:
        return parts[0]
    times = np.concatenate([p.times for p in parts])
    values = np.concatenate([p.values for p in parts])
    if len(times) > 1 and (times[1:] < times[:-1]).any():  # daily files arrive in date order
        order = np.argsort(times, kind="stable")
        times, values = times[order], values[order]
    return RawBars(times, values)
