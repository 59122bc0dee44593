"""What the run needs to know of a codex auth.json without keeping its secrets around: which
account, how fresh, which refresh token (by hash), and whether codex would accept it.

codex rewrites auth.json in place on each refresh (same inode, ``last_refresh`` to the
nanosecond, ``tokens.account_id`` kept); see docs/codex-observed.md and the credentials note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from optio_codex.credentials.lineage import refresh_instant, token_hash
from optio_codex.credentials.token_claims import jwt_claims


@dataclass(frozen=True)
class AuthFacts:
    """The non-secret facts of one auth.json."""

    mode: str  # "chatgpt", "apikey" or "unknown"
    account_id: str | None
    last_refresh: str | None
    refresh_hash: str | None  # token_hash of tokens.refresh_token
    usable: bool  # codex would use it: a key, or tokens with a well-formed id_token

    @property
    def instant(self) -> tuple[datetime, int] | None:
        return refresh_instant(self.last_refresh)

    def newer_than(self, other: AuthFacts) -> bool:
        """The same ChatGPT account, another refresh token, a later ``last_refresh``: a
        rotation ``other`` has not seen."""
        mine, theirs = self.instant, other.instant
        return (
            self.mode == other.mode == "chatgpt"
            and self.usable
            and self.account_id == other.account_id
            and self.refresh_hash != other.refresh_hash
            and mine is not None
            and (theirs is None or mine > theirs)
        )


def read_auth(data: bytes) -> AuthFacts | None:
    """The facts of an auth.json, or None when it is no JSON object (a half-written file)."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    tokens = doc.get("tokens") if isinstance(doc.get("tokens"), dict) else None
    key = doc.get("OPENAI_API_KEY")
    if tokens is not None:
        refresh = tokens.get("refresh_token")
        id_ok = bool(jwt_claims(tokens.get("id_token")))
        return AuthFacts(
            mode="chatgpt",
            account_id=_str(tokens.get("account_id")),
            last_refresh=_str(doc.get("last_refresh")),
            refresh_hash=token_hash(refresh) if isinstance(refresh, str) and refresh else None,
            usable=id_ok and bool(tokens.get("access_token")) and bool(doc.get("last_refresh")),
        )
    if isinstance(key, str) and key:
        return AuthFacts("apikey", None, None, None, usable=True)
    return AuthFacts("unknown", None, None, None, usable=False)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
