"""Timings from inside a reconnect of a detached app-server: channel open, WebSocket upgrade."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from optio_codex.hosts.detached_server import DetachedAppServer
from optio_codex.protocol.streams import ByteStream
from optio_codex.transport.websocket import Reader, Writer


class _TimedDialer:
    """Wraps a SocketDialer: records when each socket channel was asked for and opened."""

    def __init__(self, inner: Any, timeline: ReconnectTimeline) -> None:
        self._inner = inner
        self._timeline = timeline

    async def open(self, path: str) -> tuple[Reader, Writer]:
        opened: tuple[Reader, Writer] = await self._inner.open(path)
        self._timeline.channel_opened.append(time.monotonic())
        return opened

    async def ops(self) -> Any:
        return await self._inner.ops()


@dataclass
class ReconnectTimeline:
    """``time.monotonic()`` stamps of the phases of each reconnect of a detached server."""

    channel_opened: list[float] = field(default_factory=list)
    upgraded: list[float] = field(default_factory=list)

    def after(self, stamps: list[float], moment: float) -> float | None:
        return next((s for s in stamps if s >= moment), None)


def instrument(server: DetachedAppServer) -> ReconnectTimeline:
    """Time the channel open and the WebSocket upgrade of every later reconnect of ``server``.

    Test and benchmark use only: it wraps the server's dialer and its ``reconnect`` method.
    """
    timeline = ReconnectTimeline()
    server.dialer = _TimedDialer(server.dialer, timeline)
    original = server.reconnect

    async def reconnect() -> Any:
        stream: ByteStream = await original()
        timeline.upgraded.append(time.monotonic())
        return stream

    setattr(server, "reconnect", reconnect)  # noqa: B010 - an instance attribute on purpose
    return timeline
