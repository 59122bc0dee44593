"""CodexTaskRun: one codex task's life inside the optio engine (the TaskInstance that runs
it is made in :mod:`optio_codex.factory`).

The order of a run: connect (host key checked) → stop orphans of tasks that are gone → place
the task directory → optio-agents' log-protocol driver wipes the workdir (not on a resume) →
provision (binary, dirs, config, AGENTS.md, auth) → sandbox preflight → launch codex
app-server, or reattach to the one a previous run left → conversation (published to live
callers; it reconnects or relaunches on its own) → optio.log keywords drive progress,
deliverables and the end → teardown (stop codex, clean up), or, when the engine stops for a
restart, leave the detached app-server running for the resumed run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from optio_agents.protocol import run_log_protocol_session

from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.policies import DenyAll
from optio_codex.driver.recovery import RecoverySettings
from optio_codex.hosts.codex_install import provision_codex
from optio_codex.hosts.detached_server import DetachedAppServer
from optio_codex.hosts.grants import preflight_settings
from optio_codex.hosts.host_scripts import HostOps, LiveSshOps, LocalOps
from optio_codex.hosts.optio_host_adapter import VerifiedRemoteHost, make_task_host
from optio_codex.hosts.provision import (
    DEFAULT_TASK_ROOT,
    ProvisionResult,
    remove_task_dir,
)
from optio_codex.hosts.reconnect import SshSession
from optio_codex.hosts.registry import RegistryEntry, register
from optio_codex.hosts.sandbox import PreflightTarget, preflight, run_local, ssh_runner
from optio_codex.hosts.server_process import stop_detached
from optio_codex.hosts.task_spec import TaskPaths
from optio_codex.task.companions import (
    Companions,
    LaunchPlan,
    PrepareView,
    RunBody,
    RunCompanion,
    RunEnding,
    RunView,
)
from optio_codex.task.config import CodexTaskConfig, provision_spec
from optio_codex.task.conversation_view import user_texts
from optio_codex.task.engine_view import engine_owner, shutting_down_for_resume
from optio_codex.task.leftovers import (
    ReapHook,
    ReapView,
    reap_orphans,
    stop_predecessor,
    stop_task_leftovers,
)
from optio_codex.task.log_channel import replay_log
from optio_codex.task.published_fields import log_protocol
from optio_codex.task.run_guard import Cancelled, RunGuard
from optio_codex.task.run_limits import until_end, watcher_for
from optio_codex.task.run_memory import RunMemory
from optio_codex.task.server_launcher import ServerLauncher
from optio_codex.task.setup_report import (
    connecting,
    host_key_verified,
    provisioned,
    sandbox_checked,
    thread_started,
)
from optio_codex.task.state import STATE_FILE, TaskStateStore
from optio_codex.task.task_ids import task_id_for

log = logging.getLogger(__name__)

AUTO_START_PROMPT = "System: Read AGENTS.md and execute the task it describes."
_LEFT_RUNNING = "engine stopping: codex keeps running for the resume"
_UNREACHABLE_AT_END = (
    "the host is unreachable: codex may still run there; the next run on it stops it"
)


class CodexTaskRun:
    """The state of one run; each step is a method so the order above stays readable."""

    def __init__(
        self,
        ctx: Any,
        config: CodexTaskConfig,
        companions: Sequence[RunCompanion] = (),
        reap_hooks: Sequence[ReapHook] = (),
    ) -> None:
        self.ctx = ctx
        self.body: RunBody | None = None  # the factory's, in place of a conversation (tui/)
        self.config = config
        self.task_id = task_id_for(str(ctx.process_id))
        self.resuming = bool(getattr(ctx, "resume", False))
        self.target = config.ssh.target() if config.ssh is not None else None
        self.session: SshSession | None = None
        if self.target is not None:
            self.session = SshSession(self.target, reconnect_timeout=config.reconnect_timeout)
            self.host: Any = VerifiedRemoteHost(
                None, "", session=self.session, preserve_workdir=self.resuming
            )
        else:
            self.host = make_task_host(None, "", preserve_workdir=self.resuming)
        self.transport = config.transport or ("detached" if self.session else "attached")
        self.owner = config.registry_owner or engine_owner(ctx)
        self.task_root = ""
        self.provisioned: ProvisionResult | None = None
        self.plan = LaunchPlan()
        self.launcher: ServerLauncher | None = None
        self.memory = RunMemory(ctx, config, self._spawn)
        self.companions = Companions(companions)
        self.reap_hooks = tuple(reap_hooks)  # before an orphan's task dir goes (credentials/)
        self.conversation: CodexConversation | None = None
        self.reattached = False
        self.registered = False
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def remote(self) -> bool:
        return self.session is not None

    async def run(self) -> None:
        self.ctx.report_progress(None, connecting(self.target))
        guard = RunGuard(lambda: not self.ctx.should_continue(), self.config.max_duration)
        try:
            await guard.run(self.host.connect())
        except Cancelled:  # nothing placed yet: only the connection attempt to drop
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.host.disconnect(), 5.0)
            return
        if self.session is not None and self.target is not None:
            self.ctx.report_progress(None, host_key_verified(self.session.current, self.target))
        succeeded = detach = False
        try:
            await guard.run(self._place_task())
            # In the background: it concerns other tasks, so it need not delay this one.
            self._spawn(self._reap_orphans())
            await guard.run(self._session())
            # A cancel also returns normally from the driver; only a real finish counts.
            succeeded = self.ctx.should_continue()
            if succeeded and not await self._host_reachable():
                # The driver also returns quietly when its optio.log tail gave up because
                # the host stayed unreachable past reconnect_timeout: that is no finish.
                succeeded = False
                raise RuntimeError(
                    f"lost the connection to {self.target.host if self.target else 'the host'} "
                    f"for longer than reconnect_timeout ({self.config.reconnect_timeout:g}s)"
                )
        except Cancelled:
            pass  # the engine cancelled the task: the teardown below, then a clean return
        finally:
            if not succeeded:
                detach = await self._leaving_for_resume()
            await self._teardown(succeeded, detach)

    async def _session(self) -> None:
        """optio-agents' log-protocol driver around prepare and body."""
        await run_log_protocol_session(
            self.host,
            self.ctx,
            body=self._body,
            prepare=self._prepare,
            on_deliverable=self._on_deliverable if self.config.on_deliverable else None,
            on_caller_message=self.config.on_caller_message,
            protocol=log_protocol(self.config),  # BROWSER, CLIENT_MESSAGE, CALLER_MESSAGE
            before_execute=self.config.before_execute,
            after_execute=self.config.after_execute,
            agent_sender=self._send_to_agent,
            keywords=self.config.host_protocol,
        )

    async def _host_reachable(self) -> bool:
        if self.session is None or self.session.connected:
            return True
        try:  # a drop just now is not the end: give the reconnect a moment
            await asyncio.wait_for(self.session.wait_connected(), 5.0)
        except (TimeoutError, ConnectionError):
            return False
        return True

    def _ops(self) -> HostOps:
        return LiveSshOps(self.session) if self.session is not None else LocalOps()

    async def _place_task(self) -> None:
        root = self.config.task_root or DEFAULT_TASK_ROOT
        if root.startswith("~"):
            root = (await self.host.resolve_host_home()).rstrip("/") + root[1:]
        self.task_root = root
        self.host.taskdir = f"{root}/{self.task_id}"
        self.host.workdir = f"{self.host.taskdir}/workdir"

    async def _reap_orphans(self) -> None:
        """Stop app-servers this engine started for tasks that no longer exist."""
        view = ReapView(self.ctx, self.config, self._ops())
        await reap_orphans(view, self.owner, self.task_id, self.reap_hooks)

    # -- prepare: provision, find what a previous run left, preflight ----------------------

    async def _prepare(self, host: Any, hook_ctx: Any) -> None:
        self.plan = plan = await self._plan_launch()
        spec = provision_spec(
            self.config,
            self.task_id,
            task_root=self.task_root,
            extra_files=tuple(plan.files),
            base_codex_config=plan.codex_config,
        )
        self.provisioned = result = await provision_codex(self._ops(), spec)
        paths = result.paths
        self.ctx.report_progress(None, provisioned(result))
        self.memory.store = TaskStateStore(self._ops(), f"{paths.task_dir}/{STATE_FILE}")
        if self.resuming:
            await self.memory.load(paths.task_dir)
        self.launcher = ServerLauncher(
            kind=self.transport,
            binary=result.binary,
            paths=paths,
            env=paths.env(self.config.env),
            remote=self.session,
        )
        run = ssh_runner(await self.host.live_connection()) if self.remote else run_local
        # What codex will run with: the config.toml provision wrote, and the ro grants.
        checked = await preflight(
            run,
            PreflightTarget(
                codex=result.binary, workspace=paths.workspace, scratch_parent=paths.task_dir
            ),
            preflight_settings(result.config, self.config.extra_allowed_dirs, paths.host_home),
        )
        self.ctx.report_progress(None, sandbox_checked(checked))

    async def _plan_launch(self) -> LaunchPlan:
        """What the companions add to the start (a seed's login, a restored thread)."""
        paths = self._task_paths()
        assert paths is not None  # placed before prepare
        view = PrepareView(self.ctx, self.config, self.task_id, self._ops(), paths, self.resuming)
        plan = await self.companions.prepare(view)
        for note in plan.notes:
            self.ctx.report_progress(None, note)
        return plan

    # -- body: the app-server and the conversation ---------------------------------------

    async def _body(self, host: Any, hook_ctx: Any) -> None:
        assert self.provisioned is not None
        if self.body is not None:  # the same run around another face of codex (tui/)
            return await self.body.run(self, hook_ctx)
        config = self.config
        previous = self.memory.state if self.resuming else None
        server = await self._start_server()
        self.conversation = conversation = await CodexConversation.start(
            server,
            ConversationOptions(
                cwd=self.provisioned.paths.workspace,
                sandbox=config.sandbox,
                approval_policy=config.ask_for_approval,
                model=config.model,
                reasoning_effort=config.reasoning_effort,
                resume_thread_id=self._thread_to_resume(previous),
                adopt_running_turn=self.reattached,
            ),
            GateSettings(
                policy=config.permission_policy or DenyAll(),
                human=config.permission_gate,
                human_timeout=config.approval_timeout,
            ),
            RecoverySettings(
                reconnect_timeout=config.reconnect_timeout,
                relaunch=self._relaunch,
                max_relaunches=config.max_relaunches,
                interrupted_turn=config.interrupted_turn,
                inactivity_timeout=config.inactivity_timeout,
            ),
        )
        wanted = self._thread_to_resume(previous)
        resumed = wanted is not None and wanted == conversation.thread_id
        self.ctx.report_progress(None, thread_started(conversation, config.model, resumed=resumed))
        conversation.on_event(self.memory.track_turns)
        self._spawn(self.memory.save_thread(conversation.thread_id))
        await self.companions.start(
            RunView(
                ctx=self.ctx,
                config=config,
                conversation=conversation,
                ops=self._ops(),
                paths=self.provisioned.paths,
                hook_ctx=hook_ctx,
                resumed=resumed,
            )
        )
        self.ctx.publish_result(conversation)  # after: a resumed agent's note is set by now
        await self._continue_work(conversation, previous)
        watcher = watcher_for(conversation, config, self.ctx.report_progress)
        await until_end(self._wait_for_end(conversation), watcher)

    def _thread_to_resume(self, previous: Any) -> str | None:
        """The thread of the run this one resumes: as this host remembers it, else as a
        companion restored it (a snapshot, on any host)."""
        remembered = previous.thread_id if previous is not None else None
        return remembered or self.plan.resume_thread_id

    async def _start_server(self) -> Any:
        """Reattach to the detached app-server a previous run left, else launch one."""
        assert self.launcher is not None
        recorded = self.memory.state.server if self.resuming else None
        if recorded is not None:
            server = await self.launcher.reattach(recorded)
            if server is not None:
                self.reattached = True
                self.ctx.report_progress(None, f"reattached to codex app-server {server.pid}")
                return server
            # Unreachable but perhaps alive: it would hold the socket and the thread's lock.
            # The one stop: its group, what it started (by CODEX_HOME) and its socket.
            with contextlib.suppress(Exception):
                await stop_detached(self._ops(), recorded, grace=0)
        if self.transport == "detached" or self.resuming:  # one exec: what a dead run left
            paths = self.launcher.paths
            await stop_predecessor(
                self.ctx,
                self._ops(),
                self.owner,
                self.task_id,
                paths.codex_home,
                self.launcher.socket_path,
            )
        return await self._launch()

    async def _launch(self) -> Any:
        assert self.launcher is not None
        server = await self.launcher.launch()
        if isinstance(server, DetachedAppServer):
            # Both are small host writes; they overlap with the handshake.
            self._spawn(self._register(server))
            self._spawn(self.memory.save(server=server.process))
        return server

    async def _relaunch(self) -> Any:
        """The conversation's recovery found the app-server dead: a new one, same CODEX_HOME."""
        self.ctx.report_progress(None, "codex app-server died; starting it again")
        return await self._launch()

    async def _register(self, server: DetachedAppServer) -> None:
        assert self.provisioned is not None
        paths = self.provisioned.paths
        entry = RegistryEntry(
            task_id=self.task_id,
            process_id=str(self.ctx.process_id),
            owner=self.owner,
            pid=server.pid,
            start_time=server.process.start_time,
            codex_home=paths.codex_home,
            task_dir=paths.task_dir,
            socket=server.process.socket_path,
            created=time.time(),
        )
        try:
            await register(self._ops(), entry)
            self.registered = True
        except Exception as exc:  # the CODEX_HOME sweep still finds it at teardown
            log.warning("could not register app-server %s: %s", server.pid, exc)

    async def _continue_work(self, conversation: CodexConversation, previous: Any) -> None:
        """Start the work, or pick it up where the previous run left it (``previous``: the
        state as loaded; the run has written this thread's id over it since)."""
        previous = previous if self.memory.store else None
        if previous is None or previous.thread_id is None:
            if self.config.auto_start:
                await conversation.send(AUTO_START_PROMPT)
            return
        await self._replay_log()
        if conversation.thread_id != previous.thread_id:
            # The thread never had a turn, so codex kept nothing of it: begin again.
            self.memory.starting_over(f"thread {previous.thread_id} has no rollout on the host")
            if self.config.auto_start:
                await conversation.send(AUTO_START_PROMPT)
            return
        last = conversation.resumed_last_turn
        interrupted = (
            not self.reattached
            and previous.active_turn is not None
            and last is not None
            and last.turn_id == previous.active_turn
            and last.status != "completed"
        )
        if interrupted and self.config.interrupted_turn == "resend" and last is not None:
            texts = user_texts(last.items)
            if texts:
                self.ctx.report_progress(None, "re-sending the turn the restart interrupted")
                await conversation.send("\n\n".join(texts))

    async def _wait_for_end(self, conversation: CodexConversation) -> None:
        closed = asyncio.ensure_future(conversation.wait_closed())
        asked = asyncio.ensure_future(conversation.close_requested.wait())
        try:
            await asyncio.wait({closed, asked}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            asked.cancel()
        if conversation.close_requested.is_set() and self.config.host_protocol:
            # A caller's close is the clean end; the keyword driver needs DONE to see it so.
            await self.host.run_command("echo DONE >> optio.log")
            await asyncio.Event().wait()  # the driver cancels the body once it reads DONE
        if not conversation.close_requested.is_set():
            raise RuntimeError(
                f"codex app-server ended unexpectedly: {conversation.close_reason}\n"
                f"{conversation.stderr_tail()}"
            )

    # -- what a resumed run needs ----------------------------------------------------------

    async def _on_deliverable(self, hook_ctx: Any, path: str, text: str) -> str | None:
        assert self.config.on_deliverable is not None
        reply = await self.config.on_deliverable(hook_ctx, path, text)
        await self.memory.delivered(path)
        return reply

    async def _replay_log(self) -> None:
        """Lines the agent wrote to optio.log while no run was reading it (see log_channel)."""
        if not self.config.host_protocol or self.memory.store is None or not self.provisioned:
            return
        workspace = self.provisioned.paths.workspace
        await replay_log(self._ops(), workspace, self.memory.state.delivered)

    # -- progress and the agent channel ---------------------------------------------------

    async def _send_to_agent(self, message: str) -> None:
        if self.conversation is None:
            raise RuntimeError("the agent is not running yet")
        await self.conversation.send(message)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the end ---------------------------------------------------------------------------

    async def _leaving_for_resume(self) -> bool:
        """The engine is stopping and will resume this task: keep its app-server running."""
        if not self.config.supports_resume or self.transport != "detached":
            return False
        try:
            return await shutting_down_for_resume(self.ctx)
        except Exception as exc:
            log.warning("could not tell a shutdown from a cancel: %s", exc)
            return False

    async def _teardown(self, succeeded: bool, detach: bool) -> None:
        reason = "detached for a resume" if detach else ("done" if succeeded else "ended")
        await self.companions.stop(RunEnding(succeeded, detach, reason))
        if self._tasks:
            # State writes, registration, the reaper: bounded, as the host may be unreachable.
            _done, pending = await asyncio.wait(set(self._tasks), timeout=5.0)
            for task in pending:
                task.cancel()
        # An unreachable host cannot be cleaned now (waiting would hold a cancel for minutes):
        # codex stays registered there, and a later run's reaper stops it.
        unreachable = not detach and not await self._host_reachable()
        if (detach and (self.conversation or self.body) is not None) or unreachable:
            with contextlib.suppress(Exception):
                if self.conversation is not None:
                    await asyncio.wait_for(self.conversation.detach(), 5.0)
            self.ctx.report_progress(None, _LEFT_RUNNING if detach else _UNREACHABLE_AT_END)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.host.disconnect(), 5.0)
            return
        with contextlib.suppress(Exception):
            if self.conversation is not None:
                await self.conversation.close()
        paths = self._task_paths()
        if paths is not None:
            await stop_task_leftovers(self._ops(), self.owner, self.task_id, paths.codex_home)
        await self.companions.finish()  # codex is gone: its files are final
        cleanup = self.config.cleanup
        if paths is not None and (cleanup == "always" or (cleanup == "on_success" and succeeded)):
            try:
                await remove_task_dir(self._ops(), paths)
            except Exception as exc:
                log.warning("could not remove the task directory: %s", exc)
            else:
                if not self.plan.state_kept:  # else snapshots keep what a resume needs
                    await self.memory.forget()
        with contextlib.suppress(Exception):
            await self.host.disconnect()

    def _task_paths(self) -> TaskPaths | None:
        """The task's paths once placed: a run stopped mid-provisioning (a cancel, a failure)
        leaves a task directory behind too, and processes perhaps."""
        if self.provisioned is not None:
            return self.provisioned.paths
        if not self.task_root:
            return None
        return TaskPaths(host_home="", task_root=self.task_root, task_id=self.task_id)
