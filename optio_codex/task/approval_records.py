"""The approval audit trail's records: what one server request asked and how it ended, as
stored in MongoDB (``{prefix}_codex_approvals``, one document per request) and read back.

The companion that writes them is :mod:`optio_codex.task.audit`; this module is the shape
of a record, the words that say what a request asks, and :func:`read_approvals`.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from optio_codex.driver.approvals import APPROVAL_METHODS

COLLECTION_SUFFIX = "_codex_approvals"
_MAX_TEXT = 4_000  # a command or a question longer than this is cut (the trail is no log)
_MAX_FILES = 200

# decision values besides optio-codex's Decision ("allow", "allow_for_session", "deny",
# "cancel"): codex withdrew the request, it was dropped unanswered, or it was never ours.
WITHDRAWN = "withdrawn"
DROPPED = "dropped"
REFUSED = "refused"


def collection_name(prefix: str) -> str:
    return f"{prefix}{COLLECTION_SUFFIX}"


@dataclass(frozen=True)
class ChangedFile:
    """One file of a file-change request, with its line counts."""

    path: str
    added: int = 0
    removed: int = 0
    change: str | None = None  # "add", "delete", "update"
    move_to: str | None = None


@dataclass(frozen=True)
class ApprovalRecord:
    """One server request of a run and its outcome.

    ``decision`` is None while the request waits; then "allow", "allow_for_session", "deny",
    "cancel", or "withdrawn" (codex stopped waiting), "dropped" (nobody could answer any
    more), "refused" (a request optio-codex does not handle). ``decided_by`` says who or what
    decided: "ui", "terminal", "policy" or "policy:<rule>", "timeout", "server", or the
    reason a prompt was dropped.
    """

    process_id: str
    run_id: str
    run_started_at: datetime
    seq: int  # order within the run
    request_id: int | str  # the JSON-RPC id of the last time codex asked
    kind: str  # command, file_change, permissions, mcp_elicitation, user_input, other
    method: str
    what: str  # one line: what is asked
    requested_at: datetime
    command: str | None = None
    cwd: str | None = None
    files: tuple[ChangedFile, ...] = ()
    reason: str | None = None
    permissions: Any = None  # what was asked beyond the sandbox
    questions: tuple[Mapping[str, Any], ...] = ()
    decision: str | None = None
    decided_by: str | None = None
    message: str | None = None
    decided_at: datetime | None = None
    earlier_request_ids: tuple[int | str, ...] = field(default=())  # asked again after these

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    @property
    def waited(self) -> float | None:
        """Seconds from the request to its decision; None while it waits."""
        if self.decided_at is None:
            return None
        return max(0.0, (self.decided_at - self.requested_at).total_seconds())

    def to_document(self, key: str) -> dict[str, Any]:
        return {
            "_id": key,
            "processId": self.process_id,
            "runId": self.run_id,
            "runStartedAt": self.run_started_at,
            "seq": self.seq,
            "requestId": self.request_id,
            "earlierRequestIds": list(self.earlier_request_ids),
            "kind": self.kind,
            "method": self.method,
            "what": self.what,
            "command": self.command,
            "cwd": self.cwd,
            "paths": [_file_document(f) for f in self.files],
            "reason": self.reason,
            "permissions": self.permissions,
            "questions": [dict(q) for q in self.questions],
            "decision": self.decision,
            "decidedBy": self.decided_by,
            "message": self.message,
            "requestedAt": self.requested_at,
            "decidedAt": self.decided_at,
        }

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ApprovalRecord:
        return cls(
            process_id=str(doc.get("processId")),
            run_id=str(doc.get("runId")),
            run_started_at=_utc(doc.get("runStartedAt")) or datetime.fromtimestamp(0, UTC),
            seq=int(doc.get("seq") or 0),
            request_id=doc.get("requestId", ""),
            kind=str(doc.get("kind")),
            method=str(doc.get("method")),
            what=str(doc.get("what") or ""),
            requested_at=_utc(doc.get("requestedAt")) or datetime.fromtimestamp(0, UTC),
            command=doc.get("command"),
            cwd=doc.get("cwd"),
            files=tuple(_file_of(f) for f in doc.get("paths") or [] if isinstance(f, dict)),
            reason=doc.get("reason"),
            permissions=doc.get("permissions"),
            questions=tuple(q for q in doc.get("questions") or [] if isinstance(q, dict)),
            decision=doc.get("decision"),
            decided_by=doc.get("decidedBy"),
            message=doc.get("message"),
            decided_at=_utc(doc.get("decidedAt")),
            earlier_request_ids=tuple(doc.get("earlierRequestIds") or ()),
        )


async def read_approvals(db: Any, prefix: str, process_id: str) -> list[ApprovalRecord]:
    """The audit trail of an optio process (every run of it), oldest first.

    ``db`` is the motor database the engine uses, ``prefix`` its collection prefix."""
    cursor = db[collection_name(prefix)].find({"processId": process_id})
    docs = await cursor.to_list(length=None)
    records = [ApprovalRecord.from_document(d) for d in docs]
    return sorted(records, key=lambda r: (r.run_started_at, r.run_id, r.seq))


# -- what a request asks --------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """What a server request asks, read off its params."""

    kind: str
    what: str
    command: str | None = None
    cwd: str | None = None
    files: tuple[ChangedFile, ...] = ()
    reason: str | None = None
    permissions: Any = None
    questions: tuple[Mapping[str, Any], ...] = ()


def asked_by(method: str, params: Mapping[str, Any]) -> Asked:
    """What ``method`` with ``params`` asks (file changes: ``params["changes"]``, which the
    driver attaches from the item when codex's request names only the item)."""
    known = APPROVAL_METHODS.get(method)
    kind = known.value if known is not None else "other"
    reason = _text(params.get("reason"))
    cwd = _text(params.get("cwd"))
    if kind == "command":
        command = _command(params.get("command"))
        extra = params.get("networkApprovalContext") or params.get("additionalPermissions")
        what = command or "a command"
        return Asked(kind, what, command, cwd, reason=reason, permissions=_json(extra))
    if kind == "file_change":
        files = changed_files(params.get("changes"))
        return Asked(kind, files_what(files, params.get("grantRoot")), None, cwd, files, reason)
    if kind == "permissions":
        asked = _json(params.get("permissions"))
        return Asked(kind, _permissions_what(asked), cwd=cwd, reason=reason, permissions=asked)
    if kind == "user_input":
        questions = tuple(
            _question(q) for q in params.get("questions") or [] if isinstance(q, dict)
        )
        texts = "; ".join(str(q.get("question") or q.get("header") or "") for q in questions)
        return Asked(kind, texts or "a question", reason=reason, questions=questions)
    if kind == "mcp_elicitation":
        server = params.get("serverName") or "?"
        message = _text(params.get("message")) or "a request"
        return Asked(kind, f"{server}: {message}", reason=reason)
    return Asked(kind, method, reason=reason)


def changed_files(changes: Any) -> tuple[ChangedFile, ...]:
    """The files of a change list (codex's ``[{path, kind, diff}]``) with their line counts."""
    if isinstance(changes, dict):  # older shape: path -> change
        changes = [{"path": p, **(c if isinstance(c, dict) else {})} for p, c in changes.items()]
    if not isinstance(changes, list):
        return ()
    files = []
    for change in changes[:_MAX_FILES]:
        if not isinstance(change, dict):
            continue
        kind = change.get("kind")
        kind_type = kind.get("type") if isinstance(kind, dict) else kind
        move = kind.get("move_path") if isinstance(kind, dict) else None
        added, removed = _line_counts(str(change.get("diff") or ""), kind_type)
        files.append(
            ChangedFile(
                path=str(change.get("path")),
                added=added,
                removed=removed,
                change=kind_type if isinstance(kind_type, str) else None,
                move_to=move if isinstance(move, str) else None,
            )
        )
    return tuple(files)


def files_what(files: tuple[ChangedFile, ...], grant_root: Any = None) -> str:
    if not files:
        return f"writes under {grant_root}" if grant_root else "a file change"
    added = sum(f.added for f in files)
    removed = sum(f.removed for f in files)
    names = ", ".join(f.path for f in files[:3]) + (", ..." if len(files) > 3 else "")
    return f"{names} (+{added} -{removed})"


def _line_counts(diff: str, kind_type: Any) -> tuple[int, int]:
    """A new file's content counts as added, a deleted one's as removed, a diff by its lines."""
    lines = diff.splitlines()
    if kind_type == "add":
        return len(lines), 0
    if kind_type == "delete":
        return 0, len(lines)
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return added, removed


def _permissions_what(asked: Any) -> str:
    if not isinstance(asked, dict):
        return "more permissions"
    wanted = [name for name, value in asked.items() if value]
    return ", ".join(wanted) or "more permissions"


def _question(question: Mapping[str, Any]) -> dict[str, Any]:
    options = [o.get("label") for o in question.get("options") or [] if isinstance(o, dict)]
    return {
        "id": question.get("id"),
        "header": _text(question.get("header")),
        "question": _text(question.get("question")),
        "options": options,
    }


def _command(value: Any) -> str | None:
    if isinstance(value, list):
        return _text(shlex.join(str(v) for v in value))
    return _text(value)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"


def _json(value: Any) -> Any:
    """Plain JSON for Mongo (a dict with a non-string key would not store)."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _file_document(file: ChangedFile) -> dict[str, Any]:
    doc: dict[str, Any] = {"path": file.path, "added": file.added, "removed": file.removed}
    if file.change:
        doc["change"] = file.change
    if file.move_to:
        doc["moveTo"] = file.move_to
    return doc


def _file_of(doc: Mapping[str, Any]) -> ChangedFile:
    return ChangedFile(
        path=str(doc.get("path")),
        added=int(doc.get("added") or 0),
        removed=int(doc.get("removed") or 0),
        change=doc.get("change"),
        move_to=doc.get("moveTo"),
    )


def _utc(value: Any) -> datetime | None:
    """Mongo hands datetimes back naive (in UTC) unless the client is tz-aware."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
