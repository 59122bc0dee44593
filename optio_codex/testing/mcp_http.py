"""The test MCP server (:mod:`optio_codex.testing.mcp_server`) over streamable HTTP, the only
transport the published ``mcp_servers`` setting offers: POSTed JSON-RPC answered as JSON, on a
loopback port. It records each request's headers, so a test can tell what codex sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from optio_codex.testing.mcp_server import McpTestServer


@dataclass
class SeenRequest:
    method: str | None
    headers: dict[str, str] = field(repr=False)


class McpHttpServer:
    """``async with McpHttpServer() as server:`` then point an McpServer at ``server.url``."""

    def __init__(self, log_path: Path | None = None) -> None:
        self._mcp = McpTestServer(log_path)
        self.seen: list[SeenRequest] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> McpHttpServer:
        app = web.Application()
        app.router.add_post("/mcp", self._post)
        app.router.add_route("*", "/mcp", self._other)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/mcp"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def methods(self) -> list[str | None]:
        return [seen.method for seen in self.seen]

    async def _post(self, request: web.Request) -> web.StreamResponse:
        try:
            message: Any = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not JSON")
        method = message.get("method") if isinstance(message, dict) else None
        self.seen.append(SeenRequest(method, dict(request.headers)))
        reply = self._mcp.handle(message)
        if reply is None:
            return web.Response(status=202)
        return web.json_response(reply)

    async def _other(self, request: web.Request) -> web.StreamResponse:
        # No server-initiated stream (GET) and no sessions to end (DELETE).
        return web.Response(status=405)
