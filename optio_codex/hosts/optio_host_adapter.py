"""optio-host Hosts whose SSH connection is ours: host key verified, keepalives, timeouts.

optio-agents' log-protocol driver (optio.log tail, deliverables, hooks) works on optio-host's
``Host``. Its ``RemoteHost`` connects with ``known_hosts=None``, so this subclass replaces only
the connect step with :func:`optio_codex.hosts.ssh.connect_ssh` and keeps the rest. It never
passes secrets through ``run_command(env=...)``, which optio-host turns into ``export K=V;``
in the exec string.
"""

from __future__ import annotations

import asyncssh
from optio_host.host import LocalHost, RemoteHost
from optio_host.types import SSHConfig as OptioHostSSHConfig

from optio_codex.hosts.ssh import SSHTarget, connect_ssh


class VerifiedRemoteHost(RemoteHost):  # type: ignore[misc]
    """A RemoteHost on a connection whose host key was checked."""

    def __init__(self, target: SSHTarget, taskdir: str) -> None:
        super().__init__(
            OptioHostSSHConfig(
                host=target.host,
                user=target.username or "",
                key_path=str(target.client_keys[0]) if target.client_keys else "",
                port=target.port,
            ),
            taskdir,
        )
        self.target = target

    async def connect(self) -> None:
        # optio-host keeps its connection in these two attributes (pinned optio-host <0.5).
        self._compressor = None
        self._tar_version = None
        self._conn = await connect_ssh(self.target)
        self._sftp = await self._conn.start_sftp_client()

    @property
    def connection(self) -> asyncssh.SSHClientConnection:
        if self._conn is None:
            raise RuntimeError("host is not connected")
        conn: asyncssh.SSHClientConnection = self._conn
        return conn


def make_task_host(target: SSHTarget | None, taskdir: str) -> LocalHost | VerifiedRemoteHost:
    """The optio-host Host for one task: local when ``target`` is None."""
    if target is None:
        return LocalHost(taskdir)
    return VerifiedRemoteHost(target, taskdir)
