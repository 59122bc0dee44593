"""The tokens the token-server stand-in issues, shaped as codex 0.163.0 reads them (see the
credentials note): unsigned JWTs (``alg: none`` with a non-empty signature part) whose claims
carry the ChatGPT identity, and the auth.json codex accepts."""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from optio_codex.credentials.lineage import rfc3339_now

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
AUTH_CLAIM = "https://api.openai.com/auth"
PROFILE_CLAIM = "https://api.openai.com/profile"


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """A JWT codex parses: header, claims, and a placeholder signature (it checks none)."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.unsigned"


@dataclass
class Account:
    """Who a lineage logs in as."""

    account_id: str = "acct-test-1"
    email: str = "dev@example.com"
    user_id: str = "user-test-1"
    plan: str = "pro"


@dataclass
class TokenLineage:
    """One login's chain of refresh tokens; only ``current`` may be used, once."""

    lineage_id: str
    account: Account
    access_ttl: float
    current: str
    used: set[str] = field(default_factory=set)
    revoked: str | None = None  # why the whole lineage was revoked
    rotations: int = 0


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(24)


def id_token(account: Account, *, lifetime: float = 3600.0) -> str:
    now = int(time.time())
    return unsigned_jwt(
        {
            "iss": "optio-codex-token-server",
            "aud": [CLIENT_ID],
            "sub": account.user_id,
            "iat": now,
            "exp": now + int(lifetime),
            "email": account.email,
            "email_verified": True,
            PROFILE_CLAIM: {"email": account.email},
            AUTH_CLAIM: {
                "chatgpt_plan_type": account.plan,
                "chatgpt_account_id": account.account_id,
                "chatgpt_user_id": account.user_id,
                "user_id": account.user_id,
            },
        }
    )


def access_token(account: Account, lineage_id: str, ttl: float) -> tuple[str, float]:
    """(token, expiry as epoch seconds)."""
    now = time.time()
    exp = now + ttl
    token = unsigned_jwt(
        {
            "iss": "optio-codex-token-server",
            "sub": account.user_id,
            "iat": int(now),
            "exp": int(exp),
            "jti": secrets.token_hex(8),
            "lineage": lineage_id,
            AUTH_CLAIM: {"chatgpt_account_id": account.account_id},
        }
    )
    return token, exp


def auth_json(tokens: dict[str, str], account_id: str) -> dict[str, Any]:
    """The auth.json codex accepts for a ChatGPT login."""
    return {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "tokens": {**tokens, "account_id": account_id},
        "last_refresh": rfc3339_now(),
    }


# Refresh failures, as the real token server answers them (status, body).
FAULT_ANSWERS: dict[str, tuple[int, dict[str, Any]]] = {
    "500": (500, {"error": "server_error"}),
    "429": (429, {"error": {"code": "rate_limit_exceeded", "message": "slow down"}}),
    "invalid_grant": (400, {"error": "invalid_grant"}),
    "invalid_grant_401": (401, {"error": "invalid_grant"}),
    "refresh_token_expired": (400, {"error": {"code": "refresh_token_expired"}}),
    "refresh_token_invalidated": (400, {"code": "refresh_token_invalidated"}),
    "refresh_token_reused": (401, {"error": {"code": "refresh_token_reused"}}),
}
FAULTS = frozenset(FAULT_ANSWERS) | {"hang"}
