"""What a fault run does: the plan (everything random comes from its seed) and the record
of each turn and its cut."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

TurnKind = Literal["stream", "approval"]


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


def plan_turns(plan: CutPlan, rng: random.Random) -> list[TurnRecord]:
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
