"""What a resumed agent is told: AGENTS.md recomposed through ``on_resume_refresh`` (the
published meaning), and the note put before the next message it is given.

The note rides on a message the agent gets anyway, so the resume costs no model turn; the
``resume.log`` line AGENTS.md asks the agent to check says the same, with ``REFRESHED:``
naming AGENTS.md when its text changed since the snapshot.
"""

from __future__ import annotations

import logging

from optio_agents import RESUME_NOTICE, SYSTEM_MESSAGE_PREFIX

from optio_codex.hosts.host_scripts import HostOps, read_file, write_file
from optio_codex.hosts.task_files import compose_agents_md
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.snapshots.resume import Restored, age_of
from optio_codex.task.config import CodexTaskConfig, provision_spec

log = logging.getLogger(__name__)

AGENTS_MD = "AGENTS.md"


class AgentsRefresh:
    """AGENTS.md on a resume. Provisioning has written it from the task's config by then
    (what the default, identity ``on_resume_refresh`` asks); a hook returning another config
    has it composed from that one; ``on_resume_refresh=None`` puts the captured text back."""

    def __init__(
        self, config: CodexTaskConfig, task_id: str, paths: TaskPaths, captured: str | None
    ) -> None:
        self.config = config
        self.task_id = task_id
        self.paths = paths
        self.captured = captured  # AGENTS.md as restored (or as the kept task dir held it)

    def _wanted(self) -> str | None:
        """The text AGENTS.md should have; None: provisioning's is right."""
        hook = self.config.on_resume_refresh
        if hook is None:
            return self.captured
        try:
            refreshed = hook(self.config)
        except Exception:
            log.exception("on_resume_refresh raised; AGENTS.md stays as the config composes it")
            return None
        if refreshed is self.config or refreshed == self.config:
            return None
        spec = provision_spec(refreshed, self.task_id, task_root=self.paths.task_root)
        return compose_agents_md(spec)

    async def apply(self, ops: HostOps) -> list[str]:
        """Write AGENTS.md if it must change; the files that differ from the captured ones."""
        path = f"{self.paths.workspace}/{AGENTS_MD}"
        current = await read_file(ops, path)
        wanted = self._wanted()
        if wanted is not None and wanted != current:
            await write_file(ops, path, wanted.encode())
            current = wanted
        if self.captured is not None and current != self.captured:
            return [AGENTS_MD]
        return []


def resume_notice(restored: Restored | None, refreshed: list[str]) -> str:
    """The note before the agent's next message."""
    where = "from the task directory the host kept"
    if restored is not None:
        kind = "snapshot" if restored.source == "snapshot" else "optio-codex 0.4.8 snapshot"
        when = age_of(restored.created_at) if restored.created_at else "undated"
        where = f"from {kind} {restored.snapshot_id} (taken {when})"
    text = (
        f"{SYSTEM_MESSAGE_PREFIX}{RESUME_NOTICE} {where}. The workdir is as it was then (less "
        "the snapshot excludes); anything outside it, and every process you started, may be "
        "gone: the host may be another one."
    )
    if refreshed:
        text += f" Re-read {', '.join(refreshed)}: it changed since."
    return text
