"""Run untrusted algorithm bytecode in an isolated child process.

Public surface (the worker codes against exactly this)::

    outcome = run_sandboxed(SandboxJob(artifact, parameters, data_dir, SandboxLimits(...)),
                            on_events=store_batch, should_stop=stop_flag_is_set)

``on_events`` gets batches of engine events (``backtesting/engine/results/sink.py``): the
first is a ``log`` line ``"Sandbox layers: ..."`` (``time`` is None) naming the layers that
were applied and the ones skipped with why; the last is exactly one ``result`` event.
``active_layers()`` lists what this machine offers (probed once per process).

How a job runs: a per-process forkserver (``forkserver``/``server``), started lazily with
a clean environment inside bubblewrap, preloads numpy, pandas and the engine (never
Django), then forks one child per job (``child``), which applies the layers and runs the
engine with a ``PipeSink``. The parent (``supervisor``) batches events, polls the stop
flag, enforces the wall clock and explains deaths from exit codes.

The layers, each probed and skipped (and reported) when unavailable:

=============  ==============================================================================
clean-env      the server starts with an empty environment; the child rebuilds a minimal one
rlimits        AS = memory_mb (includes ~160 MB of preloaded numpy/pandas), CPU soft/hard,
               NOFILE 256, NPROC 128, FSIZE 16 MB, CORE 0; BLAS/OMP threads = cores
wall-clock     the parent kills the child at wall_seconds (sleep uses no CPU); always on
bubblewrap     only /usr, the interpreter, the venv, the engine + sandbox packages and the
               data folder, all read-only; empty size-capped /tmp; own pid/ipc/uts namespaces
netns          an empty network namespace (bubblewrap's, or ``unshare`` per child as root)
user           each child becomes the real host uid ``sandbox`` (not a namespace-mapped root),
               with no_new_privs
seccomp        socket/connect/execve/fork/clone-a-process/ptrace/mount/... fail with EPERM;
               signals only to itself
audit-hook     friendly messages only ("Network access is not allowed in algorithms"); it
               is a tripwire, never the boundary
=============  ==============================================================================

Decision on the interpreter under /root (pyenv, ``drwx------ /root``): we do not chmod
/root. Inside bubblewrap the interpreter is bound under world-traversable folders that
bubblewrap creates, so the ``sandbox`` uid reaches it. Without bubblewrap the user layer
is skipped when the interpreter is unreachable (and the log says so), because every lazy
import would fail after the uid switch. ``scripts/provision_sandbox.sh`` installs
bubblewrap and creates the user.
"""

from backtesting.sandbox.jobs import SandboxJob, SandboxLimits, SandboxOutcome
from backtesting.sandbox.probe import active_layers
from backtesting.sandbox.supervisor import run_sandboxed

__all__ = ["SandboxJob", "SandboxLimits", "SandboxOutcome", "run_sandboxed", "active_layers"]
