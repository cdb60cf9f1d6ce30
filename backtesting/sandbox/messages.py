"""User-facing sentences for how a sandboxed run ended (shown in the backtest log/result)."""

from __future__ import annotations

WALL_EXCEEDED = "The algorithm exceeded the wall-clock limit of {wall:g} seconds and was stopped"
CPU_EXCEEDED = "The algorithm exceeded its CPU time limit of {cpu:g} seconds"
OUT_OF_MEMORY = "Out of memory: the algorithm needed more than the node's {memory_mb} MB"
KILLED = (
    "The algorithm was killed by the system (signal 9), most likely for exceeding the "
    "node's {memory_mb} MB of memory"
)
SEGFAULT = "The algorithm crashed (segmentation fault, signal 11)"
SECCOMP = "The algorithm made a forbidden system call and was killed (seccomp, signal 31)"
ABORTED = "The algorithm aborted (signal 6)"
SIGNALLED = "The algorithm was killed by signal {signal}"
NO_RESULT = "The algorithm process ended (exit code {code}) without reporting a result"
STOPPED = "The backtest was stopped on request"
PROTOCOL = "The algorithm corrupted the sandbox's event stream ({detail}) and was stopped"
LOST = "The sandbox lost track of the algorithm process"
UNAVAILABLE = "The sandbox could not run the algorithm: {detail}"


def exit_message(code: int | None, *, cpu_used: float, cpu_limit: float, memory_mb: int) -> str:
    """Explain a child that died without a ``result`` event, from its return code."""
    if code is None:
        return LOST
    if code in (-9, -24) and cpu_used >= cpu_limit - 0.05:
        return CPU_EXCEEDED.format(cpu=cpu_limit)
    if code == -24:  # SIGXCPU without a handler
        return CPU_EXCEEDED.format(cpu=cpu_limit)
    if code == -9:
        return KILLED.format(memory_mb=memory_mb)
    if code == -11:
        return SEGFAULT
    if code == -31:
        return SECCOMP
    if code == -6:
        return ABORTED
    if code < 0:
        return SIGNALLED.format(signal=-code)
    return NO_RESULT.format(code=code)
