"""RunGuard: a run's steps end when the engine cancels the task or its max_duration passes.

optio-agents' log-protocol driver watches the cancel flag only once the body runs; before
that (connecting, provisioning, the sandbox preflight) a cancel would wait for the step to
finish, which over a slow or unreachable host is minutes. The guard races every step against
the flag and the deadline, so a cancel (Ctrl-C in the command line) ends any step at once and
the teardown that follows runs in the task's own, uncancelled, coroutine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from optio_codex.task.run_limits import duration_reached

T = TypeVar("T")
_POLL = 0.1  # the engine's cancel is a flag, read as optio-agents' driver reads it


class Cancelled(Exception):
    """The engine cancelled the task while a guarded step ran (the step was stopped)."""


class RunGuard:
    def __init__(self, cancelled: Callable[[], bool], max_duration: float | None) -> None:
        self._cancelled = cancelled
        self.max_duration = max_duration
        loop = asyncio.get_running_loop()
        self._deadline = None if max_duration is None else loop.time() + max_duration

    async def run(self, work: Awaitable[T]) -> T:
        """``work``'s result; :class:`Cancelled` on a cancel, RunLimitReached at the deadline."""
        task = asyncio.ensure_future(work)
        loop = asyncio.get_running_loop()
        try:
            while not task.done():
                if self._cancelled():
                    raise Cancelled()
                if self._deadline is not None and loop.time() >= self._deadline:
                    assert self.max_duration is not None
                    raise duration_reached(self.max_duration)
                left = None if self._deadline is None else self._deadline - loop.time()
                await asyncio.wait({task}, timeout=_POLL if left is None else min(_POLL, left))
            return task.result()
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
