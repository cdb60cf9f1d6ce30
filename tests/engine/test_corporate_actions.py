"""Corporate actions during a run: raw-mode splits change holdings, delistings close positions."""

from __future__ import annotations

from backtesting.engine.loader import compile_sources, load_algorithm
from backtesting.engine.results.sink import MemorySink
from backtesting.engine.runner import run_algorithm

RAW_SPLIT = """
from AlgorithmImports import *

class RawSplit(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 6, 5)
        self.set_end_date(2014, 6, 9)
        self.add_equity("AAPL", Resolution.HOUR, data_normalization_mode=DataNormalizationMode.RAW)

    def on_data(self, data):
        if data.splits.count:
            split = data.splits["AAPL"]
            self.log(f"split {split.split_factor:.6f} qty {self.portfolio['AAPL'].quantity}")
        if not self.portfolio.invested and self.time.day == 5 and self.time.hour == 11:
            self.market_order("AAPL", 10)
"""

DELISTING = """
from AlgorithmImports import *

class Delist(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2007, 5, 10)
        self.set_end_date(2007, 5, 25)
        self.add_equity("AAA.1", Resolution.DAILY)

    def on_data(self, data):
        if not self.portfolio.invested and self.securities["AAA.1"].is_tradable:
            self.set_holdings("AAA.1", 0.5)

    def on_delistings(self, delistings):
        for symbol, d in delistings.items():
            self.log(f"{self.time:%Y-%m-%d} delisting {symbol} type {d.type}")

    def on_end_of_algorithm(self):
        self.log(f"qty {self.portfolio['AAA.1'].quantity} tradable {self.securities['AAA.1'].is_tradable}")
"""


def logs_of(source: str, data_dir) -> list[str]:
    sink = MemorySink()
    result = run_algorithm(
        load_algorithm(compile_sources({"main.py": source})), data_dir=data_dir, sink=sink
    )
    assert result["status"] == "Completed", result["stacktrace"]
    return [e["message"] for e in sink.of_type("log")]


def test_raw_mode_split_multiplies_the_holdings(lean_data_dir):
    logs = logs_of(RAW_SPLIT, lean_data_dir)
    # 10 / (0.0357143 / 0.25) = 69.99996: LEAN keeps the whole 69 shares and pays the
    # 0.99996 share in cash, and so do we
    assert "split 0.142857 qty 69.0" in logs


def test_delisting_warns_then_closes_the_position(lean_data_dir):
    logs = logs_of(DELISTING, lean_data_dir)
    assert "2007-05-18 delisting AAA.1 type 0" in logs
    assert "2007-05-21 delisting AAA.1 type 1" in logs
    assert logs[-1] == "qty 0.0 tradable False"
