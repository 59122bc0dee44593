"""JSON-RPC over WebSocket text messages, presented to the endpoint as JSON lines.

``codex app-server --listen unix://PATH`` speaks WebSocket on its socket (an HTTP upgrade, then
one JSON-RPC message per text message). This module does the WebSocket part with the
``websockets`` library's sans-I/O protocol over any reader/writer pair — an asyncio unix
connection on the worker, or an SSH direct-streamlocal channel — so the endpoint above keeps
reading and writing lines and never learns which transport it has.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol

from websockets.client import ClientProtocol
from websockets.exceptions import InvalidHandshake, ProtocolError
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from optio_codex.protocol.framing import DEFAULT_MAX_LINE_BYTES

_READ_SIZE = 256 * 1024


class Reader(Protocol):
    async def read(self, n: int = -1) -> Any: ...


class Writer(Protocol):
    def write(self, data: Any) -> None: ...

    async def drain(self) -> None: ...

    def close(self) -> Any: ...


class WebSocketHandshakeError(ConnectionError):
    """The peer did not accept the WebSocket upgrade."""


class WebSocketStream:
    """A :class:`~optio_codex.protocol.streams.ByteStream` over a WebSocket connection.

    ``read`` returns whole messages, each followed by a newline; ``write`` sends every line it
    is given as one text message. Pings are answered as they arrive.
    """

    def __init__(
        self,
        reader: Reader,
        writer: Writer,
        protocol: ClientProtocol,
        *,
        stderr_tail: Callable[[], str] | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._ws = protocol
        self._stderr_tail = stderr_tail
        self._partial: list[bytes] = []  # fragments of a message not yet complete
        self._early: list[bytes] = []  # messages that arrived together with the upgrade
        self._eof = False
        self._closed = False
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        reader: Reader,
        writer: Writer,
        *,
        timeout: float = 10.0,
        max_message_bytes: int = DEFAULT_MAX_LINE_BYTES,
        stderr_tail: Callable[[], str] | None = None,
    ) -> WebSocketStream:
        """Perform the client handshake on an open byte connection."""
        protocol = ClientProtocol(parse_uri("ws://localhost/"), max_size=max_message_bytes)
        stream = cls(reader, writer, protocol, stderr_tail=stderr_tail)
        try:
            async with asyncio.timeout(timeout):
                await stream._handshake()
        except BaseException:
            stream._abort()
            raise
        return stream

    async def _handshake(self) -> None:
        self._ws.send_request(self._ws.connect())
        await self._flush()
        while True:
            data = await self._reader.read(_READ_SIZE)
            if not data:
                raise WebSocketHandshakeError("the server closed the connection during handshake")
            self._ws.receive_data(bytes(data))
            upgraded = False
            for event in self._ws.events_received():
                if isinstance(event, Response):
                    if event.status_code != 101 or self._ws.handshake_exc is not None:
                        raise WebSocketHandshakeError(
                            f"WebSocket upgrade refused: HTTP {event.status_code}"
                        ) from self._ws.handshake_exc
                    upgraded = True
                elif isinstance(event, Frame) and upgraded:
                    self._take(event, self._early)  # frames that came with the upgrade
            if upgraded:
                return

    async def read(self) -> bytes:
        out, self._early = self._early, []
        while not out:
            if self._eof:
                return b""
            try:
                data = await self._reader.read(_READ_SIZE)
            except (OSError, EOFError) as exc:
                raise ConnectionError(f"WebSocket transport failed: {exc}") from exc
            if not data:
                self._eof = True
                self._ws.receive_eof()
                return b"".join(out)
            self._ws.receive_data(bytes(data))
            for event in self._ws.events_received():
                if isinstance(event, Frame):
                    self._take(event, out)
            if self._ws.close_code is not None or self._ws.state.name == "CLOSED":
                self._eof = True
            await self._flush()  # pong replies, close handshakes
        return b"".join(out)

    def _take(self, frame: Frame, out: list[bytes]) -> None:
        if frame.opcode is Opcode.TEXT or frame.opcode is Opcode.BINARY:
            self._partial = [bytes(frame.data)]
        elif frame.opcode is Opcode.CONT:
            self._partial.append(bytes(frame.data))
        else:
            return  # ping/pong/close are the protocol's business
        if frame.fin:
            out.append(b"".join(self._partial) + b"\n")
            self._partial = []

    async def write(self, data: bytes) -> None:
        if self._closed:
            raise ConnectionError("WebSocket stream is closed")
        async with self._write_lock:
            for line in data.split(b"\n"):
                if line.strip():
                    try:
                        self._ws.send_text(line)
                    except ProtocolError as exc:
                        raise ConnectionError(f"WebSocket is closing: {exc}") from exc
            await self._flush()

    async def _flush(self) -> None:
        chunks = self._ws.data_to_send()
        if not chunks:
            return
        try:
            for chunk in chunks:
                if chunk:
                    self._writer.write(chunk)
            await self._writer.drain()
        except (OSError, EOFError) as exc:
            raise ConnectionError(f"WebSocket transport failed: {exc}") from exc

    async def close(self) -> None:
        """Close our side: a close frame if we can, then the byte connection."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            self._ws.send_close()
            async with asyncio.timeout(1.0):
                await self._flush()
        self._abort()

    def _abort(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()

    def stderr_tail(self) -> str:
        return self._stderr_tail() if self._stderr_tail is not None else ""


__all__ = ["InvalidHandshake", "WebSocketHandshakeError", "WebSocketStream"]
