from AlgorithmImports import *


class LimitIfTouchedAlgorithm(QCAlgorithm):
    """Limit-if-touched orders through SubmitOrderRequest, shrunk by one share every bar."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY")
        self.ticket = None

    def on_data(self, data):
        if not data.contains_key("SPY"):
            return
        if not self.transactions.get_open_orders():
            self.sign = 1 if self.time.day < 9 else -1
            price = data["SPY"].price
            request = SubmitOrderRequest(
                OrderType.LIMIT_IF_TOUCHED,
                SecurityType.EQUITY,
                "SPY",
                self.sign * 10,
                0,
                price - self.sign,
                price - 0.25 * self.sign,
                self.utc_time,
                f"LIT {self.sign * 10}",
            )
            self.ticket = self.transactions.add_order(request)
            return
        if self.ticket is not None:
            if self.ticket.quantity == 1:
                self.transactions.cancel_open_orders()
                self.ticket = None
                return
            quantity = int(self.ticket.quantity - self.sign)
            self.ticket.update_quantity(quantity, f"LIT {quantity}")
            trigger = self.ticket.get(OrderField.TRIGGER_PRICE)
            self.ticket.update_trigger_price(Extensions.round_to_significant_digits(trigger, 5))
