"""CodexConversation: drives one codex app-server session over any transport.

It implements optio-agents' ``Conversation``: handshake, turns (start, steer, queue, interrupt),
the permission gate, and an event stream for subscribers. It knows no SSH and no optio engine;
it is handed a running app-server (anything with a byte ``stream`` and an async ``stop``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
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
from optio_codex.driver.approvals import (
    APPROVAL_METHODS,
    CodexPermissionDecision,
    CodexPermissionRequest,
    build_request,
    wire_answer,
)
from optio_codex.driver.events import (
    CodexEvent,
    EventHandler,
    EventHub,
    Overflow,
    Subscription,
    synthetic,
)
from optio_codex.driver.gate import GateSettings, PermissionGate
from optio_codex.driver.recovery import (
    Detachable,
    Reconnectable,
    RecoverySettings,
    TurnOutcome,
    backoff_delays,
    find_input,
    find_turn,
    has_no_turns,
    last_turn,
)
from optio_codex.driver.turns import TokenUsage, TurnLedger, TurnResult, TurnStatus
from optio_codex.driver.watchdog import InactivityWatchdog
from optio_codex.protocol.endpoint import EndpointLimits, JsonRpcEndpoint, ServerRequest
from optio_codex.protocol.errors import (
    METHOD_NOT_FOUND,
    CodexProtocolError,
    ConnectionLost,
    InvalidRequestError,
    RpcError,
)
from optio_codex.protocol.streams import AppServerGone, ByteStream

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
    # On a resume, follow a turn the server is still running (a reattach to a live server).
    adopt_running_turn: bool = True
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
        recovery: RecoverySettings | None = None,
    ) -> None:
        self.options = options
        self.recovery = recovery
        self._server = server
        self._hub = EventHub(options.subscriber_queue)
        self._ledger = TurnLedger()
        self._link_generation = 0
        self._endpoint = self._new_endpoint(server.stream)
        self._link_up = asyncio.Event()
        self._recovering: asyncio.Task[None] | None = None
        self._detaching = False
        self.reconnects = 0
        self.relaunches = 0
        self._server_gone = False  # the server is known dead: relaunch, don't reconnect
        # Texts of the running turn, for re-sending it when a dead app-server took it along.
        self._turn_inputs: dict[str, list[str]] = {}
        self._watchdog: InactivityWatchdog | None = None
        # What thread/read said of the thread's last turn when this conversation resumed it.
        self.resumed_last_turn: TurnOutcome | None = None
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
        recovery: RecoverySettings | None = None,
    ) -> CodexConversation:
        """Handshake and open (or resume) the thread; the conversation is then ready.

        With ``recovery``, a broken link is repaired (reconnect, or relaunch and resume)
        instead of ending the conversation; see :mod:`optio_codex.driver.recovery`.
        """
        conversation = cls(server, options, gate, recovery)
        try:
            async with asyncio.timeout(options.handshake_timeout):
                await conversation._handshake()
        except BaseException:
            await conversation.close()
            raise
        conversation._link_up.set()
        if recovery is not None and recovery.inactivity_timeout is not None:
            conversation._watchdog = InactivityWatchdog(
                conversation, recovery.inactivity_timeout
            ).start()
        return conversation

    def _new_endpoint(self, stream: ByteStream) -> JsonRpcEndpoint:
        self._link_generation += 1
        generation = self._link_generation
        return JsonRpcEndpoint(
            stream,
            limits=self.options.limits,
            on_notification=self._on_notification,
            on_request=self._on_server_request,
            on_issue=lambda issue: self._publish(
                synthetic("x-optio-protocol-issue", kind=issue.kind, detail=issue.detail)
            ),
            on_close=lambda reason: self._on_link_closed(generation, reason),
        )

    async def _initialize(self) -> None:
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

    async def _handshake(self) -> None:
        await self._initialize()
        ep = self._endpoint
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
        if self.options.resume_thread_id and self.thread_id == self.options.resume_thread_id:
            await self._adopt_running_turn()

    async def _adopt_running_turn(self) -> None:
        """Reattached to a server mid-turn: follow the turn it is still running."""
        read = await self._read_turns()
        self.resumed_last_turn = outcome = last_turn(read) if read is not None else None
        if outcome is None or outcome.ended or not self.options.adopt_running_turn:
            return
        self._ledger.begin(outcome.turn_id)
        for item in outcome.items:  # what completed before we came back
            self._ledger.item_completed(outcome.turn_id, item)
        self._publish(synthetic("x-optio-turn-adopted", turnId=outcome.turn_id))

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

    async def _open_thread(self, *, server_lives: bool = False) -> None:
        resume_id = self.thread_id or self.options.resume_thread_id
        if resume_id:
            try:
                result = await self._resume_thread(resume_id, retry=server_lives)
            except RpcError as exc:
                if not has_no_turns(exc.rpc_message):
                    raise
                # codex writes nothing until the first turn: a thread that never had one
                # cannot be resumed. Start it again with the same instructions.
                log.info("thread %s has no rollout yet; starting a new thread", resume_id)
                self._publish(synthetic("x-optio-thread-restarted", previousThreadId=resume_id))
                result = await self._start_thread()
        else:
            result = await self._start_thread()
        self._take_thread(result)

    def _may_have_turn(self) -> bool:
        return (
            self._starting is not None
            or self._ledger.active_turn_id is not None
            or self._ledger.turn_count > 0
        )

    async def _resume_thread(self, thread_id: str, *, retry: bool = False) -> Any:
        """thread/resume. ``retry``: the server that holds the thread still runs, and a turn
        may just be starting — its rollout appears a moment after the turn does, and until
        then codex says the thread has none. Wait for it rather than start a new thread."""
        params = self._thread_params()
        params["threadId"] = thread_id
        params["excludeTurns"] = True
        loop = self._loop()
        deadline = loop.time() + 5.0
        while True:
            try:
                return await self._endpoint.request("thread/resume", params)
            except RpcError as exc:
                waiting = retry and self._may_have_turn() and loop.time() < deadline
                if not (has_no_turns(exc.rpc_message) and waiting):
                    raise
            await asyncio.sleep(0.1)

    async def _start_thread(self) -> Any:
        params = self._thread_params()
        if self.options.developer_instructions:
            params["developerInstructions"] = self.options.developer_instructions
        return await self._endpoint.request("thread/start", params)

    def _take_thread(self, result: Any) -> None:
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
        await self._wait_link()
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
        client_id = uuid.uuid4().hex
        params = {
            "threadId": self.thread_id,
            "expectedTurnId": turn_id,
            "input": _text_input(text),
            "clientUserMessageId": client_id,
        }
        try:
            result = await self._request_input("turn/steer", params, client_id)
        except InvalidRequestError as exc:
            # The turn ended between our look and the steer: start a fresh one instead.
            log.info("steer refused (%s); starting a new turn", exc.rpc_message)
            return await self._start_turn(text)
        steered = str(result.get("turnId") or turn_id) if isinstance(result, dict) else turn_id
        self._turn_inputs.setdefault(steered, []).append(text)
        # codex can accept a steer just as the turn's last model call ends and then drop it;
        # remember it so _deliver can re-send what the turn never took in.
        self._steered.setdefault(steered, []).append(text)
        return steered

    async def _start_turn(self, text: str) -> str:
        client_id = uuid.uuid4().hex
        params: dict[str, Any] = {
            "threadId": self.thread_id,
            "input": _text_input(text),
            "clientUserMessageId": client_id,
        }
        if self._next_model:
            params["model"] = self._next_model
        if self._next_effort:
            params["effort"] = self._next_effort
        starting: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._starting = starting
        try:
            result = await self._request_input("turn/start", params, client_id)
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
        self._turn_inputs.setdefault(turn_id, []).append(text)
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
        for _attempt in range(3):
            await self._wait_link()
            try:
                await self._endpoint.request(
                    "turn/interrupt", {"threadId": self.thread_id, "turnId": turn_id}
                )
                break
            except InvalidRequestError:
                break  # "no active turn to interrupt": it just ended; the waiter resolves
            except ConnectionLost:
                if not self._recoverable():
                    raise
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
        await self._stop_recovery()
        # Even after the link ended: a detached server outlives a conversation that gave up.
        with contextlib.suppress(Exception):
            await self._server.stop(self.options.close_grace)
        await self._endpoint.aclose("closed by client")
        self._terminate("closed by client")
        await self._hub.drain()

    async def detach(self) -> None:
        """End this conversation but leave a detached app-server running, to be reattached
        later (an engine shutting down for a restart). Other servers are stopped as by close().
        """
        server = self._server
        if not isinstance(server, Detachable):
            await self.close()
            return
        self._detaching = True
        await self._stop_recovery()
        with contextlib.suppress(Exception):
            await server.detach()
        await self._endpoint.aclose("detached")
        self._terminate("detached")
        await self._hub.drain()

    async def _stop_recovery(self) -> None:
        task = self._recovering
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._recovering = None

    @property
    def server(self) -> AppServerHandle:
        """The app-server handle in use (a relaunch replaces it)."""
        return self._server

    @property
    def recovering(self) -> bool:
        return self._recovering is not None

    def activity_mark(self) -> tuple[int, int]:
        """Changes whenever anything arrives from codex (read by the inactivity watchdog)."""
        ep = self._endpoint
        received = ep.notifications_received + ep.stats.server_requests_received
        return (self._link_generation, received)

    def awaiting_human(self) -> bool:
        return bool(self.gate.pending)

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
        """A raw app-server request (e.g. ``thread/read``); waits out a reconnect."""
        self._raise_if_closed()
        await self._wait_link()
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

    def _turn_completing(self, params: dict[str, Any]) -> None:
        """Items the turn's end lists that we never saw complete (they completed while the
        link was down) are published before the end, so the result has them."""
        turn = params.get("turn") or {}
        active = self._ledger.active
        if active is None or active.turn_id != turn.get("id"):
            return
        for item in turn.get("items") or []:
            if isinstance(item, dict) and str(item.get("id")) not in active.items:
                self._on_notification(
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
        self._turn_inputs.pop(result.turn_id, None)
        for text in _not_taken_in(self._steered.pop(result.turn_id, []), result):
            log.info("turn %s ended without taking a steered message; re-sending", result.turn_id)
            self._queued.append(text)
        for waiter in self._turn_waiters.pop(result.turn_id, []):
            if not waiter.done():
                waiter.set_result(result)
        for handler in list(self._message_handlers):
            self._spawn(_call(handler, result.final_text))
        if self._queued and self._close_reason is None and self._link_up.is_set():
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

    # -- a broken link -----------------------------------------------------------------------

    def _on_link_closed(self, generation: int, reason: str) -> None:
        if generation != self._link_generation or self._close_reason is not None:
            return  # an older link, replaced by a reconnect, or already over
        self._link_up.clear()
        if self.recovery is None or self.close_requested.is_set() or self._detaching:
            self._terminate(reason)
            return
        if self._recovering is None:
            self.gate.connection_lost()
            self._publish(synthetic("x-optio-connection-lost", reason=reason))
            self._recovering = self._loop().create_task(self._recover(reason))

    def _recoverable(self) -> bool:
        return (
            self.recovery is not None
            and self._close_reason is None
            and not self.close_requested.is_set()
            and not self._detaching
        )

    async def _wait_link(self) -> None:
        """Return once the link is up; raise ConversationClosed if it never comes back."""
        while True:
            self._raise_if_closed()
            if self._link_up.is_set() and not self._endpoint.closed:
                return
            if not self._recoverable():
                return  # the request itself will fail with a clear error
            up = self._loop().create_task(self._link_up.wait())
            closed = self._loop().create_task(self._closed.wait())
            try:
                await asyncio.wait({up, closed}, timeout=0.2, return_when=asyncio.FIRST_COMPLETED)
            finally:
                up.cancel()
                closed.cancel()

    async def _request_input(self, method: str, params: dict[str, Any], client_id: str) -> Any:
        """Send user input exactly once: after a lost link, ask codex whether it took it."""
        for _attempt in range(5):
            try:
                return await self._endpoint.request(method, params)
            except ConnectionLost:
                if not self._recoverable():
                    raise
            await self._wait_link()
            turn_id = await self._find_delivered_input(
                client_id, running_is_ours=method == "turn/start"
            )
            if turn_id is not None:
                log.info("%s reached codex before the link broke (turn %s)", method, turn_id)
                return {"turn": {"id": turn_id}} if method == "turn/start" else {"turnId": turn_id}
            params = {**params, "threadId": self.thread_id}
        raise ConnectionLost(f"{method} could not be delivered: the link kept breaking")

    async def _find_delivered_input(
        self, client_id: str, *, running_is_ours: bool, patience: float = 3.0
    ) -> str | None:
        """The turn holding the input sent as ``client_id``, or None if codex never took it.

        codex may acknowledge a turn before its user message shows in thread/read (before the
        thread's first turn, thread/read fails outright), so a running turn is watched until
        the message appears. For a turn/start, a turn still running without it after
        ``patience`` seconds is ours all the same: this client is the thread's only writer,
        and sending again would pour the text into that turn a second time.
        """
        loop = self._loop()
        deadline = loop.time() + patience
        while True:
            read = await self._read_turns()
            if read is not None and (turn_id := find_input(read, client_id)) is not None:
                return turn_id
            last = last_turn(read) if read is not None else None
            running = last.turn_id if last is not None and not last.ended else None
            if read is not None and running is None:
                return None  # idle, and the message is nowhere: it never arrived
            if loop.time() > deadline:
                if not running_is_ours:
                    return None
                return running or self.active_turn_id
            await asyncio.sleep(0.05)

    async def _read_turns(self) -> Any | None:
        """thread/read with turns; None while the thread has none (codex then refuses)."""
        try:
            return await self._endpoint.request(
                "thread/read", {"threadId": self.thread_id, "includeTurns": True}
            )
        except RpcError as exc:
            if has_no_turns(exc.rpc_message):
                return None
            raise

    async def _recover(self, reason: str) -> None:
        """Reconnect (or relaunch) with backoff until the thread is back or time runs out."""
        settings = self.recovery
        assert settings is not None
        loop = self._loop()
        lost_at = loop.time()
        delays = backoff_delays(settings.backoff_initial, settings.backoff_max)
        attempts = refusals = 0
        relaunched = False
        last_error = reason
        try:
            while True:
                if not self._recoverable():
                    return
                attempts += 1
                try:
                    stream, relaunched = await self._reach_server(settings)
                    await self._rebind(stream, relaunched)
                    break
                except AppServerGone as exc:
                    last_error = str(exc)
                    if settings.relaunch is None or self.relaunches >= settings.max_relaunches:
                        self._terminate(f"app-server is gone: {exc}")
                        return
                    self._server_gone = True
                    continue
                except RpcError as exc:
                    # codex answered, but not as hoped: a few tries, not a ten-minute loop.
                    last_error = f"{exc.summary}"
                    refusals += 1
                    if refusals >= 3:
                        self._terminate(f"could not resume the thread: {last_error}")
                        return
                except (ConnectionError, OSError, TimeoutError, CodexProtocolError) as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                if loop.time() - lost_at > settings.reconnect_timeout:
                    self._terminate(
                        f"could not reconnect within {settings.reconnect_timeout:g}s "
                        f"({attempts} attempts; last error: {last_error})"
                    )
                    return
                await asyncio.sleep(next(delays))
        except Exception as exc:
            log.exception("recovery failed")
            self._terminate(f"recovery failed: {exc}")
            return
        finally:
            self._recovering = None
        gap_ms = round((loop.time() - lost_at) * 1000)
        self.reconnects += 1
        self._link_up.set()
        self._publish(
            synthetic(
                "x-optio-reconnected",
                attempts=attempts,
                gapMs=gap_ms,
                relaunched=relaunched,
                threadId=self.thread_id,
            )
        )
        if self._queued:
            text = "\n\n".join(self._queued)
            self._queued.clear()
            self._spawn(self._send_queued(text))

    async def _reach_server(self, settings: RecoverySettings) -> tuple[ByteStream, bool]:
        """A stream to the same app-server if it lives, else to a new one (relaunched)."""
        server = self._server
        if not self._server_gone and isinstance(server, Reconnectable):
            return await server.reconnect(), False
        assert settings.relaunch is not None
        with contextlib.suppress(Exception):
            await server.stop(0.5)  # whatever is left of the old one
        new_server = await settings.relaunch()
        self._server = new_server
        self._server_gone = False
        self.relaunches += 1
        return new_server.stream, True

    async def _rebind(self, stream: ByteStream, relaunched: bool) -> None:
        """Handshake on a new stream, resume the thread, and catch up with what was missed."""
        old = self._endpoint
        self._endpoint = self._new_endpoint(stream)
        with contextlib.suppress(Exception):
            await old.aclose("replaced by a new connection")
        async with asyncio.timeout(self.options.handshake_timeout):
            await self._initialize()
            await self._open_thread(server_lives=not relaunched)
        if relaunched:
            self._abandon_active_turn("the app-server died and was restarted")
        else:
            await self._reconcile("reconnect")
        self.gate.drop_detached("reconnect")

    def _abandon_active_turn(self, reason: str) -> None:
        """The turn died with its app-server: report it interrupted; maybe send it again."""
        active = self._ledger.active_turn_id
        if active is None:
            return
        texts = self._turn_inputs.pop(active, [])
        error = {"message": reason}
        result = self._ledger.complete(active, "interrupted", error, synthetic=True)
        if result is None:
            return
        self._publish(
            synthetic("x-optio-turn-aborted", turnId=active, reason=reason, status="interrupted")
        )
        assert self.recovery is not None
        if self.recovery.interrupted_turn == "resend" and texts:
            self._queued.extend(texts)
            self._publish(synthetic("x-optio-turn-resend", turnId=active, texts=texts))
        self._deliver(result)

    async def reconcile(self, why: str = "request") -> TurnResult | None:
        """Ask codex (thread/read) how the active turn stands and settle it if it ended.

        The inactivity watchdog calls this; so does a reconnect. Returns the turn's result
        when this call ended it.
        """
        await self._wait_link()
        return await self._reconcile(why)

    async def _reconcile(self, why: str) -> TurnResult | None:
        active = self._ledger.active_turn_id
        if active is None or self.thread_id is None:
            return None
        read = await self._read_turns()
        if read is None:
            return None
        outcome = find_turn(read, active)
        if outcome is None or not outcome.ended or self._ledger.active_turn_id != active:
            return None
        log.info("turn %s ended while unobserved (%s); reconciled", active, why)
        seen = self._ledger.active.items if self._ledger.active is not None else {}
        for item in outcome.items:
            if str(item.get("id")) not in seen:
                self._on_notification(
                    "item/completed",
                    {"threadId": self.thread_id, "turnId": active, "item": item, "x-optio": why},
                )
        turn: dict[str, Any] = {
            "id": active,
            "status": outcome.status,
            "error": outcome.error,
            "items": [],
        }
        self._on_notification(
            "turn/completed", {"threadId": self.thread_id, "turn": turn, "x-optio": why}
        )
        return next((r for r in self._ledger.completed if r.turn_id == active), None)

    # -- the end ------------------------------------------------------------------------------

    def _terminate(self, reason: str) -> None:
        """The one terminal transition: settle every waiter, end the turn in flight."""
        if self._close_reason is not None:
            return
        self._close_reason = reason
        self._link_up.clear()
        if self._watchdog is not None:
            self._watchdog.stop()
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        active = self._ledger.active_turn_id
        if active is not None and not self._detaching:
            # (Detached, the turn goes on without us: its waiters just hear we left.)
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
    "turn/completed": CodexConversation._turn_completing,
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
