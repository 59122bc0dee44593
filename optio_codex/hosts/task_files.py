"""The files a task starts with: config.toml, AGENTS.md and (with an API key) auth.json,
and the small tar that carries them to the host on the provisioning exec's stdin."""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Sequence
from typing import Any

import tomli_w
from optio_agents.prompt import AgentPromptProfile, compose_instructions_file

from optio_codex.hosts.grants import WRITABLE_MODES, expand_home, nested_read_only
from optio_codex.hosts.provider_keys import with_provider_keys
from optio_codex.hosts.task_spec import ProvisionSpec, TaskPaths
from optio_codex.mappings import deep_merge

AGENTS_PROFILE = AgentPromptProfile(
    instructions_file="AGENTS.md",
    state_dir="home/.codex/",
    state_dir_contents="codex's configuration, credentials and conversation history",
    todo_tool="update_plan",
)


def build_config(spec: ProvisionSpec, paths: TaskPaths) -> dict[str, Any]:
    """config.toml as a dict: trust for the workspace, the sandbox, then the caller's extras."""
    # Grants may start with ~/: resolved here, against the home the host reported.
    grants = [(expand_home(d.path, paths.host_home), d.mode) for d in spec.extra_allowed_dirs]
    problems = list(nested_read_only([(paths.workspace, "rw"), *grants]))
    if problems:
        raise ValueError("; ".join(problems))
    writable = [path for path, mode in grants if mode in WRITABLE_MODES]
    ours: dict[str, Any] = {
        "check_for_update_on_startup": False,
        "sandbox_mode": spec.sandbox,
        "approval_policy": spec.approval_policy,
        "projects": {paths.workspace: {"trust_level": "trusted"}},
        # AGENTS.md asks for update_plan and plans become the task's progress, but codex
        # 0.163.0 offers the tool only when enabled (a table: a bare bool fails to load).
        "tools": {"update_plan": {"enabled": True}},
        "sandbox_workspace_write": {
            "writable_roots": writable,
            "network_access": spec.network_access,
            # Without these, workspace-write also opens /tmp and $TMPDIR to the agent.
            "exclude_slash_tmp": True,
            "exclude_tmpdir_env_var": True,
        },
    }
    if spec.model:
        ours["model"] = spec.model
    if spec.reasoning_effort:
        ours["model_reasoning_effort"] = spec.reasoning_effort
    # A seed's config (say) first, the task's settings over it, the caller's extras last.
    config = deep_merge(dict(spec.base_codex_config or {}), ours)
    if spec.codex_config:
        config = deep_merge(config, spec.codex_config)
    return config


def compose_agents_md(spec: ProvisionSpec) -> str:
    # No fs_isolation_dirs note: codex's sandbox limits writes, not reads, so the note's
    # "files outside them are not accessible" would be false.
    text: str = compose_instructions_file(
        spec.consumer_instructions,
        profile=AGENTS_PROFILE,
        workdir_exclude=list(spec.workdir_exclude),
        supports_resume=spec.supports_resume,
        host_protocol=spec.host_protocol,
        documentation=spec.log_documentation,
    )
    return text


def task_files(spec: ProvisionSpec, config: dict[str, Any]) -> list[tuple[str, bytes, int]]:
    """(path relative to the task dir, content, mode) of every file a task starts with;
    ``config`` is :func:`build_config`'s. A custom provider's key goes into the file only
    (0600), never into ``config``, which the task keeps and reports."""
    if spec.provider_secrets:
        config = with_provider_keys(config, spec.provider_secrets)
    files = [
        (
            "home/.codex/config.toml",
            tomli_w.dumps(config).encode(),
            0o600,
        ),
        ("workdir/AGENTS.md", compose_agents_md(spec).encode(), 0o644),
    ]
    if spec.api_key:
        auth = {"auth_mode": "apikey", "OPENAI_API_KEY": spec.api_key}
        files.append(("home/.codex/auth.json", json.dumps(auth).encode(), 0o600))
    ours = {name for name, _data, _mode in files}
    for name, data, mode in spec.extra_files:
        if name in ours:
            raise ValueError(f"two sources for the task file {name} (e.g. api_key and a seed)")
        files.append((name, data, mode))
    return files


def tar_files(files: Sequence[tuple[str, bytes, int]]) -> bytes:
    buf = io.BytesIO()
    now = int(time.time())
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, now
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
