"""The HTTP listener the optio API's widget proxy forwards the codex view's calls to.

aiohttp, because optio-core already depends on it (no new dependency) and it streams a
response as it is written, which SSE needs. Routes, as the view calls them (the proxy strips
``/api/widget/<db>/<prefix>/<process>``): ``GET /events``, ``POST /send``, ``POST /interrupt``,
``POST /permission``, ``POST /control``, ``GET /download?path=``. Every answer but a stream
and a file is JSON ``{"ok": ...}``; every failure has a status and a reason, never a
traceback.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from optio_codex.ui.answers import BadAnswer
from optio_codex.ui.auth import authorized
from optio_codex.ui.files import FileRefused
from optio_codex.ui.session import Closed, ViewSession
from optio_codex.ui.stream import serve_events

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Download = Callable[[str], Awaitable[tuple[bytes, str]]]
MAX_BODY = 1 << 20  # JSON bodies: a message, an answer, a control


def refuse(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "reason": reason}, status=status)


OK = {"ok": True}


# Long: each route is a short closure over the one session; together they are the contract.
def build_app(
    session: ViewSession,
    password: str,
    download: Download | None,
    ping_interval: float = 15.0,
) -> web.Application:
    """The listener's application. ``download`` None: downloads are off (403)."""

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not authorized(request.headers.get("Authorization"), password):
            return web.json_response({"ok": False}, status=401)
        try:
            return await handler(request)
        except web.HTTPException as exc:  # aiohttp's own (404, 405, 413): JSON all the same
            return refuse(exc.status, exc.reason.lower().replace(" ", "-"))
        except Exception:
            log.exception("listener error on %s %s", request.method, request.path)
            return refuse(500, "internal-error")

    async def events(request: web.Request) -> web.StreamResponse:
        return await serve_events(request, session.log, session.fresh_history, ping_interval)

    async def send(request: web.Request) -> web.Response:
        body = await _json(request)
        if body is None:
            return refuse(400, "bad-json")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return refuse(400, "bad-text")
        session.send(text)
        return web.json_response(OK)

    async def interrupt(request: web.Request) -> web.Response:
        session.interrupt()
        return web.json_response(OK)

    async def permission(request: web.Request) -> web.Response:
        body = await _json(request)
        if body is None:
            return refuse(400, "bad-json")
        try:
            session.answer(body)
        except BadAnswer as exc:
            return refuse(400, exc.reason)
        except LookupError:
            return refuse(404, "unknown-request")
        return web.json_response(OK)

    async def control(request: web.Request) -> web.Response:
        body = await _json(request)
        if body is None:
            return refuse(400, "bad-json")
        try:
            await session.set_control(body.get("id"), body.get("value"))
        except BadAnswer as exc:
            return refuse(403 if exc.reason == "not-allowed" else 400, exc.reason)
        return web.json_response(OK)

    async def get_file(request: web.Request) -> web.StreamResponse:
        if download is None:
            return refuse(403, "downloads-off")
        return await _serve_download(download, request.query.get("path", ""))

    @web.middleware
    async def closed_is_409(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except Closed:
            return refuse(409, "closed")

    app = web.Application(middlewares=[auth, closed_is_409], client_max_size=MAX_BODY)
    app.router.add_get("/events", events)
    app.router.add_post("/send", send)
    app.router.add_post("/interrupt", interrupt)
    app.router.add_post("/permission", permission)
    app.router.add_post("/control", control)
    app.router.add_get("/download", get_file)
    return app


async def _json(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


async def _serve_download(download: Download, path: str) -> web.Response:
    try:
        data, name = await download(path)
    except FileRefused as exc:
        return refuse(exc.status, exc.reason)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    safe = name.replace('"', "").replace("\\", "")
    return web.Response(
        body=data,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )
