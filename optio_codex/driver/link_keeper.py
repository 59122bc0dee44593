"""The link keeper: holds the conversation's connection to its app-server and repairs it.

It owns the endpoint in use, the server handle (a relaunch replaces it), whether the link is
up, and the recovery task. When the link breaks it reconnects to the same server, or
relaunches one and resumes the thread, then reconciles what was missed; see
:mod:`optio_codex.driver.recovery` for the settings and the pure parts. Everything it needs of
the conversation comes through :class:`LinkHooks`.

Anyone waiting for the link waits on one "link changed" signal, set when the link comes up,
when it goes down, when recovery ends and when the conversation ends — never on a poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from optio_codex.driver.events import CodexEvent, synthetic
from optio_codex.driver.options import AppServerHandle
from optio_codex.driver.recovery import (
    Reconnectable,
    RecoverySettings,
    TurnOutcome,
    backoff_delays,
    find_input,
    find_turn,
    last_turn,
)
from optio_codex.driver.thread_setup import read_turns
from optio_codex.driver.turns import TurnResult
from optio_codex.protocol.endpoint import JsonRpcEndpoint
from optio_codex.protocol.errors import CodexProtocolError, ConnectionLost, RpcError
from optio_codex.protocol.streams import AppServerGone, ByteStream

log = logging.getLogger(__name__)

# Makes the endpoint for a stream; the keeper passes what to call when that link closes.
EndpointFactory = Callable[[ByteStream, Callable[[str], None]], JsonRpcEndpoint]


@dataclass(frozen=True, kw_only=True)
class LinkHooks:
    """What the keeper needs of the conversation it keeps linked."""

    thread_id: Callable[[], str | None]
    active_turn_id: Callable[[], str | None]
    closed: Callable[[], bool]  # the conversation has ended
    ending: Callable[[], bool]  # ended, or a close or detach is under way: no repair
    check_open: Callable[[], None]  # raises ConversationClosed once the conversation ended
    terminate: Callable[[str], None]  # the one terminal transition
    publish: Callable[[CodexEvent], None]
    # On the new endpoint: initialize and open the thread again; True: the server lived on.
    reopen: Callable[[bool], Awaitable[None]]
    link_lost: Callable[[], None]  # approvals open on the lost link await their replay
    link_restored: Callable[[], None]  # the thread is back: drop what was not replayed
    # End the running turn as interrupted (reason, error message, texts to send again).
    abort_turn: Callable[[str, str, list[str]], None]
    # A turn that ended unobserved: settle it from what thread/read said of it.
    settle_turn: Callable[[TurnOutcome, str], TurnResult | None]
    flush_queue: Callable[[], None]  # send what was queued while the link was down


@dataclass(frozen=True)
class _Reached:
    attempts: int
    relaunched: bool


class LinkKeeper:
    """One conversation's link to its app-server, repaired when ``recovery`` is set."""

    def __init__(
        self,
        server: AppServerHandle,
        make_endpoint: EndpointFactory,
        hooks: LinkHooks,
        recovery: RecoverySettings | None,
        handshake_timeout: float,
    ) -> None:
        self.server = server
        self.recovery = recovery
        self.reconnects = 0
        self.relaunches = 0
        self._hooks = hooks
        self._make_endpoint = make_endpoint
        self._handshake_timeout = handshake_timeout
        self._generation = 0
        self._up = False
        self._changed = asyncio.Event()  # replaced on each change; the old one is set
        self._recovering: asyncio.Task[None] | None = None
        self._server_gone = False  # the server is known dead: relaunch, don't reconnect
        # Texts of the running turn, for re-sending it when a dead app-server took it along.
        self._turn_inputs: dict[str, list[str]] = {}
        self.endpoint = self._open(server.stream)

    # -- state -------------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """Counts the links opened: a reconnect makes a new one."""
        return self._generation

    @property
    def up(self) -> bool:
        return self._up

    @property
    def recovering(self) -> bool:
        return self._recovering is not None

    def mark_up(self) -> None:
        """The handshake on the current link is done."""
        self._set_up(True)

    def ended(self) -> None:
        """The conversation ended: the link never comes back; waiters hear it now."""
        self._set_up(False)

    def recoverable(self) -> bool:
        return self.recovery is not None and not self._hooks.ending()

    def remember_input(self, turn_id: str, text: str) -> None:
        self._turn_inputs.setdefault(turn_id, []).append(text)

    def forget_inputs(self, turn_id: str) -> None:
        self._turn_inputs.pop(turn_id, None)

    def _set_up(self, up: bool) -> None:
        self._up = up
        self._signal()

    def _signal(self) -> None:
        """Wake every waiter: the link came up, went down, or will not come back."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _open(self, stream: ByteStream) -> JsonRpcEndpoint:
        self._generation += 1
        generation = self._generation
        return self._make_endpoint(stream, lambda reason: self._on_closed(generation, reason))

    # -- waiting for the link ------------------------------------------------------------------

    async def wait(self) -> None:
        """Return once the link is up; raise ConversationClosed if it never comes back."""
        while True:
            self._hooks.check_open()
            if self._up and not self.endpoint.closed:
                return
            if not self.recoverable():
                return  # the request itself will fail with a clear error
            await self._changed.wait()

    async def stop(self) -> None:
        """No more repairs (a close or detach is under way); waiters re-check at once."""
        task = self._recovering
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._recovering = None
        self._signal()

    # -- input sent exactly once ---------------------------------------------------------------

    async def request_input(self, method: str, params: dict[str, Any], client_id: str) -> Any:
        """Send user input exactly once: after a lost link, ask codex whether it took it."""
        for _attempt in range(5):
            try:
                return await self.endpoint.request(method, params)
            except ConnectionLost:
                if not self.recoverable():
                    raise
            await self.wait()
            turn_id = await self._find_delivered_input(
                client_id, running_is_ours=method == "turn/start"
            )
            if turn_id is not None:
                log.info("%s reached codex before the link broke (turn %s)", method, turn_id)
                return {"turn": {"id": turn_id}} if method == "turn/start" else {"turnId": turn_id}
            params = {**params, "threadId": self._hooks.thread_id()}
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
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while True:
            read = await self.read_turns()
            if read is not None and (turn_id := find_input(read, client_id)) is not None:
                return turn_id
            last = last_turn(read) if read is not None else None
            running = last.turn_id if last is not None and not last.ended else None
            if read is not None and running is None:
                return None  # idle, and the message is nowhere: it never arrived
            if loop.time() > deadline:
                if not running_is_ours:
                    return None
                return running or self._hooks.active_turn_id()
            await asyncio.sleep(0.05)

    async def read_turns(self) -> Any | None:
        """thread/read with turns; None while the thread has none."""
        return await read_turns(self.endpoint, self._hooks.thread_id())

    # -- reconciling ---------------------------------------------------------------------------

    async def reconcile(self, why: str) -> TurnResult | None:
        """Ask codex (thread/read) how the active turn stands and settle it if it ended."""
        await self.wait()
        return await self._reconcile(why)

    async def _reconcile(self, why: str) -> TurnResult | None:
        active = self._hooks.active_turn_id()
        if active is None or self._hooks.thread_id() is None:
            return None
        read = await self.read_turns()
        if read is None:
            return None
        outcome = find_turn(read, active)
        if outcome is None or not outcome.ended or self._hooks.active_turn_id() != active:
            return None
        log.info("turn %s ended while unobserved (%s); reconciled", active, why)
        return self._hooks.settle_turn(outcome, why)

    # -- a broken link -------------------------------------------------------------------------

    def _on_closed(self, generation: int, reason: str) -> None:
        if generation != self._generation or self._hooks.closed():
            return  # an older link, replaced by a reconnect, or already over
        self._set_up(False)
        if self.recovery is None or self._hooks.ending():
            self._hooks.terminate(reason)
            return
        if self._recovering is None:
            self._hooks.link_lost()
            self._hooks.publish(synthetic("x-optio-connection-lost", reason=reason))
            self._recovering = asyncio.get_running_loop().create_task(self._recover(reason))

    async def _recover(self, reason: str) -> None:
        """Reconnect (or relaunch) with backoff until the thread is back or time runs out."""
        settings = self.recovery
        assert settings is not None
        loop = asyncio.get_running_loop()
        lost_at = loop.time()
        try:
            outcome = await self._reach_with_backoff(settings, lost_at, reason)
        except Exception as exc:
            log.exception("recovery failed")
            outcome = f"recovery failed: {exc}"
        finally:
            self._recovering = None
        if isinstance(outcome, str):
            self._hooks.terminate(outcome)
        elif outcome is None:
            self._signal()  # no longer recoverable (a close began): waiters stop waiting
        else:
            self.reconnects += 1
            self._set_up(True)
            self._hooks.publish(
                synthetic(
                    "x-optio-reconnected",
                    attempts=outcome.attempts,
                    gapMs=round((loop.time() - lost_at) * 1000),
                    relaunched=outcome.relaunched,
                    threadId=self._hooks.thread_id(),
                )
            )
            self._hooks.flush_queue()

    async def _reach_with_backoff(
        self, settings: RecoverySettings, lost_at: float, reason: str
    ) -> _Reached | str | None:
        """The link back, or why it is given up (a str), or None when no longer wanted."""
        loop = asyncio.get_running_loop()
        delays = backoff_delays(settings.backoff_initial, settings.backoff_max)
        attempts = refusals = 0
        last_error = reason
        while self.recoverable():
            attempts += 1
            try:
                stream, relaunched = await self._reach_server(settings)
                await self._rebind(stream, relaunched)
                return _Reached(attempts, relaunched)
            except AppServerGone as exc:
                last_error = str(exc)
                if settings.relaunch is None or self.relaunches >= settings.max_relaunches:
                    return f"app-server is gone: {exc}"
                self._server_gone = True
                continue
            except RpcError as exc:
                # codex answered, but not as hoped: a few tries, not a ten-minute loop.
                last_error = f"{exc.summary}"
                refusals += 1
                if refusals >= 3:
                    return f"could not resume the thread: {last_error}"
            except (ConnectionError, OSError, TimeoutError, CodexProtocolError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            if loop.time() - lost_at > settings.reconnect_timeout:
                return (
                    f"could not reconnect within {settings.reconnect_timeout:g}s "
                    f"({attempts} attempts; last error: {last_error})"
                )
            await asyncio.sleep(next(delays))
        return None

    async def _reach_server(self, settings: RecoverySettings) -> tuple[ByteStream, bool]:
        """A stream to the same app-server if it lives, else to a new one (relaunched)."""
        server = self.server
        if not self._server_gone and isinstance(server, Reconnectable):
            return await server.reconnect(), False
        assert settings.relaunch is not None
        with contextlib.suppress(Exception):
            await server.stop(0.5)  # whatever is left of the old one
        new_server = await settings.relaunch()
        self.server = new_server
        self._server_gone = False
        self.relaunches += 1
        return new_server.stream, True

    async def _rebind(self, stream: ByteStream, relaunched: bool) -> None:
        """Handshake on a new stream, resume the thread, and catch up with what was missed."""
        old = self.endpoint
        self.endpoint = self._open(stream)
        with contextlib.suppress(Exception):
            await old.aclose("replaced by a new connection")
        async with asyncio.timeout(self._handshake_timeout):
            await self._hooks.reopen(not relaunched)
        if relaunched:
            self._abandon_active_turn("the app-server died and was restarted")
        else:
            await self._reconcile("reconnect")
        self._hooks.link_restored()

    def _abandon_active_turn(self, reason: str) -> None:
        """The turn died with its app-server: report it interrupted; maybe send it again."""
        active = self._hooks.active_turn_id()
        if active is None:
            return
        texts = self._turn_inputs.pop(active, [])
        assert self.recovery is not None
        resend = texts if self.recovery.interrupted_turn == "resend" else []
        self._hooks.abort_turn(reason, reason, resend)


__all__ = ["EndpointFactory", "LinkHooks", "LinkKeeper"]
