"""The approval audit trail, for every task: each server request codex sends, what it asked
and how it ended, one MongoDB document per request in ``{prefix}_codex_approvals`` (records:
:mod:`optio_codex.task.approval_records`).

It follows the conversation's events: the server request itself (every one, whoever answers
it), the gate's ``x-optio-permission-resolved`` (decision, who decided, message),
``x-optio-permission-rebound`` and the reconnects, so a prompt codex asks again after a
reconnect (under a new id) updates its first record instead of making a second. A document
is written when the request arrives and again when it is decided; writes run in the
background, never fail the task (they are logged), and are flushed when the run stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from optio_codex.driver.approvals import build_request
from optio_codex.driver.events import Subscription
from optio_codex.driver.gate import replay_key
from optio_codex.task.approval_records import (
    DROPPED,
    REFUSED,
    WITHDRAWN,
    ApprovalRecord,
    asked_by,
    collection_name,
)
from optio_codex.task.companions import RunCompanion, RunEnding, RunView, conversation_of
from optio_codex.task.config import CodexTaskConfig

log = logging.getLogger(__name__)

FLUSH_TIMEOUT = 8.0  # within the run's bound on a companion's stop
_KEPT = 512  # decided records kept in memory, for a re-ask after a reconnect


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Entry:
    key: str  # the document's _id
    record: ApprovalRecord
    generation: int  # the connection (count of losses) its current request id belongs to
    replay: str | None  # the gate's replay key: how a re-ask is recognised


class AuditWriter:
    """Upserts documents in the background, the latest version of each; a failed write is
    logged and the task goes on."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self._dirty: OrderedDict[str, dict[str, Any] | None] = OrderedDict()  # None: delete
        self._task: asyncio.Task[None] | None = None
        self._indexed = False
        self.failures = 0

    def put(self, key: str, document: dict[str, Any] | None) -> None:
        self._dirty[key] = document
        self._dirty.move_to_end(key)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        if not self._indexed:
            self._indexed = True
            try:
                await self._collection.create_index("processId")
            except Exception as exc:
                log.warning("could not index the approval audit trail: %s", exc)
        while self._dirty:
            key, document = self._dirty.popitem(last=False)
            try:
                if document is None:
                    await self._collection.delete_one({"_id": key})
                else:
                    await self._collection.replace_one({"_id": key}, document, upsert=True)
            except Exception as exc:
                self.failures += 1
                log.warning("could not write approval record %s: %s", key, exc)

    async def flush(self, timeout: float = FLUSH_TIMEOUT) -> None:
        task = self._task
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            log.warning("approval audit trail: %d writes not flushed in time", len(self._dirty))
        except Exception as exc:
            log.warning("approval audit trail: flush failed: %s", exc)


class AuditTrail:
    """The run companion that keeps the audit trail."""

    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.run_id = uuid.uuid4().hex[:16]
        self.run_started_at = _now()
        self.process_id = ""
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._seq = 0
        self._generation = 0
        self._file_changes: dict[str, list[Any]] = {}
        self._writer: AuditWriter | None = None
        self._subscription: Subscription | None = None
        self._follower: asyncio.Task[None] | None = None

    @property
    def records(self) -> list[ApprovalRecord]:
        return [entry.record for entry in self._entries.values()]

    async def start(self, run: RunView) -> None:
        ctx = run.ctx
        self.process_id = str(ctx.process_id)
        self.run_started_at = _now()
        db, prefix = getattr(ctx, "_db", None), getattr(ctx, "_prefix", None)
        if db is not None and isinstance(prefix, str):
            self._writer = AuditWriter(db[collection_name(prefix)])
        else:
            log.warning("%s: no MongoDB in the task's context: approvals are not stored", ctx)
        # From the start of the conversation's history: nothing asked before this is missed.
        self._subscription = conversation_of(run).subscribe(replay=True)
        self._follower = asyncio.get_running_loop().create_task(self._follow())

    async def stop(self, ending: RunEnding) -> None:
        if self._subscription is not None:
            self._subscription.close("run ending")  # what is queued is still handled
        if self._follower is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._follower, 2.0)
        for entry in list(self._entries.values()):
            if entry.record.decision is None:
                self._decide(entry, DROPPED, f"task {ending.reason}", None)
        if self._writer is not None:
            await self._writer.flush()

    async def _follow(self) -> None:
        assert self._subscription is not None
        async for event in self._subscription:
            try:
                self.observe(event)
            except Exception:
                log.exception("approval audit trail: event ignored")

    # -- events ----------------------------------------------------------------------------

    def observe(self, event: dict[str, Any]) -> None:
        method = event.get("method")
        if method is not None and "id" in event:
            self._requested(event["id"], str(method), event.get("params") or {})
        elif method == "item/started" or method == "item/completed":
            self._track_file_change(str(method), event.get("params") or {})
        kind = event.get("type")
        if kind == "x-optio-permission-resolved":
            self._resolved(event)
        elif kind == "x-optio-permission-rebound":
            self._rebound(event.get("previousRequestId"), event.get("requestId"))
        elif kind == "x-optio-connection-lost":
            # Request ids start again on the new connection; what is asked again is a re-ask.
            self._generation += 1

    def _requested(self, request_id: Any, method: str, params: dict[str, Any]) -> None:
        if method == "item/fileChange/requestApproval" and "changes" not in params:
            changes = self._file_changes.get(str(params.get("itemId")))
            if changes is not None:  # as the driver does: codex names only the item
                params = {**params, "changes": changes}
        typed = build_request(request_id, method, params)
        replay = replay_key(typed) if typed is not None else None
        if replay is not None and self._reasked(replay, request_id):
            return
        asked = asked_by(method, params)
        self._seq += 1
        record = ApprovalRecord(
            process_id=self.process_id,
            run_id=self.run_id,
            run_started_at=self.run_started_at,
            seq=self._seq,
            request_id=request_id,
            kind=asked.kind,
            method=method,
            what=asked.what,
            requested_at=_now(),
            command=asked.command,
            cwd=asked.cwd,
            files=asked.files,
            reason=asked.reason,
            permissions=asked.permissions,
            questions=asked.questions,
        )
        entry = _Entry(f"{self.run_id}-{self._seq}", record, self._generation, replay)
        self._entries[entry.key] = entry
        if typed is None:  # the driver refuses what it does not know, at once
            self._decide(entry, REFUSED, "optio-codex", f"optio-codex does not handle {method}")
        else:
            self._write(entry)
        self._forget_old()

    def _reasked(self, replay: str, request_id: Any) -> bool:
        """A request from before a reconnect, asked again: its record takes the new id."""
        for entry in reversed(self._entries.values()):
            if entry.replay == replay and entry.generation < self._generation:
                self._rekey(entry, request_id)
                return True
        return False

    def _rebound(self, previous: Any, request_id: Any) -> None:
        """The gate re-attached a pending prompt to its re-ask (normally already matched)."""
        if any(
            e.record.request_id == request_id and previous in e.record.earlier_request_ids
            for e in self._entries.values()
        ):
            return
        old = self._open_with(previous, oldest=True)
        if old is None or old.generation >= self._generation:
            return
        duplicate = self._open_with(request_id, oldest=False)
        if duplicate is not None and duplicate is not old:
            del self._entries[duplicate.key]
            if self._writer is not None:
                self._writer.put(duplicate.key, None)
        self._rekey(old, request_id)

    def _resolved(self, event: dict[str, Any]) -> None:
        decision, by = event.get("decision"), event.get("by")
        # A drop (no decision, not codex's own withdrawal) concerns a prompt of an earlier
        # connection when two share an id; everything else, the current one.
        dropped = decision is None and by != "server"
        entry = self._open_with(event.get("requestId"), oldest=dropped)
        if entry is None:
            return  # already decided (a re-ask answered again), or asked before we followed
        if decision is None:
            decision = WITHDRAWN if by == "server" else DROPPED
        message = event.get("message")
        self._decide(entry, str(decision), str(by), message if isinstance(message, str) else None)

    def _track_file_change(self, method: str, params: dict[str, Any]) -> None:
        item = params.get("item")
        if not isinstance(item, dict) or item.get("type") != "fileChange":
            return
        item_id = str(item.get("id"))
        if method == "item/completed":
            self._file_changes.pop(item_id, None)
        elif isinstance(item.get("changes"), list):
            self._file_changes[item_id] = item["changes"]

    # -- records ---------------------------------------------------------------------------

    def _open_with(self, request_id: Any, *, oldest: bool) -> _Entry | None:
        found = [
            e
            for e in self._entries.values()
            if e.record.request_id == request_id and e.record.decision is None
        ]
        if not found:
            return None
        return min(found, key=lambda e: e.generation) if oldest else found[-1]

    def _rekey(self, entry: _Entry, request_id: Any) -> None:
        record = entry.record
        if record.request_id != request_id:
            entry.record = replace(
                record,
                request_id=request_id,
                earlier_request_ids=(*record.earlier_request_ids, record.request_id),
            )
        entry.generation = self._generation
        self._write(entry)

    def _decide(self, entry: _Entry, decision: str, by: str, message: str | None) -> None:
        entry.record = replace(
            entry.record, decision=decision, decided_by=by, message=message, decided_at=_now()
        )
        self._write(entry)

    def _write(self, entry: _Entry) -> None:
        if self._writer is not None:
            self._writer.put(entry.key, entry.record.to_document(entry.key))

    def _forget_old(self) -> None:
        """Memory stays bounded: the oldest decided records leave it (they are stored)."""
        excess = len(self._entries) - _KEPT
        for key in [k for k, e in self._entries.items() if e.record.decision is not None]:
            if excess <= 0:
                break
            del self._entries[key]
            excess -= 1


def audit_for(config: CodexTaskConfig) -> RunCompanion | None:
    """Every task keeps an audit trail."""
    return AuditTrail(config)


__all__ = ["AuditTrail", "AuditWriter", "audit_for"]
