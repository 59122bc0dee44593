"""What codex asks approval for, and how an answer is put on the wire.

The request kinds, the decisions, optio-agents' request/decision types extended with what codex
tells us, and the pure mapping from a decision to each kind's wire answer; no I/O.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from optio_agents.conversation import PermissionDecision, PermissionRequest


class ApprovalKind(StrEnum):
    COMMAND = "command"
    FILE_CHANGE = "file_change"
    PERMISSIONS = "permissions"
    MCP_ELICITATION = "mcp_elicitation"
    USER_INPUT = "user_input"


APPROVAL_METHODS: Mapping[str, ApprovalKind] = {
    "item/commandExecution/requestApproval": ApprovalKind.COMMAND,
    "item/fileChange/requestApproval": ApprovalKind.FILE_CHANGE,
    "item/permissions/requestApproval": ApprovalKind.PERMISSIONS,
    "mcpServer/elicitation/request": ApprovalKind.MCP_ELICITATION,
    "item/tool/requestUserInput": ApprovalKind.USER_INPUT,
}


class Decision(StrEnum):
    ALLOW = "allow"
    ALLOW_FOR_SESSION = "allow_for_session"
    DENY = "deny"
    CANCEL = "cancel"  # deny and end the turn


@dataclass(frozen=True)
class CodexPermissionRequest(PermissionRequest):
    """optio-agents' PermissionRequest, with what codex tells us about the request."""

    kind: ApprovalKind = ApprovalKind.COMMAND
    request_id: int | str = 0
    method: str = ""
    thread_id: str | None = None
    turn_id: str | None = None
    item_id: str | None = None

    @property
    def command(self) -> str | None:
        value = self.input.get("command")
        if isinstance(value, list):
            return shlex.join(str(v) for v in value)
        return value if isinstance(value, str) else None

    def to_event(self) -> dict[str, Any]:
        # Not "method": a synthetic event with a top-level "method" reads as a wire message
        # (CodexEvent.type/.method/.is_synthetic key on it).
        return {
            "requestId": self.request_id,
            "kind": self.kind.value,
            "requestMethod": self.method,
            "toolName": self.tool_name,
            "threadId": self.thread_id,
            "turnId": self.turn_id,
            "itemId": self.item_id,
            "params": self.input,
        }


@dataclass(frozen=True)
class CodexPermissionDecision(PermissionDecision):
    """optio-agents' PermissionDecision with the richer answers codex accepts.

    ``behavior`` stays "allow" or "deny"; ``scope`` makes an allow last for the session, and
    ``cancel`` makes a deny also end the turn. ``permissions`` is the granted subset for a
    permissions request (None: all that was asked); ``answers`` answer a user-input request
    (question id → chosen answers); ``content`` is the form content of an MCP elicitation.
    """

    scope: Literal["once", "session"] = "once"
    cancel: bool = False
    permissions: dict[str, Any] | None = None
    answers: Mapping[str, Sequence[str]] | None = None
    content: Any = None
    decided_by: str = "human"

    @property
    def decision(self) -> Decision:
        if self.behavior == "allow":
            return Decision.ALLOW_FOR_SESSION if self.scope == "session" else Decision.ALLOW
        return Decision.CANCEL if self.cancel else Decision.DENY

    @classmethod
    def of(
        cls, decision: Decision | str, *, message: str | None = None, decided_by: str = "human"
    ) -> CodexPermissionDecision:
        d = Decision(decision)
        return cls(
            behavior="allow" if d in (Decision.ALLOW, Decision.ALLOW_FOR_SESSION) else "deny",
            scope="session" if d is Decision.ALLOW_FOR_SESSION else "once",
            cancel=d is Decision.CANCEL,
            message=message,
            decided_by=decided_by,
        )

    @classmethod
    def upgrade(cls, decision: PermissionDecision) -> CodexPermissionDecision:
        if isinstance(decision, CodexPermissionDecision):
            return decision
        if decision.behavior not in ("allow", "deny"):
            raise ValueError(f"unknown permission behavior {decision.behavior!r}")
        return cls(
            behavior=decision.behavior,
            updated_input=decision.updated_input,
            message=decision.message,
        )


def build_request(
    request_id: int | str, method: str, params: Mapping[str, Any]
) -> CodexPermissionRequest | None:
    """The typed request for a server request, or None for a kind we do not know."""
    kind = APPROVAL_METHODS.get(method)
    if kind is None:
        return None
    raw = {"id": request_id, "method": method, "params": dict(params)}
    return CodexPermissionRequest(
        tool_name=_tool_name(kind, params),
        input=dict(params),
        raw=raw,
        kind=kind,
        request_id=request_id,
        method=method,
        thread_id=_str_or_none(params.get("threadId")),
        turn_id=_str_or_none(params.get("turnId")),
        item_id=_str_or_none(params.get("itemId")),
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _tool_name(kind: ApprovalKind, params: Mapping[str, Any]) -> str:
    if kind is ApprovalKind.COMMAND:
        command = params.get("command")
        if isinstance(command, list):
            command = shlex.join(str(c) for c in command)
        return str(command or "command execution")
    if kind is ApprovalKind.FILE_CHANGE:
        return "file change"
    if kind is ApprovalKind.PERMISSIONS:
        return "permissions"
    if kind is ApprovalKind.MCP_ELICITATION:
        return f"mcp:{params.get('serverName', '?')}"
    return "request_user_input"


def wire_answer(request: CodexPermissionRequest, decision: CodexPermissionDecision) -> Any:
    """The JSON ``result`` that answers ``request`` with ``decision``."""
    d = decision.decision
    if request.kind in (ApprovalKind.COMMAND, ApprovalKind.FILE_CHANGE):
        return {
            "decision": {
                Decision.ALLOW: "accept",
                Decision.ALLOW_FOR_SESSION: "acceptForSession",
                Decision.DENY: "decline",
                Decision.CANCEL: "cancel",
            }[d]
        }
    if request.kind is ApprovalKind.PERMISSIONS:
        if decision.behavior != "allow":
            return {"permissions": {}, "scope": "turn"}
        asked = request.input.get("permissions")
        granted = decision.permissions if decision.permissions is not None else asked
        return {
            "permissions": _grantable(granted),
            "scope": "session" if decision.scope == "session" else "turn",
        }
    if request.kind is ApprovalKind.MCP_ELICITATION:
        action = {Decision.CANCEL: "cancel", Decision.DENY: "decline"}.get(d, "accept")
        content = decision.content if action == "accept" else None
        # An MCP tool approval offers `_meta.persist: ["session", "always"]`; only an accept
        # carrying `_meta: {"persist": "session"}` spares the later calls of that tool a prompt.
        meta = (
            {"persist": "session"}
            if d is Decision.ALLOW_FOR_SESSION and _offers_session(request.input)
            else None
        )
        return {"action": action, "content": content, "_meta": meta}
    # User input: the operator's answers, or none at all when denied.
    answers = decision.answers if decision.behavior == "allow" and decision.answers else {}
    return {"answers": {qid: {"answers": list(a)} for qid, a in answers.items()}}


def _offers_session(params: Mapping[str, Any]) -> bool:
    meta = params.get("_meta")
    persist = meta.get("persist") if isinstance(meta, dict) else None
    return persist == "session" or (isinstance(persist, list) and "session" in persist)


def _grantable(profile: Any) -> dict[str, Any]:
    """Only the members of a requested profile that a grant may carry."""
    if not isinstance(profile, dict):
        return {}
    return {k: v for k, v in profile.items() if k in ("network", "fileSystem") and v is not None}
