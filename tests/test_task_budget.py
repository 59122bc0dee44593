"""Unattended tasks always end: an agent that stops without DONE is nudged, then the task
fails; max_duration and max_tokens end a run with reasons that name them.

Real optio engine on a real mongod, real sshd, real codex; the model is scripted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from optio_codex.factory import create_codex_task
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.run_limits import NUDGE, STOPPED_WITHOUT_DONE
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    exec_command,
    text,
    usage,
)
from optio_codex.testing.sshd import SshdInfo
from tests.support.cli_interrupt_scripts import SILENT
from tests.support.engine_runs import Engine, log_messages, process_end, ssh_to
from tests.support.procs import processes_holding
from tests.test_cli_interrupts import _in_state, _session
from tests.test_task_engine import model_config


def _config(model_server: ScriptedModelServer, base: Path, sshd: SshdInfo, **kw: Any) -> Any:
    return CodexTaskConfig(
        consumer_instructions="Say something, then stop.",
        ssh=ssh_to(sshd),
        task_root=str(base / "tasks"),
        codex_config=model_config(model_server, base),
        auto_start=True,
        **kw,
    )


async def _run(engine: Engine, process_id: str, config: CodexTaskConfig) -> dict[str, Any]:
    fw, tasks = engine
    tasks.append(create_codex_task(process_id, process_id, config))
    await fw.resync()
    await fw.launch(process_id, session_id=None)
    return await process_end(fw, process_id, within=180)


def _nudged(request: RecordedRequest) -> bool:
    """Whether the last thing the model was told in ``request`` is the nudge."""
    items = request.body.get("input") or []
    users = [str(i.get("content")) for i in items if i.get("role") == "user"]
    return bool(users) and NUDGE[:40] in users[-1]


def _nothing_left(host_dir: Path) -> None:
    assert not processes_holding(str(host_dir / "tasks").encode())
    assert not list((host_dir / "tasks").glob("*/workdir")), list((host_dir / "tasks").iterdir())


async def test_an_agent_that_never_writes_done_is_nudged_then_the_task_fails(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    model_server.fallback = text("I looked around. Nothing else to do.")
    proc = await _run(engine, "nudge-1", _config(model_server, host_dir, sshd, max_nudges=2))
    assert proc["status"]["state"] == "failed", proc["status"]
    assert STOPPED_WITHOUT_DONE in str(proc["status"]["error"]), proc["status"]
    requests = model_server.responses_requests
    # The first turn, then one turn per nudge: each nudge reached the model.
    assert [_nudged(r) for r in requests] == [False, True, True], requests
    nudges = [m for m in log_messages(proc) if "nudging it" in m]
    assert nudges == [
        "the agent ended its turn without DONE or ERROR: nudging it (1 of 2)",
        "the agent ended its turn without DONE or ERROR: nudging it (2 of 2)",
    ], log_messages(proc)
    _nothing_left(host_dir)


async def test_a_nudged_agent_that_then_reports_done_ends_the_task_done(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    def agent(request: RecordedRequest) -> Any:
        if "echo DONE" in str(request.body.get("input")):
            return text("Reported.")
        if _nudged(request):
            return exec_command("echo DONE >> optio.log", escalate=False)
        return text("I think I am finished.")

    model_server.fallback = agent
    proc = await _run(engine, "nudge-2", _config(model_server, host_dir, sshd))
    assert proc["status"]["state"] == "done", proc["status"]
    assert any(_nudged(r) for r in model_server.responses_requests)
    assert len([m for m in log_messages(proc) if "nudging it" in m]) == 1, log_messages(proc)
    _nothing_left(host_dir)


async def test_max_nudges_zero_never_nudges(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    model_server.fallback = text("Waiting for you.")
    config = _config(model_server, host_dir, sshd, max_nudges=0, max_duration=40)
    proc = await _run(engine, "nudge-0", config)
    # Nothing nudged it: the run went on until its max_duration ended it.
    assert "max_duration=40s" in str(proc["status"]["error"]), proc["status"]
    assert len(model_server.responses_requests) == 1
    assert not [m for m in log_messages(proc) if "nudging" in m]


async def test_max_duration_ends_a_run_with_its_reason(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    never = model_server.hold()  # the model never answers: the turn runs on
    model_server.script(text("too late").held(never))
    config = _config(model_server, host_dir, sshd, max_duration=25)
    try:
        proc = await _run(engine, "duration-1", config)
    finally:
        never.release()
    assert proc["status"]["state"] == "failed", proc["status"]
    assert str(proc["status"]["error"]).startswith("the run reached max_duration=25s"), proc[
        "status"
    ]
    _nothing_left(host_dir)


async def test_max_tokens_ends_a_run_with_its_reason(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, host_dir: Path
) -> None:
    model_server.script(
        text("A long answer.", tokens=usage(input_tokens=900, output_tokens=200)),
    )
    model_server.fallback = text("More.")
    config = _config(model_server, host_dir, sshd, max_tokens=1000)
    proc = await _run(engine, "tokens-1", config)
    assert proc["status"]["state"] == "failed", proc["status"]
    assert "over max_tokens=1000" in str(proc["status"]["error"]), proc["status"]
    assert "the run used 1100 tokens" in str(proc["status"]["error"]), proc["status"]
    _nothing_left(host_dir)


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_nudges", -1), ("max_duration", 0), ("max_tokens", 0), ("max_nudges", 1.5)],
)
def test_limits_are_checked_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=field):
        CodexTaskConfig(consumer_instructions="x", **{field: value})


def test_the_command_line_nudges_then_fails_an_agent_that_never_reports_done(
    host_dir: Path,
) -> None:
    argv = [*_in_state("silent", host_dir), "--max-nudges", "1"]
    with _session(argv, host_dir) as run:
        run.expect("=== failed ===", within=180)
        status = run.wait(within=60)
    assert status == 1, run.output
    # The first turn, and the one the nudge started: both reached the model and ended.
    assert run.output.count(f"{SILENT}\n\n[turn completed]") == 2, run.output
    assert "nudging it (1 of 1)" in run.output, run.output
    assert f"error: {STOPPED_WITHOUT_DONE}" in run.output, run.output
    assert "Traceback" not in run.output, run.output
    assert not processes_holding(str(host_dir / "tasks").encode())
