"""Newline-delimited JSON framing, with no I/O: bytes in, complete lines out.

codex app-server writes one JSON document per line. A line longer than the configured limit is
dropped (its bytes are skipped up to the next newline) and reported as an :class:`OversizedLine`,
so a runaway message can neither exhaust memory nor desynchronise the stream.
"""

from __future__ import annotations

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

    def feed(self, data: bytes) -> list[bytes | OversizedLine]:
        """Every line completed by ``data`` (without the newline; empty lines skipped)."""
        out: list[bytes | OversizedLine] = []
        if self._dropping:
            data = self._skip(data, out)
        if not data:
            return out
        # One C-level split per chunk: far cheaper than scanning line by line in Python.
        parts = data.split(b"\n")
        rest = parts.pop()
        if parts:
            if self._buf:
                self._buf += parts[0]
                parts[0] = bytes(self._buf)
                self._buf.clear()
            limit = self.max_line_bytes
            for line in parts:
                if len(line) > limit:
                    out.append(OversizedLine(len(line), line[:64]))
                elif line:
                    out.append(line)
        if rest:
            if len(self._buf) + len(rest) > self.max_line_bytes:
                self._head = bytes((self._buf + rest)[:64])
                self._dropped = len(self._buf) + len(rest)
                self._buf.clear()
                self._dropping = True
            else:
                self._buf += rest
        return out

    def _skip(self, data: bytes, out: list[bytes | OversizedLine]) -> bytes:
        nl = data.find(b"\n")
        if nl < 0:
            self._dropped += len(data)
            return b""
        self._dropped += nl
        self._dropping = False
        out.append(OversizedLine(self._dropped, self._head))
        self._dropped = 0
        self._head = b""
        return data[nl + 1 :]

    @property
    def buffered(self) -> int:
        """Bytes of an incomplete line held back (for diagnostics)."""
        return len(self._buf)
