"""One root's capture: the host conversation of :mod:`host_side`, deciding what travels, and
cutting what arrives into chunks for the :class:`ChunkWriter`.

A file travels when it is new, its size changed, or its mtime changed and ``sha256sum`` on the
host says its content did too. Everything else keeps the chunks of the previous manifest,
provided the store still holds them (they are claimed first; a file with a lost chunk travels
again, so a snapshot never refers to a chunk the store lacks).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from optio_codex.hosts.host_scripts import HostOps, finish
from optio_codex.snapshots.chunks import CHUNK_SIZE, ChunkStore
from optio_codex.snapshots.host_side import (
    CAPTURE_SCRIPT,
    HostReader,
    Listed,
    abandon,
    capture_args,
    parse_sums,
    path_list,
    read_listing,
)
from optio_codex.snapshots.model import Entry, Kind, SnapshotError, SnapshotRoot
from optio_codex.snapshots.tar_stream import PlainStream, members, read_data

_BATCH_BYTES = 8 << 20
_BATCH_CHUNKS = 256


class ChunkWriter:
    """Chunks of one capture on their way to the store: deduplicated within the capture,
    batched, and written by a few batches at a time while the host keeps streaming."""

    def __init__(self, store: ChunkStore, inflight: int = 3) -> None:
        self.store = store
        self.known: set[str] = set()
        self.batch: list[tuple[str, bytes]] = []
        self.batch_bytes = 0
        self.slots = asyncio.Semaphore(inflight)
        self.tasks: list[asyncio.Task[None]] = []
        self.new_chunks = 0
        self.stored_bytes = 0

    async def add(self, chunk_id: str, plain: bytes) -> None:
        if chunk_id in self.known:
            return
        self.known.add(chunk_id)
        self.batch.append((chunk_id, plain))
        self.batch_bytes += len(plain)
        if self.batch_bytes >= _BATCH_BYTES or len(self.batch) >= _BATCH_CHUNKS:
            await self.flush()

    async def flush(self) -> None:
        for task in self.tasks:
            if task.done() and task.exception() is not None:
                raise SnapshotError(f"storing chunks failed: {task.exception()!r}")
        if not self.batch:
            return
        batch, self.batch, self.batch_bytes = self.batch, [], 0
        await self.slots.acquire()
        self.tasks.append(asyncio.create_task(self._write(batch)))

    async def _write(self, batch: list[tuple[str, bytes]]) -> None:
        try:
            held = await self.store.claim([cid for cid, _ in batch])
            new = [(cid, plain) for cid, plain in batch if cid not in held]
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


@dataclass
class RootResult:
    entries: list[Entry] = field(default_factory=list)
    missing: bool = False
    transferred: int = 0
    changed: int = 0


@dataclass
class _Plan:
    keep: dict[str, Entry]  # path -> entry reused (mtime refreshed)
    hash_first: list[str]
    send: list[str]


def _plan(listing: Sequence[Listed], previous: Mapping[str, Entry], held: set[str]) -> _Plan:
    plan = _Plan({}, [], [])
    for item in listing:
        if item.kind != "f":
            continue
        old = previous.get(item.path)
        if old is None or old.kind != "f" or old.size != item.size:
            plan.send.append(item.path)
        elif not held.issuperset(old.chunks):
            plan.send.append(item.path)
        elif old.mtime == item.mtime:
            plan.keep[item.path] = old
        else:
            plan.hash_first.append(item.path)
    return plan


def _entry(item: Listed, sha256: str = "", chunks: tuple[str, ...] = ()) -> Entry:
    kind: Kind = "d" if item.kind == "d" else "l" if item.kind == "l" else "f"
    return Entry(item.path, kind, item.mode, item.size, item.mtime, item.link, sha256, chunks)


async def capture_root(
    ops: HostOps,
    root: SnapshotRoot,
    exclude: Sequence[str],
    previous: Mapping[str, Entry],
    writer: ChunkWriter,
    *,
    gzip: bool,
) -> RootResult:  # Long: one conversation with the host, step by step
    process = await ops.start(
        CAPTURE_SCRIPT, capture_args(root.host_path, exclude, root.files, gzip)
    )
    reader = HostReader(process)
    try:
        status = (await reader.until(b"\n")).decode(errors="replace")
        if status == "OPTIO-SCAN missing":
            await finish(process, 30.0)
            return RootResult(missing=True, transferred=reader.received)
        if status != "OPTIO-SCAN ok":
            raise SnapshotError(f"capture of {root.name!r}: host said {status[:200]!r}")
        listing = await read_listing(reader)
        reused = {c for item in listing if (old := previous.get(item.path)) for c in old.chunks}
        held = await writer.store.claim(sorted(reused)) if reused else set()
        plan = _plan(listing, previous, held)
        await process.write(path_list(plan.hash_first))
        sums = parse_sums(await reader.until(b"\0"))
        for path in plan.hash_first:
            old = previous[path]
            if sums.get(path) == old.sha256:
                plan.keep[path] = old
            else:
                plan.send.append(path)
        await process.write(path_list(plan.send))
        arrived = await _receive(PlainStream(reader, gzip), writer)
        result = await finish(process, None)
        if result.returncode not in (0, 1):  # 1: tar saw a file change while reading it
            raise SnapshotError(
                f"capture of {root.name!r} failed on the host: "
                f"{result.stderr.decode(errors='replace')[-500:]}"
            )
    except BaseException:
        await asyncio.shield(abandon(process))
        raise
    entries = []
    for item in listing:
        if item.kind in ("d", "l"):
            entries.append(_entry(item))
        elif item.kind == "f" and item.path in plan.keep:
            old = plan.keep[item.path]
            entries.append(_entry(item, sha256=old.sha256, chunks=old.chunks))
        elif item.kind == "f" and item.path in arrived:
            size, sha, chunks = arrived[item.path]
            entries.append(
                Entry(item.path, "f", item.mode, size, item.mtime, "", sha, tuple(chunks))
            )
    return RootResult(entries, False, reader.received, len(arrived))


async def _receive(
    stream: PlainStream, writer: ChunkWriter
) -> dict[str, tuple[int, str, list[str]]]:
    """Each regular file of the tar: its size, whole-file sha256 and chunk ids."""
    arrived: dict[str, tuple[int, str, list[str]]] = {}
    async for member in members(stream):
        if not member.regular:
            continue
        whole = hashlib.sha256()
        chunks: list[str] = []
        pending = bytearray()
        async for data in read_data(stream, member.size, CHUNK_SIZE):
            whole.update(data)
            pending += data
            if len(pending) >= CHUNK_SIZE:
                piece = bytes(pending[:CHUNK_SIZE])
                del pending[:CHUNK_SIZE]
                chunks.append(await _add(writer, piece))
        if pending:
            chunks.append(await _add(writer, bytes(pending)))
        arrived[member.path] = (member.size, whole.hexdigest(), chunks)
    return arrived


async def _add(writer: ChunkWriter, piece: bytes) -> str:
    chunk_id = hashlib.sha256(piece).hexdigest()
    await writer.add(chunk_id, piece)
    return chunk_id
