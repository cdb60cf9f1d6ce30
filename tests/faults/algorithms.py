"""The algorithm fault tests run: numbered log lines, so a lost or repeated line shows.

Parameters (strings, as launched): ``every`` logs ``line <n>`` every that many bars,
``sleep`` seconds per bar stretch the run, ``days`` of minute bars (1-5, from 2013-10-07).
The last line is ``total <n>``: a complete log holds ``line 1`` .. ``line n`` once each.
"""

NUMBERED = """from AlgorithmImports import *
import time


class Numbered(QCAlgorithm):
    def initialize(self):
        self.every = int(self.get_parameter("every", "1"))
        self.pause = float(self.get_parameter("sleep", "0"))
        days = int(self.get_parameter("days", "1"))
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 6 + days)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)
        self.bars = 0
        self.lines = 0

    def on_data(self, data):
        self.bars += 1
        if self.bars % self.every == 0:
            self.lines += 1
            self.log(f"line {self.lines}")
        if self.pause:
            time.sleep(self.pause)

    def on_end_of_algorithm(self):
        self.log(f"total {self.lines}")
"""


def parameters(*, every: int = 1, sleep: float = 0.0, days: int = 1) -> dict[str, str]:
    """Launch parameters of :data:`NUMBERED`."""
    return {"every": str(every), "sleep": str(sleep), "days": str(days)}
