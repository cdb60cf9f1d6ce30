from AlgorithmImports import *


class SetHoldingsRegressionAlgorithm(QCAlgorithm):
    """Four synchronous set_holdings calls with int, float, numpy and int targets."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 0.1)
            self.set_holdings("SPY", 0.20)
            self.set_holdings("SPY", np.float64(0.30))
            self.set_holdings("SPY", 1)

    def on_end_of_algorithm(self):
        for ticket in self.transactions.get_order_tickets():
            if ticket.asynchronous:
                raise AssertionError("set_holdings must place synchronous orders")
