"""An audit hook that turns refused actions into friendly errors (PEP 578).

This is a tripwire, never the boundary: a determined algorithm can get around it (closure
cells, C-level calls). The operating-system layers underneath still refuse; the hook only
makes the usual attempts fail with a sentence the user understands, raised at the line
that tried.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

NETWORK_REFUSED = "Network access is not allowed in algorithms"
PROCESS_REFUSED = "Starting or signalling processes is not allowed in algorithms"
CTYPES_REFUSED = "ctypes (calling C code directly) is not allowed in algorithms"
READ_REFUSED = "Algorithms may only read files in the data folder"
WRITE_REFUSED = "Algorithms may only write files in their temporary folder"

_PROCESS_EVENTS = frozenset(
    {
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.kill",
        "os.killpg",
        "subprocess.Popen",
        "pty.spawn",
        "signal.pthread_kill",
    }
)
_CTYPES_EVENTS = frozenset(
    {
        "ctypes.dlopen",
        "ctypes.dlsym",
        "ctypes.dlsym/handle",
        "ctypes.cdata",
        "ctypes.cdata/buffer",
        "ctypes.call_function",
        "ctypes.string_at",
        "ctypes.wstring_at",
        "ctypes.addressof",
        "ctypes.get_errno",
        "ctypes.set_errno",
    }
)
#: events whose first argument (and second, for two-path calls) is a path being changed
_WRITE_EVENTS = {
    "os.remove": 1,
    "os.rmdir": 1,
    "os.mkdir": 1,
    "os.chmod": 1,
    "os.chown": 1,
    "os.truncate": 1,
    "os.utime": 1,
    "os.rename": 2,
    "os.link": 2,
    "os.symlink": 2,
}
_LIST_EVENTS = frozenset({"os.listdir", "os.scandir", "glob.glob"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def install(
    read_roots: Iterable[str], write_roots: Iterable[str], allowed_calls: Iterable[int] = ()
) -> None:
    """Install the hook for the rest of the process's life (hooks cannot be removed).

    Call it after the child has read everything it needs outside ``read_roots`` and
    before the first line of user code runs. ``allowed_calls`` are addresses of C
    functions the engine itself may still call through ctypes (resolved before this;
    the engine's ``malloc_trim``): every other ctypes use stays refused.
    """
    calls = frozenset(allowed_calls)
    own = f"/proc/{os.getpid()}"  # /proc/self/... resolves here (status, limits, maps)
    reads = tuple(_root(p) for p in (*read_roots, *write_roots, own))
    writes = tuple(_root(p) for p in write_roots)
    realpath = os.path.realpath
    fsdecode = os.fsdecode

    def under(path: object, roots: tuple[str, ...]) -> bool:
        if isinstance(path, int) or path is None:
            return True  # an inherited descriptor or the current folder
        try:
            resolved = realpath(fsdecode(path))  # type: ignore[arg-type]  # PathLike or str/bytes
        except (TypeError, ValueError):
            return False
        return any(resolved == r[:-1] or resolved.startswith(r) for r in roots)

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event.startswith("socket."):
            raise PermissionError(NETWORK_REFUSED)
        if event in _PROCESS_EVENTS:
            raise PermissionError(PROCESS_REFUSED)
        if event in _CTYPES_EVENTS:
            if event == "ctypes.call_function" and args and args[0] in calls:
                return
            raise PermissionError(CTYPES_REFUSED)
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and not under(path, writes):
                raise PermissionError(f"{WRITE_REFUSED}: {path!r}")
            if not writing and not under(path, reads):
                raise PermissionError(f"{READ_REFUSED}: {path!r}")
        elif event in _LIST_EVENTS:
            if args and not under(args[0], reads):
                raise PermissionError(f"{READ_REFUSED}: {args[0]!r}")
        elif event in _WRITE_EVENTS:
            for path in args[: _WRITE_EVENTS[event]]:
                if not under(path, writes):
                    raise PermissionError(f"{WRITE_REFUSED}: {path!r}")

    sys.addaudithook(hook)


def _root(path: str) -> str:
    return os.path.join(os.path.realpath(path), "")
