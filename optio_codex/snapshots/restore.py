"""One root's restore: a tar (as a gzip stream, normally) written to ``tar -x`` on the host.

Tar headers go as small gzip members of their own; file data goes as the stored chunks' gzip
members, passed on as they are once each has been opened and its hash checked (or, with
``gzip=False``, everything plain). Chunks are read
from MongoDB a batch ahead of the host's writes, and opened in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass

from optio_codex.hosts.host_scripts import HostOps, HostScriptError, finish, last_result
from optio_codex.snapshots.chunks import CHUNK_SIZE, ChunkCorrupt, ChunkStore, gzip_member
from optio_codex.snapshots.host_side import RESTORE_SCRIPT, abandon
from optio_codex.snapshots.model import Entry, SnapshotCorrupt, SnapshotError
from optio_codex.snapshots.tar_write import END, header, padding

# A fetch from MongoDB: this many chunks, or about this many plain bytes.
_FETCH_CHUNKS = 256
_FETCH_BYTES = 8 << 20
_WRITE_BYTES = 1 << 20


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
async def restore_root(
    ops: HostOps,
    store: ChunkStore,
    snapshot_id: str,
    entries: Sequence[Entry],
    target: str,
    *,
    gzip: bool,
) -> RootRestored:
    """Send ``entries`` to ``target`` on the host; raises SnapshotCorrupt on a bad chunk (the
    target then holds part of the tree: the caller starts over in a fresh directory). With
    ``gzip`` the stream is gzip members (the stored chunks as they are), else a plain tar."""
    process = await ops.start(RESTORE_SCRIPT, [target])
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
