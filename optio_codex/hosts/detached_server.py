"""A detached app-server: its own session on the host, reached through a unix socket.

``codex app-server --listen unix://PATH`` runs in a session and process group of its own
(``setsid``), with every standard stream redirected, so it keeps working when the SSH
connection — or the whole worker — goes away. Clients reach it through the socket: on the
worker directly, or over SSH with a direct-streamlocal channel; either way the bytes are a
WebSocket connection (see :mod:`optio_codex.transport.socket`). Any number of clients can
connect one after another, which is what makes reconnecting and reattaching possible.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from optio_codex.hosts.host_scripts import (
    SCRIPT_PRELUDE,
    HostOps,
    HostScriptError,
    LiveSshOps,
    LocalOps,
    read_file,
    run_script,
)
from optio_codex.protocol.streams import AppServerGone
from optio_codex.transport.socket import (
    ConnectionSource,
    FixedConnection,
    LocalSocketOpener,
    SocketOpener,
    SocketRefused,
    SshSocketOpener,
    open_websocket,
)
from optio_codex.transport.websocket import WebSocketStream

log = logging.getLogger(__name__)


class DetachedLaunchError(HostScriptError):
    """The detached app-server could not be started; the message carries its stderr."""


@dataclass(frozen=True)
class DetachedProcess:
    """Where a detached app-server is: enough to find, check and stop it later."""

    pid: int  # also its process group and session id (setsid)
    start_time: int  # /proc/<pid>/stat field 22: tells a reused pid apart
    socket_path: str
    log_path: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "start_time": self.start_time,
            "socket_path": self.socket_path,
            "log_path": self.log_path,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DetachedProcess:
        try:
            return cls(
                pid=int(data["pid"]),
                start_time=int(data["start_time"]),
                socket_path=str(data["socket_path"]),
                log_path=str(data["log_path"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a detached app-server record: {data!r}") from exc


# --- host-side scripts (one line each: they pass through the login shell) ---------------------

# Running (a zombie is not: nothing may reap orphans in a container) and not a reused pid.
_SAME = (
    'same() { s=$(cut -d" " -f3,22 /proc/"$pid"/stat 2>/dev/null) || return 1; '
    'case "$s" in "Z "*) return 1;; esac; [ "${s#* }" = "$st" ]; }; '
)

# $1 socket, $2 stderr log, $3 cwd, $4 seconds to wait for the socket, $5.. the command.
# setsid: own session and process group, so neither an SSH hang-up nor a signal to the
# launcher reaches it, and `kill -SIG -pid` reaches every child. All three standard streams
# are redirected, or the exec channel would stay open for as long as the server runs. The
# server's pid comes from a pid file its wrapper writes before exec: csh expands "!" even in
# quotes, so "$!" cannot pass through a csh login shell.
_LAUNCH_SCRIPT = (
    SCRIPT_PRELUDE + "sock=$1; log=$2; cwd=$3; wait_s=$4; shift 4; "
    'command -v setsid >/dev/null 2>&1 || fail "setsid (util-linux) is not installed"; '
    'cd "$cwd" || fail "cannot enter $cwd"; '
    # A link left by a dead server would make codex think its socket is still in use.
    'if [ -L "$sock" ] || [ -e "$sock" ]; then rm -f "$sock"; fi; '
    'if [ -f "$log" ]; then mv -f "$log" "$log.1"; fi; '
    'pidf="$sock.pid"; rm -f "$pidf"; '
    # The server is our child until we exit: dead, it stays a zombie that kill -0 accepts.
    'running() { s=$(cut -d" " -f3 /proc/"$pid"/stat 2>/dev/null) || return 1; '
    'case "$s" in Z|X) return 1;; esac; }; '
    'setsid /bin/sh -c \'echo "$$" > "$0"; exec "$@"\' "$pidf" "$@" '
    '</dev/null >/dev/null 2>"$log" & '
    'n=0; limit=$((wait_s * 50)); pid=""; '
    "while :; do "
    'if [ -z "$pid" ] && [ -s "$pidf" ]; then pid=$(cat "$pidf"); rm -f "$pidf"; fi; '
    'if [ -n "$pid" ] && [ -S "$sock" ]; then break; fi; '
    'if [ -n "$pid" ]; then if running; then :; else '
    "printf 'OPTIO-ERROR codex app-server exited at start: %s\\n' "
    '"$(tail -c 1500 "$log" 2>/dev/null | tr "\\n" " ")"; exit 3; fi; fi; '
    'n=$((n + 1)); if [ "$n" -gt "$limit" ]; then '
    'if [ -n "$pid" ]; then kill -KILL "-$pid" 2>/dev/null; fi; '
    'fail "no socket at $sock after ${wait_s}s"; fi; sleep 0.02; done; '
    'st=$(cut -d" " -f22 /proc/"$pid"/stat 2>/dev/null) || st=0; '
    'printf \'OPTIO-RESULT {"pid":%s,"start_time":%s}\\n\' "$pid" "$st"'
)

# $1 pid, $2 start time.
_PROBE_SCRIPT = (
    "set -u; pid=$1; st=$2; " + _SAME + "if same; then state=alive; else state=gone; fi; "
    'printf \'OPTIO-RESULT {"state":"%s"}\\n\' "$state"'
)

# $1 pid, $2 start time, $3 grace in 50 ms ticks, $4 socket. SIGTERM first: codex flushes its
# rollout; then SIGKILL for the group, which may hold command children after a clean exit.
_STOP_SCRIPT = (
    "set -u; pid=$1; st=$2; ticks=$3; sock=$4; " + _SAME + "was=gone; "
    'if same; then was=alive; kill -TERM "-$pid" 2>/dev/null; n=0; '
    'while same && [ "$n" -lt "$ticks" ]; do sleep 0.05; n=$((n + 1)); done; '
    'kill -KILL "-$pid" 2>/dev/null; fi; '
    # codex makes PATH a symlink to its real socket under /tmp/codex-daemon-<uid>/.
    't=$(readlink "$sock" 2>/dev/null) || t=""; rm -f "$sock"; '
    'case "$t" in /tmp/codex-daemon-*) if [ -S "$t" ]; then rm -f "$t"; fi;; esac; '
    'printf \'OPTIO-RESULT {"was":"%s"}\\n\' "$was"'
)


async def launch_detached(
    ops: HostOps,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str,
    socket_path: str,
    log_path: str,
    start_timeout: float = 30.0,
) -> DetachedProcess:
    """Start ``argv`` (codex app-server, without ``--listen``) detached; wait for its socket.

    ``env`` is the whole environment (``env -i``); it is visible in the host's process list,
    so it must hold no secret.
    """
    command = ["env", "-i", *(f"{k}={v}" for k, v in env.items())]
    command += [*argv, "--listen", f"unix://{socket_path}"]
    args = [socket_path, log_path, cwd, str(max(1, int(start_timeout))), *command]
    report = await run_script(
        ops, _LAUNCH_SCRIPT, args, timeout=start_timeout + 15, error=DetachedLaunchError
    )
    return DetachedProcess(
        pid=int(report["pid"]),
        start_time=int(report["start_time"]),
        socket_path=socket_path,
        log_path=log_path,
    )


async def is_alive(ops: HostOps, process: DetachedProcess, timeout: float = 15.0) -> bool:
    """The same process (pid and start time) is still running."""
    args = [str(process.pid), str(process.start_time)]
    report = await run_script(ops, _PROBE_SCRIPT, args, timeout=timeout, error=DetachedLaunchError)
    return bool(report.get("state") == "alive")


async def stop_detached(
    ops: HostOps, process: DetachedProcess, *, grace: float = 3.0, timeout: float = 30.0
) -> bool:
    """Stop the server and its process group and remove its socket; True if it was running."""
    ticks = max(0, round(grace * 20))  # the script polls every 50 ms
    args = [str(process.pid), str(process.start_time), str(ticks), process.socket_path]
    report = await run_script(
        ops, _STOP_SCRIPT, args, timeout=timeout + grace, error=DetachedLaunchError
    )
    return bool(report.get("was") == "alive")


# --- reaching the socket ------------------------------------------------------------------


class SocketDialer(SocketOpener, Protocol):
    """Opens connections to the server's socket, and runs host scripts beside it."""

    async def ops(self) -> HostOps:
        """Means to run the host scripts above (on a live connection)."""
        ...


class LocalDialer(LocalSocketOpener):
    """The host is the worker itself."""

    async def ops(self) -> HostOps:
        return LocalOps()


class SshDialer(SshSocketOpener):
    """The host is across SSH (direct-streamlocal channels, exec for the scripts)."""

    async def ops(self) -> HostOps:
        return LiveSshOps(self.source)


# --- the handle the conversation uses ----------------------------------------------------


class DetachedAppServer:
    """A detached app-server and the current connection to it.

    It satisfies the conversation's ``AppServerHandle`` and adds ``reconnect`` (a new
    connection to the same process) and ``detach`` (leave it running).
    """

    def __init__(
        self,
        process: DetachedProcess,
        dialer: SocketDialer,
        stream: WebSocketStream,
        *,
        connect_timeout: float = 15.0,
    ) -> None:
        self.process = process
        self.dialer = dialer
        self._stream = stream
        self.connect_timeout = connect_timeout
        self.connects = 1
        self._stderr = ""

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def stream(self) -> WebSocketStream:
        return self._stream

    def stderr_tail(self) -> str:
        return self._stderr

    async def refresh_stderr(self) -> str:
        """Fetch the tail of the server's stderr log (it is a file on the host)."""
        with contextlib.suppress(Exception):
            ops = await self.dialer.ops()
            self._stderr = await read_file(ops, self.process.log_path, max_bytes=4000)
        return self._stderr

    async def reconnect(self) -> WebSocketStream:
        """A fresh connection to the same process; AppServerGone if it no longer runs."""
        with contextlib.suppress(Exception):
            await self._stream.close()
        try:
            stream = await connect_socket(
                self.dialer, self.process, self.connect_timeout, self.stderr_tail
            )
        except AppServerGone:
            await self.refresh_stderr()
            raise
        self._stream = stream
        self.connects += 1
        return stream

    async def detach(self) -> None:
        """Drop our connection and leave the server running (it can be reattached)."""
        with contextlib.suppress(Exception):
            await self._stream.close()

    async def stop(self, grace: float = 3.0) -> int | None:
        """Stop the server (SIGTERM, grace, SIGKILL of its group) and remove its socket.

        The grace is capped at a second: with a turn running, a listening app-server takes
        about two seconds to obey SIGTERM, and a stop is a cancel or the end of the task.
        """
        with contextlib.suppress(Exception):
            await self._stream.close()
        try:
            await stop_detached(await self.dialer.ops(), self.process, grace=min(grace, 1.0))
        except Exception as exc:
            log.warning("could not stop app-server pid %s: %s", self.pid, exc)
        return None


async def connect_socket(
    dialer: SocketDialer,
    process: DetachedProcess,
    timeout: float = 15.0,
    stderr_tail: Callable[[], str] | None = None,
) -> WebSocketStream:
    """A WebSocket connection to ``process``'s socket; AppServerGone if it no longer runs."""
    try:
        return await open_websocket(dialer, process.socket_path, timeout, stderr_tail)
    except SocketRefused as exc:
        # The socket refused us over a working connection: is the process still there?
        if not await is_alive(await dialer.ops(), process):
            raise AppServerGone(f"codex app-server (pid {process.pid}) is gone") from exc
        raise ConnectionError(f"cannot reach the app-server socket: {exc}") from exc


async def start_detached_app_server(
    dialer: SocketDialer,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str,
    socket_path: str,
    log_path: str,
    start_timeout: float = 30.0,
) -> DetachedAppServer:
    """Launch a detached app-server and connect to it."""
    process = await launch_detached(
        await dialer.ops(),
        argv,
        env=env,
        cwd=cwd,
        socket_path=socket_path,
        log_path=log_path,
        start_timeout=start_timeout,
    )
    try:
        return await attach_detached_app_server(dialer, process)
    except BaseException:
        with contextlib.suppress(Exception):
            await stop_detached(await dialer.ops(), process, grace=0)
        raise


async def attach_detached_app_server(
    dialer: SocketDialer, process: DetachedProcess, *, timeout: float = 15.0
) -> DetachedAppServer:
    """Connect to a detached app-server that is already running (AppServerGone if not)."""
    stream = await connect_socket(dialer, process, timeout)
    return DetachedAppServer(process, dialer, stream, connect_timeout=timeout)


__all__ = [
    "AppServerGone",
    "ConnectionSource",
    "DetachedAppServer",
    "DetachedLaunchError",
    "DetachedProcess",
    "FixedConnection",
    "LocalDialer",
    "SocketDialer",
    "SshDialer",
    "attach_detached_app_server",
    "connect_socket",
    "is_alive",
    "launch_detached",
    "start_detached_app_server",
    "stop_detached",
]
