from AlgorithmImports import *


class HourSplitRegressionAlgorithm(QCAlgorithm):
    """Hourly AAPL across its 7-for-1 split; buys one share on the split day."""

    def initialize(self):
        self.set_start_date(2014, 6, 6)
        self.set_end_date(2014, 6, 9)
        self.set_cash(100000)
        self.set_benchmark(lambda dt: 0)
        self._symbol = self.add_equity("AAPL", Resolution.HOUR).symbol

    def on_data(self, slice):
        if slice.bars.count == 0:
            return
        if (not self.portfolio.invested) and self.time.date() == self.end_date.date():
            self.buy(self._symbol, 1)
