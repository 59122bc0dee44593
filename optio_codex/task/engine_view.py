"""What a codex task reads from the optio engine about itself and other tasks.

optio-core offers no public call for these, so they read its process records (the
``<prefix>_processes`` collection, the engine's own store) through the context's database
handle, and say so. Every function degrades to a safe answer when the handle is missing (a
test context, a future optio-core): no record means "not live" only where that is safe.
"""

from __future__ import annotations

import logging
from typing import Any

from optio_core.state_machine import ACTIVE_STATES

log = logging.getLogger(__name__)


def _collection(ctx: Any) -> Any | None:
    db, prefix = getattr(ctx, "_db", None), getattr(ctx, "_prefix", None)
    if db is None or not isinstance(prefix, str):
        return None
    return db[f"{prefix}_processes"]


def engine_owner(ctx: Any) -> str:
    """Names the engine instance: optio runs one engine per (database, prefix)."""
    db, prefix = getattr(ctx, "_db", None), getattr(ctx, "_prefix", None)
    name = getattr(db, "name", None)
    if isinstance(name, str) and isinstance(prefix, str):
        return f"{name}/{prefix}"
    return "optio-codex"


async def shutting_down_for_resume(ctx: Any) -> bool:
    """The engine is stopping and will resume this task: leave its app-server running.

    optio's shutdown stamps ``autoResumeScheduled`` on the record before it sets the cancel
    flag; a user's cancel never does. The in-memory shutdown flag covers a task resumed by
    hand after the restart (supports_resume without auto_resume).
    """
    optio = getattr(getattr(ctx, "_executor", None), "_optio", None)
    if getattr(optio, "_shutting_down", False) is True:
        return True
    coll = _collection(ctx)
    if coll is None:
        return False
    try:
        doc = await coll.find_one({"_id": ctx._process_oid}, {"autoResumeScheduled": 1})
    except Exception as exc:
        log.warning("could not read the process record: %s", exc)
        return False
    return bool(doc and doc.get("autoResumeScheduled"))


async def process_is_live(ctx: Any, process_id: str) -> bool:
    """Whether the task ``process_id`` runs, or may come back (so its app-server must stay).

    Live: an active state, or an ended run that optio can resume (it saved state). Gone: no
    record, or an end with nothing to resume. On a read error the answer is "live" — never
    stop a server on a guess.
    """
    coll = _collection(ctx)
    if coll is None:
        return True
    try:
        doc = await coll.find_one(
            {"processId": process_id},
            {"status.state": 1, "supportsResume": 1, "hasSavedState": 1},
            sort=[("_id", -1)],
        )
    except Exception as exc:
        log.warning("could not read the record of %s: %s", process_id, exc)
        return True
    if doc is None:
        return False
    state = (doc.get("status") or {}).get("state")
    if state in ACTIVE_STATES:
        return True
    return bool(doc.get("supportsResume") and doc.get("hasSavedState")) and state != "done"
