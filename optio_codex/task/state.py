"""What a resumed run of a task needs to find its way back, kept on the task's host.

The file lives in the task directory, next to the CODEX_HOME and workspace it describes, so it
moves and disappears with them; it holds no secret (0600 all the same). It is written when
something a resume depends on changes: the thread id, the app-server's pid and socket, the
turn in progress, the deliverables already handed over.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from optio_codex.hosts.host_scripts import HostOps, read_file, write_file
from optio_codex.hosts.server_process import DetachedProcess

log = logging.getLogger(__name__)

STATE_FILE = "optio-codex-state.json"
FORMAT = 1


@dataclass(frozen=True)
class TaskState:
    thread_id: str | None = None
    server: DetachedProcess | None = None  # a detached app-server that may still run
    active_turn: str | None = None  # the turn in progress when this was written
    delivered: tuple[str, ...] = ()  # deliverable paths already passed to on_deliverable
    had_turn: bool = False  # the thread has a rollout (a resume can find it)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": FORMAT,
            "thread_id": self.thread_id,
            "server": self.server.to_dict() if self.server else None,
            "active_turn": self.active_turn,
            "delivered": list(self.delivered),
            "had_turn": self.had_turn,
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TaskState:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not an optio-codex state file of a known format")
        server = data.get("server")
        thread_id, active = data.get("thread_id"), data.get("active_turn")
        return cls(
            thread_id=thread_id if isinstance(thread_id, str) else None,
            server=DetachedProcess.from_dict(server) if isinstance(server, dict) else None,
            active_turn=active if isinstance(active, str) else None,
            delivered=tuple(str(p) for p in data.get("delivered") or ()),
            had_turn=bool(data.get("had_turn")),
        )


@dataclass
class TaskStateStore:
    """Keeps the state file in step with the run; writes are serialized and never raise."""

    ops: HostOps
    path: str
    state: TaskState = field(default_factory=TaskState)
    writes: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def load(self) -> TaskState | None:
        text = (await read_file(self.ops, self.path, timeout=15.0)).strip()
        if not text:
            return None
        try:
            self.state = TaskState.from_json(text)
        except (ValueError, KeyError) as exc:
            log.warning("ignoring the unreadable state file %s: %s", self.path, exc)
            return None
        return self.state

    async def update(self, **changes: Any) -> None:
        """Change fields and write the file (a failed write is logged, not raised)."""
        async with self._lock:
            new = replace(self.state, **changes)
            if new == self.state and self.writes:
                return
            self.state = new
            try:
                await write_file(self.ops, self.path, new.to_json().encode(), timeout=15.0)
                self.writes += 1
            except Exception as exc:
                log.warning("could not write the task state %s: %s", self.path, exc)
