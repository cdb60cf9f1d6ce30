"""One subscription's bars, loaded once into numpy arrays in algorithm (New York) time.

The pipeline per subscription: read raw rows (data time zone) -> exchange time zone ->
drop bars outside the subscribed sessions -> compute LEAN end times (daily bars end at the
close) -> normalise prices with the factor file -> convert to the algorithm time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from backtesting.engine.data.corporate import FactorFile, MapFile
from backtesting.engine.data.enums import (
    RESOLUTION_SPAN,
    DataNormalizationMode,
    Resolution,
    SecurityType,
)
from backtesting.engine.data.market_hours import ExchangeHours
from backtesting.engine.data.readers import RawBars, read_bars
from backtesting.engine.data.symbol import Symbol

ALGORITHM_TIME_ZONE = "America/New_York"


@dataclass
class SubscriptionConfig:
    """What to read: LEAN's SubscriptionDataConfig reduced to what this engine uses."""

    symbol: Symbol
    resolution: int
    kind: str  # "trade" | "quote" | "custom"
    fill_forward: bool = True
    extended_hours: bool = False
    normalization: int = DataNormalizationMode.ADJUSTED
    internal: bool = False
    custom_type: Any = None

    @property
    def period(self) -> timedelta:
        return RESOLUTION_SPAN[self.resolution]

    @property
    def data_normalization_mode(self) -> int:
        return self.normalization

    @property
    def is_internal_feed(self) -> bool:
        return self.internal


@dataclass
class Subscription:
    """Loaded bars: start/end times as int64 ns (algorithm time), values as a float matrix.

    ``start`` may be given as None when every bar starts one ``config.period`` before it
    ends: it is then made on first use (the loop builds intraday bars from ``end``, so a
    million minute bars usually never need these 8 MB).
    """

    config: SubscriptionConfig
    exchange: ExchangeHours
    _start: np.ndarray | None
    end: np.ndarray
    values: np.ndarray
    custom: list[Any] | None = None
    on_bar: Any = None  # optional hook: called with each real bar's close (benchmark feed)

    @property
    def start(self) -> np.ndarray:
        if self._start is None:
            self._start = self.end - np.timedelta64(self.config.period, "ns").astype(np.int64)
        return self._start

    def __len__(self) -> int:
        return len(self.end)


_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def to_ns(moment: datetime) -> int:
    """Nanoseconds since the epoch of a naive moment (or anything numpy reads as one)."""
    if type(moment) is datetime and moment.tzinfo is None:
        # plain arithmetic: ten times faster than through numpy, and a feed's session
        # bounds take one per session edge (a decade of minutes: 10,000)
        return (moment - _EPOCH) // _MICROSECOND * 1000
    return int(np.datetime64(moment, "ns").astype(np.int64))


def from_ns(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value // 1000)


def convert_tz(times: np.ndarray, source: str, target: str) -> np.ndarray:
    """Convert naive datetime64[ns] wall times between time zones (vectorised)."""
    if source == target or len(times) == 0:
        return times
    index = pd.DatetimeIndex(times).tz_localize(
        source, ambiguous="NaT", nonexistent="shift_forward"
    )
    return index.tz_convert(target).tz_localize(None).to_numpy("datetime64[ns]")


def session_bounds(
    exchange: ExchangeHours, first: date, last: date, extended: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Open and close instants (exchange time, ns) of every session between two dates."""
    key = ("session bounds", first, last, extended)
    known = exchange.derived.get(key)
    if known is None:
        known = exchange.derived[key] = _read_only(
            *_session_bounds(exchange, first, last, extended)
        )
    return known  # type: ignore[no-any-return]


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for array in arrays:
        array.flags.writeable = False
    return arrays


def _session_bounds(
    exchange: ExchangeHours, first: date, last: date, extended: bool
) -> tuple[np.ndarray, np.ndarray]:
    opens: list[int] = []
    closes: list[int] = []
    day = first
    while day <= last:
        for a, b in exchange.sessions(day, extended):
            opens.append(to_ns(a))
            closes.append(to_ns(b))
        day += timedelta(days=1)
    return np.array(opens, dtype=np.int64), np.array(closes, dtype=np.int64)


def load_subscription(
    config: SubscriptionConfig,
    exchange: ExchangeHours,
    data_dir: Path,
    first: date,
    last: date,
) -> Subscription:
    """Read and prepare one subscription's bars for dates [first, last] (exchange dates)."""
    sym = config.symbol
    map_file = MapFile([])
    factor_file = FactorFile([])
    ticker_for: dict[date, str] | str = sym.value.lower()
    if sym.security_type == SecurityType.EQUITY:
        map_file = MapFile.read(data_dir, sym.value)
        factor_file = FactorFile.read(data_dir, sym.value)
        if map_file.rows:
            ticker_for = {}
            day = first
            while day <= last:
                ticker_for[day] = map_file.ticker(day, sym.value)
                day += timedelta(days=1)
    raw = read_bars(
        data_dir,
        sym.security_type,
        sym.market,
        config.resolution,
        ticker_for,
        config.kind,
        first,
        last,
    )
    return prepare(config, exchange, raw, factor_file, first, last)


def prepare(
    config: SubscriptionConfig,
    exchange: ExchangeHours,
    raw: RawBars,
    factor_file: FactorFile,
    first: date,
    last: date,
) -> Subscription:
    """Filter, time-stamp and normalise raw bars (see the module docstring)."""
    starts = convert_tz(raw.times, exchange.data_time_zone, exchange.time_zone)
    values = raw.values
    period = np.timedelta64(config.period, "ns")
    if config.resolution == Resolution.DAILY and strict_daily_end_time(config, exchange):
        starts, ends, keep = _daily_times(starts, exchange)
    elif config.resolution == Resolution.DAILY:
        # forex, custom and 24/7 markets keep the file's day boundaries (LEAN's
        # UseStrictEndTime is off for them): [time, time + 1 day) in the exchange zone
        ends = starts + period
        keep = np.array(
            [
                exchange.is_open_span(a, b)
                for a, b in zip(
                    starts.astype("datetime64[us]").tolist(),
                    ends.astype("datetime64[us]").tolist(),
                    strict=True,
                )
            ]
            if len(starts)
            else [],
            dtype=bool,
        )
    else:
        ends = starts + period
        keep = _in_sessions(starts, ends, exchange, first, last, config.extended_hours)
        if config.resolution == Resolution.HOUR:
            # the 09:00 hour bar holds 09:30-10:00 trading: keep it when it overlaps the session
            keep |= _in_sessions(
                ends - np.timedelta64(1, "ns"), ends, exchange, first, last, config.extended_hours
            )
    if not keep.all():  # (raw values are the reader's private arrays: no copy when all stay)
        starts, ends, values = starts[keep], ends[keep], values[keep]
    if config.normalization != DataNormalizationMode.RAW and len(values):
        # the reader's arrays are private to this subscription: scaled in place
        days = starts.astype("datetime64[D]")
        factors = factor_file.factors(days, config.normalization)
        # (column slices: views scaled in place; a list of columns would copy them twice)
        price_cols = [slice(0, 4)] if config.kind == "trade" else [slice(0, 4), slice(5, 9)]
        sums = None
        if config.normalization == DataNormalizationMode.TOTAL_RETURN:
            sums = factor_file.dividend_sums(days, first)[:, None]
        for cols in price_cols:
            values[:, cols] *= factors[:, None]
            if sums is not None:
                values[:, cols] += sums
        if config.kind == "trade":
            values[:, 4] /= factors
    starts = convert_tz(starts, exchange.time_zone, ALGORITHM_TIME_ZONE)
    ends = convert_tz(ends, exchange.time_zone, ALGORITHM_TIME_ZONE)
    # (views, not copies: a million bars are 8 MB per time column; intraday starts are
    # one period before the ends unless a time-zone change moved them)
    derived_starts = config.resolution != Resolution.DAILY and exchange.time_zone == (
        ALGORITHM_TIME_ZONE
    )
    return Subscription(
        config,
        exchange,
        None if derived_starts else starts.view(np.int64),
        ends.view(np.int64),
        values,
    )


def strict_daily_end_time(config: SubscriptionConfig, exchange: ExchangeHours) -> bool:
    """LEAN's DailyPreciseEndTime: daily bars span the regular session (09:30-16:00) except
    for forex, custom data and markets that never close."""
    kind = config.symbol.security_type
    return not (exchange.always_open or kind in (SecurityType.FOREX, SecurityType.BASE))


def _daily_times(
    starts: np.ndarray, exchange: ExchangeHours
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Daily bars span the regular session of their date (LEAN's DailyPreciseEndTime)."""
    out_start = np.empty_like(starts)
    out_end = np.empty_like(starts)
    keep = np.zeros(len(starts), dtype=bool)
    for i, t in enumerate(starts.astype("datetime64[D]").tolist()):
        hours = exchange.regular_hours(t)
        if hours is None:
            if exchange.always_open:
                hours = (
                    datetime(t.year, t.month, t.day),
                    datetime(t.year, t.month, t.day) + timedelta(days=1),
                )
            else:
                continue
        keep[i] = True
        out_start[i] = np.datetime64(hours[0], "ns")
        out_end[i] = np.datetime64(hours[1], "ns")
    return out_start, out_end, keep


def _in_sessions(
    starts: np.ndarray,
    ends: np.ndarray,
    exchange: ExchangeHours,
    first: date,
    last: date,
    extended: bool,
) -> np.ndarray:
    """True for bars whose start lies inside one of the subscribed sessions."""
    if len(starts) == 0:
        return np.zeros(0, dtype=bool)
    lo = min(first, starts.min().astype("datetime64[D]").astype(object)) - timedelta(days=1)
    hi = max(last, starts.max().astype("datetime64[D]").astype(object)) + timedelta(days=1)
    opens, closes = session_bounds(exchange, lo, hi, extended)
    if len(opens) == 0:
        return np.zeros(len(starts), dtype=bool)
    s = starts.view(np.int64)
    # the session opened last before each start; a start before the first open finds the
    # sentinel session, which closes before anything
    before_all = np.iinfo(np.int64).min
    idx = np.searchsorted(opens, s, side="right")
    return s < np.concatenate(([before_all], closes))[idx]


def forget_fill_forward_grids(exchange: ExchangeHours) -> None:
    """Drop the exchange's cached grids once a feed is built: they are only read while the
    feed merges its subscriptions, and a decade of minutes is 8 MB."""
    for key in [k for k in exchange.derived if k[0] == _GRID]:
        del exchange.derived[key]


_GRID = "fill-forward grid"


def fill_forward_grid(
    exchange: ExchangeHours, step: timedelta, first: date, last: date, extended: bool, daily: bool
) -> np.ndarray:
    """End times (algorithm tz, int64 ns) at which a fill-forward bar may be emitted."""
    key = (_GRID, step, first, last, extended, daily)
    known = exchange.derived.get(key)
    if known is None:
        (known,) = _read_only(_fill_forward_grid(exchange, step, first, last, extended, daily))
        exchange.derived[key] = known
    return known  # type: ignore[no-any-return]


def _fill_forward_grid(
    exchange: ExchangeHours, step: timedelta, first: date, last: date, extended: bool, daily: bool
) -> np.ndarray:
    if daily or step >= timedelta(days=1):
        closes: list[int] = []
        day = first
        while day <= last:
            hours = exchange.regular_hours(day)
            if hours is not None:
                closes.append(to_ns(hours[1]))
            day += timedelta(days=1)
        grid = np.array(closes, dtype=np.int64)
    else:
        grid = _intraday_grid(*session_bounds(exchange, first, last, extended), step)
    if exchange.time_zone != ALGORITHM_TIME_ZONE:
        grid = convert_tz(
            grid.astype("datetime64[ns]"), exchange.time_zone, ALGORITHM_TIME_ZONE
        ).astype(np.int64)
    return grid


def _intraday_grid(opens: np.ndarray, closes: np.ndarray, step: timedelta) -> np.ndarray:
    """Every whole ``step`` after each session's open up to its close, and the close
    itself when it is off that grid (a decade of minutes at once, not a range per day)."""
    step_ns = step // timedelta(microseconds=1) * 1000
    firsts = (opens // step_ns + 1) * step_ns
    on_grid = np.maximum((closes - firsts) // step_ns + 1, 0)
    # the close, when the grid does not end on it, is one more point
    with_close = (on_grid == 0) | (firsts + (on_grid - 1) * step_ns != closes)
    counts = on_grid + with_close
    ends = np.cumsum(counts)
    position = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    position -= np.repeat(ends - counts, counts)
    grid = np.repeat(firsts, counts) + position * step_ns
    grid[ends[with_close] - 1] = closes[with_close]
    return grid
