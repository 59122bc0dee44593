"""A task's directory grants (``extra_allowed_dirs``) as codex's sandbox can honour them.

codex 0.163.0's sandbox (``sandbox_mode = "workspace-write"``) reads everywhere and writes
only under its writable roots: the workspace and ``[sandbox_workspace_write] writable_roots``.
Its config has no read-only roots (probed: docs/codex-observed.md, "Directory grants"), so an
``ro`` / ``rox`` grant is honoured by staying out of every writable root: a grant inside an
``rw`` one would be writable, and is refused. codex's sandbox does not restrict execution, so
``rox`` is ``ro`` and ``rwx`` is ``rw``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from optio_agents.config_types import AllowedDir

from optio_codex.hosts.sandbox import SandboxSettings
from optio_codex.hosts.sandbox_entries import settings_from_config

WRITABLE_MODES = ("rw", "rwx")
READ_ONLY_MODES = ("ro", "rox")


def expand_home(path: str, host_home: str) -> str:
    """A grant's path on its host: ``~`` and ``~/…`` resolved against that host's home."""
    if path == "~" or path.startswith("~/"):
        return host_home.rstrip("/") + path[1:]
    return path


def nested_read_only(grants: Sequence[tuple[str, str]]) -> Iterator[str]:
    """Why each read-only grant of ``grants`` ((path, mode) pairs) cannot be honoured."""
    writable = [_norm(p) for p, mode in grants if mode in WRITABLE_MODES]
    for path, mode in grants:
        if mode not in READ_ONLY_MODES:
            continue
        inside = [w for w in writable if _within(_norm(path), w)]
        if inside:
            yield (
                f"extra_allowed_dirs: {path!r} ({mode}) lies inside the writable {inside[0]!r}: "
                "codex's sandbox cannot keep it read-only"
            )


def _norm(path: str) -> str:
    return posixpath.normpath(path) if path.startswith("/") else path.rstrip("/")


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def with_read_only_grants(
    settings: SandboxSettings, grants: Sequence[AllowedDir] | None, host_home: str
) -> SandboxSettings:
    """``settings`` with the ``ro`` / ``rox`` grants among ``grants`` (``~`` resolved against
    ``host_home``), so the preflight proves codex's sandbox keeps them unwritable."""
    if settings.mode == "danger-full-access":
        return settings  # nothing is confined, nothing to prove
    roots = tuple(expand_home(g.path, host_home) for g in grants or () if g.mode in READ_ONLY_MODES)
    return replace(settings, read_only_dirs=roots) if roots else settings


def preflight_settings(
    config_toml: Mapping[str, Any], grants: Sequence[AllowedDir] | None, host_home: str
) -> SandboxSettings:
    """What the sandbox preflight checks: the sandbox the written config.toml asks for (not
    the typed fields), and the read-only grants, which codex has no setting for."""
    return with_read_only_grants(settings_from_config(config_toml), grants, host_home)
