"""The offline demonstration: real codex app-server over real SSH, against a scripted model.

Everything runs on this machine: a loopback OpenSSH sshd with fresh keys (host key verified),
the pinned codex binary, and a local stand-in for the model that streams a canned answer.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from optio_codex.binary import pinned_codex
from optio_codex.conversation import CodexConversation, ConversationOptions
from optio_codex.hosts.ssh import SSHTarget, connect_ssh
from optio_codex.launch import app_server_argv, app_server_env
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.model_server import ScriptedModelServer, slow
from optio_codex.testing.sshd import LoopbackSshd
from optio_codex.transport.ssh_exec import spawn_ssh_app_server

DEMO_ANSWER = (
    "Hello from codex app-server! This answer was streamed by a scripted local model, "
    "relayed through the real codex binary running over a verified SSH connection."
)


async def run_demo(prompt: str, out: TextIO = sys.stdout) -> int:
    binary = pinned_codex()
    with tempfile.TemporaryDirectory(prefix="optio-codex-demo-") as tmp:
        root = Path(tmp)
        async with ScriptedModelServer() as model, LoopbackSshd(root / "sshd") as sshd:
            model.script(slow(DEMO_ANSWER, 0.02))
            home = root / "task" / "home"
            codex_home = home / ".codex"
            workspace = root / "task" / "workspace"
            (root / "task" / "tmp").mkdir(parents=True)
            workspace.mkdir(parents=True)
            write_test_codex_home(codex_home, model.base_url)
            out.write(f"codex {binary.version} · sshd on 127.0.0.1:{sshd.port} (host key pinned)\n")
            started = time.monotonic()
            target = SSHTarget(
                host=sshd.host,
                port=sshd.port,
                username=sshd.username,
                client_keys=(sshd.client_key_path,),
                known_hosts=sshd.known_hosts_path,
            )
            conn = await connect_ssh(target)
            async with conn:
                server = await spawn_ssh_app_server(
                    conn,
                    app_server_argv(str(binary.path)),
                    env=app_server_env(
                        home=str(home),
                        codex_home=str(codex_home),
                        tmpdir=str(root / "task" / "tmp"),
                    ),
                    cwd=str(workspace),
                )
                conversation = await CodexConversation.start(
                    server, ConversationOptions(cwd=str(workspace))
                )
                ready = time.monotonic() - started
                out.write(f"thread {conversation.thread_id} ready in {ready * 1000:.0f} ms\n")
                out.write(f"> {prompt}\n")
                events = conversation.subscribe()

                async def stream() -> None:
                    async for event in events:
                        if event.method == "item/agentMessage/delta":
                            out.write(str(event.params.get("delta", "")))
                            out.flush()

                printer = asyncio.create_task(stream())
                result = await conversation.run_turn(prompt, timeout=60)
                await conversation.close()
                await printer
                out.write(f"\n[turn {result.status}; {result.usage.total_tokens} tokens]\n")
                return 0 if result.ok else 1
