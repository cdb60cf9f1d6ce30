"""Scheduled events in time order (LEAN's BacktestingRealTimeHandler).

Events due strictly before a time step fire first, each with the algorithm clock set to
the event's own time ("past events": e.g. midnight sampling on a weekend without data);
events due at the step's time fire after pending orders are processed.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

from backtesting.engine.scheduling.rules import DateRule, TimeRule


class Scheduler(Protocol):
    """Date/time-rule events. ``fire_before(t)`` and ``fire_at(t)`` run callbacks in order."""

    def fire_before(self, moment: datetime, set_time: Callable[[datetime], None]) -> None: ...

    def fire_at(self, moment: datetime) -> None: ...


class ScheduledEvent:
    """One named event with its remaining fire times (``schedule.on`` returns it)."""

    def __init__(
        self, name: str, times: list[datetime], callback: Callable[..., Any], priority: int
    ) -> None:
        self.name = name
        self.times = times
        self.callback = callback
        self.priority = priority
        self.enabled = True

    def __repr__(self) -> str:
        return f"ScheduledEvent({self.name})"


class BacktestScheduler:
    """Precomputes fire times for each event and pops them from a heap."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, int, ScheduledEvent]] = []
        self._seq = 0
        self.start: date | None = None
        self.end: date | None = None
        self._pending: list[tuple[str, DateRule, TimeRule, Callable[..., Any], int]] = []
        self.current_time: datetime | None = None

    def add(
        self,
        name: str,
        date_rule: DateRule,
        time_rule: TimeRule,
        callback: Callable[..., Any],
        priority: int = 1,
    ) -> ScheduledEvent:
        event = ScheduledEvent(name, [], callback, priority)
        if self.start is None:
            self._pending.append((name, date_rule, time_rule, callback, priority))
            self._pending_events = getattr(self, "_pending_events", [])
            self._pending_events.append(event)
            return event
        self._materialise(event, date_rule, time_rule)
        return event

    def begin(self, start: date, end: date, now: datetime) -> None:
        """Fix the run's dates and compute every event's fire times from ``now`` on."""
        self.start, self.end = start, end
        self.current_time = now
        for (_n, d, t, _c, _p), event in zip(
            self._pending, getattr(self, "_pending_events", []), strict=False
        ):
            self._materialise(event, d, t)
        self._pending = []

    def _materialise(self, event: ScheduledEvent, date_rule: DateRule, time_rule: TimeRule) -> None:
        assert self.start is not None and self.end is not None
        first = self.current_time.date() if self.current_time else self.start
        for day in date_rule.dates(max(first, self.start), self.end):
            for moment in time_rule.times(day):
                if self.current_time is None or moment >= self.current_time:
                    self._seq += 1
                    heapq.heappush(self._heap, (moment, event.priority, self._seq, event))

    def next_time(self) -> datetime | None:
        return self._heap[0][0] if self._heap else None

    def fire_before(self, moment: datetime, set_time: Callable[[datetime], None]) -> None:
        heap = self._heap
        while heap and heap[0][0] < moment:
            when, _p, _s, event = heapq.heappop(heap)
            if event.enabled:
                set_time(when)
                self.current_time = when
                event.callback()

    def fire_at(self, moment: datetime) -> None:
        heap = self._heap
        while heap and heap[0][0] <= moment:
            _when, _p, _s, event = heapq.heappop(heap)
            if event.enabled:
                event.callback()

    def remove(self, event: ScheduledEvent) -> None:
        event.enabled = False
