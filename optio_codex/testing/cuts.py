"""A fault harness: streaming turns on one conversation, the network cut under each of them.

:func:`run_cuts` runs ``plan.turns`` turns one after another. Each turn's scripted answer is
unique (``"turn-07: w0 w1 ..."``) and streams slowly, so that a cut lands mid-stream. Every
turn gets exactly one cut, at a seeded random point:

* a *streaming* turn is cut a random delay after its first ``item/agentMessage/delta``;
* an *approval* turn (a share of them) first runs a command that needs approval; the cut lands
  while the approval is pending. The harness answers ``allow`` either during the gap (the
  gate must hold the answer) or after ``x-optio-reconnected`` (the prompt must be rebound).

A cut is ``cutter.cut()`` (TCP resets on both sides); with an outage, ``set_down(True)``
first, then ``set_down(False)`` after the outage. "Network back" is the ``set_down(False)``
(or the cut itself when there is no outage); the reconnect time runs from there to the
conversation's ``x-optio-reconnected``.

For each turn the report says whether it completed with its full text, how many model calls
it took, whether its input ended up in more than one turn (``thread/read`` at the end), how
many times its command ran, and how long the reconnect took. With ``reopen`` the harness also
drives conversations that do not survive a cut (an attached app-server): it opens a fresh one
before the next turn, and the turn that was cut counts as lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from optio_agents.conversation import ConversationClosed, PermissionDecision

from optio_codex.driver.conversation import CodexConversation
from optio_codex.driver.events import CodexEvent
from optio_codex.hosts.detached_server import DetachedAppServer
from optio_codex.hosts.reconnect import SshSession
from optio_codex.protocol.streams import ByteStream
from optio_codex.testing import model_server as ms
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.transport.websocket import Reader, Writer

TurnKind = Literal["stream", "approval"]
ALLOW = PermissionDecision(behavior="allow")


class Cutter(Protocol):
    """What cuts the network: :class:`~optio_codex.testing.relay.TcpRelay` does."""

    async def cut(self) -> int: ...

    def set_down(self, down: bool) -> None: ...


Reopen = Callable[[], Awaitable[CodexConversation]]


@dataclass(frozen=True, kw_only=True)
class CutPlan:
    """What to run and where to cut. Everything random comes from ``seed``."""

    turns: int = 20
    approval_share: float = 0.25  # turns cut while an approval is pending
    answer_in_gap_share: float = 0.5  # of those, answered during the gap (else after it)
    outage_ms: tuple[float, float] = (0.0, 0.0)  # network down for uniform(lo, hi) per cut
    seed: int = 0
    answer_words: int = 80  # "turn-07: w0 ... w79": about 400 characters
    chunk_size: int = 8
    chunk_delay_s: float = 0.01
    # The cut lands uniform(lo, hi) x the stream's length after the first delta.
    cut_window: tuple[float, float] = (0.05, 1.0)
    approval_cut_delay_s: tuple[float, float] = (0.0, 0.05)
    turn_timeout: float = 60.0
    event_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.turns < 1:
            raise ValueError("CutPlan.turns must be positive")
        if not 0.0 <= self.approval_share <= 1.0 or not 0.0 <= self.answer_in_gap_share <= 1.0:
            raise ValueError("CutPlan shares must lie in [0, 1]")
        lo, hi = self.outage_ms
        if lo < 0 or hi < lo:
            raise ValueError("CutPlan.outage_ms must be (lo, hi) with 0 <= lo <= hi")
        if not 0.0 <= self.cut_window[0] <= self.cut_window[1]:
            raise ValueError("CutPlan.cut_window must be (lo, hi) with 0 <= lo <= hi")

    @property
    def approval_turns(self) -> int:
        return round(self.turns * self.approval_share)

    @property
    def stream_seconds(self) -> float:
        """About how long one scripted answer takes to stream."""
        chars = len(answer_text(0, self.answer_words))
        return math.ceil(chars / self.chunk_size) * self.chunk_delay_s


def label(index: int) -> str:
    return f"turn-{index + 1:02d}"


def answer_text(index: int, words: int) -> str:
    """The unique full answer of turn ``index``."""
    return f"{label(index)}: " + " ".join(f"w{i}" for i in range(words))


def input_text(index: int) -> str:
    return f"{label(index)}: please answer at length"


@dataclass
class TurnRecord:
    """What happened to one turn and its cut."""

    index: int
    kind: TurnKind
    input_text: str
    expected_text: str
    expected_model_calls: int
    outage_ms: float
    cut_delay_ms: float
    answer_in_gap: bool | None = None  # planned (approval turns)
    turn_id: str | None = None
    status: str = "not started"  # completed | interrupted | failed | timeout | error
    synthetic: bool = False  # an end the client made up (the server was gone)
    final_text: str = ""
    model_calls: int = 0
    cut_landed: bool = False  # the turn was still running when the network went
    answered_in_gap: bool | None = None  # what actually happened (approval turns)
    prompts: int = 0  # x-optio-permission-request events for this turn (asks of the human)
    items_lost: int = 0
    streamed_chars: int = 0  # delta characters that reached the client
    reconnected: bool = False
    reconnect_ms: float | None = None  # network back -> x-optio-reconnected
    ssh_ms: float | None = None  # network back -> SSH session restored
    channel_ms: float | None = None  # restored -> direct-streamlocal channel open
    websocket_ms: float | None = None  # channel open -> WebSocket upgraded
    rpc_ms: float | None = None  # upgraded -> x-optio-reconnected (initialize, resume, read)
    reopen_ms: float | None = None  # network back -> a fresh conversation ready (reopen)
    attempts: int | None = None  # x-optio-reconnected's attempts
    occurrences: int | None = None  # turns in thread/read whose input holds this text
    command_runs: int | None = None  # approval turns: lines its command appended
    error: str | None = None

    @property
    def full_text(self) -> bool:
        return self.final_text == self.expected_text

    @property
    def lost(self) -> bool:
        """The turn did not complete with its full text."""
        return self.status != "completed" or not self.full_text

    @property
    def duplicated(self) -> bool:
        return self.occurrences is not None and self.occurrences > 1

    @property
    def extra_model_calls(self) -> int:
        return max(0, self.model_calls - self.expected_model_calls)


@dataclass
class CutReport:
    plan: CutPlan
    turns: list[TurnRecord]
    reconnects: int  # summed over the conversations used
    relaunches: int
    conversations: int  # 1, unless reopen was needed
    wall_s: float
    unused_steps: int = 0  # scripted model steps nobody asked for
    notes: list[str] = field(default_factory=list)

    @property
    def cuts(self) -> int:
        return len(self.turns)

    @property
    def approval_cuts(self) -> int:
        return sum(1 for t in self.turns if t.kind == "approval")

    @property
    def lost_turns(self) -> int:
        return sum(1 for t in self.turns if t.lost)

    @property
    def lost_items(self) -> int:
        return sum(t.items_lost for t in self.turns)

    @property
    def duplicated_turns(self) -> int:
        return sum(1 for t in self.turns if t.duplicated)

    @property
    def commands_repeated(self) -> int:
        return sum(1 for t in self.turns if (t.command_runs or 0) > 1)

    @property
    def extra_model_calls(self) -> int:
        return sum(t.extra_model_calls for t in self.turns)

    @property
    def cuts_landed(self) -> int:
        return sum(1 for t in self.turns if t.cut_landed)

    def reconnect_ms(self) -> list[float]:
        return [t.reconnect_ms for t in self.turns if t.reconnect_ms is not None]

    def percentile(self, q: float, attr: str = "reconnect_ms") -> float | None:
        values = [getattr(t, attr) for t in self.turns if getattr(t, attr) is not None]
        return percentile(values, q)

    def table(self) -> str:
        head = (
            f"{'turn':<8}{'kind':<9}{'status':<12}{'full':<5}{'calls':>6}{'dup':>4}{'cmd':>4}"
            f"{'outage':>7}{'landed':>7}{'gap-ans':>8}{'asks':>5}{'streamed':>12}"
            f"{'reconn':>8}{'ssh':>6}{'chan':>6}{'ws':>6}{'rpc':>6}"
        )
        rows = [head, "-" * len(head)]
        for t in self.turns:
            rows.append(
                f"{label(t.index):<8}{t.kind:<9}{t.status:<12}{_yn(t.full_text):<5}"
                f"{t.model_calls:>6}{_num(t.occurrences):>4}{_num(t.command_runs):>4}"
                f"{t.outage_ms:>7.0f}{_yn(t.cut_landed):>7}{_yn(t.answered_in_gap):>8}"
                f"{t.prompts if t.kind == 'approval' else '-':>5}"
                f"{t.streamed_chars:>6}/{len(t.expected_text):<5}"
                f"{_ms(t.reconnect_ms):>8}{_ms(t.ssh_ms):>6}{_ms(t.channel_ms):>6}"
                f"{_ms(t.websocket_ms):>6}{_ms(t.rpc_ms):>6}" + (f"  {t.error}" if t.error else "")
            )
        return "\n".join(rows)

    def summary(self) -> str:
        p50, p95 = self.percentile(50), self.percentile(95)
        return (
            f"cuts={self.cuts} (approval {self.approval_cuts}, landed mid-turn "
            f"{self.cuts_landed}) lost_turns={self.lost_turns} lost_items={self.lost_items} "
            f"duplicated_turns={self.duplicated_turns} commands_repeated="
            f"{self.commands_repeated} extra_model_calls={self.extra_model_calls} "
            f"reconnects={self.reconnects} relaunches={self.relaunches} "
            f"conversations={self.conversations} reconnect_p50_ms={_ms(p50)} "
            f"reconnect_p95_ms={_ms(p95)} wall={self.wall_s:.1f}s"
        )


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _yn(value: bool | None) -> str:
    return "-" if value is None else ("y" if value else "n")


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


# -- timings from inside the reconnect ---------------------------------------------------------


class _TimedDialer:
    """Wraps a SocketDialer: records when each socket channel was asked for and opened."""

    def __init__(self, inner: Any, timeline: ReconnectTimeline) -> None:
        self._inner = inner
        self._timeline = timeline

    async def open(self, path: str) -> tuple[Reader, Writer]:
        opened: tuple[Reader, Writer] = await self._inner.open(path)
        self._timeline.channel_opened.append(time.monotonic())
        return opened

    async def ops(self) -> Any:
        return await self._inner.ops()


@dataclass
class ReconnectTimeline:
    """``time.monotonic()`` stamps of the phases of each reconnect of a detached server."""

    channel_opened: list[float] = field(default_factory=list)
    upgraded: list[float] = field(default_factory=list)

    def after(self, stamps: list[float], moment: float) -> float | None:
        return next((s for s in stamps if s >= moment), None)


def instrument(server: DetachedAppServer) -> ReconnectTimeline:
    """Time the channel open and the WebSocket upgrade of every later reconnect of ``server``.

    Test and benchmark use only: it wraps the server's dialer and its ``reconnect`` method.
    """
    timeline = ReconnectTimeline()
    server.dialer = _TimedDialer(server.dialer, timeline)
    original = server.reconnect

    async def reconnect() -> Any:
        stream: ByteStream = await original()
        timeline.upgraded.append(time.monotonic())
        return stream

    setattr(server, "reconnect", reconnect)  # noqa: B010 - an instance attribute on purpose
    return timeline


# -- the run -----------------------------------------------------------------------------------


class _Events:
    """Every event of the conversations in use, stamped on arrival, with waiting."""

    def __init__(self) -> None:
        self.log: list[tuple[float, CodexEvent]] = []
        self._changed = asyncio.Event()
        self.on_prompt: Callable[[CodexEvent], None] | None = None

    def __call__(self, raw: dict[str, Any]) -> None:
        event = raw if isinstance(raw, CodexEvent) else CodexEvent(raw)
        self.log.append((time.monotonic(), event))
        if event.type == "x-optio-permission-request" and self.on_prompt is not None:
            self.on_prompt(event)
        self._changed.set()

    def count(self, kind: str) -> int:
        return sum(1 for _, e in self.log if e.type == kind)

    def find(
        self, predicate: Callable[[CodexEvent], bool], start: int = 0
    ) -> tuple[float, CodexEvent] | None:
        for stamp, event in self.log[start:]:
            if predicate(event):
                return stamp, event
        return None

    async def wait(
        self, predicate: Callable[[CodexEvent], bool], timeout: float, start: int = 0
    ) -> tuple[float, CodexEvent]:
        """The first event from ``start`` on that matches, with its arrival stamp."""
        async with asyncio.timeout(timeout):
            while True:
                found = self.find(predicate, start)
                if found is not None:
                    return found
                self._changed.clear()
                await self._changed.wait()


def _turn_of(event: CodexEvent) -> str | None:
    params = event.params if not event.is_synthetic else event
    value = params.get("turnId")
    if value is None and isinstance(params.get("turn"), dict):
        value = params["turn"].get("id")
    return value if isinstance(value, str) else None


def _plan_turns(plan: CutPlan, rng: random.Random) -> list[TurnRecord]:
    approvals = set(rng.sample(range(plan.turns), plan.approval_turns))
    records: list[TurnRecord] = []
    for index in range(plan.turns):
        kind: TurnKind = "approval" if index in approvals else "stream"
        lo, hi = plan.outage_ms
        outage = rng.uniform(lo, hi) if hi > 0 else 0.0
        if kind == "approval":
            delay = rng.uniform(*plan.approval_cut_delay_s)
            in_gap: bool | None = rng.random() < plan.answer_in_gap_share
        else:
            delay = rng.uniform(*plan.cut_window) * plan.stream_seconds
            in_gap = None
        records.append(
            TurnRecord(
                index=index,
                kind=kind,
                input_text=input_text(index),
                expected_text=answer_text(index, plan.answer_words),
                expected_model_calls=2 if kind == "approval" else 1,
                outage_ms=outage,
                cut_delay_ms=delay * 1000,
                answer_in_gap=in_gap,
            )
        )
    return records


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
        self.events = _Events()
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
        turn_id = _turn_of(event)
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
                lambda e: e.type == "item/agentMessage/delta" and _turn_of(e) == turn_id,
                plan.event_timeout,
                mark,
            )
        else:
            await events.wait(
                lambda e: e.type == "x-optio-permission-request" and _turn_of(e) == turn_id,
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
            _index_of_nth(events, "x-optio-reconnected", reconnects_before),
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
            if _turn_of(event) != turn_id:
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
                texts = _user_texts(turn)
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


def _index_of_nth(events: _Events, kind: str, n: int) -> int:
    """The log index just after the ``n``-th event of ``kind`` (0: the start of the log)."""
    if n <= 0:
        return 0
    seen = 0
    for position, (_, event) in enumerate(events.log):
        if event.type == kind:
            seen += 1
            if seen == n:
                return position + 1
    return len(events.log)


def _user_texts(turn: dict[str, Any]) -> list[str]:
    texts: list[str] = []
    for item in turn.get("items") or []:
        if isinstance(item, dict) and item.get("type") == "userMessage":
            for part in item.get("content") or []:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])
    return texts


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
    records = _plan_turns(plan, rng)
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


__all__ = [
    "CutPlan",
    "CutReport",
    "Cutter",
    "OpenConversations",
    "ReconnectTimeline",
    "Reopen",
    "TurnRecord",
    "answer_text",
    "input_text",
    "instrument",
    "label",
    "percentile",
    "run_cuts",
]
