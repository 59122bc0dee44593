"""Running one-line /bin/sh scripts on a task's host, and reading what they report.

Every host chore (provisioning, the process registry, the detached app-server, the task's
state file) is a POSIX sh script of one line, started through :class:`HostOps` — over an SSH
exec channel (:class:`SshOps`, :class:`LiveSshOps`) or on the worker itself
(:class:`LocalOps`). A script reports on stdout with tagged lines, ``OPTIO-RESULT <json>`` or
``OPTIO-ERROR <reason>``; :func:`run_script` turns the last one into a dict or an exception.
Data (file contents, secrets) travels on stdin, never in the exec string.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shlex
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import asyncssh

from optio_codex.hosts.launch import child_environ
from optio_codex.transport.socket import ConnectionSource


class HostScriptError(RuntimeError):
    """A script on the host failed; the message says why (its OPTIO-ERROR, or its stderr)."""


# Helpers every script may start with: a 0600 umask, fail() reporting an OPTIO-ERROR, and
# expand() resolving "~" against the host's $HOME.
SCRIPT_PRELUDE = (
    "set -u; umask 077; "
    "fail() { printf 'OPTIO-ERROR %s\\n' \"$1\"; exit 3; }; "
    'expand() { case "$1" in "~") printf %s "$HOME";; "~/"*) printf %s/%s "$HOME" "${1#??}";; '
    '/*) printf %s "$1";; *) return 1;; esac; }; '
)


# --- round-trip accounting --------------------------------------------------------------------


@dataclass
class RoundTrips:
    """Network waits spent, for the launch-latency budget.

    ``execs`` and ``sftp_sessions`` count channel opens; ``exchanges`` counts further waits
    inside an open channel (reading the path report before sending the tar; one batch of
    concurrent SFTP uploads).
    """

    execs: int = 0
    sftp_sessions: int = 0
    exchanges: int = 0

    @property
    def total(self) -> int:
        return self.execs + self.sftp_sessions + self.exchanges


# --- what the host runs: a small protocol with an SSH and a local implementation ------------


@dataclass(frozen=True)
class CommandResult:
    returncode: int | None
    stdout: bytes
    stderr: bytes


class HostProcess(Protocol):
    async def readline(self) -> bytes: ...

    async def read(self, n: int) -> bytes:
        """Up to ``n`` bytes of stdout (b"" at its end): for binary streams such as a tar."""
        ...

    async def write(self, data: bytes) -> None: ...

    async def finish(self, timeout: float | None) -> CommandResult:
        """Close stdin, wait for exit, return the rest of stdout and all of stderr."""
        ...

    def close(self) -> None:
        """Abandon the process (on errors and timeouts)."""
        ...


class HostOps(Protocol):
    trips: RoundTrips

    async def start(self, script: str, args: Sequence[str]) -> HostProcess:
        """Run ``script`` under /bin/sh with ``args`` as $1..; stdin/stdout are pipes."""
        ...

    async def put_files(self, files: Sequence[tuple[Path, str]]) -> None:
        """Copy local files to absolute host paths (parents exist)."""
        ...


def check_shell_safe(script: str, args: Sequence[str]) -> None:
    # The exec string passes through the login shell first: csh rejects newlines inside
    # quotes and expands "!" even there; fish unescapes backslashes inside single quotes.
    for text in (script, *args):
        if "\n" in text or "!" in text or "\\\\" in text or "\0" in text:
            raise ValueError(f"unsafe text for a remote shell: {text[:60]!r}")


class _SshProcess:
    def __init__(self, process: asyncssh.SSHClientProcess[bytes]) -> None:
        self._process = process

    async def readline(self) -> bytes:
        return await self._process.stdout.readline()

    async def read(self, n: int) -> bytes:
        return await self._process.stdout.read(n)

    async def write(self, data: bytes) -> None:
        self._process.stdin.write(data)
        await self._process.stdin.drain()

    async def finish(self, timeout: float | None) -> CommandResult:
        with contextlib.suppress(asyncssh.Error, OSError):
            self._process.stdin.write_eof()
        async with asyncio.timeout(timeout):
            out = await self._process.stdout.read()
            err = await self._process.stderr.read()
            await self._process.wait_closed()
        return CommandResult(self._process.returncode, out, err)

    def close(self) -> None:
        self._process.close()


class SshOps:
    """HostOps over one asyncssh connection: exec channels and SFTP, nothing else."""

    def __init__(self, conn: asyncssh.SSHClientConnection) -> None:
        self.conn = conn
        self.trips = RoundTrips()

    async def start(self, script: str, args: Sequence[str]) -> HostProcess:
        check_shell_safe(script, args)
        # Plain /bin/sh whatever the login shell is; no env requests (sshd drops them).
        command = f"exec /bin/sh -c {shlex.quote(script)} optio-codex {shlex.join(args)}"
        self.trips.execs += 1
        process = await self.conn.create_process(command, encoding=None, request_pty=False)
        return _SshProcess(process)

    async def put_files(self, files: Sequence[tuple[Path, str]]) -> None:
        self.trips.sftp_sessions += 1
        async with self.conn.start_sftp_client() as sftp:
            self.trips.exchanges += 1  # the uploads are pipelined as one batch
            await asyncio.gather(*(sftp.put(str(src), dst) for src, dst in files))


class LiveSshOps:
    """HostOps that run each script on the connection live at that moment, so a reconnect
    between two scripts is invisible to their callers."""

    def __init__(self, source: ConnectionSource) -> None:
        self.source = source
        self.trips = RoundTrips()

    async def start(self, script: str, args: Sequence[str]) -> HostProcess:
        ops = SshOps(await self.source.connection())
        ops.trips = self.trips
        return await ops.start(script, args)

    async def put_files(self, files: Sequence[tuple[Path, str]]) -> None:
        ops = SshOps(await self.source.connection())
        ops.trips = self.trips
        await ops.put_files(files)


class _LocalProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    async def readline(self) -> bytes:
        assert self._process.stdout is not None
        return await self._process.stdout.readline()

    async def read(self, n: int) -> bytes:
        assert self._process.stdout is not None
        return await self._process.stdout.read(n)

    async def write(self, data: bytes) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(data)
        await self._process.stdin.drain()

    async def finish(self, timeout: float | None) -> CommandResult:
        assert self._process.stdin is not None
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        async with asyncio.timeout(timeout):
            out, err = await self._process.communicate()
        return CommandResult(self._process.returncode, out, err)

    def close(self) -> None:
        if self._process.returncode is None:
            self._process.kill()


class LocalOps:
    """HostOps for the worker itself: the same scripts, run by a local /bin/sh."""

    def __init__(self) -> None:
        self.trips = RoundTrips()

    async def start(self, script: str, args: Sequence[str]) -> HostProcess:
        self.trips.execs += 1
        process = await asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            script,
            "optio-codex",
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_environ(),  # no secrets in a child's /proc/<pid>/environ
        )
        return _LocalProcess(process)

    async def put_files(self, files: Sequence[tuple[Path, str]]) -> None:
        self.trips.exchanges += 1
        for src, dst in files:
            await asyncio.to_thread(shutil.copyfile, src, dst)


def as_ops(target: asyncssh.SSHClientConnection | HostOps) -> HostOps:
    if isinstance(target, asyncssh.SSHClientConnection):
        return SshOps(target)
    return target


# --- talking to the scripts -------------------------------------------------------------------


def parse_result_line(
    line: bytes,
    tag: str,
    stderr: bytes = b"",
    *,
    error: type[HostScriptError] = HostScriptError,
) -> dict[str, Any]:
    """One ``OPTIO-<tag> <json object>`` line; an ``OPTIO-ERROR`` line raises ``error``."""
    text = line.decode(errors="replace").strip()
    if text.startswith("OPTIO-ERROR "):
        raise error(text.removeprefix("OPTIO-ERROR ") + _stderr_note(stderr))
    prefix = f"OPTIO-{tag} "
    if not text.startswith(prefix):
        raise error(f"unexpected host output {text[:200]!r}" + _stderr_note(stderr))
    try:
        value = json.loads(text.removeprefix(prefix))
    except json.JSONDecodeError as exc:
        raise error(f"unreadable host output {text[:200]!r}") from exc
    if not isinstance(value, dict):
        raise error(f"unreadable host output {text[:200]!r}")
    return value


def _stderr_note(stderr: bytes) -> str:
    tail = stderr.decode(errors="replace").strip()[-500:]
    return f" (stderr: {tail})" if tail else ""


def last_result(
    out: bytes,
    tag: str,
    result: CommandResult,
    *,
    error: type[HostScriptError] = HostScriptError,
) -> dict[str, Any]:
    """The script's last tagged line, parsed (see :func:`parse_result_line`)."""
    lines = [ln for ln in out.splitlines() if ln.startswith(b"OPTIO-")]
    if not lines:
        raise error(
            f"host script exited with {result.returncode} and no result"
            + _stderr_note(result.stderr)
        )
    return parse_result_line(lines[-1], tag, result.stderr, error=error)


async def finish(process: HostProcess, timeout: float | None) -> CommandResult:
    """Wait for a started script; abandon it on errors and timeouts."""
    try:
        return await process.finish(timeout)
    except BaseException:
        process.close()
        raise


async def run_script(
    ops: HostOps,
    script: str,
    args: Sequence[str],
    *,
    tag: str = "RESULT",
    timeout: float | None = 30.0,
    stdin: bytes | None = None,
    error: type[HostScriptError] = HostScriptError,
) -> dict[str, Any]:
    """Run ``script`` with ``args`` (and ``stdin``); return its last ``OPTIO-<tag>`` report."""
    process = await ops.start(script, args)
    if stdin is not None:
        await send_quietly(process, stdin)
    result = await finish(process, timeout)
    return last_result(result.stdout, tag, result, error=error)


async def run_tagged_script(
    ops: HostOps,
    script: str,
    args: Sequence[str],
    *,
    timeout: float | None = 30.0,
    error: type[HostScriptError] = HostScriptError,
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """Run a script that reports several lines: its tagged lines before the last, each as
    ``(tag, report)``, and the final ``OPTIO-RESULT`` (an ``OPTIO-ERROR`` raises ``error``)."""
    result = await finish(await ops.start(script, args), timeout)
    final = last_result(result.stdout, "RESULT", result, error=error)
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(b"OPTIO-")][:-1]
    tagged = []
    for line in lines:
        tag = line.split(b" ", 1)[0].decode(errors="replace").removeprefix("OPTIO-")
        tagged.append((tag, parse_result_line(line, tag, result.stderr, error=error)))
    return tagged, final


async def send_quietly(process: HostProcess, data: bytes) -> None:
    # If the script already failed, its OPTIO-ERROR line is the useful report, read later.
    with contextlib.suppress(asyncssh.Error, OSError):
        await process.write(data)


# --- files ------------------------------------------------------------------------------------

# $1 path, $2 bytes from the end ("" for all).
_READ_SCRIPT = 'if [ -f "$1" ]; then if [ -n "$2" ]; then tail -c "$2" "$1"; else cat "$1"; fi; fi'
# $1 path, $2 "append" or "replace"; the data comes on stdin. A replace is atomic (rename).
_WRITE_SCRIPT = (
    'set -u; umask 077; if [ "$2" = append ]; then cat >> "$1" || exit 3; '
    'else cat > "$1.tmp" && mv -f "$1.tmp" "$1" || exit 3; fi; '
    "printf 'OPTIO-RESULT {}\\n'"
)


async def read_file(
    ops: HostOps, path: str, *, max_bytes: int | None = None, timeout: float | None = 30.0
) -> str:
    """A text file on the host ("" when it does not exist); the last ``max_bytes`` only."""
    process = await ops.start(_READ_SCRIPT, [path, str(max_bytes) if max_bytes else ""])
    result = await finish(process, timeout)
    return result.stdout.decode(errors="replace")


async def write_file(
    ops: HostOps,
    path: str,
    data: bytes,
    *,
    append: bool = False,
    timeout: float | None = 30.0,
    error: type[HostScriptError] = HostScriptError,
) -> None:
    """Write (atomically, 0600) or append to a file on the host; ``data`` goes on stdin."""
    mode = "append" if append else "replace"
    await run_script(ops, _WRITE_SCRIPT, [path, mode], stdin=data, timeout=timeout, error=error)
