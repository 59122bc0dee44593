"""Finding processes on this machine by what their command line or environment holds."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


def _state(entry: Path) -> str:
    try:
        return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def processes_holding(needle: bytes) -> list[str]:
    """Live processes (zombies excluded) whose command line or environment holds ``needle``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for part in ("cmdline", "environ"):
            try:
                data = (entry / part).read_bytes()
            except OSError:
                continue
            if needle in data and _state(entry) not in ("Z", "X"):
                try:
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    cmd = "?"
                found.append(f"{entry.name} ({part}): {cmd[:200]}")
                break
    return found


def codex_processes(codex_home: str | Path) -> list[str]:
    """Processes of one task: codex passes CODEX_HOME on to everything it runs."""
    return processes_holding(f"CODEX_HOME={codex_home}\0".encode())


async def wait_none_holding(needle: bytes, within: float = 5.0) -> list[str]:
    """``processes_holding(needle)`` once it is empty, or when ``within`` seconds passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while (left := processes_holding(needle)) and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return left


async def wait_gone(codex_home: str | Path, within: float = 5.0) -> list[str]:
    """The task's processes still there after ``within`` seconds ([] as soon as none are)."""
    return await wait_none_holding(f"CODEX_HOME={codex_home}\0".encode(), within)
