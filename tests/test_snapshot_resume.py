"""Snapshots in real runs: a task resumed after the default cleanup removed its directory,
on another host, past a corrupt snapshot, from a zero-turn thread, from the published format.

Real optio engine on a real mongod, real codex here or behind real sshds; the model is
scripted and sees what the resumed thread sends it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from optio_core import Optio

from optio_codex.driver.conversation import CodexConversation
from optio_codex.factory import create_codex_task
from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from tests.support.engine_runs import log_messages, process_end
from tests.test_task_engine import model_config

Engine = tuple[Optio, list[Any]]
PREFIX = "t"  # the engine fixture's
SECRET_LINE = "the first run wrote this line"
GZIP_MAGIC = b"\x1f\x8b"

pytestmark = pytest.mark.timeout(150)


def _xor(data: bytes) -> bytes:
    """A stand-in for the published session_blob_encrypt/decrypt hooks (its own inverse)."""
    return bytes(b ^ 0x5A for b in data)


def config_for(model_server: ScriptedModelServer, base: Path, **fields: Any) -> CodexTaskConfig:
    values: dict[str, Any] = {
        "consumer_instructions": "Write notes.txt, then finish.",
        "task_root": str(base / "tasks"),
        "codex_config": model_config(model_server, base),
        "auto_start": True,
        "supports_resume": True,
    }
    values.update(fields)
    return CodexTaskConfig(**values)


def _inputs(request: RecordedRequest) -> str:
    return json.dumps(request.body.get("input") or [])


def first_run_then_resume(request: RecordedRequest) -> Step:
    """First run: write notes.txt (and junk the excludes leave out), then DONE. After the
    resume: read notes.txt back and finish again."""
    said = _inputs(request)
    if "you have been resumed" in said:
        if "cat notes.txt" in said:
            return text("Resumed and done.")
        return exec_command("cat notes.txt && echo DONE >> optio.log", escalate=False)
    if "echo DONE" in said:
        return text("Done.")
    return exec_command(
        f"echo '{SECRET_LINE}' > notes.txt && mkdir -p node_modules/x && "
        "echo junk > node_modules/x/junk.js && echo DONE >> optio.log",
        escalate=False,
    )


async def define(engine: Engine, process_id: str, config: CodexTaskConfig) -> None:
    fw, tasks = engine
    tasks[:] = [t for t in tasks if t.process_id != process_id]
    tasks.append(create_codex_task(process_id, process_id, config))
    await fw.resync()


async def run_to_end(engine: Engine, process_id: str) -> dict[str, Any]:
    fw, _ = engine
    outcome = await fw.launch(process_id, session_id=None)
    assert outcome.ok, outcome
    await process_state_not(fw, process_id, ("done", "failed", "cancelled"))
    return await process_end(fw, process_id, within=90)


async def process_state_not(fw: Optio, process_id: str, states: tuple[str, ...]) -> None:
    """Wait past the record of the previous run (it still shows that run's end)."""
    from tests.support.engine_runs import process_when

    await process_when(fw, process_id, lambda p: p["status"]["state"] not in states, within=30)


async def resume(engine: Engine, process_id: str) -> CodexConversation:
    fw, _ = engine
    conversation = await fw.launch_and_await_result(
        process_id, resume=True, session_id=None, timeout=90
    )
    assert isinstance(conversation, CodexConversation)
    return conversation


async def resume_logged(task_dir: Path, lines: int) -> None:
    """Until resume.log holds ``lines`` lines (one per start of the task)."""
    log = task_dir / "workdir" / "resume.log"
    async with asyncio.timeout(30):
        while not log.exists() or len(log.read_text().splitlines()) < lines:
            await asyncio.sleep(0.05)


async def test_resume_after_the_default_cleanup_restores_files_and_history(
    engine: Engine, model_server: ScriptedModelServer, host_dir: Path, mongo_db: Any
) -> None:
    fw, _ = engine
    model_server.fallback = first_run_then_resume
    config = config_for(
        model_server, host_dir, session_blob_encrypt=_xor, session_blob_decrypt=_xor
    )
    await define(engine, "snap-1", config)
    proc = await run_to_end(engine, "snap-1")
    assert proc["status"]["state"] == "done", proc["status"]
    task_dir = host_dir / "tasks" / "snap-1"
    assert not task_dir.exists()  # the default cleanup removed everything on the host
    assert proc.get("hasSavedState") is True  # the snapshot is the saved state
    snaps = [d async for d in mongo_db[f"{PREFIX}_codex_snapshots"].find()]
    assert len(snaps) == 1 and snaps[0]["state"] == "complete", snaps
    assert snaps[0]["meta"]["turns"] >= 1 and snaps[0]["meta"]["rollout"].startswith("sessions/")
    # Encrypted at rest through the hooks: no chunk is a plain gzip member.
    async for chunk in mongo_db[f"{PREFIX}_codex_snapshot_chunks"].find():
        stored = bytes(chunk["data"])
        assert stored[:2] != GZIP_MAGIC and _xor(stored)[:2] == GZIP_MAGIC

    asked = len(model_server.responses_requests)
    conversation = await resume(engine, "snap-1")
    assert (task_dir / "workdir" / "notes.txt").read_text().strip() == SECRET_LINE
    assert not (task_dir / "workdir" / "node_modules").exists()  # excluded by default
    assert not (task_dir / "home" / ".codex" / "auth.json").exists() or config.api_key
    await resume_logged(task_dir, 2)  # the run has started its companions: the note is set
    await conversation.run_turn("Go on.", timeout=60)
    proc = await process_end(fw, "snap-1", within=60)
    assert proc["status"]["state"] == "done", proc["status"]
    resumed = model_server.responses_requests[asked]
    said = _inputs(resumed)
    assert "you have been resumed" in said, "\n".join(log_messages(proc))
    assert "echo DONE >> optio.log" in said and SECRET_LINE in said  # the earlier turns
    later = _inputs(model_server.responses_requests[-1])
    assert SECRET_LINE in later.split("cat notes.txt", 1)[1]  # the agent read its file back
    messages = log_messages(proc)
    assert any(m.startswith("resume: restored snapshot") for m in messages), messages
    snaps = [d async for d in mongo_db[f"{PREFIX}_codex_snapshots"].find()]
    assert len(snaps) == 2
