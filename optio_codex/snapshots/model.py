"""What a snapshot is: the roots it captures, its manifest entries, and what the store reports.

A manifest lists, per root, every directory, symlink and regular file with its mode, size,
mtime (find's ``%T@`` text, kept verbatim so a restored file compares equal), the sha256 of the
whole file and the sha256 of each chunk. It is JSON, stored in chunks like file data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

MANIFEST_VERSION = 1
Kind = Literal["f", "d", "l"]


class SnapshotError(RuntimeError):
    """A capture or restore failed; the message says why."""


class SnapshotCorrupt(SnapshotError):
    """A snapshot cannot be restored: a chunk or its manifest is missing or does not match its
    hash. The caller may fall back to an older snapshot."""

    def __init__(self, snapshot_id: str, detail: str) -> None:
        super().__init__(f"snapshot {snapshot_id} is corrupt: {detail}")
        self.snapshot_id = snapshot_id
        self.detail = detail


@dataclass(frozen=True)
class SnapshotRoot:
    """One tree to capture: ``name`` keys it in the manifest and in ``restore(targets=)``.

    ``host_path`` is a directory on the host (``~`` is resolved there). With ``files``, only
    those paths relative to ``host_path`` are captured (a directory among them whole); missing
    ones are skipped. Without, the whole tree is.
    """

    name: str
    host_path: str
    files: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name:
            raise ValueError(f"SnapshotRoot.name: a non-empty name without '/': {self.name!r}")
        if not self.host_path:
            raise ValueError(f"SnapshotRoot.host_path: empty for root {self.name!r}")
        for rel in self.files or ():
            parts = rel.split("/")
            if not rel or rel.startswith("/") or ".." in parts:
                raise ValueError(f"SnapshotRoot.files: not a relative path inside: {rel!r}")


@dataclass(frozen=True)
class Entry:
    """One manifest entry; ``path`` is relative to its root, '/'-separated."""

    path: str
    kind: Kind
    mode: int
    size: int = 0
    mtime: str = "0"
    link: str = ""
    sha256: str = ""
    chunks: tuple[str, ...] = ()

    def to_json(self) -> list[Any]:
        return [
            self.path,
            self.kind,
            self.mode,
            self.size,
            self.mtime,
            self.link,
            self.sha256,
            list(self.chunks),
        ]

    @classmethod
    def from_json(cls, row: Sequence[Any]) -> Entry:
        path, kind, mode, size, mtime, link, sha, chunks = row
        return cls(path, kind, int(mode), int(size), str(mtime), link, sha, tuple(chunks))


@dataclass
class Manifest:
    """Entries per root name; ``missing`` names roots whose directory did not exist."""

    roots: dict[str, list[Entry]] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def encode(self) -> bytes:
        body = {
            "version": MANIFEST_VERSION,
            "roots": {n: [e.to_json() for e in es] for n, es in self.roots.items()},
            "missing": sorted(self.missing),
        }
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Manifest:
        body = json.loads(data)
        if body.get("version") != MANIFEST_VERSION:
            raise ValueError(f"unknown manifest version {body.get('version')!r}")
        roots = {n: [Entry.from_json(r) for r in rows] for n, rows in body["roots"].items()}
        return cls(roots, set(body.get("missing", ())))

    def chunk_ids(self) -> set[str]:
        return {c for es in self.roots.values() for e in es for c in e.chunks}


@dataclass(frozen=True)
class SnapshotInfo:
    """One snapshot as ``list()`` reports it (newest first)."""

    id: str
    process_id: str
    created_at: datetime
    state: Literal["writing", "complete"]
    size: int  # plain bytes of the files captured
    stored_bytes: int  # bytes of new chunks this snapshot wrote (compressed, encrypted)
    transferred_bytes: int  # bytes read from the host for this snapshot
    files: int
    changed_files: int  # files that travelled from the host
    new_chunks: int
    meta: Mapping[str, Any]
    completed_at: datetime | None = None

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> SnapshotInfo:
        return cls(
            id=str(doc["_id"]),
            process_id=doc["process_id"],
            created_at=_aware(doc["created_at"]),
            state=doc["state"],
            size=doc.get("size", 0),
            stored_bytes=doc.get("stored_bytes", 0),
            transferred_bytes=doc.get("transferred_bytes", 0),
            files=doc.get("files", 0),
            changed_files=doc.get("changed_files", 0),
            new_chunks=doc.get("new_chunks", 0),
            meta=dict(doc.get("meta") or {}),
            completed_at=_aware(doc.get("completed_at")),
        )


def _aware(when: datetime | None) -> Any:
    """MongoDB hands back naive UTC datetimes (unless the client is tz_aware): make them UTC."""
    if when is not None and when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when


@dataclass(frozen=True)
class RestoreReport:
    """What ``restore`` put where: per root name, its host directory and its counts."""

    snapshot_id: str
    targets: Mapping[str, str]
    files: int
    bytes: int
    sent_bytes: int  # bytes written to the host (compressed tar)
    missing_roots: tuple[str, ...] = ()
