"""A resume launch after the task's saved state is gone (its directory, and no snapshot):
optio is told, the run says so.

Real optio engine on a real mongod, real codex on this machine; the model is scripted.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from optio_core import Optio

from optio_codex.factory import create_codex_task
from optio_codex.task.config import Cleanup, CodexTaskConfig
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from tests.test_task_engine import model_config

Engine = tuple[Optio, list[Any]]
NO_STATE = "resume: no saved state on the host"

pytestmark = pytest.mark.timeout(120)


def _config(
    model_server: ScriptedModelServer, base: Path, cleanup: Cleanup, **fields: Any
) -> CodexTaskConfig:
    return CodexTaskConfig(
        consumer_instructions="Finish at once.",
        task_root=str(base / "tasks"),
        codex_config=model_config(model_server, base),
        auto_start=True,
        supports_resume=True,
        cleanup=cleanup,
        **fields,
    )


def _refuse(data: bytes) -> bytes:
    raise RuntimeError("this test's encrypt hook refuses: no snapshot gets stored")


def _finish_at_once(request: RecordedRequest) -> Step:
    """The agent writes DONE, then (if the run still listens) says so."""
    items = request.body.get("input") or []
    if any("echo DONE" in str(i.get("arguments")) for i in items):
        return text("Done.")
    return exec_command("echo DONE >> optio.log", escalate=False)


async def _wait_end(fw: Optio, process_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        proc = await fw.get_process(process_id)
        assert proc is not None
        if proc["status"]["state"] in ("done", "failed", "cancelled"):
            return proc
        if time.monotonic() > deadline:
            raise AssertionError(f"{process_id} still {proc['status']}: {_messages(proc)}")
        await asyncio.sleep(0.05)


async def _wait_started(fw: Optio, process_id: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        proc = await fw.get_process(process_id)
        assert proc is not None
        if proc["status"]["state"] in ("scheduled", "running"):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{process_id} did not start: {proc['status']}")
        await asyncio.sleep(0.02)


async def _run_to_done(engine: Engine, process_id: str, resume: bool) -> dict[str, Any]:
    fw, _ = engine
    outcome = await fw.launch(process_id, resume=resume, session_id=None)
    assert outcome.ok, outcome
    await _wait_started(fw, process_id)  # the record still shows the last run's end
    proc = await _wait_end(fw, process_id)
    assert proc["status"]["state"] == "done", proc["status"]
    return proc


def _messages(proc: dict[str, Any]) -> list[str]:
    return [str(entry.get("message")) for entry in proc["log"]]


async def test_removed_task_dir_clears_the_saved_state_flag(
    engine: Engine, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    fw, tasks = engine
    # No snapshot either (the capture fails): the removed task dir was all there was.
    config = _config(
        model_server,
        host_dir,
        "always",
        session_blob_encrypt=_refuse,
        session_blob_decrypt=lambda data: data,
    )
    tasks.append(create_codex_task("gone-1", "gone", config))
    await fw.resync()
    model_server.fallback = _finish_at_once
    proc = await _run_to_done(engine, "gone-1", resume=False)
    assert not (host_dir / "tasks" / "gone-1").exists()
    # Nothing is left to resume from: optio must not offer a resume.
    assert proc.get("hasSavedState") is False, proc.get("hasSavedState")

    asked = len(model_server.responses_requests)
    proc = await _run_to_done(engine, "gone-1", resume=True)  # comes up fresh, and finishes
    assert len(model_server.responses_requests) > asked  # the work ran again


async def test_a_resume_without_state_on_the_host_says_so_and_starts_over(
    engine: Engine,
    model_server: ScriptedModelServer,
    host_dir: Path,
    caplog: pytest.LogCaptureFixture,
    mongo_db: Any,
) -> None:
    fw, tasks = engine
    tasks.append(create_codex_task("gone-2", "gone", _config(model_server, host_dir, "never")))
    await fw.resync()
    model_server.fallback = _finish_at_once
    proc = await _run_to_done(engine, "gone-2", resume=False)
    assert proc.get("hasSavedState") is True  # the task dir is kept: a resume can find it
    shutil.rmtree(host_dir / "tasks" / "gone-2")  # gone behind the task's back
    await mongo_db["t_codex_snapshots"].delete_many({})  # and no snapshot to restore

    asked = len(model_server.responses_requests)
    proc = await _run_to_done(engine, "gone-2", resume=True)
    said = [m for m in _messages(proc) if m.startswith(NO_STATE)]
    assert said and said[0].endswith("starting a new thread"), _messages(proc)
    assert any(NO_STATE in r.getMessage() for r in caplog.records)
    assert len(model_server.responses_requests) > asked  # the work ran again, to the end
