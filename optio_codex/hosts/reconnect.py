"""An SSH session that outlives its connection: loss is noticed at once and repaired.

A task's host connection can drop (a Wi-Fi switch, a NAT timeout, sshd restarted). The
``SshSession`` owns the connection to one :class:`SSHTarget`; when the connection closes under
it, it starts reconnecting at once, in the background, with jittered exponential backoff, for
up to ``reconnect_timeout``. Every caller of :meth:`SshSession.connection` shares that one
attempt. A changed host key ends the attempt at once: it means an attack or a reinstall, and
retrying would not change the answer.

:func:`run_with_reconnect` runs one operation on the live connection and repeats it on a new
one if the connection was lost under it, but only when the caller says the operation is
idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncssh

from optio_codex.hosts.ssh import HostConnectError, HostKeyError, SSHTarget, connect_ssh

log = logging.getLogger(__name__)

T = TypeVar("T")

Connector = Callable[[SSHTarget], Awaitable[asyncssh.SSHClientConnection]]
# Called with a generation number: the one lost (on_lost) or the new one (on_restored).
Listener = Callable[[int], None]


class ConnectionDropped(ConnectionError):
    """The SSH connection was lost under an operation, which may or may not have taken effect."""


# Errors that only a lost connection produces.
_ALWAYS_LOSS: tuple[type[BaseException], ...] = (ConnectionDropped, asyncssh.DisconnectError)
# Errors that also have other causes (a closed channel, a missing file, a local OSError in the
# operation itself); they mean loss only when the connection they ran on is closed.
_LOSS_IF_CLOSED: tuple[type[BaseException], ...] = (
    asyncssh.ChannelOpenError,
    asyncssh.SFTPError,  # SFTPConnectionLost, SFTPNoConnection
    OSError,  # BrokenPipeError, ConnectionResetError, ConnectionAbortedError, ...
    EOFError,  # asyncio.IncompleteReadError
)


async def is_connection_loss(exc: BaseException, conn: asyncssh.SSHClientConnection) -> bool:
    """Whether ``exc``, raised by an operation on ``conn``, means that ``conn`` was lost."""
    if isinstance(exc, HostKeyError):
        return False
    if isinstance(exc, _ALWAYS_LOSS):
        return True
    if not isinstance(exc, _LOSS_IF_CLOSED):
        return False
    return await connection_closed(conn)


async def connection_closed(conn: asyncssh.SSHClientConnection) -> bool:
    """Whether ``conn`` is closed, allowing asyncssh the few loop ticks it takes to say so."""
    # asyncssh closes a connection from a loop callback (call_soon), so a transport error or
    # an EOF can reach us a tick before is_closed() turns true.
    for _ in range(3):
        if conn.is_closed():
            return True
        await asyncio.sleep(0)
    return conn.is_closed()


async def run_detecting_drop(
    conn: asyncssh.SSHClientConnection, command: str, **kwargs: Any
) -> asyncssh.SSHCompletedProcess:
    """``conn.run(command, **kwargs)``, raising ConnectionDropped if the connection was lost
    under it: asyncssh's run() then returns exit status None instead of raising."""
    result = await conn.run(command, **kwargs)
    if result.exit_status is None and await connection_closed(conn):
        raise ConnectionDropped(f"the connection was lost while {command!r} ran")
    return result


class SshSession:
    """The SSH connection to one target, re-established whenever it is lost.

    ``connect()`` makes the first connection; its errors propagate. Afterwards
    ``connection()`` returns the live connection, or waits for the reconnect in progress.
    Loss is noticed the moment asyncssh closes the connection (a reset, keepalive timeout,
    disconnect), and reconnecting starts right away rather than at the next call, so
    ``on_restored`` listeners hear about it as soon as the network is back.
    """

    def __init__(
        self,
        target: SSHTarget,
        *,
        reconnect_timeout: float = 600.0,
        backoff_initial: float = 0.1,
        backoff_max: float = 5.0,
        connector: Connector = connect_ssh,
    ) -> None:
        if reconnect_timeout <= 0:
            raise ValueError("reconnect_timeout must be positive")
        if not 0 < backoff_initial <= backoff_max:
            raise ValueError("need 0 < backoff_initial <= backoff_max")
        self.target = target
        self.reconnect_timeout = reconnect_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self._connector = connector
        self._conn: asyncssh.SSHClientConnection | None = None
        self._lost = False
        self._closed = False
        self._connect_lock = asyncio.Lock()
        self._reconnect_task: asyncio.Task[asyncssh.SSHClientConnection] | None = None
        self._watchers: set[asyncio.Task[None]] = set()
        self._lost_listeners: list[Listener] = []
        self._restored_listeners: list[Listener] = []
        # Counters and time.monotonic() timestamps, for logs and measurements.
        self.generation = 0  # +1 per successful connect, the first one included
        self.losses = 0
        self.connected_at: float | None = None
        self.lost_at: float | None = None
        self.restored_at: float | None = None
        self.last_outage: float | None = None  # seconds from loss to reconnected, last time
        self.last_reconnect_attempts = 0

    def fresh(self) -> SshSession:
        """A new, unconnected session with the same settings (listeners are not copied)."""
        return SshSession(
            self.target,
            reconnect_timeout=self.reconnect_timeout,
            backoff_initial=self.backoff_initial,
            backoff_max=self.backoff_max,
            connector=self._connector,
        )

    # -- state

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def connected(self) -> bool:
        """Whether a live connection exists right now."""
        return self._conn is not None and not self._lost and not self._conn.is_closed()

    @property
    def current(self) -> asyncssh.SSHClientConnection:
        """The latest connection, without waiting; it may be closed if it was just lost."""
        if self._conn is None:
            raise RuntimeError("SshSession is not connected")
        return self._conn

    def on_lost(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(lost_generation)`` on each loss; returns a function that removes it."""
        self._lost_listeners.append(callback)
        return lambda: _discard(self._lost_listeners, callback)

    def on_restored(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(new_generation)`` after each reconnect; returns its remover."""
        self._restored_listeners.append(callback)
        return lambda: _discard(self._restored_listeners, callback)

    # -- connecting

    async def connect(self) -> asyncssh.SSHClientConnection:
        """Make the first connection. HostKeyError and HostConnectError propagate."""
        self._check_open()
        async with self._connect_lock:
            if self._conn is None:
                conn = await self._connector(self.target)
                if self._closed:  # closed while we were connecting
                    conn.abort()
                    raise ConnectionError("closed")
                self._install(conn, restored=False)
        return await self.connection()

    async def connection(self) -> asyncssh.SSHClientConnection:
        """The live connection, after waiting for a reconnect if it was lost.

        Raises HostConnectError when reconnecting fails for ``reconnect_timeout``, HostKeyError
        at once when the host's key changed, ConnectionError("closed") after ``close()``.
        """
        self._check_open()
        conn = self._conn
        if conn is None:
            raise ConnectionError("SshSession is not connected: call connect() first")
        if not self._lost and not conn.is_closed():
            return conn
        self._mark_lost(conn)  # no-op if the watcher already did
        task = self._ensure_reconnecting()
        try:
            # Shielded: one caller giving up must not cancel the attempt the others share.
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if task.cancelled() and self._closed and not (current and current.cancelling()):
                raise ConnectionError("closed") from None
            raise

    async def wait_connected(self) -> int:
        """Wait until the session is connected (reconnecting if needed); return the generation."""
        await self.connection()
        return self.generation

    async def invalidate(self, conn: asyncssh.SSHClientConnection) -> None:
        """The caller saw ``conn`` fail: drop it if it is still the current one."""
        if self._closed or conn is not self._conn:
            return
        self._mark_lost(conn)
        # A connection the caller found dead but asyncssh has not closed yet (no reset seen)
        # would leave its other channels hanging until keepalives gave up.
        conn.abort()
        self._ensure_reconnecting()

    async def close(self) -> None:
        """Close the connection and stop reconnecting. Idempotent."""
        if self._closed:
            return
        self._closed = True
        tasks: list[asyncio.Task[Any]] = list(self._watchers)
        if self._reconnect_task is not None:
            tasks.append(self._reconnect_task)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        conn = self._conn
        if conn is not None:
            conn.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), timeout=5.0)

    # -- internals

    def _check_open(self) -> None:
        if self._closed:
            raise ConnectionError("closed")

    def _install(self, conn: asyncssh.SSHClientConnection, *, restored: bool) -> None:
        now = time.monotonic()
        self._conn = conn
        self._lost = False
        self.generation += 1
        self.connected_at = now
        if restored:
            self.restored_at = now
            self.last_outage = now - self.lost_at if self.lost_at is not None else None
            log.info(
                "ssh %s:%s: reconnected after %.2fs (%d attempts, generation %d)",
                self.target.host,
                self.target.port,
                self.last_outage or 0.0,
                self.last_reconnect_attempts,
                self.generation,
            )
        watcher = asyncio.create_task(self._watch(conn), name="ssh-session-watch")
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        if restored:
            self._notify(self._restored_listeners, self.generation)

    async def _watch(self, conn: asyncssh.SSHClientConnection) -> None:
        # asyncssh sets wait_closed() right after calling the client's connection_lost, so this
        # is as prompt as that callback without reaching into the client ssh.py builds.
        await conn.wait_closed()
        if not self._closed and conn is self._conn and not self._lost:
            self._mark_lost(conn)
            self._ensure_reconnecting()

    def _mark_lost(self, conn: asyncssh.SSHClientConnection) -> None:
        if self._closed or conn is not self._conn or self._lost:
            return
        self._lost = True
        self.losses += 1
        self.lost_at = time.monotonic()
        log.warning(
            "ssh %s:%s: connection lost (generation %d); reconnecting",
            self.target.host,
            self.target.port,
            self.generation,
        )
        self._notify(self._lost_listeners, self.generation)

    def _ensure_reconnecting(self) -> asyncio.Task[asyncssh.SSHClientConnection]:
        task = self._reconnect_task
        if task is None or task.done():
            task = asyncio.create_task(self._reconnect(), name="ssh-session-reconnect")
            # Nobody may be waiting on a background attempt; its failure is logged in
            # _reconnect and re-raised to whoever calls connection() next.
            task.add_done_callback(_consume_exception)
            self._reconnect_task = task
        return task

    async def _reconnect(self) -> asyncssh.SSHClientConnection:
        target = self.target
        start = time.monotonic()
        deadline = start + self.reconnect_timeout
        delay = self.backoff_initial
        attempts = 0
        last_error: BaseException | None = None
        try:
            while True:
                attempts += 1
                self.last_reconnect_attempts = attempts
                try:
                    # The whole attempt fits in what is left of the budget.
                    async with asyncio.timeout(max(deadline - time.monotonic(), 0.001)):
                        conn = await self._connector(target)
                except HostKeyError:
                    log.error(
                        "ssh %s:%s: host key changed; not reconnecting", target.host, target.port
                    )
                    raise
                except (TimeoutError, OSError, asyncssh.Error) as exc:
                    last_error = exc
                else:
                    if self._closed:
                        conn.abort()
                        raise ConnectionError("closed")
                    self._install(conn, restored=True)
                    return conn
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    elapsed = time.monotonic() - start
                    log.error(
                        "ssh %s:%s: gave up reconnecting after %.1fs",
                        target.host,
                        target.port,
                        elapsed,
                    )
                    raise HostConnectError(
                        f"lost the connection to {target.host}:{target.port} and could not "
                        f"reconnect for {elapsed:.1f}s ({attempts} attempts; reconnect_timeout "
                        f"{self.reconnect_timeout:g}s): {last_error}"
                    ) from last_error
                # Jittered so that many sessions cut at once do not reconnect in lockstep.
                await asyncio.sleep(min(delay * random.uniform(0.5, 1.0), remaining))
                delay = min(delay * 2, self.backoff_max)
        finally:
            if self._reconnect_task is asyncio.current_task():
                self._reconnect_task = None

    @staticmethod
    def _notify(listeners: list[Listener], generation: int) -> None:
        for callback in list(listeners):
            try:
                callback(generation)
            except Exception:
                log.exception("SshSession listener %r raised", callback)


def _discard(listeners: list[Listener], callback: Listener) -> None:
    with contextlib.suppress(ValueError):
        listeners.remove(callback)


def _consume_exception(task: asyncio.Task[asyncssh.SSHClientConnection]) -> None:
    if not task.cancelled():
        task.exception()


async def run_with_reconnect(
    session: SshSession,
    fn: Callable[[asyncssh.SSHClientConnection], Awaitable[T]],
    *,
    idempotent: bool,
) -> T:
    """Run ``fn`` on the live connection; if the connection is lost under it, reconnect and
    run it again when ``idempotent`` (else raise ConnectionDropped: it may have run).

    Errors that do not mean a lost connection propagate unchanged. Retrying stops with
    HostConnectError once it has gone on for ``session.reconnect_timeout``. asyncssh's
    ``conn.run()`` reports a drop as exit status None rather than an error: run commands in
    ``fn`` through :func:`run_detecting_drop`.
    """
    first_loss: float | None = None
    while True:
        conn = await session.connection()
        try:
            return await fn(conn)
        except Exception as exc:
            if not await is_connection_loss(exc, conn):
                raise
            await session.invalidate(conn)
            target = session.target
            if not idempotent:
                raise ConnectionDropped(
                    f"the connection to {target.host}:{target.port} was lost during an "
                    "operation that is not safe to repeat; it may or may not have taken effect"
                ) from exc
            now = time.monotonic()
            if first_loss is None:
                first_loss = now
            elif now - first_loss > session.reconnect_timeout:
                raise HostConnectError(
                    f"the connection to {target.host}:{target.port} kept dropping for "
                    f"{now - first_loss:.1f}s; giving up"
                ) from exc
            log.info(
                "ssh %s:%s: retrying after the connection was lost: %r",
                target.host,
                target.port,
                exc,
            )
