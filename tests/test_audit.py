"""The approval audit trail, attention while a prompt waits, and codex's plan as the todo list.

Real optio engine on a real mongod, real sshd (through a cutting relay for the reconnect),
real codex; the model is scripted. The trail is read back from MongoDB after the task ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from optio_codex import ApprovalRecord, read_approvals
from optio_codex.driver.approvals import CodexPermissionDecision, Decision
from optio_codex.driver.conversation import CodexConversation
from optio_codex.driver.events import CodexEvent, Subscription
from optio_codex.driver.policies import RulePolicy
from optio_codex.task.approval_records import collection_name
from optio_codex.task.config import CodexTaskConfig, SSHConfig
from optio_codex.task.todos import plan_update
from optio_codex.testing.model_server import (
    ScriptedModelServer,
    apply_patch,
    exec_command,
    function_call,
    text,
)
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import SshdInfo
from tests.support.engine_runs import (
    Engine,
    launch,
    log_messages,
    process_end,
    process_when,
    ssh_to,
)
from tests.test_task_engine import model_config

PREFIX = "t"  # the test engine's (tests/conftest.py)
WAIT = 60.0  # a bound on waiting, never an expectation of speed


def _plan(*steps: tuple[str, str]) -> dict[str, Any]:
    return {"plan": [{"step": step, "status": status} for step, status in steps]}


async def _until(
    subscription: Subscription, matches: Callable[[CodexEvent], bool], within: float = WAIT
) -> CodexEvent:
    async with asyncio.timeout(within):
        async for event in subscription:
            if matches(event):
                return event
    raise AssertionError("the conversation ended first")


async def _preset_widget_data(mongo_db: Any, process_id: str) -> None:
    """What the host UI does first: widgetData an object, so the todos have a place."""
    await mongo_db[f"{PREFIX}_processes"].update_one(
        {"processId": process_id}, {"$set": {"widgetData": {}}}
    )


def _attention(proc: dict[str, Any]) -> list[str]:
    events = proc.get("sessionEvents") or []
    return [str(e.get("reason")) for e in events if e.get("type") == "attention"]


def _bash(command: str) -> str:
    return f"/bin/bash -lc '{command}'"


# Long: one task's whole story, checked field by field, record by record
async def test_every_request_and_its_outcome_is_stored_with_the_task(
    engine: Engine,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    host_dir: Path,
    mongo_db: Any,
) -> None:
    fw, _ = engine
    shared = host_dir / "shared"
    shared.mkdir()
    policy = RulePolicy(
        allow_command_prefixes=("touch",),
        deny_command_patterns=("*rm -rf*",),
        allow_file_changes_under=(str(shared),),
    )
    config = CodexTaskConfig(
        consumer_instructions="Do as told.",
        ssh=ssh_to(sshd),
        task_root=str(host_dir / "tasks"),
        codex_config=model_config(model_server, host_dir),
        permission_gate=True,
        permission_policy=policy,
        approval_timeout=5.0,  # the last prompt is left to it
    )
    model_server.script(
        function_call("update_plan", _plan(("ask", "in_progress"), ("report", "pending"))),
        exec_command("touch allowed.txt", justification="Create the allowed file."),
        exec_command("rm -rf denied", justification="Clean up."),
        apply_patch(
            f"*** Begin Patch\n*** Add File: {shared / 'notes.txt'}\n+one\n+two\n*** End Patch\n"
        ),
        exec_command("echo ui > ui.txt", justification="Write what the UI approves."),
        exec_command("echo late > late.txt", justification="Nobody answers this one."),
        function_call("update_plan", _plan(("ask", "completed"), ("report", "completed"))),
        text("All asked."),
    )
    started = datetime.now(UTC)
    conversation = await launch(engine, "audit-1", config)
    await _preset_widget_data(mongo_db, "audit-1")
    events = conversation.subscribe(replay=True)
    await conversation.send("Go.")

    # The first prompt left to a human is answered from the UI; the second waits it out.
    ui_prompt = await _until(events, lambda e: e.type == "x-optio-permission-request")
    assert "ui.txt" in str(ui_prompt["params"].get("command")), ui_prompt
    # While it waits, the task asks for attention and its progress says what waits.
    waiting = f"waiting for approval: {_bash('echo ui > ui.txt')}"
    proc = await process_when(fw, "audit-1", lambda p: waiting in log_messages(p))
    assert _attention(proc) == [f"codex asks to run: {_bash('echo ui > ui.txt')}"]
    answer = CodexPermissionDecision.of(
        Decision.ALLOW, message="approved in the UI", decided_by="ui"
    )
    assert conversation.answer_permission(ui_prompt["requestId"], answer)
    late = await _until(events, lambda e: e.type == "x-optio-permission-request")
    assert "late.txt" in str(late["params"].get("command")), late
    await _until(events, lambda e: e.method == "turn/completed")

    await process_when(
        fw, "audit-1", lambda p: len(((p.get("widgetData") or {}).get("todos")) or []) == 2
    )
    await _finish(fw, conversation, "audit-1")
    ended = datetime.now(UTC)

    # -- attention and progress --
    proc = await process_end(fw, "audit-1")
    assert _attention(proc) == [
        f"codex asks to run: {_bash('echo ui > ui.txt')}",
        f"codex asks to run: {_bash('echo late > late.txt')}",
    ]
    messages = log_messages(proc)
    in_order = [
        'Now working on Task 1/2, "ask"',
        waiting,
        f"approved: {_bash('echo ui > ui.txt')} (by ui)",
        f"waiting for approval: {_bash('echo late > late.txt')}",
        f"denied: {_bash('echo late > late.txt')} (by timeout)",
    ]
    assert [m for m in messages if m in in_order] == in_order, messages
    # -- todos: codex's statuses mapped, the last plan all done --
    assert proc["widgetData"]["todos"] == [
        {"id": "ask", "text": "ask", "status": "completed"},
        {"id": "report", "text": "report", "status": "completed"},
    ]

    # -- the trail, read back from MongoDB --
    trail = await read_approvals(mongo_db, PREFIX, "audit-1")
    assert [(r.kind, r.decision, r.decided_by) for r in trail] == [
        ("command", "allow", "policy:allow_command_prefixes 'touch'"),
        ("command", "deny", "policy:deny_command_patterns '*rm -rf*'"),
        ("file_change", "allow", f"policy:allow_file_changes_under '{shared}'"),
        ("command", "allow", "ui"),
        ("command", "deny", "timeout"),
    ]
    allowed, denied, patch, by_ui, timed_out = trail
    workdir = str(host_dir / "tasks" / "audit-1" / "workdir")
    for record in trail:
        _same_run_fields(record, trail[0], started, ended)
    assert allowed.method == "item/commandExecution/requestApproval"
    assert allowed.command == _bash("touch allowed.txt") and allowed.cwd == workdir
    assert allowed.reason == "Create the allowed file." and allowed.message is None
    assert allowed.what == allowed.command and not allowed.files
    assert denied.command == _bash("rm -rf denied") and denied.message == "denied by policy"
    assert patch.method == "item/fileChange/requestApproval" and patch.command is None
    assert [(f.path, f.added, f.removed, f.change) for f in patch.files] == [
        (str(shared / "notes.txt"), 2, 0, "add")
    ]
    assert patch.paths == [str(shared / "notes.txt")]
    assert (shared / "notes.txt").read_text() == "one\ntwo\n"
    assert by_ui.command == _bash("echo ui > ui.txt") and by_ui.message == "approved in the UI"
    assert by_ui.reason == "Write what the UI approves."
    assert by_ui.request_id == ui_prompt["requestId"]
    assert timed_out.reason == "Nobody answers this one."
    assert timed_out.message == "no answer within 5s: denied"
    assert timed_out.request_id == late["requestId"]
    assert not (Path(workdir) / "late.txt").exists()

    # As stored: one document per request, camelCase fields, UTC datetimes, an index.
    collection = mongo_db[collection_name(PREFIX)]
    docs = await collection.find({"processId": "audit-1"}).to_list(length=None)
    assert len(docs) == 5
    doc = next(d for d in docs if d["decidedBy"] == "ui")
    assert {
        "processId",
        "runId",
        "runStartedAt",
        "requestId",
        "kind",
        "method",
        "command",
        "cwd",
        "paths",
        "reason",
        "permissions",
        "questions",
        "decision",
        "decidedBy",
        "message",
        "requestedAt",
        "decidedAt",
    } <= set(doc)
    indexes = await collection.index_information()
    assert any(spec["key"] == [("processId", 1)] for spec in indexes.values()), indexes


def _same_run_fields(
    record: ApprovalRecord, first: ApprovalRecord, started: datetime, ended: datetime
) -> None:
    assert record.process_id == "audit-1"
    assert record.run_id == first.run_id and record.run_started_at == first.run_started_at
    assert record.decided_at is not None
    # Mongo keeps milliseconds: compare at that grain.
    assert started.replace(microsecond=started.microsecond // 1000 * 1000) <= record.requested_at
    assert record.requested_at <= record.decided_at <= ended
    assert record.requested_at.tzinfo is not None
    assert record.waited is not None and record.waited >= 0


async def _finish(fw: Any, conversation: CodexConversation, process_id: str) -> None:
    """The caller's close is the clean end."""
    await conversation.close()
    proc = await process_end(fw, process_id)
    assert proc["status"]["state"] == "done", proc["status"]


async def test_a_prompt_asked_again_after_an_ssh_cut_keeps_one_record(
    engine: Engine,
    sshd: SshdInfo,
    relay: TcpRelay,
    model_server: ScriptedModelServer,
    host_dir: Path,
    mongo_db: Any,
) -> None:
    fw, _ = engine
    known = host_dir / "known_hosts_relay"
    known.write_text(f"[{sshd.host}]:{relay.port} {sshd.host_public_key}\n")
    config = CodexTaskConfig(
        consumer_instructions="Do as told.",
        ssh=SSHConfig(
            host=sshd.host,
            port=relay.port,
            user=sshd.username,
            key_path=str(sshd.client_key_path),
            known_hosts=str(known),
        ),
        task_root=str(host_dir / "tasks"),
        codex_config=model_config(model_server, host_dir),
        permission_gate=True,
        reconnect_timeout=60.0,
        cleanup="never",  # the workdir shows the command ran once
    )
    model_server.script(*exec_command("echo ran >> cut.log").then("after the cut"))
    conversation = await launch(engine, "audit-cut", config)
    events = conversation.subscribe(replay=True)
    await conversation.send("Run it.")
    asked = await _until(events, lambda e: e.type == "x-optio-permission-request")
    relay.set_down(True)
    await _until(events, lambda e: e.type == "x-optio-connection-lost")
    relay.set_down(False)
    # codex asks again on the new connection; the gate re-attaches the prompt to the re-ask.
    rebound = await _until(events, lambda e: e.type == "x-optio-permission-rebound")
    assert rebound["previousRequestId"] == asked["requestId"]
    answer = CodexPermissionDecision.of(Decision.ALLOW, decided_by="ui")
    assert conversation.answer_permission(rebound["requestId"], answer)
    await _until(events, lambda e: e.method == "turn/completed")
    assert conversation.reconnects >= 1
    await _finish(fw, conversation, "audit-cut")
    proc = await process_end(fw, "audit-cut")

    [record] = await read_approvals(mongo_db, PREFIX, "audit-cut")
    assert (record.kind, record.decision, record.decided_by) == ("command", "allow", "ui")
    assert record.command == _bash("echo ran >> cut.log")
    assert record.request_id == rebound["requestId"]
    if rebound["requestId"] != asked["requestId"]:
        assert record.earlier_request_ids == (asked["requestId"],)
    # One prompt, one call for attention, though codex asked twice.
    assert len(_attention(proc)) == 1, proc.get("sessionEvents")
    assert (host_dir / "tasks" / "audit-cut" / "workdir" / "cut.log").read_text() == "ran\n"


def test_codex_plan_statuses_map_to_the_checklist() -> None:
    update = plan_update(
        {
            "method": "turn/plan/updated",
            "params": {
                "plan": [
                    {"step": "a", "status": "completed"},
                    {"step": "b", "status": "inProgress"},
                    {"step": "c", "status": "pending"},
                ]
            },
        }
    )
    assert update is not None and update.source == "plan" and not update.merge
    assert [(i.text, i.status) for i in update.items] == [
        ("a", "completed"),
        ("b", "in_progress"),
        ("c", "pending"),
    ]
    assert plan_update({"method": "turn/started", "params": {}}) is None
