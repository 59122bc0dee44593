"""codex's own sandbox on a host: the settings codex needs, and a preflight that proves it works.

- :func:`sandbox_config` (pure) turns a task's sandbox settings into the ``config.toml`` entries
  and the ``thread/start`` parameters. ``/tmp`` and ``$TMPDIR`` are always excluded from the
  writable roots: codex's workspace-write allows both by default, which would let a sandboxed
  command write to shared temp dirs outside the task.
- :func:`preflight` runs a probe INSIDE codex's sandbox on the host, in one exec round trip, and
  raises :class:`SandboxUnavailable` when the sandbox cannot start (e.g. bubblewrap cannot create
  namespaces) or does not confine what it should. There is never an unsandboxed fallback: codex
  itself would just fail every sandboxed command (exit 1) with no prompt.

How the preflight runs codex (probed on the pinned 0.163.0): ``codex sandbox`` requires a
permission profile (``-P``); it no longer has a ``linux`` subcommand and ignores
``sandbox_mode`` / ``[sandbox_workspace_write]``. The built-in ``:workspace`` profile also lets
commands write ``/tmp`` and ``$TMPDIR``, so the preflight defines its own profile with ``-c``
overrides that mirrors the task's legacy policy: read everything, write the workspace roots (cwd
plus the extra writable dirs), network only when allowed. It needs no auth; it needs an existing
``CODEX_HOME`` (it writes helper links under ``tmp/``), so it gets a scratch one.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from optio_codex.hosts.errors import OptioCodexError
from optio_codex.hosts.launch import DEFAULT_PATH
from optio_codex.hosts.sandbox_runners import RunScript, run_local, ssh_runner

SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
Access = Literal["allowed", "blocked"]

SANDBOX_MODES: tuple[SandboxMode, ...] = ("read-only", "workspace-write", "danger-full-access")
PREFLIGHT_PROFILE = "optio_preflight"  # the permission profile name the preflight defines
_MARK = "@@optio-sandbox"  # prefix of every line the probe reports on stdout
_PROBE_PREFIX = ".optio-sandbox-preflight"
# A loopback port for the network probe. Nothing needs to listen there: a sandbox without
# network refuses to even create the socket (EPERM), while an open network answers "refused".
_NETWORK_PROBE = ("127.0.0.1", 9)


_NAMESPACES_HINT = (
    "let bubblewrap create namespaces on the host (unprivileged user namespaces), "
    "or, on a disposable host, use --sandbox danger-full-access"
)


class SandboxUnavailable(OptioCodexError, RuntimeError):
    """codex's sandbox cannot run on the host, or does not confine what it must.

    ``cause`` is the line that explains it (usually bubblewrap's own message from stderr).
    """

    def __init__(
        self,
        cause: str,
        *,
        exit_code: int | None = None,
        stderr_tail: str = "",
        result: PreflightResult | None = None,
        hint: str = _NAMESPACES_HINT,
    ) -> None:
        super().__init__(f"codex sandbox unavailable on the host: {cause}", hint=hint)
        self.cause = cause
        self.exit_code = exit_code
        self.stderr_tail = stderr_tail
        self.result = result


# -- settings -> codex configuration (pure) ------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SandboxSettings:
    """A task's sandbox: the mode, network access and extra writable dirs (absolute paths).

    ``read_only_dirs`` (an ``ro`` grant each) are not codex settings: codex reads everywhere
    and has no read-only roots; the preflight proves that they are not writable.
    """

    mode: SandboxMode = "workspace-write"
    network_access: bool = False
    writable_dirs: tuple[str, ...] = ()
    read_only_dirs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in SANDBOX_MODES:
            raise ValueError(f"sandbox mode {self.mode!r} is not one of {SANDBOX_MODES}")
        # Both only mean something under workspace-write; elsewhere they would be silently
        # ignored by codex, which hides a misconfiguration.
        if self.network_access and self.mode != "workspace-write":
            raise ValueError(f"network_access needs mode 'workspace-write' (mode={self.mode!r})")
        if self.writable_dirs and self.mode != "workspace-write":
            raise ValueError(f"writable_dirs need mode 'workspace-write' (mode={self.mode!r})")
        for path in (*self.writable_dirs, *self.read_only_dirs):
            if not PurePosixPath(path).is_absolute():
                raise ValueError(f"granted dir {path!r} must be an absolute path")


@dataclass(frozen=True)
class SandboxConfig:
    """What codex needs for a sandbox: config.toml entries and the thread/start parameters."""

    config_toml: dict[str, Any]
    thread_params: dict[str, Any]


def sandbox_config(settings: SandboxSettings) -> SandboxConfig:
    """The config.toml entries and thread/start params for ``settings``.

    ``thread_params['sandbox']`` must be passed on thread/start AND thread/resume: on resume
    codex restores the approval policy from the rollout, but not the sandbox.
    """
    table: dict[str, Any] = {
        # Always: /tmp and $TMPDIR are shared with everything else on the host.
        "exclude_slash_tmp": True,
        "exclude_tmpdir_env_var": True,
    }
    if settings.mode == "workspace-write":
        table["writable_roots"] = list(settings.writable_dirs)
        table["network_access"] = settings.network_access
    return SandboxConfig(
        config_toml={"sandbox_mode": settings.mode, "sandbox_workspace_write": table},
        thread_params={"sandbox": settings.mode},
    )


def effective_mismatches(settings: SandboxSettings, effective: Mapping[str, Any]) -> list[str]:
    """How thread/start's echoed ``sandbox`` differs from ``settings`` (empty: as asked).

    A config layer we do not control (managed requirements, a project config) can change the
    policy; the echo is the only place codex says what it will really enforce.
    """
    wire_type = {
        "read-only": "readOnly",
        "workspace-write": "workspaceWrite",
        "danger-full-access": "dangerFullAccess",
    }[settings.mode]
    problems: list[str] = []
    if effective.get("type") != wire_type:
        problems.append(f"type is {effective.get('type')!r}, expected {wire_type!r}")
    if settings.mode != "workspace-write":
        return problems
    if bool(effective.get("networkAccess")) != settings.network_access:
        problems.append(f"networkAccess is {effective.get('networkAccess')!r}")
    for key in ("excludeSlashTmp", "excludeTmpdirEnvVar"):
        if effective.get(key) is not True:
            problems.append(f"{key} is {effective.get(key)!r}, expected True")
    roots = {str(PurePosixPath(r)) for r in effective.get("writableRoots") or []}
    missing = [d for d in settings.writable_dirs if str(PurePosixPath(d)) not in roots]
    if missing:
        problems.append(f"writableRoots lacks {missing}")
    return problems


# -- preflight -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PreflightTarget:
    """Where on the host the preflight runs.

    ``scratch_parent`` is a directory outside the workspace where the preflight makes (and
    removes) a temporary directory: its scratch CODEX_HOME, $TMPDIR and the "outside" target.
    Not under /tmp: codex refuses to create its helper links there.
    """

    codex: str  # absolute path of the native codex binary on the host
    workspace: str
    scratch_parent: str
    path: str = DEFAULT_PATH

    def __post_init__(self) -> None:
        for name in ("codex", "workspace", "scratch_parent"):
            if not PurePosixPath(getattr(self, name)).is_absolute():
                raise ValueError(f"PreflightTarget.{name} must be an absolute path")
        workspace = PurePosixPath(self.workspace)
        scratch = PurePosixPath(self.scratch_parent)
        # A scratch dir inside the workspace would make the "outside" probe writable.
        if scratch == workspace or workspace in scratch.parents:
            raise ValueError("PreflightTarget.scratch_parent must be outside the workspace")


@dataclass(frozen=True)
class PreflightCheck:
    """One probe made inside the sandbox: what the policy says, and what happened."""

    name: str
    expected: Access
    observed: str  # "allowed", "blocked", or "missing" when the probe did not report
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.observed == self.expected


@dataclass(frozen=True)
class PreflightResult:
    """The sandbox started on the host and every check came out as the policy says."""

    settings: SandboxSettings
    checks: tuple[PreflightCheck, ...]
    argv: tuple[str, ...]  # the codex sandbox invocation (for logs)
    seconds: float
    sandboxed: bool = True  # False for danger-full-access: there is nothing to check

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def check(self, name: str) -> PreflightCheck:
        return next(c for c in self.checks if c.name == name)


@dataclass(frozen=True)
class _Probe:
    """One write or network attempt the inner script makes."""

    name: str
    expected: Access
    path: str | None = None  # None: the network probe


@dataclass
class _Plan:
    """The preflight script and what it will check."""

    script: str
    argv: tuple[str, ...]
    probes: list[_Probe] = field(default_factory=list)


def _toml(value: Any) -> str:
    """A TOML inline value for a ``-c key=value`` override (JSON strings are TOML strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {value!r}")


def _profile_overrides(settings: SandboxSettings) -> list[str]:
    """``-c`` overrides defining a permission profile equal to the task's legacy policy."""
    key = f"permissions.{PREFLIGHT_PROFILE}"
    filesystem: dict[str, Any] = {":root": "read"}
    if settings.mode == "workspace-write":
        filesystem[":workspace_roots"] = {".": "write"}
    overrides = [f"{key}.filesystem={_toml(filesystem)}"]
    if settings.writable_dirs:
        roots = dict.fromkeys(settings.writable_dirs, True)
        overrides.append(f"{key}.workspace_roots={_toml(roots)}")
    overrides.append(f"{key}.network.enabled={_toml(settings.network_access)}")
    return overrides


def _probes(settings: SandboxSettings, target: PreflightTarget, nonce: str) -> list[_Probe]:
    writable: Access = "allowed" if settings.mode == "workspace-write" else "blocked"
    probe_name = f"{_PROBE_PREFIX}-{nonce}"
    probes = [
        _Probe("write-workspace", writable, f"{target.workspace}/{probe_name}"),
        # $SCRATCH is expanded by the outer script: a fresh directory outside the workspace.
        _Probe("write-outside", "blocked", "$SCRATCH/outside/probe"),
        _Probe("write-slash-tmp", "blocked", f"/tmp/{probe_name}"),
        _Probe("write-tmpdir", "blocked", "$SCRATCH/tmp/probe"),
    ]
    for i, root in enumerate(settings.writable_dirs):
        probes.append(_Probe(f"write-extra-{i}", "allowed", f"{root}/{probe_name}"))
    for i, root in enumerate(settings.read_only_dirs):
        probes.append(_Probe(f"write-read-only-{i}", "blocked", f"{root}/{probe_name}"))
    network: Access = "allowed" if settings.network_access else "blocked"
    probes.append(_Probe("network", network))
    return probes


def _sh_path(path: str) -> str:
    """Quote a path for sh, leaving a leading ``$SCRATCH`` for the outer script to expand."""
    if path.startswith("$SCRATCH/"):
        return '"$SCRATCH"/' + shlex.quote(path.removeprefix("$SCRATCH/"))
    return shlex.quote(path)


# The inner script runs inside the sandbox (POSIX sh). Each probe reports one line; the first
# line proves the sandbox started at all.
_INNER_HEAD = f"""
PY_CONNECT='import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)'
echo '{_MARK} started'
write() {{
  err=$( (: > "$2") 2>&1 ) && {{ rm -f "$2"; echo "{_MARK} $1 allowed"; return; }}
  echo "{_MARK} $1 blocked $(printf '%s' "$err" | head -n 1)"
}}
net() {{
  if command -v bash >/dev/null 2>&1; then
    err=$(bash -c 'exec 3<>/dev/tcp/$0/$1' "$2" "$3" 2>&1)
  elif command -v python3 >/dev/null 2>&1; then
    err=$(python3 -c "$PY_CONNECT" "$2" "$3" 2>&1)
  else
    echo "{_MARK} $1 unknown neither bash nor python3 to probe with"; return
  fi
  [ $? -eq 0 ] && {{ echo "{_MARK} $1 allowed connected"; return; }}
  err=$(printf '%s' "$err" | tail -n 1)
  case "$err" in
    *refused*) echo "{_MARK} $1 allowed $err" ;;
    *) echo "{_MARK} $1 blocked $err" ;;
  esac
}}
"""


def _inner_script(probes: Sequence[_Probe]) -> str:
    lines = [_INNER_HEAD]
    host, port = _NETWORK_PROBE
    for probe in probes:
        if probe.path is None:
            lines.append(f"net {probe.name} {host} {port}")
        else:
            # Paths are absolute: the outer script hands them over already expanded.
            lines.append(f'write {probe.name} "${probe.name.replace("-", "_").upper()}"')
    return "\n".join(lines) + "\n"


def _plan(settings: SandboxSettings, target: PreflightTarget) -> _Plan:
    nonce = secrets.token_hex(6)
    probes = _probes(settings, target, nonce)
    argv = (
        target.codex,
        "sandbox",
        "-P",
        PREFLIGHT_PROFILE,
        "-C",
        target.workspace,
        *[arg for override in _profile_overrides(settings) for arg in ("-c", override)],
        "--",
        "/bin/sh",
        "-c",
        _inner_script(probes),
    )
    # The inner script reads each probe path from its environment: the scratch dir is only
    # known on the host, and env -i keeps everything else out.
    path_env = " ".join(
        f"{p.name.replace('-', '_').upper()}={_sh_path(p.path)}" for p in probes if p.path
    )
    cleanup = " ".join(_sh_path(p.path) for p in probes if p.path and "$SCRATCH" not in p.path)
    env = (
        'HOME="$SCRATCH/home" CODEX_HOME="$SCRATCH/home/.codex" TMPDIR="$SCRATCH/tmp" '
        f"PATH={shlex.quote(target.path)} LANG=C.UTF-8 NO_COLOR=1 RUST_LOG=error"
    )
    parent = shlex.quote(target.scratch_parent)
    script = f"""set -u
SCRATCH=$(mktemp -d {parent}/{_PROBE_PREFIX}.XXXXXX) || {{
  echo '{_MARK}-error cannot create a scratch dir under {parent}' >&2; exit 90; }}
trap 'rm -rf "$SCRATCH"; rm -f {cleanup}' EXIT
mkdir -p "$SCRATCH/home/.codex" "$SCRATCH/tmp" "$SCRATCH/outside"
cd {shlex.quote(target.workspace)} || exit 91
env -i {env} {path_env} {shlex.join(argv)}
rc=$?
echo "{_MARK}-exit $rc"
exit $rc
"""
    return _Plan(script=script, argv=(*argv[:-1], "<probe script>"), probes=probes)


def _parse(stdout: str) -> tuple[bool, dict[str, tuple[str, str]]]:
    """Whether the sandbox started, and each probe's (observed, detail)."""
    started = False
    seen: dict[str, tuple[str, str]] = {}
    for line in stdout.splitlines():
        if not line.startswith(_MARK + " "):
            continue
        parts = line[len(_MARK) + 1 :].split(" ", 2)
        if parts[0] == "started":
            started = True
        elif len(parts) >= 2:
            seen[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return started, seen


def _cause(stderr: str, exit_code: int) -> str:
    """The line of stderr that explains a failed start; bubblewrap's own message first."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("bwrap:") or f"{_MARK}-error" in line:
            return line.replace(f"{_MARK}-error ", "")
    if exit_code == 127:
        return "codex binary not found or not executable"
    return lines[-1] if lines else f"codex sandbox exited {exit_code} without output"


async def preflight(
    run: RunScript,
    target: PreflightTarget,
    settings: SandboxSettings | None = None,
    *,
    timeout: float = 30.0,
) -> PreflightResult:
    """Prove codex's sandbox works on the host for ``settings``, in one exec round trip.

    Inside the sandbox: a write in the workspace (allowed under workspace-write), a write
    outside it, in /tmp and in $TMPDIR (all refused), a write in each extra writable dir, and a
    loopback connect (refused unless network access is on). Raises :class:`SandboxUnavailable`
    when the sandbox does not start or any check differs from the policy.
    """
    settings = settings or SandboxSettings()
    if settings.mode == "danger-full-access":
        return PreflightResult(settings, (), (), 0.0, sandboxed=False)
    plan = _plan(settings, target)
    began = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            exit_code, stdout, stderr = await run(plan.script)
    except TimeoutError:
        raise SandboxUnavailable(f"the preflight did not finish within {timeout}s") from None
    started, seen = _parse(stdout)
    if not started:
        raise SandboxUnavailable(
            _cause(stderr, exit_code), exit_code=exit_code, stderr_tail=stderr[-4000:]
        )
    checks = tuple(
        PreflightCheck(p.name, p.expected, *seen.get(p.name, ("missing", ""))) for p in plan.probes
    )
    result = PreflightResult(settings, checks, plan.argv, time.monotonic() - began)
    if not result.ok:
        failed = "; ".join(
            f"{c.name} {c.observed} (expected {c.expected}) {c.detail}".strip()
            for c in checks
            if not c.ok
        )
        raise SandboxUnavailable(
            f"the sandbox does not confine as configured: {failed}",
            exit_code=exit_code,
            stderr_tail=stderr[-4000:],
            result=result,
        )
    return result


__all__ = [
    "PREFLIGHT_PROFILE",
    "PreflightCheck",
    "PreflightResult",
    "PreflightTarget",
    "RunScript",
    "SandboxConfig",
    "SandboxMode",
    "SandboxSettings",
    "SandboxUnavailable",
    "effective_mismatches",
    "preflight",
    "run_local",
    "sandbox_config",
    "ssh_runner",
]
