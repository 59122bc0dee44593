"""Permission policies: who decides an approval request without a human.

:class:`DenyAll` is the default; :class:`RulePolicy` allows commands by argv prefix and file
changes under given roots, and denies the rest.
"""

from __future__ import annotations

import fnmatch
import posixpath
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from optio_codex.driver.approvals import (
    ApprovalKind,
    CodexPermissionDecision,
    CodexPermissionRequest,
    Decision,
)


class PermissionPolicy(Protocol):
    """Decides requests without a human. ``decide`` returns None when no rule applies."""

    def decide(self, request: CodexPermissionRequest) -> CodexPermissionDecision | None: ...

    def fallback(self, request: CodexPermissionRequest, reason: str) -> CodexPermissionDecision:
        """The answer when nobody (rule or human) decided."""
        ...


@dataclass(frozen=True)
class DenyAll:
    """The default: every request is denied (commands declined, the turn goes on)."""

    def decide(self, request: CodexPermissionRequest) -> CodexPermissionDecision | None:
        return None

    def fallback(self, request: CodexPermissionRequest, reason: str) -> CodexPermissionDecision:
        return CodexPermissionDecision.of(Decision.DENY, message=reason, decided_by="policy")


@dataclass(frozen=True, kw_only=True)
class RulePolicy(DenyAll):
    """Allow-rules for unattended runs; whatever they do not allow falls back to deny.

    ``allow_command_prefixes``: argv prefixes, e.g. ``("git status", "pytest")``; a command
    matches when its words start with a prefix's words. ``allow_file_changes_under``: POSIX
    directories (e.g. the workspace); a file change is allowed when every changed path lies
    inside one. ``allow_kinds``: kinds allowed outright. ``scope`` applies to what is allowed.
    """

    allow_command_prefixes: tuple[str, ...] = ()
    allow_file_changes_under: tuple[str, ...] = ()
    allow_kinds: frozenset[ApprovalKind] = frozenset()
    deny_command_patterns: tuple[str, ...] = ()  # fnmatch patterns that always deny
    scope: Literal["once", "session"] = "once"

    def __post_init__(self) -> None:
        for prefix in self.allow_command_prefixes:
            if not shlex.split(prefix):
                raise ValueError("RulePolicy.allow_command_prefixes holds an empty prefix")
        for root in self.allow_file_changes_under:
            if not root.startswith("/"):
                raise ValueError(
                    f"RulePolicy.allow_file_changes_under needs absolute paths, got {root!r}"
                )

    def decide(self, request: CodexPermissionRequest) -> CodexPermissionDecision | None:
        allow = CodexPermissionDecision(behavior="allow", scope=self.scope, decided_by="policy")
        if request.kind is ApprovalKind.COMMAND:
            command = request.command or ""
            if any(fnmatch.fnmatchcase(command, p) for p in self.deny_command_patterns):
                return CodexPermissionDecision.of(
                    Decision.DENY, message="denied by policy", decided_by="policy"
                )
            if _matches_prefix(command, self.allow_command_prefixes):
                return allow
        if request.kind is ApprovalKind.FILE_CHANGE and self.allow_file_changes_under:
            paths = _changed_paths(request)
            if paths and all(_inside(p, self.allow_file_changes_under) for p in paths):
                return allow
        if request.kind in self.allow_kinds:
            return allow
        return None


_SHELLS = frozenset({"bash", "sh", "zsh", "dash"})
# Anything that could chain, substitute or redirect makes a line more than one simple command.
_SHELL_META = (";", "&", "|", "`", "$(", ">", "<", "\n")


def simple_command_words(command: str) -> list[str] | None:
    """The words of a simple command, unwrapping codex's ``bash -lc '<script>'`` form.

    None when the line is not one simple command (so no prefix rule can vouch for it).
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    script = command
    if (
        len(words) == 3
        and posixpath.basename(words[0]) in _SHELLS
        and words[1] in ("-c", "-lc", "-cl")
    ):
        script = words[2]
        try:
            words = shlex.split(script)
        except ValueError:
            return None
    if any(meta in script for meta in _SHELL_META):
        return None
    return words


def _matches_prefix(command: str, prefixes: Iterable[str]) -> bool:
    words = simple_command_words(command)
    if not words:
        return False
    return any(words[: len(w)] == w for w in (shlex.split(p) for p in prefixes))


def _changed_paths(request: CodexPermissionRequest) -> list[str]:
    changes = request.input.get("changes")
    paths: list[str] = []
    if isinstance(changes, list):
        for change in changes:
            if isinstance(change, dict) and isinstance(change.get("path"), str):
                paths.append(change["path"])
                # An update may also move the file: the destination must pass the rule too.
                kind = change.get("kind")
                if isinstance(kind, dict) and isinstance(kind.get("move_path"), str):
                    paths.append(kind["move_path"])
    elif isinstance(changes, dict):
        paths.extend(str(p) for p in changes)
    grant_root = request.input.get("grantRoot")
    if isinstance(grant_root, str):
        paths.append(grant_root)
    return paths


def _inside(path: str, roots: Iterable[str]) -> bool:
    norm = posixpath.normpath(path)
    if not norm.startswith("/"):
        return False
    return any(
        norm == posixpath.normpath(r) or norm.startswith(posixpath.normpath(r).rstrip("/") + "/")
        for r in roots
    )
