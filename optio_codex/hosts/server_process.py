"""A detached app-server as a process on its host: launch it, check it, stop it.

``codex app-server --listen unix://PATH`` runs in a session and process group of its own
(``setsid``), with every standard stream redirected, so it keeps working when the SSH
connection — or the whole worker — goes away. :class:`DetachedProcess` is what is needed to
find it again; the handle that talks to it is in :mod:`optio_codex.hosts.detached_server`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optio_codex.hosts.host_scripts import SCRIPT_PRELUDE, HostOps, HostScriptError, run_script
from optio_codex.hosts.process_control import PROC_STAT, RUNNING, stop_server


class DetachedLaunchError(HostScriptError):
    """The detached app-server could not be started; the message carries its stderr."""


@dataclass(frozen=True)
class DetachedProcess:
    """Where a detached app-server is: enough to find, check and stop it later."""

    pid: int  # also its process group and session id (setsid)
    start_time: int  # /proc/<pid>/stat field 22: tells a reused pid apart
    socket_path: str
    log_path: str
    codex_home: str = ""  # its CODEX_HOME: a stop also ends what it started ("" if unknown)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "start_time": self.start_time,
            "socket_path": self.socket_path,
            "log_path": self.log_path,
            "codex_home": self.codex_home,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DetachedProcess:
        try:
            return cls(
                pid=int(data["pid"]),
                start_time=int(data["start_time"]),
                socket_path=str(data["socket_path"]),
                log_path=str(data["log_path"]),
                # Records written before it was kept have none.
                codex_home=str(data.get("codex_home") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a detached app-server record: {data!r}") from exc


# --- host-side scripts (one line each: they pass through the login shell) ---------------------

# $1 socket, $2 stderr log, $3 cwd, $4 seconds to wait for the socket, $5.. the command.
# setsid: own session and process group, so neither an SSH hang-up nor a signal to the
# launcher reaches it, and `kill -SIG -pid` reaches every child. All three standard streams
# are redirected, or the exec channel would stay open for as long as the server runs. The
# server's pid comes from a pid file its wrapper writes before exec: csh expands "!" even in
# quotes, so "$!" cannot pass through a csh login shell. The server is our child until we
# exit: dead, it stays a zombie, which `live` does not count as running.
_LAUNCH_SCRIPT = (
    SCRIPT_PRELUDE + PROC_STAT + RUNNING + "sock=$1; log=$2; cwd=$3; wait_s=$4; shift 4; "
    'command -v setsid >/dev/null 2>&1 || fail "setsid (util-linux) is not installed"; '
    'cd "$cwd" || fail "cannot enter $cwd"; '
    # A link left by a dead server would make codex think its socket is still in use.
    'if [ -L "$sock" ] || [ -e "$sock" ]; then rm -f "$sock"; fi; '
    'if [ -f "$log" ]; then mv -f "$log" "$log.1"; fi; '
    'pidf="$sock.pid"; rm -f "$pidf"; '
    'setsid /bin/sh -c \'echo "$$" > "$0"; exec "$@"\' "$pidf" "$@" '
    '</dev/null >/dev/null 2>"$log" & '
    'n=0; limit=$((wait_s * 50)); pid=""; '
    "while :; do "
    'if [ -z "$pid" ] && [ -s "$pidf" ]; then pid=$(cat "$pidf"); rm -f "$pidf"; fi; '
    'if [ -n "$pid" ] && [ -S "$sock" ]; then break; fi; '
    'if [ -n "$pid" ]; then if live "$pid"; then :; else '
    "printf 'OPTIO-ERROR codex app-server exited at start: %s\\n' "
    '"$(tail -c 1500 "$log" 2>/dev/null | tr "\\n" " ")"; exit 3; fi; fi; '
    'n=$((n + 1)); if [ "$n" -gt "$limit" ]; then '
    'if [ -n "$pid" ]; then kill -KILL "-$pid" 2>/dev/null; fi; '
    'fail "no socket at $sock after ${wait_s}s"; fi; sleep 0.02; done; '
    'if proc_stat "$pid"; then st=$ps_start; else st=0; fi; '
    'printf \'OPTIO-RESULT {"pid":%s,"start_time":%s}\\n\' "$pid" "$st"'
)

# $1 pid, $2 start time.
_PROBE_SCRIPT = (
    "set -u; " + PROC_STAT + RUNNING + 'if running "$1" "$2"; then state=alive; '
    "else state=gone; fi; "
    'printf \'OPTIO-RESULT {"state":"%s"}\\n\' "$state"'
)

SCRIPTS = (_LAUNCH_SCRIPT, _PROBE_SCRIPT)


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
    home = env.get("CODEX_HOME", "")
    return DetachedProcess(
        pid=int(report["pid"]),
        start_time=int(report["start_time"]),
        socket_path=socket_path,
        log_path=log_path,
        # Only a home the sweep may use: an absolute path that is not "/".
        codex_home=home if posixpath.isabs(home) and home != "/" else "",
    )


async def is_alive(ops: HostOps, process: DetachedProcess, timeout: float = 15.0) -> bool:
    """The same process (pid and start time) is still running."""
    args = [str(process.pid), str(process.start_time)]
    report = await run_script(ops, _PROBE_SCRIPT, args, timeout=timeout, error=DetachedLaunchError)
    return bool(report.get("state") == "alive")


async def stop_detached(
    ops: HostOps, process: DetachedProcess, *, grace: float = 3.0, timeout: float = 30.0
) -> bool:
    """Stop the server, its process group and what it started, and remove its socket.

    True if it was still running. The one stop operation of
    :func:`~optio_codex.hosts.process_control.stop_server`, for a detached process.
    """
    outcome = await stop_server(
        ops,
        process.pid,
        process.start_time,
        process.socket_path,
        codex_home=process.codex_home,
        grace=grace,
        timeout=timeout,
        error=DetachedLaunchError,
    )
    return outcome.was_alive


__all__ = [
    "DetachedLaunchError",
    "DetachedProcess",
    "is_alive",
    "launch_detached",
    "stop_detached",
]
