"""How a period/count consolidator turns a time into its bar's start (LEAN's period specifications).

* by count: no rounding, a bar closes after N inputs;
* by time span: start = time rounded down to a multiple of the period counted from
  0001-01-01 (so 5-minute bars start at :00, :05, ...), unless the period exceeds a
  day (then the first input's time) or a start time anchors the grid to each day
  (each month for periods of a week or more);
* by calendar function: the function names the start and the length.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from backtesting.engine.consolidators.calendar import CalendarInfo

ONE_DAY = timedelta(days=1)
#: a time that every calendar function must map to a start at or before it (LEAN's check)
_VERIFICATION_TIME = datetime(2022, 1, 3, 10, 10, 10)
LATE_CALENDAR_START = (
    "FuncPeriodSpecification: Please use a function that computes the start of the bar "
    "associated with the given date time. Should never return a time later than the one passed in."
)

#: Resolution names and ordinals (LEAN's enum) and the span each one stands for
_RESOLUTION_SPANS = {
    "TICK": timedelta(0),
    "SECOND": timedelta(seconds=1),
    "MINUTE": timedelta(minutes=1),
    "HOUR": timedelta(hours=1),
    "DAILY": ONE_DAY,
}
_RESOLUTION_ORDER = ["TICK", "SECOND", "MINUTE", "HOUR", "DAILY"]


def round_down(time: datetime, interval: timedelta) -> datetime:
    """LEAN's ``DateTime.RoundDown``: subtract ``time mod interval`` (measured from year 1)."""
    if interval == timedelta(0):
        return time
    return time - (time - datetime.min) % interval


def consolidator_start_time(period: timedelta, start_time: timedelta, time: datetime) -> datetime:
    """LEAN's ``LeanData.GetConsolidatorStartTime``: a grid anchored at ``start_time`` each day."""
    reference = datetime(time.year, time.month, time.day) + start_time
    if period >= timedelta(days=7):
        reference = datetime(time.year, time.month, 1) + start_time
    return reference + (time - reference) // period * period


def resolution_to_timedelta(resolution: Any) -> timedelta:
    """Span of a LEAN Resolution given as the enum, its name or its ordinal."""
    name = getattr(resolution, "name", resolution)
    if isinstance(name, int):
        name = _RESOLUTION_ORDER[name]
    key = str(name).upper()
    if key not in _RESOLUTION_SPANS:
        raise ValueError(f"unknown resolution {resolution!r}")
    return _RESOLUTION_SPANS[key]


class CountSpec:
    """A bar every N inputs; times are not rounded."""

    period: timedelta | None = None

    def rounded_bar_time(self, time: datetime) -> datetime:
        return time


class MixedSpec:
    """A bar every N inputs or after a span, whichever comes first."""

    def __init__(self, period: timedelta) -> None:
        self.period: timedelta | None = period

    def rounded_bar_time(self, time: datetime) -> datetime:
        return time


class TimeSpanSpec:
    """Bars of a fixed length on a grid."""

    def __init__(self, period: timedelta, start_time: timedelta | None = None) -> None:
        self.period: timedelta | None = period
        self.start_time = start_time

    def rounded_bar_time(self, time: datetime) -> datetime:
        assert self.period is not None
        if self.start_time is not None:
            return consolidator_start_time(self.period, self.start_time, time)
        if self.period > ONE_DAY:
            return time  # LEAN #4915: no rounding grid for periods above a day
        return round_down(time, self.period)


class CalendarSpec:
    """Bars whose start and length come from a calendar function."""

    def __init__(self, function: Callable[[datetime], CalendarInfo]) -> None:
        if function(_VERIFICATION_TIME).start > _VERIFICATION_TIME:
            raise ValueError(LATE_CALENDAR_START)
        self.function = function
        self.period: timedelta | None = None

    def rounded_bar_time(self, time: datetime) -> datetime:
        info = self.function(time)
        self.period = info.period
        return info.start


PeriodSpec = CountSpec | MixedSpec | TimeSpanSpec | CalendarSpec
