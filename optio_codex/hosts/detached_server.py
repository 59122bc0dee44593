"""The handle to a detached app-server: its own session on the host, reached through a socket.

The process side (launch, liveness, stop) is :mod:`optio_codex.hosts.server_process`.
Clients reach the server through its unix socket: on the worker directly, or over SSH with a
direct-streamlocal channel; either way the bytes are a WebSocket connection (see
:mod:`optio_codex.transport.socket`). Any number of clients can connect one after another,
which is what makes reconnecting and reattaching possible.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from optio_codex.hosts.host_scripts import HostOps, LiveSshOps, LocalOps, read_file
from optio_codex.hosts.server_process import (
    DetachedProcess,
    is_alive,
    launch_detached,
    stop_detached,
)
from optio_codex.protocol.streams import AppServerGone
from optio_codex.transport.socket import (
    LocalSocketOpener,
    SocketOpener,
    SocketRefused,
    SshSocketOpener,
    open_websocket,
)
from optio_codex.transport.websocket import WebSocketStream

log = logging.getLogger(__name__)


# --- reaching the socket ------------------------------------------------------------------


class SocketDialer(SocketOpener, Protocol):
    """Opens connections to the server's socket, and runs host scripts beside it."""

    async def ops(self) -> HostOps:
        """Means to run the server's host scripts (launch, probe, stop) on a live connection."""
        ...


class LocalDialer(LocalSocketOpener):
    """The host is the worker itself."""

    async def ops(self) -> HostOps:
        return LocalOps()


class SshDialer(SshSocketOpener):
    """The host is across SSH (direct-streamlocal channels, exec for the scripts)."""

    async def ops(self) -> HostOps:
        return LiveSshOps(self.source)


# --- the handle the conversation uses ----------------------------------------------------


class DetachedAppServer:
    """A detached app-server and the current connection to it.

    It satisfies the conversation's ``AppServerHandle`` and adds ``reconnect`` (a new
    connection to the same process) and ``detach`` (leave it running).
    """

    def __init__(
        self,
        process: DetachedProcess,
        dialer: SocketDialer,
        stream: WebSocketStream,
        *,
        connect_timeout: float = 15.0,
    ) -> None:
        self.process = process
        self.dialer = dialer
        self._stream = stream
        self.connect_timeout = connect_timeout
        self.connects = 1
        self._stderr = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def stream(self) -> WebSocketStream:
        return self._stream

    def stderr_tail(self) -> str:
        return self._stderr

    async def refresh_stderr(self) -> str:
        """Fetch the tail of the server's stderr log (it is a file on the host)."""
        with contextlib.suppress(Exception):
            ops = await self.dialer.ops()
            self._stderr = await read_file(ops, self.process.log_path, max_bytes=4000)
        return self._stderr

    async def reconnect(self) -> WebSocketStream:
        """A fresh connection to the same process; AppServerGone if it no longer runs."""
        with contextlib.suppress(Exception):
            await self._stream.close()
        try:
            stream = await connect_socket(
                self.dialer, self.process, self.connect_timeout, self.stderr_tail
            )
        except AppServerGone:
            await self.refresh_stderr()
            raise
        self._stream = stream
        self.connects += 1
        return stream

    async def detach(self) -> None:
        """Drop our connection and leave the server running (it can be reattached)."""
        with contextlib.suppress(Exception):
            await self._stream.close()

    async def stop(self, grace: float = 3.0) -> int | None:
        """Stop the server (SIGTERM, grace, SIGKILL of its group), what it started (every
        process with its CODEX_HOME) and its socket: the one stop of ``stop_detached``.

        The grace is capped at a second: with a turn running, a listening app-server takes
        about two seconds to obey SIGTERM, and a stop is a cancel or the end of the task.
        """
        with contextlib.suppress(Exception):
            await self._stream.close()
        try:
            await stop_detached(await self.dialer.ops(), self.process, grace=min(grace, 1.0))
        except Exception as exc:
            log.warning("could not stop app-server pid %s: %s", self.pid, exc)
        return None


async def connect_socket(
    dialer: SocketDialer,
    process: DetachedProcess,
    timeout: float = 15.0,
    stderr_tail: Callable[[], str] | None = None,
) -> WebSocketStream:
    """A WebSocket connection to ``process``'s socket; AppServerGone if it no longer runs."""
    try:
        return await open_websocket(dialer, process.socket_path, timeout, stderr_tail)
    except SocketRefused as exc:
        # The socket refused us over a working connection: is the process still there?
        if not await is_alive(await dialer.ops(), process):
            raise AppServerGone(f"codex app-server (pid {process.pid}) is gone") from exc
        raise ConnectionError(f"cannot reach the app-server socket: {exc}") from exc


async def start_detached_app_server(
    dialer: SocketDialer,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str,
    socket_path: str,
    log_path: str,
    start_timeout: float = 30.0,
) -> DetachedAppServer:
    """Launch a detached app-server and connect to it."""
    process = await launch_detached(
        await dialer.ops(),
        argv,
        env=env,
        cwd=cwd,
        socket_path=socket_path,
        log_path=log_path,
        start_timeout=start_timeout,
    )
    try:
        return await attach_detached_app_server(dialer, process)
    except BaseException:
        with contextlib.suppress(Exception):
            await stop_detached(await dialer.ops(), process, grace=0)
        raise


async def attach_detached_app_server(
    dialer: SocketDialer, process: DetachedProcess, *, timeout: float = 15.0
) -> DetachedAppServer:
    """Connect to a detached app-server that is already running (AppServerGone if not)."""
    stream = await connect_socket(dialer, process, timeout)
    return DetachedAppServer(process, dialer, stream, connect_timeout=timeout)


__all__ = [
    "DetachedAppServer",
    "LocalDialer",
    "SocketDialer",
    "SshDialer",
    "attach_detached_app_server",
    "connect_socket",
    "start_detached_app_server",
]
