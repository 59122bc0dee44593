"""mode="iframe": codex's terminal UI in tmux on a real sshd, shown in a real headless chromium.

Real parts: the optio engine, mongod, sshd behind a relay that cuts, tmux, the pinned codex
TUI, chromium with Debian's chromedriver; the scripted model is the only stand-in. The page is
opened with the run's upstream URL and password from the process document, as the optio API's
widget proxy would. Screenshots of each step go to test-artifacts/tui/ (printed).
"""

from __future__ import annotations

import asyncio
import base64
import collections
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from optio_codex.factory import create_codex_task
from optio_codex.task.config import CodexTaskConfig
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    slow,
    text,
)
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import SshdInfo
from tests.support.browser import Browser, why_no_browser
from tests.support.engine_runs import Engine, process_end, process_when, ssh_to
from tests.support.procs import codex_processes, processes_holding
from tests.test_task_engine import model_config

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "tui"
SECRET = "sk-tui-" + uuid.uuid4().hex
ANSWER = "Streaming the scripted answer through tmux and SSH to the browser"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    reason = why_no_browser()
    if reason is not None:
        pytest.skip(reason)
    scratch = tmp_path_factory.mktemp("chromium")
    b = Browser(scratch, ARTIFACTS / uuid.uuid4().hex[:8])
    print(f"\nscreenshots: {b.artifacts}")
    try:
        yield b
    finally:
        b.quit(scratch)


def scripted(server: ScriptedModelServer, *steps: Step) -> None:
    """The turns answer ``steps`` in order; the TUI's title requests (no tools) get a title."""
    queue = collections.deque(steps)

    def answer(request: RecordedRequest) -> Step:
        if not request.body.get("tools"):
            return text("A title")
        return queue.popleft() if queue else text("nothing more was scripted")

    server.fallback = answer


def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"optio:{password}".encode()).decode()


async def upstream(fw: Any, process_id: str) -> tuple[str, str]:
    # Published in this order: the upstream, then the data the widget mounts with.
    proc = await process_when(fw, process_id, lambda p: bool(p.get("widgetData")))
    up = proc["widgetUpstream"]
    return up["url"], up["innerAuth"]["password"]


@pytest.fixture
async def tui_task(
    engine: Engine, sshd: SshdInfo, relay: TcpRelay, model_server: ScriptedModelServer
) -> AsyncIterator[tuple[str, CodexTaskConfig]]:
    root = Path("/var/tmp/oc-tui") / uuid.uuid4().hex[:8]  # short: tmux's socket path
    root.mkdir(parents=True)
    known = root / "known_hosts"  # an entry per host and port: the relay's address
    known.write_text(f"[{sshd.host}]:{relay.port} {sshd.host_public_key}\n")
    ssh = replace(ssh_to(sshd), port=relay.port, known_hosts=str(known))
    config = CodexTaskConfig(
        consumer_instructions="Answer, then run the command the model asks for.",
        mode="iframe",
        ssh=ssh,
        task_root=str(root),
        codex_config=model_config(model_server, root),
        reconnect_timeout=60.0,
        api_key=SECRET,  # in a 0600 auth.json only (the scripted provider asks for none)
    )
    yield "tui-" + uuid.uuid4().hex[:6], config
    shutil.rmtree(root, ignore_errors=True)


async def test_the_terminal_in_a_browser_through_an_ssh_cut(
    engine: Engine,
    relay: TcpRelay,
    model_server: ScriptedModelServer,
    browser: Browser,
    tui_task: tuple[str, CodexTaskConfig],
) -> None:
    fw, tasks = engine
    process_id, config = tui_task
    scripted(
        model_server,
        slow(ANSWER, 0.05, chunk_size=8),
        *exec_command("echo DONE >> optio.log").then("The command ran."),
    )
    instance = create_codex_task(process_id, process_id, config)
    assert instance.ui_widget == "iframe-input"
    tasks.append(instance)
    await fw.resync()
    await fw.launch(process_id, session_id=None)
    url, password = await upstream(fw, process_id)
    proc = await fw.get_process(process_id)
    assert proc is not None and proc["widgetData"] == {"iframeSrc": "{widgetProxyUrl}/"}

    # Without the run's password nothing opens.
    async with aiohttp.ClientSession() as http:
        async with http.get(url + "/") as response:
            assert response.status == 401
        auth = {"Authorization": basic(password)}
        async with http.post(url + "/input", json={"key": "Home"}, headers=auth) as response:
            assert response.status == 400 and (await response.json())["reason"] == "bad-key"

    await asyncio.to_thread(browser.open, url + "/", password)
    await asyncio.to_thread(browser.wait_for, "OpenAI Codex")
    await asyncio.to_thread(browser.wait_for, "\u203a")
    browser.screenshot("tui-drawn")

    await asyncio.to_thread(browser.type, "Tell me something\n")
    await asyncio.to_thread(browser.wait_for, ANSWER)
    browser.screenshot("answer-streamed")

    # The SSH connection is cut: codex goes on in tmux, the browser's terminal reattaches.
    assert await relay.cut() >= 1
    async with aiohttp.ClientSession() as http:  # the input box: typed in over the new link
        auth = {"Authorization": basic(password)}
        body = {"text": "Now run the command"}
        async with http.post(url + "/input", json=body, headers=auth) as response:
            assert response.status == 200, await response.text()
    seen = await asyncio.to_thread(browser.wait_for, "Would you like to run")
    assert ANSWER in seen  # the redraw after the reattach still shows the earlier turn
    browser.screenshot("approval-asked")
    # No secret on any command line or in any environment; tmux carries the task's CODEX_HOME,
    # so the teardown's sweep finds it with the rest.
    assert processes_holding(SECRET.encode()) == []
    codex_home = f"{config.task_root}/{process_id}/home/.codex"
    assert any("tmux" in p for p in codex_processes(codex_home)), codex_processes(codex_home)

    await asyncio.sleep(1.0)  # codex takes no key for a moment after a prompt appears
    await asyncio.to_thread(browser.type, "y")
    end = await process_end(fw, process_id, within=60.0)
    browser.screenshot("done")
    assert end["status"]["state"] == "done", end.get("status")
    assert relay.stats.cut >= 1
    proc = await fw.get_process(process_id)
    assert proc is not None and not proc.get("widgetUpstream")  # cleared at the end
    assert codex_processes(codex_home) == []
