"""Sum, SMA, EMA and Wilder's moving average, and MovingAverageType (LEAN's semantics).

The warm-up rules decide when crossovers first fire, so they follow LEAN exactly:
SMA averages whatever it has until ``period`` inputs arrived; EMA returns 0 until
``period`` inputs arrived, then the SMA of those inputs, then ``k * x + (1 - k) * ema``;
Wilder's average returns the running SMA for the first ``period - 1`` inputs and smooths
with ``k = 1 / period`` from the ``period``-th input on.
"""

from __future__ import annotations

from collections import deque
from enum import IntEnum
from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators import running_mean
from backtesting.engine.indicators.base import (
    Indicator,
    WindowIndicator,
    _symbol_key,
    parse_args,
)
from backtesting.engine.indicators.events import EventHook
from backtesting.engine.indicators.rolling_window import RollingWindow, _window_add

#: builds data points without __init__'s argument parsing (SMA's per-update path)
_new = object.__new__


def _point(symbol: Any, end_time: Any, value: float) -> IndicatorDataPoint:
    """An ``IndicatorDataPoint`` without __init__'s argument parsing."""
    point = _new(IndicatorDataPoint)
    point.symbol, point.time, point.end_time = symbol, end_time, end_time
    point.value, point.is_fill_forward = value, False
    return point


class Sum(WindowIndicator):
    """Running sum of the last ``period`` values (LEAN's Sum)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("Sum", args, kwargs, ("period",))
        super().__init__(name or f"SUM({period})", period)
        self._sum = 0.0

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        self._sum += input.value
        if window.samples > window.size:
            self._sum -= window.most_recently_removed.value
        return self._sum

    def reset(self) -> None:
        self._sum = 0.0
        super().reset()


class SimpleMovingAverage(WindowIndicator):
    """Mean of the last ``period`` values; before that, the mean of all values so far.

    LEAN computes it through a ``Sum`` indicator, exposed as ``rolling_sum``. Few
    algorithms look at it, so until one does the average keeps the running total itself
    and the last three sums; ``rolling_sum`` then builds the ``Sum`` with exactly the
    state it would have had, and from there on both are updated.

    It is also the indicator most algorithms update on every bar, so it starts "raw":
    inputs without a symbol (the engine's feed, ``update(time, value)``) are kept as
    (end time, value) pairs and outputs as (end time, sum, count), and data points are
    made only for what is read (``current``, ``previous``, ``[i]``). The protocol's state
    is rebuilt exactly, once and for good, when something needs more: the output window
    itself, an input with a symbol, ``rolling_sum``, or a subclass.

    That raw state is a ``running_mean.RunningMean``; where setup.py built ``_fastsma.c``,
    it and the two per-bar reads (``current``, ``is_ready``) run in C with the same
    arithmetic and state changes, about four times faster.
    """

    # What the compiled per-bar path reads and writes (_fastsma.c) is kept in slots: a
    # slot costs it a few instructions, a generic attribute lookup about two hundred.
    __slots__ = (
        "_mean",
        "_raw",
        "_current",
        "_window",
        "samples",
        "updated",
        "_period",
        "_inputs",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("SimpleMovingAverage", args, kwargs, ("period",))
        name = name or f"SMA({period})"
        super().__init__(name, period)
        self._period = int(period)
        self._rolling: Sum | None = None
        self._total = 0.0
        #: the last three sums as (symbol, end time, value), newest first
        self._sums: deque[tuple[Any, Any, float]] = deque(maxlen=3)
        self._raw = type(self) is SimpleMovingAverage
        #: the raw state: inputs, running sum and unread outputs (running_mean.py)
        self._mean = RUNNING_MEAN(self, self._period)

    # -- raw updates ----------------------------------------------------------------------
    def _process_value(self, end_time: Any, value: float, point: Any = None) -> None:
        """One input without a symbol (``point``, when the caller made one): a raw average
        keeps it in its running mean, which checks, sums and fires ``updated``."""
        if not self._raw:
            if point is None:
                super()._process_value(end_time, value)
            else:
                self._process(point)
            return
        self._mean.push(end_time, value, point)

    def _close_feed(self) -> Any:
        """The engine's feed pushes closes straight into the running mean (which hands
        them back to ``_process_value`` once the average left raw mode)."""
        return self._mean.push

    def _add_older_points(self, window: RollingWindow, older: int) -> None:
        """Points for the ``older`` unread outputs before the newest, oldest first, into
        the output window; outputs no longer kept had fallen off the window anyway."""
        fresh = self._mean.outputs()[1 : older + 1]  # newest first
        window._samples += older - len(fresh)
        for end_time, total, count in reversed(fresh):
            _window_add(window, _point(None, end_time, total / count))

    def _leave_raw(self) -> None:
        """Rebuild the protocol's state (input window, previous input, last sums) from the
        raw one; from here on every update takes the point path."""
        self.current  # noqa: B018  # makes the unread outputs' points
        self._raw = False
        mean = self._mean
        # newest first, as the window keeps them
        points = [_point(None, end_time, value) for end_time, value in mean.inputs()]
        if points and mean.last_point is not None:
            points[0] = mean.last_point
        inputs = self._inputs
        inputs._items.extend(points)
        inputs._samples = self.samples
        removed = mean.removed()
        if removed is not None:
            inputs._most_recently_removed = _point(None, *removed)
        if points:
            self._previous_input[None] = points[0]
        for end_time, total, _count in reversed(mean.outputs()):
            self._sums.appendleft((None, end_time, total))
        self._total = mean.total
        mean.clear()

    # -- reads: points are made here -------------------------------------------------------
    @property
    def current(self) -> IndicatorDataPoint:
        """The newest output; a raw average makes its point here, on first read."""
        mean = self._mean
        unread = mean.unread
        if unread:
            mean.unread = 0
            window = self._window
            if unread > 1:
                self._add_older_points(window, unread - 1)
            end_time, total, count = mean.newest()
            # _point and RollingWindow.add, inline: algorithms read this at every bar
            point = self._current = _new(IndicatorDataPoint)
            point.symbol, point.time, point.end_time = None, end_time, end_time
            point.value = total / count
            point.is_fill_forward = False
            items = window._items
            window._samples += 1
            if len(items) == window._size:
                window._most_recently_removed = items[-1]
            items.appendleft(point)
        return self._current  # type: ignore[no-any-return]  # always a point

    @property
    def previous(self) -> IndicatorDataPoint:
        self.current  # noqa: B018  # makes the unread outputs' points
        return super().previous

    @property
    def window(self) -> RollingWindow:
        if self._raw:
            self._leave_raw()  # the window object may be kept and resized
        return super().window

    def __getitem__(self, index: int) -> Any:
        self.current  # noqa: B018
        return super().__getitem__(index)

    def __iter__(self) -> Any:
        self.current  # noqa: B018
        return super().__iter__()

    @property
    def rolling_sum(self) -> Sum:
        """The running ``Sum`` of the last ``period`` inputs (LEAN's ``RollingSum``)."""
        if self._rolling is None:
            if self._raw:
                self._leave_raw()
            self._rolling = self._built_rolling_sum()
        return self._rolling

    def _built_rolling_sum(self) -> Sum:
        rolling = Sum(self.name + "_Sum", self.period)
        rolling.samples = self.samples
        rolling._previous_input = dict(self._previous_input)
        inputs, mine = rolling._inputs, self._inputs
        inputs._items.extend(mine._items)
        inputs._samples, inputs._most_recently_removed = mine._samples, mine._most_recently_removed
        rolling._sum = self._total
        for symbol, end_time, value in reversed(self._sums):
            rolling._current = point = _point(symbol, end_time, value)
            _window_add(rolling._window, point)
        # every accepted input made one sum (the window also counts the initial zero point)
        rolling._window._samples = self.samples + 1
        return rolling

    @property
    def is_ready(self) -> bool:
        if self._raw:
            return self.samples >= self._period  # every accepted input is in the window
        inputs = self._inputs
        return inputs._samples >= inputs._size

    def _process(self, input: Any) -> None:
        """The generic protocol unrolled for the most used indicator (running sum, one
        division): same state changes and events, a fraction of the calls. Subclasses and
        inputs other than a plain data point take the generic path."""
        if self._raw:
            if type(input) is IndicatorDataPoint and input.symbol is None:
                self._process_value(input.end_time, input.value, input)
                return
            self._leave_raw()
        rolling = self._rolling
        if (
            type(input) is not IndicatorDataPoint
            or type(self) is not SimpleMovingAverage
            or (rolling is not None and type(rolling) is not Sum)
        ):
            self.rolling_sum  # noqa: B018  # built before the generic protocol changes the state
            super()._process(input)
            return
        symbol = input.symbol
        key = None if symbol is None else _symbol_key(symbol)
        end_time = input.end_time
        previous = self._previous_input.get(key)
        if previous is not None:  # forward only (base._earlier, inline)
            before = previous.end_time
            if (
                input is previous
                or end_time is not None
                and before is not None
                and end_time < before
            ):
                return
        self.samples += 1
        self._previous_input[key] = input
        # RollingWindow.add, inline
        inputs = self._inputs
        items = inputs._items
        inputs._samples += 1
        if len(items) == inputs._size:
            inputs._most_recently_removed = items[-1]
        items.appendleft(input)
        if rolling is None:
            total = self._total = self._total + input.value
            if inputs._samples > inputs._size:
                total = self._total = total - inputs._most_recently_removed.value
            self._sums.appendleft((symbol, end_time, total))
        else:  # someone reads rolling_sum: it takes its own (generic) update
            rolling._process(input)
            total = rolling._current.value
        point = _new(IndicatorDataPoint)
        point.symbol, point.time, point.end_time = symbol, end_time, end_time
        point.value = total / len(items)
        point.is_fill_forward = False
        self._current = point
        # RollingWindow.add of the output window, inline
        window = self._window
        window._samples += 1
        outputs = window._items
        if len(outputs) == window._size:
            if window._size == 0:
                window._most_recently_removed = point
            else:
                window._most_recently_removed = outputs[-1]
                outputs.appendleft(point)
        else:
            outputs.appendleft(point)
        if self.updated._handlers:
            self.updated.fire(self, point)

    def _compute_window_value(self, window: RollingWindow, input: IndicatorDataPoint) -> float:
        self.rolling_sum._process(input)
        return self.rolling_sum.current.value / window.count

    def reset(self) -> None:
        if self._rolling is not None:
            self._rolling.reset()
        self._total = 0.0
        self._sums.clear()
        self._mean.clear()
        super().reset()


#: the raw state's class: the compiled one when it was built (running_mean.py)
RUNNING_MEAN = running_mean.CompiledRunningMean or running_mean.RunningMean
#: the Python reads, which the compiled ones repeat line for line (tests switch back)
PYTHON_READS = {"current": SimpleMovingAverage.current, "is_ready": SimpleMovingAverage.is_ready}
if running_mean.compiled_reads is not None:
    SimpleMovingAverage.current, SimpleMovingAverage.is_ready = running_mean.compiled_reads(  # type: ignore[method-assign,assignment]
        SimpleMovingAverage, RollingWindow, EventHook, IndicatorDataPoint
    )


class ExponentialMovingAverage(Indicator):
    """EMA with ``k = 2 / (period + 1)`` unless a smoothing factor is given; seeded with the SMA."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period, smoothing_factor) = parse_args(
            "ExponentialMovingAverage",
            args,
            kwargs,
            ("period", "smoothing_factor"),
            {"smoothing_factor": None},
        )
        if name is None:
            name = (
                f"EMA({period})"
                if smoothing_factor is None
                else f"EMA({period},{smoothing_factor})"
            )
        super().__init__(name)
        self._period = int(period)
        self._k: float = (
            self.smoothing_factor_default(period)
            if smoothing_factor is None
            else float(smoothing_factor)
        )
        self._initial_sma = SimpleMovingAverage(period)

    @staticmethod
    def smoothing_factor_default(period: int) -> float:
        """LEAN's default smoothing factor ``2 / (1 + period)``."""
        return 2.0 / (1 + period)

    @property
    def period(self) -> int:
        return self._period

    @property
    def warm_up_period(self) -> int:
        return self._period

    @property
    def is_ready(self) -> bool:
        return self.samples >= self._period

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        if self.samples <= self._period:
            self._initial_sma._process(input)
        if not self.is_ready:
            return 0.0
        if self.samples == self._period:
            return self._initial_sma.current.value
        return input.value * self._k + self.current.value * (1 - self._k)

    def reset(self) -> None:
        super().reset()
        self._initial_sma.reset()


class WilderMovingAverage(Indicator):
    """Wilder's smoothing, ``k = 1 / period`` (LEAN's WilderMovingAverage).

    As in LEAN, the first ``period - 1`` outputs are the running SMA and the smoothing
    starts at the ``period``-th input from the SMA of the inputs before it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, (period,) = parse_args("WilderMovingAverage", args, kwargs, ("period",))
        name = name or f"WWMA{period}"
        super().__init__(name)
        self._period = int(period)
        self._k: float = 1.0 / period
        self._sma = SimpleMovingAverage(name + "_SMA", period)

    @property
    def period(self) -> int:
        return self._period

    @property
    def warm_up_period(self) -> int:
        return self._period

    @property
    def is_ready(self) -> bool:
        return self.samples >= self._period

    def _compute_next_value(self, input: IndicatorDataPoint) -> float:
        if not self.is_ready:
            self._sma._process(input)
            return self._sma.current.value
        return input.value * self._k + self.current.value * (1 - self._k)

    def reset(self) -> None:
        self._sma.reset()
        super().reset()


class MovingAverageType(IntEnum):
    """LEAN's MovingAverageType, with LEAN's ordinal values."""

    SIMPLE = 0
    EXPONENTIAL = 1
    WILDERS = 2
    LINEAR_WEIGHTED_MOVING_AVERAGE = 3
    DOUBLE_EXPONENTIAL = 4
    TRIPLE_EXPONENTIAL = 5
    TRIANGULAR = 6
    T3 = 7
    KAMA = 8
    HULL = 9
    ALMA = 10
    ZLEMA = 11
    MGD = 12
    # LEAN's older CamelCase spellings, still common in published algorithms (aliases)
    Simple = 0
    Exponential = 1
    Wilders = 2
    LinearWeightedMovingAverage = 3
    DoubleExponential = 4
    TripleExponential = 5
    Triangular = 6
    Kama = 8
    Hull = 9
    Alma = 10
    Zlema = 11

    @property
    def csharp_name(self) -> str:
        """LEAN's C# member name (``Wilders``), which LEAN puts into indicator names."""
        if self is MovingAverageType.MGD:
            return "MGD"
        return "".join(part.capitalize() for part in self.name.split("_"))

    def as_indicator(self, *args: Any) -> Indicator:
        """``type.as_indicator(period)`` or ``type.as_indicator(name, period)``."""
        return as_indicator(self, *args)


def as_indicator(moving_average_type: MovingAverageType | int, *args: Any) -> Indicator:
    """Build the moving average of ``moving_average_type``: ``(period)`` or ``(name, period)``.

    Raises NotImplementedError for the types this engine does not provide yet.
    """
    kind = MovingAverageType(moving_average_type)
    factory = _FACTORIES.get(kind)
    if factory is None:
        raise NotImplementedError(f"MovingAverageType.{kind.name} is not supported yet")
    indicator: Indicator = factory(*args)
    return indicator


_FACTORIES: dict[MovingAverageType, Any] = {
    MovingAverageType.SIMPLE: SimpleMovingAverage,
    MovingAverageType.EXPONENTIAL: ExponentialMovingAverage,
    MovingAverageType.WILDERS: WilderMovingAverage,
}


def register_moving_average(kind: MovingAverageType, factory: Any) -> None:
    """Let a module that defines another moving average make it available to ``as_indicator``."""
    _FACTORIES[kind] = factory
