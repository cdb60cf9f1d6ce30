"""Parent side of the forkserver: start it lazily, hand it jobs, ask it to kill.

One server per (process, data folder, entry) and per bubblewrap choice; created on first
use under a lock, restarted when it died, rebuilt after the worker process forked. Every
call is thread-safe: Dramatiq runs several worker threads, so nothing here uses
``preexec_fn`` (``subprocess`` forks and execs in C with ``close_fds``).
"""

from __future__ import annotations

import json
import logging
import marshal
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from backtesting.sandbox import wrapper
from backtesting.sandbox.server import HEADER

logger = logging.getLogger(__name__)

#: seconds; importing numpy + pandas + the engine on a busy 2-core machine
START_TIMEOUT = 60.0


class SandboxUnavailable(RuntimeError):
    """The forkserver could not be started or reached."""


@dataclass(frozen=True)
class ServerSpec:
    """Everything that is fixed for the life of one forkserver."""

    data_dir: str
    use_bwrap: bool
    extra_paths: tuple[str, ...] = ()
    sys_path: tuple[str, ...] = ()
    preload: tuple[str, ...] = ()

    def read_only_paths(self) -> list[str]:
        """Paths bound read-only into bubblewrap (and readable under the audit hook)."""
        paths = [*wrapper.interpreter_paths(), *wrapper.app_paths(), *self.extra_paths]
        return [*paths, self.data_dir]


@dataclass
class JobHandle:
    """One submitted job: the job socket (pid, exit, kill) and the event pipe's read end."""

    job_sock: socket.socket
    event_fd: int
    server: ForkServer

    def kill(self) -> None:
        """Ask the server to SIGKILL the child (idempotent; errors mean it is gone)."""
        try:
            self.job_sock.send(b"K")
        except OSError:
            pass

    def close(self) -> None:
        """Release the parent's ends (the server reads a closed job socket as "kill")."""
        self.job_sock.close()
        try:
            os.close(self.event_fd)
        except OSError:
            pass


class ForkServer:
    """A running forkserver process and the control socket to it."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ctrl: socket.socket | None = None

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        paths = list(self.spec.sys_path)
        code = (
            "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
            "from backtesting.sandbox.server import main; "
            "main(int(sys.argv[2]), sys.argv[3:])"
        )
        cmd = [sys.executable, "-I", "-c", code, json.dumps(paths), str(theirs.fileno())]
        cmd += list(self.spec.preload)
        if self.spec.use_bwrap:
            cmd = wrapper.bwrap_command(self.spec.read_only_paths()) + cmd
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1"}
        env["OMP_NUM_THREADS"] = "1"
        # OpenBLAS reads this when numpy loads here: its idle threads sleep after 2**4 cycles
        # instead of spinning for 2**28 (~0.1 s) after every call. A child given 2 cores
        # otherwise burned a second core at its start, which the worker's own database
        # work was waiting for (a 2-day backtest: 140 ms of CPU in 84 ms, now 69 in 62).
        env["OPENBLAS_THREAD_TIMEOUT"] = "4"
        stderr = tempfile.TemporaryFile()
        try:
            proc = subprocess.Popen(
                cmd,
                pass_fds=(theirs.fileno(),),
                env=env,
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        except OSError as exc:
            raise SandboxUnavailable(f"cannot start the sandbox: {exc}") from exc
        finally:
            theirs.close()
        ours.settimeout(START_TIMEOUT)
        try:
            ready = ours.recv(1)
        except OSError:
            ready = b""
        if ready != b"R":
            proc.kill()
            proc.wait()
            stderr.seek(0)
            tail = stderr.read()[-2000:].decode(errors="replace").strip()
            ours.close()
            logger.error("sandbox forkserver failed to start: %s", tail or "no output")
            raise SandboxUnavailable(f"the sandbox failed to start: {tail or 'no output'}")
        ours.settimeout(None)
        stderr.close()
        self._proc, self._ctrl = proc, ours
        logger.info("sandbox forkserver %s started (bubblewrap=%s)", proc.pid, self.spec.use_bwrap)

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def submit(self, request: dict[str, Any]) -> JobHandle:
        """Send one job; the caller owns the returned handle and must close it."""
        payload = marshal.dumps(request)
        with self._lock:
            for attempt in (1, 2):
                if not self._alive():
                    self._stop_locked()
                    self._start()
                job_ours, job_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
                event_r, event_w = os.pipe()
                try:
                    assert self._ctrl is not None
                    socket.send_fds(
                        self._ctrl,
                        [HEADER.pack(len(payload))],
                        [job_theirs.fileno(), event_w],
                    )
                    self._ctrl.sendall(payload)
                except OSError as exc:
                    job_ours.close()
                    os.close(event_r)
                    self._stop_locked()
                    if attempt == 2:
                        raise SandboxUnavailable(f"the sandbox stopped answering: {exc}") from exc
                    continue
                finally:
                    job_theirs.close()
                    os.close(event_w)
                return JobHandle(job_ours, event_r, self)
        raise AssertionError("unreachable")

    def terminate(self) -> None:
        """Kill the whole server (and, through PDEATHSIG / bubblewrap, all its children)."""
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        # Closing the control socket alone ends a healthy server (it kills its children and
        # exits); the SIGKILLs cover a hung one. bubblewrap's inner process is a separate
        # session, so every descendant is killed by pid; inside the pid namespace, killing
        # its init (bubblewrap) takes all jobs with it.
        if self._ctrl is not None:
            self._ctrl.close()
            self._ctrl = None
        if self._proc is not None:
            if self._proc.poll() is None:
                for pid in [*_descendants(self._proc.pid), self._proc.pid]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            self._proc.wait()
            self._proc = None


def _descendants(root: int) -> list[int]:
    """Every live descendant of ``root``, from /proc (no children file on every kernel)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [root]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


_servers: dict[tuple[int, ServerSpec], ForkServer] = {}
_servers_lock = threading.Lock()


def server_for(spec: ServerSpec) -> ForkServer:
    """The process-wide server for ``spec`` (a forked worker process gets its own)."""
    key = (os.getpid(), spec)
    with _servers_lock:
        server = _servers.get(key)
        if server is None:
            server = _servers[key] = ForkServer(spec)
        return server


def shutdown_all() -> None:
    """Stop every server this process started (tests; worker shutdown)."""
    with _servers_lock:
        servers = [s for (pid, _), s in _servers.items() if pid == os.getpid()]
        _servers.clear()
    for server in servers:
        server.terminate()
