"""A task's SSH host survives connection drops: real sshd, a real TCP relay that cuts, no mocks.

The relay sits between the client and sshd: ``cut()`` resets every live connection, as a
broken network path would; ``set_down(True)`` also refuses new ones until the network is back.
Measured times are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from optio_codex.hosts.optio_host_adapter import (
    PreservingLocalHost,
    VerifiedRemoteHost,
    make_task_host,
)
from optio_codex.hosts.reconnect import (
    ConnectionDropped,
    SshSession,
    run_detecting_drop,
    run_with_reconnect,
)
from optio_codex.hosts.ssh import HostConnectError, HostKeyError, SSHTarget, connect_ssh
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import SshdInfo
from tests.conftest import ssh_target

# Short backoff keeps the tests fast; production defaults are 0.1 s doubling to 5 s.
BACKOFF_MAX = 0.25


def _target(sshd: SshdInfo, relay: TcpRelay, **kw: Any) -> SSHTarget:
    return ssh_target(sshd, port=relay.port, **kw)


def _session(target: SSHTarget, reconnect_timeout: float = 10.0) -> SshSession:
    return SshSession(
        target,
        reconnect_timeout=reconnect_timeout,
        backoff_initial=0.05,
        backoff_max=BACKOFF_MAX,
    )


def _mode(path: Path | str) -> int:
    return Path(path).stat().st_mode & 0o777


@pytest.fixture
async def session(sshd: SshdInfo, relay: TcpRelay) -> AsyncIterator[SshSession]:
    s = _session(_target(sshd, relay))
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def direct(sshd: SshdInfo) -> AsyncIterator[asyncssh.SSHClientConnection]:
    """A connection to sshd that bypasses the relay, so cuts leave it alone."""
    conn = await connect_ssh(ssh_target(sshd))
    try:
        yield conn
    finally:
        conn.close()


async def _after(delay: float, relay: TcpRelay) -> None:
    await asyncio.sleep(delay)
    await relay.cut()


async def _go_down(session: SshSession, relay: TcpRelay) -> None:
    """Take the network down and wait until the session has noticed."""
    noticed = asyncio.Event()
    remove = session.on_lost(lambda generation: noticed.set())
    try:
        relay.set_down(True)
        await asyncio.wait_for(noticed.wait(), 10.0)
    finally:
        remove()


# -- SshSession


async def test_a_cut_is_noticed_and_repaired(session: SshSession, relay: TcpRelay) -> None:
    lost: list[int] = []
    restored: list[int] = []
    session.on_lost(lost.append)
    session.on_restored(restored.append)
    first = await session.connect()
    assert session.generation == 1 and session.connected

    cut_at = time.monotonic()
    assert await relay.cut() == 1
    second = await session.connection()
    assert second is not first and first.is_closed()
    assert session.generation == 2 and lost == [1] and restored == [2]
    assert (await second.run("echo back", check=True)).stdout == "back\n"
    assert session.lost_at is not None and session.restored_at is not None
    assert cut_at <= session.lost_at <= session.restored_at  # lost by the cut, then repaired
    noticed = session.lost_at - cut_at
    repaired = session.restored_at - cut_at
    print(f"\ncut: noticed after {noticed * 1000:.1f} ms, reconnected after {repaired:.3f} s")

    await session.close()
    await session.close()  # idempotent
    with pytest.raises(ConnectionError, match="closed"):
        await session.connection()
    assert second.is_closed()


async def test_an_outage_is_waited_out(session: SshSession, relay: TcpRelay) -> None:
    await session.connect()
    await _go_down(session, relay)
    waiting = asyncio.create_task(session.connection())
    try:
        await asyncio.sleep(1.0)
        assert not waiting.done()
        assert relay.stats.dropped >= 3  # it kept trying while the network was down
        up_at = time.monotonic()
        relay.set_down(False)
        # Waited out, not given up: the reconnect_timeout (10 s) is not spent yet.
        conn = await asyncio.wait_for(waiting, 10.0)
    finally:
        relay.set_down(False)
        waiting.cancel()
    assert not conn.is_closed() and session.generation == 2
    assert session.restored_at is not None and session.last_outage is not None
    assert session.restored_at >= up_at  # reconnected once the network was back
    up_to_reconnected = session.restored_at - up_at
    print(
        f"\noutage {session.last_outage:.2f}s: network up -> reconnected in "
        f"{up_to_reconnected * 1000:.0f} ms ({session.last_reconnect_attempts} attempts, "
        f"backoff max {BACKOFF_MAX}s)"
    )


async def test_giving_up_after_reconnect_timeout(sshd: SshdInfo, relay: TcpRelay) -> None:
    session = _session(_target(sshd, relay), reconnect_timeout=1.0)
    try:
        await session.connect()
        await _go_down(session, relay)
        async with asyncio.timeout(10.0):  # 10x reconnect_timeout: it does give up
            with pytest.raises(HostConnectError, match=r"could not reconnect for \d+\.\ds"):
                await session.connection()
        # Not before its reconnect_timeout: the outage had lasted 1 s when it gave up.
        assert session.lost_at is not None
        assert time.monotonic() - session.lost_at >= 1.0
    finally:
        relay.set_down(False)
        await session.close()


async def test_concurrent_callers_share_one_reconnect(session: SshSession, relay: TcpRelay) -> None:
    await session.connect()
    await relay.cut()
    conns = await asyncio.gather(*(session.connection() for _ in range(10)))
    assert all(c is conns[0] for c in conns)
    assert session.generation == 2
    assert relay.stats.accepted == 2  # the first connection and one reconnect


async def test_a_changed_host_key_is_not_retried(
    sshd: SshdInfo, relay: TcpRelay, tmp_path: Path
) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(f"[{sshd.host}]:{relay.port} {sshd.host_public_key}\n")
    session = _session(_target(sshd, relay, known_hosts=known), reconnect_timeout=30.0)
    try:
        await session.connect()
        other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
        known.write_text(f"[{sshd.host}]:{relay.port} {other}\n")  # "the host was reinstalled"
        await relay.cut()
        # Raised by the first attempt, not after retrying until reconnect_timeout (30 s).
        async with asyncio.timeout(10.0):
            with pytest.raises(HostKeyError, match="does not match"):
                await session.connection()
        attempts = relay.stats.accepted
        await asyncio.sleep(0.5)
        # No retry loop behind our back: with this backoff it would have tried ~5 more times.
        assert relay.stats.accepted == attempts <= 3
    finally:
        await session.close()


async def test_run_with_reconnect_repeats_only_what_may_be_repeated(
    session: SshSession, relay: TcpRelay
) -> None:
    await session.connect()

    calls = 0

    async def not_a_loss(conn: asyncssh.SSHClientConnection) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("a bug, not the network")

    with pytest.raises(ValueError):
        await run_with_reconnect(session, not_a_loss, idempotent=True)
    assert calls == 1

    async def cut_under_the_first_run(conn: asyncssh.SSHClientConnection) -> str:
        nonlocal calls
        calls += 1
        cutter = asyncio.create_task(_after(0.2, relay)) if calls == 1 else None
        try:
            result = await run_detecting_drop(conn, "sleep 0.5; echo ran", check=True)
        finally:
            if cutter is not None:
                await cutter
        return str(result.stdout)

    calls = 0
    with pytest.raises(ConnectionDropped, match="not safe to repeat"):
        await run_with_reconnect(session, cut_under_the_first_run, idempotent=False)
    assert calls == 1

    calls = 0
    assert await run_with_reconnect(session, cut_under_the_first_run, idempotent=True) == "ran\n"
    assert calls == 2
    assert session.generation == 3


# -- VerifiedRemoteHost


async def _host(sshd: SshdInfo, relay: TcpRelay, taskdir: Path, **kw: Any) -> VerifiedRemoteHost:
    target = _target(sshd, relay)
    host = VerifiedRemoteHost(None, str(taskdir), session=_session(target), **kw)
    await host.connect()
    return host


async def test_run_command_survives_a_cut(sshd: SshdInfo, relay: TcpRelay, tmp_path: Path) -> None:
    host = await _host(sshd, relay, tmp_path / "task")
    try:
        await host.setup_workdir()
        assert (await host.run_command("echo one")).stdout == "one\n"
        await relay.cut()
        two = await host.run_command("echo two")
        assert two.stdout == "two\n" and two.exit_code == 0
        assert host.session.generation == 2 and host.connection is host._conn

        # A cut while the command runs: it is run again on the new connection. The first run
        # may still finish on the host (sshd does not kill it), so it can run twice.
        cutter = asyncio.create_task(_after(0.2, relay))
        three = await host.run_command("sleep 0.5; echo x >> runs; echo done")
        await cutter
        assert three.stdout == "done\n" and three.exit_code == 0
        assert host.session.generation == 3
        await asyncio.sleep(0.5)
        runs = (await host.run_command("cat runs")).stdout.count("x")
        print(f"\ncommand cut mid-run ran {runs} time(s)")
        assert runs in (1, 2)

        cutter = asyncio.create_task(_after(0.2, relay))
        with pytest.raises(ConnectionDropped):
            await host.run_command("sleep 0.5", retry=False)
        await cutter

        # The SFTP-based methods work on the new connection too.
        await relay.cut()
        await host.write_text("a.txt", "written after a cut")
        assert await host.fetch_bytes_from_host(f"{host.workdir}/a.txt") == b"written after a cut"
        await relay.cut()
        assert await host.glob(f"{host.workdir}/*.txt") == [f"{host.workdir}/a.txt"]
    finally:
        await host.disconnect()


async def test_tail_file_across_three_cuts_yields_each_line_once(
    sshd: SshdInfo,
    relay: TcpRelay,
    direct: asyncssh.SSHClientConnection,
    tmp_path: Path,
) -> None:
    host = await _host(sshd, relay, tmp_path / "task")
    log = tmp_path / "optio.log"
    log.write_text("")
    count = 200
    # Each line is written in two parts, so cuts also land between a line's halves.
    writer_script = (
        f'i=1; while [ $i -le {count} ]; do printf "L%04d" $i >> {log}; sleep 0.01; '
        f'printf " end\\n" >> {log}; i=$((i+1)); done; echo END >> {log}'
    )
    got: list[str] = []

    async def consume() -> None:
        async for line in host.tail_file(str(log)):
            if line == "END":
                return
            got.append(line)

    consumer = asyncio.create_task(consume())
    writer = asyncio.create_task(direct.run(writer_script, check=True))
    try:
        for _ in range(3):
            await asyncio.sleep(0.4)
            assert not writer.done()  # each cut lands while lines are still being written
            await relay.cut()
        await asyncio.wait_for(writer, 10.0)
        await asyncio.wait_for(consumer, 10.0)
    finally:
        writer.cancel()
        consumer.cancel()
        await host.disconnect()
    assert got == [f"L{i:04d} end" for i in range(1, count + 1)]
    assert host.session.generation == 4
    # The tails of the cut connections did not stay behind on the host.
    leftover = ""
    for _ in range(20):
        leftover = str((await direct.run(f"pgrep -af 'tail -F.*{log}'", check=False)).stdout or "")
        if not leftover:
            break
        await asyncio.sleep(0.1)
    assert leftover == ""


async def test_tail_file_yields_a_line_cut_in_half_once(
    sshd: SshdInfo, relay: TcpRelay, tmp_path: Path
) -> None:
    host = await _host(sshd, relay, tmp_path / "task")
    log = tmp_path / "optio.log"
    log.write_bytes(b"first\r\nhal")
    got: list[str] = []
    arrived = asyncio.Event()

    async def consume() -> None:
        async for line in host.tail_file(str(log)):
            got.append(line)
            arrived.set()

    consumer = asyncio.create_task(consume())
    try:
        await asyncio.wait_for(arrived.wait(), 5.0)
        await asyncio.sleep(0.2)  # "hal" has reached the tail's buffer too
        await relay.cut()
        await host.session.wait_connected()
        with log.open("ab") as fh:
            fh.write(b"f a line\nlast\n")
        for _ in range(50):
            if len(got) == 3:
                break
            await asyncio.sleep(0.05)
        assert got == ["first", "half a line", "last"]
        assert host.session.generation == 2
        # disconnect() ends the tail.
        await host.disconnect()
        await asyncio.wait_for(consumer, 2.0)
    finally:
        consumer.cancel()
        await host.disconnect()


async def test_tail_file_ends_when_its_tail_is_killed(
    sshd: SshdInfo,
    relay: TcpRelay,
    direct: asyncssh.SSHClientConnection,
    tmp_path: Path,
) -> None:
    host = await _host(sshd, relay, tmp_path / "task")
    log = tmp_path / "optio.log"
    log.write_text("one\n")
    got: list[str] = []

    async def consume() -> None:
        async for line in host.tail_file(str(log)):
            got.append(line)

    consumer = asyncio.create_task(consume())
    try:
        for _ in range(50):
            if got:
                break
            await asyncio.sleep(0.05)
        await direct.run(f"pkill -f '^tail -F -c \\+1 {log}'", check=True)
        await asyncio.wait_for(consumer, 3.0)  # as RemoteHost's: the tail ended, so do we
        assert got == ["one"] and host.session.generation == 1
        # As with RemoteHost, a disconnected host can connect again.
        await host.disconnect()
        await host.connect()
        assert (await host.run_command("echo again", cwd="/")).stdout == "again\n"
    finally:
        consumer.cancel()
        await host.disconnect()


async def test_setup_workdir_wipes_unless_preserving(
    sshd: SshdInfo, relay: TcpRelay, tmp_path: Path
) -> None:
    for preserve in (False, True):
        taskdir = tmp_path / f"remote-{preserve}"
        host = await _host(sshd, relay, taskdir, preserve_workdir=preserve)
        try:
            await host.setup_workdir()
            assert _mode(taskdir) == _mode(taskdir / "workdir") == 0o700
            await host.write_text("state.txt", "from the first run")
            await relay.cut()  # setup_workdir also survives a drop
            await host.setup_workdir()
            assert (taskdir / "workdir" / "state.txt").exists() is preserve
        finally:
            await host.disconnect()

    for preserve in (False, True):
        local = make_task_host(None, str(tmp_path / f"local-{preserve}"), preserve_workdir=preserve)
        assert isinstance(local, PreservingLocalHost)
        await local.setup_workdir()
        assert _mode(local.taskdir) == _mode(local.workdir) == 0o700
        await local.write_text("state.txt", "from the first run")
        await local.setup_workdir()
        assert (Path(local.workdir) / "state.txt").exists() is preserve
