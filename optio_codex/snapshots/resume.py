"""Choosing and restoring the snapshot a resumed run starts from.

Newest first: a snapshot is used when its manifest reads, it holds the rollout of its thread
(when that thread had a turn), and every chunk checks out while it is written into fresh task
directories. Otherwise the previous one is tried, and the task's progress says which and why.
Snapshots that all fail end the resume with the reasons; no snapshot at all is no error here
(the caller decides: the published format, or a fresh start said as such).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from optio_codex.hosts.host_scripts import HostOps
from optio_codex.hosts.provision import remove_task_dir
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.snapshots.model import SnapshotCorrupt, SnapshotError, SnapshotInfo
from optio_codex.snapshots.store import SnapshotStore
from optio_codex.snapshots.task_capture import CODEX, WORKSPACE

log = logging.getLogger(__name__)


class ResumeError(SnapshotError):
    """The task cannot be resumed; the message says why (never a silent fresh start)."""


@dataclass
class Restored:
    """What a resume restored, and what the run needs of it."""

    snapshot_id: str
    created_at: datetime | None
    thread_id: str | None
    turns: int  # of the thread when captured; 0: codex kept nothing of it
    source: str  # "snapshot", or "published" (a 0.4.8 tar.gz)
    active_turn: str | None = None
    delivered: tuple[str, ...] = ()
    files: int = 0
    notes: list[str] = field(default_factory=list)


def age_of(when: datetime, now: datetime | None = None) -> str:
    """'3m ago' and the like, for progress lines and the CLI."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


async def unusable_reason(store: SnapshotStore, snapshot: SnapshotInfo) -> str | None:
    """Why ``snapshot`` cannot resume its thread (None: it looks whole; its chunks are
    checked as they are restored)."""
    try:
        manifest = await store.manifest(snapshot.id)
    except SnapshotCorrupt as exc:
        return exc.detail
    turns = int(snapshot.meta.get("turns") or 0)
    rollout = snapshot.meta.get("rollout")
    if turns and snapshot.meta.get("thread_id"):
        held = {e.path for e in manifest.roots.get(CODEX, []) if e.kind == "f"}
        if not rollout or rollout not in held:
            return f"the rollout of thread {snapshot.meta.get('thread_id')} is not in it"
    if WORKSPACE not in manifest.roots:
        return "it holds no workspace"
    return None


async def restore_newest(
    store: SnapshotStore, ops: HostOps, paths: TaskPaths, process_id: str
) -> Restored | None:
    """Restore the newest good snapshot of ``process_id`` into fresh task directories (the
    task dir is removed first). None: the process has no snapshot. ResumeError: it has
    some, and none could be restored."""
    snapshots = await store.list(process_id)
    notes: list[str] = []
    failures: list[str] = []
    for index, snapshot in enumerate(snapshots):
        problem = await unusable_reason(store, snapshot)
        if problem is None:
            try:
                restored = await _restore(store, ops, paths, snapshot)
            except SnapshotCorrupt as exc:
                problem = exc.detail
            else:
                restored.notes = notes
                return restored
        failures.append(f"{snapshot.id}: {problem}")
        more = "trying the previous one" if index + 1 < len(snapshots) else "none is left"
        notes.append(
            f"resume: snapshot {snapshot.id} ({age_of(snapshot.created_at)}) cannot be "
            f"used: {problem}; {more}"
        )
        log.warning("%s: %s", process_id, notes[-1])
    if failures:
        raise ResumeError(_all_failed(process_id, failures))
    return None


async def _restore(
    store: SnapshotStore, ops: HostOps, paths: TaskPaths, snapshot: SnapshotInfo
) -> Restored:
    await remove_task_dir(ops, paths)  # fresh directories: nothing of another run mixes in
    report = await store.restore(
        ops, snapshot.id, {WORKSPACE: paths.workspace, CODEX: paths.codex_home}
    )
    meta = snapshot.meta
    thread_id = meta.get("thread_id")
    return Restored(
        snapshot_id=snapshot.id,
        created_at=snapshot.created_at,
        thread_id=thread_id if isinstance(thread_id, str) else None,
        turns=int(meta.get("turns") or 0),
        source="snapshot",
        active_turn=meta.get("active_turn") if isinstance(meta.get("active_turn"), str) else None,
        delivered=tuple(str(p) for p in meta.get("delivered") or ()),
        files=report.files,
    )


def _all_failed(process_id: str, failures: Sequence[str]) -> str:
    return (
        f"cannot resume {process_id}: none of its {len(failures)} snapshots could be "
        f"restored ({'; '.join(failures)}); launch it without resume to start over"
    )
