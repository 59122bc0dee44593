"""What the agent tells optio while it works: plan updates and optio.log keywords become the
task's progress, ERROR fails it, and a task without the keyword channel ignores them.

Real optio engine on a real mongod, real sshd, real codex; the model is scripted.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing.model_server import (
    ScriptedModelServer,
    exec_command,
    function_call,
    text,
)
from optio_codex.testing.sshd import SshdInfo
from tests.support.engine_runs import (
    Engine,
    launch,
    log_messages,
    process_end,
    process_when,
    ssh_to,
)
from tests.test_task_engine import model_config

PLAN_TOOL = "update_plan"  # codex 0.163.0's plan tool: {explanation?, plan: [{step, status}]}


def _config(model_server: ScriptedModelServer, base: Path, sshd: SshdInfo, **kw: Any) -> Any:
    return CodexTaskConfig(
        consumer_instructions="Follow the plan.",
        ssh=ssh_to(sshd),
        task_root=str(base / "tasks"),
        codex_config=model_config(model_server, base),
        **kw,
    )


def _progress(percent: float | None, message: str | None) -> Any:
    return lambda proc: proc.get("progress") == {"percent": percent, "message": message}


def _plan(*steps: tuple[str, str]) -> dict[str, Any]:
    return {
        "explanation": "scripted plan",
        "plan": [{"step": step, "status": status} for step, status in steps],
    }


async def test_a_plan_update_becomes_the_task_progress(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    fw, _ = engine
    first, second = model_server.hold(), model_server.hold()
    # The second plan update is held until the first one is checked, the closing words
    # until the second one is.
    model_server.script(
        function_call(
            PLAN_TOOL, _plan(("gather", "completed"), ("write", "in_progress"), ("send", "pending"))
        ),
        function_call(
            PLAN_TOOL, _plan(("gather", "completed"), ("write", "completed"), ("send", "completed"))
        ).held(first),
        text("All steps done.").held(second),
    )
    conversation = await launch(engine, "plan-1", _config(model_server, host_dir, sshd))
    plans: list[Any] = []
    conversation.on_event(
        lambda e: plans.append(e["params"]) if e.get("method") == "turn/plan/updated" else None
    )
    await conversation.send("Go.")

    await first.wait_reached()
    tools = [t.get("name") for t in model_server.responses_requests[0].body.get("tools") or []]
    assert PLAN_TOOL in tools, tools
    # One of three steps done, the one in progress named: optio's bar and log say so.
    working = 'Now working on Task 2/3, "write"'
    proc = await process_when(fw, "plan-1", _progress(33, working))
    assert working in log_messages(proc)
    assert [s["status"] for s in plans[0]["plan"]] == ["completed", "inProgress", "pending"]

    first.release()
    await second.wait_reached()
    # All done and nothing in progress: the bar is full, with no step to name.
    await process_when(fw, "plan-1", _progress(100, None))
    second.release()
    await conversation.wait_for_turn(timeout=30)
    await conversation.close()
    proc = await process_end(fw, "plan-1")
    assert proc["status"]["state"] == "done", proc["status"]


def _log_line(line: str) -> str:
    """A command appending ``line`` to optio.log, in the sandbox (no approval asked)."""
    return f"echo {shlex.quote(line)} >> optio.log"


async def test_status_lines_are_progress_and_an_error_fails_the_task(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    fw, _ = engine
    first, second = model_server.hold(), model_server.hold()
    model_server.script(
        exec_command(_log_line("STATUS: 40% drafting the report"), escalate=False),
        exec_command(_log_line("STATUS: checking the figures"), escalate=False).held(first),
        exec_command(_log_line("ERROR: the data source is gone"), escalate=False).held(second),
        text("Stopping here."),
    )
    conversation = await launch(engine, "status-1", _config(model_server, host_dir, sshd))
    await conversation.send("Go.")

    await first.wait_reached()
    proc = await process_when(fw, "status-1", _progress(40, "drafting the report"))
    first.release()
    await second.wait_reached()
    # A STATUS without a percent leaves the bar indeterminate and names the step.
    proc = await process_when(fw, "status-1", _progress(None, "checking the figures"))
    second.release()

    proc = await process_end(fw, "status-1")
    assert proc["status"]["state"] == "failed", proc["status"]
    assert "the data source is gone" in str(proc["status"]["error"]), proc["status"]
    messages = log_messages(proc)
    assert messages.index("drafting the report") < messages.index("checking the figures")
    assert conversation.closed


async def test_without_the_host_protocol_optio_log_lines_are_not_acted_on(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    fw, _ = engine
    delivered: list[str] = []

    async def on_deliverable(hook_ctx: Any, path: str, content: str) -> None:
        delivered.append(path)

    keywords = [
        "STATUS: 70% not a progress report",
        "DELIVERABLE: deliverables/report.txt",
        "ERROR: not a failure",
        "DONE: not the end",
    ]
    write = " && ".join(
        ["echo numbers > deliverables/report.txt", *(_log_line(k) for k in keywords)]
    )
    model_server.script(exec_command(write, escalate=False), text("Written."), text("Nothing."))
    config = _config(
        model_server, host_dir, sshd, host_protocol=False, on_deliverable=on_deliverable
    )
    conversation = await launch(engine, "no-protocol-1", config)
    workdir = host_dir / "tasks" / "no-protocol-1" / "workdir"
    assert "optio.log" not in (workdir / "AGENTS.md").read_text()  # the agent is not told of it

    first = await conversation.run_turn("Go.", timeout=30)
    assert first.status == "completed", first
    assert (workdir / "optio.log").read_text().splitlines() == keywords
    # A second whole turn gives a tail, were there one, every chance to have acted.
    second = await conversation.run_turn("Anything else?", timeout=30)
    assert second.status == "completed", second
    proc = await fw.get_process("no-protocol-1")
    assert proc is not None
    assert proc["status"]["state"] == "running", proc["status"]  # DONE and ERROR ignored
    assert proc.get("progress", {}).get("percent") != 70
    assert not [m for m in log_messages(proc) if "not a" in m or "report.txt" in m]
    assert delivered == []

    # The run ends when its caller closes the conversation: a clean end.
    await conversation.close()
    proc = await process_end(fw, "no-protocol-1")
    assert proc["status"]["state"] == "done", proc["status"]
