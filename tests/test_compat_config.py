"""A config written for the published optio-codex 0.4.8 constructs here: every field it has,
its defaults (or the documented safer ones, docs/compatibility.md), errors that name the
field, the widget per mode, and every name it exported."""

from __future__ import annotations

import dataclasses
import importlib
import logging
from typing import Any

import pytest
from optio_agents.config_types import AllowedDir, WelcomeCard
from optio_agents.custom_controls import ControlSettings, CustomControl, CustomOption
from optio_agents.mcp import McpServer

import optio_codex
from optio_codex.factory import create_codex_task
from optio_codex.hosts.task_files import build_config
from optio_codex.hosts.task_spec import ProvisionSpec, TaskPaths
from optio_codex.task.config import CodexTaskConfig, SSHConfig

REQUIRED = object()
# Every field of the published CodexTaskConfig (0.4.8, including its optio-agents mixins) and
# its default there.
PUBLISHED_DEFAULTS: dict[str, Any] = {
    "welcome": None,
    "smooth_resume": False,
    "custom_controls": None,
    "mcp_servers": None,
    "show_session_controls": False,
    "session_controls": None,
    "session_blob_encrypt": None,
    "session_blob_decrypt": None,
    "seed_blob_encrypt": None,
    "seed_blob_decrypt": None,
    "fs_isolation": True,
    "extra_allowed_dirs": None,
    "delivery_type": None,
    "consumer_instructions": REQUIRED,
    "agent_type": "codex",
    "env": None,
    "scrub_env": None,
    "model": None,
    "reasoning_effort": None,
    "ask_for_approval": "never",
    "sandbox": None,
    "network_access": False,
    "ssh": None,
    "install_if_missing": True,
    "install_ttyd_if_missing": True,
    "install_dir": None,
    "ttyd_install_dir": None,
    "auto_start": False,
    "before_execute": None,
    "after_execute": None,
    "on_deliverable": None,
    "use_client_messages": False,
    "on_caller_message": None,
    "seed_id": None,
    "on_seed_saved": None,
    "mode": "iframe",
    "host_protocol": True,
    "permission_gate": False,
    "conversation_ui": False,
    "tool_verbosity": "description-only",
    "thinking_verbosity": "hidden",
    "native_spinner": False,
    "show_file_upload": False,
    "on_upload": None,
    "max_upload_bytes": 10_000_000,
    "file_download": False,
    "max_download_bytes": 10_000_000,
    "supports_resume": True,
    "workdir_exclude": None,
    "on_resume_refresh": "identity",  # a function returning the config it is given
}
# Where ours differs, the documented value (docs/compatibility.md, "Fields") and why.
SAFER_DEFAULTS: dict[str, Any] = {
    # None meant "Landlock confines, codex's sandbox is off"; codex's sandbox confines here.
    "sandbox": "workspace-write",
    # codex asks before it leaves its sandbox; the task's policy (DenyAll) or the gate answers.
    "ask_for_approval": "on-request",
}
# A default that differs, documented in docs/compatibility.md: mode "conversation" (headless;
# the published default was the terminal UI). supports_resume is True, as published.
UNSETTLED: dict[str, tuple[Any, ...]] = {
    "mode": ("iframe", "conversation"),
}
PUBLISHED_EXPORTS = (
    "AGENT_INFO analyze_account create_codex_task run_codex_session AllowedDir ApprovalPolicy "
    "CodexTaskConfig ConversationMode DeliverableCallback HookCallback SandboxMode ToolVerbosity "
    "ThinkingVerbosity SeedProvider SeedUnavailableError SSHConfig HookContext "
    "HookContextProtocol HostCommandError RunResult CODEX_SEED_MANIFEST CODEX_CRED_MANIFEST "
    "CODEX_SEED_SUFFIX delete_seed list_seeds purge_seed verify_and_refresh_seed"
).split()
PUBLISHED_TYPES = (
    "CallerMessageCallback DeliverableCallback HookCallback UploadCallback SSHConfig AllowedDir "
    "CodexTaskConfig ConversationMode ToolVerbosity ThinkingVerbosity ApprovalPolicy SandboxMode "
    "SeedProvider SeedUnavailableError"
).split()


def ours() -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(CodexTaskConfig)}


def test_every_published_field_is_a_field() -> None:
    assert not set(PUBLISHED_DEFAULTS) - set(ours())


def test_the_defaults_are_the_published_ones_or_the_documented_safer_ones() -> None:
    config = CodexTaskConfig(consumer_instructions="x")
    for name, published in PUBLISHED_DEFAULTS.items():
        if published is REQUIRED:
            continue
        value = getattr(config, name)
        if name == "on_resume_refresh" and callable(value):
            assert value(config) is config
            continue
        allowed = UNSETTLED.get(name, (SAFER_DEFAULTS.get(name, published),))
        assert value in allowed, name


async def _caller(hook_ctx: Any, name: str, data: Any) -> None:
    return None


async def _hook(hook_ctx: Any) -> None:
    return None


async def _deliverable(hook_ctx: Any, path: str, text: str) -> None:
    return None


async def _upload(hook_ctx: Any, path: str) -> None:
    return None


def _crypt(data: bytes) -> bytes:
    return data


def every_published_field() -> dict[str, Any]:
    """A value for every published field (not its default where a valid other one exists)."""
    values: dict[str, Any] = {
        "welcome": WelcomeCard(title="Codex"),
        "smooth_resume": True,
        "custom_controls": [],
        "mcp_servers": [McpServer(name="docs", url="https://mcp.example/x", headers={"A": "b"})],
        "show_session_controls": True,
        "session_controls": ["model"],
        "session_blob_encrypt": _crypt,
        "session_blob_decrypt": _crypt,
        "seed_blob_encrypt": _crypt,
        "seed_blob_decrypt": _crypt,
        "fs_isolation": True,
        "extra_allowed_dirs": [AllowedDir("~/data", "rw"), AllowedDir("/srv/ref", "rox")],
        "delivery_type": "notices",
        "consumer_instructions": "Do the job.",
        "agent_type": "codex",
        "env": {"LANGUAGE": "en"},
        "scrub_env": ["AWS_*"],
        "model": "gpt-5.5",
        "reasoning_effort": "high",
        "ask_for_approval": "on-failure",
        "sandbox": None,
        "network_access": True,
        "ssh": SSHConfig(host="h", user="u", key_path="/k"),
        "install_if_missing": False,
        "install_ttyd_if_missing": False,
        "install_dir": "/opt/codex",
        "ttyd_install_dir": "/opt/ttyd",
        "auto_start": True,
        "before_execute": _hook,
        "after_execute": _hook,
        "on_deliverable": _deliverable,
        "use_client_messages": True,
        "on_caller_message": _caller,
        "seed_id": None,  # with seed capture below: the two exclude each other
        "on_seed_saved": _hook,
        "mode": "conversation",
        "host_protocol": True,
        "permission_gate": True,
        "conversation_ui": True,
        "tool_verbosity": "verbose",
        "thinking_verbosity": "visible",
        "native_spinner": True,
        "show_file_upload": True,
        "on_upload": _upload,
        "max_upload_bytes": 1000,
        "file_download": True,
        "max_download_bytes": 1000,
        "supports_resume": True,
        "workdir_exclude": ["node_modules/"],
        "on_resume_refresh": None,
    }
    assert set(values) == set(PUBLISHED_DEFAULTS)
    return values


def test_a_config_using_every_published_field_constructs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="optio_codex.task.config"):
        config = CodexTaskConfig(**every_published_field())
    assert config.sandbox == config.effective_sandbox_mode == "workspace-write"
    assert config.ask_for_approval == "on-request"
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "sandbox=None" in said and "on-failure" in said  # each difference is logged
    assert "no ttyd" in said


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"agent_type": "claudecode"}, "agent_type"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"delivery_type": "../up"}, "delivery_type"),
        ({"fs_isolation": "yes"}, "fs_isolation"),
        ({"scrub_env": "AWS_*"}, "scrub_env"),
        ({"scrub_env": ["LANG*"], "env": {"LANGUAGE": "en"}}, "scrub_env"),
        ({"smooth_resume": "yes"}, "smooth_resume"),
        ({"mcp_servers": ["https://x"]}, "mcp_servers"),
        ({"custom_controls": [_hook]}, "custom_controls"),
        ({"on_caller_message": "x"}, "on_caller_message"),
        ({"sandbox": "off"}, "sandbox"),
        ({"ask_for_approval": "sometimes"}, "ask_for_approval"),
        ({"tool_verbosity": "loud"}, "tool_verbosity"),
        ({"ttyd_install_dir": "opt/ttyd"}, "ttyd_install_dir"),
        ({"extra_allowed_dirs": [AllowedDir("data", "ro")]}, "extra_allowed_dirs"),
        (
            {"extra_allowed_dirs": [AllowedDir("/srv", "rw"), AllowedDir("/srv/ref", "ro")]},
            "extra_allowed_dirs",
        ),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match="invalid CodexTaskConfig") as raised:
        CodexTaskConfig(consumer_instructions="x", **kwargs)
    assert field in str(raised.value)


def test_custom_controls_are_refused_as_published() -> None:
    option = CustomOption(value="a", label="A", settings=ControlSettings(model="m1"))
    other = CustomOption(value="b", label="B", settings=ControlSettings(model="m2"))
    control = CustomControl(id="speed", label="Speed", default="a", options=[option, other])
    with pytest.raises(ValueError, match="custom_controls"):
        CodexTaskConfig(consumer_instructions="x", custom_controls=[control])


@pytest.mark.parametrize(
    ("kwargs", "sandbox", "approval"),
    [
        ({"sandbox": None}, "workspace-write", "on-request"),
        ({"sandbox": None, "fs_isolation": False}, "danger-full-access", "on-request"),
        ({"sandbox": "danger-full-access"}, "workspace-write", "on-request"),
        ({"sandbox": "danger-full-access", "fs_isolation": False}, "danger-full-access", None),
        ({"sandbox": "read-only"}, "read-only", None),
        ({"ask_for_approval": "on-failure"}, None, "on-request"),
        ({"ask_for_approval": "never", "permission_gate": True}, None, "on-request"),
        ({"ask_for_approval": "never"}, None, "never"),
    ],
)
def test_published_values_map_onto_codex_s_own_sandbox(
    kwargs: dict[str, Any], sandbox: str | None, approval: str | None
) -> None:
    config = CodexTaskConfig(consumer_instructions="x", **kwargs)
    if sandbox is not None:
        assert config.sandbox == config.effective_sandbox_mode == sandbox
    if approval is not None:
        assert config.ask_for_approval == approval


def _paths(home: str) -> TaskPaths:
    return TaskPaths(host_home=home, task_root=f"{home}/.optio-codex/tasks", task_id="t1")


def test_home_relative_grants_resolve_against_the_host_s_home() -> None:
    grants = (AllowedDir("~/data", "rw"), AllowedDir("~/ref", "ro"), AllowedDir("/abs", "rwx"))
    spec = ProvisionSpec(task_id="t1", consumer_instructions="x", extra_allowed_dirs=grants)
    config = build_config(spec, _paths("/home/alice"))
    table = config["sandbox_workspace_write"]
    # ro grants stay out of the writable roots: codex's sandbox reads everywhere, writes there.
    assert table["writable_roots"] == ["/home/alice/data", "/abs"]


@pytest.mark.parametrize(
    "grants",
    [
        (AllowedDir("~/data", "rw"), AllowedDir("/home/alice/data/ref", "ro")),
        (AllowedDir("~/.optio-codex/tasks/t1/workdir/ref", "rox"),),
    ],
)
def test_a_read_only_grant_inside_a_writable_root_is_refused_on_the_host(
    grants: tuple[AllowedDir, ...],
) -> None:
    spec = ProvisionSpec(task_id="t1", consumer_instructions="x", extra_allowed_dirs=grants)
    with pytest.raises(ValueError, match="cannot keep it read-only"):
        build_config(spec, _paths("/home/alice"))


@pytest.mark.parametrize(
    ("kwargs", "widget"),
    [
        ({}, None),  # headless
        ({"conversation_ui": True}, "conversation"),
        ({"mode": "iframe"}, "iframe-input"),
    ],
)
def test_the_widget_follows_the_mode(kwargs: dict[str, Any], widget: str | None) -> None:
    config = CodexTaskConfig(consumer_instructions="x", **kwargs)
    assert create_codex_task("p", "n", config).ui_widget == widget


def test_every_published_export() -> None:
    for name in PUBLISHED_EXPORTS:
        assert hasattr(optio_codex, name) and name in optio_codex.__all__, name
    types = importlib.import_module("optio_codex.types")
    assert set(PUBLISHED_TYPES) <= set(types.__all__)
    for name in types.__all__:
        assert getattr(types, name) is not None
    assert types.CodexTaskConfig is optio_codex.CodexTaskConfig
    # optio-opencode imports the account helper by this path.
    account = importlib.import_module("optio_codex.account")
    assert account.analyze_account is optio_codex.analyze_account
    assert callable(account.account_from_openai)
    info = optio_codex.AGENT_INFO
    assert (info.slug, info.name) == ("codex", "Codex")
