"""The Resources panel seen by two members of one organization, live.

A second browser context, logged in as another member, sees the owner's node turn busy
without reloading, cannot stop it without the permission (the button is disabled and the
server's refusal is shown), and can once an admin grants "can stop nodes". The owner's IDE
answers a launch on the busy node with a message pointing at the Resources panel.
"""

from __future__ import annotations

from tests.browser.conftest import Server

#: burns CPU on every bar so the run lasts long enough to be watched and stopped.
SLOW_ALGORITHM = """from AlgorithmImports import *


class SlowAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 11)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data):
        total = 0
        for i in range(300000):
            total += i * i
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
"""


def _status_of(call) -> int:
    try:
        call()
    except AssertionError as error:
        return int(str(error).split("->")[1].split()[0])
    return 200


def test_another_member_sees_the_node_busy_live_and_stops_it_only_with_permission(
    server: Server, visitor
) -> None:
    # Given an owner with a Free organization, and bob, whom the owner adds on the org page
    server.signup("olivia", "olivia-pw")
    server.signup("bob", "bob-pw-1")
    org = server.api("GET", "/api/organizations/", user="olivia")[0]["id"]
    owner = visitor("olivia")
    owner.login("olivia", "olivia-pw")
    owner.page.goto("/organization/")
    owner.page.fill("[data-testid=invite-username]", "bob")
    owner.page.click("[data-testid=invite] button[type=submit]")
    owner.page.wait_for_selector("[data-testid=member-row][data-username=bob]")
    owner.shot("01-member-added")
    project = server.api(
        "POST",
        "/api/projects/",
        {
            "name": "Slow",
            "organization": org,
            "files": [{"name": "main.py", "content": SLOW_ALGORITHM}],
        },
        user="olivia",
    )

    bob = visitor("bob")
    bob.expected_statuses.add(403)
    bob.login("bob", "bob-pw-1")
    bob.page.goto(f"/resources/?organization={org}")
    bob.page.wait_for_selector("[data-testid=resources-status][data-state=live]")
    card = bob.page.locator("[data-testid=node-card]")
    assert card.get_attribute("data-status") == "idle"
    bob.shot("02-idle")

    # When the owner launches a backtest, bob's panel shows the node busy without a reload
    server.api("POST", "/api/backtests/", {"project": project["id"]}, user="olivia")
    bob.page.wait_for_selector("[data-testid=node-card][data-status=busy]")
    assert "olivia" in card.inner_text()
    assert "Slow" in card.inner_text()
    stop = card.locator("[data-testid=stop-node]")
    assert stop.is_disabled()
    bob.shot("03-busy-cannot-stop")

    # And the server refuses bob's stop, which the panel explains
    node_id = int(card.get_attribute("data-node-id"))
    assert _status_of(lambda: server.api("POST", f"/api/nodes/{node_id}/stop/", user="bob")) == 403
    stop.evaluate("button => { button.disabled = false; }")
    stop.click()
    bob.page.wait_for_selector("[data-testid=stop-reason]:has-text('may not stop')")
    bob.shot("04-refused")

    # And the owner's IDE answers a second launch with a pointer to the Resources panel
    owner.expected_statuses.add(409)
    owner.page.goto(f"/projects/{project['id']}/")
    owner.page.wait_for_selector("body[data-build='clean']")
    owner.page.click("[data-testid=backtest]")
    notice = owner.page.locator("[data-testid=launch-notice]")
    notice.locator("text=Resources panel").wait_for()
    assert "no idle backtesting node" in notice.inner_text().lower()
    owner.shot("05-no-idle-node")

    # When the owner grants bob "can stop nodes" on the organization page
    owner.page.goto("/organization/")
    toggle = owner.page.locator(
        "[data-testid=member-row][data-username=bob] [data-testid=can-stop-nodes]"
    )
    with owner.page.expect_response(lambda r: "/members/" in r.url and r.request.method == "PATCH"):
        toggle.check()
    owner.shot("06-granted")

    # Then bob can stop it, and the panel shows the node idle again, live
    bob.page.reload()
    bob.page.wait_for_selector("[data-testid=node-card][data-status=busy]")
    stop = bob.page.locator("[data-testid=node-card] [data-testid=stop-node]")
    assert stop.is_enabled()
    stop.click()
    bob.page.wait_for_selector("[data-testid=node-card][data-status=idle]", timeout=15_000)
    bob.shot("07-stopped")
    backtests = server.api("GET", f"/api/backtests/?project={project['id']}", user="olivia")
    assert backtests[0]["status"] == "stopped"
