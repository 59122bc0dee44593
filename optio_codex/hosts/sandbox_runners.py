"""How the sandbox preflight's one script reaches the host: a /bin/sh on this machine, or one
exec channel of an SSH connection (split from sandbox.py, which re-exports both)."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Awaitable, Callable
from typing import Any

from optio_codex.hosts.launch import child_environ

# The host runs the script with /bin/sh and returns (exit code, stdout, stderr).
RunScript = Callable[[str], Awaitable[tuple[int, str, str]]]


async def run_local(script: str) -> tuple[int, str, str]:
    """Run the preflight script on this machine."""
    process = await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        script,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=child_environ(),  # no secrets in a child's /proc/<pid>/environ
    )
    try:
        out, err = await process.communicate()
    except BaseException:
        # Cancelled (e.g. the preflight's timeout): do not leave the child behind.
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    code = process.returncode if process.returncode is not None else -1
    return code, out.decode(errors="replace"), err.decode(errors="replace")


def ssh_runner(conn: Any) -> RunScript:
    """A runner over an asyncssh connection: one exec channel, the script under /bin/sh
    (whatever the user's login shell is)."""

    async def run(script: str) -> tuple[int, str, str]:
        result = await conn.run(f"exec /bin/sh -c {shlex.quote(script)}", check=False)
        code = result.exit_status if result.exit_status is not None else -1
        return code, _text(result.stdout), _text(result.stderr)

    return run


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
