"""config.toml entries that decide codex's sandbox: refusing raw ones that loosen it, and
reading the sandbox a finished config.toml really asks for.

A task's raw ``codex_config`` is deep-merged over the generated config.toml, so an entry such
as ``{"sandbox_workspace_write": {"network_access": True}}`` would silently override the typed
settings (``sandbox``, ``network_access``, ``extra_allowed_dirs``). What the pinned codex
(0.163.0) was seen to read (docs/codex-observed.md, "Sandbox"):

- ``sandbox_mode`` and the ``[sandbox_workspace_write]`` table (``network_access``,
  ``writable_roots``, ``exclude_slash_tmp``, ``exclude_tmpdir_env_var``; the last two default
  to false, which opens /tmp and $TMPDIR);
- ``default_permissions`` naming a ``[permissions.<name>]`` profile replaces the legacy policy
  when thread/start carries no ``sandbox`` (optio-codex always passes one, but a client that
  does not would get it);
- ``profile = "x"`` fails every thread/start ("legacy profile config is no longer supported");
- a key with a dot in it (``{"sandbox_workspace_write.network_access": True}``) is written as
  a quoted TOML key and ignored by codex; it is checked as the path it spells all the same,
  since whoever wrote it meant that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from optio_codex.hosts.sandbox import (
    SANDBOX_MODES,
    SandboxSettings,
    SandboxUnavailable,
)

# A config entry, not the host, is the cause: the fix is in the task's config.
CONFIG_HINT = (
    "remove the entry from codex_config (-c / --config); set sandbox, network_access or "
    "extra_allowed_dirs (--sandbox, --network) instead"
)

TABLE = "sandbox_workspace_write"
# Keys that select a permission profile instead of the typed sandbox settings.
PROFILE_KEYS = ("default_permissions", "permissions", "profile")
# optio-codex keeps both on for every task: shared temp dirs stay out of the sandbox.
_ALWAYS_TRUE = {
    "exclude_slash_tmp": "/tmp",
    "exclude_tmpdir_env_var": "$TMPDIR",
}


def _toml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _entries(raw: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every sandbox-related leaf; dotted keys count as their path."""
    for key, value in raw.items():
        path = (*prefix, *str(key).split("."))
        head = path[0]
        if head not in (TABLE, "sandbox_mode", *PROFILE_KEYS):
            continue
        if isinstance(value, Mapping) and head == TABLE:
            yield from _entries(value, path)
        else:
            yield ".".join(path), value


def sandbox_contradictions(
    raw: Mapping[str, Any] | None,
    *,
    sandbox: str,
    network_access: bool,
    writable_dirs: Sequence[str],
) -> list[str]:
    """Why each raw entry in ``raw`` contradicts the typed settings (empty: none does)."""
    problems: list[str] = []
    for path, value in _entries(raw or {}):
        problem = _contradiction(path, value, sandbox, network_access, writable_dirs)
        if problem:
            problems.append(f"codex_config {problem}")
    return problems


def _contradiction(
    path: str, value: Any, sandbox: str, network_access: bool, writable_dirs: Sequence[str]
) -> str | None:
    shown = f"{path}={_toml_text(value)}"
    if path.split(".")[0] in PROFILE_KEYS:
        return (
            f"{path}: permission profiles replace optio-codex's sandbox; "
            "set sandbox, network_access and extra_allowed_dirs instead"
        )
    if path == "sandbox_mode":
        if value == sandbox:
            return None
        return f"{shown} contradicts sandbox={sandbox!r}: set sandbox={value!r} instead"
    if path == TABLE:
        return f"{shown}: {TABLE} must be a table"
    key = path.removeprefix(TABLE + ".")
    if key == "network_access":
        if value is network_access:
            return None
        return (
            f"{shown} contradicts network_access={network_access}: "
            f"set network_access={bool(value)} instead"
        )
    if key == "writable_roots":
        roots = value if isinstance(value, list) else [value]
        if {_norm(r) for r in roots} == {_norm(d) for d in writable_dirs}:
            return None
        return (
            f"{shown} contradicts extra_allowed_dirs (writable: {list(writable_dirs)}): "
            "list writable directories in extra_allowed_dirs with mode 'rw' instead"
        )
    if key in _ALWAYS_TRUE:
        if value is True:
            return None
        return f"{shown}: optio-codex always keeps {_ALWAYS_TRUE[key]} out of the sandbox"
    return None


def _norm(path: Any) -> str:
    return str(PurePosixPath(str(path)))


def settings_from_config(config: Mapping[str, Any]) -> SandboxSettings:
    """The sandbox a finished config.toml (as a dict) asks codex for, for the preflight.

    Raises :class:`SandboxUnavailable` for what the preflight must never pass: shared temp
    dirs opened to the sandbox, a permission profile, an unknown mode.
    """
    for key in PROFILE_KEYS:
        if key in config:
            raise SandboxUnavailable(
                f"config.toml sets {key}: a permission profile, not checked", hint=CONFIG_HINT
            )
    mode = config.get("sandbox_mode", "read-only")  # codex's own default
    if mode not in SANDBOX_MODES:
        raise SandboxUnavailable(f"config.toml sets sandbox_mode={mode!r}", hint=CONFIG_HINT)
    if mode != "workspace-write":
        return SandboxSettings(mode=mode)
    table = config.get(TABLE) or {}
    for key, opened in _ALWAYS_TRUE.items():
        if table.get(key) is not True:
            raise SandboxUnavailable(
                f"config.toml lets sandboxed commands write {opened} ({TABLE}.{key} is not true)",
                hint=CONFIG_HINT,
            )
    return SandboxSettings(
        mode=mode,
        network_access=bool(table.get("network_access", False)),
        writable_dirs=tuple(str(r) for r in table.get("writable_roots") or ()),
    )
