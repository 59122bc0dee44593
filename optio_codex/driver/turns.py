"""Turn bookkeeping, with no I/O: which turn is active, its text, its usage, its end."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from optio_codex.protocol.errors import CodexProtocolError

TurnStatus = Literal["completed", "interrupted", "failed"]


class TurnRejected(CodexProtocolError):
    """codex refused to start a turn; the message was not taken."""


@dataclass
class TokenUsage:
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_output_tokens: int = 0
    total_tokens: int = 0

    @classmethod
    def from_wire(cls, data: Any) -> TokenUsage:
        if not isinstance(data, dict):
            return cls()

        def num(key: str) -> int:
            value = data.get(key)
            return value if isinstance(value, int) else 0

        return cls(
            input_tokens=num("inputTokens"),
            cached_input_tokens=num("cachedInputTokens"),
            output_tokens=num("outputTokens"),
            reasoning_output_tokens=num("reasoningOutputTokens"),
            total_tokens=num("totalTokens"),
        )

    def __sub__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens - other.input_tokens,
            self.cached_input_tokens - other.cached_input_tokens,
            self.output_tokens - other.output_tokens,
            self.reasoning_output_tokens - other.reasoning_output_tokens,
            self.total_tokens - other.total_tokens,
        )


@dataclass
class TurnResult:
    """How one turn ended. ``synthetic`` marks an end we made up because the server was gone."""

    turn_id: str
    status: TurnStatus
    final_text: str = ""
    messages: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    usage: TokenUsage = field(default_factory=TokenUsage)
    items: list[dict[str, Any]] = field(default_factory=list)
    synthetic: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "completed"


@dataclass
class _OpenTurn:
    turn_id: str
    message_order: list[str] = field(default_factory=list)
    message_text: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    usage_at_start: TokenUsage = field(default_factory=TokenUsage)


class TurnLedger:
    """Follows turns from notifications. Knows nothing of sending."""

    def __init__(self, keep_items: bool = True, keep_turns: int = 256) -> None:
        self.keep_items = keep_items
        self.active: _OpenTurn | None = None
        self.turn_count = 0
        # The thread's cumulative usage as codex last reported it; a turn's usage is the
        # difference across the turn, which stays right however often codex reports.
        self.total_usage = TokenUsage()
        # Bounded, so a thread of thousands of turns does not grow memory without end.
        self.completed: deque[TurnResult] = deque(maxlen=keep_turns)
        self._ended: set[str] = set()
        self._ended_order: deque[str] = deque()
        self._keep_ended = keep_turns * 4

    @property
    def active_turn_id(self) -> str | None:
        return self.active.turn_id if self.active else None

    def begin(self, turn_id: str) -> None:
        """turn/start ack or turn/started: the same id twice is one turn."""
        if self.active is not None and self.active.turn_id == turn_id:
            return
        if turn_id in self._ended:
            return
        self.active = _OpenTurn(turn_id, usage_at_start=self.total_usage)

    def item_completed(self, turn_id: str | None, item: dict[str, Any]) -> None:
        turn = self._turn_for(turn_id)
        if turn is None:
            return
        item_id = str(item.get("id") or "")
        if self.keep_items:
            turn.items[item_id] = item
        if item.get("type") == "agentMessage":
            if item_id not in turn.message_text:
                turn.message_order.append(item_id)
            # item/completed is authoritative: it repairs lost or repeated deltas.
            turn.message_text[item_id] = str(item.get("text") or "")

    def usage_updated(self, token_usage: dict[str, Any]) -> None:
        self.total_usage = TokenUsage.from_wire(token_usage.get("total"))

    def complete(
        self,
        turn_id: str,
        status: TurnStatus,
        error: dict[str, Any] | None = None,
        *,
        synthetic: bool = False,
    ) -> TurnResult | None:
        """Close a turn; None when it was already closed (a late or repeated signal)."""
        if turn_id in self._ended:
            return None
        turn = self.active if self.active and self.active.turn_id == turn_id else None
        if turn is None:
            turn = _OpenTurn(turn_id, usage_at_start=self.total_usage)
        else:
            self.active = None
        self._remember_ended(turn_id)
        messages = [turn.message_text[i] for i in turn.message_order if turn.message_text[i]]
        result = TurnResult(
            turn_id=turn_id,
            status=status,
            final_text=messages[-1] if messages else "",
            messages=messages,
            error=error,
            usage=self.total_usage - turn.usage_at_start,
            items=list(turn.items.values()),
            synthetic=synthetic,
        )
        self.completed.append(result)
        self.turn_count += 1
        return result

    def _remember_ended(self, turn_id: str) -> None:
        self._ended.add(turn_id)
        self._ended_order.append(turn_id)
        if len(self._ended_order) > self._keep_ended:
            self._ended.discard(self._ended_order.popleft())

    def _turn_for(self, turn_id: str | None) -> _OpenTurn | None:
        if self.active is None:
            return None
        if turn_id is None or turn_id == self.active.turn_id:
            return self.active
        return None
