"""Drive one codex thread locally: a streamed answer, then a command allowed by a policy.

Runs offline against the scripted stand-in model:  .venv/bin/python examples/local_turn.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from optio_codex.binary import pinned_codex
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.policies import RulePolicy
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.model_server import ScriptedModelServer, exec_command, text
from optio_codex.transport.local import spawn_local_app_server


async def main() -> None:
    # Not under /tmp: codex's sandbox keeps /tmp read-only for the agent.
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        root = Path(tmp)
        home, workspace, scratch = root / "home", root / "workspace", root / "tmp"
        for d in (home, workspace, scratch):
            d.mkdir()
        async with ScriptedModelServer() as model:
            write_test_codex_home(home / ".codex", model.base_url)
            server = await spawn_local_app_server(
                app_server_argv(str(pinned_codex().path)),
                env=app_server_env(
                    home=str(home), codex_home=str(home / ".codex"), tmpdir=str(scratch)
                ),
                cwd=workspace,
            )
            # Unattended: `touch` is allowed by rule, everything else is denied.
            gate = GateSettings(policy=RulePolicy(allow_command_prefixes=("touch",)))
            conversation = await CodexConversation.start(
                server, ConversationOptions(cwd=str(workspace)), gate
            )
            try:
                model.script(text("Hi! I am codex, running locally."))
                first = await conversation.run_turn("Introduce yourself.", timeout=60)
                print("answer:", first.final_text)

                model.script(*exec_command("touch hello.txt").then("Created hello.txt."))
                second = await conversation.run_turn("Create hello.txt.", timeout=60)
                print("answer:", second.final_text)
                print("hello.txt exists:", (workspace / "hello.txt").exists())
                print("tokens used:", conversation.total_usage.total_tokens)
            finally:
                await conversation.close()


if __name__ == "__main__":
    asyncio.run(main())
