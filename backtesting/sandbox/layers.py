"""Child-side isolation layers, applied in order right after the fork.

Each layer either applies or is reported as skipped with the reason; the parent writes
both at the head of the backtest log. Order matters: the network namespace and the job
folder need root, so they come before the uid switch; seccomp comes last because it
forbids ``unshare`` itself.
"""

from __future__ import annotations

import ctypes
import glob
import os
import resource
import signal
from collections.abc import Callable
from typing import Any

from backtesting.sandbox import seccomp_filter

# Layer names as they appear in the log and in SandboxOutcome.layers.
CLEAN_ENV = "clean-env"
RLIMITS = "rlimits"
WALL_CLOCK = "wall-clock"
NETNS = "netns"
USER = "user"
BUBBLEWRAP = "bubblewrap"
SECCOMP = "seccomp"
AUDIT_HOOK = "audit-hook"
READONLY_DATA = "readonly-data"

MB = 1024 * 1024
#: open files per job (numpy + pandas need ~20; room for a universe's data files)
NOFILE = 256
#: tasks of the sandbox uid across all its jobs (threads count; seccomp denies fork anyway)
NPROC = 128
#: bytes; the largest file a job may write into its temporary folder
FSIZE = 16 * MB

_CLONE_NEWNET = 0x40000000
_CLONE_NEWNS = 0x00020000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_REMOUNT = 0x1, 0x2, 0x4, 0x20
_MS_BIND, _MS_REC, _MS_PRIVATE = 0x1000, 0x4000, 0x40000
_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38


class CpuLimitExceeded(BaseException):
    """Raised in the algorithm by SIGXCPU (the soft CPU limit), one second before SIGKILL.

    A BaseException so the engine's ``except Exception`` does not report it as a user error.
    """


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL us when the forkserver dies, so no job outlives it."""
    _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def clean_environment(cores: int, home: str) -> None:
    """Drop every inherited variable (the forkserver started clean; this is belt and braces)."""
    os.environ.clear()
    os.environ.update(
        {
            "HOME": home,
            "TMPDIR": home,
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": str(cores),
            "OMP_NUM_THREADS": str(cores),
            "MKL_NUM_THREADS": str(cores),
        }
    )


def set_blas_threads(cores: int) -> None:
    """numpy was imported by the forkserver with one BLAS thread; give this job its cores."""
    import numpy

    libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__) + ".libs", "*openblas*.so*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads"):
            setter = getattr(lib, symbol, None)
            if setter is not None:
                setter(ctypes.c_int(cores))
                return


def enter_network_namespace() -> None:
    """An empty network namespace (no interfaces up): every connect fails. Needs root."""
    libc = _libc()
    if libc.unshare(_CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def make_data_read_only(data_dir: str) -> None:
    """Without bubblewrap: a private mount namespace where the data folder is read-only.

    Needed because a child that stays root (no user layer) could otherwise write into the
    data folder every other backtest reads. Needs root.
    """
    libc = _libc()

    def check(result: int, what: str) -> None:
        if result != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")

    path = os.fsencode(data_dir)
    check(libc.unshare(_CLONE_NEWNS), "unshare")
    check(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "make / private")
    check(libc.mount(path, path, None, _MS_BIND | _MS_REC, None), "bind data")
    flags = _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV
    check(libc.mount(None, path, None, flags, None), "remount data read-only")


def _raise_cpu_limit(signum: int, frame: object) -> None:
    raise CpuLimitExceeded("the algorithm used up its CPU time limit")


def set_rlimits(memory_mb: int, cpu_seconds: float) -> None:
    """Address space, CPU (soft then hard one second later), files, tasks, file size, no cores."""
    cpu = max(1, int(cpu_seconds + 0.999))
    for limit, value in (
        (resource.RLIMIT_AS, memory_mb * MB),
        (resource.RLIMIT_NOFILE, NOFILE),
        (resource.RLIMIT_NPROC, NPROC),
        (resource.RLIMIT_FSIZE, FSIZE),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))
    signal.signal(signal.SIGXCPU, _raise_cpu_limit)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def switch_user(uid: int, gid: int) -> None:
    """Become the real, unprivileged host uid (not a namespace-mapped root): root-only files
    give EACCES and the process becomes non-dumpable."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("uid switch did not stick")
    # Even if seccomp is unavailable, a setuid-root program can never give root back.
    if _libc().prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")


def apply(
    steps: list[tuple[str, Callable[[], None]]],
) -> tuple[list[str], dict[str, str]]:
    """Run each layer step; collect applied names and ``{name: reason}`` for the skipped."""
    applied: list[str] = []
    skipped: dict[str, str] = {}
    for name, step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001  # a missing layer degrades, it must not abort
            skipped[name] = f"{type(exc).__name__}: {exc}"
        else:
            applied.append(name)
    return applied, skipped


def seccomp() -> None:
    """Install the seccomp filter (see ``seccomp_filter``)."""
    seccomp_filter.load_filter()
