"""The production set-up of the fault tests, and the faults themselves.

A :class:`Deployment` is one daphne process and ``rundramatiq`` worker processes on a
database and Redis namespace of their own (the database is cloned from a migrated
template, so each test starts clean in about a second). Restarting Redis or PostgreSQL
affects every user of the machine's servers: the helpers always leave them running.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
]
FINAL = ("completed", "runtime_error", "stopped")


def unavailable(reason: str) -> None:
    """Skip locally; fail in CI (``REQUIRE_SERVICES=1``)."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else DEFAULT_DATABASE_URL


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_connection():
    """An autocommit connection to the server's ``postgres`` database (for CREATE DATABASE)."""
    import psycopg

    return psycopg.connect(
        with_database(database_url(), "postgres"), connect_timeout=3, autocommit=True
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------- the servers everyone shares ----------


def redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(redis_url(), socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001  # any failure means "not answering"
        return False


def postgres_up() -> bool:
    try:
        admin_connection().close()
        return True
    except Exception:  # noqa: BLE001
        return False


def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def ensure_redis() -> None:
    """Start Redis (as the brief prescribes: nothing on disk) unless it answers."""
    if not redis_up():
        subprocess.run(REDIS_START, check=False, capture_output=True)
        wait_until(redis_up, 20, "Redis to come back")


def restart_redis() -> float:
    """``shutdown nosave`` then start again: every key (queued messages too) is gone.

    Returns the seconds Redis was down."""
    started = time.monotonic()
    try:
        subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, capture_output=True)
        wait_until(lambda: not redis_up(), 10, "Redis to stop")
    finally:
        ensure_redis()
    return time.monotonic() - started


def _cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def ensure_postgres() -> None:
    if not postgres_up():
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main", "start"],
            check=False,
            capture_output=True,
        )
        wait_until(postgres_up, 60, "PostgreSQL to come back")


def restart_postgres() -> float:
    """Restart the PostgreSQL cluster (every connection is cut); returns the seconds it took."""
    started = time.monotonic()
    try:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main", "restart"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    finally:
        ensure_postgres()
    return time.monotonic() - started


def rss_kb(pid: int) -> int:
    """Resident memory of one process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---------- one deployment ----------


@dataclass
class Deployment:
    """daphne + rundramatiq workers on their own database and Redis namespace."""

    env: dict[str, str]
    database: str
    port: int
    info: dict[str, Any] = field(default_factory=dict)
    web: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)
    logs: Path = REPO / "test-artifacts" / "faults"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _log(self, name: str):
        self.logs.mkdir(parents=True, exist_ok=True)
        return open(self.logs / f"{self.database}-{name}.log", "ab")

    # processes
    def start_web(self) -> subprocess.Popen:
        daphne = str(Path(sys.executable).with_name("daphne"))
        self.web = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
            cwd=REPO,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=self._log("daphne"),
        )
        wait_until(self._answers, 90, "daphne to answer")
        return self.web

    def restart_web(self) -> float:
        """Stop daphne like an operator (SIGTERM, then SIGKILL) and start it on the same port."""
        started = time.monotonic()
        if self.web is not None:
            stop(self.web, signal.SIGTERM)
        self.start_web()
        return time.monotonic() - started

    def start_worker(self, threads: int = 2) -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "rundramatiq",
                "--processes",
                "1",
                "--threads",
                str(threads),
                "--queues",
                "backtests",
            ],
            cwd=REPO,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=self._log(f"worker{len(self.workers) + 1}"),
        )
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for process in [*self.workers, *([self.web] if self.web else [])]:
            stop(process, signal.SIGKILL)

    def _answers(self) -> bool:
        try:
            return self.call("GET", "/api/tiers/")[0] in (200, 401, 403)
        except OSError:
            return False

    # HTTP
    def call(
        self, method: str, path: str, body: Any = None, user: str = "demo", timeout: float = 15
    ) -> tuple[int, Any]:
        """One API request as ``user``; returns (status, parsed JSON body or text)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        token = self.info.get("tokens", {}).get(user)
        if token:
            request.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, _parse(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _parse(error.read())

    def try_call(self, method: str, path: str, body: Any = None, user: str = "demo") -> Any:
        """The body of a 2xx answer, else None (the server may be restarting)."""
        try:
            status, answer = self.call(method, path, body, user=user)
        except OSError:
            return None
        return answer if 200 <= status < 300 else None

    def launch(self, user: str = "demo", **params: Any) -> tuple[int, Any]:
        from tests.faults.algorithms import parameters

        body = {"project": self.info["project"], "parameters": parameters(**params)}
        return self.call("POST", "/api/backtests/", body, user=user)

    def backtest(self, backtest_id: int) -> dict[str, Any] | None:
        return self.try_call("GET", f"/api/backtests/{backtest_id}/")

    def wait_final(self, backtest_id: int, timeout: float = 90) -> dict[str, Any]:
        def final() -> dict[str, Any] | None:
            body = self.backtest(backtest_id)
            return body if body and body["status"] in FINAL else None

        return wait_until(final, timeout, f"backtest {backtest_id} to finish")

    # the database, read directly (what is stored is what the platform will ever show)
    def sql(self, query: str, *args: Any) -> list[tuple]:
        import psycopg

        url = with_database(database_url(), self.database)
        for attempt in range(50):
            try:
                with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
                    return conn.execute(query, args).fetchall()
            except psycopg.OperationalError:
                if attempt == 49:
                    raise
                time.sleep(0.2)
        return []

    def stored_events(self, backtest_id: int) -> list[tuple[int, str, dict]]:
        return self.sql(
            "SELECT seq, type, payload FROM backtesting_backtestevent"
            " WHERE backtest_id = %s ORDER BY seq",
            backtest_id,
        )

    def audit(self, backtest_id: int) -> Audit:
        """Count lost and repeated events and numbered lines of one backtest."""
        (last_seq,) = self.sql(
            "SELECT last_seq FROM backtesting_backtest WHERE id = %s", backtest_id
        )[0]
        return audit_events(self.stored_events(backtest_id), last_seq)

    def resent_by_sweepers(self) -> set[int]:
        """Backtest ids whose run message a sweeper sent again (from the workers' logs)."""
        ids: set[int] = set()
        for path in self.logs.glob(f"{self.database}-worker*.log"):
            for match in re.finditer(r"re-sent \[([\d, ]*)\]", path.read_text(errors="replace")):
                ids.update(int(i) for i in match.group(1).split(",") if i.strip())
        return ids

    def worker_pid(self, backtest_id: int) -> int:
        (worker,) = self.sql("SELECT worker FROM backtesting_backtest WHERE id = %s", backtest_id)[
            0
        ]
        return int(worker.split(":")[1])


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace")


def stop(process: subprocess.Popen, sig: int) -> None:
    """Signal the process's whole session (its children too) and reap it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    else:
        try:  # the leader is gone but children (a sandbox) may be left in its session
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# ---------- counting ----------

LINE = re.compile(r"^line (\d+)$")
TOTAL = re.compile(r"^total (\d+)$")


@dataclass
class Audit:
    """What one backtest's stored stream says about loss and duplication."""

    events: int = 0
    seq_missing: int = 0
    seq_repeated: int = 0
    lines: int = 0
    lines_missing: int = 0
    lines_repeated: int = 0
    total: int | None = None
    results: int = 0

    @property
    def lost(self) -> int:
        return self.seq_missing + self.lines_missing

    @property
    def duplicated(self) -> int:
        return self.seq_repeated + self.lines_repeated + max(0, self.results - 1)


def audit_events(rows: list[tuple[int, str, dict]], last_seq: int) -> Audit:
    """Sequence numbers must be 1..last_seq once each; ``line n`` must be 1..total once each."""
    seqs = [row[0] for row in rows]
    audit = Audit(events=len(rows))
    audit.seq_missing = len(set(range(1, last_seq + 1)) - set(seqs))
    audit.seq_repeated = len(seqs) - len(set(seqs))
    numbers: list[int] = []
    for _seq, kind, payload in rows:
        if kind == "result":
            audit.results += 1
        if kind != "log":
            continue
        message = str(payload.get("message", ""))
        if match := LINE.match(message):
            numbers.append(int(match.group(1)))
        elif match := TOTAL.match(message):
            audit.total = int(match.group(1))
    audit.lines = len(numbers)
    expected = audit.total if audit.total is not None else max(numbers, default=0)
    audit.lines_missing = len(set(range(1, expected + 1)) - set(numbers))
    audit.lines_repeated = len(numbers) - len(set(numbers))
    return audit


def seq_gaps_and_repeats(seqs: list[int], last_seq: int, after: int = 0) -> tuple[int, int]:
    """(missing, repeated) of a websocket client's received ``seq`` against after+1..last_seq."""
    missing = len(set(range(after + 1, last_seq + 1)) - set(seqs))
    return missing, len(seqs) - len(set(seqs))


# ---------- websocket clients ----------


@dataclass
class StreamClient:
    """A backtest page's websocket in Python: reconnects by itself and resumes after the
    last ``seq`` it saw, exactly as ``static/js/results.js`` does. Keeps every ``seq``
    received (repeats included) so a test can count gaps and duplicates."""

    deployment: Deployment
    backtest_id: int
    seqs: list[int] = field(default_factory=list)
    reconnects: int = 0
    final_status: str | None = None

    @property
    def last_seq(self) -> int:
        return max(self.seqs, default=0)

    async def run(self, timeout: float) -> None:
        import websockets

        deadline = time.monotonic() + timeout
        delay = 0.2
        first = True
        while time.monotonic() < deadline:
            path = f"/ws/backtests/{self.backtest_id}/"
            if not first:
                path += f"?after={self.last_seq}"
            try:
                async with websockets.connect(
                    self.deployment.ws_base + path,
                    origin=self.deployment.base,
                    additional_headers={"Cookie": f"sessionid={self.deployment.info['session']}"},
                    open_timeout=5,
                ) as socket_:
                    if not first:
                        self.reconnects += 1
                    first = False
                    delay = 0.2
                    while time.monotonic() < deadline:
                        left = deadline - time.monotonic()
                        frame = json.loads(await asyncio.wait_for(socket_.recv(), left))
                        self._apply(frame)
                        if self.final_status:
                            return
            except (TimeoutError, OSError, websockets.WebSocketException):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _apply(self, frame: dict[str, Any]) -> None:
        if frame["type"] in ("snapshot", "events"):
            self.seqs.extend(event["seq"] for event in frame["events"])
        if frame["type"] in ("snapshot", "status"):
            if frame["backtest"]["status"] in FINAL:
                self.final_status = frame["backtest"]["status"]
