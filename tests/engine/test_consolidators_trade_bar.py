"""TradeBarConsolidator: LEAN's bar boundaries, count mode, calendar periods and scan()."""

from datetime import datetime, timedelta

import pytest

from backtesting.engine.consolidators import (
    Calendar,
    CalendarInfo,
    TradeBarConsolidator,
)
from backtesting.engine.data.bars import TradeBar

MINUTE = timedelta(minutes=1)
DAY0 = datetime(2024, 1, 2)  # a Tuesday


def minute_bar(hh, mm, o=10.0, h=11.0, lo=9.0, c=10.5, v=100, symbol="SPY"):
    return TradeBar(DAY0.replace(hour=hh, minute=mm), symbol, o, h, lo, c, v, MINUTE)


def collect(consolidator):
    out = []
    consolidator.data_consolidated += lambda sender, bar: out.append(bar)
    return out


def test_five_minute_bars_close_when_the_next_period_starts():
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    out = collect(consolidator)
    prices = [(10, 12, 9, 11, 100), (11, 13, 10, 12, 200), (12, 12.5, 8, 9, 50)]
    for minute, (o, h, lo, c, v) in zip([30, 31, 34], prices, strict=True):
        consolidator.update(minute_bar(9, minute, o, h, lo, c, v))
    assert out == []
    consolidator.update(minute_bar(9, 35, 9, 9.5, 8.5, 9.2, 10))
    (bar,) = out
    assert (bar.time, bar.end_time) == (
        DAY0.replace(hour=9, minute=30),
        DAY0.replace(hour=9, minute=35),
    )
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (10, 13, 8, 9, 350)
    assert bar.value == 9 and bar.symbol == "SPY"
    assert consolidator.working_bar.time == DAY0.replace(hour=9, minute=35)
    assert consolidator.working_bar.open == 9


def test_bar_start_is_rounded_down_to_the_period_grid():
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    out = collect(consolidator)
    consolidator.update(minute_bar(9, 32))
    consolidator.update(minute_bar(9, 37))
    assert out[0].time == DAY0.replace(hour=9, minute=30)
    assert out[0].end_time == DAY0.replace(hour=9, minute=35)
    assert out[0].period == timedelta(minutes=5)


def test_scan_emits_a_finished_bar_without_new_data():
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    out = collect(consolidator)
    for minute in range(30, 35):
        consolidator.update(minute_bar(9, minute))
    consolidator.scan(DAY0.replace(hour=9, minute=34, second=59))
    assert out == []
    consolidator.scan(DAY0.replace(hour=9, minute=35))
    assert len(out) == 1 and out[0].end_time == DAY0.replace(hour=9, minute=35)
    consolidator.scan(DAY0.replace(hour=9, minute=36))
    assert len(out) == 1  # nothing pending any more
    consolidator.update(minute_bar(9, 35))
    assert len(out) == 1 and consolidator.working_bar.time == DAY0.replace(hour=9, minute=35)


def test_a_gap_emits_the_partial_bar_when_later_data_arrives():
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    out = collect(consolidator)
    consolidator.update(minute_bar(9, 31, c=1))
    consolidator.update(minute_bar(9, 52, c=2))
    assert [(b.time.minute, b.close) for b in out] == [(30, 1)]
    assert consolidator.working_bar.time == DAY0.replace(hour=9, minute=50)


def test_data_older_than_the_last_emission_is_dropped():
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    out = collect(consolidator)
    consolidator.update(minute_bar(9, 30))
    consolidator.scan(DAY0.replace(hour=9, minute=35))
    consolidator.update(minute_bar(9, 33))  # late: belongs to the emitted bar
    assert len(out) == 1 and consolidator.working_bar is None


def test_count_mode_emits_every_n_bars_with_the_last_end_time():
    consolidator = TradeBarConsolidator(3)
    out = collect(consolidator)
    for minute, close in zip(range(30, 37), [1, 2, 3, 4, 5, 6, 7], strict=True):
        consolidator.update(minute_bar(9, minute, c=close))
    assert [(b.time.minute, b.end_time.minute, b.close) for b in out] == [(30, 33, 3), (33, 36, 6)]
    assert consolidator.working_bar.close == 7
    consolidator.scan(DAY0.replace(hour=12))
    assert len(out) == 2  # scan never closes a count bar


def test_mixed_mode_closes_on_count_or_period():
    consolidator = TradeBarConsolidator(10, timedelta(minutes=3))
    out = collect(consolidator)
    for minute in [30, 31, 32, 33]:
        consolidator.update(minute_bar(9, minute))
    assert len(out) == 1 and out[0].time.minute == 30
    assert out[0].end_time == DAY0.replace(hour=9, minute=33)


def test_daily_consolidator_on_minute_data_and_from_resolution():
    class Resolution:  # stands in for the engine's enum; matched by name like LEAN's
        def __init__(self, name):
            self.name = name

    consolidator = TradeBarConsolidator.from_resolution(Resolution("DAILY"))
    assert consolidator.period == timedelta(days=1)
    out = collect(consolidator)
    consolidator.update(minute_bar(9, 30, c=1))
    consolidator.update(minute_bar(15, 59, c=2))
    consolidator.scan(DAY0 + timedelta(days=1))
    assert [(b.time, b.end_time, b.close) for b in out] == [(DAY0, DAY0 + timedelta(days=1), 2)]


def test_weekly_calendar_bars_run_monday_to_monday():
    consolidator = TradeBarConsolidator(Calendar.WEEKLY)
    out = collect(consolidator)
    day = timedelta(days=1)
    for offset, close in [(0, 1), (1, 2), (3, 3)]:  # Tue, Wed, Fri
        consolidator.update(TradeBar(DAY0 + offset * day, "SPY", 1, 2, 0.5, close, 10, day))
    consolidator.update(TradeBar(DAY0 + 6 * day, "SPY", 1, 2, 0.5, 9, 10, day))  # next Monday
    (bar,) = out
    assert bar.time == datetime(2024, 1, 1) and bar.end_time == datetime(2024, 1, 8)
    assert (bar.close, bar.volume) == (3, 30)


def test_custom_calendar_function():
    def two_day(time):
        start = datetime(time.year, time.month, time.day - (time.day - 1) % 2)
        return CalendarInfo(start, timedelta(days=2))

    consolidator = TradeBarConsolidator(two_day)
    out = collect(consolidator)
    day = timedelta(days=1)
    for offset in range(4):  # Jan 2 .. Jan 5
        consolidator.update(TradeBar(DAY0 + offset * day, "SPY", 1, 2, 0.5, offset, 10, day))
    assert [(b.time.day, b.end_time.day, b.close) for b in out] == [(1, 3, 0), (3, 5, 2)]


def test_calendar_function_must_not_start_after_the_time():
    with pytest.raises(ValueError, match="start of the bar"):
        TradeBarConsolidator(lambda t: CalendarInfo(t + timedelta(days=1), timedelta(days=1)))


def test_start_time_anchors_the_grid_each_day():
    consolidator = TradeBarConsolidator(timedelta(hours=1), timedelta(hours=9, minutes=30))
    out = collect(consolidator)
    consolidator.update(minute_bar(9, 45))
    consolidator.update(minute_bar(10, 31))
    assert out[0].time == DAY0.replace(hour=9, minute=30)
    assert out[0].end_time == DAY0.replace(hour=10, minute=30)


def test_handlers_see_the_new_bar_in_the_history():
    consolidator = TradeBarConsolidator(timedelta(minutes=2))
    seen = []

    def handler(sender, bar):
        seen.append((sender is consolidator, consolidator[0] is bar, consolidator.current is bar))
        seen.append(consolidator.consolidated is bar)

    consolidator.data_consolidated += handler
    for minute in range(30, 35):
        consolidator.update(minute_bar(9, minute, c=minute))
    assert seen == [(True, True, True), True, (True, True, True), True]
    assert consolidator.previous.close == 31 and consolidator[0].close == 33
    assert consolidator.window.count == 2
    consolidator.data_consolidated -= handler
    consolidator.update(minute_bar(9, 36))
    assert len(seen) == 4


def test_refuses_coarser_data_and_a_second_symbol():
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    with pytest.raises(ValueError, match="can not consolidate"):
        consolidator.update(TradeBar(DAY0, "SPY", 1, 1, 1, 1, 1, timedelta(days=1)))
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    consolidator.update(minute_bar(9, 30))
    with pytest.raises(ValueError, match="single symbol"):
        consolidator.update(minute_bar(9, 31, symbol="AAPL"))


def test_reset_forgets_everything():
    consolidator = TradeBarConsolidator(timedelta(minutes=1))
    out = collect(consolidator)
    consolidator.update(minute_bar(9, 30))
    consolidator.update(minute_bar(9, 31))
    consolidator.reset()
    assert consolidator.consolidated is None and consolidator.working_bar is None
    assert consolidator.current is None
    consolidator.update(minute_bar(9, 29, symbol="AAPL"))
    assert len(out) == 1


def test_working_bar_is_a_copy():
    consolidator = TradeBarConsolidator(timedelta(minutes=5))
    consolidator.update(minute_bar(9, 30, c=1))
    copy = consolidator.working_bar
    copy.close = 99
    assert consolidator.working_data.close == 1


def test_calendar_function_may_return_dates_like_lean_custom_monthly():
    def custom_monthly(dt):  # LEAN's DataConsolidationAlgorithm.custom_monthly
        start = dt.replace(day=1).date()
        end = dt.replace(day=28) + timedelta(4)
        end = (end - timedelta(end.day - 1)).date()
        return CalendarInfo(start, end - start)

    consolidator = TradeBarConsolidator(custom_monthly)
    out = collect(consolidator)
    day = timedelta(days=1)
    for when, close in [
        (datetime(2024, 1, 30), 1),
        (datetime(2024, 1, 31), 2),
        (datetime(2024, 2, 1), 3),
    ]:
        consolidator.update(TradeBar(when, "SPY", 1, 2, 0.5, close, 10, day))
    (january,) = out
    assert (january.time, january.end_time, january.close) == (
        datetime(2024, 1, 1),
        datetime(2024, 2, 1),
        2,
    )
