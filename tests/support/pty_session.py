"""A command on a real pseudo-terminal: read what it prints, type answers, press Ctrl-C.

Waits are bounds on waiting, never assertions on time: a miss fails with what was printed.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

_CHUNK = 65536


class PtySession:
    """One child process whose stdin, stdout and stderr are the slave side of a pty."""

    def __init__(self, argv: Sequence[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.output = ""
        self._seen = 0  # where the next expect() starts looking
        self._status: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: a session leader whose controlling terminal is the pty
            try:
                os.chdir(cwd)
                os.execve(argv[0], list(argv), env)
            finally:
                os._exit(127)
        self.pid, self._fd = pid, fd

    def __enter__(self) -> PtySession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def expect(self, pattern: str, *, within: float = 120.0) -> re.Match[str]:
        """The next match of ``pattern`` (a regex) in what the command prints from here on."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + within
        while True:
            found = regex.search(self.output, self._seen)
            if found:
                self._seen = found.end()
                return found
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 1.0)) and self._ended()):
                raise AssertionError(f"never printed {pattern!r}; it printed:\n{self.output}")

    def send_line(self, text: str) -> None:
        os.write(self._fd, text.encode() + b"\r")

    def interrupt(self) -> None:
        """Ctrl-C typed at the terminal: the line discipline signals the foreground group."""
        os.write(self._fd, b"\x03")

    def wait(self, *, within: float = 120.0) -> int:
        """The exit status, reading all it prints until it exits."""
        deadline = time.monotonic() + within
        while not self._ended():
            if time.monotonic() > deadline:
                raise AssertionError(f"still running; it printed:\n{self.output}")
            self._read(0.2)
        while self._read(0.1):  # what is still buffered in the pty
            pass
        assert self._status is not None
        return os.waitstatus_to_exitcode(self._status)

    def close(self) -> None:
        """If it still runs: Ctrl-C (its own clean-up), then SIGKILL to its session."""
        if not self._ended():
            with contextlib.suppress(OSError):
                self.interrupt()
            deadline = time.monotonic() + 30
            while not self._ended() and time.monotonic() < deadline:
                self._read(0.2)
            if not self._ended():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                _, self._status = os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self._fd)

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self._fd, _CHUNK)
        except OSError:  # EIO: the child side is closed
            return False
        self.output += data.decode(errors="replace").replace("\r\n", "\n")
        return bool(data)

    def _ended(self) -> bool:
        if self._status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = status
        return self._status is not None
