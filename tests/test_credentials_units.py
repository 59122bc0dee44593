"""The run-side credential pieces on their own: leases on the MongoDB server's clock, the
auth.json facts that decide a save-back, codex's refusals, the cheap host read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from optio_codex.credentials.auth_file import read_auth
from optio_codex.credentials.host_auth import poll_auth_file
from optio_codex.credentials.leases import SeedBusy, SeedLeases
from optio_codex.credentials.planting import seed_codex_config
from optio_codex.credentials.refusals import refusal_reason
from optio_codex.credentials.seed_store import SeedNotFound, SeedQuarantined, SeedStore
from optio_codex.hosts.host_scripts import LocalOps
from optio_codex.testing.oauth_tokens import Account, id_token

PREFIX = "t"


def login(refresh: str, stamp: str, account: str = "acct-1") -> bytes:
    tokens = {
        "id_token": id_token(Account(account_id=account)),
        "access_token": "at-" + refresh,
        "refresh_token": refresh,
        "account_id": account,
    }
    return json.dumps(
        {"auth_mode": "chatgpt", "OPENAI_API_KEY": None, "tokens": tokens, "last_refresh": stamp}
    ).encode()


async def test_leases_one_holder_at_a_time(mongo_db: Any) -> None:
    store = SeedStore(mongo_db, PREFIX)
    seed_id = await store.create(login("r1", "2026-12-01T10:00:00Z"), name="solo")
    leases = SeedLeases(store.collection)
    assert await leases.take("solo", "proc-a") == seed_id
    assert await leases.take("solo", "proc-a") == seed_id  # a resumed run takes it back
    assert await leases.take("solo", "proc-b") is None
    with pytest.raises(SeedBusy, match="leased by another task"):
        await leases.take_waiting("solo", "proc-b", wait=0.6)
    assert await leases.held_by("proc-a") == seed_id
    assert await leases.extend(seed_id, "proc-a", 900)
    assert not await leases.extend(seed_id, "proc-b", 900)
    await leases.release(seed_id, "proc-a")
    assert await leases.take_waiting("solo", "proc-b", wait=5) == seed_id
    with pytest.raises(SeedNotFound):
        await leases.take("nobody", "proc-a")
    await store.quarantine(seed_id, "refresh token reused (refresh_token_reused)")
    with pytest.raises(SeedQuarantined, match="refresh_token_reused"):
        await leases.take("solo", "proc-b")


def test_a_rotation_is_newer_only_on_the_same_account() -> None:
    planted = read_auth(login("r1", "2026-12-01T10:00:00.100000000Z"))
    rotated = read_auth(login("r2", "2026-12-01T10:00:00.100000001Z"))
    older = read_auth(login("r0", "2026-12-01T09:00:00Z"))
    other = read_auth(login("r9", "2026-12-02T10:00:00Z", account="acct-2"))
    assert planted and rotated and older and other
    assert rotated.newer_than(planted)  # a nanosecond is enough
    assert not planted.newer_than(rotated) and not older.newer_than(planted)
    assert not other.newer_than(planted)  # another login is never saved over a seed
    assert read_auth(b'{"auth_mode": "chatgpt", "tok') is None  # caught mid-rewrite
    key = read_auth(b'{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-1"}')
    assert key is not None and key.mode == "apikey" and key.usable


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("...because your refresh token was already used. Please log out", "reused"),
        ("...because your refresh token has expired. Please", "expired"),
        ("...because your refresh token was revoked. Please", "revoked"),
        ("Your access token could not be refreshed. Please log out", "invalid_grant"),
        ("Failed to refresh token: 500 Internal Server Error", None),
    ],
)
def test_refusals(message: str, reason: str | None) -> None:
    error = {"message": message, "codexErrorInfo": "unauthorized"}
    found = refusal_reason({"method": "error", "params": {"error": error, "willRetry": False}})
    assert (found is None) if reason is None else (reason in str(found))
    other = {"message": message, "codexErrorInfo": "other"}
    assert refusal_reason({"method": "error", "params": {"error": other}}) is None


def test_a_seed_config_loses_its_trust_of_other_paths() -> None:
    config = seed_codex_config(b'model = "m"\n[projects."/elsewhere"]\ntrust_level = "trusted"\n')
    assert config == {"model": "m"}
    assert seed_codex_config(b"not = [toml") == {}


async def test_the_host_read_sends_content_only_when_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    ops = LocalOps()
    assert (await poll_auth_file(ops, str(path))).exists is False
    path.write_bytes(b'{"a": 1}')
    first = await poll_auth_file(ops, str(path))
    assert first.content == b'{"a": 1}'
    assert (await poll_auth_file(ops, str(path), first.signature)).content is None
    with path.open("r+b") as f:  # in place, as codex rewrites it
        f.write(b'{"a": 2}')
    assert (await poll_auth_file(ops, str(path), first.signature)).content == b'{"a": 2}'
