from AlgorithmImports import *


class ExtendedMarketLimitAlgorithm(QCAlgorithm):
    """Once a day, outside regular hours, a limit buy at the bar's low (extended-hours SPY)."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE, Market.USA, True, 1, True)
        self.last_action = None

    def on_data(self, data):
        if self.last_action is not None and self.last_action.date() == self.time.date():
            return
        if not self.regular_hours():
            self.limit_order("SPY", 10, data.bars["SPY"].low)
            self.last_action = self.time

    def on_order_event(self, order_event):
        if self.regular_hours():
            raise AssertionError("orders must be processed outside regular hours")

    def regular_hours(self):
        now = self.time.time()
        return time(9, 30) < now < time(16, 0)
