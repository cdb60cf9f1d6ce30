"""The compiled running mean (indicators/_fastsma.c) against its Python original
(indicators/running_mean.py): the same observations for the same operations, and both
against the generic indicator protocol (the checks of test_fast_paths.py, run twice)."""

import copy
import pickle
import random
from datetime import datetime, timedelta

import pytest

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators import moving_averages, running_mean
from backtesting.engine.indicators.moving_averages import SimpleMovingAverage
from tests.engine import test_fast_paths as fast_paths
from tests.engine.helpers import trade_bar


def use_python(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moving_averages, "RUNNING_MEAN", running_mean.RunningMean)
    for name, read in moving_averages.PYTHON_READS.items():
        monkeypatch.setattr(SimpleMovingAverage, name, read)


@pytest.fixture(params=["compiled", "python"])
def implementation(request, monkeypatch) -> str:
    if request.param == "python":
        use_python(monkeypatch)
    return request.param


def test_the_install_built_the_compiled_running_mean():
    # Without a C compiler averages silently run the Python original: this suite must say so.
    assert running_mean.CompiledRunningMean is not None, "indicators/_fastsma.c was not built"
    assert moving_averages.RUNNING_MEAN is running_mean.CompiledRunningMean
    assert type(SimpleMovingAverage(3)._mean) is running_mean.CompiledRunningMean


@pytest.mark.parametrize(
    "check",
    [
        fast_paths.test_sma_fast_path_matches_the_generic_protocol_including_late_inputs_and_events,
        fast_paths.test_rolling_sum_built_late_has_the_state_it_would_have_had_and_stays_in_step,
        fast_paths.test_raw_sma_reads_and_later_state_match_the_generic_protocol,
        fast_paths.test_raw_sma_fires_updated_with_the_point_current_returns,
        fast_paths.test_sma_fed_a_bar_first_then_points_keeps_its_sum,
        fast_paths.test_sma_fast_path_repeated_point_object_is_counted_once,
    ],
    ids=lambda check: check.__name__.removeprefix("test_"),
)
def test_both_follow_the_indicator_protocol(implementation, check):
    check()


def _point(p):
    return None if p is None else (p.symbol, p.time, p.end_time, p.value, p.is_fill_forward)


def _trace(seed: int) -> list:
    """Random operations on an average, and what an algorithm would see after each."""
    rng = random.Random(seed)
    sma = SimpleMovingAverage(rng.choice([1, 2, 3, 5, 8]))
    feed = sma._close_feed()
    fired: list = []
    sma.updated += lambda sender, point: fired.append(_point(point))
    start, minute, seen = datetime(2020, 1, 1), 0, []
    repeated = IndicatorDataPoint(start, 1.0)
    leaves = seed % 2 == 0  # half the traces leave raw mode after step 150
    for step in range(300):
        op = rng.random()
        minute += rng.choice([1, 1, 1, 2, -3])  # now and then a late input
        moment = start + timedelta(minutes=minute)
        value = round(100 + rng.gauss(0, 2), rng.choice([2, 4, 10]))
        if op < 0.45:
            feed(moment, value)  # the engine's path
        elif op < 0.6:
            sma.update(moment, value)
        elif op < 0.7:
            repeated = IndicatorDataPoint(moment, value)
            sma.update(repeated)
        elif op < 0.75:
            sma.update(repeated)  # the same point again
        elif op < 0.78:
            sma.update(moment, int(value))  # an int value
        elif op < 0.8:
            sma.reset()
        elif op < 0.82 and leaves and step > 150:
            seen.append([_point(p) for p in sma.window])  # leaves raw mode for good
        elif op < 0.84 and leaves and step > 200:
            seen.append((sma.rolling_sum.current.value, sma.rolling_sum.samples))
        elif op < 0.86 and leaves and step > 220:
            sma.update(trade_bar(moment, value, value, value, value))  # a bar: generic path
        if rng.random() < 0.6:  # reads every few steps, some outputs are never read
            seen.append(fast_paths._read_state(sma))
    seen.append(fired)
    seen.append([_point(p) for p in sma])
    seen.append(sma._raw)
    return seen


@pytest.mark.parametrize("seed", range(12))
def test_compiled_and_python_see_the_same_values(monkeypatch, seed):
    compiled = _trace(seed)
    with monkeypatch.context() as patch:
        use_python(patch)
        python = _trace(seed)
    assert compiled == python
    assert len(compiled) > 150


def test_the_traces_stay_raw_for_a_while_and_some_leave_it():
    # a check of the check: both modes are covered by the seeds above
    ends = [_trace(seed)[-1] for seed in range(12)]
    assert any(ends) and not all(ends)


def test_a_copied_or_pickled_average_goes_on_like_the_original(implementation):
    sma = SimpleMovingAverage(4)
    feed = sma._close_feed()
    start = datetime(2020, 1, 1)
    for i in range(6):
        feed(start + timedelta(minutes=i), 100.0 + i)
    copies = [copy.deepcopy(sma), pickle.loads(pickle.dumps(sma))]
    for i in range(6, 12):
        for each in (sma, *copies):
            each._close_feed()(start + timedelta(minutes=i), 100.0 + i * i % 7)
    for each in copies:
        assert each._mean is not sma._mean
        assert fast_paths._read_state(each) == fast_paths._read_state(sma)
        assert [_point(p) for p in each.window] == [_point(p) for p in sma.window]


def test_the_compiled_reads_behave_as_properties():
    sma = SimpleMovingAverage(2)
    with pytest.raises(AttributeError, match="has no setter"):
        sma.current = 5
    with pytest.raises(AttributeError, match="has no setter"):
        sma.is_ready = True
    assert SimpleMovingAverage.current is SimpleMovingAverage.__dict__["current"]
    with pytest.raises(TypeError):
        SimpleMovingAverage.__dict__["current"].__get__(object(), object)
    with pytest.raises(TypeError):
        running_mean.CompiledRunningMean(object(), 3)  # only an average owns one


CROSSOVER = """
from AlgorithmImports import *

class Cross(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.spy = self.add_equity("SPY", Resolution.MINUTE).symbol
        self.fast, self.slow = self.sma(self.spy, 5), self.sma(self.spy, 20)

    def on_data(self, data):
        if not self.slow.is_ready:
            return
        if self.fast.current.value > self.slow.current.value:
            if not self.portfolio.invested:
                self.set_holdings(self.spy, 1)
        elif self.portfolio.invested:
            self.liquidate(self.spy)
"""


def _run_crossover(data_dir) -> dict:
    from backtesting.engine.loader import compile_sources, load_algorithm
    from backtesting.engine.results.sink import MemorySink
    from backtesting.engine.runner import run_algorithm

    sink = MemorySink()
    result = run_algorithm(
        load_algorithm(compile_sources({"main.py": CROSSOVER})), data_dir=data_dir, sink=sink
    )
    assert result["status"] == "Completed", result.get("stacktrace")
    orders = [e for e in sink.events if e["type"] == "order_event"]
    return {"statistics": result["statistics"], "orders": orders}


def test_a_minute_backtest_gives_the_same_results_with_either_running_mean(
    lean_data_dir, monkeypatch
):
    compiled = _run_crossover(lean_data_dir)
    pushes = []

    class CountedRunningMean(running_mean.RunningMean):
        __slots__ = ()

        def push(self, *args):
            pushes.append(1)
            super().push(*args)

    with monkeypatch.context() as patch:
        use_python(patch)
        patch.setattr(moving_averages, "RUNNING_MEAN", CountedRunningMean)
        python = _run_crossover(lean_data_dir)
    assert len(pushes) > 2 * 4 * 390  # both averages, every minute, in Python
    assert len(compiled["orders"]) > 20
    assert compiled == python
