"""The task in a real optio engine: real mongod, real sshd, real codex; a scripted model."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from optio_agents.conversation import PermissionDecision, PermissionRequest
from optio_core import Optio

from optio_codex.driver.conversation import CodexConversation
from optio_codex.factory import create_codex_task
from optio_codex.task.config import CodexTaskConfig, SSHConfig
from optio_codex.testing.codex_home import mock_codex_config
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from optio_codex.testing.sshd import SshdInfo
from tests.support.procs import processes_holding

REPORT = (
    "echo quarterly numbers > deliverables/report.txt && "
    "echo 'DELIVERABLE: deliverables/report.txt' >> optio.log"
)


def play_the_agent(request: RecordedRequest) -> Step:
    """What a model following AGENTS.md would do next, judged from the conversation so far."""
    items = request.body.get("input") or []
    calls = " ".join(str(i.get("arguments")) for i in items if i.get("type") == "function_call")
    said = " ".join(str(i.get("content")) for i in items if i.get("role") == "user")
    if "echo DONE" in calls:
        return text("Done.")
    if "deliverable report.txt: accepted" in said:
        return exec_command("echo DONE >> optio.log")
    if "quarterly numbers" in calls:
        return text("Report written; waiting for the acknowledgment.")
    return exec_command(REPORT)


def model_config(server: ScriptedModelServer, tmp: Path) -> dict[str, Any]:
    """config.toml entries pointing codex at the scripted model (catalog written to ``tmp``)."""
    config = mock_codex_config(server.base_url, tmp / "catalog.json")
    from optio_codex.testing.catalog import write_mock_model_catalog

    write_mock_model_catalog(tmp / "catalog.json")
    return {k: v for k, v in config.items() if k not in ("sandbox_workspace_write",)}


async def test_remote_task_writes_a_deliverable_and_reaches_done(
    engine: tuple[Optio, list[Any]],
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    host_dir: Path,
    codex_install_dir: str | None,
) -> None:
    fw, tasks = engine
    delivered: list[tuple[str, str]] = []

    hooks: list[tuple[str, str]] = []

    def hook(name: str) -> Any:
        async def run(hook_ctx: Any) -> None:
            result = await hook_ctx.run_on_host("pwd")
            hooks.append((name, str(result).strip()))

        return run

    async def on_deliverable(hook_ctx: Any, path: str, content: str) -> None:
        delivered.append((path, content))

    catalog_dir = host_dir
    config = CodexTaskConfig(
        consumer_instructions="Write a report into deliverables/report.txt.",
        ssh=SSHConfig(
            host=sshd.host,
            port=sshd.port,
            user=sshd.username,
            key_path=str(sshd.client_key_path),
            known_hosts=str(sshd.known_hosts_path),
        ),
        task_root=str(catalog_dir / "tasks"),
        permission_gate=True,
        codex_config=model_config(model_server, catalog_dir),
        on_deliverable=on_deliverable,
        before_execute=hook("before"),
        after_execute=hook("after"),
        cleanup="never",
        install_dir=codex_install_dir,  # None: the pinned codex; .ci/run's second pass: newer
    )
    tasks.append(create_codex_task("codex-remote-1", "remote codex", config))
    await fw.resync()
    model_server.fallback = play_the_agent
    conversation = await fw.launch_and_await_result("codex-remote-1", session_id=None, timeout=60)
    assert isinstance(conversation, CodexConversation)
    asked: list[PermissionRequest] = []

    async def approve(request: PermissionRequest) -> PermissionDecision:
        asked.append(request)
        return PermissionDecision(behavior="allow")

    conversation.on_permission_request(approve)
    await conversation.send("Go.")
    for _ in range(300):
        proc = await fw.get_process("codex-remote-1")
        if proc and proc.get("status", {}).get("state") in ("done", "failed", "cancelled"):
            break
        await asyncio.sleep(0.1)
    assert proc is not None
    workdir = catalog_dir / "tasks" / "codex-remote-1" / "workdir"
    assert proc["status"]["state"] == "done", proc["status"]
    assert delivered == [("report.txt", "quarterly numbers\n")]
    if codex_install_dir is not None:  # the codex the task ran is the one brought
        said = [str(entry.get("message")) for entry in proc["log"]]
        assert any(f"the install_dir one at {codex_install_dir}" in m for m in said), said
    assert len(asked) == 2
    # The hooks ran around the session, on the task's host, in its workdir.
    assert [name for name, _ in hooks] == ["before", "after"]
    assert all(out.endswith("/workdir") for _, out in hooks)
    assert (workdir / "deliverables" / "report.txt").read_text() == "quarterly numbers\n"
    # The agent got the harness's acknowledgment of its deliverable.
    assert any(
        "deliverable report.txt: accepted" in str(r.body["input"])
        for r in model_server.responses_requests
    )
    # Nothing of the task is left running on the host.
    assert not processes_holding(f"CODEX_HOME={workdir.parent}".encode())
