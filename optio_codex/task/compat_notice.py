"""``delivery_type``: where a task tells its owner how its isolation differs from what the
config asked of the published package.

The published package routed its security notices (a newer Landlock release) through
``on_deliverable`` under ``deliverables/<delivery_type>/``. Here the notice is the list of the
config's values this package runs differently (task/published_fields.py: sandbox=None, the
Landlock read confinement, on-failure …), delivered once per run as
``<delivery_type>/optio-codex-notice.md`` when the run starts. Nothing differs: no notice.
"""

from __future__ import annotations

import logging

from optio_codex.task.companions import RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.published_fields import compat_notes

log = logging.getLogger(__name__)

NOTICE_NAME = "optio-codex-notice.md"


def notice_text(notes: tuple[str, ...]) -> str:
    lines = [
        "# optio-codex: how this task differs from its config",
        "",
        "This task's config was written for the published optio-codex 0.4.x. "
        "It runs, with these differences (docs/compatibility.md):",
        "",
    ]
    return "\n".join([*lines, *(f"- {note}" for note in notes), ""])


class CompatNotice:
    def __init__(self, config: CodexTaskConfig, notes: tuple[str, ...]) -> None:
        self.config = config
        self.notes = notes

    async def start(self, run: RunView) -> None:
        deliver = self.config.on_deliverable
        if deliver is None or run.resumed:  # said once, on the run that started the task
            return
        path = f"{self.config.delivery_type}/{NOTICE_NAME}"
        reply = await deliver(run.hook_ctx, path, notice_text(self.notes))
        if reply:
            log.info("the owner answered the compatibility notice: %s", reply)

    async def stop(self, ending: RunEnding) -> None:
        return None


def compat_notice_for(config: CodexTaskConfig) -> CompatNotice | None:
    notes = compat_notes(config)
    if not notes or not config.delivery_type or config.on_deliverable is None:
        return None
    return CompatNotice(config, notes)
