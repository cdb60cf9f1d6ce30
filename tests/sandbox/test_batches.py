"""A batch handed to the platform keeps only the latest progress and runtime statistics."""

from backtesting.sandbox.supervisor import latest_only


def test_a_batch_keeps_the_last_progress_and_merges_runtime_statistics() -> None:
    batch = [
        {"type": "progress", "fraction": 0.01},
        {
            "type": "runtime_statistics",
            "values": {"Equity": "$1", "Probabilistic Sharpe Ratio": "5%"},
        },
        {"type": "chart", "chart": "Strategy Equity", "series": "Equity", "time": 1, "value": 1.0},
        {"type": "log", "message": "hello"},
        {"type": "progress", "fraction": 0.02},
        {"type": "runtime_statistics", "values": {"Equity": "$2"}},
        {"type": "chart", "chart": "Strategy Equity", "series": "Equity", "time": 2, "value": 2.0},
    ]
    assert latest_only(batch) == [
        batch[2],
        batch[3],
        {"type": "progress", "fraction": 0.02},
        {
            "type": "runtime_statistics",
            "values": {"Equity": "$2", "Probabilistic Sharpe Ratio": "5%"},
        },
        batch[6],
    ]
    assert batch[5] == {"type": "runtime_statistics", "values": {"Equity": "$2"}}  # not changed


def test_a_batch_without_such_events_is_passed_as_it_is() -> None:
    batch = [{"type": "log", "message": "a"}, {"type": "order_event", "order_id": 1}]
    assert latest_only(batch) == batch
