"""CodexTaskConfig: every option of a codex task, checked once, here.

Field names follow the published optio-codex wherever the concept is the same, so a config
written for it keeps working. Impossible combinations raise ValueError naming the fields.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from optio_agents.config_types import (
    AllowedDir,
    BlobCryptoConfigMixin,
    SeedProvider,
    SessionControlsConfigMixin,
    ThinkingVerbosity,
    ToolVerbosity,
    WelcomeConfigMixin,
)
from optio_host.types import SSHConfig as _OptioHostSSHConfig

from optio_codex.driver.policies import PermissionPolicy
from optio_codex.hosts.codex_install import install_problems
from optio_codex.hosts.launch import SECRET_NAME
from optio_codex.hosts.provider_keys import provider_key_problems
from optio_codex.hosts.sandbox_entries import sandbox_contradictions
from optio_codex.hosts.ssh import HostKeyPolicy, SSHTarget
from optio_codex.hosts.task_spec import ProvisionSpec
from optio_codex.task.prices import ModelPrice
from optio_codex.task.published_fields import (
    PublishedFieldsMixin,
    log_protocol,
    published_problems,
)
from optio_codex.task.workdir_exclude import effective_exclude

SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ApprovalPolicy = Literal["untrusted", "on-request", "never"]
Cleanup = Literal["always", "on_success", "never"]
Transport = Literal["detached", "attached"]
InterruptedTurn = Literal["resend", "leave"]

HookCallback = Callable[[Any], Awaitable[None]]
DeliverableCallback = Callable[[Any, str, str], Awaitable["str | None"]]  # (hook_ctx, path, text)
UploadCallback = Callable[[Any, str], Awaitable[None]]  # (hook_ctx, "uploads/<name>")
# (seed_id, account summary or None): a fresh run's login captured as a new seed at teardown.
SeedSavedCallback = Callable[[str, "str | None"], "Awaitable[None] | None"]
_TOOL_VERBOSITY = ("silent", "description-while-active", "description-only", "verbose")
_THINKING_VERBOSITY = ("hidden", "visible")

log = logging.getLogger(__name__)

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Set by the launcher for every task; a config may not move them.
RESERVED_ENV = frozenset(
    {
        "HOME",
        "CODEX_HOME",
        "TMPDIR",
        "PATH",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
    }
)


@dataclass(frozen=True, kw_only=True)
class SSHConfig:
    """Where a remote task runs. Host keys are verified against ``known_hosts``.

    The first four fields are optio-host's ``SSHConfig``; the rest make the connection safe.
    """

    host: str
    user: str
    key_path: str
    port: int = 22
    known_hosts: str | None = None  # default: ~/.ssh/known_hosts of the worker
    host_key_policy: HostKeyPolicy = "strict"
    connect_timeout: float = 15.0
    keepalive_interval: float = 15.0

    def target(self) -> SSHTarget:
        return SSHTarget(
            host=self.host,
            port=self.port,
            username=self.user,
            client_keys=(Path(self.key_path).expanduser(),),
            known_hosts=Path(self.known_hosts).expanduser()
            if self.known_hosts
            else Path.home() / ".ssh" / "known_hosts",
            host_key_policy=self.host_key_policy,
            connect_timeout=self.connect_timeout,
            keepalive_interval=self.keepalive_interval,
        )

    @classmethod
    def coerce(cls, value: Any) -> SSHConfig:
        if isinstance(value, cls):
            return value
        if isinstance(value, _OptioHostSSHConfig):
            return cls(host=value.host, user=value.user, key_path=value.key_path, port=value.port)
        raise ValueError(f"CodexTaskConfig.ssh must be an SSHConfig, not {type(value).__name__}")


def same_config(config: CodexTaskConfig) -> CodexTaskConfig:
    """The default ``on_resume_refresh`` (as published): AGENTS.md is recomposed from the
    unchanged config on a resume, so edited instructions or templates reach a resumed task."""
    return config


@dataclass(frozen=True, kw_only=True)
class CodexTaskConfig(
    SessionControlsConfigMixin, WelcomeConfigMixin, BlobCryptoConfigMixin, PublishedFieldsMixin
):
    """One codex task. Frozen and keyword-only; validated on construction.

    From the mixins: ``show_session_controls`` / ``session_controls`` (the model and effort
    controls of the host UI), ``welcome`` (its welcome card), and the at-rest blob crypto
    hooks ``session_blob_encrypt/decrypt`` and ``seed_blob_encrypt/decrypt`` (read the seed
    pair through ``seed_encrypt`` / ``seed_decrypt``: it falls back to the session pair).
    """

    consumer_instructions: str
    # -- where
    ssh: SSHConfig | None = None  # None: run on the worker itself
    task_root: str | None = None  # default: ~/.optio-codex/tasks on the host (not /tmp)
    cleanup: Cleanup = "always"
    # A codex install on the host, used after its --version check (hosts/codex_install.py);
    # None: the pinned codex. install_if_missing=False: nothing is installed on the host.
    install_dir: str | None = None
    install_if_missing: bool = True
    # -- codex
    model: str | None = None
    reasoning_effort: str | None = None
    ask_for_approval: ApprovalPolicy = "on-request"
    sandbox: SandboxMode = "workspace-write"
    network_access: bool = False
    extra_allowed_dirs: list[AllowedDir] | None = None
    env: Mapping[str, str] | None = None
    api_key: str | None = field(default=None, repr=False)
    codex_config: Mapping[str, Any] | None = None  # extra config.toml entries
    # The key of a custom provider in codex_config, by the variable its env_key names
    # ({"MY_KEY": "..."}): written into config.toml (0600) only, never into an environment.
    provider_secrets: Mapping[str, str] | None = field(default=None, repr=False)
    # -- a ChatGPT login from the seed store (docs/credentials.md): a seed name or id, or a
    # SeedProvider leasing one for the process id; and the capture of a fresh run's login.
    seed_id: str | SeedProvider | None = None
    on_seed_saved: SeedSavedCallback | None = None
    # -- conversation
    # "iframe": codex's own terminal UI in tmux, shown in the dashboard (docs/tui.md)
    mode: Literal["conversation", "iframe"] = "conversation"
    auto_start: bool = False
    permission_gate: bool = False  # a human answers approvals (UI or terminal)
    permission_policy: PermissionPolicy | None = None
    approval_timeout: float | None = 300.0
    # -- the host UI (the optio dashboard's conversation view); see docs/ui.md
    conversation_ui: bool = False
    tool_verbosity: ToolVerbosity = "description-only"
    thinking_verbosity: ThinkingVerbosity = "hidden"
    native_spinner: bool = False
    show_file_upload: bool = False
    on_upload: UploadCallback | None = None
    max_upload_bytes: int = 10_000_000
    file_download: bool = False
    max_download_bytes: int = 10_000_000
    # -- usage: model -> price per million tokens, over the package's dated default table
    prices: Mapping[str, ModelPrice] | None = None
    # -- results and hooks
    host_protocol: bool = True  # the optio.log keyword channel (STATUS/DELIVERABLE/DONE/ERROR)
    before_execute: HookCallback | None = None
    after_execute: HookCallback | None = None
    on_deliverable: DeliverableCallback | None = None
    supports_resume: bool = True  # as published: snapshots at the end, resume on any host
    # -- snapshots (docs/snapshots.md): with supports_resume, the workspace and the thread's
    # codex state are captured at the end of every run, and every snapshot_every seconds
    # between turns (None: at the end only); the newest snapshot_keep are kept.
    # workdir_exclude: patterns left out (None: the published defaults). on_resume_refresh:
    # the config AGENTS.md is recomposed from on a resume (None: AGENTS.md as captured).
    workdir_exclude: list[str] | None = None
    on_resume_refresh: Callable[[CodexTaskConfig], CodexTaskConfig] | None = same_config
    snapshot_every: float | None = None
    snapshot_keep: int = 5
    # -- durability
    # "detached": codex runs in its own session on a unix socket and survives SSH drops and
    # worker restarts; "attached": its stdio is the channel. Default: detached over SSH,
    # attached on the worker itself.
    transport: Transport | None = None
    reconnect_timeout: float = 600.0  # how long to keep trying to reach the host / codex
    inactivity_timeout: float | None = 300.0  # silent turn → thread/read reconciles it
    max_relaunches: int = 5  # app-server deaths survived per run
    interrupted_turn: InterruptedTurn = "resend"  # the turn a dead app-server took along
    auto_resume: bool = True  # with supports_resume: come back after an engine restart
    registry_owner: str | None = None  # default: "<mongo database>/<prefix>" of the engine
    # -- limits: an unattended task always ends (see task/run_limits.py)
    max_nudges: int = 3  # turns ended without DONE/ERROR answered with a nudge; 0: never nudge
    max_duration: float | None = None  # seconds for the whole run, then it fails
    max_tokens: int | None = None  # the thread's total tokens, then it fails

    def __post_init__(self) -> None:
        errors = list(self._route_api_key_env())
        errors += self._problems()
        if errors:
            raise ValueError("invalid CodexTaskConfig: " + "; ".join(errors))
        if self.ssh is not None:
            object.__setattr__(self, "ssh", SSHConfig.coerce(self.ssh))

    def _route_api_key_env(self) -> Iterator[str]:
        """The published configs pass the key as env={"OPENAI_API_KEY": ...}: it becomes
        ``api_key`` (a 0600 auth.json carried on stdin), never a process environment."""
        env = self.env
        if not isinstance(env, Mapping) or "OPENAI_API_KEY" not in env:
            return
        key = env["OPENAI_API_KEY"]
        if not isinstance(key, str) or not key.strip():
            yield "env: OPENAI_API_KEY must be a non-empty string (it is taken as api_key)"
            return
        if self.api_key is not None and self.api_key != key:
            yield "env OPENAI_API_KEY and api_key differ: pass the key once, as api_key"
            return
        rest = {k: v for k, v in env.items() if k != "OPENAI_API_KEY"}
        object.__setattr__(self, "env", rest or None)
        object.__setattr__(self, "api_key", key)
        log.info(
            "env OPENAI_API_KEY is taken as api_key: codex gets it in a 0600 auth.json, "
            "not in its environment"
        )

    def _problems(self) -> Iterator[str]:
        yield from published_problems(self)  # first: maps the published values onto ours
        if (
            not isinstance(self.consumer_instructions, str)
            or not self.consumer_instructions.strip()
        ):
            yield "consumer_instructions must be a non-empty string"
        if self.sandbox not in ("read-only", "workspace-write", "danger-full-access"):
            yield f"sandbox={self.sandbox!r}: use read-only, workspace-write or danger-full-access"
        if self.ask_for_approval not in ("untrusted", "on-request", "never"):
            yield f"ask_for_approval={self.ask_for_approval!r}: use untrusted, on-request or never"
        if self.cleanup not in ("always", "on_success", "never"):
            yield f"cleanup={self.cleanup!r} is not always, on_success or never"
        yield from _mode_problems(self)
        if self.network_access and self.sandbox != "workspace-write":
            yield (
                f"network_access=True applies to sandbox='workspace-write' only "
                f"(sandbox={self.sandbox!r})"
            )
        writable = [d for d in self.extra_allowed_dirs or [] if d.mode in ("rw", "rwx")]
        if writable and self.sandbox != "workspace-write":
            yield (
                f"extra_allowed_dirs with mode rw need sandbox='workspace-write' "
                f"(sandbox={self.sandbox!r})"
            )
        for d in self.extra_allowed_dirs or []:
            if not str(d.path).startswith(("/", "~/")):
                yield f"extra_allowed_dirs: {d.path!r} is not an absolute path (or ~/…)"
        if self.approval_timeout is not None and self.approval_timeout <= 0:
            yield "approval_timeout must be positive or None"
        if self.task_root is not None and not self.task_root.startswith(("/", "~")):
            yield f"task_root={self.task_root!r} must be absolute (or start with ~)"
        yield from install_problems(self.install_dir, self.install_if_missing)
        if self.transport not in (None, "detached", "attached"):
            yield f"transport={self.transport!r} is not 'detached' or 'attached'"
        if self.reconnect_timeout <= 0:
            yield "reconnect_timeout must be positive"
        yield from _snapshot_problems(self)
        if self.inactivity_timeout is not None and self.inactivity_timeout <= 0:
            yield "inactivity_timeout must be positive or None"
        if self.max_relaunches < 0:
            yield "max_relaunches must not be negative"
        if self.interrupted_turn not in ("resend", "leave"):
            yield f"interrupted_turn={self.interrupted_turn!r} is not 'resend' or 'leave'"
        yield from _limit_problems(self.max_nudges, self.max_duration, self.max_tokens)
        yield from _ui_problems(self)
        yield from _seed_problems(self)
        yield from _env_problems(self.env)
        # Raw entries are merged over the typed sandbox settings: none may loosen them.
        yield from sandbox_contradictions(
            self.codex_config,
            sandbox=self.sandbox,
            network_access=self.network_access,
            writable_dirs=[d.path for d in writable],
        )
        yield from provider_key_problems(self.codex_config, self.provider_secrets)
        if self.api_key is not None and not self.api_key.strip():
            yield "api_key is empty"

    def __repr__(self) -> str:  # never print the key
        return f"CodexTaskConfig(ssh={self.ssh!r}, sandbox={self.sandbox!r}, model={self.model!r})"


def _mode_problems(config: CodexTaskConfig) -> Iterator[str]:
    if config.mode not in ("conversation", "iframe"):
        yield f"mode={config.mode!r} is not 'conversation' or 'iframe'"
    elif config.mode == "iframe" and config.conversation_ui:
        yield "conversation_ui=True shows a conversation; mode='iframe' shows the terminal UI"
    elif config.mode == "iframe" and (config.permission_gate or config.permission_policy):
        yield "mode='iframe' takes approvals in the terminal UI: no permission_gate or policy"


def _ui_problems(config: CodexTaskConfig) -> Iterator[str]:
    for check in (config._validate_session_controls, config._validate_welcome):
        try:
            check()
        except ValueError as exc:
            yield str(exc)
    if config.tool_verbosity not in _TOOL_VERBOSITY:
        yield f"tool_verbosity={config.tool_verbosity!r} is not one of {_TOOL_VERBOSITY}"
    if config.thinking_verbosity not in _THINKING_VERBOSITY:
        yield (
            f"thinking_verbosity={config.thinking_verbosity!r} is not one of {_THINKING_VERBOSITY}"
        )
    needs_ui = ("show_session_controls", "native_spinner", "show_file_upload", "file_download")
    for name in needs_ui:
        if getattr(config, name) and not config.conversation_ui:
            yield f"{name}=True needs conversation_ui=True (it is part of the host UI)"
    for name in ("max_upload_bytes", "max_download_bytes"):
        value = getattr(config, name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            yield f"{name}={value!r} must be a positive whole number of bytes"
    for model, price in (config.prices or {}).items():
        if not isinstance(price, ModelPrice):
            yield f"prices[{model!r}] must be a ModelPrice, not {type(price).__name__}"


def _seed_problems(config: CodexTaskConfig) -> Iterator[str]:
    try:
        config._validate_blob_crypto()
    except ValueError as exc:
        yield str(exc)
    seed = config.seed_id
    if seed is not None and not callable(seed) and (not isinstance(seed, str) or not seed.strip()):
        yield "seed_id must be a seed name or id, or a SeedProvider (an async callable)"
    if seed is not None and config.api_key is not None:
        yield "seed_id and api_key both give codex a login: use one"
    if seed is not None and config.on_seed_saved is not None:
        yield "on_seed_saved captures a fresh login as a new seed; with seed_id there is none"
    if config.on_seed_saved is not None and not callable(config.on_seed_saved):
        yield "on_seed_saved must be a callable (seed_id, info)"


def _limit_problems(max_nudges: Any, max_duration: Any, max_tokens: Any) -> Iterator[str]:
    if not isinstance(max_nudges, int) or isinstance(max_nudges, bool) or max_nudges < 0:
        yield f"max_nudges={max_nudges!r} must be a whole number, 0 or more (0: never nudge)"
    if max_duration is not None and (
        not isinstance(max_duration, int | float)
        or isinstance(max_duration, bool)
        or not max_duration > 0
    ):
        yield f"max_duration={max_duration!r} must be a positive number of seconds or None"
    if max_tokens is not None and (
        not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens <= 0
    ):
        yield f"max_tokens={max_tokens!r} must be a positive whole number or None"


def _snapshot_problems(config: CodexTaskConfig) -> Iterator[str]:
    every, keep = config.snapshot_every, config.snapshot_keep
    if every is not None and (not isinstance(every, int | float) or every <= 0):
        yield f"snapshot_every={every!r} must be positive seconds or None"
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
        yield f"snapshot_keep={keep!r} must be an integer of at least 1"
    exclude = config.workdir_exclude
    if exclude is not None and (
        isinstance(exclude, str)
        or not all(isinstance(p, str) and p and not p.startswith("/") for p in exclude)
    ):
        yield "workdir_exclude must be a list of relative patterns (or None: the defaults)"
    if config.on_resume_refresh is not None and not callable(config.on_resume_refresh):
        yield "on_resume_refresh must be a function of the config, or None"


def _env_problems(env: Mapping[str, str] | None) -> Iterator[str]:
    for name, value in (env or {}).items():
        if not _ENV_NAME.match(name):
            yield f"env: {name!r} is not a valid variable name"
        elif name in RESERVED_ENV:
            yield f"env: {name} is set by optio-codex for every task"
        elif SECRET_NAME.search(name):
            yield (
                f"env: {name} looks like a secret; environment values are visible in the "
                "host's process list (pass an API key as api_key)"
            )
        if not isinstance(value, str) or "\0" in value:
            yield f"env: the value of {name} must be a string without NUL bytes"


def provision_spec(config: CodexTaskConfig, task_id: str, **overrides: Any) -> ProvisionSpec:
    """What ``config`` asks of the host, as the provisioning layer takes it."""
    values: dict[str, Any] = {
        "task_id": task_id,
        "consumer_instructions": config.consumer_instructions,
        "sandbox": config.sandbox,
        "approval_policy": config.ask_for_approval,
        "network_access": config.network_access,
        "extra_allowed_dirs": tuple(config.extra_allowed_dirs or ()),
        "model": config.model,
        "reasoning_effort": config.reasoning_effort,
        "api_key": config.api_key,
        "codex_config": config.codex_config,
        "provider_secrets": config.provider_secrets,
        "host_protocol": config.host_protocol,
        "log_documentation": log_protocol(config).documentation,
        "supports_resume": config.supports_resume,
        "workdir_exclude": tuple(effective_exclude(config.workdir_exclude)),
        "install_dir": config.install_dir,
        "install_if_missing": config.install_if_missing,
    }
    if config.task_root:
        values["task_root"] = config.task_root
    values.update(overrides)
    return ProvisionSpec(**values)
