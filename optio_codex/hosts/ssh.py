"""SSH connections to hosts, on asyncssh, with host keys always checked.

optio-host's RemoteHost connects with ``known_hosts=None`` (no host-key check) and puts
environment values into the exec string, so connections are made here instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import asyncssh

log = logging.getLogger(__name__)

HostKeyPolicy = Literal["strict", "accept-new"]


class HostKeyError(ConnectionError):
    """The host's key is unknown (under ``strict``) or differs from the recorded one."""


class HostConnectError(ConnectionError):
    """The host could not be reached or refused us."""


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
                raise HostKeyError(f"host key of {target.host}:{target.port} is revoked")
            trusted = list(trusted_keys)
        if trusted:
            if any(key.public_data == t.public_data for t in trusted):
                return True
            raise HostKeyError(
                f"host key of {target.host}:{target.port} does not match {path}: "
                "refusing to connect (the host was reinstalled, or this is an attack)"
            )
        if target.host_key_policy == "accept-new":
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            line = key.export_public_key("openssh").decode().strip()
            with path.open("a") as fh:
                fh.write(f"{_known_hosts_name(target.host, target.port)} {line}\n")
            log.warning(
                "accept-new: recorded the host key of %s:%s in %s", target.host, target.port, path
            )
            return True
        raise HostKeyError(
            f"host {target.host}:{target.port} is not in {path}; add its key there, "
            "or opt in to host_key_policy='accept-new'"
        )


async def connect_ssh(target: SSHTarget) -> asyncssh.SSHClientConnection:
    """Open one SSH connection; exec, SFTP and forwarding are multiplexed over it."""
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
        raise HostKeyError(str(exc)) from exc
    except (TimeoutError, OSError, asyncssh.Error) as exc:
        raise HostConnectError(f"cannot connect to {target.host}:{target.port}: {exc}") from exc
    return conn
