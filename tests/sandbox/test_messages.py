"""A child that died without a result is explained from its return code."""

from __future__ import annotations

import pytest

from backtesting.sandbox import messages


@pytest.mark.parametrize(
    ("code", "cpu_used", "expected"),
    [
        (-9, 5.0, "The algorithm exceeded its CPU time limit of 5 seconds"),
        (-24, 4.2, "The algorithm exceeded its CPU time limit of 5 seconds"),
        (-9, 0.3, "most likely for exceeding the node's 1024 MB of memory"),
        (-11, 0.1, "segmentation fault"),
        (-31, 0.1, "forbidden system call"),
        (-6, 0.1, "aborted"),
        (-15, 0.1, "killed by signal 15"),
        (3, 0.1, "ended (exit code 3) without reporting a result"),
        (None, 0.0, "lost track"),
    ],
)
def test_exit_codes_map_to_sentences(code, cpu_used, expected):
    message = messages.exit_message(code, cpu_used=cpu_used, cpu_limit=5, memory_mb=1024)

    assert expected in message
