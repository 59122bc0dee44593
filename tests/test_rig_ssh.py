"""The rig's first proof: the real codex app-server, over real SSH, answers."""

from __future__ import annotations

import asyncio

import pytest
from optio_agents.conversation import ConversationClosed, PermissionDecision, PermissionRequest

from optio_codex.driver.gate import GateSettings
from optio_codex.hosts.ssh import connect_ssh
from optio_codex.testing.model_server import (
    ScriptedModelServer,
    exec_command,
    http_error,
    slow,
    text,
)
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import SshdInfo
from tests.conftest import CodexEnv, Launcher, ssh_target


async def test_handshake_and_streamed_turn_over_ssh(
    start_ssh: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start_ssh()
    assert conversation.thread_id
    assert conversation.server_info.get("userAgent", "").startswith("optio_codex/")
    assert conversation.effective_sandbox["type"] == "workspaceWrite"
    assert conversation.effective_sandbox["networkAccess"] is False

    deltas: list[str] = []
    events = conversation.subscribe()

    async def collect() -> None:
        async for event in events:
            if event.method == "item/agentMessage/delta":
                deltas.append(event.params["delta"])

    collector = asyncio.create_task(collect())
    model_server.script(text("streamed over ssh, chunk by chunk", chunk_size=5))
    result = await conversation.run_turn("hello", timeout=30)
    assert result.status == "completed"
    assert result.final_text == "streamed over ssh, chunk by chunk"
    assert len(deltas) > 3 and "".join(deltas) == result.final_text
    assert result.usage.total_tokens > 0
    # The model saw our message.
    body = model_server.requests[-1].body
    assert "hello" in str(body["input"])
    await conversation.close()
    await collector


async def test_exec_command_approval_answered_over_ssh(
    start_ssh: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start_ssh(GateSettings(human=True, human_timeout=30))
    asked: list[PermissionRequest] = []

    async def approve(request: PermissionRequest) -> PermissionDecision:
        asked.append(request)
        return PermissionDecision(behavior="allow")

    conversation.on_permission_request(approve)
    model_server.script(*exec_command("echo approved > proof.txt").then("wrote proof.txt"))
    result = await conversation.run_turn("write the proof", timeout=30)
    assert result.status == "completed" and result.final_text == "wrote proof.txt"
    assert len(asked) == 1 and "proof.txt" in asked[0].tool_name
    assert (codex_env.workspace / "proof.txt").read_text().strip() == "approved"
    [command] = [i for i in result.items if i["type"] == "commandExecution"]
    assert command["status"] == "completed" and command["exitCode"] == 0


async def test_failing_model_ends_turn_failed(
    start_ssh: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start_ssh()
    model_server.script(http_error(500, "scripted outage"))
    result = await conversation.run_turn("anything", timeout=30)
    assert result.status == "failed"
    assert result.error is not None and not result.synthetic
    # The conversation survives a failed turn.
    model_server.script(text("recovered"))
    again = await conversation.run_turn("again", timeout=30)
    assert again.ok and again.final_text == "recovered"


async def test_relay_cut_is_noticed(
    sshd: SshdInfo, relay: TcpRelay, start_ssh: Launcher, model_server: ScriptedModelServer
) -> None:
    conn = await connect_ssh(ssh_target(sshd, port=relay.port, keepalive_interval=1))
    conversation = await start_ssh(conn=conn)
    gate = model_server.hold()
    model_server.script(slow("this answer will never finish", 0.05).held(gate))
    turn_id = await conversation.submit("start streaming")
    await gate.wait_reached(10)
    assert conversation.active_turn_id == turn_id
    waiter = asyncio.create_task(conversation.wait_for_turn(turn_id))
    cut = await relay.cut()
    assert cut >= 1
    reason = await asyncio.wait_for(conversation.wait_closed(), 10)
    assert reason
    result = await asyncio.wait_for(waiter, 5)
    assert result.synthetic and result.status == "interrupted"
    with pytest.raises(ConversationClosed):
        await conversation.send("after the cut")
    gate.release()
    conn.close()
