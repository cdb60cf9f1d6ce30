"""Orders, tickets, fill and fee models, and the simulated brokerage (transaction handler)."""

from backtesting.engine.brokerage.fees import (
    CoinbaseFeeModel,
    ConstantFeeModel,
    FeeModel,
    InteractiveBrokersFeeModel,
)
from backtesting.engine.brokerage.fills import EquityFillModel, FillModel, ImmediateFillModel
from backtesting.engine.brokerage.orders import (
    Order,
    OrderEvent,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from backtesting.engine.brokerage.tickets import OrderTicket
from backtesting.engine.brokerage.transactions import Brokerage, TransactionManager

__all__ = [
    "Brokerage",
    "CoinbaseFeeModel",
    "ConstantFeeModel",
    "EquityFillModel",
    "FeeModel",
    "FillModel",
    "ImmediateFillModel",
    "InteractiveBrokersFeeModel",
    "Order",
    "OrderEvent",
    "OrderStatus",
    "OrderTicket",
    "OrderType",
    "TimeInForce",
    "TransactionManager",
]
