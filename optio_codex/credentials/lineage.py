"""A seed's token lineage: which refresh token it holds (by hash, never the token), when codex
last refreshed it, and how many save-backs it has seen. The blob id pins one exact version
of the seed for compare-and-swap: every save-back writes a new blob.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_RFC3339 = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$", re.IGNORECASE
)


def token_hash(token: str) -> str:
    """The lineage's name for a refresh token: the first 16 hex of its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def refresh_instant(text: str | None) -> tuple[datetime, int] | None:
    """codex's ``last_refresh`` (RFC 3339, to the nanosecond) as a comparable pair."""
    match = _RFC3339.match(text or "")
    if match is None:
        return None
    whole, fraction, zone = match.groups()
    zone = "+00:00" if zone.upper() == "Z" else zone
    try:
        seconds = datetime.fromisoformat(whole + zone).astimezone(UTC)
    except ValueError:
        return None
    return seconds, int((fraction or "0").ljust(9, "0"))


def rfc3339_now() -> str:
    """Now as codex writes ``last_refresh``: UTC, to the nanosecond, with ``Z``."""
    now = time.time_ns()
    stamp = datetime.fromtimestamp(now // 1_000_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{now % 1_000_000_000:09d}Z"


def login_facts(auth_json: bytes) -> tuple[str | None, str | None]:
    """(hash of tokens.refresh_token, last_refresh) of an auth.json; Nones where absent."""
    try:
        doc = json.loads(auth_json)
    except (UnicodeDecodeError, ValueError):
        return None, None
    if not isinstance(doc, dict):
        return None, None
    tokens = doc.get("tokens")
    tokens = tokens if isinstance(tokens, dict) else {}
    refresh = tokens.get("refresh_token")
    stamp = doc.get("last_refresh")
    return (
        token_hash(refresh) if isinstance(refresh, str) and refresh else None,
        stamp if isinstance(stamp, str) and stamp else None,
    )


@dataclass(frozen=True)
class Lineage:
    """One version of a seed's login. ``generation`` counts save-backs (0: as created or
    as the published package left it)."""

    generation: int
    refreshed_at: str | None  # auth.json's last_refresh
    token_hash: str | None
    blob_id: str  # the GridFS blob holding this version (ObjectId hex)

    def to_doc(self) -> dict[str, Any]:
        """What the seed's document keeps (``lineage``): no token, no blob id."""
        return {
            "generation": self.generation,
            "refreshedAt": self.refreshed_at,
            "tokenHash": self.token_hash,
        }

    @classmethod
    def of(cls, doc: dict[str, Any], auth_json: bytes) -> Lineage:
        """The lineage of a seed document and the auth.json its blob holds."""
        kept = doc.get("lineage")
        kept = kept if isinstance(kept, dict) else {}
        hashed, stamp = login_facts(auth_json)
        generation = kept.get("generation")
        return cls(
            generation=generation if isinstance(generation, int) else 0,
            refreshed_at=stamp,
            token_hash=hashed,
            blob_id=str(doc["blobId"]),
        )


def newer(a: str | None, b: str | None) -> bool | None:
    """Whether ``last_refresh`` ``a`` is later than ``b``; None when either is unreadable."""
    first, second = refresh_instant(a), refresh_instant(b)
    if first is None or second is None:
        return None
    return first > second
