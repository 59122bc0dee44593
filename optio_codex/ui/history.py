"""The conversation so far, for a viewer who attaches fresh, from the app-server itself.

``thread/read`` (with its turns) is codex's own account of the thread, read over the link the
conversation already has, wherever codex runs: no rollout file is copied or parsed. Each
finished turn becomes what the view would have seen live: ``item/completed`` per item, then
``turn/completed``. Context codex injects into the thread as user messages (the AGENTS.md
instructions, the environment, a turn-aborted marker) is left out: nobody typed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# What codex puts into a thread as a user message without a user having written it.
INJECTED_PREFIXES = (
    "# AGENTS.md instructions",
    "<environment_context>",
    "<user_instructions>",
    "<turn_aborted>",
    "<user_shell_command>",
    "<subagent_notification>",
    "<permissions instructions>",
    "<collaboration_mode>",
    "<skill>",
)
_SHOWN_ITEMS = frozenset(
    {"userMessage", "agentMessage", "commandExecution", "fileChange", "mcpToolCall", "webSearch"}
)


def user_text(item: dict[str, Any]) -> str:
    text = item.get("text")
    if isinstance(text, str):
        return text
    parts = [
        str(p.get("text"))
        for p in item.get("content") or []
        if isinstance(p, dict) and isinstance(p.get("text"), str)
    ]
    return "\n".join(parts)


def injected(item: dict[str, Any]) -> bool:
    return item.get("type") == "userMessage" and user_text(item).lstrip().startswith(
        INJECTED_PREFIXES
    )


def turn_events(
    thread_id: str | None, turn: dict[str, Any], *, finished: bool = True
) -> list[dict[str, Any]]:
    """One turn as the view's events; ``finished`` False leaves its end out (it still runs)."""
    turn_id = turn.get("id")
    events: list[dict[str, Any]] = []
    for item in turn.get("items") or []:
        if not isinstance(item, dict) or item.get("type") not in _SHOWN_ITEMS or injected(item):
            continue
        if item.get("type") == "userMessage" and "text" not in item:
            item = {**item, "text": user_text(item)}
        params = {"threadId": thread_id, "turnId": turn_id, "item": item}
        events.append({"method": "item/completed", "params": params})
    if finished:
        status = turn.get("status") or "completed"
        ended: dict[str, Any] = {
            "id": turn_id,
            "status": status,
            "error": turn.get("error"),
            "items": [],
        }
        events.append(
            {"method": "turn/completed", "params": {"threadId": thread_id, "turn": ended}}
        )
    return events


def history_events(thread: dict[str, Any], skip_turns: Iterable[str]) -> list[dict[str, Any]]:
    """The turns of a ``thread/read`` result as view events, without those in ``skip_turns``
    (the ones the live log replays itself)."""
    skip = set(skip_turns)
    thread_id = thread.get("id")
    events: list[dict[str, Any]] = []
    for turn in thread.get("turns") or []:
        if not isinstance(turn, dict) or turn.get("id") in skip:
            continue
        running = turn.get("status") == "inProgress"
        events.extend(turn_events(thread_id, turn, finished=not running))
    return events
