"""The scripted model server: answers `POST /v1/responses` from a queue of steps."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Final, Self

from optio_codex.testing.model_server.builders import default_fallback
from optio_codex.testing.model_server.http import (
    ClientGone,
    HttpError,
    HttpRequest,
    abort,
    chunk,
    close,
    close_after_error,
    decode_content,
    error_json,
    json_object,
    parse_head,
    plain_response,
    read_chunked,
    send,
    stream_head,
)
from optio_codex.testing.model_server.steps import (
    MOCK_MODEL,
    MODELS_PATH,
    RESPONSES_PATH,
    Fallback,
    Gate,
    Pause,
    RecordedRequest,
    SseEvent,
    Step,
    WaitGate,
)
from optio_codex.testing.service import Service

_log = logging.getLogger(__name__)

_MAX_HEADER_BYTES: Final = 64 * 1024
_DEFAULT_MAX_BODY_BYTES: Final = 64 * 1024 * 1024
_DEFAULT_MAX_CONNECTIONS: Final = 64


class ScriptedModelServer(Service["ScriptedModelServer"]):
    """Answer `POST /v1/responses` from a queue of scripted steps; record every request.

    `fallback` answers when the queue is empty: a `Step` (reused as is) or a function of the
    request returning a fresh step. The default answers `text("ok")`.
    `heartbeat_s` is the interval of `response.in_progress` events sent while a stream is held
    at a `Gate`, so codex's stream idle timeout does not fire during a long hold.
    `auth_check`, given the `Authorization` header (or None), says whether a request may be
    answered; a refused one gets 401 and is recorded with step "unauthorized" (it takes no
    scripted step). E.g. `TokenServer.bearer_check`: codex must send a live access token.
    """

    def __init__(
        self,
        *,
        fallback: Fallback | None = None,
        heartbeat_s: float | None = 1.0,
        max_connections: int = _DEFAULT_MAX_CONNECTIONS,
        max_body_bytes: int = _DEFAULT_MAX_BODY_BYTES,
        model_ids: Sequence[str] = (MOCK_MODEL,),
        auth_check: Callable[[str | None], bool] | None = None,
    ) -> None:
        self.auth_check = auth_check
        self.fallback: Fallback = fallback if fallback is not None else default_fallback
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
            abort(writer)
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    @property
    def running(self) -> bool:
        return self._server is not None

    def _entered(self) -> ScriptedModelServer:
        return self

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
                writer.write(plain_response(503, error_json("too many connections"), close=True))
                await writer.drain()
                await close_after_error(reader, writer)
            abort(writer)
            return
        self._connections[task] = writer
        self.connections_accepted += 1
        try:
            await self._serve_connection(reader, writer)
        except (ClientGone, ConnectionError, asyncio.IncompleteReadError):
            pass  # The client went away: normal for interrupted or dropped streams.
        except asyncio.CancelledError:
            pass  # stop() cancels connection tasks; finish quietly.
        except Exception as exc:  # never let one connection take the server down
            _log.exception("model server connection failed")
            self.errors.append(exc)
        finally:
            self._connections.pop(task, None)
            abort(writer)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while not self._stopping:
            try:
                request = await self._read_request(reader, writer)
            except HttpError as exc:
                await send(writer, plain_response(exc.status, error_json(str(exc)), close=True))
                await close_after_error(reader, writer)
                return
            if request is None:
                return  # clean EOF between requests
            keep_alive = await self._dispatch(request, reader, writer)
            if not (keep_alive and request.keep_alive):
                await close(writer)
                return

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> HttpRequest | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial.strip():
                raise HttpError(400, "truncated request head") from None
            return None
        except asyncio.LimitOverrunError:
            raise HttpError(431, "request head too large") from None
        method, target, version, headers = parse_head(head)
        if headers.get("expect", "").lower() == "100-continue":
            await send(writer, b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await self._read_body(reader, headers)
        return HttpRequest(method, target, version, headers, decode_content(body, headers))

    async def _read_body(self, reader: asyncio.StreamReader, headers: Mapping[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return await read_chunked(reader, self.max_body_bytes)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            raise HttpError(400, "bad content-length") from None
        if length < 0:
            raise HttpError(400, "bad content-length")
        if length > self.max_body_bytes:
            raise HttpError(413, f"body over {self.max_body_bytes} bytes")
        return await reader.readexactly(length) if length else b""

    async def _dispatch(
        self, request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; return False when the connection must close afterwards."""
        body = json_object(request.body)
        recorded = RecordedRequest(
            path=request.path,
            headers=dict(request.headers),
            body=body,
            method=request.method,
            raw_body=request.body,
        )
        if self.auth_check is not None and not self.auth_check(
            request.headers.get("authorization")
        ):
            self.requests.append(replace(recorded, step="unauthorized"))
            await self._notify()
            await send(writer, plain_response(401, error_json("invalid or expired access token")))
            return True
        if request.path == RESPONSES_PATH and request.method == "POST":
            step = self._next_step(recorded)
            recorded = replace(recorded, step=step.kind)
            self.requests.append(recorded)
            await self._notify()
            try:
                return await self._serve_step(step, reader, writer)
            except ClientGone:
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
            await send(writer, plain_response(200, payload))
            return True
        known = request.path in (RESPONSES_PATH, MODELS_PATH)
        status = 405 if known else 404
        message = (
            f"{'method not allowed' if known else 'no route'}: {request.method} {request.path}"
        )
        await send(writer, plain_response(status, error_json(message)))
        return True

    async def _serve_step(
        self, step: Step, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        if step.body is not None:
            head = plain_response(step.status, step.body, step.headers, step.content_type)
            await send(writer, head)
            return True
        await send(writer, stream_head(step.status, step.headers, step.content_type))
        sequence = itertools.count()
        for action in step.actions:
            if isinstance(action, SseEvent):
                await send(writer, chunk(action.encode(next(sequence))))
            elif isinstance(action, Pause):
                await _wait_watching(asyncio.sleep(action.seconds), reader, None)
            elif isinstance(action, WaitGate):
                await self._hold(action, reader, writer, sequence)
            else:  # Disconnect: what was sent is drained; a beat, then cut before the last chunk.
                await asyncio.sleep(0.05)
                abort(writer)
                return False
        await send(writer, b"0\r\n\r\n")
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
            await send(writer, chunk(event.encode(next(sequence))))

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
                raise ClientGone
            if heartbeat and next_beat is not None and loop.time() >= next_beat:
                await heartbeat[1]()
                next_beat = loop.time() + heartbeat[0]
    finally:
        task.cancel()
