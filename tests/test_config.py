"""CodexTaskConfig: bad values give clear errors naming the fields."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from optio_agents.config_types import AllowedDir
from optio_host.types import SSHConfig as OptioHostSSHConfig

from optio_codex.task.config import CodexTaskConfig, SSHConfig


def test_defaults_are_safe() -> None:
    config = CodexTaskConfig(consumer_instructions="do it")
    assert config.sandbox == "workspace-write" and config.network_access is False
    assert config.ask_for_approval == "on-request" and config.permission_gate is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.sandbox = "danger-full-access"  # type: ignore[misc]
    with pytest.raises(TypeError):
        CodexTaskConfig("positional")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"consumer_instructions": "  "}, "consumer_instructions"),
        ({"sandbox": "off"}, "sandbox='off'"),
        ({"ask_for_approval": "always"}, "ask_for_approval='always'"),  # on-failure is mapped
        ({"sandbox": "read-only", "network_access": True}, "network_access"),
        (
            {"sandbox": "read-only", "extra_allowed_dirs": [AllowedDir("/data", "rw")]},
            "extra_allowed_dirs",
        ),
        ({"extra_allowed_dirs": [AllowedDir("data", "ro")]}, "absolute"),
        ({"approval_timeout": 0}, "approval_timeout"),
        ({"env": {"HOME": "/x"}}, "env: HOME"),
        ({"env": {"GITHUB_TOKEN": "ghp-1"}}, "looks like a secret"),
        ({"env": {"1BAD": "x"}}, "not a valid variable name"),
        ({"task_root": "relative/dir"}, "task_root"),
        ({"mode": "tty"}, "mode='tty'"),  # iframe is the terminal UI
        ({"cleanup": "sometimes"}, "cleanup"),
        ({"transport": "websocket"}, "transport='websocket'"),
        ({"reconnect_timeout": 0}, "reconnect_timeout"),
        ({"inactivity_timeout": -1}, "inactivity_timeout"),
        ({"max_relaunches": -1}, "max_relaunches"),
        ({"interrupted_turn": "retry"}, "interrupted_turn='retry'"),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, object], message: str) -> None:
    kwargs = {"consumer_instructions": "task", **kwargs}
    with pytest.raises(ValueError, match="invalid CodexTaskConfig") as info:
        CodexTaskConfig(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ValueError) as info:
        CodexTaskConfig(consumer_instructions="", sandbox="bad")  # type: ignore[arg-type]
    assert "consumer_instructions" in str(info.value) and "sandbox='bad'" in str(info.value)


def test_api_key_never_shows_in_repr() -> None:
    config = CodexTaskConfig(consumer_instructions="x", api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(config) and "sk-very-secret" not in str(config)


def test_optio_host_ssh_config_is_accepted_and_verified_by_default() -> None:
    config = CodexTaskConfig(
        consumer_instructions="x",
        ssh=OptioHostSSHConfig(host="h.example", user="u", key_path="/k", port=2222),  # type: ignore[arg-type]
    )
    assert isinstance(config.ssh, SSHConfig)
    target = config.ssh.target()
    assert target.host_key_policy == "strict" and target.port == 2222
    assert target.known_hosts.name == "known_hosts"


# --- raw codex_config entries may not loosen the typed sandbox settings -----------------------


@pytest.mark.parametrize(
    ("kwargs", "raw", "names"),
    [
        (
            {},
            {"sandbox_workspace_write": {"network_access": True}},
            ["sandbox_workspace_write.network_access=true", "network_access=False"],
        ),
        (
            {},
            {"sandbox_workspace_write.network_access": True},
            ["sandbox_workspace_write.network_access=true", "set network_access=True instead"],
        ),
        (
            {},
            {"sandbox_workspace_write": {"exclude_slash_tmp": False}},
            ["sandbox_workspace_write.exclude_slash_tmp=false", "/tmp"],
        ),
        (
            {},
            {"sandbox_workspace_write": {"exclude_tmpdir_env_var": False}},
            ["sandbox_workspace_write.exclude_tmpdir_env_var=false", "TMPDIR"],
        ),
        (
            {},
            {"sandbox_mode": "danger-full-access"},
            ["sandbox_mode='danger-full-access'", "sandbox='workspace-write'"],
        ),
        (
            {"sandbox": "read-only"},
            {"sandbox_mode": "workspace-write"},
            ["sandbox_mode='workspace-write'", "sandbox='read-only'"],
        ),
        (
            {},
            {"sandbox_workspace_write": {"writable_roots": ["/etc"]}},
            ["sandbox_workspace_write.writable_roots", "extra_allowed_dirs"],
        ),
        ({}, {"sandbox_workspace_write": True}, ["sandbox_workspace_write", "table"]),
        ({}, {"default_permissions": ":danger-full-access"}, ["default_permissions", "sandbox"]),
        ({}, {"permissions": {"x": {"network": {"enabled": True}}}}, ["permissions", "sandbox"]),
        ({}, {"profile": "wide"}, ["profile", "sandbox"]),
    ],
)
def test_codex_config_may_not_contradict_the_sandbox_settings(
    kwargs: dict[str, Any], raw: dict[str, Any], names: list[str]
) -> None:
    with pytest.raises(ValueError) as raised:
        CodexTaskConfig(consumer_instructions="x", codex_config=raw, **kwargs)
    for name in names:
        assert name in str(raised.value)


@pytest.mark.parametrize(
    ("kwargs", "raw"),
    [
        ({}, {"sandbox_mode": "workspace-write"}),
        (
            {"network_access": True},
            {"sandbox_workspace_write": {"network_access": True, "exclude_slash_tmp": True}},
        ),
        (
            {"extra_allowed_dirs": [AllowedDir("/data", "rw"), AllowedDir("/ro", "ro")]},
            {"sandbox_workspace_write": {"writable_roots": ["/data"]}},
        ),
        (
            {"sandbox": "danger-full-access", "fs_isolation": False},
            {"sandbox_mode": "danger-full-access"},
        ),
        ({}, {"model_provider": "mock", "model_providers": {"mock": {"name": "m"}}}),
    ],
)
def test_codex_config_that_agrees_with_the_sandbox_settings_is_fine(
    kwargs: dict[str, Any], raw: dict[str, Any]
) -> None:
    CodexTaskConfig(consumer_instructions="x", codex_config=raw, **kwargs)
