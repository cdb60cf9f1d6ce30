"""Subscriptions loaded into numpy, merged into time slices with fill-forward; history."""

from backtesting.engine.feed.subscription import Subscription, SubscriptionConfig
from backtesting.engine.feed.synchronizer import BacktestFeed, DataFeed, TimeSlice

__all__ = ["BacktestFeed", "DataFeed", "Subscription", "SubscriptionConfig", "TimeSlice"]
