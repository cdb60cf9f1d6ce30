"""TradeBarConsolidator: OHLCV bars from trade bars (LEAN's TradeBarConsolidator)."""

from __future__ import annotations

from typing import Any

from backtesting.engine.consolidators.base import clone_data
from backtesting.engine.consolidators.period_count import PeriodCountConsolidatorBase
from backtesting.engine.data.bars import TradeBar


class TradeBarConsolidator(PeriodCountConsolidatorBase):
    """``TradeBarConsolidator(timedelta(minutes=5))``, ``(3)``, ``(3, timedelta)``, ``(Calendar.WEEKLY)``."""

    _input_type = TradeBar
    _output_type = TradeBar

    @property
    def working_bar(self) -> TradeBar | None:
        """A copy of the bar under construction."""
        return clone_data(self._working)

    def _aggregate(self, data: Any) -> None:
        working = self._working
        if working is None:
            start = self._rounded_bar_time_of(data)
            self._working = TradeBar(
                start,
                data.symbol,
                data.open,
                data.high,
                data.low,
                data.close,
                data.volume,
                self._new_bar_period(data),
            )
            return
        working.close = working.value = data.close
        working.volume += data.volume
        if data.low < working.low:
            working.low = data.low
        if data.high > working.high:
            working.high = data.high
