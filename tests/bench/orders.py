"""The cost of one market order, for profiling the order path (not a ``make bench`` row).

``python -m tests.bench.orders [K] [ROUNDS]`` runs an algorithm that, at one minute bar,
calls ``set_holdings`` then ``liquidate`` K times per round (2K orders, each submitted,
filled and reported through the result sink) and prints the best round's microseconds
per order. Under ``valgrind --tool=callgrind`` with ROUNDS=1, the difference between
K=2000 and K=0 divided by 4,000 is the instructions per order, a count that, unlike
the time, does not move with this machine's speed.
"""

from __future__ import annotations

import sys

from backtesting.engine.loader import compile_sources, load_algorithm
from backtesting.engine.runner import run_algorithm
from tests.bench.__main__ import RESULTS
from tests.bench.quantdesk import CountingSink

ALGORITHM = """
from AlgorithmImports import *
import time

ROUNDS = []  # seconds of each round


class Orders(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2011, 1, 3)
        self.set_end_date(2011, 1, 3)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.done = False

    def on_data(self, data):
        if self.done or self.time.hour < 10:
            return
        self.done = True
        for _ in range({rounds}):
            started = time.perf_counter()
            for _ in range({k}):
                self.set_holdings(self.spy, 0.99)
                self.liquidate(self.spy)
            ROUNDS.append(time.perf_counter() - started)
"""


def main() -> None:
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    load_algorithm(compile_sources({"main.py": ALGORITHM.format(k=k, rounds=rounds)}))
    namespace = sys.modules["main"].__dict__
    data = RESULTS / "data" / "1x1000000"  # (the benchmark's generated minute data)
    result = run_algorithm(namespace["Orders"], data_dir=str(data), sink=CountingSink())
    if result["status"] != "Completed":
        raise SystemExit(f"run failed: {result.get('error')}")
    orders = int(result["statistics"]["Total Orders"])
    if k:
        best = min(namespace["ROUNDS"])
        print(f"{best / (2 * k) * 1e6:.2f} us per order (best of {rounds}; {orders} orders)")


if __name__ == "__main__":
    main()
