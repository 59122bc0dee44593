"""The host UI listener, driven over HTTP exactly as the dashboard's codex view drives it.

Real parts: the optio engine, mongod, codex app-server, sshd; the scripted model. The upstream
URL and password are read from the process document, as the optio API's widget proxy reads
them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from optio_core import Optio

from optio_codex.driver.conversation import CodexConversation
from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing.model_server import ScriptedModelServer, exec_command, text
from optio_codex.testing.sshd import SshdInfo
from tests.support.engine_runs import launch, process_end, process_when
from tests.support.view_client import ViewClient, agent_text
from tests.test_task_engine import model_config

Engine = tuple[Optio, list[Any]]
Start = Callable[..., Awaitable[tuple[CodexConversation, ViewClient]]]


def is_request(method: str) -> Callable[[dict[str, Any]], bool]:
    return lambda d: d.get("method") == method and "id" in d


def is_type(kind: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda d: d.get("type") == kind and all(d.get(k) == v for k, v in fields.items())


def turn_done(d: dict[str, Any]) -> bool:
    return d.get("method") == "turn/completed"


@pytest.fixture
async def start(
    engine: Engine, model_server: ScriptedModelServer, tmp_path: Path
) -> AsyncIterator[Start]:
    clients: list[ViewClient] = []
    fw, _tasks = engine

    async def go(
        process_id: str = "ui-task", **overrides: Any
    ) -> tuple[CodexConversation, ViewClient]:
        settings: dict[str, Any] = {
            "consumer_instructions": "Do what the operator asks.",
            "task_root": str(tmp_path / "tasks"),
            "codex_config": model_config(model_server, tmp_path),
            "conversation_ui": True,
            "permission_gate": True,
            "host_protocol": False,
            "cleanup": "never",
        }
        settings.update(overrides)
        conversation = await launch(engine, process_id, CodexTaskConfig(**settings))
        await process_when(fw, process_id, lambda p: bool(p.get("widgetData")))
        client = await ViewClient.from_process(fw, process_id)
        clients.append(client)
        return conversation, client

    yield go
    for client in clients:
        await client.close()


async def test_widget_data_and_upstream_as_the_view_needs(engine: Engine, start: Start) -> None:
    fw, _ = engine
    await start(show_session_controls=True, tool_verbosity="verbose", file_download=True)
    proc = await fw.get_process("ui-task") or {}
    data = proc["widgetData"]
    assert data["protocol"] == "codex"
    assert data["toolVerbosity"] == "verbose" and data["fileDownload"] is True
    assert data["uploadUrl"].startswith("{widgetProxyUrl}../../../../widget-upload/")
    assert [c["id"] for c in data["controls"]][:1] == ["model"]
    upstream = proc["widgetUpstream"]
    assert upstream["url"].startswith("http://127.0.0.1:")
    assert upstream["innerAuth"]["username"] == "optio"
    assert len(upstream["innerAuth"]["password"]) >= 32


async def test_wrong_password_is_401(engine: Engine, start: Start) -> None:
    _conversation, client = await start()
    wrong = ViewClient(client.url, "not-the-password", client.session)
    assert await wrong.attach() == 401
    status, body = await wrong.post("send", {"text": "hi"})
    assert (status, body) == (401, {"ok": False})


async def test_a_streamed_turn_reaches_the_view(
    engine: Engine, start: Start, model_server: ScriptedModelServer
) -> None:
    _conversation, client = await start()
    assert await client.attach() == 200
    model_server.script(text("Hello from the scripted model, in several chunks."))
    status, body = await client.post("send", {"text": "say hello"})
    assert (status, body) == (200, {"ok": True})
    await client.wait_for(turn_done, what="turn/completed")
    assert agent_text(client.frames) == "Hello from the scripted model, in several chunks."
    seqs = [f.seq for f in client.frames]
    assert len(seqs) == len(set(seqs)) and all(s > 0 for s in seqs)
    # No frame has a top-level "type" unless it is ours (the view's synthetic dispatch).
    assert all(str(f.data.get("type", "x-optio-")).startswith("x-optio-") for f in client.frames)


async def test_approve_a_command(
    engine: Engine, start: Start, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    _conversation, client = await start()
    await client.attach()
    model_server.script(*exec_command("touch approved.txt", call_id="c1").then("made it"))
    await client.post("send", {"text": "make the file"})
    card = await client.wait_for(is_request("item/commandExecution/requestApproval"))
    status, body = await client.post(
        "permission", {"request_id": str(card["id"]), "behavior": "allow"}
    )
    assert (status, body) == (200, {"ok": True})
    await client.wait_for(is_type("x-optio-permission-answered", request_id=str(card["id"])))
    await client.wait_for(turn_done)
    assert (tmp_path / "tasks" / "ui-task" / "workdir" / "approved.txt").exists()
    # The audit trail in MongoDB says a viewer approved it.
    from optio_codex import read_approvals

    fw, _ = engine
    for _ in range(50):
        records = await read_approvals(fw._config.mongo_db, "t", "ui-task")
        if records and records[0].decision:
            break
        await asyncio.sleep(0.1)
    [record] = records
    assert (record.kind, record.decision, record.decided_by) == ("command", "allow", "ui")
    assert "touch approved.txt" in (record.command or "")
    # Answered already: a second click is an unknown request.
    status, body = await client.post(
        "permission", {"request_id": str(card["id"]), "behavior": "allow"}
    )
    assert status == 404 and body["reason"] == "unknown-request"


async def test_unknown_request_id_and_bad_bodies(engine: Engine, start: Start) -> None:
    _conversation, client = await start()
    assert await client.post("permission", {"request_id": "999", "behavior": "allow"}) == (
        404,
        {"ok": False, "reason": "unknown-request"},
    )
    assert (await client.post("permission", "{not json"))[0] == 400
    assert (await client.post("permission", {"request_id": "1", "behavior": "maybe"}))[0] in (
        400,
        404,
    )
    assert await client.post("send", {"text": ""}) == (400, {"ok": False, "reason": "bad-text"})
    assert await client.post("send", {"text": 5}) == (400, {"ok": False, "reason": "bad-text"})
    assert (await client.post("send", b"[1, 2]"))[1]["reason"] == "bad-json"
    status, body = await client.post("send", {"text": "x" * (2 << 20)})
    assert status == 413 and body["ok"] is False
    assert (await client.post("control", {"id": "nope", "value": "x"}))[0] == 400
    status, _, _ = await client.get("nowhere")
    assert status == 404


async def test_a_viewer_who_attaches_while_a_prompt_waits_sees_and_answers_it(
    engine: Engine, start: Start, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    _conversation, first = await start()
    await first.attach()
    model_server.script(text("warming up"))
    await first.post("send", {"text": "first turn"})
    await first.wait_for(turn_done)
    model_server.script(*exec_command("touch late.txt", call_id="late").then("done late"))
    await first.post("send", {"text": "make late.txt"})
    card = await first.wait_for(is_request("item/commandExecution/requestApproval"))
    # A second viewer opens the dashboard now: history, then the running turn with its card.
    late = ViewClient(first.url, first.password, first.session)
    assert await late.attach() == 200
    seen = await late.wait_for(is_request("item/commandExecution/requestApproval"))
    assert seen["id"] == card["id"]
    texts = [e["params"]["item"].get("text") for e in late.events("item/completed")]
    assert "first turn" in texts and "warming up" in texts
    assert not any(str(t).startswith("# AGENTS.md") for t in texts)
    assert len(late.events("turn/completed")) == 1  # the finished turn only
    status, _ = await late.post("permission", {"request_id": str(seen["id"]), "behavior": "allow"})
    assert status == 200
    for viewer in (first, late):
        await viewer.wait_for(is_type("x-optio-permission-answered", request_id=str(card["id"])))
        await viewer.wait_for(lambda d: turn_done(d) and d["params"]["turn"]["id"] != "", within=60)
    await late.wait_for(
        lambda d: (
            d.get("method") == "item/completed" and d["params"]["item"].get("text") == "done late"
        )
    )
    assert (tmp_path / "tasks" / "ui-task" / "workdir" / "late.txt").exists()
    await late.detach()


async def test_deny_a_file_change_with_a_message(
    engine: Engine, start: Start, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    from optio_codex.testing.model_server import apply_patch

    _conversation, client = await start(sandbox="read-only")
    await client.attach()
    patch = "*** Begin Patch\n*** Add File: nope.txt\n+no\n*** End Patch\n"
    model_server.script(*apply_patch(patch, call_id="p1").then("ok, not written"))
    await client.post("send", {"text": "write nope.txt"})
    card = await client.wait_for(is_request("item/fileChange/requestApproval"))
    status, _ = await client.post(
        "permission",
        {"request_id": str(card["id"]), "behavior": "deny", "message": "Denied by the operator."},
    )
    assert status == 200
    answered = await client.wait_for(is_type("x-optio-permission-answered"))
    assert answered["behavior"] == "deny"
    await client.wait_for(turn_done)
    assert not (tmp_path / "tasks" / "ui-task" / "workdir" / "nope.txt").exists()


QUESTION = {
    "id": "db",
    "header": "Database",
    "question": "Which database should I use?",
    "options": [
        {"label": "Postgres", "description": "safe"},
        {"label": "SQLite", "description": "small"},
    ],
}


async def test_answer_a_question_by_sending_a_message(
    engine: Engine, start: Start, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    from optio_codex.testing.model_server import function_call

    config = model_config(model_server, tmp_path)
    config["features"] = {"default_mode_request_user_input": True}
    _conversation, client = await start(codex_config=config)
    await client.attach()
    call = function_call("request_user_input", {"questions": [QUESTION]}, call_id="ask1")
    model_server.script(*call.then("noted"))
    await client.post("send", {"text": "set up storage"})
    # The view has no card for a question: it gets one in the command card's shape.
    card = await client.wait_for(is_request("item/commandExecution/requestApproval"))
    assert card["params"]["kind"] == "item/tool/requestUserInput"
    assert "Which database should I use?" in card["params"]["command"]
    assert await client.post("send", {"text": "DuckDB, please"}) == (200, {"ok": True})
    await client.wait_for(is_type("x-optio-permission-answered", request_id=str(card["id"])))
    await client.wait_for(turn_done)
    outputs = [
        str(item.get("output"))
        for request in model_server.responses_requests
        for item in request.body.get("input") or []
        if item.get("call_id") == "ask1" and item.get("type") == "function_call_output"
    ]
    assert outputs and "DuckDB, please" in outputs[-1]


async def test_switch_model_and_effort(
    engine: Engine, start: Start, model_server: ScriptedModelServer
) -> None:
    from optio_codex.testing.catalog import MOCK_ALT_MODEL_SLUG

    fw, _ = engine
    _conversation, client = await start(show_session_controls=True)
    await client.attach()
    assert await client.post("control", {"id": "model", "value": MOCK_ALT_MODEL_SLUG}) == (
        200,
        {"ok": True},
    )
    update = await client.wait_for(lambda d: d.get("type") == "x-optio-control-update")
    model = next(c for c in update["controls"] if c["id"] == "model")
    assert model["value"] == MOCK_ALT_MODEL_SLUG
    effort = next((c for c in update["controls"] if c["id"] == "reasoning_effort"), None)
    assert effort is not None, update["controls"]
    level = effort["levels"][0]
    assert (await client.post("control", {"id": "reasoning_effort", "value": level}))[0] == 200
    assert (await client.post("control", {"id": "model", "value": "no-such-model"}))[0] == 400
    model_server.script(text("switched"))
    await client.post("send", {"text": "which model?"})
    await client.wait_for(turn_done)
    body = model_server.responses_requests[-1].body
    assert body["model"] == MOCK_ALT_MODEL_SLUG
    assert (body.get("reasoning") or {}).get("effort") == level
    # A viewer who mounts later sees the switched model in widgetData.
    proc = await fw.get_process("ui-task") or {}
    stored = next(c for c in proc["widgetData"]["controls"] if c["id"] == "model")
    assert stored["value"] == MOCK_ALT_MODEL_SLUG


async def test_controls_not_allowed_are_403(engine: Engine, start: Start) -> None:
    fw, _ = engine
    _conversation, client = await start()  # show_session_controls off
    proc = await fw.get_process("ui-task") or {}
    assert proc["widgetData"]["controls"] == []
    status, body = await client.post("control", {"id": "model", "value": "mock-model"})
    assert (status, body["reason"]) == (403, "not-allowed")


def payloads(client: ViewClient) -> list[str]:
    import json

    return [json.dumps(f.data, sort_keys=True) for f in client.frames]


async def test_a_reconnect_with_last_event_id_loses_and_duplicates_nothing(
    engine: Engine, start: Start, model_server: ScriptedModelServer
) -> None:
    from optio_codex.testing.model_server import slow

    _conversation, steady = await start()
    model_server.script(text("before the viewers"))
    await steady.post("send", {"text": "turn one"})
    await steady.attach()
    await steady.wait_for(turn_done)
    flaky = ViewClient(steady.url, steady.password, steady.session)
    await flaky.attach()
    await flaky.wait_for(turn_done)  # its history
    model_server.script(
        slow("one two three four five six seven eight nine ten", 0.05, chunk_size=4)
    )
    await steady.post("send", {"text": "turn two"})
    await flaky.wait_for(lambda d: d.get("method") == "item/agentMessage/delta")
    await flaky.detach()  # the browser loses the stream mid-turn ...
    await asyncio.sleep(0.2)
    resumed = ViewClient(steady.url, steady.password, steady.session, frames=list(flaky.frames))
    assert await resumed.attach(flaky.last_id) == 200  # ... and reconnects with its last id
    await steady.wait_for(lambda d: turn_done(d) and len(steady.events("turn/completed")) == 2)
    await resumed.wait_for(lambda d: turn_done(d) and len(resumed.events("turn/completed")) == 2)
    # After the reconnect it got exactly the live frames after its last id, as the steady
    # viewer got them: nothing lost, nothing twice.
    cut_at = int(flaky.last_id or 0)
    after = [(f.seq, f.data) for f in resumed.frames[len(flaky.frames) :]]
    assert after == [(f.seq, f.data) for f in steady.frames if f.seq > cut_at]
    seqs = [f.seq for f in resumed.frames]
    assert len(seqs) == len(set(seqs))
    assert agent_text(resumed.frames).endswith("eight nine ten")
    # A reconnect from inside the history block gets the rest of it, never the whole again.
    history_only = ViewClient(steady.url, steady.password, steady.session)
    await history_only.attach()
    await history_only.wait_for(lambda d: len(history_only.events("turn/completed")) == 2)
    first_id = str(history_only.frames[0].seq)
    again = ViewClient(steady.url, steady.password, steady.session)
    await again.attach(first_id)
    await again.wait_for(lambda d: len(again.events("turn/completed")) == 2)
    assert [f.seq for f in again.frames] == [f.seq for f in history_only.frames[1:]]


async def test_fifty_viewers_see_the_same_events_in_the_same_order(
    engine: Engine, start: Start, model_server: ScriptedModelServer
) -> None:
    _conversation, first = await start()
    viewers = [ViewClient(first.url, first.password, first.session) for _ in range(50)]
    assert set(await asyncio.gather(*(v.attach() for v in viewers))) == {200}
    model_server.script(*exec_command("echo hi", escalate=False, call_id="e1").then("all done"))
    await first.post("send", {"text": "go"})
    await asyncio.gather(*(v.wait_for(turn_done) for v in viewers))
    reference = [(f.seq, f.data) for f in viewers[0].frames]
    assert len(reference) > 5
    for viewer in viewers[1:]:
        assert [(f.seq, f.data) for f in viewer.frames] == reference
    await asyncio.gather(*(v.detach() for v in viewers))


async def test_the_stream_ends_with_closed_when_the_task_ends(
    engine: Engine, start: Start, model_server: ScriptedModelServer
) -> None:
    fw, _ = engine
    conversation, client = await start()
    await client.attach()
    await conversation.close()
    closed = await client.wait_for(is_type("x-optio-closed"))
    assert closed["reason"]
    await process_end(fw, "ui-task")
    proc = await fw.get_process("ui-task") or {}
    assert not proc.get("widgetUpstream")
    for _ in range(50):
        if client.stream_ended:
            break
        await asyncio.sleep(0.1)
    assert client.stream_ended


async def test_an_ssh_cut_while_a_prompt_waits_then_answered_after_the_reconnect(
    engine: Engine,
    start: Start,
    model_server: ScriptedModelServer,
    sshd: SshdInfo,
    relay: Any,
    tmp_path: Path,
) -> None:
    from optio_codex.task.config import SSHConfig

    known = tmp_path / "known_hosts_relay"
    known.write_text(f"[{sshd.host}]:{relay.port} {sshd.host_public_key}\n")
    via_relay = SSHConfig(
        host=sshd.host,
        port=relay.port,
        user=sshd.username,
        key_path=str(sshd.client_key_path),
        known_hosts=str(known),
    )
    conversation, client = await start("ui-remote", ssh=via_relay, reconnect_timeout=60.0)
    await client.attach()
    model_server.script(*exec_command("echo ran >> cut.log", call_id="cut1").then("after the cut"))
    await client.post("send", {"text": "run it"})
    await client.wait_for(is_request("item/commandExecution/requestApproval"))
    relay.set_down(True)
    await client.wait_for(is_type("x-optio-connection-lost"), within=30)
    relay.set_down(False)
    # codex asks again after the reconnect (ids restart per connection): the card on screen
    # stays the card, and answering it answers the new ask.
    await client.wait_for(is_type("x-optio-reconnected"), within=60)
    await asyncio.sleep(0.5)
    cards = client.events("item/commandExecution/requestApproval")
    answered_ids = {e["request_id"] for e in client.events("x-optio-permission-answered")}
    showing = [c for c in cards if str(c["id"]) not in answered_ids]
    assert len(showing) == 1, (cards, answered_ids)
    status, _ = await client.post(
        "permission", {"request_id": str(showing[0]["id"]), "behavior": "allow"}
    )
    assert status == 200
    await client.wait_for(turn_done, within=60)
    assert not client.stream_ended  # the browser's stream outlived the SSH cut
    log_file = tmp_path / "tasks" / "ui-remote" / "workdir" / "cut.log"
    assert log_file.read_text() == "ran\n"  # run once
    assert conversation.reconnects >= 1
    # End the task while the relay is still up: the fixtures stop the relay before the engine,
    # and a task torn down with its host unreachable leaves codex running there by design.
    await conversation.close()
    await process_end(engine[0], "ui-remote")


async def test_upload_a_file_the_agent_then_reads(
    engine: Engine, start: Start, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    fw, _ = engine
    seen: list[str] = []

    async def on_upload(hook_ctx: Any, relpath: str) -> None:
        seen.append(relpath)

    _conversation, client = await start(show_file_upload=True, on_upload=on_upload)
    await client.attach()
    # What the optio API does with the view's multipart POST: the engine calls our writer.
    relpath = await fw.materialize_upload("ui-task", b"the secret word is heron\n", "notes.txt")
    assert relpath == "uploads/notes.txt" and seen == ["uploads/notes.txt"]
    workdir = tmp_path / "tasks" / "ui-task" / "workdir"
    assert (workdir / "uploads" / "notes.txt").read_bytes() == b"the secret word is heron\n"
    with pytest.raises(ValueError, match="size limit"):
        await fw.materialize_upload("ui-task", b"x" * 10_000_001, "big.bin")
    model_server.script(
        *exec_command("cat uploads/notes.txt", escalate=False, call_id="r1").then("read it")
    )
    prompt = f"System: upload received, stored in {relpath}\n\nWhat does it say?"
    assert (await client.post("send", {"text": prompt}))[0] == 200
    await client.wait_for(turn_done)
    outputs = [
        str(item.get("output"))
        for request in model_server.responses_requests
        for item in request.body.get("input") or []
        if item.get("call_id") == "r1" and item.get("type") == "function_call_output"
    ]
    assert outputs and "heron" in outputs[-1]


async def test_download_a_deliverable_and_refusals(
    engine: Engine, start: Start, tmp_path: Path
) -> None:
    _conversation, client = await start(file_download=True, max_download_bytes=1000)
    workdir = tmp_path / "tasks" / "ui-task" / "workdir"
    (workdir / "deliverables").mkdir(exist_ok=True)
    (workdir / "deliverables" / "report v1.txt").write_bytes(b"quarterly\x00numbers\r\n")
    (workdir / "big.bin").write_bytes(b"x" * 1001)
    (workdir / "escape").symlink_to("/etc/passwd")
    status, body, headers = await client.get("download", path="deliverables/report v1.txt")
    assert (status, body) == (200, b"quarterly\x00numbers\r\n")
    assert headers["Content-Disposition"] == 'attachment; filename="report v1.txt"'
    # The view's double percent-encoding of a name with a space.
    status, body, _ = await client.get("download", path="deliverables/report%20v1.txt")
    assert (status, body) == (200, b"quarterly\x00numbers\r\n")
    assert (await client.get("download", path="escape"))[0] == 403
    assert (await client.get("download", path="/etc/passwd"))[0] == 403
    assert (await client.get("download", path="../../x"))[0] == 403
    assert (await client.get("download", path="missing.txt"))[0] == 404
    assert (await client.get("download", path="big.bin"))[0] == 413
    assert (await client.get("download", path=""))[0] == 400


async def test_download_obeys_file_download(engine: Engine, start: Start, tmp_path: Path) -> None:
    _conversation, client = await start()  # file_download off
    (tmp_path / "tasks" / "ui-task" / "workdir" / "f.txt").write_text("x")
    status, body, _ = await client.get("download", path="f.txt")
    assert status == 403 and b"downloads-off" in body
