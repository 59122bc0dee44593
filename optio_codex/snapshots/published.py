"""Resuming a task the published optio-codex (0.4.8) suspended.

Its snapshots: ``{prefix}_codex_session_snapshots`` documents ``{processId, capturedAt,
endState, workdirBlobId, sessionId}``, one per finished run, each naming a GridFS file (the
default bucket) that holds a tar.gz of its whole workdir, whole-blob encrypted by
``session_blob_encrypt`` when that was set. Its workdir held CODEX_HOME at ``home/.codex``.

Restored here: the workdir's files into our workspace, and of ``home/.codex`` the
``sessions/`` tree and ``session_index.jsonl`` into our CODEX_HOME; never its ``auth.json``
(logins come from the seed or the config), nor the rest of its ``home/`` (caches). The thread
is the recorded ``sessionId`` when a rollout of it came along, else the one the newest
rollout's ``session_meta`` line names (said so).
"""

from __future__ import annotations

import io
import json
import logging
import posixpath
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from motor.motor_asyncio import AsyncIOMotorGridFSBucket

from optio_codex.hosts.host_scripts import HostOps, run_script
from optio_codex.hosts.provision import remove_task_dir
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.snapshots.resume import Restored, ResumeError, age_of

log = logging.getLogger(__name__)

PUBLISHED_SUFFIX = "_codex_session_snapshots"
_CODEX_PREFIX = "home/.codex/"
_CODEX_KEEP = ("sessions/", "session_index.jsonl")
# $1 target directory; stdin: a tar.
_UNTAR_SCRIPT = (
    'set -u; umask 077; mkdir -p "$1" && tar -x -o -f - -C "$1" || exit 3; '
    "printf 'OPTIO-RESULT {}\\n'"
)

Transform = Callable[[bytes], bytes]


@dataclass
class _Split:
    """A published workdir tar, as our two roots."""

    workspace: io.BytesIO = field(default_factory=io.BytesIO)
    codex: io.BytesIO = field(default_factory=io.BytesIO)
    rollouts: dict[str, bytes] = field(default_factory=dict)  # path under sessions/ -> head
    files: int = 0


async def published_snapshots(db: Any, prefix: str, process_id: str) -> list[dict[str, Any]]:
    """The published package's snapshots of ``process_id``, newest first."""
    cursor = db[prefix + PUBLISHED_SUFFIX].find({"processId": process_id})
    docs = [doc async for doc in cursor.sort([("capturedAt", -1), ("_id", -1)])]
    return docs


async def restore_published(
    db: Any,
    prefix: str,
    ops: HostOps,
    paths: TaskPaths,
    process_id: str,
    decrypt: Transform | None = None,
) -> Restored | None:
    """Restore the newest readable published snapshot; None when there is none at all."""
    docs = await published_snapshots(db, prefix, process_id)
    notes: list[str] = []
    for index, doc in enumerate(docs):
        try:
            blob = await _read_blob(db, doc["workdirBlobId"])
            split = _split(decrypt(blob) if decrypt is not None else blob)
        except Exception as exc:  # a lost blob, a wrong key, a broken tar: the previous one
            more = "trying the previous one" if index + 1 < len(docs) else "none is left"
            notes.append(f"resume: published snapshot {doc['_id']} cannot be read: {exc}; {more}")
            continue
        await remove_task_dir(ops, paths)
        await _untar(ops, paths.workspace, split.workspace.getvalue())
        await _untar(ops, paths.codex_home, split.codex.getvalue())
        restored = _restored(doc, split)
        restored.notes = notes + restored.notes
        return restored
    if docs:
        raise ResumeError(
            f"cannot resume {process_id}: none of its {len(docs)} snapshots of optio-codex "
            f"0.4.8 could be read ({'; '.join(notes)})"
        )
    return None


async def _read_blob(db: Any, blob_id: Any) -> bytes:
    bucket = AsyncIOMotorGridFSBucket(db)
    stream = await bucket.open_download_stream(blob_id)
    return bytes(await stream.read())


def _split(blob: bytes) -> _Split:
    """Sort the tar's members into our workspace and CODEX_HOME (both as tars)."""
    out = _Split()
    with (
        tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as source,
        tarfile.open(fileobj=out.workspace, mode="w") as workspace,
        tarfile.open(fileobj=out.codex, mode="w") as codex,
    ):
        for member in source:
            name = posixpath.normpath(member.name.lstrip("/")).removeprefix("./")
            if (
                name in ("", ".")
                or name.startswith("..")
                or not (member.isfile() or member.isdir() or member.issym())
            ):
                continue
            data = source.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            target = workspace
            if name == "home" or name.startswith("home/"):
                rest = name.removeprefix(_CODEX_PREFIX)
                if rest == name or not rest.startswith(_CODEX_KEEP):
                    continue  # auth.json, caches, the rest of the old HOME
                target, name = codex, rest
                if data is not None and rest.startswith("sessions/"):
                    out.rollouts[rest] = data.split(b"\n", 1)[0]
            member.name = name
            # A long name read back sits in the pax headers, which would win over ours.
            member.pax_headers = {k: v for k, v in member.pax_headers.items() if k != "path"}
            target.addfile(member, io.BytesIO(data) if data is not None else None)
            out.files += member.isfile()
    return out


def _restored(doc: dict[str, Any], split: _Split) -> Restored:
    recorded = doc.get("sessionId")
    notes: list[str] = []
    thread_id = None
    if isinstance(recorded, str) and any(recorded in p for p in split.rollouts):
        thread_id = recorded
    elif split.rollouts:
        newest = max(split.rollouts)  # sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl
        thread_id = _session_id(split.rollouts[newest])
        notes.append(
            f"resume: the published snapshot names thread {recorded!r} but holds no rollout "
            f"of it; resuming {thread_id}, which its newest rollout ({newest}) records"
        )
    captured = doc.get("capturedAt")
    if captured is not None and captured.tzinfo is None:
        captured = captured.replace(tzinfo=UTC)
    notes.append(
        f"resume: restored the optio-codex 0.4.8 snapshot {doc['_id']} "
        f"({age_of(captured) if captured else 'undated'}, end state {doc.get('endState')})"
    )
    return Restored(
        snapshot_id=str(doc["_id"]),
        created_at=captured,
        thread_id=thread_id,
        turns=1 if thread_id else 0,  # a rollout exists only once a turn has run
        source="published",
        files=split.files,
        notes=notes,
    )


def _session_id(first_line: bytes) -> str | None:
    try:
        record = json.loads(first_line)
    except ValueError:
        return None
    payload = record.get("payload") if isinstance(record, dict) else None
    value = payload.get("id") if isinstance(payload, dict) else None
    return value if isinstance(value, str) else None


async def _untar(ops: HostOps, target: str, data: bytes) -> None:
    await run_script(ops, _UNTAR_SCRIPT, [target], stdin=data, timeout=300.0)
