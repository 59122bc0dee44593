"""The terminal's listener in the engine (aiohttp), published as the task's widget upstream.

Routes, each behind the run's Basic auth (the optio API's widget proxy adds it):
- ``GET /``: the page (static/index.html: xterm.js, its fit add-on, 60 lines of glue);
- ``GET /static/…``: xterm.js 6.0.0 and @xterm/addon-fit 0.11.0, vendored (see docs/tui.md);
- ``GET /ws``: the terminal. Binary frames are keystrokes, text frames JSON controls
  (``{"resize": [cols, rows]}``); the answer is the tmux client's output, as binary frames;
- ``POST /input``: the iframe-input widget's box (``{"text": …}`` or ``{"key": <NAV_KEYS>}``),
  the published contract's answers (``{"ok": …, "reason": …}``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from optio_agents.tmux_input import NAV_KEYS

from optio_codex.task.widget_upstream import authorized
from optio_codex.tui.terminal import Pty

log = logging.getLogger(__name__)

STATIC = Path(str(resources.files("optio_codex.tui") / "static"))
DEFAULT_SIZE = (120, 40)
_FIRST_SIZE_WAIT = 3.0  # the page sends its size first; an older page may not
_REATTACH_PAUSE = 0.5  # doubled after each attach that showed nothing, up to the max
_REATTACH_MAX = 8.0
_FRUITLESS_ATTACHES = 8  # in a row, then the terminal gives up and says so

OpenPty = Callable[[int, int], Awaitable[Pty]]
Send = Callable[[str], Awaitable[None]]


class TerminalApp:
    """The listener's state: how to reach the TUI, and the input box's senders."""

    def __init__(
        self,
        password: str,
        open_pty: OpenPty,
        running: Callable[[], Awaitable[bool]],
        type_text: Send,
        press: Send,
    ) -> None:
        self.password = password
        self.open_pty = open_pty
        self.running = running
        self.type_text = type_text
        self.press = press
        self.links: set[TerminalLink] = set()

    def build(self) -> web.Application:
        app = web.Application(middlewares=[self._auth], client_max_size=1 << 20)
        app.router.add_get("/", self._page)
        app.router.add_get("/ws", self._terminal)
        app.router.add_post("/input", self._input)
        app.router.add_static("/static", STATIC, append_version=False)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not authorized(request.headers.get("Authorization"), self.password):
            return web.Response(
                status=401, headers={"WWW-Authenticate": 'Basic realm="optio-codex"'}
            )
        response: web.StreamResponse = await handler(request)
        return response

    async def _page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def _input(self, request: web.Request) -> web.Response:
        try:
            payload = await request.json()
        except (ValueError, UnicodeDecodeError):
            return _answer(400, "bad-json")
        if not isinstance(payload, dict):
            return _answer(400, "bad-json")
        key, text = payload.get("key"), payload.get("text")
        if key is not None:
            if not isinstance(key, str) or key not in NAV_KEYS:
                return _answer(400, "bad-key")
            send, value = self.press, key
        elif isinstance(text, str) and text:
            send, value = self.type_text, text
        else:
            return _answer(400, "bad-text")
        try:
            await send(value)
        except Exception as exc:
            log.warning("input did not reach the terminal UI: %s", exc)
            return _answer(502, "send-failed")
        return web.json_response({"ok": True})

    async def _terminal(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=1 << 20)
        await ws.prepare(request)
        link = TerminalLink(self, ws)
        self.links.add(link)
        try:
            await link.run()
        finally:
            self.links.discard(link)
        return ws

    async def close(self) -> None:
        for link in list(self.links):
            await link.ws.close(code=1001, message=b"the task ended")


def _answer(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "reason": reason}, status=status)


class TerminalLink:
    """One browser terminal: keystrokes in, the tmux client's output out. When the client
    ends while the TUI still runs (the SSH connection was cut), a new client attaches once
    the connection is back; tmux redraws the whole screen for it."""

    def __init__(self, app: TerminalApp, ws: web.WebSocketResponse) -> None:
        self.app = app
        self.ws = ws
        self.size = DEFAULT_SIZE
        self.pty: Pty | None = None
        self._sized = asyncio.Event()

    async def run(self) -> None:
        pump = asyncio.get_running_loop().create_task(self._pump())
        try:
            async for message in self.ws:
                if message.type == WSMsgType.BINARY:
                    if self.pty is not None:
                        self.pty.write(message.data)
                elif message.type == WSMsgType.TEXT:
                    self._control(message.data)
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
            if self.pty is not None:
                self.pty.close()

    def _control(self, text: str) -> None:
        try:
            cols, rows = (int(n) for n in json.loads(text)["resize"])
        except (ValueError, KeyError, TypeError):
            return
        self.size = (max(10, min(cols, 500)), max(5, min(rows, 300)))
        self._sized.set()
        if self.pty is not None:
            self.pty.resize(*self.size)

    async def _pump(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._sized.wait(), _FIRST_SIZE_WAIT)
        pause, fruitless = _REATTACH_PAUSE, 0
        while not self.ws.closed:
            shown = False
            try:
                self.pty = await self.app.open_pty(*self.size)
            except Exception as exc:
                log.warning("terminal: no tmux client (%s)", exc)
            else:
                while data := await self.pty.read():
                    shown = True
                    await self.ws.send_bytes(data)
                self.pty.close()
                self.pty = None
            pause, fruitless = (_REATTACH_PAUSE, 0) if shown else (pause, fruitless + 1)
            if fruitless >= _FRUITLESS_ATTACHES:  # a host without a pty for us, say
                await self.ws.close(code=1011, message=b"cannot attach to the terminal UI")
                return
            try:
                running = await self.app.running()  # over SSH: waits out a reconnect
            except Exception:
                running = False
            if not running:
                await self.ws.close(code=1000, message=b"codex has ended")
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, _REATTACH_MAX)
