"""A durable conversation: the connection breaks mid-answer, then the app-server is killed.

codex runs detached on a unix socket; the driver reconnects and resumes after the first fault,
and relaunches codex on the same CODEX_HOME after the second. Offline, against the scripted
stand-in model:  .venv/bin/python examples/durable_session.py
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from pathlib import Path
from typing import Any

from optio_codex.binary import pinned_codex
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.recovery import RecoverySettings
from optio_codex.hosts.detached_server import LocalDialer, start_detached_app_server
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.model_server import ScriptedModelServer, slow, text

ANSWER = "A long answer, streamed word by word, that no broken connection can cut short."


class Streaming:
    """Sets ``started`` once a turn has streamed a few deltas (a fault then lands mid-answer)."""

    def __init__(self, after: int = 3) -> None:
        self.after = after
        self.deltas = 0
        self.started = asyncio.Event()

    def see(self, event: Any) -> None:
        if event.type == "turn/started":
            self.deltas = 0
        elif event.type == "item/agentMessage/delta":
            self.deltas += 1
            if self.deltas == self.after:
                self.started.set()


async def main() -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        root = Path(tmp)
        home, workspace, scratch = root / "home", root / "workspace", root / "tmp"
        for d in (home, workspace, scratch):
            d.mkdir()
        env = app_server_env(home=str(home), codex_home=str(home / ".codex"), tmpdir=str(scratch))

        async def launch() -> Any:  # also what recovery calls when codex has died
            return await start_detached_app_server(
                LocalDialer(),
                app_server_argv(str(pinned_codex().path)),
                env=env,
                cwd=str(workspace),
                socket_path=str(root / "app-server.sock"),
                log_path=str(root / "app-server.log"),
            )

        async with ScriptedModelServer() as model:
            write_test_codex_home(home / ".codex", model.base_url)
            conversation = await CodexConversation.start(
                await launch(),
                ConversationOptions(cwd=str(workspace)),
                recovery=RecoverySettings(relaunch=launch, interrupted_turn="resend"),
            )
            streaming = Streaming()
            conversation.on_event(streaming.see)
            try:
                # 1. The connection breaks while the answer streams.
                model.script(slow(ANSWER, 0.02, chunk_size=6))
                turn = asyncio.create_task(conversation.run_turn("Tell me something.", timeout=60))
                await streaming.started.wait()
                conversation.server.stream._writer.transport.abort()  # type: ignore[attr-defined]
                result = await turn
                print("after a cut:", result.status, "-", result.final_text)
                print("reconnects:", conversation.reconnects)

                # 2. codex itself dies mid-turn: relaunched, and the turn sent again.
                model.script(slow(ANSWER, 0.05, chunk_size=4), text("Picked up again."))
                streaming.started.clear()
                turn = asyncio.create_task(conversation.run_turn("Once more.", timeout=60))
                await streaming.started.wait()
                os.killpg(conversation.server.pid, signal.SIGKILL)  # type: ignore[attr-defined]
                print("the killed turn:", (await turn).status)
                again = await conversation.wait_for_turn(timeout=60)
                print("the resent turn:", again.status, "-", again.final_text)
                print("relaunches:", conversation.relaunches)
            finally:
                await conversation.close()


if __name__ == "__main__":
    asyncio.run(main())
