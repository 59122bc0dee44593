"""A loopback TCP relay that can add latency, cut connections and simulate an outage.

Tests put it between an SSH client and sshd to exercise reconnect logic against real
connection loss: `cut` aborts live connections with a TCP reset, `set_down` additionally
refuses service to new ones until the "network" is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass

from optio_codex.testing.processes import LOOPBACK
from optio_codex.testing.service import Service

_CHUNK = 64 * 1024
# Chunks in flight per direction; bounds memory while letting latency pipeline data.
_QUEUE_CHUNKS = 64


@dataclass(frozen=True)
class RelayStats:
    """A snapshot of the relay's counters."""

    accepted: int  # every connection accepted, including those dropped while down
    dropped: int  # accepted while down and dropped at once
    cut: int  # live connections aborted by `cut` / `set_down`
    live: int
    bytes_to_target: int
    bytes_to_client: int


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close a connection now, discarding buffered data, with a RST rather than a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        # Linger 0 makes close() send a reset, as a broken network path would look to a peer.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class _Link:
    """One relayed connection: two directions, each a reader feeding a delayed queue."""

    def __init__(
        self, relay: TcpRelay, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        self._relay = relay
        self._client_reader = client_reader
        self._client = client
        self._upstream: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self.aborted = False

    async def run(self) -> None:
        self._task = asyncio.current_task()
        try:
            up_reader, upstream = await asyncio.open_connection(
                self._relay.target_host, self._relay.target_port
            )
        except OSError:
            _abort(self._client)  # target down: the client sees a reset, like a refused path
            return
        self._upstream = upstream
        if self.aborted:  # cut while we were connecting
            _abort(upstream)
            return
        await self._pump(up_reader, upstream)

    async def _pump(self, up_reader: asyncio.StreamReader, upstream: asyncio.StreamWriter) -> None:
        up_queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue(_QUEUE_CHUNKS)
        down_queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue(_QUEUE_CHUNKS)
        tasks = [
            asyncio.create_task(self._receive(self._client_reader, up_queue)),
            asyncio.create_task(self._send(up_queue, upstream, to_target=True)),
            asyncio.create_task(self._receive(up_reader, down_queue)),
            asyncio.create_task(self._send(down_queue, self._client, to_target=False)),
        ]
        try:
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            if pending or any(t.exception() is not None for t in done):
                # One side failed (e.g. reset by its peer): tear the whole link down.
                self.abort()
            else:  # both directions reached EOF cleanly
                self._client.close()
                upstream.close()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _receive(
        self, reader: asyncio.StreamReader, queue: asyncio.Queue[tuple[float, bytes] | None]
    ) -> None:
        loop = asyncio.get_running_loop()
        while data := await reader.read(_CHUNK):
            # The due time is fixed on arrival, so latency delays but never throttles.
            await queue.put((loop.time() + self._relay.latency_ms / 1000.0, data))
        await queue.put(None)

    async def _send(
        self,
        queue: asyncio.Queue[tuple[float, bytes] | None],
        writer: asyncio.StreamWriter,
        *,
        to_target: bool,
    ) -> None:
        loop = asyncio.get_running_loop()
        while (item := await queue.get()) is not None:
            due, data = item
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
            self._relay._count(len(data), to_target=to_target)
        if writer.can_write_eof():
            writer.write_eof()  # pass the half-close on

    def abort(self) -> None:
        self.aborted = True
        _abort(self._client)
        if self._upstream is not None:
            _abort(self._upstream)

    def cancel(self) -> asyncio.Task[None] | None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        return self._task


class TcpRelay(Service["TcpRelay"]):
    """Relays 127.0.0.1:<port> to ``target_host:target_port``.

    `latency_ms` can be changed at any time; it applies to data arriving afterwards.
    """

    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        latency_ms: float = 0.0,
        listen_port: int = 0,
    ) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.latency_ms = latency_ms
        self._listen_port = listen_port
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self._down = False
        self._accepted = 0
        self._dropped = 0
        self._cut = 0
        self._bytes_to_target = 0
        self._bytes_to_client = 0

    # -- public API

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("TcpRelay is not running")
        return self._listen_port

    @property
    def host(self) -> str:
        return LOOPBACK

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def is_down(self) -> bool:
        return self._down

    @property
    def stats(self) -> RelayStats:
        return RelayStats(
            accepted=self._accepted,
            dropped=self._dropped,
            cut=self._cut,
            live=len(self._links),
            bytes_to_target=self._bytes_to_target,
            bytes_to_client=self._bytes_to_client,
        )

    async def start(self) -> int:
        """Listen on 127.0.0.1 and return the port."""
        if self._server is not None:
            raise RuntimeError("TcpRelay is already running")
        self._server = await asyncio.start_server(self._handle, LOOPBACK, self._listen_port)
        self._listen_port = self._server.sockets[0].getsockname()[1]
        return self._listen_port

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        await self.cut()
        await server.wait_closed()

    async def cut(self) -> int:
        """Abort every live connection on both sides at once; return how many were cut."""
        tasks = self._abort_all()
        await asyncio.gather(*tasks, return_exceptions=True)
        return len(tasks)

    def set_down(self, down: bool) -> None:
        """While down, live connections are cut and new ones are accepted and reset at once."""
        self._down = down
        if down:
            self._abort_all()

    def _entered(self) -> TcpRelay:
        return self

    # -- internals

    def _abort_all(self) -> list[asyncio.Task[None]]:
        links, self._links = self._links, set()
        tasks: list[asyncio.Task[None]] = []
        for link in links:
            link.abort()
            self._cut += 1
            task = link.cancel()
            if task is not None:
                tasks.append(task)
        return tasks

    def _count(self, nbytes: int, *, to_target: bool) -> None:
        if to_target:
            self._bytes_to_target += nbytes
        else:
            self._bytes_to_client += nbytes

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._accepted += 1
        if self._down:
            self._dropped += 1
            _abort(writer)
            return
        link = _Link(self, reader, writer)
        self._links.add(link)
        try:
            await link.run()
        except asyncio.CancelledError:
            # Cancelled by cut(): swallowing it keeps asyncio's server from logging noise.
            pass
        finally:
            self._links.discard(link)
            if not writer.is_closing():
                link.abort()
