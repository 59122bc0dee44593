"""A config written for the published optio-codex 0.4.8 runs here: one task in the real engine
(real mongod, real codex on the worker, the scripted model) using the published fields that
change what a run does — mcp_servers, the CLIENT_MESSAGE / CALLER_MESSAGE keywords, BROWSER
lines, sandbox=None and ask_for_approval="on-failure"."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from optio_agents.config_types import AllowedDir
from optio_agents.mcp import McpServer

from optio_codex.binary import CodexBinary
from optio_codex.hosts.grants import with_read_only_grants
from optio_codex.hosts.sandbox import SandboxSettings, preflight, run_local
from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing.mcp_http import McpHttpServer
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from tests.conftest import CodexEnv
from tests.support.engine_runs import Engine, launch, log_messages, process_end
from tests.test_sandbox import target
from tests.test_task_engine import model_config

SECRET = "Bearer mcp-secret-7f3a"
LOGIN_URL = "https://example.com/login?device=1"
MESSAGES = (
    f'"$BROWSER" "{LOGIN_URL}" && '
    'echo \'CLIENT_MESSAGE: build-finished {"artifact":"app.zip"}\' >> optio.log && '
    'echo \'CALLER_MESSAGE: tests-passed {"suite":"unit"}\' >> optio.log'
)


def play_the_agent(request: RecordedRequest) -> Step:
    items = request.body.get("input") or []
    calls = " ".join(str(i.get("arguments")) for i in items if i.get("type") == "function_call")
    said = " ".join(str(i.get("content")) for i in items if i.get("role") == "user")
    if "echo DONE" in calls:
        return text("Done.")
    if "caller says: well done" in said:
        return exec_command("echo DONE >> optio.log", escalate=False)
    if "CALLER_MESSAGE" in calls:
        return text("Messages sent; waiting for the caller.")
    return exec_command(MESSAGES, escalate=False)


async def test_a_published_config_runs_with_its_messages_and_mcp_servers(
    engine: Engine, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    fw, _tasks = engine
    heard: list[tuple[str, Any]] = []

    async def on_caller_message(hook_ctx: Any, name: str, data: Any) -> str:
        heard.append((name, data))
        return "caller says: well done"

    delivered: dict[str, str] = {}

    async def on_deliverable(hook_ctx: Any, path: str, text: str) -> None:
        delivered[path] = text

    async with McpHttpServer() as mcp:
        config = CodexTaskConfig(
            consumer_instructions="Report to the caller, then write DONE.",
            task_root=str(host_dir / "tasks"),
            codex_config=model_config(model_server, host_dir),
            sandbox=None,  # type: ignore[arg-type]  # published: None; here workspace-write
            ask_for_approval="on-failure",  # type: ignore[arg-type]  # codex dropped it
            fs_isolation=True,
            delivery_type="notices",
            # Resolved against the host's home; proven unwritable by the preflight.
            extra_allowed_dirs=[AllowedDir("~/optio-codex-compat-reference", "ro")],
            mcp_servers=[McpServer(name="probe", url=mcp.url, headers={"Authorization": SECRET})],
            use_client_messages=True,
            on_caller_message=on_caller_message,
            on_deliverable=on_deliverable,
            auto_start=True,
            cleanup="never",
        )
        assert (config.sandbox, config.ask_for_approval) == ("workspace-write", "on-request")
        model_server.fallback = play_the_agent
        await launch(engine, "compat-1", config)
        proc = await process_end(fw, "compat-1", within=90)
        methods = mcp.methods()
        auth = {seen.headers.get("Authorization") for seen in mcp.seen}

    assert proc["status"]["state"] == "done", proc["status"]
    # CALLER_MESSAGE reached the callback, and its reply reached the agent.
    assert heard == [("tests-passed", {"suite": "unit"})]
    # CLIENT_MESSAGE became a session event; the $BROWSER call a browser-open request.
    events = [e for e in proc.get("sessionEvents") or [] if e.get("type") == "client"]
    assert [(e["keyword"], e["data"]) for e in events] == [
        ("build-finished", {"artifact": "app.zip"})
    ]
    assert [r["url"] for r in proc.get("browserOpenRequests") or []] == [LOGIN_URL]
    # The differences were delivered under delivery_type, as published notices were.
    notice = delivered["notices/optio-codex-notice.md"]
    assert "sandbox=None" in notice and "on-failure" in notice and "not reads" in notice
    # codex talked to the MCP server with the configured header.
    assert "initialize" in methods and "tools/list" in methods, methods
    assert auth == {SECRET}
    task_dir = host_dir / "tasks" / "compat-1"
    written = tomllib.loads((task_dir / "home/.codex/config.toml").read_text())
    assert written["mcp_servers"]["probe"]["url"] == mcp.url
    assert written["sandbox_mode"] == "workspace-write"
    assert written["approval_policy"] == "on-request"
    agents_md = (task_dir / "workdir/AGENTS.md").read_text()
    assert "CALLER_MESSAGE:" in agents_md and "CLIENT_MESSAGE:" in agents_md
    checked = [m for m in log_messages(proc) if m.startswith("sandbox checked")]
    assert checked and "write-read-only-0" in checked[0], log_messages(proc)
    # The header is in the 0600 config.toml only: no progress line or log entry names it.
    assert SECRET not in json.dumps(log_messages(proc), default=str)
    assert SECRET not in json.dumps(proc.get("progress"), default=str)


async def test_read_only_grants_are_proven_unwritable_in_codex_s_sandbox(
    codex_binary: CodexBinary, codex_env: CodexEnv
) -> None:
    """codex has no read-only roots: an ro grant is kept out of the writable ones, and the
    preflight (inside the real sandbox) proves a command cannot write there."""
    ro = codex_env.root / "reference"
    rw = codex_env.root / "scratch"
    ro.mkdir()
    rw.mkdir()
    grants = [AllowedDir("~/reference", "ro"), AllowedDir(str(rw), "rw")]
    settings = with_read_only_grants(
        SandboxSettings(writable_dirs=(str(rw),)), grants, str(codex_env.root)
    )
    assert settings.read_only_dirs == (str(ro),)
    result = await preflight(run_local, target(codex_binary, codex_env), settings)
    assert result.ok, result.checks
    assert result.check("write-read-only-0").observed == "blocked"
    assert result.check("write-extra-0").observed == "allowed"
    assert list(ro.iterdir()) == []
    # Without a sandbox there is nothing to prove.
    loose = SandboxSettings(mode="danger-full-access")
    assert with_read_only_grants(loose, grants, "/home/x") is loose
