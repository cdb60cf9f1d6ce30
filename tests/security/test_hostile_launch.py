"""Issue 5's hostile algorithms, each deployed through the real launch path
(``POST /api/backtests/`` -> Dramatiq actor -> sandboxed child running the real engine),
all at once, next to an honest backtest.

Each hostile run must end with a clear sentence in its log, its node must be idle again, the
worker must still serve a new launch afterwards, and the honest run must produce exactly
the statistics the engine computes for it in-process.
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from accounts.models import Tier
from backtesting.engine import loader, runner
from backtesting.models import Backtest
from backtesting.sandbox import audit, child, messages
from ide.models import Project, ProjectFile
from nodes.models import Node

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

HEAD = """from AlgorithmImports import *
import os
import socket
{imports}

class Hostile(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)
{body}
"""

HONEST = """from AlgorithmImports import *


class Honest(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)
        self.fast = self.sma("SPY", 10)

    def on_data(self, data):
        if not self.fast.is_ready:
            return
        price = self.securities["SPY"].price
        if price > self.fast.current.value and not self.portfolio.invested:
            self.set_holdings("SPY", 0.9)
        elif price < self.fast.current.value and self.portfolio.invested:
            self.liquidate("SPY")
"""

#: per-backtest limits the suite runs under (settings, so a hostile run ends quickly)
STEP_SECONDS = 5
BACKTEST_SECONDS = 40
ORDER_QUOTA = 500
LOG_QUOTA_KB = 64


def _in_initialize(*lines: str, imports: str = "") -> str:
    body = "".join(f"        {line}\n" for line in lines)
    return HEAD.format(imports=imports, body=body)


def _in_on_data(*lines: str, imports: str = "") -> str:
    body = "\n    def on_data(self, data):\n" + "".join(f"        {line}\n" for line in lines)
    return HEAD.format(imports=imports, body=body)


def _database_file() -> str:
    """A file that holds the database: SQLite's file, or a file of PostgreSQL's cluster."""
    if connection.vendor == "sqlite":
        return str(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        return os.path.join(cursor.fetchone()[0], "PG_VERSION")


def _cases() -> dict[str, tuple[str, str]]:
    """name -> (source, a sentence its log must contain)."""
    database = _database_file()
    data_file = os.path.join(os.path.realpath(settings.DATA_DIR), "equity", "usa", "x.csv")
    return {
        "read /etc/passwd": (
            _in_initialize('self.log(open("/etc/passwd").read())'),
            audit.READ_REFUSED,
        ),
        "read the database file": (
            _in_initialize(f"self.log(open({database!r}, 'rb').read(100))"),
            audit.READ_REFUSED,
        ),
        "read another organization's project folder": (
            _in_initialize(
                f"self.log(str(os.listdir({str(settings.BASE_DIR)!r})))", imports="import os"
            ),
            audit.READ_REFUSED,
        ),
        "connect to postgres :5432": (
            _in_initialize('socket.create_connection(("127.0.0.1", 5432), timeout=2)'),
            audit.NETWORK_REFUSED,
        ),
        "connect to redis :6379": (
            _in_initialize('socket.create_connection(("127.0.0.1", 6379), timeout=2)'),
            audit.NETWORK_REFUSED,
        ),
        "os.system": (_in_initialize('os.system("id")'), audit.PROCESS_REFUSED),
        "subprocess": (
            _in_initialize('subprocess.run(["id"])', imports="import subprocess"),
            audit.PROCESS_REFUSED,
        ),
        "os.fork": (_in_initialize("os.fork()"), audit.PROCESS_REFUSED),
        "fork bomb": (_in_initialize("while True:", "    os.fork()"), audit.PROCESS_REFUSED),
        "allocate 20 GB": (
            _in_initialize("self.blob = bytearray(20 * 1024 ** 3)"),
            messages.OUT_OF_MEMORY.format(memory_mb=8 * 1024),
        ),
        "infinite loop in on_data": (
            _in_on_data("while True:", "    pass"),
            f"Algorithm took longer than {STEP_SECONDS} seconds on a single time loop",
        ),
        "100 MB of logs": (
            _in_initialize("for i in range(10_000):", "    self.log(str(i) + 'x' * 10_000)"),
            f"Log quota reached: {LOG_QUOTA_KB} KB per backtest on the Trading Firm tier",
        ),
        "a million orders": (
            _in_on_data("for i in range(1_000_000):", '    self.market_order("SPY", 1)'),
            f"Order quota reached: {ORDER_QUOTA:,} orders per backtest on the Trading Firm tier",
        ),
        "object.__subclasses__() to os.system": (
            _in_initialize(
                "for cls in object.__subclasses__():",
                "    if cls.__name__ == '_wrap_close':",
                "        cls.__init__.__globals__['system']('id')",
            ),
            audit.PROCESS_REFUSED,
        ),
        "import ctypes": (
            _in_initialize('ctypes.CDLL(None).system(b"id")', imports="import ctypes"),
            audit.CTYPES_REFUSED,
        ),
        "write into the data folder": (
            _in_initialize(f"open({data_file!r}, 'w').write('corrupted')"),
            audit.WRITE_REFUSED,
        ),
        "sys.exit() in initialize": (
            _in_initialize("sys.exit()", imports="import sys"),
            child.EXIT_REFUSED.format(what="SystemExit"),
        ),
        "raise SystemExit in initialize": (
            _in_initialize("raise SystemExit(3)"),
            child.EXIT_REFUSED.format(what="SystemExit"),
        ),
        "raise KeyboardInterrupt in initialize": (
            _in_initialize("raise KeyboardInterrupt"),
            child.EXIT_REFUSED.format(what="KeyboardInterrupt"),
        ),
    }


class _Events:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def emit(self, event: dict) -> None:
        self.events.append(event)


def _reference_statistics() -> dict:
    """The honest algorithm's statistics from the engine in this process (no platform)."""
    result = runner.run_modules(
        loader.compile_sources({"main.py": HONEST}), data_dir=settings.DATA_DIR, sink=_Events()
    )
    assert result["status"] == "Completed", result
    return result["statistics"]


def _project(organization, name: str, source: str) -> Project:
    project = Project.objects.create(organization=organization, name=name)
    ProjectFile.objects.create(project=project, name="main.py", content=source)
    return project


def _launch(client, project: Project) -> int:
    reply = client.post("/api/backtests/", {"project": project.pk}, format="json")
    assert reply.status_code == 201, (project.name, reply.status_code, reply.data)
    return reply.data["id"]


def _wait_finished(ids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while Backtest.objects.filter(pk__in=ids, status__in=["queued", "running"]).exists():
        running = list(
            Backtest.objects.filter(pk__in=ids, status__in=["queued", "running"]).values_list(
                "name", "status"
            )
        )
        assert time.monotonic() < deadline, f"still going: {running}"
        time.sleep(0.2)


def _log_text(client, backtest_id: int) -> str:
    logs = client.get(f"/api/backtests/{backtest_id}/logs/").data
    return "\n".join(line["message"] for line in logs)


@pytest.mark.django_db(transaction=True)
def test_hostile_algorithms_through_the_launch_path(api, firm, wide_worker):
    organization, user = firm
    Tier.objects.filter(slug="firm").update(
        orders_per_backtest=ORDER_QUOTA, log_bytes_per_backtest=LOG_QUOTA_KB * 1024
    )
    reference = _reference_statistics()
    client = api(user)
    cases = _cases()
    started = time.monotonic()
    with override_settings(
        BACKTEST_MAX_SECONDS=BACKTEST_SECONDS, BACKTEST_STEP_MAX_SECONDS=STEP_SECONDS
    ):
        honest_id = _launch(client, _project(organization, "honest", HONEST))
        hostile = {
            name: _launch(client, _project(organization, name, source))
            for name, (source, _) in cases.items()
        }
        _wait_finished([honest_id, *hostile.values()], timeout=150)

        failures = []
        for name, backtest_id in hostile.items():
            backtest = Backtest.objects.get(pk=backtest_id)
            print(f"| {name} | {backtest.status} | {backtest.error or cases[name][1]} |")
            expected = cases[name][1]
            log = _log_text(client, backtest_id)
            if expected not in log:
                failures.append((name, backtest.status, backtest.error, log[-600:]))
            if name != "100 MB of logs" and backtest.status != "runtime_error":
                failures.append((name, "status", backtest.status, backtest.error))
        assert not failures, "\n".join(map(repr, failures))
        # The step limit's traceback points into the user's loop, not at the sandbox's timer.
        looping = Backtest.objects.get(pk=hostile["infinite loop in on_data"])
        stack = client.get(f"/api/backtests/{looping.pk}/").data.get("stacktrace") or _log_text(
            client, looping.pk
        )
        assert 'File "main.py"' in stack and "steps.py" not in stack, stack
        # The log case goes on past its quota and completes, with the quota line once.
        log_case = Backtest.objects.get(pk=hostile["100 MB of logs"])
        assert log_case.status == "completed"
        assert _log_text(client, log_case.pk).count("Log quota reached") == 1

        honest = client.get(f"/api/backtests/{honest_id}/").data
        assert honest["status"] == "completed", (honest["error"], _log_text(client, honest_id))
        assert honest["statistics"] == reference
        assert int(reference["Total Orders"]) > 0  # the honest run really traded

        # Every node is idle again, and the worker still serves a new launch.
        assert not Node.objects.filter(organization=organization, status="busy").exists()
        again = _launch(client, Project.objects.get(organization=organization, name="honest"))
        _wait_finished([again], timeout=60)
        assert client.get(f"/api/backtests/{again}/").data["statistics"] == reference
    assert time.monotonic() - started < 120
