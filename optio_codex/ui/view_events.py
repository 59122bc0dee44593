"""Conversation events as the dashboard's codex view renders them.

The view knows codex's own messages (forwarded unchanged, so it reads the wire shapes it was
written for) and a few ``x-optio-`` events. What the driver adds is translated: a prompt the
gate settled becomes ``x-optio-permission-answered`` (the only thing that removes a card), a
turn the driver ended becomes ``turn/completed``, a message codex refused becomes an error.

The view draws approval cards only for command and file-change requests. The other prompts
codex can send (a permissions request, an MCP elicitation, the agent's question) are shown as
a card of the same shape, titled with what is asked, so that a person can still answer them:
Approve grants (a question: its first option), Deny declines, and a question can also be
answered by sending a message while it is open (see :mod:`optio_codex.ui.answers`).
"""

from __future__ import annotations

import shlex
from typing import Any

from optio_codex.driver.approvals import build_request
from optio_codex.driver.gate import replay_key

CARD_METHODS = ("item/commandExecution/requestApproval", "item/fileChange/requestApproval")
_CARD_AS = "item/commandExecution/requestApproval"
# Driver events a viewer has no use for (the view ignores unknown types, but they cost bytes).
_INTERNAL = frozenset(
    {
        "x-optio-permission-request",  # the request itself is forwarded
        "x-optio-control-update",  # the listener sends the whole control set itself
        "x-optio-message-queued",
        "x-optio-turn-resend",
        "x-optio-protocol-issue",
        "x-optio-permission-rebound",  # the translator keeps the card (see ViewTranslator)
    }
)


class ViewTranslator:
    """Translates events in order, and keeps the cards on screen.

    After a reconnect codex asks again what was pending, under an id of the new connection
    (which may equal the old one: ids restart per connection). The card on screen stays the
    card: a re-ask under the same id is not sent again, one under a new id replaces it.
    """

    def __init__(self) -> None:
        self._open: dict[str, str] = {}  # prompt identity -> the id of its card on screen

    def __call__(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        if "id" in event and "method" in event and "type" not in event:
            return self._request(event)
        out = view_events(event)
        for item in out:
            if item.get("type") == "x-optio-permission-answered":
                self._forget(str(item.get("request_id")))
        return out

    def _request(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        typed = build_request(event["id"], str(event["method"]), event.get("params") or {})
        key = replay_key(typed) if typed is not None else f"id:{event['id']}"
        shown = self._open.get(key)
        if shown == str(event["id"]):
            return []  # the same card is on screen
        self._open[key] = str(event["id"])
        if shown is None:
            return [server_request(event)]
        return [answered(shown, None, "asked again"), server_request(event)]

    def _forget(self, request_id: str) -> None:
        for key, shown in list(self._open.items()):
            if shown == request_id:
                del self._open[key]


def view_events(event: dict[str, Any]) -> list[dict[str, Any]]:
    """What the view should receive for one conversation event (often just the event)."""
    kind = event.get("type")
    if kind is None or "method" in event:
        if "id" in event and "method" in event:
            return [server_request(event)]
        return [event]
    if kind in _INTERNAL:
        return []
    if kind == "x-optio-permission-resolved":
        return [answered(event.get("requestId"), event.get("decision"), event.get("by"))]
    if kind == "x-optio-turn-aborted":
        turn = {"id": event.get("turnId"), "status": "interrupted", "error": None}
        return [{"method": "turn/completed", "params": {"turn": turn}}]
    if kind == "x-optio-turn-rejected":
        message = f"message not delivered: {event.get('error')}"
        return [{"id": "optio-turn-rejected", "error": {"message": message}}]
    return [event]


def answered(request_id: Any, decision: Any, by: Any) -> dict[str, Any]:
    behavior = "allow" if decision in ("allow", "allow_for_session") else "deny"
    return {
        "type": "x-optio-permission-answered",
        "request_id": str(request_id),
        "behavior": behavior,
        "by": by,
    }


def server_request(event: dict[str, Any]) -> dict[str, Any]:
    """A server request as a card the view draws."""
    method = event.get("method")
    if method in CARD_METHODS:
        return event
    params = dict(event.get("params") or {})
    params = {"command": card_title(str(method), params), "kind": method, **params}
    return {"id": event.get("id"), "method": _CARD_AS, "params": params}


def card_title(method: str, params: dict[str, Any]) -> str:
    if method == "item/permissions/requestApproval":
        return f"grant permissions: {_permissions(params.get('permissions'))}"
    if method == "mcpServer/elicitation/request":
        server = params.get("serverName") or "an MCP server"
        message = params.get("message") or "asks for input"
        return f"{server}: {message}"
    if method == "item/tool/requestUserInput":
        questions = [q for q in params.get("questions") or [] if isinstance(q, dict)]
        texts = [str(q.get("question") or q.get("header") or "") for q in questions]
        first = first_options(params)
        hint = "type your answer and send it"
        if first:
            hint += f", or Approve for {', '.join(repr(v) for v in first.values())}"
        return f"question: {' / '.join(t for t in texts if t)} ({hint})"
    return method


def first_options(params: dict[str, Any]) -> dict[str, str]:
    """Each question's first option (what Approve answers), by question id."""
    chosen = {}
    for question in params.get("questions") or []:
        if not isinstance(question, dict):
            continue
        options = question.get("options") or []
        if options and isinstance(options[0], dict) and question.get("id"):
            chosen[str(question["id"])] = str(options[0].get("label") or "")
    return chosen


def _permissions(profile: Any) -> str:
    if not isinstance(profile, dict):
        return "(unspecified)"
    parts = []
    network = profile.get("network")
    if isinstance(network, dict) and network.get("enabled"):
        parts.append("network")
    fs = profile.get("fileSystem")
    if isinstance(fs, dict):
        for key in ("read", "write"):
            paths = fs.get(key) or []
            if paths:
                parts.append(f"{key} {shlex.join(str(p) for p in paths)}")
    return ", ".join(parts) or "(none)"
