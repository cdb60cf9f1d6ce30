"""Where the engine sends what it produces: the ResultSink seam and its in-memory form."""

from backtesting.engine.results.sink import MemorySink, ResultSink

__all__ = ["MemorySink", "ResultSink"]
