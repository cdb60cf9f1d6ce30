"""Which isolation layers this machine offers, probed once per process.

Each probe runs the real mechanism in a throw-away process (never in the worker itself)
and a failure only removes that layer; resource limits and the wall-clock kill need no
probe because they always work.
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import stat
import subprocess
import sys

from backtesting.sandbox import layers, wrapper

#: the unprivileged host user each child becomes (created by scripts/provision_sandbox.sh)
SANDBOX_USER = "sandbox"

#: seconds; a probe that takes longer counts as unavailable
PROBE_TIMEOUT = 20.0

_NETNS_PROBE = """
import ctypes, socket
assert ctypes.CDLL(None, use_errno=True).unshare(0x40000000) == 0, "unshare failed"
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
except OSError as exc:
    assert exc.errno == 101, exc  # ENETUNREACH: no interface is up
"""

_SECCOMP_PROBE = """
import os, socket, numpy
from backtesting.sandbox.seccomp_filter import load_filter
load_filter()
try:
    socket.socket()
except PermissionError:
    pass
else:
    raise SystemExit("socket() was not refused")
(numpy.ones((64, 64)) @ numpy.ones((64, 64))).sum()
"""


@functools.cache
def probe() -> dict[str, str | None]:
    """``{layer: None if available else the reason it is not}`` for this machine."""
    return {
        layers.CLEAN_ENV: None,
        layers.RLIMITS: None,
        layers.WALL_CLOCK: None,
        layers.BUBBLEWRAP: _probe_bwrap(),
        layers.NETNS: _probe_netns(),
        layers.USER: _probe_user(),
        layers.SECCOMP: _probe_python(_SECCOMP_PROBE),
        layers.AUDIT_HOOK: None,
    }


def active_layers() -> list[str]:
    """The layers every child of this process gets (probed once per process)."""
    return [name for name, reason in probe().items() if reason is None]


def sandbox_ids() -> tuple[int, int] | None:
    """``(uid, gid)`` of the sandbox user, or None when the user layer is unavailable."""
    if probe()[layers.USER] is not None:
        return None
    entry = pwd.getpwnam(SANDBOX_USER)
    return entry.pw_uid, entry.pw_gid


def _run(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            env={"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{type(exc).__name__}: {exc}"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
        return tail[-1] if tail else f"exit code {done.returncode}"
    return None


def _probe_python(code: str) -> str | None:
    return _run([sys.executable, "-c", code])


def _probe_bwrap() -> str | None:
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (apt-get install bubblewrap)"
    if os.geteuid() != 0:
        return "the worker does not run as root (needed to switch children to the sandbox uid)"
    paths = [*wrapper.interpreter_paths(), *wrapper.app_paths()]
    return _run([*wrapper.bwrap_command(paths), sys.executable, "-I", "-c", "import numpy"])


def _probe_netns() -> str | None:
    if os.geteuid() != 0:
        return "needs root (or bubblewrap)"
    return _probe_python(_NETNS_PROBE)


def _probe_user() -> str | None:
    if os.geteuid() != 0:
        return "the worker does not run as root, so it cannot switch uid"
    try:
        pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        return f"no '{SANDBOX_USER}' user (run scripts/provision_sandbox.sh)"
    return None


def interpreter_reachable_by_others() -> bool:
    """True when every folder above the interpreter and the venv is world-traversable.

    Without bubblewrap the child sees the host file system; a uid that cannot reach the
    interpreter's files (pyenv under /root) would fail on every lazy import.
    """
    for path in (*wrapper.interpreter_paths(), *wrapper.app_paths()):
        current = path
        while current not in ("/", ""):
            mode = os.stat(current).st_mode
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
                return False
            current = os.path.dirname(current)
    return True
