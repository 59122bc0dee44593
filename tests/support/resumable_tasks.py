"""A tiny resumable optio task for the engine-restart tests (``tests/test_engine_process.py``).

Loaded in the engine child by ``--tasks tests.support.resumable_tasks:definitions``. The task
appends to the file named by ``$RESUMABLE_TASK_LOG``:

- ``run resume=<ctx.resume>`` when a run starts (then it marks its state saved),
- ``stop reason=<shutdown|cancel>`` when it returns on its cancellation flag,
- ``finish`` when it returns because the file ``$RESUMABLE_TASK_FINISH`` appeared.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from optio_core import TaskInstance

PROCESS_ID = "resumable"
LOG_ENV = "RESUMABLE_TASK_LOG"
FINISH_ENV = "RESUMABLE_TASK_FINISH"


def _append(line: str) -> None:
    with Path(os.environ[LOG_ENV]).open("a") as log:
        log.write(line + "\n")


def _finish_requested() -> bool:
    return Path(os.environ[FINISH_ENV]).exists()


async def stop_reason(ctx: Any) -> str:
    """Why the cancellation flag is set: ``shutdown`` or ``cancel`` (a user's).

    optio sets no public marker on ctx. Its record tells: a user's cancel writes
    ``cancel_requested`` before it sets the flag, while ``Optio.shutdown()`` leaves the state
    ``running`` (and, for an ``auto_resume`` task, stamps ``autoResumeScheduled`` before the
    flag). ``ctx._db`` / ``ctx._prefix`` / ``ctx._process_oid`` are optio's private fields.
    """
    doc = await ctx._db[f"{ctx._prefix}_processes"].find_one(
        {"_id": ctx._process_oid}, {"status.state": 1, "autoResumeScheduled": 1}
    )
    if doc is not None and doc["status"]["state"] == "running":
        return "shutdown"
    return "cancel"


async def execute(ctx: Any) -> None:
    _append(f"run resume={ctx.resume}")
    await ctx.mark_has_saved_state()
    while ctx.should_continue():
        if _finish_requested():
            _append("finish")
            return
        await asyncio.sleep(0.05)
    _append(f"stop reason={await stop_reason(ctx)}")


def task() -> TaskInstance:
    return TaskInstance(
        execute=execute,
        process_id=PROCESS_ID,
        name="Resumable test task",
        supports_resume=True,
        auto_resume=True,
    )


def definitions() -> list[TaskInstance]:
    return [task()]
