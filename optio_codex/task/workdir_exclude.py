"""The published package's default ``workdir_exclude``, and what ``None`` means: what snapshots
leave out (snapshots/) and AGENTS.md tells the agent (hosts/task_files.py).

Meaning (optio-host's, kept): a pattern without "/" matches any single path segment, so
``.git`` leaves out every ``.git`` directory and ``*.pyc`` every such file; a pattern with "/"
matches the whole path relative to the captured root (``home/.codex/packages``). The host
applies them (``find -name`` / ``-path``), so excluded trees are never even listed.
"""

from __future__ import annotations

from collections.abc import Sequence

# optio-host's DEFAULT_WORKDIR_EXCLUDES, then the CODEX_HOME entries optio-codex 0.4.8 adds
# (its workdir holds home/.codex): caches, logs and the sqlite index codex rebuilds. Never
# home/.codex/sessions: the rollouts there are what a resume needs.
FRAMEWORK_EXCLUDE: tuple[str, ...] = (
    ".git",
    "node_modules",
    "__pycache__",
    ".venv",
    "*.pyc",
    ".DS_Store",
)
PUBLISHED_WORKDIR_EXCLUDE: tuple[str, ...] = (
    *FRAMEWORK_EXCLUDE,
    "home/.codex/packages",
    "*.sqlite*",
    "home/.codex/cache",
    "home/.codex/tmp",
    "home/.codex/.tmp",
    "home/.codex/shell_snapshots",
    "home/.codex/models_cache.json",
    "home/.codex/version.json",
    "home/.codex/installation_id",
    "home/.codex/log",
    "home/.cache",
)


def effective_exclude(workdir_exclude: Sequence[str] | None) -> list[str]:
    """``workdir_exclude`` as configured; ``None`` means the published defaults."""
    if workdir_exclude is None:
        return list(PUBLISHED_WORKDIR_EXCLUDE)
    for pattern in workdir_exclude:
        if not pattern or pattern.startswith("/") or "\0" in pattern:
            raise ValueError(f"workdir_exclude: not a relative pattern: {pattern!r}")
    return list(workdir_exclude)
