"""Who a ChatGPT login is, read from its id_token's claims (offline, unverified: codex checks
no signature either). The claims codex 0.163.0 reads: ``email`` (or the profile claim's), and
under ``https://api.openai.com/auth``: ``chatgpt_plan_type``, ``chatgpt_account_id``."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from optio_agents.account import AccountInfo

AUTH_CLAIM = "https://api.openai.com/auth"
PROFILE_CLAIM = "https://api.openai.com/profile"
_PLAN_NAMES = {"free": "Free", "plus": "ChatGPT Plus", "pro": "ChatGPT Pro", "team": "ChatGPT Team"}


def jwt_claims(token: Any) -> dict[str, Any]:
    """The payload of a JWT, unverified; {} if ``token`` is none."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3 or not parts[2]:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def plan_name(plan: Any) -> str | None:
    """codex's plan type as the published package shows it ("pro" → "ChatGPT Pro")."""
    if not isinstance(plan, str) or not plan.strip():
        return None
    return _PLAN_NAMES.get(plan.lower(), plan.replace("_", " ").title())


def account_from_auth(auth_json: bytes) -> AccountInfo | None:
    """The login's identity from its auth.json's id_token; None if the claims say nothing."""
    try:
        doc = json.loads(auth_json)
    except (UnicodeDecodeError, ValueError):
        return None
    tokens = doc.get("tokens") if isinstance(doc, dict) else None
    if not isinstance(tokens, dict):
        return None
    claims = jwt_claims(tokens.get("id_token"))
    auth = claims.get(AUTH_CLAIM)
    auth = auth if isinstance(auth, dict) else {}
    profile = claims.get(PROFILE_CLAIM)
    email = claims.get("email") or (profile.get("email") if isinstance(profile, dict) else None)
    plan = auth.get("chatgpt_plan_type")
    if not plan and not email:
        return None
    name = claims.get("name")
    return AccountInfo(
        name=name if isinstance(name, str) else None,
        email=email if isinstance(email, str) else None,
        plan=plan_name(plan),
        account_id=tokens.get("account_id") or auth.get("chatgpt_account_id"),
    )


def access_expiry(auth_json: bytes) -> int | None:
    """The access token's ``exp`` (epoch seconds), if it is a JWT that has one."""
    try:
        tokens = json.loads(auth_json).get("tokens") or {}
    except (UnicodeDecodeError, ValueError, AttributeError):
        return None
    exp = jwt_claims(tokens.get("access_token") if isinstance(tokens, dict) else None).get("exp")
    return int(exp) if isinstance(exp, int | float) else None
