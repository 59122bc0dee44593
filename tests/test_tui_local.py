"""mode="iframe" on the worker itself (no SSH): auto_start types the task in, the terminal is a
local pty, and codex's end reaches optio.log (DONE, or ERROR with the pane's last lines).

Real parts: the optio engine, mongod, tmux, the pinned codex TUI; the scripted model.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from optio_codex.factory import create_codex_task
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.run import AUTO_START_PROMPT
from optio_codex.testing.model_server import ScriptedModelServer, exec_command
from tests.support.engine_runs import Engine, process_end, process_when
from tests.test_task_engine import model_config
from tests.test_tui_browser import scripted


@pytest.fixture
def root() -> Iterator[Path]:
    path = Path("/var/tmp/oc-tui") / uuid.uuid4().hex[:8]  # short: tmux's socket path
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


ANSI = re.compile(rb"\x1b\[[0-9;?>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


async def start(engine: Engine, config: CodexTaskConfig) -> str:
    fw, tasks = engine
    process_id = "tui-" + uuid.uuid4().hex[:6]
    tasks.append(create_codex_task(process_id, process_id, config))
    await fw.resync()
    await fw.launch(process_id, session_id=None)
    return process_id


async def screen_over_ws(url: str, password: str, needle: str) -> str:
    """The terminal's output as the page gets it (escape sequences removed: codex moves the
    cursor between words), until ``needle`` shows."""
    token = base64.b64encode(f"optio:{password}".encode()).decode()
    seen = b""
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url + "/ws", headers={"Authorization": f"Basic {token}"}) as ws:
            await ws.send_str(json.dumps({"resize": [100, 30]}))
            async with asyncio.timeout(30):
                while needle.encode() not in seen:
                    message = await ws.receive()
                    assert message.type == aiohttp.WSMsgType.BINARY, message
                    seen += ANSI.sub(b"", message.data)
    return seen.decode(errors="replace")


async def test_auto_start_on_the_worker_ends_done(
    engine: Engine, model_server: ScriptedModelServer, root: Path
) -> None:
    fw, _ = engine
    # Runs in the sandbox (no escalation): the workspace is writable, no approval is asked.
    scripted(model_server, *exec_command("echo DONE >> optio.log", escalate=False).then("ok"))
    config = CodexTaskConfig(
        consumer_instructions="Write DONE to optio.log.",
        mode="iframe",
        auto_start=True,
        task_root=str(root),
        codex_config=model_config(model_server, root),
    )
    process_id = await start(engine, config)
    proc = await process_when(fw, process_id, lambda p: bool(p.get("widgetData")))
    upstream = proc["widgetUpstream"]
    assert proc.get("controlUpstream", {}).get("url") == upstream["url"]  # the input box's
    drawn = await screen_over_ws(upstream["url"], upstream["innerAuth"]["password"], "Codex")
    assert "OpenAI" in drawn
    end = await process_end(fw, process_id, within=60.0)
    assert end["status"]["state"] == "done", end["status"]
    turns = [r for r in model_server.requests if r.body.get("tools")]
    assert AUTO_START_PROMPT in json.dumps(turns[0].body["input"])


@pytest.mark.parametrize("host_protocol", [True, False])
async def test_codex_failing_at_start_is_an_error_with_its_last_lines(
    engine: Engine, model_server: ScriptedModelServer, root: Path, host_protocol: bool
) -> None:
    fw, _ = engine
    codex_config = model_config(model_server, root)
    codex_config["model_provider"] = "no-such-provider"
    config = CodexTaskConfig(
        consumer_instructions="Never runs.",
        mode="iframe",
        host_protocol=host_protocol,  # without the keyword driver, the body reads the end
        task_root=str(root),
        codex_config=codex_config,
    )
    process_id = await start(engine, config)
    end = await process_end(fw, process_id, within=60.0)
    assert end["status"]["state"] == "failed", end["status"]
    error = end["status"]["error"]
    assert "codex exited with status" in error and "no-such-provider" in error, error


async def test_a_login_in_the_terminal_reaches_the_browser(
    engine: Engine, model_server: ScriptedModelServer, root: Path
) -> None:
    """No login yet, a provider that needs one: codex's own sign-in screen. Enter (the input
    box's key) picks "Sign in with ChatGPT"; codex opens its URL through $BROWSER, the task's
    opener writes a BROWSER line, and optio asks the dashboard to open it."""
    fw, _ = engine
    codex_config = model_config(model_server, root)
    codex_config["model_providers"]["mock"]["requires_openai_auth"] = True
    config = CodexTaskConfig(
        consumer_instructions="Sign in first.",
        mode="iframe",
        task_root=str(root),
        codex_config=codex_config,
    )
    process_id = await start(engine, config)
    proc = await process_when(fw, process_id, lambda p: bool(p.get("widgetData")))
    upstream = proc["widgetUpstream"]
    url, password = upstream["url"], upstream["innerAuth"]["password"]
    await screen_over_ws(url, password, "continue")  # "Press enter to continue"
    await asyncio.sleep(1.0)  # codex takes no key for a moment after a prompt appears
    async with aiohttp.ClientSession() as http:
        auth = {"Authorization": "Basic " + base64.b64encode(f"optio:{password}".encode()).decode()}
        async with http.post(url + "/input", json={"key": "Enter"}, headers=auth) as response:
            assert response.status == 200
    proc = await process_when(fw, process_id, lambda p: bool(p.get("browserOpenRequests")))
    opened = proc["browserOpenRequests"][0]["url"]
    assert opened.startswith("https://auth.openai.com/oauth/authorize?"), opened
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A1455" in opened
    await fw.cancel(process_id)
    end = await process_end(fw, process_id, within=60.0)
    assert end["status"]["state"] == "cancelled", end["status"]
