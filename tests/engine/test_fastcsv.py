"""The compiled CSV parser agrees with numpy's on everything it accepts, and turns down
(returns None for) everything that is not rows of plain decimals, so the readers fall
back to numpy's parser there."""

import math

import numpy as np
import pytest

from backtesting.engine.data import readers


@pytest.fixture
def fastcsv():
    # The test install builds it (setup.py); without a C compiler it would be missing and
    # the readers would silently run at numpy's speed, which this suite must not hide.
    assert readers._fastcsv is not None, "backtesting/engine/data/_fastcsv was not built"
    return readers._fastcsv


def parsed(fastcsv, text: bytes, ncols: int):
    out = fastcsv.parse(text, ncols)
    return None if out is None else np.frombuffer(out).reshape(-1, ncols)


def test_every_sample_minute_file_parses_as_numpy_parses_it(fastcsv, lean_data_dir):
    compared = 0
    for path in sorted(lean_data_dir.glob("*/*/minute/*/*.zip")):
        kind = path.stem.rsplit("_", 1)[-1]
        if kind not in ("trade", "quote"):
            continue
        text = readers._member_text(str(path)).strip()
        ncols = 6 if kind == "trade" else 11
        fast = parsed(fastcsv, text, ncols)
        if fast is None:  # long decimals (crypto sizes) are numpy's
            continue
        slow = readers._parse_numeric_with_numpy(text, ncols, "equity" in path.parts)
        assert slow is not None and np.array_equal(fast, slow, equal_nan=True), path
        compared += 1
    assert compared > 100


@pytest.mark.parametrize(
    ("text", "ncols", "expected"),
    [
        (b"0,1,2\n60000,3,4", 3, [[0, 1, 2], [60000, 3, 4]]),
        (b"0,1.5,-2.25\r\n1,,0.1", 3, [[0, 1.5, -2.25], [1, math.nan, 0.1]]),
        (b"1,2,3\n\n", 3, [[1, 2, 3]]),  # trailing line ends
        (b"5,,\n6,7,", 3, [[5, math.nan, math.nan], [6, 7, math.nan]]),  # absent sides
        (b"9007199254740992,0.0000000000000000000001", 2, [[2.0**53, 1e-22]]),
    ],
)
def test_plain_rows_parse_to_the_values_python_reads(fastcsv, text, ncols, expected):
    assert np.array_equal(parsed(fastcsv, text, ncols), np.array(expected), equal_nan=True)


@pytest.mark.parametrize(
    ("text", "ncols"),
    [
        (b"1,2\n3,4,5", 2),  # a row with too many fields
        (b"1,2,3\n4,5", 3),  # ... and too few
        (b"1,2\n\n3,4", 2),  # an empty line inside
        (b"1,2e3", 2),  # exponents
        (b"1,2.3.4", 2),  # two points
        (b"1, 2", 2),  # spaces
        (b"1,-", 2),  # a lone sign
        (b"1,24.426957669999997", 2),  # more digits than a double holds exactly
        (b"1,9007199254740993", 2),
        (b"", 2),
    ],
)
def test_anything_else_is_left_to_numpy(fastcsv, text, ncols):
    assert fastcsv.parse(text, ncols) is None


def test_the_readers_parse_long_decimals_through_numpy():
    matrix = readers._parse_numeric(b"0,24.426957669999997\n60000,1.5", 2, integers=False)
    assert matrix.tolist() == [[0.0, 24.426957669999997], [60000.0, 1.5]]


def _pandas_rows(path, ncols, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(readers, "_fastcsv", None)
        readers._read_csv_cached.cache_clear()
        rows = readers._read_csv_cached(str(path), ncols)
    readers._read_csv_cached.cache_clear()
    return rows


def test_every_sample_daily_and_hour_file_reads_as_pandas_reads_it(
    fastcsv, lean_data_dir, monkeypatch
):
    compared = 0
    for path in sorted(lean_data_dir.glob("*/*/*/*.zip")):
        if path.parent.name not in ("daily", "hour"):
            continue
        for ncols in (6, 11):  # trade or quote: the other width is left to pandas
            fast = readers._read_dated_compiled(str(path), ncols)
            if fast is None:
                continue
            slow = _pandas_rows(path, ncols, monkeypatch)
            assert np.array_equal(fast.times, slow.times), path
            assert np.array_equal(fast.days, slow.days), path
            assert np.array_equal(fast.values, slow.values, equal_nan=True), path
            assert not fast.values.flags.writeable  # shared through the cache
            compared += 1
    assert compared > 20


@pytest.mark.parametrize(
    ("stamp", "seconds"),
    [
        (b"19700101 00:00", 0),
        (b"20131007 16:00", 1381161600),
        (b"20120229 09:30", 1330507800),  # a leap day
        (b"20000229 00:00", 951782400),  # 2000 is a leap year
        (b"19691231 23:59", -60),
    ],
)
def test_a_stamp_is_seconds_since_the_epoch(fastcsv, stamp, seconds):
    parsed = np.frombuffer(fastcsv.parse_dated(stamp + b",1.5", 2)).tolist()
    assert parsed == [seconds, 1.5]


@pytest.mark.parametrize(
    "stamp",
    [
        b"20130229 00:00",  # no leap day in 2013
        b"19000229 00:00",  # nor in 1900
        b"20131307 00:00",
        b"20131032 00:00",
        b"20131007 24:00",
        b"20131007 10:60",
        b"2013-10-07 00:00",
        b"20131007 0:00",
        b"20131007T00:00",
        b"20131007 00:00:00",
        b"20131007",
    ],
)
def test_anything_but_a_plain_stamp_is_left_to_pandas(fastcsv, stamp):
    assert fastcsv.parse_dated(stamp + b",1", 2) is None
