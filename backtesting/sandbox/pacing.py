"""How often a sandboxed run reports progress and runtime statistics.

The engine reports at most once per per-cent of its time steps, and before each report it
asks its sink whether one is due (``progress_due``). Here, in the child, a report is due
at the first per-cent and then once ``PROGRESS_SECONDS`` have passed: a two-day backtest
that ends in 20 ms sends one instead of a hundred (each is a row the platform stores and
streams, and each costs the engine a pass over the runtime statistics), while a long run
still moves its progress bar several times a second. Reading the wall clock is the
platform's business, which is why this lives in the sandbox and not in the engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

#: seconds between two progress reports after the first
PROGRESS_SECONDS = 0.25


class ProgressPacing:
    """A sink wrapper: passes every event through and answers ``progress_due``."""

    def __init__(
        self,
        sink: Any,
        seconds: float = PROGRESS_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._seconds = seconds
        self._clock = clock
        self._next = float("-inf")

    def emit(self, event: dict[str, Any]) -> None:
        self._sink.emit(event)

    def progress_due(self) -> bool:
        now = self._clock()
        if now < self._next:
            return False
        self._next = now + self._seconds
        return True
