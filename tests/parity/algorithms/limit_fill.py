from AlgorithmImports import *


class LimitFillRegressionAlgorithm(QCAlgorithm):
    """Hourly limit orders at the last price on second data: buys first, sells later."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.SECOND)

    def on_data(self, data):
        if data.contains_key("SPY"):
            if self.is_round_hour(self.time):
                negative = 1 if self.time < (self.start_date + timedelta(days=2)) else -1
                self.limit_order("SPY", negative * 10, data["SPY"].price)

    def is_round_hour(self, date_time):
        return date_time.minute == 0 and date_time.second == 0

    def on_order_event(self, order_event):
        self.debug(str(order_event))
