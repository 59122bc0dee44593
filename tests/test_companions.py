"""Companions: the order they prepare, start and stop in, and what a failure does."""

from __future__ import annotations

from typing import Any

import pytest

from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.task.companions import Companions, LaunchPlan, PrepareView, RunEnding


class Recorder:
    def __init__(self, name: str, log: list[str], *, fail_prepare: bool = False) -> None:
        self.name, self.log, self.fail_prepare = name, log, fail_prepare

    async def start(self, run: Any) -> None:
        self.log.append(f"start {self.name}")

    async def stop(self, ending: RunEnding) -> None:
        self.log.append(f"stop {self.name}")


class Preparer(Recorder):
    async def prepare(self, view: PrepareView, plan: LaunchPlan) -> None:
        self.log.append(f"prepare {self.name}")
        if self.fail_prepare:
            raise RuntimeError("the seed is quarantined")
        plan.files.append((f"home/{self.name}", b"x", 0o600))
        plan.notes.append(f"{self.name} ready")


def _view() -> PrepareView:
    paths = TaskPaths(host_home="/h", task_root="/h/tasks", task_id="t1")
    return PrepareView(ctx=None, config=None, task_id="t1", ops=None, paths=paths, resuming=False)  # type: ignore[arg-type]


async def test_prepared_companions_add_to_the_plan_and_are_stopped_without_a_start() -> None:
    log: list[str] = []
    companions = Companions([Recorder("ui", log), Preparer("seed", log)])
    plan = await companions.prepare(_view())
    assert plan.files == [("home/seed", b"x", 0o600)] and plan.notes == ["seed ready"]
    # The run failed before codex started: what was prepared is stopped (a lease released).
    await companions.stop(RunEnding(succeeded=False, detaching=False, reason="ended"))
    assert log == ["prepare seed", "stop seed"]


async def test_a_failed_prepare_fails_the_start_and_still_stops_what_it_began() -> None:
    log: list[str] = []
    companions = Companions([Preparer("seed", log, fail_prepare=True), Preparer("snap", log)])
    with pytest.raises(RuntimeError, match="quarantined"):
        await companions.prepare(_view())
    await companions.stop(RunEnding(succeeded=False, detaching=False, reason="ended"))
    assert log == ["prepare seed", "stop seed"]


async def test_started_in_order_stopped_in_reverse_each_once() -> None:
    log: list[str] = []
    companions = Companions([Preparer("seed", log), Recorder("ui", log)])
    await companions.prepare(_view())
    await companions.start(None)  # type: ignore[arg-type]
    await companions.stop(RunEnding(succeeded=True, detaching=False, reason="done"))
    assert log == ["prepare seed", "start seed", "start ui", "stop ui", "stop seed"]
