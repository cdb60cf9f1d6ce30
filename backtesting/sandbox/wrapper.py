"""The bubblewrap command line the forkserver runs inside.

What the sandbox sees: /usr (read-only), the interpreter and the virtual environment
(read-only), the engine and sandbox packages (read-only, at their real paths so the
editable install still resolves them), the market data folder (read-only), an empty
size-capped /tmp, its own /proc and /dev, no network (a new, empty namespace), its own
pid, IPC and UTS namespaces. Everything else of the host, the repository checkout and its
settings included, does not exist in there.

No ``--die-with-parent``: the kernel ties it to the *thread* that started bubblewrap, and
Dramatiq threads come and go; the server instead exits when its control socket closes,
which happens when the worker process dies.

bubblewrap runs as root without a user namespace so the forkserver can still switch each
child to the real ``sandbox`` uid (``bwrap --uid`` from root only maps root, and a mapped
root can still read root-only files).
"""

from __future__ import annotations

import os
import shutil
import sys

#: bytes; the shared /tmp of one forkserver (each job gets its own folder inside)
TMPFS_BYTES = 256 * 1024 * 1024


def app_paths() -> list[str]:
    """The parts of the checkout a child may see: the engine and the sandbox, nothing else."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # backtesting/
    return [
        os.path.join(package, "__init__.py"),
        os.path.join(package, "engine"),
        os.path.join(package, "sandbox"),
    ]


def interpreter_paths() -> list[str]:
    """The interpreter's prefix and the virtual environment (deduplicated, real paths)."""
    paths: list[str] = []
    for path in (sys.base_prefix, sys.prefix):
        real = os.path.realpath(path)
        if real not in paths and not real.startswith("/usr/"):
            paths.append(real)
    return paths


def bwrap_command(read_only: list[str]) -> list[str]:
    """The ``bwrap ... --`` prefix; ``read_only`` are bound at their own paths."""
    bwrap = shutil.which("bwrap") or "bwrap"
    args = [
        bwrap,
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--new-session",
        "--hostname",
        "sandbox",
        # /tmp first: binds below /tmp (a data folder in a test's tmp_path) go on top of it.
        "--size",
        str(TMPFS_BYTES),
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("lib", "lib64", "bin", "sbin"):
        if os.path.islink(f"/{name}"):
            args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
        elif os.path.isdir(f"/{name}"):
            args += ["--ro-bind", f"/{name}", f"/{name}"]
    # ld.so.cache: ctypes.util.find_library (pyseccomp) runs ldconfig -p, which reads it.
    args += ["--perms", "0755", "--dir", "/etc"]
    for path in ("/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev"]
    # bubblewrap creates missing parents 0700, which the sandbox uid could not traverse.
    for parent in _parents(read_only):
        args += ["--perms", "0755", "--dir", parent]
    for path in read_only:
        args += ["--ro-bind", path, path]
    args += ["--chdir", "/tmp", "--"]
    return args


def _parents(paths: list[str]) -> list[str]:
    """Ancestors of ``paths`` that bubblewrap must create, outermost first."""
    parents: set[str] = set()
    for path in paths:
        parent = os.path.dirname(path)
        while parent not in ("/", ""):
            if parent not in ("/tmp", "/usr") and not any(
                parent == c or parent.startswith(c.rstrip("/") + "/") for c in paths
            ):
                parents.add(parent)
            parent = os.path.dirname(parent)
    return sorted(parents, key=lambda p: (p.count("/"), p))
