"""The inactivity watchdog: a turn that goes silent is checked with thread/read.

codex's ``turn/completed`` is the only turn-end signal; if it is lost (a bug, a proxy, a
connection that broke at the wrong moment) a task would wait forever. When a turn is active,
no approval is waiting for a human, and nothing has arrived for ``timeout`` seconds, the
watchdog asks the conversation to reconcile: a turn codex reports ended is settled from the
thread's history; one still running is left alone and watched again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from optio_codex.driver.events import synthetic

log = logging.getLogger(__name__)


class Watched(Protocol):
    """What the watchdog needs from a conversation."""

    @property
    def active_turn_id(self) -> str | None: ...

    def activity_mark(self) -> tuple[int, int]: ...

    def awaiting_human(self) -> bool: ...

    async def reconcile(self, why: str = "request") -> Any: ...

    def _publish(self, event: Any) -> None: ...


class InactivityWatchdog:
    """Polls a cheap activity counter; costs nothing on the event hot path."""

    def __init__(self, conversation: Watched, timeout: float) -> None:
        if timeout <= 0:
            raise ValueError("inactivity timeout must be positive")
        self.conversation = conversation
        self.timeout = timeout
        self.interval = min(max(timeout / 4, 0.05), 5.0)
        self.checks = 0
        self.settled = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> InactivityWatchdog:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="codex-watchdog")
        return self

    def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        conversation = self.conversation
        mark = conversation.activity_mark()
        quiet_since = loop.time()
        while True:
            await asyncio.sleep(self.interval)
            now = loop.time()
            current = conversation.activity_mark()
            if (
                current != mark
                or conversation.active_turn_id is None
                or conversation.awaiting_human()
            ):
                mark, quiet_since = current, now
                continue
            if now - quiet_since < self.timeout:
                continue
            self.checks += 1
            turn_id = conversation.active_turn_id
            try:
                result = await conversation.reconcile("inactivity")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the link may be down; recovery deals with that
                log.info("watchdog could not reconcile turn %s: %s", turn_id, exc)
                result = None
            with contextlib.suppress(Exception):
                conversation._publish(
                    synthetic(
                        "x-optio-watchdog",
                        turnId=turn_id,
                        quietSeconds=round(now - quiet_since, 1),
                        settled=result is not None,
                    )
                )
            if result is not None:
                self.settled += 1
            mark, quiet_since = conversation.activity_mark(), loop.time()
