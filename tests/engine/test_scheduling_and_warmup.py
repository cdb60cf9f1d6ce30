"""Scheduled events (date/time rules, past events fired at their own time) and warm-up."""

from __future__ import annotations

from datetime import date

from backtesting.engine.data.market_hours import MarketHoursDatabase
from backtesting.engine.loader import compile_sources, load_algorithm
from backtesting.engine.results.sink import MemorySink
from backtesting.engine.runner import RunState, run_algorithm
from backtesting.engine.scheduling.rules import DateRules, TimeRules

SCHEDULED = """
from AlgorithmImports import *

class Scheduled(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 4)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)
        self.schedule.on(self.date_rules.every_day("SPY"), self.time_rules.after_market_open("SPY", 10), self.opened)
        self.schedule.on(self.date_rules.every_day(), self.time_rules.at(12, 0), self.noon)

    def opened(self):
        self.log(f"open+10 {self.time:%a %H:%M}")

    def noon(self):
        self.log(f"noon {self.time:%a %H:%M}")
"""

WARMUP = """
from AlgorithmImports import *

class Warm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 9)
        self.add_equity("SPY", Resolution.MINUTE)
        self.fast = self.ema("SPY", 50)
        self.set_warm_up(timedelta(days=1))
        self.warm_bars = 0
        self.finished = 0

    def on_data(self, data):
        if self.is_warming_up:
            self.warm_bars += 1
            self.market_order("SPY", 1)  # refused while warming up
            return
        if self.warm_bars and not self.portfolio.invested:
            self.log(f"first live bar {self.time} ready={self.fast.is_ready} warm_bars={self.warm_bars}")
            self.market_order("SPY", 1)

    def on_warmup_finished(self):
        self.finished += 1
        self.log(f"warm-up finished at {self.time}")
"""


def run(source: str, data_dir):
    sink, state = MemorySink(), RunState()
    result = run_algorithm(
        load_algorithm(compile_sources({"main.py": source})),
        data_dir=data_dir,
        sink=sink,
        state=state,
    )
    assert result["status"] == "Completed", result["stacktrace"]
    return result, [e["message"] for e in sink.of_type("log")], state


def test_rules_follow_the_exchange_calendar(lean_data_dir):
    hours = MarketHoursDatabase.from_data_dir(lean_data_dir).get(1, "usa", "SPY")
    dates = DateRules(lambda s: hours)
    times = TimeRules(lambda s: hours)
    # Thanksgiving week 2013: Thursday closed, Friday closes at 13:00
    days = dates.every_day("SPY").dates(date(2013, 11, 25), date(2013, 12, 1))
    assert [d.day for d in days] == [25, 26, 27, 29]
    assert [t.hour for t in times.before_market_close("SPY", 0).times(date(2013, 11, 29))] == [13]
    assert dates.week_start("SPY").dates(date(2013, 11, 25), date(2013, 12, 6)) == [
        date(2013, 11, 25),
        date(2013, 12, 2),
    ]
    # Thanksgiving week ends on Friday the 29th; one trading day earlier is Wednesday the 27th.
    assert dates.week_end("SPY").dates(date(2013, 11, 25), date(2013, 12, 6)) == [
        date(2013, 11, 29),
        date(2013, 12, 6),
    ]
    assert dates.week_end("SPY", 1).dates(date(2013, 11, 25), date(2013, 12, 1)) == [
        date(2013, 11, 27)
    ]
    assert dates.week_start("SPY", 1).dates(date(2013, 11, 25), date(2013, 12, 1)) == [
        date(2013, 11, 26)
    ]
    assert dates.month_end("SPY").dates(date(2013, 11, 1), date(2013, 11, 30)) == [
        date(2013, 11, 29)
    ]


def test_events_fire_at_their_time_even_without_data(lean_data_dir):
    _, logs, _ = run(SCHEDULED, lean_data_dir)
    assert (
        "open+10 Fri 09:40" in logs and "open+10 Mon 09:40" in logs and "open+10 Tue 09:40" in logs
    )
    assert not any(m.startswith("open+10 Sat") for m in logs)
    # every_day() without a symbol includes the weekend; with no data then, the event is
    # fired late (when time passes it) but still at its own time
    assert "noon Sat 12:00" in logs and "noon Sun 12:00" in logs


def test_warm_up_primes_indicators_refuses_orders_and_starts_statistics_at_the_start(lean_data_dir):
    result, logs, state = run(WARMUP, lean_data_dir)
    assert any(m.startswith("warm-up finished at 2013-10-08 00:00") for m in logs)
    live = next(m for m in logs if m.startswith("first live bar"))
    assert "2013-10-08 09:31" in live and "ready=True" in live and "warm_bars=390" in live
    assert result["statistics"]["Total Orders"] == "1"
    assert state.collector.samples.sample_times[0].isoformat() == "2013-10-08T00:00:00"


DAILY_FROM_MINUTES = """
from AlgorithmImports import *

class DailyBars(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)
        self.consolidate("SPY", Resolution.DAILY, self.on_daily)

    def on_daily(self, bar):
        self.log(f"{self.time:%m-%d %H:%M} {bar.time:%H:%M}-{bar.end_time:%H:%M}")
"""


def test_daily_consolidation_of_minute_bars_is_the_regular_session(lean_data_dir):
    _, logs, _ = run(DAILY_FROM_MINUTES, lean_data_dir)
    assert logs == ["10-07 16:00 09:30-16:00", "10-08 16:00 09:30-16:00"]
