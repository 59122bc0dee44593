"""The terminal side of a run: the streamed conversation, its interruptions, and what the
summary counts. Approval questions are in :mod:`optio_codex.cli.approval_prompt`, the task's
setup progress in :mod:`optio_codex.cli.progress`, the end in :mod:`optio_codex.cli.summary`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from optio_codex.cli.approval_prompt import TerminalApprover
from optio_codex.cli.errors import CodexErrorLines
from optio_codex.cli.screen import Screen
from optio_codex.cli.summary import RunTally
from optio_codex.driver.events import CodexEvent, Subscription

__all__ = ["EventPrinter", "TerminalApprover", "show_events"]

Handler = Callable[[CodexEvent], None]


class EventPrinter:
    """Prints each kind of event in its own method; ``handlers`` maps an event's method (or
    synthetic type) to it, so a new kind is one method and one entry."""

    def __init__(self, screen: Screen, tally: RunTally | None = None) -> None:
        self.screen = screen
        self.tally = tally or RunTally()
        # agentMessage item id -> the text printed from its deltas so far.
        self._streamed: dict[str, str] = {}
        self.handlers: dict[str, Handler] = {
            "item/agentMessage/delta": self.agent_delta,
            "item/completed": self.item_completed,
            "turn/plan/updated": self.plan_updated,
            "turn/completed": self.turn_completed,
            "x-optio-connection-lost": self.connection_lost,
            "x-optio-reconnected": self.reconnected,
            "x-optio-permission-resolved": self.permission_resolved,
            "error": self.codex_error,
        }
        self._errors = CodexErrorLines()

    async def run(self, events: Subscription) -> None:
        async for event in events:
            self.show(event)

    def show(self, event: CodexEvent) -> None:
        handler = self.handlers.get(event.type)
        if handler is not None:
            handler(event)

    # -- the agent's text ------------------------------------------------------------------

    def agent_delta(self, event: CodexEvent) -> None:
        params = event.params
        delta = str(params.get("delta", ""))
        item_id = str(params.get("itemId"))
        self._streamed[item_id] = self._streamed.get(item_id, "") + delta
        self.screen.stream(delta)

    def item_completed(self, event: CodexEvent) -> None:
        item = event.params.get("item") or {}
        kind = item.get("type")
        if kind == "agentMessage":
            self.agent_message_completed(item)
        elif kind == "commandExecution":
            code = item.get("exitCode")  # none for a command that never ran (declined)
            ended = f"{item.get('status')}" + ("" if code is None else f" {code}")
            self.screen.blank_line()
            self.screen.line(f"$ {item.get('command')}  → {ended}")
        elif kind == "fileChange":
            paths = [c.get("path") for c in item.get("changes") or []]
            self.screen.blank_line()
            self.screen.line(f"[files {item.get('status')}: {', '.join(map(str, paths))}]")

    def agent_message_completed(self, item: dict[str, Any]) -> None:
        """The full text of a message: what the deltas missed (a reconnect's gap) is shown.

        The rest, when what was printed is a prefix of it; else the whole text, once, on a
        line of its own (nothing printed, or something else printed).
        """
        final = str(item.get("text") or "")
        printed = self._streamed.pop(str(item.get("id")), "")
        if final.startswith(printed):
            if printed:  # after streamed text: continue it, no visible hole
                self.screen.stream(final[len(printed) :])
            else:  # nothing streamed (all of it fell in a gap, or a replay)
                self.screen.blank_line()
                self.screen.stream(final)
        else:
            self.screen.line(final)
        self.screen.end_line()

    # -- turns and plans -------------------------------------------------------------------

    def plan_updated(self, event: CodexEvent) -> None:
        plan = event.params.get("plan") or []
        done = sum(1 for s in plan if s.get("status") == "completed")
        self.screen.blank_line()
        self.screen.line(f"[plan {done}/{len(plan)}]")

    def turn_completed(self, event: CodexEvent) -> None:
        self.screen.blank_line()
        self.screen.line(f"[turn {(event.params.get('turn') or {}).get('status')}]")

    # -- the link to codex -----------------------------------------------------------------

    def connection_lost(self, event: CodexEvent) -> None:
        reason = event.get("reason")
        self.screen.line(
            "[connection lost" + (f" ({reason})" if reason else "") + ", reconnecting…]"
        )

    def reconnected(self, event: CodexEvent) -> None:
        gap = float(event.get("gapMs") or 0) / 1000
        relaunched = " (codex was restarted)" if event.get("relaunched") else ""
        self.screen.line(f"[reconnected after {gap:.1f} s{relaunched}]")

    def codex_error(self, event: CodexEvent) -> None:
        """codex's own error and retry notices (a dead model endpoint), as they come."""
        self.screen.line(self._errors.line(event.params))

    # -- approvals -------------------------------------------------------------------------

    def permission_resolved(self, event: CodexEvent) -> None:
        self.tally.approval_resolved(dict(event))


async def show_events(
    events: Subscription, out: TextIO | Screen, tally: RunTally | None = None
) -> None:
    """Print the agent's text as it streams, commands as they finish, plans and the link."""
    screen = out if isinstance(out, Screen) else Screen(out)
    await EventPrinter(screen, tally).run(events)
