"""PythonIndicator: the base class for indicators written in the algorithm (LEAN's PythonIndicator).

LEAN users subclass it and write ``update(self, input) -> bool`` that sets
``self.value``; LEAN then runs its own update protocol around that method, so
``current``, ``samples``, ``is_ready`` and the ``updated`` event work, and the
indicator can be registered, plotted and chained like a built-in one. Here the
subclass's ``update`` is wrapped when the class is created to get the same effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backtesting.engine.indicators.base import ANY, IndicatorBase

#: attributes IndicatorBase.__init__ creates; reading one on an instance whose
#: ``__init__`` never called ``super().__init__()`` initialises the base first
_BASE_ATTRIBUTES = frozenset(
    {"_window", "samples", "updated", "consolidators", "_previous_input", "_ready_flag"}
)

UserUpdate = Callable[[Any, Any], Any]


class PythonIndicator(IndicatorBase):
    """Subclass, set ``self.value`` in ``update(input)`` and return whether the indicator is ready.

    ``warm_up_period`` defaults to 0 (LEAN's default when the subclass does not set it).
    """

    _input = ANY
    warm_up_period = 0

    def __init__(self, *args: Any) -> None:
        name = args[0] if args and isinstance(args[0], str) else type(self).__name__
        super().__init__(name)
        self.value = 0.0
        self._ready_flag = False
        self._user_update: UserUpdate | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        user_update = cls.__dict__.get("update")
        if user_update is None:
            return

        def update(self: PythonIndicator, input: Any, value: float | None = None) -> bool:
            return self._run_protocol(user_update, input, value)

        update.__doc__ = user_update.__doc__
        cls.update = update  # type: ignore[method-assign,assignment]  # the protocol wraps the user's method

    def __getattr__(self, name: str) -> Any:
        # Only called for missing attributes: a subclass that skipped super().__init__().
        if name in _BASE_ATTRIBUTES and "_window" not in self.__dict__:
            self._initialise_base()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _initialise_base(self) -> None:
        kept: dict[str, Any] = {
            key: self.__dict__[key] for key in ("name", "value") if key in self.__dict__
        }
        PythonIndicator.__init__(self)
        self.__dict__.update(kept)

    @property
    def is_ready(self) -> bool:
        return self._ready_flag

    @is_ready.setter
    def is_ready(self, value: bool) -> None:
        self._ready_flag = bool(value)

    def _run_protocol(self, user_update: UserUpdate, input: Any, value: float | None) -> bool:
        if "_window" not in self.__dict__:
            self._initialise_base()
        if self.__dict__.get("_user_update") is not None:
            # A subclass's update called super().update(): the protocol already runs.
            return bool(user_update(self, input))
        self._user_update = user_update
        try:
            return IndicatorBase.update(self, input, value)
        finally:
            self._user_update = None

    def _compute_next_value(self, input: Any) -> float:
        assert self._user_update is not None
        result = self._user_update(self, input)
        self._ready_flag = bool(result) if result is not None else bool(self.is_ready)
        return float(self.value)
