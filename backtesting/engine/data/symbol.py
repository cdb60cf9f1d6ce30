"""LEAN's Symbol: the identity of a security (ticker, type, market).

A Symbol compares equal to its ticker string so that ``slice["SPY"]`` and
``self.portfolio["SPY"]`` work the way they do in LEAN's Python API.
"""

from __future__ import annotations

from backtesting.engine.data.enums import SECURITY_TYPE_NAME, SecurityType


class SecurityIdentifier:
    """The permanent identity of a symbol; ``str()`` mimics LEAN's id for the report."""

    __slots__ = ("symbol", "security_type", "market")

    def __init__(self, symbol: str, security_type: int, market: str) -> None:
        self.symbol = symbol
        self.security_type = security_type
        self.market = market

    def __str__(self) -> str:
        return f"{self.symbol} {SECURITY_TYPE_NAME.get(self.security_type, 'Base')} {self.market}"


class Symbol(str):
    """A security's symbol. It *is* its upper-case ticker string (hashing, equality,
    printing), so ``slice["SPY"]`` finds ``slice[spy_symbol]`` at C speed; the security
    type, market and id ride along as attributes."""

    __slots__ = ("security_type", "market", "id")

    def __new__(
        cls, value: str, security_type: int = SecurityType.EQUITY, market: str = "usa"
    ) -> Symbol:
        self = super().__new__(cls, value.upper())
        self.security_type = security_type
        self.market = market
        self.id = SecurityIdentifier(str.__str__(self), security_type, market)
        return self

    @property
    def value(self) -> str:
        return str.__str__(self)

    @staticmethod
    def create(ticker: str, security_type: int, market: str) -> Symbol:
        """LEAN's ``Symbol.create(ticker, SecurityType.EQUITY, Market.USA)``."""
        return Symbol(ticker, security_type, market)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str.__eq__(self, other.upper() if not isinstance(other, Symbol) else other)
        return NotImplemented

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return str.__str__(self)
