"""Companions: what runs beside a task's conversation (the host UI, the audit trail, usage).

A companion that has a ``prepare`` is asked before provisioning what it adds to the task's
start (a :class:`LaunchPlan`: files such as a seed's auth.json, config.toml entries, a thread
to resume). The run starts each companion once its conversation is up and stops them before it
stops codex. The layers above task/ (ui/, credentials/, ...) plug in through this interface, so
task/ never imports them; the factory at the top of the package picks the companions a config
asks for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from optio_codex.driver.conversation import CodexConversation
from optio_codex.hosts.host_scripts import HostOps
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.task.config import CodexTaskConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunView:
    """What a companion may use of the run it accompanies."""

    ctx: Any  # optio's ProcessContext
    config: CodexTaskConfig
    # None when codex runs as its terminal UI (mode="iframe"): the factory then starts only the
    # companions that need no conversation.
    conversation: CodexConversation | None
    ops: HostOps  # host chores: scripts on the task's host (SSH exec, or the worker)
    paths: TaskPaths  # the task's directories on the host
    hook_ctx: Any  # optio-agents' HookContext, for user callbacks
    resumed: bool  # this run resumed an earlier one


@dataclass(frozen=True)
class PrepareView:
    """What a companion may use before codex starts: the task is placed, not provisioned."""

    ctx: Any  # optio's ProcessContext
    config: CodexTaskConfig
    task_id: str
    ops: HostOps
    paths: TaskPaths  # where the task's directories will be (they may not exist yet)
    resuming: bool  # the engine resumes an earlier run of this process


@dataclass
class LaunchPlan:
    """What the companions add to the task's start; the run provisions it with the rest."""

    # (path relative to the task dir, content, mode): carried in the provisioning tar, never
    # on a command line; a path may come from one source only.
    files: list[tuple[str, bytes, int]] = field(default_factory=list, repr=False)
    # config.toml entries the task's own settings are merged over (a seed's config, say).
    codex_config: dict[str, Any] = field(default_factory=dict, repr=False)
    resume_thread_id: str | None = None  # a thread restored from elsewhere (a snapshot)
    notes: list[str] = field(default_factory=list)  # said in the task's progress
    # A companion keeps what a resume needs beyond the task dir (snapshots): its removal at
    # the end then does not clear optio's saved-state flag; that companion owns the flag.
    state_kept: bool = False


@dataclass(frozen=True)
class RunEnding:
    """How the run ends, as its companions are stopped."""

    succeeded: bool
    detaching: bool  # codex keeps running for a resumed run (engine restart)
    reason: str


class RunCompanion(Protocol):
    """May also have ``async def prepare(self, view: PrepareView, plan: LaunchPlan)``: then it
    is stopped however the run ends, even if it never started. And ``async def finish(self)``:
    called once codex has stopped (after ``stop``; not when codex is left running for a
    resume), for what must see codex's last writes."""

    async def start(self, run: RunView) -> None: ...

    async def stop(self, ending: RunEnding) -> None: ...


class RunBody(Protocol):
    """What runs codex in place of the app-server conversation: the terminal UI of tui/
    (mode="iframe"). The run connects, places, provisions, checks the sandbox and tears down
    as ever; once provisioned it calls ``run`` with itself (a :class:`CodexTaskRun`) and
    optio-agents' HookContext. ``run`` starts the companions with a :class:`RunView` whose
    conversation is None and returns when codex has ended; optio.log's DONE/ERROR end the
    task as for a conversation."""

    async def run(self, run: Any, hook_ctx: Any) -> None: ...


def conversation_of(run: RunView) -> CodexConversation:
    """The run's conversation, for a companion that follows one (none in mode="iframe")."""
    if run.conversation is None:
        raise RuntimeError("this companion needs a conversation (mode='conversation')")
    return run.conversation


CompanionFactory = Callable[[CodexTaskConfig], "RunCompanion | None"]


class Companions:
    """The companions of one run: started in order, stopped in reverse, each bounded; a
    companion that fails never fails the task (it is logged and left out)."""

    def __init__(self, companions: Sequence[RunCompanion], stop_timeout: float = 10.0) -> None:
        self._all = list(companions)
        self._started: list[RunCompanion] = []
        self._finishing: list[Any] = []  # stopped companions with a finish()
        self._stop_timeout = stop_timeout

    async def prepare(self, view: PrepareView) -> LaunchPlan:
        """Each companion's part of the task's start. A failure here fails the task: a seed
        that cannot be planted or a snapshot that cannot be restored is no start."""
        plan = LaunchPlan()
        for companion in self._all:
            prepare = getattr(companion, "prepare", None)
            if prepare is None:
                continue
            self._started.append(companion)  # stopped at the end, started or not
            await prepare(view, plan)
        return plan

    async def start(self, run: RunView) -> None:
        for companion in self._all:
            try:
                await companion.start(run)
            except Exception:
                log.exception("%s did not start; the task goes on without it", companion)
                continue
            if companion not in self._started:
                self._started.append(companion)

    async def stop(self, ending: RunEnding) -> None:
        while self._started:
            companion = self._started.pop()
            if getattr(companion, "finish", None) is not None:
                self._finishing.append(companion)
            with contextlib.suppress(Exception):
                try:
                    # A companion may need longer (a snapshot's upload): its stop_timeout.
                    bound = getattr(companion, "stop_timeout", self._stop_timeout)
                    await asyncio.wait_for(companion.stop(ending), bound)
                except Exception:
                    log.exception("%s did not stop cleanly", companion)

    async def finish(self) -> None:
        """After codex has stopped (not when it is left running for a resume): what must
        see codex's last writes, such as a seed's final save-back and its lease's release.
        A companion may have ``async def finish(self)``; it is called once, bounded."""
        while self._finishing:
            companion = self._finishing.pop(0)
            bound = getattr(companion, "stop_timeout", self._stop_timeout)
            try:
                await asyncio.wait_for(companion.finish(), bound)
            except Exception:
                log.exception("%s did not finish cleanly", companion)


def companions_for(
    config: CodexTaskConfig, factories: Sequence[CompanionFactory]
) -> list[RunCompanion]:
    made = (factory(config) for factory in factories)
    return [c for c in made if c is not None]
