"""The host UI as a run companion: the listener starts with the conversation, is published to
the dashboard, and stops before codex does. Each run (an engine restart's resume included)
serves a new listener with a new password."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from optio_core.models import BasicAuth

from optio_codex.task.companions import RunCompanion, RunEnding, RunView, conversation_of
from optio_codex.task.config import CodexTaskConfig
from optio_codex.ui.auth import USERNAME, new_password
from optio_codex.ui.event_log import EventLog
from optio_codex.ui.files import read_download, write_upload
from optio_codex.ui.listener import build_app
from optio_codex.ui.session import ViewSession
from optio_codex.ui.widget import bind_address, set_widget_key, upstream_url, widget_data

log = logging.getLogger(__name__)

_CLOSE_FLUSH = 0.2  # lets open streams carry x-optio-closed before they end


class HostUi:
    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.url: str | None = None
        self.session: ViewSession | None = None
        self._runner: web.AppRunner | None = None
        self._pump: asyncio.Task[None] | None = None
        self._run: RunView | None = None

    async def start(self, run: RunView) -> None:
        self._run = run
        ctx, config = run.ctx, self.config
        password = new_password()
        self.session = session = ViewSession(
            conversation_of(run),
            EventLog(),
            allowed_controls=config.settable_controls,
            controls_changed=lambda controls: set_widget_key(ctx, "controls", controls),
        )
        self._pump = asyncio.get_running_loop().create_task(session.pump())
        app = build_app(session, password, self._download if config.file_download else None)
        self._runner = runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, bind_address(), 0)
        await site.start()
        port = runner.addresses[0][1]
        self.url = upstream_url(port)
        # The upstream before the data: the view mounts, and connects, once widgetData is set.
        await ctx.set_widget_upstream(self.url, inner_auth=BasicAuth(USERNAME, password))
        await ctx.set_widget_data(widget_data(config, ctx, session.controls()))
        ctx.register_upload_writer(self._upload)
        log.info("%s: host UI listening on %s", ctx.process_id, self.url)

    async def _download(self, path: str) -> tuple[bytes, str]:
        assert self._run is not None
        got = await read_download(
            self._run.ops, self._run.paths.workspace, path, self.config.max_download_bytes
        )
        return got.data, got.name

    async def _upload(self, filename: str, data: bytes) -> str:
        assert self._run is not None
        run = self._run
        relpath = await write_upload(
            run.ops, run.paths.workspace, filename, data, self.config.max_upload_bytes
        )
        if self.config.on_upload is not None:
            try:
                await self.config.on_upload(run.hook_ctx, relpath)
            except Exception:
                log.exception("on_upload raised for %s", relpath)
        return relpath

    async def stop(self, ending: RunEnding) -> None:
        session, run = self.session, self._run
        if session is not None:
            if not session.conversation.closed:
                session.feed({"type": "x-optio-closed", "reason": ending.reason})
            await asyncio.sleep(_CLOSE_FLUSH)
            session.log.close()
            await session.close()
        if self._pump is not None:
            self._pump.cancel()
        if self._runner is not None:
            with contextlib.suppress(Exception):
                await self._runner.cleanup()
        if run is not None:
            with contextlib.suppress(Exception):
                run.ctx.clear_upload_writer()
            with contextlib.suppress(Exception):
                await run.ctx.clear_widget_upstream()


def host_ui_for(config: CodexTaskConfig) -> RunCompanion | None:
    return HostUi(config) if config.conversation_ui else None


__all__ = ["HostUi", "host_ui_for"]
