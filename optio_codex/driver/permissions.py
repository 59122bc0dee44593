"""The permission gate: every request codex can send us gets an answer.

Codex stalls a turn on any server request left unanswered, so each one is answered by a rule of
the :class:`PermissionPolicy`, by a human (within a deadline), or by the policy's fallback, which
denies. The mapping from a decision to each request kind's wire answer is pure and lives here
too, apart from any I/O.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import logging
import posixpath
import shlex
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

from optio_agents.conversation import PermissionDecision, PermissionRequest

log = logging.getLogger(__name__)


class ApprovalKind(StrEnum):
    COMMAND = "command"
    FILE_CHANGE = "file_change"
    PERMISSIONS = "permissions"
    MCP_ELICITATION = "mcp_elicitation"
    USER_INPUT = "user_input"


APPROVAL_METHODS: Mapping[str, ApprovalKind] = {
    "item/commandExecution/requestApproval": ApprovalKind.COMMAND,
    "item/fileChange/requestApproval": ApprovalKind.FILE_CHANGE,
    "item/permissions/requestApproval": ApprovalKind.PERMISSIONS,
    "mcpServer/elicitation/request": ApprovalKind.MCP_ELICITATION,
    "item/tool/requestUserInput": ApprovalKind.USER_INPUT,
}


class Decision(StrEnum):
    ALLOW = "allow"
    ALLOW_FOR_SESSION = "allow_for_session"
    DENY = "deny"
    CANCEL = "cancel"  # deny and end the turn


@dataclass(frozen=True)
class CodexPermissionRequest(PermissionRequest):
    """optio-agents' PermissionRequest, with what codex tells us about the request."""

    kind: ApprovalKind = ApprovalKind.COMMAND
    request_id: int | str = 0
    method: str = ""
    thread_id: str | None = None
    turn_id: str | None = None
    item_id: str | None = None

    @property
    def command(self) -> str | None:
        value = self.input.get("command")
        if isinstance(value, list):
            return shlex.join(str(v) for v in value)
        return value if isinstance(value, str) else None

    def to_event(self) -> dict[str, Any]:
        # Not "method": a synthetic event with a top-level "method" reads as a wire message
        # (CodexEvent.type/.method/.is_synthetic key on it).
        return {
            "requestId": self.request_id,
            "kind": self.kind.value,
            "requestMethod": self.method,
            "toolName": self.tool_name,
            "threadId": self.thread_id,
            "turnId": self.turn_id,
            "itemId": self.item_id,
            "params": self.input,
        }


@dataclass(frozen=True)
class CodexPermissionDecision(PermissionDecision):
    """optio-agents' PermissionDecision with the richer answers codex accepts.

    ``behavior`` stays "allow" or "deny"; ``scope`` makes an allow last for the session, and
    ``cancel`` makes a deny also end the turn. ``permissions`` is the granted subset for a
    permissions request (None: all that was asked); ``answers`` answer a user-input request
    (question id → chosen answers); ``content`` is the form content of an MCP elicitation.
    """

    scope: Literal["once", "session"] = "once"
    cancel: bool = False
    permissions: dict[str, Any] | None = None
    answers: Mapping[str, Sequence[str]] | None = None
    content: Any = None
    decided_by: str = "human"

    @property
    def decision(self) -> Decision:
        if self.behavior == "allow":
            return Decision.ALLOW_FOR_SESSION if self.scope == "session" else Decision.ALLOW
        return Decision.CANCEL if self.cancel else Decision.DENY

    @classmethod
    def of(
        cls, decision: Decision | str, *, message: str | None = None, decided_by: str = "human"
    ) -> CodexPermissionDecision:
        d = Decision(decision)
        return cls(
            behavior="allow" if d in (Decision.ALLOW, Decision.ALLOW_FOR_SESSION) else "deny",
            scope="session" if d is Decision.ALLOW_FOR_SESSION else "once",
            cancel=d is Decision.CANCEL,
            message=message,
            decided_by=decided_by,
        )

    @classmethod
    def upgrade(cls, decision: PermissionDecision) -> CodexPermissionDecision:
        if isinstance(decision, CodexPermissionDecision):
            return decision
        if decision.behavior not in ("allow", "deny"):
            raise ValueError(f"unknown permission behavior {decision.behavior!r}")
        return cls(
            behavior=decision.behavior,
            updated_input=decision.updated_input,
            message=decision.message,
        )


def build_request(
    request_id: int | str, method: str, params: Mapping[str, Any]
) -> CodexPermissionRequest | None:
    """The typed request for a server request, or None for a kind we do not know."""
    kind = APPROVAL_METHODS.get(method)
    if kind is None:
        return None
    raw = {"id": request_id, "method": method, "params": dict(params)}
    return CodexPermissionRequest(
        tool_name=_tool_name(kind, params),
        input=dict(params),
        raw=raw,
        kind=kind,
        request_id=request_id,
        method=method,
        thread_id=_str_or_none(params.get("threadId")),
        turn_id=_str_or_none(params.get("turnId")),
        item_id=_str_or_none(params.get("itemId")),
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _tool_name(kind: ApprovalKind, params: Mapping[str, Any]) -> str:
    if kind is ApprovalKind.COMMAND:
        command = params.get("command")
        if isinstance(command, list):
            command = shlex.join(str(c) for c in command)
        return str(command or "command execution")
    if kind is ApprovalKind.FILE_CHANGE:
        return "file change"
    if kind is ApprovalKind.PERMISSIONS:
        return "permissions"
    if kind is ApprovalKind.MCP_ELICITATION:
        return f"mcp:{params.get('serverName', '?')}"
    return "request_user_input"


def wire_answer(request: CodexPermissionRequest, decision: CodexPermissionDecision) -> Any:
    """The JSON ``result`` that answers ``request`` with ``decision``."""
    d = decision.decision
    if request.kind in (ApprovalKind.COMMAND, ApprovalKind.FILE_CHANGE):
        return {
            "decision": {
                Decision.ALLOW: "accept",
                Decision.ALLOW_FOR_SESSION: "acceptForSession",
                Decision.DENY: "decline",
                Decision.CANCEL: "cancel",
            }[d]
        }
    if request.kind is ApprovalKind.PERMISSIONS:
        if decision.behavior != "allow":
            return {"permissions": {}, "scope": "turn"}
        asked = request.input.get("permissions")
        granted = decision.permissions if decision.permissions is not None else asked
        return {
            "permissions": _grantable(granted),
            "scope": "session" if decision.scope == "session" else "turn",
        }
    if request.kind is ApprovalKind.MCP_ELICITATION:
        action = {Decision.CANCEL: "cancel", Decision.DENY: "decline"}.get(d, "accept")
        content = decision.content if action == "accept" else None
        # An MCP tool approval offers `_meta.persist: ["session", "always"]`; only an accept
        # carrying `_meta: {"persist": "session"}` spares the later calls of that tool a prompt.
        meta = (
            {"persist": "session"}
            if d is Decision.ALLOW_FOR_SESSION and _offers_session(request.input)
            else None
        )
        return {"action": action, "content": content, "_meta": meta}
    # User input: the operator's answers, or none at all when denied.
    answers = decision.answers if decision.behavior == "allow" and decision.answers else {}
    return {"answers": {qid: {"answers": list(a)} for qid, a in answers.items()}}


def _offers_session(params: Mapping[str, Any]) -> bool:
    meta = params.get("_meta")
    persist = meta.get("persist") if isinstance(meta, dict) else None
    return persist == "session" or (isinstance(persist, list) and "session" in persist)


def _grantable(profile: Any) -> dict[str, Any]:
    """Only the members of a requested profile that a grant may carry."""
    if not isinstance(profile, dict):
        return {}
    return {k: v for k, v in profile.items() if k in ("network", "fileSystem") and v is not None}


# -- policies -------------------------------------------------------------------------------


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


# -- the gate -------------------------------------------------------------------------------

PermissionHandler = Callable[[PermissionRequest], Awaitable[PermissionDecision]]
AnswerSender = Callable[[CodexPermissionRequest, CodexPermissionDecision], Awaitable[None]]
GateListener = Callable[[str, dict[str, Any]], None]


@dataclass
class _Pending:
    request: CodexPermissionRequest
    answered: asyncio.Future[CodexPermissionDecision]
    task: asyncio.Task[None] | None = None
    detached: bool = False  # its connection was lost; codex will ask again after a resume


def replay_key(request: CodexPermissionRequest) -> str:
    """What identifies a request across connections: codex numbers requests per connection
    and asks again, under a new id, whatever was pending when a client resumes the thread."""
    if request.item_id:
        return f"{request.method}|{request.thread_id}|{request.turn_id}|{request.item_id}"
    volatile = {"_meta"}
    stable = {k: v for k, v in request.input.items() if k not in volatile}
    return f"{request.method}|{json.dumps(stable, sort_keys=True, default=str)}"


_RECENT_ANSWERS = 128


@dataclass(kw_only=True)
class GateSettings:
    """How the gate behaves. ``human`` True: a person answers (through a registered
    handler or :meth:`PermissionGate.answer`) and requests wait for one; False: the policy
    alone decides at once."""

    policy: PermissionPolicy = field(default_factory=DenyAll)
    human: bool = False
    human_timeout: float | None = 300.0

    def __post_init__(self) -> None:
        if self.human_timeout is not None and self.human_timeout <= 0:
            raise ValueError("GateSettings.human_timeout must be positive or None")


class PermissionGate:
    """Answers approval requests; knows nothing of the transport (it is given a sender)."""

    def __init__(self, settings: GateSettings, send_answer: AnswerSender) -> None:
        self.settings = settings
        self._send_answer = send_answer
        self._handler: PermissionHandler | None = None
        self._pending: dict[int | str, _Pending] = {}
        # Across a reconnect: prompts still open for their replay, answers not yet delivered,
        # and the last answers sent (one may have been lost with the connection).
        self._detached: dict[str, _Pending] = {}
        self._held: dict[str, CodexPermissionDecision] = {}
        self._recent: OrderedDict[str, CodexPermissionDecision] = OrderedDict()
        self._aliases: dict[int | str, int | str] = {}  # old request id -> its replay's id
        self._replaying = False  # from a connection loss until the resume has settled
        self._listeners: list[GateListener] = []
        self.answered_count = 0
        self._tasks: set[asyncio.Task[None]] = set()  # strong refs: the loop keeps weak ones

    # -- registration --

    def set_handler(self, handler: PermissionHandler) -> Callable[[], None]:
        """Register the human handler (at most one; replaces a prior one)."""
        self._handler = handler
        for pending in list(self._pending.values()):
            if pending.task is None and not pending.answered.done():
                pending.task = asyncio.get_running_loop().create_task(
                    self._ask_handler(pending, handler)
                )

        def unsubscribe() -> None:
            if self._handler is handler:
                self._handler = None

        return unsubscribe

    def add_listener(self, listener: GateListener) -> None:
        """``listener(event_type, payload)`` hears of prompts opening and closing."""
        self._listeners.append(listener)

    @property
    def pending(self) -> list[CodexPermissionRequest]:
        return [p.request for p in (*self._pending.values(), *self._detached.values())]

    # -- the flow --

    def submit(self, request: CodexPermissionRequest) -> None:
        """Take a request; it will be answered exactly once."""
        if self._take_replay(request):
            return
        decision = self._policy_decision(request)
        if decision is not None:
            self._spawn(self._finish(request, decision))
            return
        if not self.settings.human:
            fallback = self.settings.policy.fallback(request, "no human attached: denied by policy")
            self._spawn(self._finish(request, fallback))
            return
        loop = asyncio.get_running_loop()
        pending = _Pending(request, loop.create_future())
        self._pending[request.request_id] = pending
        self._emit("x-optio-permission-request", request.to_event())
        if self._handler is not None:
            pending.task = loop.create_task(self._ask_handler(pending, self._handler))
        self._spawn(self._await_answer(pending))

    def answer(self, request_id: int | str, decision: PermissionDecision) -> bool:
        """Answer a pending request from outside (UI, terminal). False if none is pending."""
        pending = self._pending.get(request_id)
        if pending is None and request_id in self._aliases:
            pending = self._pending.get(self._aliases[request_id])
        if pending is None:
            pending = next(
                (p for p in self._detached.values() if p.request.request_id == request_id), None
            )
        if pending is None or pending.answered.done():
            return False
        pending.answered.set_result(CodexPermissionDecision.upgrade(decision))
        return True

    def resolved_elsewhere(self, request_id: int | str) -> None:
        """serverRequest/resolved: codex no longer waits (answered, or the turn ended)."""
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return
        if pending.task is not None:
            pending.task.cancel()
        if not pending.answered.done():
            pending.answered.cancel()
        self._emit("x-optio-permission-resolved", {"requestId": request_id, "by": "server"})

    def close(self, reason: str) -> None:
        """The conversation ended: drop every prompt (nobody can answer it now)."""
        self.drop_detached(reason)
        for request_id in list(self._pending):
            self._drop(self._pending.pop(request_id), reason)
        self._aliases.clear()
        self._recent.clear()

    # -- across a reconnect --

    def connection_lost(self) -> None:
        """The link broke but the thread lives on: keep the prompts open for their replay.

        Answers given meanwhile are held and delivered when codex asks again.
        """
        self._replaying = True
        for pending in self._pending.values():
            pending.detached = True
            self._detached[replay_key(pending.request)] = pending
        self._pending.clear()

    def drop_detached(self, reason: str) -> None:
        """After a resume: prompts codex did not ask again for no longer matter."""
        for key in list(self._detached):
            self._drop(self._detached.pop(key), reason)
        self._held.clear()
        self._replaying = False

    def _take_replay(self, request: CodexPermissionRequest) -> bool:
        """A request codex asks again after a resume: answer or re-attach it, never re-ask."""
        if not self._replaying:
            return False
        key = replay_key(request)
        decision = self._held.pop(key, None) or self._recent.get(key)
        if decision is not None:
            self._detached.pop(key, None)
            self._spawn(self._finish(request, decision))
            return True
        pending = self._detached.pop(key, None)
        if pending is None:
            return False
        previous = pending.request.request_id
        pending.request = request
        pending.detached = False
        self._pending[request.request_id] = pending
        if previous != request.request_id:
            self._aliases[previous] = request.request_id
        self._emit(
            "x-optio-permission-rebound",
            {"requestId": request.request_id, "previousRequestId": previous},
        )
        if pending.answered.done() and not pending.answered.cancelled():
            self._spawn(self._finish(request, pending.answered.result()))
        return True

    def _drop(self, pending: _Pending, reason: str) -> None:
        if pending.task is not None:
            pending.task.cancel()
        if not pending.answered.done():
            pending.answered.cancel()
        self._emit(
            "x-optio-permission-resolved", {"requestId": pending.request.request_id, "by": reason}
        )

    def _policy_decision(self, request: CodexPermissionRequest) -> CodexPermissionDecision | None:
        try:
            return self.settings.policy.decide(request)
        except Exception:
            log.exception("permission policy raised; denying")
            return CodexPermissionDecision.of(
                Decision.DENY, message="permission policy failed", decided_by="policy"
            )

    async def _ask_handler(self, pending: _Pending, handler: PermissionHandler) -> None:
        try:
            decision = await handler(pending.request)
            result = CodexPermissionDecision.upgrade(decision)
        except asyncio.CancelledError:
            return
        except Exception:
            log.exception("permission handler raised; denying")
            result = CodexPermissionDecision.of(
                Decision.DENY, message="permission handler failed", decided_by="gate"
            )
        if not pending.answered.done():
            pending.answered.set_result(result)

    async def _await_answer(self, pending: _Pending) -> None:
        timeout = self.settings.human_timeout
        try:
            async with asyncio.timeout(timeout):
                decision = await asyncio.shield(pending.answered)
        except TimeoutError:
            decision = self.settings.policy.fallback(
                pending.request, f"no answer within {timeout:g}s: denied"
            )
            decision = CodexPermissionDecision(
                behavior=decision.behavior,
                message=decision.message,
                cancel=decision.cancel,
                decided_by="timeout",
            )
        except asyncio.CancelledError:
            return  # resolved by the server or the connection ended
        if pending.task is not None:
            pending.task.cancel()
        if pending.detached:
            # No connection to answer on: the replay after the resume takes this answer.
            self._held[replay_key(pending.request)] = decision
            return
        if self._pending.get(pending.request.request_id) is pending:
            await self._finish(pending.request, decision)

    async def _finish(
        self, request: CodexPermissionRequest, decision: CodexPermissionDecision
    ) -> None:
        self._pending.pop(request.request_id, None)
        key = replay_key(request)
        try:
            await self._send_answer(request, decision)
        except Exception as exc:
            # Most likely the connection broke: if codex asks again after a resume, this
            # answer is given then.
            log.warning("could not answer %s %r: %s", request.method, request.request_id, exc)
            self._held[key] = decision
            return
        self._recent[key] = decision
        while len(self._recent) > _RECENT_ANSWERS:
            self._recent.popitem(last=False)
        self.answered_count += 1
        self._emit(
            "x-optio-permission-resolved",
            {
                "requestId": request.request_id,
                "by": decision.decided_by,
                "decision": decision.decision.value,
            },
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _emit(self, event_type: str, payload: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(event_type, payload)
