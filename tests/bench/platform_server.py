"""The server the platform figures are measured against, started and always stopped here.

One daphne process with the in-process Dramatiq workers (what ``make run`` serves) on a
free 127.0.0.1 port and a PostgreSQL database created for the run and dropped after it.
The demo organization is moved to a paid tier with B2-8 nodes (``tests.faults.setup_org``),
so no B-MICRO delay is involved.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class BenchServer:
    """A running site: URL, the seeded ids, tokens and a websocket session cookie."""

    url: str
    env: dict[str, str]
    info: dict[str, Any]
    process: subprocess.Popen
    database: str
    log: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://")

    def call(self, method: str, path: str, body: Any = None, user: str = "demo") -> Any:
        """One API request (token auth); raises with the answer's body on a non-2xx."""
        return self.call_with_headers(method, path, body, user)[0]

    def call_with_headers(
        self, method: str, path: str, body: Any = None, user: str = "demo"
    ) -> tuple[Any, Any]:
        """:meth:`call`, and the answer's headers (an ``email.message.Message``)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Token {self.info['tokens'][user]}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw, headers = response.read(), response.headers
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path} -> {error.code} {error.read()[:500]!r}") from None
        return (json.loads(raw) if raw else None), headers

    def wait_final(
        self, backtest_id: int, timeout: float = 180, poll: float = 0.05
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.call("GET", f"/api/backtests/{backtest_id}/")
            if body["status"] in ("completed", "runtime_error", "stopped"):
                return body
            time.sleep(poll)
        raise TimeoutError(f"backtest {backtest_id} did not finish in {timeout} s")


def start(nodes: int = 3) -> BenchServer:
    """Create the database, migrate, seed, and serve; the caller must :func:`stop` it."""
    database = f"bench_platform_{os.getpid()}"
    _admin(f'DROP DATABASE IF EXISTS "{database}"')
    _admin(f'CREATE DATABASE "{database}"')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": "",
        "START_INPROCESS_WORKERS": "1",
        "DEBUG": "true",  # static files served by the app, as in the browser tests
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    python = sys.executable
    try:
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run(
                [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        out = subprocess.run(
            [python, "-m", "tests.faults.setup_org", str(nodes)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as error:
        _admin(f'DROP DATABASE IF EXISTS "{database}"')
        raise RuntimeError(f"seeding failed: {error.stderr[-2000:]}") from None
    info = json.loads(out.stdout.strip().splitlines()[-1])
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix="bench-platform-")) / "daphne.log"
    daphne = str(Path(python).with_name("daphne"))
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = BenchServer(f"http://127.0.0.1:{port}", env, info, process, database, log)
    try:
        _wait_up(server)
    except Exception:
        stop(server)
        raise
    return server


def _wait_up(server: BenchServer) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"daphne exited: {server.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(server.url + "/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("daphne did not answer within 60 s")


def stop(server: BenchServer) -> None:
    """Stop daphne's whole session (its sandbox children too) and drop the database."""
    process = server.process
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    try:  # children left in the session after the leader exited
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for _ in range(20):
        try:
            _admin(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)')
            return
        except Exception:  # noqa: BLE001  # connections may take a moment to go
            time.sleep(0.5)
