"""verify_and_refresh_seed and sweep_seeds against the token-server stand-in and a real
mongod: alive only after the rotated login is saved; refusals quarantine; transient trouble
leaves the seed usable; a leased seed is refused."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from motor.motor_asyncio import AsyncIOMotorGridFSBucket

from optio_codex.credentials.seed_store import SeedLeased, SeedQuarantined, SeedStore
from optio_codex.credentials.sweep import sweep_seeds
from optio_codex.credentials.verify import verify_and_refresh_seed
from optio_codex.testing.oauth_tokens import CLIENT_ID
from optio_codex.testing.processes import free_loopback_port
from optio_codex.testing.token_server import TokenServer
from tests.support.published_seeds import published_seed, published_tar

PREFIX = "t"


@pytest.fixture
async def tokens(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TokenServer]:
    async with TokenServer() as server:
        monkeypatch.setenv("CODEX_REFRESH_TOKEN_URL_OVERRIDE", server.token_url)
        yield server


class Binding:
    def __init__(self, db: Any) -> None:
        self.db, self.prefix = db, PREFIX


def refresh_of(auth_json: bytes) -> str:
    return str(json.loads(auth_json)["tokens"]["refresh_token"])


async def verify(db: Any, seed_id: str, **kw: Any) -> dict[str, Any]:
    return await verify_and_refresh_seed(db, prefix=PREFIX, seed_id=seed_id, **kw)


async def test_alive_after_the_rotation_is_saved(mongo_db: Any, tokens: TokenServer) -> None:
    store = SeedStore(mongo_db, PREFIX)
    login = tokens.new_login(account_id="acct-v", email="v@example.com")
    await store.create(json.dumps(login).encode(), b"model = 'm'\n", name="v")
    for generation in (1, 2):
        result = await verify(mongo_db, "v", ssh=None, install_dir=None)
        assert result["status"] == "alive" and result["alive"], result
        files = await store.load("v")
        assert files.lineage.generation == generation
        lineage = tokens.lineage_of(refresh_of(files.auth_json))
        assert lineage is not None and lineage.current == refresh_of(files.auth_json)
    (account,) = result["accounts"]
    assert (account.email, account.plan, account.account_id) == (
        "v@example.com",
        "ChatGPT Pro",
        "acct-v",
    )
    assert files.config_toml == b"model = 'm'\n"
    assert tokens.counts.reuses == 0 and tokens.counts.rotations == 2
    doc = await store.find("v")
    assert doc["lease"] is None and doc["status"] == "alive"
    assert refresh_of(files.auth_json) not in json.dumps(doc, default=str)


@pytest.mark.parametrize(
    "fault", ["invalid_grant", "refresh_token_expired", "refresh_token_invalidated", "reused"]
)
async def test_refused_tokens_quarantine(mongo_db: Any, tokens: TokenServer, fault: str) -> None:
    store = SeedStore(mongo_db, PREFIX)
    login = tokens.new_login()
    seed_id = await store.create(json.dumps(login).encode())
    if fault == "reused":  # someone else spent the seed's token: the seed's copy is stale
        body = {
            "client_id": CLIENT_ID,
            "grant_type": "refresh_token",
            "refresh_token": login["tokens"]["refresh_token"],
        }
        async with aiohttp.ClientSession() as http, http.post(tokens.token_url, json=body) as r:
            assert r.status == 200
        expected = "refresh_token_reused"
    else:
        tokens.fail_next(fault)
        expected = fault
    result = await verify(mongo_db, seed_id)
    assert (result["status"], result["reason"], result["alive"]) == ("dead", expected, False)
    with pytest.raises(SeedQuarantined, match=expected):
        await store.load(seed_id)
    calls = tokens.counts.calls
    again = await verify(mongo_db, seed_id)
    assert again["status"] == "dead" and tokens.counts.calls == calls  # never retried


@pytest.mark.parametrize("fault", ["500", "429", "hang", "invalid_client_url", "refused"])
async def test_transient_trouble_is_inconclusive(
    mongo_db: Any, tokens: TokenServer, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    store = SeedStore(mongo_db, PREFIX)
    seed_id = await store.create(json.dumps(tokens.new_login()).encode())
    if fault == "refused":
        url = f"http://127.0.0.1:{free_loopback_port()}/oauth/token"
        monkeypatch.setenv("CODEX_REFRESH_TOKEN_URL_OVERRIDE", url)
    elif fault == "invalid_client_url":  # a 404: an unexpected answer, not a verdict
        monkeypatch.setenv("CODEX_REFRESH_TOKEN_URL_OVERRIDE", tokens.base_url + "/nowhere")
    else:
        tokens.fail_next(fault)
    result = await verify(mongo_db, seed_id, timeout=1.0)
    assert result["status"] == "inconclusive" and not result["alive"], result
    doc = await store.find(seed_id)
    assert doc["status"] == "alive" and doc["lease"] is None
    assert (await store.load(seed_id)).lineage.generation == 0
    monkeypatch.setenv("CODEX_REFRESH_TOKEN_URL_OVERRIDE", tokens.token_url)
    assert (await verify(mongo_db, seed_id))["status"] == "alive"


async def test_a_leased_seed_is_refused(mongo_db: Any, tokens: TokenServer) -> None:
    store = SeedStore(mongo_db, PREFIX)
    seed_id = await store.create(json.dumps(tokens.new_login()).encode(), pool_key="p")
    assert await store.acquire("p", "run-1") == seed_id
    with pytest.raises(SeedLeased, match="run-1"):
        await verify(mongo_db, seed_id)
    assert tokens.counts.calls == 0
    api = await store.create(json.dumps({"OPENAI_API_KEY": "sk-test"}).encode())
    result = await verify(mongo_db, api)
    assert result["status"] == "alive" and tokens.counts.calls == 0


async def test_sweep_refreshes_idle_seeds_due_soon(mongo_db: Any, tokens: TokenServer) -> None:
    store = SeedStore(mongo_db, PREFIX)
    due = await store.create(json.dumps(tokens.new_login(access_ttl=60)).encode(), pool_key="p")
    fresh = await store.create(json.dumps(tokens.new_login()).encode(), pool_key="p")
    busy = await store.create(json.dumps(tokens.new_login(access_ttl=60)).encode())
    await store.lease(busy, "run-2")
    report = await sweep_seeds(Binding(mongo_db), refresh_before=timedelta(minutes=5))
    assert (report.refreshed, report.fresh, report.leased) == ([due], [fresh], [busy])
    assert (await store.load(due)).lineage.generation == 1
    assert tokens.counts.rotations == 1


async def test_a_published_seed_verifies_and_stays_published_format(
    mongo_db: Any, tokens: TokenServer
) -> None:
    login = json.dumps(tokens.new_login(email="old@example.com")).encode()
    seed_id = await published_seed(mongo_db, published_tar(login, b"model = 'm'\n"))
    result = await verify(mongo_db, seed_id)
    assert result["status"] == "alive", result
    doc = await SeedStore(mongo_db, PREFIX).find(seed_id)
    stored = io.BytesIO()
    await AsyncIOMotorGridFSBucket(mongo_db).download_to_stream(doc["blobId"], stored)
    with tarfile.open(fileobj=io.BytesIO(stored.getvalue()), mode="r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    assert set(members) == {".codex/auth.json", ".codex/config.toml"}
    assert refresh_of(members[".codex/auth.json"]) != refresh_of(login)
    assert members[".codex/config.toml"] == b"model = 'm'\n"
