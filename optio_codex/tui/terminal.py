"""A tmux client in a pty on the task's host, for one browser terminal.

Over SSH the pty is the task's own connection's (asyncssh ``create_process`` with a
``term_type``; ``change_terminal_size`` on a resize): no other channel, no binary on the
host. On the worker itself it is a local pty, made the client's controlling terminal (setsid
plus TIOCSCTTY), or resizes would send no SIGWINCH and tmux would keep its first size.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import struct
import termios
from typing import Any, Protocol

import asyncssh

from optio_codex.hosts.launch import child_environ

TERM = "xterm-256color"
_READ = 65536


class Pty(Protocol):
    async def read(self) -> bytes:
        """The next output; b"" once the client has ended."""
        ...

    def write(self, data: bytes) -> None: ...

    def resize(self, cols: int, rows: int) -> None: ...

    def close(self) -> None: ...


class SshPty:
    def __init__(self, process: asyncssh.SSHClientProcess[bytes]) -> None:
        self._process = process

    @classmethod
    async def open(
        cls, conn: asyncssh.SSHClientConnection, command: str, cols: int, rows: int
    ) -> SshPty:
        process = await conn.create_process(
            # The connection asks for no pty by default: this channel needs one.
            command,
            term_type=TERM,
            term_size=(cols, rows),
            request_pty=True,
            encoding=None,
        )
        return cls(process)

    async def read(self) -> bytes:
        try:
            return await self._process.stdout.read(_READ)
        except (asyncssh.Error, OSError, asyncio.IncompleteReadError):
            return b""

    def write(self, data: bytes) -> None:
        with contextlib.suppress(asyncssh.Error, OSError, BrokenPipeError):
            self._process.stdin.write(data)

    def resize(self, cols: int, rows: int) -> None:
        with contextlib.suppress(asyncssh.Error, OSError):
            self._process.change_terminal_size(cols, rows)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._process.close()


def _set_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class LocalPty:
    def __init__(self, process: asyncio.subprocess.Process, master: int) -> None:
        self._process = process
        self._master = master
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        asyncio.get_running_loop().add_reader(master, self._readable)

    @classmethod
    async def open(cls, argv: list[str], cols: int, rows: int) -> LocalPty:
        master, slave = os.openpty()
        _set_size(slave, cols, rows)
        env = {**child_environ(), "TERM": TERM}
        try:
            # setsid -c: a session of its own with the pty as its controlling terminal (util-linux,
            # as the detached app-server's launch uses; no preexec_fn in a threaded engine).
            process = await asyncio.create_subprocess_exec(
                "setsid",
                "-c",
                *argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
            )
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        return cls(process, master)

    def _readable(self) -> None:
        try:
            data = os.read(self._master, _READ)
        except OSError:  # EIO: the client ended and closed its side
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self._master)
        self._queue.put_nowait(data)

    async def read(self) -> bytes:
        return await self._queue.get()

    def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            os.write(self._master, data)

    def resize(self, cols: int, rows: int) -> None:
        with contextlib.suppress(OSError):
            _set_size(self._master, cols, rows)

    def close(self) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._master)
        with contextlib.suppress(OSError):
            os.close(self._master)
        if self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()  # asyncio's child watcher reaps it


async def open_pty(session: Any, command: str, cols: int, rows: int) -> Pty:
    """A tmux client for ``command``: over the task's SSH session, else on this machine."""
    if session is not None:
        conn = await session.connection()  # waits out a reconnect
        return await SshPty.open(conn, command, cols, rows)
    return await LocalPty.open(["/bin/sh", "-c", command], cols, rows)
