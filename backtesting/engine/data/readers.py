"""Readers for LEAN's zipped CSV price files, straight into numpy arrays.

Each reader returns bar *start* times as ``datetime64[ns]`` in the data time zone and a
float matrix of the price columns. Trade matrices are ``open, high, low, close, volume``;
quote matrices are ``bid o/h/l/c, bid size, ask o/h/l/c, ask size`` with NaN for an absent
side. Equity prices are divided by 10,000 here; nothing else is adjusted.
"""

from __future__ import annotations

import functools
import io
import os
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from backtesting.engine.data.enums import RESOLUTION_NAME, Resolution, SecurityType

try:  # ISA-L's inflate: about 2.5 times zlib's, and it too releases the GIL
    from isal import isal_zlib as zlib
except ImportError:  # pragma: no cover - depends on the install
    import zlib  # type: ignore[no-redef]

try:  # the compiled parser (setup.py); an install without a C compiler goes without it
    from backtesting.engine.data import _fastcsv
except ImportError:  # pragma: no cover - depends on the install
    _fastcsv = None

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


def _read_csv(path: Path, ncols: int) -> _DatedRows | None:
    """Daily/hour files, cached: ``history()`` inside ``on_data`` must not re-read them."""
    return _read_csv_cached(str(path), ncols)


@dataclass(frozen=True)
class _DatedRows:
    """A whole daily/hour file, parsed once: every row's time and day, and its unscaled
    price columns. Shared through the cache (and with forked backtests): never written."""

    times: np.ndarray  # datetime64[ns]
    days: np.ndarray  # datetime64[D]
    values: np.ndarray  # float64, NaN where a column is empty


@functools.lru_cache(maxsize=16)
def _read_csv_cached(path_text: str, ncols: int) -> _DatedRows | None:
    # (the dates are parsed here, once per file: an hour file spans decades, and a backtest
    # that keeps two days of it must not convert every row again)
    path = Path(path_text)
    if not path.exists():
        return None
    compiled = _read_dated_compiled(path_text, ncols)
    if compiled is not None:
        return compiled
    try:
        frame = pd.read_csv(path, header=None, compression="zip", dtype={0: str})
    except pd.errors.EmptyDataError:
        return None
    if frame.shape[1] < ncols:
        for i in range(frame.shape[1], ncols):
            frame[i] = np.nan
    times = pd.to_datetime(frame[0], format="%Y%m%d %H:%M").to_numpy("datetime64[ns]")
    values = frame.iloc[:, 1:ncols].to_numpy(dtype=float, na_value=np.nan)
    for array in (times, values):
        array.flags.writeable = False
    days = times.astype("datetime64[D]")
    days.flags.writeable = False
    return _DatedRows(times, days, values)


def _read_dated_compiled(path_text: str, ncols: int) -> _DatedRows | None:
    """A daily/hour file through the compiled parser (about ten times faster than pandas,
    and every backtest reads its benchmark's hour file); None leaves the file to pandas:
    no compiler, an unusual zip, fewer or more columns, or a time that is not
    ``YYYYMMDD HH:MM``."""
    if _fastcsv is None:
        return None
    text = _member_text(path_text)
    parsed = _fastcsv.parse_dated(text.strip(), ncols) if text else None
    if parsed is None:
        return None
    matrix = np.frombuffer(parsed, dtype=np.float64).reshape(-1, ncols)
    times = (matrix[:, 0].astype(np.int64) * 1_000_000_000).astype("datetime64[ns]")
    values = np.ascontiguousarray(matrix[:, 1:])
    days = times.astype("datetime64[D]")
    for array in (times, days, values):
        array.flags.writeable = False
    return _DatedRows(times, days, values)


def _read_numeric(path: Path | str, ncols: int, integers: bool = False) -> np.ndarray | None:
    """Minute/second files, with a small cache of recent days (for repeated history calls).

    The returned matrix is shared: callers copy before changing it."""
    return _read_numeric_cached(str(path), ncols, integers)


@functools.lru_cache(maxsize=64)
def _read_numeric_cached(path_text: str, ncols: int, integers: bool) -> np.ndarray | None:
    """Parse one all-numeric LEAN CSV (a minute/second file) into a float matrix."""
    text = _member_text(path_text)
    return None if text is None else _parse_numeric(text, ncols, integers)


def _member_text(path_text: str) -> bytes | None:
    """The first (only) member of a LEAN zip, decompressed; None when the file is absent.

    LEAN's price zips hold one deflated CSV: reading its local header directly is about
    three times faster than ``zipfile.ZipFile``, which parses the central directory first.
    Anything unusual (stored sizes in a data descriptor, another method) goes through
    ``zipfile``.
    """
    try:
        # (os-level calls: a hundred symbols read thousands of small files, and the
        # buffered file objects cost more than the read itself)
        fd = os.open(path_text, os.O_RDONLY)
        try:
            blob = os.read(fd, os.fstat(fd).st_size)
        finally:
            os.close(fd)
    except OSError:
        return None
    if blob[:4] == b"PK\x03\x04" and int.from_bytes(blob[8:10], "little") == 8:
        start = 30 + int.from_bytes(blob[26:28], "little") + int.from_bytes(blob[28:30], "little")
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            text = inflater.decompress(blob[start:])
            if inflater.eof:
                return text
        except zlib.error:
            pass
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            names = archive.namelist()
            return archive.read(names[0]) if names else b""
    except zipfile.BadZipFile:
        return None


def _parse_numeric(text: bytes, ncols: int, integers: bool) -> np.ndarray | None:
    """An all-numeric CSV as a float matrix; empty fields (an absent quote side) become NaN.

    The compiled parser reads what LEAN writes in one pass; numpy's parser (about twice as
    fast as pandas for these files) takes whatever it turns down.
    """
    text = text.strip()
    if not text:
        return None
    if _fastcsv is not None:
        parsed = _fastcsv.parse(text, ncols)
        if parsed is not None:
            return np.frombuffer(parsed, dtype=np.float64).reshape(-1, ncols)
    return _parse_numeric_with_numpy(text, ncols, integers)


def _parse_numeric_with_numpy(text: bytes, ncols: int, integers: bool) -> np.ndarray | None:
    """``_parse_numeric`` without the compiled parser (``text`` already stripped)."""
    flat = text.replace(b"\r", b"").replace(b"\n", b",")
    expected = flat.count(b",") + 1
    if expected % ncols == 0 and b",," not in flat and not flat.endswith(b","):
        # C-speed parsing; equity files hold integers only (prices x 10,000)
        dtype = np.int64 if integers else np.float64
        values = np.fromstring(flat, dtype=dtype, sep=",")  # noqa: NPY201  # text mode is supported
        if values.size == expected:
            return values.astype(np.float64).reshape(-1, ncols)
    tokens = np.array(flat.decode().split(","))
    if len(tokens) % ncols:
        return None
    tokens[tokens == ""] = "nan"
    return tokens.astype(np.float64).reshape(-1, ncols)


#: batches of day files read (inflated and parsed) ahead of the caller, each on its own thread
INFLATE_AHEAD = 2
#: day files parsed per call of the bulk reader: the per-call cost of numpy's parser is
#: paid once per batch, and the text of a batch stays small (memory peaks on the arrays)
DAYS_PER_PARSE = 64


def read_day_files(
    folder: str, kind: str, first: str, last: str, ncols: int, integers: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Every day file ``YYYYMMDD_<kind>.zip`` of ``folder`` dated in [first, last] (YYYYMMDD).

    Returns each row's start time (datetime64[ns]: the file's day plus the row's first
    column, milliseconds since midnight) and its other ``ncols - 1`` columns as floats, not
    yet scaled. Batches of day files are joined and parsed in one call; a batch that does
    not parse as a whole (a quote file with an empty side) is parsed file by file. Rows go
    straight into arrays sized for the whole range, so a million bars never exist twice
    (as a list of batches and their concatenation, or with and without the time column).
    """
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    wanted = sorted(
        name
        for name in names
        if name.endswith(f"_{kind}.zip")
        and len(name) == len(kind) + 13
        and first <= name[:8] <= last
    )
    rows_out = _Rows(ncols - 1, batches=-(-len(wanted) // DAYS_PER_PARSE))
    for parsed in _parsed_batches(folder, wanted, ncols, integers):
        if parsed is not None:
            rows_out.add(*parsed)
    return rows_out.arrays()


#: one batch of day files read: each row's start time and its other columns (None when no
#: file of the batch has a row)
_ParsedBatch = tuple[np.ndarray, np.ndarray] | None


def _parse_batch(folder: str, batch: list[str], ncols: int, integers: bool) -> _ParsedBatch:
    """Inflate, parse and time-stamp one batch of day files: joined and parsed in one
    call, or file by file when the whole does not parse (a quote file with an empty side).
    (On a reader thread: the caller only copies the result into place.)"""
    present = [
        (name, stripped)
        for name in batch
        if (text := _member_text(os.path.join(folder, name))) and (stripped := text.strip())
    ]
    if not present:
        return None
    names = [name for name, _ in present]
    rows = [text.count(b"\n") + 1 for _, text in present]
    matrix = _parse_numeric(b"\n".join(text for _, text in present), ncols, integers)
    if matrix is None or len(matrix) != sum(rows):
        singles = [(name, _parse_numeric(text, ncols, integers)) for name, text in present]
        parsed = [(name, m) for name, m in singles if m is not None and len(m)]
        if not parsed:
            return None
        names = [name for name, _ in parsed]
        rows = [len(m) for _, m in parsed]
        matrix = np.concatenate([m for _, m in parsed])
    days = [f"{n[:4]}-{n[4:6]}-{n[6:8]}" for n in names]
    times = np.repeat(np.array(days, dtype="datetime64[D]").astype("datetime64[ns]"), rows)
    times += matrix[:, 0].astype(np.int64).astype("timedelta64[ms]")
    return times, np.ascontiguousarray(matrix[:, 1:])


class _Rows:
    """Batches of rows appended into arrays that are sized from the first batch for all
    ``batches`` and grow by a quarter when that was too small."""

    def __init__(self, width: int, batches: int) -> None:
        self.times = np.empty(0, dtype="datetime64[ns]")
        self.values = np.empty((0, width))
        self.size = 0
        self.batches = batches

    def add(self, times: np.ndarray, values: np.ndarray) -> None:
        end = self.size + len(times)
        if end > len(self.times):
            capacity = max(end, len(times) * self.batches, len(self.times) * 5 // 4)
            grown_times = np.empty(capacity, dtype="datetime64[ns]")
            grown_values = np.empty((capacity, self.values.shape[1]))
            grown_times[: self.size] = self.times[: self.size]
            grown_values[: self.size] = self.values[: self.size]
            self.times, self.values = grown_times, grown_values
        self.times[self.size : end] = times
        self.values[self.size : end] = values
        self.size = end

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self.size < len(self.times) * 0.95:  # a poor estimate: give the slack back
            return self.times[: self.size].copy(), self.values[: self.size].copy()
        return self.times[: self.size], self.values[: self.size]


def _parsed_batches(
    folder: str, names: list[str], ncols: int, integers: bool
) -> Iterator[_ParsedBatch]:
    """``names`` in batches of ``DAYS_PER_PARSE``, each inflated and parsed.

    With more than one batch, threads read the next ``INFLATE_AHEAD`` batches while the
    caller stamps and stores this one: inflating, file reads and the compiled parser
    release the GIL, so both cores work and the caller rarely waits. (Per-file tasks were
    slower: small files make the threads fight for the GIL.) Without threads it all runs
    inline.
    """
    batches = [names[at : at + DAYS_PER_PARSE] for at in range(0, len(names), DAYS_PER_PARSE)]

    def parse(batch: list[str]) -> _ParsedBatch:
        return _parse_batch(folder, batch, ncols, integers)

    if len(batches) < 2:
        for batch in batches:
            yield parse(batch)
        return
    pool = ThreadPoolExecutor(max_workers=INFLATE_AHEAD)
    ahead: dict[int, Future[_ParsedBatch]] = {}

    def submit(index: int) -> bool:
        if index < len(batches):
            try:
                ahead[index] = pool.submit(parse, batches[index])
            except RuntimeError:  # "can't start new thread": the rest runs inline
                return False
        return True

    try:
        threads = all(submit(index) for index in range(INFLATE_AHEAD))
        for index, batch in enumerate(batches):
            pending = ahead.pop(index, None)
            parsed = pending.result() if pending is not None else parse(batch)
            threads = threads and submit(index + INFLATE_AHEAD)
            yield parsed
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: the bulk reader as an optimization's warm parent shares it (see ``data.warm``): cached
#: only while sharing, since a cached year of minute bars would double a run's memory
read_day_files_cached = functools.lru_cache(maxsize=8)(read_day_files)
#: set by ``warm.record()``: read through the cache so the next forked run inherits it
share_parsed = False


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
            rows = _read_csv(
                file_path(data_dir, security_type, market, resolution, ticker, kind, None), ncols
            )
            if rows is None:
                continue
            keep = (rows.days >= np.datetime64(first)) & (rows.days <= np.datetime64(last))
            if not isinstance(ticker_for, str):
                # the map file names a ticker per day: keep the days it gives this one
                kept = np.flatnonzero(keep)
                distinct, which = np.unique(rows.days[kept], return_inverse=True)
                named = [ticker_for.get(day, "") == ticker for day in distinct.astype(object)]
                keep[kept] = np.array(named, dtype=bool)[which]
            # (boolean indexing copies: the cached rows stay as they are)
            parts.append(RawBars(rows.times[keep], _scaled(rows.values[keep], scale, kind)))
        return _concat(parts, width)
    parts = []
    integers = security_type == SecurityType.EQUITY
    for ticker, span_first, span_last in _ticker_spans(ticker_for, first, last):
        folder = file_path(
            data_dir, security_type, market, resolution, ticker, kind, span_first
        ).parent
        if (span_last - span_first).days > LISTING_DAYS:
            # a long range: one listing and one parse per batch of days
            read = read_day_files_cached if share_parsed else read_day_files
            times, values = read(
                str(folder), kind, f"{span_first:%Y%m%d}", f"{span_last:%Y%m%d}", ncols, integers
            )
            if len(values):
                if share_parsed:  # the cache's arrays: later steps must get their own
                    times, values = times.copy(), values.copy()
                parts.append(RawBars(times, _scaled(values, scale, kind)))
            continue
        # a few days, as history() asks for: a stat per file, each file cached
        day = span_first
        while day <= span_last:
            path = folder / f"{day:%Y%m%d}_{kind}.zip"
            matrix = _read_numeric(path, ncols, integers=integers)
            if matrix is not None and len(matrix):
                stamps = np.full(len(matrix), np.datetime64(day, "D"))
                parts.append(_raw_bars(stamps, matrix, scale, kind))
            day += timedelta(days=1)
    return _concat(parts, width)


def _ticker_spans(
    ticker_for: dict[date, str] | str, first: date, last: date
) -> list[tuple[str, date, date]]:
    """Consecutive days read under one ticker (map files rename equities over time)."""
    if isinstance(ticker_for, str):
        return [(ticker_for, first, last)]
    spans: list[tuple[str, date, date]] = []
    day = first
    while day <= last:
        ticker = ticker_for.get(day)
        if ticker and spans and spans[-1][0] == ticker and spans[-1][2] == day - timedelta(days=1):
            spans[-1] = (ticker, spans[-1][1], day)
        elif ticker:
            spans.append((ticker, day, day))
        day += timedelta(days=1)
    return spans


def _raw_bars(days: np.ndarray, matrix: np.ndarray, scale: float, kind: str) -> RawBars:
    """Rows of day files (milliseconds since midnight first) as start times and prices."""
    times = days.astype("datetime64[ns]") + matrix[:, 0].astype(np.int64).astype("timedelta64[ms]")
    # a copy of its own: prepare() scales it, and the matrix may be cached
    return RawBars(times, _scaled(matrix[:, 1:].copy(), scale, kind))


def _scaled(values: np.ndarray, scale: float, kind: str) -> np.ndarray:
    """Prices in dollars, in place (``values`` must be the caller's own)."""
    values[:, 0:4] /= scale
    if kind != "trade":
        values[:, 5:9] /= scale
    return values


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
