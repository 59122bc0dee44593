"""Companions: what runs beside a task's conversation (the host UI, the audit trail, usage).

The run starts each companion once its conversation is up and stops them before it stops
codex. The layers above task/ (ui/, credentials/, ...) plug in through this interface, so
task/ never imports them; the factory at the top of the package picks the companions a config
asks for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    conversation: CodexConversation
    ops: HostOps  # host chores: scripts on the task's host (SSH exec, or the worker)
    paths: TaskPaths  # the task's directories on the host
    hook_ctx: Any  # optio-agents' HookContext, for user callbacks
    resumed: bool  # this run resumed an earlier one


@dataclass(frozen=True)
class RunEnding:
    """How the run ends, as its companions are stopped."""

    succeeded: bool
    detaching: bool  # codex keeps running for a resumed run (engine restart)
    reason: str


class RunCompanion(Protocol):
    async def start(self, run: RunView) -> None: ...

    async def stop(self, ending: RunEnding) -> None: ...


CompanionFactory = Callable[[CodexTaskConfig], "RunCompanion | None"]


class Companions:
    """The companions of one run: started in order, stopped in reverse, each bounded; a
    companion that fails never fails the task (it is logged and left out)."""

    def __init__(self, companions: Sequence[RunCompanion], stop_timeout: float = 10.0) -> None:
        self._all = list(companions)
        self._started: list[RunCompanion] = []
        self._stop_timeout = stop_timeout

    async def start(self, run: RunView) -> None:
        for companion in self._all:
            try:
                await companion.start(run)
            except Exception:
                log.exception("%s did not start; the task goes on without it", companion)
                continue
            self._started.append(companion)

    async def stop(self, ending: RunEnding) -> None:
        while self._started:
            companion = self._started.pop()
            with contextlib.suppress(Exception):
                try:
                    await asyncio.wait_for(companion.stop(ending), self._stop_timeout)
                except Exception:
                    log.exception("%s did not stop cleanly", companion)


def companions_for(
    config: CodexTaskConfig, factories: Sequence[CompanionFactory]
) -> list[RunCompanion]:
    made = (factory(config) for factory in factories)
    return [c for c in made if c is not None]
