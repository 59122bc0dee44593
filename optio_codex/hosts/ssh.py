"""SSH connections to hosts, on asyncssh, with host keys always checked.

optio-host's RemoteHost connects with ``known_hosts=None`` (no host-key check) and puts
environment values into the exec string, so connections are made here instead.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import asyncssh

from optio_codex.hosts.errors import OptioCodexError

log = logging.getLogger(__name__)

HostKeyPolicy = Literal["strict", "accept-new"]


class HostKeyError(OptioCodexError, ConnectionError):
    """The host's key is unknown (under ``strict``) or differs from the recorded one."""


class HostKeyUnknown(HostKeyError):
    """known_hosts has no key for the host, and the policy is ``strict``."""


class HostKeyChanged(HostKeyError):
    """The host offers a key other than the one recorded (or a revoked one)."""


class HostConnectError(OptioCodexError, ConnectionError):
    """The host could not be reached or refused us."""


class HostUnreachable(HostConnectError):
    """Nothing answered: connection refused, timed out, or no route to the host."""


class HostNotFound(HostUnreachable):
    """The host name does not resolve."""


class AuthenticationFailed(HostConnectError):
    """The host refused our user name or key."""


class KeyFileMissing(AuthenticationFailed):
    """The private key file to log in with is not there (or cannot be read)."""


@dataclass(frozen=True, kw_only=True)
class SSHTarget:
    """Where and how to connect. Host keys are verified against ``known_hosts``."""

    host: str
    port: int = 22
    username: str | None = None
    client_keys: tuple[Path, ...] = ()
    known_hosts: Path = field(default_factory=lambda: Path.home() / ".ssh" / "known_hosts")
    # "accept-new" records the key of a host never seen before; a changed key is always refused.
    host_key_policy: HostKeyPolicy = "strict"
    connect_timeout: float = 15.0
    keepalive_interval: float = 15.0
    keepalive_count_max: int = 3

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("SSHTarget.host must not be empty")
        if not 0 < self.port < 65536:
            raise ValueError(f"SSHTarget.port {self.port} is out of range")
        if self.host_key_policy not in ("strict", "accept-new"):
            raise ValueError(
                f"SSHTarget.host_key_policy must be 'strict' or 'accept-new', "
                f"not {self.host_key_policy!r}"
            )
        if self.connect_timeout <= 0:
            raise ValueError("SSHTarget.connect_timeout must be positive")


def _known_hosts_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def recorded_key_line(path: Path, host: str, addr: str, port: int) -> int | None:
    """The number of the first line of ``path`` that holds a key for the host (hashed and
    pattern entries included), so a changed key can be named where it is recorded."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            trusted, _ca, revoked, *_ = asyncssh.import_known_hosts(line).match(host, addr, port)
        except (ValueError, asyncssh.Error):
            continue
        if trusted or revoked:
            return number
    return None


def _unknown(target: SSHTarget) -> HostKeyUnknown:
    path, name = target.known_hosts, target.host
    return HostKeyUnknown(
        f"the host key of {name}:{target.port} is unknown: {path} has no entry for it",
        hint=f"to trust it, run again with --accept-new-host-key (SSHConfig: host_key_policy="
        f"'accept-new'), or record it: ssh-keyscan -p {target.port} {name} >> {path}",
    )


def _changed(target: SSHTarget, addr: str, *, revoked: bool = False) -> HostKeyChanged:
    path = target.known_hosts
    line = recorded_key_line(path, target.host, addr, target.port)
    where = f"{path} line {line}" if line else str(path)
    what = "is revoked in" if revoked else "does not match the key recorded in"
    name = _known_hosts_name(target.host, target.port)
    return HostKeyChanged(
        f"the host key of {target.host}:{target.port} {what} {where}: refusing to connect",
        hint=f"if the host was reinstalled, remove the old key (ssh-keygen -R '{name}' -f "
        f"{path}) and connect again to record the new one; if not, the connection may be "
        "intercepted",
    )


class _HostKeyChecker(asyncssh.SSHClient):
    """Checks the server key against known_hosts; records it under accept-new."""

    def __init__(self, target: SSHTarget) -> None:
        self._target = target

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        target = self._target
        path = target.known_hosts
        trusted: list[asyncssh.SSHKey] = []
        if path.exists():
            known = asyncssh.read_known_hosts(str(path))
            trusted_keys, _ca, revoked, *_ = known.match(target.host, addr, target.port)
            if key in revoked:
                raise _changed(target, addr, revoked=True)
            trusted = list(trusted_keys)
        if trusted:
            if any(key.public_data == t.public_data for t in trusted):
                return True
            raise _changed(target, addr)
        if target.host_key_policy == "accept-new":
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            line = key.export_public_key("openssh").decode().strip()
            with path.open("a") as fh:
                fh.write(f"{_known_hosts_name(target.host, target.port)} {line}\n")
            log.warning(
                "accept-new: recorded the host key of %s:%s in %s", target.host, target.port, path
            )
            return True
        raise _unknown(target)


def _missing_keys(target: SSHTarget) -> KeyFileMissing | None:
    for key in target.client_keys:
        if not key.is_file():
            return KeyFileMissing(
                f"the SSH key {key} is not there",
                hint="pass the private key that logs in to the host with --key PATH "
                "(SSHConfig.key_path), or make one: ssh-keygen -t ed25519",
            )
    return None


def classify_connect_error(target: SSHTarget, exc: BaseException) -> HostConnectError:
    """What went wrong connecting, as the typed error that names the cause and the fix."""
    where = f"{target.host}:{target.port}"
    if isinstance(exc, socket.gaierror):
        return HostNotFound(
            f"cannot connect to {where}: the host name does not resolve ({exc.strerror})",
            hint="check the host name (--host user@host[:port])",
        )
    if isinstance(exc, ConnectionRefusedError):
        return HostUnreachable(
            f"cannot connect to {where}: connection refused (nothing listens on that port)",
            hint="check the port (--host user@host:port) and that sshd runs on the host",
        )
    if isinstance(exc, TimeoutError):
        return HostUnreachable(
            f"cannot connect to {where}: no answer within {target.connect_timeout:g}s",
            hint="check the host name and port, and that a firewall lets SSH through",
        )
    if isinstance(exc, asyncssh.PermissionDenied):
        keys = ", ".join(str(k) for k in target.client_keys) or "the default keys"
        return AuthenticationFailed(
            f"{where} refused to log in user {target.username!r} with {keys}",
            hint="check the user name (--host user@host) and that the key's public half is in "
            "that user's ~/.ssh/authorized_keys on the host",
        )
    if isinstance(exc, asyncssh.KeyImportError):
        return KeyFileMissing(
            f"cannot read the SSH key: {exc}",
            hint="pass an unencrypted OpenSSH private key with --key PATH",
        )
    if isinstance(exc, OSError) and not isinstance(exc, asyncssh.Error):
        return HostUnreachable(
            f"cannot connect to {where}: {exc.strerror or exc}",
            hint="check the host name and port, and the network between here and the host",
        )
    return HostConnectError(
        f"cannot connect to {where}: {exc}",
        hint="check that the host runs an SSH server that accepts public-key logins",
    )


async def connect_ssh(target: SSHTarget) -> asyncssh.SSHClientConnection:
    """Open one SSH connection; exec, SFTP and forwarding are multiplexed over it.

    Raises a :class:`HostKeyError` or :class:`HostConnectError` subclass naming the cause.
    """
    missing = _missing_keys(target)
    if missing is not None:
        raise missing
    options = asyncssh.SSHClientConnectionOptions(
        username=target.username,
        client_keys=[str(k) for k in target.client_keys] or None,
        # Not None: asyncssh then skips host-key checks entirely. Empty trust lists make it
        # ask _HostKeyChecker about every key, which also implements accept-new.
        known_hosts=([], [], []),
        keepalive_interval=target.keepalive_interval,
        keepalive_count_max=target.keepalive_count_max,
        connect_timeout=target.connect_timeout,
        agent_path=None,
        password=None,
        kbdint_auth=False,
        request_pty=False,
    )
    try:
        conn, _client = await asyncssh.create_connection(
            lambda: _HostKeyChecker(target), target.host, target.port, options=options
        )
    except HostKeyError:
        raise
    except asyncssh.HostKeyNotVerifiable as exc:
        raise HostKeyError(str(exc), hint="check the host's key in known_hosts") from exc
    except (TimeoutError, OSError, asyncssh.Error, asyncssh.KeyImportError) as exc:
        raise classify_connect_error(target, exc) from exc
    return conn
