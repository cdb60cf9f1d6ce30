"""Consolidating LEAN's SPY minute bars reproduces LEAN's own daily and hour files.

LEAN's daily and hour files were built from the same trades as its minute files, so
regular-hours minute bars rolled up by the consolidators must give the same bar times
and volumes. Daily prices agree to the cent; the vendor's hour highs and lows include
prints that never made it into a minute bar, so hour bars are compared on time,
volume and close.
"""

import zipfile
from datetime import datetime, time, timedelta

import pytest

from backtesting.engine.consolidators import TradeBarConsolidator
from backtesting.engine.data.bars import TradeBar

DAYS = ["20131007", "20131008", "20131009", "20131010", "20131011"]
OPEN, CLOSE = time(9, 30), time(16, 0)
#: USD; LEAN's daily/hour files differ from the minute roll-up by at most a cent
CENT = 0.0100001


def read_zip_lines(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read(archive.namelist()[0]).decode().splitlines()


def regular_hours_minute_bars(data_dir, day):
    base = datetime.strptime(day, "%Y%m%d")
    bars = []
    for line in read_zip_lines(data_dir / "equity/usa/minute/spy" / f"{day}_trade.zip"):
        ms, *values = line.split(",")
        start = base + timedelta(milliseconds=int(ms))
        o, h, lo, c = (int(v) / 10_000 for v in values[:4])
        bar = TradeBar(start, "SPY", o, h, lo, c, int(values[4]), timedelta(minutes=1))
        if start.time() >= OPEN and bar.end_time.time() <= CLOSE:
            bars.append(bar)
    return bars


def lean_file_bars(data_dir, resolution):
    bars = {}
    for line in read_zip_lines(data_dir / "equity/usa" / resolution / "spy.zip"):
        stamp, *values = line.split(",")
        prices = tuple(int(v) / 10_000 for v in values[:4])
        bars[datetime.strptime(stamp, "%Y%m%d %H:%M")] = (*prices, int(values[4]))
    return bars


def consolidate(data_dir, period):
    consolidator = TradeBarConsolidator(period)
    out = []
    consolidator.data_consolidated += lambda sender, bar: out.append(bar)
    for day in DAYS:
        for bar in regular_hours_minute_bars(data_dir, day):
            consolidator.update(bar)
            consolidator.scan(bar.end_time)
        consolidator.scan(datetime.strptime(day, "%Y%m%d") + timedelta(days=1))
    return out


def assert_same_bar(ours, theirs):
    assert ours.volume == theirs[4]
    assert (ours.open, ours.high, ours.low, ours.close) == pytest.approx(theirs[:4], abs=CENT)


def test_daily_bars_from_minute_bars_match_lean_daily_file(lean_data_dir):
    daily = lean_file_bars(lean_data_dir, "daily")
    out = consolidate(lean_data_dir, timedelta(days=1))
    assert [bar.time for bar in out] == [datetime.strptime(day, "%Y%m%d") for day in DAYS]
    for bar in out:
        assert bar.end_time == bar.time + timedelta(days=1)
        assert_same_bar(bar, daily[bar.time])


def test_hour_bars_from_minute_bars_match_lean_hour_file(lean_data_dir):
    hourly = lean_file_bars(lean_data_dir, "hour")
    out = consolidate(lean_data_dir, timedelta(hours=1))
    assert len(out) == 7 * len(DAYS)  # 9:00 (from 9:30) through 15:00 each day
    assert out[0].time == datetime(2013, 10, 7, 9) and out[-1].time == datetime(2013, 10, 11, 15)
    for bar in out:
        theirs = hourly[bar.time]
        assert bar.volume == theirs[4]
        assert bar.close == pytest.approx(theirs[3], abs=CENT)
        assert bar.end_time == bar.time + timedelta(hours=1)
