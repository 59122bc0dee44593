"""What a run keeps for a resumed run: the state file on the host, and optio's saved-state flag.

A resume that cannot resume says why, in the task's progress log and in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.state import STATE_FILE, TaskState, TaskStateStore

log = logging.getLogger(__name__)

Spawn = Callable[[Coroutine[Any, Any, Any]], None]


class RunMemory:
    """The state file of one run (once placed) and the engine's saved-state flag."""

    def __init__(self, ctx: Any, config: CodexTaskConfig, spawn: Spawn) -> None:
        self.ctx = ctx
        self.config = config
        self._spawn = spawn
        self.store: TaskStateStore | None = None

    @property
    def state(self) -> TaskState:
        return self.store.state if self.store is not None else TaskState()

    async def load(self, task_dir: str) -> None:
        assert self.store is not None
        loaded = await self.store.load()
        if loaded is None:
            self.starting_over(
                f"no saved state on the host (no {STATE_FILE} in {task_dir}: the task "
                "directory was removed at the end of the last run, or by hand)"
            )
        elif loaded.thread_id is None:
            self.starting_over("the last run never started a thread")

    def starting_over(self, why: str) -> None:
        message = f"resume: {why}; starting a new thread"
        log.warning("%s: %s", self.ctx.process_id, message)
        self.ctx.report_progress(None, message, level="warning")

    async def forget(self) -> None:
        """The task directory is gone, so is what a resume needs: tell optio, so that a later
        resume launch starts fresh knowingly instead of pretending to resume."""
        if not self.config.supports_resume:
            return
        try:
            await self.ctx.clear_has_saved_state()
        except Exception as exc:
            log.warning("could not clear the saved-state flag: %s", exc)

    async def save(self, **changes: Any) -> None:
        if self.store is not None:
            await self.store.update(**changes)

    async def save_thread(self, thread_id: str | None) -> None:
        await self.save(thread_id=thread_id)
        if self.config.supports_resume:
            await self.ctx.mark_has_saved_state()

    def track_turns(self, event: dict[str, Any]) -> None:
        """The turn in progress, so a resume knows which one a restart interrupted."""
        method = event.get("method") or event.get("type")
        params = event.get("params") or event
        if method == "turn/started":
            turn_id = (params.get("turn") or {}).get("id")
            self._spawn(self.save(active_turn=turn_id, had_turn=True))
        elif method in ("turn/completed", "x-optio-turn-aborted"):
            self._spawn(self.save(active_turn=None))

    async def delivered(self, path: str) -> None:
        await self.save(delivered=(*self.state.delivered, path))
