"""The one interface between the JSON-RPC endpoint and any transport."""

from __future__ import annotations

from typing import Protocol


class ByteStream(Protocol):
    """A duplex byte stream to one app-server: a subprocess's stdio, an SSH channel, a socket.

    ``read`` returns ``b""`` at end of stream. ``close`` ends our side of the stream (stdin EOF
    for a subprocess) and must be idempotent.
    """

    async def read(self) -> bytes: ...

    async def write(self, data: bytes) -> None: ...

    async def close(self) -> None: ...

    def stderr_tail(self) -> str:
        """The last lines the server wrote to stderr, for error messages ("" if unknown)."""
        ...


class AppServerGone(ConnectionError):
    """The app-server process no longer exists (crashed, killed, or its host rebooted)."""
