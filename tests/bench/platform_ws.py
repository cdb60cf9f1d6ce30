"""N websocket clients watching one backtest: ``python -m tests.bench.platform_ws <json>``.

Each client is what the results page opens (``/ws/backtests/<id>/``, no reconnect: a drop
counts as a failure). The algorithm logs ``stamp <wall clock>``; a client's lag for a live
event is its receive time minus that stamp (same machine, same clock), so the figure is
algorithm -> sandbox -> worker -> database -> channel layer -> daphne -> client. Events in
the first snapshot were stored before the client connected and only count for coverage,
and so do events stamped before every client was connected (``connect_seconds``).
Prints one JSON line. Bounded by ``seconds``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

FINAL = ("completed", "runtime_error", "stopped")


async def _client(config: dict[str, Any], gate: asyncio.Semaphore, out: dict[str, Any]) -> None:
    import websockets

    seqs: list[int] = []
    lags: list[float] = []
    headers = {"Cookie": f"sessionid={config['session']}"}
    deadline = config["deadline"]
    try:
        async with gate:
            connection = await websockets.connect(
                config["url"], origin=config["origin"], additional_headers=headers,
                open_timeout=30, max_size=None,
            )  # fmt: skip
        out["connected"] += 1
        async with connection:
            while time.monotonic() < deadline:
                raw = await asyncio.wait_for(connection.recv(), deadline - time.monotonic())
                now = time.time()
                frame = json.loads(raw)
                if frame["type"] in ("snapshot", "events"):
                    for event in frame["events"]:
                        seqs.append(event["seq"])
                        message = str(event.get("message", ""))
                        live = frame["type"] == "events" and message.startswith("stamp ")
                        stamp = float(message.split()[1]) if live else 0.0
                        if live and stamp >= out.get("ready_at", float("inf")):
                            lag = (now - stamp) * 1000
                            lags.append(lag)
                            first = out["first"]
                            first[event["seq"]] = min(first.get(event["seq"], lag), lag)
                if frame["type"] in ("snapshot", "status") and frame["backtest"]["status"] in FINAL:
                    out["final"] += 1
                    break
    except (OSError, TimeoutError, websockets.WebSocketException) as error:
        out["errors"] += 1
        out["last_error"] = repr(error)[:200]
    out["streams"].append(seqs)
    out["lags"].extend(lags)


async def main(config: dict[str, Any]) -> dict[str, Any]:
    config["deadline"] = time.monotonic() + config["seconds"]
    out: dict[str, Any] = {
        "connected": 0, "final": 0, "errors": 0, "streams": [], "lags": [], "first": {},
    }  # fmt: skip
    gate = asyncio.Semaphore(10)  # handshakes in flight, as a browser fleet would spread them
    tasks = [asyncio.create_task(_client(config, gate, out)) for _ in range(config["clients"])]
    # tell the parent when every client is connected, so it can start the backtest then
    while (
        out["connected"] + out["errors"] < config["clients"]
        and time.monotonic() < config["deadline"]
    ):
        await asyncio.sleep(0.05)
    # lags count from here: the figure is watching, not the connection storm before it
    out["ready_at"] = time.time()
    out["connect_seconds"] = time.monotonic() - config["deadline"] + config["seconds"]
    await asyncio.gather(*tasks)
    streams = out.pop("streams")
    lags = sorted(out.pop("lags"))
    # the first client to get an event shows the pipeline's own lag; the rest is fan-out
    first = sorted(out.pop("first").values())
    last = max((max(s, default=0) for s in streams), default=0)
    out.update(
        clients=config["clients"],
        last_seq=last,
        complete=sum(1 for s in streams if sorted(set(s)) == list(range(1, last + 1))),
        repeated=sum(len(s) - len(set(s)) for s in streams),
        lag_samples=len(lags),
        lag_p50_ms=lags[len(lags) // 2] if lags else None,
        lag_p95_ms=lags[min(len(lags) - 1, int(len(lags) * 0.95))] if lags else None,
        lag_max_ms=lags[-1] if lags else None,
        first_lag_p50_ms=first[len(first) // 2] if first else None,
    )
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))), flush=True)
