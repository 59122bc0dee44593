"""Tar as it streams: reading the host's ``tar -c`` (GNU or pax long names) entry by entry
without holding a file whole (the restore's headers: :mod:`tar_write`).

The stdlib's ``tarfile`` parses single headers here; its streaming mode wants a
blocking file object, which an asyncio channel is not.
"""

from __future__ import annotations

import asyncio
import tarfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from optio_codex.snapshots.host_side import HostReader
from optio_codex.snapshots.model import SnapshotError

BLOCK = 512
_ENCODING = "utf-8"
_ERRORS = "surrogateescape"
# Most plain bytes one decompress call may produce: bounds memory on very compressible data.
_INFLATE_STEP = 1 << 20


class PlainStream:
    """The tar bytes from the host, gunzipped on the fly when the host compressed them."""

    def __init__(self, reader: HostReader, gzip: bool) -> None:
        self.reader = reader
        self.inflater = zlib.decompressobj(31) if gzip else None
        self.pending = b""  # compressed input not yet inflated (unconsumed_tail)
        self.buffer = bytearray()

    async def _more(self) -> bool:
        if self.inflater is None:
            data = await self.reader.some()
            self.buffer += data
            return bool(data)
        while True:
            if not self.pending:
                if self.inflater.eof:
                    return False
                self.pending = await self.reader.some()
                if not self.pending:
                    return False
            # In a thread: zlib releases the GIL, so the event loop parses meanwhile.
            out = await asyncio.to_thread(self.inflater.decompress, self.pending, _INFLATE_STEP)
            self.pending = self.inflater.unconsumed_tail
            if self.inflater.eof:
                self.pending = b""
            if out:
                self.buffer += out
                return True

    async def exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not await self._more():
                raise SnapshotError("the host's tar stream ended early")
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    async def upto(self, n: int) -> bytes:
        if not self.buffer and not await self._more():
            raise SnapshotError("the host's tar stream ended early")
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out


@dataclass(frozen=True)
class Member:
    path: str  # relative, no "./"
    size: int
    regular: bool


def _padding(size: int) -> int:
    return -size % BLOCK


def _pax_records(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        length = int(data[pos:space])
        key, _, value = data[space + 1 : pos + length - 1].partition(b"=")
        records[key.decode(_ENCODING, _ERRORS)] = value.decode(_ENCODING, _ERRORS)
        pos += length
    return records


async def members(stream: PlainStream) -> AsyncIterator[Member]:
    """Each member's header; the caller reads exactly ``size`` bytes of a regular member with
    :func:`read_data` before asking for the next (other members' data is skipped here)."""
    long_name: str | None = None
    pax: dict[str, str] = {}
    while True:
        block = await stream.exactly(BLOCK)
        if block == bytes(BLOCK):
            return
        try:
            info = tarfile.TarInfo.frombuf(block, _ENCODING, _ERRORS)
        except tarfile.HeaderError as exc:
            raise SnapshotError(f"unreadable tar header from the host: {exc}") from exc
        if info.type in (tarfile.GNUTYPE_LONGNAME, tarfile.XHDTYPE, tarfile.XGLTYPE):
            data = await stream.exactly(info.size + _padding(info.size))
            if info.type == tarfile.GNUTYPE_LONGNAME:
                long_name = data[: info.size].rstrip(b"\0").decode(_ENCODING, _ERRORS)
            elif info.type == tarfile.XHDTYPE:
                pax = _pax_records(data[: info.size])
            continue
        path = pax.get("path") or long_name or info.name
        size = int(pax["size"]) if "size" in pax else info.size
        long_name, pax = None, {}
        regular = info.type in tarfile.REGULAR_TYPES
        if not regular:
            await stream.exactly(size + _padding(size))
        yield Member(path.removeprefix("./"), size, regular)


async def read_data(stream: PlainStream, size: int, piece: int) -> AsyncIterator[bytes]:
    """A regular member's data in pieces of at most ``piece`` bytes, then its padding."""
    left = size
    while left:
        data = await stream.upto(min(piece, left))
        left -= len(data)
        yield data
    await stream.exactly(_padding(size))
