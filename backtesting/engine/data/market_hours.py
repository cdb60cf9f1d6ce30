"""LEAN's market-hours database: sessions, holidays, early closes and time zones.

All times are naive datetimes in the exchange's time zone. The engine's algorithm clock
is New York time; securities whose exchange is elsewhere convert at the feed boundary.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TYPE_NAMES = {0: "Base", 1: "Equity", 4: "Forex", 7: "Crypto"}


def _span(text: str) -> timedelta:
    """Parse LEAN's ``HH:MM:SS`` or ``D.HH:MM:SS`` time-of-day spans."""
    days = 0
    if "." in text.split(":")[0]:
        day_text, text = text.split(".", 1)
        days = int(day_text)
    h, m, s = (float(x) for x in text.split(":"))
    return timedelta(days=days, hours=h, minutes=m, seconds=s)


def _date(text: str) -> date:
    m, d, y = (int(x) for x in text.split("/"))
    return date(y, m, d)


@dataclass(frozen=True)
class Session:
    start: timedelta
    end: timedelta
    state: str  # "premarket" | "market" | "postmarket"


@dataclass
class ExchangeHours:
    """One entry of the database: weekly sessions with holiday and early-close exceptions."""

    time_zone: str
    data_time_zone: str
    weekly: dict[int, list[Session]]
    holidays: set[date] = field(default_factory=set)
    early_closes: dict[date, timedelta] = field(default_factory=dict)
    late_opens: dict[date, timedelta] = field(default_factory=dict)
    #: sessions per (day, extended), computed once: every order asks whether the market is open
    _sessions: dict[tuple[date, bool], tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: arrays derived from the sessions over a date range (the feed's session bounds and
    #: fill-forward grids), shared by every subscription on these hours (read-only)
    derived: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)
    #: the last (moment, extended, answer) of is_open: an order asks it several times
    _last_open: tuple[Any, bool, bool] = field(
        default=(None, False, False), repr=False, compare=False
    )

    @property
    def always_open(self) -> bool:
        return (
            all(
                len(s) == 1 and s[0].start == timedelta(0) and s[0].end >= timedelta(days=1)
                for s in (self.weekly.get(d, []) for d in range(7))
            )
            and not self.holidays
        )

    def sessions(self, day: date, extended: bool = False) -> tuple[tuple[datetime, datetime], ...]:
        """Open intervals of ``day`` (regular only unless ``extended``), after exceptions."""
        key = (day, extended)
        known = self._sessions.get(key)
        if known is None:
            known = self._sessions[key] = tuple(self._compute_sessions(day, extended))
        return known

    def _compute_sessions(self, day: date, extended: bool) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        midnight = datetime(day.year, day.month, day.day)
        early = self.early_closes.get(day)
        late = self.late_opens.get(day)
        out: list[tuple[datetime, datetime]] = []
        for s in self.weekly.get(day.weekday(), []):
            if not extended and s.state != "market":
                continue
            start, end = s.start, s.end
            if early is not None:
                if start >= early:
                    continue
                end = min(end, early)
            if late is not None:
                if end <= late:
                    continue
                start = max(start, late)
            if out and out[-1][1] == midnight + start:
                out[-1] = (out[-1][0], midnight + end)
            else:
                out.append((midnight + start, midnight + end))
        return out

    def is_date_open(self, day: date) -> bool:
        """True when ``day`` has a regular market session."""
        return bool(self.sessions(day, False))

    def regular_hours(self, day: date) -> tuple[datetime, datetime] | None:
        """(open, close) of the regular session of ``day``, or None when closed."""
        s = self.sessions(day, False)
        if not s:
            return None
        return s[0][0], s[-1][1]

    def is_open(self, moment: datetime, extended: bool = False) -> bool:
        """True when the exchange is open at ``moment`` (start inclusive, end exclusive)."""
        last, last_extended, answer = self._last_open
        if last == moment and last_extended == extended:
            return answer
        answer = False
        for a, b in self.sessions(moment.date(), extended):
            if a <= moment < b:
                answer = True
                break
        self._last_open = (moment, extended, answer)
        return answer

    def is_open_span(self, start: datetime, end: datetime, extended: bool = False) -> bool:
        """True when the bar [start, end) overlaps an open session (LEAN's IsOpen(start, end))."""
        if start == end:
            return self.is_open(start, extended)
        day = start.date()
        while datetime(day.year, day.month, day.day) < end:
            for a, b in self.sessions(day, extended):
                if a < end and start < b:
                    return True
            day += timedelta(days=1)
        return False

    def next_market_open(self, moment: datetime, extended: bool = False) -> datetime:
        day = moment.date()
        for _ in range(30):
            for a, _b in self.sessions(day, extended):
                if a > moment:
                    return a
            day += timedelta(days=1)
        raise ValueError("no market open within 30 days")

    def next_market_close(self, moment: datetime, extended: bool = False) -> datetime:
        day = moment.date()
        for _ in range(30):
            for _a, b in self.sessions(day, extended):
                if b > moment:
                    return b
            day += timedelta(days=1)
        raise ValueError("no market close within 30 days")

    def previous_trading_day(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.is_date_open(day):
            day -= timedelta(days=1)
        return day

    def trading_days(self, first: date, last: date) -> list[date]:
        out = []
        day = first
        while day <= last:
            if self.is_date_open(day):
                out.append(day)
            day += timedelta(days=1)
        return out


class MarketHoursDatabase:
    """Reads ``market-hours/market-hours-database.json`` and answers by (type, market, ticker).

    The file is 3 MB of JSON and a backtest needs one or two of its entries: an entry is
    found by its key in the text and only that object is decoded.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._cache: dict[str, ExchangeHours | None] = {}
        # entry key -> where its object starts. One pass over the text finds every entry
        # (about 10 ms); searching the text for each ticker took 2-3 ms a ticker, a quarter
        # second for a hundred. Built here, not on first use, so a warm process that loaded
        # the database (an optimization's forkserver) hands it to its children indexed.
        self._offsets: dict[str, int] = {}
        for found in _ENTRY_KEY.finditer(text):
            self._offsets.setdefault(found.group(1), found.end() - 1)

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> MarketHoursDatabase:
        return _load(str(Path(data_dir) / "market-hours" / "market-hours-database.json"))

    def get(self, security_type: int, market: str, ticker: str) -> ExchangeHours:
        name = _TYPE_NAMES.get(security_type, "Base")
        for key in (f"{name}-{market}-{ticker.upper()}", f"{name}-{market}-[*]"):
            if key not in self._cache:
                entry = self._entry(key)
                self._cache[key] = None if entry is None else _parse(entry)
            hours = self._cache[key]
            if hours is not None:
                return hours
        if security_type == 0:  # custom data: open all week like LEAN's Base entries
            return self.always_open_hours()
        raise KeyError(f"no market hours for {name}-{market}-{ticker}")

    def _entry(self, key: str) -> dict | None:
        start = self._offsets.get(key)
        if start is None:
            return None
        entry, _ = _DECODER.raw_decode(self._text, start)
        return entry if isinstance(entry, dict) else None

    @staticmethod
    def always_open_hours(time_zone: str = "America/New_York") -> ExchangeHours:
        full = [Session(timedelta(0), timedelta(days=1), "market")]
        return ExchangeHours(time_zone, time_zone, {d: full for d in range(7)})


@lru_cache(maxsize=4)
def _load(path: str) -> MarketHoursDatabase:
    with open(path) as fh:
        return MarketHoursDatabase(fh.read())


_DECODER = json.JSONDecoder()
#: an entry's key ("Equity-usa-[*]", "Forex-oanda-EURUSD", ...) opening its object
_ENTRY_KEY = re.compile(r'"([A-Za-z]+-[^"\s]+-[^"\s]+)"\s*:\s*\{')


def _parse(entry: dict) -> ExchangeHours:
    weekly = {
        i: [Session(_span(s["start"]), _span(s["end"]), s["state"]) for s in entry.get(name, [])]
        for i, name in enumerate(_WEEKDAYS)
    }
    return ExchangeHours(
        time_zone=entry["exchangeTimeZone"],
        data_time_zone=entry["dataTimeZone"],
        weekly=weekly,
        holidays={_date(h) for h in entry.get("holidays", [])},
        early_closes={_date(k): _span(v) for k, v in entry.get("earlyCloses", {}).items()},
        late_opens={_date(k): _span(v) for k, v in entry.get("lateOpens", {}).items()},
    )


__all__ = ["ExchangeHours", "MarketHoursDatabase", "Session", "time"]
