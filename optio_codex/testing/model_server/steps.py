"""The script's vocabulary: SSE events, pauses, gates, drops, the steps they make, and the
record of a request the server received."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

MOCK_MODEL: Final = "mock-model"
RESPONSES_PATH: Final = "/v1/responses"
MODELS_PATH: Final = "/v1/models"


class Gate:
    """A point in a scripted stream where the server waits until the test calls `release()`.

    `reached` is set once a stream arrives at the gate, so a test knows the model is
    mid-stream (e.g. before interrupting the turn). Gates are one-shot; create them outside or
    inside the event loop, with `ScriptedModelServer.hold()` or directly.
    """

    def __init__(self) -> None:
        self._reached = asyncio.Event()
        self._released = asyncio.Event()

    @property
    def reached(self) -> bool:
        return self._reached.is_set()

    @property
    def released(self) -> bool:
        return self._released.is_set()

    def release(self) -> None:
        """Let every stream waiting at (or later arriving at) this gate go on."""
        self._released.set()

    async def wait_reached(self, timeout: float = 10.0) -> None:
        """Wait until a stream is held at this gate."""
        async with asyncio.timeout(timeout):
            await self._reached.wait()

    async def _pass(self) -> None:
        self._reached.set()
        await self._released.wait()


@dataclass(frozen=True)
class SseEvent:
    """One Server-Sent Event. `data` gets a `type` field equal to `type` when framed, since
    codex dispatches on the `type` inside the JSON, not on the `event:` line."""

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def encode(self, sequence_number: int | None = None) -> bytes:
        payload: dict[str, Any] = {"type": self.type, **self.data}
        if sequence_number is not None:
            payload.setdefault("sequence_number", sequence_number)
        body = json.dumps(payload, separators=(",", ":"))
        return f"event: {self.type}\ndata: {body}\n\n".encode()


@dataclass(frozen=True)
class Pause:
    """Sleep before the next action (slow streams)."""

    seconds: float


@dataclass(frozen=True)
class WaitGate:
    """Hold the stream until `gate` is released. With `heartbeat` the server sends
    `response.in_progress` events meanwhile so codex's stream idle timeout does not fire."""

    gate: Gate
    heartbeat: bool = True


@dataclass(frozen=True)
class Disconnect:
    """Cut the TCP connection without finishing the response (a dropped stream)."""


Action = SseEvent | Pause | WaitGate | Disconnect


@dataclass(frozen=True)
class Step:
    """One scripted answer to one `POST /v1/responses`.

    With `body is None` the answer is an SSE stream made of `actions`; otherwise it is a plain
    response with `body` (used for HTTP errors).
    """

    kind: str
    actions: tuple[Action, ...] = ()
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str = "text/event-stream"

    @property
    def events(self) -> list[SseEvent]:
        """The SSE events of this step, in order (without pauses, gates, disconnects)."""
        return [a for a in self.actions if isinstance(a, SseEvent)]

    def held(self, gate: Gate, *, after_events: int = 1) -> Step:
        """A copy that waits at `gate` after sending `after_events` SSE events."""
        if self.body is not None:
            raise ValueError("only streaming steps can be held")
        actions: list[Action] = []
        sent = 0
        inserted = False
        for action in self.actions:
            if not inserted and sent >= after_events:
                actions.append(WaitGate(gate))
                inserted = True
            actions.append(action)
            if isinstance(action, SseEvent):
                sent += 1
        if not inserted:
            actions.append(WaitGate(gate))
        return replace(self, kind=f"{self.kind}+held", actions=tuple(actions))

    def then(self, answer: str | Step = "done") -> tuple[Step, Step]:
        """This step plus the follow-up codex requests after a tool call: `(self, answer)`."""
        from optio_codex.testing.model_server.builders import text  # builders build on Step

        follow_up = text(answer) if isinstance(answer, str) else answer
        return (self, follow_up)


Fallback = Step | Callable[["RecordedRequest"], Step]


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received. `headers` has lower-cased names; `body` is the decoded
    JSON object (empty when the body is not a JSON object, see `raw_body`)."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    method: str = "POST"
    raw_body: bytes = b""
    step: str | None = None  # kind of the step that answered, for POST /v1/responses
