"""A task's life at its edges: cancel mid-turn, secrets, the local host, failures.

Real optio engine on a real mongod, real sshd, real codex; the model is scripted.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from optio_agents.conversation import PermissionDecision, PermissionRequest
from optio_core import Optio

from optio_codex.driver.conversation import CodexConversation
from optio_codex.factory import create_codex_task
from optio_codex.task.config import Cleanup, CodexTaskConfig, SSHConfig
from optio_codex.testing.model_server import (
    ScriptedModelServer,
    exec_command,
    http_error,
    text,
)
from optio_codex.testing.sshd import SshdInfo
from tests.support.procs import processes_holding, wait_none_holding
from tests.test_task_engine import model_config, play_the_agent

Engine = tuple[Optio, list[Any]]
TERMINAL = ("done", "failed", "cancelled")
# How long a cancel may take before the test calls it stuck: a cancel normally ends in well
# under a second, and a cancel that waited for the agent's work (a held model stream, a
# `sleep 600+`) would take minutes or never end.
CANCEL_WITHIN = 30.0


@pytest.fixture
def base_dir(tmp_path: Path) -> Iterator[Path]:
    """Outside /tmp (codex refuses helper binaries there); removed after the test."""
    base = Path("/var/tmp/optio-codex-tests") / f"lifecycle-{secrets.token_hex(4)}"
    base.mkdir(parents=True, exist_ok=True)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _ssh(sshd: SshdInfo, known_hosts: Path | None = None) -> SSHConfig:
    return SSHConfig(
        host=sshd.host,
        port=sshd.port,
        user=sshd.username,
        key_path=str(sshd.client_key_path),
        known_hosts=str(known_hosts or sshd.known_hosts_path),
    )


def _config(
    model_server: ScriptedModelServer, base: Path, *, ssh: SSHConfig | None, **kw: Any
) -> CodexTaskConfig:
    return CodexTaskConfig(
        consumer_instructions="Write a report into deliverables/report.txt.",
        ssh=ssh,
        task_root=str(base / "tasks"),
        codex_config=model_config(model_server, base),
        **kw,
    )


async def _launch(engine: Engine, process_id: str, config: CodexTaskConfig) -> CodexConversation:
    fw, tasks = engine
    tasks.append(create_codex_task(process_id, process_id, config))
    await fw.resync()
    conversation = await fw.launch_and_await_result(process_id, session_id=None, timeout=30)
    assert isinstance(conversation, CodexConversation)
    return conversation


async def _wait_end(fw: Optio, process_id: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        proc = await fw.get_process(process_id)
        assert proc is not None
        if proc["status"]["state"] in TERMINAL:
            return proc
        if time.monotonic() > deadline:
            raise AssertionError(f"{process_id} still {proc['status']} after {timeout}s")
        await asyncio.sleep(0.05)


async def _approve(request: PermissionRequest) -> PermissionDecision:
    return PermissionDecision(behavior="allow")


# --- 1. cancel mid-turn -----------------------------------------------------------------------


async def test_cancel_mid_turn_ends_cancelled_and_leaves_nothing_running(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, base_dir: Path
) -> None:
    fw, _ = engine
    gate = model_server.hold()
    model_server.script(text("Thinking about the report.").held(gate))
    config = _config(model_server, base_dir, ssh=_ssh(sshd), cleanup="never")
    conversation = await _launch(engine, "cancel-1", config)
    task_dir = base_dir / "tasks" / "cancel-1"
    await conversation.send("Go.")
    await gate.wait_reached()
    assert conversation.active_turn_id is not None
    assert processes_holding(f"CODEX_HOME={task_dir}".encode())  # codex is running

    # The model stream is held open for good: the cancel must end the turn, not wait it out.
    async with asyncio.timeout(CANCEL_WITHIN):
        state = await fw.cancel_and_wait("cancel-1")

    assert state == "cancelled"
    assert conversation.closed
    # By the time the process is cancelled codex and everything it started are gone.
    left = processes_holding(f"CODEX_HOME={task_dir}".encode())
    assert not left, left
    # The optio.log tail (the path in its argv) ends when sshd notices the closed
    # connection, a moment later.
    left = await wait_none_holding(str(task_dir).encode(), within=10.0)
    assert not left, left
    # The held model stream was abandoned by codex, not completed.
    await model_server.wait_for(lambda: len(model_server.aborted) == 1, timeout=10.0)


@pytest.mark.parametrize("where", ["ssh", "local"])
async def test_cancel_also_kills_what_the_agent_detached(
    engine: Engine,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    base_dir: Path,
    where: str,
) -> None:
    fw, _ = engine
    seconds = 600 + secrets.randbelow(300)  # tells this test's sleep from any other
    gate = model_server.hold()
    # An approved command that detaches a process into a session of its own (a dev server,
    # say): neither codex's kill of the finished command's group nor the transport's kill
    # of codex's group reaches it. Then a held model stream keeps the turn live.
    model_server.script(
        exec_command(f"setsid sleep {seconds} </dev/null >/dev/null 2>&1 &"),
        text("Started it; now thinking.").held(gate),
    )
    ssh = _ssh(sshd) if where == "ssh" else None
    config = _config(model_server, base_dir, ssh=ssh, permission_gate=True, cleanup="never")
    process_id = f"cancel-detached-{where}"
    conversation = await _launch(engine, process_id, config)
    conversation.on_permission_request(_approve)
    task_dir = base_dir / "tasks" / process_id
    await conversation.send("Go.")
    await gate.wait_reached()
    running = processes_holding(str(task_dir).encode())
    assert any(f"sleep {seconds}" in p for p in running), running

    # Ends without waiting for the detached `sleep`, which would outlast this bound by far.
    async with asyncio.timeout(CANCEL_WITHIN):
        state = await fw.cancel_and_wait(process_id)

    assert state == "cancelled"
    left = processes_holding(f"CODEX_HOME={task_dir}".encode())
    assert not left, left
    left = await wait_none_holding(str(task_dir).encode(), within=10.0)  # the optio.log tail
    assert not left, left


# --- 2. secrets -------------------------------------------------------------------------------


async def test_the_api_key_reaches_auth_json_only(
    engine: Engine,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    base_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fw, _ = engine
    key = f"sk-test-{secrets.token_hex(16)}"
    # Every exec channel opened on any asyncssh connection: its command and env requests.
    commands: list[str] = []
    original = asyncssh.SSHClientConnection.create_session

    async def recording(self: Any, session_factory: Any, command: Any = (), **kw: Any) -> Any:
        commands.append(f"{command!r} env={kw.get('env')!r}")
        return await original(self, session_factory, command, **kw)

    monkeypatch.setattr(asyncssh.SSHClientConnection, "create_session", recording)

    gate = model_server.hold()
    model_server.script(text("Working on it.").held(gate), text("Stopped."))
    config = _config(model_server, base_dir, ssh=_ssh(sshd), api_key=key, cleanup="never")
    conversation = await _launch(engine, "secret-1", config)
    events: list[dict[str, Any]] = []
    conversation.on_event(events.append)
    subscription = conversation.subscribe()

    async def consume() -> list[Any]:
        return [event async for event in subscription]

    consumer = asyncio.create_task(consume())
    await conversation.send("Go.")
    await gate.wait_reached()

    # While the turn is live: the key is in no process's argv or environment on this machine.
    assert not processes_holding(key.encode())
    auth = base_dir / "tasks" / "secret-1" / "home" / ".codex" / "auth.json"
    assert auth.stat().st_mode & 0o777 == 0o600
    assert json.loads(auth.read_text())["OPENAI_API_KEY"] == key
    assert auth.parent.stat().st_mode & 0o077 == 0  # and its directory is private

    gate.release()
    await conversation.wait_for_turn(timeout=10)
    await conversation.close()
    proc = await _wait_end(fw, "secret-1")
    streamed = await asyncio.wait_for(consumer, 5)

    assert proc["status"]["state"] == "done", proc["status"]
    assert commands, "the recorder saw no exec channel"
    assert not [c for c in commands if key in c]
    assert events and streamed
    assert key not in json.dumps(events, default=str)
    assert key not in json.dumps(streamed, default=str)
    assert proc["log"]
    assert key not in json.dumps(proc, default=str)  # log, status, metadata
    assert key not in repr(config)
    # The scripted provider needs no auth: codex must not have sent the key anywhere else.
    assert key not in json.dumps([r.headers for r in model_server.requests])


# --- 3. the local host ------------------------------------------------------------------------


@pytest.mark.parametrize("cleanup", ["always", "never"])
async def test_local_task_reaches_done_and_cleans_up_as_configured(
    engine: Engine, model_server: ScriptedModelServer, base_dir: Path, cleanup: Cleanup
) -> None:
    fw, _ = engine
    delivered: list[tuple[str, str]] = []

    async def on_deliverable(hook_ctx: Any, path: str, content: str) -> None:
        delivered.append((path, content))

    model_server.fallback = play_the_agent
    config = _config(
        model_server,
        base_dir,
        ssh=None,
        permission_gate=True,
        on_deliverable=on_deliverable,
        cleanup=cleanup,
    )
    process_id = f"local-{cleanup}"
    conversation = await _launch(engine, process_id, config)
    conversation.on_permission_request(_approve)
    await conversation.send("Go.")
    proc = await _wait_end(fw, process_id)

    assert proc["status"]["state"] == "done", proc["status"]
    assert delivered == [("report.txt", "quarterly numbers\n")]
    task_dir = base_dir / "tasks" / process_id
    if cleanup == "always":
        assert not task_dir.exists()
    else:
        report = task_dir / "workdir" / "deliverables" / "report.txt"
        assert report.read_text() == "quarterly numbers\n"
        assert (task_dir / "home" / ".codex" / "config.toml").is_file()
    assert not processes_holding(str(task_dir).encode())


# --- 4. failures ------------------------------------------------------------------------------


async def test_a_failed_model_call_does_not_hang_and_a_close_ends_cleanly(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, base_dir: Path
) -> None:
    fw, _ = engine
    model_server.script(http_error(500, "the model is down"))
    config = _config(model_server, base_dir, ssh=_ssh(sshd))
    conversation = await _launch(engine, "http500-1", config)
    result = await conversation.run_turn("Go.", timeout=15)

    assert result.status == "failed", result
    assert result.error is not None
    assert result.error.get("codexErrorInfo") == "internalServerError", result.error
    assert len(model_server.responses_requests) == 1  # request_max_retries = 0
    proc = await fw.get_process("http500-1")
    assert proc is not None and proc["status"]["state"] == "running"  # waiting for the caller

    await conversation.close()  # the caller's close is the clean end
    proc = await _wait_end(fw, "http500-1", timeout=10)
    assert proc["status"]["state"] == "done", proc["status"]
    assert not (base_dir / "tasks" / "http500-1").exists()  # cleanup="always"


async def test_an_unknown_host_key_fails_the_task_with_a_clear_error(
    engine: Engine, sshd: SshdInfo, model_server: ScriptedModelServer, base_dir: Path
) -> None:
    fw, tasks = engine
    empty = base_dir / "known_hosts"
    empty.write_text("")
    config = _config(model_server, base_dir, ssh=_ssh(sshd, known_hosts=empty))
    tasks.append(create_codex_task("hostkey-1", "unknown host key", config))
    await fw.resync()
    await fw.launch_and_wait("hostkey-1", session_id=None)
    proc = await _wait_end(fw, "hostkey-1", timeout=10)

    assert proc["status"]["state"] == "failed", proc["status"]
    error = str(proc["status"].get("error"))
    # Says what is wrong (the key is unknown), where (the known_hosts file), and how to
    # accept it (the accept-new policy, or recording the key with ssh-keyscan).
    assert "host key" in error and "unknown" in error, error
    assert f"{empty} has no entry" in error, error
    assert "host_key_policy='accept-new'" in error and "ssh-keyscan" in error, error
    assert not model_server.requests
    assert empty.read_text() == ""  # strict: nothing recorded
