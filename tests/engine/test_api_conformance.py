"""Small LEAN API contracts that published algorithms rely on (from LEAN's regression suite)."""

from __future__ import annotations

from backtesting.engine.loader import compile_sources, load_algorithm
from backtesting.engine.results.sink import MemorySink
from backtesting.engine.runner import run_algorithm

PARAMETERS = """
from AlgorithmImports import *

class Parameters(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        checks = [
            (None, self.get_parameter("missing")),
            ("100", self.get_parameter("missing", "100")),
            (100, self.get_parameter("missing", 100)),
            (100.0, self.get_parameter("missing", 100.0)),
            ("10", self.get_parameter("ema-fast")),
            (10, self.get_parameter("ema-fast", 100)),
            (10.0, self.get_parameter("ema-fast", 100.0)),
        ]
        for expected, actual in checks:
            if type(expected) is not type(actual) or expected != actual:
                raise AssertionError(f"expected {expected!r}, got {actual!r}")
        self.quit()
"""

NORMALIZATION = """
from AlgorithmImports import *

class Modes(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.ranges = {}
        for ticker, mode, low, high in [
            ("SPY", DataNormalizationMode.RAW, 167.28, 168.37),
            ("IBM", DataNormalizationMode.ADJUSTED, 135.864131052, 136.819606508),
            ("AIG", DataNormalizationMode.TOTAL_RETURN, 48.73, 49.10),
        ]:
            security = self.add_equity(ticker, Resolution.MINUTE, data_normalization_mode=mode)
            configs = [c for c in self.subscription_manager.subscriptions if c.symbol == security.symbol]
            if any(c.data_normalization_mode != mode for c in configs):
                raise AssertionError(f"{ticker}: wrong normalization")
            self.ranges[security] = (low, high)
        self.warmups = 0

    def on_warmup_finished(self):
        self.warmups += 1

    def on_data(self, data):
        for security, (low, high) in self.ranges.items():
            if security.has_data and not low <= security.price <= high:
                raise AssertionError(f"{security.symbol}: {security.price} outside [{low}, {high}]")

    def on_end_of_algorithm(self):
        if self.warmups != 1:
            raise AssertionError(f"on_warmup_finished ran {self.warmups} times")
"""


def run(source: str, data_dir, parameters=None) -> dict:
    result = run_algorithm(
        load_algorithm(compile_sources({"main.py": source})),
        data_dir=data_dir,
        sink=MemorySink(),
        parameters=parameters or {},
    )
    assert result["status"] == "Completed", result["stacktrace"]
    return result


def test_get_parameter_converts_to_the_default_type(lean_data_dir):
    run(PARAMETERS, lean_data_dir, {"ema-fast": "10"})


def test_normalization_modes_per_subscription_and_warmup_finished_once(lean_data_dir):
    assert run(NORMALIZATION, lean_data_dir)["statistics"]["End Equity"] == "100000"
