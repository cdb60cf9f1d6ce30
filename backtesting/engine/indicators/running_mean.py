"""The raw state of a simple moving average: what it keeps while no one needs more.

A raw average takes inputs without a symbol (the engine's feed, ``update(time, value)``)
as (end time, value) pairs and keeps its outputs as (end time, sum, count); data points
are made only for what an algorithm reads (see ``SimpleMovingAverage``). This module is
that state and its update, in Python. ``_fastsma.c`` is the same class in C, which
setup.py builds when a compiler is at hand: an SMA is updated and read on every bar,
and the interpreter's call and attribute overhead is most of what these lines cost.
tests/engine/test_fast_paths.py runs both against the generic indicator protocol.
"""

from __future__ import annotations

from collections import deque
from typing import Any


class RunningMean:
    """The last ``period`` inputs, their running sum and the newest three outputs."""

    __slots__ = (
        "_owner",
        "_period",
        "total",
        "_inputs",
        "_removed",
        "_last_end",
        "last_point",
        "_outputs",
        "unread",
    )

    def __init__(self, owner: Any, period: int) -> None:
        self._owner = owner  # the SimpleMovingAverage: its samples, updated, raw flag
        self._period = int(period)
        self._inputs: deque[tuple[Any, float]] = deque(maxlen=self._period)
        #: (end time, sum, count) of the newest outputs, newest first: enough for the
        #: output window (2) plus the one it dropped, and for the last three sums
        self._outputs: deque[tuple[Any, float, int]] = deque(maxlen=3)
        self.clear()

    def clear(self) -> None:
        self.total = 0.0
        self._inputs.clear()
        self._outputs.clear()
        self._removed: tuple[Any, float] | None = None  # the input that last fell off
        self._last_end: Any = None  # end time of the newest input (forward only)
        self.last_point: Any = None  # the newest input, when the caller passed a point
        self.unread = 0  # newest outputs not yet made points

    def push(self, end_time: Any, value: float, point: Any = None) -> None:
        """One input without a symbol (``point``, when the caller made one): the protocol's
        forward-only check, the running sum, an unread output and the ``updated`` event.
        An average that left raw mode takes it through its protocol instead."""
        owner = self._owner
        if not owner._raw:
            owner._process_value(end_time, value, point)
            return
        last = self._last_end
        if last is not None and (
            point is not None
            and point is self.last_point
            or end_time is not None
            and end_time < last
        ):
            return
        self._last_end = end_time
        self.last_point = point
        owner.samples += 1
        inputs = self._inputs
        total = self.total + value
        if len(inputs) == self._period:
            removed = self._removed = inputs[-1]
            total -= removed[1]
        inputs.appendleft((end_time, value))
        self.total = total
        self._outputs.appendleft((end_time, total, len(inputs)))
        self.unread += 1
        updated = owner.updated
        if updated._handlers:
            updated.fire(owner, owner.current)

    def inputs(self) -> list[tuple[Any, float]]:
        """The kept inputs as (end time, value), newest first."""
        return list(self._inputs)

    def outputs(self) -> list[tuple[Any, float, int]]:
        """The newest outputs as (end time, sum, count), newest first (at most three)."""
        return list(self._outputs)

    def newest(self) -> tuple[Any, float, int]:
        return self._outputs[0]

    def removed(self) -> tuple[Any, float] | None:
        """The input that last fell off the window, as (end time, value)."""
        return self._removed


try:  # the same class in C (setup.py); without a compiler the Python one above serves
    from backtesting.engine.indicators._fastsma import RunningMean as CompiledRunningMean
    from backtesting.engine.indicators._fastsma import reads as compiled_reads
except ImportError:  # pragma: no cover - depends on the install
    CompiledRunningMean = compiled_reads = None
