"""LWMA, DEMA, TEMA, TRIMA and Hull by hand, and their MovingAverageType entries."""

from datetime import datetime, timedelta

import pytest

from backtesting.engine.indicators import (
    DoubleExponentialMovingAverage,
    HullMovingAverage,
    LinearWeightedMovingAverage,
    MovingAverageType,
    TriangularMovingAverage,
    TripleExponentialMovingAverage,
    as_indicator,
)

T0 = datetime(2024, 3, 1)


def feed(indicator, values):
    out = []
    for i, value in enumerate(values):
        ready = indicator.update(T0 + timedelta(days=i), value)
        out.append((indicator.current.value, ready))
    return out


def test_lwma_weights_the_newest_most():
    out = feed(LinearWeightedMovingAverage(3), [1, 2, 3, 4])
    assert [v for v, _ in out] == pytest.approx([0, 0, 14 / 6, 20 / 6])
    assert [r for _, r in out] == [False, False, True, True]


def test_dema_by_hand():
    dema = DoubleExponentialMovingAverage(2)
    out = feed(dema, [1, 2, 3, 4])
    # EMA(2): 0, 1.5, 2.5, 3.5; EMA of that from input 2: 0, 2, 3
    assert [v for v, _ in out] == pytest.approx([0, 3, 3, 4])
    assert [r for _, r in out] == [False, False, True, True]
    assert dema.warm_up_period == 3


def test_tema_by_hand():
    tema = TripleExponentialMovingAverage(2)
    out = feed(tema, [1, 2, 3, 4, 5])
    assert [v for v, _ in out] == pytest.approx([0, 0, 0, 4, 5])
    assert [r for _, r in out] == [False, False, False, True, True]
    assert tema.warm_up_period == 4


def test_trima_is_an_sma_of_an_sma():
    out = feed(TriangularMovingAverage(4), [2, 4, 6, 8])  # SMA(2) then SMA(3)
    assert [v for v, _ in out] == pytest.approx([2, 2.5, 10 / 3, 5])
    assert out[-1][1] is True and out[-2][1] is False


def test_hull_by_hand():
    hull = HullMovingAverage(4)  # LWMA(2) and LWMA(4), then LWMA(2) of 2 fast - slow
    out = feed(hull, [1, 2, 3, 4, 5])
    assert out[3] == (0, False)
    assert out[4] == (pytest.approx(5), True)
    assert hull.warm_up_period == 5
    with pytest.raises(ValueError):
        HullMovingAverage(1)


@pytest.mark.parametrize(
    "kind, cls",
    [
        (MovingAverageType.LINEAR_WEIGHTED_MOVING_AVERAGE, LinearWeightedMovingAverage),
        (MovingAverageType.DOUBLE_EXPONENTIAL, DoubleExponentialMovingAverage),
        (MovingAverageType.TRIPLE_EXPONENTIAL, TripleExponentialMovingAverage),
        (MovingAverageType.TRIANGULAR, TriangularMovingAverage),
        (MovingAverageType.HULL, HullMovingAverage),
    ],
)
def test_moving_average_types_build_them(kind, cls):
    indicator = as_indicator(kind, "n", 4)
    assert isinstance(indicator, cls) and indicator.name == "n"


def test_unsupported_types_say_so():
    with pytest.raises(NotImplementedError, match="KAMA"):
        as_indicator(MovingAverageType.KAMA, 10)
