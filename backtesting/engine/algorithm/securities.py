"""Adding and removing securities on QCAlgorithm (``add_equity``, ``add_forex``, ...).

Each add creates the Security with LEAN's default models for its type (Interactive
Brokers fees and the equity fill model for equities; zero fees and the immediate fill
model otherwise) and records the subscriptions the feed will load.
"""

from __future__ import annotations

from typing import Any

from backtesting.engine.brokerage.fees import (
    CoinbaseFeeModel,
    ConstantFeeModel,
    InteractiveBrokersFeeModel,
)
from backtesting.engine.brokerage.fills import FillModel, ImmediateFillModel
from backtesting.engine.data.enums import DataNormalizationMode, Market, Resolution, SecurityType
from backtesting.engine.data.symbol import Symbol
from backtesting.engine.data.symbol_properties import SymbolProperties
from backtesting.engine.feed.subscription import SubscriptionConfig
from backtesting.engine.portfolio.security import Security

#: LEAN's default leverage for equities in a margin account
EQUITY_LEVERAGE = 2.0
FOREX_LEVERAGE = 50.0


class UnknownSymbolError(KeyError):
    """A symbol the algorithm never added."""


class SecuritiesMixin:
    """Needs ``securities``, ``universe_settings``, ``_mhdb``, ``_spdb``, ``_subscriptions``."""

    # -- securities --------------------------------------------------------------------
    def add_equity(
        self,
        ticker: str,
        resolution: int | None = None,
        market: str = Market.USA,
        fill_forward: bool = True,
        leverage: float = 0.0,
        extended_market_hours: bool = False,
        data_normalization_mode: int | None = None,
        **_: Any,
    ) -> Security:
        """Subscribe to a US equity: minute, adjusted, regular hours and leverage 2 by default.

        Minute/second subscribe trade and quote bars; hour/daily subscribe trade bars only.
        """
        res = self.universe_settings.resolution if resolution is None else resolution
        mode = (
            self.universe_settings.data_normalization_mode
            if data_normalization_mode is None
            else data_normalization_mode
        )
        kinds = ["trade", "quote"] if res in (Resolution.SECOND, Resolution.MINUTE) else ["trade"]
        return self._add(
            Symbol(ticker, SecurityType.EQUITY, market),
            res,
            kinds,
            fill_forward,
            extended_market_hours,
            mode,
            leverage or EQUITY_LEVERAGE,
        )

    def add_forex(
        self,
        ticker: str,
        resolution: int | None = None,
        market: str = Market.OANDA,
        fill_forward: bool = True,
        leverage: float = 0.0,
        **_: Any,
    ) -> Security:
        res = self.universe_settings.resolution if resolution is None else resolution
        return self._add(
            Symbol(ticker, SecurityType.FOREX, market),
            res,
            ["quote"],
            fill_forward,
            False,
            DataNormalizationMode.RAW,
            leverage or FOREX_LEVERAGE,
        )

    def add_crypto(
        self,
        ticker: str,
        resolution: int | None = None,
        market: str = Market.COINBASE,
        fill_forward: bool = True,
        leverage: float = 0.0,
        **_: Any,
    ) -> Security:
        res = self.universe_settings.resolution if resolution is None else resolution
        return self._add(
            Symbol(ticker, SecurityType.CRYPTO, market),
            res,
            ["trade", "quote"],
            fill_forward,
            False,
            DataNormalizationMode.RAW,
            leverage or 1.0,
        )

    def add_security(
        self,
        security_type: int,
        ticker: str,
        resolution: int | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Security:
        if security_type == SecurityType.FOREX:
            return self.add_forex(ticker, resolution, *args, **kwargs)
        if security_type == SecurityType.CRYPTO:
            return self.add_crypto(ticker, resolution, *args, **kwargs)
        return self.add_equity(ticker, resolution, *args, **kwargs)

    def add_data(
        self, data_type: type, ticker: str, resolution: int | None = None, *_: Any, **__: Any
    ) -> Security:
        """Subscribe to a custom ``PythonData`` type (its ``get_source``/``reader`` decide the data)."""
        res = Resolution.DAILY if resolution is None else resolution
        symbol = Symbol(ticker, SecurityType.BASE, "usa")
        security = self._add(
            symbol,
            res,
            ["custom"],
            True,
            False,
            DataNormalizationMode.RAW,
            1.0,
            custom_type=data_type,
        )
        return security

    def _add(
        self,
        symbol: Symbol,
        resolution: int,
        kinds: list[str],
        fill_forward: bool,
        extended: bool,
        mode: int,
        leverage: float,
        custom_type: Any = None,
    ) -> Security:
        assert self._mhdb is not None and self._spdb is not None, (
            "the engine attaches data before initialize"
        )
        if symbol in self.securities:
            existing = self.securities[symbol]
            if getattr(existing, "removed", False):  # added back after a removal
                existing.removed, existing.is_tradable = False, True
                self._changes_added.append(existing)
            return existing
        hours = self._mhdb.get(symbol.security_type, symbol.market, symbol.value)
        props = (
            self._spdb.get(symbol.market, symbol.value, symbol.security_type)
            if symbol.security_type
            else SymbolProperties()
        )
        if symbol.security_type == SecurityType.EQUITY:
            fee, fill = InteractiveBrokersFeeModel(), FillModel()
        else:
            fee, fill = ConstantFeeModel(0), ImmediateFillModel()
        if self._brokerage_model is not None and hasattr(self._brokerage_model, "get_fee_model"):
            fee = self._brokerage_model.get_fee_model(symbol) or fee
        elif self.is_crypto_brokerage and symbol.security_type == SecurityType.CRYPTO:
            fee = CoinbaseFeeModel()
        security = Security(
            symbol,
            hours,
            props,
            resolution,
            leverage,
            fee,
            fill,
            None,
            mode,
            fill_forward,
            extended,
        )
        security.has_trade_data = "trade" in kinds
        security.has_quote_data = "quote" in kinds
        security.only_daily = resolution == Resolution.DAILY and not hours.always_open
        security._clock = lambda: self._time
        self.securities[symbol] = security
        security.holdings.on_position_change = self.portfolio.held_changed
        self.portfolio.securities_changed()
        self._changes_added.append(security)
        for kind in kinds:
            self._subscriptions.append(
                SubscriptionConfig(
                    symbol, resolution, kind, fill_forward, extended, mode, custom_type=custom_type
                )
            )
        if getattr(self, "_security_initializer", None) is not None:
            self._security_initializer(security)
        return security

    def remove_security(self, symbol: Any) -> bool:
        """Liquidate and stop the security's data from the next time step on."""
        security = self._security(symbol)
        self.liquidate(security.symbol)
        security.is_tradable = False
        security.removed = True
        self._changes_removed.append(security)
        return True

    def _security(self, symbol: Any) -> Security:
        """The security for a Symbol, a ticker string or a Security (LEAN accepts all three)."""
        if isinstance(symbol, Security):
            return symbol
        try:
            return self.securities[symbol]
        except KeyError:
            raise UnknownSymbolError(
                f"This asset symbol ({symbol}) was not found in your security list. "
                "Please add this security or check it exists before using it with 'self.securities.contains_key(\"{symbol}\")'"
            ) from None

    def symbol(self, ticker: str) -> Symbol:
        return self._security(ticker).symbol
