"""``self.sma(...)``, ``self.ema(...)``, ``register_indicator`` and ``consolidate`` on QCAlgorithm.

Helpers create LEAN's indicator, then register it on the symbol's bars (the close by
default, or ``selector(bar)``); bar indicators (ATR) receive the bar itself. A resolution
coarser than the subscription's inserts a consolidator, as LEAN does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backtesting.engine import indicators as ind
from backtesting.engine.data.enums import RESOLUTION_SPAN
from backtesting.engine.indicators.base import ANY, POINT


class IndicatorHelpersMixin:
    """Needs ``self._security``, ``self._subscription_resolution`` and ``self._data_handlers``."""

    def _helper(
        self, symbol: Any, indicator: Any, resolution: Any = None, selector: Any = None
    ) -> Any:
        self.register_indicator(symbol, indicator, resolution, selector)
        return indicator

    def sma(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        return self._helper(
            symbol, ind.SimpleMovingAverage(f"SMA({period})", period), resolution, selector
        )

    def ema(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        return self._helper(
            symbol, ind.ExponentialMovingAverage(f"EMA({period})", period), resolution, selector
        )

    def macd(
        self,
        symbol: Any,
        fast_period: int,
        slow_period: int,
        signal_period: int,
        type: Any = None,
        resolution: Any = None,
        selector: Any = None,
    ) -> Any:
        kind = type if type is not None else ind.MovingAverageType.EXPONENTIAL
        indicator = ind.MovingAverageConvergenceDivergence(
            f"MACD({fast_period},{slow_period},{signal_period})",
            fast_period,
            slow_period,
            signal_period,
            kind,
        )
        return self._helper(symbol, indicator, resolution, selector)

    def rsi(
        self,
        symbol: Any,
        period: int,
        moving_average_type: Any = None,
        resolution: Any = None,
        selector: Any = None,
    ) -> Any:
        kind = (
            moving_average_type
            if moving_average_type is not None
            else ind.MovingAverageType.WILDERS
        )
        return self._helper(
            symbol, ind.RelativeStrengthIndex(f"RSI({period})", period, kind), resolution, selector
        )

    def bb(
        self,
        symbol: Any,
        period: int,
        k: float,
        moving_average_type: Any = None,
        resolution: Any = None,
        selector: Any = None,
    ) -> Any:
        kind = (
            moving_average_type if moving_average_type is not None else ind.MovingAverageType.SIMPLE
        )
        return self._helper(
            symbol, ind.BollingerBands(f"BB({period},{k})", period, k, kind), resolution, selector
        )

    def atr(
        self,
        symbol: Any,
        period: int,
        moving_average_type: Any = None,
        resolution: Any = None,
        selector: Any = None,
    ) -> Any:
        kind = (
            moving_average_type if moving_average_type is not None else ind.MovingAverageType.SIMPLE
        )
        return self._helper(
            symbol, ind.AverageTrueRange(f"ATR({period})", period, kind), resolution, selector
        )

    def roc(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        return self._helper(
            symbol, ind.RateOfChange(f"ROC({period})", period), resolution, selector
        )

    def momp(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        return self._helper(
            symbol, ind.MomentumPercent(f"MOMP({period})", period), resolution, selector
        )

    def std(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        return self._helper(
            symbol, ind.StandardDeviation(f"STD({period})", period), resolution, selector
        )

    def max(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        return self._helper(symbol, ind.Maximum(f"MAX({period})", period), resolution, selector)

    def min(self, symbol: Any, period: int, resolution: Any = None, selector: Any = None) -> Any:
        return self._helper(symbol, ind.Minimum(f"MIN({period})", period), resolution, selector)

    def register_indicator(
        self, symbol: Any, indicator: Any, resolution: Any = None, selector: Any = None
    ) -> None:
        """Feed ``indicator`` with ``symbol``'s bars (consolidated when ``resolution`` is coarser)."""
        security = self._security(symbol)
        bar_input = isinstance(indicator, (ind.BarIndicator, ind.TradeBarIndicator))

        def feed(bar: Any) -> None:
            if selector is not None:
                indicator.update(bar.end_time, float(selector(bar)))
            elif bar_input:
                indicator.update(bar)
            else:
                indicator.update(bar.end_time, float(bar.value))

        generic_update = type(indicator).update is ind.IndicatorBase.update
        if selector is None and generic_update and indicator._input in (POINT, ANY):
            # the common case, once per bar: update(time, value) is exactly this (a point
            # without a symbol); the loop calls feed.close when it has no bar to hand
            feed_close = indicator._close_feed()

            def feed(bar: Any) -> None:
                feed_close(bar.end_time, float(bar.value))

            feed.close = feed_close  # type: ignore[attr-defined]

        period = _as_period(resolution)
        sub_period = RESOLUTION_SPAN[security.resolution]
        if period is not None and period > sub_period:
            self.consolidate(security.symbol, period, lambda bar: feed(bar))
        else:
            handlers = self._data_handlers.setdefault(security.symbol, [])
            handlers.append(feed)
            closes = [getattr(handler, "close", None) for handler in handlers]
            self._close_feeds[security.symbol] = None if None in closes else closes

    def warm_up_indicator(
        self, symbol: Any, indicator: Any, resolution: Any = None, selector: Any = None
    ) -> None:
        """Prime ``indicator`` with history (needs the history provider)."""
        period = getattr(indicator, "warm_up_period", 0) or getattr(indicator, "period", 0)
        if not period:
            return
        frame = self.history(symbol, int(period), resolution)
        if frame is None or len(frame) == 0:
            return
        for time, row in frame.reset_index(level=0, drop=True).iterrows():
            value = float(selector(row)) if selector else float(row["close"])
            indicator.update(time, value)

    def consolidate(self, symbol: Any, period: Any, *args: Any) -> Any:
        """Create a consolidator of ``period`` (Resolution or timedelta) calling ``handler(bar)``."""
        from backtesting.engine import consolidators as cons

        handler = args[-1]
        security = self._security(symbol)
        span: Any = _as_period(period) if not callable(period) else period
        hours = security.exchange_hours
        if span == timedelta(days=1) and security.resolution != 4 and not hours.always_open:
            # LEAN (strict daily end times): a daily bar is the regular session, emitted
            # at the close, not a midnight-to-midnight day
            span = _session_calendar(hours, cons.CalendarInfo)
        if security.has_trade_data or not security.has_quote_data:
            consolidator = cons.TradeBarConsolidator(span)
        else:
            consolidator = cons.QuoteBarConsolidator(span)
        consolidator.data_consolidated += lambda sender, bar: handler(bar)
        self.subscription_manager.add_consolidator(security.symbol, consolidator)
        return consolidator


def _session_calendar(hours: Any, calendar_info: Any) -> Any:
    """Calendar function: the regular session containing ``time`` (or the stretch of the
    day before the open, for pre-market data)."""

    def session(time: Any) -> Any:
        midnight = time.replace(hour=0, minute=0, second=0, microsecond=0)
        regular = hours.regular_hours(time.date())
        if regular is None or time < regular[0]:
            end = (
                regular[0]
                if regular is not None and regular[0] > midnight
                else midnight + timedelta(days=1)
            )
            return calendar_info(midnight, end - midnight)
        if time >= regular[1]:
            return calendar_info(regular[1], midnight + timedelta(days=1) - regular[1])
        return calendar_info(regular[0], regular[1] - regular[0])

    return session


def _as_period(value: Any) -> timedelta | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and value in RESOLUTION_SPAN:
        return RESOLUTION_SPAN[value]
    return None


class SubscriptionManager:
    """``self.subscription_manager``: consolidators and the algorithm's subscriptions."""

    def __init__(self, configs: list[Any] | None = None) -> None:
        self.consolidators: dict[Any, list[Any]] = {}
        self._configs = configs if configs is not None else []

    @property
    def subscriptions(self) -> list[Any]:
        """The subscription configurations (symbol, resolution, data_normalization_mode, ...)."""
        return list(self._configs)

    def add_consolidator(self, symbol: Any, consolidator: Any, tick_type: Any = None) -> None:
        self.consolidators.setdefault(symbol, []).append(consolidator)

    def remove_consolidator(self, symbol: Any, consolidator: Any) -> None:
        items = self.consolidators.get(symbol, [])
        if consolidator in items:
            items.remove(consolidator)
