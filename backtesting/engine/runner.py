"""The one composition function: algorithm + data + feed + brokerage + scheduler + results.

``run_algorithm`` wires LEAN's seams explicitly (no lookup by name) and runs the single
deterministic loop with LEAN's step order (LEAN_SEMANTICS 3.2):

1. fire scheduled events that fell before this step (midnight sampling, user events),
   each at its own time;
2. set the clock; push the step's real (non fill-forward) data into the price caches;
3. process pending orders against the new data;
4. fire scheduled events due now;
5. corporate actions (splits, dividends) -> portfolio, ``on_splits``/``on_dividends``;
6. consolidators and indicators; 7. ``on_data(slice)``; 8. intraday equity sampling.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from backtesting.engine.algorithm.qc_algorithm import QCAlgorithm
from backtesting.engine.brokerage.orders import MarketOnCloseOrder
from backtesting.engine.brokerage.transactions import order_event_payload
from backtesting.engine.loader import load_algorithm
from backtesting.engine.loop import fewer_young_collections, run_loop
from backtesting.engine.results.collector import ResultCollector
from backtesting.engine.results.report import final_statistics, runtime_statistics
from backtesting.engine.results.sink import Event, ResultSink
from backtesting.engine.scheduling.rules import DateRule, TimeRule
from backtesting.engine.setup_handler import build_feed

#: LEAN's default MarketOnCloseOrder.submission_time_buffer
DEFAULT_MOC_BUFFER = MarketOnCloseOrder.submission_time_buffer


class RunState:
    """What the CLI needs besides the result event: charts, orders, logs."""

    def __init__(self) -> None:
        self.collector: ResultCollector | None = None
        self.algorithm: QCAlgorithm | None = None


def run_algorithm(
    algorithm_type: type,
    *,
    data_dir: Path | str,
    sink: ResultSink,
    parameters: dict[str, str] | None = None,
    should_stop: Callable[[], bool] | None = None,
    state: RunState | None = None,
    max_orders: int | None = None,
    max_orders_message: str = "",
) -> dict:
    """Run one backtest of ``algorithm_type`` and return the final ``result`` event.

    Events go to ``sink`` as they happen; the ``result`` event is always emitted last.
    A user exception ends the run with status "RuntimeError" and a traceback naming the
    user's file and line; ``should_stop()`` returning True ends it as "Stopped".
    ``max_orders`` is the platform's order quota: the order past it is rejected and the run
    ends as a "RuntimeError" with ``max_orders_message``.
    """
    state = state or RunState()
    status, error, stack = "Completed", "", ""
    algorithm: QCAlgorithm | None = None
    collector: ResultCollector | None = None
    try:
        # LEAN settings that are class attributes start from their defaults in every run
        MarketOnCloseOrder.submission_time_buffer = DEFAULT_MOC_BUFFER
        algorithm = algorithm_type()
        algorithm.transactions.order_limit = max_orders
        algorithm.transactions.order_limit_message = max_orders_message
        algorithm._attach(Path(data_dir), parameters or {})
        algorithm._logger = lambda level, time, message: _log(state, sink, level, time, message)
        algorithm.initialize()
        if algorithm.end_date is None:
            algorithm.end_date = algorithm.start_date + timedelta(days=1)
        start = algorithm.start_date
        end = algorithm.end_date.replace(hour=23, minute=59, second=59, microsecond=999999)
        collector = ResultCollector(sink, start, algorithm.end_date)
        state.collector, state.algorithm = collector, algorithm
        status = _run_loop(algorithm, collector, Path(data_dir), sink, start, end, should_stop)
    except Exception as exc:  # user code failed: report it, never crash the host
        status = "RuntimeError"
        error = f"{type(exc).__name__}: {exc}"
        stack = _user_traceback(exc)
        if algorithm is not None and algorithm._logger is not None:
            algorithm.error(f"Runtime Error: {error}\n{stack}")
    statistics: dict[str, str] = {}
    runtime: dict[str, str] = {}
    if algorithm is not None and collector is not None:
        try:
            statistics = final_statistics(algorithm, collector, Path(data_dir))
            runtime = runtime_statistics(
                algorithm, collector, statistics.get("Probabilistic Sharpe Ratio", "0%")
            )
            algorithm.statistics.summary = statistics
        except Exception as exc:  # statistics must not hide the run's own outcome
            if status == "Completed":
                status, error, stack = (
                    "RuntimeError",
                    f"{type(exc).__name__}: {exc}",
                    traceback.format_exc(),
                )
    result: Event = {
        "type": "result",
        "status": status,
        "error": error,
        "stacktrace": stack,
        "statistics": statistics,
        "runtime_statistics": runtime,
    }
    sink.emit(result)
    return result


def run_modules(
    modules: dict[str, Any],
    *,
    data_dir: Path | str,
    sink: ResultSink,
    parameters: dict[str, str] | None = None,
    should_stop: Callable[[], bool] | None = None,
    state: RunState | None = None,
    main: str = "main",
    prepare: Callable[[type], type] | None = None,
    max_orders: int | None = None,
    max_orders_message: str = "",
) -> dict:
    """Load the project's compiled ``modules`` and run its algorithm (see ``run_algorithm``).

    Loading executes the user's module-level code, so an error there is the user's too: it
    ends as a "RuntimeError" result naming the file and line, like an error in ``initialize``.
    ``prepare`` may replace the loaded class (the sandbox subclasses it to time each step).
    """
    try:
        algorithm_type = load_algorithm(modules, main)
        if prepare is not None:
            algorithm_type = prepare(algorithm_type)
    except Exception as exc:  # user code failed at import time: report it the same way
        error = f"{type(exc).__name__}: {exc}"
        stack = _user_traceback(exc)
        result: Event = {
            "type": "result",
            "status": "RuntimeError",
            "error": error,
            "stacktrace": stack,
            "statistics": {},
            "runtime_statistics": {},
        }
        sink.emit(result)
        return result
    return run_algorithm(
        algorithm_type,
        data_dir=data_dir,
        sink=sink,
        parameters=parameters,
        should_stop=should_stop,
        state=state,
        max_orders=max_orders,
        max_orders_message=max_orders_message,
    )


def _log(state: RunState, sink: ResultSink, level: str, time: datetime, message: str) -> None:
    if state.collector is not None:
        state.collector.log(level, time, message)
    else:
        sink.emit({"type": "log", "time": time.isoformat(), "level": level, "message": message})


def _user_traceback(exc: BaseException) -> str:
    """The traceback without the engine's own frames above the user's first frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    engine = str(Path(__file__).resolve().parent)
    keep = [f for f in frames if not f.filename.startswith(engine)] or frames
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(keep)]
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def _run_loop(
    algorithm: QCAlgorithm,
    collector: ResultCollector,
    data_dir: Path,
    sink: ResultSink,
    start: datetime,
    end: datetime,
    should_stop: Callable[[], bool] | None,
) -> str:
    setup = build_feed(algorithm, data_dir, start, end)
    current = {"setup": setup}

    def benchmark_value() -> float:
        return float(current["setup"].benchmark_value())

    warm_start = setup.warm_up_start
    scheduler = algorithm._scheduler
    portfolio = algorithm.portfolio
    emit = sink.emit

    def report_order_event(event: Any, order: Any) -> None:
        emit(order_event_payload(event, order))

    algorithm._set_order_listener(report_order_event)
    algorithm._plot_listener = lambda chart, series, time, value: collector.chart(
        chart, series, time, value
    )

    def sample() -> None:
        if not algorithm.is_warming_up:
            collector.daily_sample(
                algorithm._time,
                portfolio.total_portfolio_value,
                benchmark_value(),
                portfolio.total_sale_volume,
            )

    scheduler.add(
        "Daily Sampling",
        DateRule("EveryDay", _every_day),
        TimeRule("Midnight", _midnight),
        sample,
        priority=0,
    )
    _schedule_end_of_day(algorithm)
    scheduler.begin(start.date(), end.date(), warm_start)

    algorithm.is_warming_up = warm_start < start
    if not algorithm.is_warming_up:
        collector.begin(portfolio.total_portfolio_value)
        algorithm.on_warmup_finished()  # LEAN calls it once even without a warm-up

    while True:
        with fewer_young_collections():
            status, last_time, resume_at = run_loop(
                algorithm, collector, current["setup"], sink, start, should_stop, runtime_statistics
            )
        if resume_at is None or status != "Completed":
            break
        # securities were added or removed: continue on a feed rebuilt from this instant
        current["setup"] = build_feed(algorithm, data_dir, start, end, resume=resume_at)
    algorithm._time = last_time
    if status == "Completed":
        algorithm.on_end_of_algorithm()
    if not algorithm.is_warming_up:
        collector.daily_sample(
            last_time,
            portfolio.total_portfolio_value,
            benchmark_value(),
            portfolio.total_sale_volume,
        )
    return status


def _every_day(first: Any, last: Any) -> list[Any]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _midnight(day: Any) -> list[datetime]:
    return [datetime(day.year, day.month, day.day)]


def _schedule_end_of_day(algorithm: QCAlgorithm) -> None:
    """``on_end_of_day(symbol)`` ten minutes before each security's close, if overridden."""
    if type(algorithm).on_end_of_day is QCAlgorithm.on_end_of_day:
        return
    for symbol in list(algorithm.securities.keys()):
        rule = algorithm.time_rules.before_market_close(symbol, 10)
        dates = algorithm.date_rules.every_day(symbol)
        algorithm._scheduler.add(
            f"EndOfDay {symbol}",
            dates,
            rule,
            lambda s=symbol: algorithm.on_end_of_day(s),
            priority=2,
        )
