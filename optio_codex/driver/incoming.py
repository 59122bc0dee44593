"""What codex sends us, routed: notifications keep the turn ledger and reach subscribers;
server requests (approvals) go to the permission gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from optio_codex.driver.approvals import build_request
from optio_codex.driver.events import CodexEvent, EventHub
from optio_codex.driver.gate import PermissionGate
from optio_codex.driver.recovery import TurnOutcome
from optio_codex.driver.turns import TurnLedger, TurnResult, TurnStatus
from optio_codex.protocol.endpoint import ServerRequest


class Incoming:
    """Turns what arrives into ledger updates, events, gate requests and finished turns."""

    def __init__(
        self,
        ledger: TurnLedger,
        hub: EventHub,
        gate: PermissionGate,
        deliver: Callable[[TurnResult], None],
        refuse: Callable[[ServerRequest, str], None],
    ) -> None:
        self._ledger = ledger
        self._hub = hub
        self._gate = gate
        self._deliver = deliver  # a turn ended: settle its waiters
        self._refuse = refuse  # answer a server request we do not handle with an error
        # fileChange item id -> its changes, from item/started: codex's fileChange approval
        # request names only the item, so the gate (and path rules) get the paths from here.
        self._file_changes: dict[str, list[Any]] = {}

    def notification(self, method: str, params: dict[str, Any]) -> None:
        # Hot path: most notifications are deltas that only need forwarding.
        handler = _HANDLED.get(method)
        if handler is not None:
            handler(self, params)
        event = CodexEvent()  # item assignment builds a dict subclass faster than kwargs
        event["method"] = method
        event["params"] = params
        hub = self._hub
        hub.history.append(event)
        for sub in hub.subscriptions:
            sub.offer(event)
        if method == "turn/completed":
            self._after_turn_completed(params)

    def server_request(self, request: ServerRequest) -> None:
        self._hub.publish(CodexEvent(id=request.id, method=request.method, params=request.params))
        params = request.params
        if request.method == "item/fileChange/requestApproval" and "changes" not in params:
            changes = self._file_changes.get(str(params.get("itemId")))
            if changes is not None:
                params = {**params, "changes": changes}
        typed = build_request(request.id, request.method, params)
        if typed is None:
            self._refuse(request, f"optio-codex does not handle {request.method}")
            return
        self._gate.submit(typed)

    def settle(self, thread_id: str | None, outcome: TurnOutcome, why: str) -> TurnResult | None:
        """A turn that ended unobserved: replay its missed items and its end, as if codex had
        sent them (marked ``x-optio: why``). Returns its result if this ended it."""
        turn_id = outcome.turn_id
        seen = self._ledger.active.items if self._ledger.active is not None else {}
        for item in outcome.items:
            if str(item.get("id")) not in seen:
                self.notification(
                    "item/completed",
                    {"threadId": thread_id, "turnId": turn_id, "item": item, "x-optio": why},
                )
        turn: dict[str, Any] = {
            "id": turn_id,
            "status": outcome.status,
            "error": outcome.error,
            "items": [],
        }
        self.notification("turn/completed", {"threadId": thread_id, "turn": turn, "x-optio": why})
        return next((r for r in self._ledger.completed if r.turn_id == turn_id), None)

    def _turn_started(self, params: dict[str, Any]) -> None:
        turn_id = (params.get("turn") or {}).get("id")
        if isinstance(turn_id, str):
            self._ledger.begin(turn_id)

    def _item_started(self, params: dict[str, Any]) -> None:
        item = params.get("item")
        if isinstance(item, dict) and item.get("type") == "fileChange":
            item_id, changes = item.get("id"), item.get("changes")
            if isinstance(item_id, str) and isinstance(changes, list):
                self._file_changes[item_id] = changes

    def _item_completed(self, params: dict[str, Any]) -> None:
        item = params.get("item")
        if isinstance(item, dict):
            self._file_changes.pop(str(item.get("id")), None)
            self._ledger.item_completed(params.get("turnId"), item)

    def _usage_updated(self, params: dict[str, Any]) -> None:
        usage = params.get("tokenUsage")
        if isinstance(usage, dict):
            self._ledger.usage_updated(usage)

    def _turn_completing(self, params: dict[str, Any]) -> None:
        """Items the turn's end lists that we never saw complete (they completed while the
        link was down) are published before the end, so the result has them."""
        turn = params.get("turn") or {}
        active = self._ledger.active
        if active is None or active.turn_id != turn.get("id"):
            return
        for item in turn.get("items") or []:
            if isinstance(item, dict) and str(item.get("id")) not in active.items:
                self.notification(
                    "item/completed",
                    {
                        "threadId": params.get("threadId"),
                        "turnId": active.turn_id,
                        "item": item,
                        "x-optio": "turn-completed",
                    },
                )

    def _server_request_resolved(self, params: dict[str, Any]) -> None:
        request_id = params.get("requestId")
        if isinstance(request_id, int | str):
            self._gate.resolved_elsewhere(request_id)

    def _after_turn_completed(self, params: dict[str, Any]) -> None:
        turn = params.get("turn") or {}
        turn_id = turn.get("id")
        if not isinstance(turn_id, str):
            return
        self._file_changes.clear()
        raw_status = turn.get("status")
        status: TurnStatus = "failed"
        if raw_status == "completed":
            status = "completed"
        elif raw_status == "interrupted":
            status = "interrupted"
        result = self._ledger.complete(turn_id, status, turn.get("error"))
        if result is not None:
            self._deliver(result)


_HANDLED: dict[str, Callable[[Incoming, dict[str, Any]], None]] = {
    "turn/started": Incoming._turn_started,
    "turn/completed": Incoming._turn_completing,
    "item/started": Incoming._item_started,
    "item/completed": Incoming._item_completed,
    "thread/tokenUsage/updated": Incoming._usage_updated,
    "serverRequest/resolved": Incoming._server_request_resolved,
}

__all__ = ["Incoming"]
