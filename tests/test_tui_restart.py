"""The terminal UI across an engine restart: codex keeps running in tmux on the host, and the
resumed run attaches a fresh terminal (new upstream, new password) to the same session.

Real parts: two optio engines in child processes (the first stopped with SIGTERM, the second
auto-resuming the task over SSH), mongod, sshd, tmux, codex; the scripted model.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.model_server import ScriptedModelServer, exec_command, text
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.sshd import SshdInfo
from tests.support import codex_tasks
from tests.support.procs import wait_gone
from tests.test_durable_task import Engines, codex_home_of, ssh_settings
from tests.test_tui_browser import scripted
from tests.test_tui_local import screen_over_ws
from tests.test_ui_restart import process_doc, upstream

pytestmark = pytest.mark.timeout(180)

BEFORE = "Answered before the restart."


@pytest.fixture
async def tui_engines(
    mongod: LocalMongod,
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
) -> AsyncIterator[Engines]:
    root = Path("/var/tmp/oc-tui") / uuid.uuid4().hex[:8]  # short: tmux's socket path
    root.mkdir(parents=True)
    settings = codex_tasks.settings(
        ssh=ssh_settings(sshd),
        task_root=str(root / "tasks"),
        codex_config=task_codex_config(model_server.base_url, root),
        mode="iframe",
    )
    rig = Engines(mongod, mongo_db, root, settings)
    try:
        yield rig
    finally:
        for engine in rig.started:
            await engine.close()
        left = await wait_gone(codex_home_of(root, codex_tasks.PROCESS_ID), within=10)
        if left:  # a failed test's engines were killed: end its tmux before saying so
            sock = root / "tasks" / codex_tasks.PROCESS_ID / "home" / ".optio-tui" / "tmux.sock"
            subprocess.run(["tmux", "-S", str(sock), "kill-server"], check=False)  # noqa: ASYNC221
        shutil.rmtree(root, ignore_errors=True)
        assert left == []


def root_of(rig: Engines) -> Path:
    return Path(rig.workdir)


async def tmux(sock: Path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        "tmux", "-S", str(sock), *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return out.decode(errors="replace").strip()


async def pane_shows(sock: Path, needle: str, within: float = 30.0) -> None:
    """codex's screen in tmux itself (xterm.js' rendering is the browser test's to check)."""
    async with asyncio.timeout(within):
        while needle not in await tmux(sock, "capture-pane", "-p", "-t", "codex"):
            await asyncio.sleep(0.1)


async def test_a_restart_leaves_codex_running_and_the_terminal_comes_back(
    tui_engines: Engines, model_server: ScriptedModelServer, mongo_db: Any
) -> None:
    scripted(
        model_server,
        text(BEFORE),  # the auto-started turn
        *exec_command("echo DONE >> optio.log", escalate=False).then("ok"),
    )
    first = tui_engines.new("first")
    await first.start(launch=codex_tasks.PROCESS_ID)
    await first.wait_ready()
    old = upstream(await process_doc(mongo_db, lambda p: upstream(p) is not None))
    assert old is not None
    await screen_over_ws(*old, "Codex")  # the terminal draws
    sock = root_of(tui_engines) / "tasks" / codex_tasks.PROCESS_ID / "home" / ".optio-tui"
    await pane_shows(sock / "tmux.sock", BEFORE)
    server = await tmux(sock / "tmux.sock", "display-message", "-p", "#{pid}")
    # The thread is named in the run's memory: optio knows the task has saved state.
    await tui_engines.wait("running", first, until=lambda s: s["hasSavedState"])

    assert await first.terminate() == 0
    stopped = await tui_engines.state()
    assert stopped["state"] == "cancelled" and stopped["autoResumeScheduled"], stopped

    second = tui_engines.new("second")
    await second.start(auto_resume_delay=0.2)
    await second.wait_ready(launched=False)
    await tui_engines.wait("running", second, until=lambda s: s["launchMode"] == "resume")
    new = upstream(await process_doc(mongo_db, lambda p: upstream(p) not in (None, old), within=90))
    assert new is not None and new[1] != old[1]  # a new listener, a new password
    await screen_over_ws(*new, "Codex")  # the new terminal draws ...
    assert await tmux(sock / "tmux.sock", "display-message", "-p", "#{pid}") == server
    await pane_shows(sock / "tmux.sock", BEFORE)  # ... the same codex, its first turn on screen
    proc = await process_doc(mongo_db, lambda p: True)
    said = json.dumps([e.get("message") for e in proc.get("log") or []])
    assert "reattached to the codex terminal UI" in said

    url, password = new
    auth = {"Authorization": "Basic " + base64.b64encode(f"optio:{password}".encode()).decode()}
    async with aiohttp.ClientSession() as http:
        body = {"text": "Now finish."}
        async with http.post(url + "/input", json=body, headers=auth) as response:
            assert response.status == 200
    done = await tui_engines.wait(("done", "failed"), second, timeout=60.0)
    assert done["state"] == "done", done
