"""The task factory: the optio TaskInstance that runs codex, with the companions its config
asks for.

This module sits above task/ and the layers beside it (ui/, and later credentials/,
snapshots/, tui/): it is where they are put together, so none of them imports another.
"""

from __future__ import annotations

from typing import Any

from optio_core.models import TaskInstance

from optio_codex.credentials.capture import seed_capture_for
from optio_codex.credentials.keeper import seed_keeper_for
from optio_codex.credentials.orphan_login import save_orphan_login
from optio_codex.snapshots.companion import snapshots_for
from optio_codex.task.attention import attention_for
from optio_codex.task.audit import audit_for
from optio_codex.task.browser_open import browser_open_for
from optio_codex.task.companions import CompanionFactory, companions_for
from optio_codex.task.compat_notice import compat_notice_for
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.leftovers import ReapHook
from optio_codex.task.mcp_servers import mcp_servers_for
from optio_codex.task.run import CodexTaskRun
from optio_codex.task.task_ids import task_id_for
from optio_codex.task.todos import todos_for
from optio_codex.task.usage import usage_for
from optio_codex.tui.body import CodexTui
from optio_codex.ui.companion import host_ui_for

__all__ = ["COMPANIONS", "create_codex_task", "run_codex_session", "task_id_for"]

# Each makes the companion a config asks for, or None; started in this order.
COMPANIONS: tuple[CompanionFactory, ...] = (
    seed_keeper_for,  # first: its lease is released (or kept for a resume) last
    seed_capture_for,
    snapshots_for,  # after the seed (which reads a login left in the task dir first)
    host_ui_for,
    usage_for,
    audit_for,
    attention_for,
    todos_for,
    mcp_servers_for,
    browser_open_for,
    compat_notice_for,
)


# Before the orphan reaper removes a dead task's directory (task/leftovers.py).
REAP_HOOKS: tuple[ReapHook, ...] = (save_orphan_login,)

# Companions that follow a conversation: mode="iframe" (codex's terminal UI) has none.
NEEDS_CONVERSATION: frozenset[CompanionFactory] = frozenset(
    {host_ui_for, usage_for, audit_for, attention_for, todos_for}
)


def ui_widget_for(config: CodexTaskConfig) -> str | None:
    """The dashboard widget: the conversation view, the terminal with its input box, or none."""
    if config.mode == "iframe":
        return "iframe-input"
    return "conversation" if config.conversation_ui else None


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
        ui_widget=ui_widget_for(config),
        supports_resume=config.supports_resume,
        auto_resume=config.supports_resume and config.auto_resume,
    )


async def run_codex_session(ctx: Any, config: CodexTaskConfig) -> None:
    """Run one codex task in ``ctx`` (an optio ProcessContext) to its end."""
    if config.mode != "iframe":
        await CodexTaskRun(ctx, config, companions_for(config, COMPANIONS), REAP_HOOKS).run()
        return
    tui = CodexTui(config)
    factories = [f for f in COMPANIONS if f not in NEEDS_CONVERSATION]
    # Last: it prepares over the others' config, and ends codex before they stop.
    run = CodexTaskRun(ctx, config, [*companions_for(config, factories), tui], REAP_HOOKS)
    run.body = tui
    await run.run()
