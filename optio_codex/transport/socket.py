"""Byte connections to an app-server's unix socket: on the worker, or over SSH.

A detached app-server listens on a unix socket on its host (see
:mod:`optio_codex.hosts.detached_server`). This module only opens connections to such a
socket — the worker's own, or one across SSH through a direct-streamlocal channel — and
speaks WebSocket over them (:mod:`optio_codex.transport.websocket`). Starting, checking and
stopping the process are host chores, one layer up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

import asyncssh

from optio_codex.transport.websocket import Reader, WebSocketHandshakeError, WebSocketStream, Writer


class ConnectionSource(Protocol):
    """Hands out a live SSH connection; a broken one is reported back with ``invalidate``."""

    async def connection(self) -> asyncssh.SSHClientConnection: ...

    async def invalidate(self, conn: asyncssh.SSHClientConnection) -> None:
        """``conn`` failed: the next ``connection()`` should bring a new one."""
        ...


class FixedConnection:
    """A ConnectionSource over one connection that is never re-established."""

    def __init__(self, conn: asyncssh.SSHClientConnection) -> None:
        self.conn = conn

    async def connection(self) -> asyncssh.SSHClientConnection:
        if self.conn.is_closed():
            raise ConnectionError("SSH connection is closed")
        return self.conn

    async def invalidate(self, conn: asyncssh.SSHClientConnection) -> None:
        return None


class SocketRefused(ConnectionError):
    """The socket itself refused us over a working path: its server may be gone."""


class SocketOpener(Protocol):
    """Opens a byte connection to a unix socket on the app-server's host."""

    async def open(self, path: str) -> tuple[Reader, Writer]: ...


class LocalSocketOpener:
    """The host is the worker itself."""

    async def open(self, path: str) -> tuple[Reader, Writer]:
        try:
            return await asyncio.open_unix_connection(path)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise SocketRefused(f"{path}: {exc}") from exc


class SshSocketOpener:
    """The host is across SSH: direct-streamlocal channels to the socket (OpenSSH allows them
    unless ``AllowStreamLocalForwarding no``)."""

    def __init__(self, source: ConnectionSource) -> None:
        self.source = source

    async def open(self, path: str) -> tuple[Reader, Writer]:
        conn = await self.source.connection()
        try:
            reader, writer = await conn.open_unix_connection(path)
        except asyncssh.ChannelOpenError as exc:
            raise SocketRefused(f"{path}: {exc.reason}") from exc
        except (asyncssh.Error, OSError) as exc:
            await self.source.invalidate(conn)
            raise ConnectionError(f"SSH connection failed: {exc}") from exc
        return reader, writer


async def open_websocket(
    opener: SocketOpener,
    path: str,
    timeout: float = 15.0,
    stderr_tail: Callable[[], str] | None = None,
) -> WebSocketStream:
    """A WebSocket connection to the app-server listening on ``path``.

    Raises :class:`SocketRefused` when the socket refused the connection, ConnectionError
    when the way there or the handshake failed.
    """
    reader, writer = await opener.open(path)
    try:
        return await WebSocketStream.open(reader, writer, timeout=timeout, stderr_tail=stderr_tail)
    except (WebSocketHandshakeError, TimeoutError) as exc:
        raise ConnectionError(f"WebSocket handshake with the app-server failed: {exc}") from exc


__all__ = [
    "ConnectionSource",
    "FixedConnection",
    "LocalSocketOpener",
    "SocketOpener",
    "SocketRefused",
    "SshSocketOpener",
    "open_websocket",
]
