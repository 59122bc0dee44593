"""The fields a config written for the published optio-codex 0.4.8 carries and ours would
otherwise lack, and how each maps onto this package (docs/compatibility.md, "Fields").

:class:`PublishedFieldsMixin` adds them to :class:`~optio_codex.task.config.CodexTaskConfig`
together with the optio-agents mixins the published config inherits, so optio-agents' helpers
and optio-agents-all's tagged union treat ours as a codex config. :func:`published_problems`
maps the published values onto ours (changing a field only towards the safer meaning, with a
warning in the log) and names what cannot be honoured.

The published filesystem isolation was Landlock (claustrum, built from GitHub at run time), and
it switched codex's own sandbox off. Here codex's own sandbox is the isolation layer:
``fs_isolation`` asks for it (writes confined to the workdir and the ``rw`` grants), and
``ro`` / ``rox`` grants are directories the agent may read and must not write.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from optio_agents.config_types import AllowedDir, ClaustrumConfigMixin, ResumeConfigMixin
from optio_agents.custom_controls import CustomControlsConfigMixin
from optio_agents.mcp import McpConfigMixin
from optio_agents.protocol import Protocol, get_protocol
from optio_agents.protocol.session import CallerMessageCallback

from optio_codex.hosts.grants import nested_read_only

log = logging.getLogger("optio_codex.task.config")

# What codex 0.163.0 takes for a turn's effort: any non-empty string a model advertises
# (model/list's supportedReasoningEfforts). Its bundled catalog advertises low … ultra; the
# published package also let none and minimal through (older models). Anything else is a typo.
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra")
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra"]
# A deliverables subdirectory: one plain path component.
_SUBDIR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True, kw_only=True)
class PublishedFieldsMixin(
    ClaustrumConfigMixin, McpConfigMixin, CustomControlsConfigMixin, ResumeConfigMixin
):
    """From the optio-agents mixins: ``fs_isolation`` (codex's own sandbox confines the
    task; default on), ``extra_allowed_dirs`` and ``delivery_type`` (the deliverables
    subdirectory of optio-codex's notices), ``mcp_servers`` (written into codex's config.toml),
    ``custom_controls`` (refused when non-empty, as published) and ``smooth_resume``."""

    agent_type: Literal["codex"] = "codex"
    # Variable names (globs) that must not reach codex: none does, as codex gets no inherited
    # environment at all (hosts/launch.py); a name the config's own env sets is refused.
    scrub_env: list[str] | None = None
    # The CLIENT_MESSAGE keyword: the agent's messages to the browser session that started it.
    use_client_messages: bool = False
    # The CALLER_MESSAGE keyword: the agent's messages to this callback; a reply goes back.
    on_caller_message: CallerMessageCallback | None = None
    # The published terminal UI ran ttyd on the host. Ours needs none (the engine serves the
    # terminal, docs/tui.md): accepted, and a value other than the default is said to differ.
    install_ttyd_if_missing: bool = True
    ttyd_install_dir: str | None = None

    @property
    def effective_sandbox_mode(self) -> SandboxMode:
        """The sandbox codex runs with (``sandbox`` after the published values are mapped)."""
        mode: SandboxMode = getattr(self, "sandbox", "workspace-write")
        return mode


def published_problems(config: Any) -> Iterator[str]:
    """Map ``config``'s published values onto ours, then name what is wrong.

    Runs first in ``CodexTaskConfig._problems``: the later checks see the mapped values.
    """
    object.__setattr__(config, "_compat_notes", [])
    if config.agent_type != "codex":
        yield f"agent_type={config.agent_type!r}: a CodexTaskConfig is agent_type='codex'"
    _map_approval(config)
    _map_sandbox(config)
    yield from _isolation_problems(config)
    yield from _grant_problems(config.extra_allowed_dirs or [])
    effort = config.reasoning_effort
    if effort is not None and effort not in REASONING_EFFORTS:
        yield f"reasoning_effort={effort!r} is not one of {', '.join(REASONING_EFFORTS)}"
    yield from _scrub_problems(config.scrub_env, config.env)
    if config.on_caller_message is not None and not callable(config.on_caller_message):
        yield "on_caller_message must be an async callable (hook_ctx, name, data)"
    yield from _mixin_problems(config)
    yield from _ttyd_problems(config)


def _differ(config: Any, message: str, *args: Any) -> None:
    """A published value that behaves differently here: said in the log, and kept for the
    task's notice (task/compat_notice.py)."""
    log.warning(message, *args)
    config._compat_notes.append(message % args if args else message)


def compat_notes(config: Any) -> tuple[str, ...]:
    """What ``config`` asked that this package does differently (empty: nothing)."""
    return tuple(getattr(config, "_compat_notes", ()))


def _map_approval(config: Any) -> None:
    if config.ask_for_approval == "on-failure":
        object.__setattr__(config, "ask_for_approval", "on-request")
        _differ(
            config,
            "ask_for_approval='on-failure': codex 0.163.0 has no such policy any more; "
            "using 'on-request' (codex asks before it leaves its sandbox)",
        )
    elif config.ask_for_approval == "never" and config.permission_gate:
        # Published: in a conversation the gate decided and ask_for_approval was ignored.
        object.__setattr__(config, "ask_for_approval", "on-request")
        _differ(
            config,
            "ask_for_approval='never' with permission_gate=True: using 'on-request', so that "
            "codex asks and the gate answers (as published)",
        )


def _map_sandbox(config: Any) -> None:
    """The published sandbox=None meant "Landlock confines, codex's sandbox is off"; here
    codex's sandbox is the one that confines."""
    sandbox, isolated = config.sandbox, config.fs_isolation
    if sandbox is None:
        chosen = "workspace-write" if isolated else "danger-full-access"
        object.__setattr__(config, "sandbox", chosen)
        _differ(
            config,
            "sandbox=None with fs_isolation=%s: using sandbox=%r (%s)",
            isolated,
            chosen,
            "codex's own sandbox is the isolation layer here"
            if isolated
            else "no isolation, as published",
        )
    elif sandbox == "danger-full-access" and isolated:
        object.__setattr__(config, "sandbox", "workspace-write")
        _differ(
            config,
            "sandbox='danger-full-access' with fs_isolation=True: using 'workspace-write', as "
            "codex's own sandbox is the isolation layer here (set fs_isolation=False for none)",
        )


def _isolation_problems(config: Any) -> Iterator[str]:
    if not isinstance(config.fs_isolation, bool):
        yield f"fs_isolation={config.fs_isolation!r} must be True or False"
    if config.fs_isolation is False and config.sandbox != "danger-full-access":
        _differ(
            config,
            "fs_isolation=False with sandbox=%r: codex's own sandbox still confines the task",
            config.sandbox,
        )
    kind = config.delivery_type
    if config.fs_isolation is True and kind is not None:
        # A delivery_type says the config was written for the published Landlock layer.
        _differ(
            config,
            "fs_isolation=True: codex's own sandbox confines writes (the workdir and the rw "
            "grants) and the network, not reads; the published Landlock layer also hid the "
            "rest of the host from the agent",
        )
    if kind is not None and (not isinstance(kind, str) or not _SUBDIR.fullmatch(kind)):
        yield (
            f"delivery_type={kind!r} must name one deliverables subdirectory "
            "(letters, digits, . _ -)"
        )


def _grant_problems(grants: Sequence[AllowedDir]) -> Iterator[str]:
    """``ro`` / ``rox`` grants must not lie inside an ``rw`` one: codex's sandbox makes a
    writable root writable all the way down, so the read-only grant would be a no-op."""
    for grant in grants:
        if not isinstance(grant, AllowedDir):
            yield f"extra_allowed_dirs: {grant!r} is not an AllowedDir"
            return
    yield from nested_read_only([(g.path, g.mode) for g in grants])


def _scrub_problems(patterns: Any, env: Any) -> Iterator[str]:
    if patterns is None:
        return
    if not isinstance(patterns, list | tuple) or not all(isinstance(p, str) for p in patterns):
        yield "scrub_env must be a list of variable names or globs"
        return
    for name in env or {}:
        hit = next((p for p in patterns if fnmatch.fnmatchcase(name, p)), None)
        if hit is not None:
            yield f"env: {name} is set by env and removed by scrub_env ({hit!r}): drop one"


def _mixin_problems(config: Any) -> Iterator[str]:
    name = type(config).__name__
    for check, supported in (
        (config._validate_mcp, True),  # written into config.toml (task/mcp_servers.py)
        (config._validate_custom_controls, False),  # refused when non-empty, as published
    ):
        try:
            check(supported=supported, agent="codex")
        except ValueError as exc:
            yield str(exc).replace(f"{name}.", "")
    if not isinstance(config.smooth_resume, bool):
        yield f"smooth_resume={config.smooth_resume!r} must be True or False"


class _ShimlessProtocol(Protocol):
    """The keyword protocol without optio-agents' browser shims: they go into the workdir,
    which the agent may write, and ask for it on codex's PATH, where codex itself would run
    what the agent put there outside its sandbox. The task's own opener is read-only to the
    agent instead (task/browser_open.py)."""

    async def prepare_browser_shims(self, host: Any) -> dict[str, str] | None:
        return None


def log_protocol(config: Any) -> Protocol:
    """The optio.log keywords this task's agent is told about and the driver reads:
    BROWSER always, CLIENT_MESSAGE and CALLER_MESSAGE when the config enables them."""
    plain = get_protocol(
        browser="redirect",
        client_messages=bool(config.use_client_messages),
        caller_messages=config.on_caller_message is not None,
    )
    return _ShimlessProtocol(plain.documentation, plain.parse_log_line, plain.features)


def _ttyd_problems(config: Any) -> Iterator[str]:
    where = config.ttyd_install_dir
    if where is not None and (not isinstance(where, str) or not where.startswith(("/", "~"))):
        yield f"ttyd_install_dir={where!r} must be an absolute path (start with '/' or '~')"
    if where is not None or config.install_ttyd_if_missing is not True:
        _differ(
            config,
            "install_ttyd_if_missing / ttyd_install_dir: no ttyd is installed or used; the "
            "terminal UI is served by the engine (mode='iframe')",
        )
