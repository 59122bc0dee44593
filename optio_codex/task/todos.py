"""codex's plan as the task's todo list, for every task: each ``turn/plan/updated``
(``{plan: [{step, status}]}``, statuses pending / inProgress / completed) goes through
optio-agents' :class:`~optio_agents.todos.TodoTracker`, which writes ``widgetData.todos``
(when the process's widgetData is an object: the host UI makes it one) and the progress
bar and line ("Now working on Task 2/3, ...").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from optio_agents.todos import TodoTracker, TodoUpdate, todo_update_from_payload

from optio_codex.driver.events import Subscription
from optio_codex.task.companions import RunCompanion, RunEnding, RunView, conversation_of
from optio_codex.task.config import CodexTaskConfig

log = logging.getLogger(__name__)

PLAN_UPDATED = "turn/plan/updated"
# codex's step statuses -> the checklist's.
STATUSES = {"pending": "pending", "inProgress": "in_progress", "completed": "completed"}


def plan_update(event: dict[str, Any]) -> TodoUpdate | None:
    """The todo list a ``turn/plan/updated`` event carries (the whole plan), else None."""
    if event.get("method") != PLAN_UPDATED:
        return None
    params = event.get("params")
    plan = params.get("plan") if isinstance(params, dict) else None
    if not isinstance(plan, list):
        return None
    steps = [
        {"step": step.get("step"), "status": STATUSES.get(str(step.get("status")), "pending")}
        for step in plan
        if isinstance(step, dict)
    ]
    return todo_update_from_payload({"plan": steps}, source="plan")


class PlanTodos:
    """The run companion: one tracker, fed from the conversation's events."""

    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.tracker: TodoTracker | None = None
        self._subscription: Subscription | None = None
        self._follower: asyncio.Task[None] | None = None

    async def start(self, run: RunView) -> None:
        self.tracker = TodoTracker(plan_update, run.ctx)
        self._subscription = conversation_of(run).subscribe(replay=True)
        self._follower = asyncio.get_running_loop().create_task(self._follow())

    async def _follow(self) -> None:
        assert self._subscription is not None and self.tracker is not None
        async for event in self._subscription:
            if event.get("method") == PLAN_UPDATED:
                self.tracker.observe(event)  # logs and skips what it cannot read

    async def stop(self, ending: RunEnding) -> None:
        if self._subscription is not None:
            self._subscription.close("run ending")
        if self._follower is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._follower, 2.0)
        # The tracker publishes the list on tasks of its own: let the last one land.
        publishes = list(getattr(self.tracker, "_publishes", ()))
        if publishes:
            with contextlib.suppress(Exception):
                await asyncio.wait(publishes, timeout=5.0)


def todos_for(config: CodexTaskConfig) -> RunCompanion | None:
    """Every task shows codex's plan."""
    return PlanTodos(config)


__all__ = ["PLAN_UPDATED", "STATUSES", "PlanTodos", "plan_update", "todos_for"]
