"""What a task reads off the conversation's turns: the user texts of a turn to send again.
(codex's plan becomes the task's todo list and progress in :mod:`optio_codex.task.todos`.)"""

from __future__ import annotations

from typing import Any


def user_texts(items: list[dict[str, Any]]) -> list[str]:
    """The texts of a turn's user messages (what to send again)."""
    texts = []
    for item in items:
        if item.get("type") == "userMessage":
            for part in item.get("content") or []:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
    return texts
