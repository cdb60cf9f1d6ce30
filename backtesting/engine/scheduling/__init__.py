"""Date rules, time rules and the scheduler (LEAN's real-time handler in a backtest)."""

from backtesting.engine.scheduling.rules import DateRule, DateRules, TimeRule, TimeRules
from backtesting.engine.scheduling.scheduler import BacktestScheduler, ScheduledEvent, Scheduler

__all__ = [
    "BacktestScheduler",
    "DateRule",
    "DateRules",
    "ScheduledEvent",
    "Scheduler",
    "TimeRule",
    "TimeRules",
]
