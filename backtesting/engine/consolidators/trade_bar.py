"""Trade bars from trade bars, custom data or plain values.

* ``TradeBarConsolidator`` (LEAN's) aggregates TradeBars. Given custom data instead,
  it aggregates it the way LEAN's ``DynamicDataConsolidator`` does (named ``open``/
  ``high``/``low``/``close``/``volume`` fields, else ``value``), so ``consolidate()`` on a
  custom-data symbol works; a QuoteBar is refused, as in LEAN.
* ``BaseDataConsolidator`` (LEAN's) builds bars from ``value`` alone, without volume.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backtesting.engine.consolidators.base import clone_data
from backtesting.engine.consolidators.period_count import PeriodCountConsolidatorBase
from backtesting.engine.data.bars import QuoteBar, TradeBar

#: LEAN's TradeBar default period, kept by bars built from custom data until emitted
MINUTE = timedelta(minutes=1)


def _field(data: Any, name: str) -> float:
    value = getattr(data, name, None)
    return float(data.value if value is None else value)


class TradeBarConsolidator(PeriodCountConsolidatorBase):
    """``TradeBarConsolidator(timedelta(minutes=5))``, ``(3)``, ``(3, timedelta)``, ``(Calendar.WEEKLY)``."""

    _input_type = TradeBar
    _output_type = TradeBar

    @property
    def working_bar(self) -> TradeBar | None:
        """A copy of the bar under construction."""
        bar: TradeBar | None = clone_data(self._working)
        return bar

    def update(self, data: Any) -> None:
        if isinstance(data, QuoteBar):
            raise TypeError("Received type of QuoteBar but expected TradeBar")
        self._update(data)

    def _aggregate(self, data: Any) -> None:
        if isinstance(data, TradeBar):
            open_, high, low, close, volume = (
                data.open,
                data.high,
                data.low,
                data.close,
                data.volume,
            )
            period = None
        else:  # custom data, as LEAN's DynamicDataConsolidator
            open_, high, low, close = (_field(data, n) for n in ("open", "high", "low", "close"))
            volume = float(getattr(data, "volume", None) or 0)
            period = MINUTE
        working = self._working
        if working is None:
            start = self._rounded_bar_time_of(data)
            if period is None:
                period = self._new_bar_period(data)
            self._working = TradeBar(start, data.symbol, open_, high, low, close, volume, period)
            return
        working.close = working.value = close
        working.volume += volume
        if low < working.low:
            working.low = low
        if high > working.high:
            working.high = high


class BaseDataConsolidator(TradeBarConsolidator):
    """Trade bars from any data's ``value``; volume stays 0 (LEAN's BaseDataConsolidator)."""

    def update(self, data: Any) -> None:
        self._update(data)  # any data, quote bars included

    def _aggregate(self, data: Any) -> None:
        working = self._working
        value = float(data.value)
        if working is None:
            start = self._rounded_bar_time(data.time)
            self._working = TradeBar(start, data.symbol, value, value, value, value, 0.0, MINUTE)
            return
        working.close = working.value = value
        if value < working.low:
            working.low = value
        if value > working.high:
            working.high = value


class DynamicDataConsolidator(TradeBarConsolidator):
    """Trade bars from custom data's named fields (LEAN's DynamicDataConsolidator)."""
