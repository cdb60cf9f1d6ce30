"""The IDE beyond the walk: stale build results, the file tree, Problems across files."""

from __future__ import annotations

from tests.browser.conftest import Server, Visitor

ALGORITHM = """from AlgorithmImports import *


class Tree(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 8)
        self.add_equity("SPY", Resolution.MINUTE)
"""

#: records every value body[data-build] takes, and lets a test slow one build answer down.
INSTRUMENT = """
window.buildStates = [];
document.addEventListener('DOMContentLoaded', () => {
  new MutationObserver(() => window.buildStates.push(document.body.dataset.build))
    .observe(document.body, {attributes: true, attributeFilter: ['data-build']});
});
const realFetch = window.fetch;
window.fetch = async (...args) => {
  const response = await realFetch(...args);
  if (String(args[0]).endsWith('/build/') && window.delayNextBuild) {
    const ms = window.delayNextBuild;
    window.delayNextBuild = 0;
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
  return response;
};
"""


def _open_project(server: Server, visitor, username: str) -> tuple[Visitor, int]:
    server.signup(username, f"{username}-pw")
    project = server.api(
        "POST",
        "/api/projects/",
        {"name": "Tree", "files": [{"name": "main.py", "content": ALGORITHM}]},
        user=username,
    )
    me = visitor(username)
    me.login(username, f"{username}-pw")
    me.page.add_init_script(INSTRUMENT)
    me.page.goto(f"/projects/{project['id']}/")
    me.page.wait_for_selector("body[data-ready='1']")
    me.page.wait_for_selector("body[data-build='clean']")
    return me, project["id"]


def test_a_build_result_for_stale_text_is_never_shown(server: Server, visitor) -> None:
    me, _ = _open_project(server, visitor, "stella")
    page = me.page
    page.evaluate("window.buildStates = []; window.delayNextBuild = 1500")

    # Given a build of broken text whose answer is slow to come back
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    with page.expect_request("**/build/"):
        page.keyboard.type("x = = 1")
    # When the text is fixed before that answer arrives
    for _ in "x = = 1":
        page.keyboard.press("Backspace")
    page.keyboard.type("y = 2")
    page.wait_for_selector("body[data-build='clean']")
    page.wait_for_timeout(2000)  # the slow, stale answer has arrived by now

    # Then the stale errors never reached the screen
    states = page.evaluate("window.buildStates")
    assert "pending" in states and states[-1] == "clean", states
    assert "errors" not in states, states
    assert page.locator(".cm-lintRange-error").count() == 0
    assert page.locator("[data-testid=problem-row]").count() == 0


def test_files_can_be_created_renamed_and_deleted_and_problems_jump_across_files(
    server: Server, visitor
) -> None:
    me, project = _open_project(server, visitor, "felix")
    page = me.page
    answers = ["helpers.py"]
    page.on("dialog", lambda d: d.accept(answers.pop(0)) if d.type == "prompt" else d.accept())

    # Create a file: it opens in the editor; an error in it shows in Problems with its name
    page.click("[data-testid=new-file]")
    page.wait_for_selector("[data-file='helpers.py'].active")
    page.click(".cm-content")
    page.keyboard.type("y = = 2")
    page.wait_for_selector("[data-testid=problem-row][data-file='helpers.py']")
    me.shot("01-error-in-helpers")

    # Clicking the row from main.py opens helpers.py at that line
    page.click("[data-file='main.py'] [data-testid=file-name]")
    page.wait_for_selector("[data-file='main.py'].active")
    page.click("[data-testid=problem-row]")
    page.wait_for_selector("[data-file='helpers.py'].active")
    assert page.locator(".cm-activeLine", has_text="y = = 2").count() == 1

    # Rename it; the server has the new name
    answers.append("utils.py")
    page.click("[data-file='helpers.py'] [data-testid=rename-file]")
    page.wait_for_selector("[data-file='utils.py']")
    names = {f["name"] for f in server.api("GET", f"/api/projects/{project}/files/", user="felix")}
    assert names == {"main.py", "utils.py"}

    # Delete it; its problems go with it
    page.click("[data-file='utils.py'] [data-testid=delete-file]")
    page.wait_for_selector("[data-file='utils.py']", state="detached")
    page.wait_for_selector("[data-testid=no-problems]")
    names = {f["name"] for f in server.api("GET", f"/api/projects/{project}/files/", user="felix")}
    assert names == {"main.py"}
    me.shot("02-deleted")


def test_ctrl_s_saves_without_waiting_for_the_auto_build(server: Server, visitor) -> None:
    me, project = _open_project(server, visitor, "sam")
    page = me.page
    with page.expect_response(lambda r: r.url.endswith("/api/me/") and r.request.method == "PATCH"):
        page.uncheck("[data-testid=autobuild]")
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type("# saved by ctrl+s")
    with page.expect_response(lambda r: "/files/main.py" in r.url and r.request.method == "PUT"):
        page.keyboard.press("Control+s")
    page.wait_for_selector("[data-testid=save-state]:text-is('Saved')")
    content = server.api("GET", f"/api/projects/{project}/files/main.py", user="sam")["content"]
    assert content.endswith("# saved by ctrl+s")
    # Auto build is a per-user setting on the server (not the browser) that survives a reload
    assert server.api("GET", "/api/me/", user="sam")["settings"] == {"auto_build": False}
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert not page.is_checked("[data-testid=autobuild]")

    # With it off, an error waits for the Build button
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("z = = 3")
    page.wait_for_timeout(800)
    assert page.locator("[data-testid=problem-row]").count() == 0
    page.click("[data-testid=build]")
    page.wait_for_selector("[data-testid=problem-row]")
    assert page.locator(".cm-lintRange-error").count() == 1


def test_backtest_can_be_pinned_to_a_chosen_node(server: Server, visitor) -> None:
    # Given a Team organization with two paid nodes (set up through the API)
    me, project = _open_project(server, visitor, "pia")
    org = server.api("GET", "/api/organizations/", user="pia")[0]["id"]
    server.api("POST", f"/api/organizations/{org}/tier/", {"tier": "team"}, user="pia")
    first = server.api("POST", "/api/nodes/", {"model": "B2-8", "name": "first"}, user="pia")
    second = server.api("POST", "/api/nodes/", {"model": "B2-8", "name": "second"}, user="pia")
    page = me.page
    page.reload()
    page.wait_for_selector("body[data-build='clean']")
    page.wait_for_selector(f"[data-testid=node-card][data-node-id='{second['id']}']")

    # When the user pins the second node and clicks Backtest
    page.check("[data-testid=pin-node]")
    page.select_option("[data-testid=node-select]", str(second["id"]))
    page.click("[data-testid=backtest]")
    page.wait_for_url("**/backtests/*/")

    # Then it runs there, not on the first idle node
    backtest_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert server.api("GET", f"/api/backtests/{backtest_id}/", user="pia")["node"] == second["id"]
    assert "second" in page.inner_text("[data-testid=backtest-node]")
    assert first["id"] != second["id"]
    page.wait_for_selector("body[data-status='completed']", timeout=60_000)


def test_a_refused_save_is_shown_and_the_next_save_still_goes_through(
    server: Server, visitor
) -> None:
    me, project = _open_project(server, visitor, "rex")
    me.expected_statuses.update({400, 403, 413})  # the tier's file size limit
    page = me.page
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\n# " + "x" * 40_000)  # above the Free tier's 32 KB per file
    page.wait_for_selector("[data-testid=save-state]:has-text('Not saved')")
    assert "32" in page.inner_text("[data-testid=save-state]")
    me.shot("01-refused")
    page.keyboard.press("Control+z")
    page.wait_for_selector("[data-testid=save-state]:text-is('Saved')")
    content = server.api("GET", f"/api/projects/{project}/files/main.py", user="rex")["content"]
    assert "x" * 100 not in content


def test_the_editor_has_python_highlighting_line_numbers_brackets_search_and_undo(
    server: Server, visitor
) -> None:
    me, _ = _open_project(server, visitor, "eddie")
    page = me.page
    # Line numbers and Python highlighting (keywords get their own styled spans)
    assert page.locator(".cm-lineNumbers .cm-gutterElement", has_text="3").count() == 1
    keyword = page.locator(".cm-line", has_text="class Tree").locator("span").first
    assert keyword.inner_text() == "class"
    assert keyword.evaluate("e => getComputedStyle(e).color") != page.locator(
        ".cm-content"
    ).evaluate("e => getComputedStyle(e).color")

    # Bracket matching: the cursor after ")" marks both brackets
    page.locator(".cm-line", has_text="def initialize(self):").click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # between ")" and ":"
    assert page.locator(".cm-matchingBracket").count() == 2

    # Search: Ctrl+F opens the panel and finds the text
    page.keyboard.press("Control+f")
    page.wait_for_selector(".cm-search input[name=search]")
    page.keyboard.type("add_equity")
    page.keyboard.press("Enter")
    assert page.locator(".cm-searchMatch").count() >= 1
    page.keyboard.press("Escape")

    # Undo and redo
    page.click(".cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type("\nundone = 1")
    assert page.locator(".cm-line", has_text="undone = 1").count() == 1
    page.keyboard.press("Control+z")
    assert page.locator(".cm-line", has_text="undone = 1").count() == 0
    page.keyboard.press("Control+Shift+z")
    assert page.locator(".cm-line", has_text="undone = 1").count() == 1
