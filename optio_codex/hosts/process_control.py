"""Finding, checking and stopping a task's app-server on its host: the one way to do it.

A pid alone does not name a process for long: pids are reused. A server is recorded with its
start time (field 22 of ``/proc/<pid>/stat``, clock ticks since boot); a pid whose start time
differs is someone else's process now and is never signalled. The host-side scripts compare
start times themselves, so deciding and signalling happen in the same exec. Linux hosts only
(``/proc``).

Stopping a server (:func:`stop_servers`, :func:`stop_server`) is: SIGTERM to its process
group with a grace, so codex flushes its rollout; SIGKILL of the group; then every process
with the task's ``CODEX_HOME`` in its environment (see ``SWEEP``); then its socket. The
detached server's own stop, the registry's reaper and a task's teardown all go through it.

The shell fragments below are one line each (they pass through the host's login shell, see
:func:`~optio_codex.hosts.host_scripts.check_shell_safe`) and are shared by every script that
looks at processes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from optio_codex.hosts.host_scripts import (
    SCRIPT_PRELUDE,
    HostOps,
    HostScriptError,
    run_tagged_script,
)

# --- shell fragments ------------------------------------------------------------------------

# proc_stat PID: sets $ps_state (field 3) and $ps_start (field 22) of PID; fails if there is
# no such process. The command name (field 2) may hold spaces and ")", so fields are counted
# after the last ")"; field 3 is then the first. PIDs 0 and 1 are refused: "kill -0" and
# "kill -1" would reach our own group or every process we may signal.
PROC_STAT = (
    'proc_stat() { [ "$1" -gt 1 ] 2>/dev/null || return 1; s=""; '
    'read -r s 2>/dev/null < "/proc/$1/stat" || return 1; s=${s##*)}; '
    "set -- $s; [ $# -ge 20 ] || return 1; ps_state=$1; shift 19; ps_start=$1; }; "
)

# start_of PID: prints PID's start time (a zombie has one too). Needs PROC_STAT.
START_OF = 'start_of() { proc_stat "$1" || return 1; printf %s "$ps_start"; }; '

# live PID: PID runs; a zombie does not (nothing may reap orphans in a container).
# running PID START: PID runs and still has START, so it is not a reused pid. Need PROC_STAT.
RUNNING = (
    'live() { proc_stat "$1" || return 1; case "$ps_state" in Z|X) return 1;; esac; }; '
    'running() { live "$1" && [ "$ps_start" = "$2" ]; }; '
)

# sweep HOME: SIGKILL every process whose environment holds exactly CODEX_HOME=HOME (codex
# passes it on to every command it runs); sets $swept to the number signalled. Killing
# codex's process group is not enough: codex runs each command in a session of its own (the
# sandbox helper and escalated commands alike), so what a command detached
# (``setsid server &``) outlives codex, and now and then a sandboxed command still running
# when codex exits was seen orphaned too. Up to three rounds catch children forked between a
# scan and its kill; a round that finds only pids already signalled (still dying) ends it.
SWEEP = (
    'sweep() { want="CODEX_HOME=$1"; done_pids=" "; for round in 1 2 3; do '
    'pids=$(grep -lzxF -e "$want" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 '
    '| grep -vx "$$"); new=""; '
    'for p in $pids; do case "$done_pids" in *" $p "*) ;; *) new="$new $p";; esac; done; '
    '[ -n "$new" ] || break; kill -KILL $new 2>/dev/null; done_pids="$done_pids${new# } "; '
    "done; set -- $done_pids; swept=$#; }; "
)

# undaemon PATH: remove what codex 0.163.0 keeps for the listener at PATH in its daemon dir:
# the real socket /tmp/codex-daemon-<uid>/<sha256 of PATH> and its "<hash>.lock" (a clean
# exit leaves the lock, a kill both). The dir is fixed: no TMPDIR, XDG_RUNTIME_DIR, config
# key or flag moves it (see docs/codex-observed.md), so it cannot live in the task dir. Only
# our own sockets and plain files, never a link.
# unsock PATH: remove the app-server's socket path if it is a socket or a symlink (codex
# makes it a symlink to the daemon dir's socket), then undaemon; returns 0 if something was
# at PATH. Anything else at PATH (a file, a dir) is not ours to remove.
UNSOCK = (
    'undaemon() { h=$(printf %s "$1" | sha256sum | cut -c1-64); dd="/tmp/codex-daemon-$(id -u)"; '
    'for f in "$dd/$h" "$dd/$h.lock"; do if [ -L "$f" ]; then :; '
    'elif [ -O "$f" ] && { [ -S "$f" ] || [ -f "$f" ]; }; then rm -f "$f"; fi; done; }; '
    'unsock() { [ -n "$1" ] || return 1; undaemon "$1"; '
    'if [ -L "$1" ]; then t=$(readlink "$1"); rm -f "$1"; '
    'case "$t" in */../*|*/..) ;; /tmp/codex-daemon-*/*) '
    'for f in "$t" "$t.lock"; do if [ -L "$f" ]; then :; '
    'elif [ -O "$f" ]; then rm -f "$f"; fi; done;; esac; '
    "return 0; fi; "
    'if [ -S "$1" ]; then rm -f "$1"; return 0; fi; return 1; }; '
)

# $1 grace in 50 ms ticks, then groups of seven: mode ("kill" or "clean"), pid (0: none
# known), start time, CODEX_HOME (or ""), socket path (or ""), record file (or "": a registry
# entry), task dir to remove with everything in it, credentials included (or "").
# "kill": if the pid still has the recorded start time, SIGTERM its group, wait the grace
# while it runs, SIGKILL the group (pid == pgid for a setsid-started server; a pid that leads
# no group is killed alone), then sweep CODEX_HOME. Without a pid the sweep runs alone. A pid
# that is gone or reused means nothing is signalled: its CODEX_HOME may already belong to a
# relaunched server. "clean" never signals. Both then remove the socket, the task dir and
# the record (last: while it exists, a later reaper can still finish the job).
STOP_SCRIPT = (
    SCRIPT_PRELUDE + PROC_STAT + RUNNING + SWEEP + UNSOCK + "ticks=$1; shift; i=0; "
    "while [ $# -ge 7 ]; do mode=$1; pid=$2; st=$3; home=$4; sock=$5; rec=$6; tdir=$7; "
    "shift 7; "
    "alive=false; swept=0; gone=false; "
    'if [ "$mode" = kill ]; then '
    'if proc_stat "$pid" && [ "$ps_start" = "$st" ]; then alive=true; '
    'if [ "$ticks" -gt 0 ]; then kill -TERM -"$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; '
    'n=0; while running "$pid" "$st" && [ "$n" -lt "$ticks" ]; do sleep 0.05; n=$((n + 1)); '
    "done; fi; "
    'kill -KILL -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; fi; '
    'if [ -n "$home" ] && { [ "$alive" = true ] || [ "$pid" = 0 ]; }; then sweep "$home"; fi; '
    "fi; "
    'unsock "$sock" && gone=true; '
    'if [ -z "$tdir" ] || [ -L "$tdir" ]; then :; elif [ -d "$tdir" ]; then rm -rf "$tdir" '
    '|| fail "cannot remove $tdir"; fi; '
    'if [ -n "$rec" ]; then r=$(expand "$rec") || fail "not an absolute path: $rec"; '
    'rm -f "$r"; fi; '
    'printf \'OPTIO-STOP {"i":%s,"alive":%s,"swept":%s,"socket":%s}\\n\' '
    '"$i" "$alive" "$swept" "$gone"; i=$((i + 1)); done; '
    'printf \'OPTIO-RESULT {"count":%s}\\n\' "$i"'
)

# $1 pid.
START_TIME_SCRIPT = (
    SCRIPT_PRELUDE + PROC_STAT + START_OF + 'v=$(start_of "$1") || v=null; '
    'printf \'OPTIO-RESULT {"start_time":%s}\\n\' "$v"'
)

SCRIPTS = (STOP_SCRIPT, START_TIME_SCRIPT)

# Servers per exec: keeps the exec string far below sshd's and the kernel's limits.
_TARGETS_PER_EXEC = 100


# --- checks -----------------------------------------------------------------------------------


def check_int(name: str, value: object, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")


def check_path(name: str, value: object, *, allow_empty: bool = False) -> None:
    """An absolute host path (not /, no ".."), safe to pass as an exec argument."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {type(value).__name__}")
    if allow_empty and value == "":
        return
    if not posixpath.isabs(value) or value == "/" or ".." in value.split("/"):
        raise ValueError(f"{name}={value!r} must be an absolute path (not /), without '..'")
    # Paths travel as exec arguments through the login shell: see check_shell_safe.
    if any(bad in value for bad in ("\n", "\0", "!", "\\\\")):
        raise ValueError(f"{name}={value!r} holds characters a remote shell mangles")


def check_pid(name: str, value: object, *, allow_none: bool = False) -> None:
    # 0 and 1 would make "kill -PID" hit our own group or every process we may signal;
    # 0 may stand for "no process known" where the caller allows it.
    if allow_none and value == 0 and not isinstance(value, bool):
        return
    check_int(name, value, 2)


# --- the stop -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerStop:
    """One app-server to stop, and what it leaves behind on the host."""

    pid: int = 0  # 0: no process known; only the CODEX_HOME sweep and the clean-up
    start_time: int = 0  # field 22 of /proc/<pid>/stat when it was started
    socket_path: str = ""  # its unix socket, or ""
    codex_home: str = ""  # every process with this CODEX_HOME goes too; "" for none
    record: str = ""  # a file recording the server (a registry entry), removed last; "~/" ok
    signal: bool = True  # False: the process is known to be gone; remove files only
    task_dir: str = ""  # removed with everything in it (auth.json too); "" keeps it

    def __post_init__(self) -> None:
        check_pid("pid", self.pid, allow_none=True)
        check_int("start_time", self.start_time, 0)
        check_path("socket_path", self.socket_path, allow_empty=True)
        check_path("codex_home", self.codex_home, allow_empty=True)
        record = self.record.replace("~/", "/", 1) if self.record.startswith("~/") else self.record
        check_path("record", record, allow_empty=True)
        check_path("task_dir", self.task_dir, allow_empty=True)
        if self.task_dir and self.codex_home != f"{self.task_dir}/home/.codex":
            # Only a directory laid out as a task's (see TaskPaths) is ever removed.
            raise ValueError(f"task_dir={self.task_dir!r} is not the task dir of codex_home")

    def args(self) -> list[str]:
        mode = "kill" if self.signal else "clean"
        pid, start = str(self.pid), str(self.start_time)
        return [mode, pid, start, self.codex_home, self.socket_path, self.record, self.task_dir]


@dataclass(frozen=True)
class StopOutcome:
    was_alive: bool  # the pid still had its start time: its process group was killed
    swept: int  # processes signalled by the CODEX_HOME sweep (may include the group's own)
    socket_removed: bool


async def stop_servers(
    ops: HostOps,
    targets: Sequence[ServerStop],
    *,
    grace: float = 0.0,
    timeout: float | None = 30.0,
    error: type[HostScriptError] = HostScriptError,
) -> list[StopOutcome]:
    """Stop each of ``targets`` (see :class:`ServerStop`), up to 100 per exec, in order.

    ``grace`` seconds between SIGTERM and SIGKILL, per server still running; the reaper
    passes 0 (it cleans up orphans that nobody waits for). Idempotent.
    """
    ticks = max(0, round(grace * 20))  # the script polls every 50 ms
    outcomes: list[StopOutcome] = []
    for first in range(0, len(targets), _TARGETS_PER_EXEC):
        chunk = targets[first : first + _TARGETS_PER_EXEC]
        args = [str(ticks)]
        for target in chunk:
            args += target.args()
        limit = None if timeout is None else timeout + grace * len(chunk)
        lines, result = await run_tagged_script(ops, STOP_SCRIPT, args, timeout=limit, error=error)
        reports = [r for tag, r in lines if tag == "STOP"]
        if result.get("count") != len(chunk) or len(reports) != len(chunk):
            raise error(f"the stop script handled {result.get('count')} of {len(chunk)}")
        outcomes += [
            StopOutcome(
                was_alive=r.get("alive") is True,
                swept=int(r.get("swept", 0)),
                socket_removed=r.get("socket") is True,
            )
            for r in reports
        ]
    return outcomes


async def stop_server(
    ops: HostOps,
    pid: int,
    start_time: int,
    socket_path: str = "",
    *,
    codex_home: str = "",
    record: str = "",
    grace: float = 0.0,
    timeout: float | None = 30.0,
    error: type[HostScriptError] = HostScriptError,
) -> StopOutcome:
    """Stop one app-server and everything it started; one exec. See :func:`stop_servers`."""
    target = ServerStop(pid, start_time, socket_path, codex_home, record)
    [outcome] = await stop_servers(ops, [target], grace=grace, timeout=timeout, error=error)
    return outcome


async def kill_codex_home_processes(
    ops: HostOps,
    codex_home: str,
    *,
    timeout: float | None = 30.0,
    error: type[HostScriptError] = HostScriptError,
) -> int:
    """SIGKILL every process whose environment holds exactly ``CODEX_HOME=codex_home``.

    Returns how many were signalled. See ``SWEEP`` for why a process group is not enough.
    """
    check_path("codex_home", codex_home)
    outcome = await stop_server(ops, 0, 0, codex_home=codex_home, timeout=timeout, error=error)
    return outcome.swept


async def read_start_time(
    ops: HostOps,
    pid: int,
    *,
    timeout: float | None = 30.0,
    error: type[HostScriptError] = HostScriptError,
) -> int | None:
    """The start time of ``pid`` on the host (clock ticks since boot), None if it is gone."""
    check_pid("pid", pid)
    _, result = await run_tagged_script(
        ops, START_TIME_SCRIPT, [str(pid)], timeout=timeout, error=error
    )
    value = result.get("start_time")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise error(f"the host reported an unusable start time {value!r}")
    return value


__all__ = [
    "SCRIPTS",
    "ServerStop",
    "StopOutcome",
    "kill_codex_home_processes",
    "read_start_time",
    "stop_server",
    "stop_servers",
]
