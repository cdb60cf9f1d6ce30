"""Grid expansion at the edges of min/max/step, integer and float steps."""

import pytest

from backtesting.optimization.grid import MAX_COMBINATIONS, GridError, axis_values, expand


@pytest.mark.parametrize(
    ("low", "high", "step", "values"),
    [
        (1, 10, 3, [1, 4, 7, 10]),  # the last step lands exactly on max
        (1, 10, 4, [1, 5, 9]),  # max is not a step: the grid stops below it
        (5, 5, 1, [5]),  # min == max: one value
        (1, 3, 5, [1]),  # a step wider than the range: only min
        (-2, 2, 2, [-2, 0, 2]),
        (0.1, 0.5, 0.1, [0.1, 0.2, 0.3, 0.4, 0.5]),  # no float drift past 0.3 or 0.5
        (0, 1, 0.25, [0.0, 0.25, 0.5, 0.75, 1.0]),
        (1.5, 2.9, 0.5, [1.5, 2.0, 2.5]),
        ("10", "20", "5", [10, 15, 20]),  # strings from a form are numbers too
    ],
)
def test_axis_values_cover_min_to_max_by_step(low, high, step, values) -> None:
    assert axis_values(low, high, step) == values


def test_whole_numbers_stay_integers_and_a_float_step_gives_floats() -> None:
    assert all(isinstance(v, int) for v in axis_values(1, 9, 2))
    assert all(isinstance(v, float) for v in axis_values(1, 2, 0.5))


@pytest.mark.parametrize(
    ("low", "high", "step", "message"),
    [
        (1, 10, 0, "step must be greater than 0"),
        (1, 10, -1, "step must be greater than 0"),
        (10, 1, 1, "max must not be less than"),
        ("x", 1, 1, "must be a number"),
        (0, 10_000, 1, "at most"),
    ],
)
def test_invalid_ranges_are_refused_with_a_reason(low, high, step, message) -> None:
    with pytest.raises(GridError, match=message):
        axis_values(low, high, step, "fast")


def test_expand_is_the_product_with_the_first_parameter_varying_slowest() -> None:
    grid = expand(
        [
            {"name": "a", "min": 1, "max": 2, "step": 1},
            {"name": "b", "min": 0.5, "max": 1, "step": 0.5},
        ]
    )
    assert grid == [
        {"a": 1, "b": 0.5},
        {"a": 1, "b": 1.0},
        {"a": 2, "b": 0.5},
        {"a": 2, "b": 1.0},
    ]


def test_three_parameters_multiply_and_a_fourth_is_refused() -> None:
    three = [{"name": n, "min": 1, "max": 3, "step": 1} for n in "abc"]
    assert len(expand(three)) == 27
    with pytest.raises(GridError, match="at most 3"):
        expand([*three, {"name": "d", "min": 1, "max": 1, "step": 1}])


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ([], "at least one"),
        ([{"name": "a", "min": 1, "max": 2, "step": 1}] * 2, "different"),
        ([{"name": " ", "min": 1, "max": 2, "step": 1}], "needs a name"),
        (
            [{"name": n, "min": 1, "max": 100, "step": 1} for n in "ab"],
            f"at most {MAX_COMBINATIONS}",
        ),
    ],
)
def test_invalid_grids_are_refused(parameters, message) -> None:
    with pytest.raises(GridError, match=message):
        expand(parameters)
