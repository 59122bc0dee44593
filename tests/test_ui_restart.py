"""The host UI across an engine restart: the resumed run publishes a fresh upstream and password.

Real parts: two optio engines in child processes (the first stopped with SIGTERM, the second
auto-resuming the detached task over SSH), mongod, sshd, codex; the scripted model. The
listener is driven over HTTP as the dashboard drives it, with the upstream URL and password
read from the process document in MongoDB, where the optio API's widget proxy reads them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from optio_codex.testing import model_server as ms
from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.sshd import SshdInfo
from tests.support import codex_tasks
from tests.support.procs import wait_gone
from tests.support.view_client import ViewClient
from tests.test_durable_task import DONE_STEP, PREFIX, Engines, codex_home_of, ssh_settings

pytestmark = pytest.mark.timeout(180)

BEFORE = "Before the restart."


@pytest.fixture
async def ui_engines(
    mongod: LocalMongod,
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    host_dir: Path,
) -> AsyncIterator[Engines]:
    settings = codex_tasks.settings(
        ssh=ssh_settings(sshd),
        task_root=str(host_dir / "tasks"),
        codex_config=task_codex_config(model_server.base_url, host_dir),
        conversation_ui=True,
        max_nudges=0,  # between turns the task waits for the viewer, as for a person
    )
    rig = Engines(mongod, mongo_db, host_dir, settings)
    try:
        yield rig
    finally:
        for engine in rig.started:
            await engine.close()
        home = codex_home_of(host_dir, codex_tasks.PROCESS_ID)
        assert await wait_gone(home, within=10) == []


async def process_doc(
    db: Any, ready: Callable[[dict[str, Any]], bool], *, within: float = 60.0
) -> dict[str, Any]:
    """The task's process document once ``ready`` holds (a bound on waiting)."""
    proc: dict[str, Any] | None = None
    try:
        async with asyncio.timeout(within):
            while True:
                proc = await db[f"{PREFIX}_processes"].find_one(
                    {"processId": codex_tasks.PROCESS_ID}, sort=[("_id", -1)]
                )
                if proc is not None and ready(proc):
                    return proc
                await asyncio.sleep(0.05)
    except TimeoutError:
        seen = {k: (proc or {}).get(k) for k in ("status", "widgetUpstream", "log")}
        raise AssertionError(f"never got there; last seen {seen}") from None


def upstream(proc: dict[str, Any]) -> tuple[str, str] | None:
    found = proc.get("widgetUpstream") or {}
    if not found.get("url") or not proc.get("widgetData"):
        return None
    return found["url"], found["innerAuth"]["password"]


def item_said(text: str) -> Callable[[dict[str, Any]], bool]:
    def match(d: dict[str, Any]) -> bool:
        item = (d.get("params") or {}).get("item") or {}
        return d.get("method") == "item/completed" and item.get("text") == text

    return match


async def stream_end(client: ViewClient, *, within: float) -> None:
    async with asyncio.timeout(within):
        while not client.stream_ended:
            await asyncio.sleep(0.05)


async def attach_status(url: str, password: str) -> int | str:
    """What a viewer gets from ``GET /events``: the status, or "refused" (nothing listens)."""
    client = ViewClient(url, password, aiohttp.ClientSession())
    try:
        return await client.attach()
    except aiohttp.ClientConnectionError:
        return "refused"
    finally:
        await client.close()


async def test_a_resumed_task_publishes_a_fresh_upstream_and_password(
    ui_engines: Engines, model_server: ScriptedModelServer, mongo_db: Any
) -> None:
    model_server.script(ms.text(BEFORE))  # the auto-started turn
    first = ui_engines.new("first")
    await first.start(launch=codex_tasks.PROCESS_ID)
    await first.wait_ready()

    # Before the restart: the listener serves, and the first turn is on screen.
    old = upstream(await process_doc(mongo_db, lambda p: upstream(p) is not None))
    assert old is not None
    before = ViewClient(*old, aiohttp.ClientSession())
    try:
        assert await before.attach() == 200
        await before.wait_for(item_said(BEFORE), what="the first turn's answer")
        await before.wait_for(lambda d: d.get("method") == "turn/completed")
        gate = model_server.hold()
        model_server.script(DONE_STEP.held(gate), ms.text("Done."))
        assert await before.post("send", {"text": "Now finish."}) == (200, {"ok": True})
        await gate.wait_reached(timeout=60)  # the second turn runs on the host
        await ui_engines.wait("running", first, until=lambda s: s["hasSavedState"])

        assert await first.terminate() == 0
        stopped = await ui_engines.state()
        assert stopped["state"] == "cancelled" and stopped["autoResumeScheduled"], stopped
        # The open stream was told, and ended with the engine.
        await before.wait_for(lambda d: d.get("type") == "x-optio-closed", within=10)
        await stream_end(before, within=10)
    finally:
        await before.close()

    second = ui_engines.new("second")
    await second.start(auto_resume_delay=0.2)
    await second.wait_ready(launched=False)
    await ui_engines.wait("running", second, until=lambda s: s["launchMode"] == "resume")

    # After: a new listener with a new password; the old password opens nothing.
    fresh = await process_doc(mongo_db, lambda p: upstream(p) not in (None, old))
    new = upstream(fresh)
    assert new is not None
    (old_url, old_password), (new_url, new_password) = old, new
    assert new_password != old_password
    assert await attach_status(new_url, old_password) == 401
    assert await attach_status(old_url, old_password) in ("refused", 401)

    viewer = ViewClient.from_document(fresh)
    try:
        assert await viewer.attach() == 200
        # The history of the turns before the restart, from codex itself.
        await viewer.wait_for(item_said(BEFORE), what="the first turn in the history")
        await viewer.wait_for(item_said("Now finish."), what="the running turn's prompt")
        texts = [e["params"]["item"].get("text") for e in viewer.events("item/completed")]
        assert texts.count(BEFORE) == 1 and "Now finish." in texts
        assert len(viewer.events("turn/completed")) == 1
        gate.release()
        await viewer.wait_for(lambda d: d.get("type") == "x-optio-closed", within=90)
    finally:
        await viewer.close()
    done = await ui_engines.wait(("done", "failed"), second)
    assert done["state"] == "done", (done["error"], second.log_tail())
    assert [r.step for r in model_server.responses_requests] == [
        "text",
        "exec_command+held",
        "text",
    ]
