from AlgorithmImports import *


class MovingAverageRibbonAlgorithm(QCAlgorithm):
    """Six delayed copies (5, 10, ... 30 days) of a 15-day SMA: long while the ribbon is ordered."""

    def initialize(self):
        self.set_start_date(2009, 1, 1)
        self.set_end_date(2015, 1, 1)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.sma = SimpleMovingAverage(15)
        self.ribbon = []
        for i in range(6):
            delayed = IndicatorExtensions.of(Delay(5 * (i + 1)), self.sma)
            self.register_indicator(self.spy, delayed, Resolution.DAILY)
            self.ribbon.append(delayed)
        self.previous = datetime.min

    def on_data(self, data):
        if not data.get(self.spy):
            return
        if not all(x.is_ready for x in self.ribbon) or self.previous.date() == self.time.date():
            return
        values = [x.current.value for x in self.ribbon]
        quantity = self.portfolio[self.spy].quantity
        if quantity <= 0 and all(a >= b for a, b in zip(values, values[1:], strict=False)):
            self.set_holdings(self.spy, 1.0)
        elif quantity > 0 and all(a <= b for a, b in zip(values, values[1:], strict=False)):
            self.liquidate(self.spy)
        self.previous = self.time
