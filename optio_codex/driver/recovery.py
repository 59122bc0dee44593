"""What the conversation does when its link to the app-server breaks, with no I/O of its own.

Two kinds of loss, told apart by the server handle:
- the connection broke but the app-server still runs (a detached server behind an SSH drop):
  reconnect, ``initialize``, ``thread/resume``, then reconcile with ``thread/read``;
- the app-server is gone (crash, OOM kill, attached stdio whose SSH channel died): start a new
  one on the same CODEX_HOME with ``relaunch``, resume the thread from its rollout, report the
  turn that was running as interrupted, and re-send it or leave it, as configured.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from optio_codex.protocol.streams import ByteStream

InterruptedTurnAction = Literal["resend", "leave"]


@runtime_checkable
class Reconnectable(Protocol):
    """A server handle that can open a new connection to the same running process."""

    async def reconnect(self) -> ByteStream:
        """A fresh stream; raises AppServerGone when the process no longer exists."""
        ...


@runtime_checkable
class Detachable(Protocol):
    """A server handle that can drop the connection and leave the process running."""

    async def detach(self) -> None: ...


Relauncher = Callable[[], Awaitable[Any]]  # returns a new AppServerHandle


@dataclass(frozen=True, kw_only=True)
class RecoverySettings:
    """How hard the conversation tries to keep its thread alive."""

    # How long to keep trying to reach the app-server (and its host) before giving up.
    reconnect_timeout: float = 600.0
    backoff_initial: float = 0.05
    backoff_max: float = 5.0
    # Starts a new app-server on the same CODEX_HOME; None: a dead server ends the conversation.
    relaunch: Relauncher | None = None
    max_relaunches: int = 5
    # The turn a dead app-server took with it: sent again as a new turn, or left to the operator.
    interrupted_turn: InterruptedTurnAction = "resend"
    # No event for this long during a turn: reconcile with thread/read. None: no watchdog.
    inactivity_timeout: float | None = 300.0

    def __post_init__(self) -> None:
        if self.reconnect_timeout <= 0:
            raise ValueError("RecoverySettings.reconnect_timeout must be positive")
        if self.backoff_initial <= 0 or self.backoff_max < self.backoff_initial:
            raise ValueError("RecoverySettings: need 0 < backoff_initial <= backoff_max")
        if self.max_relaunches < 0:
            raise ValueError("RecoverySettings.max_relaunches must not be negative")
        if self.interrupted_turn not in ("resend", "leave"):
            raise ValueError("RecoverySettings.interrupted_turn must be 'resend' or 'leave'")
        if self.inactivity_timeout is not None and self.inactivity_timeout <= 0:
            raise ValueError("RecoverySettings.inactivity_timeout must be positive or None")


def backoff_delays(initial: float, maximum: float) -> Iterator[float]:
    """Exponential delays with full jitter in the upper half, capped at ``maximum``."""
    delay = initial
    while True:
        yield random.uniform(delay / 2, delay)
        delay = min(maximum, delay * 2)


@dataclass(frozen=True)
class TurnOutcome:
    """What thread/read says of one turn."""

    turn_id: str
    status: str  # "inProgress" | "completed" | "interrupted" | "failed"
    items: list[dict[str, Any]]
    error: dict[str, Any] | None

    @property
    def ended(self) -> bool:
        return self.status in ("completed", "interrupted", "failed")


def find_turn(thread_read: Any, turn_id: str) -> TurnOutcome | None:
    """The turn ``turn_id`` in a ``thread/read {includeTurns: true}`` result, if present."""
    for turn in _turns(thread_read):
        if turn.get("id") == turn_id:
            return _outcome(turn)
    return None


def find_input(thread_read: Any, client_id: str) -> str | None:
    """The id of the turn holding the user message sent with ``clientUserMessageId``."""
    for turn in _turns(thread_read):
        for item in turn.get("items") or []:
            if (
                isinstance(item, dict)
                and item.get("type") == "userMessage"
                and item.get("clientId") == client_id
            ):
                return str(turn.get("id"))
    return None


def last_turn(thread_read: Any) -> TurnOutcome | None:
    turns = _turns(thread_read)
    return _outcome(turns[-1]) if turns else None


def _turns(thread_read: Any) -> list[dict[str, Any]]:
    thread = thread_read.get("thread") if isinstance(thread_read, dict) else None
    turns = thread.get("turns") if isinstance(thread, dict) else None
    return [t for t in turns or [] if isinstance(t, dict)]


def _outcome(turn: dict[str, Any]) -> TurnOutcome:
    items = [i for i in turn.get("items") or [] if isinstance(i, dict)]
    error = turn.get("error") if isinstance(turn.get("error"), dict) else None
    return TurnOutcome(str(turn.get("id")), str(turn.get("status")), items, error)


def has_no_turns(message: str) -> bool:
    """codex's answers about a thread that never had a turn (nothing was written yet):
    ``thread/resume`` says "no rollout found"; ``thread/read {includeTurns}`` says
    "list_turns is not supported yet" (-32601), and so does a resume after such a read."""
    lowered = message.lower()
    return "no rollout found" in lowered or "list_turns is not supported yet" in lowered


__all__ = [
    "Detachable",
    "InterruptedTurnAction",
    "Reconnectable",
    "RecoverySettings",
    "Relauncher",
    "TurnOutcome",
    "backoff_delays",
    "find_input",
    "find_turn",
    "has_no_turns",
    "last_turn",
]
