from AlgorithmImports import *


class UnknownTickerAlgorithm(QCAlgorithm):
    """Orders for a ticker never added come back Invalid (and are not counted)."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        ticket = self.market_order("PEPE", 1)
        if ticket.status != OrderStatus.INVALID:
            raise AssertionError(
                f"an order for an unknown ticker must be invalid, was {ticket.status}"
            )
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
