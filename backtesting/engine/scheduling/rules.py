"""LEAN's date rules and time rules (``self.date_rules.every_day("SPY")``, ``self.time_rules.at(10, 0)``).

A date rule answers "which dates between start and end"; a time rule answers "which
instants on this date". Both are pure functions of the market-hours database, so a
schedule is known before the run starts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

DateFn = Callable[[date, date], list[date]]
TimeFn = Callable[[date], list[datetime]]


class DateRule:
    def __init__(self, name: str, dates: DateFn) -> None:
        self.name = name
        self.dates = dates


class TimeRule:
    def __init__(self, name: str, times: TimeFn) -> None:
        self.name = name
        self.times = times


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


class DateRules:
    """Factory for date rules; ``hours_for(symbol)`` returns the symbol's exchange hours."""

    def __init__(self, hours_for: Callable[[Any], Any]) -> None:
        self._hours_for = hours_for

    def _trading(self, symbol: Any) -> Callable[[date], bool]:
        if symbol is None:
            return lambda d: True
        hours = self._hours_for(symbol)
        return hours.is_date_open

    def every_day(self, symbol: Any = None, extended_market_hours: bool = False) -> DateRule:
        ok = self._trading(symbol)
        return DateRule("EveryDay", lambda a, b: [d for d in _days(a, b) if ok(d)])

    def every(self, *days_of_week: Any) -> DateRule:
        wanted = set()
        for d in days_of_week:
            if isinstance(d, (list, tuple)):
                wanted.update(int(x) for x in d)
            else:
                wanted.add(int(d))
        # LEAN's DayOfWeek: Sunday = 0 ... Saturday = 6
        return DateRule(
            "Every", lambda a, b: [d for d in _days(a, b) if (d.weekday() + 1) % 7 in wanted]
        )

    def on(self, *dates: Any) -> DateRule:
        wanted = {d.date() if isinstance(d, datetime) else d for d in dates}
        if len(dates) == 3 and all(isinstance(x, int) for x in dates):
            wanted = {date(*dates)}  # type: ignore[arg-type]
        return DateRule("On", lambda a, b: sorted(d for d in wanted if a <= d <= b))

    def month_start(self, symbol: Any = None, days_offset: int = 0) -> DateRule:
        ok = self._trading(symbol)

        def dates(a: date, b: date) -> list[date]:
            out, seen = [], set()
            for d in _days(a.replace(day=1), b):
                key = (d.year, d.month)
                if key in seen or not ok(d):
                    continue
                month = [
                    x
                    for x in _days(
                        d,
                        (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
                    )
                    if ok(x)
                ]
                if len(month) > days_offset:
                    pick = month[days_offset]
                    seen.add(key)
                    if a <= pick <= b:
                        out.append(pick)
            return out

        return DateRule("MonthStart", dates)

    def month_end(self, symbol: Any = None, days_offset: int = 0) -> DateRule:
        ok = self._trading(symbol)

        def dates(a: date, b: date) -> list[date]:
            out = []
            months = sorted({(d.year, d.month) for d in _days(a, b)})
            for y, m in months:
                first = date(y, m, 1)
                last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(
                    days=1
                )
                month = [x for x in _days(first, last) if ok(x)]
                if len(month) > days_offset:
                    pick = month[-1 - days_offset]
                    if a <= pick <= b:
                        out.append(pick)
            return out

        return DateRule("MonthEnd", dates)

    def week_start(self, symbol: Any = None, days_offset: int = 0) -> DateRule:
        return self._week_rule("WeekStart", symbol, days_offset)

    def week_end(self, symbol: Any = None, days_offset: int = 0) -> DateRule:
        return self._week_rule("WeekEnd", symbol, -1 - days_offset)

    def _week_rule(self, name: str, symbol: Any, index: int) -> DateRule:
        """The ``index``-th trading day of every week (negative counts from the week's end)."""
        ok = self._trading(symbol)
        needed = index + 1 if index >= 0 else -index

        def dates(a: date, b: date) -> list[date]:
            out = []
            monday = a - timedelta(days=a.weekday())
            while monday <= b:
                week = [monday + timedelta(days=i) for i in range(7)]
                week = [d for d in week if ok(d) and (symbol is not None or d.weekday() < 5)]
                if len(week) >= needed and a <= week[index] <= b:
                    out.append(week[index])
                monday += timedelta(days=7)
            return out

        return DateRule(name, dates)

    @property
    def today(self) -> DateRule:
        return DateRule("Today", lambda a, b: [a])

    @property
    def tomorrow(self) -> DateRule:
        return DateRule("Tomorrow", lambda a, b: [a + timedelta(days=1)])

    EveryDay = every_day
    MonthStart = month_start
    MonthEnd = month_end
    WeekStart = week_start
    WeekEnd = week_end


class TimeRules:
    """Factory for time rules."""

    def __init__(self, hours_for: Callable[[Any], Any]) -> None:
        self._hours_for = hours_for

    def at(
        self, hour: int | timedelta | time, minute: int = 0, second: int = 0, *_: Any
    ) -> TimeRule:
        if isinstance(hour, timedelta):
            offset = hour
        elif isinstance(hour, time):
            offset = timedelta(hours=hour.hour, minutes=hour.minute, seconds=hour.second)
        else:
            offset = timedelta(hours=hour, minutes=minute, seconds=second)
        return TimeRule("At", lambda d: [datetime(d.year, d.month, d.day) + offset])

    @property
    def midnight(self) -> TimeRule:
        return self.at(0)

    @property
    def noon(self) -> TimeRule:
        return self.at(12)

    @property
    def now(self) -> TimeRule:
        return self.at(0)

    def after_market_open(
        self, symbol: Any, minutes_after_open: float = 0, extended_market_open: bool = False
    ) -> TimeRule:
        hours = self._hours_for(symbol)

        def times(d: date) -> list[datetime]:
            s = hours.sessions(d, extended_market_open)
            return [s[0][0] + timedelta(minutes=minutes_after_open)] if s else []

        return TimeRule("AfterMarketOpen", times)

    def before_market_close(
        self, symbol: Any, minutes_before_close: float = 0, extended_market_close: bool = False
    ) -> TimeRule:
        hours = self._hours_for(symbol)

        def times(d: date) -> list[datetime]:
            s = hours.sessions(d, extended_market_close)
            return [s[-1][1] - timedelta(minutes=minutes_before_close)] if s else []

        return TimeRule("BeforeMarketClose", times)

    def market_open(self, symbol: Any, *_: Any) -> TimeRule:
        return self.after_market_open(symbol, 0)

    def market_close(self, symbol: Any, *_: Any) -> TimeRule:
        return self.before_market_close(symbol, 0)

    def every(self, interval: timedelta) -> TimeRule:
        step = interval

        def times(d: date) -> list[datetime]:
            start = datetime(d.year, d.month, d.day)
            out, t = [], start
            while t < start + timedelta(days=1):
                out.append(t)
                t += step
            return out

        return TimeRule("Every", times)

    AfterMarketOpen = after_market_open
    BeforeMarketClose = before_market_close
    At = at
    Every = every
