"""What a task asks of its host, and where the task lives there: the provisioning spec, the
task's paths, and the checks that keep ids and roots safe to pass through a login shell."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from optio_agents.config_types import AllowedDir

from optio_codex.hosts.host_scripts import HostScriptError
from optio_codex.hosts.launch import app_server_env

SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ApprovalPolicy = Literal["untrusted", "on-request", "never"]
# "sha256": hash every cached file on every launch (~0.7 s for the 297 MB codex).
# "stamp": hash once at install; later launches compare size, inode and ctime (nanoseconds,
# which any write or touch updates and a user cannot set back) with a stamp file.
VerifyMode = Literal["sha256", "stamp"]

DEFAULT_TASK_ROOT = "~/.optio-codex/tasks"  # not /tmp: codex refuses helper binaries under it
DEFAULT_CACHE_ROOT = "~/.cache/optio-codex/bin"

_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Roots travel as exec arguments through the user's login shell (maybe csh or fish): keep
# them to characters no shell treats specially.
_ROOT = re.compile(r"^(~|~/[A-Za-z0-9._/+@=,-]*|/[A-Za-z0-9._/+@=,-]*)$")


class ProvisionError(HostScriptError):
    """The host could not be prepared; the message says which step failed and why."""


@dataclass(frozen=True, kw_only=True)
class ProvisionSpec:
    """Everything provisioning needs for one task; validated on construction."""

    task_id: str
    consumer_instructions: str
    task_root: str = DEFAULT_TASK_ROOT
    cache_root: str = DEFAULT_CACHE_ROOT
    sandbox: SandboxMode = "workspace-write"
    approval_policy: ApprovalPolicy = "on-request"
    network_access: bool = False
    extra_allowed_dirs: tuple[AllowedDir, ...] = ()
    model: str | None = None
    reasoning_effort: str | None = None
    api_key: str | None = field(default=None, repr=False)
    codex_config: Mapping[str, Any] | None = None  # merged over the generated config.toml
    # A custom provider's key by the variable its env_key names (hosts/provider_keys.py).
    provider_secrets: Mapping[str, str] | None = field(default=None, repr=False)
    host_protocol: bool = True
    # The optio.log keywords AGENTS.md describes (optio-agents' Protocol.documentation);
    # None: the default set (no CLIENT_MESSAGE / CALLER_MESSAGE).
    log_documentation: str | None = field(default=None, repr=False)
    supports_resume: bool = False
    # What snapshots leave out of the workdir: AGENTS.md's resume section names it.
    workdir_exclude: tuple[str, ...] = ()
    # What the run's companions add before codex starts (task/companions.py, LaunchPlan):
    # files relative to the task dir (a seed's auth.json, say) carried in the provisioning
    # tar, and config.toml entries the task's own settings are merged over.
    extra_files: tuple[tuple[str, bytes, int], ...] = field(default=(), repr=False)
    base_codex_config: Mapping[str, Any] | None = field(default=None, repr=False)
    # sha256 of the whole bundle once, then a size/inode/ctime stamp (any write changes ctime):
    # hashing 290 MB on every launch costs ~0.7 s.
    verify: VerifyMode = "stamp"
    code_mode_host: bool = False
    # Which codex (hosts/codex_install.py): None, the pinned bundle in cache_root, pushed there
    # if missing unless install_if_missing is False; else the checked codex install_dir holds.
    install_dir: str | None = None
    install_if_missing: bool = True

    def __post_init__(self) -> None:
        validate_task_id(self.task_id)
        for name in ("task_root", "cache_root"):
            validate_root(name, getattr(self, name))
        if self.install_dir is not None:
            validate_root("install_dir", self.install_dir)
        if self.verify not in ("sha256", "stamp"):
            raise ValueError(f"verify={self.verify!r}: use 'sha256' or 'stamp'")
        for d in self.extra_allowed_dirs:
            # ~/… is resolved on the host (task_files.build_config), never on the worker.
            home_relative = d.path.startswith("~/")
            if not (posixpath.isabs(d.path) or home_relative) or ".." in d.path.split("/"):
                raise ValueError(f"extra_allowed_dirs: {d.path!r} must be absolute, without ..")
        for name, _data, _mode in self.extra_files:
            validate_task_file(name)


def validate_task_file(name: str) -> None:
    """A file a task starts with: under home/ or workdir/, no way out of the task dir."""
    parts = name.split("/")
    if parts[0] not in ("home", "workdir") or len(parts) < 2 or {"", ".", ".."} & set(parts):
        raise ValueError(f"task file {name!r} must be a plain path under home/ or workdir/")


def validate_task_id(task_id: str) -> None:
    # One path component of safe characters: no "/", no "..", no leading dot or dash.
    if not isinstance(task_id, str) or not _TASK_ID.fullmatch(task_id) or ".." in task_id:
        raise ValueError(
            f"task_id {task_id!r} is not allowed: use 1-128 of A-Z a-z 0-9 . _ - "
            "(starting with a letter or digit, no '..')"
        )


def validate_root(name: str, value: str) -> None:
    if not _ROOT.fullmatch(value) or ".." in value.split("/"):
        raise ValueError(
            f"{name}={value!r} must be absolute (or start with ~/), without '..' or "
            "characters a shell treats specially"
        )


@dataclass(frozen=True)
class TaskPaths:
    """Where one task lives on its host (all absolute, ``~`` resolved on the host)."""

    host_home: str
    task_root: str
    task_id: str
    cache_root: str = ""  # where codex bundles are cached on this host

    @property
    def task_dir(self) -> str:
        return f"{self.task_root}/{self.task_id}"

    @property
    def workspace(self) -> str:
        # optio-host's layout: its setup_workdir() and log-protocol driver use taskdir/workdir.
        return f"{self.task_dir}/workdir"

    @property
    def home(self) -> str:
        return f"{self.task_dir}/home"

    @property
    def codex_home(self) -> str:
        return f"{self.home}/.codex"

    @property
    def tmpdir(self) -> str:
        return f"{self.task_dir}/tmp"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """codex's whole environment for this task (see :func:`app_server_env`)."""
        return app_server_env(
            home=self.home, codex_home=self.codex_home, tmpdir=self.tmpdir, extra=extra
        )
