import os

from AlgorithmImports import *


class CustomDataEquity(PythonData):
    """Reads LEAN's own daily equity zip: time from column 0, value = the raw scaled open."""

    def get_source(self, config, date, is_live):
        source = os.path.join(
            Globals.data_folder, "equity", "usa", "daily", f"{config.symbol.value.lower()}.zip"
        )
        return SubscriptionDataSource(source, SubscriptionTransportMedium.LOCAL_FILE)

    def reader(self, config, line, date, is_live):
        if not line or not line[0].isdigit():
            return None
        data = line.split(",")
        result = CustomDataEquity()
        result.symbol = config.symbol
        result.time = datetime.strptime(data[0], "%Y%m%d %H:%M")
        result.end_time = result.time + timedelta(days=1)
        result.value = float(data[1])
        return result


class HistoryAlgorithm(QCAlgorithm):
    """History requests of every shape in initialize, then buy and hold SPY daily."""

    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.DAILY)
        ibm = self.add_data(CustomDataEquity, "IBM", Resolution.DAILY)
        ibm.exchange = EquityExchange()
        self.daily_sma = SimpleMovingAverage(14)

        self.assert_rows(self.history(["SPY"], timedelta(365)), 250, "SPY 365 days")
        self.assert_rows(
            self.history(["SPY"], timedelta(1), Resolution.MINUTE), 390, "SPY 1 day minute"
        )
        self.assert_rows(self.history(["SPY"], 14), 14, "SPY 14 bars")
        self.assert_rows(self.history(["SPY"], 14, Resolution.MINUTE), 14, "SPY 14 minute bars")
        start = self.time - timedelta(1)
        self.assert_rows(
            self.history(["SPY"], start, self.time, Resolution.MINUTE, True, True), 960, "ff ext"
        )
        self.assert_rows(
            self.history(["SPY"], start, self.time, Resolution.MINUTE, False, True),
            919,
            "no ff ext",
        )
        self.assert_rows(
            self.history(["SPY"], start, self.time, Resolution.MINUTE, True, False), 390, "ff reg"
        )
        self.assert_rows(
            self.history(["SPY"], start, self.time, Resolution.MINUTE, False, False),
            390,
            "no ff reg",
        )

        for _, row in self.history(["SPY"], 14).loc["SPY"].iterrows():
            self.daily_sma.update(row.name, row["close"])

        self.assert_rows(
            self.history(CustomDataEquity, ["IBM"], timedelta(365)), 250, "IBM 365 days"
        )
        self.assert_rows(self.history(CustomDataEquity, ["IBM"], 14), 14, "IBM 14 bars")
        all_custom = self.history(CustomDataEquity, self.securities.keys(), 14)
        self.assert_rows(all_custom, 28, "all custom 14 bars")
        all_custom = self.history(CustomDataEquity, self.securities.keys(), timedelta(365))
        self.assert_rows(all_custom, 500, "all custom 365 days")
        ibm_rows = all_custom.loc["IBM"]
        self.assert_rows(ibm_rows, 250, "IBM rows")
        if len(ibm_rows["value"]) != 250:
            raise AssertionError("IBM value column")

    def assert_rows(self, frame, expected, what):
        if len(frame) != expected:
            raise AssertionError(f"{what}: expected {expected} rows, got {len(frame)}")

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
