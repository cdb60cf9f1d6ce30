"""What the worker hands to the sandbox and what it gets back (the public data shapes)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: outcome statuses, mirroring the ``result`` event's "Completed" / "RuntimeError" / "Stopped"
COMPLETED = "completed"
RUNTIME_ERROR = "runtime_error"
STOPPED = "stopped"


@dataclass(frozen=True)
class SandboxLimits:
    """A node model's resources, enforced on one backtest.

    ``memory_mb`` caps the child's address space (RLIMIT_AS), ``cores`` sets the BLAS thread
    count, ``cpu_seconds`` is RLIMIT_CPU and ``wall_seconds`` is the parent's kill deadline
    (sleeping uses no CPU, so the wall clock is the limit that always holds).
    """

    memory_mb: int
    cores: int
    cpu_seconds: float
    wall_seconds: float
    #: longest one time step (``on_data`` or a scheduled event) may run; 0 = no limit
    step_seconds: float = 600.0


@dataclass(frozen=True)
class SandboxJob:
    """One backtest: the build artifact (``loader.pack_artifact`` bytes), its parameters,
    the market data folder (mounted read-only) and the limits."""

    artifact: bytes
    parameters: dict[str, str]
    data_dir: str
    limits: SandboxLimits
    #: cached reads (``SandboxOutcome.data_files`` of an earlier run) the forkserver parses
    #: before forking, so this child inherits them parsed (an optimization's later runs)
    warm: tuple = ()
    #: the order quota the engine enforces (None = unlimited) and the sentence naming it
    max_orders: int | None = None
    max_orders_message: str = ""
    #: an optimization's batch: one run per parameter set, one after the other in this one
    #: child (``parameters`` is then unused); the limits hold per run, the CPU limit for all
    runs: tuple[dict[str, str], ...] = ()


@dataclass
class SandboxOutcome:
    """How the child ended. ``error`` is the user-facing message of a runtime error or stop;
    ``exit_code`` is the child's return code (negative = killed by that signal) when known;
    ``layers`` are the isolation layers that were actually applied to this child."""

    status: str
    error: str | None
    exit_code: int | None
    layers: list[str] = field(default_factory=list)
    #: the cached reads the run made; pass them as ``SandboxJob.warm`` to share the data
    data_files: list = field(default_factory=list)
