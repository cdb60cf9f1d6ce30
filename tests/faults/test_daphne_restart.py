"""Scenario 4: daphne restarted while two pages watch a running backtest.

Each watcher is a Python websocket client that behaves like ``static/js/results.js``: on a
close it reconnects by itself with ``?after=<last seq>``. Together with the stored stream,
each must have received every ``seq`` once: no gap across the restart, no repeat.
"""

from __future__ import annotations

import asyncio
import re
import threading

import pytest

from tests.faults.harness import StreamClient, seq_gaps_and_repeats, wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_two_watchers_resume_after_a_daphne_restart_without_gap_or_repeat(deploy, record):
    deployment = deploy(nodes=1, workers=1)
    status, launched = deployment.launch(every=2, sleep=0.01, days=3)
    assert status == 201, launched
    backtest_id = launched["id"]
    wait_until(lambda: deployment.audit(backtest_id).lines >= 5, 60, "the first lines")

    # Given two pages watching the stream,
    watchers = [StreamClient(deployment, backtest_id) for _ in range(2)]

    async def watch() -> None:
        await asyncio.gather(*(w.run(timeout=120) for w in watchers))

    thread = threading.Thread(target=lambda: asyncio.run(watch()), daemon=True)
    thread.start()
    wait_until(lambda: all(w.last_seq > 10 for w in watchers), 30, "both pages to get events")
    seen_before = [w.last_seq for w in watchers]

    # when daphne restarts mid-stream,
    restart_s = deployment.restart_web()

    # then both pages reconnect by themselves and follow the run to its end,
    thread.join(timeout=150)
    assert not thread.is_alive(), "the watchers did not see the run finish"
    done = deployment.backtest(backtest_id)
    assert done["status"] == "completed", done["error"]
    audit = deployment.audit(backtest_id)
    (last_seq,) = deployment.sql(
        "SELECT last_seq FROM backtesting_backtest WHERE id = %s", backtest_id
    )[0]
    # having received every event once, the ones during the restart included.
    lost = duplicated = 0
    for watcher, before in zip(watchers, seen_before, strict=True):
        assert watcher.reconnects >= 1, "the restart did not close the socket"
        assert watcher.last_seq > before
        missing, repeated = seq_gaps_and_repeats(watcher.seqs, last_seq)
        lost, duplicated = lost + missing, duplicated + repeated
    record(
        "4 daphne restarted, 2 watchers -> resume, no gap/repeat",
        lost=lost + audit.lost,
        duplicated=duplicated + audit.duplicated,
        events=last_seq,
        reconnects=sum(w.reconnects for w in watchers),
        restart_s=round(restart_s, 1),
    )
    assert (lost, duplicated) == (0, 0)
    assert (audit.lost, audit.duplicated) == (0, 0), audit


def test_two_results_pages_resume_the_stream_after_a_daphne_restart(deploy, record, browser):
    """The same, with the real page's JavaScript in Chromium: each page reconnects by itself
    with ``?after=<last seq>`` and shows every log line exactly once."""
    deployment = deploy(nodes=1, workers=1, DEBUG="1")  # DEBUG serves /static/
    status, launched = deployment.launch(every=2, sleep=0.01, days=3)
    assert status == 201, launched
    backtest_id = launched["id"]
    wait_until(lambda: deployment.audit(backtest_id).lines >= 5, 60, "the first lines")

    contexts = []
    try:
        pages, sockets = [], []
        for _ in range(2):  # two browsers: separate contexts, separate sessions
            context = browser.new_context(base_url=deployment.base)
            contexts.append(context)
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": deployment.info["session"],
                        "url": deployment.base,
                    }
                ]
            )
            page = context.new_page()
            urls: list[str] = []
            page.on("websocket", lambda ws, urls=urls: urls.append(ws.url))
            page.goto(f"/backtests/{backtest_id}/")
            page.wait_for_selector("[data-testid=live-state][data-state=live]")
            pages.append(page)
            sockets.append(urls)
        for page in pages:
            page.wait_for_function(
                "document.querySelectorAll('[data-testid=log-line]').length > 20"
            )

        restart_s = deployment.restart_web()

        for page in pages:
            page.wait_for_selector("body[data-status='completed']", timeout=120_000)
            page.wait_for_function(
                "[...document.querySelectorAll('[data-testid=log-line]')]"
                ".some((l) => / total \\d+$/.test(l.textContent))"
            )
        shown = [
            page.eval_on_selector_all(
                "[data-testid=log-line]", "(lines) => lines.map((l) => l.textContent)"
            )
            for page in pages
        ]
    finally:
        for context in contexts:
            context.close()

    lost = duplicated = 0
    for lines, urls in zip(shown, sockets, strict=True):
        resumed = [u for u in urls if "/ws/backtests/" in u and "?after=" in u]
        assert resumed and int(resumed[0].rsplit("=", 1)[1]) > 0, urls
        numbers = [int(m.group(1)) for line in lines if (m := re.search(r" line (\d+)$", line))]
        total = next(int(m.group(1)) for line in lines if (m := re.search(r" total (\d+)$", line)))
        lost += len(set(range(1, total + 1)) - set(numbers))
        duplicated += len(numbers) - len(set(numbers))
    record(
        "4b daphne restarted, 2 Chromium results pages -> resume",
        lost=lost,
        duplicated=duplicated,
        lines=total,
        restart_s=round(restart_s, 1),
    )
    assert (lost, duplicated) == (0, 0)
