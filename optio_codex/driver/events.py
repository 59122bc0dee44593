"""Events for subscribers, and bounded per-subscriber delivery.

An event is a plain dict, so it can go to the optio UI unchanged: a server notification keeps
its wire shape ``{"method", "params"}`` (a server request also its ``id``), and events we make
ourselves carry ``{"type": "x-optio-..."}``. :class:`CodexEvent` adds typed accessors.

Each subscriber has its own bounded queue with an explicit overflow policy, so a slow one can
neither stall the reader nor grow memory without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)


class CodexEvent(dict[str, Any]):
    """One event: a dict in the wire shape, with typed views."""

    __slots__ = ()

    @property
    def method(self) -> str | None:
        return self.get("method")

    @property
    def type(self) -> str:
        """The notification method, or the synthetic ``x-optio-...`` type."""
        return self.get("method") or self.get("type") or ""

    @property
    def params(self) -> dict[str, Any]:
        params = self.get("params")
        return params if isinstance(params, dict) else {}

    @property
    def is_synthetic(self) -> bool:
        return "type" in self and "method" not in self

    def typed(self) -> Any:
        """The params as the generated wire model; None for an unknown method, or for a shape
        this version's schema does not know (a newer server), so callers fall back to the dict.
        """
        from pydantic import ValidationError

        from optio_codex.protocol.messages import parse_server_notification

        method = self.method
        if not method:
            return None
        try:
            return parse_server_notification(method, self.params)
        except ValidationError:
            return None


def synthetic(event_type: str, **payload: Any) -> CodexEvent:
    return CodexEvent(type=event_type, **payload)


class Overflow(StrEnum):
    DROP_OLDEST = "drop_oldest"  # keep the newest events (deltas are repaired by item/completed)
    DROP_NEWEST = "drop_newest"  # keep what is queued, refuse new events
    DISCONNECT = "disconnect"  # end the subscription: it could not keep up


_CLOSED: Any = object()


class Subscription:
    """A bounded queue of events for one subscriber; iterate it with ``async for``."""

    def __init__(self, maxsize: int = 10_000, overflow: Overflow = Overflow.DROP_OLDEST) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.overflow = Overflow(overflow)
        self.dropped = 0
        self.closed = False
        self.close_reason: str | None = None
        self._items: deque[CodexEvent] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._on_close: Callable[[Subscription], None] | None = None

    def offer(self, event: CodexEvent) -> None:
        """Queue without waiting, applying the overflow policy when full."""
        if self.closed:
            return
        items = self._items
        if len(items) >= self.maxsize:
            self.dropped += 1
            if self.overflow is Overflow.DROP_NEWEST:
                return
            if self.overflow is Overflow.DISCONNECT:
                self.close(f"subscriber fell {self.maxsize} events behind")
                return
            items.popleft()
        items.append(event)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close(self, reason: str = "closed") -> None:
        """No more events; what is queued is still delivered."""
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self._on_close is not None:
            self._on_close(self)

    def __len__(self) -> int:
        return len(self._items)

    async def get(self) -> CodexEvent | None:
        """The next event, or None once closed and drained."""
        while not self._items:
            if self.closed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def get_nowait_batch(self) -> list[CodexEvent]:
        items = list(self._items)
        self._items.clear()
        return items

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> CodexEvent:
        items = self._items
        if items:  # the common case under load: no waiting, no nested coroutine
            return items.popleft()
        event = await self.get()
        if event is None:
            raise StopAsyncIteration
        return event


EventHandler = Callable[[dict[str, Any]], "Awaitable[None] | None"]


class EventHub:
    """Fans events out to subscriptions; handler subscribers each get a pump task."""

    def __init__(self, default_maxsize: int = 10_000, history: int = 2_000) -> None:
        self.default_maxsize = default_maxsize
        # Recent events, so a subscriber that arrives late (a UI, a terminal attached after
        # the kickoff) can start from what it missed.
        self.history: deque[CodexEvent] = deque(maxlen=history)
        self._subs: list[Subscription] = []
        self._pumps: set[asyncio.Task[None]] = set()

    def publish(self, event: CodexEvent) -> None:
        self.history.append(event)
        for sub in self._subs:
            sub.offer(event)

    def subscribe(
        self,
        maxsize: int | None = None,
        overflow: Overflow = Overflow.DROP_OLDEST,
        replay: bool = False,
    ) -> Subscription:
        sub = Subscription(maxsize or self.default_maxsize, overflow)
        if replay:
            for event in self.history:
                sub.offer(event)
        sub._on_close = self._forget
        # A new list, so publish() never iterates a list being changed.
        self._subs = [*self._subs, sub]
        return sub

    def add_handler(
        self,
        handler: EventHandler,
        maxsize: int | None = None,
        overflow: Overflow = Overflow.DROP_OLDEST,
    ) -> Callable[[], None]:
        """Call ``handler(event)`` for each event, in order, on its own task."""
        sub = self.subscribe(maxsize, overflow)
        task = asyncio.get_running_loop().create_task(self._pump(sub, handler))
        self._pumps.add(task)
        task.add_done_callback(self._pumps.discard)
        return lambda: sub.close("unsubscribed")

    async def _pump(self, sub: Subscription, handler: EventHandler) -> None:
        async for event in sub:
            try:
                result = handler(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("event handler raised; it stays subscribed")

    def close(self, reason: str) -> None:
        for sub in list(self._subs):
            sub.close(reason)

    async def drain(self, timeout: float = 2.0) -> None:
        """Wait (bounded) for handler pumps to deliver what is queued."""
        if self._pumps:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await asyncio.gather(*self._pumps, return_exceptions=True)

    def _forget(self, sub: Subscription) -> None:
        self._subs = [s for s in self._subs if s is not sub]

    @property
    def subscriptions(self) -> list[Subscription]:
        """The live subscriptions (a list replaced, never changed, on (un)subscribe)."""
        return self._subs

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)
