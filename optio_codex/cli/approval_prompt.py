"""An approval question in the terminal: what is asked (the command, or the files with their
diff summary), where (working directory and host), why (codex's reason), and what it would
be allowed to do (outside the sandbox, the network) — then yes / no / always."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any, TextIO

from optio_agents.conversation import PermissionDecision, PermissionRequest

from optio_codex.cli.interrupts import read_line
from optio_codex.cli.screen import Screen
from optio_codex.driver.approvals import (
    ApprovalKind,
    CodexPermissionDecision,
    CodexPermissionRequest,
    Decision,
)

ANSWERS = {
    "y": Decision.ALLOW,
    "yes": Decision.ALLOW,
    "a": Decision.ALLOW_FOR_SESSION,
    "always": Decision.ALLOW_FOR_SESSION,
    "n": Decision.DENY,
    "no": Decision.DENY,
}
QUESTION = "  allow? [y]es / [n]o / [a]lways: "


class TerminalApprover:
    """Asks the operator yes / no / always for each approval, one question at a time.

    ``host``: where the task runs, as the operator knows it ("user@host:port", "this
    machine"); ``cwd``: the workspace, for requests that name no directory of their own.
    """

    def __init__(
        self,
        out: TextIO | Screen = sys.stdout,
        read_line: Callable[[], str] | None = None,
        *,
        host: str = "this machine",
        cwd: str | None = None,
    ) -> None:
        self.screen = out if isinstance(out, Screen) else Screen(out)
        self._read_line = read_line or sys.stdin.readline
        self._lock = asyncio.Lock()
        self.host = host
        self.cwd = cwd

    async def __call__(self, request: PermissionRequest) -> PermissionDecision:
        async with self._lock:
            lines = describe(request, host=self.host, cwd=self.cwd)
            while True:
                self.screen.blank_line()
                for line in lines:
                    self.screen.line(line)
                self.screen.prompt(QUESTION)
                line = await read_line(self._read_line)  # a daemon thread: see interrupts
                self.screen.answered()  # the terminal echoed the answer and its newline
                if not line:  # end of input: nobody can answer
                    return CodexPermissionDecision.of(
                        Decision.DENY, message="no operator input", decided_by="terminal"
                    )
                answer = ANSWERS.get(line.strip().lower())
                if answer is not None:
                    return CodexPermissionDecision.of(answer, decided_by="terminal")


def describe(request: PermissionRequest, *, host: str, cwd: str | None) -> list[str]:
    """The question's lines: a headline, then indented details."""
    if not isinstance(request, CodexPermissionRequest):
        return [f"? {request.tool_name}"]
    params = request.input
    if request.kind is ApprovalKind.COMMAND:
        head = [f"? command: {request.command or request.tool_name}"]
    elif request.kind is ApprovalKind.FILE_CHANGE:
        head = file_change_lines(params.get("changes"))
    else:
        head = [f"? {request.kind.value}: {request.tool_name}"]
    details = [
        ("cwd", params.get("cwd") or cwd),
        ("host", host),
        ("reason", params.get("reason")),
        ("sandbox", sandbox_note(request)),
    ]
    return head + [f"    {name + ':':8} {value}" for name, value in details if value]


def file_change_lines(changes: Any) -> list[str]:
    """``? file change: N files (+a -r)`` and a line per file with its own counts."""
    files = [c for c in changes or [] if isinstance(c, dict)]
    counted = [(_path(c), *diff_counts(c)) for c in files]
    added = sum(a for _p, a, _r in counted)
    removed = sum(r for _p, _a, r in counted)
    noun = "file" if len(files) == 1 else "files"
    lines = [f"? file change: {len(files)} {noun} (+{added} -{removed})"]
    lines += [f"    {path}  +{a} -{r}" for path, a, r in counted]
    return lines


def _path(change: dict[str, Any]) -> str:
    kind = change.get("kind") or {}
    path = str(change.get("path"))
    moved = kind.get("move_path") if isinstance(kind, dict) else None
    verb = kind.get("type") if isinstance(kind, dict) else None
    shown = f"{path} → {moved}" if moved else path
    return f"{shown} ({verb})" if verb and verb != "update" else shown


def diff_counts(change: dict[str, Any]) -> tuple[int, int]:
    """(+added, -removed) lines of one change: codex sends a new file's content, a deleted
    file's content, or an update's unified diff."""
    diff = str(change.get("diff") or "")
    kind = change.get("kind") or {}
    kind_type = kind.get("type") if isinstance(kind, dict) else None
    lines = diff.splitlines()
    if kind_type == "add":
        return len(lines), 0
    if kind_type == "delete":
        return 0, len(lines)
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return added, removed


def sandbox_note(request: CodexPermissionRequest) -> str | None:
    """What approving lets the action do beyond the task's sandbox."""
    params = request.input
    if request.kind is ApprovalKind.FILE_CHANGE:
        root = params.get("grantRoot")
        where = f"; asks to write anywhere under {root} for the session" if root else ""
        return "writes where the sandbox does not allow" + where
    if request.kind is ApprovalKind.PERMISSIONS:
        return _extra_permissions(params.get("permissions")) or "asks for more permissions"
    if request.kind is not ApprovalKind.COMMAND:
        return None
    network = params.get("networkApprovalContext")
    if isinstance(network, dict):
        return f"network access to {network.get('host')} ({network.get('protocol')})"
    extra = _extra_permissions(params.get("additionalPermissions"))
    if extra:
        return f"in the sandbox, with {extra}"
    # Under on-request codex asks for a plain command when the agent wants it escalated:
    # approved, it runs without codex's sandbox, with the host's network.
    return "OUTSIDE the sandbox (no confinement, network as the host allows)"


def _extra_permissions(profile: Any) -> str | None:
    if not isinstance(profile, dict):
        return None
    parts = []
    network = profile.get("network")
    if isinstance(network, dict) and network.get("enabled"):
        parts.append("network access")
    files = profile.get("fileSystem")
    if isinstance(files, dict):
        for mode in ("write", "read"):
            paths = files.get(mode)
            if paths:
                parts.append(f"{mode} access to {', '.join(map(str, paths))}")
    return ", ".join(parts) or None
