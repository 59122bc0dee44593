"""What a stopped ``optio-codex run`` may leave on the worker: its children, its temp dirs.

And a pseudo-terminal whose terminal can be closed (the window closed: SIGHUP).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from tests.support.pty_session import PtySession

# The command's own temporary directories (the embedded mongod's, the demo's).
_OURS = re.compile(rb"/var/tmp/optio-codex-(?:mongo|demo)-[A-Za-z0-9_]+")


def children_of(pid: int) -> dict[int, bytes]:
    """The live children of ``pid`` and their command lines."""
    found: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found[int(entry.name)] = cmdline
    return found


def still_alive(pids: dict[int, bytes], within: float = 10.0) -> list[str]:
    """Which of ``pids`` (from children_of) still run, zombies excluded, once they had
    ``within`` seconds to die: a SIGKILLed process (mongod and its threads) takes a moment to
    go, more so on a loaded machine. A bound on waiting, not a timing assertion."""
    deadline = time.monotonic() + within
    while True:
        alive = _running(pids)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _running(pids: dict[int, bytes]) -> list[str]:
    alive = []
    for pid, cmdline in pids.items():
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            alive.append(f"{pid}: {cmdline[:200].decode(errors='replace')}")
    return alive


def temp_dirs_of(pids: dict[int, bytes]) -> set[Path]:
    """The command's temporary directories its children's command lines name."""
    return {Path(m.decode()) for cmd in pids.values() for m in _OURS.findall(cmd)}


class ClosablePty(PtySession):
    """A PtySession whose terminal can be closed, as when its window is closed."""

    _hung_up = False

    def hang_up(self) -> None:
        os.close(self._fd)
        self._fd = os.open(os.devnull, os.O_RDONLY)  # close() later closes this one
        self._hung_up = True

    def _read(self, timeout: float) -> bool:
        if self._hung_up:
            time.sleep(timeout)
            return False
        return super()._read(timeout)
