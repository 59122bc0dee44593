"""A JSON-RPC 2.0 endpoint for codex app-server, over any :class:`ByteStream`.

It knows framing, ids, deadlines, back-pressure and error mapping, and nothing of what the
methods mean: the conversation layer above gives it handlers for notifications and for the
server's requests. Every failure it raises carries the tail of the server's stderr.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from optio_codex.protocol.errors import (
    INTERNAL_ERROR,
    SERVER_OVERLOADED,
    ConnectionLost,
    RequestTimeout,
    ServerOverloadedError,
    rpc_error_from_reply,
)
from optio_codex.protocol.framing import DEFAULT_MAX_LINE_BYTES, LineDecoder, OversizedLine
from optio_codex.protocol.streams import ByteStream

log = logging.getLogger(__name__)

RequestId = int | str


@dataclass(frozen=True)
class EndpointLimits:
    """Deadlines and caps; the defaults suit one app-server on stdio or SSH."""

    request_timeout: float = 60.0
    # The app-server answers -32001 or nothing at all past a few hundred queued requests.
    max_in_flight: int = 16
    overload_retries: int = 8
    overload_backoff_base: float = 0.05
    overload_backoff_max: float = 2.0
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES

    def __post_init__(self) -> None:
        if self.request_timeout <= 0:
            raise ValueError("request_timeout must be positive")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        if self.overload_retries < 0:
            raise ValueError("overload_retries must not be negative")


@dataclass(frozen=True, slots=True)
class ServerRequest:
    """A request the server sent us; it must be answered with reply() or reply_error()."""

    id: RequestId
    method: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProtocolIssue:
    """Something on the wire we could not use: reported, counted, never raised."""

    kind: str  # "malformed" | "oversized" | "unmatched_response" | "handler_error"
    detail: str


@dataclass
class EndpointStats:
    requests_sent: int = 0
    notifications_received: int = 0
    server_requests_received: int = 0
    malformed: int = 0
    oversized: int = 0
    unmatched_responses: int = 0
    handler_errors: int = 0
    overload_retries: int = 0
    timeouts: int = 0
    issues: list[ProtocolIssue] = field(default_factory=list)


NotificationHandler = Callable[[str, dict[str, Any]], None]
ServerRequestHandler = Callable[[ServerRequest], None]
IssueHandler = Callable[[ProtocolIssue], None]
CloseHandler = Callable[[str], None]

_MAX_KEPT_ISSUES = 32


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


class JsonRpcEndpoint:
    """One JSON-RPC conversation over a byte stream.

    Client request ids are our own integer sequence; the server numbers its requests in a
    separate space (also from 0), which is why messages are told apart by shape, never by id.
    Handlers run on the reader task and must not block: they should queue work, not await it.
    """

    def __init__(
        self,
        stream: ByteStream,
        *,
        limits: EndpointLimits | None = None,
        on_notification: NotificationHandler | None = None,
        on_request: ServerRequestHandler | None = None,
        on_issue: IssueHandler | None = None,
        on_close: CloseHandler | None = None,
    ) -> None:
        self._stream = stream
        self.limits = limits or EndpointLimits()
        self.on_notification = on_notification
        self.on_request = on_request
        self.on_issue = on_issue
        self._on_close: list[CloseHandler] = [on_close] if on_close else []
        self._stats = EndpointStats()
        self.notifications_received = 0  # a plain attribute: counted on the hot path
        self._decoder = LineDecoder(self.limits.max_line_bytes)
        self._next_id = 0
        self._pending: dict[int, tuple[str, asyncio.Future[Any]]] = {}
        self._slots = asyncio.Semaphore(self.limits.max_in_flight)
        self._reader: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()
        self.close_reason: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def stats(self) -> EndpointStats:
        self._stats.notifications_received = self.notifications_received
        return self._stats

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start reading. Call once, after the handlers are set."""
        if self._reader is not None:
            raise RuntimeError("endpoint already started")
        self._reader = asyncio.get_running_loop().create_task(
            self._read_loop(), name="codex-jsonrpc-reader"
        )

    @property
    def closed(self) -> bool:
        return self.close_reason is not None

    def add_close_handler(self, handler: CloseHandler) -> None:
        if self.close_reason is not None:
            handler(self.close_reason)
        else:
            self._on_close.append(handler)

    async def wait_closed(self) -> str:
        await self._closed.wait()
        assert self.close_reason is not None
        return self.close_reason

    async def close_input(self) -> None:
        """End our side of the stream (stdin EOF): the app-server's clean way out."""
        try:
            await self._stream.close()
        except Exception as exc:  # the peer may already be gone
            log.debug("closing stream failed: %r", exc)

    async def aclose(self, reason: str = "closed by client") -> None:
        """Stop at once: settle every waiter, stop reading, close the stream."""
        self._terminate(reason)
        await self.close_input()
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    def stderr_tail(self) -> str:
        try:
            return self._stream.stderr_tail()
        except Exception:
            return ""

    # -- outgoing ----------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        timeout: float | None = None,
        retry_overload: bool = True,
    ) -> Any:
        """Send a request and return its ``result``; raises a typed error otherwise.

        -32001 (overloaded) is retried with jittered, bounded exponential backoff.
        """
        attempt = 0
        while True:
            try:
                return await self._request_once(method, params, timeout)
            except ServerOverloadedError:
                if not retry_overload or attempt >= self.limits.overload_retries:
                    raise
                self._stats.overload_retries += 1
                ceiling = min(
                    self.limits.overload_backoff_max,
                    self.limits.overload_backoff_base * (2**attempt),
                )
                attempt += 1
                await asyncio.sleep(random.uniform(ceiling / 2, ceiling))

    async def _request_once(
        self, method: str, params: dict[str, Any] | None, timeout: float | None
    ) -> Any:
        deadline = self.limits.request_timeout if timeout is None else timeout
        self._raise_if_closed()
        async with self._slots:
            self._raise_if_closed()
            request_id = self._next_id
            self._next_id += 1
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._pending[request_id] = (method, future)
            try:
                # codex rejects a request without "params", so an empty object is always sent.
                await self._send({"id": request_id, "method": method, "params": params or {}})
                self._stats.requests_sent += 1
                async with asyncio.timeout(deadline):
                    return await future
            except TimeoutError:
                self._stats.timeouts += 1
                raise RequestTimeout(method, deadline, stderr_tail=self.stderr_tail()) from None
            finally:
                self._pending.pop(request_id, None)

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self._raise_if_closed()
        message: dict[str, Any] = {"method": method}
        if params is not None:
            message["params"] = params
        await self._send(message)

    async def reply(self, request_id: RequestId, result: Any) -> None:
        """Answer a server request."""
        self._raise_if_closed()
        await self._send({"id": request_id, "result": result})

    async def reply_error(
        self, request_id: RequestId, code: int, message: str, data: Any = None
    ) -> None:
        self._raise_if_closed()
        error: dict[str, Any] = {"code": code, "message": message}
        if data is not None:
            error["data"] = data
        await self._send({"id": request_id, "error": error})

    async def _send(self, message: dict[str, Any]) -> None:
        try:
            await self._stream.write(_encode(message))
        except ConnectionLost:
            raise
        except Exception as exc:
            reason = f"write failed: {exc!r}"
            self._terminate(reason)
            raise ConnectionLost(reason, stderr_tail=self.stderr_tail()) from exc

    def _raise_if_closed(self) -> None:
        if self.close_reason is not None:
            raise ConnectionLost(self.close_reason, stderr_tail=self.stderr_tail())

    # -- incoming ----------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        reason = "app-server closed its output"
        read, feed, loads = self._stream.read, self._decoder.feed, orjson.loads
        try:
            while chunk := await read():
                # The hot path (a notification with object params) is inlined here: at
                # hundreds of thousands of deltas a second, one more call per line shows.
                for line in feed(chunk):
                    if type(line) is not bytes:
                        self._oversized(line)  # type: ignore[arg-type]
                        continue
                    try:
                        message = loads(line)
                    except orjson.JSONDecodeError:
                        self._dispatch_slow(line)
                        continue
                    if type(message) is dict:
                        method = message.get("method")
                        if type(method) is str and "id" not in message:
                            params = message.get("params")
                            if params is None:
                                params = {}
                            if type(params) is dict:
                                self.notifications_received += 1
                                handler = self.on_notification
                                if handler is not None:
                                    try:
                                        handler(method, params)
                                    except Exception as exc:
                                        self._handler_failed(method, exc)
                                continue
                    self._dispatch_other(message, line)
        except asyncio.CancelledError:
            reason = self.close_reason or "reader cancelled"
        except Exception as exc:
            reason = f"read failed: {exc!r}"
        finally:
            self._terminate(reason)

    def _dispatch_slow(self, line: bytes) -> None:
        """A line orjson refused: json is the judge, so the accepted language is json's."""
        try:
            message = json.loads(line)
        except ValueError as exc:
            self._issue("malformed", f"not JSON ({exc}): {line[:80]!r}")
            return
        if type(message) is dict and type(message.get("method")) is str and "id" not in message:
            params = message.get("params")
            if params is None or type(params) is dict:
                self.notifications_received += 1
                if self.on_notification is not None:
                    try:
                        self.on_notification(message["method"], params or {})
                    except Exception as exc:
                        self._handler_failed(message["method"], exc)
                return
        self._dispatch_other(message, line)

    def _dispatch_other(self, message: Any, line: bytes) -> None:
        if type(message) is not dict:
            self._issue("malformed", f"not a JSON object: {line[:80]!r}")
            return
        method = message.get("method")
        if method is not None:
            if not isinstance(method, str) or "id" not in message:
                self._issue("malformed", f"bad method or params: {line[:80]!r}")
                return
            params = message.get("params")
            if not (params is None or isinstance(params, dict)):
                self._issue("malformed", f"bad method or params: {line[:80]!r}")
                return
            self._on_server_request(message["id"], method, params or {})
            return
        if "id" in message and ("result" in message or "error" in message):
            self._on_response(message)
            return
        self._issue("malformed", f"neither request, response nor notification: {line[:80]!r}")

    def _oversized(self, line: OversizedLine) -> None:
        self._issue(
            "oversized",
            f"dropped a {line.size}-byte line over the {self.limits.max_line_bytes}-byte "
            f"limit (starts {line.head[:40]!r})",
        )

    def _on_response(self, message: dict[str, Any]) -> None:
        request_id = message["id"]
        entry = self._pending.get(request_id) if type(request_id) is int else None
        if entry is None:
            self._issue("unmatched_response", f"reply to unknown id {request_id!r}")
            return
        method, future = entry
        if future.done():
            return
        if "error" in message and message["error"] is not None:
            future.set_exception(
                rpc_error_from_reply(method, message["error"], stderr_tail=self.stderr_tail())
            )
        else:
            future.set_result(message.get("result"))

    def _on_server_request(self, request_id: Any, method: str, params: dict[str, Any]) -> None:
        if not isinstance(request_id, int | str) or isinstance(request_id, bool):
            self._issue("malformed", f"server request {method} with bad id {request_id!r}")
            return
        self._stats.server_requests_received += 1
        request = ServerRequest(request_id, method, params)
        handler = self.on_request
        if handler is None:
            # Never leave a server request unanswered: codex would stall the turn on it.
            self._spawn_reply_error(request, f"no handler for {method}")
            return
        try:
            handler(request)
        except Exception as exc:
            self._handler_failed(method, exc)
            self._spawn_reply_error(request, f"handler for {method} failed")

    def _spawn_reply_error(self, request: ServerRequest, message: str) -> None:
        async def send() -> None:
            try:
                await self.reply_error(request.id, INTERNAL_ERROR, message)
            except ConnectionLost:
                pass

        task = asyncio.get_running_loop().create_task(send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _handler_failed(self, method: str, exc: BaseException) -> None:
        self._stats.handler_errors += 1
        log.exception("handler for %s raised", method, exc_info=exc)
        self._issue("handler_error", f"{method}: {exc!r}")

    def _issue(self, kind: str, detail: str) -> None:
        issue = ProtocolIssue(kind, detail)
        if kind == "malformed":
            self._stats.malformed += 1
        elif kind == "oversized":
            self._stats.oversized += 1
        elif kind == "unmatched_response":
            self._stats.unmatched_responses += 1
        if len(self._stats.issues) < _MAX_KEPT_ISSUES:
            self._stats.issues.append(issue)
        log.warning("codex app-server protocol issue: %s: %s", kind, detail)
        if self.on_issue is not None:
            try:
                self.on_issue(issue)
            except Exception:
                log.exception("issue handler raised")

    # -- the one terminal transition ------------------------------------------------------------

    def _terminate(self, reason: str) -> None:
        if self.close_reason is not None:
            return
        self.close_reason = reason
        tail = self.stderr_tail()
        for method, future in self._pending.values():
            if not future.done():
                future.set_exception(
                    ConnectionLost(f"{reason} (while waiting for {method})", stderr_tail=tail)
                )
        self._pending.clear()
        self._closed.set()
        for handler in self._on_close:
            try:
                handler(reason)
            except Exception:
                log.exception("close handler raised")


__all__ = [
    "SERVER_OVERLOADED",
    "EndpointLimits",
    "EndpointStats",
    "JsonRpcEndpoint",
    "ProtocolIssue",
    "RequestId",
    "ServerRequest",
]
