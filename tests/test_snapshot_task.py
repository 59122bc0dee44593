"""What a task's snapshot takes of its host, and how it is sealed: real host scripts on this
machine, a real mongod; no engine."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from optio_codex.blob_crypto import KEY_ENV, is_encrypted
from optio_codex.cli.task_records import without_secrets
from optio_codex.hosts.host_scripts import LocalOps
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.snapshots.task_capture import (
    CODEX,
    WORKSPACE,
    rollout_relpath,
    store_in,
    task_roots,
)
from optio_codex.task.config import CodexTaskConfig

ROLLOUT = "sessions/2026/12/05/rollout-2026-12-05T07-00-00-t1.jsonl"


def a_task(root: Path) -> TaskPaths:
    paths = TaskPaths(host_home=str(root), task_root=str(root / "tasks"), task_id="t1")
    codex = Path(paths.codex_home)
    (codex / "sessions/2026/12/05").mkdir(parents=True)
    (codex / ROLLOUT).write_text('{"type":"session_meta","payload":{"id":"t1"}}\n')
    (codex / "sessions/2026/12/05/rollout-2026-12-05T06-00-00-other.jsonl").write_text("{}\n")
    (codex / "auth.json").write_text('{"OPENAI_API_KEY": "sk-never-captured"}')
    (codex / "config.toml").write_text('model = "m"\n')
    (codex / "state_5.sqlite").write_bytes(b"derived")
    workspace = Path(paths.workspace)
    (workspace / ".git").mkdir(parents=True)
    (workspace / ".git" / "HEAD").write_text("ref: main\n")
    (workspace / "notes.txt").write_text("kept\n")
    return paths


def test_the_rollout_is_the_one_codex_named() -> None:
    thread = {"path": f"/h/tasks/t1/home/.codex/{ROLLOUT}"}
    assert rollout_relpath(thread, "/h/tasks/t1/home/.codex") == ROLLOUT
    assert rollout_relpath(thread, "/h/tasks/t2/home/.codex") is None  # another CODEX_HOME
    assert rollout_relpath({}, "/h/tasks/t1/home/.codex") is None


async def test_a_capture_takes_the_thread_and_the_workspace_sealed_by_the_worker_key(
    tmp_path: Path, mongo_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, base64.b64encode(os.urandom(32)).decode())
    paths = a_task(tmp_path)
    store = store_in(mongo_db, "t", CodexTaskConfig(consumer_instructions="x"))
    snap = await store.capture(
        LocalOps(),
        task_roots(paths, ROLLOUT),
        process_id="p1",
        meta={"thread_id": "t1"},
        exclude=[".git", "*.sqlite*"],
    )
    manifest = await store.manifest(snap.id)
    files = {n: sorted(e.path for e in es if e.kind == "f") for n, es in manifest.roots.items()}
    assert files[CODEX] == sorted([ROLLOUT, "config.toml"])  # no auth.json, no other thread
    assert files[WORKSPACE] == ["notes.txt"]  # .git is a default exclude
    async for chunk in mongo_db["t_codex_snapshot_chunks"].find():
        assert is_encrypted(bytes(chunk["data"])[:8])  # the worker's key, no hooks given

    target = tmp_path / "restored"
    await store.restore(
        LocalOps(), snap.id, {WORKSPACE: str(target / "w"), CODEX: str(target / "c")}
    )
    assert (target / "w" / "notes.txt").read_text() == "kept\n"
    assert not (target / "c" / "auth.json").exists()


def test_run_settings_keep_no_secret() -> None:
    dropped: list[str] = []
    kept = without_secrets(
        {
            "model_providers": {
                "p": {"env_key": "MY_KEY", "api_key": "sk-x", "requires_openai_auth": False}
            },
            "model": "m",
        },
        dropped,
    )
    assert kept == {
        "model_providers": {"p": {"env_key": "MY_KEY", "requires_openai_auth": False}},
        "model": "m",
    }
    assert dropped == ["model_providers.p.api_key"]
