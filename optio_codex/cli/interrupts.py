"""Ctrl-C, a closed terminal and SIGTERM in ``optio-codex run``: a clean stop, or at once.

The first signal (SIGINT, SIGHUP or SIGTERM) cancels the command's main task wherever it
waits — starting mongod, provisioning, mid-turn, in an SSH outage, at an approval question.
The code that runs after the cancel cancels the optio process, so the task's own teardown
stops codex on the host and removes the task directory, and then stops the engine and the
embedded mongod; the command exits 130. Starting a child service (mongod, the demo's sshd) is
not cut midway, where its stop could miss the child: a signal then takes effect as soon as the
start is done. A second signal quits at once: it kills our children (mongod among them),
removes our temporary directories and exits 130 without waiting for anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

EXIT_INTERRUPTED = 130
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_WHAT = {
    signal.SIGINT: "interrupted",
    signal.SIGTERM: "terminated (SIGTERM)",
    signal.SIGHUP: "the terminal closed",
}


class Interrupts:
    """The command's signal handlers; ``notice`` prints a line (it must not raise)."""

    def __init__(self, notice: Callable[[str], None]) -> None:
        self.received: list[signal.Signals] = []
        self._notice = notice
        self._main: asyncio.Task[object] | None = None
        self._deferring = 0
        self._pending = False
        self._dirs: list[Path] = []

    @property
    def interrupted(self) -> bool:
        return bool(self.received)

    def install(self) -> None:
        """Handle the signals in the calling (main) task's loop. Call it again after code that
        installs its own handlers (optio's engine.run() takes SIGINT and SIGTERM)."""
        self._main = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in _SIGNALS:
            # Only the main thread may take signals (a caller in another thread: none taken).
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(sig, self._on_signal, sig)

    def uninstall(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in _SIGNALS:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)

    def own_dir(self, path: Path) -> None:
        """A temporary directory of ours: a quit at once removes it too."""
        self._dirs.append(path)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """A step a cancel must not cut (starting a child process): a signal waits for it."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
            if self._pending and not self._deferring:
                self._pending = False
                self._cancel_main()

    def _on_signal(self, sig: signal.Signals) -> None:
        self.received.append(sig)
        if sig == signal.SIGHUP:
            _silence_terminal()
        if len(self.received) > 1:
            self._quit_now()
        self._notice(
            f"[{_WHAT.get(sig, sig.name)}: stopping codex and cleaning up; "
            "press Ctrl-C again to quit at once]"
        )
        if self._deferring:
            self._pending = True
        else:
            self._cancel_main()

    def _cancel_main(self) -> None:
        if self._main is not None and not self._main.done():
            self._main.cancel()

    def _quit_now(self) -> None:
        self._notice("[quitting at once: codex may still run on the host]")
        kill_children()
        for path in self._dirs:
            shutil.rmtree(path, ignore_errors=True)
        os._exit(EXIT_INTERRUPTED)


def kill_children() -> None:
    """SIGKILL to every child process of ours (a child leading its own group: the group)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid != me:
            continue
        pid = int(entry.name)
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)


def _silence_terminal() -> None:
    """The terminal is gone: what is still printed goes nowhere instead of failing (a write
    to a hung-up terminal raises, and a failed flush at exit would change the exit code)."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)


async def read_line(read: Callable[[], str]) -> str:
    """``read()`` (a blocking line read from the terminal) in a daemon thread.

    An executor thread blocked on the terminal would keep the process from exiting after an
    interrupt until someone pressed Enter; a daemon thread does not.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def settle(line: str | None, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(line or "")

    def reader() -> None:
        try:
            line = read()
        except BaseException as exc:  # handed to the waiting coroutine
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(settle, None, exc)
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, line, None)

    threading.Thread(target=reader, name="terminal-line", daemon=True).start()
    return await done
