"""A worker thread's database connection between messages: kept without a pool (opening
one costs a few milliseconds), given back with one (a kept slot is one no thread can have;
worker threads that kept theirs for good ran the suite's pool of 20 dry)."""

import threading

import pytest

from backtesting.middleware import WorkerDbConnectionsMiddleware, uses_pool


@pytest.mark.django_db(transaction=True)
def test_a_worker_thread_keeps_its_connection_only_without_a_pool():
    from django.db import connection

    after_message: list[bool] = []

    def worker_thread() -> None:
        connection.ensure_connection()
        WorkerDbConnectionsMiddleware().after_process_message(None, None)  # type: ignore[arg-type]
        after_message.append(connection.connection is not None)
        connection.close()

    thread = threading.Thread(target=worker_thread)
    thread.start()
    thread.join()
    assert after_message == [not uses_pool(connection)]


@pytest.mark.django_db(transaction=True)
def test_the_run_monitor_keeps_its_connection_between_looks_only_without_a_pool(monkeypatch):
    """The heartbeat thread looks at its backtest five times a second for the whole run;
    with a pool, each look takes a connection and gives it back."""
    import time

    from django.db import connection

    from backtesting import execution, services

    open_on_entry: list[bool] = []

    def look(*, backtest_id: int) -> bool:
        open_on_entry.append(connection.connection is not None)
        connection.ensure_connection()
        return False

    monkeypatch.setattr(services, "heartbeat", look)
    monkeypatch.setattr(services, "stop_requested", look)
    monkeypatch.setattr(execution, "STOP_POLL_SECONDS", 0.01)
    with execution.RunMonitor(1):
        deadline = time.monotonic() + 10
        while len(open_on_entry) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert open_on_entry[:3] == [False] + [not uses_pool(connection)] * 2
