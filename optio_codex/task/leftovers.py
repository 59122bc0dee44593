"""What earlier runs left on a task's host: this task's own codex, and other tasks' orphans.

A run stops what an earlier run of its task may have left on its CODEX_HOME before it
launches (:func:`stop_predecessor`) and at its end (:func:`stop_task_leftovers`). The
registry's reaper (:func:`optio_codex.hosts.registry.reap`) stops the app-servers of tasks
the engine no longer has and removes their task directories. What a layer above task/ must
save from such a directory first (a seeded task's newest login, in credentials/) plugs in as
a :data:`ReapHook`, which the factory passes to the run: task/ never imports those layers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from optio_codex.hosts.host_scripts import HostOps
from optio_codex.hosts.registry import RegistryEntry, reap, stop_leftovers
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.engine_view import process_is_live

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadTask:
    """A task whose directory the reaper is about to remove; its processes are stopped."""

    task_id: str
    process_id: str  # the optio process id it ran as
    task_dir: str  # on the host, still there


@dataclass(frozen=True)
class ReapView:
    """What a hook may use: the reaping run's context, config and host."""

    ctx: Any  # optio's ProcessContext of the run that reaps
    config: CodexTaskConfig
    ops: HostOps


# Before a dead task's directory goes: a progress note, or None. An exception keeps the
# directory (and its registry entry) for a later reap to try again.
ReapHook = Callable[[ReapView, DeadTask], Awaitable[str | None]]


async def reap_orphans(
    view: ReapView, owner: str, task_id: str, hooks: Sequence[ReapHook] = ()
) -> None:
    """Stop app-servers ``owner`` started for tasks that no longer exist (not ``task_id``,
    the caller's own); never raises: someone else's leftovers never fail a task."""
    ctx = view.ctx

    async def is_live(entry: RegistryEntry) -> bool:
        return await process_is_live(ctx, entry.process_id)

    async def before_remove(entry: RegistryEntry) -> None:
        dead = DeadTask(entry.task_id, entry.process_id, entry.task_dir)
        for hook in hooks:
            try:
                note = await hook(view, dead)
            except Exception as exc:
                log.warning("keeping %s for a later reap: %s", entry.task_dir, exc)
                raise
            if note:
                ctx.report_progress(None, note)

    try:
        report = await reap(
            view.ops,
            owner,
            is_live,
            keep_task_ids={task_id},
            before_remove=before_remove if hooks else None,
        )
    except Exception as exc:
        log.warning("could not check the host for orphaned app-servers: %s", exc)
        return
    if report.stopped:
        names = ", ".join(s.entry.task_id for s in report.stopped)
        ctx.report_progress(None, f"stopped orphaned codex app-servers: {names}")


async def stop_predecessor(
    ctx: Any, ops: HostOps, owner: str, task_id: str, codex_home: str, socket: str
) -> None:
    """Before a launch: an earlier run of this task may have left codex on its CODEX_HOME
    unrecorded (the engine killed before the state file said so; a relaunch is fresh). It
    would hold codex's control socket for ``socket``, and the new app-server fail at start."""
    try:
        swept = await stop_leftovers(ops, owner, task_id, codex_home, socket=socket, timeout=15.0)
    except Exception as exc:
        log.warning("could not check for an earlier run's codex: %s", exc)
        return
    if swept:
        ctx.report_progress(None, f"stopped {swept} processes an earlier run of the task left")


async def stop_task_leftovers(ops: HostOps, owner: str, task_id: str, codex_home: str) -> None:
    """At the end: kill what is left of the task on the host and forget its registry entry.

    codex runs each command in a session of its own, so what a command detached outlives
    codex's process group: the sweep finds it by its CODEX_HOME. One exec, through the same
    stop as the detached server's and the reaper's.
    """
    try:
        await stop_leftovers(ops, owner, task_id, codex_home, timeout=10.0)
    except Exception as exc:
        log.warning("could not stop the task's leftover processes: %s", exc)
