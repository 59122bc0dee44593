"""create_codex_task / run_codex_session: one codex task's life inside the optio engine.

The order of a run: connect (host key checked) → place the task directory → optio-agents'
log-protocol driver wipes the workdir → provision (binary, dirs, config, AGENTS.md, auth) →
sandbox preflight → launch codex app-server → conversation (published to live callers) →
optio.log keywords drive progress, deliverables and the end → teardown (stop codex, clean up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

from optio_agents.protocol import run_log_protocol_session
from optio_core.models import TaskInstance

from optio_codex.config import CodexTaskConfig
from optio_codex.conversation import AppServerHandle, CodexConversation, ConversationOptions
from optio_codex.hosts.optio_host_adapter import VerifiedRemoteHost, make_task_host
from optio_codex.hosts.provision import (
    DEFAULT_TASK_ROOT,
    HostOps,
    LocalOps,
    ProvisionResult,
    ProvisionSpec,
    SshOps,
    provision,
    remove_task_dir,
)
from optio_codex.hosts.sandbox import (
    PreflightTarget,
    SandboxSettings,
    preflight,
    run_local,
    ssh_runner,
)
from optio_codex.launch import app_server_argv
from optio_codex.permissions import DenyAll, GateSettings
from optio_codex.transport.local import spawn_local_app_server
from optio_codex.transport.ssh_exec import spawn_ssh_app_server

log = logging.getLogger(__name__)

AUTO_START_PROMPT = "System: Read AGENTS.md and execute the task it describes."
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")

# $1: the task's CODEX_HOME. SIGKILLs every process whose environment holds exactly
# CODEX_HOME=$1 (codex passes it on to every command it runs). Killing codex's process
# group is not enough: codex runs each command in a session of its own (the sandbox helper
# and escalated commands alike), so what a command detached (``setsid server &``) outlives
# codex, and now and then a sandboxed command still running when codex exits was seen
# orphaned too. Rounds catch children forked between a scan and its kill.
# One line: see provision._check_shell_safe.
_SWEEP_SCRIPT = (
    'set -u; want="CODEX_HOME=$1"; n=0; '
    "for round in 1 2 3; do "
    'pids=$(grep -lzxF -e "$want" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 '
    '| grep -vx "$$"); '
    '[ -n "$pids" ] || break; kill -KILL $pids 2>/dev/null; n=$((n + 1)); done; '
    'printf \'OPTIO-RESULT {"rounds":%s}\\n\' "$n"'
)


def create_codex_task(
    process_id: str,
    name: str,
    config: CodexTaskConfig,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> TaskInstance:
    """An optio TaskInstance that runs codex as ``config`` says."""
    if not isinstance(config, CodexTaskConfig):
        raise TypeError(f"config must be a CodexTaskConfig, not {type(config).__name__}")

    async def execute(ctx: Any) -> None:
        await run_codex_session(ctx, config)

    return TaskInstance(
        execute=execute,
        process_id=process_id,
        name=name,
        description=description,
        metadata=dict(metadata or {}),
        ui_widget="conversation" if config.permission_gate else None,
        supports_resume=config.supports_resume,
    )


async def run_codex_session(ctx: Any, config: CodexTaskConfig) -> None:
    """Run one codex task in ``ctx`` (an optio ProcessContext) to its end."""
    await CodexTaskRun(ctx, config).run()


def task_id_for(process_id: str) -> str:
    """A directory name for the task: the process id with unsafe characters replaced."""
    cleaned = _UNSAFE_ID.sub("_", process_id).lstrip(".-") or "task"
    return cleaned[:120]


class CodexTaskRun:
    """The state of one run; each step is a method so the order above stays readable."""

    def __init__(self, ctx: Any, config: CodexTaskConfig) -> None:
        self.ctx = ctx
        self.config = config
        self.task_id = task_id_for(str(ctx.process_id))
        self.target = config.ssh.target() if config.ssh is not None else None
        self.host = make_task_host(self.target, taskdir="")
        self.task_root = ""
        self.provisioned: ProvisionResult | None = None
        self.conversation: CodexConversation | None = None

    @property
    def remote(self) -> bool:
        return isinstance(self.host, VerifiedRemoteHost)

    async def run(self) -> None:
        await self.host.connect()
        succeeded = False
        try:
            await self._place_task()
            await run_log_protocol_session(
                self.host,
                self.ctx,
                body=self._body,
                prepare=self._prepare,
                on_deliverable=self.config.on_deliverable,
                before_execute=self.config.before_execute,
                after_execute=self.config.after_execute,
                agent_sender=self._send_to_agent,
                keywords=self.config.host_protocol,
            )
            # A cancel also returns normally from the driver; only a real finish counts.
            succeeded = self.ctx.should_continue()
        finally:
            await self._teardown(succeeded)

    async def _place_task(self) -> None:
        root = self.config.task_root or DEFAULT_TASK_ROOT
        if root.startswith("~"):
            root = (await self.host.resolve_host_home()).rstrip("/") + root[1:]
        self.task_root = root
        self.host.taskdir = f"{root}/{self.task_id}"
        self.host.workdir = f"{self.host.taskdir}/workdir"

    def _ops(self) -> HostOps:
        if isinstance(self.host, VerifiedRemoteHost):
            return SshOps(self.host.connection)
        return LocalOps()

    async def _prepare(self, host: Any, hook_ctx: Any) -> None:
        spec = ProvisionSpec.from_task_config(self.config, self.task_id, task_root=self.task_root)
        self.provisioned = result = await provision(self._ops(), spec)
        self.ctx.report_progress(None, "codex provisioned" + (" (pushed)" if result.pushed else ""))
        run = (
            ssh_runner(self.host.connection)
            if isinstance(self.host, VerifiedRemoteHost)
            else run_local
        )
        writable = tuple(
            d.path for d in self.config.extra_allowed_dirs or () if d.mode in ("rw", "rwx")
        )
        await preflight(
            run,
            PreflightTarget(
                codex=result.binary,
                workspace=result.paths.workspace,
                scratch_parent=result.paths.task_dir,
            ),
            SandboxSettings(
                mode=self.config.sandbox,
                network_access=self.config.network_access,
                writable_dirs=writable,
            ),
        )

    async def _launch(self) -> AppServerHandle:
        assert self.provisioned is not None
        paths = self.provisioned.paths
        argv = app_server_argv(self.provisioned.binary)
        env = paths.env(self.config.env)
        if isinstance(self.host, VerifiedRemoteHost):
            return await spawn_ssh_app_server(
                self.host.connection, argv, env=env, cwd=paths.workspace
            )
        return await spawn_local_app_server(argv, env=env, cwd=paths.workspace)

    async def _body(self, host: Any, hook_ctx: Any) -> None:
        assert self.provisioned is not None
        server = await self._launch()
        config = self.config
        self.conversation = conversation = await CodexConversation.start(
            server,
            ConversationOptions(
                cwd=self.provisioned.paths.workspace,
                sandbox=config.sandbox,
                approval_policy=config.ask_for_approval,
                model=config.model,
                reasoning_effort=config.reasoning_effort,
            ),
            GateSettings(
                policy=config.permission_policy or DenyAll(),
                human=config.permission_gate,
                human_timeout=config.approval_timeout,
            ),
        )
        conversation.on_event(self._progress_from_plan)
        self.ctx.publish_result(conversation)
        if config.auto_start:
            await conversation.send(AUTO_START_PROMPT)
        closed = asyncio.ensure_future(conversation.wait_closed())
        asked = asyncio.ensure_future(conversation.close_requested.wait())
        try:
            await asyncio.wait({closed, asked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            asked.cancel()
        if conversation.close_requested.is_set() and config.host_protocol:
            # A caller's close is the clean end; the keyword driver needs DONE to see it so.
            await self.host.run_command("echo DONE >> optio.log")
            await asyncio.Event().wait()  # the driver cancels the body once it reads DONE
        if not conversation.close_requested.is_set():
            raise RuntimeError(
                f"codex app-server ended unexpectedly: {conversation.close_reason}\n"
                f"{conversation.stderr_tail()}"
            )

    def _progress_from_plan(self, event: dict[str, Any]) -> None:
        if event.get("method") != "turn/plan/updated":
            return
        plan = (event.get("params") or {}).get("plan") or []
        if not plan:
            return
        done = sum(1 for step in plan if step.get("status") == "completed")
        current = next((s for s in plan if s.get("status") == "inProgress"), None)
        message = str(current.get("step")) if current else None
        self.ctx.report_progress(round(100 * done / len(plan)), message)

    async def _send_to_agent(self, message: str) -> None:
        if self.conversation is None:
            raise RuntimeError("the agent is not running yet")
        await self.conversation.send(message)

    async def _teardown(self, succeeded: bool) -> None:
        with contextlib.suppress(Exception):
            if self.conversation is not None:
                await self.conversation.close()
        if self.provisioned is not None:
            try:
                await self._kill_leftovers(self.provisioned.paths.codex_home)
            except Exception as exc:
                log.warning("could not stop the task's leftover processes: %s", exc)
        cleanup = self.config.cleanup
        if self.provisioned is not None and (
            cleanup == "always" or (cleanup == "on_success" and succeeded)
        ):
            try:
                await remove_task_dir(self._ops(), self.provisioned.paths)
            except Exception as exc:
                log.warning("could not remove the task directory: %s", exc)
        with contextlib.suppress(Exception):
            await self.host.disconnect()

    async def _kill_leftovers(self, codex_home: str) -> None:
        """Kill what codex left running on the host (commands it started, see _SWEEP_SCRIPT)."""
        process = await self._ops().start(_SWEEP_SCRIPT, [codex_home])
        try:
            await process.finish(10.0)
        except BaseException:
            process.close()
            raise
