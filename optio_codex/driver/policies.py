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
        """The decision of the first rule that applies; ``decided_by`` names that rule
        (``policy:<field> <value>``), for the audit trail."""
        rule: str | None = None
        if request.kind is ApprovalKind.COMMAND:
            command = request.command or ""
            denied = next(
                (p for p in self.deny_command_patterns if fnmatch.fnmatchcase(command, p)), None
            )
            if denied is not None:
                return CodexPermissionDecision.of(
                    Decision.DENY,
                    message="denied by policy",
                    decided_by=f"policy:deny_command_patterns {denied!r}",
                )
            prefix = _matching_prefix(command, self.allow_command_prefixes)
            if prefix is not None:
                rule = f"allow_command_prefixes {prefix!r}"
        if request.kind is ApprovalKind.FILE_CHANGE and self.allow_file_changes_under:
            paths = _changed_paths(request)
            roots = [_root_of(p, self.allow_file_changes_under) for p in paths]
            if paths and all(roots):
                named = ", ".join(sorted({r for r in roots if r}))
                rule = f"allow_file_changes_under {named!r}"
        if rule is None and request.kind in self.allow_kinds:
            rule = f"allow_kinds {request.kind.value!r}"
        if rule is None:
            return None
        return CodexPermissionDecision(
            behavior="allow", scope=self.scope, decided_by=f"policy:{rule}"
        )


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


def _matching_prefix(command: str, prefixes: Iterable[str]) -> str | None:
    """The first prefix the command's words start with, or None."""
    words = simple_command_words(command)
    if not words:
        return None
    return next((p for p in prefixes if words[: len(shlex.split(p))] == shlex.split(p)), None)


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


def _root_of(path: str, roots: Iterable[str]) -> str | None:
    """The first root ``path`` lies in (or is), or None."""
    norm = posixpath.normpath(path)
    if not norm.startswith("/"):
        return None
    for root in roots:
        base = posixpath.normpath(root)
        if norm == base or norm.startswith(base.rstrip("/") + "/"):
            return root
    return None
