"""Fault tests: the real production set-up, killed and restarted on purpose (issue 9).

Every test here is ``services`` and ``slow``: it skips when PostgreSQL or Redis is
unreachable, and fails instead under ``REQUIRE_SERVICES=1`` (CI). Each test gets its own
database (cloned from a template migrated once per session) and Redis namespace, and a
``deploy(nodes=..., workers=...)`` factory for daphne and ``rundramatiq`` workers.

At the end of the run a table lists each scenario with its outcome and the events lost
and duplicated (each test reports them through the ``record`` fixture).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from tests.faults.harness import (
    REPO,
    Deployment,
    admin_connection,
    database_url,
    ensure_postgres,
    ensure_redis,
    free_port,
    postgres_up,
    redis_up,
    redis_url,
    unavailable,
    with_database,
)

#: heartbeats and sweeps fast enough for "node lost within 30 s" and short tests.
FAULT_SETTINGS = {
    "BMICRO_DELAY_SECONDS": "0",
    "HEARTBEAT_INTERVAL_SECONDS": "0.5",
    "HEARTBEAT_TIMEOUT_SECONDS": "5",
    "SWEEP_INTERVAL_SECONDS": "1",
    "QUEUED_RESEND_SECONDS": "5",
    "WEBSOCKET_RESYNC_SECONDS": "2",
    "START_INPROCESS_WORKERS": "0",
    "DEBUG": "0",
    # Loopback HTTP: in production TLS ends at the proxy in front of daphne.
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECRET_KEY": "fault-tests",
    "LOG_LEVEL": "INFO",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="session")
def template_database() -> Iterator[str]:
    """A migrated, seeded database each test clones (CREATE DATABASE ... TEMPLATE)."""
    if not (postgres_up() and redis_up()):
        unavailable("PostgreSQL or Redis unreachable")
    name = f"qd_faults_template_{os.getpid()}"
    admin = admin_connection()
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        **FAULT_SETTINGS,
        "DATABASE_URL": with_database(database_url(), name),
        "REDIS_URL": redis_url(),
    }
    try:
        _manage(env, "manage.py", "migrate", "--noinput", "-v0")
        _manage(env, "manage.py", "seed_demo")
        yield name
    finally:
        ensure_postgres()
        admin = admin_connection()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def deploy(template_database: str, request: pytest.FixtureRequest) -> Iterator[Callable]:
    """``deploy(nodes=1, workers=1, threads=2, **settings)`` -> a running :class:`Deployment`.

    ``settings`` are extra environment variables (``DEBUG="1"`` serves the static files a
    browser needs)."""
    created: list[Deployment] = []

    def _deploy(nodes: int = 1, workers: int = 1, threads: int = 2, **settings: str) -> Deployment:
        name = f"qd_faults_{os.getpid()}_{len(created)}_{request.node.name[:20].lower()}"
        name = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
        admin = admin_connection()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        admin.close()
        env = {
            **os.environ,
            **FAULT_SETTINGS,
            "DATABASE_URL": with_database(database_url(), name),
            "REDIS_URL": redis_url(),
            "REDIS_NAMESPACE": f"qd-{name}",
            **settings,
        }
        deployment = Deployment(env=env, database=name, port=free_port())
        created.append(deployment)
        deployment.info = json.loads(
            _manage(env, "-m", "tests.faults.setup_org", str(nodes)).strip().splitlines()[-1]
        )
        deployment.start_web()
        for _ in range(workers):
            deployment.start_worker(threads)
        return deployment

    try:
        yield _deploy
    finally:
        ensure_redis()
        ensure_postgres()
        for deployment in created:
            deployment.stop_all()
            admin = admin_connection()
            admin.execute(f'DROP DATABASE IF EXISTS "{deployment.database}" WITH (FORCE)')
            admin.close()
            _drop_namespace(deployment.env["REDIS_NAMESPACE"])


def _drop_namespace(namespace: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url())
    keys = list(client.scan_iter(f"{namespace}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``record(scenario, lost=, duplicated=, **details)``: one row of the results table."""

    def _record(scenario: str, lost: int, duplicated: int, **details: object) -> None:
        row = {"scenario": scenario, "lost": lost, "duplicated": duplicated, **details}
        request.node.user_properties.append(("fault_result", row))

    return _record


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    rows = []
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            for key, row in getattr(report, "user_properties", []):
                if key == "fault_result":
                    rows.append((outcome, row))
            if outcome != "passed" and "tests/faults/" in report.nodeid and report.when == "call":
                if not any(key == "fault_result" for key, _ in report.user_properties):
                    name = report.nodeid.split("::")[-1]
                    rows.append((outcome, {"scenario": name, "lost": "?", "duplicated": "?"}))
    if not rows:
        return
    terminalreporter.write_sep("=", "fault scenarios")
    header = f"{'scenario':<58} {'outcome':<8} {'lost':>5} {'dup':>5}  details"
    terminalreporter.write_line(header)
    for outcome, row in rows:
        details = ", ".join(
            f"{k}={v}" for k, v in row.items() if k not in ("scenario", "lost", "duplicated")
        )
        terminalreporter.write_line(
            f"{row['scenario']:<58} {outcome:<8} {row['lost']!s:>5} {row['duplicated']!s:>5}  "
            f"{details}"
        )
