"""End to end (issue 7): the real ``lean`` CLI from PyPI pushes, backtests and pulls here.

The CLI lives in its own venv (``.lean-venv``, gitignored) so its pins never touch the
project's. Offline it needs two things a new user would get from the internet: the module
list, cached at ``<site-packages>/lean/modules-1.14.json`` (``{"modules": []}`` is enough),
and a workspace; ``lean init`` downloads a sample data folder, so the test writes
``lean.json`` itself (with a fresh ``file-database-last-update``, else every command fetches
LEAN's symbol and market-hours databases from GitHub); ``lean login`` writes the credentials
into a temporary HOME. The server
is daphne on 127.0.0.1:5612 (the CLI's ``QC_API=local`` preset) with a temporary SQLite
database and in-process workers, as the browser tests serve it.
"""

from __future__ import annotations

import filecmp
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import ALGORITHM

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
LEAN_VENV = ROOT / ".lean-venv"
PORT = 5612
URL = f"http://127.0.0.1:{PORT}"
#: the CLI release the test was written against (issue 7 tried 1.0.230).
LEAN_REQUIREMENT = "lean==1.0.230"


@pytest.fixture(scope="session")
def lean_cli() -> Path:
    """The ``lean`` executable, installed from PyPI into ``.lean-venv`` on first use."""
    lean = LEAN_VENV / "bin" / "lean"
    if not lean.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LEAN_VENV)], check=True)
        subprocess.run(
            [str(LEAN_VENV / "bin" / "pip"), "install", "-q", LEAN_REQUIREMENT],
            check=True,
            timeout=600,
        )
    site = subprocess.run(
        [
            str(LEAN_VENV / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # A fresh mtime, else the CLI tries the CDN again (a day old is stale to it).
    (Path(site) / "lean" / "modules-1.14.json").write_text('{"modules": []}')
    return lean


def _api(method: str, path: str, body: dict | None = None, token: str = "") -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(URL + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read() or b"null")


@pytest.fixture(scope="session")
def quantdesk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("qc-server")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": "",
        "START_INPROCESS_WORKERS": "1",
        "BMICRO_DELAY_SECONDS": "0",
        "DEBUG": "true",
        "DATA_DIR": os.environ.get("DATA_DIR", str(ROOT.parent / "shared" / "data" / "lean")),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("daphne")), "-b", "127.0.0.1", "-p", str(PORT),
             "config.asgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(URL + "/login/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        yield URL
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        print(log.read_text()[-3000:])


def test_lean_cli_push_backtest_edit_pull(lean_cli: Path, quantdesk_server: str, tmp_path: Path):
    # A QuantDesk user, and the id and token they would copy from their account page.
    _api("POST", "/api/auth/signup/", {"username": "quant", "password": "a-long-pass-phrase-1"})
    token = _api(
        "POST", "/api/auth/token/", {"username": "quant", "password": "a-long-pass-phrase-1"}
    )["token"]
    account = _api("GET", "/api/account/", token=token)
    organization_id = str(account["organizations"][0]["id"])

    home = tmp_path / "home"
    home.mkdir()
    workspace = tmp_path / "workspace"
    project = workspace / "Momentum"
    project.mkdir(parents=True)
    (workspace / "data").mkdir()
    # A fresh database-update stamp, else every command downloads LEAN's databases from GitHub.
    stamp = time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime())
    (workspace / "lean.json").write_text(
        json.dumps(
            {
                "data-folder": "data",
                "organization-id": organization_id,
                "file-database-last-update": stamp,
            }
        )
    )
    (project / "main.py").write_text(ALGORITHM)
    (project / "config.json").write_text(
        json.dumps({"algorithm-language": "Python", "parameters": {}})
    )
    (project / "research.ipynb").write_text("")

    env = {**os.environ, "HOME": str(home), "QC_API": "local", "NO_COLOR": "1"}

    def lean_run(*args: str, cwd: Path = workspace) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(lean_cli), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )

    def lean(*args: str, cwd: Path = workspace) -> str:
        done = lean_run(*args, cwd=cwd)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"lean {' '.join(args)} failed:\n{output}"
        return output

    # A wrong token is refused by the server's check, the right one logs in.
    refused = lean_run("login", "-u", str(account["user_id"]), "-t", "0" * 64)
    assert refused.returncode != 0
    lean("login", "-u", str(account["user_id"]), "-t", account["api_token"])
    assert "logged in as quant" in lean("whoami")
    lean("cloud", "push", "--project", "Momentum")
    cloud_id = json.loads((project / "config.json").read_text())["cloud-id"]
    files = {f["name"]: f["content"] for f in _qc_files(cloud_id, account)}
    assert files["main.py"] == ALGORITHM

    output = lean("cloud", "backtest", "Momentum")
    assert "Total Orders" in output, output
    assert "Net Profit" in output

    edited = ALGORITHM.replace('set_holdings("SPY", 1)', 'set_holdings("SPY", 0.5)')
    (project / "main.py").write_text(edited)
    (project / "helpers.py").write_text("WEIGHT = 0.5\n")
    lean("cloud", "push", "--project", "Momentum")
    files = {f["name"]: f["content"] for f in _qc_files(cloud_id, account)}
    assert files["main.py"] == edited and files["helpers.py"] == "WEIGHT = 0.5\n"

    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "lean.json").write_text((workspace / "lean.json").read_text())
    (clean / "data").mkdir()
    lean("cloud", "pull", "--project", "Momentum", cwd=clean)
    pulled = clean / "Momentum"
    for name in ("main.py", "helpers.py"):
        assert filecmp.cmp(project / name, pulled / name, shallow=False), name


def _qc_files(project_id: int, account: dict) -> list[dict]:
    """The project's files as the server has them, read through /api/v2/ itself."""
    import base64
    import hashlib

    stamp = str(int(time.time()))
    password = hashlib.sha256(f"{account['api_token']}:{stamp}".encode()).hexdigest()
    basic = base64.b64encode(f"{account['user_id']}:{password}".encode()).decode()
    request = urllib.request.Request(
        f"{URL}/api/v2/files/read?projectId={project_id}",
        headers={"Authorization": f"Basic {basic}", "Timestamp": stamp},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        body = json.loads(reply.read())
    assert body["success"], body
    return body["files"]
