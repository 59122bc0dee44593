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

Each entry also records the process's start time, so a reused pid is never signalled; the
stop is the one of :mod:`optio_codex.hosts.process_control`, batched, with the entry file
removed in the same exec. The listing is one exec whatever the number of entries. The
entries and reports are in :mod:`optio_codex.hosts.registry_entries`.

Errors of the host-side scripts raise :class:`~optio_codex.hosts.provision.ProvisionError`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import replace
from typing import Any

from optio_codex.hosts.host_scripts import (
    SCRIPT_PRELUDE,
    CommandResult,
    HostOps,
    last_result,
    parse_result_line,
    run_script,
    run_tagged_script,
    send_quietly,
)
from optio_codex.hosts.process_control import (
    PROC_STAT,
    START_OF,
    ServerStop,
    stop_server,
    stop_servers,
)
from optio_codex.hosts.registry_entries import (
    FILE_NAME,
    FORMAT_VERSION,
    MAX_ENTRY_BYTES,
    ObservedEntry,
    ReapReport,
    RegistryEntry,
    RegistryListing,
    RegistryProblem,
    StopReport,
    entry_file_name,
    owner_key,
)
from optio_codex.hosts.task_spec import ProvisionError, validate_root


def _result(out: bytes, tag: str, result: CommandResult) -> dict[str, Any]:
    # The registry's script failures are host chores gone wrong, like provisioning's.
    return last_result(out, tag, result, error=ProvisionError)


DEFAULT_REGISTRY_ROOT = "~/.cache/optio-codex/registry"

# --- the host-side scripts (one line each: see provision._check_shell_safe) ----------------

_ROOT_DIR = 'dir=$(expand "$1") || fail "registry root is not absolute"; '
_SAFE_NAME = 'case "$name" in */*|.*|"") fail "bad entry file name $name";; esac; '

# $1 root, $2 file name, $3 pid whose start time to report first, or "". stdin: the JSON.
# The file is written beside its final name and renamed in, so a reader never sees half of
# it; umask 077 makes it 0600 from the start. An empty stdin (the caller gave up) writes
# nothing.
_REGISTER_SCRIPT = (
    SCRIPT_PRELUDE
    + PROC_STAT
    + START_OF
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
    SCRIPT_PRELUDE + PROC_STAT + START_OF + _ROOT_DIR + "n=0; "
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

# $1 root, $2 file name.
_UNREGISTER_SCRIPT = (
    SCRIPT_PRELUDE
    + _ROOT_DIR
    + "name=$2; "
    + _SAFE_NAME
    + 'rm -f "$dir/$name" || fail "cannot remove $dir/$name"; '
    'printf \'OPTIO-RESULT {"state":"removed"}\\n\''
)

SCRIPTS = (_REGISTER_SCRIPT, _LIST_SCRIPT, _UNREGISTER_SCRIPT)


# --- talking to the scripts -------------------------------------------------------------------


async def _run_all(
    ops: HostOps, script: str, args: Sequence[str], timeout: float | None
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    return await run_tagged_script(ops, script, args, timeout=timeout, error=ProvisionError)


def _root_arg(root: str) -> str:
    validate_root("root", root)
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


def _record(root: str, entry: RegistryEntry) -> str:
    return f"{_root_arg(root).rstrip('/')}/{entry.file_name}"


# (signal the server?, the entry, remove its task dir?)
_Group = tuple[bool, RegistryEntry, bool]


def _task_dir_of(entry: RegistryEntry) -> str:
    # Only a task dir laid out as ours (CODEX_HOME inside it) is ever removed.
    return entry.task_dir if entry.codex_home == f"{entry.task_dir}/home/.codex" else ""


async def _stop_groups(
    ops: HostOps,
    groups: Sequence[_Group],
    root: str,
    timeout: float | None,
    keep_records: Collection[int] = (),
) -> list[StopReport]:
    """Stop (signal True) or only clean up after (False) each entry's server, and forget it;
    with remove True its task directory goes too (config, auth.json, history).

    No grace: the reaper and a cancel clean up after servers nobody waits for. The entry
    files of ``keep_records`` (ids of entries) stay.
    """
    targets = [
        ServerStop(
            e.pid,
            e.start_time,
            e.socket,
            e.codex_home,
            "" if id(e) in keep_records else _record(root, e),
            signal=signal,
            task_dir=_task_dir_of(e) if remove else "",
        )
        for signal, e, remove in groups
    ]
    outcomes = await stop_servers(ops, targets, timeout=timeout, error=ProvisionError)
    return [
        StopReport(e, was_alive=o.was_alive, swept=o.swept, socket_removed=o.socket_removed)
        for (_, e, _), o in zip(groups, outcomes, strict=True)
    ]


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
    [report] = await _stop_groups(ops, [(True, entry, False)], root, timeout)
    return report


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


async def stop_leftovers(
    ops: HostOps,
    owner: str,
    task_id: str,
    codex_home: str,
    *,
    socket: str = "",
    root: str = DEFAULT_REGISTRY_ROOT,
    timeout: float | None = 30.0,
) -> int:
    """At a task's end (or before a launch): kill every process with its CODEX_HOME, remove
    its ``socket`` (with codex's daemon files for it), and forget its entry; one exec.

    codex runs each command in a session of its own, so what a command detached outlives
    codex's process group: the sweep finds it by its CODEX_HOME. Returns how many were
    signalled.
    """
    record = f"{_root_arg(root).rstrip('/')}/{entry_file_name(owner, task_id)}"
    outcome = await stop_server(
        ops,
        0,
        0,
        socket,
        codex_home=codex_home,
        record=record,
        timeout=timeout,
        error=ProvisionError,
    )
    return outcome.swept


async def reap(
    ops: HostOps,
    owner: str,
    is_live: Callable[[RegistryEntry], Awaitable[bool]],
    *,
    keep_task_ids: Collection[str] = (),
    before_remove: Callable[[RegistryEntry], Awaitable[None]] | None = None,
    root: str = DEFAULT_REGISTRY_ROOT,
    timeout: float | None = 30.0,
) -> ReapReport:
    """Stop the app-servers of ``owner``'s tasks that no longer exist; forget dead ones.

    Entries of other owners are not touched, nor those in ``keep_task_ids`` (the caller's own
    task: its run owns the socket path and the entry, and may be launching on them now).
    Ours: process gone (or pid reused) → file and socket removed, nothing signalled; alive
    and ``is_live`` False → :func:`stop_entry`; otherwise kept. A task that is not live also
    loses its task directory, credentials included: nothing will resume it, and an orphan's
    auth.json must not outlive it. ``before_remove`` is awaited for each such entry once its
    processes are stopped and before its directory goes (a seed's login saved back, say);
    if it raises, the directory and the entry stay for a later reap. One exec to list, one
    more only if something is to be stopped or cleaned (two with ``before_remove``). An
    exception from ``is_live`` propagates before anything is done.
    """
    listing = await list_entries(ops, root=root, timeout=timeout)
    key = owner_key(owner)
    problems = tuple(
        p
        for p in listing.problems
        if p.file.startswith(f"{key}--") or not FILE_NAME.fullmatch(p.file)
    )
    groups: list[_Group] = []
    kept: list[RegistryEntry] = []
    for observed in listing.entries:
        entry = observed.entry
        if entry.owner != owner:
            continue
        if entry.task_id in keep_task_ids:
            kept.append(entry)
            continue
        live = await is_live(entry)
        if not observed.alive:
            groups.append((False, entry, not live))
        elif live:
            kept.append(entry)
        else:
            groups.append((True, entry, True))
    stopped: list[StopReport] = []
    cleaned: list[RegistryEntry] = []
    reports = await _stop_before_removal(ops, groups, before_remove, root, timeout)
    for report in reports:
        if report.was_alive:
            stopped.append(report)
        else:
            cleaned.append(report.entry)
    return ReapReport(tuple(stopped), tuple(cleaned), tuple(kept), problems)


async def _stop_before_removal(
    ops: HostOps,
    groups: Sequence[_Group],
    before_remove: Callable[[RegistryEntry], Awaitable[None]] | None,
    root: str,
    timeout: float | None,
) -> list[StopReport]:
    """The stops of ``groups``; with ``before_remove``, directories go in a second exec, after
    the hook (an entry whose hook failed keeps both its directory and its registry file)."""
    removing = [g for g in groups if g[2]]
    if before_remove is None or not removing:
        return await _stop_groups(ops, groups, root, timeout)
    first = [(signal, e, False) for signal, e, _ in groups]
    reports = await _stop_groups(
        ops, first, root, timeout, keep_records={id(g[1]) for g in removing}
    )
    ready: list[_Group] = []
    for _, entry, _ in removing:
        try:
            await before_remove(entry)
        except Exception:  # the next reap tries again
            continue
        ready.append((False, entry, True))
    if ready:
        await _stop_groups(ops, ready, root, timeout)
    return reports


__all__ = [
    "DEFAULT_REGISTRY_ROOT",
    "FORMAT_VERSION",
    "MAX_ENTRY_BYTES",
    "SCRIPTS",
    "ObservedEntry",
    "ReapReport",
    "RegistryEntry",
    "RegistryListing",
    "RegistryProblem",
    "StopReport",
    "entry_file_name",
    "list_entries",
    "owner_key",
    "reap",
    "register",
    "register_process",
    "stop_entry",
    "stop_leftovers",
    "unregister",
]
