"""Turn the recorded samples into the series LEAN's statistics read.

Reproduces what ``BaseResultsHandler.Sample`` and ``BacktestingResultHandler.Sample`` store
(performance in percent, benchmark, turnover, the equity bars) and how
``StatisticsBuilder`` preprocesses them (drop day 0 and day 1 of performance, turn the
benchmark into day-over-day changes and drop the first). Every stored value passes
through LEAN's ``SmartRounding`` because chart points do (``ChartPoint.y`` and the
``Candlestick`` prices round in their setters): 7 significant digits below 1000, 4
decimals above, trailing zeros dropped. The statistics see those rounded values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from backtesting.engine.statistics.csharp import (
    WIDE_CONTEXT,
    as_decimal,
    decimal_from_double,
    double_from_decimal,
    round_decimal,
)
from backtesting.engine.statistics.inputs import PerformanceInput

__all__ = [
    "DailyPerformance",
    "LeanSeries",
    "average_risk_free_rate",
    "build_series",
    "smart_rounding",
    "strip_trailing_zeros",
    "utc_naive",
]


@dataclass(frozen=True)
class LeanSeries:
    """The inputs of LEAN's ``PortfolioStatistics``, ready to use."""

    equity: list[tuple[datetime, Decimal]]
    performance: list[float]
    benchmark: list[float]
    turnover: list[Decimal]


def utc_naive(moment: datetime) -> datetime:
    """Naive UTC datetime; aware datetimes are converted, naive ones are taken as UTC."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def strip_trailing_zeros(value: Decimal) -> Decimal:
    """LEAN's ``Normalize()``: drop trailing zeros without going to a negative scale."""
    if value.is_zero():
        return Decimal(0)
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    assert isinstance(exponent, int)
    return normal.quantize(Decimal(1), context=WIDE_CONTEXT) if exponent > 0 else normal


def round_to_significant_digits(value: Decimal, digits: int) -> Decimal:
    """LEAN's ``RoundToSignificantDigits`` for decimals (the power of ten goes through double)."""
    if value.is_zero():
        return Decimal(0)
    magnitude = math.floor(math.log10(abs(double_from_decimal(value)))) + 1
    scale = _POWERS_OF_TEN.get(magnitude)
    if scale is None:
        scale = _POWERS_OF_TEN[magnitude] = decimal_from_double(math.pow(10, magnitude))
    return scale * round_decimal(value / scale, digits)


#: ``(decimal)Math.Pow(10, magnitude)`` by magnitude (a handful per run)
_POWERS_OF_TEN: dict[int, Decimal] = {}


def smart_rounding(value: Decimal) -> Decimal:
    """LEAN's ``SmartRounding``: 4 decimals above 1000, else 7 significant digits."""
    if not value:
        # (most samples of a flat stretch: every step below gives zero, at ~8 us a call)
        return Decimal(0)
    value = strip_trailing_zeros(value)
    if value > 1000:
        return round_decimal(value, 4)
    return strip_trailing_zeros(round_to_significant_digits(value, 7))


def build_series(inp: PerformanceInput) -> LeanSeries:
    """Replay LEAN's sampling rules over the recorded samples (see :class:`PerformanceInput`)."""
    equity = _equity_points(inp)
    start_time = utc_naive(inp.start_time) if inp.start_time is not None else None
    performance: list[Decimal] = []
    benchmark: list[Decimal] = []
    turnover: dict[datetime, Decimal] = {}
    last_point_time: datetime | None = None
    daily_value = as_decimal(inp.start_equity)
    sales_window: list[Decimal] = [Decimal(0)]  # RollingWindow(2): index 0 = most recent
    previous_turnover_time: datetime | None = None
    first_time = utc_naive(inp.sample_times[0]) if inp.sample_times else None
    skip_time = start_time if start_time is not None else first_time
    for raw_time, value, bench, volume in zip(
        inp.sample_times,
        inp.sample_equity,
        inp.sample_benchmark,
        inp.sample_total_sale_volume,
        strict=True,
    ):
        time = utc_naive(raw_time)
        value = as_decimal(value)
        volume = as_decimal(volume)
        daily = (
            Decimal(0)
            if daily_value == 0
            else round_decimal((value - daily_value) * 100 / daily_value, 10)
        )
        # A chart point is only added when it is later than the series' last point, so a
        # final sample at the time of the last midnight sample keeps the midnight values.
        if last_point_time is None or time > last_point_time:
            performance.append(smart_rounding(daily))
            benchmark.append(smart_rounding(as_decimal(bench)))
            last_point_time = time
        if value != 0 and time != skip_time:
            if previous_turnover_time == time and len(sales_window) > 1:
                # Same time sampled twice: the later value replaces the earlier one and is
                # measured against the sale volume before the earlier one (LEAN's T-2).
                since = volume - sales_window[1]
            else:
                since = volume - sales_window[0]
            sales_window = [volume, *sales_window[:1]]
            previous_turnover_time = time
            turnover[time] = smart_rounding(since / value)
        daily_value = value
    return LeanSeries(
        equity=equity,
        performance=[double_from_decimal(p / 100) for p in performance[2:]],
        benchmark=_benchmark_changes(benchmark),
        turnover=list(turnover.values()),
    )


def average_risk_free_rate(inp: PerformanceInput, series: LeanSeries) -> Decimal:
    """The fixed rate if given, else the provider's average over the equity times, else 0."""
    if inp.risk_free_rate is not None:
        return as_decimal(inp.risk_free_rate)
    if inp.interest_rates is not None:
        return inp.interest_rates.average_rate(time for time, _ in series.equity)
    return Decimal(0)


def _equity_points(inp: PerformanceInput) -> list[tuple[datetime, Decimal]]:
    """The Strategy Equity closes: smart-rounded, strictly increasing in time."""
    points: list[tuple[datetime, Decimal]] = []
    for raw_time, value in zip(inp.equity_times, inp.equity_values, strict=True):
        time = utc_naive(raw_time)
        if points and time <= points[-1][0]:
            continue
        points.append((time, smart_rounding(as_decimal(value))))
    return points


def _benchmark_changes(values: list[Decimal]) -> list[float]:
    """Day-over-day relative changes, without the first one (``CreateBenchmarkDifferences``)."""
    changes: list[float] = []
    for previous, current in zip(values, values[1:], strict=False):
        changes.append(
            0.0 if previous == 0 else double_from_decimal((current - previous) / previous)
        )
    return changes[1:]


class DailyPerformance:
    """The performance list of :func:`build_series`, extended one sample at a time.

    The runtime statistics refresh the PSR many times per run; replaying every sample at
    each refresh made that quadratic. Samples before the last are final (only the last
    one may still be replaced by a sample at the same time), so they are folded in once
    and the last one is applied to a copy of the state at each read.
    """

    def __init__(self, start_equity: Decimal) -> None:
        self._folded = 0
        self._daily_value = as_decimal(start_equity)
        self._last_point_time: datetime | None = None
        self._points: list[float] = []  # LEAN's daily performance (a fraction) per chart point

    def returns(self, times: Sequence[datetime], values: Sequence[Decimal]) -> list[float]:
        """``build_series(...).performance`` for the samples ``zip(times, values)`` (UTC)."""
        while self._folded < len(times) - 1:
            state = self._step(
                (self._daily_value, self._last_point_time, self._points),
                times[self._folded],
                values[self._folded],
            )
            self._daily_value, self._last_point_time, self._points = state
            self._folded += 1
        points = self._points
        if times:
            points = self._step(
                (self._daily_value, self._last_point_time, list(points)), times[-1], values[-1]
            )[2]
        return points[2:]

    @staticmethod
    def _step(
        state: tuple[Decimal, datetime | None, list[float]], raw_time: datetime, raw: Decimal
    ) -> tuple[Decimal, datetime | None, list[float]]:
        daily_value, last_point_time, points = state
        time, value = utc_naive(raw_time), as_decimal(raw)
        if last_point_time is None or time > last_point_time:
            daily = (
                Decimal(0)
                if daily_value == 0
                else round_decimal((value - daily_value) * 100 / daily_value, 10)
            )
            points.append(double_from_decimal(smart_rounding(daily) / 100))
            last_point_time = time
        return value, last_point_time, points
