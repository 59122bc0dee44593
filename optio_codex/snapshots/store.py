"""The snapshot store: capture, list, restore, retention and chunk collection.

``{prefix}_codex_snapshots`` holds one document per snapshot::

    {_id: ObjectId, process_id, created_at, completed_at, state: "writing" | "complete",
     meta: {...}, manifest: [chunk ids of the manifest JSON], previous: id | None,
     size, files, changed_files, transferred_bytes, stored_bytes, new_chunks}

A snapshot is written as "writing" first and turns "complete" only after every chunk and the
manifest are stored; readers see complete ones only. Chunks live in
``{prefix}_codex_snapshot_chunks`` (see :mod:`chunks`).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from optio_codex.hosts.host_scripts import HostOps, HostProcess
from optio_codex.snapshots.capture import RootResult, capture_root
from optio_codex.snapshots.chunks import ChunkCorrupt, ChunkStore, Codec, Transform, now, split
from optio_codex.snapshots.host_side import RESTORE_SCRIPT, abandon
from optio_codex.snapshots.model import (
    Entry,
    Manifest,
    RestoreReport,
    SnapshotCorrupt,
    SnapshotError,
    SnapshotInfo,
    SnapshotRoot,
)
from optio_codex.snapshots.restore import restore_root
from optio_codex.snapshots.writer import ChunkWriter

SNAPSHOTS_SUFFIX = "_codex_snapshots"
CHUNKS_SUFFIX = "_codex_snapshot_chunks"
DEFAULT_KEEP = 5
# Clocks of different workers differ; collection spares chunks seen this long before its cutoff.
CLOCK_MARGIN = timedelta(minutes=10)
# A "writing" snapshot older than this belongs to a capture that died.
STALE_WRITING = timedelta(hours=6)


@dataclass(frozen=True)
class _Opened:
    id: Any
    doc: dict[str, Any]
    previous: SnapshotInfo | None
    base: Manifest | None


class SnapshotStore:
    """Content-addressed, incremental snapshots of host directories, kept in MongoDB.

    ``encrypt``/``decrypt`` (bytes -> bytes, both or neither) wrap every stored chunk,
    manifests included: the published ``session_blob_encrypt``/``session_blob_decrypt``
    hooks, or a ``BlobCipher``'s methods. ``gzip_transfer``: whether the host compresses what
    it sends (None: when the link is slow, see ``capture.GZIP_ABOVE_S``); a restore sends the
    stored gzip members unless it is False (they cost nothing more to send compressed).
    """

    def __init__(
        self,
        db: Any,
        prefix: str,
        *,
        encrypt: Transform | None = None,
        decrypt: Transform | None = None,
        gzip_transfer: bool | None = None,
    ) -> None:
        if (encrypt is None) != (decrypt is None):
            raise ValueError("SnapshotStore: encrypt and decrypt must be given together")
        self.snapshots = db[prefix + SNAPSHOTS_SUFFIX]
        self.chunks = ChunkStore(db[prefix + CHUNKS_SUFFIX], Codec(encrypt, decrypt))
        self.gzip_transfer = gzip_transfer
        self._indexed = False

    async def _ensure_indexes(self) -> None:
        if not self._indexed:
            await self.snapshots.create_index([("process_id", 1), ("created_at", -1)])
            await self.chunks.collection.create_index([("seen", 1)])
            self._indexed = True

    # --- capture --------------------------------------------------------------------------

    async def capture(
        self,
        ops: HostOps,
        roots: Sequence[SnapshotRoot],
        *,
        process_id: str,
        meta: Mapping[str, Any],
        exclude: Sequence[str],
        previous: SnapshotInfo | None = None,
    ) -> SnapshotInfo:
        """Capture ``roots`` on the host behind ``ops``; only what changed since ``previous``
        (default: the newest complete snapshot of ``process_id``) travels. One capture per
        process at a time: a new one discards the process's unfinished ones."""
        names = [r.name for r in roots]
        if len(set(names)) != len(names):
            raise ValueError(f"capture roots: names repeat: {names}")
        # The bookkeeping in MongoDB runs while the host starts the scan (an exec costs a few
        # round trips); each root waits for it only once its listing is in.
        opening = asyncio.ensure_future(self._open(process_id, meta, previous))

        async def base(name: str) -> dict[str, Entry]:
            manifest = (await asyncio.shield(opening)).base
            return {e.path: e for e in (manifest.roots.get(name, []) if manifest else [])}

        writer = ChunkWriter(self.chunks)
        try:
            results = await asyncio.gather(
                *(
                    capture_root(
                        ops,
                        r,
                        exclude,
                        functools.partial(base, r.name),
                        writer,
                        gzip=self.gzip_transfer,
                    )
                    for r in roots
                )
            )
            opened = await opening
            await writer.close()
            manifest = Manifest(
                {r.name: res.entries() for r, res in zip(roots, results, strict=True)},
                {r.name for r, res in zip(roots, results, strict=True) if res.missing},
            )
            fields = await self._finish(manifest, results, writer)
        except BaseException:
            await writer.abort()
            await asyncio.shield(self._discard(opening))
            raise
        await self.snapshots.update_one({"_id": opened.id}, {"$set": fields})
        await self._unpin(opened.previous)
        return SnapshotInfo.from_doc({**opened.doc, **fields, "_id": opened.id})

    async def _open(
        self, process_id: str, meta: Mapping[str, Any], previous: SnapshotInfo | None
    ) -> _Opened:
        """The capture's "writing" document, and the pinned manifest it builds on."""
        await self._ensure_indexes()
        await self.snapshots.delete_many({"process_id": process_id, "state": "writing"})
        if previous is None:
            newest = await self.list(process_id)
            previous = newest[0] if newest else None
        base = await self._pin_previous(previous)
        doc = {
            "process_id": process_id,
            "created_at": now(),
            "state": "writing",
            "meta": dict(meta),
            "previous": previous.id if previous else None,
        }
        snapshot_id = (await self.snapshots.insert_one(doc)).inserted_id
        return _Opened(snapshot_id, doc, previous, base)

    async def _finish(
        self, manifest: Manifest, results: Sequence[RootResult], writer: ChunkWriter
    ) -> dict[str, Any]:
        pieces = split(manifest.encode())
        held = await self.chunks.claim([cid for cid, _ in pieces])
        stored = await self.chunks.put([p for p in pieces if p[0] not in held])
        files = [e for es in manifest.roots.values() for e in es if e.kind == "f"]
        return {
            "state": "complete",
            "completed_at": now(),
            "manifest": [cid for cid, _ in pieces],
            "size": sum(e.size for e in files),
            "files": len(files),
            "changed_files": sum(r.changed for r in results),
            "transferred_bytes": sum(r.transferred for r in results),
            "stored_bytes": writer.stored_bytes + stored,
            "new_chunks": writer.new_chunks + len(pieces) - len(held),
        }

    async def _pin_previous(self, previous: SnapshotInfo | None) -> Manifest | None:
        """The manifest the capture builds on, its snapshot pinned (``prune`` spares it until
        the capture ends, so the chunks it reuses stay referenced). Files whose chunks the
        store lacks are left out: they travel again. None: capture everything."""
        if previous is None:
            return None
        pinned = await self.snapshots.update_one(
            {"_id": _object_id(previous.id), "state": "complete"},
            {"$set": {"pinned_until": now() + STALE_WRITING}},
        )
        if not pinned.matched_count:
            return None  # pruned meanwhile
        try:
            manifest = await self.manifest(previous.id)
        except SnapshotCorrupt:
            return None  # the new snapshot stands on its own
        lost = set(await self.chunks.missing(manifest.chunk_ids()))
        if lost:
            for name, entries in manifest.roots.items():
                manifest.roots[name] = [e for e in entries if lost.isdisjoint(e.chunks)]
        return manifest

    async def _unpin(self, previous: SnapshotInfo | None) -> None:
        if previous is not None:
            await self.snapshots.update_one(
                {"_id": _object_id(previous.id)}, {"$unset": {"pinned_until": ""}}
            )

    async def _discard(self, opening: asyncio.Future[_Opened]) -> None:
        if not opening.done():
            opening.cancel()  # a "writing" document it leaves goes at the next capture
        with contextlib.suppress(BaseException):
            opened = await opening
            await self.snapshots.delete_one({"_id": opened.id})
            await self._unpin(opened.previous)

    # --- reading --------------------------------------------------------------------------

    async def list(self, process_id: str) -> builtins.list[SnapshotInfo]:
        """Complete snapshots of ``process_id``, newest first."""
        cursor = self.snapshots.find(
            {"process_id": process_id, "state": "complete"}, {"manifest": 0}
        ).sort([("created_at", -1), ("_id", -1)])
        return [SnapshotInfo.from_doc(doc) async for doc in cursor]

    async def get(self, snapshot_id: str) -> SnapshotInfo | None:
        doc = await self.snapshots.find_one({"_id": _object_id(snapshot_id)}, {"manifest": 0})
        return SnapshotInfo.from_doc(doc) if doc else None

    async def manifest(self, snapshot_id: str) -> Manifest:
        """The manifest of a complete snapshot; SnapshotCorrupt when it cannot be read."""
        doc = await self.snapshots.find_one({"_id": _object_id(snapshot_id)})
        if doc is None or doc.get("state") != "complete":
            raise SnapshotCorrupt(snapshot_id, "no complete snapshot with this id")
        ids: list[str] = doc["manifest"]
        stored = await self.chunks.fetch(ids)
        try:
            parts = [self.chunks.codec.open(cid, stored[cid])[1] for cid in ids]
            return Manifest.decode(b"".join(parts))
        except KeyError as exc:
            raise SnapshotCorrupt(snapshot_id, f"manifest chunk {exc.args[0]} is missing") from exc
        except (ChunkCorrupt, ValueError) as exc:
            raise SnapshotCorrupt(snapshot_id, f"manifest unreadable: {exc}") from exc

    # --- restore --------------------------------------------------------------------------

    async def restore(
        self, ops: HostOps, snapshot_id: str, targets: Mapping[str, str]
    ) -> RestoreReport:
        """Write the roots named in ``targets`` into those host directories (created when
        absent). Every chunk is checked against its hash; a missing or corrupt one raises
        :class:`SnapshotCorrupt` (restore into fresh directories: a failed one leaves part)."""
        # Each target's first stream starts while the manifest is read and checked: an exec
        # costs a few round trips and sshd's start of a shell.
        started = {
            n: asyncio.ensure_future(ops.start(RESTORE_SCRIPT, [t])) for n, t in targets.items()
        }
        try:
            manifest = await self.manifest(snapshot_id)
            unknown = sorted(set(targets) - set(manifest.roots))
            if unknown:
                raise ValueError(f"restore targets: no root {unknown} in snapshot {snapshot_id}")
            wanted = {n: manifest.roots[n] for n in targets if n not in manifest.missing}
            ids = (c for es in wanted.values() for e in es for c in e.chunks)
            lost = await self.chunks.missing(ids)
            if lost:
                raise SnapshotCorrupt(snapshot_id, f"{len(lost)} chunks missing, {lost[0]} first")
        except BaseException:
            await asyncio.shield(_abandon_all(started.values()))
            raise
        await _abandon_all(f for n, f in started.items() if n not in wanted)
        gzip = self.gzip_transfer is not False
        done = await asyncio.gather(
            *(
                restore_root(
                    ops, self.chunks, snapshot_id, es, targets[n], gzip=gzip, started=started[n]
                )
                for n, es in wanted.items()
            )
        )
        return RestoreReport(
            snapshot_id=snapshot_id,
            targets=dict(targets),
            files=sum(d.files for d in done),
            bytes=sum(d.bytes for d in done),
            sent_bytes=sum(d.sent for d in done),
            missing_roots=tuple(sorted(set(targets) & manifest.missing)),
        )

    # --- retention ------------------------------------------------------------------------

    async def prune(self, process_id: str, keep: int = DEFAULT_KEEP) -> int:
        """Delete all but the ``keep`` newest complete snapshots of ``process_id``; their
        chunks go at the next :meth:`collect_garbage`. Returns how many were deleted."""
        if keep < 0:
            raise ValueError(f"prune keep: must be >= 0, not {keep}")
        old = [s.id for s in (await self.list(process_id))[keep:]]
        if not old:
            return 0
        # A snapshot a capture builds on stays until that capture ends (a later prune takes it).
        result = await self.snapshots.delete_many(
            {
                "_id": {"$in": [ObjectId(i) for i in old]},
                "$or": [{"pinned_until": {"$exists": False}}, {"pinned_until": {"$lt": now()}}],
            }
        )
        return int(result.deleted_count)

    async def delete(self, snapshot_id: str) -> bool:
        """Forget one snapshot (its chunks go at the next collection); False if unknown."""
        result = await self.snapshots.delete_one({"_id": _object_id(snapshot_id)})
        return bool(result.deleted_count)

    async def delete_process(self, process_id: str) -> int:
        """Forget every snapshot of ``process_id`` (chunks go at the next collection)."""
        result = await self.snapshots.delete_many({"process_id": process_id})
        return int(result.deleted_count)

    async def collect_garbage(self, *, margin: timedelta = CLOCK_MARGIN) -> int:
        """Delete chunks no snapshot refers to; returns how many. Chunks seen after the oldest
        capture still writing (or after now, when none is), less ``margin`` for clocks that
        differ, are spared: a capture may refer to them. Stops without deleting anything when
        a manifest cannot be read."""
        stale = now() - STALE_WRITING
        await self.snapshots.delete_many({"state": "writing", "created_at": {"$lt": stale}})
        writing = await self.snapshots.find_one({"state": "writing"}, sort=[("created_at", 1)])
        cutoff = (writing["created_at"] if writing else now()) - margin
        referenced: set[str] = set()
        async for doc in self.snapshots.find({"state": "complete"}, {"_id": 1, "manifest": 1}):
            try:
                manifest = await self.manifest(str(doc["_id"]))
            except SnapshotCorrupt as exc:
                raise SnapshotError(f"chunk collection stopped: {exc}") from exc
            referenced.update(doc["manifest"])
            referenced.update(manifest.chunk_ids())
        return await self._delete_unreferenced(referenced, cutoff)

    async def _delete_unreferenced(self, referenced: set[str], cutoff: Any) -> int:
        doomed: builtins.list[str] = []
        async for doc in self.chunks.collection.find({"seen": {"$lt": cutoff}}, {"_id": 1}):
            if doc["_id"] not in referenced:
                doomed.append(doc["_id"])
        deleted = 0
        for start in range(0, len(doomed), 1000):
            part = doomed[start : start + 1000]
            result = await self.chunks.collection.delete_many(
                {"_id": {"$in": part}, "seen": {"$lt": cutoff}}
            )
            deleted += int(result.deleted_count)
        return deleted


async def _abandon_all(starting: Iterable[asyncio.Future[HostProcess]]) -> None:
    for future in starting:
        if not future.done():
            future.cancel()
        with contextlib.suppress(BaseException):
            await abandon(await future)


def _object_id(snapshot_id: str) -> ObjectId:
    try:
        return ObjectId(snapshot_id)
    except (InvalidId, TypeError) as exc:
        raise SnapshotCorrupt(str(snapshot_id), "not a snapshot id") from exc
