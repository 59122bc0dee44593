"""Limits that make every run end: nudges, an overall duration, a token budget.

An agent on the optio.log keyword channel ends the task by writing DONE (or ERROR). One that
ends a turn without either would otherwise wait for a message that never comes. The rule is
the same for every task with ``host_protocol=True``: when a turn ends, the conversation stays
quiet and the task has not ended, the agent is nudged (a new turn asking it to finish and
report) at most ``max_nudges`` times, then the run fails with :data:`STOPPED_WITHOUT_DONE`.
``max_nudges=0`` turns nudging off: the task then waits, as for a person who answers
(the command line does that when an operator is at the terminal).

``max_duration`` bounds the whole run (connect to teardown; a resumed run starts counting
again) and ``max_tokens`` the thread's total tokens as codex reports them
(``thread/tokenUsage/updated``); either ends the run failed with a reason that names it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from optio_codex.driver.conversation import CodexConversation
from optio_codex.task.config import CodexTaskConfig

STOPPED_WITHOUT_DONE = "the agent stopped without reporting DONE"
NUDGE = (
    "System: your turn ended, but the task has not been reported finished. Finish the task "
    "as AGENTS.md describes, then append DONE to optio.log; if you cannot finish it, append "
    "`ERROR: <why>` to optio.log instead."
)
# After a turn ends, DONE may still be on its way: optio.log is tailed with some latency,
# and a deliverable's acknowledgment starts the next turn. Quiet this long means stopped.
QUIET_AFTER_TURN = 3.0


class RunLimitReached(RuntimeError):
    """The run went over one of its limits; the message names the limit."""


@dataclass(frozen=True, kw_only=True)
class RunLimits:
    max_nudges: int = 3
    max_duration: float | None = None
    max_tokens: int | None = None


def duration_reached(limit: float) -> RunLimitReached:
    return RunLimitReached(f"the run reached max_duration={limit:g}s")


class WatchedConversation(Protocol):
    """What the watcher needs of a conversation (CodexConversation has it)."""

    @property
    def active_turn_id(self) -> str | None: ...

    def is_pending(self) -> bool: ...

    def on_event(self, handler: Callable[[dict[str, Any]], None]) -> Callable[[], None]: ...

    async def send(self, text: str) -> Any: ...


Report = Callable[[str], None]


class TurnWatcher:
    """Nudges an agent that stops without DONE and enforces the token budget.

    ``watch()`` never returns: it raises :class:`RunLimitReached` when the run must end,
    and is cancelled otherwise (the task ends on DONE, ERROR or a cancel).
    """

    def __init__(
        self,
        conversation: WatchedConversation,
        limits: RunLimits,
        *,
        total_tokens: Callable[[], int],
        report: Report,
        quiet: float = QUIET_AFTER_TURN,
    ) -> None:
        self.conversation = conversation
        self.limits = limits
        self.nudges = 0
        self._total_tokens = total_tokens
        self._report = report
        self._quiet = quiet
        self._turn_ended = asyncio.Event()
        self._over_budget: RunLimitReached | None = None
        self._woken = asyncio.Event()

    def _on_event(self, event: dict[str, Any]) -> None:
        method = event.get("method") or event.get("type")
        if method in ("turn/completed", "x-optio-turn-aborted"):
            self._turn_ended.set()
            self._woken.set()
        elif method == "thread/tokenUsage/updated" and self.limits.max_tokens is not None:
            used = self._total_tokens()
            if used > self.limits.max_tokens and self._over_budget is None:
                self._over_budget = RunLimitReached(
                    f"the run used {used} tokens, over max_tokens={self.limits.max_tokens}"
                )
                self._woken.set()

    async def watch(self) -> None:
        unsubscribe = self.conversation.on_event(self._on_event)
        try:
            while True:
                await self._woken.wait()
                self._woken.clear()
                if self._over_budget is not None:
                    raise self._over_budget
                if self._turn_ended.is_set() and self.limits.max_nudges > 0:
                    await self._after_turn()
        finally:
            unsubscribe()

    async def _after_turn(self) -> None:
        self._turn_ended.clear()
        await asyncio.sleep(self._quiet)
        if self._over_budget is not None or self._turn_ended.is_set() or self._busy():
            self._woken.set()  # look again: a new turn began, ended, or tokens ran out
            return
        if self.nudges >= self.limits.max_nudges:
            raise RunLimitReached(
                f"{STOPPED_WITHOUT_DONE} (nudged {self.nudges} time"
                f"{'' if self.nudges == 1 else 's'})"
            )
        self.nudges += 1
        self._report(
            f"the agent ended its turn without DONE or ERROR: nudging it "
            f"({self.nudges} of {self.limits.max_nudges})"
        )
        await self.conversation.send(NUDGE)

    def _busy(self) -> bool:
        return self.conversation.is_pending() or self.conversation.active_turn_id is not None


def watcher_for(
    conversation: CodexConversation, config: CodexTaskConfig, progress: Callable[..., None]
) -> TurnWatcher:
    """The watcher of a task's conversation: nudges only on the optio.log keyword channel."""
    limits = RunLimits(
        max_nudges=config.max_nudges if config.host_protocol else 0,
        max_tokens=config.max_tokens,
    )
    return TurnWatcher(
        conversation,
        limits,
        total_tokens=lambda: conversation.total_usage.total_tokens,
        report=lambda message: progress(None, message),
    )


async def until_end(end: Awaitable[None], watcher: TurnWatcher) -> None:
    """Wait for ``end`` (the conversation's end) while ``watcher`` may end the run first."""
    waiting = asyncio.ensure_future(end)
    watching = asyncio.ensure_future(watcher.watch())
    try:
        done, _ = await asyncio.wait({waiting, watching}, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # the watcher only ever ends by raising
    finally:
        for task in (waiting, watching):
            task.cancel()
        await asyncio.gather(waiting, watching, return_exceptions=True)
