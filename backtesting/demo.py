"""The demo project's algorithm: LEAN's basic template (buy SPY, hold for a week)."""

DEMO_ALGORITHM = '''from AlgorithmImports import *


class BasicTemplateAlgorithm(QCAlgorithm):
    """Buys SPY with all the cash on the first bar and holds it for a week."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
            self.debug("Purchased SPY")
'''
