from AlgorithmImports import *


class TimeInForceOrdersAlgorithm(QCAlgorithm):
    """Pairs of limit orders (far and marketable) under GTC, DAY and good-til-date 2013-10-10."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.expected = {}
        self.placed = False

    def place(self, time_in_force, far, near, far_status, near_status):
        self.default_order_properties.time_in_force = time_in_force
        self.expected[self.limit_order(self.spy, 10, far).order_id] = far_status
        self.expected[self.limit_order(self.spy, 10, near).order_id] = near_status

    def on_data(self, data):
        if self.placed:
            return
        self.placed = True
        self.place(
            TimeInForce.GOOD_TIL_CANCELED, 100, 160, OrderStatus.SUBMITTED, OrderStatus.FILLED
        )
        self.place(TimeInForce.DAY, 140, 180, OrderStatus.CANCELED, OrderStatus.FILLED)
        self.place(
            TimeInForce.GOOD_TIL_DATE(datetime(2013, 10, 10)),
            100,
            160,
            OrderStatus.CANCELED,
            OrderStatus.FILLED,
        )

    def on_end_of_algorithm(self):
        for order_id, status in self.expected.items():
            actual = self.transactions.get_order_by_id(order_id).status
            if actual != status:
                raise AssertionError(f"order {order_id}: expected status {status}, got {actual}")
