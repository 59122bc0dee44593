"""The engine SIGKILLed while a snapshot is being uploaded: the half-written snapshot is never
used, the previous one is, and the next capture clears it away. Real engine processes, real
mongod, sshd and codex; a scripted model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optio_codex.testing import model_server as ms
from optio_codex.testing.model_server import RecordedRequest, ScriptedModelServer, Step
from tests.support import codex_tasks
from tests.test_durable_task import PREFIX, Engines, base_dir, engines  # noqa: F401

pytestmark = pytest.mark.timeout(150)
BIG_MB = 160  # enough to be caught mid-upload


def agent() -> Callable[[RecordedRequest], Step]:
    """The first thread writes a small file, the next one a large file; each then DONE."""
    threads: list[str] = []

    def step(request: RecordedRequest) -> Step:
        said = json.dumps(request.body.get("input") or [])
        if "echo DONE" in said:
            return ms.text("Done.")
        threads.append(said)
        if len(threads) == 1:
            return ms.exec_command(
                "echo first > notes.txt && echo DONE >> optio.log", escalate=False
            )
        big = f"head -c {BIG_MB}M /dev/urandom > big.bin && echo DONE >> optio.log"
        return ms.exec_command(big, escalate=False)

    return step


async def snapshots(db: Any) -> list[dict[str, Any]]:
    cursor = db[f"{PREFIX}_codex_snapshots"].find({}, {"manifest": 0}).sort("created_at", 1)
    return [doc async for doc in cursor]


async def process_log(db: Any) -> list[str]:
    doc = await db[f"{PREFIX}_processes"].find_one({"processId": codex_tasks.PROCESS_ID})
    return [str(entry.get("message")) for entry in (doc or {}).get("log") or []]


def with_task_root(settings: str, root: Path) -> str:
    raw = json.loads(settings)
    raw["task_root"] = str(root)
    return json.dumps(raw)


async def test_engine_killed_mid_upload_leaves_the_previous_snapshot(
    engines: Engines,  # noqa: F811
    model_server: ScriptedModelServer,
    base_dir: Path,  # noqa: F811
    mongo_db: Any,
) -> None:
    model_server.fallback = agent()
    raw = json.loads(engines.settings)
    raw["extra"] = {**raw.get("extra", {}), "transport": "attached"}  # codex ends with it
    engines.settings = json.dumps(raw)
    first = engines.new("first")
    await first.start(launch=codex_tasks.PROCESS_ID)
    await first.wait_ready()
    done = await engines.wait(("done", "failed"), first)
    assert done["state"] == "done", (done["error"], first.log_tail())
    [good] = await snapshots(mongo_db)

    # Run 2 (launched again) makes a large file; the engine dies while its snapshot uploads.
    second = engines.new("second")
    await second.start(launch=codex_tasks.PROCESS_ID)
    await second.wait_ready()
    async with asyncio.timeout(90):
        while not [s for s in await snapshots(mongo_db) if s["state"] == "writing"]:
            await asyncio.sleep(0.02)
    assert await second.kill() == -9
    partial = [s for s in await snapshots(mongo_db) if s["state"] == "writing"]
    assert partial, "the upload finished before the kill"

    # Run 3 on another task root (the host's copy is not there): the good snapshot is used.
    engines.settings = with_task_root(engines.settings, base_dir / "elsewhere")
    third = engines.new("third")
    await third.start(resume=codex_tasks.PROCESS_ID)
    await third.wait_ready()
    async with asyncio.timeout(60):
        while not any(m.startswith("thread resumed") for m in await process_log(mongo_db)):
            await asyncio.sleep(0.05)
    assert await third.terminate() == 0  # its end capture runs, and clears the partial one
    messages = await process_log(mongo_db)
    assert any(f"restored snapshot {good['_id']}" in m for m in messages), messages
    left = await snapshots(mongo_db)
    assert [s["state"] for s in left] == ["complete", "complete"], left
    assert left[0]["_id"] == good["_id"] and partial[0]["_id"] not in {s["_id"] for s in left}
    assert not (base_dir / "elsewhere" / codex_tasks.PROCESS_ID / "workdir" / "big.bin").exists()
