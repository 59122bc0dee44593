"""optio-agents-all 0.3.0 (installed beside this package by scripts/setup, without its pin on
optio-codex<0.5) routes a codex config to this package: its tagged union, its create_task, its
catalogue and its account dispatch all land on ours."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import optio_codex
from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from tests.support.engine_runs import Engine, process_end
from tests.test_task_engine import REPORT, model_config


def play_the_agent(request: RecordedRequest) -> Step:
    """The report, then DONE once it is acknowledged; in the sandbox (nobody approves)."""
    items = request.body.get("input") or []
    calls = " ".join(str(i.get("arguments")) for i in items if i.get("type") == "function_call")
    said = " ".join(str(i.get("content")) for i in items if i.get("role") == "user")
    if "echo DONE" in calls:
        return text("Done.")
    if "deliverable report.txt: accepted" in said:
        return exec_command("echo DONE >> optio.log", escalate=False)
    if "quarterly numbers" in calls:
        return text("Report written; waiting for the acknowledgment.")
    return exec_command(REPORT, escalate=False)


# What optio-agents-all (and optio-opencode) import from us that the credentials work brings.
FROM_CREDENTIALS = ("analyze_account", "optio_codex.account")


def agents_all() -> ModuleType:
    try:
        return importlib.import_module("optio_agents_all")
    except ImportError as exc:  # a name it imports from us (or an engine) is missing
        if any(name in str(exc) for name in FROM_CREDENTIALS):
            pytest.skip(f"optio_agents_all needs the credentials work's names: {exc}")
        pytest.fail(f"optio_agents_all does not import beside optio-codex: {exc}")


def test_its_codex_config_is_ours() -> None:
    aa = agents_all()
    assert aa.CodexTaskConfig is CodexTaskConfig
    config = aa.CodexTaskConfig(consumer_instructions="x")
    assert config.agent_type == "codex"
    assert isinstance(config, aa.AgentTaskConfig)  # a member of its tagged union
    assert aa.get_agent_info("codex") is optio_codex.AGENT_INFO
    factory = importlib.import_module("optio_agents_all.factory")
    assert factory._REGISTRY["codex"] is optio_codex.create_codex_task
    assert factory._ANALYZE_REGISTRY["codex"] is optio_codex.analyze_account


def test_its_create_task_builds_our_task() -> None:
    aa = agents_all()
    config = CodexTaskConfig(consumer_instructions="x", supports_resume=True)
    task = aa.create_task("p-1", "a codex task", config, description="d", metadata={"k": 1})
    ours = optio_codex.create_codex_task("p-1", "a codex task", config, "d", {"k": 1})
    for name in ("process_id", "name", "description", "metadata", "ui_widget", "supports_resume"):
        assert getattr(task, name) == getattr(ours, name), name


async def test_a_task_made_by_it_runs_in_the_engine(
    engine: Engine, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    aa = agents_all()
    fw, tasks = engine
    delivered: list[str] = []

    async def on_deliverable(hook_ctx: Any, path: str, text: str) -> None:
        delivered.append(path)

    config = aa.CodexTaskConfig(
        consumer_instructions="Write a report into deliverables/report.txt.",
        task_root=str(host_dir / "tasks"),
        codex_config=model_config(model_server, host_dir),
        ask_for_approval="never",
        on_deliverable=on_deliverable,
        auto_start=True,
    )
    model_server.fallback = play_the_agent
    tasks.append(aa.create_task("via-agents-all", "via optio-agents-all", config))
    await fw.resync()
    await fw.launch("via-agents-all", session_id=None)
    proc = await process_end(fw, "via-agents-all", within=90)
    assert proc["status"]["state"] == "done", proc["status"]
    assert delivered == ["report.txt"]
