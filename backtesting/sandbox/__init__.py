"""Run untrusted algorithm bytecode in an isolated child process.

The operating system is the boundary: a per-worker forkserver (inside bubblewrap when the
machine allows) forks one child per backtest; the child drops to the ``sandbox`` user,
applies resource limits and a seccomp filter, runs the engine and streams its events back
over a pipe. See ``supervisor.run_sandboxed`` for the contract.
"""

from backtesting.sandbox.jobs import SandboxJob, SandboxLimits, SandboxOutcome
from backtesting.sandbox.probe import active_layers
from backtesting.sandbox.supervisor import run_sandboxed

__all__ = ["SandboxJob", "SandboxLimits", "SandboxOutcome", "run_sandboxed", "active_layers"]
