"""The parent survives what can go wrong around the child: a dead forkserver, a failing
event consumer."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from backtesting.sandbox import forkserver, messages
from tests.sandbox.conftest import HONEST

SLEEPER = "import time\nclass A:\n    def initialize(self):\n        time.sleep(30)\n"


def _running_servers() -> list[forkserver.ForkServer]:
    return [s for s in forkserver._servers.values() if s._alive()]


def _descendants(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                found += [int(entry), *_descendants(int(entry))]
    return found


def _argv(pid: int) -> list[bytes]:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().split(b"\0")


def _server_interpreters() -> list[int]:
    """The forkserver's Python processes (bubblewrap's own command lines name it too)."""
    return [
        pid
        for server in _running_servers()
        for pid in [server._proc.pid, *_descendants(server._proc.pid)]
        if b"bwrap" not in _argv(pid)[0] and b"sandbox.server" in b" ".join(_argv(pid))
    ]


def _kill_server_interpreters() -> None:
    """What the OOM killer would do: kill the forkserver's Python, not bubblewrap."""
    for pid in _server_interpreters():
        os.kill(pid, signal.SIGKILL)


def test_a_killed_forkserver_fails_the_running_job_and_is_restarted(sandbox_run):
    sandbox_run(HONEST)
    killer = threading.Timer(0.5, _kill_server_interpreters)
    killer.start()

    run = sandbox_run(SLEEPER)

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error == messages.LOST
    assert run.seconds < 5
    assert sandbox_run(HONEST).outcome.status == "completed"


def test_a_failing_event_consumer_propagates_and_kills_the_child(sandbox_run):
    from backtesting.sandbox import SandboxJob, run_sandboxed
    from tests.sandbox.conftest import DATA_DIR, LIMITS, artifact

    sandbox_run(HONEST)
    job = SandboxJob(artifact(SLEEPER), {}, str(DATA_DIR), LIMITS)

    def on_events(batch):
        raise RuntimeError("database down")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="database down"):
        run_sandboxed(job, on_events=on_events, should_stop=lambda: False)
    assert time.monotonic() - started < 2
    # The child was killed: the forkserver has no job left once it reaped it.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if not any(s for s in _running_servers()):
            break
        time.sleep(0.05)
    assert sandbox_run(HONEST).outcome.status == "completed"


def test_a_hung_forkserver_is_torn_down_and_the_stop_still_lands_in_two_seconds(sandbox_run):
    sandbox_run(HONEST)
    (server,) = _running_servers()
    tree = [server._proc.pid, *_descendants(server._proc.pid)]
    python = _server_interpreters()
    asked: list[float] = []

    def should_stop() -> bool:
        if not asked and time.monotonic() - started > 0.5:
            os.kill(python[0], signal.SIGSTOP)  # the server can no longer act on "kill"
            asked.append(time.monotonic())
        return bool(asked)

    started = time.monotonic()
    run = sandbox_run(SLEEPER, should_stop=should_stop)

    assert run.outcome.status == "stopped"
    assert time.monotonic() - asked[0] < 2.0
    deadline = time.monotonic() + 3  # SIGKILL and reaping by init take a moment
    while [p for p in tree if os.path.exists(f"/proc/{p}")] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in tree if os.path.exists(f"/proc/{p}")]  # nothing left behind
    assert sandbox_run(HONEST).outcome.status == "completed"


def test_a_missing_data_folder_is_a_runtime_error_not_a_crash(sandbox_run, tmp_path):
    run = sandbox_run(HONEST, data_dir=tmp_path / "no-such-folder")

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error.startswith("The sandbox could not run the algorithm")
    assert "(the sandboxed process did not start)" in run.events[0]["message"]
    assert sandbox_run(HONEST).outcome.status == "completed"
