"""Attention while a prompt waits, for every task with ``permission_gate=True``: each prompt
left to a human asks optio for attention once (``ctx.need_attention``: the dashboard tells
the person who launched the task) and says in the task's progress what waits; its answer,
when it comes, is a progress line too ("approved: ...", "denied: ... (by timeout)").

A prompt codex asks again after a reconnect is the same prompt: no second call for attention.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from optio_codex.driver.events import Subscription
from optio_codex.task.approval_records import asked_by
from optio_codex.task.companions import RunCompanion, RunEnding, RunView, conversation_of
from optio_codex.task.config import CodexTaskConfig

log = logging.getLogger(__name__)

_MAX_WHAT = 200  # a progress line names what waits, not all of it

# How each kind of request is put to the person: "codex asks to run: ls".
_ASKS = {
    "command": "codex asks to run",
    "file_change": "codex asks to change files",
    "permissions": "codex asks for permissions",
    "user_input": "codex asks",
    "mcp_elicitation": "an MCP server asks",
}
_OUTCOMES = {
    "allow": "approved",
    "allow_for_session": "approved for the session",
    "deny": "denied",
    "cancel": "denied, turn cancelled",
}


def waiting_reason(payload: dict[str, Any]) -> tuple[str, str]:
    """(the attention reason, what waits) for an ``x-optio-permission-request`` payload."""
    params = payload.get("params")
    asked = asked_by(str(payload.get("requestMethod")), params if isinstance(params, dict) else {})
    what = _short(asked.what)
    return f"{_ASKS.get(asked.kind, 'codex asks')}: {what}", what


def answered_line(what: str, payload: dict[str, Any]) -> str:
    """The progress line for an ``x-optio-permission-resolved`` payload."""
    decision, by = payload.get("decision"), payload.get("by")
    if decision is None:
        if by == "server":
            return f"no longer waiting: {what} (codex withdrew it)"
        return f"no longer waiting: {what} ({by})"
    return f"{_OUTCOMES.get(str(decision), str(decision))}: {what} (by {by})"


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_WHAT else line[: _MAX_WHAT - 1] + "…"


@dataclass
class _Waiting:
    request_id: Any
    what: str
    generation: int  # request ids start again on each connection: which one it belongs to


class Attention:
    """The run companion: follows the gate's prompts on the conversation's events."""

    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.waiting: list[_Waiting] = []
        self.asked = 0  # calls for attention made
        self._generation = 0
        self._ctx: Any = None
        self._subscription: Subscription | None = None
        self._follower: asyncio.Task[None] | None = None

    async def start(self, run: RunView) -> None:
        self._ctx = run.ctx
        self._subscription = conversation_of(run).subscribe(replay=True)
        self._follower = asyncio.get_running_loop().create_task(self._follow())

    async def stop(self, ending: RunEnding) -> None:
        if self._subscription is not None:
            self._subscription.close("run ending")
        if self._follower is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._follower, 5.0)

    async def _follow(self) -> None:
        assert self._subscription is not None
        async for event in self._subscription:
            kind = event.get("type")
            try:
                if kind == "x-optio-permission-request":
                    await self._waits(event)
                elif kind == "x-optio-permission-rebound":
                    self._rebound(event.get("previousRequestId"), event.get("requestId"))
                elif kind == "x-optio-permission-resolved":
                    self._answered(event)
                elif kind == "x-optio-connection-lost":
                    self._generation += 1
            except Exception:
                log.exception("attention: event ignored")

    async def _waits(self, payload: dict[str, Any]) -> None:
        request_id = payload.get("requestId")
        if any(
            w.request_id == request_id and w.generation == self._generation for w in self.waiting
        ):
            return
        reason, what = waiting_reason(payload)
        self.waiting.append(_Waiting(request_id, what, self._generation))
        self._ctx.report_progress(None, f"waiting for approval: {what}")
        need_attention = getattr(self._ctx, "need_attention", None)
        if need_attention is None:
            return
        self.asked += 1
        try:
            await need_attention(reason)
        except Exception as exc:  # the prompt still waits, and the progress says so
            log.warning("could not ask for attention: %s", exc)

    def _rebound(self, previous: Any, request_id: Any) -> None:
        """Asked again after a reconnect: the same prompt, no second call for attention."""
        for waiting in self.waiting:
            if waiting.request_id == previous and waiting.generation < self._generation:
                waiting.request_id, waiting.generation = request_id, self._generation
                return

    def _answered(self, payload: dict[str, Any]) -> None:
        request_id, decision, by = (payload.get(k) for k in ("requestId", "decision", "by"))
        found = [w for w in self.waiting if w.request_id == request_id]
        if not found:
            return
        # A drop concerns a prompt of an earlier connection when two share an id.
        dropped = decision is None and by != "server"
        waiting = min(found, key=lambda w: w.generation) if dropped else found[-1]
        self.waiting.remove(waiting)
        self._ctx.report_progress(None, answered_line(waiting.what, payload))


def attention_for(config: CodexTaskConfig) -> RunCompanion | None:
    """Only where a human answers prompts (``permission_gate=True``)."""
    return Attention(config) if config.permission_gate else None


__all__ = ["Attention", "answered_line", "attention_for", "waiting_reason"]
