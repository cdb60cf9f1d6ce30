from AlgorithmImports import *


class CustomBenchmarkSecondAlgorithm(QCAlgorithm):
    """All in SPY on second data, measured against AAPL instead of SPY."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.SECOND)
        self.set_benchmark(Symbol.create("AAPL", SecurityType.EQUITY, Market.USA))

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
