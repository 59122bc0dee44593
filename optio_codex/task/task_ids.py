"""The task's directory name on its host, from the optio process id."""

from __future__ import annotations

import re

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


def task_id_for(process_id: str) -> str:
    """A directory name for the task: the process id with unsafe characters replaced."""
    cleaned = _UNSAFE_ID.sub("_", process_id).lstrip(".-") or "task"
    return cleaned[:120]
