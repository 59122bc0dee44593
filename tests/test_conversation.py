"""CodexConversation's turn lifecycle against the real app-server (local and over SSH)."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest
from optio_agents.conversation import Conversation, ConversationClosed

from optio_codex.driver.conversation import CodexConversation, ConversationOptions, TurnRejected
from optio_codex.driver.events import Overflow
from optio_codex.testing.catalog import MOCK_ALT_MODEL_SLUG, MOCK_MODEL_SLUG
from optio_codex.testing.model_server import ScriptedModelServer, slow, text
from tests.conftest import Launcher
from tests.support.fake_server import FakeAppServer


@pytest.fixture(params=["local", "ssh"])
def start(request: pytest.FixtureRequest) -> Launcher:
    launcher: Launcher = request.getfixturevalue(f"start_{request.param}")
    return launcher


async def test_implements_the_optio_conversation_protocol(start: Launcher) -> None:
    conversation = await start()
    assert isinstance(conversation, Conversation)
    assert not conversation.is_pending() and not conversation.closed
    await conversation.close()
    assert conversation.closed
    await conversation.close()  # idempotent


async def test_on_message_gets_final_text_once_per_turn(
    start: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start()
    finals: list[str] = []
    conversation.on_message(finals.append)
    model_server.script(text("first answer"), text("second answer"))
    await conversation.run_turn("one", timeout=30)
    await conversation.run_turn("two", timeout=30)
    await asyncio.sleep(0.05)
    assert finals == ["first answer", "second answer"]
    assert [t.final_text for t in conversation.turns] == finals
    assert conversation.total_usage.total_tokens == sum(
        t.usage.total_tokens for t in conversation.turns
    )


async def test_send_during_a_turn_steers_it(
    start: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start()
    gate = model_server.hold()
    model_server.script(slow("working on it", 0.01).held(gate), text("took the steer into account"))
    first = await conversation.submit("start")
    await gate.wait_reached(10)
    assert conversation.is_pending()
    steered = await conversation.submit("also do this")
    assert steered == first  # the same turn: never a second turn/start
    gate.release()
    result = await conversation.wait_for_turn(first, timeout=30)
    assert result.ok and result.final_text == "took the steer into account"
    assert len(conversation.turns) == 1
    # codex took the steered text to the model within the same turn.
    assert "also do this" in str(model_server.responses_requests[-1].body["input"])


async def test_queue_mode_sends_after_the_turn(
    start: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start(busy_send="queue")
    gate = model_server.hold()
    model_server.script(slow("first", 0.01).held(gate), text("second"))
    first = await conversation.submit("one")
    await gate.wait_reached(10)
    assert await conversation.submit("two") is None  # queued
    gate.release()
    await conversation.wait_for_turn(first, timeout=30)
    second = await conversation.wait_for_turn(timeout=30)
    assert second.turn_id != first and second.final_text == "second"


async def test_interrupt_mid_stream(start: Launcher, model_server: ScriptedModelServer) -> None:
    conversation = await start()
    gate = model_server.hold()
    model_server.script(slow("never finished", 0.01).held(gate))
    turn_id = await conversation.submit("go")
    await gate.wait_reached(10)
    result = await conversation.interrupt()
    assert result is not None and result.turn_id == turn_id
    assert result.status == "interrupted" and not result.synthetic
    assert not conversation.is_pending()
    assert await conversation.interrupt() is None  # idle: a no-op
    gate.release()
    model_server.script(text("still alive"))
    assert (await conversation.run_turn("next", timeout=30)).final_text == "still alive"


async def test_killed_app_server_settles_everything(
    start: Launcher, model_server: ScriptedModelServer, request: pytest.FixtureRequest
) -> None:
    conversation = await start()
    gate = model_server.hold()
    model_server.script(slow("doomed", 0.01).held(gate))
    turn_id = await conversation.submit("go")
    await gate.wait_reached(10)
    waiter = asyncio.create_task(conversation.wait_for_turn(turn_id))
    pending_request = asyncio.create_task(conversation.request("model/list", timeout=30))
    server: Any = conversation._server
    if hasattr(server, "conn"):  # over SSH: kill -9 on the host
        await server.conn.run(f"kill -KILL {server.pid}", check=True)
    else:
        os.kill(server.pid, signal.SIGKILL)
    reason = await asyncio.wait_for(conversation.wait_closed(), 10)
    assert reason
    result = await asyncio.wait_for(waiter, 5)
    assert result.synthetic and result.status == "interrupted"
    # The in-flight request settled too: either answered before the kill, or failed.
    await asyncio.wait_for(asyncio.gather(pending_request, return_exceptions=True), 5)
    with pytest.raises(ConversationClosed):
        await conversation.send("anyone there?")
    gate.release()


async def test_model_and_effort_switch_on_the_next_turn(
    start_local: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start_local()
    model_server.script(text("a"), text("b"))
    await conversation.run_turn("first", timeout=30)
    await conversation.set_control("reasoning_effort", "high")
    await conversation.run_turn("second", timeout=30)
    first, second = model_server.responses_requests[-2:]
    assert first.body["reasoning"]["effort"] != "high"
    assert second.body["reasoning"]["effort"] == "high"


async def test_model_switch_names_the_new_model_on_the_next_turn(
    start_local: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start_local()
    offered = [str(entry.get("id")) for entry in conversation.models]
    assert offered[:2] == [MOCK_MODEL_SLUG, MOCK_ALT_MODEL_SLUG]  # model/list: the mock catalog
    model_server.script(text("from the first model"), text("from the second model"))
    await conversation.run_turn("first", timeout=30)
    await conversation.set_control("model", MOCK_ALT_MODEL_SLUG)
    result = await conversation.run_turn("second", timeout=30)
    assert result.final_text == "from the second model"
    first, second = model_server.responses_requests[-2:]
    assert first.body["model"] == MOCK_MODEL_SLUG
    assert second.body["model"] == MOCK_ALT_MODEL_SLUG


async def test_rejected_turn_start_surfaces_as_an_event() -> None:
    # The real server rejects turn/start only for inputs our API never builds, so a fake
    # server answers it with the real server's error.
    server = FakeAppServer(
        {
            "turn/start": lambda m: {
                "error": {"code": -32600, "message": "Invalid request: unknown variant"}
            }
        }
    )
    conversation = await CodexConversation.start(server, ConversationOptions(cwd="/w"))
    events = conversation.subscribe()
    with pytest.raises(TurnRejected, match="unknown variant"):
        await conversation.send("hello")
    event = await events.get()
    assert event is not None and event.type == "x-optio-turn-rejected"
    assert event["text"] == "hello" and event["code"] == -32600
    assert not conversation.is_pending()
    await conversation.close()


async def test_set_control_rejects_an_effort_the_model_lacks(
    start_local: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start_local()
    with pytest.raises(ValueError, match="reasoning effort"):
        await conversation.set_control("reasoning_effort", "ludicrous")
    await conversation.set_control("unknown-control", "x")  # ignored


async def test_error_with_will_retry_is_not_a_turn_end(
    start_local: Launcher, model_server: ScriptedModelServer, codex_env: Any
) -> None:
    # Let codex retry a dropped stream once: it reports error{willRetry:true}, then succeeds.
    from optio_codex.testing.codex_home import write_test_codex_home
    from optio_codex.testing.model_server import dropped

    write_test_codex_home(
        codex_env.codex_home,
        model_server.base_url,
        extra={"model_providers": {"mock": {"stream_max_retries": 1}}},
    )
    conversation = await start_local()
    events = conversation.subscribe()
    model_server.script(dropped("partial"), text("complete after retry"))
    result = await conversation.run_turn("go", timeout=30)
    assert result.ok and result.final_text == "complete after retry"
    errors = []
    while len(events):
        event = await events.get()
        if event is not None and event.method == "error":
            errors.append(event.params)
    assert errors and all(e.get("willRetry") for e in errors)


async def test_slow_subscriber_is_bounded(
    start_local: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation: CodexConversation = await start_local()
    slow_sub = conversation.subscribe(maxsize=5, overflow=Overflow.DROP_OLDEST)
    strict_sub = conversation.subscribe(maxsize=5, overflow=Overflow.DISCONNECT)
    model_server.script(text("x" * 400, chunk_size=4))  # 100 deltas
    await conversation.run_turn("flood", timeout=30)
    assert len(slow_sub) == 5 and slow_sub.dropped > 50
    assert strict_sub.closed and "behind" in (strict_sub.close_reason or "")
    # The newest events survive drop-oldest.
    last = slow_sub.get_nowait_batch()[-1]
    assert last.type in ("turn/completed", "thread/status/changed")
