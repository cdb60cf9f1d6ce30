"""The results page when a backtest fails or is stopped from it."""

from __future__ import annotations

from tests.browser.conftest import BMICRO_DELAY_SECONDS, Server

FAILING = """from AlgorithmImports import *


class Failing(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        raise ValueError("boom in on_data")
"""

SLOW = """from AlgorithmImports import *


class Slow(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        self.plot("Load", "Sum", sum(i * i for i in range(200000)) % 991)
"""


def _launch(server: Server, username: str, source: str) -> int:
    server.signup(username, f"{username}-pw")
    project = server.api(
        "POST",
        "/api/projects/",
        {"name": username.title(), "files": [{"name": "main.py", "content": source}]},
        user=username,
    )
    return server.api("POST", "/api/backtests/", {"project": project["id"]}, user=username)["id"]


def test_a_runtime_error_shows_its_message_and_traceback(server: Server, visitor) -> None:
    backtest = _launch(server, "ernie", FAILING)
    me = visitor("ernie")
    me.login("ernie", "ernie-pw")
    me.page.goto(f"/backtests/{backtest}/")
    me.page.wait_for_selector(
        "body[data-status='runtime_error']", timeout=(BMICRO_DELAY_SECONDS + 60) * 1000
    )
    error = me.page.locator("[data-testid=backtest-error]")
    error.wait_for()
    assert "boom in on_data" in error.inner_text()
    assert "main.py" in error.inner_text()  # the traceback names the user's file
    me.page.wait_for_selector("[data-testid=log-line].error")
    me.shot("01-runtime-error")


def test_the_owner_stops_a_running_backtest_from_its_results_page(server: Server, visitor) -> None:
    backtest = _launch(server, "stan", SLOW)
    me = visitor("stan")
    me.login("stan", "stan-pw")
    me.page.goto(f"/backtests/{backtest}/")
    me.page.wait_for_selector(
        "body[data-status='running']", timeout=(BMICRO_DELAY_SECONDS + 30) * 1000
    )
    me.page.wait_for_selector("[data-chart=Load]:not([data-points='0'])")
    me.page.click("[data-testid=stop-backtest]")
    me.page.wait_for_selector("body[data-status='stopped']", timeout=15_000)
    assert me.page.is_hidden("[data-testid=stop-backtest]")
    me.shot("01-stopped")
    assert server.api("GET", f"/api/backtests/{backtest}/", user="stan")["status"] == "stopped"
