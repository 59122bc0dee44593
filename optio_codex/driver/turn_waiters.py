"""Who waits for turns to end: a turn by id, the next turn to start, and the handlers that
get every turn's final text."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable

from optio_agents.conversation import ConversationClosed

from optio_codex.driver.turns import TurnResult

log = logging.getLogger(__name__)

MessageHandler = Callable[[str], "Awaitable[None] | None"]


class TurnWaiters:
    """Futures settled with a turn's result, or with ConversationClosed at the end."""

    def __init__(self) -> None:
        self._by_turn: dict[str, list[asyncio.Future[TurnResult]]] = {}
        self._next: list[asyncio.Future[TurnResult]] = []
        self._handlers: list[MessageHandler] = []
        self._tasks: set[asyncio.Task[None]] = set()  # strong refs: the loop keeps weak ones

    def on_message(self, handler: MessageHandler) -> Callable[[], None]:
        """``handler`` gets each turn's final text; returns its unsubscribe."""
        self._handlers.append(handler)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._handlers.remove(handler)

        return unsubscribe

    def for_turn(
        self, turn_id: str, completed: Iterable[TurnResult], close_reason: str | None
    ) -> asyncio.Future[TurnResult]:
        """Settles when ``turn_id`` ends (at once if it already did, or the end came)."""
        waiter: asyncio.Future[TurnResult] = asyncio.get_running_loop().create_future()
        for done in completed:
            if done.turn_id == turn_id:
                waiter.set_result(done)
                return waiter
        if close_reason is not None:
            waiter.set_exception(ConversationClosed(close_reason))
            return waiter
        self._by_turn.setdefault(turn_id, []).append(waiter)
        return waiter

    def for_next(self) -> asyncio.Future[TurnResult]:
        """Settles when the next turn to start ends."""
        waiter: asyncio.Future[TurnResult] = asyncio.get_running_loop().create_future()
        self._next.append(waiter)
        return waiter

    def started(self, turn_id: str) -> None:
        """A turn started: those waiting for the next one now wait for it."""
        waiters, self._next = self._next, []
        self._by_turn.setdefault(turn_id, []).extend(waiters)

    def resolve(self, result: TurnResult) -> None:
        for waiter in self._by_turn.pop(result.turn_id, []):
            if not waiter.done():
                waiter.set_result(result)
        for handler in list(self._handlers):
            task = asyncio.get_running_loop().create_task(_call(handler, result.final_text))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def close(self, reason: str) -> None:
        for waiter in [w for ws in self._by_turn.values() for w in ws] + self._next:
            if not waiter.done():
                waiter.set_exception(ConversationClosed(reason))
        self._by_turn.clear()
        self._next.clear()


async def _call(handler: MessageHandler, text: str) -> None:
    try:
        result = handler(text)
        if asyncio.iscoroutine(result):
            await result
    except Exception:
        log.exception("message handler raised")


__all__ = ["MessageHandler", "TurnWaiters"]
