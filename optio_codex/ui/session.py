"""What the listener does with a conversation: feeds its events to the log, rebuilds the
history for a fresh viewer, and carries out what a viewer asks (send, interrupt, answer,
control)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from optio_codex.driver.conversation import CodexConversation
from optio_codex.driver.events import Overflow
from optio_codex.ui.answers import (
    BadAnswer,
    decision_from,
    find_pending,
    open_question,
    request_key,
    text_answer,
)
from optio_codex.ui.controls import build_controls, model_catalog
from optio_codex.ui.event_log import EventLog
from optio_codex.ui.history import history_events
from optio_codex.ui.view_events import ViewTranslator, answered

log = logging.getLogger(__name__)

ControlsChanged = Callable[[list[dict[str, Any]]], Awaitable[None]]
_HISTORY_TIMEOUT = 10.0


class Closed(Exception):
    """The conversation ended: nothing can be sent to it."""


class ViewSession:
    def __init__(
        self,
        conversation: CodexConversation,
        log_: EventLog,
        *,
        allowed_controls: list[str] | None,
        controls_changed: ControlsChanged,
    ) -> None:
        self.conversation = conversation
        self.log = log_
        self.allowed_controls = allowed_controls
        self._controls_changed = controls_changed
        self.model = conversation.options.model
        self.effort = conversation.options.reasoning_effort
        self.active: tuple[str, int] | None = None  # the running turn and its first seq
        self._sends = 0
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- the event feed --

    async def pump(self) -> None:
        """Every conversation event, from its start, into the log (until it closes)."""
        subscription = self.conversation.subscribe(50_000, Overflow.DROP_OLDEST, replay=True)
        translate = ViewTranslator()
        async for event in subscription:
            for view_event in translate(event):
                self.feed(view_event)

    def feed(self, event: dict[str, Any]) -> int:
        seq = self.log.append(event)
        method = event.get("method")
        if method == "turn/started":
            turn_id = (event.get("params") or {}).get("turn", {}).get("id")
            if isinstance(turn_id, str):
                self.active = (turn_id, seq)
        elif method == "turn/completed":
            self.active = None
        return seq

    async def fresh_history(self) -> tuple[list[dict[str, Any]], int]:
        """The history block for a fresh viewer, and the live id it goes on from: the turns
        codex has finished (thread/read), then the running turn as it happened, from the log,
        so a prompt that waits is on screen and can be answered."""
        mark = self.log.last_seq
        tail_from = self.active[1] if self.active else mark + 1
        try:
            # Bounded as a whole: during an outage the request would wait for the link.
            async with asyncio.timeout(_HISTORY_TIMEOUT):
                thread = await self._read_thread()
        except Exception as exc:  # e.g. the link is down: show what the log still holds
            log.info("history unavailable (%s); replaying the kept events", exc)
            return self._controls_events(), self.log.oldest_kept or tail_from
        replayed = {
            str((e.event.get("params") or {}).get("turn", {}).get("id"))
            for e in self.log.from_seq(tail_from)
            if e.event.get("method") == "turn/started"
        }
        return [*history_events(thread, replayed), *self._controls_events()], tail_from

    async def _read_thread(self) -> dict[str, Any]:
        thread_id = self.conversation.thread_id
        try:
            result = await self.conversation.request(
                "thread/read",
                {"threadId": thread_id, "includeTurns": True},
                timeout=_HISTORY_TIMEOUT,
            )
        except Exception as exc:
            if "not materialized" in str(exc) or "no rollout" in str(exc).lower():
                return {}  # no turn yet: nothing to show
            raise
        thread = (result or {}).get("thread")
        return thread if isinstance(thread, dict) else {}

    # -- what a viewer asks --

    def check_open(self) -> None:
        if self.conversation.closed:
            raise Closed(self.conversation.close_reason or "closed")

    def send(self, text: str) -> None:
        """Hand the text over and return at once (the view adds its bubble on our 2xx, and
        codex's echo must not overtake it). An open question takes the text as its answer."""
        self.check_open()
        question = open_question(self.conversation.gate.pending)
        if question is not None:
            decision = text_answer(question, text)
            if self.conversation.answer_permission(question.request_id, decision):
                self.feed(answered(question.request_id, "allow", "ui"))
                return
        self._sends += 1
        self._spawn(self._send(text, self._sends))

    async def _send(self, text: str, number: int) -> None:
        try:
            await self.conversation.send(text)
        except Exception as exc:
            log.warning("a message from the UI was not delivered: %s", exc)
            error = {"message": f"message not delivered: {exc}"}
            self.feed({"id": f"optio-send-{number}", "error": error})

    def interrupt(self) -> None:
        self.check_open()
        if self.conversation.active_turn_id is not None:
            self._spawn(self.conversation.interrupt())

    def answer(self, body: dict[str, Any]) -> None:
        """Raises BadAnswer (400) or LookupError (404: unknown or already answered)."""
        key = request_key(body.get("request_id"))
        request = find_pending(self.conversation.gate.pending, key)
        decision = decision_from(body, request)
        if not self.conversation.answer_permission(request.request_id, decision):
            raise LookupError(key)
        # At once: with the link down the answer waits for codex to ask again, the card not.
        self.feed(answered(request.request_id, decision.decision.value, "ui"))

    async def set_control(self, control_id: Any, value: Any) -> None:
        """Raises BadAnswer: bad-id (400), not-allowed (403), bad-value (400)."""
        if control_id not in ("model", "reasoning_effort"):
            raise BadAnswer("bad-id")
        if self.allowed_controls is not None and control_id not in self.allowed_controls:
            raise BadAnswer("not-allowed")
        if not isinstance(value, str) or not value:
            raise BadAnswer("bad-value")
        if control_id == "model" and value not in {m["id"] for m in self.models_catalog()}:
            raise BadAnswer("bad-value")
        self.check_open()
        try:
            await self.conversation.set_control(control_id, value)
        except ValueError as exc:
            raise BadAnswer("bad-value") from exc
        if control_id == "model":
            self.model, self.effort = value, None
        else:
            self.effort = value
        controls = self.controls()
        self.feed({"type": "x-optio-control-update", "controls": controls})
        await self._controls_changed(controls)

    def models_catalog(self) -> list[dict[str, Any]]:
        return model_catalog(self.conversation.models)

    def controls(self) -> list[dict[str, Any]]:
        return build_controls(
            self.conversation.models, self.model, self.effort, self.allowed_controls
        )

    def _controls_events(self) -> list[dict[str, Any]]:
        controls = self.controls()
        return [{"type": "x-optio-control-update", "controls": controls}] if controls else []

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
