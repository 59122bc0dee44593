"""The records of the per-host registry of app-servers: one entry per task, and reports.

An entry is one line of JSON in ``<owner_key>--<task_id>.json`` (see
:mod:`optio_codex.hosts.registry` for where the files live and what is done with them).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields
from typing import Any

from optio_codex.hosts.process_control import check_int, check_path
from optio_codex.hosts.task_spec import validate_task_id

FORMAT_VERSION = 1
# Bigger files are not ours (an entry is a few hundred bytes): reported, not read whole.
MAX_ENTRY_BYTES = 65536

FILE_NAME = re.compile(r"^([0-9a-f]{16})--([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.json$")


def owner_key(owner: str) -> str:
    """The owner's part of an entry's file name: 16 hex digits of sha256(owner)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:16]


def entry_file_name(owner: str, task_id: str) -> str:
    validate_task_id(task_id)
    return f"{owner_key(owner)}--{task_id}.json"


@dataclass(frozen=True)
class RegistryEntry:
    """One app-server that a task started on the host."""

    task_id: str
    process_id: str  # the optio process id
    owner: str  # the engine instance that owns the task
    pid: int  # the app-server; started with setsid, so also its process group
    start_time: int  # field 22 of /proc/<pid>/stat: tells a reused pid apart
    codex_home: str
    task_dir: str
    socket: str  # the app-server's unix socket path, or ""
    created: float  # epoch seconds

    def __post_init__(self) -> None:
        validate_task_id(self.task_id)
        for name in ("process_id", "owner"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a string")
        if not self.owner:
            raise ValueError("owner must not be empty")
        # 0 and 1 would make "kill -PID" hit our own group or every process we may signal.
        check_int("pid", self.pid, 2)
        check_int("start_time", self.start_time, 0)
        check_path("codex_home", self.codex_home)
        check_path("task_dir", self.task_dir)
        check_path("socket", self.socket, allow_empty=True)
        if not isinstance(self.created, int | float) or isinstance(self.created, bool):
            raise ValueError(f"created={self.created!r} must be a number")

    @property
    def file_name(self) -> str:
        return entry_file_name(self.owner, self.task_id)

    def to_json(self) -> str:
        """One line of JSON (the listing reads the pid out of it with grep)."""
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        data.update((f.name, getattr(self, f.name)) for f in fields(self))
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "<registry entry>") -> RegistryEntry:
        """Parse and validate; any problem raises ValueError naming ``source``."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"registry file {source}: not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise ValueError(f"registry file {source}: not a JSON object")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"registry file {source}: unknown version {data.get('version')!r}")
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"registry file {source}: missing {', '.join(missing)}")
        try:
            return cls(**{n: data[n] for n in names})
        except (ValueError, TypeError) as exc:
            raise ValueError(f"registry file {source}: {exc}") from exc


@dataclass(frozen=True)
class ObservedEntry:
    """An entry as the listing found it."""

    entry: RegistryEntry
    alive: bool  # the pid exists and its start time is the recorded one
    current_start_time: int | None  # the pid's start time now (None: no such process)


@dataclass(frozen=True)
class RegistryProblem:
    """A file in the registry that is not a valid entry; left in place."""

    file: str
    reason: str


@dataclass(frozen=True)
class RegistryListing:
    entries: tuple[ObservedEntry, ...]
    problems: tuple[RegistryProblem, ...]


@dataclass(frozen=True)
class StopReport:
    entry: RegistryEntry
    was_alive: bool  # the pid still had its start time: its process group was SIGKILLed
    swept: int  # processes signalled by the CODEX_HOME sweep (may include the group's own)
    socket_removed: bool


@dataclass(frozen=True)
class ReapReport:
    stopped: tuple[StopReport, ...]  # ours, alive, not live: killed
    cleaned: tuple[RegistryEntry, ...]  # ours, process gone or pid reused: file removed only
    kept: tuple[RegistryEntry, ...]  # ours, live or kept by the caller
    problems: tuple[RegistryProblem, ...]  # unreadable files of ours (or of nobody's)
