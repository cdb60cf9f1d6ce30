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


class Symbol:
    """A security's symbol; hashes and compares like its upper-case ticker."""

    __slots__ = ("value", "security_type", "market", "id", "_hash")

    def __init__(self, value: str, security_type: int = SecurityType.EQUITY, market: str = "usa"):
        self.value = value.upper()
        self.security_type = security_type
        self.market = market
        self.id = SecurityIdentifier(self.value, security_type, market)
        self._hash = hash(self.value)

    @staticmethod
    def create(ticker: str, security_type: int, market: str) -> Symbol:
        """LEAN's ``Symbol.create(ticker, SecurityType.EQUITY, Market.USA)``."""
        return Symbol(ticker, security_type, market)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Symbol):
            return self.value == other.value and self.security_type == other.security_type
        if isinstance(other, str):
            return self.value == other.upper()
        return NotImplemented

    def __lt__(self, other: Symbol) -> bool:
        return str(self) < str(other)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)
