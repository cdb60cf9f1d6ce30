from AlgorithmImports import *


class AddRemoveSecurityAlgorithm(QCAlgorithm):
    """Half in SPY; AIG and BAC added on Tuesday, bought on Wednesday, removed on Thursday."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY")
        self.last_action = None

    def on_data(self, data):
        if self.last_action is not None and self.last_action.date() == self.time.date():
            return
        if not self.portfolio.invested:
            self.set_holdings("SPY", 0.5)
            self.last_action = self.time
        weekday = self.time.weekday()
        if weekday == 1:
            self.add_equity("AIG")
            self.add_equity("BAC")
            self.last_action = self.time
        if weekday == 2:
            self.set_holdings("AIG", 0.25)
            self.set_holdings("BAC", 0.25)
            self.last_action = self.time
        if weekday == 3:
            self.remove_security("AIG")
            self.remove_security("BAC")
            self.last_action = self.time
