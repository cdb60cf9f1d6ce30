"""The consolidator contract (LEAN's IDataConsolidator / ConsolidatorBase).

A consolidator takes ``update(data)`` in time order and, when an output is complete,
fires ``data_consolidated(sender, output)``. The engine also calls ``scan(local_time)``
on every time step so a time-based bar is emitted once its period has passed even when
no new data arrives. ``consolidator[0]`` (``current``) is the last output and is
already set inside the handlers.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from backtesting.engine.data.bars import QuoteBar
from backtesting.engine.indicators.base import WindowBase
from backtesting.engine.indicators.events import EventHook


class ConsolidatorBase(WindowBase):
    """Output history, the ``data_consolidated`` event and the ``consolidated`` property."""

    #: LEAN's period/count consolidators declare their own typed event, which fires after
    #: ``consolidated`` already holds the new output; the base event fires before.
    _handlers_see_new_consolidated = False

    def __init__(self) -> None:
        super().__init__()
        self.data_consolidated = EventHook()
        self._consolidated: Any = None

    @property
    def consolidated(self) -> Any:
        """The most recent output, or None before the first."""
        return self._consolidated

    @property
    def working_data(self) -> Any:
        """A copy of the output under construction, or None."""
        return None

    @property
    def input_type(self) -> type:
        """The data type this consolidator consumes."""
        raise NotImplementedError

    @property
    def output_type(self) -> type:
        """The data type this consolidator emits."""
        raise NotImplementedError

    def update(self, data: Any) -> None:
        """Take the next data point (in time order)."""
        raise NotImplementedError

    def scan(self, current_local_time: datetime) -> None:
        """Emit a pending output whose period ended by ``current_local_time`` (exchange time)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the working output, the last output and the history."""
        self._consolidated = None
        self._reset_window()

    def dispose(self) -> None:
        """Drop every ``data_consolidated`` subscription."""
        self.data_consolidated.clear()

    def _on_data_consolidated(self, consolidated: Any) -> None:
        if consolidated is not None:
            # Before the handlers run, so that consolidator[0] is the output being delivered.
            self._set_current(consolidated)
        if self._handlers_see_new_consolidated:
            self._consolidated = consolidated
            self.data_consolidated.fire(self, consolidated)
        else:
            self.data_consolidated.fire(self, consolidated)
            self._consolidated = consolidated


def clone_data(data: Any) -> Any:
    """A copy safe to hand out while the original keeps aggregating."""
    if data is None:
        return None
    clone = copy.copy(data)
    if isinstance(data, QuoteBar):
        clone.bid = copy.copy(data.bid)
        clone.ask = copy.copy(data.ask)
    return clone


def symbol_key(symbol: Any) -> Any:
    """What identifies a symbol across data points (LEAN compares the security identifier)."""
    return getattr(symbol, "id", symbol)
