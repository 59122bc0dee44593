"""CodexConversation: drives one codex app-server session over any transport.

It implements optio-agents' ``Conversation``: handshake, turns (start, steer, queue, interrupt),
the permission gate, and an event stream for subscribers. It knows no SSH and no optio engine;
it is handed a running app-server (anything with a byte ``stream`` and an async ``stop``).
Its link to that server is kept (and repaired) by a :class:`LinkKeeper`; what codex sends is
routed by :class:`Incoming`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from optio_agents.conversation import (
    ConversationClosed,
    PermissionDecision,
    PermissionRequest,
)

from optio_codex.driver.approvals import (
    APPROVAL_METHODS,
    CodexPermissionDecision,
    CodexPermissionRequest,
    wire_answer,
)
from optio_codex.driver.controls import TurnControls, supported_efforts
from optio_codex.driver.events import (
    CodexEvent,
    EventHandler,
    EventHub,
    Overflow,
    Subscription,
    synthetic,
)
from optio_codex.driver.gate import GateSettings, PermissionGate
from optio_codex.driver.incoming import Incoming
from optio_codex.driver.link_keeper import LinkHooks, LinkKeeper
from optio_codex.driver.options import (
    CLIENT_NAME,
    DEFAULT_OPT_OUT,
    ApprovalPolicy,
    AppServerHandle,
    ConversationOptions,
    SandboxMode,
)
from optio_codex.driver.outbox import Outbox
from optio_codex.driver.recovery import (
    Detachable,
    RecoverySettings,
    TurnOutcome,
    last_turn,
)
from optio_codex.driver.thread_setup import (
    adopt_turn,
    initialize,
    open_thread,
    optional_request,
)
from optio_codex.driver.turn_waiters import MessageHandler, TurnWaiters
from optio_codex.driver.turns import TokenUsage, TurnLedger, TurnRejected, TurnResult
from optio_codex.driver.watchdog import InactivityWatchdog
from optio_codex.protocol.endpoint import JsonRpcEndpoint, ServerRequest
from optio_codex.protocol.errors import (
    METHOD_NOT_FOUND,
    ConnectionLost,
)
from optio_codex.protocol.streams import ByteStream

log = logging.getLogger(__name__)

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
        self._hub = EventHub(options.subscriber_queue)
        self._ledger = TurnLedger()
        self._waiters = TurnWaiters()
        self._detaching = False
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
        self._close_reason: str | None = None
        self._next_note: str | None = None  # see note_next_message
        self._closed = asyncio.Event()
        self.close_requested = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._incoming = Incoming(
            self._ledger, self._hub, self.gate, self._deliver, self._refuse_request
        )
        self._link = LinkKeeper(
            server, self._new_endpoint, self._link_hooks(), recovery, options.handshake_timeout
        )
        self._controls = TurnControls(options.model, options.reasoning_effort)
        self._outbox = Outbox(
            self._link,
            self._ledger,
            self._waiters,
            self._controls,
            options.busy_send,
            lambda: self.thread_id,
            self._publish,
            lambda: self._close_reason is None,
        )

    def _link_hooks(self) -> LinkHooks:
        return LinkHooks(
            thread_id=lambda: self.thread_id,
            active_turn_id=lambda: self._ledger.active_turn_id,
            closed=lambda: self._close_reason is not None,
            ending=lambda: (
                self._close_reason is not None or self.close_requested.is_set() or self._detaching
            ),
            check_open=self._raise_if_closed,
            terminate=self._terminate,
            publish=self._publish,
            reopen=self._reopen,
            link_lost=self.gate.connection_lost,
            link_restored=lambda: self.gate.drop_detached("reconnect"),
            abort_turn=lambda *args: self._outbox.abort_active(*args),
            settle_turn=lambda outcome, why: self._incoming.settle(self.thread_id, outcome, why),
            flush_queue=lambda: self._outbox.flush(),
        )

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
        conversation._link.mark_up()
        if recovery is not None and recovery.inactivity_timeout is not None:
            conversation._watchdog = InactivityWatchdog(
                conversation, recovery.inactivity_timeout
            ).start()
        return conversation

    def _new_endpoint(self, stream: ByteStream, on_close: Callable[[str], None]) -> JsonRpcEndpoint:
        return JsonRpcEndpoint(
            stream,
            limits=self.options.limits,
            on_notification=self._incoming.notification,
            on_request=self._incoming.server_request,
            on_issue=lambda issue: self._publish(
                synthetic("x-optio-protocol-issue", kind=issue.kind, detail=issue.detail)
            ),
            on_close=on_close,
        )

    @property
    def _endpoint(self) -> JsonRpcEndpoint:
        """The endpoint of the current link (a reconnect replaces it)."""
        return self._link.endpoint

    @property
    def _server(self) -> AppServerHandle:
        return self._link.server

    async def _handshake(self) -> None:
        ep = self._endpoint
        self.server_info = await initialize(ep, self.options)
        self.account = await optional_request(ep, "account/read", {"refreshToken": False})
        listed = await optional_request(ep, "model/list", {})
        self.models = list(listed.get("data") or []) if isinstance(listed, dict) else []
        await self._open_thread()
        if self.options.resume_thread_id and self.thread_id == self.options.resume_thread_id:
            await self._adopt_running_turn()

    async def _reopen(self, server_lives: bool) -> None:
        """On a new link: initialize and open the thread again (for the link keeper)."""
        self.server_info = await initialize(self._endpoint, self.options)
        await self._open_thread(server_lives=server_lives)

    async def _adopt_running_turn(self) -> None:
        """Reattached to a server mid-turn: follow the turn it is still running."""
        read = await self._link.read_turns()
        self.resumed_last_turn = outcome = last_turn(read) if read is not None else None
        if outcome is not None and self.options.adopt_running_turn:
            adopt_turn(outcome, self._ledger, self._publish)

    async def _open_thread(self, *, server_lives: bool = False) -> None:
        self.thread, self.thread_id, self.effective_sandbox = await open_thread(
            self._endpoint,
            self.options,
            self.thread_id or self.options.resume_thread_id,
            # A server that lived on may be just starting a turn: wait for its rollout.
            rollout_coming=self._outbox.may_have_turn if server_lives else None,
            restarted=lambda old: self._publish(
                synthetic("x-optio-thread-restarted", previousThreadId=old)
            ),
        )

    # -- Conversation protocol -----------------------------------------------------------------

    async def send(self, text: str, *, uuid: str | None = None) -> None:
        """Give the agent a message: a new turn, or into the running one (steer or queue)."""
        await self.submit(text)

    async def submit(self, text: str) -> str | None:
        """Like send(); returns the turn id the text went into (None when queued)."""
        self._raise_if_closed()
        if not isinstance(text, str) or not text.strip():
            raise ValueError("message text must be a non-empty string")
        await self._link.wait()
        note, self._next_note = self._next_note, None
        return await self._outbox.submit(f"{note}\n\n{text}" if note else text)

    def note_next_message(self, note: str) -> None:
        """Put ``note`` before the next message the agent is given (that it was resumed,
        say): it rides on a turn the agent takes anyway instead of costing one."""
        self._next_note = note

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
        return self._waiters.on_message(handler)

    def on_permission_request(self, handler: PermissionHandler) -> Callable[[], None]:
        return self.gate.set_handler(handler)

    def answer_permission(self, request_id: int | str, decision: PermissionDecision) -> bool:
        """Answer a pending approval by the JSON-RPC id codex gave it (UI, terminal)."""
        return self.gate.answer(request_id, decision)

    def is_pending(self) -> bool:
        return self._outbox.busy()

    @property
    def active_turn_id(self) -> str | None:
        return self._ledger.active_turn_id

    async def interrupt(self) -> TurnResult | None:
        """Interrupt the running turn and wait (bounded) until codex reports it ended."""
        self._raise_if_closed()
        timeout = self.options.interrupt_timeout
        return await self._outbox.interrupt_running(self._turn_waiter, timeout)

    async def set_control(self, control_id: str, value: str | bool) -> None:
        """``model`` and ``reasoning_effort`` apply from the next turn on; others are ignored."""
        self._raise_if_closed()
        if self._controls.set(control_id, value, self.models):
            self._publish(synthetic("x-optio-control-update", id=control_id, value=value))

    def supported_efforts(self, model: str | None = None) -> set[str]:
        """Efforts model/list offers for ``model`` (None: the default model); empty if unknown."""
        return supported_efforts(self.models, model)

    async def close(self) -> None:
        """Stop the app-server (stdin EOF, grace, kill) and end the conversation. Idempotent."""
        self.close_requested.set()
        await self._link.stop()
        # Even after the link ended: a detached server outlives a conversation that gave up.
        with contextlib.suppress(Exception):
            await self._link.server.stop(self.options.close_grace)
        await self._end("closed by client")

    async def detach(self) -> None:
        """End this conversation but leave a detached app-server running, to be reattached
        later (an engine shutting down for a restart). Other servers are stopped as by close().
        """
        server = self._link.server
        if not isinstance(server, Detachable):
            await self.close()
            return
        self._detaching = True
        await self._link.stop()
        with contextlib.suppress(Exception):
            await server.detach()
        await self._end("detached")

    async def _end(self, reason: str) -> None:
        await self._endpoint.aclose(reason)
        self._terminate(reason)
        await self._hub.drain()

    @property
    def server(self) -> AppServerHandle:
        """The app-server handle in use (a relaunch replaces it)."""
        return self._link.server

    @property
    def recovering(self) -> bool:
        return self._link.recovering

    def activity_mark(self) -> tuple[int, int]:
        """Changes whenever anything arrives from codex (read by the inactivity watchdog)."""
        ep = self._endpoint
        received = ep.notifications_received + ep.stats.server_requests_received
        return (self._link.generation, received)

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
            waiter = self._waiters.for_next()
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
        waiter = self._waiters.for_next() if turn_id is None else self._turn_waiter(turn_id)
        async with asyncio.timeout(timeout):
            return await waiter

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
        await self._link.wait()
        return await self._endpoint.request(method, params, timeout=timeout)

    def stderr_tail(self) -> str:
        return self._endpoint.stderr_tail()

    def _turn_waiter(self, turn_id: str) -> asyncio.Future[TurnResult]:
        return self._waiters.for_turn(turn_id, self._ledger.completed, self._close_reason)

    async def reconcile(self, why: str = "request") -> TurnResult | None:
        """Ask codex (thread/read) how the active turn stands and settle it if it ended.

        The inactivity watchdog calls this; so does a reconnect. Returns the turn's result
        when this call ended it.
        """
        return await self._link.reconcile(why)

    @property
    def reconnects(self) -> int:
        return self._link.reconnects

    @property
    def relaunches(self) -> int:
        return self._link.relaunches

    # -- turns ending -------------------------------------------------------------------------

    def _publish(self, event: CodexEvent) -> None:
        self._hub.publish(event)

    def _deliver(self, result: TurnResult) -> None:
        self._outbox.deliver(result)

    def _refuse_request(self, request: ServerRequest, message: str) -> None:
        self._spawn(self._endpoint_reply_error(request, message))

    async def _endpoint_reply_error(self, request: ServerRequest, message: str) -> None:
        with contextlib.suppress(ConnectionLost):
            await self._endpoint.reply_error(request.id, METHOD_NOT_FOUND, message)

    async def _send_permission_answer(
        self, request: CodexPermissionRequest, decision: CodexPermissionDecision
    ) -> None:
        await self._endpoint.reply(request.request_id, wire_answer(request, decision))

    # -- the end ------------------------------------------------------------------------------

    def _terminate(self, reason: str) -> None:
        """The one terminal transition: settle every waiter, end the turn in flight."""
        if self._close_reason is not None:
            return
        self._close_reason = reason
        self._link.ended()
        if self._watchdog is not None:
            self._watchdog.stop()
        starting = self._outbox.starting
        if starting is not None and not starting.done():
            starting.cancel()
        if not self._detaching:
            # (Detached, the turn goes on without us: its waiters just hear we left.)
            self._outbox.abort_active(reason, f"app-server connection lost: {reason}", [])
        self._waiters.close(reason)
        self._outbox.queued.clear()
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
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


__all__ = [
    "APPROVAL_METHODS",
    "CLIENT_NAME",
    "DEFAULT_OPT_OUT",
    "AppServerHandle",
    "ApprovalPolicy",
    "CodexConversation",
    "ConversationOptions",
    "SandboxMode",
    "TurnRejected",
    "TurnResult",
]
