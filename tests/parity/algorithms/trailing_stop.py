from AlgorithmImports import *


class TrailingStopOrderAlgorithm(QCAlgorithm):
    """Buy 100 SPY with a trailing stop 2.00 above the market, then sell with one 0.50 below."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY").symbol
        self.entry = None
        self.exit = None

    def on_data(self, data):
        if not data.contains_key(self.spy):
            return
        if self.entry is None:
            self.entry = self.trailing_stop_order(
                self.spy, 100, trailing_amount=2, trailing_as_percentage=False
            )
        if self.exit is None and self.portfolio.invested:
            self.exit = self.trailing_stop_order(
                self.spy, -100, trailing_amount=0.5, trailing_as_percentage=False
            )

    def on_order_event(self, order_event):
        if order_event.status != OrderStatus.FILLED:
            return
        ticket = self.entry if order_event.direction == OrderDirection.BUY else self.exit
        stop = ticket.get(OrderField.STOP_PRICE)
        worse = (
            order_event.fill_price < stop
            if order_event.direction == OrderDirection.BUY
            else order_event.fill_price > stop
        )
        if worse:
            raise AssertionError(
                f"trailing stop filled beyond its stop {stop}: {order_event.fill_price}"
            )
