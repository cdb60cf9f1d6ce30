"""run_algorithm end to end: order conversion, runtime errors, stopping, the event stream."""

from __future__ import annotations

import json

from backtesting.engine.loader import compile_sources, load_algorithm
from backtesting.engine.results.sink import MemorySink
from backtesting.engine.runner import run_algorithm

DAILY_BUY = """
from AlgorithmImports import *

class DailyBuy(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 10)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        if not self.portfolio.invested and not self.transactions.get_open_orders():
            self.market_order("SPY", 10)
"""

CRASHING = """
from AlgorithmImports import *

class Crashing(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY")

    def on_data(self, data):
        self.debug("about to fail")
        x = 1 / 0
"""

MINUTE_IDLE = """
from AlgorithmImports import *

class Idle(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.add_equity("SPY")
"""


def load(source: str) -> type:
    return load_algorithm(compile_sources({"main.py": source}))


def test_market_order_on_daily_data_becomes_market_on_open_and_fills_at_the_next_open(
    lean_data_dir,
):
    sink = MemorySink()
    result = run_algorithm(load(DAILY_BUY), data_dir=lean_data_dir, sink=sink)
    assert result["status"] == "Completed", result["stacktrace"]
    events = sink.of_type("order_event")
    submitted = events[0]
    assert submitted["order"]["type"] == "MarketOnOpen"
    assert submitted["time"] == "2013-10-08T16:00:00"  # the daily bar arrives at the close
    filled = [e for e in events if e["status"] == "Filled"]
    # the next daily bar carries the opening price; the benchmark's internal hour bars do not
    # reach the fill model of a security the algorithm subscribes (see the StopLimit parity)
    assert filled[0]["time"] == "2013-10-09T16:00:00"
    raw_open, factor = 165.82, 0.8646266
    assert abs(filled[0]["fill_price"] - raw_open * factor) < 1e-6
    assert result["statistics"]["Total Orders"] == "1"
    assert any("MarketOnOpen" in e["message"] for e in sink.of_type("log"))


def test_user_exception_ends_the_run_as_runtime_error_naming_file_and_line(lean_data_dir):
    sink = MemorySink()
    result = run_algorithm(load(CRASHING), data_dir=lean_data_dir, sink=sink)
    assert result["status"] == "RuntimeError"
    assert "ZeroDivisionError" in result["error"]
    assert 'File "main.py", line 12' in result["stacktrace"]
    assert sink.events[-1] is result or sink.events[-1] == result
    assert sink.events[-1]["type"] == "result"


def test_should_stop_ends_the_run_as_stopped_with_a_final_result(lean_data_dir):
    sink = MemorySink()
    result = run_algorithm(
        load(MINUTE_IDLE), data_dir=lean_data_dir, sink=sink, should_stop=lambda: True
    )
    assert result["status"] == "Stopped"
    assert sink.events[-1]["type"] == "result"


def test_events_are_json_and_progress_is_at_most_every_percent(lean_data_dir):
    sink = MemorySink()
    result = run_algorithm(load(MINUTE_IDLE), data_dir=lean_data_dir, sink=sink)
    assert result["status"] == "Completed"
    json.loads(json.dumps(sink.events))
    progress = [e["fraction"] for e in sink.of_type("progress")]
    assert 0 < len(progress) <= 101
    assert progress == sorted(progress)
    assert len(sink.of_type("runtime_statistics")) <= 101
    assert result["runtime_statistics"]["Equity"] == "$100,000.00"


def test_a_sink_that_paces_progress_gets_reports_only_when_due(lean_data_dir):
    class EveryThird(MemorySink):
        asked = 0

        def progress_due(self) -> bool:
            self.asked += 1
            return self.asked % 3 == 1

    sink = EveryThird()
    result = run_algorithm(load(MINUTE_IDLE), data_dir=lean_data_dir, sink=sink)
    assert result["status"] == "Completed"
    assert 90 <= sink.asked <= 101  # once per per-cent boundary
    assert len(sink.of_type("progress")) == -(-sink.asked // 3)
    assert len(sink.of_type("runtime_statistics")) == len(sink.of_type("progress"))


PLOT_EVERY_MINUTE = """
from AlgorithmImports import *

class Plotter(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.add_equity("SPY")

    def on_data(self, data):
        self.plot("Prices", "SPY", data["SPY"].close)
"""


def test_user_series_are_capped_built_in_charts_are_not(lean_data_dir, monkeypatch):
    from backtesting.engine.results import collector
    from backtesting.engine.runner import RunState

    monkeypatch.setattr(collector, "MAX_SERIES_POINTS", 100)
    state, sink = RunState(), MemorySink()
    run_algorithm(load(PLOT_EVERY_MINUTE), data_dir=lean_data_dir, sink=sink, state=state)
    assert len(state.collector.charts["Prices"]["SPY"]) == 100
    assert len(state.collector.charts["Strategy Equity"]["Equity"]) > 100
    warnings = [e["message"] for e in sink.of_type("log") if "reached 100 points" in e["message"]]
    assert len(warnings) == 1
