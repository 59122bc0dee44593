"""Nothing left behind and nothing leaking, on the loopback sshd "host" and on the worker.

After a completed and after a cancelled ``optio-codex run --demo`` (a real pty, engine,
mongod, sshd and codex; the demo's scripted model): nothing of the task in
``/tmp/codex-daemon-<uid>/``, nothing new in the SSH user's real ``~/.codex``, and, while the
run is going, the API key given to the command line in no other process's environment. An
orphan reaped on a later connect takes its task directory (auth.json included) with it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from optio_core import Optio

from optio_codex.factory import create_codex_task
from optio_codex.hosts.detached_server import LocalDialer, start_detached_app_server
from optio_codex.hosts.host_scripts import LocalOps
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.hosts.registry import RegistryEntry, register
from optio_codex.hosts.server_process import is_alive
from optio_codex.testing import model_server as ms
from optio_codex.testing.model_server import ScriptedModelServer
from optio_codex.testing.sshd import SshdInfo
from tests.support.pty_session import PtySession
from tests.test_durable_task import PREFIX, remote_config, wait_done

ROOT = Path(__file__).resolve().parent.parent
OPTIO_CODEX = str(Path(sys.executable).parent / "optio-codex")
QUESTION = r"\? command: .*\n(?:.*\n)*?  allow\? \[y\]es / \[n\]o / \[a\]lways: "
DAEMON_DIR = Path(f"/tmp/codex-daemon-{os.getuid()}")

pytestmark = pytest.mark.timeout(180)


# --- what to look at ----------------------------------------------------------------------


def real_codex_home() -> set[str]:
    """Every path under the SSH user's real ~/.codex (the loopback host's user is ours)."""
    home = Path.home() / ".codex"
    return {str(p.relative_to(home)) for p in home.rglob("*")} if home.exists() else set()


def daemon_files_of(socket_path: str) -> list[Path]:
    """What codex keeps in its daemon dir for the listener at ``socket_path`` and still exists."""
    digest = hashlib.sha256(socket_path.encode()).hexdigest()
    candidates = (DAEMON_DIR / digest, DAEMON_DIR / f"{digest}.lock")
    return [p for p in candidates if p.exists() or p.is_symlink()]


def sockets_under(root: Path) -> list[str]:
    """The app-server socket paths (codex's symlinks into its daemon dir) under ``root``."""
    return [str(p) for p in root.rglob("app-server.sock") if p.is_symlink() or p.exists()]


def environments_holding(value: bytes, *, exempt: int) -> list[str]:
    """Readable /proc/*/environ (except ``exempt``'s and ours) that hold ``value``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in (exempt, os.getpid()):
            continue
        try:
            data = (entry / "environ").read_bytes()
            if value in data:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append(f"{entry.name}: {cmd[:200]}")
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


# --- the command line, as a person runs it --------------------------------------------------


@pytest.fixture
def secret() -> str:
    return f"sk-leak-check-{uuid.uuid4().hex}"


@pytest.fixture
def home_before() -> Iterator[set[str]]:
    yield real_codex_home()


def _session(host_dir: Path, secret: str) -> PtySession:
    # The key is given to the command line itself, as a user would export it.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb", "OPENAI_API_KEY": secret}
    argv = [OPTIO_CODEX, "run", "--demo", "--task-root", str(host_dir / "tasks")]
    argv += ["--deliverables-dir", str(host_dir / "out")]
    return PtySession(argv, cwd=host_dir, env=env)


def _mid_run_checks(run: PtySession, host_dir: Path, secret: str) -> list[str]:
    """At the first approval question (codex, mongod and sshd all running): no leak; the
    sockets the task's app-server listens on, to look for after the run."""
    run.expect(QUESTION)
    leaks = environments_holding(secret.encode(), exempt=run.pid)
    assert not leaks, f"the API key is in other processes' environments: {leaks}"
    sockets = sockets_under(host_dir / "tasks")
    assert sockets, "the detached app-server's socket was not found in the task dir"
    return sockets


def _nothing_left(sockets: list[str], home_before: set[str]) -> None:
    left = [p for s in sockets for p in daemon_files_of(s)]
    assert not left, f"left in codex's daemon dir: {left}"
    new = real_codex_home() - home_before
    assert not new, f"written into the real ~/.codex: {sorted(new)}"


def test_a_completed_run_leaves_nothing_and_leaks_no_key(
    host_dir: Path, secret: str, home_before: set[str]
) -> None:
    with _session(host_dir, secret) as run:
        sockets = _mid_run_checks(run, host_dir, secret)
        run.send_line("y")
        run.expect(QUESTION)  # the agent then asks to write DONE
        run.send_line("y")
        run.expect("=== done ===")
        status = run.wait()
    assert status == 0, run.output
    _nothing_left(sockets, home_before)


def test_a_cancelled_run_leaves_nothing_and_leaks_no_key(
    host_dir: Path, secret: str, home_before: set[str]
) -> None:
    with _session(host_dir, secret) as run:
        sockets = _mid_run_checks(run, host_dir, secret)
        run.interrupt()  # while the approval waits: a cancel mid-turn
        run.expect("=== cancelled ===")
        status = run.wait()
    assert status == 130, run.output
    _nothing_left(sockets, home_before)


# --- an orphan reaped on a later connect ---------------------------------------------------


async def test_a_reaped_orphan_takes_its_task_dir_and_credentials(
    engine: tuple[Optio, list[Any]],
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    codex_binary: Any,
    host_dir: Path,
    home_before: set[str],
) -> None:
    fw, tasks = engine
    # An app-server left by a task of this engine that no longer exists (its worker died),
    # laid out as a task is: task dir, home/.codex with credentials, workdir, tmp.
    ghost = host_dir / "tasks" / "ghost"
    for d in ("home/.codex", "workdir", "tmp"):
        (ghost / d).mkdir(parents=True, exist_ok=True)
    (ghost / "home/.codex/config.toml").write_text("")
    (ghost / "home/.codex/auth.json").write_text('{"auth_mode":"apikey","OPENAI_API_KEY":"x"}')
    codex_home = str(ghost / "home/.codex")
    env = app_server_env(home=str(ghost / "home"), codex_home=codex_home, tmpdir=str(ghost / "tmp"))
    socket_path = str(ghost / "app-server.sock")
    orphan = await start_detached_app_server(
        LocalDialer(),
        app_server_argv(str(codex_binary.path)),
        env=env,
        cwd=str(ghost / "workdir"),
        socket_path=socket_path,
        log_path=str(ghost / "app-server.log"),
    )
    entry = RegistryEntry(
        task_id="ghost",
        process_id="ghost",
        owner=f"{mongo_db.name}/{PREFIX}",
        pid=orphan.pid,
        start_time=orphan.process.start_time,
        codex_home=codex_home,
        task_dir=str(ghost),
        socket=socket_path,
        created=0.0,
    )
    await register(LocalOps(), entry)
    await orphan.detach()
    assert daemon_files_of(socket_path), "codex 0.163.0 no longer uses its daemon dir"

    # A later connect: any task of the same engine on the same host reaps it.
    config = remote_config(sshd, model_server, host_dir, "Finish at once.")
    tasks.append(create_codex_task("live-1", "live", config))
    await fw.resync()
    model_server.script(ms.exec_command("echo DONE >> optio.log", escalate=False), ms.text("."))
    await fw.launch("live-1", session_id=None)
    proc = await wait_done(fw, "live-1")
    assert proc["status"]["state"] == "done", proc["status"]
    assert not await is_alive(LocalOps(), orphan.process)
    assert not ghost.exists(), sorted(str(p) for p in ghost.rglob("*"))
    _nothing_left([socket_path], home_before)
