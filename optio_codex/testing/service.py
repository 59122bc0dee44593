"""The lifecycle every test service shares: start, stop, and the context managers, once.

`Service` is any service (an in-process asyncio server too); `ProcessService` is one that runs
as a child process on a free loopback port, in its own work directory. A subclass only says
what is its own: its command line, its readiness probe, its files.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import subprocess
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Generic, TypeVar

from optio_codex.testing.processes import (
    ServiceStartError,
    free_loopback_port,
    spawn_service,
    terminate_process,
    wait_until,
)

EnterT = TypeVar("EnterT")
StartT = TypeVar("StartT")


class Service(ABC, Generic[EnterT]):
    """``async with service as x:`` starts it (unless it runs already) and always stops it;
    ``x`` is what `_entered` returns."""

    @property
    @abstractmethod
    def running(self) -> bool: ...

    @abstractmethod
    async def start(self) -> object: ...

    @abstractmethod
    async def stop(self) -> None:
        """Stop; a service that is not running is left as it is."""

    @abstractmethod
    def _entered(self) -> EnterT:
        """What ``async with`` binds."""

    async def __aenter__(self) -> EnterT:
        if not self.running:
            await self.start()
        return self._entered()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class ProcessService(Service[EnterT], Generic[StartT, EnterT]):
    """A child process on a free 127.0.0.1 port, with a work directory (temporary unless given).

    Starting is blocking work (files, readiness polling): `start_sync` does it, `start` runs it
    in a thread. A port taken between probing it and the service binding it is retried.
    """

    name: ClassVar[str]  # in error messages and the temporary directory's name
    output_name: ClassVar[str]  # the file its stdout and stderr go to
    log_name: ClassVar[str]  # its own log, if it writes one; else the same as output_name
    stop_grace: ClassVar[float] = 5.0
    start_attempts: ClassVar[int] = 3

    def __init__(self, workdir: Path | None, *, startup_timeout: float) -> None:
        self._given_workdir = workdir
        self._startup_timeout = startup_timeout
        self._workdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None

    # -- what a subclass says

    def _check_environment(self) -> None:
        """Fail with a clear message before anything starts (a missing binary, say)."""

    @abstractmethod
    def _start_in(self, workdir: Path) -> StartT:
        """Write the service's files, call `_launch_with_retries`, return what `start` does."""

    @abstractmethod
    def _command(self, workdir: Path, port: int) -> list[str]:
        """The argv of one launch on ``port``; may write per-port files such as a config."""

    @abstractmethod
    def _probe(self, port: int) -> AbstractContextManager[Callable[[], bool]]:
        """A probe that holds once the service on ``port`` is ready, and what it needs open."""

    # -- state

    @property
    def running(self) -> bool:
        return self._proc is not None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return self._port

    @property
    def log_path(self) -> Path:
        if self._workdir is None:
            raise RuntimeError(f"{type(self).__name__} has not been started")
        return self._workdir / self.log_name

    # -- lifecycle

    def start_sync(self) -> StartT:
        if self._proc is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._check_environment()
        workdir = self._prepare_workdir()
        try:
            result = self._start_in(workdir)
        except BaseException:
            self._cleanup_workdir()
            raise
        # A test run that dies without stopping us must not leak the process or its files.
        atexit.register(self.stop_sync)
        return result

    async def start(self) -> StartT:
        return await asyncio.to_thread(self.start_sync)

    def stop_sync(self) -> None:
        """SIGTERM by pid (children too), SIGKILL past the grace; remove temporary files."""
        atexit.unregister(self.stop_sync)
        proc, self._proc, self._port = self._proc, None, None
        if proc is not None:
            terminate_process(proc, grace=self.stop_grace)
        self._cleanup_workdir()

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    def __enter__(self) -> EnterT:
        self.start_sync()
        return self._entered()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_sync()

    # -- internals

    def _prepare_workdir(self) -> Path:
        if self._given_workdir is not None:
            self._given_workdir.mkdir(parents=True, exist_ok=True)
            self._workdir = self._given_workdir
        else:
            self._workdir = Path(tempfile.mkdtemp(prefix=f"optio-{self.name}-"))
        return self._workdir

    def _cleanup_workdir(self) -> None:
        if self._workdir is not None and self._given_workdir is None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._workdir = None

    def _launch_with_retries(self, workdir: Path) -> int:
        """Launch on a free port and return it once the service is ready."""
        last_error: ServiceStartError | None = None
        for _ in range(self.start_attempts):
            port = free_loopback_port()
            try:
                self._launch(workdir, port)
                return port
            except ServiceStartError as err:
                last_error = err
                if "Address already in use" not in str(err):
                    break
        assert last_error is not None
        raise last_error

    def _launch(self, workdir: Path, port: int) -> None:
        output = workdir / self.output_name
        logs = list(dict.fromkeys([output, workdir / self.log_name]))
        for log in logs:
            log.unlink(missing_ok=True)  # fresh per attempt: an error shows only this one
        proc = spawn_service(self._command(workdir, port), output)
        try:
            with self._probe(port) as probe:
                wait_until(probe, proc, self._startup_timeout, self.name, logs)
        except BaseException:
            terminate_process(proc)
            raise
        self._proc = proc
        self._port = port
