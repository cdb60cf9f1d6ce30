"""The whole platform on PostgreSQL + Redis, as deployed: a daphne web process and
separate ``rundramatiq`` worker processes, driven only through HTTP.

Skips when PostgreSQL or Redis is unreachable; fails instead with ``REQUIRE_SERVICES=1``
(CI). Uses a database and Redis namespace of its own, so it never touches another run's.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.platform.test_worker_failures import SLOW_ALGORITHM

pytestmark = pytest.mark.services

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Deployment:
    env: dict[str, str]
    base: str
    workers: list[subprocess.Popen] = field(default_factory=list)
    token: str = ""

    def start_worker(self) -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "rundramatiq",
                "--processes",
                "1",
                "--threads",
                "2",
                "--queues",
                "backtests",
            ],
            cwd=REPO,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(worker)
        return worker

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def wait(self, predicate, timeout: float = 60, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.2)


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        database_url = DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        import psycopg
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
        parts = urlsplit(database_url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        admin = psycopg.connect(admin_url, connect_timeout=2, autocommit=True)
    except Exception as exc:  # noqa: BLE001  # any failure means "services unreachable"
        _unavailable(f"PostgreSQL or Redis unreachable: {exc}")
    name = f"qd_integration_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": f"qd-integration-{os.getpid()}",
        "BMICRO_DELAY_SECONDS": "0",
        "HEARTBEAT_INTERVAL_SECONDS": "0.5",
        "HEARTBEAT_TIMEOUT_SECONDS": "3",
        "SWEEP_INTERVAL_SECONDS": "1",
        "START_INPROCESS_WORKERS": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    web = None
    deployment = Deployment(env=env, base=f"http://127.0.0.1:{port}")
    try:
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
            )
        web = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("daphne")),
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.asgi:application",
            ],
            cwd=REPO,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deployment.wait(lambda: _answers(deployment), timeout=30, what="daphne")
        deployment.start_worker()
        status, body = deployment.call(
            "POST", "/api/auth/token/", {"username": "demo", "password": "demo"}
        )
        assert status == 200, body
        deployment.token = body["token"]
        yield deployment
    finally:
        for process in [*deployment.workers, *([web] if web else [])]:
            _kill(process)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        client = redis.Redis.from_url(redis_url)
        stale = client.keys(f"{env['REDIS_NAMESPACE']}*")
        if stale:
            client.delete(*stale)


def _answers(deployment: Deployment) -> bool:
    try:
        return deployment.call("GET", "/api/tiers/")[0] in (200, 401, 403)
    except OSError:
        return False


def _demo_project(deployment: Deployment) -> int:
    status, projects = deployment.call("GET", "/api/projects/")
    assert status == 200
    return next(p["id"] for p in projects if p["name"] == "Demo")


def _finished(deployment: Deployment, backtest_id: int) -> dict | None:
    body = deployment.call("GET", f"/api/backtests/{backtest_id}/")[1]
    return body if body["status"] not in ("queued", "running") else None


def test_a_backtest_deployed_over_http_runs_on_a_separate_redis_worker(deployment):
    project = _demo_project(deployment)
    assert deployment.call("POST", f"/api/projects/{project}/build/")[1]["success"] is True

    status, launched = deployment.call("POST", "/api/backtests/", {"project": project})

    assert status == 201, launched
    assert launched["status"] == "queued"
    assert launched["message"] == "New backtest: Demo is in the queue"
    done = deployment.wait(lambda: _finished(deployment, launched["id"]), what="completion")
    assert done["status"] == "completed", done["error"]
    assert done["statistics"]["Total Orders"] == "1"
    logs = deployment.call("GET", f"/api/backtests/{launched['id']}/logs/")[1]
    assert logs[0]["message"].startswith("Sandbox layers: ")
    nodes = deployment.call("GET", "/api/nodes/")[1]
    assert [n["status"] for n in nodes] == ["idle"]


def test_a_killed_worker_is_swept_by_another_and_the_node_serves_again(deployment):
    project = _demo_project(deployment)
    status, _ = deployment.call(
        "PUT", f"/api/projects/{project}/files/main.py", {"content": SLOW_ALGORITHM}
    )
    assert status == 200
    # Given a slow backtest running on the only worker,
    backtest_id = deployment.call("POST", "/api/backtests/", {"project": project})[1]["id"]
    deployment.wait(
        lambda: any(
            line["message"] == "waiting"
            for line in deployment.call("GET", f"/api/backtests/{backtest_id}/logs/")[1]
        ),
        what="the run to start",
    )

    # when that worker machine dies (kill -9 of every worker process),
    for worker in deployment.workers:
        _kill(worker)
    assert deployment.call("GET", f"/api/backtests/{backtest_id}/")[1]["status"] == "running"
    # and a new worker comes up,
    deployment.start_worker()

    # then its sweeper marks the lost backtest and frees the node,
    lost = deployment.wait(lambda: _finished(deployment, backtest_id), timeout=30, what="sweep")
    assert lost["status"] == "runtime_error"
    assert lost["error"].startswith("node lost")
    assert deployment.call("GET", "/api/nodes/")[1][0]["status"] == "idle"

    # and the node serves the next backtest.
    from backtesting.demo import DEMO_ALGORITHM

    deployment.call("PUT", f"/api/projects/{project}/files/main.py", {"content": DEMO_ALGORITHM})
    status, again = deployment.call("POST", "/api/backtests/", {"project": project})
    assert status == 201, again
    done = deployment.wait(lambda: _finished(deployment, again["id"]), what="the next run")
    assert done["status"] == "completed", done["error"]
