"""A scripted stand-in for the app-server's side of the wire, for faults the real one cannot
be made to produce through our API. Never used instead of the real binary elsewhere."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from tests.support.memstream import MemoryStream

Responder = Callable[[dict[str, Any]], dict[str, Any] | None]

HANDSHAKE: dict[str, Any] = {
    "initialize": {"userAgent": "fake/0", "codexHome": "/x", "platformFamily": "unix"},
    "account/read": {"account": None, "requiresOpenaiAuth": False},
    "model/list": {"data": [], "nextCursor": None},
    "thread/start": {"thread": {"id": "thread-1"}, "sandbox": {"type": "workspaceWrite"}},
    "thread/resume": {"thread": {"id": "thread-1"}, "sandbox": {"type": "workspaceWrite"}},
}


class FakeAppServer:
    """Answers the handshake; ``responders[method]`` decide other replies (None: no reply)."""

    def __init__(self, responders: dict[str, Responder] | None = None) -> None:
        self.stream = MemoryStream()
        self.responders = responders or {}
        self.received: list[dict[str, Any]] = []
        self.stopped = False
        self._task = asyncio.get_running_loop().create_task(self._serve())

    async def _serve(self) -> None:
        while True:
            data = await self.stream.sent.get()
            for line in data.splitlines():
                message = json.loads(line)
                self.received.append(message)
                if "id" not in message or "method" not in message:
                    continue
                method = message["method"]
                if method in self.responders:
                    reply = self.responders[method](message)
                elif method in HANDSHAKE:
                    reply = {"result": HANDSHAKE[method]}
                else:
                    reply = {"error": {"code": -32600, "message": f"fake: {method}"}}
                if reply is not None:
                    self.send({"id": message["id"], **reply})

    def send(self, message: dict[str, Any]) -> None:
        self.stream.feed(json.dumps(message).encode() + b"\n")

    async def stop(self, grace: float = 3.0) -> int | None:
        self.stopped = True
        self.stream.eof()
        self._task.cancel()
        return 0
