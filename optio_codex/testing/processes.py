"""Child processes of the test services: ports, spawning, readiness, logs, and stopping them all.

Generic over the service: sshd, mongod and the engine processes use these; nothing here knows
which program it runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from optio_codex.hosts.launch import child_environ

LOOPBACK = "127.0.0.1"


class ServiceStartError(RuntimeError):
    """A local service did not come up; the message carries the tail of its log."""


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def logs_tail(log_paths: Sequence[Path]) -> str:
    """The tails of several logs, each under its file name."""
    tails = [f"{path.name}:\n{log_tail(path)}" for path in log_paths if path.exists()]
    return "\n".join(tails) or "(no log)"


def _parent_pids() -> dict[int, int]:
    """pid -> parent pid for every visible process, read from /proc (Linux)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name may contain spaces or parentheses; fields resume after the last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process exited while we looked
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def descendant_pids(pid: int) -> list[int]:
    """All descendants of a process, parents before their children."""
    children: dict[int, list[int]] = {}
    for child, parent in _parent_pids().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop(0)
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def pid_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is dead for our purposes.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def spawn_service(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start a service with stdout and stderr going to a fresh log file."""
    with log_path.open("wb") as log:  # fresh per attempt: an error shows only this one
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C aimed at the test runner must not reach the service first.
            start_new_session=True,
            env=child_environ(),  # no API or provider key in mongod's or sshd's environment
        )
    return proc


def terminate_process(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """Stop a service by its pid: SIGTERM, wait, then SIGKILL; also its forked children.

    Children are collected first because sshd's per-connection processes call setsid() and
    would otherwise outlive the listener.
    """
    if proc.poll() is not None:
        return
    children = descendant_pids(proc.pid)
    _signal(proc.pid, signal.SIGTERM)
    for child in children:
        _signal(child, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + grace
    for child in children:
        while pid_alive(child) and time.monotonic() < deadline:
            time.sleep(0.01)
        if pid_alive(child):
            _signal(child, signal.SIGKILL)


def wait_until(
    probe: Callable[[], bool],
    proc: subprocess.Popen[bytes],
    timeout: float,
    what: str,
    log_paths: Sequence[Path],
) -> None:
    """Poll `probe` until it holds; fail fast with the log tail if the process exits."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServiceStartError(
                f"{what} exited with status {proc.returncode} during startup; "
                f"log tail:\n{logs_tail(log_paths)}"
            )
        if probe():
            return
        if time.monotonic() > deadline:
            raise ServiceStartError(
                f"{what} did not become ready within {timeout:.0f}s; "
                f"log tail:\n{logs_tail(log_paths)}"
            )
        time.sleep(0.02)
