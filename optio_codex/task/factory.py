"""The optio side of a codex task: the TaskInstance the engine runs, and its body."""

from __future__ import annotations

from typing import Any

from optio_core.models import TaskInstance

from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.run import CodexTaskRun, task_id_for

__all__ = ["create_codex_task", "run_codex_session", "task_id_for"]


def create_codex_task(
    process_id: str,
    name: str,
    config: CodexTaskConfig,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> TaskInstance:
    """An optio TaskInstance that runs codex as ``config`` says."""
    if not isinstance(config, CodexTaskConfig):
        raise TypeError(f"config must be a CodexTaskConfig, not {type(config).__name__}")

    async def execute(ctx: Any) -> None:
        await run_codex_session(ctx, config)

    return TaskInstance(
        execute=execute,
        process_id=process_id,
        name=name,
        description=description,
        metadata=dict(metadata or {}),
        ui_widget="conversation" if config.permission_gate else None,
        supports_resume=config.supports_resume,
        auto_resume=config.supports_resume and config.auto_resume,
    )


async def run_codex_session(ctx: Any, config: CodexTaskConfig) -> None:
    """Run one codex task in ``ctx`` (an optio ProcessContext) to its end."""
    await CodexTaskRun(ctx, config).run()
