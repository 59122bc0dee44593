"""What this client sends into the thread: a turn/start, a steer into the running turn, or a
message queued for the next turn — and never a second turn/start while one is in flight."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Literal

from optio_agents.conversation import ConversationClosed

from optio_codex.driver.controls import TurnControls
from optio_codex.driver.events import CodexEvent, synthetic
from optio_codex.driver.link_keeper import LinkKeeper
from optio_codex.driver.turn_waiters import TurnWaiters
from optio_codex.driver.turns import TurnLedger, TurnRejected, TurnResult
from optio_codex.protocol.errors import (
    CodexProtocolError,
    ConnectionLost,
    InvalidRequestError,
    RpcError,
)

log = logging.getLogger(__name__)


class Outbox:
    """User input on its way to codex; sent exactly once through the link keeper."""

    def __init__(
        self,
        link: LinkKeeper,
        ledger: TurnLedger,
        waiters: TurnWaiters,
        controls: TurnControls,
        busy_send: Literal["steer", "queue"],
        thread_id: Callable[[], str | None],
        publish: Callable[[CodexEvent], None],
        is_open: Callable[[], bool],
    ) -> None:
        self._link = link
        self._ledger = ledger
        self._waiters = waiters
        self._controls = controls
        self._busy_send = busy_send
        self._thread_id = thread_id
        self._publish = publish
        self._is_open = is_open
        self._tasks: set[asyncio.Task[None]] = set()
        self.starting: asyncio.Future[str] | None = None  # a turn/start awaiting its ack
        self.queued: deque[str] = deque()
        self._steered: dict[str, list[str]] = {}  # turn id -> texts steered into it

    async def submit(self, text: str) -> str | None:
        """Into the turn starting or running, else a new turn; the turn id (None: queued)."""
        if self.starting is not None:
            # A turn/start is in flight: never a second one. Join it once its id is known.
            turn_id = await asyncio.shield(self.starting)
            return await self._into_active(text, turn_id)
        active = self._ledger.active_turn_id
        if active is not None:
            return await self._into_active(text, active)
        return await self._start_turn(text)

    async def interrupt(self, turn_id: str) -> None:
        """Ask codex to interrupt ``turn_id``, across a reconnect if need be."""
        for _attempt in range(3):
            await self._link.wait()
            try:
                await self._link.endpoint.request(
                    "turn/interrupt", {"threadId": self._thread_id(), "turnId": turn_id}
                )
                return
            except InvalidRequestError:
                return  # "no active turn to interrupt": it just ended; its waiters resolve
            except ConnectionLost:
                if not self._link.recoverable():
                    raise

    async def interrupt_running(
        self, waiter_for: Callable[[str], asyncio.Future[TurnResult]], timeout: float
    ) -> TurnResult | None:
        """Interrupt the running turn (once a turn/start in flight is acked); wait, bounded,
        for codex to report its end. None: no turn ran, or it did not end in time."""
        self.queued.clear()
        if self.starting is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self.starting)
        turn_id = self._ledger.active_turn_id
        if turn_id is None:
            return None
        waiter = waiter_for(turn_id)
        await self.interrupt(turn_id)
        try:
            async with asyncio.timeout(timeout):
                return await waiter
        except TimeoutError:
            log.warning("turn %s did not end within %ss of interrupt", turn_id, timeout)
            return None

    def busy(self) -> bool:
        """A turn is starting or running, or messages wait for the next one."""
        return self.starting is not None or self._ledger.active is not None or bool(self.queued)

    def may_have_turn(self) -> bool:
        """The thread may have a turn by now (so its rollout exists or is about to)."""
        ledger = self._ledger
        return (
            self.starting is not None or ledger.active_turn_id is not None or ledger.turn_count > 0
        )

    # -- turns ending ----------------------------------------------------------------------

    def deliver(self, result: TurnResult) -> None:
        """A turn ended: settle its waiters, then send what waits for the next turn."""
        self._link.forget_inputs(result.turn_id)
        self.turn_ended(result)
        self._waiters.resolve(result)
        if self._is_open() and self._link.up:
            self.flush()

    def abort_active(self, reason: str, message: str, resend: list[str]) -> None:
        """End the running turn as interrupted (its server or our link is gone); ``resend``:
        texts to send again as the next turn."""
        active = self._ledger.active_turn_id
        if active is None:
            return
        result = self._ledger.complete(active, "interrupted", {"message": message}, synthetic=True)
        if result is None:
            return
        self._publish(
            synthetic("x-optio-turn-aborted", turnId=active, reason=reason, status="interrupted")
        )
        if resend:
            self.queued.extend(resend)
            self._publish(synthetic("x-optio-turn-resend", turnId=active, texts=resend))
        self.deliver(result)

    def flush(self) -> None:
        """Send what was queued (during a turn, or while the link was down) as one turn."""
        text = self.take_queued()
        if text is None:
            return
        task = asyncio.get_running_loop().create_task(self._send_queued(text))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_queued(self, text: str) -> None:
        try:
            await self._link.wait()
            await self.submit(text)
        except (CodexProtocolError, ConversationClosed) as exc:
            log.warning("queued message could not be sent: %s", exc)

    def take_queued(self) -> str | None:
        """The queued messages as one text for the next turn (and the queue emptied)."""
        if not self.queued:
            return None
        text = "\n\n".join(self.queued)
        self.queued.clear()
        return text

    def turn_ended(self, result: TurnResult) -> None:
        """Queue again what was steered into the turn but never taken in."""
        for text in _not_taken_in(self._steered.pop(result.turn_id, []), result):
            log.info("turn %s ended without taking a steered message; re-sending", result.turn_id)
            self.queued.append(text)

    async def _into_active(self, text: str, turn_id: str) -> str | None:
        if self._busy_send == "queue":
            self.queued.append(text)
            self._publish(synthetic("x-optio-message-queued", text=text, turnId=turn_id))
            return None
        client_id = uuid.uuid4().hex
        params = {
            "threadId": self._thread_id(),
            "expectedTurnId": turn_id,
            "input": _text_input(text),
            "clientUserMessageId": client_id,
        }
        try:
            result = await self._link.request_input("turn/steer", params, client_id)
        except InvalidRequestError as exc:
            # The turn ended between our look and the steer: start a fresh one instead.
            log.info("steer refused (%s); starting a new turn", exc.rpc_message)
            return await self._start_turn(text)
        steered = str(result.get("turnId") or turn_id) if isinstance(result, dict) else turn_id
        self._link.remember_input(steered, text)
        # codex can accept a steer just as the turn's last model call ends and then drop it;
        # remember it so turn_ended can re-send what the turn never took in.
        self._steered.setdefault(steered, []).append(text)
        return steered

    async def _start_turn(self, text: str) -> str:
        client_id = uuid.uuid4().hex
        params: dict[str, Any] = {
            "threadId": self._thread_id(),
            "input": _text_input(text),
            "clientUserMessageId": client_id,
            **self._controls.turn_params(),
        }
        starting: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.starting = starting
        try:
            result = await self._link.request_input("turn/start", params, client_id)
            turn_id = str(((result or {}).get("turn") or {}).get("id") or "")
            if not turn_id:
                raise TurnRejected(f"turn/start returned no turn id: {result!r}")
        except BaseException as exc:
            starting.cancel()
            if isinstance(exc, RpcError | TurnRejected):
                self._rejected(text, exc)
            raise
        finally:
            if self.starting is starting:
                self.starting = None
        self._ledger.begin(turn_id)
        self._link.remember_input(turn_id, text)
        self._waiters.started(turn_id)
        if not starting.done():
            starting.set_result(turn_id)
        return turn_id

    def _rejected(self, text: str, exc: RpcError | TurnRejected) -> None:
        """codex refused the turn: say so, and raise TurnRejected (never drop it silently)."""
        code = getattr(exc, "code", None)
        self._publish(synthetic("x-optio-turn-rejected", text=text, error=str(exc), code=code))
        if isinstance(exc, RpcError):
            raise TurnRejected(
                f"codex refused the turn: {exc.summary}", stderr_tail=exc.stderr_tail
            ) from exc


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


__all__ = ["Outbox"]
