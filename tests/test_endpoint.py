"""The JSON-RPC endpoint against byte streams a real server cannot be made to send."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optio_codex.protocol.endpoint import EndpointLimits, JsonRpcEndpoint, ServerRequest
from optio_codex.protocol.errors import (
    ConnectionLost,
    InvalidRequestError,
    RequestTimeout,
    ServerOverloadedError,
)
from tests.support.memstream import MemoryStream


async def next_sent(stream: MemoryStream) -> dict[str, Any]:
    data = await asyncio.wait_for(stream.sent.get(), 2)
    return json.loads(data)


def reply(stream: MemoryStream, msg: dict[str, Any]) -> None:
    stream.feed(json.dumps(msg).encode() + b"\n")


async def test_request_reply_and_error_mapping() -> None:
    s = MemoryStream()
    ep = JsonRpcEndpoint(s)
    ep.start()
    call = asyncio.create_task(ep.request("model/list"))
    sent = await next_sent(s)
    assert sent == {"id": 0, "method": "model/list", "params": {}}
    reply(s, {"id": 0, "result": {"data": []}})
    assert await call == {"data": []}

    call = asyncio.create_task(ep.request("turn/steer", {"x": 1}))
    sent = await next_sent(s)
    reply(s, {"id": sent["id"], "error": {"code": -32600, "message": "no active turn to steer"}})
    with pytest.raises(InvalidRequestError) as info:
        await call
    assert info.value.code == -32600 and "no active turn" in str(info.value)
    assert "test stderr line" in str(info.value)  # every failure carries the stderr tail
    await ep.aclose()


async def test_server_request_ids_are_a_separate_space() -> None:
    s = MemoryStream()
    seen: list[ServerRequest] = []
    ep = JsonRpcEndpoint(s, on_request=seen.append)
    ep.start()
    call = asyncio.create_task(ep.request("thread/start"))
    sent = await next_sent(s)
    # The server's request 0 collides with our request 0 by number only.
    reply(s, {"id": sent["id"], "method": "item/commandExecution/requestApproval", "params": {}})
    await asyncio.sleep(0.01)
    assert not call.done()
    assert seen and seen[0].id == 0
    reply(s, {"id": sent["id"], "result": {"ok": True}})
    assert await call == {"ok": True}
    await ep.aclose()


async def test_unhandled_server_request_gets_an_error_reply() -> None:
    s = MemoryStream()
    ep = JsonRpcEndpoint(s)
    ep.start()
    reply(s, {"id": 7, "method": "item/tool/call", "params": {}})
    sent = await next_sent(s)
    assert sent["id"] == 7 and sent["error"]["code"] == -32603
    await ep.aclose()


async def test_timeout_and_in_flight_cap() -> None:
    s = MemoryStream()
    ep = JsonRpcEndpoint(s, limits=EndpointLimits(request_timeout=0.2, max_in_flight=2))
    ep.start()
    calls = [asyncio.create_task(ep.request("m", {"i": i})) for i in range(3)]
    await asyncio.sleep(0.05)
    assert s.sent.qsize() == 2  # the third waits for a slot
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, RequestTimeout) for r in results)
    assert ep.stats.timeouts == 3
    await ep.aclose()


async def test_overload_is_retried_then_succeeds() -> None:
    s = MemoryStream()
    limits = EndpointLimits(overload_backoff_base=0.001, overload_backoff_max=0.005)
    ep = JsonRpcEndpoint(s, limits=limits)
    ep.start()
    call = asyncio.create_task(ep.request("model/list"))
    for _ in range(3):
        sent = await next_sent(s)
        reply(s, {"id": sent["id"], "error": {"code": -32001, "message": "Server overloaded"}})
    sent = await next_sent(s)
    reply(s, {"id": sent["id"], "result": 42})
    assert await call == 42
    assert ep.stats.overload_retries == 3
    await ep.aclose()


async def test_overload_retries_are_bounded() -> None:
    s = MemoryStream()
    limits = EndpointLimits(
        overload_retries=2, overload_backoff_base=0.001, overload_backoff_max=0.002
    )
    ep = JsonRpcEndpoint(s, limits=limits)
    ep.start()
    call = asyncio.create_task(ep.request("model/list"))
    for _ in range(3):
        sent = await next_sent(s)
        reply(s, {"id": sent["id"], "error": {"code": -32001, "message": "overloaded"}})
    with pytest.raises(ServerOverloadedError):
        await call
    await ep.aclose()


async def test_connection_loss_settles_every_waiter_once() -> None:
    s = MemoryStream()
    reasons: list[str] = []
    ep = JsonRpcEndpoint(s, on_close=reasons.append)
    ep.start()
    calls = [asyncio.create_task(ep.request("m")) for _ in range(5)]
    await asyncio.sleep(0.01)
    s.eof()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, ConnectionLost) for r in results)
    assert reasons == ["app-server closed its output"]
    with pytest.raises(ConnectionLost):
        await ep.request("later")  # later calls fail at once
    await ep.aclose()
    assert reasons == ["app-server closed its output"]


async def test_write_failure_is_a_connection_loss() -> None:
    s = MemoryStream()
    ep = JsonRpcEndpoint(s)
    ep.start()
    s.fail_writes = True
    with pytest.raises(ConnectionLost):
        await ep.request("m")
    assert ep.closed


async def test_malformed_and_oversized_lines_are_counted_not_fatal() -> None:
    s = MemoryStream()
    notes: list[str] = []
    ep = JsonRpcEndpoint(
        s, limits=EndpointLimits(max_line_bytes=100), on_notification=lambda m, p: notes.append(m)
    )
    ep.start()
    s.feed(b"not json\n[1,2]\n{}\n" + b'{"method":"big","params":{"x":"' + b"y" * 200 + b'"}}\n')
    s.feed(b'{"id":99,"result":1}\n{"method":"ok","params":{}}\n')
    await asyncio.sleep(0.02)
    assert notes == ["ok"]
    assert ep.stats.malformed == 3
    assert ep.stats.oversized == 1
    assert ep.stats.unmatched_responses == 1
    assert not ep.closed
    await ep.aclose()


async def test_handler_exceptions_do_not_stop_the_reader() -> None:
    s = MemoryStream()
    seen: list[str] = []

    def handler(method: str, params: dict[str, Any]) -> None:
        seen.append(method)
        if method == "boom":
            raise RuntimeError("subscriber bug")

    ep = JsonRpcEndpoint(s, on_notification=handler)
    ep.start()
    s.feed(b'{"method":"boom"}\n{"method":"after"}\n')
    await asyncio.sleep(0.02)
    assert seen == ["boom", "after"] and ep.stats.handler_errors == 1
    await ep.aclose()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
messages = st.one_of(
    st.binary(max_size=60),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {
            "id": st.one_of(st.integers(-2, 5), st.text(max_size=3), st.none()),
            "method": st.one_of(st.text(max_size=10), st.integers()),
        },
        optional={"params": json_values, "result": json_values, "error": json_values},
    ).map(lambda v: json.dumps(v).encode()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, max_size=25), st.integers(1, 7))
async def test_random_streams_never_hang_or_escape(lines: list[bytes], split: int) -> None:
    s = MemoryStream()
    ep = JsonRpcEndpoint(
        s,
        limits=EndpointLimits(request_timeout=1.0, max_line_bytes=200),
        on_notification=lambda m, p: None,
        on_request=lambda r: None,
    )
    ep.start()
    pending = asyncio.create_task(ep.request("m"))
    blob = b"\n".join(lines) + b"\n"
    for i in range(0, len(blob), split * 13):
        s.feed(blob[i : i + split * 13])
    s.eof()
    reason = await asyncio.wait_for(ep.wait_closed(), 2)
    assert reason == "app-server closed its output"  # the reader ended by EOF, not a crash
    result = await asyncio.gather(pending, return_exceptions=True)
    assert result  # settled: a reply from the random stream, an error, or ConnectionLost
    await ep.aclose()
