"""Chunks of one capture on their way to the store, off the event loop.

The host's stream is parsed on the event loop; everything per byte (sha256, compression,
encryption) runs in worker threads, a batch at a time (hashlib and zlib release the GIL), and a
few batches are written to MongoDB while the host keeps streaming. A chunk's id is known only
once its batch is hashed: :meth:`ChunkWriter.add` hands back a :class:`ChunkRef` filled then.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from optio_codex.snapshots.chunks import ChunkStore
from optio_codex.snapshots.model import SnapshotError

_BATCH_BYTES = 8 << 20
_BATCH_CHUNKS = 512


@dataclass
class ChunkRef:
    """A chunk's id, set when its batch has been hashed (after :meth:`ChunkWriter.close`)."""

    id: str = ""


class ChunkWriter:
    """Deduplicates within the capture, asks the store which chunks it lacks, writes those."""

    def __init__(self, store: ChunkStore, inflight: int = 3) -> None:
        self.store = store
        self.known: set[str] = set()
        self.batch: list[tuple[ChunkRef, bytes]] = []
        self.batch_bytes = 0
        self.slots = asyncio.Semaphore(inflight)
        self.tasks: list[asyncio.Task[None]] = []
        self.new_chunks = 0
        self.stored_bytes = 0

    async def add(self, plain: bytes) -> ChunkRef:
        ref = ChunkRef()
        self.batch.append((ref, plain))
        self.batch_bytes += len(plain)
        if self.batch_bytes >= _BATCH_BYTES or len(self.batch) >= _BATCH_CHUNKS:
            await self.flush()
        return ref

    async def flush(self) -> None:
        for task in self.tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise SnapshotError(f"storing chunks failed: {task.exception()!r}")
        if not self.batch:
            return
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        await self.slots.acquire()
        self.tasks.append(asyncio.create_task(self._write(batch)))

    async def _write(self, batch: list[tuple[ChunkRef, bytes]]) -> None:
        try:
            await asyncio.to_thread(_hash_all, batch)
            fresh: dict[str, bytes] = {}
            for ref, plain in batch:
                if ref.id not in self.known:
                    self.known.add(ref.id)
                    fresh[ref.id] = plain
            held = await self.store.claim(list(fresh))
            new = [(cid, plain) for cid, plain in fresh.items() if cid not in held]
            self.stored_bytes += await self.store.put(new)
            self.new_chunks += len(new)
        finally:
            self.slots.release()

    async def close(self) -> None:
        await self.flush()
        await asyncio.gather(*self.tasks)

    async def abort(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def _hash_all(batch: list[tuple[ChunkRef, bytes]]) -> None:
    for ref, plain in batch:
        ref.id = hashlib.sha256(plain).hexdigest()
