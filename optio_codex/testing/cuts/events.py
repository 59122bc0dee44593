"""The events a fault run sees, stamped on arrival, and what it reads out of them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from optio_codex.driver.events import CodexEvent


class EventLog:
    """Every event of the conversations in use, stamped on arrival, with waiting."""

    def __init__(self) -> None:
        self.log: list[tuple[float, CodexEvent]] = []
        self._changed = asyncio.Event()
        self.on_prompt: Callable[[CodexEvent], None] | None = None

    def __call__(self, raw: dict[str, Any]) -> None:
        event = raw if isinstance(raw, CodexEvent) else CodexEvent(raw)
        self.log.append((time.monotonic(), event))
        if event.type == "x-optio-permission-request" and self.on_prompt is not None:
            self.on_prompt(event)
        self._changed.set()

    def count(self, kind: str) -> int:
        return sum(1 for _, e in self.log if e.type == kind)

    def find(
        self, predicate: Callable[[CodexEvent], bool], start: int = 0
    ) -> tuple[float, CodexEvent] | None:
        for stamp, event in self.log[start:]:
            if predicate(event):
                return stamp, event
        return None

    async def wait(
        self, predicate: Callable[[CodexEvent], bool], timeout: float, start: int = 0
    ) -> tuple[float, CodexEvent]:
        """The first event from ``start`` on that matches, with its arrival stamp."""
        async with asyncio.timeout(timeout):
            while True:
                found = self.find(predicate, start)
                if found is not None:
                    return found
                self._changed.clear()
                await self._changed.wait()


def turn_of(event: CodexEvent) -> str | None:
    params = event.params if not event.is_synthetic else event
    value = params.get("turnId")
    if value is None and isinstance(params.get("turn"), dict):
        value = params["turn"].get("id")
    return value if isinstance(value, str) else None


def index_of_nth(events: EventLog, kind: str, n: int) -> int:
    """The log index just after the ``n``-th event of ``kind`` (0: the start of the log)."""
    if n <= 0:
        return 0
    seen = 0
    for position, (_, event) in enumerate(events.log):
        if event.type == kind:
            seen += 1
            if seen == n:
                return position + 1
    return len(events.log)


def user_texts(turn: dict[str, Any]) -> list[str]:
    texts: list[str] = []
    for item in turn.get("items") or []:
        if isinstance(item, dict) and item.get("type") == "userMessage":
            for part in item.get("content") or []:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
    return texts
