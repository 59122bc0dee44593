"""optio-host Hosts whose SSH connection is ours: host key verified, keepalives, reconnects.

optio-agents' log-protocol driver (optio.log tail, deliverables, hooks) works on optio-host's
``Host``. Its ``RemoteHost`` connects with ``known_hosts=None``, so ``VerifiedRemoteHost``
replaces the connect step with an :class:`SshSession` (host key checked, see ``ssh.py``) and
keeps the rest. It never passes secrets through ``run_command(env=...)``, which optio-host
turns into ``export K=V;`` in the exec string.

The session reconnects when the connection drops. The methods the driver and our task use
point ``RemoteHost``'s ``_conn``/``_sftp`` at the live connection, run the parent method, and
run it again on a new connection if the old one was lost under it (only where repeating is
harmless). ``tail_file`` resumes at the byte it had reached, so no line is lost or repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, cast

import asyncssh
from optio_host.host import HostCommandError, LocalHost, ProcessHandle, RemoteHost, RunResult
from optio_host.types import SSHConfig as OptioHostSSHConfig

from optio_codex.hosts.reconnect import (
    ConnectionDropped,
    SshSession,
    connection_closed,
    is_connection_loss,
    run_with_reconnect,
)
from optio_codex.hosts.ssh import HostKeyError, SSHTarget

T = TypeVar("T")
Op = Callable[[asyncssh.SSHClientConnection], Awaitable[T]]

_TAIL_READ = 64 * 1024


# optio-agents' keyword channel, and where a resumed run keeps what was written before it.
LOG_NAME = "optio.log"
PREVIOUS_LOG_NAME = "optio.log.previous"
_ROTATING_NAME = "optio.log.rotating"  # between the rename and the append: a crash keeps it

# A resumed run's fresh optio.log: the old one is appended to PREVIOUS_LOG_NAME, never moved
# over it, as the lines there may not have been replayed yet (a second restart before the
# replay). The rename is the one atomic step; a line codex appends after it makes a new
# optio.log, which ": >>" keeps (the driver's tail reads from line 1).
_FOLD = (
    f"if [ -f {_ROTATING_NAME} ]; then cat {_ROTATING_NAME} >> {PREVIOUS_LOG_NAME} "
    f"&& rm -f {_ROTATING_NAME}; fi"
)
ROTATE_LOG = (
    f"umask 077; {_FOLD}; if [ -f {LOG_NAME} ]; then mv -f {LOG_NAME} {_ROTATING_NAME} "
    f"&& {_FOLD}; fi; : >> {LOG_NAME}"
)


class VerifiedRemoteHost(RemoteHost):  # type: ignore[misc]
    """A RemoteHost on a connection whose host key was checked, and that survives drops.

    ``run_command`` repeats a command whose connection was lost under it: a command may then
    run twice (when the drop came after it ran but before its exit status arrived). Pass
    ``retry=False`` for a command that must not; it then raises ConnectionDropped.

    With ``preserve_workdir``, ``setup_workdir()`` creates what is missing (mode 0700) and
    wipes nothing: a resumed task reattaches to an app-server still working in the workdir.
    """

    # RemoteHost's own attributes, typed here (optio-host ships no type information).
    _conn: asyncssh.SSHClientConnection | None
    _sftp: asyncssh.SFTPClient | None
    _tail_proc: asyncssh.SSHClientProcess[bytes] | None
    _forward: asyncssh.SSHListener | None

    def __init__(
        self,
        target: SSHTarget | None,
        taskdir: str,
        *,
        session: SshSession | None = None,
        preserve_workdir: bool = False,
    ) -> None:
        if session is None:
            if target is None:
                raise ValueError("VerifiedRemoteHost needs a target or a session")
            session = SshSession(target)
        elif target is not None and target != session.target:
            raise ValueError("target and session.target differ")
        target = session.target
        super().__init__(
            OptioHostSSHConfig(
                host=target.host,
                user=target.username or "",
                key_path=str(target.client_keys[0]) if target.client_keys else "",
                port=target.port,
            ),
            taskdir,
        )
        self.target = target
        self.session = session
        self.preserve_workdir = preserve_workdir
        self._sftp_conn: asyncssh.SSHClientConnection | None = None
        self._bind_lock = asyncio.Lock()

    # -- connection

    async def connect(self) -> None:
        if self.session.closed:  # connect() after disconnect(), as RemoteHost allows
            self.session = self.session.fresh()
        # optio-host keeps its connection in _conn/_sftp (pinned optio-host <0.5).
        self._compressor = None
        self._tar_version = None
        await self._bind(await self.session.connect())

    async def disconnect(self) -> None:
        tail, self._tail_proc = self._tail_proc, None
        if tail is not None and tail.returncode is None:
            with contextlib.suppress(Exception):
                tail.terminate()
            tail.close()  # tail also exits once its channel is gone (see tail_file)
        # The session first: the connection closing must not read as a loss and reconnect.
        await self.session.close()
        if self._forward is not None:
            self._forward.close()
            self._forward = None
        if self._sftp is not None:
            with contextlib.suppress(Exception):
                self._sftp.exit()
        self._sftp = self._sftp_conn = self._conn = None

    @property
    def connection(self) -> asyncssh.SSHClientConnection:
        """The session's current connection, without waiting (closed if just lost)."""
        try:
            return self.session.current
        except RuntimeError:
            raise RuntimeError("host is not connected") from None

    async def live_connection(self) -> asyncssh.SSHClientConnection:
        """The live connection, after waiting for a reconnect if it was lost."""
        return await self.session.connection()

    async def _bind(self, conn: asyncssh.SSHClientConnection) -> None:
        """Point RemoteHost's ``_conn``/``_sftp``, which its methods use, at ``conn``."""
        if self._conn is conn and self._sftp_conn is conn:
            return
        async with self._bind_lock:
            if self._sftp_conn is not conn:
                # An SFTP client lives on one connection; a new connection needs a new one.
                sftp = await conn.start_sftp_client()
                old, self._sftp, self._sftp_conn = self._sftp, sftp, conn
                if old is not None:
                    with contextlib.suppress(Exception):
                        old.exit()
            self._conn = conn

    async def _on_live(
        self, op: Op[T], *, idempotent: bool = True, recheck: bool | None = None
    ) -> T:
        """Run ``op`` with ``_conn``/``_sftp`` on the live connection, again after a loss if
        ``idempotent``. ``recheck``: a connection that closed under a *successful* op counts
        as a loss too (default: when idempotent), because optio-host turns some losses into
        results: asyncssh's ``run()`` returns exit status None instead of raising, and
        ``glob`` returns [] on any SFTP error."""
        recheck = idempotent if recheck is None else recheck

        async def attempt(conn: asyncssh.SSHClientConnection) -> T:
            await self._bind(conn)
            try:
                result = await op(conn)
            except Exception as exc:
                # optio-host rewraps some transport errors (RuntimeError for $HOME, ...).
                if not isinstance(exc, HostKeyError) and await connection_closed(conn):
                    raise ConnectionDropped(f"connection lost: {exc!r}") from exc
                raise
            if recheck and conn.is_closed():
                raise ConnectionDropped("the connection closed under the operation")
            return result

        return await run_with_reconnect(self.session, attempt, idempotent=idempotent)

    # -- RemoteHost methods, made to survive a drop

    async def run_command(
        self,
        command: str,
        *,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        retry: bool = True,
    ) -> RunResult:
        parent = super().run_command

        async def op(conn: asyncssh.SSHClientConnection) -> RunResult:
            result = cast(RunResult, await parent(command, cwd=cwd, env=env))
            # A drop under a command gives no exit status (-1 here) rather than an error.
            if result.exit_code == -1 and await connection_closed(conn):
                raise ConnectionDropped(f"the connection was lost while {command!r} ran")
            return result

        # recheck=False: a command that did report its exit status is done; don't repeat it.
        return await self._on_live(op, idempotent=retry, recheck=False)

    async def setup_workdir(self) -> None:
        if not self.preserve_workdir:
            parent = super().setup_workdir
            await self._on_live(lambda conn: parent())
            return
        qt, qw = shlex.quote(self.taskdir), shlex.quote(self.workdir)
        command = f"umask 077 && mkdir -p {qw} && chmod 700 {qt} {qw}"

        async def op(conn: asyncssh.SSHClientConnection) -> None:
            result = await conn.run(command, check=False)
            if result.exit_status != 0:
                raise HostCommandError(
                    command,
                    -1 if result.exit_status is None else result.exit_status,
                    str(result.stdout or ""),
                    str(result.stderr or ""),
                )

        await self._on_live(op)

    async def write_text(self, relpath: str, content: str) -> None:
        if self.preserve_workdir and relpath == LOG_NAME and content == "":
            # The driver empties optio.log as a run starts; a resumed run's codex may be
            # writing to it right now. Rotate it instead (ROTATE_LOG): nothing is lost,
            # even over two restarts.
            await self.run_command(f"cd {shlex.quote(self.workdir)} && {{ {ROTATE_LOG}; }}")
            return
        parent = super().write_text
        await self._on_live(lambda conn: parent(relpath, content))

    async def fetch_bytes_from_host(
        self, absolute_path: str, *, progress_cb: Callable[..., Any] | None = None
    ) -> bytes:
        parent = super().fetch_bytes_from_host
        data = await self._on_live(lambda conn: parent(absolute_path, progress_cb=progress_cb))
        return cast(bytes, data)

    async def put_file_to_host(
        self,
        source: Any,
        absolute_target: str,
        *,
        expected_sha256: str | None = None,
        skip_if_unchanged: bool = False,
        progress_cb: Callable[..., Any] | None = None,
    ) -> None:
        parent = super().put_file_to_host
        # An async iterator is consumed by the first try: only a replayable source is retried.
        replayable = isinstance(source, bytes | bytearray | str | os.PathLike)
        await self._on_live(
            lambda conn: parent(
                source,
                absolute_target,
                expected_sha256=expected_sha256,
                skip_if_unchanged=skip_if_unchanged,
                progress_cb=progress_cb,
            ),
            idempotent=replayable,
        )

    async def glob(self, pattern: str) -> list[str]:
        parent = super().glob
        return cast(list[str], await self._on_live(lambda conn: parent(pattern)))

    async def resolve_host_home(self) -> str:
        parent = super().resolve_host_home
        return cast(str, await self._on_live(lambda conn: parent()))

    async def remove_file(self, path: str) -> None:
        parent = super().remove_file
        await self._on_live(lambda conn: parent(path))

    async def cleanup_taskdir(self, aggressive: bool) -> None:
        if self._conn is None or self.session.closed:
            return  # as RemoteHost: nothing to do before connect or after disconnect
        parent = super().cleanup_taskdir
        await self._on_live(lambda conn: parent(aggressive))

    async def establish_tunnel(self, remote_port: int, *, bind_addr: str = "127.0.0.1") -> int:
        # The forward lives on the connection it was opened on and ends with it.
        parent = super().establish_tunnel
        port = await self._on_live(
            lambda conn: parent(remote_port, bind_addr=bind_addr), recheck=False
        )
        return cast(int, port)

    async def launch_subprocess(self, command: str, **kwargs: Any) -> ProcessHandle:
        # Not repeated: a process that started and lost its channel must not start twice.
        parent = super().launch_subprocess
        handle = await self._on_live(lambda conn: parent(command, **kwargs), idempotent=False)
        return cast(ProcessHandle, handle)

    async def restore_workdir(self, stream: AsyncIterator[bytes]) -> None:
        parent = super().restore_workdir
        await self._on_live(lambda conn: parent(stream), idempotent=False)

    def archive_workdir(
        self,
        exclude: list[str] | None,
        *,
        on_note: Callable[[str, str], None] | None = None,
    ) -> AsyncIterator[bytes]:
        # Started on the live connection; a drop mid-stream fails the archive (not repeated:
        # the consumer already has part of it).
        parent = super().archive_workdir

        async def chunks() -> AsyncIterator[bytes]:
            await self._bind(await self.session.connection())
            async for chunk in parent(exclude, on_note=on_note):
                yield chunk

        return chunks()

    async def tail_file(self, absolute_path: str) -> AsyncIterator[str]:
        """Lines appended to ``absolute_path``, across connection drops, each exactly once.

        After a drop the tail restarts on the new connection at the first byte not yet
        consumed as a complete line, so a partial last line is yielded once, when complete.
        Ends when the tail process ends on a live connection or the host disconnects; raises
        HostConnectError if reconnecting fails. Assumes the file is only appended to (a
        truncation after a drop would be read from the old offset).
        """
        offset = 0  # bytes of the file yielded, as complete lines
        path = shlex.quote(absolute_path)
        while True:
            try:
                conn = await self.session.connection()
            except ConnectionError:
                if self.session.closed:
                    return  # disconnect() during an outage
                raise
            # Bytes, not text: the offset counts bytes. GNU tail (>= 8.28) exits when its
            # channel goes away, so the tail of a dropped connection does not linger.
            command = f"tail -F -c +{offset + 1} {path}"
            try:
                proc = await conn.create_process(command, encoding=None, stderr=asyncssh.DEVNULL)
            except Exception as exc:
                if not await is_connection_loss(exc, conn):
                    raise
                await self.session.invalidate(conn)
                continue
            self._tail_proc = proc
            pending = b""
            try:
                while True:
                    try:
                        chunk = await proc.stdout.read(_TAIL_READ)
                    except Exception as exc:
                        if not await is_connection_loss(exc, conn):
                            raise
                        chunk = b""
                    if not chunk:
                        break
                    *lines, pending = (pending + chunk).split(b"\n")
                    for line in lines:
                        offset += len(line) + 1
                        yield line.decode("utf-8", errors="replace").rstrip("\r")
            finally:
                if self._tail_proc is proc:
                    self._tail_proc = None
                proc.close()
            if self.session.closed or not await connection_closed(conn):
                return  # the tail ended by itself, or disconnect(): RemoteHost's end of tail
            await self.session.invalidate(conn)


class PreservingLocalHost(LocalHost):  # type: ignore[misc]
    """A LocalHost whose ``setup_workdir()`` can keep the workdir (``preserve_workdir``)."""

    def __init__(self, taskdir: str, *, preserve_workdir: bool = False) -> None:
        super().__init__(taskdir)
        self.preserve_workdir = preserve_workdir

    async def write_text(self, relpath: str, content: str) -> None:
        if self.preserve_workdir and relpath == LOG_NAME and content == "":
            # See VerifiedRemoteHost.write_text and ROTATE_LOG: the same steps.
            rotate_local_log(self.workdir)
            return
        await super().write_text(relpath, content)

    async def setup_workdir(self) -> None:
        if not self.preserve_workdir:
            await super().setup_workdir()
            return
        for path in (self.taskdir, self.workdir):
            os.makedirs(path, mode=0o700, exist_ok=True)
            os.chmod(path, 0o700)


def rotate_local_log(workdir: str) -> None:
    """ROTATE_LOG in the worker's own file system."""
    log, rotating = os.path.join(workdir, LOG_NAME), os.path.join(workdir, _ROTATING_NAME)

    def fold() -> None:
        try:
            with open(rotating, "rb") as source:
                data = source.read()
        except FileNotFoundError:
            return
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        fd = os.open(os.path.join(workdir, PREVIOUS_LOG_NAME), flags, 0o600)
        with os.fdopen(fd, "ab") as previous:
            previous.write(data)
        os.unlink(rotating)

    fold()
    with contextlib.suppress(FileNotFoundError):
        os.replace(log, rotating)
        fold()
    os.close(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))


def make_task_host(
    target: SSHTarget | None, taskdir: str, *, preserve_workdir: bool = False
) -> PreservingLocalHost | VerifiedRemoteHost:
    """The optio-host Host for one task: local when ``target`` is None."""
    if target is None:
        return PreservingLocalHost(taskdir, preserve_workdir=preserve_workdir)
    return VerifiedRemoteHost(target, taskdir, preserve_workdir=preserve_workdir)
