"""A scripted, offline stand-in for the OpenAI Responses API, for running the real codex in tests.

`ScriptedModelServer` is a small asyncio HTTP/1.1 server. Each `POST /v1/responses` takes the
next scripted `Step` from a queue (or the fallback when the queue is empty) and answers with it,
usually a Server-Sent Events stream. Every request is recorded so a test can assert what the
model was sent.

    async with ScriptedModelServer() as server:
        server.script(text("hello"), *exec_command("ls").then("listed"))
        ... point codex at server.base_url ...

A tool call takes two scripted responses: the one carrying the call, and the answer codex asks
for after it has run the tool (`Step.then` builds the pair).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Final, Self

__all__ = [
    "MOCK_MODEL",
    "MODELS_PATH",
    "RESPONSES_PATH",
    "Action",
    "Disconnect",
    "Fallback",
    "Gate",
    "Pause",
    "RecordedRequest",
    "ScriptedModelServer",
    "SseEvent",
    "Step",
    "WaitGate",
    "apply_patch",
    "dropped",
    "exec_command",
    "failed",
    "function_call",
    "http_error",
    "reasoning",
    "slow",
    "stalled",
    "text",
    "usage",
]

_log = logging.getLogger(__name__)

MOCK_MODEL: Final = "mock-model"
RESPONSES_PATH: Final = "/v1/responses"
MODELS_PATH: Final = "/v1/models"

_MAX_HEADER_BYTES: Final = 64 * 1024
_DEFAULT_MAX_BODY_BYTES: Final = 64 * 1024 * 1024
_DEFAULT_MAX_CONNECTIONS: Final = 64
_DEFAULT_CHUNK_SIZE: Final = 8

_REASONS: Final[Mapping[int, str]] = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}

# ---------------------------------------------------------------------------------------------
# Script model
# ---------------------------------------------------------------------------------------------


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
        follow_up = text(answer) if isinstance(answer, str) else answer
        return (self, follow_up)


Fallback = Step | Callable[["RecordedRequest"], Step]

# ---------------------------------------------------------------------------------------------
# Step builders
# ---------------------------------------------------------------------------------------------

_ids = itertools.count(1)
_id_salt = secrets.token_hex(3)


def _new_id(prefix: str) -> str:
    # Unique per process so repeated steps never reuse an item or call id.
    return f"{prefix}_{_id_salt}{next(_ids):06d}"


def usage(
    input_tokens: int = 10, output_tokens: int = 5, reasoning_tokens: int = 0
) -> dict[str, Any]:
    """A Responses API `usage` object (codex turns it into `thread/tokenUsage/updated`)."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def _chunks(value: str, size: int) -> list[str]:
    if size < 1:
        raise ValueError("chunk_size must be >= 1")
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


def _response(response_id: str, status: str, output: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": MOCK_MODEL,
        "output": output,
        **extra,
    }


def _created(response_id: str) -> SseEvent:
    return SseEvent("response.created", {"response": _response(response_id, "in_progress", [])})


def _completed(response_id: str, output: list[Any], tokens: Mapping[str, Any]) -> SseEvent:
    body = _response(response_id, "completed", output, usage=dict(tokens))
    return SseEvent("response.completed", {"response": body})


def _reasoning_actions(summary: str, index: int, chunk_size: int, delay: float) -> list[Action]:
    item_id = _new_id("rs")
    part = {"type": "summary_text", "text": summary}
    where = {"item_id": item_id, "output_index": index, "summary_index": 0}
    item = {"id": item_id, "type": "reasoning", "summary": [part], "encrypted_content": None}
    actions: list[Action] = [
        SseEvent(
            "response.output_item.added",
            {"output_index": index, "item": {**item, "summary": []}},
        ),
        SseEvent("response.reasoning_summary_part.added", {**where, "part": {**part, "text": ""}}),
    ]
    for piece in _chunks(summary, chunk_size):
        if delay > 0:
            actions.append(Pause(delay))
        actions.append(SseEvent("response.reasoning_summary_text.delta", {**where, "delta": piece}))
    actions += [
        SseEvent("response.reasoning_summary_text.done", {**where, "text": summary}),
        SseEvent("response.reasoning_summary_part.done", {**where, "part": part}),
        SseEvent("response.output_item.done", {"output_index": index, "item": item}),
    ]
    return actions


def _message_actions(
    answer: str, index: int, chunk_size: int, delay: float, *, finish: bool = True
) -> tuple[list[Action], dict[str, Any]]:
    item_id = _new_id("msg")
    part = {"type": "output_text", "text": answer, "annotations": []}
    item = {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [part],
    }
    where = {"item_id": item_id, "output_index": index, "content_index": 0}
    actions: list[Action] = [
        SseEvent(
            "response.output_item.added",
            {"output_index": index, "item": {**item, "status": "in_progress", "content": []}},
        ),
        SseEvent("response.content_part.added", {**where, "part": {**part, "text": ""}}),
    ]
    for piece in _chunks(answer, chunk_size):
        if delay > 0:
            actions.append(Pause(delay))
        actions.append(SseEvent("response.output_text.delta", {**where, "delta": piece}))
    if finish:
        actions += [
            SseEvent("response.output_text.done", {**where, "text": answer}),
            SseEvent("response.content_part.done", {**where, "part": part}),
            SseEvent("response.output_item.done", {"output_index": index, "item": item}),
        ]
    return actions, item


def text(
    answer: str,
    *,
    chunk_size: int = _DEFAULT_CHUNK_SIZE,
    reasoning: str | None = None,
    delay_s_per_chunk: float = 0.0,
    tokens: Mapping[str, Any] | None = None,
) -> Step:
    """An assistant message streamed as `response.output_text.delta` chunks of `chunk_size`
    characters, then `response.output_item.done` and `response.completed` with usage.

    `reasoning` first streams a reasoning item whose summary is that text.
    """
    response_id = _new_id("resp")
    actions: list[Action] = [_created(response_id)]
    output: list[Any] = []
    if reasoning is not None:
        reasoning_actions = _reasoning_actions(reasoning, 0, chunk_size, delay_s_per_chunk)
        actions += reasoning_actions
        output.append(_last_item(reasoning_actions))
    message_actions, item = _message_actions(answer, len(output), chunk_size, delay_s_per_chunk)
    actions += message_actions
    output.append(item)
    actions.append(_completed(response_id, output, tokens or usage()))
    return Step("text", tuple(actions))


def _last_item(actions: Sequence[Action]) -> Any:
    done = [a for a in actions if isinstance(a, SseEvent) and a.type == "response.output_item.done"]
    return done[-1].data["item"]


def reasoning(summary: str, answer: str, *, chunk_size: int = _DEFAULT_CHUNK_SIZE) -> Step:
    """A reasoning item (streamed summary) followed by the assistant message `answer`."""
    return replace(text(answer, chunk_size=chunk_size, reasoning=summary), kind="reasoning")


def slow(answer: str, delay_s_per_chunk: float, *, chunk_size: int = _DEFAULT_CHUNK_SIZE) -> Step:
    """Like `text`, sleeping `delay_s_per_chunk` seconds before every delta."""
    step = text(answer, chunk_size=chunk_size, delay_s_per_chunk=delay_s_per_chunk)
    return replace(step, kind="slow")


def dropped(partial_text: str, *, chunk_size: int = _DEFAULT_CHUNK_SIZE) -> Step:
    """Stream some deltas of an assistant message, then cut the connection: no
    `response.completed`, no terminating chunk."""
    response_id = _new_id("resp")
    message_actions, _ = _message_actions(partial_text, 0, chunk_size, 0.0, finish=False)
    return Step("dropped", (_created(response_id), *message_actions, Disconnect()))


def stalled(partial_text: str, *, chunk_size: int = _DEFAULT_CHUNK_SIZE) -> Step:
    """Stream some deltas, then go silent with the connection open (no heartbeats), so codex's
    `stream_idle_timeout_ms` ends the turn. Ends when the client leaves or the server stops."""
    response_id = _new_id("resp")
    message_actions, _ = _message_actions(partial_text, 0, chunk_size, 0.0, finish=False)
    never = WaitGate(Gate(), heartbeat=False)
    return Step("stalled", (_created(response_id), *message_actions, never))


def function_call(
    name: str, arguments: Mapping[str, Any] | str, *, call_id: str | None = None
) -> Step:
    """A response whose only output is a `function_call` item (a tool call).

    Codex runs the tool and then sends another request with the `function_call_output`, so
    script a follow-up step too (see `Step.then`).
    """
    response_id = _new_id("resp")
    item_id = _new_id("fc")
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    item = {
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "call_id": call_id or _new_id("call"),
        "name": name,
        "arguments": args,
    }
    where = {"item_id": item_id, "output_index": 0}
    actions: tuple[Action, ...] = (
        _created(response_id),
        SseEvent(
            "response.output_item.added",
            {"output_index": 0, "item": {**item, "status": "in_progress", "arguments": ""}},
        ),
        SseEvent("response.function_call_arguments.delta", {**where, "delta": args}),
        SseEvent("response.function_call_arguments.done", {**where, "arguments": args}),
        SseEvent("response.output_item.done", {"output_index": 0, "item": item}),
        _completed(response_id, [item], usage()),
    )
    return Step(f"function_call:{name}", actions)


def exec_command(
    cmd: str,
    *,
    escalate: bool = True,
    justification: str = "Run the command the test asked for.",
    workdir: str | None = None,
    call_id: str | None = None,
) -> Step:
    """A call of codex's `exec_command` shell tool running `cmd` (codex wraps it in
    `/bin/bash -lc`; the commandExecution item id is the call id).

    With `escalate` the call carries `sandbox_permissions: "require_escalated"`, so under
    `approvalPolicy: "on-request"` codex asks `item/commandExecution/requestApproval` first and,
    once accepted, runs it outside the sandbox. Without it the command runs in the sandbox
    with no prompt.
    """
    arguments: dict[str, Any] = {"cmd": cmd}
    if escalate:
        arguments["sandbox_permissions"] = "require_escalated"
        arguments["justification"] = justification
    if workdir is not None:
        arguments["workdir"] = workdir
    return replace(function_call("exec_command", arguments, call_id=call_id), kind="exec_command")


def apply_patch(patch: str, *, call_id: str | None = None) -> Step:
    """A freeform `apply_patch` call (`custom_tool_call`) with `patch` ("*** Begin Patch...").

    Under on-request codex asks `item/fileChange/requestApproval` only when the patch writes
    where the sandbox does not allow: outside the workspace under workspace-write, anywhere
    under read-only. Inside the workspace under workspace-write it applies without asking.
    Relative paths resolve against the thread's cwd. Needs the model catalog from
    `optio_codex.testing.catalog` (without known model metadata codex offers no apply_patch).
    """
    response_id = _new_id("resp")
    item_id = _new_id("ctc")
    item = {
        "id": item_id,
        "type": "custom_tool_call",
        "status": "completed",
        "call_id": call_id or _new_id("call"),
        "name": "apply_patch",
        "input": patch,
    }
    where = {"item_id": item_id, "output_index": 0}
    actions: tuple[Action, ...] = (
        _created(response_id),
        SseEvent(
            "response.output_item.added",
            {"output_index": 0, "item": {**item, "status": "in_progress", "input": ""}},
        ),
        SseEvent("response.custom_tool_call_input.delta", {**where, "delta": patch}),
        SseEvent("response.custom_tool_call_input.done", {**where, "input": patch}),
        SseEvent("response.output_item.done", {"output_index": 0, "item": item}),
        _completed(response_id, [item], usage()),
    )
    return Step("apply_patch", actions)


def failed(code: str = "server_error", message: str = "scripted failure") -> Step:
    """A stream that ends with `response.failed {response:{error:{code, message}}}`."""
    response_id = _new_id("resp")
    error = {"code": code, "message": message}
    body = _response(response_id, "failed", [], error=error)
    return Step("failed", (_created(response_id), SseEvent("response.failed", {"response": body})))


def http_error(
    status: int = 500,
    message: str = "scripted error",
    *,
    retry_after_s: float | None = None,
    error_type: str | None = None,
    code: str | None = None,
) -> Step:
    """A plain JSON error response, e.g. 500, 429 (with `retry-after`), 401."""
    default_type = {401: "invalid_request_error", 429: "rate_limit_exceeded"}.get(
        status, "server_error"
    )
    error = {"message": message, "type": error_type or default_type, "param": None, "code": code}
    headers: list[tuple[str, str]] = []
    if retry_after_s is None and status == 429:
        retry_after_s = 1
    if retry_after_s is not None:
        headers.append(("retry-after", f"{retry_after_s:g}"))
        headers.append(("retry-after-ms", str(int(retry_after_s * 1000))))
    return Step(
        f"http_error:{status}",
        status=status,
        headers=tuple(headers),
        body=json.dumps({"error": error}).encode(),
        content_type="application/json",
    )


def _default_fallback(_request: RecordedRequest) -> Step:
    return text("ok")


# ---------------------------------------------------------------------------------------------
# HTTP server
# ---------------------------------------------------------------------------------------------


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


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _ClientGone(Exception):
    """The peer closed the connection while we were writing."""


@dataclass
class _Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in self.headers.get("connection", "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


class ScriptedModelServer:
    """Answer `POST /v1/responses` from a queue of scripted steps; record every request.

    `fallback` answers when the queue is empty: a `Step` (reused as is) or a function of the
    request returning a fresh step. The default answers `text("ok")`.
    `heartbeat_s` is the interval of `response.in_progress` events sent while a stream is held
    at a `Gate`, so codex's stream idle timeout does not fire during a long hold.
    """

    def __init__(
        self,
        *,
        fallback: Fallback | None = None,
        heartbeat_s: float | None = 1.0,
        max_connections: int = _DEFAULT_MAX_CONNECTIONS,
        max_body_bytes: int = _DEFAULT_MAX_BODY_BYTES,
        model_ids: Sequence[str] = (MOCK_MODEL,),
    ) -> None:
        self.fallback: Fallback = fallback if fallback is not None else _default_fallback
        self.heartbeat_s = heartbeat_s
        self.max_connections = max_connections
        self.max_body_bytes = max_body_bytes
        self.model_ids = tuple(model_ids)
        self.requests: list[RecordedRequest] = []
        # Requests whose streamed response the client abandoned before it was finished
        # (e.g. codex interrupted the turn), in the order noticed.
        self.aborted: list[RecordedRequest] = []
        # Unexpected exceptions in handlers (not client disconnects), for tests to assert on.
        self.errors: list[BaseException] = []
        # TCP connections accepted so far (shows whether the client reuses connections).
        self.connections_accepted = 0
        self._queue: deque[Step] = deque()
        self._gates: list[Gate] = []
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._changed = asyncio.Condition()
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        if self._server is not None:
            raise RuntimeError("server already started")
        self._stopping = False
        self._host = host
        self._server = await asyncio.start_server(
            self._on_connection, host, port, limit=_MAX_HEADER_BYTES
        )
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening, release every gate and close every connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping = True
        server.close()
        for gate in self._gates:
            gate.release()
        for writer in list(self._connections.values()):
            _abort(writer)
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> Self:
        if self._server is None:
            await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def base_url(self) -> str:
        """What to put in the provider's `base_url`: `http://HOST:PORT/v1`."""
        return f"http://{self._host}:{self.port}/v1"

    # -- scripting -----------------------------------------------------------------------------

    def script(self, *steps: Step | Iterable[Step]) -> None:
        """Queue steps, one per future `POST /v1/responses`; tuples (see `Step.then`) flatten."""
        for item in steps:
            if isinstance(item, Step):
                self._queue.append(item)
            else:
                self._queue.extend(item)

    @property
    def pending(self) -> int:
        """Scripted steps not yet served."""
        return len(self._queue)

    def clear_script(self) -> None:
        self._queue.clear()

    def hold(self) -> Gate:
        """A new gate that `stop()` releases; use it with `Step.held`."""
        gate = Gate()
        self._gates.append(gate)
        return gate

    # -- observation ---------------------------------------------------------------------------

    @property
    def responses_requests(self) -> list[RecordedRequest]:
        """The recorded `POST /v1/responses` requests."""
        return [r for r in self.requests if r.method == "POST" and r.path == RESPONSES_PATH]

    async def wait_for_requests(
        self, n: int, timeout: float = 10.0, *, path: str | None = None
    ) -> list[RecordedRequest]:
        """Wait until at least `n` requests (to `path`, if given) were recorded; return them."""

        def matching() -> list[RecordedRequest]:
            return [r for r in self.requests if path is None or r.path == path]

        try:
            await self.wait_for(lambda: len(matching()) >= n, timeout)
        except TimeoutError:
            seen = len(matching())
            raise TimeoutError(f"saw {seen} of {n} requests within {timeout}s") from None
        return matching()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until `predicate()` holds; it is re-checked whenever a request is recorded or
        a stream is aborted (e.g. `lambda: len(server.aborted) == 1`)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _next_step(self, request: RecordedRequest) -> Step:
        if self._queue:
            return self._queue.popleft()
        fallback = self.fallback
        return fallback if isinstance(fallback, Step) else fallback(request)

    # -- connection handling -------------------------------------------------------------------

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        if self._stopping or len(self._connections) >= self.max_connections:
            # Over the bound: refuse rather than queue without limit.
            with contextlib.suppress(Exception):
                writer.write(_plain_response(503, _error_json("too many connections"), close=True))
                await writer.drain()
                await _close_after_error(reader, writer)
            _abort(writer)
            return
        self._connections[task] = writer
        self.connections_accepted += 1
        try:
            await self._serve_connection(reader, writer)
        except (_ClientGone, ConnectionError, asyncio.IncompleteReadError):
            pass  # The client went away: normal for interrupted or dropped streams.
        except asyncio.CancelledError:
            pass  # stop() cancels connection tasks; finish quietly.
        except Exception as exc:  # never let one connection take the server down
            _log.exception("model server connection failed")
            self.errors.append(exc)
        finally:
            self._connections.pop(task, None)
            _abort(writer)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while not self._stopping:
            try:
                request = await self._read_request(reader, writer)
            except _HttpError as exc:
                await _send(writer, _plain_response(exc.status, _error_json(str(exc)), close=True))
                await _close_after_error(reader, writer)
                return
            if request is None:
                return  # clean EOF between requests
            keep_alive = await self._dispatch(request, reader, writer)
            if not (keep_alive and request.keep_alive):
                await _close(writer)
                return

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> _Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial.strip():
                raise _HttpError(400, "truncated request head") from None
            return None
        except asyncio.LimitOverrunError:
            raise _HttpError(431, "request head too large") from None
        method, target, version, headers = _parse_head(head)
        if headers.get("expect", "").lower() == "100-continue":
            await _send(writer, b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await self._read_body(reader, headers)
        return _Request(method, target, version, headers, _decode_content(body, headers))

    async def _read_body(self, reader: asyncio.StreamReader, headers: Mapping[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await _read_chunked(reader, self.max_body_bytes)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise _HttpError(400, "bad content-length") from None
        if length < 0:
            raise _HttpError(400, "bad content-length")
        if length > self.max_body_bytes:
            raise _HttpError(413, f"body over {self.max_body_bytes} bytes")
        return await reader.readexactly(length) if length else b""

    async def _dispatch(
        self, request: _Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; return False when the connection must close afterwards."""
        body = _json_object(request.body)
        recorded = RecordedRequest(
            path=request.path,
            headers=dict(request.headers),
            body=body,
            method=request.method,
            raw_body=request.body,
        )
        if request.path == RESPONSES_PATH and request.method == "POST":
            step = self._next_step(recorded)
            recorded = replace(recorded, step=step.kind)
            self.requests.append(recorded)
            await self._notify()
            try:
                return await self._serve_step(step, reader, writer)
            except _ClientGone:
                self.aborted.append(recorded)
                await self._notify()
                raise
        self.requests.append(recorded)
        await self._notify()
        if request.path == MODELS_PATH and request.method == "GET":
            models = [
                {"id": m, "object": "model", "created": 0, "owned_by": "optio-codex-tests"}
                for m in self.model_ids
            ]
            payload = json.dumps({"object": "list", "data": models}).encode()
            await _send(writer, _plain_response(200, payload))
            return True
        known = request.path in (RESPONSES_PATH, MODELS_PATH)
        status = 405 if known else 404
        message = (
            f"{'method not allowed' if known else 'no route'}: {request.method} {request.path}"
        )
        await _send(writer, _plain_response(status, _error_json(message)))
        return True

    async def _serve_step(
        self, step: Step, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        if step.body is not None:
            head = _plain_response(step.status, step.body, step.headers, step.content_type)
            await _send(writer, head)
            return True
        await _send(writer, _stream_head(step.status, step.headers, step.content_type))
        sequence = itertools.count()
        for action in step.actions:
            if isinstance(action, SseEvent):
                await _send(writer, _chunk(action.encode(next(sequence))))
            elif isinstance(action, Pause):
                await _wait_watching(asyncio.sleep(action.seconds), reader, None)
            elif isinstance(action, WaitGate):
                await self._hold(action, reader, writer, sequence)
            else:  # Disconnect: what was sent is drained; a beat, then cut before the last chunk.
                await asyncio.sleep(0.05)
                _abort(writer)
                return False
        await _send(writer, b"0\r\n\r\n")
        return True

    async def _hold(
        self,
        action: WaitGate,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        sequence: Iterator[int],
    ) -> None:
        interval = self.heartbeat_s if action.heartbeat else None

        async def beat() -> None:
            # Any event resets codex's idle timer; response.in_progress is one it ignores.
            event = SseEvent("response.in_progress", {"response": {"status": "in_progress"}})
            await _send(writer, _chunk(event.encode(next(sequence))))

        await _wait_watching(action.gate._pass(), reader, (interval, beat) if interval else None)


_WATCH_INTERVAL_S: Final = 0.05


async def _wait_watching(
    awaitable: Awaitable[None],
    reader: asyncio.StreamReader,
    heartbeat: tuple[float, Callable[[], Awaitable[None]]] | None,
) -> None:
    """Await `awaitable` while polling for the peer closing the connection (so an abandoned
    stream is noticed at once, not at the next write) and sending heartbeats if asked."""
    task = asyncio.ensure_future(awaitable)
    loop = asyncio.get_running_loop()
    next_beat = loop.time() + heartbeat[0] if heartbeat else None
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=_WATCH_INTERVAL_S)
            if done:
                task.result()
                return
            # Codex never pipelines, so EOF on the read side means the client left.
            if reader.at_eof():
                raise _ClientGone
            if heartbeat and next_beat is not None and loop.time() >= next_beat:
                await heartbeat[1]()
                next_beat = loop.time() + heartbeat[0]
    finally:
        task.cancel()


# ---------------------------------------------------------------------------------------------
# HTTP helpers
# ---------------------------------------------------------------------------------------------


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    try:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
    except ValueError:
        raise _HttpError(400, "bad request line") from None
    if not version.startswith("HTTP/1."):
        raise _HttpError(400, f"unsupported protocol {version!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise _HttpError(400, "bad header line")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return method.upper(), target, version, headers


async def _read_chunked(reader: asyncio.StreamReader, limit: int) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _HttpError(400, "bad chunk size") from None
        if size == 0:
            # Skip trailers up to the empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return bytes(body)
        if len(body) + size > limit:
            raise _HttpError(413, f"body over {limit} bytes")
        body += await reader.readexactly(size)
        await reader.readexactly(2)


def _decode_content(body: bytes, headers: Mapping[str, str]) -> bytes:
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompress(body)
    raise _HttpError(415, f"unsupported content-encoding {encoding!r}")


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _error_json(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()


def _status_line(status: int) -> str:
    return f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"


def _plain_response(
    status: int,
    body: bytes,
    headers: Iterable[tuple[str, str]] = (),
    content_type: str = "application/json",
    *,
    close: bool = False,
) -> bytes:
    lines = [_status_line(status), f"content-type: {content_type}\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    lines.append(f"content-length: {len(body)}\r\n")
    if close:
        lines.append("connection: close\r\n")
    return "".join(lines).encode("latin-1") + b"\r\n" + body


def _stream_head(status: int, headers: Iterable[tuple[str, str]], content_type: str) -> bytes:
    # Chunked framing lets a finished stream keep the connection alive and makes a cut
    # stream (no terminating chunk) an error for the client, not a clean end.
    lines = [
        _status_line(status),
        f"content-type: {content_type}\r\n",
        "cache-control: no-cache\r\n",
        "transfer-encoding: chunked\r\n",
    ]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    return "".join(lines).encode("latin-1") + b"\r\n"


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    if writer.is_closing():
        raise _ClientGone
    try:
        writer.write(data)
        await writer.drain()
    except (ConnectionError, RuntimeError) as exc:
        raise _ClientGone from exc


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


_LINGER_S: Final = 0.5
_LINGER_BYTES: Final = 1024 * 1024


async def _close_after_error(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Half-close and discard what the client still sends (bounded) before closing: closing
    with unread input makes the kernel send RST, which can destroy the error reply in flight."""
    with contextlib.suppress(Exception):
        if writer.can_write_eof():
            writer.write_eof()
        async with asyncio.timeout(_LINGER_S):
            discarded = 0
            while discarded < _LINGER_BYTES:
                data = await reader.read(65536)
                if not data:
                    break
                discarded += len(data)
    await _close(writer)


def _abort(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()
