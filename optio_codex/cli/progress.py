"""The task's own progress lines (connecting, host key, provisioning, sandbox, thread), read
from optio's process log and printed as they come.

The task writes them with ``ctx.report_progress`` (see optio_codex.task.setup_report): they are
in MongoDB before the conversation exists, so the command line shows them from the first second
by polling ``engine.get_process``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from optio_codex.cli.screen import Screen
from optio_codex.task.setup_report import THREAD_READY

# optio's own entries ("event": state changes, "error": the failure) are the end report's.
_SHOWN_LEVELS = {"info": "· ", "warning": "! "}


class ProgressFollower:
    def __init__(self, engine: Any, process_id: str, screen: Screen) -> None:
        self.engine = engine
        self.process_id = process_id
        self.screen = screen
        self._seen = 0  # log entries already looked at
        self.thread_ready = False  # the setup's last line was shown

    async def follow(self, interval: float = 0.2) -> None:
        """Until cancelled; then call :meth:`poll` once more for what came last."""
        while True:
            await self.poll()
            await asyncio.sleep(interval)

    async def catch_up(self, within: float = 5.0) -> None:
        """Show the setup up to the thread's line: the task writes it just before the caller
        gets the conversation, and optio stores it a moment later."""
        for _ in range(max(1, round(within / 0.05))):  # a bound, polled: optio has no signal
            if await self.poll():
                return
            await asyncio.sleep(0.05)

    async def poll(self) -> bool:
        """Show the entries not shown yet; whether the thread's line is among those shown."""
        proc = await self.engine.get_process(self.process_id) or {}
        entries = proc.get("log") or []
        if len(entries) < self._seen:  # the log was reset (a relaunch of the process)
            self._seen = 0
        for entry in entries[self._seen :]:
            self.show(entry)
        self._seen = len(entries)
        return self.thread_ready

    def show(self, entry: dict[str, Any]) -> None:
        mark = _SHOWN_LEVELS.get(str(entry.get("level")))
        message = entry.get("message")
        if mark is not None and message:
            self.screen.line(f"{mark}{message}")
            self.thread_ready = self.thread_ready or str(message).startswith(THREAD_READY)
