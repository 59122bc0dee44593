"""CodexConversation: drives one codex app-server session over any transport.

It implements optio-agents' ``Conversation``: handshake, turns (start, steer, queue, interrupt),
the permission gate, and an event stream for subscribers. It knows no SSH and no optio engine;
it is handed a running app-server (anything with a byte ``stream`` and an async ``stop``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from optio_agents.conversation import (
    ConversationClosed,
    PermissionDecision,
    PermissionRequest,
)

from optio_codex._version import __version__
from optio_codex.events import CodexEvent, EventHandler, EventHub, Overflow, Subscription, synthetic
from optio_codex.permissions import (
    APPROVAL_METHODS,
    CodexPermissionDecision,
    CodexPermissionRequest,
    GateSettings,
    PermissionGate,
    build_request,
    wire_answer,
)
from optio_codex.protocol.endpoint import EndpointLimits, JsonRpcEndpoint, ServerRequest
from optio_codex.protocol.errors import (
    METHOD_NOT_FOUND,
    CodexProtocolError,
    ConnectionLost,
    InvalidRequestError,
    RpcError,
)
from optio_codex.protocol.streams import ByteStream
from optio_codex.turns import TokenUsage, TurnLedger, TurnResult, TurnStatus

log = logging.getLogger(__name__)

CLIENT_NAME = "optio_codex"  # shows in codex's user agent and originator header: keep stable
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ApprovalPolicy = Literal["untrusted", "on-request", "never"]

# High-volume notifications the optio codex view does not render.
DEFAULT_OPT_OUT: tuple[str, ...] = (
    "item/reasoning/textDelta",
    "item/commandExecution/terminalInteraction",
    "account/rateLimits/updated",
)


class AppServerHandle(Protocol):
    """A started app-server: its byte stream and a clean stop (EOF, grace, kill)."""

    @property
    def stream(self) -> ByteStream: ...

    async def stop(self, grace: float = 3.0) -> int | None: ...


class TurnRejected(CodexProtocolError):
    """codex refused to start a turn; the message was not taken."""


@dataclass(frozen=True, kw_only=True)
class ConversationOptions:
    """What the thread is started with, and how the driver behaves."""

    cwd: str
    sandbox: SandboxMode = "workspace-write"
    approval_policy: ApprovalPolicy = "on-request"
    model: str | None = None
    reasoning_effort: str | None = None
    developer_instructions: str | None = None
    thread_config: dict[str, Any] | None = None
    resume_thread_id: str | None = None
    # During an active turn, a send either steers it (joins the running turn) or waits.
    busy_send: Literal["steer", "queue"] = "steer"
    opt_out_notifications: tuple[str, ...] = DEFAULT_OPT_OUT
    interrupt_timeout: float = 10.0
    close_grace: float = 3.0
    handshake_timeout: float = 30.0
    limits: EndpointLimits = field(default_factory=EndpointLimits)
    subscriber_queue: int = 10_000

    def __post_init__(self) -> None:
        if not self.cwd:
            raise ValueError("ConversationOptions.cwd must be set")
        if self.sandbox not in ("read-only", "workspace-write", "danger-full-access"):
            raise ValueError(f"ConversationOptions.sandbox: unknown mode {self.sandbox!r}")
        if self.approval_policy not in ("untrusted", "on-request", "never"):
            raise ValueError(
                f"ConversationOptions.approval_policy: unknown policy {self.approval_policy!r}"
            )
        if self.busy_send not in ("steer", "queue"):
            raise ValueError("ConversationOptions.busy_send must be 'steer' or 'queue'")


MessageHandler = Callable[[str], "Awaitable[None] | None"]
PermissionHandler = Callable[[PermissionRequest], Awaitable[PermissionDecision]]


class CodexConversation:
    """One live codex thread. Create with :meth:`start`."""

    def __init__(
        self,
        server: AppServerHandle,
        options: ConversationOptions,
        gate: GateSettings | None = None,
    ) -> None:
        self.options = options
        self._server = server
        self._hub = EventHub(options.subscriber_queue)
        self._ledger = TurnLedger()
        self._endpoint = JsonRpcEndpoint(
            server.stream,
            limits=options.limits,
            on_notification=self._on_notification,
            on_request=self._on_server_request,
            on_issue=lambda issue: self._publish(
                synthetic("x-optio-protocol-issue", kind=issue.kind, detail=issue.detail)
            ),
            on_close=self._on_connection_closed,
        )
        self.gate = PermissionGate(gate or GateSettings(), self._send_permission_answer)
        self.gate.add_listener(lambda kind, payload: self._publish(synthetic(kind, **payload)))
        self.thread_id: str | None = None
        self.thread: dict[str, Any] = {}
        self.server_info: dict[str, Any] = {}
        self.account: dict[str, Any] | None = None
        self.models: list[dict[str, Any]] = []
        self.effective_sandbox: dict[str, Any] = {}
        self._next_model = options.model
        self._next_effort = options.reasoning_effort
        self._starting: asyncio.Future[str] | None = None  # a turn/start awaiting its ack
        self._queued: deque[str] = deque()
        self._steered: dict[str, list[str]] = {}  # turn id -> texts steered into it
        self._turn_waiters: dict[str, list[asyncio.Future[TurnResult]]] = {}
        self._next_turn_waiters: list[asyncio.Future[TurnResult]] = []
        self._message_handlers: list[MessageHandler] = []
        self._close_reason: str | None = None
        self._closed = asyncio.Event()
        self.close_requested = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        # fileChange item id -> its changes, from item/started: codex's fileChange approval
        # request names only the item, so the gate (and path rules) get the paths from here.
        self._file_changes: dict[str, list[Any]] = {}

    # -- start -------------------------------------------------------------------------------

    @classmethod
    async def start(
        cls,
        server: AppServerHandle,
        options: ConversationOptions,
        gate: GateSettings | None = None,
    ) -> CodexConversation:
        """Handshake and open (or resume) the thread; the conversation is then ready."""
        conversation = cls(server, options, gate)
        try:
            async with asyncio.timeout(options.handshake_timeout):
                await conversation._handshake()
        except BaseException:
            await conversation.close()
            raise
        return conversation

    async def _handshake(self) -> None:
        ep = self._endpoint
        ep.start()
        self.server_info = await ep.request(
            "initialize",
            {
                "clientInfo": {"name": CLIENT_NAME, "title": "optio-codex", "version": __version__},
                "capabilities": {
                    "optOutNotificationMethods": list(self.options.opt_out_notifications)
                },
            },
        )
        await ep.notify("initialized")
        try:
            self.account = await ep.request("account/read", {"refreshToken": False}, timeout=15)
        except (RpcError, CodexProtocolError) as exc:
            if isinstance(exc, ConnectionLost):
                raise
            log.warning("account/read failed (continuing): %s", exc.summary)
        try:
            listed = await ep.request("model/list", {}, timeout=15)
            self.models = list(listed.get("data") or []) if isinstance(listed, dict) else []
        except (RpcError, CodexProtocolError) as exc:
            if isinstance(exc, ConnectionLost):
                raise
            log.warning("model/list failed (continuing): %s", exc.summary)
        await self._open_thread()

    def _thread_params(self) -> dict[str, Any]:
        o = self.options
        # Passed explicitly every time: on resume codex restores the model and approval policy
        # from the rollout but NOT the sandbox, which would fall back to the config default.
        params: dict[str, Any] = {
            "cwd": o.cwd,
            "sandbox": o.sandbox,
            "approvalPolicy": o.approval_policy,
        }
        if o.model:
            params["model"] = o.model
        if o.thread_config:
            params["config"] = o.thread_config
        return params

    async def _open_thread(self) -> None:
        params = self._thread_params()
        if self.options.resume_thread_id:
            params["threadId"] = self.options.resume_thread_id
            params["excludeTurns"] = True
            result = await self._endpoint.request("thread/resume", params)
        else:
            if self.options.developer_instructions:
                params["developerInstructions"] = self.options.developer_instructions
            result = await self._endpoint.request("thread/start", params)
        self.thread = result.get("thread") or {}
        self.thread_id = self.thread.get("id")
        self.effective_sandbox = result.get("sandbox") or {}
        if not self.thread_id:
            raise CodexProtocolError(f"thread/start returned no thread id: {result!r}")

    # -- Conversation protocol -----------------------------------------------------------------

    async def send(self, text: str, *, uuid: str | None = None) -> None:
        """Give the agent a message: a new turn, or into the running one (steer or queue)."""
        await self.submit(text)

    async def submit(self, text: str) -> str | None:
        """Like send(); returns the turn id the text went into (None when queued)."""
        self._raise_if_closed()
        if not isinstance(text, str) or not text.strip():
            raise ValueError("message text must be a non-empty string")
        if self._starting is not None:
            # A turn/start is in flight: never a second one. Join it once its id is known.
            turn_id = await asyncio.shield(self._starting)
            return await self._into_active(text, turn_id)
        active = self._ledger.active_turn_id
        if active is not None:
            return await self._into_active(text, active)
        return await self._start_turn(text)

    async def _into_active(self, text: str, turn_id: str) -> str | None:
        if self.options.busy_send == "queue":
            self._queued.append(text)
            self._publish(synthetic("x-optio-message-queued", text=text, turnId=turn_id))
            return None
        try:
            result = await self._endpoint.request(
                "turn/steer",
                {"threadId": self.thread_id, "expectedTurnId": turn_id, "input": _text_input(text)},
            )
        except InvalidRequestError as exc:
            # The turn ended between our look and the steer: start a fresh one instead.
            log.info("steer refused (%s); starting a new turn", exc.rpc_message)
            return await self._start_turn(text)
        steered = str(result.get("turnId") or turn_id) if isinstance(result, dict) else turn_id
        # codex can accept a steer just as the turn's last model call ends and then drop it;
        # remember it so _deliver can re-send what the turn never took in.
        self._steered.setdefault(steered, []).append(text)
        return steered

    async def _start_turn(self, text: str) -> str:
        params: dict[str, Any] = {"threadId": self.thread_id, "input": _text_input(text)}
        if self._next_model:
            params["model"] = self._next_model
        if self._next_effort:
            params["effort"] = self._next_effort
        starting: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._starting = starting
        try:
            result = await self._endpoint.request("turn/start", params)
            turn_id = str(((result or {}).get("turn") or {}).get("id") or "")
            if not turn_id:
                raise TurnRejected(f"turn/start returned no turn id: {result!r}")
        except BaseException as exc:
            starting.cancel()
            if isinstance(exc, RpcError | TurnRejected):
                self._publish(
                    synthetic(
                        "x-optio-turn-rejected",
                        text=text,
                        error=str(exc),
                        code=getattr(exc, "code", None),
                    )
                )
                if isinstance(exc, RpcError):
                    raise TurnRejected(
                        f"codex refused the turn: {exc.summary}", stderr_tail=exc.stderr_tail
                    ) from exc
            raise
        finally:
            if self._starting is starting:
                self._starting = None
        self._ledger.begin(turn_id)
        waiters, self._next_turn_waiters = self._next_turn_waiters, []
        self._turn_waiters.setdefault(turn_id, []).extend(waiters)
        if not starting.done():
            starting.set_result(turn_id)
        return turn_id

    def on_event(self, handler: EventHandler) -> Callable[[], None]:
        return self._hub.add_handler(handler)

    def subscribe(
        self,
        maxsize: int | None = None,
        overflow: Overflow | str = Overflow.DROP_OLDEST,
        *,
        replay: bool = False,
    ) -> Subscription:
        """A typed, bounded event stream: ``async for event in conversation.subscribe()``.

        ``replay`` starts it with the recent events (up to 2,000) published before it.
        """
        return self._hub.subscribe(maxsize, Overflow(overflow), replay)

    def on_message(self, handler: MessageHandler) -> Callable[[], None]:
        self._message_handlers.append(handler)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._message_handlers.remove(handler)

        return unsubscribe

    def on_permission_request(self, handler: PermissionHandler) -> Callable[[], None]:
        return self.gate.set_handler(handler)

    def answer_permission(self, request_id: int | str, decision: PermissionDecision) -> bool:
        """Answer a pending approval by the JSON-RPC id codex gave it (UI, terminal)."""
        return self.gate.answer(request_id, decision)

    def is_pending(self) -> bool:
        return self._starting is not None or self._ledger.active is not None or bool(self._queued)

    @property
    def active_turn_id(self) -> str | None:
        return self._ledger.active_turn_id

    async def interrupt(self) -> TurnResult | None:
        """Interrupt the running turn and wait (bounded) until codex reports it ended."""
        self._raise_if_closed()
        self._queued.clear()
        if self._starting is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._starting)
        turn_id = self._ledger.active_turn_id
        if turn_id is None:
            return None
        waiter = self._turn_waiter(turn_id)
        try:
            await self._endpoint.request(
                "turn/interrupt", {"threadId": self.thread_id, "turnId": turn_id}
            )
        except InvalidRequestError:
            pass  # "no active turn to interrupt": it just ended; the waiter still resolves
        try:
            async with asyncio.timeout(self.options.interrupt_timeout):
                return await waiter
        except TimeoutError:
            log.warning(
                "turn %s did not end within %ss of interrupt",
                turn_id,
                self.options.interrupt_timeout,
            )
            return None

    async def set_control(self, control_id: str, value: str | bool) -> None:
        """``model`` and ``reasoning_effort`` apply from the next turn on; others are ignored."""
        self._raise_if_closed()
        if control_id == "model":
            self._next_model = str(value) or None
        elif control_id in ("reasoning_effort", "effort"):
            effort = str(value) or None
            allowed = self.supported_efforts(self._next_model)
            if effort is not None and allowed and effort not in allowed:
                raise ValueError(
                    f"reasoning effort {effort!r} is not one of {sorted(allowed)} "
                    f"for model {self._next_model or 'default'!r}"
                )
            self._next_effort = effort
        else:
            return
        self._publish(synthetic("x-optio-control-update", id=control_id, value=value))

    def supported_efforts(self, model: str | None = None) -> set[str]:
        """Efforts model/list offers for ``model`` (None: the default model); empty if unknown."""
        for entry in self.models:
            if (model and entry.get("id") == model) or (not model and entry.get("isDefault")):
                return {
                    str(e.get("reasoningEffort"))
                    for e in entry.get("supportedReasoningEfforts") or []
                    if isinstance(e, dict)
                }
        return set()

    async def close(self) -> None:
        """Stop the app-server (stdin EOF, grace, kill) and end the conversation. Idempotent."""
        self.close_requested.set()
        if self._close_reason is None:
            with contextlib.suppress(Exception):
                await self._server.stop(self.options.close_grace)
        await self._endpoint.aclose("closed by client")
        await self._hub.drain()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def close_reason(self) -> str | None:
        return self._close_reason

    async def wait_closed(self) -> str:
        await self._closed.wait()
        return self._close_reason or ""

    # -- waiting for turns --------------------------------------------------------------------

    async def run_turn(self, text: str, timeout: float | None = None) -> TurnResult:
        """Send ``text`` as a new turn (or into the running one) and wait for that turn's end."""
        self._raise_if_closed()
        waiter: asyncio.Future[TurnResult]
        if self.is_pending() and self.options.busy_send == "queue":
            waiter = self._loop().create_future()
            self._next_turn_waiters.append(waiter)
            await self.submit(text)
        else:
            turn_id = await self.submit(text)
            if turn_id is None:
                raise RuntimeError("message was queued unexpectedly")
            waiter = self._turn_waiter(turn_id)
        async with asyncio.timeout(timeout):
            result: TurnResult = await waiter
        return result

    async def wait_for_turn(
        self, turn_id: str | None = None, timeout: float | None = None
    ) -> TurnResult:
        """Wait for ``turn_id`` (default: the active turn, else the next one) to end."""
        turn_id = turn_id or self._ledger.active_turn_id
        waiter: asyncio.Future[TurnResult]
        if turn_id is None:
            waiter = self._loop().create_future()
            self._next_turn_waiters.append(waiter)
        else:
            waiter = self._turn_waiter(turn_id)
        async with asyncio.timeout(timeout):
            result: TurnResult = await waiter
        return result

    @property
    def turns(self) -> list[TurnResult]:
        return list(self._ledger.completed)

    @property
    def total_usage(self) -> TokenUsage:
        return self._ledger.total_usage

    @property
    def stats(self) -> Any:
        return self._endpoint.stats

    async def request(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """A raw app-server request on this connection (e.g. ``thread/read``)."""
        self._raise_if_closed()
        return await self._endpoint.request(method, params, timeout=timeout)

    def stderr_tail(self) -> str:
        return self._endpoint.stderr_tail()

    def _turn_waiter(self, turn_id: str) -> asyncio.Future[TurnResult]:
        waiter: asyncio.Future[TurnResult] = self._loop().create_future()
        for done in self._ledger.completed:
            if done.turn_id == turn_id:
                waiter.set_result(done)
                return waiter
        if self._close_reason is not None:
            waiter.set_exception(ConversationClosed(self._close_reason))
            return waiter
        self._turn_waiters.setdefault(turn_id, []).append(waiter)
        return waiter

    # -- incoming -----------------------------------------------------------------------------

    def _publish(self, event: CodexEvent) -> None:
        self._hub.publish(event)

    def _on_notification(self, method: str, params: dict[str, Any]) -> None:
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

    def _server_request_resolved(self, params: dict[str, Any]) -> None:
        request_id = params.get("requestId")
        if isinstance(request_id, int | str):
            self.gate.resolved_elsewhere(request_id)

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

    def _deliver(self, result: TurnResult) -> None:
        for text in _not_taken_in(self._steered.pop(result.turn_id, []), result):
            log.info("turn %s ended without taking a steered message; re-sending", result.turn_id)
            self._queued.append(text)
        for waiter in self._turn_waiters.pop(result.turn_id, []):
            if not waiter.done():
                waiter.set_result(result)
        for handler in list(self._message_handlers):
            self._spawn(_call(handler, result.final_text))
        if self._queued and self._close_reason is None:
            text = "\n\n".join(self._queued)
            self._queued.clear()
            self._spawn(self._send_queued(text))

    async def _send_queued(self, text: str) -> None:
        try:
            await self.submit(text)
        except (CodexProtocolError, ConversationClosed) as exc:
            log.warning("queued message could not be sent: %s", exc)

    def _on_server_request(self, request: ServerRequest) -> None:
        self._publish(CodexEvent(id=request.id, method=request.method, params=request.params))
        params = request.params
        if request.method == "item/fileChange/requestApproval" and "changes" not in params:
            changes = self._file_changes.get(str(params.get("itemId")))
            if changes is not None:
                params = {**params, "changes": changes}
        typed = build_request(request.id, request.method, params)
        if typed is None:
            self._spawn(
                self._endpoint_reply_error(request, f"optio-codex does not handle {request.method}")
            )
            return
        self.gate.submit(typed)

    async def _endpoint_reply_error(self, request: ServerRequest, message: str) -> None:
        with contextlib.suppress(ConnectionLost):
            await self._endpoint.reply_error(request.id, METHOD_NOT_FOUND, message)

    async def _send_permission_answer(
        self, request: CodexPermissionRequest, decision: CodexPermissionDecision
    ) -> None:
        await self._endpoint.reply(request.request_id, wire_answer(request, decision))

    # -- the end ------------------------------------------------------------------------------

    def _on_connection_closed(self, reason: str) -> None:
        """The one terminal transition: settle every waiter, end the turn in flight."""
        if self._close_reason is not None:
            return
        self._close_reason = reason
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        active = self._ledger.active_turn_id
        if active is not None:
            error = {"message": f"app-server connection lost: {reason}"}
            result = self._ledger.complete(active, "interrupted", error, synthetic=True)
            if result is not None:
                self._publish(
                    synthetic(
                        "x-optio-turn-aborted", turnId=active, reason=reason, status="interrupted"
                    )
                )
                self._deliver(result)
        for waiters in self._turn_waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(ConversationClosed(reason))
        for waiter in self._next_turn_waiters:
            if not waiter.done():
                waiter.set_exception(ConversationClosed(reason))
        self._turn_waiters.clear()
        self._next_turn_waiters.clear()
        self._queued.clear()
        self.gate.close(reason)
        self._publish(synthetic("x-optio-closed", reason=reason))
        self._hub.close(reason)
        self._closed.set()

    def _raise_if_closed(self) -> None:
        if self._close_reason is not None:
            raise ConversationClosed(self._close_reason)
        if self.thread_id is None and self._endpoint.close_reason is None:
            # Only start() hands out conversations, so this means a failed handshake.
            raise ConversationClosed("conversation was never started")

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task: asyncio.Task[Any] = self._loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    def _loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()


_HANDLED: dict[str, Callable[[CodexConversation, dict[str, Any]], None]] = {
    "turn/started": CodexConversation._turn_started,
    "item/started": CodexConversation._item_started,
    "item/completed": CodexConversation._item_completed,
    "thread/tokenUsage/updated": CodexConversation._usage_updated,
    "serverRequest/resolved": CodexConversation._server_request_resolved,
}


def _not_taken_in(steered: list[str], result: TurnResult) -> list[str]:
    """The steered texts that no userMessage item of the turn carries."""
    if not steered or result.synthetic:
        return []
    seen = {
        part.get("text")
        for item in result.items
        if item.get("type") == "userMessage"
        for part in item.get("content") or []
        if isinstance(part, dict)
    }
    return [text for text in steered if text not in seen]


def _text_input(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text}]


async def _call(handler: MessageHandler, text: str) -> None:
    try:
        result = handler(text)
        if asyncio.iscoroutine(result):
            await result
    except Exception:
        log.exception("message handler raised")


__all__ = [
    "APPROVAL_METHODS",
    "CLIENT_NAME",
    "DEFAULT_OPT_OUT",
    "AppServerHandle",
    "CodexConversation",
    "ConversationOptions",
    "TurnRejected",
    "TurnResult",
]
