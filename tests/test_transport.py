"""Transports: stderr is always drained and bounded, and its tail reaches every failure."""

from __future__ import annotations

import asyncio

import pytest

from optio_codex.protocol.endpoint import JsonRpcEndpoint
from optio_codex.protocol.errors import ConnectionLost
from optio_codex.transport.local import spawn_local_app_server
from optio_codex.transport.ssh_exec import build_exec_command
from optio_codex.transport.stderr_ring import StderrRing


def test_stderr_ring_keeps_only_the_tail() -> None:
    ring = StderrRing(max_bytes=100)
    for i in range(1000):
        ring.feed(f"line {i}\n".encode())
    assert ring.total_bytes > 5000
    assert ring.tail().splitlines()[-1] == "line 999"
    assert len(ring.tail().encode()) <= 100


async def test_stderr_tail_reaches_the_failure() -> None:
    server = await spawn_local_app_server(
        ["/bin/sh", "-c", "echo 'fatal: config is broken' >&2; sleep 0.2; exit 3"], env={}
    )
    endpoint = JsonRpcEndpoint(server.stream)
    endpoint.start()
    with pytest.raises(ConnectionLost) as info:
        await endpoint.request("initialize", timeout=5)
    assert "fatal: config is broken" in str(info.value)
    assert await server.stop() == 3


async def test_much_stderr_does_not_stall_stdout() -> None:
    # 8 MB of stderr before the first stdout line: undrained, the pipe would block the child.
    script = "head -c 8000000 /dev/zero | tr '\\0' x >&2; echo '{\"method\":\"hi\"}'"
    server = await spawn_local_app_server(["/bin/sh", "-c", script], env={})
    seen: list[str] = []
    endpoint = JsonRpcEndpoint(server.stream, on_notification=lambda m, p: seen.append(m))
    endpoint.start()
    await asyncio.wait_for(endpoint.wait_closed(), 20)
    assert seen == ["hi"]
    assert server.stderr.total_bytes == 8_000_000
    await server.stop()


async def test_stop_kills_the_whole_process_group() -> None:
    server = await spawn_local_app_server(
        ["/bin/sh", "-c", "sleep 300 & echo $! ; exec sleep 300"], env={}
    )
    child = int((await server.stream.read()).split()[0])
    await server.stop(grace=0.2)
    await asyncio.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan waits for init to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_exec_command_runs_under_sh_with_an_explicit_environment() -> None:
    command = build_exec_command(["/opt/codex", "app-server"], {"HOME": "/h w"}, cwd="/work dir")
    assert command.startswith("exec /bin/sh -c ")
    assert "env -i" in command and "'HOME=/h w'" in command
