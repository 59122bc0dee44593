"""What a task reads off the conversation's events and turns: plan progress for optio, and
the user texts of a turn to send again."""

from __future__ import annotations

from typing import Any


def plan_progress(event: dict[str, Any]) -> tuple[int, str | None] | None:
    """(percent done, the step in progress) from a ``turn/plan/updated`` event, else None."""
    if event.get("method") != "turn/plan/updated":
        return None
    plan = (event.get("params") or {}).get("plan") or []
    if not plan:
        return None
    done = sum(1 for step in plan if step.get("status") == "completed")
    current = next((s for s in plan if s.get("status") == "inProgress"), None)
    message = str(current.get("step")) if current else None
    return round(100 * done / len(plan)), message


def user_texts(items: list[dict[str, Any]]) -> list[str]:
    """The texts of a turn's user messages (what to send again)."""
    texts = []
    for item in items:
        if item.get("type") == "userMessage":
            for part in item.get("content") or []:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
    return texts
