"""The app-server as a local child process, spoken to over its stdio."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path

from optio_codex.transport.stderr_ring import StderrRing

_READ_SIZE = 256 * 1024


class LocalProcessStream:
    """A :class:`~optio_codex.protocol.streams.ByteStream` over a child's stdin/stdout."""

    def __init__(self, process: asyncio.subprocess.Process, stderr: StderrRing) -> None:
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._stdin = process.stdin
        self._stdout = process.stdout
        self._stderr = stderr

    async def read(self) -> bytes:
        return await self._stdout.read(_READ_SIZE)

    async def write(self, data: bytes) -> None:
        self._stdin.write(data)
        await self._stdin.drain()

    async def close(self) -> None:
        if not self._stdin.is_closing():
            self._stdin.close()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await self._stdin.wait_closed()

    def stderr_tail(self) -> str:
        return self._stderr.tail()


class LocalAppServer:
    """A running local app-server: its stream, and the means to stop its process group."""

    def __init__(self, process: asyncio.subprocess.Process, stderr: StderrRing) -> None:
        self.process = process
        self.stderr = stderr
        self.stream = LocalProcessStream(process, stderr)
        assert process.stderr is not None
        self._stderr_task = asyncio.get_running_loop().create_task(
            stderr.drain(lambda: process.stderr.read(_READ_SIZE))  # type: ignore[union-attr]
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    async def wait(self, timeout: float | None = None) -> int | None:
        """The exit code, or None if it is still running after ``timeout``."""
        try:
            async with asyncio.timeout(timeout):
                return await self.process.wait()
        except TimeoutError:
            return None

    def kill(self) -> None:
        """SIGKILL the whole process group, so no command child outlives the server."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    async def stop(self, grace: float = 3.0) -> int | None:
        """Clean stop: stdin EOF, a grace period, then a kill of the group."""
        await self.stream.close()
        code = await self.wait(grace)
        if code is None:
            self.kill()
            code = await self.wait(5.0)
        else:
            self.kill()  # reap stragglers the server left in its group
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._stderr_task, 1.0)
        return code


async def spawn_local_app_server(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: str | Path | None = None,
    stderr_max_bytes: int = 64 * 1024,
) -> LocalAppServer:
    """Start ``argv`` (the native codex binary and its arguments) with exactly ``env``."""
    process = await asyncio.create_subprocess_exec(
        *[str(a) for a in argv],
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(env),
        cwd=str(cwd) if cwd is not None else None,
        start_new_session=True,  # own process group: a kill reaches every command child
        limit=_READ_SIZE,
    )
    return LocalAppServer(process, StderrRing(stderr_max_bytes))
