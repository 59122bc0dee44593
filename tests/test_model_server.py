"""The scripted Responses API server, and one real codex turn against it."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import time
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from optio_codex.binary import pinned_codex_path
from optio_codex.testing.catalog import (
    MOCK_ALT_MODEL_SLUG,
    MOCK_MODEL_SLUG,
    CatalogError,
    bundled_catalog,
    mock_model_catalog,
)
from optio_codex.testing.codex_home import mock_codex_env, write_test_codex_home
from optio_codex.testing.model_server import (
    RESPONSES_PATH,
    ScriptedModelServer,
    Step,
    apply_patch,
    dropped,
    exec_command,
    failed,
    http_error,
    reasoning,
    slow,
    stalled,
    text,
)

# ---------------------------------------------------------------------------------------------
# A tiny raw HTTP/1.1 client, so the tests see exactly what goes over the wire.
# ---------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    complete: bool  # False when the connection ended inside a chunked body
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)

    def types(self) -> list[str]:
        return [name for name, _ in self.events]

    def data(self, event_type: str) -> list[dict[str, Any]]:
        return [data for name, data in self.events if name == event_type]


def _request_bytes(method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "host: test", f"content-length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").strip().split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(status_line.split()[1])
    if headers.get("transfer-encoding") == "chunked":
        body, complete = await _read_chunks(reader)
    else:
        body, complete = await reader.readexactly(int(headers.get("content-length", "0"))), True
    reply = Reply(status, headers, body, complete)
    if headers.get("content-type") == "text/event-stream":
        reply.events = _parse_sse(body)
    return reply


async def _read_chunks(reader: asyncio.StreamReader) -> tuple[bytes, bool]:
    body = b""
    try:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return body, True
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    except (asyncio.IncompleteReadError, ConnectionError):
        return body, False


def _parse_sse(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.decode().split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        data = json.loads(fields["data"])
        # codex dispatches on the JSON `type`; it must agree with the `event:` line.
        assert data["type"] == fields["event"]
        events.append((fields["event"], data))
    return events


async def post(
    server: ScriptedModelServer,
    body: Any = None,
    *,
    path: str = RESPONSES_PATH,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> Reply:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        payload = json.dumps(body if body is not None else {"model": "m"}).encode()
        hdrs = {"content-type": "application/json", **(headers or {})}
        writer.write(_request_bytes(method, path, payload, hdrs))
        await writer.drain()
        return await _read_reply(reader)
    finally:
        writer.close()


def _text_of(reply: Reply) -> str:
    return "".join(d["delta"] for d in reply.data("response.output_text.delta"))


@pytest.fixture
async def server() -> AsyncIterator[ScriptedModelServer]:
    async with ScriptedModelServer() as srv:
        yield srv
    assert srv.errors == []


# ---------------------------------------------------------------------------------------------
# Step kinds
# ---------------------------------------------------------------------------------------------


async def test_text_stream_framing(server: ScriptedModelServer) -> None:
    server.script(text("hello scripted world", chunk_size=5))
    reply = await post(server)
    assert reply.status == 200 and reply.complete
    assert reply.headers["content-type"] == "text/event-stream"
    types = reply.types()
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert types.count("response.output_text.delta") == 4
    assert _text_of(reply) == "hello scripted world"
    (done,) = reply.data("response.output_item.done")
    assert done["item"]["type"] == "message" and done["item"]["role"] == "assistant"
    assert done["item"]["content"][0] == {
        "type": "output_text",
        "text": "hello scripted world",
        "annotations": [],
    }
    completed = reply.data("response.completed")[0]["response"]
    assert completed["usage"]["total_tokens"] == 15
    assert completed["id"] == reply.data("response.created")[0]["response"]["id"]
    assert [d["sequence_number"] for _, d in reply.events] == list(range(len(reply.events)))


async def test_reasoning_then_text(server: ScriptedModelServer) -> None:
    server.script(text("answer", reasoning="let me think"), reasoning("again", "second"))
    first = await post(server)
    summary = "".join(d["delta"] for d in first.data("response.reasoning_summary_text.delta"))
    assert summary == "let me think"
    items = [d["item"] for d in first.data("response.output_item.done")]
    assert [i["type"] for i in items] == ["reasoning", "message"]
    assert items[0]["summary"] == [{"type": "summary_text", "text": "let me think"}]
    assert [d["output_index"] for d in first.data("response.output_item.done")] == [0, 1]
    second = await post(server)
    assert _text_of(second) == "second"
    assert second.data("response.reasoning_summary_text.delta")[0]["delta"] == "again"


async def test_exec_command_call(server: ScriptedModelServer) -> None:
    call, follow_up = exec_command("ls -la", workdir="/w").then("listed")
    server.script(call, follow_up, exec_command("true", escalate=False))
    reply = await post(server)
    (item,) = [d["item"] for d in reply.data("response.output_item.done")]
    assert item["type"] == "function_call" and item["name"] == "exec_command"
    assert item["call_id"].startswith("call_")
    assert json.loads(item["arguments"]) == {
        "cmd": "ls -la",
        "sandbox_permissions": "require_escalated",
        "justification": "Run the command the test asked for.",
        "workdir": "/w",
    }
    assert reply.types()[-1] == "response.completed"
    assert _text_of(await post(server)) == "listed"
    plain = await post(server)
    args = json.loads(plain.data("response.output_item.done")[0]["item"]["arguments"])
    assert args == {"cmd": "true"}


async def test_apply_patch_call(server: ScriptedModelServer) -> None:
    patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n"
    server.script(apply_patch(patch, call_id="call_fixed").then())
    reply = await post(server)
    item = reply.data("response.output_item.done")[0]["item"]
    assert item == {
        "id": item["id"],
        "type": "custom_tool_call",
        "status": "completed",
        "call_id": "call_fixed",
        "name": "apply_patch",
        "input": patch,
    }
    assert _text_of(await post(server)) == "done"


async def test_response_failed(server: ScriptedModelServer) -> None:
    server.script(failed("context_length_exceeded", "too long"))
    reply = await post(server)
    assert reply.status == 200 and reply.complete
    assert reply.types() == ["response.created", "response.failed"]
    response = reply.data("response.failed")[0]["response"]
    assert response["status"] == "failed"
    assert response["error"] == {"code": "context_length_exceeded", "message": "too long"}


@pytest.mark.parametrize(
    ("status", "error_type", "retry_after"),
    [
        (500, "server_error", None),
        (429, "rate_limit_exceeded", "1"),
        (401, "invalid_request_error", None),
    ],
)
async def test_http_errors(
    server: ScriptedModelServer, status: int, error_type: str, retry_after: str | None
) -> None:
    server.script(http_error(status, "nope"))
    reply = await post(server)
    assert reply.status == status
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["error"]["message"] == "nope"
    assert reply.json()["error"]["type"] == error_type
    assert reply.headers.get("retry-after") == retry_after


async def test_http_error_custom_retry_after(server: ScriptedModelServer) -> None:
    server.script(http_error(429, "later", retry_after_s=2.5))
    reply = await post(server)
    assert reply.headers["retry-after"] == "2.5"
    assert reply.headers["retry-after-ms"] == "2500"


async def test_slow_stream(server: ScriptedModelServer) -> None:
    server.script(slow("abcdefgh", 0.05, chunk_size=2))
    started = time.monotonic()
    reply = await post(server)
    assert time.monotonic() - started >= 0.2  # four chunks, each after a 50 ms pause
    assert _text_of(reply) == "abcdefgh" and reply.complete


async def test_dropped_stream_cuts_connection(server: ScriptedModelServer) -> None:
    server.script(dropped("partial text here", chunk_size=4))
    reply = await post(server)
    assert reply.status == 200
    assert not reply.complete  # no terminating chunk
    assert _text_of(reply) == "partial text here"
    assert "response.completed" not in reply.types()
    assert "response.output_item.done" not in reply.types()


async def test_stalled_stream_goes_silent_until_stop() -> None:
    server = ScriptedModelServer()
    await server.start()
    server.script(stalled("half"))
    task = asyncio.create_task(post(server))
    await server.wait_for_requests(1)
    await asyncio.sleep(0.2)
    assert not task.done()
    await server.stop()  # closes the stalled connection
    reply = await asyncio.wait_for(task, 5)
    assert not reply.complete and _text_of(reply) == "half"
    assert server.errors == []


# ---------------------------------------------------------------------------------------------
# Holding a stream
# ---------------------------------------------------------------------------------------------


async def test_hold_and_release() -> None:
    async with ScriptedModelServer(heartbeat_s=0.05) as server:
        gate = server.hold()
        server.script(text("held answer").held(gate, after_events=2))
        task = asyncio.create_task(post(server))
        await gate.wait_reached(5)
        await asyncio.sleep(0.2)
        assert gate.reached and not gate.released and not task.done()
        gate.release()
        reply = await asyncio.wait_for(task, 5)
    assert reply.complete and _text_of(reply) == "held answer"
    types = reply.types()
    # Two events, then heartbeats while held, then the rest.
    assert types[:2] == ["response.created", "response.output_item.added"]
    assert types.count("response.in_progress") >= 2
    assert types[-1] == "response.completed"
    assert server.errors == []


async def test_client_leaving_a_held_stream_is_recorded(server: ScriptedModelServer) -> None:
    gate = server.hold()
    server.script(text("never finished").held(gate))
    _, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(_request_bytes("POST", RESPONSES_PATH, b"{}", {}))
    await writer.drain()
    await gate.wait_reached(5)
    writer.close()
    await server.wait_for(lambda: len(server.aborted) == 1, timeout=2)
    assert server.aborted[0].step == "text+held"
    gate.release()


async def test_stop_releases_gates_and_closes_connections() -> None:
    server = ScriptedModelServer()
    await server.start()
    gate = server.hold()
    server.script(text("x").held(gate))
    task = asyncio.create_task(post(server))
    await gate.wait_reached(5)
    await asyncio.wait_for(server.stop(), 5)
    assert gate.released
    reply = await asyncio.wait_for(task, 5)
    assert not reply.complete
    assert server.errors == []


# ---------------------------------------------------------------------------------------------
# Recording, fallback, routing, HTTP details
# ---------------------------------------------------------------------------------------------


async def test_records_requests(server: ScriptedModelServer) -> None:
    body = {"model": "mock-model", "input": [{"type": "message", "role": "user"}], "stream": True}
    await post(server, body, headers={"X-Codex-Turn-Metadata": '{"sandbox":"x"}'})
    (recorded,) = await server.wait_for_requests(1, timeout=1)
    assert recorded.path == RESPONSES_PATH and recorded.method == "POST"
    assert recorded.body == body
    assert recorded.headers["x-codex-turn-metadata"] == '{"sandbox":"x"}'
    assert recorded.step == "text"
    assert server.responses_requests == [recorded]
    with pytest.raises(TimeoutError, match="saw 1 of 2"):
        await server.wait_for_requests(2, timeout=0.1)


async def test_wait_for_requests_wakes_on_arrival(server: ScriptedModelServer) -> None:
    waiter = asyncio.create_task(server.wait_for_requests(2, timeout=5))
    await post(server)
    await asyncio.sleep(0.05)
    assert not waiter.done()
    await post(server)
    assert len(await waiter) == 2


async def test_fallback_default_and_custom(server: ScriptedModelServer) -> None:
    server.script(text("scripted"))
    assert server.pending == 1
    assert _text_of(await post(server)) == "scripted"
    assert server.pending == 0
    assert _text_of(await post(server)) == "ok"
    server.fallback = http_error(503, "down")
    assert (await post(server)).status == 503
    server.fallback = lambda request: text(f"echo {request.body['model']}")
    assert _text_of(await post(server, {"model": "abc"})) == "echo abc"


async def test_script_flattens_pairs_and_clear(server: ScriptedModelServer) -> None:
    server.script(exec_command("a").then("b"), text("c"), [text("d")])
    assert server.pending == 4
    server.clear_script()
    assert server.pending == 0


async def test_models_and_unknown_paths(server: ScriptedModelServer) -> None:
    models = await post(server, path="/v1/models", method="GET")
    assert models.status == 200
    assert [m["id"] for m in models.json()["data"]] == ["mock-model"]
    missing = await post(server, path="/v1/nothing")
    assert missing.status == 404 and "no route" in missing.json()["error"]["message"]
    wrong = await post(server, path=RESPONSES_PATH, method="GET")
    assert wrong.status == 405
    assert [r.path for r in server.requests] == ["/v1/models", "/v1/nothing", RESPONSES_PATH]
    assert server.responses_requests == []  # neither consumed a scripted step


async def test_keep_alive_and_connection_close(server: ScriptedModelServer) -> None:
    server.script(text("one"), text("two"), text("three"))
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    for expected in ("one", "two"):
        writer.write(_request_bytes("POST", RESPONSES_PATH, b"{}", {}))
        await writer.drain()
        assert _text_of(await _read_reply(reader)) == expected
    writer.write(_request_bytes("POST", RESPONSES_PATH, b"{}", {"connection": "close"}))
    await writer.drain()
    assert _text_of(await _read_reply(reader)) == "three"
    assert await asyncio.wait_for(reader.read(), 2) == b""  # server closed
    writer.close()
    assert server.connections_accepted == 1


async def test_chunked_and_gzip_request_bodies(server: ScriptedModelServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    payload = json.dumps({"model": "chunked"}).encode()
    head = f"POST {RESPONSES_PATH} HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n"
    chunks = f"{5:x}\r\n".encode() + payload[:5] + b"\r\n"
    chunks += f"{len(payload) - 5:x}\r\n".encode() + payload[5:] + b"\r\n0\r\n\r\n"
    writer.write(head.encode() + chunks)
    zipped = gzip.compress(json.dumps({"model": "gzip"}).encode())
    writer.write(_request_bytes("POST", RESPONSES_PATH, zipped, {"content-encoding": "gzip"}))
    await writer.drain()
    await _read_reply(reader)
    await _read_reply(reader)
    writer.close()
    assert [r.body["model"] for r in server.requests] == ["chunked", "gzip"]


async def test_garbage_gets_400_and_server_survives(server: ScriptedModelServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"NONSENSE\r\n\r\n")
    await writer.drain()
    reply = await _read_reply(reader)
    assert reply.status == 400
    assert await reader.read() == b""
    writer.close()
    # A client that vanishes mid-request is harmless too.
    _, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"POST /v1/responses HTTP/1.1\r\ncontent-length: 100\r\n\r\n{")
    writer.close()
    assert _text_of(await post(server)) == "ok"


async def test_non_json_body_is_recorded_raw(server: ScriptedModelServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(_request_bytes("POST", RESPONSES_PATH, b"not json", {}))
    await writer.drain()
    await _read_reply(reader)
    writer.close()
    assert server.requests[0].body == {} and server.requests[0].raw_body == b"not json"


async def test_body_limit_and_connection_limit() -> None:
    async with ScriptedModelServer(max_body_bytes=10, max_connections=1) as server:
        big = await post(server, {"model": "x" * 50})
        assert big.status == 413
        await asyncio.sleep(0.1)  # the first connection's handler finishes
        # One answered request proves the server holds this kept-alive connection.
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(_request_bytes("GET", "/v1/models", b"", {}))
        await writer.drain()
        assert (await _read_reply(reader)).status == 200
        refused = await post(server)
        assert refused.status == 503
        writer.close()
        assert [r.path for r in server.requests] == ["/v1/models"]
        assert server.errors == []


async def test_base_url_and_double_stop() -> None:
    server = ScriptedModelServer()
    with pytest.raises(RuntimeError):
        _ = server.base_url
    await server.start()
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    await server.stop()
    await server.stop()


def test_step_held_rejects_plain_responses() -> None:
    with pytest.raises(ValueError):
        http_error(500).held(ScriptedModelServer().hold())
    step = text("abc", chunk_size=1)
    assert isinstance(step, Step) and len(step.events) == len(text("abc", chunk_size=1).events)


# ---------------------------------------------------------------------------------------------
# Catalog and CODEX_HOME
# ---------------------------------------------------------------------------------------------


def test_mock_catalog_from_pinned_binary() -> None:
    catalog = mock_model_catalog()
    entry, alt = catalog["models"]
    assert entry["slug"] == MOCK_MODEL_SLUG and alt["slug"] == MOCK_ALT_MODEL_SLUG
    assert entry["apply_patch_tool_type"] == "freeform"
    assert entry["display_name"] == "Mock Model"
    # The cached document is not mutated by callers.
    assert any(m["slug"] == "gpt-5.5" for m in bundled_catalog()["models"])


def test_catalog_missing_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "codex"
    fake.write_bytes(b"\x00ELF nothing here" * 100)
    with pytest.raises(CatalogError, match="no bundled model catalog"):
        bundled_catalog(fake)
    fake.write_bytes(b'xx{"models": [{"slug": "other"}]}yy')
    with pytest.raises(CatalogError, match=r"no 'gpt-5\.5' model"):
        mock_model_catalog(fake)


def test_write_test_codex_home(tmp_path: Path) -> None:
    home = tmp_path / "codex-home"
    config_path = write_test_codex_home(
        home,
        "http://127.0.0.1:1/v1",
        extra={"model_providers": {"mock": {"stream_max_retries": 3}}, "web_search": "disabled"},
    )
    config = tomllib.loads(config_path.read_text())
    provider = config["model_providers"]["mock"]
    assert config["model"] == "mock-model" and config["model_provider"] == "mock"
    assert provider["base_url"] == "http://127.0.0.1:1/v1"
    assert provider["stream_max_retries"] == 3 and provider["request_max_retries"] == 0
    assert config["web_search"] == "disabled"
    catalog = json.loads(Path(config["model_catalog_json"]).read_text())
    assert catalog["models"][0]["slug"] == "mock-model"
    env = mock_codex_env(home)
    assert env["CODEX_HOME"] == str(home) and Path(env["HOME"]).is_dir()
    assert Path(env["TMPDIR"]).is_dir() and env["NO_COLOR"] == "1"


# ---------------------------------------------------------------------------------------------
# The real binary
# ---------------------------------------------------------------------------------------------


class _JsonLines:
    """Just enough of an app-server client for one turn."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 1

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")

    async def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            raise EOFError("codex app-server closed stdout")
        message: dict[str, Any] = json.loads(line)
        if "method" in message and "id" in message:  # a server request: refuse it
            self.send({"id": message["id"], "error": {"code": -32601, "message": "unsupported"}})
        return message

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        request_id, self.next_id = self.next_id, self.next_id + 1
        self.send({"id": request_id, "method": method, "params": params})
        while True:
            message = await self.receive()
            if message.get("id") == request_id and "method" not in message:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    async def until(self, method: str) -> list[dict[str, Any]]:
        seen = []
        while True:
            message = await self.receive()
            seen.append(message)
            if message.get("method") == method:
                return seen


@contextlib.asynccontextmanager
async def _app_server(home: Path) -> AsyncIterator[_JsonLines]:
    """The pinned codex app-server on stdio, closed (stdin EOF, then kill) on the way out."""
    proc = await asyncio.create_subprocess_exec(
        str(pinned_codex_path()),
        "app-server",
        "--strict-config",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=mock_codex_env(home),
        limit=1 << 24,
    )
    try:
        yield _JsonLines(proc)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def _one_turn(client: _JsonLines, workspace: Path) -> list[dict[str, Any]]:
    """Handshake, a thread and one turn; every message up to `turn/completed`."""
    info = {"name": "optio_codex_tests", "title": "tests", "version": "0"}
    await client.request("initialize", {"clientInfo": info})
    client.send({"method": "initialized"})
    started = await client.request(
        "thread/start",
        {"cwd": str(workspace), "sandbox": "workspace-write", "approvalPolicy": "on-request"},
    )
    await client.request(
        "turn/start",
        {"threadId": started["thread"]["id"], "input": [{"type": "text", "text": "say something"}]},
    )
    return await client.until("turn/completed")


async def test_codex_runs_against_model_server(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    home = tmp_path / "codex-home"
    async with ScriptedModelServer() as server:
        write_test_codex_home(home, server.base_url)
        server.script(text("scripted reply from the mock", chunk_size=6))
        async with _app_server(home) as client, asyncio.timeout(60):
            seen = await _one_turn(client, workspace)

    turn = seen[-1]["params"]["turn"]
    assert turn["status"] == "completed"
    deltas = [m["params"]["delta"] for m in seen if m.get("method") == "item/agentMessage/delta"]
    assert "".join(deltas) == "scripted reply from the mock"
    completed = [
        m["params"]["item"]
        for m in seen
        if m.get("method") == "item/completed" and m["params"]["item"]["type"] == "agentMessage"
    ]
    assert [item["text"] for item in completed] == ["scripted reply from the mock"]
    (request,) = server.responses_requests
    assert request.body["model"] == "mock-model" and request.body["stream"] is True
    tools = {tool.get("name") for tool in request.body["tools"]}
    assert {"exec_command", "apply_patch"} <= tools
    assert "authorization" not in request.headers
