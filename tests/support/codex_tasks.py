"""A remote codex task for engine-restart tests, loaded in an engine child process.

``--tasks tests.support.codex_tasks:definitions``; the task's settings come as JSON in
``$OPTIO_CODEX_TEST_TASK`` (what the parent test knows: sshd, task root, model config).
"""

from __future__ import annotations

import json
import os
from typing import Any

from optio_core import TaskInstance

from optio_codex.factory import create_codex_task
from optio_codex.task.config import CodexTaskConfig, SSHConfig

SETTINGS_ENV = "OPTIO_CODEX_TEST_TASK"
PROCESS_ID = "durable-codex"


def settings(
    *, ssh: dict[str, Any], task_root: str, codex_config: dict[str, Any], **extra: Any
) -> str:
    """What the parent passes in $OPTIO_CODEX_TEST_TASK."""
    return json.dumps(
        {"ssh": ssh, "task_root": task_root, "codex_config": codex_config, "extra": extra}
    )


def build_config(raw: dict[str, Any]) -> CodexTaskConfig:
    extra = dict(raw.get("extra") or {})
    return CodexTaskConfig(
        consumer_instructions="Do the scripted job, then write DONE to optio.log.",
        ssh=SSHConfig(**raw["ssh"]),
        task_root=raw["task_root"],
        codex_config=raw["codex_config"],
        auto_start=True,
        supports_resume=True,
        cleanup="always",
        inactivity_timeout=extra.pop("inactivity_timeout", 30.0),
        **extra,
    )


def definitions() -> list[TaskInstance]:
    raw = json.loads(os.environ[SETTINGS_ENV])
    return [create_codex_task(PROCESS_ID, "durable codex", build_config(raw))]
