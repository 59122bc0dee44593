"""mode="iframe": codex's own terminal UI, in tmux on the task's host, shown in the dashboard.

:class:`CodexTui` is both the run's body (in place of the app-server conversation: see
:class:`~optio_codex.task.companions.RunBody`) and a companion: its ``prepare`` puts the TUI's
files into the provisioning tar and its settings into config.toml, its ``stop`` ends tmux
and the listener however the run ends. The run connects, places, provisions, checks the
sandbox and tears down exactly as for a conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from aiohttp import web
from optio_core.models import BasicAuth

from optio_codex.hosts.host_scripts import HostOps, LiveSshOps, LocalOps, read_file
from optio_codex.mappings import deep_merge
from optio_codex.task.browser_open import OPENER
from optio_codex.task.companions import LaunchPlan, PrepareView, RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.run import AUTO_START_PROMPT
from optio_codex.task.widget_upstream import USERNAME, bind_address, new_password, upstream_url
from optio_codex.tui import host_tmux
from optio_codex.tui.host_tmux import TuiPaths
from optio_codex.tui.terminal import Pty, open_pty
from optio_codex.tui.web import DEFAULT_SIZE, TerminalApp

log = logging.getLogger(__name__)

# config.toml entries for a terminal driven through tmux (see docs/codex-observed.md).
TUI_CONFIG: dict[str, Any] = {
    "check_for_update_on_startup": False,
    # A paste followed by Enter must submit: without it codex takes a fast burst as a paste.
    "disable_paste_burst": True,
    "tui": {"show_tooltips": False, "screen_reader_detection_done": True},
}
READY_MARK = "\u203a"  # the composer's prompt: the TUI takes input
READY_NOTE_AFTER = 20.0  # no prompt yet: the progress says a question waits on screen
POLL = 1.0  # on the worker itself: how often the end of codex is checked
THREAD_POLL = 2.0  # until codex's rollout names the thread (with supports_resume only)
END_GRACE = 10.0  # after codex ended: optio.log's DONE/ERROR reaches the driver


class CodexTui:
    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.tui: TuiPaths | None = None
        self.ops: HostOps | None = None
        self.session: Any = None
        self.url: str | None = None
        self.app: TerminalApp | None = None
        self._runner: web.AppRunner | None = None
        self._ctx: Any = None
        self._remember: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # typed input never interleaves with an agent message

    # -- the companion's part ------------------------------------------------------------

    async def prepare(self, view: PrepareView, plan: LaunchPlan) -> None:
        paths = view.paths
        browser = f"{paths.task_dir}/{OPENER}" if self.config.host_protocol else None
        env = host_tmux.tui_env(paths, self.config.env, browser)
        plan.files.extend(host_tmux.tui_files(paths, env))
        plan.codex_config = deep_merge(plan.codex_config, TUI_CONFIG)

    async def start(self, run: RunView) -> None:
        return None  # the body starts the terminal

    async def stop(self, ending: RunEnding) -> None:
        if self._remember is not None:
            self._remember.cancel()
        if self.app is not None:
            with contextlib.suppress(Exception):
                await self.app.close()
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.cleanup()
        if self._ctx is not None:
            for clear in (self._ctx.clear_widget_upstream, self._ctx.clear_control_upstream):
                with contextlib.suppress(Exception):
                    await clear()
        if self.ops is not None and self.tui is not None and not ending.detaching:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(host_tmux.kill(self.ops, self.tui), 10.0)

    # -- the body ------------------------------------------------------------------------

    async def run(self, run: Any, hook_ctx: Any) -> None:
        """Start (or, on a resume, find) the TUI, publish the terminal, wait for codex's end."""
        provisioned = run.provisioned
        paths = provisioned.paths
        self._ctx = ctx = run.ctx
        self.session = run.session
        self.ops = ops = LiveSshOps(run.session) if run.session is not None else LocalOps()
        self.tui = tui = TuiPaths.of(paths)
        hook_ctx._agent_sender = self.send  # deliverable acks and caller messages: typed in
        thread = self.resume_thread_id(run)
        found = run.resuming and await host_tmux.alive(ops, tui)
        if found:
            ctx.report_progress(None, "reattached to the codex terminal UI")
        else:
            args = host_tmux.codex_args(thread)
            await host_tmux.launch(ops, tui, provisioned.binary, args, DEFAULT_SIZE)
            ctx.report_progress(None, "codex terminal UI started in tmux")
        await self._publish(ctx)
        if self.config.supports_resume:  # a resumed run finds the thread, or this tmux
            self._remember = asyncio.get_running_loop().create_task(self._remember_thread(run))
        await run.companions.start(
            RunView(ctx, self.config, None, ops, paths, hook_ctx, resumed=found or bool(thread))
        )
        if self.config.auto_start and not found and thread is None:
            if await self.wait_ready():
                await self.send(AUTO_START_PROMPT)
        if self.session is not None:
            await host_tmux.wait_gone(ops, tui)  # one exec on the host for the whole run
        else:  # a local child left waiting would outlive an engine's loop: poll instead
            while await host_tmux.alive(ops, tui):  # noqa: ASYNC110 (the host has no event)
                await asyncio.sleep(POLL)
        if not self.config.host_protocol:  # no keyword driver: codex.sh's last line decides
            last = await read_file(ops, f"{paths.workspace}/optio.log", max_bytes=8000)
            end = (last.strip().splitlines() or [""])[-1]
            if end.startswith("ERROR"):
                raise RuntimeError(end.removeprefix("ERROR").lstrip(": "))
            return
        # codex.sh wrote DONE or ERROR as codex ended: the driver cancels this body once it
        # reads it. Returning first would be taken as an end without either.
        await asyncio.sleep(END_GRACE)
        raise RuntimeError("the codex terminal UI ended without DONE or ERROR in optio.log")

    async def _remember_thread(self, run: Any) -> None:
        """The thread's id into the run's memory once codex names it (its first turn), and
        optio told the task has saved state: a resume then reattaches or resumes it."""
        assert self.ops is not None
        codex_home = run.provisioned.paths.codex_home
        while True:
            try:
                found = await host_tmux.thread_id(self.ops, codex_home)
            except Exception as exc:  # the host is away: the next try finds it
                log.info("no thread id yet: %s", exc)
                found = None
            if found is not None:
                await run.memory.save_thread(found)
                return
            await asyncio.sleep(THREAD_POLL)

    def resume_thread_id(self, run: Any) -> str | None:
        """The thread ``codex resume`` opens: the one a companion restored (a snapshot) or the
        one this host remembers. The hook for snapshot resume in this mode."""
        state = run.memory.state if run.resuming else None
        remembered = getattr(state, "thread_id", None) if state is not None else None
        return run.plan.resume_thread_id or remembered

    async def _publish(self, ctx: Any) -> None:
        assert self.ops is not None and self.tui is not None
        password = new_password()
        self.app = TerminalApp(password, self._open_pty, self._running, self.send, self.press)
        self._runner = runner = web.AppRunner(
            self.app.build(), handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        await web.TCPSite(runner, bind_address(), 0).start()
        self.url = url = upstream_url(runner.addresses[0][1])
        auth = BasicAuth(USERNAME, password)
        # The upstream before the data: the widget mounts, and connects, once data is set.
        await ctx.set_widget_upstream(url, inner_auth=auth)
        await ctx.set_control_upstream(url, inner_auth=auth)  # the input box's POST /input
        await ctx.set_widget_data({"iframeSrc": "{widgetProxyUrl}/"})
        log.info("%s: codex terminal UI on %s", ctx.process_id, url)

    # -- what the listener and the run call ----------------------------------------------

    async def send(self, text: str) -> None:
        assert self.ops is not None and self.tui is not None
        async with self._lock:
            await host_tmux.type_text(self.ops, self.tui, text)

    async def press(self, key: str) -> None:
        assert self.ops is not None and self.tui is not None
        async with self._lock:
            await host_tmux.press(self.ops, self.tui, key)

    async def wait_ready(self) -> bool:
        """Until the composer shows (False: codex ended first). A login or another question
        on screen is for the person at the terminal: the task is typed in after it."""
        assert self.ops is not None and self.tui is not None
        told = time.monotonic() + READY_NOTE_AFTER
        while READY_MARK not in await host_tmux.screen(self.ops, self.tui):
            if told and time.monotonic() > told:
                told = 0.0
                note = "the codex terminal UI asks something first (a login?): answer it there"
                self._ctx.report_progress(None, note)
            if not await host_tmux.alive(self.ops, self.tui):
                return False
            await asyncio.sleep(0.3)
        return True

    async def _open_pty(self, cols: int, rows: int) -> Pty:
        assert self.tui is not None
        return await open_pty(self.session, host_tmux.attach_command(self.tui), cols, rows)

    async def _running(self) -> bool:
        assert self.ops is not None and self.tui is not None
        return await host_tmux.alive(self.ops, self.tui)


def tui_for(config: CodexTaskConfig) -> CodexTui | None:
    return CodexTui(config) if config.mode == "iframe" else None


__all__ = ["TUI_CONFIG", "CodexTui", "tui_for"]
