"""``make bench``: engine throughput against backtrader and backtesting.py, plus platform figures."""
