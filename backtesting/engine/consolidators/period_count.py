"""Consolidation by time period, by input count, or both (LEAN's PeriodCountConsolidatorBase).

The rules that decide which bar an input lands in, ported step by step from LEAN:

1. In count mode a bar closes on the N-th input, after aggregating it; its end time
   is the last input's end time.
2. In time mode a bar closes when an input starts at least one period after the
   working bar's start and rounds to a later start than the last emission; the input
   then opens the next bar. ``scan(time)`` closes it without a new input.
3. Inputs older than the last emission are dropped.
4. A time-based bar is stamped with its rounded start and the full period, even if
   the data inside it covers less.
"""

from __future__ import annotations

import numbers
from datetime import datetime, timedelta
from typing import Any

from backtesting.engine.consolidators.base import ConsolidatorBase, clone_data, symbol_key
from backtesting.engine.consolidators.period import (
    CalendarSpec,
    CountSpec,
    MixedSpec,
    PeriodSpec,
    TimeSpanSpec,
    resolution_to_timedelta,
)
from backtesting.engine.data.bars import TradeBar

ONE_HOUR = timedelta(hours=1)
ONE_SECOND = timedelta(seconds=1)
SINGLE_SYMBOL = (
    "Consolidators can only be used with a single symbol. The previous consolidated "
    "SecurityIdentifier ({previous}) is not the same as in the current data ({current})."
)
PERIOD_TOO_SHORT = (
    "For Symbol {symbol} can not consolidate bars of period: {period}, "
    "using data of the same or higher period: {data_period}"
)


def _is_resolution(value: Any) -> bool:
    return type(value).__name__ == "Resolution"


def parse_period(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[PeriodSpec, int | None]:
    """Map LEAN's constructor overloads to a period specification and an optional max count.

    ``(timedelta[, start_time])``, ``(max_count)``, ``(max_count, timedelta)``,
    ``(calendar_function)`` or a Resolution.
    """
    args = tuple(args) + tuple(
        kwargs.pop(key) for key in ("period", "max_count", "func") if key in kwargs
    )
    start_time = kwargs.pop("start_time", None)
    if kwargs:
        raise TypeError(f"unexpected arguments {sorted(kwargs)}")
    if not args:
        raise TypeError("a consolidator needs a period, a count or a calendar function")
    first = args[0]
    if _is_resolution(first):
        return TimeSpanSpec(resolution_to_timedelta(first), start_time), None
    if isinstance(first, timedelta):
        if len(args) > 1:
            start_time = args[1]
        return TimeSpanSpec(first, start_time), None
    if isinstance(first, numbers.Integral) and not isinstance(first, bool):
        if len(args) > 1:
            if not isinstance(args[1], timedelta):
                raise TypeError("(max_count, period) needs a timedelta period")
            return MixedSpec(args[1]), int(first)
        return CountSpec(), int(first)
    if callable(first):
        return CalendarSpec(first), None
    raise TypeError(f"unable to create a consolidator period from {first!r}")


class PeriodCountConsolidatorBase(ConsolidatorBase):
    """Shared engine of TradeBarConsolidator and QuoteBarConsolidator; see the module docstring."""

    _handlers_see_new_consolidated = True
    _input_type: type = object
    _output_type: type = object

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._spec, self._max_count = parse_period(args, kwargs)
        # LEAN seeds calendar consolidators with a one-second period until the first bar.
        self._period: timedelta | None = (
            ONE_SECOND if isinstance(self._spec, CalendarSpec) else self._spec.period
        )
        self._symbol: Any = None
        self._symbol_set = False
        self._current_count = 0
        self._working: Any = None
        self._last_emit: datetime | None = None
        self._validated_span = False

    @classmethod
    def from_resolution(cls, resolution: Any) -> PeriodCountConsolidatorBase:
        """A consolidator of one ``resolution`` period (``Resolution.HOUR`` -> 1 hour bars)."""
        return cls(resolution_to_timedelta(resolution))

    @property
    def input_type(self) -> type:
        return self._input_type

    @property
    def output_type(self) -> type:
        return self._output_type

    @property
    def working_data(self) -> Any:
        return clone_data(self._working)

    @property
    def period(self) -> timedelta | None:
        """The bar length, or None in pure count mode."""
        return self._period

    @property
    def is_time_based(self) -> bool:
        return self._max_count is None

    def update(self, data: Any) -> None:
        """Aggregate ``data``; emit the bar it completes (or the bar it starts after)."""
        if not isinstance(data, self._input_type):
            raise TypeError(
                f"Received type of {type(data).__name__} but expected {self._input_type.__name__}"
            )
        self._update(data)

    def _update(self, data: Any) -> None:
        self._check_symbol(data)
        if not self._should_process(data):
            return
        period = self._period
        if not self._validated_span and period is not None and isinstance(self._spec, TimeSpanSpec):
            self._validated_span = True
            if data.end_time - data.time > period:
                raise ValueError(
                    PERIOD_TOO_SHORT.format(
                        symbol=data.symbol, period=period, data_period=data.end_time - data.time
                    )
                )
        fire = False
        aggregate_before_fire = self._max_count is not None
        if self._max_count is not None:
            self._current_count += 1
            if self._current_count >= self._max_count:
                self._current_count = 0
                fire = True
        if self._last_emit is None:
            self._last_emit = datetime.min if self.is_time_based else data.time
        if self._period is not None:
            if (
                self._working is not None
                and data.time - self._working.time >= self._period
                and self._rounded_bar_time_of(data) > self._last_emit
            ):
                fire = True
            if self._period == timedelta(0):
                fire = True
                aggregate_before_fire = True
        if aggregate_before_fire and data.time >= self._last_emit:
            self._aggregate(data)
            if self._max_count is not None:
                self._working.end_time = data.end_time
        if fire:
            working = self._working
            if isinstance(working, TradeBar) and self._period is not None and working.time:
                working.end_time = working.time + self._period
            # Before emitting: the handlers may feed data back, and emitting clears the bar.
            if self.is_time_based and self._working is not None:
                self._last_emit = self._working.end_time
            else:
                self._last_emit = data.time
            self._emit(self._working)
        if not aggregate_before_fire and data.time >= self._last_emit:
            self._aggregate(data)

    def scan(self, current_local_time: datetime) -> None:
        """Emit the working bar once ``current_local_time`` is a period past its start."""
        if (
            self._working is not None
            and self._period is not None
            and self._period != timedelta(0)
            and current_local_time - self._working.time >= self._period
            and self._last_emit is not None
            and self._rounded_bar_time(current_local_time) > self._last_emit
        ):
            self._last_emit = self._working.end_time
            self._emit(self._working)

    def reset(self) -> None:
        super().reset()
        self._symbol = None
        self._symbol_set = False
        self._current_count = 0
        self._working = None
        self._last_emit = None
        self._validated_span = False

    # -- helpers for subclasses ------------------------------------------------------
    def _should_process(self, data: Any) -> bool:
        return True

    def _aggregate(self, data: Any) -> None:
        raise NotImplementedError

    def _new_bar_period(self, data: Any) -> timedelta:
        """A time-based bar spans the period; a count bar starts with its first input's span."""
        if self.is_time_based and self._period is not None:
            return self._period
        span: timedelta = data.end_time - data.time
        return span

    def _rounded_bar_time(self, time: datetime) -> datetime:
        start = self._spec.rounded_bar_time(time)
        if self._working is None:
            self._period = self._spec.period  # a new bar takes the period current at its open
        return start

    def _rounded_bar_time_of(self, data: Any) -> datetime:
        start = self._rounded_bar_time(data.time)
        if self._period is not None and start + self._period < data.end_time:
            if data.end_time - data.time == ONE_HOUR and start.date() < data.time.date():
                # US equity hour bars start at 9:00 while the market opens at 9:30.
                start = self._rounded_bar_time(data.end_time)
            else:
                start = data.time
        return start

    def _emit(self, bar: Any) -> None:
        self._on_data_consolidated(bar)
        self._working = None

    def _check_symbol(self, data: Any) -> None:
        key = symbol_key(data.symbol)
        if not self._symbol_set:
            self._symbol_set = True
            self._symbol = key
        elif key != self._symbol:
            raise ValueError(SINGLE_SYMBOL.format(previous=self._symbol, current=key))
