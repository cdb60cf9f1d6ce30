"""Securities (price cache, holdings) and the portfolio (cash, totals, fills)."""

from backtesting.engine.portfolio.portfolio import Portfolio
from backtesting.engine.portfolio.security import Security, SecurityCache, SecurityHolding

__all__ = ["Portfolio", "Security", "SecurityCache", "SecurityHolding"]
