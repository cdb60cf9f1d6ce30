"""Dramatiq middleware of node workers: one hook set per class."""

from __future__ import annotations

import dramatiq
from dramatiq.middleware import Middleware


class SweeperMiddleware(Middleware):
    """Runs a :class:`~backtesting.sweeper.Sweeper` inside every worker process.

    Node workers are what can die, so the survivors sweep for the dead; the web server
    never has to run a scheduler.
    """

    def __init__(self) -> None:
        self._sweeper = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        from backtesting.sweeper import Sweeper

        self._sweeper = Sweeper()
        self._sweeper.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self._sweeper is not None:
            self._sweeper.stop()
            self._sweeper = None


def uses_pool(connection: object) -> bool:
    """Whether a Django connection takes its connections from psycopg's pool."""
    return bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))  # type: ignore[attr-defined]


class WorkerDbConnectionsMiddleware(Middleware):
    """Keeps each worker thread's database connection from one message to the next.

    django_dramatiq's middleware closes it around every message (``CONN_MAX_AGE`` is 0,
    as Django advises for the ASGI site), and opening a PostgreSQL connection costs about
    4 ms: more than the queries of a short optimization combination's claim. A worker
    thread is long-lived and synchronous, so it keeps its connection; before each message
    the connection is checked (one ``SELECT 1``) and replaced when it broke (a database
    restart) or was left outside autocommit, and every connection closes at shutdown.

    With PostgreSQL's connection pool (settings: ``DATABASE_POOL``) a connection costs
    nothing to take, and one kept between messages is a slot no other thread can have:
    there, each message's connections go back to the pool when it ends.
    """

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            if connection.connection is None:
                continue
            autocommit = connection.settings_dict["AUTOCOMMIT"]
            if connection.get_autocommit() != autocommit or not connection.is_usable():
                connection.close()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.Message,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            if uses_pool(connection):
                connection.close()  # (back to the pool)

    def after_skip_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        self.after_process_message(broker, message)

    def _close_all(self, *args: object, **kwargs: object) -> None:
        from django.db import connections

        connections.close_all()

    before_consumer_thread_shutdown = _close_all
    before_worker_thread_shutdown = _close_all
    before_worker_shutdown = _close_all
