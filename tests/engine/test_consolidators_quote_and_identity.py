"""QuoteBarConsolidator (sides open at the previous close), identity and sequential consolidators."""

from datetime import datetime, timedelta

from backtesting.engine.consolidators import (
    IdentityDataConsolidator,
    QuoteBarConsolidator,
    SequentialConsolidator,
    TradeBarConsolidator,
)
from backtesting.engine.data.bars import Bar, QuoteBar, TradeBar

MINUTE = timedelta(minutes=1)
T0 = datetime(2024, 1, 2, 10, 0)


def quote(minute, bid=None, ask=None, bid_size=0.0, ask_size=0.0):
    return QuoteBar(
        T0 + minute * MINUTE,
        "EURUSD",
        Bar(*bid) if bid else None,
        bid_size,
        Bar(*ask) if ask else None,
        ask_size,
        MINUTE,
    )


def collect(consolidator):
    out = []
    consolidator.data_consolidated += lambda sender, bar: out.append(bar)
    return out


def test_quote_bars_aggregate_each_side():
    consolidator = QuoteBarConsolidator(timedelta(minutes=2))
    out = collect(consolidator)
    consolidator.update(quote(0, bid=(1.0, 1.2, 0.9, 1.1), ask=(1.1, 1.3, 1.0, 1.2), bid_size=5))
    consolidator.update(quote(1, bid=(1.1, 1.5, 1.05, 1.4), ask=(1.2, 1.6, 0.95, 1.5), ask_size=7))
    consolidator.update(quote(2, bid=(2, 2, 2, 2), ask=(2.1, 2.1, 2.1, 2.1)))
    (bar,) = out
    assert (bar.bid.open, bar.bid.high, bar.bid.low, bar.bid.close) == (1.0, 1.5, 0.9, 1.4)
    assert (bar.ask.open, bar.ask.high, bar.ask.low, bar.ask.close) == (1.1, 1.6, 0.95, 1.5)
    assert (bar.last_bid_size, bar.last_ask_size) == (0.0, 7)  # sizes of the last quote
    assert bar.close == (1.4 + 1.5) / 2 and bar.value == (1.4 + 1.5) / 2
    assert (bar.time, bar.end_time) == (T0, T0 + 2 * MINUTE)


def test_a_new_bar_opens_each_side_at_the_previous_close():
    consolidator = QuoteBarConsolidator(timedelta(minutes=1))
    out = collect(consolidator)
    consolidator.update(quote(0, bid=(1, 1, 1, 1.25), ask=(1.5, 1.5, 1.5, 1.5), bid_size=3))
    consolidator.update(quote(1, bid=(1.3, 1.4, 1.3, 1.35)))  # no ask quotes in this minute
    consolidator.update(quote(2, bid=(1, 1, 1, 1)))
    second = out[1]
    assert (second.bid.open, second.bid.high, second.bid.low, second.bid.close) == (
        1.25,
        1.4,
        1.25,
        1.35,
    )
    assert (second.ask.open, second.ask.close) == (1.5, 1.5)  # carried from the previous bar
    assert second.last_bid_size == 0.0 and second.last_ask_size == 0.0


def test_quote_count_mode():
    consolidator = QuoteBarConsolidator(2)
    out = collect(consolidator)
    for minute in range(4):
        consolidator.update(quote(minute, bid=(minute, minute, minute, minute)))
    assert [(b.time, b.end_time, b.bid.close) for b in out] == [
        (T0, T0 + 2 * MINUTE, 1),
        (T0 + 2 * MINUTE, T0 + 4 * MINUTE, 3),
    ]


def test_identity_consolidator_skips_repeated_end_times():
    consolidator = IdentityDataConsolidator[TradeBar]()
    out = collect(consolidator)
    first = TradeBar(T0, "SPY", 1, 1, 1, 1, 1, MINUTE)
    consolidator.update(first)
    consolidator.update(TradeBar(T0, "SPY", 2, 2, 2, 2, 2, MINUTE))
    consolidator.update(TradeBar(T0 + MINUTE, "SPY", 3, 3, 3, 3, 3, MINUTE))
    assert [b.close for b in out] == [1, 3]
    assert consolidator.consolidated.close == 3 and consolidator.working_data.close == 3


def test_sequential_consolidator_makes_three_day_bars_from_daily_bars():
    day = timedelta(days=1)
    one_day = TradeBarConsolidator(day)
    three_count = TradeBarConsolidator(3)
    three_day = SequentialConsolidator(one_day, three_count)
    out = collect(three_day)
    start = datetime(2024, 1, 2)
    for i in range(7):
        three_day.update(
            TradeBar(start + i * day + 9 * timedelta(hours=1), "SPY", 1, 2, 0.5, i, 1, MINUTE)
        )
    # the daily bar of day i is emitted when day i+1's data arrives
    assert [(b.time.day, b.close, b.volume) for b in out] == [(2, 2, 3), (5, 5, 3)]
    assert three_day.current is out[-1] and three_day.output_type is TradeBar


def test_base_data_consolidator_builds_bars_from_values():
    from backtesting.engine.consolidators import BaseDataConsolidator
    from backtesting.engine.data.bars import IndicatorDataPoint

    consolidator = BaseDataConsolidator(timedelta(minutes=2))
    out = collect(consolidator)
    for minute, value in enumerate([5, 7, 4, 6]):
        consolidator.update(IndicatorDataPoint("CUSTOM", T0 + minute * MINUTE, value))
    (bar,) = out
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (5, 7, 5, 7, 0)
    assert (bar.time, bar.end_time) == (T0, T0 + 2 * MINUTE)


def test_trade_bar_consolidator_refuses_quote_bars():
    import pytest

    with pytest.raises(TypeError, match="expected TradeBar"):
        TradeBarConsolidator(timedelta(minutes=5)).update(quote(0, bid=(1, 1, 1, 1)))


def test_trade_bar_consolidator_takes_custom_data_fields_like_lean_dynamic_data():
    from backtesting.engine.data.bars import BaseData

    class Custom(BaseData):
        __slots__ = ("open", "high", "low", "close")

    def point(minute, o, h, lo, c):
        data = Custom("BTC", T0 + minute * MINUTE, c)
        data.open, data.high, data.low, data.close = o, h, lo, c
        return data

    consolidator = TradeBarConsolidator(timedelta(minutes=2))
    out = collect(consolidator)
    consolidator.update(point(0, 10, 12, 9, 11))
    consolidator.update(point(1, 11, 15, 10, 14))
    consolidator.update(point(2, 14, 14, 14, 14))
    (bar,) = out
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (10, 15, 9, 14, 0)
    assert bar.end_time == T0 + 2 * MINUTE
