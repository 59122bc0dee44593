"""The HTTP/1.1 the scripted model server speaks: request parsing, response framing, and
closing a connection without losing the reply in flight."""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

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


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ClientGone(Exception):
    """The peer closed the connection while we were writing."""


@dataclass
class HttpRequest:
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


def parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    try:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
    except ValueError:
        raise HttpError(400, "bad request line") from None
    if not version.startswith("HTTP/1."):
        raise HttpError(400, f"unsupported protocol {version!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(400, "bad header line")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return method.upper(), target, version, headers


async def read_chunked(reader: asyncio.StreamReader, limit: int) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise HttpError(400, "bad chunk size") from None
        if size == 0:
            # Skip trailers up to the empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return bytes(body)
        if len(body) + size > limit:
            raise HttpError(413, f"body over {limit} bytes")
        body += await reader.readexactly(size)
        await reader.readexactly(2)


def decode_content(body: bytes, headers: Mapping[str, str]) -> bytes:
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompress(body)
    raise HttpError(415, f"unsupported content-encoding {encoding!r}")


def json_object(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def error_json(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()


def _status_line(status: int) -> str:
    return f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"


def plain_response(
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


def stream_head(status: int, headers: Iterable[tuple[str, str]], content_type: str) -> bytes:
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


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def send(writer: asyncio.StreamWriter, data: bytes) -> None:
    if writer.is_closing():
        raise ClientGone
    try:
        writer.write(data)
        await writer.drain()
    except (ConnectionError, RuntimeError) as exc:
        raise ClientGone from exc


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


_LINGER_S: Final = 0.5
_LINGER_BYTES: Final = 1024 * 1024


async def close_after_error(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
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
    await close(writer)


def abort(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()
