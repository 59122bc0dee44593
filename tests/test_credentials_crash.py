"""The engine SIGKILLed between codex's refresh of a seeded login and the save-back: the
resumed run finds the newer login in the task directory, saves it to the seed first, and the
lineage goes on (no refresh token used twice). Real engines in their own processes, mongod,
sshd, codex; the token-server stand-in; a model that checks the bearer."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from optio_codex.testing.engine_process import EngineProcess, wait_for_state
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.sshd import SshdInfo
from optio_codex.testing.token_server import TokenServer
from tests.support import codex_tasks
from tests.support.procs import wait_gone
from tests.support.seeded import PREFIX, SeedRig, finish_when_told

REPO_ROOT = Path(__file__).resolve().parents[1]
PID = codex_tasks.PROCESS_ID

pytestmark = pytest.mark.timeout(120)


def ssh_settings(sshd: SshdInfo) -> dict[str, Any]:
    return {
        "host": sshd.host,
        "port": sshd.port,
        "user": sshd.username,
        "key_path": str(sshd.client_key_path),
        "known_hosts": str(sshd.known_hosts_path),
    }


async def test_engine_killed_between_refresh_and_save_back_loses_nothing(
    mongod: LocalMongod,
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    host_dir: Path,
) -> None:
    started: list[EngineProcess] = []

    def engine(name: str, settings: str) -> EngineProcess:
        made = EngineProcess(
            mongo_url=mongod.url,
            db=mongo_db.name,
            prefix=PREFIX,
            tasks="tests.support.codex_tasks:definitions",
            workdir=host_dir,
            name=name,
            pythonpath=[REPO_ROOT],
            env={codex_tasks.SETTINGS_ENV: settings},
        )
        started.append(made)
        return made

    async with TokenServer() as token:
        rig = SeedRig(token, model_server, sshd, host_dir, mongo_db, cipher=None)
        model_server.fallback = finish_when_told
        seed_id = await rig.seed("crashy")
        rig.access_budget = 1  # codex refreshes at its second model request
        settings = codex_tasks.settings(
            ssh=ssh_settings(sshd),
            task_root=str(host_dir / "tasks"),
            codex_config=rig.codex_config(),
            seed_id="crashy",
            env=token.codex_env(),
        )
        try:
            first = engine("first", settings)
            await first.start(launch=PID)
            await first.wait_ready()
            async with asyncio.timeout(60):
                while token.counts.rotations == 0:
                    await asyncio.sleep(0.005)
            assert await first.kill() == -9  # codex has rotated; the run had no time to save
            crashed = await rig.store.find(seed_id)
            assert crashed["lineage"]["generation"] == 0, "saved before the kill: no crash window"

            second = engine("second", settings)
            await second.start(resume=PID)
            await second.wait_ready()
            done = await wait_for_state(
                mongo_db, PREFIX, PID, ("done", "failed"), 60, engine=second
            )
            assert done["state"] == "done", (done["error"], second.log_tail())
        finally:
            for made in started:
                await made.close()
            home = host_dir / "tasks" / PID / "home" / ".codex"
            if await wait_gone(home, within=10):
                with contextlib.suppress(Exception):
                    kill = await asyncio.create_subprocess_exec(
                        "pkill", "-KILL", "-f", f"CODEX_HOME={home}"
                    )
                    await kill.wait()
        [lineage] = token.lineages.values()
        assert token.counts.reuses == 0 and lineage.revoked is None
        files = await rig.store.load(seed_id)
        assert json.loads(files.auth_json)["tokens"]["refresh_token"] == lineage.current
        assert files.lineage.generation >= 1
        proc = await mongo_db[f"{PREFIX}_processes"].find_one({"processId": PID})
        messages = [str(e.get("message")) for e in proc.get("log") or []]
        assert any("recovered from the task directory after a restart" in m for m in messages)
        assert (await rig.store.find(seed_id)).get("lease") is None
