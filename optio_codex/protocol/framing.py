"""Newline-delimited JSON framing, with no I/O: bytes in, complete lines out.

codex app-server writes one JSON document per line. A line longer than the configured limit is
dropped (its bytes are skipped up to the next newline) and reported as an :class:`OversizedLine`,
so a runaway message can neither exhaust memory nor desynchronise the stream.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass

DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class OversizedLine:
    """A line that exceeded the limit; only its size and first bytes are kept."""

    size: int
    head: bytes


class LineDecoder:
    """Splits a byte stream into lines, enforcing a maximum line size."""

    __slots__ = ("_buf", "_dropped", "_dropping", "_head", "max_line_bytes")

    def __init__(self, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
        if max_line_bytes < 2:
            raise ValueError("max_line_bytes must be at least 2")
        self.max_line_bytes = max_line_bytes
        self._buf = bytearray()
        self._dropping = False  # inside an oversized line, discarding until newline
        self._dropped = 0
        self._head = b""

    def feed(self, data: bytes) -> Iterator[bytes | OversizedLine]:
        """Yield every line completed by ``data`` (without the newline, empty lines skipped)."""
        if self._dropping:
            data = yield from self._skip(data)
        if not data:
            return
        buf = self._buf
        start = 0
        if not buf:
            # Fast path: parse straight out of ``data`` without copying complete lines.
            nl = data.find(b"\n")
            while nl >= 0:
                if nl - start > self.max_line_bytes:
                    yield OversizedLine(nl - start, bytes(data[start : start + 64]))
                elif nl > start:
                    yield data[start:nl]
                start = nl + 1
                nl = data.find(b"\n", start)
            rest = data[start:]
        else:
            nl = data.find(b"\n")
            if nl < 0:
                rest = data
            else:
                buf += data[:nl]
                line = bytes(buf)
                buf.clear()
                if len(line) > self.max_line_bytes:
                    yield OversizedLine(len(line), line[:64])
                elif line:
                    yield line
                yield from self.feed(data[nl + 1 :])
                return
        if rest:
            if len(buf) + len(rest) > self.max_line_bytes:
                self._head = bytes((buf + rest)[:64])
                self._dropped = len(buf) + len(rest)
                buf.clear()
                self._dropping = True
            else:
                buf += rest

    def _skip(self, data: bytes) -> Generator[OversizedLine, None, bytes]:
        nl = data.find(b"\n")
        if nl < 0:
            self._dropped += len(data)
            return b""
        self._dropped += nl
        self._dropping = False
        yield OversizedLine(self._dropped, self._head)
        self._dropped = 0
        self._head = b""
        return data[nl + 1 :]

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete line held back (for diagnostics)."""
        return len(self._buf)
