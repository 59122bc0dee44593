"""Chunks: content-addressed pieces of file data in ``{prefix}_codex_snapshot_chunks``.

A chunk's ``_id`` is the sha256 of its plain bytes; ``data`` is one gzip member of them
(level 1, or stored when a sample does not compress), then encrypted when a cipher is set. A
gzip member because a restore can then pass it on to the host's ``gzip -d`` as it is: the
worker inflates it once to check the hash, and never compresses it again. ``seen`` is the last
time a capture wrote or reused the chunk; garbage collection spares chunks seen recently.
"""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import Binary
from pymongo.errors import BulkWriteError

CHUNK_SIZE = 1 << 20
_SAMPLE = 64 * 1024
# A sample that shrinks less than this is stored uncompressed: level 1 on random bytes runs at
# about 50 MB/s here and saves nothing.
_WORTH_IT = 0.9
_QUERY_BATCH = 1000

Transform = Callable[[bytes], bytes]


def now() -> datetime:
    return datetime.now(UTC)


def gzip_member(plain: bytes, level: int = 1) -> bytes:
    return zlib.compress(plain, level, wbits=31)


def _level(plain: bytes) -> int:
    sample = plain[:_SAMPLE]
    if not sample:
        return 1
    return 1 if len(zlib.compress(sample, 1)) < _WORTH_IT * len(sample) else 0


class ChunkCorrupt(ValueError):
    """A stored chunk does not decrypt, inflate or hash to its id."""


@dataclass(frozen=True)
class Codec:
    encrypt: Transform | None = None
    decrypt: Transform | None = None

    def encode(self, plain: bytes) -> bytes:
        member = gzip_member(plain, _level(plain))
        return self.encrypt(member) if self.encrypt else member

    def open(self, chunk_id: str, stored: bytes) -> tuple[bytes, bytes]:
        """(gzip member, plain bytes) of a stored chunk, its hash checked."""
        try:
            member = self.decrypt(stored) if self.decrypt else stored
            plain = zlib.decompress(member, 31)
        except Exception as exc:  # a wrong key or damaged bytes: both mean "corrupt"
            raise ChunkCorrupt(f"chunk {chunk_id} does not open: {exc!r}") from exc
        if hashlib.sha256(plain).hexdigest() != chunk_id:
            raise ChunkCorrupt(f"chunk {chunk_id} does not match its hash")
        return member, plain


class ChunkStore:
    """The chunk collection: which chunks exist, writing new ones, reading them back."""

    def __init__(self, collection: Any, codec: Codec) -> None:
        self.collection = collection
        self.codec = codec

    async def claim(self, ids: Sequence[str]) -> set[str]:
        """The ids among ``ids`` the store holds, each marked seen now first, so a collection
        running meanwhile spares them (it deletes only chunks not seen since its cutoff)."""
        held: set[str] = set()
        for start in range(0, len(ids), _QUERY_BATCH):
            part = list(ids[start : start + _QUERY_BATCH])
            await self.collection.update_many({"_id": {"$in": part}}, {"$set": {"seen": now()}})
            cursor = self.collection.find({"_id": {"$in": part}}, {"_id": 1})
            held.update([doc["_id"] async for doc in cursor])
        return held

    async def put(self, chunks: Sequence[tuple[str, bytes]]) -> int:
        """Store ``(id, plain)`` chunks; returns the stored (encoded) bytes written."""
        if not chunks:
            return 0
        encoded = await asyncio.to_thread(self._encode_all, chunks)
        docs = [
            {"_id": cid, "data": Binary(data), "size": len(plain), "seen": now()}
            for (cid, plain), data in zip(chunks, encoded, strict=True)
        ]
        try:
            await self.collection.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            # Another capture stored the same chunk meanwhile: content-addressed, so it is ours.
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", ())):
                raise
        return sum(len(d) for d in encoded)

    def _encode_all(self, chunks: Iterable[tuple[str, bytes]]) -> list[bytes]:
        return [self.codec.encode(plain) for _, plain in chunks]

    async def fetch(self, ids: Sequence[str]) -> dict[str, bytes]:
        """Stored bytes of those ``ids`` the store holds (absent ones are left out)."""
        found: dict[str, bytes] = {}
        cursor = self.collection.find({"_id": {"$in": list(ids)}}, {"data": 1})
        async for doc in cursor:
            found[doc["_id"]] = bytes(doc["data"])
        return found

    async def missing(self, ids: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys(ids))
        have: set[str] = set()
        for start in range(0, len(wanted), _QUERY_BATCH):
            part = wanted[start : start + _QUERY_BATCH]
            cursor = self.collection.find({"_id": {"$in": part}}, {"_id": 1})
            have.update([doc["_id"] async for doc in cursor])
        return [i for i in wanted if i not in have]


def split(data: bytes) -> list[tuple[str, bytes]]:
    """``data`` in CHUNK_SIZE pieces, each with its id."""
    pieces = [data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE)] or [b""]
    return [(hashlib.sha256(p).hexdigest(), p) for p in pieces]
