"""Running one codex task in the test engine and reading what optio recorded of it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from optio_core import Optio
from optio_core.exceptions import ResultNotPublished

from optio_codex.driver.conversation import CodexConversation
from optio_codex.factory import create_codex_task
from optio_codex.task.config import CodexTaskConfig, SSHConfig
from optio_codex.testing.sshd import SshdInfo

Engine = tuple[Optio, list[Any]]
TERMINAL = ("done", "failed", "cancelled")


def ssh_to(sshd: SshdInfo) -> SSHConfig:
    return SSHConfig(
        host=sshd.host,
        port=sshd.port,
        user=sshd.username,
        key_path=str(sshd.client_key_path),
        known_hosts=str(sshd.known_hosts_path),
    )


async def launch(engine: Engine, process_id: str, config: CodexTaskConfig) -> CodexConversation:
    """Define the task, launch it, and return the conversation it publishes."""
    fw, tasks = engine
    tasks.append(create_codex_task(process_id, process_id, config))
    await fw.resync()
    try:
        conversation = await fw.launch_and_await_result(process_id, session_id=None, timeout=60)
    except ResultNotPublished:
        proc = await fw.get_process(process_id) or {}
        status = proc.get("status")
        raise AssertionError(f"{process_id} ended before its conversation: {status}") from None
    assert isinstance(conversation, CodexConversation)
    return conversation


async def process_when(
    fw: Optio, process_id: str, ready: Callable[[dict[str, Any]], bool], *, within: float = 30.0
) -> dict[str, Any]:
    """The process record once ``ready`` holds for it (a bound on waiting, not a timing
    assertion: the message says what was last seen)."""
    proc: dict[str, Any] | None = None
    try:
        async with asyncio.timeout(within):
            while True:
                proc = await fw.get_process(process_id)
                if proc is not None and ready(proc):
                    return proc
                await asyncio.sleep(0.05)
    except TimeoutError:
        seen = {k: (proc or {}).get(k) for k in ("status", "progress", "log")}
        raise AssertionError(f"{process_id}: never got there; last seen {seen}") from None


async def process_end(fw: Optio, process_id: str, *, within: float = 30.0) -> dict[str, Any]:
    return await process_when(
        fw, process_id, lambda p: p["status"]["state"] in TERMINAL, within=within
    )


def log_messages(proc: dict[str, Any]) -> list[str]:
    return [str(entry.get("message")) for entry in proc.get("log") or []]
