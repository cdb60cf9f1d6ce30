from AlgorithmImports import *


class StopLimitOrderAlgorithm(QCAlgorithm):
    """Daily EMA(30/60) trend: a stop-limit buy 10 % above the high, later a stop-limit sell."""

    def initialize(self):
        self.set_start_date(2013, 1, 1)
        self.set_end_date(2017, 1, 1)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.fast = self.ema(self.spy, 30, Resolution.DAILY)
        self.slow = self.ema(self.spy, 60, Resolution.DAILY)
        self.entry = None
        self.exit = None

    def on_data(self, data):
        if not (self.fast.is_ready and self.slow.is_ready):
            return
        security = self.securities[self.spy]
        up = self.fast.current.value > self.slow.current.value * 1.001
        down = self.fast.current.value < self.slow.current.value * 1.001
        if self.entry is None and up:
            self.entry = self.stop_limit_order(
                self.spy, 100, stop_price=security.high * 1.10, limit_price=security.high * 1.11
            )
        elif (
            self.entry is not None
            and self.entry.status == OrderStatus.FILLED
            and self.exit is None
            and down
        ):
            self.exit = self.stop_limit_order(
                self.spy, -100, stop_price=security.low * 0.99, limit_price=security.low * 0.98
            )

    def on_order_event(self, order_event):
        if order_event.status == OrderStatus.FILLED:
            order = self.transactions.get_order_by_id(order_event.order_id)
            if not order.stop_triggered:
                raise AssertionError("a filled stop-limit order must have been triggered")
