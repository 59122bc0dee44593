"""Snapshots in real runs: a task resumed after the default cleanup removed its directory,
on another host, past a corrupt snapshot, from a zero-turn thread, from the published format.

Real optio engine on a real mongod, real codex here or behind real sshds; the model is
scripted and sees what the resumed thread sends it.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorGridFSBucket
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
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo
from tests.support.engine_runs import log_messages, process_end, process_when, ssh_to
from tests.test_task_engine import model_config

Engine = tuple[Optio, list[Any]]
PREFIX = "t"  # the engine fixture's
SECRET_LINE = "the first run wrote this line"
GZIP_MAGIC = b"\x1f\x8b"
NEW_INSTRUCTIONS = "Also count the lines of notes.txt."

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
    # thread/resume names the rollout where the restore put it: the next capture finds it.
    assert snaps[0]["meta"]["rollout"] == snaps[1]["meta"]["rollout"], snaps


@pytest.fixture(scope="module")
def other_sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdInfo]:
    """A second host: another sshd (its own port and host key); the task root differs too."""
    daemon = LoopbackSshd(tmp_path_factory.mktemp("other-sshd"))
    info = daemon.start_sync()
    try:
        yield info
    finally:
        daemon.stop_sync()


def after_last_resume(request: RecordedRequest) -> str:
    """The request's input from the last resume notice on (earlier resumes are history)."""
    items = request.body.get("input") or []
    marks = [i for i, item in enumerate(items) if "you have been resumed" in json.dumps(item)]
    return json.dumps(items[marks[-1] :]) if marks else ""


def run_then_read_back(request: RecordedRequest) -> Step:
    """First run: notes.txt, then DONE. Each resumed run: append to it, read it, DONE."""
    recent = after_last_resume(request)
    if recent:
        if "cat notes.txt" in recent:
            return text("Resumed and done.")
        return exec_command(
            "echo resumed >> notes.txt && cat notes.txt && echo DONE >> optio.log",
            escalate=False,
        )
    if "echo DONE" in _inputs(request):
        return text("Done.")
    return exec_command(
        f"echo '{SECRET_LINE}' > notes.txt && echo DONE >> optio.log", escalate=False
    )


async def resume_and_finish(
    engine: Engine,
    model_server: ScriptedModelServer,
    process_id: str,
    task_dir: Path,
    starts: int,
) -> tuple[dict[str, Any], str]:
    """Resume, give the agent a message, wait for its DONE: the record and what the model was
    sent after the resume notice. ``starts``: resume.log's lines once this run has started."""
    fw, _ = engine
    asked = len(model_server.responses_requests)
    conversation = await resume(engine, process_id)
    await resume_logged(task_dir, starts)
    await conversation.run_turn("Go on.", timeout=60)
    proc = await process_end(fw, process_id, within=60)
    assert proc["status"]["state"] == "done", (proc["status"], log_messages(proc))
    return proc, json.dumps([r.body.get("input") for r in model_server.responses_requests[asked:]])


async def test_resume_on_another_host_then_past_a_corrupt_snapshot(
    engine: Engine,
    model_server: ScriptedModelServer,
    host_dir: Path,
    mongo_db: Any,
    sshd: SshdInfo,
    other_sshd: SshdInfo,
) -> None:
    model_server.fallback = run_then_read_back
    first = config_for(model_server, host_dir, ssh=ssh_to(sshd), task_root=str(host_dir / "a"))
    await define(engine, "snap-2", first)
    proc = await run_to_end(engine, "snap-2")
    assert proc["status"]["state"] == "done", proc["status"]
    assert not (host_dir / "a" / "snap-2").exists()

    # The task moves: another sshd, another task root.
    second = config_for(
        model_server, host_dir, ssh=ssh_to(other_sshd), task_root=str(host_dir / "b")
    )
    await define(engine, "snap-2", second)
    proc, said = await resume_and_finish(
        engine, model_server, "snap-2", host_dir / "b" / "snap-2", starts=2
    )
    assert SECRET_LINE in said and "resumed" in said  # history and files came along
    snaps = [d async for d in mongo_db[f"{PREFIX}_codex_snapshots"].find().sort("created_at", 1)]
    assert [s["meta"]["task_root"] for s in snaps] == [str(host_dir / "a"), str(host_dir / "b")]
    assert snaps[1]["meta"]["host"].endswith(f":{other_sshd.port}")

    # The newest snapshot loses its manifest: the resume falls back to the first one.
    await mongo_db[f"{PREFIX}_codex_snapshot_chunks"].delete_many(
        {"_id": {"$in": snaps[1]["manifest"]}}
    )
    await define(engine, "snap-2", first)
    proc, said = await resume_and_finish(
        engine, model_server, "snap-2", host_dir / "a" / "snap-2", starts=2
    )
    messages = log_messages(proc)
    fell_back = [m for m in messages if m.startswith(f"resume: snapshot {snaps[1]['_id']}")]
    assert fell_back and "trying the previous one" in fell_back[0], messages
    assert any(f"restored snapshot {snaps[0]['_id']}" in m for m in messages), messages
    # The first snapshot's file: one "resumed" line (this run's), not the lost run's too.
    assert f"{SECRET_LINE}\\nresumed\\n" in said and "resumed\\nresumed" not in said

    # Every snapshot lost: the resume fails and says why, instead of starting over.
    await mongo_db[f"{PREFIX}_codex_snapshot_chunks"].delete_many({})
    fw, _ = engine
    await fw.launch("snap-2", resume=True, session_id=None)
    await process_state_not(fw, "snap-2", ("done", "failed", "cancelled"))
    proc = await process_end(fw, "snap-2", within=60)
    assert proc["status"]["state"] == "failed", proc["status"]
    assert "none of its 3 snapshots could be restored" in proc["status"]["error"], proc["status"]


async def test_a_thread_without_a_turn_starts_afresh_and_says_so(
    engine: Engine, model_server: ScriptedModelServer, host_dir: Path, mongo_db: Any
) -> None:
    fw, _ = engine
    await define(engine, "snap-3", config_for(model_server, host_dir, auto_start=False))
    conversation = await resume_free_launch(engine, "snap-3")
    first_thread = conversation.thread_id
    await fw.cancel("snap-3")
    await process_end(fw, "snap-3", within=60)
    snaps = [d async for d in mongo_db[f"{PREFIX}_codex_snapshots"].find()]
    assert len(snaps) == 1 and snaps[0]["meta"]["turns"] == 0, snaps

    conversation = await resume(engine, "snap-3")
    assert conversation.thread_id != first_thread  # codex kept nothing to resume
    proc = await process_when(
        fw, "snap-3", lambda p: any("starting a new thread" in m for m in log_messages(p))
    )
    messages = log_messages(proc)
    assert any(f"thread {first_thread} never had a turn" in m for m in messages), messages
    await fw.cancel("snap-3")
    await process_end(fw, "snap-3", within=60)


async def resume_free_launch(engine: Engine, process_id: str) -> CodexConversation:
    fw, _ = engine
    conversation = await fw.launch_and_await_result(process_id, session_id=None, timeout=90)
    assert isinstance(conversation, CodexConversation)
    return conversation


def published_tar(task_dir: Path) -> bytes:
    """The task as optio-codex 0.4.8 archived it: one tar.gz of its workdir, which held
    CODEX_HOME at home/.codex (a login in it, too)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted((task_dir / "workdir").rglob("*")):
            tar.add(
                path, arcname="./" + str(path.relative_to(task_dir / "workdir")), recursive=False
            )
        for path in sorted((task_dir / "home" / ".codex" / "sessions").rglob("*")):
            tar.add(
                path, arcname="./home/" + str(path.relative_to(task_dir / "home")), recursive=False
            )
        login = json.dumps({"OPENAI_API_KEY": "sk-published-login"}).encode()
        info = tarfile.TarInfo("./home/.codex/auth.json")
        info.size = len(login)
        tar.addfile(info, io.BytesIO(login))
    return buffer.getvalue()


async def test_a_task_the_published_package_suspended_resumes(
    engine: Engine, model_server: ScriptedModelServer, host_dir: Path, mongo_db: Any
) -> None:
    model_server.fallback = run_then_read_back
    hooks = {"session_blob_encrypt": _xor, "session_blob_decrypt": _xor}
    config = config_for(model_server, host_dir, cleanup="never", **hooks)
    await define(engine, "snap-4", config)
    proc = await run_to_end(engine, "snap-4")
    assert proc["status"]["state"] == "done", proc["status"]
    ours = await mongo_db[f"{PREFIX}_codex_snapshots"].find_one({"process_id": "snap-4"})
    thread_id = ours["meta"]["thread_id"]
    # What 0.4.8 left instead: its document and its (encrypted) GridFS blob; none of ours.
    task_dir = host_dir / "tasks" / "snap-4"
    blob_id = await AsyncIOMotorGridFSBucket(mongo_db).upload_from_stream(
        "workdir", _xor(published_tar(task_dir))
    )
    await mongo_db[f"{PREFIX}_codex_session_snapshots"].insert_one(
        {
            "processId": "snap-4",
            "capturedAt": datetime.now(UTC),
            "endState": "done",
            "workdirBlobId": blob_id,
            "sessionId": thread_id,
        }
    )
    await mongo_db[f"{PREFIX}_codex_snapshots"].delete_many({})
    shutil.rmtree(task_dir)
    # The resume recomposes AGENTS.md from what on_resume_refresh makes of the config.
    refreshed = config_for(
        model_server,
        host_dir,
        cleanup="never",
        on_resume_refresh=lambda c: replace(c, consumer_instructions=NEW_INSTRUCTIONS),
        **hooks,
    )
    await define(engine, "snap-4", refreshed)

    proc, said = await resume_and_finish(engine, model_server, "snap-4", task_dir, starts=1)
    assert SECRET_LINE in said and "you have been resumed" in said
    assert NEW_INSTRUCTIONS in (task_dir / "workdir" / "AGENTS.md").read_text()
    assert (task_dir / "workdir" / "resume.log").read_text().endswith(" REFRESHED:AGENTS.md\n")
    assert "Re-read AGENTS.md" in said
    messages = log_messages(proc)
    assert any("restored the optio-codex 0.4.8 snapshot" in m for m in messages), messages
    assert any(f"thread {thread_id}" in m for m in messages), messages
    assert not (task_dir / "home" / ".codex" / "auth.json").exists()  # its login stays behind
    assert (task_dir / "workdir" / "notes.txt").read_text() == f"{SECRET_LINE}\nresumed\n"


async def test_snapshots_between_turns_and_retention(
    engine: Engine, model_server: ScriptedModelServer, host_dir: Path, mongo_db: Any
) -> None:
    fw, _ = engine
    model_server.fallback = lambda request: (
        text("Written.")
        if "notes.txt" in _inputs(request)
        else exec_command("echo one > notes.txt", escalate=False)
    )
    config = config_for(
        model_server, host_dir, auto_start=False, snapshot_every=0.5, snapshot_keep=1
    )
    await define(engine, "snap-5", config)
    conversation = await resume_free_launch(engine, "snap-5")
    await conversation.run_turn("Write notes.txt.", timeout=60)
    snaps = mongo_db[f"{PREFIX}_codex_snapshots"]
    async with asyncio.timeout(30):  # a capture between turns, after the one that ran
        while not await snaps.find_one({"state": "complete", "meta.turns": 1}):
            await asyncio.sleep(0.1)
    interval = await snaps.find_one({"state": "complete", "meta.turns": 1})
    assert interval["meta"]["reason"] == "interval" and interval["files"] >= 2
    await fw.cancel("snap-5")
    await process_end(fw, "snap-5", within=60)
    # The end capture, and snapshot_keep=1 pruned the rest; their chunks were collected.
    left = [d async for d in snaps.find()]
    assert [(d["state"], d["meta"]["reason"]) for d in left] == [("complete", "end")], left
    held = {c["_id"] async for c in mongo_db[f"{PREFIX}_codex_snapshot_chunks"].find()}
    assert set(left[0]["manifest"]) <= held
    assert len(held) <= len(left[0]["manifest"]) + left[0]["files"]
