"""PHP-style bracket keys, as the LEAN CLI's form-encoded ``projects/update`` sends them."""

from __future__ import annotations

import pytest

from backtesting.qcapi.parsing import BadRequest, unflatten


def test_indexed_brackets_become_lists_of_objects():
    items = [
        ("projectId", ["7"]),
        ("files[1][name]", ["b.py"]),
        ("files[0][name]", ["main.py"]),
        ("files[0][content]", ["x = 1"]),
        ("files[1][content]", [""]),
        ("parameters[0][key]", ["fast"]),
        ("parameters[0][value]", ["10"]),
    ]
    assert unflatten(items) == {
        "projectId": "7",
        "files": [{"name": "main.py", "content": "x = 1"}, {"name": "b.py", "content": ""}],
        "parameters": [{"key": "fast", "value": "10"}],
    }


def test_ten_or_more_items_keep_numeric_order():
    items = [(f"libraries[{i}]", [str(i)]) for i in (10, 2, 0, 1, 3, 4, 5, 6, 7, 8, 9)]
    assert unflatten(items) == {"libraries": [str(i) for i in range(11)]}


def test_named_brackets_stay_objects():
    assert unflatten([("parameters[fast]", ["10"])]) == {"parameters": {"fast": "10"}}


def test_a_malformed_key_is_refused():
    with pytest.raises(BadRequest):
        unflatten([("files[0", ["x"])])
    with pytest.raises(BadRequest):
        unflatten([("a", ["1"]), ("a[b]", ["2"])])
