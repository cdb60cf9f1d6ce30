from AlgorithmImports import *


class WarmUpMinuteAlgorithm(QCAlgorithm):
    """A one-day warm-up on minute SPY, no trading; on_warmup_finished runs exactly once."""

    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)
        self.set_warmup(timedelta(days=1))
        self.finished = 0

    def on_warmup_finished(self):
        self.finished += 1

    def on_end_of_algorithm(self):
        if self.finished != 1:
            raise AssertionError(f"on_warmup_finished ran {self.finished} times")
