"""Durable conversations over real SSH: the network cut under streaming turns and approvals.

Real sshd, real codex (a detached app-server reached through direct-streamlocal), and a TCP
relay between the client and sshd that resets connections (``cut``) or refuses them for a
while (``set_down``). The harness in :mod:`optio_codex.testing.cuts` runs the turns and cuts;
these tests hold it to the promise: every turn completes with its full text, no turn runs
twice, no command runs twice, and every cut costs exactly one reconnect.

Run with ``-s`` to see the per-turn table.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from optio_codex.binary import CodexBinary
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.events import CodexEvent
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.recovery import RecoverySettings
from optio_codex.hosts.detached_server import (
    DetachedAppServer,
    SshDialer,
    start_detached_app_server,
)
from optio_codex.hosts.launch import app_server_argv
from optio_codex.hosts.reconnect import SshSession
from optio_codex.protocol.errors import MethodNotFoundError
from optio_codex.testing import model_server as ms
from optio_codex.testing.cuts import CutPlan, CutReport, instrument, label, run_cuts
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import SshdInfo
from tests.conftest import CodexEnv, ssh_target
from tests.support.procs import wait_gone

# Where in a stream the cuts land, as shares of its length: anywhere, up to its very end
# (a gap that swallows the message's item/completed is repaired from turn/completed's items;
# the first test after the suites makes that case deterministic).
CUT_WINDOW = (0.05, 1.0)


@dataclass
class Durable:
    """A detached conversation over SSH through the relay."""

    session: SshSession
    conversation: CodexConversation
    command_log: Path


@pytest.fixture
async def durable(
    codex_binary: CodexBinary, codex_env: CodexEnv, sshd: SshdInfo, relay: TcpRelay
) -> AsyncIterator[Durable]:
    session = SshSession(
        ssh_target(sshd, port=relay.port),
        reconnect_timeout=60,
        backoff_initial=0.05,
        backoff_max=0.5,
    )
    await session.connect()
    conversation: CodexConversation | None = None
    try:
        server = await start_detached_app_server(
            SshDialer(session),
            app_server_argv(str(codex_binary.path)),
            env=codex_env.env,
            cwd=str(codex_env.workspace),
            socket_path=str(codex_env.root / "app.sock"),
            log_path=str(codex_env.root / "app.log"),
        )
        conversation = await CodexConversation.start(
            server,
            ConversationOptions(cwd=str(codex_env.workspace)),
            GateSettings(human=True),
            RecoverySettings(backoff_max=0.5, reconnect_timeout=60),
        )
        yield Durable(session, conversation, codex_env.workspace / "commands.log")
    finally:
        relay.set_down(False)
        if conversation is not None:
            await conversation.close()
        await session.close()
        assert await wait_gone(codex_env.codex_home) == []


def _show(report: CutReport) -> None:
    print()
    print(report.table())
    print(report.summary())


def _assert_nothing_lost(report: CutReport, conversation: CodexConversation) -> None:
    for turn in report.turns:
        where = f"{label(turn.index)} ({turn.kind}): {turn.error or ''}"
        assert turn.status == "completed" and not turn.synthetic, where
        assert turn.final_text == turn.expected_text, where
        assert turn.items_lost == 0, where
        assert turn.occurrences == 1, where  # its input is in exactly one turn
        assert turn.model_calls == turn.expected_model_calls, where  # nothing re-ran
        assert turn.reconnected and turn.reconnect_ms is not None, where
        if turn.kind == "approval":
            assert turn.command_runs == 1, where
            assert turn.prompts == 1, where  # the human was asked once, not again
    assert report.unused_steps == 0
    assert conversation.reconnects == report.cuts
    assert conversation.relaunches == 0
    assert not conversation.closed


async def test_twenty_cuts_at_random_points_lose_nothing(
    durable: Durable, relay: TcpRelay, model_server: ScriptedModelServer
) -> None:
    server = durable.conversation.server
    assert isinstance(server, DetachedAppServer)
    timeline = instrument(server)  # times the phases of each reconnect
    plan = CutPlan(
        turns=20, approval_share=0.3, seed=20_250_611, answer_words=200, cut_window=CUT_WINDOW
    )
    report = await run_cuts(
        durable.conversation,
        relay,
        model_server,
        command_log=durable.command_log,
        plan=plan,
        session=durable.session,
        timeline=timeline,
    )
    _show(report)
    assert report.cuts == 20 and report.approval_cuts >= 5
    # Both ways of answering an approval were exercised, and the cuts hit running turns.
    approvals = [t for t in report.turns if t.kind == "approval"]
    assert any(t.answered_in_gap for t in approvals)
    assert any(t.answered_in_gap is False for t in approvals)
    assert report.cuts_landed == 20
    _assert_nothing_lost(report, durable.conversation)
    # Every command ran exactly once: one line per approval turn, nothing else.
    lines = durable.command_log.read_text().splitlines()
    assert sorted(lines) == sorted(label(t.index) for t in approvals)


async def test_outages_are_waited_out(
    durable: Durable, relay: TcpRelay, model_server: ScriptedModelServer
) -> None:
    plan = CutPlan(
        turns=4,
        approval_share=0.5,
        outage_ms=(300.0, 800.0),
        seed=7,
        answer_words=400,  # about 2.7 s of stream: the network is back well before its end
        cut_window=(0.05, 0.4),
    )
    report = await run_cuts(
        durable.conversation,
        relay,
        model_server,
        command_log=durable.command_log,
        plan=plan,
        session=durable.session,
    )
    _show(report)
    assert all(300 <= t.outage_ms <= 800 for t in report.turns)
    _assert_nothing_lost(report, durable.conversation)
    # The reconnect waited for the network: no turn was given up while it was down.
    assert all(t.reconnect_ms is not None and t.reconnect_ms >= 0 for t in report.turns)


async def test_message_completed_during_the_gap_reaches_the_result(
    durable: Durable, relay: TcpRelay, model_server: ScriptedModelServer
) -> None:
    """The end-of-stream race the random cuts hit now and then, made deterministic.

    The agent's message completes while the network is down (its ``item/completed`` goes
    nowhere), the link comes back while the turn is still finishing (so the reconcile after
    the resume finds it running), and then codex sends ``turn/completed``, whose ``items``
    hold the full message. The conversation settles the turn from the ledger alone, which
    never saw the message: the turn reads ``completed`` with an empty final text.
    """
    conversation = durable.conversation
    answer = "the whole answer, streamed before the cut and completed during it"
    events: list[str] = []
    conversation.on_event(lambda e: events.append(CodexEvent(e).type))
    before_item_done, before_completed = model_server.hold(), model_server.hold()
    step = ms.text(answer, chunk_size=8)
    kinds = [e.type for e in step.events]
    step = step.held(before_item_done, after_events=kinds.index("response.output_item.done"))
    step = step.held(before_completed, after_events=kinds.index("response.completed"))
    model_server.script(step)
    turn_id = await conversation.submit("answer me")
    await before_item_done.wait_reached()  # every delta is out; the message is not done
    relay.set_down(True)
    try:
        await _wait_for(events, "x-optio-connection-lost")
        before_item_done.release()
        await before_completed.wait_reached()  # codex has the finished message item
        await asyncio.sleep(0.2)  # ... and has sent its item/completed into the void
    finally:
        relay.set_down(False)
    await _wait_for(events, "x-optio-reconnected")  # the reconcile found the turn running
    before_completed.release()
    result = await conversation.wait_for_turn(turn_id, timeout=30)
    assert result.status == "completed"
    assert result.final_text == answer
    assert any(i.get("type") == "agentMessage" for i in result.items)


async def _wait_for(events: list[str], kind: str, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while kind not in events:
            await asyncio.sleep(0.01)


async def test_first_turn_sent_into_a_cut_is_delivered(
    durable: Durable, relay: TcpRelay, model_server: ScriptedModelServer
) -> None:
    """The thread's very first turn/start goes out on a link that has just died.

    After the reconnect the thread is restarted (it had no rollout), and the conversation asks
    ``thread/read {includeTurns: true}`` whether codex took the input: on a thread with no
    turn codex answers -32601, and the message is rejected instead of being sent again.
    """
    conversation = durable.conversation
    model_server.script(ms.text("first answer"))
    turn = asyncio.create_task(conversation.run_turn("the very first turn", timeout=30))
    relay.set_down(True)  # before the task runs: turn/start is written into a dead link
    await asyncio.sleep(0.3)
    relay.set_down(False)
    result = await turn
    assert result.final_text == "first answer"


async def test_cut_before_the_first_turn_after_a_thread_read(
    durable: Durable, relay: TcpRelay, model_server: ScriptedModelServer
) -> None:
    """A UI reads the fresh thread with its turns (codex: -32601), then the network drops.

    codex now answers thread/resume with the same -32601 rather than "no rollout found", so
    the conversation neither restarts the thread nor gives up: it retries for
    ``reconnect_timeout`` (600 s by default) and every send waits that long.
    """
    conversation = durable.conversation
    with pytest.raises(MethodNotFoundError, match="list_turns"):
        await conversation.request(
            "thread/read", {"threadId": conversation.thread_id, "includeTurns": True}
        )
    events: list[str] = []
    conversation.on_event(lambda e: events.append(CodexEvent(e).type))
    await relay.cut()
    await _wait_for(events, "x-optio-reconnected", timeout=10)
    model_server.script(ms.text("still here"))
    assert (await conversation.run_turn("hello", timeout=30)).final_text == "still here"
