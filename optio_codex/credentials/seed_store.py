"""SeedStore: codex logins kept as optio-agents seeds, read and written with compare-and-swap
on their token lineage.

Documents are optio_agents.seeds' (``{createdAt, blobId, manifestVersion, poolKey?, status?,
lease?, lastLeasedAt?, metadata?}`` in ``{prefix}_codex_seeds``) plus ours: ``name`` (unique,
optional), ``lineage`` (lineage.py: never a token) and ``quarantine {reason, at}``. A seed
written by the published package is read as it is. Leases are optio-agents' (60 s on the
MongoDB server's clock); ``status: "dead"`` is what its ``acquire`` skips.

A save-back stores the new blob first, then repoints the document only if it still names
the blob the caller planted from, then deletes the old blob: a crash leaves at worst an
orphan blob, and a stale login can never overwrite a newer one.
"""

from __future__ import annotations

import asyncio
import io
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from bson import ObjectId
from bson.errors import InvalidId
from motor.motor_asyncio import AsyncIOMotorGridFSBucket
from optio_agents import seeds
from optio_agents.config_types import SeedProvider, SeedUnavailableError
from pymongo.errors import DuplicateKeyError

from optio_codex.credentials.lineage import Lineage, login_facts, newer
from optio_codex.credentials.manifest import (
    AUTH_MEMBER,
    CODEX_SEED_MANIFEST_VERSION,
    CODEX_SEED_SUFFIX,
    CONFIG_MEMBER,
    StoreBinding,
)
from optio_codex.credentials.seed_blob import BlobCodec, Transform, login_files, pack

__all__ = [
    "Lineage",
    "SaveOutcome",
    "SeedFiles",
    "SeedLeased",
    "SeedNotFound",
    "SeedQuarantined",
    "SeedStore",
    "seed_pool",
]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_HEX_ID = re.compile(r"^[0-9a-fA-F]{24}$")


class SeedNotFound(KeyError):
    """No seed has that id or name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such seed"


class SeedQuarantined(RuntimeError):
    """The seed is marked dead (its login was refused for good); ``reason`` says why."""

    def __init__(self, seed_id: str, reason: str) -> None:
        super().__init__(f"seed {seed_id} is quarantined: {reason}")
        self.seed_id = seed_id
        self.reason = reason


class SeedLeased(RuntimeError):
    """The seed is leased by another holder (a run using its login)."""

    def __init__(self, seed_id: str, holder: str, until: Any) -> None:
        super().__init__(f"seed {seed_id} is leased by {holder} until {until}")
        self.seed_id = seed_id
        self.holder = holder


@dataclass(frozen=True)
class SeedFiles:
    """A seed's login as stored: ``seed_id`` is its ObjectId hex whatever it was asked by."""

    seed_id: str
    auth_json: bytes
    config_toml: bytes | None
    blob_id: str
    lineage: Lineage


@dataclass(frozen=True)
class SaveOutcome:
    """``saved``: the seed now holds the login (``lineage`` is its new version);
    ``unchanged``: it already did; ``conflict``: it moved on from ``parent`` (``newer`` says
    whose login is newer: "seed", "offered" or None when unknown); ``lease_lost``: the
    caller no longer holds the seed and nothing was written."""

    kind: Literal["saved", "unchanged", "conflict", "lease_lost"]
    lineage: Lineage | None = None
    detail: str = ""
    newer: Literal["seed", "offered"] | None = None


def check_seed_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or _HEX_ID.match(name):
        raise ValueError(
            f"seed name {name!r}: 1-64 letters, digits, '.', '_', '-', '@', starting with a "
            "letter or digit, and not 24 hex digits (that is a seed id)"
        )
    return name


def seed_filter(seed_id: str) -> dict[str, Any]:
    """A seed by its ObjectId hex (the published ids) or its name (ours)."""
    try:
        return {"$or": [{"_id": ObjectId(seed_id)}, {"name": seed_id}]}
    except (InvalidId, TypeError):
        return {"name": seed_id}


class SeedStore:
    """The codex seeds of one optio namespace (``db``, ``prefix``)."""

    def __init__(
        self,
        db: Any,
        prefix: str,
        *,
        encrypt: Transform | None = None,
        decrypt: Transform | None = None,
        suffix: str = CODEX_SEED_SUFFIX,
    ) -> None:
        self.db = db
        self.prefix = prefix
        self.suffix = suffix
        self.collection = db[f"{prefix}{suffix}"]
        self.codec = BlobCodec.choose(encrypt, decrypt)
        self._bucket = AsyncIOMotorGridFSBucket(db)
        self._indexed = False

    # -- reading -------------------------------------------------------------------------------

    async def find(self, seed_id: str) -> dict[str, Any]:
        """The seed's document (by id or name); SeedNotFound if none."""
        doc = await self.collection.find_one(seed_filter(seed_id))
        if doc is None:
            raise SeedNotFound(f"no seed {seed_id!r}")
        return dict(doc)

    async def load(self, seed_id: str, *, include_dead: bool = False) -> SeedFiles:
        """The seed's login; SeedNotFound, SeedQuarantined (unless ``include_dead``: for an
        operator's look), or SeedBlobError (unreadable)."""
        doc = await self.find(seed_id)
        resolved = str(doc["_id"])
        if doc.get("status") in ("dead", "quarantined") and not include_dead:
            raise SeedQuarantined(resolved, quarantine_reason(doc))
        return await self._files(doc)

    async def _files(self, doc: dict[str, Any]) -> SeedFiles:
        auth, config, _ = login_files(await self._read_blob(doc["blobId"]))
        return SeedFiles(
            seed_id=str(doc["_id"]),
            auth_json=auth,
            config_toml=config,
            blob_id=str(doc["blobId"]),
            lineage=Lineage.of(doc, auth),
        )

    async def _read_blob(self, blob_id: Any) -> bytes:
        buffer = io.BytesIO()
        await self._bucket.download_to_stream(blob_id, buffer)
        return self.codec.open(buffer.getvalue())

    async def _write_blob(self, members: dict[str, bytes]) -> ObjectId:
        blob_id: ObjectId = await self._bucket.upload_from_stream(
            "seed", self.codec.seal(pack(members))
        )
        return blob_id

    # -- writing -------------------------------------------------------------------------------

    async def create(
        self,
        auth_json: bytes,
        config_toml: bytes | None = None,
        *,
        name: str | None = None,
        pool_key: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        """Store a login as a new seed; its id (ObjectId hex). ValueError on a taken name."""
        if name is not None:
            check_seed_name(name)
            await self._ensure_name_index()
        members = {AUTH_MEMBER: auth_json}
        if config_toml is not None:
            members[CONFIG_MEMBER] = config_toml
        blob_id = await self._write_blob(members)
        hashed, stamp = login_facts(auth_json)
        doc: dict[str, Any] = {
            "createdAt": datetime.now(UTC),
            "blobId": blob_id,
            "manifestVersion": CODEX_SEED_MANIFEST_VERSION,
            "status": "alive",
            "lineage": {"generation": 0, "refreshedAt": stamp, "tokenHash": hashed},
        }
        for key, value in (("name", name), ("poolKey", pool_key), ("metadata", metadata)):
            if value is not None:
                doc[key] = value
        try:
            result = await self.collection.insert_one(doc)
        except DuplicateKeyError:
            await self._bucket.delete(blob_id)
            raise ValueError(f"seed name {name!r}: a seed with that name exists") from None
        return str(result.inserted_id)

    async def _ensure_name_index(self) -> None:
        if not self._indexed:
            await self.collection.create_index(
                "name", unique=True, partialFilterExpression={"name": {"$type": "string"}}
            )
            self._indexed = True

    # Long: one compare-and-swap, its guards and its outcomes read best in one place.
    async def save_back(
        self, seed_id: str, auth_json: bytes, *, parent: Lineage, holder: str | None
    ) -> SaveOutcome:
        """Store ``auth_json`` as the seed's login if the seed still holds ``parent``."""
        doc = await self.find(seed_id)
        oid = doc["_id"]
        if holder is not None and not await self._renew_at_least(oid, holder):
            return SaveOutcome("lease_lost", detail=f"the lease is no longer {holder}'s")
        hashed, stamp = login_facts(auth_json)
        if hashed is None:
            raise ValueError("save_back: auth_json holds no refresh token")
        held, _, members = login_files(await self._read_blob(doc["blobId"]))
        current = Lineage.of(doc, held)
        if hashed == current.token_hash:
            return SaveOutcome("unchanged", current)
        if current.blob_id != parent.blob_id:
            return _conflict(current, stamp)
        members[AUTH_MEMBER] = auth_json
        new_blob = await self._write_blob(members)
        lineage = Lineage(parent.generation + 1, stamp, hashed, str(new_blob))
        now = datetime.now(UTC)
        result = await self.collection.update_one(
            {"_id": oid, "blobId": doc["blobId"]},
            {
                "$set": {
                    "blobId": new_blob,
                    "lineage": lineage.to_doc(),
                    "updatedAt": now,
                    "lastRefreshedAt": now,
                }
            },
        )
        if result.matched_count != 1:  # someone saved between our read and our write
            await self._bucket.delete(new_blob)
            moved = await self.find(str(oid))
            return _conflict((await self._files(moved)).lineage, stamp)
        try:
            await self._bucket.delete(doc["blobId"])
        except Exception:  # an orphan blob is harmless; the document is what counts
            pass
        return SaveOutcome("saved", lineage)

    async def _renew_at_least(self, oid: ObjectId, holder: str) -> bool:
        """Renew ``holder``'s lease to at least optio-agents' TTL from now, never shortening
        a longer one (a run may hold its seed through an engine restart)."""
        result = await self.collection.update_one(
            {"_id": oid, "lease.holder": holder},
            [
                {
                    "$set": {
                        "lease.expiresAt": {
                            "$max": [
                                "$lease.expiresAt",
                                {"$add": ["$$NOW", seeds.LEASE_TTL_SECONDS * 1000]},
                            ]
                        }
                    }
                }
            ],
        )
        return bool(result.matched_count == 1)

    async def delete(self, seed_id: str) -> None:
        """Delete the seed's document, then its blob; SeedNotFound if there is none."""
        doc = await self.collection.find_one_and_delete(seed_filter(seed_id))
        if doc is None:
            raise SeedNotFound(f"no seed {seed_id!r}")
        try:
            await self._bucket.delete(doc["blobId"])
        except Exception:  # already gone: the document was what counted
            pass

    async def quarantine(self, seed_id: str, reason: str) -> None:
        """Mark the seed dead with ``reason`` (no token in it): never leased or planted again
        until an operator replaces its login."""
        doc = await self.find(seed_id)
        now = datetime.now(UTC)
        await self.collection.update_one(
            {"_id": doc["_id"]},
            {
                "$set": {
                    "status": "dead",
                    "quarantine": {"reason": reason, "at": now},
                    "updatedAt": now,
                }
            },
        )

    # -- leases --------------------------------------------------------------------------------

    async def acquire(self, pool_key: str, holder: str) -> str | None:
        """Lease the least recently leased free live seed of the pool; its id, or None."""
        seed_id: str | None = await seeds.acquire(
            self.db, prefix=self.prefix, suffix=self.suffix, poolKey=pool_key, holder=holder
        )
        return seed_id

    async def lease(self, seed_id: str, holder: str) -> str:
        """Lease this one seed for ``holder`` (optio-agents' TTL) if it is free or already
        ``holder``'s; its id. SeedLeased if another holder has it, SeedQuarantined if dead."""
        doc = await self.find(seed_id)
        free_or_mine = {
            "$or": [
                {"$eq": [{"$ifNull": ["$lease", None]}, None]},
                {"$not": {"$gt": ["$lease.expiresAt", "$$NOW"]}},
                {"$eq": ["$lease.holder", holder]},
            ]
        }
        taken = await self.collection.find_one_and_update(
            {"_id": doc["_id"], "status": {"$nin": ["dead", "quarantined"]}, "$expr": free_or_mine},
            [
                {
                    "$set": {
                        "lease": {
                            "holder": holder,
                            "expiresAt": {"$add": ["$$NOW", seeds.LEASE_TTL_SECONDS * 1000]},
                        },
                        "lastLeasedAt": "$$NOW",
                    }
                }
            ],
            projection={"_id": 1},
        )
        if taken is not None:
            return str(doc["_id"])
        doc = await self.find(str(doc["_id"]))
        if doc.get("status") in ("dead", "quarantined"):
            raise SeedQuarantined(str(doc["_id"]), quarantine_reason(doc))
        lease = doc.get("lease") or {}
        raise SeedLeased(str(doc["_id"]), str(lease.get("holder")), lease.get("expiresAt"))

    async def renew(self, seed_id: str, holder: str) -> bool:
        """Slide ``holder``'s lease to optio-agents' TTL from now (a longer lease is kept);
        False if it is no longer ``holder``'s."""
        doc = await self.find(seed_id)
        return await self._renew_at_least(doc["_id"], holder)

    async def release(self, seed_id: str, holder: str) -> None:
        doc = await self.find(seed_id)
        await seeds.release(
            self.db,
            prefix=self.prefix,
            suffix=self.suffix,
            seed_id=str(doc["_id"]),
            holder=holder,
        )


def quarantine_reason(doc: dict[str, Any]) -> str:
    reason = (doc.get("quarantine") or {}).get("reason")
    return str(reason) if reason else "marked dead"


def _conflict(current: Lineage, offered_stamp: str | None) -> SaveOutcome:
    later = newer(current.refreshed_at, offered_stamp)
    whose: Literal["seed", "offered"] | None = (
        None if later is None else ("seed" if later else "offered")
    )
    detail = (
        f"the seed moved on to generation {current.generation} "
        f"(refreshed {current.refreshed_at or 'at an unknown time'}); "
        + {
            "seed": "the seed's login is the newer one",
            "offered": "the offered login is newer than the seed's",
            None: "which is newer is unknown",
        }[whose]
    )
    return SaveOutcome("conflict", current, detail, whose)


def seed_pool(store: StoreBinding, pool_key: str, *, wait: float = 600) -> SeedProvider:
    """A SeedProvider over the pool ``pool_key``: ``await provider(holder)`` leases a free
    seed of the pool for ``holder``, waiting (polling with backoff) up to ``wait`` seconds;
    SeedUnavailableError when none frees in time or the pool has no live seed."""
    seed_store = store if isinstance(store, SeedStore) else SeedStore(store.db, store.prefix)

    async def provider(holder: str) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        delay = 0.25
        while True:
            seed_id = await seed_store.acquire(pool_key, holder)
            if seed_id is not None:
                return seed_id
            live = await seed_store.collection.count_documents(
                {"poolKey": pool_key, "status": {"$ne": "dead"}}
            )
            if live == 0:
                raise SeedUnavailableError(f"seed pool {pool_key!r} has no live seed")
            left = deadline - loop.time()
            if left <= 0:
                raise SeedUnavailableError(
                    f"seed pool {pool_key!r}: all {live} live seeds stayed leased for {wait:g}s"
                )
            await asyncio.sleep(min(left, delay * random.uniform(0.8, 1.2)))
            delay = min(delay * 1.6, 5.0)

    return provider
