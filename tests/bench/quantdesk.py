"""QuantDesk's engine on the benchmark data; run as a subprocess so peak RSS is its own.

``python -m tests.bench.quantdesk WORKLOAD DATA_DIR START END TICKERS...`` prints one JSON line
``{"seconds", "load_seconds", "trades", "peak_rss_mb", "baseline_rss_mb"}``. Market orders fill at the close of the bar
that triggered them (LEAN's fill on minute trade data without quotes).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date

from backtesting.engine import runner
from backtesting.engine.loader import compile_sources, load_algorithm
from backtesting.engine.runner import run_algorithm

#: seconds spent reading and preparing the LEAN files (the peers are timed with their data
#: already in memory, so the table shows our throughput both with and without this)
load_seconds = 0.0
_build_feed = runner.build_feed


def _timed_build_feed(*args, **kwargs):  # type: ignore[no-untyped-def]
    global load_seconds
    started = time.perf_counter()
    try:
        return _build_feed(*args, **kwargs)
    finally:
        load_seconds += time.perf_counter() - started


runner.build_feed = _timed_build_feed


def peak_memory_mb() -> float:
    """This process image's peak resident memory (``VmHWM``). ``ru_maxrss`` would not do:
    Linux carries it across fork and exec, so a run started by a parent that had just
    generated the data sets began with the parent's peak as its own."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CountingSink:
    """Counts the run's events and keeps none, as the platform's event writer streams them
    to the database in batches: peak memory is then the engine's own, not a list of every
    order event of the run."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def emit(self, event: dict) -> None:
        self.counts[event["type"]] = self.counts.get(event["type"], 0) + 1


ALGORITHM = """
from AlgorithmImports import *

TICKERS = {tickers!r}
START = {start!r}
END = {end!r}
#: averages closer than this are a tie: no cross (tests/bench/peers.py uses the same rule)
TIE = 1e-9


class DoNothing(QCAlgorithm):
    def initialize(self):
        self.set_start_date(*START)
        self.set_end_date(*END)
        self.set_cash(100000)
        for ticker in TICKERS:
            self.add_equity(ticker, Resolution.MINUTE)

    def on_data(self, data):
        pass


class SmaCross(QCAlgorithm):
    def initialize(self):
        self.set_start_date(*START)
        self.set_end_date(*END)
        self.set_cash(100000)
        self.pairs = {{}}
        self.above = {{}}
        self.orders = 0
        for ticker in TICKERS:
            symbol = self.add_equity(ticker, Resolution.MINUTE).symbol
            self.pairs[symbol] = (self.sma(symbol, 10), self.sma(symbol, 30))
        self.share = 0.99 / len(TICKERS)

    def on_data(self, data):
        for symbol, (fast, slow) in self.pairs.items():
            if not slow.is_ready:
                continue
            difference = fast.current.value - slow.current.value
            if -TIE < difference < TIE:
                continue
            above = difference > 0
            before = self.above.get(symbol)
            self.above[symbol] = above
            if before is None or above == before:
                continue
            invested = self.portfolio[symbol].invested
            if above and not invested:
                self.set_holdings(symbol, self.share)
                self.orders += 1
            elif not above and invested:
                self.liquidate(symbol)
                self.orders += 1
"""


def main() -> None:
    workload, data_dir, start, end, *tickers = sys.argv[1:]
    start_d, end_d = date.fromisoformat(start), date.fromisoformat(end)
    source = ALGORITHM.format(
        tickers=tickers,
        start=(start_d.year, start_d.month, start_d.day),
        end=(end_d.year, end_d.month, end_d.day),
    )
    module = compile_sources({"main.py": source})
    algorithm_type = load_algorithm(module)
    # load_algorithm returns the last QCAlgorithm subclass; pick the workload's by name.
    namespace = sys.modules["main"].__dict__
    algorithm_type = namespace["SmaCross" if workload == "sma" else "DoNothing"]
    sink = CountingSink()
    baseline_mb = peak_memory_mb()
    started = time.perf_counter()
    result = run_algorithm(algorithm_type, data_dir=data_dir, sink=sink)
    seconds = time.perf_counter() - started
    if result.get("status") != "Completed":
        raise SystemExit(f"benchmark run failed: {result.get('error')}")
    peak_mb = peak_memory_mb()
    orders = int(result.get("statistics", {}).get("Total Orders", "0") or 0)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "load_seconds": load_seconds,
                "trades": orders,
                "events": sum(sink.counts.values()),
                "peak_rss_mb": peak_mb,
                "baseline_rss_mb": baseline_mb,
            }
        )
    )


if __name__ == "__main__":
    main()
