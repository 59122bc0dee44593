"""Engine restarts: an optio engine in its own OS process, crashed (SIGKILL) or stopped
(SIGTERM) mid-task, and a new engine that resumes the task.

Real mongod, real optio engines (``optio_codex.testing.engine_process``), no mocks. The task is
``tests/support/resumable_tasks.py``; its lines in the log file say how each run started and
ended.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from optio_core import Optio

from optio_codex.testing.engine_process import (
    EngineProcess,
    EngineProcessError,
    process_state,
    wait_for_state,
)
from optio_codex.testing.mongod import LocalMongod
from tests.support import resumable_tasks
from tests.support.resumable_tasks import FINISH_ENV, LOG_ENV, PROCESS_ID

REPO_ROOT = Path(__file__).resolve().parents[1]
TASKS = "tests.support.resumable_tasks:definitions"
PREFIX = "t"

pytestmark = pytest.mark.timeout(30)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Rig:
    """The files the task writes, and a factory of engines on the test's database."""

    def __init__(self, mongod: LocalMongod, db: Any, workdir: Path) -> None:
        self.mongod = mongod
        self.db = db
        self.workdir = workdir
        self.log = workdir / "task.log"
        self.finish = workdir / "finish"
        self.engines: list[EngineProcess] = []

    def engine(self, name: str) -> EngineProcess:
        engine = EngineProcess(
            mongo_url=self.mongod.url,
            db=self.db.name,
            prefix=PREFIX,
            tasks=TASKS,
            workdir=self.workdir,
            name=name,
            pythonpath=[REPO_ROOT],
            env={LOG_ENV: str(self.log), FINISH_ENV: str(self.finish)},
        )
        self.engines.append(engine)
        return engine

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    async def wait_lines(self, count: int, timeout: float = 5.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.lines()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"wanted {count} lines in {self.log}, have {self.lines()}")
            await asyncio.sleep(0.02)
        return self.lines()

    async def state(self) -> Any:
        return await process_state(self.db, PREFIX, PROCESS_ID)

    async def wait_state(
        self,
        states: str | tuple[str, ...],
        engine: EngineProcess | None = None,
        until: Callable[[Any], bool] | None = None,
        timeout: float = 10.0,
    ) -> Any:
        return await wait_for_state(
            self.db, PREFIX, PROCESS_ID, states, timeout, until=until, engine=engine
        )


@pytest.fixture
async def rig(mongod: LocalMongod, mongo_db: Any, tmp_path: Path) -> AsyncIterator[Rig]:
    r = Rig(mongod, mongo_db, tmp_path)
    try:
        yield r
    finally:
        for engine in r.engines:
            await engine.close()
        for engine in r.engines:
            if engine.started:
                assert not _pid_alive(engine.pid), f"{engine.name} (pid {engine.pid}) left behind"


async def test_sigkill_then_resume_launch(rig: Rig) -> None:
    """A crash leaves the record running; the next engine settles it failed, and a resume
    launch runs the task again with ctx.resume=True from its saved state."""
    async with rig.engine("first") as first:
        await first.start(launch=PROCESS_ID)
        await first.wait_ready()
        await rig.wait_state("running", first, until=lambda s: s["hasSavedState"])
        assert rig.lines() == ["run resume=False"]
        assert await first.kill() == -9
    crashed = await rig.state()
    assert crashed is not None
    assert crashed["state"] == "running"  # nobody wrote the end: the engine died
    assert crashed["autoResumeScheduled"] is False

    async with rig.engine("second") as second:
        await second.start(resume=PROCESS_ID)
        ready = await second.wait_ready()
        assert ready["launch"]["ok"] is True
        resumed = await rig.wait_state("running", second)
        assert resumed["launchMode"] == "resume"
        assert await rig.wait_lines(2) == ["run resume=False", "run resume=True"]
        rig.finish.touch()
        done = await rig.wait_state("done", second)
        assert rig.lines() == ["run resume=False", "run resume=True", "finish"]
        assert done["error"] is None
        assert await second.terminate() == 0


async def test_sigkill_then_init_reconciles_to_failed(rig: Rig) -> None:
    """Without a launch, the next engine's init() marks the crashed run failed, clears any
    auto-resume stamp, and never resumes it by itself."""
    async with rig.engine("first") as first:
        await first.start(launch=PROCESS_ID)
        await first.wait_ready()
        await rig.wait_state("running", first, until=lambda s: s["hasSavedState"])
        await first.kill()

    async with rig.engine("second") as second:
        await second.start(auto_resume_delay=0.1)
        await second.wait_ready()
        failed = await rig.wait_state("failed", second)
        assert failed["error"] == "Process was interrupted by server restart"
        assert failed["hasSavedState"] is True
        assert failed["autoResumeScheduled"] is False
        await asyncio.sleep(0.5)  # well past the auto-resume timer
        assert (await rig.state() or {}).get("state") == "failed"
        assert rig.lines() == ["run resume=False"]
        assert await second.terminate() == 0


async def test_sigterm_then_auto_resume(rig: Rig) -> None:
    """A graceful shutdown stamps autoResumeScheduled before it sets the task's flag, the
    task ends cancelled, and the next engine auto-resumes it with ctx.resume=True."""
    async with rig.engine("first") as first:
        await first.start(launch=PROCESS_ID)
        await first.wait_ready()
        await rig.wait_state("running", first, until=lambda s: s["hasSavedState"])
        assert await first.terminate() == 0
    stopped = await rig.state()
    assert stopped is not None
    assert stopped["state"] == "cancelled"
    assert stopped["autoResumeScheduled"] is True
    assert stopped["hasSavedState"] is True
    # The task saw the stamp-before-flag order: its record was still running, not
    # cancel_requested, when the flag fired.
    assert rig.lines() == ["run resume=False", "stop reason=shutdown"]

    async with rig.engine("second") as second:
        await second.start(auto_resume_delay=0.2)
        await second.wait_ready()
        resumed = await rig.wait_state("running", second)
        assert resumed["launchMode"] == "resume"
        assert resumed["autoResumeScheduled"] is False  # the launch cleared the stamp
        await rig.wait_lines(3)
        rig.finish.touch()
        await rig.wait_state("done", second)
        assert rig.lines() == [
            "run resume=False",
            "stop reason=shutdown",
            "run resume=True",
            "finish",
        ]
        assert await second.terminate() == 0


async def test_user_cancel_is_not_a_shutdown(
    engine: tuple[Optio, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process counterpart: a user's cancel writes cancel_requested before the flag, gets
    no auto-resume stamp, and the task tells it from a shutdown."""
    fw, tasks = engine
    log = tmp_path / "task.log"
    monkeypatch.setenv(LOG_ENV, str(log))
    monkeypatch.setenv(FINISH_ENV, str(tmp_path / "finish"))
    tasks.append(resumable_tasks.task())
    await fw.resync()
    db = fw.mongo_store.db
    outcome = await fw.launch(PROCESS_ID, session_id=None)
    assert outcome.ok
    await wait_for_state(db, PREFIX, PROCESS_ID, "running", 5, until=lambda s: s["hasSavedState"])
    assert await fw.cancel_and_wait(PROCESS_ID) == "cancelled"
    state = await process_state(db, PREFIX, PROCESS_ID)
    assert state is not None and state["autoResumeScheduled"] is False
    assert log.read_text().splitlines() == ["run resume=False", "stop reason=cancel"]


async def test_engine_that_fails_to_start_reports_its_log(rig: Rig, tmp_path: Path) -> None:
    async with EngineProcess(
        mongo_url=rig.mongod.url,
        db=rig.db.name,
        prefix=PREFIX,
        tasks="tests.support.no_such_module:definitions",
        workdir=tmp_path,
        name="broken",
        pythonpath=[REPO_ROOT],
    ) as broken:
        rig.engines.append(broken)
        await broken.start()
        with pytest.raises(EngineProcessError, match="no_such_module"):
            await broken.wait_ready(timeout=10)
        assert broken.returncode == 1


async def test_refused_resume_is_reported(rig: Rig) -> None:
    async with rig.engine("lonely") as lonely:
        await lonely.start(resume="no-such-process")
        with pytest.raises(EngineProcessError, match="launch refused: not-found"):
            await lonely.wait_ready()
