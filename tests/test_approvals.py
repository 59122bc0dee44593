"""Every approval kind codex 0.163.0 sends, answered through CodexConversation, on the real binary.

How each kind is provoked (probed on the pinned binary):

- command: ``exec_command`` with ``sandbox_permissions: "require_escalated"`` (on-request).
- file change: ``apply_patch`` writing where the sandbox forbids (read-only sandbox, or outside
  the workspace); the request names only the item, its paths come from ``item/started``.
- permissions: the ``request_permissions`` tool, offered only with the under-development feature
  ``request_permissions_tool`` (``exec_permission_approvals`` instead adds
  ``with_additional_permissions`` to exec_command, which asks a *command* approval).
- MCP tool approval: a non-read-only tool of an MCP server (our ``optio_codex.testing.mcp_server``)
  called as ``function_call {namespace: "mcp__<server>", name: <tool>}``.
- user input: ``request_user_input``, which answers "unavailable in Default mode" unless the
  feature ``default_mode_request_user_input`` is on (or the turn runs in Plan mode).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from optio_agents.conversation import PermissionDecision, PermissionRequest

from optio_codex.driver.approvals import (
    ApprovalKind,
    CodexPermissionDecision,
    CodexPermissionRequest,
)
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.events import CodexEvent, Subscription
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.policies import RulePolicy
from optio_codex.protocol.errors import METHOD_NOT_FOUND
from optio_codex.protocol.streams import ByteStream
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.mcp_server import (
    DEFAULT_SERVER_NAME,
    ECHO_TOOL,
    WRITE_TOOL,
    mcp_server_config,
    model_namespace,
)
from optio_codex.testing.model_server import (
    ScriptedModelServer,
    SseEvent,
    Step,
    apply_patch,
    exec_command,
    function_call,
    text,
)
from tests.conftest import CodexEnv, Launcher
from tests.support.memstream import MemoryStream

TIMEOUT = 30


# -- helpers --------------------------------------------------------------------------------


@pytest.fixture(params=["local", "ssh"])
def start(request: pytest.FixtureRequest) -> Launcher:
    """The conversation launcher, over stdio locally and over real SSH."""
    launcher: Launcher = request.getfixturevalue(f"start_{request.param}")
    return launcher


@pytest.fixture
def configure(codex_env: CodexEnv, model_server: ScriptedModelServer) -> Callable[..., None]:
    """Rewrite config.toml with extra tables (before the conversation starts)."""

    def apply(extra: dict[str, Any]) -> None:
        write_test_codex_home(codex_env.codex_home, model_server.base_url, extra=extra)

    return apply


def human(timeout: float = TIMEOUT) -> GateSettings:
    return GateSettings(human=True, human_timeout=timeout)


def decide(
    decision: CodexPermissionDecision, asked: list[CodexPermissionRequest]
) -> Callable[[PermissionRequest], Any]:
    """A handler that records each request and answers it with ``decision``."""

    async def handler(request: PermissionRequest) -> PermissionDecision:
        assert isinstance(request, CodexPermissionRequest)
        asked.append(request)
        return decision

    return handler


ALLOW = CodexPermissionDecision(behavior="allow")
ALLOW_SESSION = CodexPermissionDecision(behavior="allow", scope="session")
DENY = CodexPermissionDecision(behavior="deny")
CANCEL = CodexPermissionDecision(behavior="deny", cancel=True)


class Recorder:
    """Every event of a conversation, in order."""

    def __init__(self, conversation: CodexConversation) -> None:
        self._sub: Subscription = conversation.subscribe()
        self.seen: list[CodexEvent] = []

    def of(self, event_type: str) -> list[CodexEvent]:
        self.seen.extend(self._sub.get_nowait_batch())
        return [e for e in self.seen if e.type == event_type]

    async def wait_for(
        self, event_type: str, predicate: Callable[[CodexEvent], bool] = lambda e: True
    ) -> CodexEvent:
        async with asyncio.timeout(10):
            while True:
                found = [e for e in self.of(event_type) if predicate(e)]
                if found:
                    return found[0]
                event = await self._sub.get()
                if event is None:
                    raise AssertionError(f"conversation ended before {event_type}")
                self.seen.append(event)


def tool_output(server: ScriptedModelServer, call_id: str) -> Any:
    """What codex told the model a tool call returned (from the next model request)."""
    for recorded in reversed(server.responses_requests):
        for item in recorded.body.get("input", []):
            if item.get("call_id") == call_id and item.get("type", "").endswith("_output"):
                return item.get("output")
    raise AssertionError(f"no output for {call_id} reached the model")


def items_of(result: Any, item_type: str) -> list[dict[str, Any]]:
    return [i for i in result.items if i["type"] == item_type]


def lines_of(path: Path) -> list[str]:
    """A file's lines; none when it does not exist."""
    return path.read_text().splitlines() if path.exists() else []


def add_file_patch(path: str | Path, body: str = "patched") -> str:
    return f"*** Begin Patch\n*** Add File: {path}\n+{body}\n*** End Patch\n"


def namespaced_call(namespace: str, name: str, arguments: dict[str, Any], call_id: str) -> Step:
    """A function call of a deferred (namespaced) tool, as the model issues MCP tool calls."""
    step = function_call(name, arguments, call_id=call_id)
    actions: list[Any] = []
    for action in step.actions:
        if isinstance(action, SseEvent) and "item" in action.data:
            item = {**action.data["item"], "namespace": namespace}
            action = SseEvent(action.type, {**action.data, "item": item})
        elif isinstance(action, SseEvent) and action.type == "response.completed":
            response = dict(action.data["response"])
            response["output"] = [{**o, "namespace": namespace} for o in response["output"]]
            action = SseEvent(action.type, {"response": response})
        actions.append(action)
    return replace(step, actions=tuple(actions))


def mcp_write(note: str, call_id: str) -> Step:
    return namespaced_call(model_namespace(), WRITE_TOOL, {"text": note}, call_id)


# -- command --------------------------------------------------------------------------------


async def test_command_allow_runs_it(
    start: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(ALLOW, asked))
    model_server.script(*exec_command("touch made.txt", call_id="call_allow").then("made"))
    result = await conversation.run_turn("make it", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "made"
    [request] = asked
    assert request.kind is ApprovalKind.COMMAND
    assert request.method == "item/commandExecution/requestApproval"
    assert request.item_id == "call_allow" and request.turn_id == result.turn_id
    assert "touch made.txt" in (request.command or "")
    assert "accept" in request.input["availableDecisions"]
    assert (codex_env.workspace / "made.txt").exists()
    [command] = items_of(result, "commandExecution")
    assert command["status"] == "completed" and command["exitCode"] == 0


async def test_command_allow_for_session_is_not_asked_again(
    start: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(ALLOW_SESSION, asked))
    for n in (1, 2):
        model_server.script(*exec_command("echo again >> log.txt").then(f"turn {n}"))
        result = await conversation.run_turn(f"append {n}", timeout=TIMEOUT)
        assert result.status == "completed" and result.final_text == f"turn {n}"
        [command] = items_of(result, "commandExecution")
        assert command["status"] == "completed"
    assert len(asked) == 1  # the second identical command ran without a prompt
    assert (codex_env.workspace / "log.txt").read_text().split() == ["again", "again"]


async def test_command_deny_declines_and_the_turn_goes_on(
    start: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(DENY, asked))
    model_server.script(*exec_command("touch nope.txt", call_id="call_deny").then("went on"))
    result = await conversation.run_turn("try", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "went on"
    assert len(asked) == 1
    [command] = items_of(result, "commandExecution")
    assert command["status"] == "declined"
    assert "rejected by user" in str(tool_output(model_server, "call_deny"))
    assert not (codex_env.workspace / "nope.txt").exists()


async def test_command_cancel_ends_the_turn_interrupted(
    start: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(CANCEL, asked))
    model_server.script(*exec_command("touch nope.txt").then("never said"))
    result = await conversation.run_turn("try", timeout=TIMEOUT)
    assert result.status == "interrupted" and not result.synthetic
    assert len(asked) == 1
    assert model_server.pending == 1  # the model was not asked to go on
    assert not (codex_env.workspace / "nope.txt").exists()
    # The thread lives on.
    model_server.clear_script()
    model_server.script(text("still here"))
    assert (await conversation.run_turn("hello", timeout=TIMEOUT)).final_text == "still here"


# -- file change ----------------------------------------------------------------------------


@pytest.mark.parametrize(("decision", "applied"), [(ALLOW, True), (DENY, False)])
async def test_file_change_under_read_only(
    start: Launcher,
    model_server: ScriptedModelServer,
    codex_env: CodexEnv,
    decision: CodexPermissionDecision,
    applied: bool,
) -> None:
    conversation = await start(human(), sandbox="read-only")
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(decision, asked))
    patch = apply_patch(add_file_patch("hello.txt", "hi there"), call_id="call_patch")
    model_server.script(*patch.then("patch step done"))
    result = await conversation.run_turn("write hello", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "patch step done"
    [request] = asked
    assert request.kind is ApprovalKind.FILE_CHANGE and request.item_id == "call_patch"
    # codex's request names only the item; the conversation adds the paths it announced.
    target = codex_env.workspace / "hello.txt"
    assert [c["path"] for c in request.input["changes"]] == [str(target)]
    [change] = items_of(result, "fileChange")
    output = str(tool_output(model_server, "call_patch"))
    if applied:
        assert change["status"] == "completed" and "Success" in output
        assert target.read_text() == "hi there\n"
    else:
        assert change["status"] == "declined" and "patch rejected by user" in output
        assert not target.exists()


async def test_file_change_outside_workspace_allowed(
    start_local: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    outside = codex_env.root / "outside"
    outside.mkdir()
    conversation = await start_local(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(ALLOW, asked))
    model_server.script(*apply_patch(add_file_patch(outside / "x.txt")).then("ok"))
    result = await conversation.run_turn("write outside", timeout=TIMEOUT)
    assert result.status == "completed" and len(asked) == 1
    assert (outside / "x.txt").read_text() == "patched\n"


# -- permissions ----------------------------------------------------------------------------

PERMISSION_FEATURES = {"features": {"request_permissions_tool": True}}


async def _permissions_run(
    start: Launcher,
    model_server: ScriptedModelServer,
    codex_env: CodexEnv,
    configure: Callable[..., None],
    decision: CodexPermissionDecision,
) -> tuple[list[CodexPermissionRequest], Any, Path, Path]:
    """Ask for write access to two outside dirs plus network, answer, then touch a file in
    each dir in this turn (a.txt) and in the next one (b.txt), both inside the sandbox."""
    configure(PERMISSION_FEATURES)
    d1, d2 = codex_env.root / "d1", codex_env.root / "d2"
    d1.mkdir()
    d2.mkdir()
    conversation = await start(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(decision, asked))
    wanted = {"file_system": {"write": [str(d1), str(d2)]}, "network": {"enabled": True}}
    model_server.script(
        function_call(
            "request_permissions",
            {"permissions": wanted, "reason": "write the outputs"},
            call_id="call_perm",
        ),
        exec_command(f"touch {d1}/a.txt {d2}/a.txt", escalate=False),
        text("turn one"),
    )
    result = await conversation.run_turn("need access", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "turn one"
    granted = json.loads(tool_output(model_server, "call_perm"))
    model_server.script(
        *exec_command(f"touch {d1}/b.txt {d2}/b.txt", escalate=False).then("turn two")
    )
    again = await conversation.run_turn("again", timeout=TIMEOUT)
    assert again.status == "completed"
    return asked, granted, d1, d2


async def test_permissions_grant_all_for_the_turn(
    start_local: Launcher,
    model_server: ScriptedModelServer,
    codex_env: CodexEnv,
    configure: Callable[..., None],
) -> None:
    asked, granted, d1, d2 = await _permissions_run(
        start_local, model_server, codex_env, configure, ALLOW
    )
    [request] = asked
    assert request.kind is ApprovalKind.PERMISSIONS
    assert request.method == "item/permissions/requestApproval"
    assert request.input["reason"] == "write the outputs"
    asked_fs = request.input["permissions"]["fileSystem"]
    assert asked_fs["write"] == [str(d1), str(d2)]
    assert request.input["permissions"]["network"] == {"enabled": True}
    assert granted == {
        "permissions": {"network": {"enabled": True}, "file_system": {"write": [str(d1), str(d2)]}},
        "scope": "turn",
    }
    assert (d1 / "a.txt").exists() and (d2 / "a.txt").exists()
    # Turn scope: the next turn is back in the plain sandbox.
    assert not (d1 / "b.txt").exists() and not (d2 / "b.txt").exists()


async def test_permissions_grant_all_for_the_session(
    start: Launcher,
    model_server: ScriptedModelServer,
    codex_env: CodexEnv,
    configure: Callable[..., None],
) -> None:
    asked, granted, d1, d2 = await _permissions_run(
        start, model_server, codex_env, configure, ALLOW_SESSION
    )
    assert len(asked) == 1 and granted["scope"] == "session"
    for name in ("a.txt", "b.txt"):
        assert (d1 / name).exists() and (d2 / name).exists()


async def test_permissions_grant_a_subset(
    start_local: Launcher,
    model_server: ScriptedModelServer,
    codex_env: CodexEnv,
    configure: Callable[..., None],
) -> None:
    d1 = codex_env.root / "d1"
    subset = CodexPermissionDecision(
        behavior="allow", permissions={"fileSystem": {"write": [str(d1)]}}
    )
    asked, granted, d1, d2 = await _permissions_run(
        start_local, model_server, codex_env, configure, subset
    )
    assert len(asked) == 1
    assert granted == {
        "permissions": {"network": None, "file_system": {"write": [str(d1)]}},
        "scope": "turn",
    }
    assert (d1 / "a.txt").exists()
    assert not (d2 / "a.txt").exists()  # not granted
    assert not (d1 / "b.txt").exists()  # turn scope


async def test_permissions_grant_nothing(
    start_local: Launcher,
    model_server: ScriptedModelServer,
    codex_env: CodexEnv,
    configure: Callable[..., None],
) -> None:
    asked, granted, d1, d2 = await _permissions_run(
        start_local, model_server, codex_env, configure, DENY
    )
    assert len(asked) == 1
    assert granted == {"permissions": {"network": None, "file_system": None}, "scope": "turn"}
    assert not any(p.exists() for p in (d1 / "a.txt", d2 / "a.txt", d1 / "b.txt"))


# -- MCP tool approval (elicitation) --------------------------------------------------------


async def mcp_ready(conversation: CodexConversation, timeout: float = 30.0) -> None:
    """Until codex reports the test MCP server ready: a turn begun earlier may not have its
    tools yet (seen once in ~300 runs: the call never reached the server, nothing was asked)."""
    events = conversation.subscribe(replay=True)
    try:
        async with asyncio.timeout(timeout):
            async for event in events:
                params = event.params
                if (
                    event.method == "mcpServer/startupStatus/updated"
                    and params.get("name") == DEFAULT_SERVER_NAME
                    and params.get("status") != "starting"
                ):
                    assert params.get("status") == "ready", params
                    return
    finally:
        events.close()


@pytest.fixture
def mcp_notes(codex_env: CodexEnv, configure: Callable[..., None]) -> Path:
    """Configure the test MCP server; return the file its write_note tool appends to."""
    notes = codex_env.root / "notes.log"
    configure({"mcp_servers": {DEFAULT_SERVER_NAME: mcp_server_config(notes)}})
    return notes


@pytest.mark.parametrize(
    ("decision", "status", "error"),
    [
        (ALLOW, "completed", None),
        (DENY, "failed", "user rejected MCP tool call"),
        # Unlike a command, cancelling an MCP tool approval fails the call; the turn goes on.
        (CANCEL, "failed", "user cancelled MCP tool call"),
    ],
    ids=["accept", "decline", "cancel"],
)
async def test_mcp_tool_approval(
    start_local: Launcher,
    model_server: ScriptedModelServer,
    mcp_notes: Path,
    decision: CodexPermissionDecision,
    status: str,
    error: str | None,
) -> None:
    conversation = await start_local(human())
    await mcp_ready(conversation)
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(decision, asked))
    model_server.script(*mcp_write("first note", "call_mcp").then("after the tool"))
    result = await conversation.run_turn("note it", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "after the tool"
    [request] = asked
    assert request.kind is ApprovalKind.MCP_ELICITATION
    assert request.method == "mcpServer/elicitation/request"
    assert request.input["serverName"] == DEFAULT_SERVER_NAME
    meta = request.input["_meta"]
    assert meta["codex_approval_kind"] == "mcp_tool_call"
    assert meta["tool_params"] == {"text": "first note"}
    assert "session" in meta["persist"]
    [call] = items_of(result, "mcpToolCall")
    assert call["status"] == status and call["tool"] == WRITE_TOOL
    if error is None:
        assert lines_of(mcp_notes) == ["first note"]
        assert "noted: first note" in str(tool_output(model_server, "call_mcp"))
    else:
        assert call["error"]["message"] == error
        assert lines_of(mcp_notes) == []


async def test_read_only_mcp_tool_is_not_asked(
    start_local: Launcher, model_server: ScriptedModelServer, mcp_notes: Path
) -> None:
    conversation = await start_local(human())
    await mcp_ready(conversation)
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(DENY, asked))
    echo = namespaced_call(model_namespace(), ECHO_TOOL, {"text": "ping"}, "call_echo")
    model_server.script(*echo.then("echoed"))
    result = await conversation.run_turn("echo", timeout=TIMEOUT)
    assert result.status == "completed" and not asked
    [call] = items_of(result, "mcpToolCall")
    assert call["status"] == "completed" and call["readOnlyHint"] is True
    assert "ping" in str(tool_output(model_server, "call_echo"))


async def test_mcp_tool_allow_for_session_over_ssh(
    start_ssh: Launcher, model_server: ScriptedModelServer, mcp_notes: Path
) -> None:
    conversation = await start_ssh(human())
    await mcp_ready(conversation)
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(ALLOW_SESSION, asked))
    for n in (1, 2, 3):
        model_server.script(*mcp_write(f"note {n}", f"call_mcp{n}").then(f"done {n}"))
        result = await conversation.run_turn(f"note {n}", timeout=TIMEOUT)
        assert result.status == "completed"
    # Accepted with _meta.persist "session": later calls of the tool do not ask.
    assert len(asked) == 1
    assert lines_of(mcp_notes) == ["note 1", "note 2", "note 3"]


# -- request_user_input ---------------------------------------------------------------------

USER_INPUT_FEATURES = {"features": {"default_mode_request_user_input": True}}
QUESTIONS = [
    {
        "id": "color",
        "header": "Color",
        "question": "Which color?",
        "options": [
            {"label": "Blue (Recommended)", "description": "calm"},
            {"label": "Red", "description": "bold"},
        ],
    },
    {
        "id": "size",
        "header": "Size",
        "question": "Which size?",
        "options": [
            {"label": "small", "description": "s"},
            {"label": "large", "description": "l"},
        ],
    },
]


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        (
            CodexPermissionDecision(
                behavior="allow", answers={"color": ["Red"], "size": ["large", "roomy please"]}
            ),
            {
                "answers": {
                    "color": {"answers": ["Red"]},
                    "size": {"answers": ["large", "roomy please"]},
                }
            },
        ),
        (DENY, {"answers": {}}),
    ],
    ids=["answered", "denied"],
)
async def test_request_user_input(
    start: Launcher,
    model_server: ScriptedModelServer,
    configure: Callable[..., None],
    decision: CodexPermissionDecision,
    expected: dict[str, Any],
) -> None:
    configure(USER_INPUT_FEATURES)
    conversation = await start(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(decision, asked))
    call = function_call("request_user_input", {"questions": QUESTIONS}, call_id="call_ask")
    model_server.script(*call.then("thanks"))
    result = await conversation.run_turn("ask me", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "thanks"
    [request] = asked
    assert request.kind is ApprovalKind.USER_INPUT
    assert request.method == "item/tool/requestUserInput" and request.item_id == "call_ask"
    assert [q["id"] for q in request.input["questions"]] == ["color", "size"]
    assert request.input["questions"][0]["isOther"] is True  # codex adds the free-form option
    assert json.loads(tool_output(model_server, "call_ask")) == expected


async def test_request_user_input_unavailable_in_default_mode(
    start_local: Launcher, model_server: ScriptedModelServer
) -> None:
    conversation = await start_local(human())
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(ALLOW, asked))
    call = function_call("request_user_input", {"questions": QUESTIONS}, call_id="call_ask")
    model_server.script(*call.then("ok"))
    result = await conversation.run_turn("ask me", timeout=TIMEOUT)
    assert result.status == "completed" and not asked
    assert "unavailable in Default mode" in str(tool_output(model_server, "call_ask"))


# -- unknown kinds --------------------------------------------------------------------------


class _MemoryServer:
    def __init__(self) -> None:
        self.memory = MemoryStream()

    @property
    def stream(self) -> ByteStream:
        return self.memory

    async def stop(self, grace: float = 3.0) -> int | None:
        self.memory.eof()
        return 0


async def test_unknown_server_request_gets_an_error_reply() -> None:
    server = _MemoryServer()
    memory = server.memory
    answers = {
        "initialize": {"userAgent": "fake/0"},
        "account/read": {"account": None},
        "model/list": {"data": []},
        "thread/start": {"thread": {"id": "thr_fake"}, "sandbox": {"type": "readOnly"}},
    }

    async def fake_codex() -> None:
        while True:
            message = json.loads(await memory.sent.get())
            if "id" in message and message.get("method") in answers:
                reply = {"id": message["id"], "result": answers[message["method"]]}
                memory.feed(json.dumps(reply).encode() + b"\n")

    responder = asyncio.create_task(fake_codex())
    try:
        conversation = await CodexConversation.start(
            server, ConversationOptions(cwd="/nowhere"), human()
        )
        events = Recorder(conversation)
        responder.cancel()
        for request_id, method in [(0, "item/tool/call"), (1, "account/chatgptAuthTokens/refresh")]:
            request = {"id": request_id, "method": method, "params": {"threadId": "thr_fake"}}
            memory.feed(json.dumps(request).encode() + b"\n")
            sent = json.loads(await asyncio.wait_for(memory.sent.get(), 2))
            assert sent["id"] == request_id and "result" not in sent
            assert sent["error"]["code"] == METHOD_NOT_FOUND
            assert method in sent["error"]["message"]
        assert not conversation.gate.pending
        assert [e["id"] for e in events.of("item/tool/call")] == [0]  # still shown to subscribers
        assert not events.of("x-optio-permission-request")
        await conversation.close()
    finally:
        responder.cancel()


# -- policy ---------------------------------------------------------------------------------


async def test_no_human_denies_every_kind_at_once(
    start_local: Launcher,
    model_server: ScriptedModelServer,
    codex_env: CodexEnv,
    configure: Callable[..., None],
) -> None:
    notes = codex_env.root / "notes.log"
    outside = codex_env.root / "outside"
    configure(
        {
            "features": {"request_permissions_tool": True, "default_mode_request_user_input": True},
            "mcp_servers": {DEFAULT_SERVER_NAME: mcp_server_config(notes)},
        }
    )
    conversation = await start_local()  # GateSettings() default: no human, DenyAll
    await mcp_ready(conversation)
    events = Recorder(conversation)
    model_server.script(
        exec_command("touch cmd.txt", call_id="c_cmd"),
        apply_patch(add_file_patch(outside / "p.txt"), call_id="c_patch"),
        function_call(
            "request_permissions", {"permissions": {"network": {"enabled": True}}}, call_id="c_perm"
        ),
        mcp_write("denied note", "c_mcp"),
        function_call("request_user_input", {"questions": QUESTIONS}, call_id="c_ask"),
        text("all refused"),
    )
    result = await conversation.run_turn("do everything", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "all refused"
    resolved = events.of("x-optio-permission-resolved")
    # Each was refused by the policy at once, none left to a human's deadline.
    assert [e["by"] for e in resolved] == ["policy"] * 5
    assert {e["decision"] for e in resolved} == {"deny"}
    kinds = [e.method for e in events.seen if e.get("id") is not None and e.method]
    assert kinds == [
        "item/commandExecution/requestApproval",
        "item/fileChange/requestApproval",
        "item/permissions/requestApproval",
        "mcpServer/elicitation/request",
        "item/tool/requestUserInput",
    ]
    assert not events.of("x-optio-permission-request")  # nobody was asked
    assert [c["status"] for c in items_of(result, "commandExecution")] == ["declined"]
    assert [c["status"] for c in items_of(result, "fileChange")] == ["declined"]
    assert [c["status"] for c in items_of(result, "mcpToolCall")] == ["failed"]
    assert json.loads(tool_output(model_server, "c_perm"))["permissions"] == {
        "network": None,
        "file_system": None,
    }
    assert json.loads(tool_output(model_server, "c_ask")) == {"answers": {}}
    assert not (codex_env.workspace / "cmd.txt").exists()
    assert not outside.exists() and not notes.exists()


async def test_rule_policy_allows_a_simple_prefix_match_only(
    start: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    victim = codex_env.workspace / "y.txt"
    victim.write_text("keep me")
    conversation = await start(GateSettings(policy=RulePolicy(allow_command_prefixes=("touch",))))
    events = Recorder(conversation)
    model_server.script(
        exec_command("touch x.txt", call_id="c_ok"),
        exec_command("touch z.txt; rm y.txt", call_id="c_chained"),
        text("tried both"),
    )
    result = await conversation.run_turn("touch things", timeout=TIMEOUT)
    assert result.status == "completed"
    # The allow names its rule; the chained line matches none and falls back to the deny.
    assert [(e["by"], e["decision"]) for e in events.of("x-optio-permission-resolved")] == [
        ("policy:allow_command_prefixes 'touch'", "allow"),
        ("policy", "deny"),
    ]
    statuses = {c["id"]: c["status"] for c in items_of(result, "commandExecution")}
    assert statuses == {"c_ok": "completed", "c_chained": "declined"}
    assert (codex_env.workspace / "x.txt").exists()
    assert victim.read_text() == "keep me" and not (codex_env.workspace / "z.txt").exists()


async def test_rule_policy_allows_file_changes_under_a_root(
    start_local: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    allowed, other = codex_env.root / "allowed", codex_env.root / "other"
    allowed.mkdir()
    other.mkdir()
    (allowed / "keep.txt").write_text("stay\n")
    policy = RulePolicy(allow_file_changes_under=(str(allowed),))
    conversation = await start_local(GateSettings(policy=policy))
    events = Recorder(conversation)
    move_out = (
        f"*** Begin Patch\n*** Update File: {allowed / 'keep.txt'}\n"
        f"*** Move to: {other / 'moved.txt'}\n@@\n-stay\n+moved\n*** End Patch\n"
    )
    model_server.script(
        apply_patch(add_file_patch(allowed / "in.txt"), call_id="c_in"),
        apply_patch(add_file_patch(other / "out.txt"), call_id="c_out"),
        apply_patch(move_out, call_id="c_move"),
        text("three patches"),
    )
    result = await conversation.run_turn("patch around", timeout=TIMEOUT)
    assert result.status == "completed"
    decisions = [e["decision"] for e in events.of("x-optio-permission-resolved")]
    assert decisions == ["allow", "deny", "deny"]
    statuses = {c["id"]: c["status"] for c in items_of(result, "fileChange")}
    assert statuses == {"c_in": "completed", "c_out": "declined", "c_move": "declined"}
    assert (allowed / "in.txt").read_text() == "patched\n"
    assert not (other / "out.txt").exists() and not (other / "moved.txt").exists()
    assert (allowed / "keep.txt").read_text() == "stay\n"


# -- the human's deadline, late handlers, outside answers -----------------------------------


async def test_human_deadline_denies_and_the_turn_completes(
    start_local: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start_local(GateSettings(human=True, human_timeout=0.5))
    events = Recorder(conversation)
    model_server.script(*exec_command("touch late.txt").then("gave up waiting"))
    started = time.monotonic()
    result = await conversation.run_turn("ask nobody", timeout=TIMEOUT)  # 60x the deadline
    assert result.status == "completed" and result.final_text == "gave up waiting"
    # The deadline was honoured: the request stayed open for its 0.5 s before the deny.
    assert time.monotonic() - started >= 0.5
    [opened] = events.of("x-optio-permission-request")
    assert opened["kind"] == "command"
    [resolved] = events.of("x-optio-permission-resolved")
    assert resolved["by"] == "timeout" and resolved["decision"] == "deny"
    assert resolved["requestId"] == opened["requestId"]
    [command] = items_of(result, "commandExecution")
    assert command["status"] == "declined"
    assert not (codex_env.workspace / "late.txt").exists()


async def test_request_waits_for_a_handler_to_register(
    start: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start(human())
    events = Recorder(conversation)
    model_server.script(*exec_command("touch queued.txt").then("answered late"))
    turn_id = await conversation.submit("wait for me")
    await events.wait_for("x-optio-permission-request")
    await asyncio.sleep(0.2)  # nobody to ask yet: it stays pending
    [pending] = conversation.gate.pending
    assert pending.kind is ApprovalKind.COMMAND and conversation.active_turn_id == turn_id
    asked: list[CodexPermissionRequest] = []
    conversation.on_permission_request(decide(ALLOW, asked))
    result = await conversation.wait_for_turn(turn_id, timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "answered late"
    assert [r.request_id for r in asked] == [pending.request_id]
    assert (codex_env.workspace / "queued.txt").exists()
    assert not conversation.gate.pending


async def test_answer_permission_by_request_id(
    start_local: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start_local(human())
    events = Recorder(conversation)
    model_server.script(*exec_command("touch by_id.txt").then("answered by id"))
    turn_id = await conversation.submit("answer from a UI")
    opened = await events.wait_for("x-optio-permission-request")
    assert conversation.answer_permission(opened["requestId"], PermissionDecision("allow"))
    assert not conversation.answer_permission(opened["requestId"], PermissionDecision("deny"))
    result = await conversation.wait_for_turn(turn_id, timeout=TIMEOUT)
    assert result.status == "completed"
    assert (codex_env.workspace / "by_id.txt").exists()


async def test_interrupt_resolves_the_pending_prompt(
    start_local: Launcher, model_server: ScriptedModelServer, codex_env: CodexEnv
) -> None:
    conversation = await start_local(human())
    events = Recorder(conversation)
    model_server.script(*exec_command("touch never.txt").then("never said"))
    await conversation.submit("start and stop")
    opened = await events.wait_for("x-optio-permission-request")
    assert len(conversation.gate.pending) == 1
    result = await conversation.interrupt()
    assert result is not None and result.status == "interrupted"
    # codex sends serverRequest/resolved for the cancelled prompt (after turn/completed).
    resolved = await events.wait_for(
        "x-optio-permission-resolved", lambda e: e["requestId"] == opened["requestId"]
    )
    assert resolved["by"] == "server"
    assert not conversation.gate.pending
    assert events.of("serverRequest/resolved")[0].params["requestId"] == opened["requestId"]
    assert not (codex_env.workspace / "never.txt").exists()
    # A late answer finds nothing to answer.
    assert not conversation.answer_permission(opened["requestId"], PermissionDecision("allow"))
