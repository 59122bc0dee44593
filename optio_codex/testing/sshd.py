"""A real OpenSSH sshd on a loopback port, for tests and the offline demo.

The in-process asyncssh server is faster but is not sshd: it neither filters environment
variables, runs a login shell nor enforces sshd's forwarding rules. This runs the Debian
``/usr/sbin/sshd`` with its own generated host key, client key and authorized_keys, so the code
under test meets the server it meets in production, host-key verification included.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

from optio_codex.hosts.ssh import SSHTarget
from optio_codex.testing.processes import LOOPBACK, ServiceStartError
from optio_codex.testing.service import ProcessService

SSHD_PATH = "/usr/sbin/sshd"
# sshd refuses to start as root without its privilege-separation directory.
PRIVSEP_DIR = Path("/run/sshd")


@dataclass(frozen=True)
class SshdInfo:
    """Everything a client needs to log in with a verified host key."""

    host: str
    port: int
    username: str
    client_key_path: Path
    known_hosts_path: Path
    host_public_key: str


# --- sshd -----------------------------------------------------------------------------------


def _read_banner(host: str, port: int, timeout: float = 1.0) -> bool:
    """True once the port accepts and the server sends its SSH identification line."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            return sock.recv(256).startswith(b"SSH-2.0-")
    except OSError:
        return False


def _account_locked(username: str) -> bool:
    """Whether /etc/shadow marks the account locked; unreadable (non-root) means unknown."""
    try:
        lines = Path("/etc/shadow").read_text().splitlines()
    except OSError:
        return False
    for line in lines:
        name, _, rest = line.partition(":")
        if name == username:
            return rest.startswith("!")
    return False


def _write_key(key: asyncssh.SSHKey, path: Path) -> None:
    """Write an OpenSSH private key with the 0600 mode ssh insists on."""
    key.write_private_key(str(path), "openssh")
    path.chmod(0o600)


def _sshd_config(workdir: Path, port: int) -> str:
    """A minimal, loopback-only sshd_config: keys only, no pty, no env, streamlocal allowed."""
    lines = [
        f"Port {port}",
        f"ListenAddress {LOOPBACK}",
        f"HostKey {workdir / 'ssh_host_ed25519_key'}",
        f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {workdir / 'authorized_keys'}",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "HostbasedAuthentication no",
        # Running as root we log in as root; keys only.
        "PermitRootLogin prohibit-password",
        "UsePAM no",
        # Our files live in a temp dir whose ownership sshd would otherwise reject.
        "StrictModes no",
        # The terminal UI (mode="iframe") attaches a tmux client in a pty, as a browser's
        # terminal; everything else asks for none.
        "PermitTTY yes",
        "X11Forwarding no",
        "AllowAgentForwarding no",
        "AllowTcpForwarding yes",
        # Clients tunnel to the app-server's unix socket (direct-streamlocal).
        "AllowStreamLocalForwarding yes",
        "StreamLocalBindUnlink yes",
        # Many channels multiplexed over one connection, and parallel test connections.
        "MaxSessions 64",
        "MaxStartups 64:30:128",
        "PermitUserEnvironment no",
        "PrintMotd no",
        "PrintLastLog no",
        "UseDNS no",
        "LoginGraceTime 30",
        "LogLevel INFO",
        # internal-sftp needs no helper binary.
        "Subsystem sftp internal-sftp",
        # No AcceptEnv line: sshd accepts no client environment variables.
    ]
    return "\n".join(lines) + "\n"


class LoopbackSshd(ProcessService[SshdInfo, SshdInfo]):
    """Runs ``/usr/sbin/sshd -D -e -f <cfg>`` on a free 127.0.0.1 port.

    Logs in as the current user (root included, by key). Use as ``async with LoopbackSshd() as
    info:`` or call `start` / `stop` (or `start_sync` / `stop_sync`).
    """

    name = "sshd"
    output_name = log_name = "sshd.log"

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        sshd_path: str = SSHD_PATH,
        startup_timeout: float = 10.0,
    ) -> None:
        super().__init__(workdir, startup_timeout=startup_timeout)
        self._sshd_path = sshd_path
        self._info: SshdInfo | None = None

    @property
    def info(self) -> SshdInfo:
        if self._info is None or not self.running:
            raise RuntimeError("LoopbackSshd is not running")
        return self._info

    def _entered(self) -> SshdInfo:
        return self.info

    # -- what is sshd's own

    def _start_in(self, workdir: Path) -> SshdInfo:
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        client_key = asyncssh.generate_private_key("ssh-ed25519", comment=f"optio-test@{LOOPBACK}")
        _write_key(host_key, workdir / "ssh_host_ed25519_key")
        _write_key(client_key, workdir / "client_ed25519")
        client_key.write_public_key(str(workdir / "client_ed25519.pub"))
        (workdir / "authorized_keys").write_bytes(client_key.export_public_key())
        host_public = host_key.export_public_key().decode().strip()

        port = self._launch_with_retries(workdir)
        known_hosts = workdir / "known_hosts"
        known_hosts.write_text(f"[{LOOPBACK}]:{port} {host_public}\n")
        self._info = SshdInfo(
            host=LOOPBACK,
            port=port,
            username=pwd.getpwuid(os.getuid()).pw_name,
            client_key_path=workdir / "client_ed25519",
            known_hosts_path=known_hosts,
            host_public_key=host_public,
        )
        return self._info

    def _command(self, workdir: Path, port: int) -> list[str]:
        config = workdir / "sshd_config"
        config.write_text(_sshd_config(workdir, port))
        return [self._sshd_path, "-D", "-e", "-f", str(config)]

    def _probe(self, port: int) -> AbstractContextManager[Callable[[], bool]]:
        return contextlib.nullcontext(lambda: _read_banner(LOOPBACK, port))

    def _check_environment(self) -> None:
        if not os.path.isabs(self._sshd_path):
            # sshd re-executes itself and requires an absolute path.
            raise ValueError(f"sshd path must be absolute: {self._sshd_path!r}")
        if not os.access(self._sshd_path, os.X_OK):
            raise ServiceStartError(
                f"{self._sshd_path} not found: install Debian openssh-server "
                "(apt-get install openssh-server)"
            )
        if os.geteuid() == 0:
            _ensure_privsep_root()
        username = pwd.getpwuid(os.getuid()).pw_name
        if _account_locked(username):
            raise ServiceStartError(
                f"account {username!r} is locked ('!' in /etc/shadow): sshd with UsePAM no refuses "
                f"it even for key logins; unlock it with: usermod -p '*' {username}"
            )


def _ensure_privsep_root() -> None:
    try:
        pwd.getpwnam("sshd")
    except KeyError:
        raise ServiceStartError(
            "sshd running as root needs the 'sshd' privilege-separation user: "
            "install Debian openssh-server (apt-get install openssh-server)"
        ) from None
    # The apt install creates it, but /run is a tmpfs that may have been reset.
    PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)


def ssh_target(info: SshdInfo, port: int | None = None, **kw: Any) -> SSHTarget:
    """Connect to ``info`` (or a relay in front of it on ``port``) with its host key pinned."""
    if port and port != info.port and "known_hosts" not in kw:
        # known_hosts entries are per host *and* port: the relay's address needs its own.
        relayed = info.known_hosts_path.with_name(f"known_hosts-{port}")
        relayed.write_text(f"[{info.host}]:{port} {info.host_public_key}\n")
        kw["known_hosts"] = relayed
    kw.setdefault("known_hosts", info.known_hosts_path)
    return SSHTarget(
        host=info.host,
        port=port or info.port,
        username=info.username,
        client_keys=(info.client_key_path,),
        **kw,
    )
