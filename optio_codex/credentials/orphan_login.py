"""A dead seeded task's login, saved back to its seed before the orphan reaper removes the
task directory (task/leftovers.py's ReapHook; the factory passes it to every run).

The engine may have died after codex rotated the login and before the run saved it: the task
directory's auth.json then holds the lineage's only live refresh token. The marker the seed
keeper planted (``home/.optio-codex-seed.json``, no secret) names the seed. The save-back is
the keeper's: under the dead task's lease (holder: its optio process id, free or still its
own), compare-and-swap on the seed's lineage, and only a newer rotation of it.
"""

from __future__ import annotations

import logging

from optio_codex.credentials.auth_file import read_auth
from optio_codex.credentials.host_auth import poll_auth_file
from optio_codex.credentials.leases import SeedLeases
from optio_codex.credentials.manifest import CODEX_SEED_SUFFIX
from optio_codex.credentials.planting import AUTH_FILE, read_marker
from optio_codex.credentials.seed_store import SeedNotFound, SeedQuarantined, SeedStore
from optio_codex.credentials.seed_sync import SeedSync
from optio_codex.task.leftovers import DeadTask, ReapView

log = logging.getLogger(__name__)


async def save_orphan_login(view: ReapView, dead: DeadTask) -> str | None:
    """Save the dead task's newer login back to its seed; a progress note, or None when
    there is nothing to save. Raises when the seed or the host cannot be read now (the
    reaper then keeps the directory for a later try)."""
    seed_id = await read_marker(view.ops, dead.task_dir)
    if seed_id is None:
        return None  # not a seeded task
    read = await poll_auth_file(view.ops, f"{dead.task_dir}/{AUTH_FILE}")
    if read.content is None or read_auth(read.content) is None:
        return None
    ctx, config = view.ctx, view.config
    store = SeedStore(
        ctx._db, ctx._prefix, encrypt=config.seed_encrypt, decrypt=config.seed_decrypt
    )
    leases = SeedLeases(ctx._db[f"{ctx._prefix}{CODEX_SEED_SUFFIX}"])
    holder = dead.process_id
    try:
        taken = await leases.take(seed_id, holder)
    except (SeedNotFound, SeedQuarantined):
        return None  # no seed to save to any more
    if taken is None:
        # Another task holds it, planted from the seed: nothing is written without the lease.
        log.warning("seed %s: leased elsewhere; task %s's login not saved", seed_id, dead.task_id)
        return f"seed {seed_id}: task {dead.task_id}'s login not saved back (leased elsewhere)"
    seed_id = taken
    try:
        files = await store.load(seed_id)
        planted = read_auth(files.auth_json)
        if planted is None:
            return None
        sync = SeedSync(store, seed_id, holder, files.lineage, planted)
        note = await sync.offer(read.content)
    finally:
        await leases.release(seed_id, holder)
    return f"{note}, from task {dead.task_id} before its directory was removed" if note else None
