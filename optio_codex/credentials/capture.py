"""SeedCapture: ``on_seed_saved`` — a fresh run's login stored as a new seed at its end.

Only a fresh run (not a resume: its login came from somewhere already) with a login codex
would use. The seed gets the auth.json alone: the task's config.toml is the task's, not the
login's. The callback receives the new seed id and the account's summary (from the id_token's
claims, offline), or None.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from optio_codex.credentials.auth_file import read_auth
from optio_codex.credentials.host_auth import poll_auth_file
from optio_codex.credentials.planting import AUTH_FILE
from optio_codex.credentials.seed_store import SeedStore
from optio_codex.credentials.token_claims import account_from_auth
from optio_codex.task.companions import RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig

log = logging.getLogger(__name__)


class SeedCapture:
    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self._run: RunView | None = None
        self._ending: RunEnding | None = None

    def __repr__(self) -> str:
        return "SeedCapture()"

    async def start(self, run: RunView) -> None:
        self._run = run

    async def stop(self, ending: RunEnding) -> None:
        self._ending = ending

    async def finish(self) -> None:
        """After codex has stopped: the login it last wrote is the one captured."""
        run, callback, ending = self._run, self.config.on_seed_saved, self._ending
        if run is None or callback is None or ending is None or ending.detaching or run.resumed:
            return
        path = f"{run.paths.task_dir}/{AUTH_FILE}"
        read = await poll_auth_file(run.ops, path, timeout=6.0)
        facts = read_auth(read.content or b"")
        if read.content is None or facts is None or not facts.usable:
            log.warning("seed capture skipped: the task has no usable auth.json")
            return
        ctx = run.ctx
        store = SeedStore(
            ctx._db, ctx._prefix, encrypt=self.config.seed_encrypt, decrypt=self.config.seed_decrypt
        )
        account = account_from_auth(read.content)
        metadata: dict[str, Any] = {"accounts": [account.to_dict()] if account else []}
        seed_id = await store.create(read.content, metadata=metadata)
        result = callback(seed_id, account.summary if account else None)
        if inspect.isawaitable(result):
            await result
        ctx.report_progress(None, f"login captured as seed {seed_id}")


def seed_capture_for(config: CodexTaskConfig) -> SeedCapture | None:
    return SeedCapture(config) if config.on_seed_saved is not None else None
