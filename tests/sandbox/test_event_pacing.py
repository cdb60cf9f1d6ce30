"""Progress pacing in the child, and batches that keep only the latest progress."""

from backtesting.sandbox.pacing import ProgressPacing
from backtesting.sandbox.supervisor import latest_only


def test_progress_is_due_at_first_and_then_once_the_interval_passed() -> None:
    now = [100.0]
    emitted: list[dict] = []

    class Sink:
        def emit(self, event: dict) -> None:
            emitted.append(event)

    pacing = ProgressPacing(Sink(), seconds=0.25, clock=lambda: now[0])
    answers = []
    for _ in range(12):  # asked every 0.1 s
        answers.append(pacing.progress_due())
        now[0] += 0.1
    assert answers == [True, False, False] * 4  # 0.0, 0.3, 0.6 and 0.9 s
    pacing.emit({"type": "log", "message": "x"})
    assert emitted == [{"type": "log", "message": "x"}]


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
