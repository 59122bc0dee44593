"""The app-server as a process on a remote host, over the stdio of one SSH exec channel."""

from __future__ import annotations

import asyncio
import contextlib
import shlex
from collections.abc import Mapping, Sequence

import asyncssh

from optio_codex.transport.stderr_ring import StderrRing

_READ_SIZE = 256 * 1024


class SshLaunchError(RuntimeError):
    """The remote launcher failed before the app-server started."""


def build_exec_command(argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> str:
    """A shell-independent command line that reports its pid, then execs ``argv`` under ``env``.

    The user's login shell may be csh or fish, so everything runs under /bin/sh. sshd makes the
    exec child a session leader, so the reported pid is also the process group to kill.
    Only non-secret values may be passed in ``env``: they are visible in the process list.
    """
    env_args = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
    cd = f"cd {shlex.quote(cwd)} && " if cwd else ""
    inner = f'echo "$$"; {cd}exec env -i {env_args} {shlex.join(argv)}'
    return f"exec /bin/sh -c {shlex.quote(inner)}"


class SshExecStream:
    """A :class:`~optio_codex.protocol.streams.ByteStream` over an SSH exec channel."""

    def __init__(
        self, process: asyncssh.SSHClientProcess[bytes], stderr: StderrRing, first: bytes
    ) -> None:
        self._process = process
        self._stderr = stderr
        self._first = first  # bytes read past the pid line

    async def read(self) -> bytes:
        if self._first:
            data, self._first = self._first, b""
            return data
        try:
            return await self._process.stdout.read(_READ_SIZE)
        except asyncssh.Error as exc:
            raise ConnectionError(f"SSH channel failed: {exc}") from exc

    async def write(self, data: bytes) -> None:
        try:
            self._process.stdin.write(data)
            await self._process.stdin.drain()
        except (asyncssh.Error, BrokenPipeError) as exc:
            raise ConnectionError(f"SSH channel failed: {exc}") from exc

    async def close(self) -> None:
        with contextlib.suppress(asyncssh.Error, OSError):
            if not self._process.stdin.is_closing():
                self._process.stdin.write_eof()

    def stderr_tail(self) -> str:
        return self._stderr.tail()


class SshAppServer:
    """A running remote app-server reached through one exec channel."""

    def __init__(
        self,
        conn: asyncssh.SSHClientConnection,
        process: asyncssh.SSHClientProcess[bytes],
        pid: int,
        stderr: StderrRing,
        first: bytes,
    ) -> None:
        self.conn = conn
        self.process = process
        self.pid = pid
        self.stderr = stderr
        self.stream = SshExecStream(process, stderr, first)
        self._stderr_task = asyncio.get_running_loop().create_task(
            stderr.drain(lambda: process.stderr.read(_READ_SIZE))
        )

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    async def wait(self, timeout: float | None = None) -> int | None:
        try:
            async with asyncio.timeout(timeout):
                await self.process.wait_closed()
        except TimeoutError:
            return None
        return self.process.returncode

    async def kill(self) -> None:
        """SIGKILL the remote process group through a second channel on the same connection."""
        with contextlib.suppress(asyncssh.Error, OSError):
            await self.conn.run(f"kill -KILL -{self.pid} 2>/dev/null", check=False)

    async def stop(self, grace: float = 3.0) -> int | None:
        await self.stream.close()
        code = await self.wait(grace)
        await self.kill()  # the group may hold command children even after a clean exit
        if code is None:
            code = await self.wait(5.0)
        self.process.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self._stderr_task, 1.0)
        return code


async def spawn_ssh_app_server(
    conn: asyncssh.SSHClientConnection,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str | None = None,
    stderr_max_bytes: int = 64 * 1024,
    start_timeout: float = 15.0,
) -> SshAppServer:
    """Exec ``argv`` on the host with exactly ``env`` (no login-shell environment)."""
    command = build_exec_command(argv, env, cwd)
    process = await conn.create_process(command, encoding=None, request_pty=False)
    stderr = StderrRing(stderr_max_bytes)
    buf = b""
    try:
        async with asyncio.timeout(start_timeout):
            while b"\n" not in buf:
                chunk = await process.stdout.read(4096)
                if not chunk:
                    err = (await process.stderr.read(65536)).decode(errors="replace")
                    raise SshLaunchError(f"remote launcher exited before starting codex: {err}")
                buf += chunk
    except TimeoutError:
        process.close()
        raise SshLaunchError(f"remote launcher did not start within {start_timeout}s") from None
    pid_line, _, rest = buf.partition(b"\n")
    try:
        pid = int(pid_line.strip())
    except ValueError:
        process.close()
        raise SshLaunchError(f"unexpected launcher output {pid_line[:80]!r}") from None
    return SshAppServer(conn, process, pid, stderr, rest)
