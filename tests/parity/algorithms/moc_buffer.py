from AlgorithmImports import *


class MarketOnCloseBufferAlgorithm(QCAlgorithm):
    """A 10-minute MOC buffer: 15:49 is accepted, 15:51 refused, 17:00 waits for the next close."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)
        self.accepted = None
        self.refused = None
        self.after_hours = None
        self.schedule.on(self.date_rules.today, self.time_rules.at(17, 0), self.after_close)
        MarketOnCloseOrder.submission_time_buffer = timedelta(minutes=10)

    def after_close(self):
        self.after_hours = self.market_on_close_order("SPY", 2)

    def on_data(self, data):
        if self.time.hour == 15 and self.time.minute == 49 and self.accepted is None:
            self.accepted = self.market_on_close_order("SPY", 2)
        if self.time.hour == 15 and self.time.minute == 51 and self.refused is None:
            self.refused = self.market_on_close_order("SPY", 2)

    def on_end_of_algorithm(self):
        MarketOnCloseOrder.submission_time_buffer = (
            MarketOnCloseOrder.DEFAULT_SUBMISSION_TIME_BUFFER
        )
        if (
            self.accepted.status != OrderStatus.FILLED
            or self.after_hours.status != OrderStatus.FILLED
        ):
            raise AssertionError("accepted market-on-close orders must fill")
        if self.refused.status != OrderStatus.INVALID:
            raise AssertionError("a market-on-close order inside the buffer must be refused")
