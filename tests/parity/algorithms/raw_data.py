from AlgorithmImports import *

RAW_CLOSES = [1158.72, 1131.97, 1114.28, 1120.15, 1114.51, 1134.89, 1135.1, 571.50, 545.25, 540.63]


class RawGooglAlgorithm(QCAlgorithm):
    """GOOGL daily in raw prices across the April 2014 share-class split; all in."""

    def initialize(self):
        self.set_start_date(2014, 3, 25)
        self.set_end_date(2014, 4, 7)
        self.set_cash(100000)
        self.universe_settings.data_normalization_mode = DataNormalizationMode.RAW
        self.googl = self.add_equity("GOOGL", Resolution.DAILY).symbol
        self.expected = list(RAW_CLOSES)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings(self.googl, 1)
        if data.bars.contains_key(self.googl):
            expected = self.expected.pop(0)
            if data.bars[self.googl].close != expected:
                raise AssertionError(f"raw close {data.bars[self.googl].close} != {expected}")
