"""Launch a 2-parameter optimization from the IDE, watch it, read the heatmap, open the best."""

from __future__ import annotations

import re

from tests.browser.conftest import Server

#: daily SPY for October 2013: each real backtest takes about a second.
ALGORITHM = """from AlgorithmImports import *


class Tuned(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 31)
        self.set_cash(100000)
        self.weight = self.get_parameter("weight", 0.5)
        self.skip = self.get_parameter("skip", 0)
        self.add_equity("SPY", Resolution.DAILY)
        self.bars = 0

    def on_data(self, data):
        self.bars += 1
        if self.bars > self.skip and not self.portfolio.invested:
            self.set_holdings("SPY", self.weight)
"""


def test_a_two_parameter_optimization_from_the_ide(server: Server, visitor) -> None:
    server.signup("olga", "olga-pw")
    project = server.api(
        "POST",
        "/api/projects/",
        {"name": "Tuned", "files": [{"name": "main.py", "content": ALGORITHM}]},
        user="olga",
    )
    me = visitor("olga")
    me.login("olga", "olga-pw")
    page = me.page

    # The IDE's Parameters tab holds the project's parameters.
    page.goto(f"/projects/{project['id']}/")
    page.click("[data-testid=tab-parameters]")
    for name, value in (("skip", "0"), ("weight", "0.5")):
        page.click("[data-testid=add-project-parameter]")
        page.locator(".param-name").last.fill(name)
        page.locator(".param-value").last.fill(value)
    page.click("[data-testid=save-parameters]")
    page.wait_for_selector("text=Parameters saved")
    me.shot("01-ide-parameters")

    # Optimize: skip 0..3 step 3, weight 0.5..1 step 0.5 -> 4 backtests on 2 nodes.
    page.click("[data-testid=optimize]")
    page.wait_for_url(f"**/projects/{project['id']}/optimize/")
    rows = page.locator("[data-testid=opt-parameters] tr")
    assert rows.nth(0).locator(".p-name").input_value() == "skip"
    rows.nth(0).locator(".p-min").fill("0")
    rows.nth(0).locator(".p-max").fill("3")
    rows.nth(0).locator(".p-step").fill("3")
    page.click("[data-testid=add-parameter]")
    assert rows.nth(1).locator(".p-name").input_value() == "weight"
    rows.nth(1).locator(".p-min").fill("0.5")
    rows.nth(1).locator(".p-max").fill("1")
    rows.nth(1).locator(".p-step").fill("0.5")
    page.fill("[data-testid=parallel-nodes]", "2")
    page.wait_for_selector("[data-testid=estimate][data-total='4']")
    assert "4 backtests" in page.inner_text("[data-testid=estimate]")
    me.shot("02-launch-form")
    page.click("[data-testid=launch-optimization]")
    page.wait_for_url(re.compile(r".*/optimizations/\d+/$"))

    # Progress streams in; the heatmap fills; the best combination is highlighted. (Any
    # count: the four daily runs share their data and may all end before the page draws.)
    page.wait_for_selector("[data-testid=opt-progress]:text-matches('^[0-4] / 4$')")
    page.wait_for_selector("[data-testid=opt-status].completed", timeout=120_000)
    assert page.inner_text("[data-testid=opt-progress]") == "4 / 4"
    cells = page.locator("[data-testid=opt-heatmap] [data-testid=heat-cell]")
    assert cells.count() == 4
    assert page.locator("[data-testid=opt-heatmap] .cell.best").count() == 1
    assert page.locator("[data-testid=best-row]").count() == 1
    assert page.locator("[data-testid=result-row]").count() == 3
    best = page.inner_text("[data-testid=best-link]")
    assert best == "skip=3, weight=1"  # the highest Sharpe Ratio of the four
    me.shot("03-heatmap")

    # Clicking the best row opens that backtest's full results.
    page.click("[data-testid=best-row]")
    page.wait_for_url(re.compile(r".*/backtests/\d+/$"))
    page.wait_for_selector("body[data-status='completed']")
    me.shot("04-best-backtest")

    # The project's history lists the optimization beside its backtests.
    page.goto(f"/projects/{project['id']}/backtests/")
    page.wait_for_selector("[data-testid=optimization-row] >> text=completed")
    assert page.locator("[data-testid=optimization-row]").count() == 1


def test_a_one_parameter_optimization_draws_a_line(server: Server, visitor) -> None:
    server.signup("lena", "lena-pw")
    project = server.api(
        "POST",
        "/api/projects/",
        {"name": "Line", "files": [{"name": "main.py", "content": ALGORITHM}]},
        user="lena",
    )
    created = server.api(
        "POST",
        "/api/optimizations/",
        {
            "project": project["id"],
            "target": "Compounding Annual Return",
            "direction": "min",
            "parameters": [{"name": "weight", "min": 0.4, "max": 0.8, "step": 0.4}],
            "node_type": "O4-12",
            "parallel_nodes": 2,
        },
        user="lena",
    )
    me = visitor("lena")
    me.login("lena", "lena-pw")
    me.page.goto(f"/optimizations/{created['id']}/")
    me.page.wait_for_selector("[data-testid=opt-status].completed", timeout=120_000)
    assert me.page.locator("[data-testid=opt-line] circle").count() == 2
    assert me.page.locator("[data-testid=opt-line] circle.best").count() == 1
    # the lowest compounding return is the smaller weight
    assert me.page.inner_text("[data-testid=best-link]") == "weight=0.4"
    me.shot("01-line")
