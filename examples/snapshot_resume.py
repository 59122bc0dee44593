"""A resumable codex task: its snapshot taken at the end of a run, then the task resumed in
another task root (as on another host) after the default cleanup removed everything. See
docs/snapshots.md.

Offline, everything real but the model: a throwaway mongod, the pinned codex on this machine,
the scripted stand-in model. Run:  .venv/bin/python examples/snapshot_resume.py
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient
from optio_core import Optio

from optio_codex import CodexTaskConfig, create_codex_task
from optio_codex.snapshots import SnapshotStore
from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from optio_codex.testing.mongod import LocalMongod

PREFIX = "demo"


def config_in(task_root: Path, model_url: str, scratch: Path) -> CodexTaskConfig:
    return CodexTaskConfig(
        consumer_instructions="Write notes.txt, then finish.",
        task_root=str(task_root),  # with ssh=SSHConfig(...) the task runs on that host
        codex_config=task_codex_config(model_url, scratch),
        auto_start=True,
        supports_resume=True,  # snapshots at the end of every run; resumable on any host
        # snapshot_every=300.0,  # also every 5 minutes while codex is idle
        # session_blob_encrypt=..., session_blob_decrypt=...,  # encrypted at rest
    )


async def main() -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:  # not /tmp: see docs/task.md
        root = Path(tmp)
        mongod = LocalMongod(root / "mongod")
        client: Any = AsyncIOMotorClient(await mongod.start())
        db = client["snapshot_example"]
        try:
            async with ScriptedModelServer(fallback=agent) as model:
                first = config_in(root / "host-a", model.base_url, root)
                await run(db, first, resume=False)
                print("after the run, on the host:", listing(root / "host-a"))
                moved = config_in(root / "host-b", model.base_url, root)
                said = await run(db, moved, resume=True)
                print("the resumed agent read:", said)
            for snap in await SnapshotStore(db, PREFIX).list("notes-1"):
                meta = snap.meta
                print(f"snapshot: {snap.files} files, thread of {meta['turns']} turn(s)", end="")
                print(f", task root {Path(meta['task_root']).name}")
        finally:
            client.close()
            await mongod.stop()


async def run(db: Any, config: CodexTaskConfig, *, resume: bool) -> str:
    """One engine, the task run (or resumed and given a message) to its end."""
    task = create_codex_task("notes-1", "Write notes", config)

    async def definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return [task]

    engine = Optio()
    await engine.init(mongo_db=db, prefix=PREFIX, get_task_definitions=definitions)
    try:
        if not resume:
            await engine.launch_and_wait("notes-1", session_id=None)
            return ""
        conversation = await engine.launch_and_await_result(
            "notes-1", resume=True, session_id=None, timeout=60
        )
        # The agent learns it was resumed in this message: no turn is spent on a notice.
        result = await conversation.run_turn("Go on.", timeout=60)
        await conversation.wait_closed()  # the agent wrote DONE: the run ends
        outputs = [i.get("aggregatedOutput") for i in result.items]
        return next((o.strip() for o in outputs if o), "")
    finally:
        await engine.shutdown()


def listing(path: Path) -> list[str]:
    return sorted(p.name for p in path.glob("*"))


def agent(request: RecordedRequest) -> Step:
    """The stand-in model: writes notes.txt; once resumed, reads it back."""
    said = json.dumps(request.body.get("input") or [])
    if "you have been resumed" in said:
        if "cat notes.txt" in said:
            return text("Read it back; done.")
        return exec_command("cat notes.txt && echo DONE >> optio.log", escalate=False)
    if "echo DONE" in said:
        return text("Done.")
    return exec_command(
        "echo 'written before the move' > notes.txt && echo DONE >> optio.log", escalate=False
    )


if __name__ == "__main__":
    asyncio.run(main())
