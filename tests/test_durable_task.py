"""Durable codex tasks in real optio engines: app-server crashes, engine crashes and stops,
orphans of tasks that are gone. Real mongod, sshd, codex and optio; a scripted model."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from optio_core import Optio

from optio_codex.driver.conversation import CodexConversation
from optio_codex.factory import create_codex_task
from optio_codex.hosts.detached_server import LocalDialer, start_detached_app_server
from optio_codex.hosts.host_scripts import LocalOps
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.hosts.registry import DEFAULT_REGISTRY_ROOT, RegistryEntry, list_entries, register
from optio_codex.hosts.server_process import is_alive
from optio_codex.task.config import CodexTaskConfig, SSHConfig
from optio_codex.task.engine_view import process_is_live
from optio_codex.testing import model_server as ms
from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.engine_process import EngineProcess, process_state, wait_for_state
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.sshd import SshdInfo
from tests.support import codex_tasks
from tests.support.procs import wait_gone

REPO_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "t"
DONE_STEP = ms.exec_command("echo DONE >> optio.log", escalate=False)
LONG = " ".join(f"part{i}" for i in range(120))

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def base_dir(host_dir: Path) -> Path:
    return host_dir


def ssh_settings(sshd: SshdInfo) -> dict[str, Any]:
    return {
        "host": sshd.host,
        "port": sshd.port,
        "user": sshd.username,
        "key_path": str(sshd.client_key_path),
        "known_hosts": str(sshd.known_hosts_path),
    }


def remote_config(
    sshd: SshdInfo, model: ScriptedModelServer, base: Path, instructions: str
) -> CodexTaskConfig:
    """An auto-starting task on the loopback host, against the scripted model."""
    return CodexTaskConfig(
        consumer_instructions=instructions,
        ssh=SSHConfig(**ssh_settings(sshd)),
        task_root=str(base / "tasks"),
        codex_config=task_codex_config(model.base_url, base),
        auto_start=True,
    )


def codex_home_of(base: Path, task_id: str) -> Path:
    return base / "tasks" / task_id / "home" / ".codex"


async def wait_done(fw: Optio, process_id: str, timeout: float = 60.0) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        proc = await fw.get_process(process_id)
        state = (proc or {}).get("status", {}).get("state")
        if state in ("done", "failed", "cancelled"):
            assert proc is not None
            return proc
        if loop.time() > deadline:
            raise AssertionError(f"{process_id} still {state} after {timeout}s")
        await asyncio.sleep(0.1)


def registry_files(owner_db: str) -> list[str]:
    root = Path(DEFAULT_REGISTRY_ROOT.replace("~", str(Path.home())))
    if not root.exists():
        return []
    return [p.name for p in root.iterdir() if p.name.endswith(".json")]


# --- app-server death ----------------------------------------------------------------------


async def test_app_server_killed_mid_turn_the_task_finishes(
    engine: tuple[Optio, list[Any]],
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    base_dir: Path,
) -> None:
    fw, tasks = engine
    config = remote_config(sshd, model_server, base_dir, "Do the scripted job.")
    tasks.append(create_codex_task("crash-1", "crash", config))
    await fw.resync()
    model_server.script(ms.slow(LONG, 0.05, chunk_size=6), DONE_STEP, ms.text("Done."))
    conversation = await fw.launch_and_await_result("crash-1", session_id=None, timeout=60)
    assert isinstance(conversation, CodexConversation)
    events: list[Any] = []
    conversation.on_event(events.append)
    async with asyncio.timeout(30):
        while sum(e.type == "item/agentMessage/delta" for e in events) < 3:
            await asyncio.sleep(0.02)
    os.killpg(conversation.server.pid, signal.SIGKILL)  # type: ignore[attr-defined]

    proc = await wait_done(fw, "crash-1")
    assert proc["status"]["state"] == "done", proc["status"]
    assert conversation.relaunches == 1
    kinds = [e.type for e in events]
    assert "x-optio-turn-aborted" in kinds and "x-optio-turn-resend" in kinds
    # The resent turn ran the rest of the script; nothing ran twice.
    assert [r.step for r in model_server.responses_requests] == ["slow", "exec_command", "text"]
    assert await wait_gone(codex_home_of(base_dir, "crash-1")) == []


# --- engine restarts -------------------------------------------------------------------------


class Engines:
    """Engine processes on the test's database, running tests/support/codex_tasks.py."""

    def __init__(self, mongod: LocalMongod, db: Any, workdir: Path, settings: str) -> None:
        self.mongod, self.db, self.workdir, self.settings = mongod, db, workdir, settings
        self.started: list[EngineProcess] = []

    def new(self, name: str) -> EngineProcess:
        engine = EngineProcess(
            mongo_url=self.mongod.url,
            db=self.db.name,
            prefix=PREFIX,
            tasks="tests.support.codex_tasks:definitions",
            workdir=self.workdir,
            name=name,
            pythonpath=[REPO_ROOT],
            env={codex_tasks.SETTINGS_ENV: self.settings},
        )
        self.started.append(engine)
        return engine

    async def state(self) -> Any:
        return await process_state(self.db, PREFIX, codex_tasks.PROCESS_ID)

    async def wait(self, states: str | tuple[str, ...], engine: EngineProcess, **kw: Any) -> Any:
        return await wait_for_state(
            self.db,
            PREFIX,
            codex_tasks.PROCESS_ID,
            states,
            kw.pop("timeout", 60.0),
            engine=engine,
            **kw,
        )


@pytest.fixture
async def engines(
    mongod: LocalMongod,
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    base_dir: Path,
    codex_install_dir: str | None,
) -> AsyncIterator[Engines]:
    chosen = {"install_dir": codex_install_dir} if codex_install_dir else {}  # the codex tested
    settings = codex_tasks.settings(
        ssh=ssh_settings(sshd),
        task_root=str(base_dir / "tasks"),
        codex_config=task_codex_config(model_server.base_url, base_dir),
        **chosen,
    )
    rig = Engines(mongod, mongo_db, base_dir, settings)
    try:
        yield rig
    finally:
        for engine in rig.started:
            await engine.close()
        # Whatever the outcome, the task's app-server must not outlive the test.
        home = codex_home_of(base_dir, codex_tasks.PROCESS_ID)
        left = await wait_gone(home, within=10)
        if left:
            pattern = f"CODEX_HOME={home}"
            kill = await asyncio.create_subprocess_exec("pkill", "-KILL", "-f", pattern)
            await kill.wait()
        assert left == []


async def test_engine_crash_mid_turn_then_resume_finishes(
    engines: Engines, model_server: ScriptedModelServer, base_dir: Path
) -> None:
    gate = model_server.hold()
    model_server.script(DONE_STEP.held(gate), ms.text("Done."))
    first = engines.new("first")
    await first.start(launch=codex_tasks.PROCESS_ID)
    await first.wait_ready()
    await gate.wait_reached(timeout=60)  # the turn is in progress on the host
    await engines.wait("running", first, until=lambda s: s["hasSavedState"])
    assert await first.kill() == -9

    # No engine now; codex goes on: it runs the command (DONE lands in optio.log unread)
    # and finishes the turn.
    gate.release()
    await model_server.wait_for_requests(2, timeout=30, path="/v1/responses")
    home = codex_home_of(base_dir, codex_tasks.PROCESS_ID)
    assert await wait_gone(home, within=0.5) != []  # the detached app-server lives on

    second = engines.new("second")
    await second.start(resume=codex_tasks.PROCESS_ID)
    await second.wait_ready()
    done = await engines.wait(("done", "failed"), second)
    assert done["state"] == "done", (done["error"], second.log_tail())
    # One turn, asked of the model once: the resumed run did not start it again.
    assert [r.step for r in model_server.responses_requests] == ["exec_command+held", "text"]
    assert await wait_gone(home) == []


async def test_engine_stop_then_auto_resume_reattaches_mid_turn(
    engines: Engines, model_server: ScriptedModelServer, base_dir: Path
) -> None:
    gate = model_server.hold()
    model_server.script(DONE_STEP.held(gate), ms.text("Done."))
    first = engines.new("first")
    await first.start(launch=codex_tasks.PROCESS_ID)
    await first.wait_ready()
    await gate.wait_reached(timeout=60)
    await engines.wait("running", first, until=lambda s: s["hasSavedState"])
    assert await first.terminate() == 0
    stopped = await engines.state()
    assert stopped["state"] == "cancelled" and stopped["autoResumeScheduled"], stopped
    home = codex_home_of(base_dir, codex_tasks.PROCESS_ID)
    assert await wait_gone(home, within=0.5) != []  # detached, still mid-turn

    second = engines.new("second")
    await second.start(auto_resume_delay=0.2)
    await second.wait_ready(launched=False)
    await engines.wait("running", second, until=lambda s: s["launchMode"] == "resume")
    await asyncio.sleep(1.0)  # let the resumed run reattach before the turn goes on
    gate.release()
    done = await engines.wait(("done", "failed"), second)
    assert done["state"] == "done", (done["error"], second.log_tail())
    assert [r.step for r in model_server.responses_requests] == ["exec_command+held", "text"]
    assert await wait_gone(home) == []


# --- orphans and cancels ----------------------------------------------------------------------


async def test_orphan_of_a_gone_task_is_stopped_on_connect(
    engine: tuple[Optio, list[Any]],
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    codex_binary: Any,
    base_dir: Path,
) -> None:
    fw, tasks = engine
    # An app-server left by a task of this engine that no longer exists (its worker died
    # and the task was deleted since).
    ghost = base_dir / "ghost"
    for d in ("home/.codex", "workdir", "tmp"):
        (ghost / d).mkdir(parents=True, exist_ok=True)
    (ghost / "home/.codex/config.toml").write_text("")
    env = app_server_env(
        home=str(ghost / "home"), codex_home=str(ghost / "home/.codex"), tmpdir=str(ghost / "tmp")
    )
    orphan = await start_detached_app_server(
        LocalDialer(),
        app_server_argv(str(codex_binary.path)),
        env=env,
        cwd=str(ghost / "workdir"),
        socket_path=str(ghost / "app-server.sock"),
        log_path=str(ghost / "app-server.log"),
    )
    owner = f"{mongo_db.name}/{PREFIX}"
    await register(
        LocalOps(),
        RegistryEntry(
            task_id="ghost",
            process_id="ghost",
            owner=owner,
            pid=orphan.pid,
            start_time=orphan.process.start_time,
            codex_home=str(ghost / "home/.codex"),
            task_dir=str(ghost),
            socket=orphan.process.socket_path,
            created=0.0,
        ),
    )
    await orphan.detach()
    assert await is_alive(LocalOps(), orphan.process)

    config = remote_config(sshd, model_server, base_dir, "Finish at once.")
    tasks.append(create_codex_task("live-1", "live", config))
    await fw.resync()
    model_server.script(DONE_STEP, ms.text("Done."))
    await fw.launch("live-1", session_id=None)
    proc = await wait_done(fw, "live-1")
    assert proc["status"]["state"] == "done", proc["status"]
    assert not await is_alive(LocalOps(), orphan.process)
    assert any("stopped orphaned codex app-servers: ghost" in str(e) for e in proc["log"])
    listing = await list_entries(LocalOps())
    assert not [o for o in listing.entries if o.entry.owner == owner]


async def test_a_detached_stop_also_ends_what_the_server_started(
    codex_binary: Any, base_dir: Path
) -> None:
    """DetachedAppServer.stop is the registry's stop: the group, then every process with the
    server's CODEX_HOME, even one in a session of its own (as codex's commands run)."""
    home = base_dir / "home"
    for d in ("home/.codex", "workdir", "tmp"):
        (base_dir / d).mkdir(parents=True, exist_ok=True)
    (home / ".codex/config.toml").write_text("")
    env = app_server_env(
        home=str(home), codex_home=str(home / ".codex"), tmpdir=str(base_dir / "tmp")
    )
    server = await start_detached_app_server(
        LocalDialer(),
        app_server_argv(str(codex_binary.path)),
        env=env,
        cwd=str(base_dir / "workdir"),
        socket_path=str(base_dir / "app-server.sock"),
        log_path=str(base_dir / "app-server.log"),
    )
    assert server.process.codex_home == str(home / ".codex")
    # What a command of the server's would have left: its own session, the same CODEX_HOME.
    leftover = await asyncio.create_subprocess_exec(
        "sleep", "300", env={**env, "PATH": os.environ["PATH"]}, start_new_session=True
    )
    try:
        await server.stop()
        assert not await is_alive(LocalOps(), server.process)
        assert await asyncio.wait_for(leftover.wait(), 5) == -signal.SIGKILL
        assert await wait_gone(home / ".codex") == []
        assert not (base_dir / "app-server.sock").exists()
    finally:
        if leftover.returncode is None:
            leftover.kill()
            await leftover.wait()


async def test_process_liveness_as_the_reaper_sees_it(mongo_db: Any) -> None:
    coll = mongo_db[f"{PREFIX}_processes"]
    records = {
        "running": {"status": {"state": "running"}},
        "done": {"status": {"state": "done"}, "supportsResume": True, "hasSavedState": True},
        "crashed-resumable": {
            "status": {"state": "failed"},
            "supportsResume": True,
            "hasSavedState": True,
        },
        "failed-plain": {"status": {"state": "failed"}, "supportsResume": False},
        "cancelled-unsaved": {"status": {"state": "cancelled"}, "supportsResume": True},
    }
    for process_id, doc in records.items():
        await coll.insert_one({"processId": process_id, **json.loads(json.dumps(doc))})

    class Ctx:
        _db = mongo_db
        _prefix = PREFIX

    verdicts = {pid: await process_is_live(Ctx(), pid) for pid in [*records, "deleted"]}
    assert verdicts == {
        "running": True,
        "done": False,
        "crashed-resumable": True,
        "failed-plain": False,
        "cancelled-unsaved": False,
        "deleted": False,
    }
