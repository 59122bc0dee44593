"""``GET /events``: the SSE stream of one viewer.

A fresh attach (no usable ``Last-Event-ID``) gets the conversation so far as a history block,
then the live events that follow it; a reconnect gets exactly what it has not seen. Frames
carry an ``id:`` and ``data:`` only (the view listens to unnamed events); a comment line keeps
an idle connection open through proxies.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from optio_codex.ui.event_log import Entry, EventLog

FreshHistory = Callable[[], Awaitable[tuple[list[dict[str, Any]], int]]]
PING = b": ping\n\n"
HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}
GAP_NOTICE = {
    "method": "error",
    "params": {
        "error": {"message": "some events were missed while disconnected; reload to see them"}
    },
}


def last_event_id(value: str | None) -> int | None:
    """A positive whole number, or None (a fresh attach), as the contract reads the header."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


async def serve_events(
    request: web.Request, log: EventLog, fresh: FreshHistory, ping_interval: float = 15.0
) -> web.StreamResponse:
    response = web.StreamResponse(headers=HEADERS)
    await response.prepare(request)
    try:
        last = last_event_id(request.headers.get("Last-Event-ID"))
        pending, position = await _catch_up(log, fresh, last)
        await _write(response, pending)
        await _tail(response, log, position, ping_interval)
    except (ConnectionResetError, ConnectionError):
        pass  # the viewer went away
    return response


async def _catch_up(
    log: EventLog, fresh: FreshHistory, last: int | None
) -> tuple[list[Entry], int]:
    """History (or a notice) this viewer gets first, and the live id it has seen up to."""
    if last is None or not log.knows(last):  # fresh, or an id from an earlier listener
        events, tail_from = await fresh()
        block = log.add_block(events, tail_from)
        return list(block.entries), tail_from - 1
    sent = log.block_of(last)
    if sent is not None:
        return [e for e in sent.entries if e.seq > last], sent.tail_from - 1
    if log.lost_after(last):
        return list(log.add_block([GAP_NOTICE], last + 1).entries), last
    return [], last


async def _write(response: web.StreamResponse, entries: list[Entry]) -> None:
    if entries:
        await response.write(b"".join(e.frame for e in entries))


async def _tail(
    response: web.StreamResponse, log: EventLog, position: int, ping_interval: float
) -> None:
    while True:
        fresh = log.after(position)
        if fresh:
            await _write(response, fresh)
            position = fresh[-1].seq
            continue
        if log.closed:
            return
        if not await log.wait(ping_interval):
            await response.write(PING)
