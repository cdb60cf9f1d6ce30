"""The indicator protocol LEAN algorithms rely on (LEAN's IndicatorBase, Indicator, WindowIndicator).

Every indicator:

1. takes ``update(time, value)``, ``update(IndicatorDataPoint)`` or ``update(bar)`` (a bar
   is reduced to its close unless the indicator consumes bars, like ATR) and returns
   ``is_ready``;
2. ignores an input older than the previous input of the same symbol (forward only);
3. counts the input in ``samples``, computes a value and, when the computation
   succeeded, stores it in ``current`` (stamped with the input's end time) and fires
   ``updated(sender, point)``;
4. keeps its last two values: ``ind[0]`` is ``current``, ``ind[1]`` is ``previous``.

Comparisons (``ind > 30``, ``fast > slow``) and ``float(ind)`` use ``current.value``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from backtesting.engine.data.bars import IndicatorDataPoint, TradeBar
from backtesting.engine.indicators.events import EventHook
from backtesting.engine.indicators.rolling_window import RollingWindow

_new = object.__new__
#: LEAN's DateTime.MinValue: the time stamp of a value no input produced.
MIN_TIME = datetime.min
#: how many past outputs indicators and consolidators keep (LEAN's WindowBase.DefaultWindowSize)
DEFAULT_WINDOW_SIZE = 2

#: kinds of input an indicator consumes (LEAN's type parameter T of IndicatorBase<T>)
POINT, BAR, TRADE_BAR, ANY = "point", "bar", "trade_bar", "any"


class IndicatorStatus(IntEnum):
    """Outcome of one computation; only SUCCESS changes ``current`` and fires ``updated``."""

    SUCCESS = 0
    INVALID_INPUT = 1
    MATH_ERROR = 2
    VALUE_NOT_READY = 3


class IndicatorResult:
    """A computed value and whether it is valid (LEAN's IndicatorResult)."""

    __slots__ = ("value", "status")

    def __init__(self, value: float, status: IndicatorStatus = IndicatorStatus.SUCCESS) -> None:
        self.value = float(value)
        self.status = status

    def __repr__(self) -> str:
        return f"IndicatorResult({self.value}, {self.status.name})"


class WindowBase:
    """A short history of outputs, newest first (LEAN's WindowBase, shared with consolidators)."""

    def __init__(self, window_size: int = DEFAULT_WINDOW_SIZE) -> None:
        self._window = RollingWindow(window_size)
        self._current: Any = None

    @property
    def window(self) -> RollingWindow:
        """The history; ``window.size`` may be raised to keep more values."""
        return self._window

    @property
    def current(self) -> Any:
        """The newest output (``self[0]``)."""
        # Kept beside the window: indicators read their own current value on every update.
        return self._current

    def _set_current(self, value: Any) -> None:
        self._current = value
        self._window.add(value)

    def _reset_window(self) -> None:
        self._current = None
        self._window.reset()

    @property
    def previous(self) -> Any:
        """The output before ``current``, or None."""
        return self._window[1] if self._window.count > 1 else None

    def __getitem__(self, index: int) -> Any:
        return self._window[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._window)


def _symbol_key(symbol: Any) -> Any:
    # LEAN keys the forward-only check by the symbol's security identifier.
    key = getattr(symbol, "id", symbol)
    try:
        hash(key)
    except TypeError:
        return str(key)
    return key


def _as_float(other: Any) -> float | None:
    if isinstance(other, IndicatorBase):
        return other.current.value
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return float(other)
    if isinstance(other, IndicatorDataPoint):
        return float(other.value)
    return None


class IndicatorBase(WindowBase):
    """Shared behaviour of every indicator; subclasses implement ``_compute_next_value``.

    Class attribute ``_input`` says what the indicator consumes: ``POINT`` (a value; bars
    are reduced to their close), ``BAR`` (TradeBar or QuoteBar), ``TRADE_BAR`` or ``ANY``.
    """

    _input: str = POINT

    def __init__(self, name: str | None = None) -> None:
        super().__init__(DEFAULT_WINDOW_SIZE)
        self.name = name
        self.samples = 0
        self.updated = EventHook()
        #: consolidators feeding this indicator (filled by register_indicator)
        self.consolidators: set[Any] = set()
        self._previous_input: dict[Any, Any] = {}
        self._set_current(IndicatorDataPoint(MIN_TIME, 0.0))

    # -- the protocol -------------------------------------------------------------------
    @property
    def current(self) -> IndicatorDataPoint:
        """The newest value (``self[0]``): a point stamped with its input's end time."""
        return self._current  # type: ignore[no-any-return]  # always a point for indicators

    @property
    def is_ready(self) -> bool:
        """True once enough samples arrived for the value to be meaningful."""
        raise NotImplementedError

    @property
    def previous(self) -> IndicatorDataPoint:
        """The value before ``current``; a zero point at ``datetime.min`` before two updates."""
        previous = super().previous
        if previous is None:
            return IndicatorDataPoint(MIN_TIME, 0.0)
        return previous  # type: ignore[no-any-return]  # the window holds points

    def update(self, input: Any, value: float | None = None) -> bool:
        """Feed one input (a data point, a bar, or ``time, value``); return ``is_ready``."""
        if value is not None or isinstance(input, datetime):
            input = self._point_from_time_and_value(input, value)
        self._process(input)
        return self.is_ready

    def _process(self, input: Any) -> None:
        """Steps 2-3 of the protocol; internal wiring calls this to skip the readiness check."""
        symbol = getattr(input, "symbol", None)
        key = None if symbol is None else _symbol_key(symbol)
        previous = self._previous_input.get(key)
        if previous is not None:
            if _earlier(input.end_time, previous.end_time):
                return  # forward only: a late input would corrupt a running computation
            if input is previous:
                return
        self.samples += 1
        input = self._coerce(input)
        self._previous_input[key] = input
        result = self._validate_and_compute_next_value(input)
        if result.status == IndicatorStatus.SUCCESS:
            point = IndicatorDataPoint(symbol, input.end_time, result.value)
            self._set_current(point)
            self._on_updated(point)

    def _process_value(self, end_time: Any, value: float) -> None:
        """``update(end_time, value)`` from the engine's feed: a point without a symbol."""
        point = _new(IndicatorDataPoint)
        point.symbol, point.is_fill_forward = None, False
        point.time = point.end_time = end_time
        point.value = value
        self._process(point)

    def _close_feed(self) -> Any:
        """What the engine's feed calls with (end time, close) when it has no bar to hand:
        ``update(end_time, close)`` without the argument parsing."""
        return self._process_value

    def reset(self) -> None:
        """Return to the freshly constructed state (samples 0, value 0, not ready)."""
        self.samples = 0
        self._previous_input.clear()
        self._reset_window()
        self._set_current(IndicatorDataPoint(MIN_TIME, 0.0))

    def _compute_next_value(self, input: Any) -> float:
        raise NotImplementedError

    def _validate_and_compute_next_value(self, input: Any) -> IndicatorResult:
        return IndicatorResult(self._compute_next_value(input))

    def _on_updated(self, point: IndicatorDataPoint) -> None:
        self.updated.fire(self, point)

    # -- input handling -----------------------------------------------------------------
    def _point_from_time_and_value(self, time: Any, value: float | None) -> IndicatorDataPoint:
        if self._input in (BAR, TRADE_BAR):
            raise TypeError(
                f"{type(self).__name__} does not support the `update(time, value)` method. "
                "Use one of the following methods instead: update(TradeBar), update(QuoteBar)"
            )
        if value is None:
            raise TypeError("update(time, value) needs a value")
        return IndicatorDataPoint(time, value)

    def _coerce(self, input: Any) -> Any:
        if self._input == POINT:
            if type(input) is IndicatorDataPoint or isinstance(input, IndicatorDataPoint):
                return input
            return IndicatorDataPoint(input.symbol, input.end_time, input.value)
        if self._input == BAR and not (hasattr(input, "high") and hasattr(input, "low")):
            raise TypeError(
                f"{type(self).__name__}.update() expects a TradeBar or QuoteBar, "
                f"got {type(input).__name__}"
            )
        if self._input == TRADE_BAR and not isinstance(input, TradeBar):
            raise TypeError(
                f"{type(self).__name__}.update() expects a TradeBar, got {type(input).__name__}"
            )
        return input

    # -- Python conveniences LEAN's operators provide ------------------------------------
    def __float__(self) -> float:
        return float(self.current.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IndicatorBase):
            return self is other  # indicators compare by identity, as in LEAN
        value = _as_float(other)
        return NotImplemented if value is None else self.current.value == value

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def __lt__(self, other: Any) -> bool:
        value = _as_float(other)
        return NotImplemented if value is None else self.current.value < value

    def __le__(self, other: Any) -> bool:
        value = _as_float(other)
        return NotImplemented if value is None else self.current.value <= value

    def __gt__(self, other: Any) -> bool:
        value = _as_float(other)
        return NotImplemented if value is None else self.current.value > value

    def __ge__(self, other: Any) -> bool:
        value = _as_float(other)
        return NotImplemented if value is None else self.current.value >= value

    def __str__(self) -> str:
        return format_value(self.current.value)

    def __repr__(self) -> str:
        return f"{self.name} - {self}"


def _earlier(time: datetime | None, other: datetime | None) -> bool:
    return time is not None and other is not None and time < other


def format_value(value: float) -> str:
    """Format like .NET's ``"#######0.0####"``: at least one and at most five decimals."""
    text = f"{value:.5f}".rstrip("0")
    text = text + "0" if text.endswith(".") else text
    return "0.0" if text == "-0.0" else text


def decimal_text(value: float) -> str:
    """C#'s ``decimal.ToString()`` for names such as ``BB(20,2)``: 2 -> "2", 0.5 -> "0.5"."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


class Indicator(IndicatorBase):
    """An indicator of single values (LEAN's Indicator = IndicatorBase<IndicatorDataPoint>)."""

    _input = POINT


class BarIndicator(IndicatorBase):
    """An indicator of OHLC bars, TradeBar or QuoteBar (LEAN's BarIndicator)."""

    _input = BAR


class TradeBarIndicator(IndicatorBase):
    """An indicator of trade bars with volume (LEAN's TradeBarIndicator)."""

    _input = TRADE_BAR


class WindowIndicator(IndicatorBase):
    """An indicator over the last ``period`` inputs (LEAN's WindowIndicator).

    The input window is separate from the output history ``window``.
    """

    _input = POINT

    def __init__(self, name: str | None, period: int) -> None:
        if period < 1:
            raise ValueError("RollingWindow must have size of at least 1.")
        super().__init__(name)
        self._inputs = RollingWindow(period)

    @property
    def period(self) -> int:
        """The look-back length."""
        return self._inputs.size

    @property
    def is_ready(self) -> bool:
        return self._inputs.is_ready

    @property
    def warm_up_period(self) -> int:
        """Inputs needed before ``is_ready``."""
        return self.period

    def _compute_next_value(self, input: Any) -> float:
        self._inputs.add(input)
        return self._compute_window_value(self._inputs, input)

    def _compute_window_value(self, window: RollingWindow, input: Any) -> float:
        raise NotImplementedError

    def reset(self) -> None:
        super().reset()
        self._inputs.reset()


def parse_args(
    cls_name: str,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    params: Sequence[str],
    defaults: dict[str, Any] | None = None,
) -> tuple[str | None, list[Any]]:
    """Resolve LEAN's paired constructors ``X(name, a, b)`` / ``X(a, b)`` into (name, [a, b]).

    A leading string positional argument (or ``name=``) is the indicator's name.
    """
    defaults = defaults or {}
    kwargs = dict(kwargs)
    name = kwargs.pop("name", None)
    positional = list(args)
    if positional and isinstance(positional[0], str):
        if name is not None:
            raise TypeError(f"{cls_name}() got the name twice")
        name = positional.pop(0)
    if len(positional) > len(params):
        raise TypeError(f"{cls_name}() takes at most {len(params)} arguments after the name")
    values: list[Any] = []
    for index, param in enumerate(params):
        if index < len(positional):
            if param in kwargs:
                raise TypeError(f"{cls_name}() got multiple values for '{param}'")
            values.append(positional[index])
        elif param in kwargs:
            values.append(kwargs.pop(param))
        elif param in defaults:
            values.append(defaults[param])
        else:
            raise TypeError(f"{cls_name}() missing required argument '{param}'")
    if kwargs:
        raise TypeError(f"{cls_name}() got unexpected arguments {sorted(kwargs)}")
    return name, values
