"""codex's own sandbox, on the real binary: what sandbox.py configures is what codex enforces.

The agent's commands run through CodexConversation (locally and over real SSH) under the
config that ``sandbox_config`` produces, and the preflight runs inside ``codex sandbox`` on the
host. The one failure case is real too: bubblewrap inside a user namespace whose
``max_user_namespaces`` is 0 cannot create its namespaces (nothing machine-wide is changed).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from optio_agents.conversation import PermissionDecision, PermissionRequest

from optio_codex.binary import CodexBinary
from optio_codex.driver.approvals import CodexPermissionDecision
from optio_codex.driver.conversation import CodexConversation
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.turns import TurnResult
from optio_codex.hosts.sandbox import (
    PreflightTarget,
    SandboxSettings,
    SandboxUnavailable,
    effective_mismatches,
    preflight,
    run_local,
    sandbox_config,
    ssh_runner,
)
from optio_codex.testing.codex_home import write_test_codex_home
from optio_codex.testing.model_server import ScriptedModelServer, exec_command, text
from tests.conftest import CodexEnv, Launcher

TIMEOUT = 20


# -- the pure mapping ----------------------------------------------------------------------------


def test_config_for_the_default_workspace_write() -> None:
    config = sandbox_config(SandboxSettings())
    assert config.thread_params == {"sandbox": "workspace-write"}
    assert config.config_toml == {
        "sandbox_mode": "workspace-write",
        "sandbox_workspace_write": {
            "writable_roots": [],
            "network_access": False,
            "exclude_slash_tmp": True,
            "exclude_tmpdir_env_var": True,
        },
    }


def test_config_with_network_and_extra_dirs() -> None:
    settings = SandboxSettings(network_access=True, writable_dirs=("/srv/cache", "/data/out"))
    table = sandbox_config(settings).config_toml["sandbox_workspace_write"]
    assert table["writable_roots"] == ["/srv/cache", "/data/out"]
    assert table["network_access"] is True


def test_config_for_read_only_keeps_tmp_excluded() -> None:
    config = sandbox_config(SandboxSettings(mode="read-only"))
    assert config.thread_params == {"sandbox": "read-only"}
    assert config.config_toml == {
        "sandbox_mode": "read-only",
        "sandbox_workspace_write": {"exclude_slash_tmp": True, "exclude_tmpdir_env_var": True},
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "full"}, "not one of"),
        ({"mode": "read-only", "network_access": True}, "network_access needs"),
        ({"mode": "danger-full-access", "writable_dirs": ("/x",)}, "writable_dirs need"),
        ({"writable_dirs": ("relative/dir",)}, "absolute"),
    ],
)
def test_settings_refuse_what_codex_would_ignore(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SandboxSettings(**kwargs)


def test_effective_mismatches_names_each_difference() -> None:
    settings = SandboxSettings(network_access=True, writable_dirs=("/srv/x",))
    echoed = {
        "type": "workspaceWrite",
        "writableRoots": [],
        "networkAccess": False,
        "excludeSlashTmp": False,
        "excludeTmpdirEnvVar": True,
    }
    problems = effective_mismatches(settings, echoed)
    assert len(problems) == 3
    assert any("networkAccess" in p for p in problems)
    assert any("excludeSlashTmp" in p for p in problems)
    assert any("/srv/x" in p for p in problems)


# -- the agent's commands, through CodexConversation -------------------------------------------


@pytest.fixture(params=["local", "ssh"])
def start(request: pytest.FixtureRequest) -> Launcher:
    launcher: Launcher = request.getfixturevalue(f"start_{request.param}")
    return launcher


@pytest.fixture
def outside_dir(codex_env: CodexEnv) -> Path:
    """A writable directory under /var/tmp, outside the workspace (removed with codex_env)."""
    path = codex_env.root / "outside"
    path.mkdir()
    return path


@pytest.fixture
def slash_tmp_file() -> Iterator[Path]:
    path = Path("/tmp") / f"optio-sandbox-test-{uuid.uuid4().hex}.txt"
    yield path
    path.unlink(missing_ok=True)


async def start_sandboxed(
    start: Launcher,
    codex_env: CodexEnv,
    model_server: ScriptedModelServer,
    settings: SandboxSettings,
    asked: list[PermissionRequest],
) -> CodexConversation:
    """A conversation under ``settings``, applied the way a task applies them.

    The gate records and denies any prompt: a sandbox refusal must not turn into an
    escalation that runs the command outside the sandbox.
    """
    config = sandbox_config(settings)
    write_test_codex_home(codex_env.codex_home, model_server.base_url, extra=config.config_toml)
    conversation = await start(
        GateSettings(human=True, human_timeout=TIMEOUT), **config.thread_params
    )

    async def deny(request: PermissionRequest) -> PermissionDecision:
        asked.append(request)
        return CodexPermissionDecision(behavior="deny")

    conversation.on_permission_request(deny)
    assert effective_mismatches(settings, conversation.effective_sandbox) == []
    return conversation


def commands(result: TurnResult) -> dict[str, dict[str, Any]]:
    """The turn's commandExecution items by call id."""
    return {i["id"]: i for i in result.items if i["type"] == "commandExecution"}


def tool_output(server: ScriptedModelServer, call_id: str) -> str:
    """What codex told the model a command returned (exit code and output)."""
    for recorded in reversed(server.responses_requests):
        for item in recorded.body.get("input", []):
            if item.get("call_id") == call_id and item.get("type") == "function_call_output":
                return str(item.get("output"))
    raise AssertionError(f"no output for {call_id} reached the model")


def refused(server: ScriptedModelServer, result: TurnResult, call_id: str, reason: str) -> None:
    """The command ran in the sandbox and failed for ``reason``.

    Observed on 0.163.0: a command the sandbox refuses yields NO commandExecution item at
    all (neither item/started nor item/completed; an ordinary failure does get one). The
    refusal shows only in the tool output codex sends the model.
    """
    output = tool_output(server, call_id)
    assert re.search(r"Process exited with code [1-9]", output) and reason in output, output
    assert call_id not in commands(result)


def connect(port: int) -> str:
    # codex runs the command with bash: /dev/tcp needs no curl or python on the host.
    return f"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected"


async def test_workspace_write_confines_the_agents_commands(
    start: Launcher,
    codex_env: CodexEnv,
    model_server: ScriptedModelServer,
    outside_dir: Path,
    slash_tmp_file: Path,
) -> None:
    asked: list[PermissionRequest] = []
    conversation = await start_sandboxed(start, codex_env, model_server, SandboxSettings(), asked)
    assert conversation.effective_sandbox["type"] == "workspaceWrite"
    assert conversation.effective_sandbox["networkAccess"] is False
    assert conversation.effective_sandbox["excludeSlashTmp"] is True
    assert conversation.effective_sandbox["excludeTmpdirEnvVar"] is True
    outside = outside_dir / "outside.txt"
    tmpdir_file = codex_env.tmpdir / "tmpdir.txt"
    model_server.script(
        exec_command("sh -c 'echo x > inside.txt'", escalate=False, call_id="inside"),
        exec_command(f"echo x > {outside}", escalate=False, call_id="outside"),
        exec_command(f"echo x > {slash_tmp_file}", escalate=False, call_id="slash_tmp"),
        exec_command(f"echo x > {tmpdir_file}", escalate=False, call_id="tmpdir"),
        exec_command(connect(model_server.port), escalate=False, call_id="network"),
        text("done"),
    )
    result = await conversation.run_turn("try the sandbox", timeout=TIMEOUT)
    assert result.status == "completed" and result.final_text == "done"
    ran = commands(result)
    assert ran["inside"]["exitCode"] == 0
    assert (codex_env.workspace / "inside.txt").read_text() == "x\n"
    for call_id in ("outside", "slash_tmp", "tmpdir"):
        refused(model_server, result, call_id, "Read-only file system")
    assert not any(p.exists() for p in (outside, slash_tmp_file, tmpdir_file))
    # Loopback too: codex's seccomp filter refuses to create the socket at all.
    refused(model_server, result, "network", "socket: Operation not permitted")
    assert asked == []  # refused by the sandbox, never escalated to a prompt


async def test_network_access_and_extra_roots_open_what_they_say(
    start: Launcher, codex_env: CodexEnv, model_server: ScriptedModelServer, outside_dir: Path
) -> None:
    extra = codex_env.root / "extra"
    extra.mkdir()
    settings = SandboxSettings(network_access=True, writable_dirs=(str(extra),))
    asked: list[PermissionRequest] = []
    conversation = await start_sandboxed(start, codex_env, model_server, settings, asked)
    assert conversation.effective_sandbox["networkAccess"] is True
    assert str(extra) in conversation.effective_sandbox["writableRoots"]
    model_server.script(
        exec_command(f"echo x > {extra}/extra.txt", escalate=False, call_id="extra"),
        exec_command(f"echo x > {outside_dir}/outside.txt", escalate=False, call_id="outside"),
        exec_command(connect(model_server.port), escalate=False, call_id="network"),
        text("done"),
    )
    result = await conversation.run_turn("try the wider sandbox", timeout=TIMEOUT)
    assert result.status == "completed"
    ran = commands(result)
    assert ran["extra"]["exitCode"] == 0 and (extra / "extra.txt").read_text() == "x\n"
    # The same connect that the default sandbox refuses: the test really tests the sandbox.
    assert ran["network"]["exitCode"] == 0 and "connected" in tool_output(model_server, "network")
    # The other dirs stay closed.
    refused(model_server, result, "outside", "Read-only file system")
    assert not (outside_dir / "outside.txt").exists()
    assert asked == []


async def test_read_only_refuses_writes_in_the_workspace(
    start_local: Launcher, codex_env: CodexEnv, model_server: ScriptedModelServer
) -> None:
    asked: list[PermissionRequest] = []
    settings = SandboxSettings(mode="read-only")
    conversation = await start_sandboxed(start_local, codex_env, model_server, settings, asked)
    assert conversation.effective_sandbox["type"] == "readOnly"
    model_server.script(
        exec_command("sh -c 'echo x > inside.txt'", escalate=False, call_id="inside"),
        text("done"),
    )
    result = await conversation.run_turn("try", timeout=TIMEOUT)
    refused(model_server, result, "inside", "Read-only file system")
    assert not (codex_env.workspace / "inside.txt").exists()


# -- preflight -----------------------------------------------------------------------------------


def target(codex_binary: CodexBinary, codex_env: CodexEnv) -> PreflightTarget:
    return PreflightTarget(
        codex=str(codex_binary.path),
        workspace=str(codex_env.workspace),
        scratch_parent=str(codex_env.root),
    )


def leftovers(codex_env: CodexEnv) -> list[str]:
    """Anything the preflight left behind (it cleans up after itself)."""
    found = [p.name for p in codex_env.root.iterdir() if p.name.startswith(".optio")]
    found += [p.name for p in codex_env.workspace.iterdir()]
    return found


def expected_checks(extra: int = 0) -> dict[str, str]:
    checks = {
        "write-workspace": "allowed",
        "write-outside": "blocked",
        "write-slash-tmp": "blocked",
        "write-tmpdir": "blocked",
        "network": "blocked",
    }
    checks.update({f"write-extra-{i}": "allowed" for i in range(extra)})
    return checks


async def test_preflight_passes_locally(codex_binary: CodexBinary, codex_env: CodexEnv) -> None:
    result = await preflight(run_local, target(codex_binary, codex_env))
    assert result.ok and result.sandboxed
    assert {c.name: c.observed for c in result.checks} == expected_checks()
    assert "Read-only file system" in result.check("write-outside").detail
    assert "Operation not permitted" in result.check("network").detail
    assert result.argv[1:5] == ("sandbox", "-P", "optio_preflight", "-C")
    assert leftovers(codex_env) == []


async def test_preflight_passes_over_ssh(
    codex_binary: CodexBinary, codex_env: CodexEnv, ssh_conn: asyncssh.SSHClientConnection
) -> None:
    result = await preflight(ssh_runner(ssh_conn), target(codex_binary, codex_env))
    assert {c.name: c.observed for c in result.checks} == expected_checks()
    assert leftovers(codex_env) == []


async def test_preflight_with_network_and_an_extra_root(
    codex_binary: CodexBinary, codex_env: CodexEnv
) -> None:
    extra = codex_env.root / "extra"
    extra.mkdir()
    settings = SandboxSettings(network_access=True, writable_dirs=(str(extra),))
    result = await preflight(run_local, target(codex_binary, codex_env), settings)
    observed = {c.name: c.observed for c in result.checks}
    assert observed == {**expected_checks(extra=1), "network": "allowed"}
    assert list(extra.iterdir()) == []


async def test_preflight_under_read_only(codex_binary: CodexBinary, codex_env: CodexEnv) -> None:
    settings = SandboxSettings(mode="read-only")
    result = await preflight(run_local, target(codex_binary, codex_env), settings)
    assert result.check("write-workspace").observed == "blocked" and result.ok


async def test_preflight_has_nothing_to_check_without_a_sandbox(
    codex_binary: CodexBinary, codex_env: CodexEnv
) -> None:
    async def never(script: str) -> tuple[int, str, str]:
        raise AssertionError("danger-full-access must not run a probe")

    settings = SandboxSettings(mode="danger-full-access")
    result = await preflight(never, target(codex_binary, codex_env), settings)
    assert not result.sandboxed and result.checks == ()


def _userns_can_be_limited() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-U", "-r", "sh", "-c", "echo 0 > /proc/sys/user/max_user_namespaces"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _userns_can_be_limited(), reason="cannot limit user namespaces here")
async def test_preflight_raises_when_bubblewrap_cannot_create_namespaces(
    codex_binary: CodexBinary, codex_env: CodexEnv
) -> None:
    # A user namespace of our own whose limit on nested user namespaces is 0: bwrap fails for
    # real, exactly as on a host with unprivileged user namespaces switched off.
    limit = 'echo 0 > /proc/sys/user/max_user_namespaces && exec /bin/sh -c "$0"'

    async def run_without_userns(script: str) -> tuple[int, str, str]:
        return await run_local(
            f"exec unshare -U -r /bin/sh -c {shlex.quote(limit)} {shlex.quote(script)}"
        )

    with pytest.raises(SandboxUnavailable) as raised:
        await preflight(run_without_userns, target(codex_binary, codex_env))
    error = raised.value
    assert error.cause.startswith("bwrap: Creating new namespace failed")
    assert "bwrap" in str(error) and error.exit_code != 0
    assert leftovers(codex_env) == []


async def test_preflight_raises_when_the_sandbox_is_too_loose(
    codex_binary: CodexBinary, codex_env: CodexEnv
) -> None:
    # codex's built-in :workspace profile lets commands write /tmp and $TMPDIR: a real sandbox
    # that does not confine as configured, which the checks must catch.
    async def with_builtin_profile(script: str) -> tuple[int, str, str]:
        return await run_local(script.replace("-P optio_preflight", "-P :workspace"))

    with pytest.raises(SandboxUnavailable, match="does not confine") as raised:
        await preflight(with_builtin_profile, target(codex_binary, codex_env))
    result = raised.value.result
    assert result is not None and not result.ok
    failed = {c.name: c.observed for c in result.checks if not c.ok}
    assert failed == {"write-slash-tmp": "allowed", "write-tmpdir": "allowed"}
    assert leftovers(codex_env) == []


async def test_preflight_raises_when_codex_is_missing(codex_env: CodexEnv) -> None:
    missing = PreflightTarget(
        codex="/nonexistent/codex",
        workspace=str(codex_env.workspace),
        scratch_parent=str(codex_env.root),
    )
    with pytest.raises(SandboxUnavailable, match="codex binary not found"):
        await preflight(run_local, missing)


def test_preflight_target_refuses_a_scratch_dir_inside_the_workspace() -> None:
    with pytest.raises(ValueError, match="outside the workspace"):
        PreflightTarget(codex="/bin/codex", workspace="/w", scratch_parent="/w/scratch")
