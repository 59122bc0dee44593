"""A bounded ring of the app-server's latest stderr output.

codex's stdout stalls once about 3 MB of stderr sit undrained, so stderr is always read; only
the tail is kept, for error messages.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable


class StderrRing:
    def __init__(self, max_bytes: int = 64 * 1024) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self.total_bytes = 0

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self.total_bytes += len(data)
        if len(data) > self.max_bytes:
            data = data[-self.max_bytes :]
        self._chunks.append(data)
        self._size += len(data)
        while self._size > self.max_bytes:
            head = self._chunks.popleft()
            self._size -= len(head)

    def tail(self, max_lines: int = 40) -> str:
        text = b"".join(self._chunks).decode("utf-8", "replace")
        lines = text.splitlines()
        return "\n".join(lines[-max_lines:])

    async def drain(self, read: Callable[[], Awaitable[bytes]]) -> None:
        """Feed from ``read`` until it returns b"" (end of stream) or fails."""
        try:
            while chunk := await read():
                self.feed(chunk)
        except Exception as exc:  # a dropped connection ends stderr too
            self.feed(f"\n[stderr read ended: {exc!r}]\n".encode())
