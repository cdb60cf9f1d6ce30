"""Finding the processes of a run, so tests can kill them like an operator or the OOM killer."""

from __future__ import annotations

import os

#: marks the sandbox's forkserver (and its forked children) on the command line.
SANDBOX_SERVER = "backtesting.sandbox.server"


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def _cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read().replace(b"\0", b" ").decode(errors="replace")


def descendants(root: int) -> list[int]:
    """Every live process below ``root``."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = _parent(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    found = []
    for pid in parents:
        ancestor = parents.get(pid, 0)
        while ancestor > 1:
            if ancestor == root:
                found.append(pid)
                break
            ancestor = parents.get(ancestor, 0)
    return found


def _is_sandbox_server(pid: int) -> bool:
    """A Python process running the sandbox server (not the bwrap wrapper naming it)."""
    argv = _cmdline(pid).split(" ")
    return "python" in os.path.basename(argv[0]) and SANDBOX_SERVER in " ".join(argv)


def sandbox_children(root: int) -> list[int]:
    """Backtest children below ``root``: sandbox servers forked by a sandbox server."""
    children = []
    for pid in descendants(root):
        try:
            if _is_sandbox_server(pid) and _is_sandbox_server(_parent(pid)):
                children.append(pid)
        except OSError:
            continue
    return children


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
