"""Calendar periods for consolidators (LEAN's Calendar and CalendarInfo).

A calendar function maps a time to the bar it belongs to: its start and its length.
``TradeBarConsolidator(Calendar.WEEKLY)`` builds Monday-to-Monday bars.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


class CalendarInfo:
    """The bar a time belongs to: ``start`` and ``period`` (``end`` = start + period)."""

    __slots__ = ("start", "period")

    def __init__(self, start: date, period: timedelta) -> None:
        if not isinstance(start, datetime):
            # Python users often build the start with .date(); LEAN receives a DateTime.
            start = datetime(start.year, start.month, start.day)
        self.start: datetime = start
        self.period = period

    @property
    def end(self) -> datetime:
        return self.start + self.period

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalendarInfo):
            return NotImplemented
        return (self.start, self.period) == (other.start, other.period)

    def __hash__(self) -> int:
        return hash((self.start, self.period))

    def __repr__(self) -> str:
        return f"CalendarInfo({self.start}, {self.period})"


def _midnight(time: datetime) -> datetime:
    return datetime(time.year, time.month, time.day)


def _add_months(time: datetime, months: int) -> datetime:
    month_index = time.month - 1 + months
    return datetime(time.year + month_index // 12, month_index % 12 + 1, 1)


def _weekly(time: datetime) -> CalendarInfo:
    # LEAN: the week ends at the next Monday 00:00 (a Sunday belongs to the week before).
    days_to_monday = 7 - time.weekday()
    end = _midnight(time) + timedelta(days=days_to_monday)
    return CalendarInfo(end - timedelta(days=7), timedelta(days=7))


def _monthly(time: datetime) -> CalendarInfo:
    start = datetime(time.year, time.month, 1)
    return CalendarInfo(start, _add_months(start, 1) - start)


def _quarterly(time: datetime) -> CalendarInfo:
    start = datetime(time.year, (time.month - 1) // 3 * 3 + 1, 1)
    return CalendarInfo(start, _add_months(start, 3) - start)


def _yearly(time: datetime) -> CalendarInfo:
    start = datetime(time.year, 1, 1)
    return CalendarInfo(start, datetime(time.year + 1, 1, 1) - start)


class Calendar:
    """Calendar functions usable as consolidator periods."""

    WEEKLY = staticmethod(_weekly)
    MONTHLY = staticmethod(_monthly)
    QUARTERLY = staticmethod(_quarterly)
    YEARLY = staticmethod(_yearly)
    # LEAN's older CamelCase spellings
    Weekly = WEEKLY
    Monthly = MONTHLY
    Quarterly = QUARTERLY
    Yearly = YEARLY
