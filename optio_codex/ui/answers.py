"""A viewer's answer to a prompt, as the permission gate takes it.

The view posts ``{request_id, behavior: "allow" | "deny", message?}``; API clients may also
say ``allow_for_session`` or ``cancel`` (deny and end the turn), pass ``answers`` to a question
(question id -> answers) and ``content`` to an MCP form. A question can also be answered by
the next message a viewer sends while it is open: that text answers every question of it.
"""

from __future__ import annotations

from typing import Any

from optio_codex.driver.approvals import (
    ApprovalKind,
    CodexPermissionDecision,
    CodexPermissionRequest,
    Decision,
)
from optio_codex.ui.view_events import first_options

BEHAVIORS = {
    "allow": Decision.ALLOW,
    "allow_for_session": Decision.ALLOW_FOR_SESSION,
    "deny": Decision.DENY,
    "cancel": Decision.CANCEL,
}
DECIDED_BY = "ui"


class BadAnswer(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def request_key(raw: Any) -> int | str:
    """The JSON-RPC id the view sends back as a string ("7" for the id 7)."""
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise BadAnswer("bad-request-id")
    if isinstance(raw, str) and raw.lstrip("-").isdigit():
        return int(raw)
    return raw


def find_pending(pending: list[CodexPermissionRequest], key: int | str) -> CodexPermissionRequest:
    for request in pending:
        if request.request_id == key or str(request.request_id) == str(key):
            return request
    raise LookupError(key)


def decision_from(body: dict[str, Any], request: CodexPermissionRequest) -> CodexPermissionDecision:
    behavior = body.get("behavior")
    if behavior not in BEHAVIORS:
        raise BadAnswer("bad-behavior")
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        raise BadAnswer("bad-message")
    base = CodexPermissionDecision.of(BEHAVIORS[behavior], message=message, decided_by=DECIDED_BY)
    if base.behavior != "allow":
        return base
    updated = body.get("updated_input")
    if updated is not None and not isinstance(updated, dict):
        raise BadAnswer("bad-updated-input")
    answers = _answers(body.get("answers"), request)
    return CodexPermissionDecision(
        behavior="allow",
        scope=base.scope,
        message=message,
        updated_input=updated,
        answers=answers,
        content=body.get("content", {} if request.kind is ApprovalKind.MCP_ELICITATION else None),
        decided_by=DECIDED_BY,
    )


def _answers(raw: Any, request: CodexPermissionRequest) -> dict[str, list[str]] | None:
    if request.kind is not ApprovalKind.USER_INPUT:
        return None
    if raw is None:  # Approve on a card: each question's first option
        return {qid: [label] for qid, label in first_options(request.input).items()}
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(a, str) for a in v) for v in raw.values()
    ):
        raise BadAnswer("bad-answers")
    return {str(k): list(v) for k, v in raw.items()}


def text_answer(request: CodexPermissionRequest, text: str) -> CodexPermissionDecision:
    """A message sent while a question is open answers each of its questions."""
    ids = [
        str(q.get("id"))
        for q in request.input.get("questions") or []
        if isinstance(q, dict) and q.get("id")
    ]
    return CodexPermissionDecision(
        behavior="allow", answers={qid: [text] for qid in ids}, decided_by=DECIDED_BY
    )


def open_question(pending: list[CodexPermissionRequest]) -> CodexPermissionRequest | None:
    return next((r for r in pending if r.kind is ApprovalKind.USER_INPUT), None)
