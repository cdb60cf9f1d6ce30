"""Fixtures of the browser tests: the real ASGI server, headless Chromium, helpers.

The server is the app as ``make run`` serves it (daphne + Channels websockets, Dramatiq's
in-process broker with worker threads, the sweeper) on a free 127.0.0.1 port with a fresh
SQLite database in a temporary folder. Django's ``live_server`` is not used: it serves no
websockets, and the pages stream.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  # re-exported for browser tests

# Playwright's sync API keeps an event loop in this thread; tell Django that is fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
#: seconds a B-MICRO launch waits in the test server (20 in production; short keeps tests fast
#: while the countdown is still visible).
BMICRO_DELAY_SECONDS = 4
#: seconds to wait for the server to answer after it starts.
SERVER_START_TIMEOUT = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that drive Chromium so ``-m 'not browser'`` skips them."""
    for item in items:
        if {"browser", "visitor"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _data_dir() -> str:
    if os.environ.get("DATA_DIR"):
        return os.environ["DATA_DIR"]
    return str(ROOT.parent / "shared" / "data" / "lean")


@dataclass
class Server:
    """The running site: its URL, and a JSON client of its REST API for test set-up."""

    url: str
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, body: Any = None, *, user: str | None = None) -> Any:
        """Call the API as ``user`` (token auth); raise with the body on a non-2xx answer."""
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if user:
            headers["Authorization"] = f"Token {self.tokens[user]}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                text = resp.read().decode()
        except urllib.error.HTTPError as error:
            raise AssertionError(
                f"{method} {path} -> {error.code} {error.read().decode()}"
            ) from None
        return json.loads(text) if text else None

    def login_api(self, username: str, password: str) -> None:
        """Get an API token for ``username`` so set-up steps can act as them."""
        reply = self.api("POST", "/api/auth/token/", {"username": username, "password": password})
        self.tokens[username] = reply["token"]

    def signup(self, username: str, password: str) -> None:
        """Create a user (with their Free organization) the way the sign-up page does."""
        self.api("POST", "/api/auth/signup/", {"username": username, "password": password})
        self.login_api(username, password)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Migrate and seed a fresh SQLite database, then serve the ASGI app with daphne.

    ``BROWSER_TEST_URL`` points the tests at a server that is already running instead
    (``make run``, for debugging a failure by hand); it must hold the seeded demo data.
    """
    folder = tmp_path_factory.mktemp("server")
    if os.environ.get("BROWSER_TEST_URL"):
        srv = Server(url=os.environ["BROWSER_TEST_URL"].rstrip("/"), log=folder / "server.log")
        srv.login_api("demo", "demo")
        yield srv
        return
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": "",  # in-process broker and channel layer, whatever the CI sets
        "START_INPROCESS_WORKERS": "1",
        "BMICRO_DELAY_SECONDS": str(BMICRO_DELAY_SECONDS),
        "DEBUG": "true",
        "DATA_DIR": _data_dir(),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    python = sys.executable
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    log = folder / "server.log"
    daphne = Path(python).with_name("daphne")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        srv = Server(url=url, log=log)
        srv.login_api("demo", "demo")
        yield srv
    finally:
        # Only the process group this fixture started (daphne and its sandbox children).
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, ARTIFACTS / "server.log")


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {SERVER_START_TIMEOUT} s")


@dataclass
class Visitor:
    """One person's browser context and page, with the console errors it produced."""

    context: Any
    page: Any
    errors: list[str]
    name: str
    #: HTTP statuses this visitor is expected to receive (Chromium logs each one as a
    #: console error "Failed to load resource: ... status of 403").
    expected_statuses: set[int] = field(default_factory=set)

    def unexpected_errors(self) -> list[str]:
        return [
            e
            for e in self.errors
            if not any(f"status of {code} " in e for code in self.expected_statuses)
        ]

    def shot(self, step: str) -> Path:
        """Write a screenshot of this step under test-artifacts/browser/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def login(self, username: str, password: str) -> None:
        """Log in through the form, as a person would."""
        self.page.goto("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url("**/projects/")


@pytest.fixture
def visitor(
    browser: Any, server: Server, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Visitor]]:
    """Open browser contexts (1280x800 unless told); each fails the test on console errors."""
    opened: list[Visitor] = []

    def open_visitor(name: str, *, width: int = 1280, height: int = 800) -> Visitor:
        context = browser.new_context(
            base_url=server.url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        # Chromium's console line for a failed request omits the URL; record it alongside.
        page.on(
            "response",
            lambda r: (
                errors.append(f"http {r.status} {r.request.method} {r.url}")
                if r.status >= 400 and r.status not in v.expected_statuses
                else None
            ),
        )
        v = Visitor(context=context, page=page, errors=errors, name=f"{request.node.name}-{name}")
        opened.append(v)
        return v

    yield open_visitor
    errors = [e for v in opened for e in v.unexpected_errors()]
    for v in opened:
        v.context.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)
