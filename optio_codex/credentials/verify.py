"""verify_and_refresh_seed: is a seed's ChatGPT login still good? Answered host-free, by
doing what codex does at a refresh: one refresh grant against the token server.

The seed is leased for the check (a refresh spends the single-use refresh token, so it must
not race a run using the login); a seed leased by someone else is refused. The rotated login
is saved back with compare-and-swap before the seed is called alive. A definite refusal of
the token (invalid_grant, reused, expired, invalidated) is "dead" and quarantines the seed
with that reason; a 5xx, 429, timeout or connection error is "inconclusive" and leaves the
seed as it was, usable.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
from optio_agents.account import AccountInfo, accounts_to_metadata

from optio_codex.credentials.lineage import rfc3339_now
from optio_codex.credentials.manifest import CODEX_SEED_SUFFIX
from optio_codex.credentials.seed_blob import SeedBlobError, Transform
from optio_codex.credentials.seed_store import (
    SeedFiles,
    SeedNotFound,
    SeedQuarantined,
    SeedStore,
    quarantine_reason,
)
from optio_codex.credentials.token_claims import account_from_auth

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"  # codex's public OAuth client (no secret)
DEFAULT_TOKEN_URL = "https://auth.openai.com/oauth/token"
TOKEN_URL_ENV = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"
REFRESH_TIMEOUT_S = 20.0
# What the token server says of a refresh token it will never accept again.
DEAD_CODES = frozenset(
    {
        "invalid_grant",
        "refresh_token_reused",
        "refresh_token_expired",
        "refresh_token_invalidated",
    }
)


def token_url() -> str:
    """Where codex would refresh: its override variable, read at each call, else OpenAI's."""
    return os.environ.get(TOKEN_URL_ENV) or DEFAULT_TOKEN_URL


def error_code(body: Any) -> str | None:
    """The error code of a token-server answer, in any of the shapes it uses."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        code = error.get("code") or error.get("type")
        return str(code) if code else None
    if isinstance(error, str):
        return error
    code = body.get("code")
    return str(code) if code else None


async def refresh_grant(
    refresh_token: str, *, timeout: float = REFRESH_TIMEOUT_S
) -> tuple[str, dict[str, Any] | str]:
    """One refresh grant. ("ok", answer), ("dead", code) or ("inconclusive", why)."""
    body = {"client_id": CLIENT_ID, "grant_type": "refresh_token", "refresh_token": refresh_token}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(token_url(), json=body) as answer,
        ):
            status = answer.status
            text = await answer.text()
    except TimeoutError:
        return "inconclusive", f"the token server did not answer within {timeout:g}s"
    except aiohttp.ClientError as exc:
        return "inconclusive", f"the token server could not be reached ({type(exc).__name__})"
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    code = error_code(parsed)
    if status == 200 and isinstance(parsed, dict) and parsed.get("access_token"):
        return "ok", parsed
    if status in (400, 401) and code in DEAD_CODES:
        return "dead", str(code)
    return "inconclusive", f"the token server answered {status}" + (f" ({code})" if code else "")


def refreshed_auth(auth: dict[str, Any], answer: dict[str, Any]) -> bytes:
    """auth.json as codex rewrites it after a refresh: new tokens (an omitted refresh or id
    token keeps the old one), ``account_id`` kept, ``last_refresh`` now."""
    tokens = dict(auth.get("tokens") or {})
    for key in ("access_token", "refresh_token", "id_token"):
        if answer.get(key):
            tokens[key] = answer[key]
    return json.dumps({**auth, "tokens": tokens, "last_refresh": rfc3339_now()}, indent=2).encode()


# Long: the verdicts (missing, quarantined, API key, no token, each refresh outcome) in order.
async def verify_and_refresh_seed(
    db: Any,
    *,
    prefix: str,
    suffix: str = CODEX_SEED_SUFFIX,
    seed_id: str,
    ssh: Any = None,
    install_dir: str | None = None,
    encrypt: Transform | None = None,
    decrypt: Transform | None = None,
    timeout: float = REFRESH_TIMEOUT_S,
) -> dict[str, Any]:
    """``{"alive", "accounts", "status": "alive"|"dead"|"inconclusive", "reason"}``.
    ``ssh`` and ``install_dir`` are accepted for the published signature; nothing runs on a
    host. Raises SeedLeased when another holder has the seed."""
    del ssh, install_dir  # host-free
    store = SeedStore(db, prefix, encrypt=encrypt, decrypt=decrypt, suffix=suffix)
    try:
        doc = await store.find(seed_id)
    except SeedNotFound as exc:
        return _verdict("dead", str(exc))
    seed = str(doc["_id"])
    if doc.get("status") in ("dead", "quarantined"):
        return _verdict("dead", f"quarantined: {quarantine_reason(doc)}")
    holder = f"verify-{uuid.uuid4().hex[:12]}"
    try:
        await store.lease(seed, holder)
    except SeedQuarantined as exc:
        return _verdict("dead", f"quarantined: {exc.reason}")
    try:
        try:
            files = await store.load(seed)
        except SeedBlobError as exc:
            return _verdict("inconclusive", str(exc))  # a key problem is no dead login
        return await _check(store, files, holder, timeout)
    finally:
        await store.release(seed, holder)


async def _check(store: SeedStore, files: SeedFiles, holder: str, timeout: float) -> dict[str, Any]:
    try:
        auth = json.loads(files.auth_json)
    except ValueError:
        auth = None
    if not isinstance(auth, dict):
        return await _dead(store, files.seed_id, "the seed's auth.json is not a JSON object")
    tokens = auth.get("tokens") if isinstance(auth.get("tokens"), dict) else None
    if tokens is None:
        if auth.get("OPENAI_API_KEY"):  # an API key does not rotate: alive by presence
            return await _alive(store, files.seed_id, None, "an API-key login (not refreshed)")
        return await _dead(store, files.seed_id, "the seed's auth.json holds no login")
    refresh = tokens.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        return await _dead(store, files.seed_id, "the seed's auth.json has no refresh token")
    kind, result = await refresh_grant(refresh, timeout=timeout)
    if kind == "dead":
        return await _dead(store, files.seed_id, str(result))
    if kind == "inconclusive" or not isinstance(result, dict):
        return _verdict("inconclusive", str(result))
    content = refreshed_auth(auth, result)
    outcome = await store.save_back(files.seed_id, content, parent=files.lineage, holder=holder)
    if outcome.kind not in ("saved", "unchanged"):
        # The token server rotated the token but the seed would not take it: say so loudly.
        return _verdict(
            "inconclusive", f"refreshed, but the save-back was {outcome.kind}: {outcome.detail}"
        )
    generation = outcome.lineage.generation if outcome.lineage else files.lineage.generation
    return await _alive(
        store, files.seed_id, content, f"refreshed (lineage generation {generation})"
    )


async def _alive(
    store: SeedStore, seed_id: str, auth_json: bytes | None, reason: str
) -> dict[str, Any]:
    account = account_from_auth(auth_json) if auth_json else None
    accounts = [account] if account is not None else []
    now = datetime.now(UTC)
    await store.collection.update_one(
        {"_id": (await store.find(seed_id))["_id"]},
        {
            "$set": {
                "status": "alive",
                "lastVerifiedAt": now,
                "metadata.verify": {"alive": True, "checkedAt": now},
                "metadata.accounts": accounts_to_metadata(accounts),
                "metadata.accountFetchedAt": now,
            }
        },
    )
    return _verdict("alive", reason, accounts)


async def _dead(store: SeedStore, seed_id: str, reason: str) -> dict[str, Any]:
    await store.quarantine(seed_id, reason)
    return _verdict("dead", reason)


def _verdict(status: str, reason: str, accounts: list[AccountInfo] | None = None) -> dict[str, Any]:
    return {
        "alive": status == "alive",
        "accounts": accounts or [],
        "status": status,
        "reason": reason,
    }
