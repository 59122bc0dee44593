"""SSH connections: host keys are always checked; accept-new is opt-in; a changed key is refused."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest

from optio_codex.hosts.optio_host_adapter import VerifiedRemoteHost, make_task_host
from optio_codex.hosts.ssh import HostConnectError, HostKeyError, connect_ssh
from optio_codex.testing.sshd import SshdInfo
from tests.conftest import ssh_target


async def test_known_host_connects(sshd: SshdInfo) -> None:
    conn = await connect_ssh(ssh_target(sshd))
    async with conn:
        result = await conn.run("echo connected", check=True)
        assert result.stdout == "connected\n"


async def test_unknown_host_is_refused_by_default(sshd: SshdInfo, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(HostKeyError, match="accept-new"):
        await connect_ssh(ssh_target(sshd, known_hosts=empty))


async def test_accept_new_records_the_key_then_refuses_a_change(
    sshd: SshdInfo, tmp_path: Path
) -> None:
    known = tmp_path / "ssh" / "known_hosts"
    conn = await connect_ssh(ssh_target(sshd, known_hosts=known, host_key_policy="accept-new"))
    conn.close()
    assert f"[127.0.0.1]:{sshd.port}" in known.read_text()
    # Same key again: accepted without change.
    conn = await connect_ssh(ssh_target(sshd, known_hosts=known))
    conn.close()
    # The host "was reinstalled": its recorded key no longer matches. Refused even under
    # accept-new.
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    known.write_text(f"[127.0.0.1]:{sshd.port} {other}\n")
    with pytest.raises(HostKeyError, match="does not match"):
        await connect_ssh(ssh_target(sshd, known_hosts=known, host_key_policy="accept-new"))


async def test_unreachable_host_fails_clearly(sshd: SshdInfo) -> None:
    with pytest.raises(HostConnectError, match="cannot connect"):
        await connect_ssh(ssh_target(sshd, port=1, connect_timeout=2))


async def test_optio_host_adapter_uses_the_verified_connection(
    sshd: SshdInfo, tmp_path: Path
) -> None:
    host = make_task_host(ssh_target(sshd), str(tmp_path / "task"))
    assert isinstance(host, VerifiedRemoteHost)
    await host.connect()
    try:
        await host.setup_workdir()
        await host.write_text("hello.txt", "hi")
        result = await host.run_command("cat hello.txt")
        assert result.stdout == "hi" and result.exit_code == 0
    finally:
        await host.disconnect()
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    refused = make_task_host(ssh_target(sshd, known_hosts=empty), str(tmp_path / "t2"))
    with pytest.raises(HostKeyError):
        await refused.connect()
