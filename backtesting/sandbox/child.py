"""The sandboxed child: forked by the forkserver, runs one backtest (or an optimization's
batch of runs, one after the other), then exits.

Steps, in this order (see ``layers`` for why the order matters):
1. detach: own session, die with the forkserver, close every inherited descriptor but
   the event pipe, stdio to /dev/null;
2. layers: clean environment, network namespace, job folder, resource limits, BLAS
   threads, unprivileged uid, seccomp; report them as the first frame;
3. unpack the artifact (refusing other Python versions), install the audit hook, run the
   engine with a :class:`PipeSink` (a batch: once per parameter set, each run announced
   by a ``RUN_FRAME``);
4. turn any escaping exception (including ``SystemExit``/``KeyboardInterrupt``) into one
   ``result`` event per run with the traceback, and ``os._exit`` without running atexit
   handlers inherited from the forkserver.
"""

from __future__ import annotations

import importlib
import io
import os
import re
import signal
import sys
import traceback
from typing import Any, NoReturn

from backtesting.engine import loader
from backtesting.sandbox import audit, layers, logfilter, messages, steps
from backtesting.sandbox.pacing import ProgressPacing
from backtesting.sandbox.protocol import DATA_FILES_FRAME, LAYERS_FRAME, RUN_FRAME, PipeSink

INTERNAL_ERROR = "The sandbox failed before the algorithm ran: {error}"
CORRUPT_ARTIFACT = "The build artifact is corrupt; rebuild the project"
EXIT_REFUSED = "Algorithms cannot end the process ({what} was raised)"
TIME_LOOP_PREFIX = f"{steps.TimeLoopExceeded.__name__}: "
#: the engine's rejection of the order past the quota; the sentence after it names the quota
ORDER_QUOTA_PREFIX = "OrderQuotaExceeded: "

_SANDBOX_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")

#: the real engine; tests may name another ``module:function`` with the same signature
DEFAULT_ENTRY = "backtesting.sandbox.child:run_engine"


#: (limit, sentence) of the order quota for this child's run; set by ``_run`` from the job
_order_quota: tuple[int | None, str] = (None, "")


def run_engine(
    modules: dict[str, Any], *, data_dir: str, sink: PipeSink, parameters: dict[str, str]
) -> None:
    """Load the algorithm class from the artifact's modules and run it through the engine
    (loading inside the engine: an error in user module-level code is a RuntimeError result)."""
    from backtesting.engine import runner

    max_orders, max_orders_message = _order_quota
    runner.run_modules(
        modules,
        data_dir=data_dir,
        sink=sink,
        parameters=parameters,
        prepare=steps.watch_algorithm,
        max_orders=max_orders,
        max_orders_message=max_orders_message,
    )


def main(request: dict[str, Any], event_fd: int, job_dir: str) -> NoReturn:
    """Entry point in the freshly forked child; never returns."""
    code = 70
    try:
        sink = PipeSink(event_fd)
        _detach(event_fd)
        _apply_layers(request, sink, job_dir)
        _run(request, sink, job_dir)
        code = 0
    except BaseException as exc:  # noqa: B036  # the child must never return into the server
        code = 71
        try:
            sink.emit(_result(INTERNAL_ERROR.format(error=repr(exc)), _traceback(exc)))
        except BaseException:  # noqa: B036, S110  # the parent synthesises a result from the code
            pass
    finally:
        os._exit(code)


def _detach(event_fd: int) -> None:
    os.setsid()
    layers.die_with_parent()
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL if signum != signal.SIGPIPE else signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    # Only the event pipe survives: the control socket and other jobs' descriptors must not.
    os.closerange(3, event_fd)
    os.closerange(event_fd + 1, 1 << 16)
    sys.stdout = _LogWriter(event_fd, "log")
    sys.stderr = _LogWriter(event_fd, "error")


class _LogWriter(io.TextIOBase):
    """``print`` in an algorithm becomes a log line instead of vanishing."""

    def __init__(self, event_fd: int, level: str) -> None:
        self._sink = PipeSink(event_fd)
        self._level = level
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._sink.emit({"type": "log", "time": None, "level": self._level, "message": line})
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self.write("\n")


def _apply_layers(request: dict[str, Any], sink: PipeSink, job_dir: str) -> None:
    limits = request["limits"]
    cores = max(1, int(limits["cores"]))
    steps = [(layers.CLEAN_ENV, lambda: layers.clean_environment(cores, job_dir))]
    if layers.NETNS in request["layers"]:
        steps.append((layers.NETNS, layers.enter_network_namespace))
    if layers.READONLY_DATA in request["layers"]:
        data_dir = request["data_dir"]
        steps.append((layers.READONLY_DATA, lambda: layers.make_data_read_only(data_dir)))
    user = request.get("user")

    def job_folder() -> None:
        os.makedirs(job_dir, mode=0o700, exist_ok=True)
        if user is not None:
            os.chown(job_dir, user[0], user[1])
        os.chdir(job_dir)

    steps.append(("job-folder", job_folder))
    # (a batch's runs share the child, and so its CPU time: each may use its own limit)
    cpu_seconds = limits["cpu_seconds"] * max(1, len(request.get("runs") or ()))
    steps.append((layers.RLIMITS, lambda: layers.set_rlimits(limits["memory_mb"], cpu_seconds)))
    steps.append(("blas-threads", lambda: layers.set_blas_threads(cores)))
    if user is not None:
        steps.append((layers.USER, lambda: layers.switch_user(user[0], user[1])))
    if layers.SECCOMP in request["layers"]:
        steps.append((layers.SECCOMP, layers.seccomp))
    applied, skipped = layers.apply(steps)
    skipped = {**request.get("skipped", {}), **skipped}
    # The job folder and BLAS threads are plumbing, not isolation layers.
    applied = [name for name in applied if name not in ("job-folder", "blas-threads")]
    if layers.BUBBLEWRAP in request["layers"]:
        applied[:0] = [layers.BUBBLEWRAP, layers.NETNS]  # bubblewrap's empty net namespace
    applied.append(layers.WALL_CLOCK)
    if layers.AUDIT_HOOK in request["layers"]:
        applied.append(layers.AUDIT_HOOK)
    sink.emit({"type": LAYERS_FRAME, "layers": applied, "skipped": skipped})


def _run(request: dict[str, Any], sink: PipeSink, job_dir: str) -> None:
    try:
        modules = loader.unpack_artifact(request["artifact"])
    except loader.ArtifactVersionError as exc:
        sink.emit(_result(str(exc), ""))
        return
    except Exception:  # noqa: BLE001  # marshal raises ValueError/EOFError/TypeError on garbage
        sink.emit(_result(CORRUPT_ARTIFACT, ""))
        return
    module_name, _, function_name = request["entry"].partition(":")
    entry = getattr(importlib.import_module(module_name), function_name)
    from backtesting.engine.data import warm

    warm.record()  # reported before the result, so the next run can inherit the parsed data
    if layers.AUDIT_HOOK in request["layers"]:
        audit.install(request["read_roots"], [job_dir], allowed_calls=_engine_c_calls())
    runs = request.get("runs")
    if not runs:
        _run_one(entry, modules, request, request["parameters"], sink)
        return
    # A batch (an optimization's combinations): each run loads the artifact's modules
    # afresh, so module-level state starts over, and shares this child's parsed data.
    for index, parameters in enumerate(runs):
        if index:
            _between_runs()
        sink.emit({"type": RUN_FRAME, "index": index})
        if not _run_one(entry, modules, request, parameters, sink):
            return  # the CPU limit of the whole batch is spent: the parent reports it


def _run_one(
    entry: Any,
    modules: dict[str, Any],
    request: dict[str, Any],
    parameters: dict[str, str],
    sink: PipeSink,
) -> bool:
    """One run, always ending with its ``result`` event; False when the child must stop."""
    limits = request["limits"]
    steps.start(limits.get("step_seconds", 0.0))
    global _order_quota
    limit, sentence = request.get("orders") or (None, "")
    _order_quota = (None if limit is None else int(limit), str(sentence))
    try:
        entry(
            modules,
            data_dir=request["data_dir"],
            sink=ProgressPacing(logfilter.LogFilter(_FriendlyResults(sink, limits["memory_mb"]))),
            parameters=dict(parameters),
        )
    except (SystemExit, KeyboardInterrupt, GeneratorExit) as exc:
        sink.emit(_result(EXIT_REFUSED.format(what=type(exc).__name__), _traceback(exc)))
    except MemoryError as exc:
        message = messages.OUT_OF_MEMORY.format(memory_mb=limits["memory_mb"])
        sink.emit(_result(message, _traceback(exc)))
    except layers.CpuLimitExceeded as exc:
        message = messages.CPU_EXCEEDED.format(cpu=limits["cpu_seconds"])
        sink.emit(_result(message, _traceback(exc)))
        return False
    except BaseException as exc:  # noqa: B036  # every user error must become a result event
        sink.emit(_result(f"{type(exc).__name__}: {exc}", _traceback(exc)))
    finally:
        steps.stop()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110  # the result must still go out
                pass
    return True


def _between_runs() -> None:
    """Undo what one run of a batch may have changed for the next: the engine's one
    assignable class setting. (No ``gc.collect()``: a full collection walks every object
    the forkserver preloaded, and touching them copies their pages; it cost more than
    the run itself. The collector's own generations reclaim a run's cycles.)"""
    from backtesting.engine.brokerage.orders import MarketOnCloseOrder

    MarketOnCloseOrder.submission_time_buffer = MarketOnCloseOrder.DEFAULT_SUBMISSION_TIME_BUFFER


def _engine_c_calls() -> list[int]:
    """The C functions the engine calls itself (resolved now, before the audit hook)."""
    import ctypes

    from backtesting.engine.memory import malloc_trim_function

    trim = malloc_trim_function()
    return [] if trim is None else [ctypes.cast(trim, ctypes.c_void_p).value or 0]


class _FriendlyResults:
    """Passes events through; names the node's memory limit in the engine's MemoryError."""

    def __init__(self, sink: PipeSink, memory_mb: int) -> None:
        self._sink = sink
        self._memory_mb = memory_mb

    def emit(self, event: dict[str, Any]) -> None:
        if (
            event.get("type") == "result"
            and event.get("status") == "RuntimeError"
            and str(event.get("error") or "").startswith("MemoryError")
        ):
            event = {**event, "error": messages.OUT_OF_MEMORY.format(memory_mb=self._memory_mb)}
        elif event.get("type") == "result":
            error = str(event.get("error") or "")
            for prefix in (TIME_LOOP_PREFIX, ORDER_QUOTA_PREFIX):
                if error.startswith(prefix):
                    event = {**event, "error": error[len(prefix) :]}
        if event.get("type") == "log" and _SANDBOX_DIR in str(event.get("message")):
            event = {**event, "message": _without_sandbox_frames(str(event["message"]))}
        if event.get("type") == "result" and event.get("stacktrace"):
            event = {**event, "stacktrace": _without_sandbox_frames(str(event["stacktrace"]))}
        if event.get("type") == "result":
            from backtesting.engine.data import warm

            self._sink.emit({"type": DATA_FILES_FRAME, "keys": warm.recorded()})
        self._sink.emit(event)


def _without_sandbox_frames(stacktrace: str) -> str:
    """A formatted traceback without the frames of the sandbox's wrappers (the step timer)."""
    frame = re.compile(
        r'  File "' + re.escape(_SANDBOX_DIR) + r'[^"]*", line \d+, in .*\n(?:    .*\n)?'
    )
    return frame.sub("", stacktrace)


def _traceback(exc: BaseException) -> str:
    """The traceback without the sandbox's own frames (the child's loop, the audit hook)."""
    summary = traceback.TracebackException.from_exception(exc)
    seen: set[int] = set()
    current: traceback.TracebackException | None = summary
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = [f for f in current.stack if not f.filename.startswith(_SANDBOX_DIR)]
        current.stack = traceback.StackSummary.from_list(frames)
        current = current.__cause__ or current.__context__
    return "".join(summary.format())


def _result(error: str, stacktrace: str) -> dict[str, Any]:
    return {
        "type": "result",
        "status": "RuntimeError",
        "error": error,
        "stacktrace": stacktrace,
        "statistics": {},
        "runtime_statistics": {},
    }
