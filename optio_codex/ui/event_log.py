"""The numbered stream of view events every SSE client reads.

Each event is serialised once, into the SSE frame every client writes as is, so a hundred
viewers cost a hundred socket writes and no more JSON work. Ids are numbers, as the view needs
(it parses ``lastEventId``), unique within a listener and across listeners of one task: they
start at the listener's start time in microseconds, so an id from an earlier listener (an
engine restart) is recognised as foreign rather than mistaken for a position.

History sent on a fresh attach is numbered from the same counter, as a block: a client that
reconnects with an id inside a block gets the rest of that block and then the live events
that followed its attach, so a reconnect never shows anything twice.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

_BLOCKS_KEPT = 256


@dataclass(frozen=True)
class Entry:
    seq: int
    frame: bytes  # "id: <seq>\ndata: <json>\n\n"
    event: dict[str, Any]


@dataclass(frozen=True)
class Block:
    """History sent to one fresh attach: ids first..first+len-1, then live from ``tail_from``."""

    first: int
    entries: tuple[Entry, ...]
    tail_from: int  # the first live seq this attach went on with

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1


def frame(seq: int, event: dict[str, Any]) -> bytes:
    data = json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=str)
    return f"id: {seq}\ndata: {data}\n\n".encode()


class EventLog:
    """Live events in order, the last ``capacity`` kept for replay; history blocks."""

    def __init__(self, capacity: int = 20_000, base: int | None = None) -> None:
        self.capacity = capacity
        self.base = base if base is not None else time.time_ns() // 1000
        self._next = self.base
        self._seqs: list[int] = []
        self._entries: list[Entry] = []
        self._blocks: OrderedDict[int, Block] = OrderedDict()
        # Viewers waiting for the next event, each with its own future and deadline; one
        # timer, armed for the earliest deadline, serves them all.
        self._waiters: dict[asyncio.Future[bool], float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self.closed = False
        self.evicted = 0

    # -- writing --

    def append(self, event: dict[str, Any]) -> int:
        seq = self._take(1)
        entry = Entry(seq, frame(seq, event), event)
        self._seqs.append(seq)
        self._entries.append(entry)
        if len(self._entries) > 2 * self.capacity:  # trim in bulk: amortised O(1)
            cut = len(self._entries) - self.capacity
            self.evicted += cut
            del self._entries[:cut], self._seqs[:cut]
        self._wake()
        return seq

    def add_block(self, events: list[dict[str, Any]], tail_from: int) -> Block:
        first = self._take(len(events)) if events else self._next
        entries = tuple(Entry(first + i, frame(first + i, e), e) for i, e in enumerate(events))
        block = Block(first, entries, tail_from)
        if entries:
            self._blocks[first] = block
            while len(self._blocks) > _BLOCKS_KEPT:
                self._blocks.popitem(last=False)
        return block

    def close(self) -> None:
        self.closed = True
        self._wake()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _take(self, count: int) -> int:
        first = self._next
        self._next += count
        return first

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(True)

    # -- reading --

    @property
    def last_seq(self) -> int:
        """The newest id handed out (base - 1 before any)."""
        return self._next - 1

    @property
    def oldest_kept(self) -> int | None:
        return self._seqs[0] if self._seqs else None

    def after(self, seq: int) -> list[Entry]:
        """Live events with an id above ``seq``."""
        start = bisect.bisect_right(self._seqs, seq)
        return self._entries[start:]

    def from_seq(self, seq: int) -> list[Entry]:
        """Live events with an id of ``seq`` or above."""
        return self._entries[bisect.bisect_left(self._seqs, seq) :]

    def block_of(self, seq: int) -> Block | None:
        for block in reversed(self._blocks.values()):
            if block.first <= seq <= block.last:
                return block
        return None

    def knows(self, seq: int) -> bool:
        """``seq`` was handed out by this log (a live event or a history block)."""
        return self.base <= seq <= self.last_seq

    def lost_after(self, seq: int) -> bool:
        """Live events after ``seq`` were evicted before this client could read them."""
        oldest = self.oldest_kept
        return self.evicted > 0 and oldest is not None and seq < oldest - 1

    async def wait(self, timeout: float) -> bool:
        """Until something is appended or the log closes (True), or ``timeout`` passes (False).

        Each waiter has a future of its own and no timer: a hundred viewers of a busy stream
        would otherwise arm and cancel a hundred timers per event (with ``wait_for`` and
        ``shield``, most of the listener's work; see benchmarks/ui.py)."""
        if self.closed:
            return True
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        deadline = loop.time() + timeout
        self._waiters[waiter] = deadline
        if self._timer is None or self._timer.when() > deadline:
            self._arm(loop, deadline)
        try:
            return await waiter
        finally:
            self._waiters.pop(waiter, None)  # cancelled: it is waited for no more

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(when, self._expire, loop, when)

    def _expire(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        """The earliest deadline came: those due get False, the timer moves to the next."""
        self._timer = None
        for waiter, deadline in list(self._waiters.items()):
            if deadline <= when:
                del self._waiters[waiter]
                if not waiter.done():
                    waiter.set_result(False)
        if self._waiters:
            self._arm(loop, min(self._waiters.values()))
