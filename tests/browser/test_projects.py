"""Sign up, the project list (create, rename, clone, delete), backtest history, log out."""

from __future__ import annotations

import time

from tests.browser.conftest import BMICRO_DELAY_SECONDS, Server

ALGORITHM = """from AlgorithmImports import *


class History(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
"""


def test_sign_up_then_create_rename_clone_and_delete_projects(server: Server, visitor) -> None:
    me = visitor("newbie")
    page = me.page
    answers: list[str] = []
    page.on("dialog", lambda d: d.accept(answers.pop(0)) if d.type == "prompt" else d.accept())

    # Sign up through the form: a Free organization with one B-MICRO node comes with it
    page.goto("/signup/")
    page.fill("input[name=username]", "newbie")
    page.fill("input[name=password1]", "newbie-pw-42")
    page.fill("input[name=password2]", "newbie-pw-42")
    page.click("button[type=submit]")
    page.wait_for_url("**/projects/")
    page.wait_for_selector("text=No projects yet")
    me.shot("01-signed-up")

    # Create: the new project opens in the editor with a starter algorithm that builds
    page.fill("[data-testid=new-project-name]", "Alpha")
    page.click("[data-testid=create-project] button[type=submit]")
    page.wait_for_url("**/projects/*/")
    page.wait_for_selector("body[data-build='clean']")
    page.wait_for_selector("[data-testid=node-card][data-status=idle]")

    # Rename, clone, delete from the list
    page.goto("/projects/")
    answers.append("Beta")
    page.click("[data-testid=project-row]:has-text('Alpha') [data-testid=rename-project]")
    page.wait_for_selector("[data-testid=project-link]:text-is('Beta')")
    answers.append("Beta copy")
    page.click("[data-testid=project-row]:has-text('Beta') [data-testid=clone-project]")
    page.wait_for_selector("[data-testid=project-link]:text-is('Beta copy')")
    me.shot("02-cloned")
    server.login_api("newbie", "newbie-pw-42")
    projects = server.api("GET", "/api/projects/", user="newbie")
    clone = next(p for p in projects if p["name"] == "Beta copy")
    files = server.api("GET", f"/api/projects/{clone['id']}/files/", user="newbie")
    assert [f["name"] for f in files] == ["main.py"] and "QCAlgorithm" in files[0]["content"]
    page.click("[data-testid=project-row]:has-text('Beta copy') [data-testid=delete-project]")
    page.wait_for_selector("[data-testid=project-link]:text-is('Beta copy')", state="detached")
    assert page.locator("[data-testid=project-row]").count() == 1

    # Log out
    page.click("text=Log out")
    page.wait_for_url("**/login/")
    page.goto("/projects/")
    page.wait_for_url("**/login/?next=/projects/")


def test_backtest_history_sorts_renames_and_deletes(server: Server, visitor) -> None:
    # Given two completed backtests of one project (set up through the API)
    server.signup("hank", "hank-pw")
    project = server.api(
        "POST",
        "/api/projects/",
        {"name": "Hist", "files": [{"name": "main.py", "content": ALGORITHM}]},
        user="hank",
    )
    for name in ("Zulu run", "Alpha run"):
        backtest = server.api(
            "POST", "/api/backtests/", {"project": project["id"], "name": name}, user="hank"
        )
        deadline = time.monotonic() + BMICRO_DELAY_SECONDS + 120
        while backtest["status"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
            backtest = server.api("GET", f"/api/backtests/{backtest['id']}/", user="hank")
        assert backtest["status"] == "completed", backtest

    me = visitor("hank")
    page = me.page
    answers: list[str] = []
    page.on("dialog", lambda d: d.accept(answers.pop(0)) if d.type == "prompt" else d.accept())
    me.login("hank", "hank-pw")
    page.goto(f"/projects/{project['id']}/backtests/")
    page.wait_for_selector("[data-testid=history-row]")
    names = lambda: page.locator("[data-testid=history-row] td:first-child").all_inner_texts()  # noqa: E731
    assert names() == ["Alpha run", "Zulu run"]  # newest first

    # Sort by name, both ways
    page.click("th[data-key=name]")
    assert names() == ["Alpha run", "Zulu run"]
    page.click("th[data-key=name]")
    assert names() == ["Zulu run", "Alpha run"]
    page.click("th[data-key=net_profit]")
    assert len(names()) == 2
    me.shot("01-sorted")

    # Rename and delete
    answers.append("Yankee run")
    page.click("[data-testid=history-row]:has-text('Zulu run') [data-testid=rename-backtest]")
    page.wait_for_selector("[data-testid=history-row]:has-text('Yankee run')")
    page.click("[data-testid=history-row]:has-text('Alpha run') [data-testid=delete-backtest]")
    page.wait_for_selector("[data-testid=history-row]:has-text('Alpha run')", state="detached")
    remaining = server.api("GET", f"/api/backtests/?project={project['id']}", user="hank")
    assert [b["name"] for b in remaining] == ["Yankee run"]
    me.shot("02-renamed-deleted")

    # Clone the code a backtest ran into a new project, which opens in the editor
    answers.append("From Yankee")
    page.click("[data-testid=history-row]:has-text('Yankee run') [data-testid=clone-backtest]")
    page.wait_for_url("**/projects/*/")
    page.wait_for_selector("body[data-ready='1']")
    assert page.inner_text("[data-testid=project-name]") == "From Yankee"
    assert page.locator(".cm-line", has_text="class History(QCAlgorithm)").count() == 1
