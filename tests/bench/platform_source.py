"""Generated algorithm sources for the platform figures (deterministic, no data needed)."""

from __future__ import annotations

HEADER = """from AlgorithmImports import *
import math


"""

ALGORITHM = '''

class Generated(QCAlgorithm):
    """A 1,000-line project for the build figure: helpers plus a small daily algorithm."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", helper_0(1.0, 2.0) / helper_0(1.0, 2.0))
'''


def thousand_line_project(variant: int = 0) -> str:
    """About 1,000 lines of helpers (each ten lines) and an algorithm; ``variant`` makes
    the text differ so no build cache can answer."""
    helpers = []
    for i in range(97):
        helpers.append(
            f"def helper_{i}(x, y):\n"
            f'    """Helper {i}."""\n'
            f"    total = 0.0\n"
            f"    for step in range({i % 7 + 1}):\n"
            f"        total += math.sqrt(abs(x * step - y)) + {i}\n"
            f"    if total > {i * 3}:\n"
            f"        return total / (1 + {i})\n"
            f"    values = [x, y, total]\n"
            f"    return sum(values) / len(values)\n"
            f"\n"
        )
    return HEADER + "".join(helpers) + ALGORITHM + f"# variant {variant}\n"


#: logs the wall clock with every line, so a watcher can compute each event's lag.
STAMPED = """from AlgorithmImports import *
import time


class Stamped(QCAlgorithm):
    def initialize(self):
        self.every = int(self.get_parameter("every", "20"))
        self.pause = float(self.get_parameter("sleep", "0.001"))
        time.sleep(float(self.get_parameter("hold", "0")))  # lets the watchers connect first
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)
        self.bars = 0

    def on_data(self, data):
        self.bars += 1
        if self.bars % self.every == 0:
            self.log(f"stamp {time.time():.6f}")
        if self.pause:
            time.sleep(self.pause)
"""

#: a short CPU-bound run (about a second per day of minute bars) for the scaling figure.
BUSY = """from AlgorithmImports import *


class Busy(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        total = 0
        for i in range(int(self.get_parameter("work", "3000"))):
            total += i * i
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
"""
