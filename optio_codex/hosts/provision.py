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
import hashlib
import io
import json
import posixpath
import re
import tarfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import asyncssh
import tomli_w
from optio_agents.config_types import AllowedDir
from optio_agents.prompt import AgentPromptProfile, compose_instructions_file

from optio_codex.binary import pinned_codex
from optio_codex.hosts.host_scripts import (
    SCRIPT_PRELUDE,
    HostOps,
    HostProcess,
    HostScriptError,
    RoundTrips,
    as_ops,
    last_result,
    parse_result_line,
    run_script,
    send_quietly,
)
from optio_codex.hosts.launch import app_server_env
from optio_codex.mappings import deep_merge

if TYPE_CHECKING:
    from optio_codex.task.config import CodexTaskConfig

SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ApprovalPolicy = Literal["untrusted", "on-request", "never"]
# "sha256": hash every cached file on every launch (~0.7 s for the 297 MB codex).
# "stamp": hash once at install; later launches compare size, inode and ctime (nanoseconds,
# which any write or touch updates and a user cannot set back) with a stamp file.
VerifyMode = Literal["sha256", "stamp"]

DEFAULT_TASK_ROOT = "~/.optio-codex/tasks"  # not /tmp: codex refuses helper binaries under it
DEFAULT_CACHE_ROOT = "~/.cache/optio-codex/bin"

_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Roots travel as exec arguments through the user's login shell (maybe csh or fish): keep
# them to characters no shell treats specially.
_ROOT = re.compile(r"^(~|~/[A-Za-z0-9._/+@=,-]*|/[A-Za-z0-9._/+@=,-]*)$")

AGENTS_PROFILE = AgentPromptProfile(
    instructions_file="AGENTS.md",
    state_dir="home/.codex/",
    state_dir_contents="codex's configuration, credentials and conversation history",
    todo_tool="update_plan",
)


class ProvisionError(HostScriptError):
    """The host could not be prepared; the message says which step failed and why."""


# --- the codex bundle pushed to hosts ---------------------------------------------------------


@dataclass(frozen=True)
class BundleFile:
    local: Path
    rel: str  # path inside the bundle directory
    sha256: str


@dataclass(frozen=True)
class CodexBundle:
    """The files of the pinned codex that a host needs, with their hashes."""

    version: str
    files: tuple[BundleFile, ...]

    @property
    def name(self) -> str:
        codex = next(f for f in self.files if f.rel == "bin/codex")
        return f"codex-{self.version}-{codex.sha256[:16]}"

    def manifest_args(self) -> list[str]:
        return [f"{f.sha256}:{f.rel}" for f in self.files]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=2)
def wheel_bundle(code_mode_host: bool = False) -> CodexBundle:
    """The bundle from the installed openai-codex-cli-bin wheel (hashed once per process)."""
    codex = pinned_codex()
    package = codex.path.parent.parent  # .../codex_cli_bin/{bin,codex-resources,codex-path}
    rels = ["codex-package.json", "codex-resources/bwrap", "codex-path/rg"]
    if code_mode_host:
        rels.append("bin/codex-code-mode-host")
    files = [BundleFile(codex.path, "bin/codex", codex.sha256)]
    for rel in rels:
        local = package / rel
        if not local.is_file():
            raise ProvisionError(f"the codex wheel lacks {rel} (looked at {local})")
        files.append(BundleFile(local, rel, _sha256_file(local)))
    return CodexBundle(version=codex.version, files=tuple(files))


# --- what a task asks for ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ProvisionSpec:
    """Everything provisioning needs for one task; validated on construction."""

    task_id: str
    consumer_instructions: str
    task_root: str = DEFAULT_TASK_ROOT
    cache_root: str = DEFAULT_CACHE_ROOT
    sandbox: SandboxMode = "workspace-write"
    approval_policy: ApprovalPolicy = "on-request"
    network_access: bool = False
    extra_allowed_dirs: tuple[AllowedDir, ...] = ()
    model: str | None = None
    reasoning_effort: str | None = None
    api_key: str | None = field(default=None, repr=False)
    codex_config: Mapping[str, Any] | None = None  # merged over the generated config.toml
    host_protocol: bool = True
    supports_resume: bool = False
    # sha256 of the whole bundle once, then a size/inode/ctime stamp (any write changes ctime):
    # hashing 290 MB on every launch costs ~0.7 s.
    verify: VerifyMode = "stamp"
    code_mode_host: bool = False

    def __post_init__(self) -> None:
        validate_task_id(self.task_id)
        for name in ("task_root", "cache_root"):
            _validate_root(name, getattr(self, name))
        if self.verify not in ("sha256", "stamp"):
            raise ValueError(f"verify={self.verify!r}: use 'sha256' or 'stamp'")
        for d in self.extra_allowed_dirs:
            if not posixpath.isabs(d.path) or ".." in d.path.split("/"):
                raise ValueError(f"extra_allowed_dirs: {d.path!r} must be absolute, without ..")

    @classmethod
    def from_task_config(cls, config: CodexTaskConfig, task_id: str, **kw: Any) -> ProvisionSpec:
        values: dict[str, Any] = {
            "task_id": task_id,
            "consumer_instructions": config.consumer_instructions,
            "sandbox": config.sandbox,
            "approval_policy": config.ask_for_approval,
            "network_access": config.network_access,
            "extra_allowed_dirs": tuple(config.extra_allowed_dirs or ()),
            "model": config.model,
            "reasoning_effort": config.reasoning_effort,
            "api_key": config.api_key,
            "codex_config": config.codex_config,
            "host_protocol": config.host_protocol,
            "supports_resume": config.supports_resume,
        }
        if config.task_root:
            values["task_root"] = config.task_root
        values.update(kw)
        return cls(**values)


def validate_task_id(task_id: str) -> None:
    # One path component of safe characters: no "/", no "..", no leading dot or dash.
    if not isinstance(task_id, str) or not _TASK_ID.fullmatch(task_id) or ".." in task_id:
        raise ValueError(
            f"task_id {task_id!r} is not allowed: use 1-128 of A-Z a-z 0-9 . _ - "
            "(starting with a letter or digit, no '..')"
        )


def _validate_root(name: str, value: str) -> None:
    if not _ROOT.fullmatch(value) or ".." in value.split("/"):
        raise ValueError(
            f"{name}={value!r} must be absolute (or start with ~/), without '..' or "
            "characters a shell treats specially"
        )


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskPaths:
    """Where one task lives on its host (all absolute, ``~`` resolved on the host)."""

    host_home: str
    task_root: str
    task_id: str
    cache_root: str = ""  # where codex bundles are cached on this host

    @property
    def task_dir(self) -> str:
        return f"{self.task_root}/{self.task_id}"

    @property
    def workspace(self) -> str:
        # optio-host's layout: its setup_workdir() and log-protocol driver use taskdir/workdir.
        return f"{self.task_dir}/workdir"

    @property
    def home(self) -> str:
        return f"{self.task_dir}/home"

    @property
    def codex_home(self) -> str:
        return f"{self.home}/.codex"

    @property
    def tmpdir(self) -> str:
        return f"{self.task_dir}/tmp"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """codex's whole environment for this task (see :func:`app_server_env`)."""
        return app_server_env(
            home=self.home, codex_home=self.codex_home, tmpdir=self.tmpdir, extra=extra
        )


@dataclass(frozen=True)
class ProvisionResult:
    paths: TaskPaths
    binary: str  # absolute path of codex on the host
    bundle_dir: str
    pushed: bool  # the bundle was uploaded (cold host or bad cache)
    cache_state: str  # what the check found: "ok", "missing", "bad <file>", "badversion"
    round_trips: RoundTrips
    timings: dict[str, float]  # seconds per phase: check, push, finalize, total


# --- file contents ----------------------------------------------------------------------------


def build_config(spec: ProvisionSpec, paths: TaskPaths) -> dict[str, Any]:
    """config.toml as a dict: trust for the workspace, the sandbox, then the caller's extras."""
    writable = [d.path for d in spec.extra_allowed_dirs if d.mode in ("rw", "rwx")]
    config: dict[str, Any] = {
        "check_for_update_on_startup": False,
        "sandbox_mode": spec.sandbox,
        "approval_policy": spec.approval_policy,
        "projects": {paths.workspace: {"trust_level": "trusted"}},
        "sandbox_workspace_write": {
            "writable_roots": writable,
            "network_access": spec.network_access,
            # Without these, workspace-write also opens /tmp and $TMPDIR to the agent.
            "exclude_slash_tmp": True,
            "exclude_tmpdir_env_var": True,
        },
    }
    if spec.model:
        config["model"] = spec.model
    if spec.reasoning_effort:
        config["model_reasoning_effort"] = spec.reasoning_effort
    if spec.codex_config:
        config = deep_merge(config, spec.codex_config)
    return config


def compose_agents_md(spec: ProvisionSpec) -> str:
    # No fs_isolation_dirs note: codex's sandbox limits writes, not reads, so the note's
    # "files outside them are not accessible" would be false.
    text: str = compose_instructions_file(
        spec.consumer_instructions,
        profile=AGENTS_PROFILE,
        workdir_exclude=[],
        supports_resume=spec.supports_resume,
        host_protocol=spec.host_protocol,
    )
    return text


def _task_files(spec: ProvisionSpec, paths: TaskPaths) -> list[tuple[str, bytes, int]]:
    """(path relative to the task dir, content, mode) of every file a task starts with."""
    files = [
        (
            "home/.codex/config.toml",
            tomli_w.dumps(build_config(spec, paths)).encode(),
            0o600,
        ),
        ("workdir/AGENTS.md", compose_agents_md(spec).encode(), 0o644),
    ]
    if spec.api_key:
        auth = {"auth_mode": "apikey", "OPENAI_API_KEY": spec.api_key}
        files.append(("home/.codex/auth.json", json.dumps(auth).encode(), 0o600))
    return files


def _tar(files: Sequence[tuple[str, bytes, int]]) -> bytes:
    buf = io.BytesIO()
    now = int(time.time())
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, now
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# --- the host-side scripts (one line each: see host_scripts.check_shell_safe) ------------


# $1 task root, $2 task id, $3 cache root, $4 bundle name, $5 version, $6 verify mode,
# $7.. "sha256:relpath" per bundle file. stdin: a tar of the task's files.
_CHECK_SCRIPT = SCRIPT_PRELUDE + (
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
    '[ -x "$d/bin/codex" ] || { echo missing; return; }; hashed=0; '
    'if [ "$mode" = stamp ] && [ -f "$d/.verified" ] '
    '&& [ "$(stamp "$@" 2>/dev/null)" = "$(cat "$d/.verified")" ]; then :; else hashed=1; '
    'for p in "$@"; do got=$(sha256sum "$d/${p#*:}" 2>/dev/null | cut -d" " -f1); '
    '[ "$got" = "${p%%:*}" ] || { echo "bad ${p#*:}"; return; }; done; fi; '
    'v=$("$d/bin/codex" --version 2>/dev/null); [ "${v##* }" = "$version" ] '
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

# $1 staging dir, $2 bundle dir, $3 version, $4 verify mode, $5.. "sha256:relpath".
_FINALIZE_SCRIPT = (
    "set -u; umask 077; "
    "stage=$1; d=$2; version=$3; mode=$4; shift 4; "
    'fail() { printf \'OPTIO-ERROR %s\\n\' "$1"; rm -rf "$stage"; exit 3; }; '
    'for p in "$@"; do rel=${p#*:}; '
    'case "$rel" in *.json) chmod 0644 "$stage/$rel";; *) chmod 0755 "$stage/$rel";; esac '
    '|| fail "cannot chmod $rel"; '
    'got=$(sha256sum "$stage/$rel" | cut -d" " -f1); '
    '[ "$got" = "${p%%:*}" ] || fail "sha256 of the uploaded $rel is $got"; done; '
    'v=$("$stage/bin/codex" --version 2>&1); [ "${v##* }" = "$version" ] '
    '|| fail "the uploaded codex reports $v"; '
    'if [ "$mode" = stamp ]; then { printf "%s;" "$@"; for p in "$@"; do '
    'stat -c "%s %i %z" "$stage/${p#*:}"; done; } > "$stage/.verified"; fi; '
    # A bad bundle is moved aside (running tasks keep their open binary), then the staged
    # one renamed in. mv -T never moves into an existing dir: if a concurrent push won the
    # race, its verified bundle is kept and ours dropped.
    'old=""; if [ -e "$d" ] || [ -L "$d" ]; then old="$d.old.$$"; mv -f -T "$d" "$old" '
    '|| fail "cannot move the old bundle aside"; fi; '
    'if mv -T "$stage" "$d" 2>/dev/null; then state=installed; '
    'else rm -rf "$stage"; state=raced; fi; '
    'if [ -n "$old" ]; then rm -rf "$old"; fi; '
    'printf \'OPTIO-RESULT {"state":"%s"}\\n\' "$state"'
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
    ops: HostOps, spec: ProvisionSpec, bundle: CodexBundle, timeout: float | None
) -> tuple[TaskPaths, dict[str, Any]]:
    """The one exec of a warm launch: directories, task files, cache check."""
    args = [spec.task_root, spec.task_id, spec.cache_root, bundle.name, bundle.version]
    process = await ops.start(_CHECK_SCRIPT, [*args, spec.verify, *bundle.manifest_args()])
    try:
        return await _talk_to_check(ops, process, spec, timeout)
    except BaseException:
        process.close()
        raise


async def _talk_to_check(
    ops: HostOps, process: HostProcess, spec: ProvisionSpec, timeout: float | None
) -> tuple[TaskPaths, dict[str, Any]]:
    # config.toml names the workspace by absolute path (the trust entry). With an absolute
    # task root it is known now and the tar goes at once; a "~" root waits for the host's
    # path report first, one more exchange on the same channel.
    sent = spec.task_root.startswith("/")
    if sent:
        local = TaskPaths(host_home="", task_root=spec.task_root, task_id=spec.task_id)
        await send_quietly(process, _tar(_task_files(spec, local)))
    async with asyncio.timeout(timeout):
        header = await process.readline()
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
        await send_quietly(process, _tar(_task_files(spec, paths)))
    result = await process.finish(timeout)
    return paths, last_result(result.stdout, "RESULT", result, error=ProvisionError)


async def _push_bundle(
    ops: HostOps,
    spec: ProvisionSpec,
    bundle: CodexBundle,
    stage: str,
    bundle_dir: str,
    timings: dict[str, float],
) -> None:
    """Upload to a staging dir, then verify and rename it into place on the host."""
    if not stage.startswith(posixpath.dirname(bundle_dir) + "/.incoming."):
        raise ProvisionError(f"the host reported an unexpected staging dir {stage!r}")
    started = time.monotonic()
    await ops.put_files([(f.local, f"{stage}/{f.rel}") for f in bundle.files])
    timings["push"] = time.monotonic() - started
    started = time.monotonic()
    args = [stage, bundle_dir, bundle.version, spec.verify, *bundle.manifest_args()]
    await _run(ops, _FINALIZE_SCRIPT, args, "RESULT", timeout=300)
    timings["finalize"] = time.monotonic() - started


async def provision(
    target: asyncssh.SSHClientConnection | HostOps,
    spec: ProvisionSpec,
    *,
    bundle: CodexBundle | None = None,
    timeout: float | None = 120.0,
) -> ProvisionResult:
    """Prepare the host behind ``target`` for ``spec``'s task and return where things are."""
    ops = as_ops(target)
    before = replace(ops.trips)  # a caller's HostOps may have counted earlier work
    bundle = bundle or wheel_bundle(spec.code_mode_host)
    timings: dict[str, float] = {}
    started = time.monotonic()
    paths, report = await _check_and_write(ops, spec, bundle, timeout)
    timings["check"] = time.monotonic() - started
    bundle_dir = f"{paths.cache_root}/{bundle.name}"
    if report.get("bundle_dir") != bundle_dir:
        raise ProvisionError(f"the host reported an unexpected bundle dir {report!r}")
    state = str(report.get("state", ""))
    pushed = state != "ok"
    if pushed:
        await _push_bundle(ops, spec, bundle, str(report.get("stage", "")), bundle_dir, timings)
    timings["total"] = time.monotonic() - started
    return ProvisionResult(
        paths=paths,
        binary=f"{bundle_dir}/bin/codex",
        bundle_dir=bundle_dir,
        pushed=pushed,
        cache_state=state,
        round_trips=RoundTrips(
            execs=ops.trips.execs - before.execs,
            sftp_sessions=ops.trips.sftp_sessions - before.sftp_sessions,
            exchanges=ops.trips.exchanges - before.exchanges,
        ),
        timings=timings,
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
