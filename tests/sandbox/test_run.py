"""An honest algorithm runs to completion and its events arrive in order."""

from __future__ import annotations

import zipfile

from backtesting.sandbox import active_layers
from tests.sandbox.conftest import DATA_DIR, HONEST


def twentieth_spy_close() -> float:
    """Read outside the sandbox: the value the algorithm must have seen inside it."""
    with zipfile.ZipFile(DATA_DIR / "equity" / "usa" / "daily" / "spy.zip") as archive:
        rows = archive.read(archive.namelist()[0]).decode().splitlines()
    return int(rows[19].split(",")[4]) / 10000


def test_honest_algorithm_completes_with_its_events_in_order(sandbox_run):
    run = sandbox_run(HONEST, parameters={"name": "spy"})

    assert run.outcome.status == "completed"
    assert run.outcome.error is None
    assert run.outcome.exit_code == 0
    types = [e["type"] for e in run.events]
    assert types[0] == "log" and types[-1] == "result"
    # 20 progress events, emitted faster than a batch flushes: each batch keeps its last
    assert 1 <= types.count("progress") <= 20
    assert types.index("progress") > types.index("log", 1)  # in order after "ready spy"
    assert run.messages()[1:] == ["ready spy", f"last close {twentieth_spy_close():.4f}"]
    assert run.result["status"] == "Completed"
    assert run.result["statistics"] == {"Total Orders": "0"}


def test_on_done_gets_the_outcome_before_the_last_batch_is_handed_over() -> None:
    from backtesting.sandbox import SandboxJob, run_sandboxed
    from tests.sandbox.conftest import LIMITS, artifact

    job = SandboxJob(
        artifact=artifact(HONEST), parameters={}, data_dir=str(DATA_DIR), limits=LIMITS
    )
    events: list[dict] = []
    seen_when_done: list[tuple] = []

    def on_done(outcome) -> None:
        seen_when_done.append((outcome, [e["type"] for e in events]))

    outcome = run_sandboxed(
        job, on_events=events.extend, should_stop=lambda: False, on_done=on_done
    )

    assert len(seen_when_done) == 1
    reported, types_so_far = seen_when_done[0]
    # the child's own report, as soon as its result frame arrived (before its exit code)
    assert reported.status == outcome.status == "completed" and reported.error is None
    assert reported.data_files == outcome.data_files and outcome.exit_code == 0
    assert "result" not in types_so_far and events[-1]["type"] == "result"


def test_on_done_comes_once_for_a_child_that_dies_without_a_result(monkeypatch) -> None:
    import dataclasses

    from backtesting.sandbox import SandboxJob, run_sandboxed, supervisor
    from tests.sandbox.conftest import LIMITS, artifact

    # a segfault (the audit hook, which refuses ctypes, switched off): no result frame
    cfg = dataclasses.replace(supervisor.config, disabled=frozenset({"audit-hook"}))
    monkeypatch.setattr(supervisor, "config", cfg)
    source = "import ctypes\nclass A:\n    def initialize(self):\n        ctypes.string_at(0)\n"
    job = SandboxJob(
        artifact=artifact(source), parameters={}, data_dir=str(DATA_DIR), limits=LIMITS
    )
    reports: list = []

    outcome = run_sandboxed(
        job, on_events=lambda batch: None, should_stop=lambda: False, on_done=reports.append
    )

    assert reports == [outcome] and outcome.exit_code == -11


def test_a_child_running_on_after_its_result_is_killed(sandbox_run) -> None:
    """User code can write a result frame to the pipe itself; its child must not run on
    beside the next one that ``on_done`` let start."""
    from backtesting.sandbox.supervisor import RESULT_GRACE

    source = """
import json, os, struct, sys, time
class A:
    def initialize(self):
        body = json.dumps({"type": "result", "status": "Completed", "statistics": {}}).encode()
        os.write(sys.stdout._sink._fd, struct.pack(">I", len(body)) + body)
        time.sleep(60)
"""
    run = sandbox_run(source)

    assert run.seconds < RESULT_GRACE + 3  # not the wall-clock limit
    assert run.outcome.exit_code == -9


def test_first_event_names_every_layer_this_machine_offers(sandbox_run):
    run = sandbox_run(HONEST)

    header = run.events[0]["message"]
    for layer in active_layers():
        assert layer in header
    assert set(run.outcome.layers) == set(active_layers())


def test_exception_gives_a_traceback_naming_main_py_and_the_line(sandbox_run):
    source = (
        HONEST
        + """
    def on_data(self, close):
        self.seen += 1
        if self.seen == 3:
            raise ValueError(f"bad close {close}")
"""
    )
    run = sandbox_run(source)

    assert run.outcome.status == "runtime_error"
    assert run.outcome.error.startswith("ValueError: bad close")
    assert run.result["status"] == "RuntimeError"
    assert 'File "main.py", line 15, in on_data' in run.result["stacktrace"]


def test_print_becomes_a_log_line(sandbox_run):
    run = sandbox_run('class A:\n    def initialize(self):\n        print("from print")\n')

    assert run.outcome.status == "completed"
    assert "from print" in run.messages()


def test_many_events_arrive_in_bounded_batches(sandbox_run):
    source = (
        "class A:\n    def initialize(self):\n"
        "        for i in range(1000):\n            self.log(i)\n"
    )
    run = sandbox_run(source)

    logged = run.messages()[1:]
    assert logged == [str(i) for i in range(1000)]
    assert max(len(b) for b in run.batches) <= 200 + 1  # the final batch may add the result


def test_child_has_a_clean_environment_and_the_sandbox_uid(sandbox_run, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1/test")
    source = """
import os
class A:
    def initialize(self):
        self.log(" ".join(sorted(os.environ)))
        self.log(f"uid={os.getuid()} gid={os.getgid()} groups={os.getgroups()}")
"""
    run = sandbox_run(source)

    env_names, ids = run.messages()[1:]
    assert set(env_names.split()) <= {
        "HOME",
        "TMPDIR",
        "PATH",
        "LANG",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
    }
    if "user" in active_layers():
        import pwd

        entry = pwd.getpwnam("sandbox")
        assert ids == f"uid={entry.pw_uid} gid={entry.pw_gid} groups=[]"


def test_cores_set_the_blas_thread_count(sandbox_run):
    from dataclasses import replace

    from tests.sandbox.conftest import LIMITS

    source = """
import os
class A:
    def initialize(self):
        self.log(os.environ["OPENBLAS_NUM_THREADS"])
"""
    run = sandbox_run(source, limits=replace(LIMITS, cores=2))

    assert run.messages()[1:] == ["2"]


def test_idle_blas_threads_sleep_instead_of_spinning(sandbox_run):
    """OpenBLAS's threads spin (sched_yield) for about 2**28 cycles after each call by
    default: every child given 2 cores burned a second core for ~0.1 s after numpy's first
    multithreaded call, which is CPU the platform's own work on a 2-core node needed."""
    from dataclasses import replace

    from tests.sandbox.conftest import LIMITS

    source = """
import time
import numpy as np
class A:
    def initialize(self):
        a = np.ones((400, 400))
        (a @ a).sum()  # large enough for OpenBLAS to use both threads
        cpu, wall = time.process_time(), time.perf_counter()
        time.sleep(0.3)
        self.log(f"{time.process_time() - cpu:.3f} {time.perf_counter() - wall:.3f}")
"""
    run = sandbox_run(source, limits=replace(LIMITS, cores=2))

    cpu, wall = map(float, run.messages()[1].split())
    assert wall >= 0.3
    assert cpu < 0.03, f"the child used {cpu:.3f} s of CPU while sleeping {wall:.3f} s"


def test_ordinary_numpy_pandas_and_stdlib_code_is_not_refused(sandbox_run):
    source = """
import dataclasses, datetime, json, math, statistics, zoneinfo
import numpy as np
import pandas as pd

@dataclasses.dataclass
class Signal:
    value: float

class A:
    def initialize(self):
        index = pd.date_range("2020-01-01", periods=50, freq="D", tz="America/New_York")
        s = pd.Series(np.arange(50.0), index=index)
        self.log(s.rolling(5).mean().iloc[-1])
        self.log(s.tz_convert("UTC").index[0].isoformat())
        london = datetime.datetime(2020, 7, 1, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
        self.log(london.utcoffset())
        self.log(json.dumps(dataclasses.asdict(Signal(statistics.mean([1.0, 2.0])))))
        self.log(math.isclose(float(np.linalg.inv(np.eye(3)).sum()), 3.0))
        self.log(open("/proc/self/status").read().count("Seccomp:"))
"""
    run = sandbox_run(source)

    assert run.outcome.status == "completed", run.outcome.error
    assert run.messages()[1:] == [
        "47.0",
        "2020-01-01T05:00:00+00:00",
        "1:00:00",
        '{"value": 1.5}',
        "True",
        "1",
    ]


def test_user_tracebacks_hide_the_sandbox_frames(sandbox_run):
    run = sandbox_run(
        "import socket\nclass A:\n    def initialize(self):\n        socket.socket()\n"
    )

    assert 'File "main.py", line 4, in initialize' in run.result["stacktrace"]
    assert "backtesting/sandbox" not in run.result["stacktrace"]


def test_an_unreachable_forkserver_is_a_runtime_error_reported_once(monkeypatch) -> None:
    from backtesting.sandbox import SandboxJob, messages, run_sandboxed, supervisor
    from backtesting.sandbox.forkserver import SandboxUnavailable
    from tests.sandbox.conftest import LIMITS, artifact

    class Unreachable:
        def submit(self, request):
            raise SandboxUnavailable("no forkserver")

    monkeypatch.setattr(supervisor, "server_for", lambda spec: Unreachable())
    job = SandboxJob(
        artifact=artifact(HONEST), parameters={}, data_dir=str(DATA_DIR), limits=LIMITS
    )
    events: list[dict] = []
    reports: list = []

    outcome = run_sandboxed(
        job, on_events=events.extend, should_stop=lambda: False, on_done=reports.append
    )

    assert outcome.status == "runtime_error"
    assert outcome.error == messages.UNAVAILABLE.format(detail="no forkserver")
    assert reports == [outcome]
    assert [e["type"] for e in events] == ["log", "result"]
