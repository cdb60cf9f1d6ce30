from AlgorithmImports import *


class BasicTemplateDailyAlgorithm(QCAlgorithm):
    """Buy SPY with daily bars once; the order becomes market-on-open."""

    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 17)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
            self.debug("Purchased Stock")
