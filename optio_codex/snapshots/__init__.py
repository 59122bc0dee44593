"""Snapshots of a task's directories on its host: content-addressed, incremental, in MongoDB.

See docs/snapshots.md. :class:`SnapshotStore` is the whole API.
"""

from optio_codex.snapshots.model import (
    RestoreReport,
    SnapshotCorrupt,
    SnapshotError,
    SnapshotInfo,
    SnapshotRoot,
)
from optio_codex.snapshots.store import DEFAULT_KEEP, SnapshotStore

__all__ = [
    "DEFAULT_KEEP",
    "RestoreReport",
    "SnapshotCorrupt",
    "SnapshotError",
    "SnapshotInfo",
    "SnapshotRoot",
    "SnapshotStore",
]
