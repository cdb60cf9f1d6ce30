"""Websocket load in its own process: ``python -m tests.faults.ws_load <json config>``.

Each client is a page with the Resources panel open and a running backtest's stream
(two sockets). Every socket reconnects by itself; the backtest socket resumes after the
last ``seq`` it saw. Prints a first JSON line once every socket is open (see
``_start_clock``), runs ``seconds`` more (a bounded loop), then prints a last JSON line:
sockets connected, frames received, errors, and the stream's gaps and repeats.
Kept out of the test process so its CPU does not skew the API latencies measured there.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


async def _socket(config: dict[str, Any], path: str, stats: dict[str, Any], seqs: list[int] | None):
    import websockets

    state = config["state"]
    headers = {"Cookie": f"sessionid={config['session']}"}
    first = True
    while time.monotonic() < state["deadline"]:
        url = config["ws_base"] + path
        if seqs is not None and not first:
            url += f"?after={max(seqs, default=0)}"
        try:
            async with config["handshakes"]:
                connection = await websockets.connect(
                    url, origin=config["origin"], additional_headers=headers, open_timeout=20
                )
            async with connection:
                stats["connected"] += 1
                if not first:
                    stats["reconnects"] += 1
                first = False
                while time.monotonic() < state["deadline"]:
                    left = state["deadline"] - time.monotonic()
                    try:
                        raw = await asyncio.wait_for(connection.recv(), left)
                    except TimeoutError:
                        break
                    stats["frames"] += 1
                    frame = json.loads(raw)
                    if seqs is not None and frame["type"] in ("snapshot", "events"):
                        seqs.extend(event["seq"] for event in frame["events"])
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            stats["errors" if state["ready"] else "handshake_retries"] += 1
            stats["last_error"] = repr(error)[:200]
            await asyncio.sleep(0.5)


async def _start_clock(config: dict[str, Any], stats: dict[str, Any], sockets: int) -> None:
    """Once every socket is open, run ``seconds`` more. The wait ends early when no socket
    opened for ``stall`` seconds (the server stopped accepting) and at ``warm_up`` at the
    latest: a slow machine takes longer to open them all, a broken server makes no progress."""
    started = last_progress = time.monotonic()
    opened = 0
    while stats["connected"] < sockets:
        now = time.monotonic()
        if stats["connected"] > opened:
            opened, last_progress = stats["connected"], now
        if now - started >= config["warm_up"] or now - last_progress >= config["stall"]:
            break
        await asyncio.sleep(0.2)
    config["state"].update(ready=True, deadline=time.monotonic() + config["seconds"])
    ready = {"ready": stats["connected"], "of": sockets, "after_s": time.monotonic() - started}
    print(json.dumps({**ready, "handshake_retries": stats["handshake_retries"]}), flush=True)


async def main(config: dict[str, Any]) -> dict[str, Any]:
    config["state"] = {"ready": False, "deadline": time.monotonic() + 3600}
    config["handshakes"] = asyncio.Semaphore(20)
    stats: dict[str, Any] = {
        "connected": 0,
        "reconnects": 0,
        "frames": 0,
        "errors": 0,
        "handshake_retries": 0,
    }
    streams: list[list[int]] = [[] for _ in range(config["clients"])]
    tasks = []
    for seqs in streams:
        tasks.append(_socket(config, config["resources_path"], stats, None))
        tasks.append(_socket(config, config["backtest_path"], stats, seqs))
    await asyncio.gather(_start_clock(config, stats, len(tasks)), *tasks)
    missing = repeated = 0
    for seqs in streams:
        top = max(seqs, default=0)
        missing += len(set(range(1, top + 1)) - set(seqs))
        repeated += len(seqs) - len(set(seqs))
    stats.update(
        sockets=len(tasks),
        stream_missing=missing,
        stream_repeated=repeated,
        min_last_seq=min((max(s, default=0) for s in streams), default=0),
    )
    return stats


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))), flush=True)
