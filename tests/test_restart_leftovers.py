"""What a dead engine's run leaves for the next one: a codex still running on the task's
CODEX_HOME, optio.log lines written while no engine read them, a seeded task's newest login in
a directory the reaper removes. Real codex, optio engine, mongod; the token-server stand-in."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from optio_core import Optio

from optio_codex.credentials.planting import AUTH_FILE, MARKER_FILE, marker
from optio_codex.credentials.seed_store import SeedStore
from optio_codex.factory import create_codex_task
from optio_codex.hosts.detached_server import LocalDialer, start_detached_app_server
from optio_codex.hosts.host_scripts import LocalOps
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.hosts.optio_host_adapter import LOG_NAME, ROTATE_LOG, PreservingLocalHost
from optio_codex.hosts.registry import RegistryEntry, list_entries, register
from optio_codex.hosts.server_process import is_alive
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.log_channel import replay_log
from optio_codex.task.task_ids import task_id_for
from optio_codex.testing import model_server as ms
from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.oauth_tokens import CLIENT_ID
from optio_codex.testing.token_server import TokenServer
from tests.support.engine_runs import log_messages, process_end
from tests.support.procs import wait_gone

pytestmark = pytest.mark.timeout(90)

PREFIX = "t"  # the test engine's
DONE_STEP = ms.exec_command("echo DONE >> optio.log", escalate=False)


async def test_a_relaunch_stops_the_codex_a_killed_run_left_unrecorded(
    engine: tuple[Optio, list[Any]],
    model_server: ScriptedModelServer,
    codex_binary: Any,
    host_dir: Path,
) -> None:
    """The engine died after launching codex and before writing the state file (its thread
    not started): the task is launched again, and codex's control socket for the task's
    socket path is still held. The run stops that codex first; else the launch fails."""
    fw, tasks = engine
    paths = TaskPaths(host_home="", task_root=str(host_dir / "tasks"), task_id=task_id_for("p1"))
    task_dir = Path(paths.task_dir)
    for d in ("home/.codex", "workdir", "tmp"):
        (task_dir / d).mkdir(parents=True, exist_ok=True)
    (task_dir / "home/.codex/config.toml").write_text("")
    env = app_server_env(
        home=str(task_dir / "home"),
        codex_home=paths.codex_home,
        tmpdir=str(task_dir / "tmp"),
    )
    left = await start_detached_app_server(
        LocalDialer(),
        app_server_argv(str(codex_binary.path)),
        env=env,
        cwd=str(task_dir / "workdir"),
        socket_path=str(task_dir / "app-server.sock"),  # the task's own (ServerLauncher)
        log_path=str(task_dir / "app-server.log"),
    )
    await left.detach()  # nothing recorded: no state file, no registry entry
    try:
        config = CodexTaskConfig(
            consumer_instructions="Finish at once.",
            task_root=str(host_dir / "tasks"),
            codex_config=task_codex_config(model_server.base_url, host_dir),
            auto_start=True,
            transport="detached",
        )
        model_server.script(DONE_STEP, ms.text("Done."))
        tasks.append(create_codex_task("p1", "p1", config))
        await fw.resync()
        await fw.launch("p1", session_id=None)
        proc = await process_end(fw, "p1", within=60)
        assert proc["status"]["state"] == "done", proc["status"]
        assert not await is_alive(LocalOps(), left.process)
        assert any("an earlier run of the task left" in m for m in log_messages(proc))
    finally:
        if await is_alive(LocalOps(), left.process):
            await left.stop()
    assert await wait_gone(Path(paths.codex_home)) == []


@pytest.mark.parametrize("side", ["worker", "host script"])
async def test_done_written_during_two_quick_restarts_is_replayed(
    host_dir: Path, side: str
) -> None:
    """codex wrote DONE while no engine ran; the next engine rotated optio.log and died
    before its replay; the one after must still replay the DONE."""
    workdir = host_dir / "workdir"
    workdir.mkdir()

    async def resumed_start() -> None:  # what the driver's "empty optio.log" does on a resume
        if side == "worker":
            host = PreservingLocalHost(str(host_dir), preserve_workdir=True)
            await host.write_text(LOG_NAME, "")
        else:
            shell = await asyncio.create_subprocess_exec(
                "sh", "-c", f"{{ {ROTATE_LOG}; }}", cwd=workdir
            )
            assert await shell.wait() == 0

    (workdir / LOG_NAME).write_text("PROGRESS: 50% half\nDELIVERABLE: ./out.txt\nDONE\n")
    await resumed_start()  # the first resumed engine: killed right after this
    (workdir / LOG_NAME).write_text((workdir / LOG_NAME).read_text() + "PROGRESS: later\n")
    await resumed_start()  # the second: its replay runs
    await replay_log(LocalOps(), str(workdir), delivered=())
    assert (workdir / LOG_NAME).read_text() == "DELIVERABLE: ./out.txt\nDONE\n"
    # Replayed once: a third start moves the replayed lines aside and replays them once more,
    # never twice (the previous log was emptied after the first replay).
    await resumed_start()
    await replay_log(LocalOps(), str(workdir), delivered=("/x/out.txt",))
    assert (workdir / LOG_NAME).read_text() == "DONE\n"


async def _rotate(token: TokenServer, auth: dict[str, Any]) -> dict[str, Any]:
    """What codex does to a login: one refresh grant, the file rewritten."""
    body = {
        "client_id": CLIENT_ID,
        "grant_type": "refresh_token",
        "refresh_token": auth["tokens"]["refresh_token"],
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(token.token_url, json=body) as answer:
            assert answer.status == 200, await answer.text()
            fresh = await answer.json()
    tokens = {**auth["tokens"], **{k: fresh[k] for k in ("id_token", "access_token")}}
    tokens["refresh_token"] = fresh["refresh_token"]
    return {**auth, "tokens": tokens, "last_refresh": "2099-01-01T00:00:00.000000000Z"}


async def test_the_reaper_saves_a_dead_seeded_tasks_login_before_removing_it(
    engine: tuple[Optio, list[Any]],
    mongo_db: Any,
    model_server: ScriptedModelServer,
    host_dir: Path,
) -> None:
    """A seeded task is gone (no optio record) and its codex dead; its directory holds a
    rotation the seed never saw. The next task's reaper saves it back, then removes it."""
    fw, tasks = engine
    async with TokenServer() as token:
        store = SeedStore(mongo_db, PREFIX)
        planted = token.new_login()
        seed_id = await store.create(json.dumps(planted).encode(), name="orphaned")
        rotated = await _rotate(token, planted)
        ghost = host_dir / "tasks" / "ghost"
        (ghost / "home/.codex").mkdir(parents=True)
        (ghost / AUTH_FILE).write_text(json.dumps(rotated))
        (ghost / MARKER_FILE).write_bytes(marker(seed_id, "orphaned"))
        dead = await asyncio.create_subprocess_exec("true")
        await dead.wait()
        owner = f"{mongo_db.name}/{PREFIX}"
        await register(
            LocalOps(),
            RegistryEntry(
                task_id="ghost",
                process_id="ghost",
                owner=owner,
                pid=dead.pid,
                start_time=1,
                codex_home=str(ghost / "home/.codex"),
                task_dir=str(ghost),
                socket=str(ghost / "app-server.sock"),
                created=0.0,
            ),
        )
        config = CodexTaskConfig(
            consumer_instructions="Finish at once.",
            task_root=str(host_dir / "tasks"),
            codex_config=task_codex_config(model_server.base_url, host_dir),
            auto_start=True,
        )
        model_server.script(DONE_STEP, ms.text("Done."))
        tasks.append(create_codex_task("live-1", "live", config))
        await fw.resync()
        await fw.launch("live-1", session_id=None)
        proc = await process_end(fw, "live-1", within=60)
        assert proc["status"]["state"] == "done", proc["status"]
        async with asyncio.timeout(20):  # the reaper runs beside the task
            while ghost.exists():
                await asyncio.sleep(0.05)
        files = await store.load(seed_id)
        saved = json.loads(files.auth_json)["tokens"]["refresh_token"]
        assert (
            saved
            == rotated["tokens"]["refresh_token"]
            == token.current_refresh(next(iter(token.lineages)))
        )
        assert files.lineage.generation == 1
        assert (await store.find(seed_id)).get("lease") is None
        listing = await list_entries(LocalOps())
        assert not [o for o in listing.entries if o.entry.owner == owner]
        assert any("before its directory was removed" in m for m in log_messages(proc))
