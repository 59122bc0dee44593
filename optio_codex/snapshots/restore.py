"""One root's restore: a tar (as a gzip stream, normally) written to ``tar -x`` on the host.

Tar headers go as small gzip members of their own; file data goes as the stored chunks' gzip
members, passed on as they are once each has been opened and its hash checked (or, with
``gzip=False``, everything plain). Chunks are read
from MongoDB a batch ahead of the host's writes, and opened in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Mapping, Sequence
from dataclasses import dataclass

from optio_codex.hosts.host_scripts import (
    HostOps,
    HostProcess,
    HostScriptError,
    finish,
    last_result,
)
from optio_codex.snapshots.chunks import CHUNK_SIZE, ChunkCorrupt, ChunkStore, gzip_member
from optio_codex.snapshots.host_side import RESTORE_SCRIPT, abandon
from optio_codex.snapshots.model import Entry, SnapshotCorrupt, SnapshotError
from optio_codex.snapshots.tar_write import END, header, padding

# A fetch from MongoDB: this many chunks, or about this many plain bytes.
_FETCH_CHUNKS = 256
_FETCH_BYTES = 8 << 20
_WRITE_BYTES = 1 << 20
# More than this much data goes in STREAMS streams at once: more SSH windows, and the host's
# gzip -d and tar -x on more than one core.
PARALLEL_MIN_BYTES = 32 << 20
STREAMS = 3


@dataclass
class RootRestored:
    files: int = 0
    bytes: int = 0
    sent: int = 0


async def _opened(
    store: ChunkStore,
    snapshot_id: str,
    ids: Sequence[str],
    sizes: Mapping[str, int],
    members: bool = True,
) -> AsyncGenerator[dict[str, bytes], None]:
    """Gzip members of ``ids`` (their plain bytes with ``members=False``), in order, each once,
    a batch at a time, fetched one batch ahead of the consumer."""
    batches: list[list[str]] = [[]]
    size = 0
    for cid in dict.fromkeys(ids):
        if len(batches[-1]) >= _FETCH_CHUNKS or size >= _FETCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(cid)
        size += sizes.get(cid, CHUNK_SIZE)

    async def load(batch: list[str]) -> dict[str, bytes]:
        stored = await store.fetch(batch)
        lost = [cid for cid in batch if cid not in stored]
        if lost:
            raise SnapshotCorrupt(snapshot_id, f"chunk {lost[0]} is missing")

        def open_all() -> dict[str, bytes]:
            which = 0 if members else 1
            return {cid: store.codec.open(cid, stored[cid])[which] for cid in batch}

        try:
            return await asyncio.to_thread(open_all)
        except ChunkCorrupt as exc:
            raise SnapshotCorrupt(snapshot_id, str(exc)) from exc

    ahead: asyncio.Task[dict[str, bytes]] | None = None
    try:
        for i, _ in enumerate(batches):
            current = ahead or asyncio.create_task(load(batches[i]))
            ahead = asyncio.create_task(load(batches[i + 1])) if i + 1 < len(batches) else None
            yield await current
    finally:
        if ahead is not None:
            ahead.cancel()
            with contextlib.suppress(BaseException):
                await ahead


def _sizes(entries: Sequence[Entry]) -> dict[str, int]:
    """Each chunk's plain size, for batching: a file's last chunk holds what remains."""
    sizes: dict[str, int] = {}
    for entry in entries:
        for i, cid in enumerate(entry.chunks):
            sizes[cid] = min(CHUNK_SIZE, entry.size - i * CHUNK_SIZE)
    return sizes


async def _open_one(store: ChunkStore, snapshot_id: str, chunk_id: str, members: bool) -> bytes:
    async for batch in _opened(store, snapshot_id, [chunk_id], {}, members):
        return batch[chunk_id]
    raise SnapshotCorrupt(snapshot_id, f"chunk {chunk_id} is missing")


# Long: the stream's assembly, headers and chunks in order.
async def send_tar(
    process: HostProcess,
    store: ChunkStore,
    snapshot_id: str,
    entries: Sequence[Entry],
    target: str,
    *,
    gzip: bool,
    then: Sequence[asyncio.Future[RootRestored]] = (),
    tail: Sequence[Entry] = (),
) -> RootRestored:
    """Send ``entries`` to a started RESTORE_SCRIPT, then (once ``then`` are done) ``tail``,
    chunkless entries such as directories. Raises SnapshotCorrupt on a bad chunk. With
    ``gzip`` the stream is gzip members (the stored chunks as they are), else a plain tar."""
    done = RootRestored()
    out = bytearray(b"gzip\n" if gzip else b"none\n")
    plain = bytearray()  # headers and padding not yet packed into a member
    # One write in flight while the next block is assembled: asyncssh's drain waits until a
    # write has gone out, and the next block's chunks are fetched and checked meanwhile.
    sending: asyncio.Task[None] | None = None

    async def flush(final: bool = False) -> None:
        nonlocal sending
        if plain:
            out.extend(gzip_member(bytes(plain)) if gzip else plain)
            plain.clear()
        if out and (final or len(out) >= _WRITE_BYTES):
            done.sent += len(out)
            if sending is not None:
                await sending
            sending = asyncio.create_task(process.write(bytes(out)))
            out.clear()
        if final and sending is not None:
            await sending

    ids = [c for e in entries for c in e.chunks]
    batches = _opened(store, snapshot_id, ids, _sizes(entries), gzip)
    try:
        pieces: dict[str, bytes] = {}
        sent: set[str] = set()
        for entry in entries:
            plain += header(entry)
            for cid in entry.chunks:
                await flush()
                if cid in pieces:
                    out.extend(pieces[cid])
                elif cid in sent:  # a repeat from an earlier batch (files with equal content)
                    out.extend(await _open_one(store, snapshot_id, cid, gzip))
                else:
                    pieces = await anext(batches)
                    out.extend(pieces[cid])
                sent.add(cid)
            if entry.kind == "f":
                plain += padding(entry.size)
                done.files += 1
                done.bytes += entry.size
        if then:
            await flush(final=True)
            await asyncio.gather(*then)
        for entry in tail:
            plain += header(entry)
        plain += END
        await flush(final=True)
        result = await finish(process, None)
    except BaseException:
        if sending is not None:
            sending.cancel()
        await asyncio.shield(abandon(process))
        raise
    finally:
        await batches.aclose()
    try:
        last_result(result.stdout, "RESULT", result)
    except HostScriptError as exc:
        raise SnapshotError(f"restore into {target} failed: {exc}") from exc
    return done


def _groups(entries: Sequence[Entry], streams: int) -> list[list[Entry]]:
    """Entries in up to ``streams`` groups of about equal size (the first keeps the order)."""
    total = sum(e.size for e in entries)
    if streams <= 1 or total < PARALLEL_MIN_BYTES:
        return [list(entries)]
    groups: list[list[Entry]] = [[] for _ in range(streams)]
    loads = [0] * streams
    for entry in sorted(entries, key=lambda e: -e.size):
        least = loads.index(min(loads))
        groups[least].append(entry)
        loads[least] += entry.size
    return [g for g in groups if g] or [[]]


async def restore_root(
    ops: HostOps,
    store: ChunkStore,
    snapshot_id: str,
    entries: Sequence[Entry],
    target: str,
    *,
    gzip: bool,
    started: Awaitable[HostProcess] | None = None,
) -> RootRestored:
    """Send ``entries`` to ``target`` on the host: a large tree in several streams at once
    (one ``tar -x`` each). Directories go last, on the first stream once the others are done,
    so their modes and mtimes are set after every file is in. ``started``: the first stream's
    process when the caller has started it already."""
    dirs = [e for e in entries if e.kind == "d"]
    groups = _groups([e for e in entries if e.kind != "d"], STREAMS)
    main = await (started or ops.start(RESTORE_SCRIPT, [target]))

    async def side(group: list[Entry]) -> RootRestored:
        process = await ops.start(RESTORE_SCRIPT, [target])
        return await send_tar(process, store, snapshot_id, group, target, gzip=gzip)

    others = [asyncio.ensure_future(side(g)) for g in groups[1:]]
    try:
        first = await send_tar(
            main, store, snapshot_id, groups[0], target, gzip=gzip, then=others, tail=dirs
        )
    except BaseException:
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        raise
    parts = [first, *(task.result() for task in others)]
    return RootRestored(
        sum(d.files for d in parts), sum(d.bytes for d in parts), sum(d.sent for d in parts)
    )
