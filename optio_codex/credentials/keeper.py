"""SeedKeeper: the companion of a seeded task (``CodexTaskConfig.seed_id``).

Before provisioning it leases the seed (holder: the optio process id, which a resumed run
shares), plants its login (task/companions.py's LaunchPlan: auth.json 0600 in the
provisioning tar, its config.toml under the task's own), and keeps the lease alive. Once codex
runs it watches the host's auth.json and saves every rotation back (seed_sync.py). At the end
it saves back a last time, then releases the lease, or, when codex keeps running for a resume
or the host could not be read, keeps the lease long enough for the next run to take over.

A resumed run first reads the login the task directory still holds: codex may have rotated it
after the last save-back (an engine crash), and that newer token is saved before planting.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from optio_codex.credentials.auth_file import read_auth
from optio_codex.credentials.host_auth import poll_auth_file
from optio_codex.credentials.leases import (
    DETACHED_LEASE_SECONDS,
    RUN_LEASE_SECONDS,
    SeedBusy,
    SeedLeases,
)
from optio_codex.credentials.manifest import CODEX_SEED_SUFFIX
from optio_codex.credentials.planting import (
    AUTH_FILE,
    MARKER_FILE,
    marker,
    read_marker,
    seed_codex_config,
)
from optio_codex.credentials.refusals import refusal_reason
from optio_codex.credentials.seed_store import SeedNotFound, SeedQuarantined, SeedStore
from optio_codex.credentials.seed_sync import SeedSync
from optio_codex.hosts.host_scripts import HostOps
from optio_codex.mappings import deep_merge
from optio_codex.task.companions import LaunchPlan, PrepareView, RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig

log = logging.getLogger(__name__)

NAMED_SEED_WAIT = 600.0  # a seed another task holds: wait this long for it, then fail
POLL_INTERVAL = 2.0  # the host's auth.json, between reads (a stat when nothing changed)
RENEW_INTERVAL = RUN_LEASE_SECONDS / 3
STOP_READ_TIMEOUT = 8.0  # per read of the host at the end (three tries)


class SeedKeeper:
    """Plants a seed's login into one run and keeps the seed in step with it."""

    stop_timeout = 30.0  # Companions' bound on stop() and finish(): reads may need retries

    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.holder = ""
        self.seed_id: str | None = None  # ObjectId hex, once leased
        self.sync: SeedSync | None = None
        self.quarantined: str | None = None
        self._leases: SeedLeases | None = None
        self._store: SeedStore | None = None
        self._ops: HostOps | None = None
        self._auth_path = ""
        self._report: Any = None
        self._tasks: list[asyncio.Task[Any]] = []  # the renewer and the watcher
        self._quarantining: asyncio.Task[None] | None = None
        self._finished = False  # the lease was released, or kept for a resume
        self._unsubscribe: Any = None

    def __repr__(self) -> str:
        return f"SeedKeeper(seed={self.seed_id})"

    # -- before codex starts ----------------------------------------------------------------

    async def prepare(self, view: PrepareView, plan: LaunchPlan) -> None:
        ctx, config = view.ctx, self.config
        self.holder = str(ctx.process_id)
        self._report = ctx.report_progress
        self._ops = view.ops
        task_dir = view.paths.task_dir
        self._auth_path = f"{task_dir}/{AUTH_FILE}"
        self._store = store = SeedStore(
            ctx._db, ctx._prefix, encrypt=config.seed_encrypt, decrypt=config.seed_decrypt
        )
        self._leases = SeedLeases(ctx._db[f"{ctx._prefix}{CODEX_SEED_SUFFIX}"])
        # Any run, fresh or resumed: a task directory an earlier run of this process left
        # may hold a rotation of its seed that was never saved (an engine crash).
        on_host = await read_marker(view.ops, task_dir)
        self.seed_id = seed_id = await self._lease(on_host)
        self._tasks.append(asyncio.create_task(self._renew()))
        files = await store.load(seed_id)
        planted = read_auth(files.auth_json)
        if planted is None:
            raise ValueError(f"seed {seed_id}: its auth.json is not JSON")
        self.sync = SeedSync(store, seed_id, self.holder, files.lineage, planted)
        on_disk = await self._recover() if on_host == seed_id else None
        if on_disk is not None:
            files = await store.load(seed_id)
        label = _label(config.seed_id, seed_id)
        if view.resuming and on_disk is not None and _same_token(on_disk, files.auth_json):
            # The task directory holds the seed's current login: left as it is, since a codex
            # still running there (a reattach) may rotate it while this run provisions.
            plan.notes.append(f"seed {label}: the task's login is the seed's current one")
        else:
            plan.files.append((AUTH_FILE, files.auth_json, 0o600))
            plan.notes.append(
                f"seed {label}: login planted (lineage generation {files.lineage.generation})"
            )
        plan.files.append((MARKER_FILE, marker(seed_id, _name_of(config.seed_id)), 0o600))
        plan.codex_config = deep_merge(seed_codex_config(files.config_toml), plan.codex_config)

    async def _lease(self, on_host: str | None) -> str:
        assert self._leases is not None
        leases, wanted = self._leases, self.config.seed_id
        if on_host is not None:  # the seed the task directory's login came from
            try:
                return await leases.take_waiting(on_host, self.holder, wait=NAMED_SEED_WAIT)
            except (SeedBusy, SeedNotFound, SeedQuarantined) as exc:
                self._report(None, f"seed: cannot take back {on_host}: {exc}", level="warning")
        if callable(wanted):
            # A lease an earlier run of this process kept (a crash) is this run's, not a
            # second seed's: a pool would otherwise leave it blocked until it expires.
            mine = await leases.held_by(self.holder)
            wanted = mine or await wanted(self.holder)  # a pool leases it for this holder
        assert isinstance(wanted, str)
        return await leases.take_waiting(wanted, self.holder, wait=NAMED_SEED_WAIT)

    async def _recover(self) -> bytes | None:
        """The login a restart left on the host, saved back if codex rotated it since; the
        host's auth.json, or None if there is none to keep."""
        assert self.sync is not None and self._ops is not None
        try:
            read = await poll_auth_file(self._ops, self._auth_path)
        except Exception as exc:
            log.warning("seed: could not read the task's previous login: %s", exc)
            return None
        if read.content is None or read_auth(read.content) is None:
            return None
        self.sync.signature = read.signature
        note = await self.sync.offer(read.content)
        if note:
            self._report(None, f"{note}, recovered from the task directory after a restart")
        return read.content

    async def _renew(self) -> None:
        """Keep the lease for the whole run; a lapsed one is taken back if still free."""
        assert self._leases is not None and self.seed_id is not None
        warned = False
        while True:
            await asyncio.sleep(RENEW_INTERVAL)
            try:
                kept = await self._leases.extend(self.seed_id, self.holder, RUN_LEASE_SECONDS)
                if not kept:
                    kept = await self._leases.take(self.seed_id, self.holder) is not None
            except Exception as exc:  # MongoDB unreachable for a moment: the next round
                log.warning("seed: could not renew the lease: %s", exc)
                continue
            if not kept and not warned:
                warned = True
                self._report(
                    None,
                    "seed: the lease was lost to another task; rotations are not saved back",
                    level="warning",
                )

    # -- while codex runs ---------------------------------------------------------------------

    async def start(self, run: RunView) -> None:
        conversation = getattr(run, "conversation", None)
        if conversation is not None:  # the terminal mode has none: the watcher alone
            self._unsubscribe = conversation.on_event(self._on_event)
        self._ops = run.ops
        self._tasks.append(asyncio.create_task(self._watch()))

    async def _watch(self) -> None:
        assert self.sync is not None and self._ops is not None
        failures = 0
        while True:
            await asyncio.sleep(POLL_INTERVAL)
            try:
                note = await self.sync.check(self._ops, self._auth_path)
            except Exception as exc:  # an SSH drop: read again once it is back
                failures += 1
                if failures in (1, 30):
                    log.warning("seed: could not read the task's auth.json: %s", exc)
                continue
            failures = 0
            if note:
                self._report(None, note)

    def _on_event(self, event: dict[str, Any]) -> None:
        reason = refusal_reason(event)
        if reason is not None and self.quarantined is None:
            self.quarantined = reason  # once: never retried in a loop
            self._quarantining = asyncio.create_task(self._quarantine(reason))

    async def _quarantine(self, reason: str) -> None:
        assert self._store is not None and self.seed_id is not None
        try:
            await self._store.quarantine(self.seed_id, reason)
        except Exception:
            log.exception("seed %s: could not quarantine it", self.seed_id)
            return
        self._report(
            None,
            f"seed {_label(self.config.seed_id, self.seed_id)} quarantined: {reason}; "
            "sign in again to make a new seed (optio-codex seeds login NAME)",
            level="warning",
        )

    # -- the end ----------------------------------------------------------------------------

    async def stop(self, ending: RunEnding) -> None:
        """Before codex stops. Left running for a resume: the last save-back now, and the
        lease kept through the restart. Otherwise the lease is held while codex stops, and
        :meth:`finish` saves its last rotation back and releases the seed."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._quarantining is not None:
            await asyncio.gather(self._quarantining, return_exceptions=True)
        if self._leases is None or self.seed_id is None:
            return
        if ending.detaching:
            self._finished = True
            await self._last_save_back()
            await self._leases.extend(self.seed_id, self.holder, DETACHED_LEASE_SECONDS)
            return
        # Until finish(): never released while a codex that may still refresh is alive. A run
        # that leaves codex running on an unreachable host never calls finish(): the lease
        # then lasts long enough for a next run to recover the login from the task directory.
        await self._leases.extend(self.seed_id, self.holder, DETACHED_LEASE_SECONDS)

    async def finish(self) -> None:
        """codex has stopped: its auth.json is final. Save it back, then release the seed, or,
        when the host could not be read, keep the lease long enough for a next run (or the
        reaper) to recover the login from the task directory."""
        if self._finished or self._leases is None or self.seed_id is None:
            return
        self._finished = True
        if await self._last_save_back():
            await self._leases.release(self.seed_id, self.holder)
        else:
            await self._leases.extend(self.seed_id, self.holder, DETACHED_LEASE_SECONDS)

    async def _last_save_back(self) -> bool:
        """The rotation since the watcher's last read, if any; False if the host could not
        be read (three tries: a loaded host answers slowly)."""
        if self.sync is None or self._ops is None:
            return True
        for attempt in range(3):
            try:
                note = await self.sync.check(self._ops, self._auth_path, timeout=STOP_READ_TIMEOUT)
            except Exception as exc:
                why = str(exc) or type(exc).__name__
                log.warning(
                    "seed %s: the last save-back could not read the host (%s)", self.seed_id, why
                )
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            if note:
                self._report(None, note)
            return True
        return False


def _same_token(a: bytes, b: bytes) -> bool:
    first, second = read_auth(a), read_auth(b)
    return (
        first is not None
        and second is not None
        and first.usable
        and first.refresh_hash is not None
        and first.refresh_hash == second.refresh_hash
    )


def _name_of(seed: Any) -> str | None:
    return seed if isinstance(seed, str) else None


def _label(seed: Any, seed_id: str) -> str:
    return seed if isinstance(seed, str) else seed_id


def seed_keeper_for(config: CodexTaskConfig) -> SeedKeeper | None:
    """The factory's hook (optio_codex.factory.COMPANIONS)."""
    return SeedKeeper(config) if config.seed_id is not None else None
