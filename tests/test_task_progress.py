"""What the agent tells optio while it works: plan updates and optio.log keywords become the
task's progress, ERROR fails it, and a task without the keyword channel ignores them.

Real optio engine on a real mongod, real sshd, real codex; the model is scripted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing.model_server import (
    ScriptedModelServer,
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
    proc = await process_when(fw, "plan-1", _progress(33, "write"))
    assert "write" in log_messages(proc)
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
