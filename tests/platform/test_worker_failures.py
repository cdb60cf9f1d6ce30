"""Real runs in the real sandbox: a completed run, and runs whose processes are killed.

A backtest whose child is killed (kill -9, like the OOM killer) ends ``runtime_error``; one
whose worker process is killed is found by the sweeper ("node lost"). Either way the node
is idle again and nothing stays ``running``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from backtesting.models import Backtest
from backtesting.services import NODE_LOST, sweep_lost_backtests
from nodes.models import Node
from tests.platform.conftest import wait_for
from tests.platform.processes import alive, sandbox_children

REPO = Path(__file__).resolve().parents[2]

#: sleeps on every minute bar: about 100 s of run, no CPU, long enough to be killed mid-run.
SLOW_ALGORITHM = """from AlgorithmImports import *
import time


class Slow(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)
        self.log("waiting")

    def on_data(self, data):
        time.sleep(0.05)
"""


@pytest.fixture(scope="module", autouse=True)
def _stop_forkservers():
    yield
    from backtesting.sandbox import forkserver

    forkserver.shutdown_all()


def _launch(api, owner, project, source: str | None = None) -> int:
    if source is not None:
        project.files.filter(name="main.py").update(content=source)
    response = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    assert response.status_code == 201, response.data
    return response.data["id"]


def _logged(backtest_id: int, text: str) -> bool:
    return Backtest.objects.get(pk=backtest_id).events.filter(payload__message=text).exists()


@pytest.mark.django_db(transaction=True)
def test_the_demo_algorithm_completes_in_a_sandboxed_child(api, owner, project, stub_worker):
    from backtesting.demo import DEMO_ALGORITHM

    backtest_id = _launch(api, owner, project, DEMO_ALGORITHM)

    wait_for(lambda: not Backtest.objects.get(pk=backtest_id).is_active, timeout=60)
    backtest = Backtest.objects.get(pk=backtest_id)
    assert backtest.status == "completed", backtest.error
    assert backtest.statistics["Total Orders"] == "1"
    assert "Net Profit" in backtest.statistics
    assert backtest.runtime_statistics["Equity"].startswith("$")
    logs = api(owner).get(f"/api/backtests/{backtest_id}/logs/").data
    assert logs[0]["message"].startswith("Sandbox layers: ")
    assert {"level": "debug", "message": "Purchased SPY"}.items() <= logs[1].items()
    assert Node.objects.get(organization=project.organization).status == "idle"


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_the_child_ends_runtime_error_and_frees_the_node(
    api, owner, project, stub_worker
):
    # Given a backtest running in its sandboxed child,
    backtest_id = _launch(api, owner, project, SLOW_ALGORITHM)
    wait_for(lambda: _logged(backtest_id, "waiting"), timeout=30, what="the child's first log")
    children = sandbox_children(os.getpid())
    assert len(children) == 1, children

    # when the child is killed like the OOM killer would,
    os.kill(children[0], signal.SIGKILL)

    # then the backtest ends with a runtime error and the node is idle.
    wait_for(lambda: not Backtest.objects.get(pk=backtest_id).is_active, timeout=10)
    backtest = Backtest.objects.get(pk=backtest_id)
    assert backtest.status == "runtime_error"
    assert backtest.error
    assert Node.objects.get(organization=project.organization).status == "idle"


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_the_worker_is_swept_as_node_lost_and_frees_the_node(
    api, owner, project, settings
):
    # Given a backtest run by a worker in its own process,
    backtest_id = _launch(api, owner, project, SLOW_ALGORITHM)
    env = {**os.environ, "DATABASE_URL": _database_url()}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.platform.worker_process", str(backtest_id)],
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    try:
        wait_for(lambda: _logged(backtest_id, "waiting"), timeout=30, what="the child's first log")
        children = sandbox_children(worker.pid)
        assert len(children) == 1, children

        # when the worker process is killed,
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    # then its sandboxed child does not outlive it,
    wait_for(lambda: not alive(children[0]), timeout=5, what="the orphaned child to die")
    # and once the heartbeat is overdue the sweeper fails the backtest and frees the node.
    assert Backtest.objects.get(pk=backtest_id).status == "running"
    later = timezone.now() + timedelta(seconds=settings.HEARTBEAT_TIMEOUT_SECONDS + 1)
    assert sweep_lost_backtests(now=later).lost == [backtest_id]
    backtest = Backtest.objects.get(pk=backtest_id)
    assert (backtest.status, backtest.error) == ("runtime_error", NODE_LOST)
    assert Node.objects.get(organization=project.organization).status == "idle"


@pytest.mark.django_db(transaction=True)
def test_a_stop_request_ends_the_real_child_within_2_seconds(api, owner, project, stub_worker):
    import time

    backtest_id = _launch(api, owner, project, SLOW_ALGORITHM)
    wait_for(lambda: _logged(backtest_id, "waiting"), timeout=30, what="the child's first log")
    children = sandbox_children(os.getpid())

    asked = time.monotonic()
    assert api(owner).post(f"/api/backtests/{backtest_id}/stop/").status_code == 200

    wait_for(lambda: Backtest.objects.get(pk=backtest_id).status == "stopped", timeout=2.0)
    assert time.monotonic() - asked < 2.0
    wait_for(lambda: not any(alive(pid) for pid in children), timeout=1.0, what="the child ended")
    assert Node.objects.get(organization=project.organization).status == "idle"
