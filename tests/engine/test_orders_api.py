"""LEAN's wider order API: custom fee/fill models, tickets that update and cancel, time in force."""

from __future__ import annotations

from backtesting.engine.loader import compile_sources, load_algorithm
from backtesting.engine.results.sink import MemorySink
from backtesting.engine.runner import run_algorithm

CUSTOM_MODELS = """
from AlgorithmImports import *

class FlatFee(FeeModel):
    def get_order_fee(self, parameters):
        return OrderFee(CashAmount(2.5, "USD"))

class PennyWorse(FillModel):
    def market_fill(self, asset, order):
        fill = super().market_fill(asset, order)
        fill.fill_price += 0.01 if order.quantity > 0 else -0.01
        return fill

class Custom(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 7)
        spy = self.add_equity("SPY")
        spy.set_fee_model(FlatFee())
        spy.set_fill_model(PennyWorse())
        spy.custom_note = "users may add attributes"
        self.added = []

    def on_securities_changed(self, changes):
        self.added += [s.symbol.value for s in changes.added_securities]

    def on_data(self, data):
        if not self.portfolio.invested:
            self.ticket = self.market_order("SPY", 10)
            self.debug(f"fill {self.ticket.average_fill_price:.4f} ask {self.securities['SPY'].ask_price:.4f}")

    def on_end_of_algorithm(self):
        self.debug(f"added {self.added} fees {self.portfolio.total_fees}")
"""

TICKETS = """
from AlgorithmImports import *

class Tickets(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY")
        self.placed = False

    def on_data(self, data):
        if self.placed:
            return
        self.placed = True
        price = self.securities["SPY"].price
        self.far = self.limit_order("SPY", 10, price * 0.5)
        self.far.update_limit_price(price * 0.6)
        self.cancelled = self.limit_order("SPY", 10, price * 0.5)
        self.cancelled.cancel("no longer wanted")
        self.day = self.limit_order("SPY", 10, price * 0.5, order_properties=OrderProperties(TimeInForce.DAY))

    def on_end_of_algorithm(self):
        self.debug(f"far {self.far.get(OrderField.LIMIT_PRICE) / self.securities['SPY'].price:.2f} {self.far.status}")
        self.debug(f"cancelled {self.cancelled.status} day {self.day.status} open {len(self.transactions.get_open_orders())}")
"""


def run(source: str, data_dir) -> tuple[dict, list[str]]:
    sink = MemorySink()
    result = run_algorithm(
        load_algorithm(compile_sources({"main.py": source})), data_dir=data_dir, sink=sink
    )
    assert result["status"] == "Completed", result["stacktrace"]
    return result, [e["message"] for e in sink.of_type("log")]


def test_custom_fee_and_fill_models_subclassed_lean_style(lean_data_dir):
    result, logs = run(CUSTOM_MODELS, lean_data_dir)
    fill, ask = (float(x) for x in logs[0].split()[1::2])
    assert abs(fill - (ask + 0.01)) < 1e-9
    assert "added ['SPY'] fees 2.5" in logs[-1]
    assert result["statistics"]["Total Fees"] == "$2.50"


def test_tickets_update_cancel_and_day_orders_expire(lean_data_dir):
    result, logs = run(TICKETS, lean_data_dir)
    assert logs[0].startswith("far 0.6")  # the update moved the limit (price drifted a little)
    assert logs[0].endswith(" 1")  # still Submitted: far below the market
    assert logs[1] == "cancelled 5 day 5 open 1"  # Canceled (5) by us and by the DAY expiry
    assert result["statistics"]["Total Orders"] == "3"
