from AlgorithmImports import *


class ParameterizedAlgorithm(QCAlgorithm):
    """EMA crossover whose periods come from parameters."""

    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY")
        fast_period = self.get_parameter("ema-fast", 100)
        slow_period = self.get_parameter("ema-slow", 200)
        self.fast = self.ema("SPY", fast_period)
        self.slow = self.ema("SPY", slow_period)

    def on_data(self, data):
        if not self.fast.is_ready or not self.slow.is_ready:
            return
        fast = self.fast.current.value
        slow = self.slow.current.value
        if fast > slow * 1.001:
            self.set_holdings("SPY", 1)
        elif fast < slow * 0.999:
            self.liquidate("SPY")
