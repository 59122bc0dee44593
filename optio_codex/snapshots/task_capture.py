"""What a task's snapshot holds, and where it comes from on the host.

Two roots: ``workspace`` (the task's workdir, less ``workdir_exclude``) and ``codex``: of the
task's CODEX_HOME only what ``thread/resume`` reads for this thread — the rollout file of the
exact thread (``thread.path`` as ``thread/start`` / ``thread/resume`` returned it, never a
guess by file name), ``session_index.jsonl`` (thread names) when codex wrote one, and the
task's ``config.toml`` (left out when it carries a custom provider's key). Never
``auth.json``: a login belongs to the seed, an API key to the config. The sqlite files codex
keeps there are derived (it rebuilds them) and bound to absolute paths: not captured.
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Mapping
from typing import Any

from optio_codex.blob_crypto import BlobCipher
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.snapshots.model import SnapshotRoot
from optio_codex.snapshots.store import SnapshotStore
from optio_codex.task.config import CodexTaskConfig

WORKSPACE = "workspace"
CODEX = "codex"
SESSION_INDEX = "session_index.jsonl"
CONFIG_TOML = "config.toml"


def store_for(ctx: Any, config: CodexTaskConfig) -> SnapshotStore:
    """The task's snapshot store in the engine's database: the published session hooks
    encrypt it when set, else the worker's built-in key (blob_crypto) when one is
    configured, else it is stored plain."""
    return store_in(ctx._db, ctx._prefix, config)


def store_in(db: Any, prefix: str, config: CodexTaskConfig | None) -> SnapshotStore:
    encrypt = config.session_blob_encrypt if config is not None else None
    decrypt = config.session_blob_decrypt if config is not None else None
    if encrypt is None and decrypt is None:
        cipher = BlobCipher.from_environment()
        if cipher is not None:
            encrypt, decrypt = cipher.encrypt, cipher.decrypt
    return SnapshotStore(db, prefix, encrypt=encrypt, decrypt=decrypt)


def rollout_relpath(thread: Mapping[str, Any], codex_home: str) -> str | None:
    """The thread's rollout file relative to CODEX_HOME; None when codex named none inside
    it (a thread of another CODEX_HOME is none of this task's)."""
    path = thread.get("path")
    if not isinstance(path, str) or not path:
        return None
    path = posixpath.normpath(path)
    home = codex_home.rstrip("/") + "/"
    if not path.startswith(home):
        return None
    return path[len(home) :]


def task_roots(
    paths: TaskPaths, rollout: str | None, *, with_config: bool = True
) -> list[SnapshotRoot]:
    """The roots one capture of the task takes (missing codex files are skipped)."""
    files = [SESSION_INDEX]
    if rollout:
        files.insert(0, rollout)
    if with_config:
        files.append(CONFIG_TOML)
    return [
        SnapshotRoot(WORKSPACE, paths.workspace),
        SnapshotRoot(CODEX, paths.codex_home, files=files),
    ]


def capture_meta(
    config: CodexTaskConfig,
    paths: TaskPaths,
    *,
    thread: Mapping[str, Any],
    thread_id: str | None,
    turns: int,
    run_id: str,
    reason: str,
    state: Mapping[str, Any],
) -> dict[str, Any]:
    """What a resume and ``optio-codex list`` read of a snapshot (no secret: ids and paths)."""
    host = "local"
    if config.ssh is not None:
        user = f"{config.ssh.user}@" if config.ssh.user else ""
        host = f"{user}{config.ssh.host}:{config.ssh.port}"
    return {
        "thread_id": thread_id,
        "turns": turns,
        "rollout": rollout_relpath(thread, paths.codex_home),
        "codex_version": thread.get("cliVersion"),
        "host": host,
        "task_root": paths.task_root,
        "run": run_id,
        "reason": reason,
        "active_turn": state.get("active_turn"),
        "delivered": list(state.get("delivered") or ()),
    }


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]
