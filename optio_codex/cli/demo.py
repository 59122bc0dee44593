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

from optio_codex.binary import CodexBinary, pinned_codex
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.events import Subscription
from optio_codex.driver.turns import TurnResult
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.hosts.ssh import SSHTarget, connect_ssh
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.model_server import ScriptedModelServer, slow
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo
from optio_codex.transport.ssh_exec import spawn_ssh_app_server

DEMO_ANSWER = (
    "Hello from codex app-server! This answer was streamed by a scripted local model, "
    "relayed through the real codex binary running over a verified SSH connection."
)


async def run_demo(prompt: str, out: TextIO = sys.stdout) -> int:
    binary = pinned_codex()
    with tempfile.TemporaryDirectory(prefix="optio-codex-demo-") as tmp:
        root = Path(tmp)
        async with ScriptedModelServer() as model:
            model.script(slow(DEMO_ANSWER, 0.02))
            daemon = LoopbackSshd(root / "sshd")
            sshd = await daemon.start()
            try:
                out.write(f"codex {binary.version} · sshd on {sshd.host}:{sshd.port}\n")
                result = await _converse(binary, sshd, root / "task", model.base_url, prompt, out)
            finally:
                await daemon.stop()
    out.write(f"\n[turn {result.status}; {result.usage.total_tokens} tokens]\n")
    return 0 if result.ok else 1


async def _converse(
    binary: CodexBinary, sshd: SshdInfo, task: Path, model_url: str, prompt: str, out: TextIO
) -> TurnResult:
    home, workspace, tmpdir = task / "home", task / "workspace", task / "tmp"
    for directory in (workspace, tmpdir):
        directory.mkdir(parents=True)
    write_test_codex_home(home / ".codex", model_url)
    started = time.monotonic()
    target = SSHTarget(
        host=sshd.host,
        port=sshd.port,
        username=sshd.username,
        client_keys=(sshd.client_key_path,),
        known_hosts=sshd.known_hosts_path,  # the host key is checked, as in production
    )
    conn = await connect_ssh(target)
    try:
        server = await spawn_ssh_app_server(
            conn,
            app_server_argv(str(binary.path)),
            env=app_server_env(home=str(home), codex_home=str(home / ".codex"), tmpdir=str(tmpdir)),
            cwd=str(workspace),
        )
        conversation = await CodexConversation.start(
            server, ConversationOptions(cwd=str(workspace))
        )
        out.write(f"thread ready in {(time.monotonic() - started) * 1000:.0f} ms\n> {prompt}\n")
        printer = asyncio.create_task(_print_deltas(conversation.subscribe(), out))
        try:
            return await conversation.run_turn(prompt, timeout=60)
        finally:
            await conversation.close()
            await printer
    finally:
        conn.close()


async def _print_deltas(events: Subscription, out: TextIO) -> None:
    async for event in events:
        if event.method == "item/agentMessage/delta":
            out.write(str(event.params.get("delta", "")))
            out.flush()
