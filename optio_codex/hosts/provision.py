"""Prepare a host for one codex task: binary cache, task directories, config, credentials.

Everything runs over ONE connection, in as few round trips as the work allows:

- warm host: ONE exec channel. A POSIX sh script resolves ``~``, creates the task
  directories (mode 0700), reports the paths, receives a small tar stream on stdin
  (config.toml, AGENTS.md, auth.json) and checks the cached codex bundle (sha256 and
  ``--version``) while the tar is in flight.
- cold host (or a bad cache): then one SFTP session pushes the bundle into a staging dir,
  and a second exec verifies it remotely and renames it into place atomically.

Why the small files travel as a tar on the exec's stdin and not over SFTP: an SFTP session
costs a channel open plus open/write/close exchanges per file, several round trips more than
the one exec we need anyway. stdin is neither the exec string nor argv, so the API key never
shows in a process list, and the script runs under ``umask 077`` so auth.json is created
0600 from the start (no chmod afterwards).

Why the cache holds a directory and not a single file: probed with the pinned 0.163.0, codex
alone runs app-server and plain turns, but every sandboxed command then fails with "bubblewrap
is unavailable: no system bwrap was found on PATH and no bundled codex-resources/bwrap binary
was found next to the Codex executable". So the cache mirrors the wheel's layout
(``codex-package.json``, ``bin/codex``, ``codex-resources/bwrap``, ``codex-path/rg``; with the
manifest, codex puts ``codex-path`` on the agent's PATH). ``codex-code-mode-host`` (74 MB) is
only used with ``features.code_mode_host`` and is left out unless asked for.

The host side is behind :class:`HostOps` so the same code can prepare the worker itself
(:class:`LocalOps`) — it only needs "start a /bin/sh script" and "copy files to the host".
"""

from __future__ import annotations

import asyncio
import posixpath
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import asyncssh

from optio_codex.hosts.codex_bundle import (
    CodexBundle,
    HostCodexInstall,
    push_bundle,
    wheel_bundle,
)
from optio_codex.hosts.errors import OptioCodexError
from optio_codex.hosts.host_scripts import (
    SCRIPT_PRELUDE,
    HostOps,
    HostProcess,
    RoundTrips,
    as_ops,
    last_result,
    parse_result_line,
    run_script,
    send_quietly,
)
from optio_codex.hosts.task_files import build_config, tar_files, task_files
from optio_codex.hosts.task_spec import (
    DEFAULT_CACHE_ROOT,
    DEFAULT_TASK_ROOT,
    ProvisionError,
    ProvisionSpec,
    TaskPaths,
    VerifyMode,
    validate_task_id,
)

__all__ = [
    "DEFAULT_CACHE_ROOT",
    "DEFAULT_TASK_ROOT",
    "HostToolsMissing",
    "ProvisionError",
    "ProvisionResult",
    "ProvisionSpec",
    "TaskPaths",
    "VerifyMode",
    "provision",
    "remove_task_dir",
    "validate_task_id",
    "wheel_bundle",
]


@dataclass(frozen=True)
class ProvisionResult:
    paths: TaskPaths
    binary: str  # absolute path of codex on the host
    bundle_dir: str
    pushed: bool  # the bundle was uploaded (cold host or bad cache)
    pushed_bytes: int  # how much was uploaded (0 when the cache was good)
    # What the check found: "ok", "missing", "bad <file>", "badversion"; "install_dir": the
    # codex the task's install_dir holds, used as it is.
    cache_state: str
    round_trips: RoundTrips
    timings: dict[str, float]  # seconds per phase: check, push, finalize, total
    # config.toml as written: what codex reads, so what the sandbox preflight checks.
    config: dict[str, Any] = field(default_factory=dict)
    version: str = ""  # of the codex the task runs


# What the host scripts run besides sh builtins: provisioning, the detached server, the reaper.
HOST_TOOLS = ("tar", "sha256sum", "base64", "setsid", "stat", "mktemp", "find", "cut", "grep")


class HostToolsMissing(OptioCodexError, ProvisionError):
    """The host lacks commands optio-codex runs there; ``tools`` names them."""

    def __init__(self, tools: Sequence[str]) -> None:
        self.tools = tuple(tools)
        super().__init__(
            f"the host lacks tools optio-codex needs: {' '.join(self.tools)}",
            hint="install them there (coreutils, tar, findutils, grep, util-linux for setsid), "
            "or put them on the PATH of the SSH user's login shell",
        )


# --- the host-side scripts (one line each: see host_scripts.check_shell_safe) ------------


# $1 task root, $2 task id, $3 cache root, $4 bundle name, $5 version, $6 verify mode,
# $7.. "sha256:relpath" per bundle file. stdin: a tar of the task's files.
_CHECK_SCRIPT = SCRIPT_PRELUDE + (
    # The tools every host chore uses, checked first so a bare host says what it lacks.
    'm=""; for t in ' + " ".join(HOST_TOOLS) + '; do command -v "$t" >/dev/null 2>&1 '
    '|| m="$m $t"; done; [ -z "$m" ] || { printf "OPTIO-MISSING %s\\n" "${m# }"; exit 3; }; '
    'root=$(expand "$1") || fail "task root is not absolute"; '
    'cache=$(expand "$3") || fail "cache root is not absolute"; '
    'task="$root/$2"; d="$cache/$4"; version=$5; mode=$6; shift 6; '
    '[ -L "$task" ] && fail "task dir $task is a symlink"; '
    'mkdir -p "$task/workdir" "$task/home/.codex" "$task/home/.config" "$task/home/.cache" '
    '"$task/home/.local/share" "$task/home/.local/state" "$task/tmp" "$cache" '
    '|| fail "cannot create the task directories"; '
    'printf \'OPTIO-PATHS {"home":"%s","task_root":"%s","cache_root":"%s"}\\n\' '
    '"$HOME" "$root" "$cache"; '
    'stamp() { printf "%s;" "$@"; for p in "$@"; do stat -c "%s %i %z" "$d/${p#*:}"; done; }; '
    "check() { "
    # mode "none": the caller checked a codex of its own (install_dir); no bundle is involved.
    '[ "$mode" = none ] && { echo ok; return; }; '
    '[ -x "$d/bin/codex" ] || { echo missing; return; }; hashed=0; '
    'if [ "$mode" = stamp ] && [ -f "$d/.verified" ] '
    '&& [ "$(stamp "$@" 2>/dev/null)" = "$(cat "$d/.verified")" ]; then :; else hashed=1; '
    'for p in "$@"; do got=$(sha256sum "$d/${p#*:}" 2>/dev/null | cut -d" " -f1); '
    '[ "$got" = "${p%%:*}" ] || { echo "bad ${p#*:}"; return; }; done; fi; '
    # The task's own CODEX_HOME: codex --version writes helper links under CODEX_HOME/tmp,
    # which would otherwise be the SSH user's real ~/.codex.
    'v=$(CODEX_HOME="$task/home/.codex" "$d/bin/codex" --version 2>/dev/null); '
    '[ "${v##* }" = "$version" ] '
    "|| { echo badversion; return; }; "
    'if [ "$mode" = stamp ] && [ $hashed = 1 ]; then stamp "$@" > "$d/.verified"; fi; '
    "echo ok; }; "
    # Hash while the tar is still in flight.
    'chk="$task/.optio-check"; check "$@" > "$chk" 2>/dev/null & '
    'tar -x -o -f - -C "$task" || fail "cannot unpack the task files"; '
    'wait; res=$(cat "$chk"); rm -f "$chk"; stage=""; '
    'if [ "$res" = ok ]; then :; else '
    # Staging dirs left by interrupted pushes are removed after half a day.
    'find "$cache" -maxdepth 1 -name ".incoming.*" -mmin +720 -exec rm -rf {} + 2>/dev/null; '
    'stage=$(mktemp -d "$cache/.incoming.XXXXXX") || fail "cannot create a staging dir"; '
    'for p in "$@"; do mkdir -p "$stage/$(dirname "${p#*:}")"; done; fi; '
    'printf \'OPTIO-RESULT {"bundle_dir":"%s","state":"%s","stage":"%s"}\\n\' '
    '"$d" "$res" "$stage"'
)

# $1 task root (absolute), $2 task dir.
_REMOVE_SCRIPT = (
    "set -u; fail() { printf 'OPTIO-ERROR %s\\n' \"$1\"; exit 3; }; "
    'case "$2" in "$1"/?*) ;; *) fail "$2 is not under $1";; esac; '
    # A symlinked task dir: remove the link only, never what it points to.
    'if [ -L "$2" ]; then rm -f "$2"; exit 0; fi; '
    # Some tools leave read-only dirs (Go's module cache); make them removable first.
    'if [ -d "$2" ]; then chmod -R u+rwX "$2" 2>/dev/null; rm -rf "$2" || fail "rm failed"; fi; '
    'printf \'OPTIO-RESULT {"state":"removed"}\\n\''
)


# $1 a staging dir the check made for a push that is not allowed (install_if_missing=False).
_DROP_STAGE_SCRIPT = (
    'case "$1" in /*/.incoming.*) rm -rf "$1";; esac; printf \'OPTIO-RESULT {}\\n\''
)


# --- talking to the scripts -------------------------------------------------------------------


async def _run(
    ops: HostOps, script: str, args: Sequence[str], tag: str, timeout: float | None
) -> dict[str, Any]:
    return await run_script(ops, script, args, tag=tag, timeout=timeout, error=ProvisionError)


def _paths_from_report(report: Mapping[str, Any], task_id: str) -> TaskPaths:
    paths = TaskPaths(
        host_home=str(report.get("home", "")),
        task_root=str(report.get("task_root", "")),
        task_id=task_id,
        cache_root=str(report.get("cache_root", "")),
    )
    for value in (paths.host_home, paths.task_root, paths.cache_root):
        if not posixpath.isabs(value) or ".." in value.split("/"):
            raise ProvisionError(f"the host reported an unusable path {value!r}")
    return paths


async def _check_and_write(
    ops: HostOps,
    spec: ProvisionSpec,
    bundle: CodexBundle | HostCodexInstall,
    timeout: float | None,
) -> tuple[TaskPaths, dict[str, Any], dict[str, Any]]:
    """The one exec of a warm launch: directories, task files, cache check."""
    if isinstance(bundle, HostCodexInstall):  # nothing of ours to check
        check = ["-", bundle.version, "none"]
    else:
        check = [bundle.name, bundle.version, spec.verify, *bundle.manifest_args()]
    args = [spec.task_root, spec.task_id, spec.cache_root, *check]
    process = await ops.start(_CHECK_SCRIPT, args)
    try:
        return await _talk_to_check(ops, process, spec, timeout)
    except BaseException:
        process.close()
        raise


async def _talk_to_check(
    ops: HostOps, process: HostProcess, spec: ProvisionSpec, timeout: float | None
) -> tuple[TaskPaths, dict[str, Any], dict[str, Any]]:
    # config.toml names the workspace by absolute path (the trust entry). With an absolute
    # task root it is known now and the tar goes at once; a "~" root waits for the host's
    # path report first, one more exchange on the same channel.
    sent = spec.task_root.startswith("/")
    if sent:
        local = TaskPaths(host_home="", task_root=spec.task_root, task_id=spec.task_id)
        config = build_config(spec, local)
        await send_quietly(process, tar_files(task_files(spec, config)))
    async with asyncio.timeout(timeout):
        header = await process.readline()
    if header.startswith(b"OPTIO-MISSING "):
        raise HostToolsMissing(header.decode(errors="replace").split()[1:])
    if not header.startswith(b"OPTIO-PATHS "):
        result = await process.finish(timeout)
        # Raises with the host's reason.
        last_result(header + result.stdout, "PATHS", result, error=ProvisionError)
    report = parse_result_line(header, "PATHS", error=ProvisionError)
    paths = _paths_from_report(report, spec.task_id)
    if sent and paths.task_root != spec.task_root:
        raise ProvisionError(f"the host moved the task root to {paths.task_root!r}")
    if not sent:
        ops.trips.exchanges += 1
        config = build_config(spec, paths)
        await send_quietly(process, tar_files(task_files(spec, config)))
    result = await process.finish(timeout)
    return paths, config, last_result(result.stdout, "RESULT", result, error=ProvisionError)


async def provision(
    target: asyncssh.SSHClientConnection | HostOps,
    spec: ProvisionSpec,
    *,
    bundle: CodexBundle | HostCodexInstall | None = None,
    timeout: float | None = 120.0,
) -> ProvisionResult:
    """Prepare the host behind ``target`` for ``spec``'s task and return where things are.

    ``bundle``: what codex the task runs; by default the pinned wheel's bundle, pushed into
    the host's cache when missing (``spec.install_if_missing=False``: the launch fails
    instead). A :class:`HostCodexInstall` is a codex already on the host, used where it is.
    (``spec.install_dir`` is chosen by :func:`~optio_codex.hosts.codex_install.provision_codex`.)
    """
    ops = as_ops(target)
    before = replace(ops.trips)  # a caller's HostOps may have counted earlier work
    bundle = bundle or wheel_bundle(spec.code_mode_host)
    timings: dict[str, float] = {}
    started = time.monotonic()
    paths, config, report = await _check_and_write(ops, spec, bundle, timeout)
    timings["check"] = time.monotonic() - started
    if isinstance(bundle, HostCodexInstall):
        bundle_dir, state, pushed = bundle.root, "install_dir", False
    else:
        bundle_dir = f"{paths.cache_root}/{bundle.name}"
        if report.get("bundle_dir") != bundle_dir:
            raise ProvisionError(f"the host reported an unexpected bundle dir {report!r}")
        state = str(report.get("state", ""))
        pushed = state != "ok"
    if pushed and not spec.install_if_missing:
        await _run(ops, _DROP_STAGE_SCRIPT, [str(report.get("stage", ""))], "RESULT", timeout)
        raise ProvisionError(
            f"install_if_missing=False, and the host's cache {paths.cache_root} has no good "
            f"codex {bundle.version} (found: {state}); provision it first or allow the install"
        )
    if pushed and isinstance(bundle, CodexBundle):
        stage = str(report.get("stage", ""))
        await push_bundle(ops, spec.verify, bundle, stage, bundle_dir, timings)
    timings["total"] = time.monotonic() - started
    return ProvisionResult(
        paths=paths,
        binary=f"{bundle_dir}/bin/codex",
        bundle_dir=bundle_dir,
        pushed=pushed,
        pushed_bytes=sum(f.local.stat().st_size for f in bundle.files)
        if pushed and isinstance(bundle, CodexBundle)
        else 0,
        cache_state=state,
        round_trips=RoundTrips(
            execs=ops.trips.execs - before.execs,
            sftp_sessions=ops.trips.sftp_sessions - before.sftp_sessions,
            exchanges=ops.trips.exchanges - before.exchanges,
        ),
        timings=timings,
        config=config,
        version=bundle.version,
    )


async def remove_task_dir(
    target: asyncssh.SSHClientConnection | HostOps,
    paths: TaskPaths,
    *,
    timeout: float | None = 120.0,
) -> None:
    """Delete one task's directory; refuses anything that is not a task dir under its root."""
    validate_task_id(paths.task_id)
    root = paths.task_root
    if not posixpath.isabs(root) or ".." in root.split("/") or posixpath.normpath(root) != root:
        raise ValueError(f"task root {root!r} is not a normalised absolute path")
    if root in ("/", paths.host_home) or posixpath.dirname(paths.task_dir) != root:
        raise ValueError(f"refusing to remove {paths.task_dir!r}: not a task dir under {root!r}")
    await _run(as_ops(target), _REMOVE_SCRIPT, [root, paths.task_dir], "RESULT", timeout)
