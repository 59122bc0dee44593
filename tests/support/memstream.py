"""An in-memory ByteStream pair, for feeding the endpoint bytes a real server cannot produce."""

from __future__ import annotations

import asyncio


class MemoryStream:
    """The client end: ``read`` gets what the test feeds, ``write`` goes to ``sent``."""

    def __init__(self) -> None:
        self._incoming: asyncio.Queue[bytes] = asyncio.Queue()
        self.sent: asyncio.Queue[bytes] = asyncio.Queue()
        self.closed = False
        self.fail_writes = False

    # ByteStream
    async def read(self) -> bytes:
        return await self._incoming.get()

    async def write(self, data: bytes) -> None:
        if self.fail_writes:
            raise BrokenPipeError("test: write failed")
        await self.sent.put(data)

    async def close(self) -> None:
        self.closed = True

    def stderr_tail(self) -> str:
        return "test stderr line"

    # test side
    def feed(self, data: bytes) -> None:
        self._incoming.put_nowait(data)

    def eof(self) -> None:
        self._incoming.put_nowait(b"")
