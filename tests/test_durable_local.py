"""Durable conversations on this machine: real codex, detached or attached, with real faults.

Connection cuts abort the unix-socket connection under the driver; crashes are SIGKILLs of
the real app-server; a lost ``turn/completed`` is the one fault the real server cannot make,
so a stream wrapper drops it on the way in.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from optio_agents.conversation import ConversationClosed, PermissionDecision

from optio_codex.binary import CodexBinary
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.events import CodexEvent
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.recovery import RecoverySettings
from optio_codex.hosts.detached_server import (
    DetachedAppServer,
    LocalDialer,
    attach_detached_app_server,
    start_detached_app_server,
)
from optio_codex.hosts.host_scripts import LocalOps
from optio_codex.hosts.launch import app_server_argv
from optio_codex.hosts.server_process import is_alive
from optio_codex.protocol.errors import ConnectionLost
from optio_codex.protocol.streams import ByteStream
from optio_codex.testing import model_server as ms
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.transport.local import LocalAppServer, spawn_local_app_server
from tests.conftest import CodexEnv
from tests.support.procs import wait_gone

ANSWER = " ".join(f"w{i}" for i in range(80))


class Rig:
    """Starts durable conversations for one test and cleans up after it."""

    def __init__(self, binary: CodexBinary, env: CodexEnv) -> None:
        self.binary = binary
        self.env = env
        self.conversations: list[CodexConversation] = []
        self.events: list[CodexEvent] = []

    async def detached(self) -> DetachedAppServer:
        return await start_detached_app_server(
            LocalDialer(),
            app_server_argv(str(self.binary.path)),
            env=self.env.env,
            cwd=str(self.env.workspace),
            socket_path=str(self.env.root / "app.sock"),
            log_path=str(self.env.root / "app.log"),
        )

    async def attached(self) -> LocalAppServer:
        return await spawn_local_app_server(
            app_server_argv(str(self.binary.path)), env=self.env.env, cwd=self.env.workspace
        )

    async def start(
        self,
        kind: str = "detached",
        *,
        gate: GateSettings | None = None,
        wrap: Callable[[Any], Any] | None = None,
        **recovery: Any,
    ) -> CodexConversation:
        launch: Callable[[], Awaitable[Any]] = (
            self.detached if kind == "detached" else self.attached
        )
        recovery.setdefault("relaunch", launch)
        recovery.setdefault("backoff_max", 0.5)
        server = await launch()
        conversation = await CodexConversation.start(
            wrap(server) if wrap else server,
            ConversationOptions(cwd=str(self.env.workspace)),
            gate,
            RecoverySettings(**recovery),
        )
        conversation.on_event(self.events.append)
        self.conversations.append(conversation)
        return conversation

    def count(self, kind: str) -> int:
        return sum(1 for e in self.events if e.type == kind)

    async def wait_for(self, kind: str, n: int = 1, timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            while self.count(kind) < n:
                await asyncio.sleep(0.01)

    async def wait_more(self, kind: str, more: int = 1, timeout: float = 20.0) -> None:
        """Until ``more`` further events of ``kind`` arrived (counting from now)."""
        await self.wait_for(kind, self.count(kind) + more, timeout)

    async def close(self) -> None:
        for conversation in self.conversations:
            await conversation.close()


@pytest.fixture
async def rig(codex_binary: CodexBinary, codex_env: CodexEnv) -> AsyncIterator[Rig]:
    r = Rig(codex_binary, codex_env)
    try:
        yield r
    finally:
        await r.close()
        assert await wait_gone(codex_env.codex_home) == []


def cut(conversation: CodexConversation) -> None:
    """Break the client's connection the way a network failure would (no close handshake)."""
    stream: Any = conversation.server.stream
    stream._writer.transport.abort()


async def thread_turns(conversation: CodexConversation) -> list[dict[str, Any]]:
    read = await conversation.request(
        "thread/read", {"threadId": conversation.thread_id, "includeTurns": True}
    )
    turns: list[dict[str, Any]] = read["thread"]["turns"]
    return turns


async def test_cut_mid_stream_keeps_the_turn(rig: Rig, model_server: ScriptedModelServer) -> None:
    conversation = await rig.start()
    model_server.script(ms.slow(ANSWER, 0.02, chunk_size=6))
    turn = asyncio.create_task(conversation.run_turn("talk", timeout=60))
    await rig.wait_for("item/agentMessage/delta", 3)
    cut(conversation)
    result = await turn
    assert result.status == "completed"
    assert result.final_text == ANSWER
    assert conversation.reconnects == 1 and conversation.relaunches == 0
    assert rig.count("x-optio-connection-lost") == rig.count("x-optio-reconnected") == 1
    # Deltas kept flowing after the gap, and codex asked the model once: nothing re-ran.
    assert rig.count("item/agentMessage/delta") > 3
    assert len(model_server.responses_requests) == 1
    assert len(await thread_turns(conversation)) == 1


async def test_answer_given_during_the_gap_reaches_the_replayed_approval(
    rig: Rig, model_server: ScriptedModelServer
) -> None:
    conversation = await rig.start(gate=GateSettings(human=True))
    model_server.script(ms.exec_command("echo ran >> marker.txt"), ms.text("done"))
    turn = asyncio.create_task(conversation.run_turn("run it", timeout=60))
    await rig.wait_for("x-optio-permission-request")
    request_id = conversation.gate.pending[0].request_id
    cut(conversation)
    await asyncio.sleep(0)
    assert conversation.answer_permission(request_id, PermissionDecision(behavior="allow"))
    result = await turn
    assert result.status == "completed" and result.final_text == "done"
    assert (rig.env.workspace / "marker.txt").read_text() == "ran\n"  # ran exactly once
    assert rig.count("x-optio-permission-request") == 1  # the human was asked once


async def test_prompt_open_across_a_cut_is_answered_after_it(
    rig: Rig, model_server: ScriptedModelServer
) -> None:
    asked: list[Any] = []
    answer_now = asyncio.Event()

    async def human(request: Any) -> PermissionDecision:
        asked.append(request)
        await answer_now.wait()
        return PermissionDecision(behavior="allow")

    conversation = await rig.start(gate=GateSettings(human=True))
    conversation.on_permission_request(human)
    model_server.script(ms.exec_command("echo ran >> marker.txt"), ms.text("done"))
    turn = asyncio.create_task(conversation.run_turn("run it", timeout=60))
    await rig.wait_for("x-optio-permission-request")
    cut(conversation)
    await rig.wait_for("x-optio-reconnected")
    await rig.wait_for("x-optio-permission-rebound")
    answer_now.set()
    result = await turn
    assert result.status == "completed"
    assert len(asked) == 1
    assert (rig.env.workspace / "marker.txt").read_text() == "ran\n"


async def test_lost_turn_start_ack_does_not_start_a_second_turn(
    rig: Rig, model_server: ScriptedModelServer
) -> None:
    dropper = AckDropper()
    conversation = await rig.start(wrap=dropper.wrap)
    model_server.script(ms.slow(ANSWER, 0.01, chunk_size=8))
    result = await conversation.run_turn("only once", timeout=60)
    assert dropper.dropped == 1
    assert result.final_text == ANSWER
    assert len(model_server.responses_requests) == 1
    assert len(await thread_turns(conversation)) == 1


@pytest.mark.parametrize("kind", ["detached", "attached"])
async def test_app_server_crash_mid_turn_relaunches_and_resends(
    rig: Rig, model_server: ScriptedModelServer, kind: str
) -> None:
    conversation = await rig.start(kind)
    thread_id = conversation.thread_id
    model_server.script(ms.text("first turn ok"))
    assert (await conversation.run_turn("warm up", timeout=30)).ok
    model_server.script(ms.slow(ANSWER, 0.05, chunk_size=4), ms.text("resent turn ok"))
    deltas = rig.count("item/agentMessage/delta")
    turn = asyncio.create_task(conversation.run_turn("long job", timeout=60))
    await rig.wait_for("item/agentMessage/delta", deltas + 2)
    os.killpg(conversation.server.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    result = await turn
    assert result.status == "interrupted" and result.synthetic
    await rig.wait_for("x-optio-reconnected")
    assert conversation.relaunches == 1
    assert conversation.thread_id == thread_id  # resumed from the rollout, not a new thread
    resent = await conversation.wait_for_turn(timeout=30)
    assert resent.final_text == "resent turn ok"
    # The model saw the earlier turns again: history came back with the thread.
    last = model_server.responses_requests[-1].raw_body.decode()
    assert "warm up" in last and "long job" in last
    assert rig.count("x-optio-turn-resend") == 1


async def test_crash_with_leave_reports_the_turn_and_sends_nothing(
    rig: Rig, model_server: ScriptedModelServer
) -> None:
    conversation = await rig.start(interrupted_turn="leave")
    model_server.script(ms.slow(ANSWER, 0.05, chunk_size=4))
    deltas = rig.count("item/agentMessage/delta")
    turn = asyncio.create_task(conversation.run_turn("long job", timeout=60))
    await rig.wait_for("item/agentMessage/delta", deltas + 2)
    os.killpg(conversation.server.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    result = await turn
    assert result.status == "interrupted"
    await rig.wait_for("x-optio-reconnected")
    await asyncio.sleep(0.3)
    assert conversation.active_turn_id is None
    assert rig.count("x-optio-turn-resend") == 0
    model_server.script(ms.text("next"))
    assert (await conversation.run_turn("go on", timeout=30)).final_text == "next"


async def test_crash_before_any_turn_starts_a_new_thread(
    rig: Rig, model_server: ScriptedModelServer
) -> None:
    conversation = await rig.start()
    first = conversation.thread_id
    server: DetachedAppServer = conversation.server  # type: ignore[assignment]
    os.killpg(server.pid, signal.SIGKILL)
    await rig.wait_for("x-optio-reconnected")
    assert rig.count("x-optio-thread-restarted") == 1
    assert conversation.thread_id and conversation.thread_id != first
    model_server.script(ms.text("fresh"))
    assert (await conversation.run_turn("hello", timeout=30)).final_text == "fresh"


async def test_watchdog_settles_a_turn_whose_completion_was_lost(
    rig: Rig, model_server: ScriptedModelServer
) -> None:
    dropper = CompletionDropper()
    conversation = await rig.start("attached", wrap=dropper.wrap, inactivity_timeout=0.5)
    model_server.script(ms.text("all done"))
    result = await conversation.run_turn("quick", timeout=30)
    assert dropper.dropped == 1
    assert result.status == "completed" and result.final_text == "all done"
    assert rig.count("x-optio-watchdog") == 1
    assert rig.count("turn/completed") == 1  # the reconciled end, published once


async def test_close_during_recovery_ends_promptly(rig: Rig) -> None:
    conversation = await rig.start(reconnect_timeout=60)
    server: DetachedAppServer = conversation.server  # type: ignore[assignment]
    os.kill(server.pid, signal.SIGSTOP)  # alive but unresponsive: reconnects keep failing
    try:
        cut(conversation)
        await rig.wait_for("x-optio-connection-lost")
        async with asyncio.timeout(10):
            await conversation.close()
        assert conversation.closed
    finally:
        os.kill(server.pid, signal.SIGCONT)
    assert not await is_alive(LocalOps(), server.process)


def link_pollers() -> list[asyncio.Task[Any]]:
    """Tasks that only wait on an asyncio.Event: what a polling wait for the link leaves
    pending (it wrapped the link-up and closed events in tasks on every round)."""
    return [t for t in asyncio.all_tasks() if t.get_coro().__qualname__ == "Event.wait"]


async def until_waiting(task: asyncio.Task[Any]) -> None:
    """Give the loop a few rounds (a poll, if any, would go round meanwhile)."""
    for _ in range(10):
        await asyncio.sleep(0.05)
    assert not task.done(), "the request should still wait for the link"


async def test_a_request_in_the_gap_waits_on_the_link_not_a_poll(rig: Rig) -> None:
    conversation = await rig.start(reconnect_timeout=60)
    server: DetachedAppServer = conversation.server  # type: ignore[assignment]
    os.kill(server.pid, signal.SIGSTOP)  # alive but unresponsive: the gap lasts
    try:
        cut(conversation)
        await rig.wait_for("x-optio-connection-lost")
        waiting = asyncio.create_task(conversation.request("model/list", timeout=30))
        await until_waiting(waiting)
        assert link_pollers() == []  # it waits on one link-changed signal, nothing else
        async with asyncio.timeout(10):
            await conversation.close()
            # Released by the close: the link will not come back.
            with pytest.raises((ConversationClosed, ConnectionLost)):
                await waiting
    finally:
        os.kill(server.pid, signal.SIGCONT)
    assert link_pollers() == []


async def test_a_request_in_the_gap_is_released_when_recovery_gives_up(rig: Rig) -> None:
    conversation = await rig.start(relaunch=None, reconnect_timeout=60)
    server: DetachedAppServer = conversation.server  # type: ignore[assignment]
    os.kill(server.pid, signal.SIGSTOP)
    cut(conversation)
    await rig.wait_for("x-optio-connection-lost")
    waiting = asyncio.create_task(conversation.request("model/list", timeout=30))
    await until_waiting(waiting)
    os.kill(server.pid, signal.SIGKILL)  # gone, and nothing may relaunch it: recovery gives up
    async with asyncio.timeout(30):
        with pytest.raises(ConversationClosed, match="gone"):
            await waiting
    assert conversation.closed and not conversation.recovering
    assert link_pollers() == []


async def test_detach_leaves_the_server_running_for_a_reattach(
    rig: Rig, model_server: ScriptedModelServer
) -> None:
    conversation = await rig.start()
    server: DetachedAppServer = conversation.server  # type: ignore[assignment]
    model_server.script(ms.slow(ANSWER, 0.02, chunk_size=8))
    turn_id = await conversation.submit("keep working")
    await rig.wait_for("item/agentMessage/delta", 2)
    await conversation.detach()
    assert conversation.closed and await is_alive(LocalOps(), server.process)
    again = await attach_detached_app_server(LocalDialer(), server.process)
    resumed = await CodexConversation.start(
        again,
        ConversationOptions(cwd=str(rig.env.workspace), resume_thread_id=conversation.thread_id),
        recovery=RecoverySettings(),
    )
    rig.conversations.append(resumed)
    assert turn_id is not None
    assert resumed.active_turn_id == turn_id  # adopted on resume
    result = await resumed.wait_for_turn(turn_id, timeout=30)
    assert result.final_text == ANSWER
    assert len(model_server.responses_requests) == 1


# --- fault injection the real server cannot produce ------------------------------------------


class _Wrapped:
    def __init__(self, server: Any, stream: ByteStream) -> None:
        self._server = server
        self.stream = stream
        self.pid = server.pid

    async def stop(self, grace: float = 3.0) -> int | None:
        result: int | None = await self._server.stop(grace)
        return result


class _LineFilter:
    """A ByteStream that lets ``drop(line)`` remove incoming lines."""

    def __init__(self, inner: ByteStream, drop: Callable[[bytes], bool]) -> None:
        self.inner = inner
        self.drop = drop
        self._buffer = b""

    async def read(self) -> bytes:
        while True:
            data = await self.inner.read()
            if not data:
                return self._buffer
            lines = (self._buffer + data).split(b"\n")
            self._buffer = lines.pop()
            kept = [line for line in lines if not self.drop(line)]
            if kept:
                return b"\n".join(kept) + b"\n"

    async def write(self, data: bytes) -> None:
        await self.inner.write(data)

    async def close(self) -> None:
        await self.inner.close()

    def stderr_tail(self) -> str:
        return self.inner.stderr_tail()


class CompletionDropper:
    """Drops the first turn/completed, as a lost signal would."""

    def __init__(self) -> None:
        self.dropped = 0

    def wrap(self, server: Any) -> Any:
        return _Wrapped(server, _LineFilter(server.stream, self._drop))

    def _drop(self, line: bytes) -> bool:
        if self.dropped == 0 and b'"method":"turn/completed"' in line:
            self.dropped += 1
            return True
        return False


class AckDropper:
    """Swallows the turn/start response and breaks the connection: did codex take the turn?"""

    def __init__(self) -> None:
        self.dropped = 0
        self.server: Any = None

    def wrap(self, server: Any) -> Any:
        self.server = server
        filtered = _LineFilter(server.stream, self._drop)
        outer = self

        class Handle(DetachedAppServer):
            def __init__(self) -> None:
                self.__dict__.update(server.__dict__)
                self._first: Any = filtered

            @property
            def stream(self) -> Any:
                return self._first

            async def reconnect(self) -> Any:
                self._first = await DetachedAppServer.reconnect(self)
                return self._first

        del outer
        return Handle()

    def _drop(self, line: bytes) -> bool:
        if self.dropped == 0 and b'"result":{"turn":' in line:
            self.dropped += 1
            self.server.stream._writer.transport.abort()
            return True
        return False
