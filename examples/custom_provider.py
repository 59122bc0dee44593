"""A codex task against a model endpoint of your own: a custom Responses-API provider in
``codex_config``, its key in ``provider_secrets``. docs/task.md quotes the functions below.

The key never reaches an environment or a command line: optio-codex writes it into the task's
config.toml (mode 0600, in the task's own CODEX_HOME) as the provider's bearer token.

Offline, everything real but the model: a throwaway mongod, the pinned codex on this machine
(``ssh=None``), and the scripted stand-in model playing "your endpoint", which records the
Authorization header it is sent. Run:  .venv/bin/python examples/custom_provider.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient
from optio_core import Optio

from optio_codex import CodexTaskConfig, create_codex_task
from optio_codex.testing.catalog import MOCK_MODEL_SLUG, write_mock_model_catalog
from optio_codex.testing.model_server import (
    RecordedRequest,
    ScriptedModelServer,
    Step,
    exec_command,
    text,
)
from optio_codex.testing.mongod import LocalMongod

KEY_VARIABLE = "MY_ENDPOINT_KEY"

# --- what a deployment writes -----------------------------------------------------------------


def custom_provider(base_url: str, model: str) -> dict[str, Any]:
    """config.toml entries for a Responses-API endpoint, as codex documents them; they are
    merged into the task's user-level config.toml (codex ignores provider keys in a project's
    .codex/config.toml)."""
    return {
        "model": model,
        "model_provider": "my-endpoint",
        "model_providers": {
            "my-endpoint": {
                "name": "My Responses-API endpoint",
                "base_url": base_url,  # e.g. "https://llm.example.com/v1"
                "wire_api": "responses",
                # codex would read the key from this variable; optio-codex takes its value
                # from provider_secrets instead and writes it to config.toml (0600).
                "env_key": KEY_VARIABLE,
            }
        },
    }


def make_config(
    base_url: str, model: str, more_settings: dict[str, Any] | None = None, **extra: Any
) -> CodexTaskConfig:
    return CodexTaskConfig(
        consumer_instructions="Say hello, then report DONE.",
        codex_config={**custom_provider(base_url, model), **(more_settings or {})},
        # Every env_key in codex_config needs its value here (a missing one is refused).
        provider_secrets={KEY_VARIABLE: os.environ[KEY_VARIABLE]},
        auto_start=True,
        **extra,
    )


async def run_task(mongo_db: Any, config: CodexTaskConfig) -> dict[str, Any]:
    task = create_codex_task("custom-1", "Hello from my endpoint", config)

    async def get_task_definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return [task]

    engine = Optio()
    await engine.init(mongo_db=mongo_db, prefix="demo", get_task_definitions=get_task_definitions)
    try:
        await engine.launch_and_wait("custom-1", session_id=None)
        process = await engine.get_process("custom-1")
        assert process is not None
        return process
    finally:
        await engine.shutdown()


# --- the offline world: the stand-in endpoint ---------------------------------------------------

SEEN: list[str] = []


def endpoint(request: RecordedRequest) -> Step:
    SEEN.append(request.headers.get("authorization", ""))
    calls = str(request.body.get("input"))
    if "echo DONE" in calls:
        return text("Hello! Reported DONE.")
    return exec_command("echo DONE >> optio.log", escalate=False)


async def main() -> None:
    os.environ.setdefault(KEY_VARIABLE, "sk-example-not-a-real-key")
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:  # not /tmp: see docs/task.md
        root = Path(tmp)
        mongod = LocalMongod(root / "mongod")
        client: Any = AsyncIOMotorClient(await mongod.start())
        try:
            async with ScriptedModelServer(fallback=endpoint) as model:
                # The stand-in's one model is described by a local catalog; a real endpoint
                # needs only custom_provider(...) with its own model name.
                catalog = write_mock_model_catalog(root / "catalog.json")
                config = make_config(
                    model.base_url,
                    MOCK_MODEL_SLUG,
                    {"model_catalog_json": str(catalog)},
                    task_root=str(root / "tasks"),
                )
                process = await run_task(client["custom_provider_example"], config)
        finally:
            client.close()
            await mongod.stop()
    print("state:", process["status"]["state"], process["status"].get("error") or "")
    key = os.environ[KEY_VARIABLE]
    print("the endpoint was sent the key:", bool(SEEN) and all(s == f"Bearer {key}" for s in SEEN))


if __name__ == "__main__":
    asyncio.run(main())
