"""QuoteBarConsolidator: bid/ask bars from quote bars (LEAN's QuoteBarConsolidator).

A new bar opens each side at the previous output's close (when there was one), so a
side with no quotes inside the period still has a price.
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.consolidators.period_count import PeriodCountConsolidatorBase
from backtesting.engine.data.bars import Bar, QuoteBar


def _merge_side(working: Bar | None, side: Bar) -> Bar:
    if working is None:
        return Bar(side.open, side.high, side.low, side.close)
    working.close = side.close
    if working.high < side.high:
        working.high = side.high
    if working.low > side.low:
        working.low = side.low
    return working


class QuoteBarConsolidator(PeriodCountConsolidatorBase):
    """``QuoteBarConsolidator(timedelta(minutes=5))``, ``(count)``, ``(Calendar.MONTHLY)``."""

    _input_type = QuoteBar
    _output_type = QuoteBar

    def _aggregate(self, data: Any) -> None:
        if self._working is None:
            start = self._rounded_bar_time_of(data)
            self._working = QuoteBar(
                start, data.symbol, None, 0.0, None, 0.0, self._new_bar_period(data)
            )
            self._open_at_previous_close(self._working)
        working = self._working
        if data.bid is not None:
            working.last_bid_size = data.last_bid_size
            working.bid = _merge_side(working.bid, data.bid)
        if data.ask is not None:
            working.last_ask_size = data.last_ask_size
            working.ask = _merge_side(working.ask, data.ask)
        working.value = data.value

    def _open_at_previous_close(self, working: QuoteBar) -> None:
        previous = self._consolidated
        if previous is None:
            return
        bid_close = previous.bid.close if previous.bid is not None else 0.0
        ask_close = previous.ask.close if previous.ask is not None else 0.0
        if bid_close != 0:
            working.bid = Bar(bid_close, bid_close, bid_close, bid_close)
        if ask_close != 0:
            working.ask = Bar(ask_close, ask_close, ask_close, ask_close)
        if previous.last_bid_size > 0:
            working.last_bid_size = previous.last_bid_size
        if previous.last_ask_size > 0:
            working.last_ask_size = previous.last_ask_size
        if ask_close != 0:
            working.value = ask_close
        elif bid_close != 0:
            working.value = bid_close
