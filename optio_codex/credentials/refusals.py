"""codex's words for a login the token server refused for good (codex 0.163.0; the turn
error's codexErrorInfo is ``unauthorized``), as a quarantine reason. Anything else (a 5xx, a
timeout, another account on disk) is no reason to give up on a seed."""

from __future__ import annotations

from typing import Any

_REASONS = (
    ("already used", "refresh token reused (refresh_token_reused)"),
    ("has expired", "refresh token expired (refresh_token_expired)"),
    ("was revoked", "refresh token revoked (refresh_token_invalidated)"),
    ("could not be refreshed", "refresh refused (invalid_grant)"),
)


def refusal_reason(event: dict[str, Any]) -> str | None:
    """The quarantine reason an ``error`` notification or failed ``turn/completed`` carries,
    or None when it is no permanent refusal of the login."""
    method = event.get("method") or event.get("type")
    raw = event.get("params")
    params: dict[str, Any] = raw if isinstance(raw, dict) else event
    if method == "error":
        error = params.get("error")
    elif method == "turn/completed":
        error = (params.get("turn") or {}).get("error")
    else:
        return None
    if not isinstance(error, dict) or error.get("codexErrorInfo") != "unauthorized":
        return None
    message = str(error.get("message") or "")
    for words, reason in _REASONS:
        if words in message:
            return reason
    return None
