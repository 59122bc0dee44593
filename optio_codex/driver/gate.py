"""The permission gate: every request codex can send us gets an answer.

Codex stalls a turn on any server request left unanswered, so each one is answered by a rule of
the :class:`PermissionPolicy`, by a human (within a deadline), or by the policy's fallback, which
denies. Answers survive a reconnect: codex asks again under a new id and gets the same answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from optio_agents.conversation import PermissionDecision, PermissionRequest

from optio_codex.driver.approvals import (
    CodexPermissionDecision,
    CodexPermissionRequest,
    Decision,
)
from optio_codex.driver.policies import DenyAll, PermissionPolicy

log = logging.getLogger(__name__)


PermissionHandler = Callable[[PermissionRequest], Awaitable[PermissionDecision]]
AnswerSender = Callable[[CodexPermissionRequest, CodexPermissionDecision], Awaitable[None]]
GateListener = Callable[[str, dict[str, Any]], None]


@dataclass
class _Pending:
    request: CodexPermissionRequest
    answered: asyncio.Future[CodexPermissionDecision]
    task: asyncio.Task[None] | None = None
    detached: bool = False  # its connection was lost; codex will ask again after a resume


def replay_key(request: CodexPermissionRequest) -> str:
    """What identifies a request across connections: codex numbers requests per connection
    and asks again, under a new id, whatever was pending when a client resumes the thread."""
    if request.item_id:
        return f"{request.method}|{request.thread_id}|{request.turn_id}|{request.item_id}"
    volatile = {"_meta"}
    stable = {k: v for k, v in request.input.items() if k not in volatile}
    return f"{request.method}|{json.dumps(stable, sort_keys=True, default=str)}"


_RECENT_ANSWERS = 128


@dataclass(kw_only=True)
class GateSettings:
    """How the gate behaves. ``human`` True: a person answers (through a registered
    handler or :meth:`PermissionGate.answer`) and requests wait for one; False: the policy
    alone decides at once."""

    policy: PermissionPolicy = field(default_factory=DenyAll)
    human: bool = False
    human_timeout: float | None = 300.0

    def __post_init__(self) -> None:
        if self.human_timeout is not None and self.human_timeout <= 0:
            raise ValueError("GateSettings.human_timeout must be positive or None")


class PermissionGate:
    """Answers approval requests; knows nothing of the transport (it is given a sender)."""

    def __init__(self, settings: GateSettings, send_answer: AnswerSender) -> None:
        self.settings = settings
        self._send_answer = send_answer
        self._handler: PermissionHandler | None = None
        self._pending: dict[int | str, _Pending] = {}
        # Across a reconnect: prompts still open for their replay, answers not yet delivered,
        # and the last answers sent (one may have been lost with the connection).
        self._detached: dict[str, _Pending] = {}
        self._held: dict[str, CodexPermissionDecision] = {}
        self._recent: OrderedDict[str, CodexPermissionDecision] = OrderedDict()
        self._aliases: dict[int | str, int | str] = {}  # old request id -> its replay's id
        self._replaying = False  # from a connection loss until the resume has settled
        self._listeners: list[GateListener] = []
        self.answered_count = 0
        self._tasks: set[asyncio.Task[None]] = set()  # strong refs: the loop keeps weak ones

    # -- registration --

    def set_handler(self, handler: PermissionHandler) -> Callable[[], None]:
        """Register the human handler (at most one; replaces a prior one)."""
        self._handler = handler
        for pending in list(self._pending.values()):
            if pending.task is None and not pending.answered.done():
                pending.task = asyncio.get_running_loop().create_task(
                    self._ask_handler(pending, handler)
                )

        def unsubscribe() -> None:
            if self._handler is handler:
                self._handler = None

        return unsubscribe

    def add_listener(self, listener: GateListener) -> None:
        """``listener(event_type, payload)`` hears of prompts opening and closing."""
        self._listeners.append(listener)

    @property
    def pending(self) -> list[CodexPermissionRequest]:
        return [p.request for p in (*self._pending.values(), *self._detached.values())]

    # -- the flow --

    def submit(self, request: CodexPermissionRequest) -> None:
        """Take a request; it will be answered exactly once."""
        if self._take_replay(request):
            return
        decision = self._policy_decision(request)
        if decision is not None:
            self._spawn(self._finish(request, decision))
            return
        if not self.settings.human:
            fallback = self.settings.policy.fallback(request, "no human attached: denied by policy")
            self._spawn(self._finish(request, fallback))
            return
        loop = asyncio.get_running_loop()
        pending = _Pending(request, loop.create_future())
        self._pending[request.request_id] = pending
        self._emit("x-optio-permission-request", request.to_event())
        if self._handler is not None:
            pending.task = loop.create_task(self._ask_handler(pending, self._handler))
        self._spawn(self._await_answer(pending))

    def answer(self, request_id: int | str, decision: PermissionDecision) -> bool:
        """Answer a pending request from outside (UI, terminal). False if none is pending."""
        pending = self._pending.get(request_id)
        if pending is None and request_id in self._aliases:
            pending = self._pending.get(self._aliases[request_id])
        if pending is None:
            pending = next(
                (p for p in self._detached.values() if p.request.request_id == request_id), None
            )
        if pending is None or pending.answered.done():
            return False
        pending.answered.set_result(CodexPermissionDecision.upgrade(decision))
        return True

    def resolved_elsewhere(self, request_id: int | str) -> None:
        """serverRequest/resolved: codex no longer waits (answered, or the turn ended)."""
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return
        if pending.task is not None:
            pending.task.cancel()
        if not pending.answered.done():
            pending.answered.cancel()
        self._emit("x-optio-permission-resolved", {"requestId": request_id, "by": "server"})

    def close(self, reason: str) -> None:
        """The conversation ended: drop every prompt (nobody can answer it now)."""
        self.drop_detached(reason)
        for request_id in list(self._pending):
            self._drop(self._pending.pop(request_id), reason)
        self._aliases.clear()
        self._recent.clear()

    # -- across a reconnect --

    def connection_lost(self) -> None:
        """The link broke but the thread lives on: keep the prompts open for their replay.

        Answers given meanwhile are held and delivered when codex asks again.
        """
        self._replaying = True
        for pending in self._pending.values():
            pending.detached = True
            self._detached[replay_key(pending.request)] = pending
        self._pending.clear()

    def drop_detached(self, reason: str) -> None:
        """After a resume: prompts codex did not ask again for no longer matter."""
        for key in list(self._detached):
            self._drop(self._detached.pop(key), reason)
        self._held.clear()
        self._replaying = False

    def _take_replay(self, request: CodexPermissionRequest) -> bool:
        """A request codex asks again after a resume: answer or re-attach it, never re-ask."""
        if not self._replaying:
            return False
        key = replay_key(request)
        decision = self._held.pop(key, None) or self._recent.get(key)
        if decision is not None:
            self._detached.pop(key, None)
            self._spawn(self._finish(request, decision))
            return True
        pending = self._detached.pop(key, None)
        if pending is None:
            return False
        previous = pending.request.request_id
        pending.request = request
        pending.detached = False
        self._pending[request.request_id] = pending
        if previous != request.request_id:
            self._aliases[previous] = request.request_id
        self._emit(
            "x-optio-permission-rebound",
            {"requestId": request.request_id, "previousRequestId": previous},
        )
        if pending.answered.done() and not pending.answered.cancelled():
            self._spawn(self._finish(request, pending.answered.result()))
        return True

    def _drop(self, pending: _Pending, reason: str) -> None:
        if pending.task is not None:
            pending.task.cancel()
        if not pending.answered.done():
            pending.answered.cancel()
        self._emit(
            "x-optio-permission-resolved", {"requestId": pending.request.request_id, "by": reason}
        )

    def _policy_decision(self, request: CodexPermissionRequest) -> CodexPermissionDecision | None:
        try:
            return self.settings.policy.decide(request)
        except Exception:
            log.exception("permission policy raised; denying")
            return CodexPermissionDecision.of(
                Decision.DENY, message="permission policy failed", decided_by="policy"
            )

    async def _ask_handler(self, pending: _Pending, handler: PermissionHandler) -> None:
        try:
            decision = await handler(pending.request)
            result = CodexPermissionDecision.upgrade(decision)
        except asyncio.CancelledError:
            return
        except Exception:
            log.exception("permission handler raised; denying")
            result = CodexPermissionDecision.of(
                Decision.DENY, message="permission handler failed", decided_by="gate"
            )
        if not pending.answered.done():
            pending.answered.set_result(result)

    async def _await_answer(self, pending: _Pending) -> None:
        timeout = self.settings.human_timeout
        try:
            async with asyncio.timeout(timeout):
                decision = await asyncio.shield(pending.answered)
        except TimeoutError:
            decision = self.settings.policy.fallback(
                pending.request, f"no answer within {timeout:g}s: denied"
            )
            decision = CodexPermissionDecision(
                behavior=decision.behavior,
                message=decision.message,
                cancel=decision.cancel,
                decided_by="timeout",
            )
        except asyncio.CancelledError:
            return  # resolved by the server or the connection ended
        if pending.task is not None:
            pending.task.cancel()
        if pending.detached:
            # No connection to answer on: the replay after the resume takes this answer.
            self._held[replay_key(pending.request)] = decision
            return
        if self._pending.get(pending.request.request_id) is pending:
            await self._finish(pending.request, decision)

    async def _finish(
        self, request: CodexPermissionRequest, decision: CodexPermissionDecision
    ) -> None:
        self._pending.pop(request.request_id, None)
        key = replay_key(request)
        try:
            await self._send_answer(request, decision)
        except Exception as exc:
            # Most likely the connection broke: if codex asks again after a resume, this
            # answer is given then.
            log.warning("could not answer %s %r: %s", request.method, request.request_id, exc)
            self._held[key] = decision
            return
        self._recent[key] = decision
        while len(self._recent) > _RECENT_ANSWERS:
            self._recent.popitem(last=False)
        self.answered_count += 1
        self._emit(
            "x-optio-permission-resolved",
            {
                "requestId": request.request_id,
                "by": decision.decided_by,
                "decision": decision.decision.value,
                "message": decision.message,
            },
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _emit(self, event_type: str, payload: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(event_type, payload)
