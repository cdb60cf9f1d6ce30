"""QCAlgorithm: the class users subclass, with LEAN's snake_case Python API.

The engine (``runner.run_algorithm``) attaches the data folder, then calls
``initialize()``; after that it drives time and calls ``on_data(slice)`` at each step.
Everything a user method touches (securities, portfolio, transactions, time) lives here.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from backtesting.engine.algorithm.indicator_helpers import (
    IndicatorHelpersMixin,
    SubscriptionManager,
)
from backtesting.engine.algorithm.securities import (
    SecuritiesMixin,
)
from backtesting.engine.algorithm.trading import (
    FREE_PORTFOLIO_VALUE_PERCENTAGE,
    MINIMUM_ORDER_MARGIN_PORTFOLIO_PERCENTAGE,
    TradingMixin,
)
from backtesting.engine.brokerage.fees import (
    CRYPTO_BROKERAGES,
)
from backtesting.engine.brokerage.orders import OrderProperties
from backtesting.engine.brokerage.transactions import TransactionManager
from backtesting.engine.data.enums import DataNormalizationMode, Market, Resolution, SecurityType
from backtesting.engine.data.market_hours import MarketHoursDatabase
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.data.symbol_properties import SymbolPropertiesDatabase
from backtesting.engine.feed.subscription import SubscriptionConfig
from backtesting.engine.portfolio.portfolio import Portfolio
from backtesting.engine.portfolio.security import Security
from backtesting.engine.scheduling.rules import DateRules, TimeRules
from backtesting.engine.scheduling.scheduler import BacktestScheduler, ScheduledEvent


class Globals:
    """LEAN's ``Globals.data_folder``: the data folder of the current run."""

    data_folder = ""
    DataFolder = ""


class SecurityManager(dict):
    """``self.securities``: Security by Symbol (ticker strings work too)."""

    def contains_key(self, key: Any) -> bool:
        return key in self

    ContainsKey = contains_key


class AlgorithmSettings:
    def __init__(self) -> None:
        self.free_portfolio_value_percentage = FREE_PORTFOLIO_VALUE_PERCENTAGE
        self.minimum_order_margin_portfolio_percentage = MINIMUM_ORDER_MARGIN_PORTFOLIO_PERCENTAGE
        self.stale_price_time_span = timedelta(hours=1)
        self.daily_precise_end_time = True
        self.warmup_resolution: Any = None
        self.seed_initial_prices = False


class UniverseSettings:
    def __init__(self) -> None:
        self.resolution = Resolution.MINUTE
        self.fill_forward = True
        self.extended_market_hours = False
        self.leverage = 0.0
        self.data_normalization_mode = DataNormalizationMode.ADJUSTED


class SecurityChanges:
    """What ``on_securities_changed`` receives: securities added and removed."""

    def __init__(self, added: list[Any], removed: list[Any]) -> None:
        self.added_securities = added
        self.removed_securities = removed

    def __repr__(self) -> str:
        return f"SecurityChanges(added={[s.symbol for s in self.added_securities]})"


class StatisticsSummary:
    """``self.statistics.summary`` (final statistics, filled at the end of the run)."""

    def __init__(self) -> None:
        self.summary: dict[str, str] = {}
        self.custom: dict[str, str] = {}


class ScheduleManager:
    """``self.schedule.on(date_rule, time_rule, callback)``."""

    def __init__(self, scheduler: BacktestScheduler, algorithm: QCAlgorithm) -> None:
        self._scheduler = scheduler
        self._algorithm = algorithm

    def on(self, date_rule: Any, time_rule: Any, callback: Any, *args: Any) -> ScheduledEvent:
        if isinstance(date_rule, str):  # on(name, date_rule, time_rule, callback)
            name, date_rule, time_rule, callback = date_rule, time_rule, callback, args[0]
        else:
            name = f"{date_rule.name}: {time_rule.name}"

        def fire() -> None:
            try:
                callback()
            except TypeError as exc:
                if "positional argument" not in str(exc):
                    raise
                callback(name, self._algorithm.time)

        return self._scheduler.add(name, date_rule, time_rule, fire, priority=1)

    def remove(self, event: ScheduledEvent) -> None:
        self._scheduler.remove(event)

    On = on


class QCAlgorithm(SecuritiesMixin, TradingMixin, IndicatorHelpersMixin):
    """Base class of every algorithm. Override ``initialize`` and ``on_data``."""

    def __init__(self) -> None:
        self._data_dir: Path | None = None
        self._time = datetime(1998, 1, 1)
        self.start_date = datetime(1998, 1, 1)
        self.end_date: datetime | None = None
        self.securities = SecurityManager()
        self.portfolio = Portfolio(self.securities)
        self.settings = AlgorithmSettings()
        self.universe_settings = UniverseSettings()
        self._scheduler = BacktestScheduler()
        self.schedule = ScheduleManager(self._scheduler, self)
        self.date_rules = DateRules(self._hours_for)
        self.time_rules = TimeRules(self._hours_for)
        self.transactions = TransactionManager(
            self.portfolio, self.securities, lambda: self._time, self._order_event
        )
        self.statistics = StatisticsSummary()
        self.default_order_properties = OrderProperties()
        self.runtime_statistics: dict[str, str] = {}
        self.is_warming_up = False
        self.name = type(self).__name__
        self.live_mode = False
        self._parameters: dict[str, str] = {}
        self._subscriptions: list[SubscriptionConfig] = []
        self.subscription_manager = SubscriptionManager(self._subscriptions)
        self._data_handlers: dict[Any, list[Any]] = {}
        #: per symbol, the same handlers as ``feed_close(end_time, close)`` functions when
        #: every one of them needs only the close (the loop then builds no bar for them)
        self._close_feeds: dict[Any, list[Any] | None] = {}
        self._benchmark: Any = "SPY"
        self._warm_up: Any = None
        self._warned_moo = False
        self._quit = False
        self._logger: Any = None
        self._order_listener: Any = None
        self._plot_listener: Any = None
        self._history_provider: Any = None
        self._mhdb: MarketHoursDatabase | None = None
        self._spdb: SymbolPropertiesDatabase | None = None
        self._brokerage_model: Any = None
        # securities added/removed since the loop last looked (LEAN's SecurityChanges)
        self._changes_added: list[Security] = []
        self._changes_removed: list[Security] = []

    # -- engine wiring -----------------------------------------------------------
    def _attach(self, data_dir: Path, parameters: dict[str, str]) -> None:
        self._data_dir = Path(data_dir)
        Globals.data_folder = Globals.DataFolder = str(self._data_dir)
        self._parameters = dict(parameters)
        self._mhdb = MarketHoursDatabase.from_data_dir(self._data_dir)
        self._spdb = SymbolPropertiesDatabase.from_data_dir(self._data_dir)
        from backtesting.engine.feed.history import HistoryProvider

        self._history_provider = HistoryProvider(self._data_dir, self)

    def _hours_for(self, symbol: Any) -> Any:
        if symbol is None:
            return MarketHoursDatabase.always_open_hours()
        return self._security(symbol).exchange_hours

    def _order_event(self, event: Any, order: Any) -> None:
        if self._order_listener is not None:
            self._order_listener(event, order)
        self.on_order_event(event)

    def _set_order_listener(self, listener: Any) -> None:
        """The engine's listener of every order event (the result sink). When the
        algorithm does not override ``on_order_event``, the transaction manager calls the
        listener directly: two calls fewer for each of the two events of every order."""
        self._order_listener = listener
        own_hook = "on_order_event" in vars(self)
        if own_hook or type(self).on_order_event is not QCAlgorithm.on_order_event:
            self.transactions._on_event = self._order_event
        else:
            self.transactions._on_event = listener

    # -- the user's hooks (LEAN calls these) --------------------------------------
    def initialize(self) -> None:
        """Set dates, cash and securities. Called once before any data."""

    def on_data(self, data: Any) -> None:
        """Called at every time step with data, after pending orders were processed."""

    def on_order_event(self, order_event: Any) -> None:
        """Called for each order event (submitted, filled, canceled...)."""

    def on_end_of_day(self, symbol: Any = None) -> None:
        """Called near each day's close for every security."""

    def on_end_of_algorithm(self) -> None:
        """Called once after the last time step."""

    def on_warmup_finished(self) -> None:
        """Called once when warm-up ends."""

    def on_securities_changed(self, changes: Any) -> None:
        """Called when securities are added or removed."""

    def on_splits(self, splits: Any) -> None:
        """Called with the step's splits before on_data."""

    def on_dividends(self, dividends: Any) -> None:
        """Called with the step's dividends before on_data."""

    def on_delistings(self, delistings: Any) -> None:
        """Called with the step's delistings before on_data."""

    def on_margin_call_warning(self) -> None:
        """Called when margin is running low."""

    # -- time and settings ---------------------------------------------------------
    @property
    def time(self) -> datetime:
        return self._time

    @property
    def utc_time(self) -> datetime:
        from backtesting.engine.clock import to_utc

        return to_utc(self._time)

    def set_start_date(self, year: Any, month: int | None = None, day: int | None = None) -> None:
        self.start_date = _to_datetime(year, month, day)
        self._time = self.start_date

    def set_end_date(self, year: Any, month: int | None = None, day: int | None = None) -> None:
        self.end_date = _to_datetime(year, month, day)

    def set_cash(self, currency_or_amount: Any, amount: float | None = None, *_: Any) -> None:
        self.portfolio.set_cash(amount if amount is not None else currency_or_amount)

    def set_time_zone(self, time_zone: str) -> None:
        if time_zone not in ("America/New_York", "US/Eastern"):
            raise NotImplementedError("only the America/New_York algorithm time zone is supported")

    def set_benchmark(self, benchmark: Any) -> None:
        self._benchmark = benchmark

    def set_brokerage_model(self, model: Any, account_type: Any = None) -> None:
        """``BrokerageName.COINBASE`` (or GDAX, Binance, ...) switches crypto fees to
        Coinbase's, the benchmark to BTCUSD and the statistics to 365 trading days."""
        if isinstance(model, str):
            self._brokerage_name = model
            if model in CRYPTO_BROKERAGES and self._benchmark == "SPY":
                self._benchmark = Symbol("BTCUSD", SecurityType.CRYPTO, Market.COINBASE)
        else:
            self._brokerage_model = model

    @property
    def is_crypto_brokerage(self) -> bool:
        return getattr(self, "_brokerage_name", "") in CRYPTO_BROKERAGES

    @property
    def trading_days_per_year(self) -> int:
        return 365 if self.is_crypto_brokerage else 252

    def set_warm_up(self, period: Any, resolution: Any = None) -> None:
        self._warm_up = (period, resolution)

    set_warmup = set_warm_up

    def set_security_initializer(self, initializer: Any) -> None:
        self._security_initializer = initializer

    def set_parameters(self, parameters: dict[str, str]) -> None:
        self._parameters.update(parameters)

    def get_parameter(self, name: str, default_value: Any = None) -> Any:
        """A ``--parameter`` value; converted to the type of ``default_value`` when given."""
        value = self._parameters.get(name)
        if value is None:
            return default_value
        if isinstance(default_value, bool):
            return value.lower() in ("1", "true", "yes")
        if isinstance(default_value, int):
            return int(float(value))
        if isinstance(default_value, float):
            return float(value)
        return value

    def quit(self, message: str = "") -> None:
        if message:
            self.debug(message)
        self._quit = True

    # -- logging and charts -----------------------------------------------------------
    def debug(self, message: Any) -> None:
        self._emit_log("debug", message)

    def log(self, message: Any) -> None:
        self._emit_log("log", message)

    def error(self, message: Any) -> None:
        self._emit_log("error", message)

    Debug, Log, Error = debug, log, error

    def _emit_log(self, level: str, message: Any) -> None:
        if self._logger is not None:
            self._logger(level, self._time, str(message))

    def plot(self, chart: str, series: Any, value: Any = None) -> None:
        """``plot(chart, series, value)`` or ``plot(chart, indicator, ...)``."""
        if value is None and hasattr(series, "current"):
            value, series = series.current.value, series.name
        value = float(value)
        if not math.isfinite(value):  # NaN/inf would not survive the JSON event stream
            return
        if self._plot_listener is not None:
            self._plot_listener(str(chart), str(series), self._time, value)

    def plot_indicator(self, chart: str, *indicators: Any) -> None:
        """Plot each indicator's value on ``chart`` whenever it updates and is ready."""
        for indicator in indicators:
            if isinstance(indicator, bool):  # LEAN's optional wait_for_ready flag
                continue

            def on_update(_sender: Any, point: Any, ind: Any = indicator) -> None:
                if ind.is_ready:
                    self.plot(chart, ind.name, float(point.value))

            indicator.updated += on_update

    def record(self, series: str, value: float) -> None:
        self.plot("Custom", series, value)

    def set_runtime_statistic(self, name: str, value: Any) -> None:
        self.runtime_statistics[name] = str(value)

    def set_summary_statistic(self, name: str, value: Any) -> None:
        self.statistics.custom[name] = str(value)

    # -- history -------------------------------------------------------------------------
    def history(self, *args: Any, **kwargs: Any) -> Any:
        """LEAN's ``history(...)``: a pandas DataFrame indexed by (symbol, time)."""
        if self._history_provider is None:
            raise RuntimeError("history is not available before the engine starts")
        return self._history_provider.request(self, *args, **kwargs)

    # -- misc LEAN surface -----------------------------------------------------------
    @property
    def benchmark(self) -> Any:
        return self._benchmark

    def set_name(self, name: str) -> None:
        self.name = name

    def add_chart(self, chart: Any) -> None:
        """Charts are created on first plot; explicit declarations are accepted and ignored."""

    def set_alpha(self, *_: Any) -> None:
        """Framework models are not supported; accepted for compatibility."""


def _to_datetime(year: Any, month: int | None, day: int | None) -> datetime:
    if isinstance(year, datetime):
        return year
    if isinstance(year, date):
        return datetime(year.year, year.month, year.day)
    return datetime(int(year), int(month or 1), int(day or 1))
