"""The one clock: algorithm time (New York) and its UTC equivalent. No wall time here."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ALGORITHM_TZ = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def to_utc(moment: datetime) -> datetime:
    """New York wall time -> naive UTC.

    The offset is looked up per day: a run's statistics convert every sample and trade
    time (tens of thousands), and all but two days a year have one offset throughout.
    """
    offset = _DAY_OFFSETS.get(moment.toordinal(), _UNKNOWN)
    if offset is _UNKNOWN:
        offset = _DAY_OFFSETS[moment.toordinal()] = _day_offset(moment)
    if offset is None or moment.tzinfo is not None or moment.fold:
        return moment.replace(tzinfo=ALGORITHM_TZ).astimezone(UTC).replace(tzinfo=None)
    return moment - offset  # type: ignore[operator]  # a timedelta for a uniform day


_UNKNOWN = object()
#: New York's UTC offset by proleptic ordinal of the day; None on a day it changes
_DAY_OFFSETS: dict[int, object] = {}


def _day_offset(moment: datetime) -> timedelta | None:
    first = datetime(moment.year, moment.month, moment.day, tzinfo=ALGORITHM_TZ)
    last = first.replace(hour=23, minute=59, second=59, microsecond=999_999)
    offset = first.utcoffset()
    return offset if offset == last.utcoffset() else None


class Clock:
    """Holds the current algorithm time; the loop advances it, everything else reads it."""

    def __init__(self, start: datetime) -> None:
        self.time = start

    def set(self, moment: datetime) -> None:
        self.time = moment
