"""RollingWindow: LEAN's newest-first ordering, readiness and removal bookkeeping."""

import pytest

from backtesting.engine.data.bars import TradeBar
from backtesting.engine.indicators import RollingWindow


def test_index_zero_is_the_newest_and_iteration_runs_newest_to_oldest():
    window = RollingWindow(3)
    for item in [1, 2, 3, 4]:
        window.add(item)
    assert [window[0], window[1], window[2]] == [4, 3, 2]
    assert list(window) == [4, 3, 2]
    assert window[-1] == 2  # negative indexes count from the oldest
    assert (window.count, window.size, window.samples) == (3, 3, 4)
    assert window.most_recently_removed == 1


def test_ready_once_size_items_were_added():
    window = RollingWindow(2)
    window.add("a")
    assert not window.is_ready and window.count == 1 and window[1] is None
    window.add("b")
    assert window.is_ready


def test_most_recently_removed_raises_until_something_fell_off():
    window = RollingWindow(2)
    window.add(1)
    window.add(2)
    with pytest.raises(RuntimeError, match="No items have been removed yet"):
        _ = window.most_recently_removed


def test_generic_subscription_returns_the_class():
    window = RollingWindow[TradeBar](5)
    assert type(window) is RollingWindow and window.size == 5
    assert RollingWindow[float] is RollingWindow


def test_reading_past_the_size_grows_the_window_like_lean():
    window = RollingWindow(2)
    window.add(1)
    assert window[4] is None
    assert window.size == 5


def test_shrinking_keeps_the_newest_items():
    window = RollingWindow(4)
    for item in range(6):
        window.add(item)
    window.size = 2
    assert list(window) == [5, 4]


def test_setting_an_index_pads_with_empty_items():
    window = RollingWindow(3)
    window[2] = "x"
    assert list(window) == [None, None, "x"] and window.samples == 3
    window[0] = "y"
    assert window[0] == "y"


def test_reset_clears_items_and_samples_but_keeps_the_size():
    window = RollingWindow(2)
    window.add(1)
    window.reset()
    assert (window.count, window.samples, window.size, window.is_ready) == (0, 0, 2, False)
    assert bool(window) is True


def test_negative_size_is_refused():
    with pytest.raises(ValueError):
        RollingWindow(-1)


def test_slices_read_newest_first():
    window = RollingWindow(4)
    for item in range(6):
        window.add(item)
    assert window[0:2] == [5, 4] and window[:] == [5, 4, 3, 2]
