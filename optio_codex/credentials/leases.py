"""Leases on seeds, in optio-agents' format (``lease: {holder, expiresAt}`` on the seed's
document, the MongoDB server's clock), for what optio_agents.seeds does not offer: leasing one
NAMED seed, a lease longer than its 60 s (kept while the engine restarts), and finding the
seed a process holds (a resumed run's seed, a pool's included).

The holder is always the optio process id: it survives engine restarts, so a resumed run takes
its own lease back, while any other holder waits until it is released or has expired.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from bson import ObjectId
from optio_agents.seeds import LEASE_TTL_SECONDS
from pymongo import ReturnDocument

from optio_codex.credentials.seed_store import (
    SeedNotFound,
    SeedQuarantined,
    quarantine_reason,
    seed_filter,
)

RUN_LEASE_SECONDS = LEASE_TTL_SECONDS  # renewed every third of it while a run holds the seed
DETACHED_LEASE_SECONDS = 900  # kept through an engine restart (a resumed run renews it)


class SeedBusy(RuntimeError):
    """The seed stayed leased by another holder for longer than the caller would wait."""


def _free_or_mine(holder: str) -> dict[str, Any]:
    return {
        "$or": [
            {"$eq": [{"$ifNull": ["$lease", None]}, None]},
            {"$not": {"$gt": ["$lease.expiresAt", "$$NOW"]}},
            {"$eq": ["$lease.holder", holder]},
        ]
    }


class SeedLeases:
    """Leases on the seeds of one collection (``{prefix}_codex_seeds``)."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection

    async def take(
        self, seed_id: str, holder: str, *, ttl: float = RUN_LEASE_SECONDS
    ) -> str | None:
        """Lease the seed if it is free (or already ``holder``'s); its ObjectId hex, or None
        when someone else holds it. A quarantined ("dead") seed is never leased."""
        doc = await self.collection.find_one_and_update(
            {
                "$and": [
                    seed_filter(seed_id),
                    {"status": {"$nin": ["dead", "quarantined"]}},
                    {"$expr": _free_or_mine(holder)},
                ]
            },
            [
                {
                    "$set": {
                        "lease": {"holder": holder, "expiresAt": _now_plus(ttl)},
                        "lastLeasedAt": "$$NOW",
                    }
                }
            ],
            projection={"_id": 1},
            return_document=ReturnDocument.AFTER,
        )
        if doc is not None:
            return str(doc["_id"])
        await self._check_leasable(seed_id)
        return None

    async def _check_leasable(self, seed_id: str) -> None:
        doc = await self.collection.find_one(
            seed_filter(seed_id), projection={"status": 1, "quarantine": 1}
        )
        if doc is None:
            raise SeedNotFound(f"no seed {seed_id!r}")
        if doc.get("status") in ("dead", "quarantined"):
            raise SeedQuarantined(str(doc["_id"]), quarantine_reason(doc))

    async def take_waiting(
        self, seed_id: str, holder: str, *, wait: float, ttl: float = RUN_LEASE_SECONDS
    ) -> str:
        """:meth:`take`, polling with backoff for at most ``wait`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        delay = 0.5
        while True:
            taken = await self.take(seed_id, holder, ttl=ttl)
            if taken is not None:
                return taken
            left = deadline - loop.time()
            if left <= 0:
                raise SeedBusy(
                    f"seed {seed_id!r} is leased by another task and was not released "
                    f"within {wait:g}s"
                )
            await asyncio.sleep(min(left, delay * random.uniform(0.8, 1.2)))
            delay = min(delay * 1.6, 5.0)

    async def extend(self, seed_id: str, holder: str, ttl: float) -> bool:
        """Move ``holder``'s lease to now + ``ttl``; False if it is no longer ``holder``'s."""
        result = await self.collection.update_one(
            {"_id": ObjectId(seed_id), "lease.holder": holder},
            [{"$set": {"lease.expiresAt": _now_plus(ttl)}}],
        )
        return bool(result.matched_count == 1)

    async def release(self, seed_id: str, holder: str) -> None:
        await self.collection.update_one(
            {"_id": ObjectId(seed_id), "lease.holder": holder}, {"$set": {"lease": None}}
        )

    async def held_by(self, holder: str) -> str | None:
        """The seed ``holder`` leased last (its lease may have lapsed, but no one took it)."""
        doc = await self.collection.find_one({"lease.holder": holder}, projection={"_id": 1})
        return str(doc["_id"]) if doc else None

    async def lease_of(self, seed_id: str) -> dict[str, Any] | None:
        doc = await self.collection.find_one(seed_filter(seed_id), projection={"lease": 1})
        lease = (doc or {}).get("lease")
        return lease if isinstance(lease, dict) else None


def _now_plus(seconds: float) -> dict[str, Any]:
    return {"$add": ["$$NOW", int(seconds * 1000)]}
