"""The terminal side of a run: the streamed conversation, progress, and approval questions."""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO

from optio_agents.conversation import PermissionDecision, PermissionRequest

from optio_codex.driver.approvals import CodexPermissionDecision, CodexPermissionRequest, Decision
from optio_codex.driver.events import Subscription

_ANSWERS = {
    "y": Decision.ALLOW,
    "yes": Decision.ALLOW,
    "a": Decision.ALLOW_FOR_SESSION,
    "always": Decision.ALLOW_FOR_SESSION,
    "n": Decision.DENY,
    "no": Decision.DENY,
}


async def show_events(events: Subscription, out: TextIO) -> None:
    """Print the agent's text as it streams, commands as they finish, and plan progress."""
    async for event in events:
        method, params = event.method, event.params
        if method == "item/agentMessage/delta":
            out.write(str(params.get("delta", "")))
        elif method == "item/completed":
            _show_item(params.get("item") or {}, out)
        elif method == "turn/plan/updated":
            plan = params.get("plan") or []
            done = sum(1 for s in plan if s.get("status") == "completed")
            out.write(f"\n[plan {done}/{len(plan)}]\n")
        elif method == "turn/completed":
            out.write(f"\n[turn {(params.get('turn') or {}).get('status')}]\n")
        out.flush()


def _show_item(item: dict[str, Any], out: TextIO) -> None:
    kind = item.get("type")
    if kind == "agentMessage":
        out.write("\n")
    elif kind == "commandExecution":
        code = item.get("exitCode")  # none for a command that never ran (declined)
        ended = f"{item.get('status')}" + ("" if code is None else f" {code}")
        out.write(f"\n$ {item.get('command')}  → {ended}\n")
    elif kind == "fileChange":
        paths = [c.get("path") for c in item.get("changes") or []]
        out.write(f"\n[files {item.get('status')}: {', '.join(map(str, paths))}]\n")


class TerminalApprover:
    """Asks the operator yes / no / always for each approval, one question at a time."""

    def __init__(self, out: TextIO = sys.stdout, read_line: Any = None) -> None:
        self.out = out
        self._read_line = read_line or sys.stdin.readline
        self._lock = asyncio.Lock()

    async def __call__(self, request: PermissionRequest) -> PermissionDecision:
        async with self._lock:
            prompt = _describe(request)
            while True:
                self.out.write(f"\n? {prompt}\n  allow? [y]es / [n]o / [a]lways: ")
                self.out.flush()
                line = await asyncio.get_running_loop().run_in_executor(None, self._read_line)
                if not line:  # end of input: nobody can answer
                    return CodexPermissionDecision.of(Decision.DENY, message="no operator input")
                answer = _ANSWERS.get(line.strip().lower())
                if answer is not None:
                    return CodexPermissionDecision.of(answer, decided_by="operator")


def _describe(request: PermissionRequest) -> str:
    if isinstance(request, CodexPermissionRequest):
        reason = request.input.get("reason")
        detail = f" ({reason})" if reason else ""
        return f"{request.kind.value}: {request.tool_name}{detail}"
    return str(request.tool_name)
