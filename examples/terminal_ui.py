"""A codex task shown as codex's own terminal UI in the optio dashboard (``mode="iframe"``).

The task runs codex's TUI in tmux on its host and serves a small web terminal from the engine
process, published on the process document (``widgetUpstream``: its URL and a per-run
password) for the optio API's widget proxy; the dashboard shows it in an iframe with an input
box under it (``ui_widget="iframe-input"``). docs/tui.md says how it works.

Offline, everything real but the model: a throwaway mongod, the pinned codex and tmux on this
machine (``ssh=None``), the scripted stand-in model. With no browser here, ``Dashboard`` plays
the proxy, the terminal and the input box: it watches the terminal's WebSocket, types a
request into the input box, and answers codex's approval prompt with the Enter key.
Run:  .venv/bin/python examples/terminal_ui.py
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from motor.motor_asyncio import AsyncIOMotorClient
from optio_core import Optio

from optio_codex import CodexTaskConfig, create_codex_task
from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.model_server import RecordedRequest, ScriptedModelServer, Step, text
from optio_codex.testing.model_server import exec_command as run_command
from optio_codex.testing.mongod import LocalMongod

PROCESS_ID = "hello-terminal"
ANSI = re.compile(rb"\x1b\[[0-9;?>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")

# --- what a deployment writes -----------------------------------------------------------------


def make_config(**extra: Any) -> CodexTaskConfig:
    return CodexTaskConfig(
        consumer_instructions="Do what the person at the terminal asks, then report DONE.",
        mode="iframe",  # codex's terminal UI, in the dashboard's iframe-input widget
        **extra,  # e.g. ssh=SSHConfig(...), auto_start=True, codex_config={...}
    )


async def start_task(mongo_db: Any, config: CodexTaskConfig) -> Optio:
    task = create_codex_task(PROCESS_ID, "Hello, at the terminal", config)
    print("widget:", task.ui_widget)

    async def get_task_definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return [task]

    engine = Optio()
    await engine.init(mongo_db=mongo_db, prefix="demo", get_task_definitions=get_task_definitions)
    await engine.launch(PROCESS_ID, session_id=None)
    return engine


# --- what the dashboard does (the widget proxy, the terminal, the input box) -------------------


class Dashboard:
    def __init__(self, http: aiohttp.ClientSession, process: dict[str, Any]) -> None:
        upstream = process["widgetUpstream"]
        self.url = upstream["url"]
        login = f"optio:{upstream['innerAuth']['password']}".encode()
        self.auth = {"Authorization": "Basic " + base64.b64encode(login).decode()}
        self.http = http
        self.screen = b""  # what the terminal drew so far, escape sequences removed

    async def type_in(self, body: dict[str, str]) -> Any:
        """The input box: ``{"text": ...}`` or a navigation ``{"key": ...}``."""
        async with self.http.post(f"{self.url}/input", json=body, headers=self.auth) as reply:
            return reply.status, await reply.json()

    async def watch(self, ws: aiohttp.ClientWebSocketResponse, needle: str) -> None:
        async with asyncio.timeout(60):
            while needle.encode() not in self.screen:
                message = await ws.receive()
                if message.type != aiohttp.WSMsgType.BINARY:
                    raise RuntimeError(f"the terminal closed: {message.extra}")
                self.screen += ANSI.sub(b"", message.data)
        print("terminal shows:", needle)


async def one_request_at_the_terminal(dashboard: Dashboard) -> None:
    async with dashboard.http.ws_connect(f"{dashboard.url}/ws", headers=dashboard.auth) as ws:
        await ws.send_str(json.dumps({"resize": [100, 30]}))  # the page's first message
        await dashboard.watch(ws, "OpenAI Codex")
        print("type:", await dashboard.type_in({"text": "Create hello.txt."}))
        await dashboard.watch(ws, "Would you like to run")
        await dashboard.watch(ws, "to confirm")  # the prompt's last line
        await asyncio.sleep(1.0)  # codex ignores keys for a moment after a prompt appears
        print("approve:", await dashboard.type_in({"key": "Enter"}))  # "1. Yes, proceed"
        async with asyncio.timeout(60):  # the command wrote DONE: the task ends, codex too
            message = await ws.receive()
            while message.type == aiohttp.WSMsgType.BINARY:
                message = await ws.receive()
        print("terminal closed:", message.data, message.extra)


# --- the offline world: a model that plays the agent --------------------------------------------


def agent(request: RecordedRequest) -> Step:
    if not request.body.get("tools"):  # the TUI asks for a title for the thread
        return text("Create hello.txt")
    calls = " ".join(
        str(i.get("arguments")) for i in request.body.get("input") or [] if "arguments" in i
    )
    if "touch hello.txt" in calls:  # approved and run (the task may have ended already)
        return text("Created hello.txt, and reported DONE.")
    # Outside the sandbox, so codex asks first; the DONE line ends the task once it ran.
    return run_command("touch hello.txt && echo DONE >> optio.log")


async def main() -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:  # not /tmp: see docs/task.md
        root = Path(tmp)
        mongod = LocalMongod(root / "mongod")
        client: Any = AsyncIOMotorClient(await mongod.start())
        try:
            async with ScriptedModelServer(fallback=agent) as model:
                config = make_config(
                    task_root=str(root / "tasks"),
                    codex_config=task_codex_config(model.base_url, root),
                )
                engine = await start_task(client["terminal_ui_example"], config)
                try:
                    process = await process_when(engine, "widgetData")
                    print("iframe:", process["widgetData"]["iframeSrc"])
                    async with aiohttp.ClientSession() as http:
                        await one_request_at_the_terminal(Dashboard(http, process))
                    process = await process_when(engine, "no such key: until it ends")
                finally:
                    await engine.shutdown()
        finally:
            client.close()
            await mongod.stop()
    print("state:", process["status"]["state"], process["status"].get("error") or "")


async def process_when(engine: Optio, *keys: str) -> dict[str, Any]:
    async with asyncio.timeout(60):
        while True:
            process = await engine.get_process(PROCESS_ID) or {}
            state = process.get("status", {}).get("state")
            if all(process.get(k) for k in keys) or state in ("done", "failed", "cancelled"):
                return process
            await asyncio.sleep(0.1)


if __name__ == "__main__":
    asyncio.run(main())
