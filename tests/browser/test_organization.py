"""The organization page: tier and quotas, nodes, members, as an admin and as a member."""

from __future__ import annotations

from tests.browser.conftest import Server


def test_an_owner_changes_tier_adds_nodes_and_manages_members(server: Server, visitor) -> None:
    server.signup("tina", "tina-pw")
    server.signup("mark", "mark-pw")
    me = visitor("tina")
    me.expected_statuses.update({400, 403})  # the refused node beyond the tier's quota
    page = me.page
    page.on("dialog", lambda d: d.accept())
    me.login("tina", "tina-pw")
    page.goto("/organization/")
    page.wait_for_selector("[data-testid=org-node]")
    page.wait_for_selector("[data-testid=quotas] tr")
    assert page.inner_text("[data-testid=tier-name]") == "Free"
    assert "10 KB" in page.inner_text("[data-testid=quotas]")

    # A node beyond the Free tier's quota is refused with a message naming the limit
    page.select_option("[data-testid=node-model]", "B2-8")
    page.click("[data-testid=add-node] button[type=submit]")
    refusal = page.wait_for_selector(".toast.error")
    assert "Free" in refusal.inner_text()
    me.shot("01-node-refused")

    # Upgrading the tier shows its quotas; a paid node then replaces the B-MICRO node
    page.select_option("[data-testid=tier-select]", "team")
    page.click("[data-testid=tier-change]")
    page.wait_for_selector("[data-testid=tier-name]:text-is('Team')")
    assert "1 MB" in page.inner_text("[data-testid=quotas]")
    page.select_option("[data-testid=node-model]", "B2-8")
    page.click("[data-testid=add-node] button[type=submit]")
    page.wait_for_selector("[data-testid=org-node]:has-text('B2-8')")
    page.wait_for_selector("[data-testid=org-node]:has-text('B-MICRO')", state="detached")
    me.shot("02-team-tier")

    # Members: add, make admin, remove
    page.fill("[data-testid=invite-username]", "mark")
    page.click("[data-testid=invite] button[type=submit]")
    row = page.locator("[data-testid=member-row][data-username=mark]")
    row.wait_for()
    with page.expect_response(lambda r: "/members/" in r.url and r.request.method == "PATCH"):
        row.locator("select").select_option("admin")
    assert any(o["role"] == "admin" for o in server.api("GET", "/api/organizations/", user="mark"))
    row.locator("[data-testid=remove-member]").click()
    row.wait_for(state="detached")
    me.shot("03-members")


def test_a_member_sees_the_organization_without_admin_controls(server: Server, visitor) -> None:
    server.signup("owen", "owen-pw")
    server.signup("mia", "mia-pw")
    org = server.api("GET", "/api/organizations/", user="owen")[0]["id"]
    server.api("POST", f"/api/organizations/{org}/members/", {"username": "mia"}, user="owen")
    me = visitor("mia")
    me.login("mia", "mia-pw")
    me.page.goto(f"/organizations/{org}/")
    me.page.wait_for_selector("[data-testid=member-row][data-username=owen]")
    assert me.page.inner_text("[data-testid=my-role]") == "member"
    assert me.page.locator("[data-testid=invite]").count() == 0
    assert me.page.locator("[data-testid=tier-change]").count() == 0
    assert me.page.locator("[data-testid=remove-member]").count() == 0
    assert me.page.is_disabled(
        "[data-testid=member-row][data-username=mia] [data-testid=can-stop-nodes]"
    )
    me.shot("01-member-view")
