"""SeedStore against a real mongod: published-format seeds read as they are, names, the
compare-and-swap save-back, quarantine, leases and the pool provider."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorGridFSBucket
from optio_agents.config_types import SeedUnavailableError

from optio_codex.blob_crypto import BlobCipher, is_encrypted
from optio_codex.credentials.lineage import token_hash
from optio_codex.credentials.manifest import list_seeds, purge_seed
from optio_codex.credentials.seed_blob import SeedBlobError
from optio_codex.credentials.seed_store import (
    SeedNotFound,
    SeedQuarantined,
    SeedStore,
    seed_pool,
)
from tests.support.published_seeds import published_seed, published_tar

PREFIX = "t"


def auth(refresh: str, stamp: str = "2026-12-01T10:00:00.123456789Z") -> bytes:
    tokens = {"id_token": "a.b.c", "access_token": "x", "refresh_token": refresh}
    doc = {"auth_mode": "chatgpt", "OPENAI_API_KEY": None, "tokens": tokens}
    return json.dumps({**doc, "last_refresh": stamp}).encode()


class Binding:
    def __init__(self, db: Any) -> None:
        self.db, self.prefix = db, PREFIX


async def test_published_plain_and_hooked_seeds_load(mongo_db: Any) -> None:
    plain_id = await published_seed(mongo_db, published_tar(auth(b"r1".decode()), b"model='m'\n"))
    files = await SeedStore(mongo_db, PREFIX).load(plain_id)
    assert files.seed_id == plain_id and files.config_toml == b"model='m'\n"
    assert json.loads(files.auth_json)["tokens"]["refresh_token"] == "r1"
    assert files.lineage.generation == 0 and files.lineage.token_hash == token_hash("r1")

    def enc(b: bytes) -> bytes:  # a published-style hook pair
        return b"HOOK" + bytes(x ^ 0x5A for x in b)

    def dec(b: bytes) -> bytes:
        assert b.startswith(b"HOOK")
        return bytes(x ^ 0x5A for x in b[4:])

    hooked_id = await published_seed(mongo_db, enc(published_tar(auth("r2"), b"")))
    hooked = SeedStore(mongo_db, PREFIX, encrypt=enc, decrypt=dec)
    assert json.loads((await hooked.load(hooked_id)).auth_json)["tokens"]["refresh_token"] == "r2"
    # The save-back keeps the hooks' format and the seed's config.toml.
    files = await hooked.load(hooked_id)
    outcome = await hooked.save_back(hooked_id, auth("r3"), parent=files.lineage, holder=None)
    assert outcome.kind == "saved" and outcome.lineage and outcome.lineage.generation == 1
    again = await hooked.load(hooked_id)
    assert json.loads(again.auth_json)["tokens"]["refresh_token"] == "r3"
    assert again.config_toml == b""
    with pytest.raises(SeedBlobError, match=r"no tar\.gz"):
        await SeedStore(mongo_db, PREFIX).load(hooked_id)  # no hooks: the XOR'd blob is junk
    assert len(await list_seeds(Binding(mongo_db))) == 2
    await purge_seed(Binding(mongo_db), plain_id)
    with pytest.raises(SeedNotFound):
        await SeedStore(mongo_db, PREFIX).load(plain_id)


async def test_builtin_key_encrypts_and_plaintext_stays_readable(
    mongo_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await published_seed(mongo_db, published_tar(auth("r0"), b""))
    monkeypatch.setenv("OPTIO_CODEX_BLOB_KEY", base64.b64encode(b"A" * 32).decode())
    store = SeedStore(mongo_db, PREFIX)
    assert isinstance(store.codec.cipher, BlobCipher)
    new = await store.create(auth("r1"), name="alice")
    doc = await store.find("alice")
    stored = io.BytesIO()
    await AsyncIOMotorGridFSBucket(mongo_db).download_to_stream(doc["blobId"], stored)
    assert is_encrypted(stored.getvalue()) and b"r1" not in stored.getvalue()
    assert (await store.load(new)).lineage.token_hash == token_hash("r1")
    assert (await store.load(old)).lineage.token_hash == token_hash("r0")  # migration
    monkeypatch.delenv("OPTIO_CODEX_BLOB_KEY")
    with pytest.raises(SeedBlobError, match="no key is configured"):
        await SeedStore(mongo_db, PREFIX).load("alice")


async def test_save_back_compare_and_swap(mongo_db: Any) -> None:
    store = SeedStore(mongo_db, PREFIX)
    seed_id = await store.create(auth("r1", "2026-12-01T10:00:00Z"), b"x=1\n", name="bob")
    with pytest.raises(ValueError, match="exists"):
        await store.create(auth("other"), name="bob")
    with pytest.raises(ValueError, match="seed name"):
        await store.create(auth("other"), name="../etc")
    planted = (await store.load("bob")).lineage
    first = await store.save_back(
        "bob", auth("r2", "2026-12-01T11:00:00Z"), parent=planted, holder=None
    )
    assert first.kind == "saved" and first.lineage is not None
    # A second task planted from the same (now stale) version must not overwrite it.
    stale = await store.save_back(
        seed_id, auth("r9", "2026-12-01T10:30:00Z"), parent=planted, holder=None
    )
    assert stale.kind == "conflict" and stale.newer == "seed", stale.detail
    newer = await store.save_back(
        seed_id, auth("r8", "2026-12-01T12:00:00Z"), parent=planted, holder=None
    )
    assert newer.kind == "conflict" and newer.newer == "offered"
    same = await store.save_back(
        seed_id, auth("r2", "2026-12-01T11:00:00Z"), parent=planted, holder=None
    )
    assert same.kind == "unchanged" and same.lineage == first.lineage
    doc = await store.find(seed_id)
    assert doc["lineage"] == {
        "generation": 1,
        "refreshedAt": "2026-12-01T11:00:00Z",
        "tokenHash": token_hash("r2"),
    }
    assert "r2" not in json.dumps(doc, default=str)
    assert (await store.load(seed_id)).config_toml == b"x=1\n"
    blobs = await mongo_db["fs.files"].count_documents({})
    assert blobs == 1  # the old blob was deleted


async def test_lease_and_quarantine(mongo_db: Any) -> None:
    store = SeedStore(mongo_db, PREFIX)
    a = await store.create(auth("ra"), name="a", pool_key="pool")
    b = await store.create(auth("rb"), name="b", pool_key="pool")
    provide = seed_pool(Binding(mongo_db), "pool", wait=1.0)
    got = {await provide("p1"), await provide("p2")}
    assert got == {a, b}
    with pytest.raises(SeedUnavailableError, match="stayed leased"):
        await provide("p3")
    planted = (await store.load(a)).lineage
    lost = await store.save_back(a, auth("ra2"), parent=planted, holder="p3")
    assert lost.kind == "lease_lost"
    holder = (await store.find(a))["lease"]["holder"]
    assert await store.renew(a, holder)
    await store.release(a, holder)
    waiting = asyncio.create_task(provide("p3"))
    assert await waiting == a
    await store.quarantine(b, "refresh_token_reused")
    with pytest.raises(SeedQuarantined, match="refresh_token_reused"):
        await store.load("b")
    await store.release(a, "p3")
    assert await provide("p4") == a  # b is dead: never handed out
    await store.quarantine(a, "invalid_grant")
    with pytest.raises(SeedUnavailableError, match="no live seed"):
        await provide("p5")
    assert (await store.find("a"))["quarantine"]["at"] <= datetime.now(UTC).replace(tzinfo=None)
