"""The handshake and the thread's opening on one endpoint: initialize, thread/start or
thread/resume, thread/read. Endpoint calls only; the conversation keeps what they return."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from optio_codex._version import __version__
from optio_codex.driver.events import CodexEvent, synthetic
from optio_codex.driver.options import CLIENT_NAME, ConversationOptions
from optio_codex.driver.recovery import TurnOutcome, has_no_turns
from optio_codex.driver.turns import TurnLedger
from optio_codex.protocol.endpoint import JsonRpcEndpoint
from optio_codex.protocol.errors import CodexProtocolError, ConnectionLost, RpcError

log = logging.getLogger(__name__)

# How long a resume waits for the rollout of a turn that is just starting.
_ROLLOUT_PATIENCE = 5.0


async def initialize(endpoint: JsonRpcEndpoint, options: ConversationOptions) -> Any:
    """Start the endpoint, ``initialize`` and ``initialized``; returns the server's info."""
    endpoint.start()
    info = await endpoint.request(
        "initialize",
        {
            "clientInfo": {"name": CLIENT_NAME, "title": "optio-codex", "version": __version__},
            "capabilities": {"optOutNotificationMethods": list(options.opt_out_notifications)},
        },
    )
    await endpoint.notify("initialized")
    return info


async def optional_request(
    endpoint: JsonRpcEndpoint, method: str, params: dict[str, Any]
) -> Any | None:
    """A request whose failure only warns (account/read, model/list); a lost link raises."""
    try:
        return await endpoint.request(method, params, timeout=15)
    except (RpcError, CodexProtocolError) as exc:
        if isinstance(exc, ConnectionLost):
            raise
        log.warning("%s failed (continuing): %s", method, exc.summary)
        return None


def thread_params(options: ConversationOptions) -> dict[str, Any]:
    # Passed explicitly every time: on resume codex restores the model and approval policy
    # from the rollout but NOT the sandbox, which would fall back to the config default.
    params: dict[str, Any] = {
        "cwd": options.cwd,
        "sandbox": options.sandbox,
        "approvalPolicy": options.approval_policy,
    }
    if options.model:
        params["model"] = options.model
    if options.thread_config:
        params["config"] = options.thread_config
    return params


async def start_thread(endpoint: JsonRpcEndpoint, options: ConversationOptions) -> Any:
    params = thread_params(options)
    if options.developer_instructions:
        params["developerInstructions"] = options.developer_instructions
    return await endpoint.request("thread/start", params)


async def resume_thread(
    endpoint: JsonRpcEndpoint,
    options: ConversationOptions,
    thread_id: str,
    *,
    rollout_coming: Callable[[], bool] | None = None,
) -> Any:
    """thread/resume. ``rollout_coming``: the server that holds the thread still runs and a
    turn may just be starting — its rollout appears a moment after the turn does, and until
    then codex says the thread has none. Wait for it rather than start a new thread."""
    params = thread_params(options)
    params["threadId"] = thread_id
    params["excludeTurns"] = True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _ROLLOUT_PATIENCE
    while True:
        try:
            return await endpoint.request("thread/resume", params)
        except RpcError as exc:
            waiting = rollout_coming is not None and rollout_coming() and loop.time() < deadline
            if not (has_no_turns(exc.rpc_message) and waiting):
                raise
        await asyncio.sleep(0.1)


async def open_thread(
    endpoint: JsonRpcEndpoint,
    options: ConversationOptions,
    resume_id: str | None,
    *,
    rollout_coming: Callable[[], bool] | None = None,
    restarted: Callable[[str], None] = lambda _old: None,
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Resume ``resume_id`` (thread/start without one): the thread, its id and the sandbox
    codex reports. A thread that never had a turn cannot be resumed (codex writes nothing
    until the first one): it is started again with the same settings, and ``restarted``
    hears the old id."""
    if resume_id:
        try:
            result = await resume_thread(
                endpoint, options, resume_id, rollout_coming=rollout_coming
            )
        except RpcError as exc:
            if not has_no_turns(exc.rpc_message):
                raise
            log.info("thread %s has no rollout yet; starting a new thread", resume_id)
            restarted(resume_id)
            result = await start_thread(endpoint, options)
    else:
        result = await start_thread(endpoint, options)
    thread = result.get("thread") or {}
    thread_id = thread.get("id")
    if not thread_id:
        raise CodexProtocolError(f"thread/start returned no thread id: {result!r}")
    return thread, str(thread_id), result.get("sandbox") or {}


async def read_turns(endpoint: JsonRpcEndpoint, thread_id: str | None) -> Any | None:
    """thread/read with turns; None while the thread has none (codex then refuses)."""
    try:
        return await endpoint.request("thread/read", {"threadId": thread_id, "includeTurns": True})
    except RpcError as exc:
        if has_no_turns(exc.rpc_message):
            return None
        raise


__all__ = [
    "initialize",
    "open_thread",
    "optional_request",
    "read_turns",
    "resume_thread",
    "start_thread",
    "thread_params",
]


def adopt_turn(
    outcome: TurnOutcome, ledger: TurnLedger, publish: Callable[[CodexEvent], None]
) -> None:
    """Follow a turn the server is still running, with the items that completed before we
    came back (a reattach to a live server)."""
    if outcome.ended:
        return
    ledger.begin(outcome.turn_id)
    for item in outcome.items:
        ledger.item_completed(outcome.turn_id, item)
    publish(synthetic("x-optio-turn-adopted", turnId=outcome.turn_id))
