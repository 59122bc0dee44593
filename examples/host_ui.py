"""A codex task people chat with and approve in the optio dashboard (``conversation_ui=True``).

The task serves the dashboard's codex conversation view: a listener in the engine process,
published on the process document (``widgetUpstream``: its URL and a per-run password) for
the optio API's widget proxy, which forwards the browser's calls to it. docs/ui.md says what
it serves.

Offline, everything real but the model: a throwaway mongod, the pinned codex on this machine
(``ssh=None``), the scripted stand-in model. With no browser here, ``Dashboard`` below plays
the proxy and the view: it reads the upstream from the process document, then sends a
message, sees codex ask to run a command, and approves it, over HTTP exactly as the view does.
Run:  .venv/bin/python examples/host_ui.py
"""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from motor.motor_asyncio import AsyncIOMotorClient
from optio_core import Optio

from optio_codex import CodexTaskConfig, create_codex_task
from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from optio_codex.testing.mongod import LocalMongod

PROCESS_ID = "hello-ui"

# --- what a deployment writes -----------------------------------------------------------------


def make_config(**extra: Any) -> CodexTaskConfig:
    return CodexTaskConfig(
        consumer_instructions="Do what the person in the dashboard asks, then report DONE.",
        conversation_ui=True,  # serve the dashboard's codex view (ui_widget="conversation")
        permission_gate=True,  # a person answers codex's approvals in the view ...
        approval_timeout=600.0,  # ... within 10 minutes, or the request is denied
        show_session_controls=True,  # model and reasoning-effort pickers in the view
        file_download=True,  # optio-file: links download files from the task's workdir
        tool_verbosity="verbose",  # show commands with their output
        **extra,  # e.g. ssh=SSHConfig(...), codex_config={...}
    )


async def start_task(mongo_db: Any, config: CodexTaskConfig) -> Optio:
    """An engine with the one task, launched; the dashboard takes it from here."""
    task = create_codex_task(PROCESS_ID, "Hello, with a person in the loop", config)

    async def get_task_definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return [task]

    engine = Optio()
    await engine.init(mongo_db=mongo_db, prefix="demo", get_task_definitions=get_task_definitions)
    await engine.launch(PROCESS_ID, session_id=None)
    return engine


# --- what the dashboard does (the optio API's widget proxy, and the codex view) ----------------


class Dashboard:
    """The upstream and password from the process document; ``Authorization: Basic
    optio:<password>`` on every call (the proxy adds it: a browser never sees the password)."""

    def __init__(self, http: aiohttp.ClientSession, process: dict[str, Any]) -> None:
        upstream = process["widgetUpstream"]
        self.url = upstream["url"]
        login = f"optio:{upstream['innerAuth']['password']}".encode()
        self.auth = {"Authorization": "Basic " + base64.b64encode(login).decode()}
        self.http = http

    async def post(self, route: str, body: dict[str, Any]) -> Any:
        async with self.http.post(f"{self.url}/{route}", json=body, headers=self.auth) as reply:
            return reply.status, await reply.json()

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """``GET /events``: numbered SSE frames, as the view's EventSource reads them."""
        async with self.http.get(f"{self.url}/events", headers=self.auth) as stream:
            data: list[str] = []
            async for raw in stream.content:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif not line and data:  # a blank line ends a frame
                    yield json.loads("".join(data))
                    data = []


async def process_when(engine: Optio, *keys: str) -> dict[str, Any]:
    """The process document once it has ``keys`` or has ended (the view mounts once
    widgetData is there, which is written after the upstream)."""
    async with asyncio.timeout(60):
        while True:
            process = await engine.get_process(PROCESS_ID) or {}
            state = process.get("status", {}).get("state")
            if all(process.get(k) for k in keys) or state in ("done", "failed", "cancelled"):
                return process
            await asyncio.sleep(0.1)


async def one_turn_with_an_approval(dashboard: Dashboard) -> None:
    """Send a message, approve the command codex asks to run, read the answer."""
    said: list[str] = []
    answered: set[str] = set()
    async for event in dashboard.events():
        kind = event.get("method") or event.get("type")
        if kind == "x-optio-control-update" and not said:  # the history came: say something
            said.append("Create hello.txt.")
            print("send:", said[0], await dashboard.post("send", {"text": said[0]}))
        elif kind == "item/commandExecution/requestApproval":  # the view draws a card
            print("approval asked:", event["params"].get("command"))
            answer = {"request_id": str(event["id"]), "behavior": "allow"}
            print("approve:", await dashboard.post("permission", answer))
        elif kind == "x-optio-permission-answered" and event["request_id"] not in answered:
            # Told once the answer is taken, and again once codex has it (the card may be
            # gone already: removing it twice is harmless).
            answered.add(event["request_id"])
            print("answered:", event["behavior"], "by", event["by"])
        elif kind == "item/completed" and event["params"]["item"].get("type") == "agentMessage":
            print("agent:", event["params"]["item"]["text"])
        elif kind == "x-optio-closed":  # the task ended
            return


# --- the offline world: a model that plays the agent --------------------------------------------


def agent(request: RecordedRequest) -> Step:
    calls = " ".join(
        str(i.get("arguments")) for i in request.body.get("input") or [] if "arguments" in i
    )
    if "echo DONE" in calls:
        return text("Created hello.txt, and reported DONE.")
    if "touch hello.txt" in calls:  # approved and run: report the task finished
        return exec_command("echo DONE >> optio.log", escalate=False)
    # Outside the sandbox, so codex asks first: the card the person approves.
    return exec_command("touch hello.txt", justification="Create the file you asked for.")


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
                engine = await start_task(client["host_ui_example"], config)
                try:
                    process = await process_when(engine, "widgetUpstream", "widgetData")
                    controls = process["widgetData"]["controls"]
                    print("view controls:", ", ".join(c["id"] for c in controls))
                    async with aiohttp.ClientSession() as http:
                        await one_turn_with_an_approval(Dashboard(http, process))
                    process = await process_when(engine, "no such key: until it ends")
                finally:
                    await engine.shutdown()
        finally:
            client.close()
            await mongod.stop()
    print("state:", process["status"]["state"], process["status"].get("error") or "")


if __name__ == "__main__":
    asyncio.run(main())
