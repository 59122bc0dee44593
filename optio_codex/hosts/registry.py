"""Per-host registry of the codex app-servers that optio-codex tasks started there.

Why: a worker that crashes leaves its app-servers running on the host, and nothing else knows
they exist. Each launch records its app-server in a small JSON file on the host; the next
connect lists the files, asks the engine which tasks still exist (``is_live``) and stops the
app-servers of the others (:func:`reap`). A cancel stops everything of one task
(:func:`stop_entry`).

Layout: ``~/.cache/optio-codex/registry/`` (0700), one file per task,
``<owner_key>--<task_id>.json`` (0600), where ``owner_key`` is the first 16 hex digits of the
sha256 of the owner (the engine instance, e.g. ``"mongo-db/prefix"``). Several engines may
share a host and a user: each reaps its own entries only.

A pid alone does not name a process for long: pids are reused. Each entry also records the
process's start time (field 22 of ``/proc/<pid>/stat``, clock ticks since boot); a pid whose
start time differs is someone else's process, and is never signalled. The host-side scripts
compare start times themselves, so deciding and killing happen in the same exec, and the
listing is one exec whatever the number of entries. Linux hosts only (``/proc``).

Errors of the host-side scripts raise :class:`~optio_codex.hosts.provision.ProvisionError`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import posixpath
import re
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from optio_codex.hosts.host_scripts import (
    SCRIPT_PRELUDE,
    CommandResult,
    HostOps,
    finish,
    last_result,
    parse_result_line,
    run_script,
    send_quietly,
)
from optio_codex.hosts.task_spec import ProvisionError, validate_task_id
from optio_codex.hosts.task_spec import validate_root as _validate_root


def _result(out: bytes, tag: str, result: CommandResult) -> dict[str, Any]:
    # The registry's script failures are host chores gone wrong, like provisioning's.
    return last_result(out, tag, result, error=ProvisionError)


DEFAULT_REGISTRY_ROOT = "~/.cache/optio-codex/registry"
FORMAT_VERSION = 1
# Bigger files are not ours (an entry is a few hundred bytes): reported, not read whole.
MAX_ENTRY_BYTES = 65536
# Stop groups per exec: keeps the exec string far below sshd's and the kernel's limits.
_GROUPS_PER_EXEC = 100

_FILE_NAME = re.compile(r"^([0-9a-f]{16})--([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.json$")

# --- the entry ------------------------------------------------------------------------------


def owner_key(owner: str) -> str:
    """The owner's part of an entry's file name: 16 hex digits of sha256(owner)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:16]


def entry_file_name(owner: str, task_id: str) -> str:
    validate_task_id(task_id)
    return f"{owner_key(owner)}--{task_id}.json"


def _check_path(name: str, value: object, *, allow_empty: bool = False) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, not {type(value).__name__}")
    if allow_empty and value == "":
        return
    if not posixpath.isabs(value) or value == "/" or ".." in value.split("/"):
        raise ValueError(f"{name}={value!r} must be an absolute path (not /), without '..'")
    # Paths travel as exec arguments through the login shell: see provision._check_shell_safe.
    if any(bad in value for bad in ("\n", "\0", "!", "\\\\")):
        raise ValueError(f"{name}={value!r} holds characters a remote shell mangles")


def _check_int(name: str, value: object, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")


@dataclass(frozen=True)
class RegistryEntry:
    """One app-server that a task started on the host."""

    task_id: str
    process_id: str  # the optio process id
    owner: str  # the engine instance that owns the task
    pid: int  # the app-server; started with setsid, so also its process group
    start_time: int  # field 22 of /proc/<pid>/stat: tells a reused pid apart
    codex_home: str
    task_dir: str
    socket: str  # the app-server's unix socket path, or ""
    created: float  # epoch seconds

    def __post_init__(self) -> None:
        validate_task_id(self.task_id)
        for name in ("process_id", "owner"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a string")
        if not self.owner:
            raise ValueError("owner must not be empty")
        # 0 and 1 would make "kill -PID" hit our own group or every process we may signal.
        _check_int("pid", self.pid, 2)
        _check_int("start_time", self.start_time, 0)
        _check_path("codex_home", self.codex_home)
        _check_path("task_dir", self.task_dir)
        _check_path("socket", self.socket, allow_empty=True)
        if not isinstance(self.created, int | float) or isinstance(self.created, bool):
            raise ValueError(f"created={self.created!r} must be a number")

    @property
    def file_name(self) -> str:
        return entry_file_name(self.owner, self.task_id)

    def to_json(self) -> str:
        """One line of JSON (the listing reads the pid out of it with grep)."""
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        data.update((f.name, getattr(self, f.name)) for f in fields(self))
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str = "<registry entry>") -> RegistryEntry:
        """Parse and validate; any problem raises ValueError naming ``source``."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"registry file {source}: not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise ValueError(f"registry file {source}: not a JSON object")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"registry file {source}: unknown version {data.get('version')!r}")
        names = [f.name for f in fields(cls)]
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"registry file {source}: missing {', '.join(missing)}")
        try:
            return cls(**{n: data[n] for n in names})
        except (ValueError, TypeError) as exc:
            raise ValueError(f"registry file {source}: {exc}") from exc


@dataclass(frozen=True)
class ObservedEntry:
    """An entry as the listing found it."""

    entry: RegistryEntry
    alive: bool  # the pid exists and its start time is the recorded one
    current_start_time: int | None  # the pid's start time now (None: no such process)


@dataclass(frozen=True)
class RegistryProblem:
    """A file in the registry that is not a valid entry; left in place."""

    file: str
    reason: str


@dataclass(frozen=True)
class RegistryListing:
    entries: tuple[ObservedEntry, ...]
    problems: tuple[RegistryProblem, ...]


@dataclass(frozen=True)
class StopReport:
    entry: RegistryEntry
    was_alive: bool  # the pid still had its start time: its process group was SIGKILLed
    swept: int  # processes signalled by the CODEX_HOME sweep (may include the group's own)
    socket_removed: bool


@dataclass(frozen=True)
class ReapReport:
    stopped: tuple[StopReport, ...]  # ours, alive, not live: killed
    cleaned: tuple[RegistryEntry, ...]  # ours, process gone or pid reused: file removed only
    kept: tuple[RegistryEntry, ...]  # ours, live or kept by the caller
    problems: tuple[RegistryProblem, ...]  # unreadable files of ours (or of nobody's)


# --- the host-side scripts (one line each: see provision._check_shell_safe) ----------------

# start_of PID: field 22 of /proc/PID/stat. The command name (field 2) may hold spaces and
# ")", so fields are counted after the last ")"; field 3 is then the first.
_START_OF = (
    'start_of() { [ "$1" -gt 1 ] 2>/dev/null || return 1; s=""; '
    'read -r s 2>/dev/null < "/proc/$1/stat" || return 1; s=${s##*)}; '
    'set -- $s; [ $# -ge 20 ] || return 1; shift 19; printf %s "$1"; }; '
)

# sweep HOME: SIGKILL every process whose environment holds exactly CODEX_HOME=HOME (codex
# passes it on to every command it runs); sets $swept to the number signalled. Killing
# codex's process group is not enough: codex runs each command in a session of its own (the
# sandbox helper and escalated commands alike), so what a command detached
# (``setsid server &``) outlives codex, and now and then a sandboxed command still running
# when codex exits was seen orphaned too. Up to three rounds catch children forked between a
# scan and its kill; a round that finds only pids already signalled (still dying) ends it.
_SWEEP = (
    'sweep() { want="CODEX_HOME=$1"; done_pids=" "; for round in 1 2 3; do '
    'pids=$(grep -lzxF -e "$want" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 '
    '| grep -vx "$$"); new=""; '
    'for p in $pids; do case "$done_pids" in *" $p "*) ;; *) new="$new $p";; esac; done; '
    '[ -n "$new" ] || break; kill -KILL $new 2>/dev/null; done_pids="$done_pids${new# } "; '
    "done; set -- $done_pids; swept=$#; }; "
)

# unsock PATH: remove the app-server's socket path if it is a socket or a symlink; returns 0
# if something was removed. codex makes PATH a symlink to /tmp/codex-daemon-<uid>/<hash>:
# the target goes too, but only a socket of ours under /tmp/codex-daemon-* (never follow a
# link elsewhere). Anything else at PATH (a file, a dir) is not ours to remove.
_UNSOCK = (
    'unsock() { [ -n "$1" ] || return 1; '
    'if [ -L "$1" ]; then t=$(readlink "$1"); rm -f "$1"; '
    'case "$t" in */../*|*/..) ;; /tmp/codex-daemon-*/*) '
    '[ -S "$t" ] && [ -O "$t" ] && rm -f "$t";; esac; return 0; fi; '
    'if [ -S "$1" ]; then rm -f "$1"; return 0; fi; return 1; }; '
)

_ROOT_DIR = 'dir=$(expand "$1") || fail "registry root is not absolute"; '
_SAFE_NAME = 'case "$name" in */*|.*|"") fail "bad entry file name $name";; esac; '

# $1 root, $2 file name, $3 pid whose start time to report first, or "". stdin: the JSON.
# The file is written beside its final name and renamed in, so a reader never sees half of
# it; umask 077 makes it 0600 from the start. An empty stdin (the caller gave up) writes
# nothing.
_REGISTER_SCRIPT = (
    SCRIPT_PRELUDE
    + _START_OF
    + _ROOT_DIR
    + "name=$2; "
    + _SAFE_NAME
    + '{ mkdir -p "$dir" && chmod 0700 "$dir"; } || fail "cannot create $dir"; '
    'if [ -n "$3" ]; then v=$(start_of "$3") || fail "process $3 is not running"; '
    'printf \'OPTIO-START {"start_time":%s}\\n\' "$v"; fi; '
    'tmp="$dir/.$name.$$"; '
    'if cat > "$tmp" && [ -s "$tmp" ] && mv -f "$tmp" "$dir/$name"; then :; else '
    'rm -f "$tmp"; fail "cannot write $dir/$name"; fi; '
    'printf \'OPTIO-RESULT {"state":"registered"}\\n\''
)

# $1 root. One OPTIO-FILE line per *.json file: its name and first MAX_ENTRY_BYTES bytes in
# base64 (any bytes travel safely), and "pid:start" for every "pid": N in it, read from the
# same snapshot (a file replaced meanwhile cannot mix two entries).
_LIST_SCRIPT = (
    SCRIPT_PRELUDE + _START_OF + _ROOT_DIR + "n=0; "
    'for f in "$dir"/*.json; do [ -f "$f" ] || continue; [ -L "$f" ] && continue; '
    'name=$(printf %s "${f##*/}" | base64 | tr -d "\\n"); '
    f'data=$(head -c {MAX_ENTRY_BYTES} "$f" | base64 | tr -d "\\n"); starts=""; '
    'for p in $(printf %s "$data" | base64 -d | grep -o \'"pid" *: *[0-9]*\' '
    "| grep -o '[0-9]*$'); do "
    'v=$(start_of "$p") && starts="$starts $p:$v"; done; '
    'printf \'OPTIO-FILE {"name":"%s","data":"%s","starts":"%s"}\\n\' '
    '"$name" "$data" "${starts# }"; n=$((n + 1)); done; '
    'printf \'OPTIO-RESULT {"count":%s}\\n\' "$n"'
)

# $1 root, then groups of six: mode ("kill" or "clean"), pid, start time, CODEX_HOME, socket
# path (or ""), file name. "kill" SIGKILLs the group -PID and sweeps CODEX_HOME, but only if
# the pid still has the recorded start time (else it is someone else's process now);
# "clean" never signals. Both then remove the socket and the entry file.
_STOP_SCRIPT = (
    SCRIPT_PRELUDE + _START_OF + _SWEEP + _UNSOCK + _ROOT_DIR + "shift; i=0; "
    "while [ $# -ge 6 ]; do mode=$1; pid=$2; start=$3; home=$4; sock=$5; name=$6; shift 6; "
    + _SAFE_NAME
    + "alive=false; swept=0; gone=false; "
    'if [ "$mode" = kill ] && [ "$(start_of "$pid")" = "$start" ]; then alive=true; '
    # pid == pgid for a setsid-started server; a pid that leads no group is killed alone.
    'kill -KILL -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; sweep "$home"; fi; '
    'unsock "$sock" && gone=true; rm -f "$dir/$name"; '
    'printf \'OPTIO-STOP {"i":%s,"alive":%s,"swept":%s,"socket":%s}\\n\' '
    '"$i" "$alive" "$swept" "$gone"; i=$((i + 1)); done; '
    'printf \'OPTIO-RESULT {"count":%s}\\n\' "$i"'
)

# $1 root, $2 file name.
_UNREGISTER_SCRIPT = (
    SCRIPT_PRELUDE
    + _ROOT_DIR
    + "name=$2; "
    + _SAFE_NAME
    + 'rm -f "$dir/$name" || fail "cannot remove $dir/$name"; '
    'printf \'OPTIO-RESULT {"state":"removed"}\\n\''
)

# $1 CODEX_HOME.
_SWEEP_SCRIPT = (
    SCRIPT_PRELUDE + _SWEEP + 'sweep "$1"; printf \'OPTIO-RESULT {"killed":%s}\\n\' "$swept"'
)

# $1 pid.
_START_TIME_SCRIPT = (
    SCRIPT_PRELUDE + _START_OF + 'v=$(start_of "$1") || v=null; '
    'printf \'OPTIO-RESULT {"start_time":%s}\\n\' "$v"'
)

_SCRIPTS = (
    _REGISTER_SCRIPT,
    _LIST_SCRIPT,
    _STOP_SCRIPT,
    _UNREGISTER_SCRIPT,
    _SWEEP_SCRIPT,
    _START_TIME_SCRIPT,
)


# --- talking to the scripts -------------------------------------------------------------------


async def _run_all(
    ops: HostOps, script: str, args: Sequence[str], timeout: float | None
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """Run a script; return its tagged lines before the result, and the OPTIO-RESULT."""
    result = await finish(await ops.start(script, args), timeout)
    final = _result(result.stdout, "RESULT", result)  # raises with an OPTIO-ERROR's reason
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(b"OPTIO-")][:-1]
    tagged = []
    for line in lines:
        tag = line.split(b" ", 1)[0].decode(errors="replace").removeprefix("OPTIO-")
        tagged.append((tag, parse_result_line(line, tag, result.stderr, error=ProvisionError)))
    return tagged, final


def _root_arg(root: str) -> str:
    _validate_root("root", root)
    return root


async def register(
    ops: HostOps,
    entry: RegistryEntry,
    *,
    root: str = DEFAULT_REGISTRY_ROOT,
    timeout: float | None = 30.0,
) -> None:
    """Write ``entry``'s file (atomically, 0600). One exec; the JSON goes through stdin."""
    args = [_root_arg(root), entry.file_name, ""]
    stdin = entry.to_json().encode() + b"\n"
    await run_script(
        ops, _REGISTER_SCRIPT, args, stdin=stdin, timeout=timeout, error=ProvisionError
    )


async def register_process(
    ops: HostOps,
    *,
    task_id: str,
    process_id: str,
    owner: str,
    pid: int,
    codex_home: str,
    task_dir: str,
    socket: str = "",
    root: str = DEFAULT_REGISTRY_ROOT,
    timeout: float | None = 30.0,
) -> RegistryEntry:
    """Register a running app-server, its start time read on the host in the same exec.

    One exec and one exchange (the start time comes back before the JSON is sent). Fails
    with ProvisionError if ``pid`` is not running.
    """
    # Validate everything before touching the host (start_time is filled in later).
    draft = RegistryEntry(
        task_id=task_id,
        process_id=process_id,
        owner=owner,
        pid=pid,
        start_time=0,
        codex_home=codex_home,
        task_dir=task_dir,
        socket=socket,
        created=time.time(),
    )
    process = await ops.start(_REGISTER_SCRIPT, [_root_arg(root), draft.file_name, str(pid)])
    try:
        ops.trips.exchanges += 1
        async with asyncio.timeout(timeout):
            header = await process.readline()
        if not header.startswith(b"OPTIO-START "):
            result = await process.finish(timeout)
            _result(header + result.stdout, "START", result)  # raises with the reason
            raise ProvisionError(f"the host did not report the start time of pid {pid}")
        start_time = parse_result_line(header, "START", error=ProvisionError).get("start_time")
        if not isinstance(start_time, int) or isinstance(start_time, bool):
            raise ProvisionError(f"the host reported an unusable start time {start_time!r}")
        entry = replace(draft, start_time=start_time)
        await send_quietly(process, entry.to_json().encode() + b"\n")
        result = await process.finish(timeout)
    except BaseException:
        process.close()
        raise
    _result(result.stdout, "RESULT", result)
    return entry


async def read_start_time(ops: HostOps, pid: int, *, timeout: float | None = 30.0) -> int | None:
    """The start time of ``pid`` on the host (clock ticks since boot), None if it is gone."""
    _check_int("pid", pid, 2)
    _, result = await _run_all(ops, _START_TIME_SCRIPT, [str(pid)], timeout)
    value = result.get("start_time")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProvisionError(f"the host reported an unusable start time {value!r}")
    return value


async def list_entries(
    ops: HostOps, *, root: str = DEFAULT_REGISTRY_ROOT, timeout: float | None = 30.0
) -> RegistryListing:
    """Every entry on the host, with whether its process is alive; one exec.

    Files that are not valid entries come back as problems, never as an exception.
    """
    lines, result = await _run_all(ops, _LIST_SCRIPT, [_root_arg(root)], timeout)
    files = [report for tag, report in lines if tag == "FILE"]
    if result.get("count") != len(files):
        raise ProvisionError(f"the listing reported {result.get('count')} files, sent {len(files)}")
    entries: list[ObservedEntry] = []
    problems: list[RegistryProblem] = []
    for report in files:
        observed = _observe(report)
        if isinstance(observed, ObservedEntry):
            entries.append(observed)
        else:
            problems.append(observed)
    return RegistryListing(tuple(entries), tuple(problems))


def _observe(report: dict[str, Any]) -> ObservedEntry | RegistryProblem:
    try:
        name = base64.b64decode(str(report.get("name", "")), validate=True).decode(errors="replace")
        data = base64.b64decode(str(report.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return RegistryProblem(file="?", reason="the host sent an undecodable listing line")
    if len(data) >= MAX_ENTRY_BYTES:
        return RegistryProblem(file=name, reason=f"larger than {MAX_ENTRY_BYTES} bytes")
    try:
        entry = RegistryEntry.from_json(data, source=name)
    except ValueError as exc:
        return RegistryProblem(file=name, reason=str(exc))
    if entry.file_name != name:
        return RegistryProblem(
            file=name, reason=f"the name does not match its content ({entry.file_name})"
        )
    starts: dict[int, int] = {}
    for pair in str(report.get("starts", "")).split():
        pid, _, start = pair.partition(":")
        if pid.isdigit() and start.isdigit():
            starts[int(pid)] = int(start)
    now = starts.get(entry.pid)
    return ObservedEntry(entry=entry, alive=now == entry.start_time, current_start_time=now)


async def _stop_groups(
    ops: HostOps,
    groups: Sequence[tuple[str, RegistryEntry]],
    root: str,
    timeout: float | None,
) -> list[tuple[RegistryEntry, bool, int, bool]]:
    """Run the stop script over (mode, entry) groups: (entry, was_alive, swept, socket)."""
    done: list[tuple[RegistryEntry, bool, int, bool]] = []
    for first in range(0, len(groups), _GROUPS_PER_EXEC):
        chunk = groups[first : first + _GROUPS_PER_EXEC]
        args = [_root_arg(root)]
        for mode, e in chunk:
            args += [mode, str(e.pid), str(e.start_time), e.codex_home, e.socket, e.file_name]
        lines, result = await _run_all(ops, _STOP_SCRIPT, args, timeout)
        reports = [r for tag, r in lines if tag == "STOP"]
        if result.get("count") != len(chunk) or len(reports) != len(chunk):
            raise ProvisionError(f"the stop script handled {result.get('count')} of {len(chunk)}")
        for (_, e), r in zip(chunk, reports, strict=True):
            done.append(
                (e, r.get("alive") is True, int(r.get("swept", 0)), r.get("socket") is True)
            )
    return done


async def stop_entry(
    ops: HostOps,
    entry: RegistryEntry,
    *,
    root: str = DEFAULT_REGISTRY_ROOT,
    timeout: float | None = 30.0,
) -> StopReport:
    """Stop everything of ``entry`` and forget it; idempotent, one exec.

    If the pid still has the recorded start time: SIGKILL its process group, then every
    process with ``CODEX_HOME=<entry.codex_home>``. Otherwise (gone, or reused by another
    process) nothing is signalled. Either way the socket path and the entry file go.
    """
    [(e, alive, swept, sock)] = await _stop_groups(ops, [("kill", entry)], root, timeout)
    return StopReport(entry=e, was_alive=alive, swept=swept, socket_removed=sock)


async def unregister(
    ops: HostOps,
    owner: str,
    task_id: str,
    *,
    root: str = DEFAULT_REGISTRY_ROOT,
    timeout: float | None = 30.0,
) -> None:
    """Remove a task's entry file (after its app-server was stopped); idempotent."""
    name = entry_file_name(owner, task_id)
    await _run_all(ops, _UNREGISTER_SCRIPT, [_root_arg(root), name], timeout)


async def kill_codex_home_processes(
    ops: HostOps, codex_home: str, *, timeout: float | None = 30.0
) -> int:
    """SIGKILL every process whose environment holds exactly ``CODEX_HOME=codex_home``.

    Returns how many were signalled. See ``_SWEEP`` for why a process group is not enough.
    """
    _check_path("codex_home", codex_home)
    _, result = await _run_all(ops, _SWEEP_SCRIPT, [codex_home], timeout)
    killed = result.get("killed")
    if not isinstance(killed, int):
        raise ProvisionError(f"unexpected sweep report {result!r}")
    return killed


async def reap(
    ops: HostOps,
    owner: str,
    is_live: Callable[[RegistryEntry], Awaitable[bool]],
    *,
    keep_task_ids: Collection[str] = (),
    root: str = DEFAULT_REGISTRY_ROOT,
    timeout: float | None = 30.0,
) -> ReapReport:
    """Stop the app-servers of ``owner``'s tasks that no longer exist; forget dead ones.

    Entries of other owners are not touched. Ours: process gone (or pid reused) → file and
    socket removed, nothing signalled; alive, not in ``keep_task_ids`` and ``is_live`` False
    → :func:`stop_entry`; otherwise kept. One exec to list, one more only if something is to
    be stopped or cleaned. An exception from ``is_live`` propagates before anything is done.
    """
    listing = await list_entries(ops, root=root, timeout=timeout)
    key = owner_key(owner)
    problems = tuple(
        p
        for p in listing.problems
        if p.file.startswith(f"{key}--") or not _FILE_NAME.fullmatch(p.file)
    )
    groups: list[tuple[str, RegistryEntry]] = []
    kept: list[RegistryEntry] = []
    for observed in listing.entries:
        entry = observed.entry
        if entry.owner != owner:
            continue
        if not observed.alive:
            groups.append(("clean", entry))
        elif entry.task_id in keep_task_ids or await is_live(entry):
            kept.append(entry)
        else:
            groups.append(("kill", entry))
    stopped: list[StopReport] = []
    cleaned: list[RegistryEntry] = []
    for entry, alive, swept, sock in await _stop_groups(ops, groups, root, timeout):
        if alive:
            stopped.append(StopReport(entry, was_alive=True, swept=swept, socket_removed=sock))
        else:
            cleaned.append(entry)
    return ReapReport(tuple(stopped), tuple(cleaned), tuple(kept), problems)
