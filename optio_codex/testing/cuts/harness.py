"""The fault harness: turns on one conversation, the network cut under each of them."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from optio_agents.conversation import ConversationClosed, PermissionDecision

from optio_codex.driver.conversation import CodexConversation
from optio_codex.driver.events import CodexEvent
from optio_codex.hosts.reconnect import SshSession
from optio_codex.testing import model_server as ms
from optio_codex.testing.cuts.events import EventLog, index_of_nth, turn_of, user_texts
from optio_codex.testing.cuts.plan import CutPlan, TurnRecord, label, plan_turns
from optio_codex.testing.cuts.report import CutReport
from optio_codex.testing.cuts.timing import ReconnectTimeline
from optio_codex.testing.model_server import ScriptedModelServer

ALLOW = PermissionDecision(behavior="allow")


class Cutter(Protocol):
    """What cuts the network: :class:`~optio_codex.testing.relay.TcpRelay` does."""

    async def cut(self) -> int: ...

    def set_down(self, down: bool) -> None: ...


Reopen = Callable[[], Awaitable[CodexConversation]]


class _Run:
    def __init__(
        self,
        conversation: CodexConversation,
        cutter: Cutter,
        model: ScriptedModelServer,
        command_log: Path,
        plan: CutPlan,
        session: SshSession | None,
        reopen: Reopen | None,
        timeline: ReconnectTimeline | None,
    ) -> None:
        self.conversation = conversation
        self.cutter = cutter
        self.model = model
        self.command_log = command_log
        self.plan = plan
        self.session = session
        self.reopen = reopen
        self.timeline = timeline
        self.events = EventLog()
        self.events.on_prompt = self._on_prompt
        self.conversations = [conversation]
        self.unused_steps = 0
        self.notes: list[str] = []
        self._answered: set[str] = set()  # turns whose planned answer was given
        self._prompts: dict[str, int] = {}
        self._restored: list[float] = []
        self._removers = [conversation.on_event(self.events)]
        if session is not None:
            self._removers.append(
                session.on_restored(lambda _generation: self._restored.append(time.monotonic()))
            )

    def detach(self) -> None:
        """Stop listening to the conversations and the session."""
        for remove in self._removers:
            remove()
        self._removers.clear()

    # -- prompts

    def _on_prompt(self, event: CodexEvent) -> None:
        turn_id = turn_of(event)
        if turn_id is None:
            return
        self._prompts[turn_id] = self._prompts.get(turn_id, 0) + 1
        if turn_id in self._answered:
            # The human is asked again for something already answered: answer (and count it).
            self.conversation.answer_permission(event["requestId"], ALLOW)

    def _answer_pending(self, turn_id: str) -> bool:
        answered = False
        for request in self.conversation.gate.pending:
            if getattr(request, "turn_id", None) == turn_id:
                answered = (
                    self.conversation.answer_permission(request.request_id, ALLOW) or answered
                )
        return answered

    # -- one turn

    async def turn(self, record: TurnRecord) -> None:
        plan = self.plan
        if self.conversation.closed:
            await self._reopen(record, None)
        leftover = self.model.pending
        if leftover:
            self.unused_steps += leftover
            self.model.clear_script()
        answer = ms.slow(record.expected_text, plan.chunk_delay_s, chunk_size=plan.chunk_size)
        if record.kind == "approval":
            command = f"printf '%s\\n' {label(record.index)} >> {self.command_log}"
            self.model.script(ms.exec_command(command), answer)
        else:
            self.model.script(answer)
        calls_before = len(self.model.responses_requests)
        conversation = self.conversation
        reconnects_before = self.events.count("x-optio-reconnected")
        mark = len(self.events.log)
        turn_id = await conversation.submit(record.input_text)
        if turn_id is None:
            raise RuntimeError("the message was queued: the previous turn is still running")
        record.turn_id = turn_id
        try:
            back_at = await self._cut(record, turn_id, mark)
            await self._after_cut(record, turn_id, back_at, reconnects_before)
            result = await conversation.wait_for_turn(turn_id, timeout=plan.turn_timeout)
            record.status = result.status
            record.synthetic = result.synthetic
            record.final_text = result.final_text
        except TimeoutError:
            record.status = "timeout"
            record.error = record.error or "timed out"
            await self._settle(turn_id)
        except ConversationClosed as exc:
            record.status = "interrupted"
            record.error = record.error or f"conversation closed: {exc}"
        finally:
            self.cutter.set_down(False)
        record.model_calls = len(self.model.responses_requests) - calls_before
        record.prompts = self._prompts.get(turn_id, 0)
        self._score_items(record, turn_id, mark)

    async def _cut(self, record: TurnRecord, turn_id: str, mark: int) -> float:
        """Wait for the cut point, cut, answer during the gap if planned; the moment the
        network came back."""
        plan, events, conversation = self.plan, self.events, self.conversation
        if record.kind == "stream":
            await events.wait(
                lambda e: e.type == "item/agentMessage/delta" and turn_of(e) == turn_id,
                plan.event_timeout,
                mark,
            )
        else:
            await events.wait(
                lambda e: e.type == "x-optio-permission-request" and turn_of(e) == turn_id,
                plan.event_timeout,
                mark,
            )
        await asyncio.sleep(record.cut_delay_ms / 1000)
        record.cut_landed = conversation.active_turn_id == turn_id and not conversation.closed
        prompt_ids = [r.request_id for r in conversation.gate.pending]
        lost_mark = len(events.log)
        if record.outage_ms > 0:
            self.cutter.set_down(True)  # cuts the live connections too
            down_until = time.monotonic() + record.outage_ms / 1000
            if record.answer_in_gap:
                await self._answer_in_gap(record, turn_id, prompt_ids, lost_mark)
            await asyncio.sleep(max(0.0, down_until - time.monotonic()))
            back_at = time.monotonic()
            self.cutter.set_down(False)
        else:
            back_at = time.monotonic()
            await self.cutter.cut()
            if record.answer_in_gap:
                await self._answer_in_gap(record, turn_id, prompt_ids, lost_mark)
        return back_at

    async def _answer_in_gap(
        self, record: TurnRecord, turn_id: str, prompt_ids: list[int | str], lost_mark: int
    ) -> None:
        conversation = self.conversation
        # Once the client knows the link is gone: the gate must hold the answer.
        with contextlib.suppress(TimeoutError):
            await self.events.wait(
                lambda e: e.type in ("x-optio-connection-lost", "x-optio-closed"),
                self.plan.event_timeout,
                lost_mark,
            )
        record.answered_in_gap = conversation.recovering
        self._answered.add(turn_id)
        answered = any(conversation.answer_permission(rid, ALLOW) for rid in prompt_ids)
        if not answered and not conversation.closed:
            record.error = "the answer given during the gap was refused"

    async def _after_cut(
        self, record: TurnRecord, turn_id: str, back_at: float, reconnects_before: int
    ) -> None:
        plan, events, conversation = self.plan, self.events, self.conversation
        if self.reopen is not None:
            # No recovery: the cut ends the conversation (and the turn with it), or the turn
            # was over before the cut. Either way the next turn needs a live conversation.
            with contextlib.suppress(TimeoutError, ConversationClosed):
                await conversation.wait_for_turn(turn_id, timeout=plan.turn_timeout)
            if conversation.closed:
                await self._reopen(record, back_at)
            return
        stamp, event = await events.wait(
            lambda e: e.type == "x-optio-reconnected",
            plan.event_timeout,
            index_of_nth(events, "x-optio-reconnected", reconnects_before),
        )
        record.reconnected = True
        record.reconnect_ms = (stamp - back_at) * 1000
        attempts = event.get("attempts")
        record.attempts = attempts if isinstance(attempts, int) else None
        self._split(record, back_at, stamp)
        if record.kind == "approval" and not record.answer_in_gap:
            self._answered.add(turn_id)
            record.answered_in_gap = False
            # The prompt comes back under a new request id once the thread is resumed.
            async with asyncio.timeout(plan.event_timeout):
                while not self._answer_pending(turn_id):
                    if conversation.active_turn_id != turn_id:
                        break  # ended without asking again (nothing to answer)
                    await asyncio.sleep(0.01)

    def _split(self, record: TurnRecord, back_at: float, reconnected_at: float) -> None:
        restored = next((s for s in self._restored if s >= back_at), None)
        if restored is None:
            return
        record.ssh_ms = (restored - back_at) * 1000
        if self.timeline is None:
            return
        opened = self.timeline.after(self.timeline.channel_opened, restored)
        upgraded = self.timeline.after(self.timeline.upgraded, restored)
        if opened is None or upgraded is None or upgraded > reconnected_at:
            return
        record.channel_ms = (opened - restored) * 1000
        record.websocket_ms = (upgraded - opened) * 1000
        record.rpc_ms = (reconnected_at - upgraded) * 1000

    async def _reopen(self, record: TurnRecord, back_at: float | None) -> None:
        assert self.reopen is not None
        conversation = await self.reopen()
        self._removers.append(conversation.on_event(self.events))
        self.conversation = conversation
        self.conversations.append(conversation)
        if back_at is not None:
            record.reopen_ms = (time.monotonic() - back_at) * 1000

    async def _settle(self, turn_id: str) -> None:
        """A turn that never ended: interrupt it so the next one can start."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(15):
                if self.conversation.active_turn_id == turn_id:
                    await self.conversation.interrupt()

    def _score_items(self, record: TurnRecord, turn_id: str, mark: int) -> None:
        completed: list[dict[str, Any]] = []
        streamed = 0
        for _, event in self.events.log[mark:]:
            if turn_of(event) != turn_id:
                continue
            if event.type == "item/completed":
                item = event.params.get("item")
                if isinstance(item, dict):
                    completed.append(item)
            elif event.type == "item/agentMessage/delta":
                streamed += len(str(event.params.get("delta") or ""))
        record.streamed_chars = streamed
        message = any(
            i.get("type") == "agentMessage" and i.get("text") == record.expected_text
            for i in completed
        )
        lost = 0 if message else 1
        if record.kind == "approval":
            ran = any(
                i.get("type") == "commandExecution" and i.get("status") == "completed"
                for i in completed
            )
            lost += 0 if ran else 1
        record.items_lost = lost

    # -- the end

    async def finish(self, records: list[TurnRecord]) -> None:
        leftover = self.model.pending
        if leftover:
            self.unused_steps += leftover
            self.model.clear_script()
        lines = self.command_log.read_text().splitlines() if self.command_log.exists() else []
        for record in records:
            if record.kind == "approval":
                record.command_runs = lines.count(label(record.index))
        counts: dict[str, int] = {}
        readable = True
        for conversation in self.conversations:
            if conversation.closed or conversation.thread_id is None:
                readable = False
                continue
            if not conversation.turns:
                continue  # nothing to count (and codex answers -32601 for a turnless thread)
            try:
                read = await conversation.request(
                    "thread/read",
                    {"threadId": conversation.thread_id, "includeTurns": True},
                    timeout=self.plan.event_timeout,
                )
            except Exception as exc:
                readable = False
                first_line = (str(exc).splitlines() or [""])[0]
                self.notes.append(f"thread/read failed: {first_line}")
                continue
            for turn in (read.get("thread") or {}).get("turns") or []:
                texts = user_texts(turn)
                for record in records:
                    if record.input_text in texts:
                        counts[record.input_text] = counts.get(record.input_text, 0) + 1
        if readable:
            for record in records:
                record.occurrences = counts.get(record.input_text, 0)
        else:
            # A conversation that ended with its app-server cannot be read back.
            for record in records:
                if record.input_text in counts:
                    record.occurrences = counts[record.input_text]


async def run_cuts(
    conversation: CodexConversation,
    cutter: Cutter,
    model: ScriptedModelServer,
    *,
    command_log: Path,
    plan: CutPlan | None = None,
    session: SshSession | None = None,
    reopen: Reopen | None = None,
    timeline: ReconnectTimeline | None = None,
    on_turn: Callable[[TurnRecord], None] | None = None,
) -> CutReport:
    """Run ``plan.turns`` turns on ``conversation``, cutting the network under each one.

    ``conversation`` must use a human gate (``GateSettings(human=True)``) and
    ``approvalPolicy`` on-request, so approval turns ask. ``command_log`` is where approval
    turns' commands append their label (the app-server's host must see the same path: in
    tests it is this machine). ``session`` (the SSH session under the conversation) and
    ``timeline`` (from :func:`instrument`) split the reconnect time into phases. ``reopen``
    makes a fresh conversation when a cut ended the current one (transports without
    recovery); conversations it makes are the caller's to close, like ``conversation``.
    """
    plan = plan or CutPlan()
    rng = random.Random(plan.seed)
    records = plan_turns(plan, rng)
    run = _Run(conversation, cutter, model, command_log, plan, session, reopen, timeline)
    started = time.monotonic()
    try:
        for record in records:
            try:
                await run.turn(record)
            except (TimeoutError, ConversationClosed, RuntimeError, ConnectionError) as exc:
                record.status = record.status if record.status != "not started" else "error"
                record.error = f"{type(exc).__name__}: {exc}"
                await run._settle(record.turn_id or "")
                if reopen is None and run.conversation.closed:
                    run.notes.append(f"{label(record.index)}: the conversation ended")
                    break
            if on_turn is not None:
                on_turn(record)
        await run.finish(records)
    finally:
        cutter.set_down(False)
        run.detach()
    return CutReport(
        plan=plan,
        turns=records,
        reconnects=sum(c.reconnects for c in run.conversations),
        relaunches=sum(c.relaunches for c in run.conversations),
        conversations=len(run.conversations),
        wall_s=time.monotonic() - started,
        unused_steps=run.unused_steps,
        notes=run.notes,
    )


@dataclass
class OpenConversations:
    """Conversations handed out by a ``reopen``, to close at the end."""

    started: list[CodexConversation] = field(default_factory=list)

    async def close_all(self) -> None:
        for conversation in self.started:
            with contextlib.suppress(Exception):
                await conversation.close()
