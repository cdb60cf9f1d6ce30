"""Cash, holdings and the profit records the statistics need (LEAN's SecurityPortfolioManager).

Cash and prices are floats (exact enough at the cent); fees are ``Decimal`` because the
report rounds them half away from zero at the cent (697 x 0.005 = 3.485 -> "$3.49").
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from backtesting.engine.portfolio.security import Security, SecurityHolding


class CashBook(dict):
    """``portfolio.cash_book["USD"].amount`` for the account currency only."""


class _Cash:
    def __init__(self, portfolio: Portfolio) -> None:
        self._portfolio = portfolio
        self.symbol = "USD"
        self.conversion_rate = 1.0

    @property
    def amount(self) -> float:
        return self._portfolio.cash

    @property
    def value_in_account_currency(self) -> float:
        return self._portfolio.cash


class Portfolio:
    """Holdings keyed by symbol plus account totals. Indexable by symbol or ticker."""

    def __init__(self, securities: dict[Any, Security], cash: float = 100_000.0) -> None:
        self._securities = securities
        self.cash = float(cash)
        self.total_fees_decimal = Decimal(0)
        self.total_sale_volume = 0.0
        self.trade_pnls: list[tuple[datetime, float]] = []  # LEAN_SEMANTICS 1.4 records
        self.cash_book = CashBook(USD=_Cash(self))
        self.margin_call_model: Any = None
        #: securities with a position, in the securities' order (sums over holdings keep
        #: their float order); refreshed when a position opens or closes
        self._held: list[Security] = []
        self._ranks: dict[int, int] | None = None  # id(security) -> place in the securities

    def held_changed(self, security: Security) -> None:
        """``security``'s position opened or closed (``SecurityHolding.quantity``): it joins
        or leaves the held list at its place in the securities' order. (With a hundred
        securities, re-listing them all at every order was a tenth of a run.)"""
        held = self._held
        if not security.holdings.quantity:
            for index, other in enumerate(held):
                if other is security:
                    del held[index]
                    return
            return
        ranks = self._ranks
        if ranks is None or id(security) not in ranks:
            ranks = self._ranks = {id(s): i for i, s in enumerate(self._securities.values())}
        if any(other is security for other in held):
            return
        bisect.insort(held, security, key=lambda s: ranks[id(s)])

    def securities_changed(self) -> None:
        """A security was added: the order of the held list is looked up afresh."""
        self._ranks = None

    # -- mapping -----------------------------------------------------------------
    def __getitem__(self, symbol: Any) -> SecurityHolding:
        return self._securities[symbol].holdings

    def __contains__(self, symbol: Any) -> bool:
        return symbol in self._securities

    def __iter__(self) -> Iterator[Any]:
        return iter(self._securities)

    def keys(self) -> list[Any]:
        return list(self._securities.keys())

    def values(self) -> list[SecurityHolding]:
        return [s.holdings for s in self._securities.values()]

    def items(self) -> list[tuple[Any, SecurityHolding]]:
        return [(k, s.holdings) for k, s in self._securities.items()]

    def get(self, symbol: Any, default: Any = None) -> Any:
        sec = self._securities.get(symbol)
        return sec.holdings if sec is not None else default

    # -- totals ------------------------------------------------------------------
    @property
    def total_holdings_value(self) -> float:
        return sum(
            s.holdings.holdings_value for s in self._securities.values() if s.holdings.quantity
        )

    @property
    def total_absolute_holdings_cost(self) -> float:
        return sum(s.holdings.absolute_holdings_cost for s in self._securities.values())

    @property
    def total_unrealized_profit(self) -> float:
        return sum(s.holdings.unrealized_profit for s in self._held)

    total_unrealised_profit = total_unrealized_profit

    @property
    def total_portfolio_value(self) -> float:
        return self._valuation()[0]

    def _valuation(self) -> tuple[float, float]:
        """(total portfolio value, margin used) in one pass over the held securities.

        Every order asks for both, with up to a hundred positions: each security's value
        (``holdings_value``: quantity x price x multiplier, in that order) is computed here
        with its price read straight from the cache (``SecurityCache.price``, unrolled).
        """
        total = self.cash
        used = 0
        for s in self._held:
            cache = s.cache
            price = cache._columns.close(cache._row) if cache._row >= 0 else cache._price
            value = s.holdings._quantity * price * s.symbol_properties.contract_multiplier
            total += value
            used += abs(value) / (s.leverage or 1)
        return total, used

    @property
    def total_fees(self) -> float:
        return float(self.total_fees_decimal)

    @property
    def total_profit(self) -> float:
        return sum(s.holdings.profit for s in self._securities.values())

    @property
    def total_net_profit(self) -> float:
        return self.total_profit - self.total_fees

    @property
    def invested(self) -> bool:
        return bool(self._held)

    @property
    def margin_remaining(self) -> float:
        total, used = self._valuation()
        return total - used

    @property
    def total_margin_used(self) -> float:
        # flat securities use no margin: their prices (perhaps not yet built) are not read
        return self._valuation()[1]

    def set_cash(self, cash: float) -> None:
        self.cash = float(cash)

    # -- fills -------------------------------------------------------------------
    def process_fill(
        self,
        security: Security,
        time: datetime,
        fill_price: float,
        fill_quantity: float,
        fee: Decimal,
    ) -> None:
        """Apply a fill to cash and holdings (LEAN's SecurityPortfolioModel.ProcessFill)."""
        h = security.holdings
        mult = security.symbol_properties.contract_multiplier
        fee_f = float(fee)
        self.total_fees_decimal += fee
        h.total_fees += fee_f
        self.cash -= fee_f
        volume = abs(fill_quantity * fill_price * mult)
        h.total_sale_volume += volume
        self.total_sale_volume += volume
        q = h._quantity  # (the property's value, without its call)
        if q != 0 and (q > 0) != (fill_quantity > 0):
            closed = min(abs(q), abs(fill_quantity))
            sign = 1.0 if q > 0 else -1.0
            profit = (fill_price - h.average_price) * closed * sign * mult
            h.profit += profit
            self.trade_pnls.append((time, profit - 2 * fee_f))
        h.net_profit = h.profit - h.total_fees
        self.cash -= fill_price * fill_quantity * mult
        new_q = q + fill_quantity
        if new_q == 0:
            h.average_price = 0.0
        elif q == 0 or (q > 0) != (new_q > 0):
            h.average_price = fill_price
        elif (q > 0) == (fill_quantity > 0):
            h.average_price = (h.average_price * q + fill_price * fill_quantity) / new_q
        h.quantity = new_q  # (opening or closing a position re-lists the held ones)
