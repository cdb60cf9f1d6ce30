"""Every page renders without console errors, at 1280x800 and at 768 px wide."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import BMICRO_DELAY_SECONDS, Server

ALGORITHM = """from AlgorithmImports import *


class BuyAndHold(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
            self.debug("bought")
        if data.time.minute == 0:
            self.plot("My Chart", "SPY close", data["SPY"].close)
"""


@pytest.fixture(scope="module")
def finished_backtest(server: Server) -> dict:
    """A user of their own with a project and one completed backtest (set up through the API)."""
    server.signup("wendy", "wendy-pw")
    project = server.api(
        "POST",
        "/api/projects/",
        {"name": "Layout", "files": [{"name": "main.py", "content": ALGORITHM}]},
        user="wendy",
    )
    backtest = server.api("POST", "/api/backtests/", {"project": project["id"]}, user="wendy")
    deadline = time.monotonic() + BMICRO_DELAY_SECONDS + 120
    while time.monotonic() < deadline:
        backtest = server.api("GET", f"/api/backtests/{backtest['id']}/", user="wendy")
        if backtest["status"] not in ("queued", "running"):
            break
        time.sleep(0.5)
    assert backtest["status"] == "completed", backtest
    return backtest


@pytest.mark.parametrize("width", [1280, 768])
def test_every_page_renders_without_console_errors_and_fits_the_width(
    server: Server, visitor, finished_backtest: dict, width: int
) -> None:
    me = visitor(f"w{width}", width=width, height=800 if width == 1280 else 1024)
    me.login("wendy", "wendy-pw")
    project = finished_backtest["project"]
    pages = {
        "projects": "/projects/",
        "ide": f"/projects/{project}/",
        "history": f"/projects/{project}/backtests/",
        "results": f"/backtests/{finished_backtest['id']}/",
        "organization": "/organization/",
        "resources": "/resources/",
    }
    for name, path in pages.items():
        me.page.goto(path)
        me.page.wait_for_load_state("networkidle")
        overflow = me.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        me.shot(name)
        assert overflow <= 0, f"{path} is {overflow}px wider than {width}px"
    # The pages show what they are for, not just an empty frame.
    me.page.goto(f"/projects/{project}/backtests/")
    me.page.wait_for_selector("[data-testid=history-row]")
    me.page.goto(f"/backtests/{finished_backtest['id']}/")
    me.page.wait_for_selector("[data-testid=statistics] tr[data-stat]")
    me.page.wait_for_selector("#chart-equity:not([data-points='0'])")
    # The algorithm's own plot() chart gets a panel of its own
    me.page.wait_for_selector(
        "[data-testid=custom-charts] [data-chart='My Chart']:not([data-points='0'])"
    )


def test_logs_filter_and_download_and_orders_download_as_csv(
    server: Server, visitor, finished_backtest: dict
) -> None:
    me = visitor("downloads")
    page = me.page
    me.login("wendy", "wendy-pw")
    page.goto(f"/backtests/{finished_backtest['id']}/")
    page.wait_for_selector("[data-testid=order-row]")
    page.wait_for_selector("[data-testid=log-line]")
    total = page.locator("[data-testid=log-line]").count()

    page.fill("[data-testid=log-filter]", "bought")
    assert page.locator("[data-testid=log-line]").all_inner_texts()[-1].endswith("bought")
    assert page.locator("[data-testid=log-line]").count() < total
    page.fill("[data-testid=log-filter]", "")
    assert page.locator("[data-testid=log-line]").count() == total

    with page.expect_download() as logs:
        page.click("[data-testid=logs-download]")
    text = open(logs.value.path()).read()
    assert "bought" in text and len(text.strip().splitlines()) == total

    with page.expect_download() as orders:
        page.click("[data-testid=orders-csv]")
    rows = open(orders.value.path()).read().strip().splitlines()
    assert rows[0] == "id,time,symbol,type,quantity,price,status"
    assert len(rows) == 1 + page.locator("[data-testid=order-row]").count()
    assert ",SPY," in rows[1]
