"""The QCAlgorithm facade users subclass."""

from backtesting.engine.algorithm.qc_algorithm import QCAlgorithm
from backtesting.engine.algorithm.trading import PortfolioTarget

__all__ = ["PortfolioTarget", "QCAlgorithm"]
