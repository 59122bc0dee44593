"""sweep_seeds: refresh idle seeds before their logins age out.

A seed nobody runs is never refreshed by codex. The sweeper looks at every live, unleased
seed and, when its access token expires within ``refresh_before`` (or its expiry cannot be
read and ``last_refresh`` is older than that), verifies it: one refresh grant under the
seed's lease, saved back with compare-and-swap (verify.py). Leased seeds are left to the run
holding them; a seed taken between the look and the lease is skipped.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from optio_codex.credentials.lineage import refresh_instant
from optio_codex.credentials.manifest import StoreBinding
from optio_codex.credentials.seed_blob import SeedBlobError, Transform
from optio_codex.credentials.seed_store import SeedLeased, SeedStore
from optio_codex.credentials.token_claims import access_expiry
from optio_codex.credentials.verify import REFRESH_TIMEOUT_S, verify_and_refresh_seed


@dataclass
class SweepReport:
    """Seed ids by what the sweep did with them."""

    refreshed: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)  # not due yet
    leased: list[str] = field(default_factory=list)  # in use: the holder keeps it fresh
    dead: list[str] = field(default_factory=list)
    inconclusive: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)


def due(auth_json: bytes, refresh_before: timedelta, now: float | None = None) -> bool:
    """Whether a ChatGPT login should be refreshed now (an API key never is)."""
    now = time.time() if now is None else now
    window = refresh_before.total_seconds()
    try:
        doc = json.loads(auth_json)
    except (UnicodeDecodeError, ValueError):
        return True  # verify quarantines what cannot be read
    if not isinstance(doc, dict) or not isinstance(doc.get("tokens"), dict):
        return not (isinstance(doc, dict) and doc.get("OPENAI_API_KEY"))
    exp = access_expiry(auth_json)
    if exp is not None:
        return exp - now <= window
    stamp = doc.get("last_refresh")
    instant = refresh_instant(stamp if isinstance(stamp, str) else None)
    return instant is None or now - instant[0].timestamp() >= window


async def sweep_seeds(
    store: StoreBinding,
    *,
    refresh_before: timedelta,
    pool_key: str | None = None,
    encrypt: Transform | None = None,
    decrypt: Transform | None = None,
    timeout: float = REFRESH_TIMEOUT_S,
) -> SweepReport:
    """Refresh the idle seeds (of ``pool_key``, or all) whose login is due."""
    seeds = SeedStore(store.db, store.prefix, encrypt=encrypt, decrypt=decrypt)
    report = SweepReport()
    query: dict[str, Any] = {"status": {"$nin": ["dead", "quarantined"]}}
    if pool_key is not None:
        query["poolKey"] = pool_key
    leased_now = {"$expr": {"$gt": [{"$ifNull": ["$lease.expiresAt", None]}, "$$NOW"]}}
    busy = {str(d["_id"]) async for d in seeds.collection.find({**query, **leased_now}, {"_id": 1})}
    async for doc in seeds.collection.find(query, {"_id": 1}):
        seed_id = str(doc["_id"])
        if seed_id in busy:
            report.leased.append(seed_id)
            continue
        try:
            files = await seeds.load(seed_id)
        except SeedBlobError as exc:
            report.inconclusive.append(seed_id)
            report.reasons[seed_id] = str(exc)
            continue
        if not due(files.auth_json, refresh_before):
            report.fresh.append(seed_id)
            continue
        try:
            verdict = await verify_and_refresh_seed(
                store.db,
                prefix=store.prefix,
                seed_id=seed_id,
                encrypt=encrypt,
                decrypt=decrypt,
                timeout=timeout,
            )
        except SeedLeased:
            report.leased.append(seed_id)
            continue
        status = verdict["status"]
        {"alive": report.refreshed, "dead": report.dead}.get(status, report.inconclusive).append(
            seed_id
        )
        report.reasons[seed_id] = verdict["reason"]
    return report
