"""Calendar periods and the time grid consolidators round bar starts to (LEAN's rules)."""

from datetime import datetime, timedelta

from backtesting.engine.consolidators import Calendar, CalendarInfo, round_down
from backtesting.engine.consolidators.period import consolidator_start_time, resolution_to_timedelta


def test_weekly_runs_from_monday_to_the_next_monday():
    wednesday = datetime(2024, 1, 3, 15, 30)
    assert Calendar.WEEKLY(wednesday) == CalendarInfo(datetime(2024, 1, 1), timedelta(days=7))
    sunday = datetime(2024, 1, 7, 12)
    assert Calendar.WEEKLY(sunday).start == datetime(2024, 1, 1)
    monday = datetime(2024, 1, 8)
    assert Calendar.WEEKLY(monday).start == monday


def test_monthly_quarterly_yearly_cover_whole_calendar_periods():
    time = datetime(2024, 2, 14, 10)
    assert Calendar.MONTHLY(time) == CalendarInfo(datetime(2024, 2, 1), timedelta(days=29))
    assert Calendar.MONTHLY(datetime(2023, 12, 5)).end == datetime(2024, 1, 1)
    assert Calendar.QUARTERLY(time) == CalendarInfo(datetime(2024, 1, 1), timedelta(days=91))
    assert Calendar.QUARTERLY(datetime(2024, 11, 30)).end == datetime(2025, 1, 1)
    assert Calendar.YEARLY(time) == CalendarInfo(datetime(2024, 1, 1), timedelta(days=366))


def test_round_down_counts_from_year_one():
    time = datetime(2024, 1, 2, 9, 37, 12)
    assert round_down(time, timedelta(minutes=5)) == datetime(2024, 1, 2, 9, 35)
    assert round_down(time, timedelta(hours=1)) == datetime(2024, 1, 2, 9)
    assert round_down(time, timedelta(days=1)) == datetime(2024, 1, 2)
    assert round_down(time, timedelta(0)) == time
    # 7 minutes does not divide a day: the grid is anchored at 0001-01-01, as in LEAN
    grid = round_down(time, timedelta(minutes=7))
    assert (grid - datetime.min) % timedelta(minutes=7) == timedelta(0)
    assert timedelta(0) <= time - grid < timedelta(minutes=7)


def test_start_time_grid_is_anchored_each_day_or_month():
    anchor = timedelta(hours=9, minutes=30)
    time = datetime(2024, 1, 2, 11, 10)
    assert consolidator_start_time(timedelta(hours=1), anchor, time) == datetime(2024, 1, 2, 10, 30)
    early = datetime(2024, 1, 2, 8)  # before the anchor: the previous day's grid
    assert consolidator_start_time(timedelta(hours=1), anchor, early) == datetime(2024, 1, 2, 7, 30)
    weekly = consolidator_start_time(timedelta(days=7), timedelta(0), datetime(2024, 1, 17))
    assert weekly == datetime(2024, 1, 15)  # the 1st plus two whole weeks


def test_resolution_spans_accept_names_and_ordinals():
    assert resolution_to_timedelta(4) == timedelta(days=1)
    assert resolution_to_timedelta("Minute") == timedelta(minutes=1)
    assert resolution_to_timedelta(3) == timedelta(hours=1)
