"""The two figures read in Chromium (Playwright, Debian's /usr/bin/chromium).

- keystroke -> diagnostics: the IDE's own clock. A capture-phase keydown listener stores
  ``performance.now()``; ide.js stores ``performance.now()`` in ``body[data-build-shown-at]``
  when the diagnostics reach the screen (the approach of tests/browser/test_walk.py). The
  editor's 300 ms debounce is subtracted, as the target is "after the debounce".
- node status -> Resources panel in another browser: a MutationObserver in a second
  browser context stamps ``Date.now()`` when the node card's ``data-status`` changes; the
  change is the end of a backtest (the server's ``finished_at`` is stamped before the node
  is released, so the figure errs high). Same machine, same wall clock.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from typing import Any

from tests.bench.platform_server import BenchServer
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

DEBOUNCE_MS = 300  # BUILD_DELAY_MS of static/js/ide.js


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _login(browser: Any, server: BenchServer) -> Any:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(90_000)  # a loaded machine answers slowly
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url("**/projects/")
    return page


def keystroke(server: BenchServer, repeats: int) -> list[dict[str, Any]]:
    """Alternately break and fix the last line; time each keystroke -> diagnostics shown."""
    from playwright.sync_api import sync_playwright

    from tests.bench.platform import project, row
    from tests.bench.platform_source import thousand_line_project

    project_id = project(server, "Typed", thousand_line_project())
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = _login(browser, server)
            page.goto(f"/projects/{project_id}/")
            page.wait_for_selector("body[data-build]")
            page.locator(".cm-content").click()
            page.keyboard.press("Control+End")
            page.evaluate(
                "document.addEventListener('keydown', () => {"
                " window.lastKeyAt = performance.now(); }, {capture: true})"
            )
            times = []
            for i in range(2 * repeats):
                breaking = i % 2 == 0
                page.keyboard.press(":" if breaking else "Backspace")
                page.wait_for_selector(f"body[data-build='{'errors' if breaking else 'clean'}']")
                times.append(
                    page.evaluate("+document.body.dataset.buildShownAt - window.lastKeyAt")
                )
                time.sleep(0.05)
        finally:
            browser.close()
    after = [t - DEBOUNCE_MS for t in times]
    return [row("keystroke -> diagnostics shown (after the debounce)", statistics.median(after),
                150, detail=f"median of {len(after)} edits of a 1,000-line file; with the "
                f"{DEBOUNCE_MS} ms debounce {statistics.median(times):.0f} ms")]  # fmt: skip


def resources(server: BenchServer, repeats: int) -> list[dict[str, Any]]:
    """Backtests end on a node; another browser's Resources panel shows it idle."""
    from playwright.sync_api import sync_playwright

    from tests.bench.platform import _launch, project, row
    from tests.bench.platform_source import STAMPED

    project_id = project(server, "Resources", STAMPED)
    node = server.info["nodes"][1]
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = _login(browser, server)
            page.goto("/resources/")
            page.wait_for_selector(f"[data-testid=node-card][data-node-id='{node}']")
            page.wait_for_selector("[data-testid=resources-status][data-state=live]")
            page.evaluate(
                """(node) => {
                  window.statusAt = [];
                  const seen = () => document.querySelector(
                    `[data-testid=node-card][data-node-id='${node}']`)?.dataset.status;
                  let last = seen();
                  new MutationObserver(() => {
                    const now = seen();
                    if (now !== last) { window.statusAt.push([now, Date.now()]); last = now; }
                  }).observe(document.body, {subtree: true, childList: true, attributes: true});
                }""",
                node,
            )
            lags = []
            for _ in range(repeats):
                count = len(page.evaluate("window.statusAt"))
                backtest_id = _launch(server, project_id, node=node, every=1000, sleep=0)
                final = server.wait_final(backtest_id)
                page.wait_for_function(
                    f"window.statusAt.length > {count} && "
                    "window.statusAt[window.statusAt.length - 1][0] === 'idle'"
                )
                shown = page.evaluate("window.statusAt[window.statusAt.length - 1][1]")
                finished = datetime.fromisoformat(final["finished_at"]).timestamp() * 1000
                lags.append(shown - finished)
        finally:
            browser.close()
    return [row("node status change -> Resources panel (other browser)", statistics.median(lags),
                100, detail=f"median of {len(lags)} busy->idle changes; worst {max(lags):.0f} ms; "
                "from the stored finished_at")]  # fmt: skip
