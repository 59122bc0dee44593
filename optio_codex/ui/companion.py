"""The host UI as a run companion: started with the conversation, stopped before codex."""

from __future__ import annotations

from optio_codex.task.companions import RunCompanion, RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig


class HostUi:
    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config

    async def start(self, run: RunView) -> None:
        raise NotImplementedError("the host UI listener is being built")

    async def stop(self, ending: RunEnding) -> None:
        return None


def host_ui_for(config: CodexTaskConfig) -> RunCompanion | None:
    return HostUi(config) if config.conversation_ui else None
