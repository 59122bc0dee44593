"""Snapshots in a task's run: restore on a resume, capture between turns and at the end.

prepare (a resume only): when the host's own task dir still names a thread it wins (the
engine-restart path); otherwise the newest good snapshot is restored into fresh directories
(ours, else the published format), the state file a resumed run reads is written from its
meta, and the run resumes its thread. A resume with snapshots none of which restores fails,
naming each; one without any snapshot starts over, said as such by the run.

start: the agent learns of the resume from a note put before the next message it is given
(no turn spent on it) and from a ``resume.log`` line, as AGENTS.md describes; AGENTS.md is
recomposed through ``on_resume_refresh``. With ``snapshot_every``, captures run while codex
is idle. stop: the last capture (after interrupting a turn still running: codex is stopped
right after), retention, chunk collection, and optio's saved-state flag.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from optio_codex.hosts.host_scripts import HostOps, read_file, write_file
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.snapshots.agents_refresh import AgentsRefresh, resume_notice
from optio_codex.snapshots.excludes import effective_exclude
from optio_codex.snapshots.model import SnapshotInfo
from optio_codex.snapshots.published import restore_published
from optio_codex.snapshots.resume import Restored, restore_newest
from optio_codex.snapshots.store import SnapshotStore
from optio_codex.snapshots.task_capture import (
    capture_meta,
    new_run_id,
    store_for,
    task_roots,
)
from optio_codex.task.companions import LaunchPlan, PrepareView, RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.state import STATE_FILE, TaskState, TaskStateStore

log = logging.getLogger(__name__)

RESUME_LOG = "resume.log"
OPTIO_LOG = "optio.log"
_IDLE_POLL = 0.25
_HOST_ANSWERS = 20.0  # seconds for the first host exec of a capture


class SnapshotCompanion:
    """One run's snapshots (made for a task with ``supports_resume``)."""

    stop_timeout = 300.0  # the last capture of a large workspace outlasts the usual bound

    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.run_id = new_run_id()
        self.ctx: Any = None
        self.ops: HostOps | None = None
        self.paths: TaskPaths | None = None
        self.store: SnapshotStore | None = None
        self.restored: Restored | None = None
        self.resuming = False
        self.refresh: AgentsRefresh | None = None
        self.conversation: Any = None
        self.base_turns = 0
        self.captures: list[SnapshotInfo] = []
        self._lock = asyncio.Lock()
        self._loop: asyncio.Task[None] | None = None

    def _say(self, message: str, level: str = "info") -> None:
        log.log(logging.WARNING if level == "warning" else logging.INFO, "%s", message)
        with contextlib.suppress(Exception):
            self.ctx.report_progress(None, message, level=level)

    # -- prepare: a resume restores ----------------------------------------------------------

    async def prepare(self, view: PrepareView, plan: LaunchPlan) -> None:
        self.ctx, self.ops, self.paths = view.ctx, view.ops, view.paths
        self.store = store_for(view.ctx, self.config)
        plan.state_kept = True  # this companion owns the saved-state flag from here on
        self.resuming = view.resuming
        if not view.resuming:
            return
        state_path = f"{view.paths.task_dir}/{STATE_FILE}"
        kept = await TaskStateStore(view.ops, state_path).load()
        if kept is not None and kept.thread_id:
            plan.notes.append(
                f"resume: the host still holds the task directory (thread {kept.thread_id}); "
                "no snapshot restored"
            )
        else:
            self.restored = restored = await self._restore(view)
            if restored is None:
                return  # the run says it starts a new thread (no state on the host)
            plan.notes.extend(restored.notes)
            plan.notes.append(_restored_line(restored))
            if restored.thread_id and not restored.turns:
                plan.notes.append(
                    f"resume: thread {restored.thread_id} never had a turn, so codex kept "
                    "nothing of it: it starts afresh with the same instructions"
                )
            await write_file(view.ops, state_path, _state_of(restored).to_json().encode())
            # Every line of the captured optio.log was read by the run that wrote it: none is
            # replayed (a DONE there would end this run at once).
            await write_file(view.ops, f"{view.paths.workspace}/{OPTIO_LOG}", b"")
            plan.resume_thread_id = restored.thread_id
            self.base_turns = restored.turns
        captured = await read_file(view.ops, f"{view.paths.workspace}/AGENTS.md")
        self.refresh = AgentsRefresh(self.config, view.task_id, view.paths, captured or None)

    async def _restore(self, view: PrepareView) -> Restored | None:
        assert self.store is not None
        pid = str(view.ctx.process_id)
        restored = await restore_newest(self.store, view.ops, view.paths, pid)
        if restored is None:
            decrypt = self.config.session_blob_decrypt
            restored = await restore_published(
                view.ctx._db, view.ctx._prefix, view.ops, view.paths, pid, decrypt
            )
        return restored

    # -- start: tell the agent, refresh AGENTS.md, capture between turns --------------------

    async def start(self, run: RunView) -> None:
        self.conversation = run.conversation
        self.paths = run.paths  # resolved by provisioning
        if self.conversation is None:
            return  # no thread to follow (the factory makes none for mode="iframe")
        refreshed: list[str] = []
        if self.resuming and self.refresh is not None:
            refreshed = await self.refresh.apply(run.ops)
        if self.resuming and run.resumed:
            self.conversation.note_next_message(resume_notice(self.restored, refreshed))
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = stamp + (f" REFRESHED:{','.join(refreshed)}" if refreshed else "") + "\n"
        await write_file(run.ops, f"{run.paths.workspace}/{RESUME_LOG}", line.encode(), append=True)
        if self.config.snapshot_every is not None:
            self._loop = asyncio.create_task(self._every(self.config.snapshot_every))

    async def _every(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self._capture_when_idle(interval)
            except Exception as exc:  # the next interval tries again; the run goes on
                self._say(f"snapshot failed: {exc}", "warning")

    async def _capture_when_idle(self, patience: float) -> None:
        """Wait (up to ``patience``) for codex to be idle, capture, and keep the snapshot
        only if no turn started meanwhile: a snapshot is of one point in time."""
        conversation = self.conversation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while conversation.active_turn_id is not None or conversation.is_pending():
            if loop.time() > deadline:
                self._say("snapshot skipped: a turn ran for the whole interval")
                return
            await asyncio.sleep(_IDLE_POLL)
        before = len(conversation.turns)
        snapshot = await self._capture("interval")
        if conversation.active_turn_id is not None or len(conversation.turns) != before:
            assert self.store is not None
            await self.store.snapshots.delete_one({"_id": _oid(snapshot.id)})
            self._say("snapshot discarded: a turn started while it was taken; next interval")
            return
        self._say(_captured_line(snapshot))

    # -- capture -----------------------------------------------------------------------------

    async def _capture(self, reason: str) -> SnapshotInfo:
        assert self.store is not None and self.ops is not None and self.paths is not None
        conversation = self.conversation
        async with self._lock:
            # Also whether the host answers: an unreachable one fails the capture here, at
            # once, instead of holding the run's teardown while the link is retried.
            state_file = TaskStateStore(self.ops, f"{self.paths.task_dir}/{STATE_FILE}")
            state = await asyncio.wait_for(state_file.load(), _HOST_ANSWERS)
            turns = self.base_turns + len(conversation.turns)
            if state is not None and state.had_turn:
                turns = max(turns, 1)
            meta = capture_meta(
                self.config,
                self.paths,
                thread=conversation.thread,
                thread_id=conversation.thread_id,
                turns=turns,
                run_id=self.run_id,
                reason=reason,
                state={
                    "active_turn": state.active_turn if state else None,
                    "delivered": state.delivered if state else (),
                },
            )
            roots = task_roots(
                self.paths, meta["rollout"], with_config=not self.config.provider_secrets
            )
            snapshot = await self.store.capture(
                self.ops,
                roots,
                process_id=str(self.ctx.process_id),
                meta=meta,
                exclude=_exclude(self.config),
            )
        self.captures.append(snapshot)
        return snapshot

    # -- stop: the last capture --------------------------------------------------------------

    async def stop(self, ending: RunEnding) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
        if self.conversation is None or self.store is None:
            return  # no conversation ran: nothing new to keep
        if ending.detaching:
            self._say("no snapshot: codex keeps running on the host for the resumed run")
            return
        await self._settle_turn()
        try:
            snapshot = await self._capture("end")
        except Exception as exc:
            self._say(f"snapshot at the end failed: {exc}", "warning")
        else:
            self._say(_captured_line(snapshot))
        await self._retain()

    async def _settle_turn(self) -> None:
        """A turn still running at the end is interrupted first: codex stops right after,
        and the rollout then records how the turn ended."""
        conversation = self.conversation
        if conversation.closed or conversation.active_turn_id is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conversation.interrupt(), 15.0)

    async def _retain(self) -> None:
        assert self.store is not None
        pid = str(self.ctx.process_id)
        try:
            await self.store.prune(pid, keep=self.config.snapshot_keep)
            await self.store.collect_garbage()
        except Exception as exc:
            log.warning("snapshot retention for %s failed: %s", pid, exc)
        try:
            if await self.store.list(pid):
                await self.ctx.mark_has_saved_state()
            else:
                await self.ctx.clear_has_saved_state()
        except Exception as exc:
            log.warning("could not set the saved-state flag of %s: %s", pid, exc)


def _exclude(config: CodexTaskConfig) -> list[str]:
    return effective_exclude(config.workdir_exclude)


def _oid(snapshot_id: str) -> Any:
    return ObjectId(snapshot_id)


def _state_of(restored: Restored) -> TaskState:
    return TaskState(
        thread_id=restored.thread_id,
        active_turn=restored.active_turn,
        delivered=restored.delivered,
        had_turn=restored.turns > 0,
    )


def _restored_line(restored: Restored) -> str:
    kind = "snapshot" if restored.source == "snapshot" else "optio-codex 0.4.8 snapshot"
    return (
        f"resume: restored {kind} {restored.snapshot_id} ({restored.files} files; thread "
        f"{restored.thread_id or 'none'}, {restored.turns} turns)"
    )


def _captured_line(snapshot: SnapshotInfo) -> str:
    return (
        f"snapshot {snapshot.id}: {snapshot.files} files, {snapshot.changed_files} changed, "
        f"{snapshot.transferred_bytes} bytes from the host, {snapshot.stored_bytes} stored"
    )


def snapshots_for(config: CodexTaskConfig) -> SnapshotCompanion | None:
    """The factory's: snapshots for every conversation task that supports resume (codex's
    terminal UI, mode="iframe", resumes from its task directory only)."""
    if not config.supports_resume or config.mode != "conversation":
        return None
    return SnapshotCompanion(config)
