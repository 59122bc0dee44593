"""Host provisioning over a real OpenSSH sshd: cache, task dirs, config, credentials, cleanup."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tomllib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from optio_agents.config_types import AllowedDir

from optio_codex.binary import CodexBinary
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.hosts.host_scripts import LocalOps, RoundTrips
from optio_codex.hosts.launch import app_server_argv
from optio_codex.hosts.provision import (
    ProvisionResult,
    ProvisionSpec,
    TaskPaths,
    provision,
    remove_task_dir,
    wheel_bundle,
)
from optio_codex.hosts.sandbox import (
    PreflightTarget,
    SandboxSettings,
    SandboxUnavailable,
    preflight,
    ssh_runner,
)
from optio_codex.hosts.sandbox_entries import settings_from_config
from optio_codex.hosts.task_files import build_config, task_files
from optio_codex.testing.catalog import write_mock_model_catalog
from optio_codex.testing.codex_home import mock_codex_config
from optio_codex.testing.model_server import ScriptedModelServer, exec_command, text
from optio_codex.transport.ssh_exec import spawn_ssh_app_server

# Outside /tmp, as in production (codex refuses helper binaries under /tmp).
TEST_BASE = Path("/var/tmp/optio-codex-tests")
SECRET = "sk-test-" + "x" * 24


def _fresh_dir(prefix: str) -> Path:
    path = TEST_BASE / f"{prefix}-{uuid.uuid4().hex[:10]}"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def task_root() -> Iterator[Path]:
    root = _fresh_dir("tasks")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cold_cache() -> Iterator[Path]:
    root = _fresh_dir("cache")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
async def warm_cache() -> AsyncIterator[Path]:
    """A cache root holding the bundle, installed once (by the local implementation)."""
    root = _fresh_dir("warm-cache")
    tasks = _fresh_dir("warm-tasks")
    spec = ProvisionSpec(
        task_id="seed",
        consumer_instructions="seed",
        task_root=str(tasks),
        cache_root=str(root),
        verify="stamp",
    )
    result = await provision(LocalOps(), spec)
    assert result.pushed
    shutil.rmtree(tasks, ignore_errors=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _spec(task_root: Path, cache: Path, **kw: Any) -> ProvisionSpec:
    values: dict[str, Any] = {
        "task_id": f"t-{uuid.uuid4().hex[:8]}",
        "consumer_instructions": "Say hello.",
        "task_root": str(task_root),
        "cache_root": str(cache),
    }
    values.update(kw)
    return ProvisionSpec(**values)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Small sync helpers: the tests read the host's files directly (sshd is on this machine).
def _text(*parts: str | Path) -> str:
    return Path(*parts).read_text()


def _exists(*parts: str | Path) -> bool:
    return Path(*parts).exists()


def _leftovers(root: Path, pattern: str) -> list[Path]:
    return list(root.glob(pattern))


def _mode(path: str | Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _spy_commands(conn: asyncssh.SSHClientConnection, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every exec command string (and refuse env requests) on this connection."""
    commands: list[str] = []
    original = conn.create_process

    async def spy(*args: Any, **kwargs: Any) -> Any:
        commands.append(str(args[0] if args else kwargs.get("command")))
        assert not kwargs.get("env"), "no env requests: sshd drops them and they leak"
        return await original(*args, **kwargs)

    monkeypatch.setattr(conn, "create_process", spy)
    return commands


def _report(label: str, result: ProvisionResult) -> None:
    t = {k: round(v * 1000, 1) for k, v in result.timings.items()}
    print(f"\n{label}: round trips {result.round_trips} total={result.round_trips.total} ms={t}")


async def test_cold_host_pushes_then_warm_host_does_not(
    ssh_conn: asyncssh.SSHClientConnection,
    task_root: Path,
    cold_cache: Path,
    codex_binary: CodexBinary,
) -> None:
    cold = await provision(ssh_conn, _spec(task_root, cold_cache))
    _report("cold", cold)
    assert cold.pushed and cold.cache_state == "missing"
    binary = Path(cold.binary)
    assert binary.parent.parent.name == f"codex-{codex_binary.version}-{codex_binary.sha256[:16]}"
    assert _sha256(binary) == codex_binary.sha256
    assert _mode(binary) == 0o755
    for f in wheel_bundle().files:  # bwrap and rg travel too: the sandbox needs bwrap
        assert _sha256(binary.parent.parent / f.rel) == f.sha256
    assert not _leftovers(cold_cache, ".incoming.*"), "the staging dir was renamed into place"
    # check exec, path report, one SFTP session with one upload batch, finalize exec
    assert cold.round_trips == RoundTrips(execs=2, sftp_sessions=1, exchanges=1)

    warm = await provision(ssh_conn, _spec(task_root, cold_cache))
    _report("warm sha256", warm)
    assert not warm.pushed and warm.cache_state == "ok" and warm.binary == cold.binary
    # One exec; with an absolute task root the tar goes without waiting for the path report.
    assert warm.round_trips == RoundTrips(execs=1, sftp_sessions=0, exchanges=0)

    stamped = [await provision(ssh_conn, _spec(task_root, cold_cache, verify="stamp"))]
    stamped.append(await provision(ssh_conn, _spec(task_root, cold_cache, verify="stamp")))
    _report("warm stamp", stamped[-1])
    assert not any(r.pushed for r in stamped) and stamped[-1].round_trips.total <= 2


def _flip_byte(path: Path) -> None:
    """Corrupt one byte in place (size kept; --version still works)."""
    with path.open("r+b") as fh:
        fh.seek(path.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))


async def test_corrupted_cache_is_detected_and_replaced(
    ssh_conn: asyncssh.SSHClientConnection,
    task_root: Path,
    cold_cache: Path,
    codex_binary: CodexBinary,
) -> None:
    first = await provision(ssh_conn, _spec(task_root, cold_cache, verify="stamp"))
    binary = Path(first.binary)

    # stamp mode: any write moves the ctime, so the stamp no longer matches and codex is
    # hashed again.
    _flip_byte(binary)
    again = await provision(ssh_conn, _spec(task_root, cold_cache, verify="stamp"))
    assert again.pushed and again.cache_state == "bad bin/codex"
    assert _sha256(binary) == codex_binary.sha256

    # sha256 mode hashes every file every time.
    _flip_byte(Path(first.bundle_dir, "codex-resources", "bwrap"))
    third = await provision(ssh_conn, _spec(task_root, cold_cache))
    assert third.pushed and third.cache_state == "bad codex-resources/bwrap"
    bwrap = next(f for f in wheel_bundle().files if f.rel == "codex-resources/bwrap")
    assert _sha256(Path(first.bundle_dir, bwrap.rel)) == bwrap.sha256
    assert not _leftovers(cold_cache, "*.old.*"), "the bad bundle was removed"
    assert not _leftovers(cold_cache, ".incoming.*")


async def test_config_instructions_and_credentials(
    ssh_conn: asyncssh.SSHClientConnection,
    task_root: Path,
    warm_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands = _spy_commands(ssh_conn, monkeypatch)
    extra_rw = str(_fresh_dir("extra-rw"))
    spec = _spec(
        task_root,
        warm_cache,
        verify="stamp",
        sandbox="workspace-write",
        approval_policy="never",
        network_access=True,
        extra_allowed_dirs=(AllowedDir(extra_rw, "rw"), AllowedDir("/opt", "ro")),
        model="gpt-test",
        reasoning_effort="high",
        api_key=SECRET,
        consumer_instructions="Refactor the parser.",
        codex_config={"sandbox_workspace_write": {"network_access": False}, "x": {"y": 1}},
    )
    result = await provision(ssh_conn, spec)
    paths = result.paths
    assert not result.pushed
    assert paths.task_dir == f"{task_root}/{spec.task_id}"

    config = tomllib.loads(_text(paths.codex_home, "config.toml"))
    assert config["check_for_update_on_startup"] is False
    assert config["projects"][paths.workspace] == {"trust_level": "trusted"}
    assert config["sandbox_mode"] == "workspace-write"
    assert config["approval_policy"] == "never"
    assert config["model"] == "gpt-test" and config["model_reasoning_effort"] == "high"
    assert config["sandbox_workspace_write"] == {
        "writable_roots": [extra_rw],
        "network_access": False,  # the caller's dict wins, key by key
        "exclude_slash_tmp": True,
        "exclude_tmpdir_env_var": True,
    }
    assert config["x"] == {"y": 1}

    agents = _text(paths.workspace, "AGENTS.md")
    assert "Refactor the parser." in agents and "STATUS:" in agents

    auth_path = Path(paths.codex_home, "auth.json")
    assert json.loads(_text(auth_path)) == {"auth_mode": "apikey", "OPENAI_API_KEY": SECRET}
    assert _mode(auth_path) == 0o600
    assert commands and not any(SECRET in c for c in commands)
    for d in (paths.task_dir, paths.workspace, paths.home, paths.codex_home, paths.tmpdir):
        assert _mode(d) == 0o700, d
    assert _exists(paths.home, ".local", "state")
    shutil.rmtree(extra_rw, ignore_errors=True)


@pytest.mark.parametrize("task_id", ["../x", "..", "a/b", "", ".hidden", "-rf", "a b", "x\n"])
def test_unsafe_task_ids_are_refused(task_id: str) -> None:
    with pytest.raises(ValueError, match="task_id"):
        ProvisionSpec(task_id=task_id, consumer_instructions="x")


@pytest.mark.parametrize(
    "root", ["relative/dir", "/srv/../etc", "~/a/../../b", "/x;rm", "~user", "/ok\n"]
)
def test_unsafe_roots_are_refused(root: str) -> None:
    with pytest.raises(ValueError, match="task_root"):
        ProvisionSpec(task_id="ok", consumer_instructions="x", task_root=root)


async def test_remove_task_dir_refuses_paths_outside_the_root(
    ssh_conn: asyncssh.SSHClientConnection,
) -> None:
    bad = [
        TaskPaths(host_home="/root", task_root="/", task_id="etc"),
        TaskPaths(host_home="/root", task_root="/var/tmp/../etc", task_id="x"),
        TaskPaths(host_home="/root", task_root="relative", task_id="x"),
        TaskPaths(host_home="/root", task_root="/root", task_id="x"),
        TaskPaths(host_home="/root", task_root="/var/tmp/t", task_id=".."),
    ]
    for paths in bad:
        with pytest.raises(ValueError):
            await remove_task_dir(ssh_conn, paths)


async def test_default_roots_resolve_under_the_host_home(
    ssh_conn: asyncssh.SSHClientConnection, warm_cache: Path
) -> None:
    # The default task root is "~/.optio-codex/tasks": "~" is the ssh user's home.
    spec = ProvisionSpec(
        task_id=f"t-{uuid.uuid4().hex[:8]}",
        consumer_instructions="x",
        cache_root=str(warm_cache),
        verify="stamp",
    )
    result = await provision(ssh_conn, spec)
    # "~" is resolved on the host before the task files can name the workspace.
    assert result.round_trips == RoundTrips(execs=1, sftp_sessions=0, exchanges=1)
    try:
        home = (await ssh_conn.run('printf %s "$HOME"', check=True)).stdout
        assert result.paths.host_home == home
        assert result.paths.task_root == f"{home}/.optio-codex/tasks"
        assert _exists(result.paths.workspace)
    finally:
        await remove_task_dir(ssh_conn, result.paths)
    assert not _exists(result.paths.task_dir)


async def test_provisioned_codex_runs_a_turn_and_a_sandboxed_command(
    ssh_conn: asyncssh.SSHClientConnection,
    task_root: Path,
    warm_cache: Path,
    model_server: ScriptedModelServer,
    tmp_path: Path,
) -> None:
    catalog = write_mock_model_catalog(tmp_path / "catalog.json")  # sshd is on this machine
    spec = _spec(
        task_root,
        warm_cache,
        verify="stamp",
        codex_config=mock_codex_config(model_server.base_url, catalog),
    )
    result = await provision(ssh_conn, spec)
    paths = result.paths
    server = await spawn_ssh_app_server(
        ssh_conn, app_server_argv(result.binary), env=paths.env(), cwd=paths.workspace
    )
    conversation = await CodexConversation.start(server, ConversationOptions(cwd=paths.workspace))
    try:
        assert conversation.effective_sandbox["type"] == "workspaceWrite"
        model_server.script(text("hello from the provisioned codex"))
        turn = await conversation.run_turn("hi", timeout=30)
        assert turn.status == "completed"
        assert turn.final_text == "hello from the provisioned codex"
        # The model saw AGENTS.md from the workspace.
        assert "Say hello." in json.dumps(model_server.requests[-1].body["input"])

        # A sandboxed command works: bwrap was found next to the cached codex.
        model_server.script(*exec_command("echo sandboxed > proof.txt", escalate=False).then("ok"))
        turn = await conversation.run_turn("write the proof", timeout=30)
        assert turn.status == "completed"
        assert _text(paths.workspace, "proof.txt").strip() == "sandboxed"
    finally:
        await conversation.close()
    await remove_task_dir(ssh_conn, paths)
    assert not _exists(paths.task_dir)
    assert _exists(task_root)


# --- the sandbox preflight checks the config.toml codex reads --------------------------------


async def test_preflight_is_given_the_sandbox_of_the_written_config(
    ssh_conn: asyncssh.SSHClientConnection, task_root: Path, warm_cache: Path
) -> None:
    # A raw entry that opens the network (CodexTaskConfig refuses it; ProvisionSpec takes it
    # as given): the preflight must check what config.toml says, not the typed field.
    spec = _spec(
        task_root,
        warm_cache,
        network_access=False,
        codex_config={"sandbox_workspace_write": {"network_access": True}},
    )
    result = await provision(ssh_conn, spec)
    written = tomllib.loads(_text(result.paths.codex_home, "config.toml"))
    assert written == result.config
    settings = settings_from_config(result.config)
    assert settings == SandboxSettings(network_access=True)
    checked = await preflight(
        ssh_runner(ssh_conn),
        PreflightTarget(
            codex=result.binary,
            workspace=result.paths.workspace,
            scratch_parent=result.paths.task_dir,
        ),
        settings,
    )
    assert checked.check("network").expected == "allowed" and checked.ok


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"sandbox_workspace_write": {"exclude_slash_tmp": False}}, "/tmp"),
        ({"sandbox_workspace_write": {"exclude_tmpdir_env_var": False}}, "TMPDIR"),
        ({"default_permissions": ":danger-full-access"}, "default_permissions"),
    ],
)
def test_a_config_that_opens_shared_temp_dirs_never_passes_the_preflight(
    raw: dict[str, Any], message: str
) -> None:
    spec = ProvisionSpec(task_id="t", consumer_instructions="x", codex_config=raw)
    paths = TaskPaths(host_home="/home/u", task_root="/home/u/tasks", task_id="t")
    with pytest.raises(SandboxUnavailable, match=message):
        settings_from_config(build_config(spec, paths))


def test_the_mode_comes_from_the_written_config() -> None:
    spec = ProvisionSpec(task_id="t", consumer_instructions="x", sandbox="read-only")
    paths = TaskPaths(host_home="/home/u", task_root="/home/u/tasks", task_id="t")
    assert settings_from_config(build_config(spec, paths)) == SandboxSettings(mode="read-only")


async def test_files_and_config_a_companion_adds_land_under_the_task_settings(
    ssh_conn: asyncssh.SSHClientConnection,
    task_root: Path,
    warm_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A LaunchPlan's files travel in the provisioning tar (never on a command line) and its
    config is merged under the task's own settings: a seed cannot loosen the sandbox."""
    commands = _spy_commands(ssh_conn, monkeypatch)
    login = json.dumps({"auth_mode": "chatgpt", "tokens": {"refresh_token": SECRET}}).encode()
    spec = _spec(
        task_root,
        warm_cache,
        extra_files=(("home/.codex/auth.json", login, 0o600),),
        base_codex_config={"sandbox_mode": "danger-full-access", "chatgpt_base_url": "http://x/"},
    )
    paths = (await provision(ssh_conn, spec)).paths
    auth_path = Path(paths.codex_home, "auth.json")
    assert _text(auth_path).encode() == login and _mode(auth_path) == 0o600
    config = tomllib.loads(_text(paths.codex_home, "config.toml"))
    assert config["sandbox_mode"] == "workspace-write"
    assert config["chatgpt_base_url"] == "http://x/"
    assert commands and not any(SECRET in c for c in commands)
    assert "auth.json" not in repr(spec)


@pytest.mark.parametrize("name", ["/etc/passwd", "home/../../x", "tmp/x", "home", "workdir/./a"])
def test_task_files_stay_in_the_task_dir(name: str) -> None:
    with pytest.raises(ValueError, match="plain path under home/ or workdir/"):
        ProvisionSpec(task_id="t1", consumer_instructions="x", extra_files=((name, b"", 0o600),))


def test_a_task_file_has_one_source() -> None:
    spec = ProvisionSpec(
        task_id="t1",
        consumer_instructions="x",
        api_key=SECRET,
        extra_files=(("home/.codex/auth.json", b"{}", 0o600),),
    )
    with pytest.raises(ValueError, match="two sources"):
        task_files(spec, {})
