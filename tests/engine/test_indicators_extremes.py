"""Maximum and Minimum with periods since the extreme."""

from datetime import datetime, timedelta

from backtesting.engine.indicators import Maximum, Minimum

T0 = datetime(2024, 3, 1)


def run(indicator, values, attribute):
    out = []
    for i, value in enumerate(values):
        ready = indicator.update(T0 + timedelta(days=i), value)
        out.append((indicator.current.value, getattr(indicator, attribute), ready))
    return out


def test_maximum_searches_again_when_the_maximum_leaves_the_window():
    out = run(Maximum(3), [1, 3, 2, 0, -1, 5], "periods_since_maximum")
    assert out == [
        (1, 0, False),
        (3, 0, False),
        (3, 1, True),
        (3, 2, True),
        (2, 2, True),  # 3 fell out; window (-1, 0, 2): 2 is two periods back
        (5, 0, True),
    ]


def test_minimum_mirrors_maximum():
    out = run(Minimum(3), [5, 3, 4, 6, 7, 1], "periods_since_minimum")
    assert out == [
        (5, 0, False),
        (3, 0, False),
        (3, 1, True),
        (3, 2, True),
        (4, 2, True),
        (1, 0, True),
    ]


def test_ties_go_to_the_newest_value():
    maximum = Maximum("m", 2)
    run(maximum, [4, 4], "periods_since_maximum")
    assert maximum.periods_since_maximum == 0
    assert maximum.name == "m" and Maximum(5).name == "MAX(5)" and Minimum(5).name == "MIN(5)"


def test_reset_clears_periods_since():
    minimum = Minimum(2)
    run(minimum, [1, 2], "periods_since_minimum")
    minimum.reset()
    assert minimum.periods_since_minimum == 0 and minimum.samples == 0
