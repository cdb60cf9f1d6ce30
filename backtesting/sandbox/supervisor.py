"""``run_sandboxed``: run one job in a sandboxed child and stream its events.

The parent side of one backtest, in one worker thread:
1. probe layers (once per process) and pick the forkserver for this data folder;
2. submit the job; read frames from the event pipe, batching them to ``on_events``
   (every ``FLUSH_SECONDS`` or ``FLUSH_EVENTS``);
3. every ``poll_interval`` check ``should_stop()`` and the wall-clock deadline, and ask the
   forkserver to SIGKILL the child when either fires (escalating to killing the whole
   forkserver if it does not confirm);
4. end the stream with exactly one ``result`` event, synthesising one from the exit code
   when the child died without it.
"""

from __future__ import annotations

import logging
import os
import selectors
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backtesting.sandbox import child, layers, messages, probe
from backtesting.sandbox.forkserver import JobHandle, SandboxUnavailable, ServerSpec, server_for
from backtesting.sandbox.jobs import (
    COMPLETED,
    RUNTIME_ERROR,
    STOPPED,
    SandboxJob,
    SandboxOutcome,
)
from backtesting.sandbox.protocol import (
    DATA_FILES_FRAME,
    LAYERS_FRAME,
    RUN_FRAME,
    Event,
    FrameDecoder,
    ProtocolError,
)
from backtesting.sandbox.server import EXIT, PID

logger = logging.getLogger(__name__)

#: seconds; a non-empty batch older than this is handed to on_events
FLUSH_SECONDS = 0.1
#: events; a batch this large is handed over at once
FLUSH_EVENTS = 200
#: events that only state the latest value: a batch keeps the last of each (progress, and
#: the runtime statistics merged), so a short run does not store a hundred of each
LATEST_ONLY = frozenset({"progress", "runtime_statistics"})
#: seconds; after a kill request without confirmation, kill the whole forkserver
KILL_GRACE = 1.0
#: seconds; after the child exited, how long to wait for its last frames
DRAIN_SECONDS = 1.0
#: seconds; a child still running this long after its result frame is killed. It has
#: nothing left to do, and ``on_done`` already gave its CPU away: a result forged early
#: by user code (which can write to the pipe) must not buy a second child.
RESULT_GRACE = 2.0

USER_UNREACHABLE = (
    "the interpreter is not reachable by the sandbox uid outside bubblewrap "
    "(install bubblewrap, or make the interpreter's folders world-traversable)"
)

#: files the audit hook lets an algorithm read besides the bound paths
_EXTRA_READ_ROOTS = ("/usr", "/etc/localtime", "/etc/zoneinfo", "/dev/null", "/dev/urandom")


@dataclass(frozen=True)
class Config:
    """Process-wide knobs. Tests swap ``entry`` for a stand-in engine and may switch layers
    off to show the layer below still holds; production uses the defaults."""

    entry: str = child.DEFAULT_ENTRY
    extra_paths: tuple[str, ...] = ()
    sys_path: tuple[str, ...] = ()
    disabled: frozenset[str] = field(default_factory=frozenset)


config = Config()


def run_sandboxed(
    job: SandboxJob,
    *,
    on_events: Callable[[list[dict[str, Any]]], None],
    should_stop: Callable[[], bool],
    poll_interval: float = 0.1,
    on_done: Callable[[SandboxOutcome], None] | None = None,
    on_run: Callable[[int], bool] | None = None,
) -> SandboxOutcome:
    """Run ``job`` in a sandboxed child; blocks until it ended.

    ``on_events`` receives batches in order: first a log line naming the active layers,
    last exactly one ``result`` event. ``should_stop`` is polled every ``poll_interval``
    seconds; when it returns True the child is killed within about a second and the run
    ends as ``stopped``. ``on_done`` gets the outcome once, as soon as the child's work is
    over (its result frame arrived and it is exiting, or it is gone without one) and
    before the last batch is handed to ``on_events``: what waits for the child's CPU (an
    optimization's next combination) may start while that batch is stored. It is the
    child's own report; the outcome returned is final. Safe to call from several threads
    at once.

    A batch (``job.runs``): before the events of run ``i`` the child announces it and
    ``on_run(i)`` is called; it returns False to decline the run, which stops the child.
    Each run's events start with the layer report and end with its own ``result``
    (handed over at once); the wall clock restarts with each run, and ``on_done`` waits
    for the last. A child that dies mid-batch ends the current run as above; the runs it
    never announced are simply not run. The outcome returned is the last run's.
    """
    run = _Run(job, on_events, config, on_done, on_run)
    try:
        handle = server_for(run.spec).submit(run.request())
    except SandboxUnavailable as exc:
        return run.finish_without_child(messages.UNAVAILABLE.format(detail=exc))
    try:
        return run.supervise(handle, should_stop, poll_interval)
    finally:
        handle.kill()  # no-op when the child already exited; never leave it running
        handle.close()


class _Run:
    """The state of one supervised job."""

    def __init__(
        self,
        job: SandboxJob,
        on_events: Callable[[list[Event]], None],
        cfg: Config,
        on_done: Callable[[SandboxOutcome], None] | None = None,
        on_run: Callable[[int], bool] | None = None,
    ) -> None:
        self.job = job
        self.on_events = on_events
        self.on_done = on_done
        self.on_run = on_run
        # a batch: the run under way (-1 before the first), whether its result went out
        # already, and the layer report each run's stream starts with
        self.runs = len(job.runs)
        self.run_index = -1
        self.delivered = False
        self.layers_report: Event | None = None
        self.cfg = cfg
        available = [n for n in probe.active_layers() if n not in cfg.disabled]
        self.use_bwrap = layers.BUBBLEWRAP in available
        self.skipped = {n: r for n, r in probe.probe().items() if r is not None}
        self.skipped.update({n: "switched off" for n in cfg.disabled})
        if (
            layers.USER in available
            and not self.use_bwrap
            and not probe.interpreter_reachable_by_others()
        ):
            # Without bubblewrap's world-traversable mount points, a uid that cannot reach
            # the interpreter (pyenv under /root) would fail on every lazy import.
            available.remove(layers.USER)
            self.skipped[layers.USER] = USER_UNREACHABLE
        self.planned = available
        self.spec = ServerSpec(
            data_dir=os.path.realpath(job.data_dir),
            use_bwrap=self.use_bwrap,
            extra_paths=cfg.extra_paths,
            sys_path=cfg.sys_path,
            preload=(cfg.entry.partition(":")[0],),
        )
        self.decoder = FrameDecoder()
        self.batch: list[Event] = []
        self.batch_size = 0  # events in the batch that are stored one by one
        self.batch_since = 0.0
        self.layers: list[str] | None = None
        self.result: Event | None = None
        self.result_at: float | None = None
        self.data_files: list = []
        self.kill_reason: str | None = None
        self.protocol_error: str | None = None
        # loop state (see supervise)
        self.deadline = self.next_poll = 0.0
        self.kill_sent_at: float | None = None
        self.exit_info: tuple[int, float, int] | None = None
        self.exited_at: float | None = None
        self.lost_at: float | None = None
        self.job_buffer = b""
        self.events_open = True
        self.job_open = True

    def request(self) -> dict[str, Any]:
        """The marshal-able job description the forkserver passes to the child."""
        child_layers = [n for n in self.planned if n in (layers.SECCOMP, layers.AUDIT_HOOK)]
        if self.use_bwrap:
            child_layers.append(layers.BUBBLEWRAP)
        else:
            if layers.NETNS in self.planned:
                child_layers.append(layers.NETNS)
            if os.geteuid() == 0:
                child_layers.append(layers.READONLY_DATA)
        user = probe.sandbox_ids() if layers.USER in self.planned else None
        limits = self.job.limits
        return {
            "artifact": bytes(self.job.artifact),
            "parameters": {str(k): str(v) for k, v in self.job.parameters.items()},
            "data_dir": self.spec.data_dir,
            "limits": {
                "memory_mb": int(limits.memory_mb),
                "cores": int(limits.cores),
                "cpu_seconds": float(limits.cpu_seconds),
                "wall_seconds": float(limits.wall_seconds),
                "step_seconds": float(limits.step_seconds),
            },
            "entry": self.cfg.entry,
            "layers": child_layers,
            "user": user,
            "skipped": self.skipped,
            "read_roots": [*self.spec.read_only_paths(), *_EXTRA_READ_ROOTS],
            "warm": [list(key) for key in self.job.warm],
            "orders": [self.job.max_orders, str(self.job.max_orders_message)],
            "runs": [{str(k): str(v) for k, v in run.items()} for run in self.job.runs],
        }

    # -- the loop ---------------------------------------------------------------------

    def supervise(
        self, handle: JobHandle, should_stop: Callable[[], bool], poll_interval: float
    ) -> SandboxOutcome:
        """Pump events and watch the clocks until the child is gone and its pipe drained."""
        now = time.monotonic()
        self.deadline = now + self.job.limits.wall_seconds
        self.next_poll = now
        selector = selectors.DefaultSelector()
        selector.register(handle.event_fd, selectors.EVENT_READ, "events")
        selector.register(handle.job_sock, selectors.EVENT_READ, "job")
        try:
            while not self._done(time.monotonic()):
                for key, _ in selector.select(self._timeout(time.monotonic())):
                    if key.data == "events":
                        self._read_events(handle, selector)
                    else:
                        self._read_job(handle, selector)
                self._tick(time.monotonic(), handle, should_stop, poll_interval)
        finally:
            selector.close()
        return self._finish(self.exit_info)

    def _timeout(self, now: float) -> float:
        wake = [self.next_poll]
        if self.kill_reason is None and self.exit_info is None:
            wake.append(self.deadline)
            if self.result_at is not None:
                wake.append(self.result_at + RESULT_GRACE)
        if self.batch:
            wake.append(self.batch_since + FLUSH_SECONDS)
        for since, grace in (
            (self.kill_sent_at, KILL_GRACE),
            (self.exited_at, DRAIN_SECONDS),
            (self.lost_at, DRAIN_SECONDS),
        ):
            if since is not None:
                wake.append(since + grace)
        return max(0.0, min(wake) - now)

    def _read_events(self, handle: JobHandle, selector: selectors.BaseSelector) -> None:
        data = os.read(handle.event_fd, 1 << 16)
        if not data:
            self.events_open = False
            selector.unregister(handle.event_fd)
        elif self.protocol_error is None:
            self._feed(data, handle)

    def _read_job(self, handle: JobHandle, selector: selectors.BaseSelector) -> None:
        try:
            chunk = handle.job_sock.recv(64)
        except OSError:  # ECONNRESET when the forkserver was killed with data unread
            chunk = b""
        if not chunk:
            self.job_open = False
            selector.unregister(handle.job_sock)
        self.job_buffer, info = _parse_job(self.job_buffer + chunk)
        if info is not None:
            self.exit_info, self.exited_at = info, time.monotonic()

    def _tick(
        self,
        now: float,
        handle: JobHandle,
        should_stop: Callable[[], bool],
        poll_interval: float,
    ) -> None:
        running = self.exit_info is None
        if now >= self.next_poll:
            self.next_poll = now + poll_interval
            if running and self.kill_reason is None and should_stop():
                self._kill(handle, "stop", now)
        if running and self.kill_reason is None and now >= self.deadline:
            self._kill(handle, "wall", now)
        if (
            running
            and self.kill_reason is None
            and self.result_at is not None
            and now - self.result_at >= RESULT_GRACE
        ):
            logger.warning(
                "sandboxed child still running %.1f s after its result; killed", RESULT_GRACE
            )
            self._kill(handle, "after-result", now)  # (its result stands)
        if running and self.kill_sent_at is not None and now - self.kill_sent_at > KILL_GRACE:
            # The forkserver did not confirm: take it down with every child it has.
            logger.warning("sandbox forkserver ignored a kill request; terminating it")
            handle.server.terminate()
            self.kill_sent_at = None
        if running and not self.job_open and self.lost_at is None:
            self.lost_at = now  # the forkserver went away without an exit report
        if self.batch and now - self.batch_since >= FLUSH_SECONDS:
            self._flush()

    def _kill(self, handle: JobHandle, reason: str, now: float) -> None:
        self.kill_reason = reason
        self.kill_sent_at = now
        handle.kill()

    def _done(self, now: float) -> bool:
        """The child exited (or its server vanished) and the pipe is drained or timed out."""
        gone_since = self.exited_at if self.exit_info is not None else self.lost_at
        if gone_since is None:
            return False
        return not self.events_open or now - gone_since > DRAIN_SECONDS

    def _feed(self, data: bytes, handle: JobHandle) -> None:
        try:
            events = self.decoder.feed(data)
        except ProtocolError as exc:
            self.protocol_error = str(exc)
            self._kill(handle, self.kill_reason or "protocol", time.monotonic())
            return
        for event in events:
            if self.layers is None:
                if event.get("type") != LAYERS_FRAME:
                    self.protocol_error = "the first frame was not the layer report"
                    self._kill(handle, self.kill_reason or "protocol", time.monotonic())
                    return
                self.layers = [str(n) for n in event.get("layers", [])]
                report = _layers_log(self.layers, event.get("skipped") or {})
                if self.runs:
                    self.layers_report = report  # (each run's stream starts with it)
                else:
                    self._add(report)
                continue
            if self.runs and event["type"] == RUN_FRAME:
                if event.get("index") != self.run_index + 1 or self.run_index + 1 >= self.runs:
                    self.protocol_error = "a batch's runs were announced out of order"
                elif self.run_index >= 0 and not self.delivered:
                    self.protocol_error = "a batch's run was announced before a result"
                if self.protocol_error is not None:
                    self._kill(handle, self.kill_reason or "protocol", time.monotonic())
                    return
                self._begin_run(self.run_index + 1, handle)
                continue
            if self.runs and self.run_index < 0:
                self._begin_run(0, handle)  # (the child failed before its first run)
            if event["type"] == LAYERS_FRAME or self.result is not None:
                continue  # only the child's first frame is the report; result is the last
            elif event["type"] == DATA_FILES_FRAME:
                keys = event.get("keys")
                self.data_files = keys if isinstance(keys, list) else []
            elif event["type"] == "result" and self.run_index + 1 < self.runs:
                # a batch's run before the last: its stream ends here, the child goes on
                self.result = event
                self.batch.append(event)
                self._flush()
                self.delivered = True
            elif event["type"] == "result":
                self.result, self.result_at = event, time.monotonic()
                # (the child exits next: its teardown need not hold up what waits for it)
                self._report_done(self._outcome(event, None))
            else:
                self._add(event)

    def _begin_run(self, index: int, handle: JobHandle | None) -> None:
        """A batch's run ``index`` starts: its own stream, its own wall clock."""
        self.run_index, self.result, self.delivered = index, None, False
        self.deadline = time.monotonic() + self.job.limits.wall_seconds
        if self.layers_report is not None:
            self._add(dict(self.layers_report))
        accepted = self.on_run(index) if self.on_run is not None else True
        if not accepted and handle is not None and self.kill_reason is None:
            self._kill(handle, "stop", time.monotonic())

    def _add(self, event: Event) -> None:
        if not self.batch:
            self.batch_since = time.monotonic()
        self.batch.append(event)
        if event.get("type") not in LATEST_ONLY:  # (those collapse into one when flushed)
            self.batch_size += 1
            if self.batch_size >= FLUSH_EVENTS:
                self._flush()

    def _flush(self) -> None:
        batch, self.batch, self.batch_size = self.batch, [], 0
        self.on_events(latest_only(batch))

    # -- the end ----------------------------------------------------------------------

    def _finish(self, exit_info: tuple[int, float, int] | None) -> SandboxOutcome:
        limits = self.job.limits
        code = exit_info[0] if exit_info else None
        cpu_used = exit_info[1] if exit_info else 0.0
        if self.layers is None:
            self.layers = []
            self.batch.insert(0, _layers_log(self.planned, self.skipped, started=False))
        result = self.result
        if result is None or self.kill_reason in ("wall", "protocol"):
            if self.kill_reason == "stop":
                result = _result("Stopped", messages.STOPPED)
            elif self.kill_reason == "wall":
                result = _result(
                    "RuntimeError", messages.WALL_EXCEEDED.format(wall=limits.wall_seconds)
                )
            elif self.kill_reason == "protocol":
                detail = self.protocol_error or "unknown"
                result = _result("RuntimeError", messages.PROTOCOL.format(detail=detail))
            else:
                message = messages.exit_message(
                    code,
                    cpu_used=cpu_used,
                    cpu_limit=limits.cpu_seconds,
                    memory_mb=limits.memory_mb,
                )
                result = _result("RuntimeError", message)
        return self._end(result, code)

    def _end(self, result: Event, code: int | None) -> SandboxOutcome:
        """Report the outcome, then hand over the last batch with the result (a batch's
        child that died between two runs has nothing left to hand over)."""
        if self.runs and self.run_index < 0:
            self._begin_run(0, None)
        outcome = self._outcome(result, code)
        self._report_done(outcome)
        if not self.delivered:
            self.batch.append(result)
            self._flush()
        return outcome

    def _outcome(self, result: Event, code: int | None) -> SandboxOutcome:
        status = {"Completed": COMPLETED, "Stopped": STOPPED}.get(result["status"], RUNTIME_ERROR)
        return SandboxOutcome(
            status=status,
            error=None if status == COMPLETED else str(result.get("error") or ""),
            exit_code=code,
            layers=self.layers or [],
            data_files=self.data_files if status == COMPLETED else [],
        )

    def _report_done(self, outcome: SandboxOutcome) -> None:
        on_done, self.on_done = self.on_done, None  # once
        if on_done is not None:
            on_done(outcome)

    def finish_without_child(self, message: str) -> SandboxOutcome:
        """The forkserver could not be reached: report it through the same event stream."""
        self.batch = [_layers_log(self.planned, self.skipped, started=False)]
        return self._end(_result("RuntimeError", message), None)


def _parse_job(buffer: bytes) -> tuple[bytes, tuple[int, float, int] | None]:
    """Consume ``P`` and ``X`` records from the job socket; return the exit record if seen."""
    info = None
    while buffer:
        if buffer[:1] == b"P" and len(buffer) >= 1 + PID.size:
            buffer = buffer[1 + PID.size :]
        elif buffer[:1] == b"X" and len(buffer) >= 1 + EXIT.size:
            info = EXIT.unpack(buffer[1 : 1 + EXIT.size])
            buffer = buffer[1 + EXIT.size :]
        else:
            break
    return buffer, info


def latest_only(batch: list[Event]) -> list[Event]:
    """The batch with only the last event of each :data:`LATEST_ONLY` type, in its place;
    the runtime statistics it drops are merged into the one it keeps."""
    last: dict[str, int] = {}
    for i, event in enumerate(batch):
        if event.get("type") in LATEST_ONLY:
            last[event["type"]] = i
    kept: list[Event] = []
    merged: dict[str, Any] = {}
    for i, event in enumerate(batch):
        kind = event.get("type")
        if kind not in LATEST_ONLY:
            kept.append(event)
        elif kind == "runtime_statistics":
            merged.update(event.get("values") or {})
            if i == last[kind]:
                kept.append({**event, "values": merged})
        elif i == last[kind]:
            kept.append(event)
    return kept


def _layers_log(active: list[str], skipped: dict[str, str], *, started: bool = True) -> Event:
    message = "Sandbox layers: " + (", ".join(active) or "none")
    if skipped:
        message += "; skipped: " + "; ".join(f"{k} ({v})" for k, v in skipped.items())
    if not started:
        message += " (the sandboxed process did not start)"
    return {"type": "log", "time": None, "level": "log", "message": message}


def _result(status: str, error: str) -> Event:
    return {
        "type": "result",
        "status": status,
        "error": error,
        "stacktrace": None,
        "statistics": {},
        "runtime_statistics": {},
    }
