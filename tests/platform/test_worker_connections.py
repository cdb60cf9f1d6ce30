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
