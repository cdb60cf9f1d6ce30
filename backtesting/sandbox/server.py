"""The forkserver: a warm interpreter that forks one sandboxed child per backtest.

Started by ``forkserver.ForkServer`` (inside bubblewrap when available) with a clean
environment and one BLAS thread, it preloads numpy, pandas and the engine, then serves
requests on an inherited control socket. It never imports Django or reads settings, so a
child has nothing secret to find in its memory.

Wire protocol (all integers big-endian):
- control socket, parent → server: ``>I`` payload length sent together with two descriptors
  (SCM_RIGHTS: the job socket and the event pipe's write end), then the marshalled request;
- job socket, server → parent: ``b"P" + >i pid`` once forked, ``b"X" + >idq`` (return code,
  CPU seconds, max RSS KiB) once reaped; parent → server: ``b"K"`` = kill the child now
  (a closed job socket means the same).
"""

from __future__ import annotations

import importlib
import marshal
import os
import pkgutil
import selectors
import shutil
import signal
import socket
import struct
import sys
import tempfile
from typing import Any

HEADER = struct.Struct(">I")
PID = struct.Struct(">i")
EXIT = struct.Struct(">idq")
#: the return code reported when the server could not fork the child
FORK_FAILED = 127

#: imported once here so every child starts warm (and after the uid switch, when the
#: interpreter's files may be unreadable, nothing common has to be loaded lazily)
PRELOAD = (
    "numpy",
    "pandas",
    "pyseccomp",
    "json",
    "math",
    "statistics",
    "decimal",
    "fractions",
    "random",
    "bisect",
    "heapq",
    "collections",
    "itertools",
    "functools",
    "operator",
    "datetime",
    "zoneinfo",
    "calendar",
    "enum",
    "dataclasses",
    "typing",
    "abc",
    "re",
    "string",
    "copy",
    "traceback",
    "linecache",
    "encodings.idna",
    "zipfile",
    "csv",
)


def main(ctrl_fd: int, preload: list[str]) -> None:
    """Serve until the parent closes the control socket."""
    _preload(preload)
    ctrl = socket.socket(fileno=ctrl_fd)
    jobs_root = tempfile.mkdtemp(prefix="sandbox-jobs-")
    os.chmod(jobs_root, 0o711)  # the sandbox uid may enter its own job folder, not list others
    _Server(ctrl, jobs_root).serve()


def _preload(extra: list[str]) -> None:
    for name in (*PRELOAD, "backtesting.sandbox.child", *extra):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112  # a missing optional module is only slower
            continue
    engine = importlib.import_module("backtesting.engine")
    for info in pkgutil.walk_packages(engine.__path__, "backtesting.engine."):
        if not info.name.endswith("__main__"):
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001, S112  # an engine module under construction
                continue


class _Server:
    def __init__(self, ctrl: socket.socket, jobs_root: str) -> None:
        self.ctrl = ctrl
        self.jobs_root = jobs_root
        self.selector = selectors.DefaultSelector()
        self.by_pid: dict[int, socket.socket] = {}
        self.by_sock: dict[socket.socket, int] = {}
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def serve(self) -> None:
        self.selector.register(self.ctrl, selectors.EVENT_READ, "ctrl")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")
        self.ctrl.sendall(b"R")
        while True:
            for key, _ in self.selector.select():
                if key.data == "ctrl":
                    if not self._accept():
                        self._shutdown()
                        return
                elif key.data == "wake":
                    while True:
                        try:
                            if not os.read(self.wake_r, 512):
                                break
                        except BlockingIOError:
                            break
                else:
                    self._on_job_socket(key.fileobj)  # type: ignore[arg-type]  # registered sockets
            self._reap()

    def _accept(self) -> bool:
        header, fds, _, _ = socket.recv_fds(self.ctrl, HEADER.size, 2)
        if not header:
            return False
        while len(header) < HEADER.size:
            header += self.ctrl.recv(HEADER.size - len(header))
        (length,) = HEADER.unpack(header)
        payload = bytearray()
        while len(payload) < length:
            chunk = self.ctrl.recv(min(1 << 20, length - len(payload)))
            if not chunk:
                return False
            payload += chunk
        job_fd, event_fd = fds
        request: dict[str, Any] = marshal.loads(bytes(payload))
        job_sock = socket.socket(fileno=job_fd)
        _warm(request.get("warm") or [], request["data_dir"])
        try:
            pid = os.fork()
        except OSError:
            # Out of processes or memory: fail this job only, keep serving the others.
            os.close(event_fd)
            try:
                job_sock.sendall(b"X" + EXIT.pack(FORK_FAILED, 0.0, 0))
            except OSError:
                pass
            job_sock.close()
            return True
        if pid == 0:
            from backtesting.sandbox import child

            child.main(request, event_fd, self._job_dir(os.getpid()))
        os.close(event_fd)
        try:
            job_sock.sendall(b"P" + PID.pack(pid))
        except OSError:
            _kill(pid)
        self.by_pid[pid] = job_sock
        self.by_sock[job_sock] = pid
        self.selector.register(job_sock, selectors.EVENT_READ, "job")
        return True

    def _job_dir(self, pid: int) -> str:
        return os.path.join(self.jobs_root, f"job-{pid}")

    def _on_job_socket(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(64)
        except OSError:
            data = b""
        pid = self.by_sock.get(sock)
        if pid is None:
            return
        if not data or b"K" in data:
            _kill(pid)
        if not data:
            self.selector.unregister(sock)

    def _reap(self) -> None:
        while self.by_pid:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            sock = self.by_pid.pop(pid, None)
            shutil.rmtree(self._job_dir(pid), ignore_errors=True)
            if sock is None:
                continue
            self.by_sock.pop(sock, None)
            code = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            try:
                self.selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            try:
                sock.sendall(b"X" + EXIT.pack(code, cpu, usage.ru_maxrss))
            except OSError:
                pass
            sock.close()

    def _shutdown(self) -> None:
        for pid in list(self.by_pid):
            _kill(pid)
        shutil.rmtree(self.jobs_root, ignore_errors=True)


def _warm(keys: list, data_dir: str) -> None:
    """Parse, before forking, what the child would otherwise parse itself: the data folder's
    market-hours and symbol-properties databases (every run reads them; cached here after
    the first job) and the files an earlier run of the same optimization read (``keys``,
    which ``engine.data.warm`` validates: they come from an untrusted child). The child
    inherits them parsed. (A forkserver serves one data folder: ``ServerSpec.data_dir``.)"""
    try:
        from backtesting.engine.data import warm

        warm.preload_databases(data_dir)
        if keys:
            warm.preload(keys, data_dir)
    except Exception:  # noqa: BLE001, S110  # warming is an optimisation; the child reads itself
        pass


def _kill(pid: int) -> None:
    """Kill the child's whole session (it called setsid, so its pgid is its pid)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:])
