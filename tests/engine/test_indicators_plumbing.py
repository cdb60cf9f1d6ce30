"""Identity, Delay, IndicatorExtensions, composites, the updated event and Python operators."""

from datetime import datetime, timedelta

import pytest

from backtesting.engine.data.bars import IndicatorDataPoint
from backtesting.engine.indicators import (
    CompositeIndicator,
    Delay,
    ExponentialMovingAverage,
    FunctionalIndicator,
    Identity,
    IndicatorExtensions,
    IndicatorResult,
    IndicatorStatus,
    Maximum,
    SimpleMovingAverage,
)

T0 = datetime(2024, 3, 1)


def at(i):
    return T0 + timedelta(days=i)


def test_identity_repeats_and_is_ready_after_one_sample():
    identity = Identity("id")
    assert not identity.is_ready
    assert identity.update(at(0), 7.5) is True
    assert identity.current.value == 7.5 and identity.warm_up_period == 1


def test_delay_outputs_the_input_period_steps_back():
    delay = Delay(2)
    out = [(delay.update(at(i), v), delay.current.value) for i, v in enumerate([1, 2, 3, 4])]
    assert out == [(False, 1), (False, 1), (True, 1), (True, 2)]
    assert delay.warm_up_period == 3 and delay.name == "DELAY(2)"


def test_of_pipes_only_ready_values_by_default():
    # LEAN's own Python test: first = SMA(2), second = Delay(1)
    first, second = SimpleMovingAverage(2), Delay(1)
    assert IndicatorExtensions.of(second, first) is second
    first.update(IndicatorDataPoint(at(0), 1))
    assert not first.is_ready and second.current.value == 0
    first.update(IndicatorDataPoint(at(1), 2))
    assert first.is_ready and not second.is_ready and second.current.value == 1.5
    first.update(IndicatorDataPoint(at(2), 3))
    assert second.is_ready and second.current.value == 1.5
    first.update(IndicatorDataPoint(at(3), 4))
    assert second.current.value == 2.5


def test_of_without_waiting_forwards_warm_up_values():
    ema = ExponentialMovingAverage(2)
    identity = IndicatorExtensions.of(Identity("i"), ema, False)
    ema.update(at(0), 10)
    assert identity.samples == 1 and identity.current.value == 0  # EMA's warm-up zero


def test_multi_chain_sma_of_a_delay():
    identity, delay = Identity("identity"), Delay(2)
    sma = IndicatorExtensions.sma(IndicatorExtensions.of(delay, identity), 2)
    for i, v in enumerate([1, 2, 3, 4]):
        identity.update(at(i), v)
    assert delay.is_ready and sma.is_ready
    assert sma.current.value == 1.5 and sma.name == "SMA2_Of_DELAY(2)"


def test_ema_and_max_of_an_indicator():
    identity = Identity("x")
    ema = IndicatorExtensions.ema(identity, 2)
    maximum = IndicatorExtensions.max(identity, 2)
    minimum = IndicatorExtensions.min(identity, 2)
    for i, v in enumerate([1, 3, 2]):
        identity.update(at(i), v)
    assert ema.current.value == pytest.approx(2 * 2 / 3 + 2 / 3)
    assert maximum.current.value == 3 and minimum.current.value == 2
    assert isinstance(maximum, Maximum) and ema.name == "EMA2_Of_x"


def test_arithmetic_composites_wait_for_both_sides():
    left, right = Identity("l"), Identity("r")
    total = IndicatorExtensions.plus(left, right)
    difference = IndicatorExtensions.minus(left, right, "diff")
    product = IndicatorExtensions.times(left, right)
    ratio = IndicatorExtensions.over(left, right)
    left.update(at(0), 6)
    assert total.samples == 0  # right has no new value yet
    right.update(at(0), 3)
    assert (total.current.value, difference.current.value) == (9, 3)
    assert (product.current.value, ratio.current.value) == (18, 2)
    assert difference.name == "diff" and total.name == "COMPOSE(l,r)"
    assert total.is_ready and total.current.time == at(0)


def test_composites_with_constants_update_with_one_side():
    value = Identity("v")
    doubled = IndicatorExtensions.times(value, 2)
    shifted = IndicatorExtensions.plus(value, 0.5)
    value.update(at(0), 4)
    assert doubled.current.value == 8 and shifted.current.value == 4.5
    assert doubled.right.name == "2" and shifted.right.name == "0.5"


def test_division_by_zero_keeps_the_previous_value():
    numerator, denominator = Identity("n"), Identity("d")
    ratio = IndicatorExtensions.over(numerator, denominator)
    numerator.update(at(0), 1)
    denominator.update(at(0), 4)
    numerator.update(at(1), 3)
    denominator.update(at(1), 0)
    assert ratio.current.value == 0.25 and ratio.samples == 2


def test_weighted_by():
    value, weight = Identity("Value"), Identity("Weight")
    weighted = IndicatorExtensions.weighted_by(value, weight, 4)
    for i, item in enumerate(range(1, 11)):
        value.update(at(i), 2 * item)
        weight.update(at(i), item)
    window = [10, 9, 8, 7]
    assert weighted.current.value == pytest.approx(sum(2 * x * x for x in window) / sum(window))


def test_custom_composite_and_functional_indicator():
    left, right = Identity("a"), Identity("b")
    spread = CompositeIndicator(
        "spread", left, right, lambda a, b: IndicatorResult(a.current.value - b.current.value)
    )
    square = FunctionalIndicator("sq", lambda p: p.value**2, lambda ind: ind.samples > 1)
    left.update(at(0), 5)
    right.update(at(0), 2)
    square.update(at(0), 3)
    assert spread.current.value == 3 and square.current.value == 9 and not square.is_ready


def test_updated_event_subscribe_and_unsubscribe():
    sma = SimpleMovingAverage(2)
    seen = []

    def handler(sender, point):
        seen.append((sender, point.value, point.time))

    sma.updated += handler
    sma.update(at(0), 2)
    sma.updated -= handler
    sma.update(at(1), 4)
    assert seen == [(sma, 2.0, at(0))]


def test_output_history_and_previous():
    sma = SimpleMovingAverage(1)
    assert sma.previous.value == 0 and sma.current.time == datetime.min
    sma.update(at(0), 5)
    sma.update(at(1), 6)
    assert sma[0].value == 6 and sma[1].value == 5 and sma.previous.value == 5
    assert sma.window.size == 2 and [p.value for p in sma] == [6, 5]
    sma.window.size = 3
    sma.update(at(2), 7)
    assert [p.value for p in sma] == [7, 6, 5]


def test_comparisons_float_and_string_use_the_current_value():
    fast, slow = SimpleMovingAverage(1), SimpleMovingAverage(1)
    fast.update(at(0), 2.5)
    slow.update(at(0), 1)
    assert fast > slow and slow < fast and fast >= 2.5 and fast <= 3 and 2 < fast
    assert fast == 2.5 and fast != 2 and fast != slow and fast == fast
    assert float(fast) == 2.5
    assert str(fast) == "2.5" and str(slow) == "1.0"
    third = SimpleMovingAverage(3)
    third.update(at(0), 1 / 3)
    assert str(third) == "0.33333"
    assert len({fast, slow}) == 2


def test_status_values_match_lean():
    assert [s.name for s in IndicatorStatus] == [
        "SUCCESS",
        "INVALID_INPUT",
        "MATH_ERROR",
        "VALUE_NOT_READY",
    ]
