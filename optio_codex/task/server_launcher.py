"""Starts a task's app-server where the task runs, attached or detached, and finds it again.

- attached: the app-server's stdio is our channel (a local child, or an SSH exec channel);
  when the channel goes, so does the server. The local default.
- detached: the server runs in its own session, listening on a unix socket in the task
  directory; we connect to the socket (directly, or over SSH direct-streamlocal) and can
  connect again after a drop or after a worker restart. The remote default.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from optio_codex.hosts.detached_server import (
    DetachedAppServer,
    LocalDialer,
    SocketDialer,
    SshDialer,
    attach_detached_app_server,
    start_detached_app_server,
)
from optio_codex.hosts.host_scripts import HostOps, LiveSshOps, LocalOps
from optio_codex.hosts.launch import app_server_argv
from optio_codex.hosts.provision import TaskPaths
from optio_codex.hosts.server_process import DetachedProcess
from optio_codex.protocol.streams import AppServerGone
from optio_codex.transport.local import spawn_local_app_server
from optio_codex.transport.socket import ConnectionSource
from optio_codex.transport.ssh_exec import spawn_ssh_app_server

log = logging.getLogger(__name__)

TransportKind = Literal["attached", "detached"]
SOCKET_NAME = "app-server.sock"
LOG_NAME = "app-server.log"


@dataclass
class ServerLauncher:
    """Everything needed to start this task's app-server again and again."""

    kind: TransportKind
    binary: str
    paths: TaskPaths
    env: Mapping[str, str]
    remote: ConnectionSource | None = None  # None: the worker itself
    start_timeout: float = 30.0
    launches: int = 0

    @property
    def socket_path(self) -> str:
        return f"{self.paths.task_dir}/{SOCKET_NAME}"

    @property
    def log_path(self) -> str:
        return f"{self.paths.task_dir}/{LOG_NAME}"

    def dialer(self) -> SocketDialer:
        return SshDialer(self.remote) if self.remote is not None else LocalDialer()

    def ops(self) -> HostOps:
        return LiveSshOps(self.remote) if self.remote is not None else LocalOps()

    async def launch(self) -> Any:
        """A new app-server on the task's CODEX_HOME (an AppServerHandle)."""
        argv = app_server_argv(self.binary)
        self.launches += 1
        if self.kind == "detached":
            return await start_detached_app_server(
                self.dialer(),
                argv,
                env=self.env,
                cwd=self.paths.workspace,
                socket_path=self.socket_path,
                log_path=self.log_path,
                start_timeout=self.start_timeout,
            )
        if self.remote is not None:
            return await spawn_ssh_app_server(
                await self.remote.connection(), argv, env=self.env, cwd=self.paths.workspace
            )
        return await spawn_local_app_server(argv, env=self.env, cwd=self.paths.workspace)

    async def reattach(self, process: DetachedProcess) -> DetachedAppServer | None:
        """Connect to a detached server left by an earlier run; None if it is gone."""
        if process.socket_path != self.socket_path:
            log.warning("recorded socket %s is not this task's", process.socket_path)
            return None
        try:
            return await attach_detached_app_server(self.dialer(), process)
        except AppServerGone:
            return None
        except (ConnectionError, OSError, TimeoutError) as exc:
            log.warning("could not reattach to app-server pid %s: %s", process.pid, exc)
            return None
