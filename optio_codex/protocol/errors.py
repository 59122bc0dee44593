"""Typed exceptions for JSON-RPC failures, each carrying the app-server's stderr tail."""

from __future__ import annotations

from typing import Any

# Codes the codex app-server actually sends (it answers unknown methods with -32600, not -32601).
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_OVERLOADED = -32001


class CodexProtocolError(Exception):
    """Base of every failure talking to codex app-server."""

    def __init__(self, message: str, *, stderr_tail: str = "") -> None:
        self.stderr_tail = stderr_tail
        text = message
        if stderr_tail:
            text = f"{message}\n--- app-server stderr (tail) ---\n{stderr_tail}"
        super().__init__(text)
        self.summary = message


class RpcError(CodexProtocolError):
    """The server answered a request with a JSON-RPC error."""

    code: int = 0

    def __init__(
        self,
        method: str,
        code: int,
        message: str,
        data: Any = None,
        *,
        stderr_tail: str = "",
    ) -> None:
        self.method = method
        self.code = code
        self.rpc_message = message
        self.data = data
        super().__init__(f"{method}: error {code}: {message}", stderr_tail=stderr_tail)


class InvalidRequestError(RpcError):
    """-32600: codex's answer to bad params, unknown methods and out-of-order calls."""


class MethodNotFoundError(RpcError):
    """-32601."""


class InvalidParamsError(RpcError):
    """-32602."""


class InternalServerError(RpcError):
    """-32603."""


class ServerOverloadedError(RpcError):
    """-32001: the server's queue is full; the endpoint retries these itself."""


_BY_CODE: dict[int, type[RpcError]] = {
    INVALID_REQUEST: InvalidRequestError,
    METHOD_NOT_FOUND: MethodNotFoundError,
    INVALID_PARAMS: InvalidParamsError,
    INTERNAL_ERROR: InternalServerError,
    SERVER_OVERLOADED: ServerOverloadedError,
}


def rpc_error_from_reply(method: str, error: Any, *, stderr_tail: str = "") -> RpcError:
    """Map an ``error`` member of a reply to the matching exception type."""
    if not isinstance(error, dict):
        return RpcError(method, 0, f"malformed error object: {error!r}", stderr_tail=stderr_tail)
    code = error.get("code")
    code = code if isinstance(code, int) else 0
    cls = _BY_CODE.get(code, RpcError)
    return cls(
        method, code, str(error.get("message", "")), error.get("data"), stderr_tail=stderr_tail
    )


class RequestTimeout(CodexProtocolError):
    """No reply arrived within the request's deadline."""

    def __init__(self, method: str, timeout: float, *, stderr_tail: str = "") -> None:
        self.method = method
        self.timeout = timeout
        super().__init__(f"{method}: no reply within {timeout:g}s", stderr_tail=stderr_tail)


class ConnectionLost(CodexProtocolError):
    """The byte stream to the app-server ended; every pending call fails with this."""

    def __init__(self, reason: str, *, stderr_tail: str = "") -> None:
        self.reason = reason
        super().__init__(f"connection to codex app-server lost: {reason}", stderr_tail=stderr_tail)
