"""Run one claimed backtest in the sandbox: the worker side of DESIGN.md steps 3-5.

The actor calls :func:`execute_backtest`; it claims the backtest, hands the artifact to the
sandbox, stores the events the child streams, heartbeats, relays stop requests, and records
how the run ended. Nothing here parses engine events beyond storing them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from backtesting import services
from backtesting.middleware import uses_pool
from backtesting.models import Backtest, Optimization

logger = logging.getLogger(__name__)

#: seconds between two reads of the stop flag (the sandbox polls ``should_stop`` faster).
STOP_POLL_SECONDS = 0.2
#: engine events a worker holds in memory while the database is unreachable. Past the
#: bound the writer stops returning to the sandbox until the database answers: the sandbox
#: stops reading the child's pipe, the child blocks on its next write, and the run pauses
#: instead of dropping lines (see :class:`EventWriter`).
MAX_BUFFERED_EVENTS = 50_000
#: seconds between two attempts to reach an unreachable database.
RETRY_SECONDS = 0.5
#: what a restarted or unreachable database raises (the connection is then dropped).
DATABASE_ERRORS = (OperationalError, InterfaceError)

#: a ``result`` event's status -> the backtest's (anything else is a runtime error)
RESULT_STATUSES = {"Completed": Backtest.Status.COMPLETED, "Stopped": Backtest.Status.STOPPED}

T = TypeVar("T")


def _outage_started(since: float | None, what: str) -> float:
    """Log a database error, drop the broken connection, and raise once the outage is too long.

    Django reconnects on the next query only when the old connection is closed; a psycopg
    connection the server terminated would otherwise fail every query until the process ends.
    """
    logger.warning("database unreachable while %s; retrying", what, exc_info=True)
    try:
        connection.close()
    except DATABASE_ERRORS:
        pass
    now = time.monotonic()
    if since is not None and now - since > settings.DATABASE_OUTAGE_SECONDS:
        raise
    return since if since is not None else now


def with_database_retry(call: Callable[[], T], what: str) -> T:
    """Run ``call``, retrying through a database outage of up to DATABASE_OUTAGE_SECONDS."""
    since: float | None = None
    while True:
        try:
            return call()
        except DATABASE_ERRORS:
            since = _outage_started(since, what)
            time.sleep(RETRY_SECONDS)


class EventWriter:
    """The sandbox's ``on_events``: stores batches in order, each exactly once.

    Each batch is written with the ``last_seq`` the worker last saw (a conditional write,
    :func:`services.record_events`), so retrying a batch whose COMMIT succeeded but whose
    answer was lost stores nothing twice. While the database is unreachable (a restart),
    batches wait in memory and the run goes on; up to :data:`MAX_BUFFERED_EVENTS` events.
    Past that bound the writer blocks, retrying, which pauses the run (back-pressure through
    the child's pipe); nothing is dropped. An outage longer than DATABASE_OUTAGE_SECONDS
    raises, and the run ends as a runtime error (or, with the database still gone, the
    sweeper reports the node lost).
    """

    def __init__(self, backtest_id: int, last_seq: int) -> None:
        self.backtest_id = backtest_id
        self.last_seq = last_seq
        self.pending: deque[list[dict[str, Any]]] = deque()
        self.buffered = 0
        self._failing_since: float | None = None

    def __call__(self, events: list[dict[str, Any]]) -> None:
        if events:
            self.pending.append(list(events))
            self.buffered += len(events)
        self.flush(block=self.buffered > MAX_BUFFERED_EVENTS)

    def flush(self, *, block: bool = True) -> bool:
        """Write pending batches in order; without ``block``, give up at the first error."""
        while self.pending:
            try:
                self._write(self.pending[0])
            except DATABASE_ERRORS:
                self._failing_since = _outage_started(
                    self._failing_since, f"storing events of backtest {self.backtest_id}"
                )
                if not block:
                    return False
                time.sleep(RETRY_SECONDS)
                continue
            self._failing_since = None
            self.buffered -= len(self.pending.popleft())
        return True

    def _write(self, batch: list[dict[str, Any]]) -> None:
        stored = services.record_events(
            backtest_id=self.backtest_id, events=batch, after_seq=self.last_seq
        )
        if stored:
            self.last_seq = stored[-1]["seq"]
        else:  # already stored by an attempt whose answer was lost, or all dropped by quota
            self.last_seq = (
                Backtest.objects.filter(pk=self.backtest_id)
                .values_list("last_seq", flat=True)
                .get()
            )


class RunMonitor:
    """A thread that heartbeats the backtest and caches its stop flag for ``should_stop``.

    The sandbox calls ``should_stop`` from its own loop several times a second; answering
    from a cached flag keeps database access off that loop and in one thread.
    """

    def __init__(
        self, backtest_id: int | None, waiting: Callable[[], list[int]] | None = None
    ) -> None:
        #: the running backtest watched (a batch moves it from run to run; None: none yet)
        self.backtest_id = backtest_id
        #: a batch's rows still queued behind the running one: each heartbeat marks them
        #: as waiting on a live worker, so the sweeper does not send them elsewhere
        self._waiting = waiting
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"backtest-{backtest_id}-monitor", daemon=True
        )

    def __enter__(self) -> RunMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def should_stop(self) -> bool:
        """The sandbox's poll: True once a stop was requested or the run ended elsewhere."""
        return self._stop.is_set()

    def watch(self, backtest_id: int | None) -> None:
        """A batch's next run: watch its backtest (its claim has just stamped it); None
        before a run is finished, so that its end is not read as a stop of the next."""
        self.backtest_id = backtest_id

    def _run(self) -> None:
        beat_every = max(1, round(settings.HEARTBEAT_INTERVAL_SECONDS / STOP_POLL_SECONDS))
        tick = 0
        # With a pool, the connection goes back after each look: kept for the whole run it
        # would be a slot no request or worker thread could take, one per running backtest
        pooled = uses_pool(connection)
        try:
            # (the first look one poll after the start: the claim has just stamped the
            # heartbeat, and a run that ends sooner, like most optimization combinations,
            # then needs no connection of its own)
            while not self._done.wait(STOP_POLL_SECONDS):
                backtest_id = self.backtest_id
                if backtest_id is None:
                    continue
                try:
                    if tick % beat_every == 0:
                        wanted = services.heartbeat(backtest_id=backtest_id)
                        if self._waiting is not None:
                            services.keep_queued(backtest_ids=self._waiting())
                    else:
                        wanted = services.stop_requested(backtest_id=backtest_id)
                except Exception:  # a database hiccup must not end the run; the next tick retries
                    logger.exception("monitor of backtest %s failed", self.backtest_id)
                    connection.close()  # reconnect on the next tick (after a restart)
                    wanted = False
                if pooled:
                    connection.close()
                if wanted and backtest_id == self.backtest_id:
                    self._stop.set()
                tick += 1
        finally:
            connection.close()


def sandbox_limits(backtest: Backtest) -> Any:
    """The node model's (or the optimization node type's) RAM and cores plus the time limit."""
    from backtesting.sandbox import SandboxLimits

    model = backtest.node.model if backtest.node else None
    if model is None and backtest.optimization_id:  # a combination: the optimization node type
        model = backtest.optimization.node_model
    return SandboxLimits(
        memory_mb=(model.ram_gb if model else 8) * 1024,
        cores=min(model.cores if model else 1, os.cpu_count() or 1),
        cpu_seconds=settings.BACKTEST_MAX_SECONDS,
        wall_seconds=settings.BACKTEST_MAX_SECONDS,
        step_seconds=settings.BACKTEST_STEP_MAX_SECONDS,
    )


def run_in_sandbox(
    backtest: Backtest,
    on_events: Callable[[list[dict[str, Any]]], object],
    should_stop: Callable[[], bool],
) -> tuple[str, str | None]:
    """Run the backtest's artifact in a sandboxed child; returns ``(status, error)``.

    The one seam between the platform and ``backtesting.sandbox`` (tests replace it).
    """
    from backtesting.sandbox import run_sandboxed

    job = sandbox_job(backtest, parameters=_text(backtest.parameters))
    outcome = run_sandboxed(
        job,
        on_events=on_events,
        should_stop=should_stop,
        on_done=_combination_done(backtest, list(job.warm)) if backtest.optimization_id else None,
    )
    return outcome.status, outcome.error


def sandbox_job(backtest: Backtest, **fields: Any) -> Any:
    """The sandbox job of ``backtest``'s artifact with its limits, order quota and shared
    data; ``fields`` add the parameters (or a batch's runs)."""
    from backtesting.sandbox import SandboxJob

    return SandboxJob(
        artifact=bytes(backtest.artifact.blob),
        data_dir=str(settings.DATA_DIR),
        limits=sandbox_limits(backtest),
        warm=tuple(shared_data_files(backtest)),
        **order_quota(backtest),
        **fields,
    )


def _text(parameters: dict[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in parameters.items()}


def _combination_done(backtest: Backtest, warm: list) -> Callable[[Any], None]:
    """When a combination's child has done its work: keep the data it parsed for the next
    ones (the first run), then free its slot. The next combination then starts while this one's
    last events and its end are stored: that database work runs beside the next child,
    not between two children."""

    def child_done(outcome: Any) -> None:
        from backtesting.optimization.services import combination_done

        try:
            if outcome.data_files and not warm:
                Optimization.objects.filter(pk=backtest.optimization_id).update(
                    data_files=outcome.data_files
                )
            combination_done(backtest_id=backtest.pk, optimization_id=backtest.optimization_id)
        except Exception:  # the slot is freed again when the combination finishes
            logger.exception("dispatch after combination %s was done failed", backtest.pk)

    return child_done


def run_batch_in_sandbox(
    backtests: list[Backtest],
    on_run: Callable[[int], bool],
    on_events: Callable[[list[dict[str, Any]]], object],
    should_stop: Callable[[], bool],
    on_done: Callable[[Any], None],
) -> None:
    """Run a batch of one optimization's combinations in one sandboxed child, in order.

    The batch's seam between the platform and ``backtesting.sandbox`` (tests replace it):
    ``on_run(i)`` before combination ``i`` (False declines it, which ends the batch), then
    its events, the last its ``result``; ``on_done`` once the child's work is over.
    """
    from backtesting.sandbox import run_sandboxed

    job = sandbox_job(
        backtests[0], parameters={}, runs=tuple(_text(b.parameters) for b in backtests)
    )
    run_sandboxed(job, on_events=on_events, should_stop=should_stop, on_done=on_done, on_run=on_run)


def order_quota(backtest: Backtest) -> dict[str, Any]:
    """The tier's order quota for the engine, which rejects the order past it and ends the
    run with the sentence the platform would store (backtesting.services.ORDER_QUOTA_ERROR)."""
    from backtesting.services import ORDER_QUOTA_ERROR

    tier = backtest.organization.tier
    if tier.orders_per_backtest is None:
        return {}
    return {
        "max_orders": tier.orders_per_backtest,
        "max_orders_message": ORDER_QUOTA_ERROR.format(
            limit=tier.orders_per_backtest, tier=tier.name
        ),
    }


def shared_data_files(backtest: Backtest) -> list:
    """The data reads an earlier combination of the same optimization made (none for a
    plain backtest): the sandbox parses them once and forks this run with them loaded.
    (The claim loaded the optimization row, after the combination before stored them.)"""
    if not backtest.optimization_id:
        return []
    return list(backtest.optimization.data_files or [])


class CombinationBatch:
    """The worker side of a batch: claims each combination as the child reaches it, stores
    its events, and finishes it at its ``result``, while the child already runs the next.

    A combination the child never reached (it died, or one combination was stopped) and
    that is still queued is sent again as a batch of its own, unless the batch ended on a
    combination it could not claim (whoever holds that one holds the rest; the sweeper
    re-sends what nobody holds). One the child reached always ends, with the child's
    result or the worker's error.
    """

    def __init__(self, backtests: list[Backtest]) -> None:
        self.backtests = backtests
        self.monitor = RunMonitor(None, waiting=self.waiting)
        self.index = -1  # the combination under way
        self.writer: EventWriter | None = None  # its events' writer; None: none under way
        self.reached = 0  # how many combinations the child announced
        #: a combination was not queued any more when the child reached it: another worker
        #: runs this batch too (a duplicate message), or the optimization was aborted
        self.declined = False

    def waiting(self) -> list[int]:
        return [b.pk for b in self.backtests[self.index + 1 :]]

    def run(self) -> None:
        try:
            with self.monitor:
                run_batch_in_sandbox(
                    self.backtests, self.start, self.events, self.monitor.should_stop, self.done
                )
        except BaseException as exc:  # noqa: B036  # as execute_backtest: end the run, then re-raise interrupts
            logger.exception("batch %s failed in the worker", [b.pk for b in self.backtests])
            # (a batch that failed before its first combination ends that one: each attempt
            # then ends at least one, and sending the rest again cannot go on for ever)
            if self.writer is not None or (self.reached == 0 and self.start(0)):
                self._finish(
                    Backtest.Status.RUNTIME_ERROR,
                    "The worker failed to run the backtest:\n" + traceback.format_exc(),
                )
            if not isinstance(exc, Exception):
                raise
        finally:
            self._send_unreached()

    def start(self, index: int) -> bool:
        """The child starts combination ``index``: claim it (False: it is not ours to run)."""
        self.index, self.reached = index, index + 1
        backtest_id = self.backtests[index].pk
        claimed = with_database_retry(
            lambda: services.claim_backtest(backtest_id=backtest_id, worker=worker_name()),
            f"claiming backtest {backtest_id}",
        )
        if claimed is None:
            self.declined = True
            return False
        self.writer = EventWriter(backtest_id, claimed.last_seq)
        self.monitor.watch(backtest_id)
        return True

    def events(self, events: list[dict[str, Any]]) -> None:
        if self.writer is None:
            return  # a declined combination's (its child is being stopped)
        self.writer(events)
        for event in events:
            if event.get("type") == "result":
                status = RESULT_STATUSES.get(event.get("status"), Backtest.Status.RUNTIME_ERROR)
                error = None if status == Backtest.Status.COMPLETED else event.get("error")
                self._finish(status, None if error is None else str(error))

    def done(self, outcome: Any) -> None:
        """The child's work is over: the optimization may give its node to the next batch,
        unless the child ended before the last combination (the rest of the batch is sent
        again, and holds the node until it ends)."""
        if self.index < len(self.backtests) - 1:
            return
        backtest = self.backtests[self.index]
        _combination_done(backtest, shared_data_files(backtest))(outcome)

    def _finish(self, status: str, error: str | None) -> None:
        writer, self.writer = self.writer, None
        assert writer is not None
        self.monitor.watch(None)
        writer.flush()
        with_database_retry(
            lambda: services.finish_backtest(
                backtest_id=writer.backtest_id, status=status, error=error
            ),
            f"finishing backtest {writer.backtest_id}",
        )

    def _send_unreached(self) -> None:
        rest = [b.pk for b in self.backtests[self.reached :]]
        if rest and not self.declined:
            with_database_retry(
                lambda: services.send_queued_batch(backtest_ids=rest),
                "sending a batch's combinations again",
            )


def execute_combinations(*, backtest_ids: list[int]) -> None:
    """Run a batch of one optimization's combinations (queued rows, in this order) in one
    sandboxed child; rows no longer queued are left out (a duplicate message runs none)."""
    backtests = list(
        Backtest.objects.filter(pk__in=backtest_ids, status=Backtest.Status.QUEUED)
        .select_related("artifact", "optimization__node_model", "organization__tier")
        .order_by("pk")
    )
    if backtests:
        CombinationBatch(backtests).run()


def worker_name() -> str:
    """ "host:pid:thread" of this worker, stored on the backtest for operators."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def execute_backtest(*, backtest_id: int) -> Backtest | None:
    """Claim, run and finish one backtest; None when it was not queued (already claimed).

    Steps: 1. claim queued -> running (a duplicate message stops here); 2. run the artifact
    in the sandbox with the node's limits, storing each batch of events as it arrives;
    3. record the outcome and release the node, even when the sandbox itself failed.
    """
    backtest = services.claim_backtest(backtest_id=backtest_id, worker=worker_name())
    if backtest is None:
        return None
    writer = EventWriter(backtest_id, backtest.last_seq)
    try:
        with RunMonitor(backtest_id) as monitor:
            status, error = run_in_sandbox(backtest, writer, monitor.should_stop)
        writer.flush()
    except BaseException as exc:  # noqa: B036  # Dramatiq's time limit and shutdown interrupt are BaseExceptions
        logger.exception("backtest %s failed in the worker", backtest_id)
        status = Backtest.Status.RUNTIME_ERROR
        error = "The worker failed to run the backtest:\n" + traceback.format_exc()
        interrupted = None if isinstance(exc, Exception) else exc
    else:
        interrupted = None
    if status not in (Backtest.Status.COMPLETED, Backtest.Status.STOPPED):
        status = Backtest.Status.RUNTIME_ERROR
    finished = with_database_retry(
        lambda: services.finish_backtest(backtest_id=backtest_id, status=status, error=error),
        f"finishing backtest {backtest_id}",
    )
    if interrupted is not None:
        raise interrupted  # let Dramatiq see its own interrupt once the node is released
    return finished
